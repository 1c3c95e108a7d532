"""Write a generation result to disk: the contract, its audit report, the step log.

Files appear whole or not at all (temp file + rename). A failed result never writes the
contract file; a partial one only when the caller allows it, with a header saying what is
missing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from chainllm.audit.report import render
from chainllm.errors import BadInputError
from chainllm.generate.loop import GenerationResult
from chainllm.io import atomic_write

REPORT_SUFFIX = {
    "table": ".audit.txt",
    "json": ".audit.json",
    "sarif": ".audit.sarif",
    "markdown": ".audit.md",
}


@dataclass(frozen=True)
class Written:
    contract: Path | None
    audit: Path | None
    log: Path | None


def check_out_path(out: Path, *, force: bool) -> None:
    """Fail before any work when --out cannot be written."""
    if out.suffix != ".sol":
        raise BadInputError(f"--out {out}: expected a .sol file name", hint="e.g. --out Acme.sol")
    if out.exists() and not force:
        raise BadInputError(f"--out {out} already exists", hint="pass --force to overwrite it")
    if out.exists() and not out.is_file():
        raise BadInputError(f"--out {out} is not a regular file")


def sidecar(out: Path, suffix: str) -> Path:
    return out.with_name(out.stem + suffix)


def contract_text(result: GenerationResult) -> str:
    assert result.source is not None
    if result.status == "ok":
        return result.source
    # A partial contract says so in its first lines, so a copy of the file cannot pass for complete.
    lines = [
        f"// WARNING: partial result: {result.reason}",
        "// See the generation log before using this contract.",
    ]
    return "\n".join(lines) + "\n" + result.source


def write_result(result: GenerationResult, out: Path, *, fmt: str, allow_partial: bool) -> Written:
    log = sidecar(out, ".generate.json")
    atomic_write(log, json.dumps(result.to_dict(), indent=2) + "\n")
    writes_contract = result.source is not None and (
        result.status == "ok" or (result.status == "partial" and allow_partial)
    )
    audit_path: Path | None = None
    if result.audit is not None:
        audit_path = sidecar(out, REPORT_SUFFIX[fmt])
        atomic_write(audit_path, render(result.audit_report(), fmt))
    if writes_contract:
        atomic_write(out, contract_text(result))
    return Written(out if writes_contract else None, audit_path, log)
