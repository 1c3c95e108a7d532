"""SPDX licence identifiers and the corpus licence policy.

A file is kept when its ``SPDX-License-Identifier`` expression is satisfied by the allow-list:
an ``OR`` needs one allowed branch, an ``AND`` needs all. Files with no identifier, or one
that is not a known SPDX id, are excluded and counted (unless the allow-list says otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from chainllm.errors import BadInputError

# Permissive: no copyleft, no field-of-use restriction.
PERMISSIVE = (
    "MIT",
    "MIT-0",
    "Apache-2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "0BSD",
    "ISC",
    "Unlicense",
    "CC0-1.0",
    "Zlib",
    "WTFPL",
    "BSL-1.0",
)
# Known ids seen in Solidity (so that "known but not allowed" differs from "unknown").
KNOWN = (
    *PERMISSIVE,
    "BSD-4-Clause",
    "GPL-2.0",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "LGPL-2.1",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "AGPL-3.0",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "MPL-2.0",
    "BUSL-1.1",
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "CC-BY-NC-4.0",
    "CC-BY-NC-SA-4.0",
    "EPL-2.0",
    "UNLICENSED",
)
_CANON = {k.lower(): k for k in KNOWN}
# Aliases an allow-list may use for families.
_FAMILIES = {"bsd": ("BSD-2-Clause", "BSD-3-Clause", "0BSD", "BSD-4-Clause")}
_SPDX_RE = re.compile(r"SPDX-License-Identifier:\s*([^\n\r]*)")
_TOKEN_RE = re.compile(r"\(|\)|[A-Za-z0-9.+:-]+")

NONE = "none"
UNKNOWN = "unknown"


def find_spdx(text: str) -> str | None:
    """The first SPDX expression in a source, trailing comment closers removed."""
    m = _SPDX_RE.search(text)
    if not m:
        return None
    expr = m.group(1).split("*/")[0].strip().strip("\"'`;,")
    return expr or None


def canonical(expr: str) -> str:
    """Canonical spelling of each id in an expression (``mit`` -> ``MIT``); unknown ids kept.
    Common non-SPDX spellings of one licence (``Apache 2.0``, ``BUSL 1.1``, ``MIT License``)
    are mapped to their id."""
    loose = re.sub(r"(?i)[\s-]*licen[sc]e$", "", expr.strip()).strip()
    loose = re.sub(r"\s+", "-", loose).lower()
    for candidate in (loose, loose + ".0"):  # "Apache 2" -> Apache-2.0
        if candidate in _CANON:
            return _CANON[candidate]
    out = []
    for tok in _TOKEN_RE.findall(expr):
        up = tok.upper()
        if up in ("AND", "OR", "WITH"):
            out.append(up)
        elif tok in "()":
            out.append(tok)
        else:
            base = tok[:-1] if tok.endswith("+") else tok
            c = _CANON.get(base.lower(), tok)
            out.append(c + ("+" if tok.endswith("+") and c == base else ""))
    text = " ".join(out)
    return text.replace("( ", "(").replace(" )", ")")


def ids(expr: str) -> list[str]:
    return [t for t in _TOKEN_RE.findall(canonical(expr)) if t not in ("(", ")", "AND", "OR", "WITH")]


@dataclass(frozen=True)
class LicensePolicy:
    allowed: frozenset[str]
    allow_none: bool = False
    allow_unknown: bool = False

    @classmethod
    def parse(cls, items: Iterable[str] | None) -> LicensePolicy:
        """From ``--licenses`` values (comma lists allowed); ``permissive`` means the default set,
        ``none``/``unknown`` admit files without a (known) licence."""
        if not items:
            return cls(frozenset(PERMISSIVE))
        allowed: set[str] = set()
        allow_none = allow_unknown = False
        for raw in items:
            for item in (x.strip() for x in raw.split(",")):
                if not item:
                    continue
                low = item.lower()
                if low == "permissive":
                    allowed.update(PERMISSIVE)
                elif low == NONE:
                    allow_none = True
                elif low == UNKNOWN:
                    allow_unknown = True
                elif low in _FAMILIES:
                    allowed.update(_FAMILIES[low])
                elif low in _CANON:
                    allowed.add(_CANON[low])
                else:
                    raise BadInputError(
                        f"--licenses: {item!r} is not a known SPDX id",
                        hint="use ids such as MIT, Apache-2.0, BSD-3-Clause, or 'permissive', 'none', 'unknown'",
                    )
        if not allowed and not allow_none and not allow_unknown:
            raise BadInputError("--licenses: empty allow-list", hint="e.g. --licenses MIT,Apache-2.0")
        return cls(frozenset(allowed), allow_none, allow_unknown)

    def classify(self, expr: str | None) -> tuple[bool, str]:
        """(kept, reason) where reason is ``none``, ``unknown`` or the canonical expression."""
        if expr is None:
            return self.allow_none, NONE
        canon = canonical(expr)
        toks = ids(canon)
        if not toks or any(
            t.rstrip("+") not in _CANON.values() for t in toks if "-exception" not in t.lower()
        ):
            return self.allow_unknown, UNKNOWN
        return self._satisfied(canon), canon

    def _satisfied(self, canon: str) -> bool:
        # Evaluate OR-of-AND with parentheses; "X WITH exception" counts as X.
        tokens = [t for t in _TOKEN_RE.findall(canon)]
        pos = 0

        def expr() -> bool:
            nonlocal pos
            value = term()
            while pos < len(tokens) and tokens[pos] == "OR":
                pos += 1
                rhs = term()
                value = value or rhs
            return value

        def term() -> bool:
            nonlocal pos
            value = atom()
            while pos < len(tokens) and tokens[pos] == "AND":
                pos += 1
                rhs = atom()
                value = value and rhs
            return value

        def atom() -> bool:
            nonlocal pos
            if pos >= len(tokens):
                return False
            tok = tokens[pos]
            pos += 1
            if tok == "(":
                value = expr()
                if pos < len(tokens) and tokens[pos] == ")":
                    pos += 1
                return value
            if pos < len(tokens) and tokens[pos] == "WITH":
                pos += 2
            return tok.rstrip("+") in self.allowed

        return expr()
