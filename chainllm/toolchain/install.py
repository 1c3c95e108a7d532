"""Install a native solc build, verified by the sha256 that the official list publishes.

py-solc-x's own ``install_solc`` writes whatever it downloads without checking a hash, so
chainllm fetches ``list.json`` and the binary itself, verifies the digest, validates
``--version`` and only then moves the file into py-solc-x's folder (where py-solc-x,
Slither users and chainllm's discovery all find it). Offline machines use npm's solcjs.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import platform
import re
import shutil
import stat
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


# --- npm solcjs ------------------------------------------------------------------------------

Progress = Callable[[str], None]


def solcjs_root() -> Path:
    """One folder per solcjs version: ``<data>/node/solc/<version>/node_modules/solc``."""
    from chainllm.toolchain.compilers import user_node_root

    return user_node_root() / "solc"


def _installed_solcjs(version: str) -> Path | None:
    pkg = solcjs_root() / version / "node_modules" / "solc"
    try:
        info = json.loads((pkg / "package.json").read_text())
    except (OSError, ValueError):
        return None
    return pkg if info.get("name") == "solc" and info.get("version") == version else None


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock between processes (two audits must not install the same compiler)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _npm_failure(stderr: str) -> str:
    lines = [ln.removeprefix("npm error").strip() for ln in stderr.splitlines() if ln.strip()]
    useful = [ln for ln in lines if ln and not ln.startswith(("A complete log", "/"))]
    return (useful or ["no output"])[0][:300]


def install_solcjs(
    version: str, *, progress: Progress | None = None, timeout: float = 600.0, explicit: bool = False
) -> Path:
    """Install npm's solcjs ``version`` once; returns the package folder.

    npm runs in a private temporary folder next to the target, the result is checked (package
    name and version, then the compiler's own ``--version``) and only then renamed into place,
    under a lock: a failed or interrupted install leaves no half-installed compiler, and
    concurrent callers wait for the first one instead of installing twice. The registry is
    npm's own setting (``npm_config_registry``, ``.npmrc``), so corporate mirrors work.
    """
    try:
        parse_version(version)
    except ValueError:
        raise BadInputError(f"{version!r} is not a compiler version", hint="write it like 0.8.26") from None
    if config.offline() and not explicit:  # an explicit `toolchain add-solc` still uses npm
        raise ToolchainError(
            f"solc {version} is not installed and downloads are disabled (CHAINLLM_OFFLINE=1)",
            hint=f"on a machine with npm access run `chainllm toolchain add-solc {version}`",
        )
    npm = shutil.which("npm")
    if npm is None:
        raise ToolchainError("npm is not on PATH", hint="install Node.js 18+ and npm")
    root = solcjs_root()
    with _file_lock(root / f".{version}.lock"):
        done = _installed_solcjs(version)
        if done is not None:
            return done
        for stale in root.glob(f".tmp-{version}-*"):  # left by an install that was killed
            shutil.rmtree(stale, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(dir=root, prefix=f".tmp-{version}-"))
        try:
            (tmp / "package.json").write_text('{"name": "chainllm-solc", "private": true}\n')
            if progress:
                progress(f"installing solc {version} from npm (once)...")
            started = time.monotonic()
            try:
                proc = subprocess.run(
                    [
                        npm,
                        "install",
                        "--no-audit",
                        "--no-fund",
                        "--ignore-scripts",
                        "--save-exact",
                        "--no-package-lock",
                        "--loglevel=error",
                        f"solc@{version}",
                    ],
                    cwd=tmp,
                    capture_output=True,
                    text=True,
                    timeout=timeout,
                )
            except subprocess.TimeoutExpired:
                raise ToolchainError(
                    f"npm install of solc {version} took over {timeout:.0f} s; nothing installed"
                ) from None
            if proc.returncode:
                raise ToolchainError(
                    f"npm could not install solc {version} (exit {proc.returncode}): {_npm_failure(proc.stderr)}; nothing installed",
                    hint="check npm's registry (npm_config_registry) and network, or set CHAINLLM_OFFLINE=1",
                )
            pkg = tmp / "node_modules" / "solc"
            got = _probe_solcjs(pkg)
            if got != parse_version(version):
                raise VerificationError(f"npm's solc {version} reports version {got}; nothing installed")
            os.replace(tmp, root / version)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        from chainllm.toolchain.compilers import forget

        forget()
        if progress:
            progress(f"installed solc {version} in {time.monotonic() - started:.1f} s")
    final = _installed_solcjs(version)
    assert final is not None
    return final


def _probe_solcjs(pkg: Path) -> tuple[int, int, int] | None:
    """The version the installed module itself reports, through the same shim audits use."""
    from chainllm.toolchain.compilers import SHIM_JS

    node = shutil.which("node")
    if node is None:
        raise ToolchainError("node is not on PATH", hint="install Node.js 18+ to use the npm compilers")
    try:
        out = subprocess.run(
            [node, "--no-warnings", str(SHIM_JS), "--solcjs-module", str(pkg), "--version"],
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"Version:\s*(\d+\.\d+\.\d+)", out)
    return parse_version(m.group(1)) if m else None


def add_solc(
    version: str,
    *,
    npm_only: bool = False,
    progress: Progress | None = None,
    native_timeout: float = 30.0,
    explicit: bool = False,
) -> tuple[str, Path]:
    """Add a compiler: a sha256-verified native build when downloads are allowed, else npm's
    solcjs. Returns (origin, path). What `chainllm toolchain add-solc` and audits' automatic
    install both call."""
    if not config.offline() and not npm_only:
        try:
            return "native", install_native(version, timeout=native_timeout)
        except (ToolchainError, BadInputError) as exc:  # no network or no build: npm works wherever npm does
            if progress:
                progress(f"native solc {version} not installed ({exc}); trying npm solcjs")
    return "solcjs", install_solcjs(version, progress=progress, explicit=explicit)
