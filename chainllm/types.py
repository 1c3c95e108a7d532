"""Frozen dataclasses that flow between stages. No I/O here.

Field names of the audit types are a public contract (``chainllm audit --format json``,
``chainllm generate --json``): keep them stable.
"""

from __future__ import annotations

import enum
import re
from dataclasses import asdict, dataclass, field
from typing import Any, NewType

Address = NewType("Address", str)
TxHash = NewType("TxHash", str)
Cid = NewType("Cid", str)
Wei = NewType("Wei", int)


class Severity(enum.IntEnum):
    """Slither's impact levels, ordered so that comparisons mean 'at least as bad'."""

    OPTIMIZATION = 0
    INFORMATIONAL = 1
    LOW = 2
    MEDIUM = 3
    HIGH = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}") from None

    @property
    def label(self) -> str:
        return self.name.capitalize()


@dataclass(frozen=True)
class Diagnostic:
    """One compiler message (error or warning) with its location."""

    severity: str  # "error" | "warning" | "info"
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    code: str | None = None  # solc's error type, e.g. "ParserError"

    def location(self) -> str:
        if self.file is None:
            return "-"
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Finding:
    """One analyser result, typed (not Slither's raw dict)."""

    check: str
    impact: str  # High | Medium | Low | Informational | Optimization
    confidence: str  # High | Medium | Low
    description: str
    file: str | None
    lines: tuple[int, ...] = ()
    tool: str = "slither"
    id: str = ""  # stable hash from the tool, used for dedup and SARIF fingerprints
    swc: str | None = None  # e.g. "SWC-107" (chainllm.audit.taxonomy)
    cwe: str | None = None  # e.g. "CWE-841"
    fingerprint: str = ""  # line-independent triage id (chainllm.audit.baseline)

    @property
    def severity(self) -> Severity:
        return Severity.parse(self.impact)

    @property
    def first_line(self) -> int | None:
        return self.lines[0] if self.lines else None

    def summary(self) -> str:
        """The description's first line without Slither's inline ``(file#lines)`` locations."""
        first = self.description.strip().splitlines()[0] if self.description.strip() else self.check
        return re.sub(r"\s*\([^()\s]*#\d+(?:-\d+)?\)", "", first).rstrip(": ") or self.check

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["lines"] = list(self.lines)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Finding:
        return cls(
            check=d["check"],
            impact=d["impact"],
            confidence=d["confidence"],
            description=d["description"],
            file=d.get("file"),
            lines=tuple(d.get("lines") or ()),
            tool=d.get("tool", "slither"),
            id=d.get("id", ""),
            swc=d.get("swc"),
            cwe=d.get("cwe"),
            fingerprint=d.get("fingerprint", ""),
        )


@dataclass(frozen=True)
class CompileResult:
    """What compiling one entry file produced."""

    path: str
    compiled: bool
    solc_version: str | None
    compiler_origin: str | None  # "native", "solc-select", "py-solc-x", "solcjs"
    errors: tuple[Diagnostic, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    sources: tuple[str, ...] = ()  # every source unit in the compilation (import closure)
    contracts: tuple[str, ...] = ()
    seconds: float = 0.0


@dataclass(frozen=True)
class FileAudit:
    """The audit of one input file: its compile result plus findings."""

    path: str
    compiled: bool
    solc_version: str | None
    errors: tuple[Diagnostic, ...] = ()
    findings: tuple[Finding, ...] = ()
    analysed: bool = False  # Slither ran to completion
    analysis_error: str | None = None  # Slither crash/timeout message for this file
    hidden_dependency_findings: int = 0
    cached: bool = False
    seconds: float = 0.0
    tools: dict[str, str] = field(default_factory=dict)
    compilers_tried: tuple[str, ...] = ()  # "0.8.28: <first error>" for each rejected compiler
    not_covered: tuple[str, ...] = ()  # "contract C: why" when Slither skipped part of the file
    baselined: int = 0  # findings hidden by --baseline

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "compiled": self.compiled,
            "solc_version": self.solc_version,
            "errors": [e.to_dict() for e in self.errors],
            "findings": [f.to_dict() for f in self.findings],
            "analysed": self.analysed,
            "analysis_error": self.analysis_error,
            "hidden_dependency_findings": self.hidden_dependency_findings,
            "cached": self.cached,
            "seconds": round(self.seconds, 3),
            "tools": dict(self.tools),
            "compilers_tried": list(self.compilers_tried),
            "not_covered": list(self.not_covered),
            "baselined": self.baselined,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FileAudit:
        return cls(
            path=d["path"],
            compiled=d["compiled"],
            solc_version=d.get("solc_version"),
            errors=tuple(Diagnostic(**e) for e in d.get("errors", [])),
            findings=tuple(Finding.from_dict(f) for f in d.get("findings", [])),
            analysed=d.get("analysed", False),
            analysis_error=d.get("analysis_error"),
            hidden_dependency_findings=d.get("hidden_dependency_findings", 0),
            cached=d.get("cached", False),
            seconds=d.get("seconds", 0.0),
            tools=dict(d.get("tools", {})),
            compilers_tried=tuple(d.get("compilers_tried", ())),
            not_covered=tuple(d.get("not_covered", ())),
            baselined=d.get("baselined", 0),
        )


@dataclass(frozen=True)
class AuditReport:
    """Every file's audit plus the settings that produced them."""

    results: tuple[FileAudit, ...]
    fail_on: Severity | None  # None means never fail on findings
    seconds: float = 0.0
    skipped_unchanged: int = 0  # files left out by --diff (neither they nor their imports changed)

    @property
    def all_findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings]

    def counts(self) -> dict[str, int]:
        out = {s.label: 0 for s in sorted(Severity, reverse=True)}
        for f in self.all_findings:
            out[f.severity.label] += 1
        return out

    @property
    def failed_inputs(self) -> list[FileAudit]:
        return [r for r in self.results if not r.compiled or r.analysis_error]

    def threshold_hits(self) -> list[Finding]:
        if self.fail_on is None:
            return []
        return [f for f in self.all_findings if f.severity >= self.fail_on]

    def exit_code(self) -> int:
        """2 on inputs that did not compile or could not be analysed, 1 on threshold hits, else 0."""
        if self.failed_inputs:
            return 2
        return 1 if self.threshold_hits() else 0
