"""Renderers of one AuditReport: table (terminal), JSON envelope, SARIF 2.1.0, markdown."""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

from rich.console import Console
from rich.table import Table

from chainllm import __version__
from chainllm.audit.taxonomy import cwe_taxon, swc_taxon
from chainllm.types import AuditReport, FileAudit, Finding, Severity

FORMATS = ("table", "json", "sarif", "markdown")
_SARIF_LEVEL = {
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFORMATIONAL: "note",
    Severity.OPTIMIZATION: "note",
}
_SECURITY_SEVERITY = {
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFORMATIONAL: "0.0",
    Severity.OPTIMIZATION: "0.0",
}
_STYLE = {
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFORMATIONAL: "dim",
    Severity.OPTIMIZATION: "dim",
}


def summary_line(report: AuditReport) -> str:
    counts = report.counts()
    n = len(report.results)
    parts = [f"{v} {k.lower()}" for k, v in counts.items() if v]
    failed = len(report.failed_inputs)
    cached = sum(1 for r in report.results if r.cached)
    text = f"{n} file{'s' if n != 1 else ''} audited: " + (", ".join(parts) if parts else "no findings")
    hidden = sum(r.hidden_dependency_findings for r in report.results)
    if hidden:
        text += f"; {hidden} in dependencies hidden (--include-deps shows them)"
    baselined = sum(r.baselined for r in report.results)
    if baselined:
        text += f"; {baselined} accepted in the baseline hidden"
    partial = sum(1 for r in report.results if r.not_covered)
    if partial:
        text += f"; {partial} only partly analysed"
    if report.skipped_unchanged:
        text += f"; {report.skipped_unchanged} unchanged skipped (--diff)"
    if failed:
        text += f"; {failed} could not be analysed"
    if cached:
        text += f"; {cached} from cache"
    text += f" ({report.seconds:.1f} s)"
    if report.fail_on is not None:
        hits = len(report.threshold_hits())
        text += f". --fail-on {report.fail_on.name.lower()}: {'FAIL' if hits else 'pass'}"
    return text


def _ids(f: Finding) -> str:
    return " ".join(i for i in (f.swc, f.cwe) if i)


def file_notes(r: FileAudit) -> list[str]:
    """Lines a reader must see besides findings: compilers rejected, parts not analysed."""
    notes = []
    if r.compilers_tried and r.compiled:
        notes.append(f"{r.path}: compiled with solc {r.solc_version} after " + "; ".join(r.compilers_tried))
    elif r.compilers_tried:
        notes.append(f"{r.path}: compilers tried: " + "; ".join(r.compilers_tried))
    notes += [f"{r.path}: not covered: {n}" for n in r.not_covered]
    return notes


def _where(f: Finding) -> str:
    return f"{f.file}:{f.first_line}" if f.file and f.first_line else (f.file or "-")


def render_table(report: AuditReport, *, color: bool = False, width: int = 120) -> str:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width, highlight=False)
    for r in report.results:
        for e in r.errors:
            console.print(
                f"[bold red]error[/] {e.location()}: {e.code + ': ' if e.code else ''}{e.message}",
                markup=True,
                soft_wrap=True,
            )
        if r.analysis_error:
            console.print(f"[bold red]error[/] {r.analysis_error}", soft_wrap=True)
        for note in file_notes(r):
            console.print(f"[yellow]note[/] {note}", soft_wrap=True, highlight=False, markup=True)
    findings = report.all_findings
    if findings:
        table = Table(show_header=True, header_style="bold", expand=False)
        table.add_column("Severity", no_wrap=True)
        table.add_column("Detector", no_wrap=True)
        table.add_column("Location", overflow="fold")
        table.add_column("Description", overflow="fold")
        for f in findings:
            detector = f"{f.check}\n[dim]{_ids(f)}[/]" if _ids(f) else f.check
            table.add_row(f"[{_STYLE[f.severity]}]{f.severity.label}[/]", detector, _where(f), f.summary())
        console.print(table)
    console.print(summary_line(report), soft_wrap=True)
    return buf.getvalue()


def to_json(report: AuditReport, *, error: str | None = None) -> dict[str, Any]:
    """The stable envelope: {"success", "error", "results": [per file]}."""
    return {
        "success": error is None and not report.failed_inputs,
        "error": error
        or (
            "; ".join(
                (r.errors[0].location() + ": " + r.errors[0].message)
                if r.errors
                else (r.analysis_error or r.path)
                for r in report.failed_inputs
            )
            or None
        ),
        "results": [r.to_dict() for r in report.results],
        "summary": {
            "files": len(report.results),
            "counts": report.counts(),
            "fail_on": report.fail_on.name.lower() if report.fail_on is not None else "none",
            "threshold_hits": len(report.threshold_hits()),
            "baselined": sum(r.baselined for r in report.results),
            "not_covered": sum(len(r.not_covered) for r in report.results),
            "skipped_unchanged": report.skipped_unchanged,
            "seconds": round(report.seconds, 3),
            "tool": f"chainllm {__version__}",
        },
    }


def _rule_help(check: str) -> str:
    return f"https://github.com/crytic/slither/wiki/Detector-Documentation#{check}"


def to_sarif(report: AuditReport) -> dict[str, Any]:
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for f in report.all_findings:
        if f.check not in rules:
            rules[f.check] = {
                "id": f.check,
                "name": f.check,
                "shortDescription": {"text": f.check},
                "helpUri": _rule_help(f.check),
                "properties": {
                    "precision": f.confidence.lower().replace("medium", "medium"),
                    "security-severity": _SECURITY_SEVERITY[f.severity],
                    "tags": ["security", "solidity", *_sarif_tags(f)],
                },
            }
            if f.swc:
                rules[f.check]["properties"]["swc"] = f.swc
            if f.cwe:
                rules[f.check]["properties"]["cwe"] = f.cwe
            relationships = [
                {"target": {"id": tid, "toolComponent": {"name": comp}}, "kinds": ["superset"]}
                for comp, tid in (("SWC", f.swc), ("CWE", f.cwe))
                if tid
            ]
            if relationships:
                rules[f.check]["relationships"] = relationships
        loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": f.file or "unknown"}}}
        if f.lines:
            loc["physicalLocation"]["region"] = {"startLine": min(f.lines), "endLine": max(f.lines)}
        fingerprint = f.id or hashlib.sha256(f"{f.check}|{f.file}|{f.description}".encode()).hexdigest()
        results.append(
            {
                "ruleId": f.check,
                "ruleIndex": list(rules).index(f.check),
                "level": _SARIF_LEVEL[f.severity],
                "message": {"text": f.description or f.check},
                "locations": [loc],
                "partialFingerprints": {"id": fingerprint}
                | ({"chainllmFingerprint/v1": f.fingerprint} if f.fingerprint else {}),
            }
        )
        taxa = [
            {"id": tid, "toolComponent": {"name": comp}}
            for comp, tid in (("SWC", f.swc), ("CWE", f.cwe))
            if tid
        ]
        if taxa:
            results[-1]["taxa"] = taxa
    notifications = []
    for r in report.results:
        for e in r.errors:
            n: dict[str, Any] = {
                "level": "error",
                "message": {"text": f"{e.code + ': ' if e.code else ''}{e.message}"},
            }
            if e.file:
                region = {"startLine": e.line} if e.line else None
                phys: dict[str, Any] = {"artifactLocation": {"uri": e.file}}
                if region:
                    phys["region"] = region
                n["locations"] = [{"physicalLocation": phys}]
            notifications.append(n)
        if r.analysis_error:
            notifications.append({"level": "error", "message": {"text": r.analysis_error}})
        for note in file_notes(r):
            notifications.append({"level": "warning" if r.not_covered else "note", "message": {"text": note}})
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "chainllm",
                "version": __version__,
                "informationUri": "https://github.com/crytic/slither",
                "rules": list(rules.values()),
            }
        },
        "results": results,
        "taxonomies": _taxonomies(report.all_findings),
        "invocations": [
            {"executionSuccessful": not report.failed_inputs, "toolExecutionNotifications": notifications}
        ],
    }
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    }


def _sarif_tags(f: Finding) -> list[str]:
    tags = [f.swc] if f.swc else []
    if f.cwe:  # GitHub code scanning's convention for CWE tags
        tags.append(f"external/cwe/{f.cwe.lower()}")
    return tags


def _taxonomies(findings: list[Finding]) -> list[dict[str, Any]]:
    swcs = sorted({f.swc for f in findings if f.swc}, key=lambda s: int(s.split("-")[1]))
    cwes = sorted({f.cwe for f in findings if f.cwe}, key=lambda s: int(s.split("-")[1]))
    return [
        {
            "name": "SWC",
            "organization": "SmartContractSecurity",
            "shortDescription": {"text": "Smart Contract Weakness Classification Registry"},
            "informationUri": "https://swcregistry.io",
            "taxa": [swc_taxon(s) for s in swcs],
        },
        {
            "name": "CWE",
            "organization": "MITRE",
            "shortDescription": {"text": "The MITRE Common Weakness Enumeration"},
            "informationUri": "https://cwe.mitre.org",
            "taxa": [cwe_taxon(c) for c in cwes],
        },
    ]


def to_markdown(report: AuditReport) -> str:
    lines = ["# chainllm audit", "", summary_line(report), ""]
    for r in report.results:
        status = "compiled" if r.compiled else "did not compile"
        lines.append(f"## `{r.path}` ({status}{', solc ' + r.solc_version if r.solc_version else ''})")
        lines.append("")
        for e in r.errors:
            lines.append(f"- **error** `{e.location()}`: {e.message}")
        if r.analysis_error:
            lines.append(f"- **error**: {r.analysis_error}")
        lines += [f"- **note**: {note}" for note in file_notes(r)]
        if r.findings:
            lines += ["| Severity | Detector | SWC / CWE | Location | Description |", "|---|---|---|---|---|"]
            for f in r.findings:
                desc = f.summary().replace("|", "\\|")
                lines.append(
                    f"| {f.severity.label} | `{f.check}` | {_ids(f) or '-'} | `{_where(f)}` | {desc} |"
                )
        elif r.compiled and not r.analysis_error:
            lines.append("No findings from Slither's detectors.")
        lines.append("")
    lines.append(
        "_Checked: compiled with solc and analysed with Slither's default detectors. Static analysis finds known patterns; it does not prove a contract safe._"
    )
    return "\n".join(lines) + "\n"


def render(report: AuditReport, fmt: str, *, color: bool = False) -> str:
    if fmt == "table":
        return render_table(report, color=color)
    if fmt == "json":
        return json.dumps(to_json(report), indent=2) + "\n"
    if fmt == "sarif":
        return json.dumps(to_sarif(report), indent=2) + "\n"
    if fmt == "markdown":
        return to_markdown(report)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
