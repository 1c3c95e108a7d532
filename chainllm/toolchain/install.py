"""Install a native solc build, verified by the sha256 that the official list publishes.

py-solc-x's own ``install_solc`` writes whatever it downloads without checking a hash, so
chainllm fetches ``list.json`` and the binary itself, verifies the digest, validates
``--version`` and only then moves the file into py-solc-x's folder (where py-solc-x,
Slither users and chainllm's discovery all find it). Offline machines use npm's solcjs.
"""

from __future__ import annotations

import hashlib
import os
import platform
import stat
import tempfile
from pathlib import Path

import httpx

from chainllm import config
from chainllm.errors import BadInputError, ToolchainError, VerificationError
from chainllm.toolchain.pragma import parse_version

DEFAULT_BASE_URL = "https://binaries.soliditylang.org"


def _platform_dir() -> str:
    system = platform.system()
    if system == "Linux" and platform.machine() in {"x86_64", "AMD64"}:
        return "linux-amd64"
    if system == "Darwin":
        return "macosx-amd64"
    raise ToolchainError(
        f"no official native solc builds for {system}/{platform.machine()}",
        hint="use `chainllm toolchain add-solc` (npm solcjs)",
    )


def solcx_folder() -> Path:
    return Path(os.environ.get("SOLCX_BINARY_PATH") or Path.home() / ".solcx")


def install_native(version: str, *, base_url: str | None = None, timeout: float = 30.0) -> Path:
    """Download, verify and install native solc ``version``; returns the executable's path."""
    try:
        parse_version(version)
    except ValueError:
        raise BadInputError(f"{version!r} is not a compiler version", hint="write it like 0.8.26") from None
    if config.offline():
        raise ToolchainError(
            "downloads are disabled (CHAINLLM_OFFLINE=1)",
            hint="use npm solcjs: it is installed by `chainllm toolchain install`",
        )
    base = (base_url or os.environ.get("CHAINLLM_SOLC_BINARIES_URL") or DEFAULT_BASE_URL).rstrip("/")
    folder = f"{base}/{_platform_dir()}"
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True) as client:
            listing = client.get(f"{folder}/list.json")
            listing.raise_for_status()
            builds = {b.get("version"): b for b in listing.json().get("builds", []) if isinstance(b, dict)}
            build = builds.get(version)
            if build is None:
                raise BadInputError(
                    f"solc {version} is not in {folder}/list.json", hint="pick a released version"
                )
            expected = str(build.get("sha256", "")).removeprefix("0x").lower()
            if len(expected) != 64:
                raise VerificationError(
                    f"{folder}/list.json gives no sha256 for solc {version}; refusing an unverifiable download"
                )
            blob = client.get(f"{folder}/{build['path']}")
            blob.raise_for_status()
    except httpx.HTTPError as exc:
        raise ToolchainError(
            f"cannot download solc {version} from {folder}: {exc}",
            hint="check the network, or use npm solcjs",
        ) from None
    except ValueError:
        raise ToolchainError(f"{folder}/list.json is not valid JSON") from None
    actual = hashlib.sha256(blob.content).hexdigest()
    if actual != expected:
        raise VerificationError(
            f"solc {version} download from {folder} has sha256 {actual[:16]}..., list.json says {expected[:16]}...; nothing installed"
        )
    target_dir = solcx_folder()
    target_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target_dir, prefix=".solc-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob.content)
        os.chmod(tmp, os.stat(tmp).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        from chainllm.toolchain.compilers import _probe_version

        got = _probe_version(Path(tmp))
        if got != parse_version(version):
            raise VerificationError(
                f"downloaded solc reports version {got}, expected {version}; nothing installed"
            )
        target = target_dir / f"solc-v{version}"
        os.replace(tmp, target)
        from chainllm.toolchain.compilers import forget

        forget()
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
