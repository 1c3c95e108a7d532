"""Solidity version pragmas: parse ``pragma solidity ...`` and match compiler versions.

Implements the npm-semver subset solc accepts: ``^``, ``~``, comparison operators,
partial versions (``0.8``), ``x``/``*`` wildcards, hyphen ranges and ``||`` alternatives.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

Version = tuple[int, int, int]

_PRAGMA_RE = re.compile(r"pragma\s+solidity\s+([^;]+);")
_STRING_RE = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'')


def parse_version(text: str) -> Version:
    parts = text.strip().lstrip("v").split("+")[0].split("-")[0].split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"not a compiler version: {text!r}")
    return int(parts[0]), int(parts[1]), int(parts[2])


def format_version(v: Version) -> str:
    return f"{v[0]}.{v[1]}.{v[2]}"


def strip_comments(source: str) -> str:
    """Remove comments (keeping strings intact) so pragmas/imports in comments are ignored."""

    def repl(m: re.Match[str]) -> str:
        text = m.group(0)
        if text.startswith(("//", "/*")):
            return "\n" * text.count("\n")
        return text

    return re.sub(r"//[^\n]*|/\*.*?\*/|\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'", repl, source, flags=re.S)


def code_chars(source: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """``(index, char)`` for every character from ``start`` that is code: comments and string
    literals are skipped whole, so braces or semicolons inside them never count."""
    i, n = start, len(source)
    while i < n:
        c = source[i]
        if source.startswith("//", i):
            j = source.find("\n", i)
            i = n if j < 0 else j
            continue
        if source.startswith("/*", i):
            j = source.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        if c in "\"'":
            j = i + 1
            while j < n and source[j] != c:
                j += 2 if source[j] == "\\" else 1
            i = j + 1
            continue
        yield i, c
        i += 1


def find_pragmas(source: str) -> list[str]:
    """Every ``pragma solidity`` expression in a source, comments ignored."""
    without_strings = _STRING_RE.sub('""', strip_comments(source))
    return [m.group(1).strip() for m in _PRAGMA_RE.finditer(without_strings)]


@dataclass(frozen=True)
class _Comparator:
    op: str
    version: Version

    def test(self, v: Version) -> bool:
        return {
            "=": v == self.version,
            ">": v > self.version,
            ">=": v >= self.version,
            "<": v < self.version,
            "<=": v <= self.version,
        }[self.op]


def _partial(text: str) -> tuple[list[int | None], int]:
    """Parse '0.8', '0.8.x', '0.8.20' into components (None = wildcard) and the count given."""
    raw = text.strip().lstrip("v").split(".")
    if not raw or len(raw) > 3 or raw == [""]:
        raise ValueError(f"bad version {text!r}")
    comps: list[int | None] = []
    for p in raw:
        if p in {"x", "X", "*"}:
            comps.append(None)
        elif p.isdigit():
            comps.append(int(p))
        else:
            raise ValueError(f"bad version {text!r}")
    given = len(comps)
    while len(comps) < 3:
        comps.append(None)
    return comps, given


def _lower(comps: list[int | None]) -> Version:
    return (comps[0] or 0, comps[1] or 0, comps[2] or 0)


def _range_for_partial(comps: list[int | None]) -> list[_Comparator]:
    """``0.8`` means >=0.8.0 <0.9.0; a full version means exactly it."""
    if comps[0] is None:
        return []
    if comps[1] is None:
        return [_Comparator(">=", (comps[0], 0, 0)), _Comparator("<", (comps[0] + 1, 0, 0))]
    if comps[2] is None:
        return [_Comparator(">=", (comps[0], comps[1], 0)), _Comparator("<", (comps[0], comps[1] + 1, 0))]
    return [_Comparator("=", _lower(comps))]


def _caret(comps: list[int | None]) -> list[_Comparator]:
    low = _lower(comps)
    major, minor, patch = low
    if major > 0 or comps[1] is None:
        high = (major + 1, 0, 0)
    elif minor > 0 or comps[2] is None:
        high = (0, minor + 1, 0)
    else:
        high = (0, 0, patch + 1)
    return [_Comparator(">=", low), _Comparator("<", high)]


def _tilde(comps: list[int | None], given: int) -> list[_Comparator]:
    low = _lower(comps)
    high = (low[0] + 1, 0, 0) if given == 1 or comps[1] is None else (low[0], low[1] + 1, 0)
    return [_Comparator(">=", low), _Comparator("<", high)]


_TOKEN_RE = re.compile(r"(\^|~|>=|<=|>|<|=)?\s*(v?[0-9xX*]+(?:\.[0-9xX*]+){0,2})")


def _parse_set(text: str) -> list[_Comparator]:
    text = text.strip()
    if text in {"", "*", "x", "X"}:
        return []
    hyphen = re.fullmatch(r"(\S+)\s+-\s+(\S+)", text)
    if hyphen:
        lo, _ = _partial(hyphen.group(1))
        hi, hi_given = _partial(hyphen.group(2))
        out = [_Comparator(">=", _lower(lo))]
        if hi_given == 3 and hi[2] is not None:
            out.append(_Comparator("<=", _lower(hi)))
        else:
            out.extend(c for c in _range_for_partial(hi) if c.op == "<")
        return out
    comparators: list[_Comparator] = []
    pos = 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        m = _TOKEN_RE.match(text, pos)
        if not m:
            raise ValueError(f"cannot parse version range {text!r}")
        op, ver = m.group(1) or "", m.group(2)
        comps, given = _partial(ver)
        if op == "^":
            comparators += _caret(comps)
        elif op == "~":
            comparators += _tilde(comps, given)
        elif op in {"", "="}:
            comparators += _range_for_partial(comps)
        elif None in comps[:given] or given < 3:
            # '>0.4' means above the whole 0.4 line; '<0.9' means below 0.9.0
            rng = _range_for_partial(comps)
            if op in {">", "<="}:
                upper = [c for c in rng if c.op == "<"]
                comparators += [_Comparator(">=" if op == ">" else "<", upper[0].version)] if upper else []
            else:
                comparators.append(_Comparator(op, _lower(comps)))
        else:
            comparators.append(_Comparator(op, _lower(comps)))
        pos = m.end()
    return comparators


@dataclass(frozen=True)
class VersionRange:
    """A parsed pragma expression; ``alternatives`` are OR-ed sets of AND-ed comparators."""

    text: str
    alternatives: tuple[tuple[_Comparator, ...], ...]

    @classmethod
    def parse(cls, text: str) -> VersionRange:
        alts = tuple(tuple(_parse_set(part)) for part in text.split("||"))
        return cls(text=text.strip(), alternatives=alts)

    def contains(self, v: Version) -> bool:
        return any(all(c.test(v) for c in alt) for alt in self.alternatives)


def satisfying(pragmas: Iterable[str], versions: Sequence[Version]) -> list[Version]:
    """Versions (ascending) that satisfy every pragma; malformed pragmas raise ValueError."""
    ranges = [VersionRange.parse(p) for p in pragmas]
    return sorted(v for v in versions if all(r.contains(v) for r in ranges))
