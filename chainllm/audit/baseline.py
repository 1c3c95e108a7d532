"""Triage baselines: findings already accepted, matched by a fingerprint without line numbers.

A finding's fingerprint is its detector, its file, its AST path (contract, function, the
chain of statement kinds around it, read from solc's AST) and its code with comments and
whitespace normalised. Adding lines above, moving a function, or renaming a variable
elsewhere leaves it unchanged; editing the flagged code itself makes it a new finding.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from chainllm.errors import BadInputError
from chainllm.io import atomic_write, sha256_bytes
from chainllm.toolchain.pragma import strip_comments
from chainllm.types import AuditReport, Finding

FORMAT = "chainllm-audit-baseline"
VERSION = 1
_SCOPES = {"ContractDefinition", "FunctionDefinition", "ModifierDefinition"}
_NOT_STATEMENTS = _SCOPES | {"SourceUnit", "Block", "UncheckedBlock"}


def _span(node: dict[str, Any]) -> tuple[int, int] | None:
    try:
        start, length, _ = (int(x) for x in str(node.get("src", "")).split(":"))
    except ValueError:
        return None
    return start, start + length


def _line_offsets(content: bytes, lines: tuple[int, ...]) -> tuple[int, int]:
    starts = [0] + [i + 1 for i, b in enumerate(content) if b == 0x0A]
    first, last = min(lines), max(lines)
    lo = starts[min(first, len(starts)) - 1]
    hi = starts[last] - 1 if last < len(starts) else len(content)
    # skip leading indentation so the element, not the line, decides what encloses it
    while lo < hi and content[lo : lo + 1] in (b" ", b"\t"):
        lo += 1
    return lo, hi


def ast_path(ast: dict[str, Any] | None, lo: int, hi: int) -> str:
    """``Contract/function/IfStatement>ExpressionStatement`` for the code at bytes lo..hi."""
    if not ast:
        return ""
    parts: list[str] = []
    node: dict[str, Any] | None = ast
    while node is not None:
        kind = str(node.get("nodeType", ""))
        if kind in _SCOPES:
            name = node.get("name") or node.get("kind") or kind
            parts.append(f"{name}")
        elif (kind not in _NOT_STATEMENTS and kind.endswith("Statement")) or kind == "PragmaDirective":
            parts.append(kind)
        nxt = None
        for child in _children(node):
            span = _span(child)
            if span and span[0] <= lo and hi <= span[1] + 1:
                nxt = child
                break
        node = nxt
    return "/".join(parts)


def _children(node: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for key, value in node.items():
        if key in {"typeDescriptions", "documentation"}:
            continue
        if isinstance(value, dict) and "nodeType" in value:
            out.append(value)
        elif isinstance(value, list):
            out += [v for v in value if isinstance(v, dict) and "nodeType" in v]
    return out


def normalise(code: str) -> str:
    return re.sub(r"\s+", " ", strip_comments(code)).strip()


@dataclass(frozen=True)
class SourceView:
    """What fingerprints need from one compiled file: source text and AST per unit."""

    contents: dict[str, str]  # file (as findings name it) -> source text
    asts: dict[str, dict[str, Any]]  # same keys -> solc AST of that unit


def fingerprint(finding: Finding, view: SourceView) -> str:
    content = view.contents.get(finding.file or "")
    path, code = "", finding.summary()
    if content is not None and finding.lines:
        data = content.encode("utf-8")
        lo, hi = _line_offsets(data, finding.lines)
        code = normalise(data[lo:hi].decode("utf-8", "replace"))
        path = ast_path(view.asts.get(finding.file or ""), lo, hi)
    text = "\x1f".join([finding.check, finding.file or "", path, code])
    return sha256_bytes(text.encode("utf-8"))[:32]


def with_fingerprints(findings: tuple[Finding, ...], view: SourceView) -> tuple[Finding, ...]:
    return tuple(replace(f, fingerprint=fingerprint(f, view)) for f in findings)


# --- the baseline file ----------------------------------------------------------------------


@dataclass(frozen=True)
class Baseline:
    path: str
    counts: Counter[str]

    def __len__(self) -> int:
        return sum(self.counts.values())


def load(path: str | Path) -> Baseline:
    p = Path(path)
    hint = f"recreate it with `chainllm audit ... --write-baseline {p}`"
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInputError(f"{p}: baseline file not found", hint=hint) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInputError(f"{p}: not a valid baseline file ({exc})", hint=hint) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BadInputError(f'{p}: not a chainllm audit baseline (no "format": "{FORMAT}")', hint=hint)
    if data.get("version") != VERSION:
        raise BadInputError(f"{p}: baseline version {data.get('version')!r} is not supported", hint=hint)
    entries = data.get("findings")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries
    ):
        raise BadInputError(f'{p}: baseline "findings" must be a list of {{"fingerprint": ...}}', hint=hint)
    return Baseline(str(p), Counter(e["fingerprint"] for e in entries))


def write(report: AuditReport, path: str | Path) -> int:
    """Accept every finding of ``report``: write them as a baseline (atomically). Returns the count."""
    entries = [
        {"fingerprint": f.fingerprint, "check": f.check, "file": f.file, "summary": f.summary()}
        for r in report.results
        for f in r.findings
        if f.fingerprint
    ]
    doc = {"format": FORMAT, "version": VERSION, "findings": entries}
    atomic_write(Path(path), json.dumps(doc, indent=2) + "\n")
    return len(entries)


def apply(report: AuditReport, baseline: Baseline) -> AuditReport:
    """The report without the findings the baseline accepted (each accepted entry hides one)."""
    left = Counter(baseline.counts)
    results = []
    for r in report.results:
        kept = []
        for f in r.findings:
            if f.fingerprint and left[f.fingerprint] > 0:
                left[f.fingerprint] -= 1
                continue
            kept.append(f)
        results.append(replace(r, findings=tuple(kept), baselined=len(r.findings) - len(kept)))
    return replace(report, results=tuple(results))
