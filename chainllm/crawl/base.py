"""What a Solidity source is, independent of where it comes from.

A source is parsed from a spec string (``npm:@openzeppelin/contracts@5.x``, ``dir:./src``,
``git:https://host/repo.git#v1``, ``etherscan:1:0x...``, ``sourcify:1:0x...``), resolves to an
exact *origin* (``npm:@openzeppelin/contracts@5.1.0``) and fetches the raw ``.sol`` files.
New kinds register with :func:`register` or through the ``chainllm.sources`` entry-point
group, without touching the others.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import ClassVar

from chainllm.errors import BadInputError

# Per-file cap: Solidity files above this are generated blobs or hostile (the largest real
# OpenZeppelin file is ~100 KB).
DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class RawFile:
    """One source file as fetched: its path inside the origin and its bytes."""

    path: str
    data: bytes


@dataclass(frozen=True)
class Fetched:
    """Everything one source produced."""

    origin: str  # exact: npm:@openzeppelin/contracts@5.1.0, etherscan:1:0xabc...
    files: tuple[RawFile, ...]
    skipped: tuple[tuple[str, str], ...] = ()  # (path, reason): symlinks, size caps, traversal
    meta: dict[str, str] = field(default_factory=dict)  # e.g. {"match": "exact"}, {"license": "MIT"}


class Source(abc.ABC):
    """A pluggable source of Solidity files.

    ``resolve`` is cheap (one metadata request at most) and names the exact origin, so a
    crawl can skip what it already has; ``fetch`` downloads and returns the files.
    """

    scheme: ClassVar[str]
    # Local sources can change without their spec changing: compare ``revision()`` on re-runs.
    mutable: ClassVar[bool] = False

    def __init__(self, spec: str, target: str) -> None:
        self.spec = spec
        self.target = target  # the spec without its scheme

    @abc.abstractmethod
    def resolve(self) -> str:
        """The exact origin this spec means now (network allowed, cheap)."""

    def revision(self) -> str:
        """What must change for a re-crawl to be needed; the exact origin for immutable sources."""
        return self.resolve()

    @abc.abstractmethod
    def fetch(self) -> Fetched:
        """Download (or read) the files."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec!r})"


_REGISTRY: dict[str, Callable[[str, str], Source]] = {}
_LOADED = False


def register(scheme: str, factory: Callable[[str, str], Source]) -> None:
    """Add a source kind (``scheme:...`` specs); plugins may also use the entry-point group."""
    _builtin()
    _REGISTRY[scheme] = factory


def _builtin() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    from chainllm.crawl.etherscan import EtherscanSource
    from chainllm.crawl.local import DirSource, GitSource
    from chainllm.crawl.npm import NpmSource
    from chainllm.crawl.sourcify import SourcifySource

    for cls in (NpmSource, DirSource, GitSource, EtherscanSource, SourcifySource):
        _REGISTRY.setdefault(cls.scheme, cls)
    for ep in entry_points(group="chainllm.sources"):
        _REGISTRY.setdefault(ep.name, ep.load())


def schemes() -> list[str]:
    _builtin()
    return sorted(_REGISTRY)


def parse_spec(spec: str) -> Source:
    """A source object for a spec string; a bare existing path means ``dir:``."""
    _builtin()
    spec = spec.strip()
    scheme, sep, rest = spec.partition(":")
    if sep and scheme in _REGISTRY and rest:
        return _REGISTRY[scheme](spec, rest)
    if Path(spec).expanduser().exists():
        return _REGISTRY["dir"](f"dir:{spec}", spec)
    if spec.endswith(".git") or spec.startswith(("https://", "http://", "ssh://", "git@")):
        return _REGISTRY["git"](f"git:{spec}", spec)
    raise BadInputError(
        f"source {spec!r}: unknown kind",
        hint=f"write it as one of {', '.join(s + ':...' for s in schemes())}, e.g. npm:@openzeppelin/contracts@5.x",
    )


def read_sources_file(path: Path) -> list[str]:
    """Specs from a sources list: one per line, ``#`` comments and blank lines ignored."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInputError(f"{path}: sources file not found", hint="pass --sources-file PATH") from None
    out = []
    for line in text.splitlines():
        # "#" alone starts a comment only at the start or after a space: git specs use "#ref".
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if line:
            out.append(line)
    return out
