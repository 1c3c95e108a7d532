"""Findings agree with the `slither` CLI on the same file with the same compiler, 0.4 to 0.8."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chainllm.audit.engine import AuditOptions, audit_file
from chainllm.audit.slither_runner import detector_classes
from chainllm.toolchain.compilers import discover

SLITHER = Path(sys.executable).with_name("slither")

CASES = {
    "V04Storage.sol": ("0.4.24", {"uninitialized-storage", "reentrancy-eth", "tx-origin"}),
    "V05Unchecked.sol": ("0.5.17", {"unchecked-lowlevel", "arbitrary-send-eth"}),
    "V06Delegate.sol": ("0.6.12", {"controlled-delegatecall", "reentrancy-eth"}),
    "V07Origin.sol": ("0.7.6", {"tx-origin", "arbitrary-send-eth"}),
    "V08Bank.sol": ("0.8.28", {"reentrancy-eth", "suicidal", "unchecked-transfer"}),
}


def _cli_findings(path: Path, solc: Path) -> list[tuple[str, tuple[int, ...]]]:
    out = subprocess.run(
        [str(SLITHER), path.name, "--solc", str(solc), "--json", "-"],
        cwd=path.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    results = json.loads(out.stdout)["results"].get("detectors", [])
    return sorted(
        (r["check"], tuple(r["elements"][0]["source_mapping"]["lines"]) if r["elements"] else ())
        for r in results
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_findings_as_slither_cli(contracts: Path, name: str) -> None:
    version, must_have = CASES[name]
    audit = audit_file(contracts / name, AuditOptions(use_cache=False))
    assert audit.compiled and audit.analysed, audit
    assert audit.solc_version == version
    # chainllm's own detectors (chainllm/audit/detectors) are not the slither CLI's: compare Slither's
    builtin = {d.ARGUMENT for d in detector_classes() if d.__module__.startswith("slither.")}
    ours = sorted((f.check, f.lines) for f in audit.findings if f.check in builtin)
    assert must_have <= {c for c, _ in ours}
    compiler = next(c for c in discover() if c.version_str == version)
    assert ours == _cli_findings(contracts / name, compiler.path)
