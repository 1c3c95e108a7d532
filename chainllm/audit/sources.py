"""Resolve a Solidity entry file and its import closure the way solc names sources.

Source unit names follow solc's virtual file system: the entry is named relative to the
project root (the base path); ``./`` and ``../`` imports are joined to the importer's name;
other imports go through remappings and are then looked up under the base path and the
include paths (``node_modules``). Every file read must lie inside an allowed root after
resolving symlinks, so ``import "/etc/passwd";`` or a ``../../`` escape fails before any
compiler sees the file.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from chainllm import config
from chainllm.errors import BadInputError, ImportOutsideRootsError
from chainllm.toolchain.pragma import find_pragmas, strip_comments
from chainllm.types import Diagnostic

DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024
_PROJECT_MARKERS = (
    "foundry.toml",
    "remappings.txt",
    "hardhat.config.js",
    "hardhat.config.ts",
    "truffle-config.js",
    "package.json",
    ".git",
)
_IMPORT_RE = re.compile(r"""\bimport\s+(?:[^;"']*?\bfrom\s+)?(["'])(?P<path>[^"']+)\1""")


@dataclass(frozen=True)
class Remapping:
    context: str
    prefix: str
    target: str

    @classmethod
    def parse(cls, text: str) -> Remapping:
        text = text.strip()
        if "=" not in text:
            raise BadInputError(
                f"remapping {text!r} has no '='", hint="write it as prefix=target, e.g. @oz/=lib/oz/"
            )
        left, target = text.split("=", 1)
        context, prefix = left.split(":", 1) if ":" in left else ("", left)
        if not prefix:
            raise BadInputError(f"remapping {text!r} has an empty prefix")
        return cls(context, prefix, target)

    def __str__(self) -> str:
        return f"{self.context + ':' if self.context else ''}{self.prefix}={self.target}"


@dataclass(frozen=True)
class Project:
    """Where sources live and which roots imports may read from."""

    root: Path  # solc's --base-path
    include_paths: tuple[Path, ...] = ()
    remappings: tuple[Remapping, ...] = ()
    allowed_roots: tuple[Path, ...] = ()
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES

    def is_dependency(self, unit_name: str) -> bool:
        """Library code the user did not write: node_modules, remapped libraries, lib/."""
        parts = unit_name.split("/")
        if "node_modules" in parts or parts[0] == "lib" or unit_name.startswith("@"):
            return True
        return any(
            unit_name.startswith(r.target) and r.target.startswith(("lib/", "node_modules/"))
            for r in self.remappings
        )


def find_root(path: Path) -> Path:
    """Nearest ancestor that looks like a project (foundry, hardhat, npm, git), else the file's folder."""
    start = path if path.is_dir() else path.parent
    for d in (start, *start.parents):
        if any((d / m).exists() for m in _PROJECT_MARKERS):
            return d
    return start


def _read_remappings(root: Path) -> list[Remapping]:
    out: list[Remapping] = []
    txt = root / "remappings.txt"
    if txt.is_file():
        out += [
            Remapping.parse(line)
            for line in txt.read_text().splitlines()
            if line.strip() and not line.startswith("#")
        ]
    foundry = root / "foundry.toml"
    if foundry.is_file():
        try:
            data = tomllib.loads(foundry.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise BadInputError(f"{foundry}: invalid TOML ({exc})") from None
        for profile in (data.get("profile") or {}).values():
            out += [Remapping.parse(r) for r in profile.get("remappings", []) if isinstance(r, str)]
    return out


BUNDLED_PACKAGES = ("@openzeppelin/contracts",)


def _bundled_remappings(includes: list[Path], remappings: list[Remapping]) -> list[Remapping]:
    """chainllm's own OpenZeppelin copy, so a standalone file (a generated contract, say) can
    import ``@openzeppelin/contracts`` without a project of its own. Used only where the
    project provides neither the package nor a remapping for it. Expressed as a remapping to
    an absolute path (not an include path) so every tool downstream finds the same file."""
    bundled = config.node_root() / "node_modules"
    out = []
    for pkg in BUNDLED_PACKAGES:
        prefix = pkg + "/"
        if any(r.prefix == prefix for r in remappings) or any((d / pkg).is_dir() for d in includes):
            continue
        if (bundled / pkg).is_dir():
            out.append(Remapping("", prefix, (bundled / pkg).resolve().as_posix() + "/"))
    return out


def make_project(
    path: Path,
    *,
    root: Path | None = None,
    remaps: tuple[str, ...] = (),
    allow_paths: tuple[Path, ...] = (),
    bundled_libraries: bool = True,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> Project:
    root = (root or find_root(path.resolve())).resolve()
    includes: list[Path] = []
    for d in (root, *root.parents):
        if (d / "node_modules").is_dir():
            includes.append(d / "node_modules")
            break
    remappings = [*_read_remappings(root), *(Remapping.parse(r) for r in remaps)]
    if bundled_libraries:
        remappings += _bundled_remappings(includes, remappings)
    roots = [root, *includes, *allow_paths]
    roots += [(root / r.target).resolve() for r in remappings]  # an absolute target stays as it is
    return Project(
        root=root,
        include_paths=tuple(includes),
        remappings=tuple(remappings),
        allowed_roots=tuple(dict.fromkeys(Path(os.path.realpath(p)) for p in roots)),
        max_file_bytes=max_file_bytes,
    )


@dataclass
class SourceUnit:
    name: str  # solc source unit name
    path: Path  # real file on disk
    content: str
    sha256: str
    pragmas: list[str]
    imports: list[tuple[str, int]]  # (import path as written, line)


@dataclass
class Closure:
    entry: str
    units: dict[str, SourceUnit] = field(default_factory=dict)
    errors: list[Diagnostic] = field(default_factory=list)

    @property
    def pragmas(self) -> list[str]:
        return list(dict.fromkeys(p for u in self.units.values() for p in u.pragmas))

    def fingerprint(self) -> list[tuple[str, str]]:
        return sorted((n, u.sha256) for n, u in self.units.items())


def _within(path: Path, roots: tuple[Path, ...]) -> bool:
    return any(path == r or r in path.parents for r in roots)


def read_source(path: Path, project: Project, *, shown: str) -> str:
    """Read one file with the size cap, UTF-8 check and root confinement."""
    real = Path(os.path.realpath(path))
    if not _within(real, project.allowed_roots):
        raise ImportOutsideRootsError(
            f"{shown}: resolves to {real}, outside the allowed roots",
            hint="imports may only read the project, node_modules and remapped folders; use --allow-path to add one",
        )
    if not real.is_file():
        raise BadInputError(f"{shown}: not a regular file")
    size = real.stat().st_size
    if size > project.max_file_bytes:
        raise BadInputError(
            f"{shown}: {size / 1e6:.1f} MB is over the {project.max_file_bytes / 1e6:.1f} MB limit",
            hint="raise it with --max-file-size if this really is Solidity",
        )
    data = real.read_bytes()
    if b"\x00" in data[:8192]:
        raise BadInputError(f"{shown}: binary data, not Solidity source")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BadInputError(
            f"{shown}:{line}: not valid UTF-8 (byte 0x{data[exc.start]:02x})", hint="save the file as UTF-8"
        ) from None


def unit_name_for(path: Path, project: Project) -> str:
    real = path.resolve()
    try:
        return real.relative_to(project.root).as_posix()
    except ValueError:
        return real.as_posix()


def _apply_remapping(import_path: str, importer: str, project: Project) -> str:
    best: Remapping | None = None
    for r in project.remappings:
        matches = import_path.startswith(r.prefix) and importer.startswith(r.context)
        if matches and (
            best is None or (len(r.context), len(r.prefix)) > (len(best.context), len(best.prefix))
        ):
            best = r
    return best.target + import_path[len(best.prefix) :] if best else import_path


def resolve_import(import_path: str, importer: str, project: Project) -> str:
    """The source unit name solc gives an import written in ``importer``."""
    if import_path.startswith(("./", "../")):
        base = importer.rsplit("/", 1)[0] if "/" in importer else ""
        joined = (
            posixpath.normpath(posixpath.join(base, import_path)) if base else posixpath.normpath(import_path)
        )
        return joined
    return _apply_remapping(import_path, importer, project)


def locate(unit: str, project: Project) -> Path | None:
    """The file behind a source unit name (base path first, then include paths)."""
    if os.path.isabs(unit):
        return Path(unit) if Path(unit).exists() else None
    for d in (project.root, *project.include_paths):
        candidate = d / unit
        if candidate.exists():
            return candidate
    return None


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def load_closure(entry: Path, project: Project) -> Closure:
    """Read the entry and everything it imports. Raises BadInputError for an unusable entry;
    missing imports become diagnostics (file:line of the import) like solc's own."""
    entry_name = unit_name_for(entry, project)
    closure = Closure(entry=entry_name)
    queue: list[tuple[str, Path, str, int]] = [(entry_name, entry, "", 0)]
    while queue:
        name, path, importer, at = queue.pop()
        if name in closure.units:
            continue
        if not importer:
            content = read_source(path, project, shown=str(entry))
        else:
            try:
                content = read_source(path, project, shown=name)
            except BadInputError as exc:
                closure.errors.append(Diagnostic("error", exc.message, importer, at, code="ImportError"))
                continue
        clean = strip_comments(content)
        imports = [(m.group("path"), _line_of(clean, m.start())) for m in _IMPORT_RE.finditer(clean)]
        closure.units[name] = SourceUnit(
            name=name,
            path=Path(os.path.realpath(path)),
            content=content,
            sha256=hashlib.sha256(content.encode()).hexdigest(),
            pragmas=find_pragmas(content),
            imports=imports,
        )
        for written, line in imports:
            target = resolve_import(written, name, project)
            if target in closure.units:
                continue
            if target.startswith("../"):
                # solc drops the segments that climb above the base path, so the file would
                # get another name in the compiler than on disk: refuse instead of guessing.
                closure.errors.append(
                    Diagnostic(
                        "error",
                        f'import "{written}" climbs above the project root {project.root}; nothing was read. '
                        "Use --root to pick a folder that contains both files",
                        name,
                        line,
                        code="ImportOutsideRoots",
                    )
                )
                continue
            found = locate(target, project)
            if found is None:
                closure.errors.append(
                    Diagnostic(
                        "error",
                        f'Source "{written}" not found (looked in {project.root} and include paths)',
                        name,
                        line,
                        code="ImportError",
                    )
                )
                continue
            if not _within(Path(os.path.realpath(found)), project.allowed_roots):
                closure.errors.append(
                    Diagnostic(
                        "error",
                        f'import "{written}" resolves outside the allowed roots (project, node_modules, remappings); '
                        "nothing was read. Use --allow-path to permit a folder",
                        name,
                        line,
                        code="ImportOutsideRoots",
                    )
                )
                continue
            queue.append((target, found, name, line))
    return closure
