"""Retrieval of similar audited functions as context for model-written custom functions
(owned by gen-model this round).

The corpus is the audited Solidity the project already has offline: OpenZeppelin Contracts 5.x
in node_modules (what the composer imports and what ``crawl sources`` gathers from npm). Every
function with a body becomes one row of an SQLite FTS5 table (BM25 ranking, no network, no
pickles), built once per corpus state in the user cache. On by default (measured: docs/generation.md); ``--no-retrieval`` turns it off.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from chainllm import config
from chainllm.generate.backends import Message
from chainllm.io import atomic_path, sha256_bytes

MAX_LINES = 30  # longer functions teach a 135M model little and eat its context
_SKIP = re.compile(r"/(mocks?|test|tests|vendor|interfaces)/", re.I)
_FUNC = re.compile(r"\bfunction\s+([A-Za-z_]\w*)\s*\(")


@dataclass(frozen=True)
class Hit:
    name: str
    path: str  # relative to the corpus root, e.g. token/ERC20/ERC20.sol
    code: str
    score: float


def default_roots() -> tuple[Path, ...]:
    oz = config.node_root() / "node_modules" / "@openzeppelin" / "contracts"
    return (oz,) if oz.is_dir() else ()


def words(text: str) -> list[str]:
    """Search words: identifiers split at camelCase and underscores, lower case."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return [w for w in re.findall(r"[a-z][a-z0-9]+", spaced.lower()) if len(w) > 2]


def functions(source: str) -> list[tuple[str, str]]:
    """(name, text with its NatSpec) for each function with a body, at most MAX_LINES lines."""
    out = []
    for m in _FUNC.finditer(source):
        head_end = source.find("{", m.end())
        semi = source.find(";", m.end())
        if head_end < 0 or (0 <= semi < head_end):
            continue  # declaration without a body
        depth, i = 0, head_end
        while i < len(source):
            depth += {"{": 1, "}": -1}.get(source[i], 0)
            if depth == 0:
                break
            i += 1
        start = source.rfind("\n", 0, m.start()) + 1
        doc = re.search(r"((?:[ \t]*(?:///|/\*\*|\*)[^\n]*\n)+)$", source[:start])
        text = (doc.group(1) if doc else "") + source[start : i + 1]
        if text.count("\n") < MAX_LINES:
            out.append((m.group(1), _dedent(text)))
    return out


def _dedent(text: str) -> str:
    lines = text.splitlines()
    pad = min((len(x) - len(x.lstrip()) for x in lines if x.strip()), default=0)
    return "\n".join(x[pad:] for x in lines)


def _files(roots: tuple[Path, ...]) -> list[tuple[Path, Path]]:
    out = []
    for root in roots:
        for p in sorted(root.rglob("*.sol")):
            rel = p.relative_to(root)
            if p.is_symlink() or _SKIP.search("/" + str(rel.parent) + "/"):
                continue
            out.append((root, p))
    return out


class Index:
    """BM25 over the corpus' functions; ``Index.open()`` builds it when the corpus changed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)

    @classmethod
    def open(cls, roots: tuple[Path, ...] | None = None, cache: Path | None = None) -> Index | None:
        roots = default_roots() if roots is None else roots
        files = _files(roots)
        if not files:
            return None
        stamp = sha256_bytes(
            "\n".join(f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for _r, p in files).encode()
        )[:16]
        folder = cache or config.cache_dir() / "generate"
        path = folder / f"retrieval-{stamp}.sqlite"
        if not path.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            with atomic_path(path) as tmp:
                _build(tmp, files)
        return cls(path)

    def search(self, query: str, k: int = 2) -> list[Hit]:
        terms = list(dict.fromkeys(words(query)))[:12]
        if not terms:
            return []
        match = " OR ".join(f'"{t}"' for t in terms)
        rows = self.db.execute(
            "SELECT name, path, code, bm25(funcs, 4.0, 1.0, 0.0, 0.0) AS s FROM funcs "
            "WHERE funcs MATCH ? ORDER BY s LIMIT ?",
            (match, k),
        ).fetchall()
        return [Hit(str(n), str(p), str(c), float(s)) for n, p, c, s in rows]

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM funcs").fetchone()[0])


def _build(path: Path, files: list[tuple[Path, Path]]) -> None:
    db = sqlite3.connect(path)
    try:
        db.execute(
            "CREATE VIRTUAL TABLE funcs USING fts5(name_words, body_words, name UNINDEXED, path UNINDEXED, code UNINDEXED)"
        )
        seen: set[str] = set()
        for root, p in files:
            for name, code in functions(p.read_text(errors="replace")):
                if code in seen:
                    continue
                seen.add(code)
                db.execute(
                    "INSERT INTO funcs VALUES (?, ?, ?, ?, ?)",
                    (" ".join(words(name)), " ".join(words(code)), name, str(p.relative_to(root)), code),
                )
        db.commit()
    finally:
        db.close()


_OPEN: dict[str, Index | None] = {}


def shared_index() -> Index | None:
    """One index per process (eval generate asks for many functions)."""
    if "default" not in _OPEN:
        _OPEN["default"] = Index.open()
    return _OPEN["default"]


def augment(
    messages: list[Message], name: str, description: str, *, enabled: bool = True, k: int = 2
) -> list[Message]:
    """``messages`` with the ``k`` most similar audited functions added before the task."""
    if not enabled:
        return messages
    index = shared_index()
    hits = index.search(f"{name} {description}", k) if index is not None else []
    if not hits:
        return messages
    shown = "\n\n".join(f"// from OpenZeppelin {h.path}\n{h.code}" for h in hits)
    context = f"Similar audited functions, for reference only:\n```solidity\n{shown}\n```\n"
    last = messages[-1]
    return [*messages[:-1], {**last, "content": context + last["content"]}]
