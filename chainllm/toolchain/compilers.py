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
from collections.abc import Callable, Iterable
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
    # one folder per automatically installed version (toolchain.install.install_solcjs)
    packages += sorted((user_node_root() / "solc").glob("[0-9]*/node_modules/solc"))
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


MAX_ATTEMPTS = 4  # compilers tried per file before giving up (each costs a compile)


@dataclass(frozen=True)
class Candidate:
    """A compiler to try: installed (``compiler`` set) or installable from npm."""

    version: Version
    compiler: Compiler | None

    @property
    def version_str(self) -> str:
        return format_version(self.version)


def plan(
    pragmas: list[str],
    *,
    where: str,
    compilers: tuple[Compiler, ...] | None = None,
    installable: bool = True,
    limit: int = MAX_ATTEMPTS,
) -> tuple[Candidate, ...]:
    """The compilers to try for these pragmas, in order: one per minor version, newest minor
    first (0.8 -> 0.7 -> 0.6 ...), each the newest installed version in that minor, else the
    newest release npm has (when ``installable``). Raises CompilerNotFoundError when none fits."""
    comps = discover() if compilers is None else compilers
    from chainllm.toolchain.releases import RELEASES

    known_set = {c.version for c in comps} | (set(RELEASES) if installable else set())
    if installable:
        # A release newer than chainllm's list: trust an exact pin (`0.8.31`, `=0.9.0`), and a
        # full version a range names inside the newest known minor (`^0.8.31`).
        newest = max(RELEASES)
        for p in pragmas:
            pin = re.fullmatch(r"\s*=?\s*v?(\d+\.\d+\.\d+)\s*", p)
            named = [parse_version(pin.group(1))] if pin else []
            named += [v for v in map(parse_version, re.findall(r"\d+\.\d+\.\d+", p)) if v[:2] == newest[:2]]
            known_set |= {v for v in named if v > newest}
    known = sorted(known_set)
    try:
        ok = satisfying(pragmas, known)
    except ValueError as exc:
        raise CompilerNotFoundError(f"{where}: cannot parse pragma ({exc})") from None
    if not ok:
        wanted = " and ".join(f"'{p}'" for p in pragmas)
        if installable:
            raise CompilerNotFoundError(
                f"{where}: no released solc satisfies pragma {wanted} (releases: 0.4.11 to {format_version(known[-1])})",
                hint="fix the pragma, or give --solc-version VERSION",
            )
        raise CompilerNotFoundError(
            f"{where}: no available compiler satisfies pragma {wanted}; available: {available_versions_text(comps)}",
            hint="add one with `chainllm toolchain add-solc VERSION` (npm solcjs) or allow automatic installs (unset CHAINLLM_OFFLINE, drop --no-install)",
        )
    by_version = {c.version: c for c in comps}
    minors: dict[tuple[int, int], list[Version]] = {}
    for v in ok:
        minors.setdefault(v[:2], []).append(v)
    out = []
    for minor in sorted(minors, reverse=True):
        versions = minors[minor]
        have = [v for v in versions if v in by_version]
        chosen = have[-1] if have else versions[-1]
        out.append(Candidate(chosen, by_version.get(chosen)))
    return tuple(out[: max(1, limit)])


def ensure(candidate: Candidate, *, progress: Callable[[str], None] | None = None) -> Compiler:
    """The candidate's compiler, installing it first (once, verified) when it is not here."""
    if candidate.compiler is not None:
        return candidate.compiler
    from chainllm.toolchain.install import add_solc

    add_solc(candidate.version_str, progress=progress, native_timeout=10.0)
    forget()
    found = next((c for c in discover() if c.version == candidate.version), None)
    if found is None:
        raise ToolchainError(f"solc {candidate.version_str} was installed but is not discoverable")
    return found
