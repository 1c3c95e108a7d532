"""Find Solidity compilers and pick one for a set of pragmas.

Preference per version: a native binary (PATH, solc-select's artifacts, py-solc-x's folder),
which is 4-8x faster, then solcjs from npm behind a generated native-looking wrapper.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from chainllm import config
from chainllm.errors import CompilerNotFoundError, ToolchainError
from chainllm.toolchain.pragma import Version, format_version, parse_version, satisfying

SHIM_JS = Path(__file__).resolve().parent / "shim" / "solc.js"
_ORIGIN_RANK = {"native": 0, "solc-select": 1, "py-solc-x": 2, "solcjs": 3}
_VERSION_RE = re.compile(r"Version:\s*(\d+\.\d+\.\d+)")


@dataclass(frozen=True)
class Compiler:
    version: Version
    path: Path  # an executable that behaves like native solc
    origin: str  # native | solc-select | py-solc-x | solcjs

    @property
    def version_str(self) -> str:
        return format_version(self.version)

    def describe(self) -> str:
        return f"solc {self.version_str} ({self.origin}: {self.path})"


def _is_python_wrapper(path: Path) -> bool:
    """solc-select installs a Python `solc` that downloads on first use (hangs offline)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(256)
    except OSError:
        return True
    return head.startswith(b"#!") and b"python" in head.split(b"\n", 1)[0]


def _probe_version(path: Path) -> Version | None:
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=15)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = _VERSION_RE.search(out.stdout)
    return parse_version(m.group(1)) if m else None


def _native_on_path() -> list[Compiler]:
    found = shutil.which("solc")
    if not found or _is_python_wrapper(Path(found)):
        return []
    v = _probe_version(Path(found))
    return [Compiler(v, Path(found), "native")] if v else []


def _solc_select() -> list[Compiler]:
    roots = [Path.home() / ".solc-select" / "artifacts"]
    venv = os.environ.get("VIRTUAL_ENV")
    if venv:
        roots.append(Path(venv) / ".solc-select" / "artifacts")
    out = []
    for root in roots:
        for exe in sorted(root.glob("solc-*/solc-*")):
            try:
                v = parse_version(exe.name.removeprefix("solc-"))
            except ValueError:
                continue
            if os.access(exe, os.X_OK):
                out.append(Compiler(v, exe, "solc-select"))
    return out


def _py_solc_x() -> list[Compiler]:
    root = Path(os.environ.get("SOLCX_BINARY_PATH") or Path.home() / ".solcx")
    out = []
    for exe in sorted(root.glob("solc-v*")):
        try:
            v = parse_version(exe.name.removeprefix("solc-v"))
        except ValueError:
            continue
        if exe.is_file() and os.access(exe, os.X_OK):
            out.append(Compiler(v, exe, "py-solc-x"))
    return out


def shim_dir() -> Path:
    return config.cache_dir() / "solc-shims"


def _write_wrapper(module_dir: Path, version: Version) -> Path:
    """A tiny sh script so tools that expect a `solc` binary (Slither, crytic-compile) can run solcjs."""
    node = shutil.which("node")
    if node is None:
        raise ToolchainError("node is not on PATH", hint="install Node.js 18+ to use the npm compilers")
    target = shim_dir() / f"solc-{format_version(version)}"
    body = f'#!/bin/sh\nexec "{node}" --no-warnings "{SHIM_JS}" --solcjs-module "{module_dir}" "$@"\n'
    if not target.exists() or target.read_text() != body:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")  # unique: threads may race
        with os.fdopen(fd, "w") as fh:
            fh.write(body)
        os.chmod(tmp, 0o755)
        os.replace(tmp, target)
    return target


def user_node_root() -> Path:
    """Where `chainllm toolchain add-solc` puts extra solcjs versions (never the checkout)."""
    return config.data_dir() / "node"


def _solcjs() -> list[Compiler]:
    if shutil.which("node") is None:
        return []
    out = []
    roots = dict.fromkeys([config.node_root() / "node_modules", user_node_root() / "node_modules"])
    packages = [pkg for modules in roots if modules.is_dir() for pkg in sorted(modules.glob("solc*"))]
    for pkg in packages:
        meta = pkg / "package.json"
        if not meta.is_file():
            continue
        try:
            info = json.loads(meta.read_text())
            v = parse_version(info["version"])
        except (ValueError, KeyError, json.JSONDecodeError):
            continue
        if info.get("name") != "solc":
            continue
        out.append(Compiler(v, _write_wrapper(pkg, v), "solcjs"))
    return out


@functools.lru_cache(maxsize=1)
def _discover_cached(key: str) -> tuple[Compiler, ...]:
    best: dict[Version, Compiler] = {}
    for c in [*_native_on_path(), *_solc_select(), *_py_solc_x(), *_solcjs()]:
        if c.version not in best or _ORIGIN_RANK[c.origin] < _ORIGIN_RANK[best[c.version].origin]:
            best[c.version] = c
    return tuple(sorted(best.values(), key=lambda c: c.version))


def discover() -> tuple[Compiler, ...]:
    """Every compiler version available here, best origin per version, ascending."""
    env = "|".join(os.environ.get(k, "") for k in ("PATH", "HOME", "VIRTUAL_ENV", "SOLCX_BINARY_PATH"))
    key = f"{config.node_root()}|{config.cache_dir()}|{config.data_dir()}|{env}"
    return _discover_cached(key)


def forget() -> None:
    """Drop the discovery cache (after installing a compiler in this process)."""
    _discover_cached.cache_clear()


def available_versions_text(compilers: Iterable[Compiler]) -> str:
    versions = [c.version_str for c in compilers]
    return ", ".join(versions) if versions else "none"


def select(pragmas: list[str], *, where: str, compilers: tuple[Compiler, ...] | None = None) -> Compiler:
    """The newest available compiler that satisfies every pragma (solc's own preference order)."""
    comps = discover() if compilers is None else compilers
    if not comps:
        raise CompilerNotFoundError(
            "no Solidity compiler found",
            hint="run `chainllm toolchain install` (npm solcjs) or put a native solc on PATH",
        )
    try:
        ok = satisfying(pragmas, [c.version for c in comps])
    except ValueError as exc:
        raise CompilerNotFoundError(f"{where}: cannot parse pragma ({exc})") from None
    if not ok:
        wanted = " and ".join(f"'{p}'" for p in pragmas)
        raise CompilerNotFoundError(
            f"{where}: no available compiler satisfies pragma {wanted}; available: {available_versions_text(comps)}",
            hint="add one with `chainllm toolchain add-solc VERSION` (npm solcjs) or install a native solc",
        )
    chosen = ok[-1]
    return next(c for c in comps if c.version == chosen)
