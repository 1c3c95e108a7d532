"""chainllm's detectors inside the audit: listing, --detect/--exclude, the cache key, one
detector's crash isolated, and `chainllm eval audit` on a tiny labelled set."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from chainllm.audit.detectors import own_arguments, own_detectors
from chainllm.audit.detectors.base import FAILURES, ChainDetector, Low
from chainllm.audit.detectors.integer_overflow import IntegerOverflow
from chainllm.audit.engine import AuditOptions, audit_paths
from chainllm.audit.slither_runner import list_detectors, select_detectors
from chainllm.cli import cli
from chainllm.errors import BadInputError

LABELLED = Path(__file__).resolve().parents[1] / "labelled"

VAULT = """// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

contract Vault {
    address public owner;
    mapping(address => uint256) public credit;
    function setOwner(address o) external {
        owner = o;
    }
    function spend(uint256 n) external {
        unchecked { credit[msg.sender] -= n; }
    }
}
"""


def test_every_own_detector_is_listed_with_its_ids() -> None:
    rows = {r.argument: r for r in list_detectors()}
    assert len(own_detectors()) == len(own_arguments()) >= 11
    for det in own_detectors():
        row = rows[det.ARGUMENT]
        assert row.origin == "chainllm"
        assert row.cwe == det.CWE and row.cwe.startswith("CWE-")
        assert row.swc == det.SWC
    assert rows["reentrancy-eth"].origin == "slither"
    result = CliRunner().invoke(cli, ["audit", "--list-detectors", "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert {r["argument"] for r in listed} == set(rows)


def test_unknown_detector_names_are_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="unknown detector: integer-overflw"):
        select_detectors(("integer-overflw",))
    chosen = select_detectors(("integer-overflow", "suicidal"), ("suicidal",))
    assert [d.ARGUMENT for d in chosen] == ["integer-overflow"]
    src = tmp_path / "Vault.sol"
    src.write_text(VAULT)
    result = CliRunner().invoke(cli, ["audit", str(src), "--exclude", "nope"])
    assert result.exit_code == 2
    assert "unknown detector: nope" in result.output


def test_detect_selects_and_is_part_of_the_cache_key(tmp_path: Path) -> None:
    src = tmp_path / "Vault.sol"
    src.write_text(VAULT)
    first = audit_paths([src], AuditOptions(fail_on=None, detect_detectors=("integer-overflow",)))
    found = first.results[0].findings
    assert [(f.check, f.tool, f.swc, f.cwe, f.first_line) for f in found] == [
        ("integer-overflow", "chainllm", "SWC-101", "CWE-190", 11)
    ]
    # same file, same compiler, other detectors: a new audit, not the cached one
    second = audit_paths([src], AuditOptions(fail_on=None, detect_detectors=("unprotected-sensitive",)))
    assert not second.results[0].cached
    assert [(f.check, f.first_line) for f in second.results[0].findings] == [("unprotected-sensitive", 7)]
    again = audit_paths([src], AuditOptions(fail_on=None, detect_detectors=("integer-overflow",)))
    assert again.results[0].cached and again.results[0].findings == found


class _Broken(ChainDetector):
    ARGUMENT = "test-broken"
    HELP = "raises"
    IMPACT = Low
    CONFIDENCE = Low
    CWE = "CWE-0"
    WIKI_TITLE = WIKI_DESCRIPTION = WIKI_EXPLOIT_SCENARIO = WIKI_RECOMMENDATION = "test"

    def findings(self):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")


def test_a_crashing_detector_costs_only_its_own_findings(tmp_path: Path) -> None:
    from slither import Slither

    from chainllm.toolchain.compilers import select

    FAILURES.clear()
    src = tmp_path / "Vault.sol"
    src.write_text(VAULT)
    slither = Slither(str(src), solc=str(select(["=0.8.28"], where="test").path))
    slither.register_detector(_Broken)
    slither.register_detector(IntegerOverflow)
    results = [r for per in slither.run_detectors() for r in per]
    assert [r["check"] for r in results] == ["integer-overflow"]
    assert FAILURES == ["detector test-broken: RuntimeError: boom"]


def test_eval_audit_on_a_tiny_labelled_set(tmp_path: Path) -> None:
    labelled = tmp_path / "set"
    labelled.mkdir()
    for name in ("tod_0828.sol", "signature_0612.sol"):
        shutil.copy(LABELLED / "dev" / name, labelled / name)
    result = CliRunner().invoke(cli, ["eval", "audit", "--set", str(labelled), "--no-openzeppelin", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    tod, sig = data["chainllm"]["classes"]["tod"], data["chainllm"]["classes"]["signature"]
    assert (tod["bugs"], sig["bugs"]) == (4, 3)
    assert tod["recall"] == 1.0 and sig["recall"] == 1.0
    assert tod["precision"] == 1.0 and sig["precision"] == 1.0
    assert data["slither_only"]["classes"]["tod"]["recall"] == 0.0  # Slither has no TOD detector
    bad = CliRunner().invoke(cli, ["eval", "audit", "--set", str(tmp_path / "missing"), "--no-openzeppelin"])
    assert bad.exit_code == 2 and "no such labelled set" in bad.output
