"""Triage that survives edits (--baseline), change-only audits (--diff) and SWC/CWE ids."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from chainllm.audit import taxonomy
from chainllm.audit.engine import AuditOptions, audit_paths
from chainllm.audit.report import render, to_sarif
from chainllm.cli import cli
from chainllm.config import REPO_ROOT

SARIF_SCHEMA = json.loads((REPO_ROOT / "tests/fixtures/sarif-schema-2.1.0.json").read_text())

BANK = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IERC20Like {
    function transfer(address to, uint256 amount) external returns (bool);
}

contract Bank {
    mapping(address => uint256) public balances;

    function deposit() external payable { balances[msg.sender] += msg.value; }

    function withdraw() external {
        uint256 amount = balances[msg.sender];
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "send failed");
        balances[msg.sender] = 0;
    }

    function rescue(IERC20Like token, uint256 amount) external {
        token.transfer(msg.sender, amount);
    }

    function twice(uint256 a) external pure returns (uint256) {
        uint256 s = a * 2;
        return s;
    }

    function close() external {
        selfdestruct(payable(msg.sender));
    }
}
"""


def _edited(text: str) -> str:
    """Lines added above, close() moved to the top, a local renamed in another function."""
    close = "    function close() external {\n        selfdestruct(payable(msg.sender));\n    }\n"
    text = text.replace("\n" + close, "")
    text = text.replace(
        "contract Bank {\n", "// a new header comment\n// and another\n\ncontract Bank {\n" + close + "\n"
    )
    return text.replace(
        "uint256 s = a * 2;\n        return s;", "uint256 doubled = a * 2;\n        return doubled;"
    )


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["audit", *args])
    return result.exit_code, result.stdout + result.stderr


def test_baseline_survives_moves_and_added_lines(tmp_path: Path) -> None:
    src = tmp_path / "Bank.sol"
    src.write_text(BANK)
    baseline = tmp_path / "audit-baseline.json"
    code, out = _cli(str(src), "--write-baseline", str(baseline), "--fail-on", "none")
    assert code == 0 and "accepted, written to" in out
    accepted = json.loads(baseline.read_text())["findings"]
    checks = {e["check"] for e in accepted}
    assert {"reentrancy-eth", "suicidal", "unchecked-transfer"} <= checks

    edited = _edited(BANK)
    assert edited != BANK and edited.index("selfdestruct") < edited.index("function deposit")
    src.write_text(edited)
    report = audit_paths([src], AuditOptions(baseline=str(baseline), fail_on=None))
    r = report.results[0]
    assert r.compiled and r.findings == () and r.baselined == len(accepted)

    # editing the flagged code itself makes it a new finding; the others stay accepted
    src.write_text(edited.replace("balances[msg.sender] = 0;", "balances[msg.sender] -= amount;"))
    code, out = _cli(str(src), "--baseline", str(baseline), "--format", "json", "--fail-on", "high")
    doc = json.loads(out)
    left = [f["check"] for f in doc["results"][0]["findings"]]
    assert code == 1 and "reentrancy-eth" in left and "suicidal" not in left
    assert doc["summary"]["baselined"] >= len(accepted) - 2


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        '{"format": "something-else", "version": 1, "findings": []}',
        '{"format": "chainllm-audit-baseline", "version": 1, "findings": [3]}',
    ],
)
def test_corrupt_baseline_is_one_line_exit_2(content: str, tmp_path: Path, contracts: Path) -> None:
    bad = tmp_path / "b.json"
    bad.write_text(content)
    code, out = _cli(str(contracts / "Clean.sol"), "--baseline", str(bad))
    lines = [ln for ln in out.strip().splitlines() if ln.strip()]
    assert code == 2 and str(bad) in lines[0] and "--write-baseline" in out
    assert len(lines) <= 2  # the error and its hint


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def test_diff_audits_changed_files_and_their_importers(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    lib = "pragma solidity ^0.8.0;\nlibrary Lib {\n    function twice(uint a) internal pure returns (uint) { return a * 2; }\n}\n"
    uses = 'pragma solidity ^0.8.0;\nimport "./Lib.sol";\ncontract Uses {\n    function f(uint a) external pure returns (uint) { return Lib.twice(a); }\n}\n'
    other = "pragma solidity ^0.8.0;\ncontract Other {\n    function g() external pure returns (uint) { return 1; }\n}\n"
    for name, text in (("Lib.sol", lib), ("Uses.sol", uses), ("Other.sol", other)):
        (repo / "src" / name).write_text(text)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "base")
    (repo / "src" / "Lib.sol").write_text(lib.replace("a * 2", "a + a"))
    code, out = _cli(str(repo / "src"), "--diff", "HEAD", "--format", "json", "--fail-on", "none")
    doc = json.loads(out)
    assert code == 0
    assert sorted(Path(r["path"]).name for r in doc["results"]) == ["Lib.sol", "Uses.sol"]
    assert doc["summary"]["skipped_unchanged"] == 1

    code, out = _cli(str(repo / "src"), "--diff", "no-such-branch")
    assert code == 2 and "--diff no-such-branch: no such commit, branch or tag" in out and "git fetch" in out


def test_every_finding_carries_swc_and_cwe_in_every_format(contracts: Path) -> None:
    report = audit_paths([contracts / "V08Bank.sol"], AuditOptions(fail_on=None))
    findings = report.results[0].findings
    reentrancy = next(f for f in findings if f.check == "reentrancy-eth")
    assert (reentrancy.swc, reentrancy.cwe) == ("SWC-107", "CWE-841")
    assert all(f.cwe for f in findings)
    doc = json.loads(render(report, "json"))
    first = doc["results"][0]["findings"][0]
    assert {"check", "impact", "swc", "cwe", "fingerprint"} <= set(first)
    sarif = to_sarif(report)
    jsonschema.validate(sarif, SARIF_SCHEMA)
    run = sarif["runs"][0]
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "reentrancy-eth")
    assert "external/cwe/cwe-841" in rule["properties"]["tags"] and rule["properties"]["swc"] == "SWC-107"
    assert {"SWC", "CWE"} == {t["name"] for t in run["taxonomies"]}
    swc_ids = {t["id"] for t in run["taxonomies"][0]["taxa"]}
    assert "SWC-107" in swc_ids
    result = next(r for r in run["results"] if r["ruleId"] == "reentrancy-eth")
    assert {"id": "CWE-841", "toolComponent": {"name": "CWE"}} in result["taxa"]
    assert "| SWC-107 CWE-841 |" in render(report, "markdown")
    assert "SWC-107 CWE-841" in render(report, "table")


def test_taxonomy_covers_every_default_slither_detector() -> None:
    from chainllm.audit.slither_runner import detector_classes

    slither_args = {d.ARGUMENT for d in detector_classes() if d.__module__.startswith("slither.")}
    assert slither_args and not slither_args - set(taxonomy.SLITHER)
    used = {swc for swc, _ in taxonomy.SLITHER.values() if swc}
    assert used <= set(taxonomy.SWC_TITLES)
    assert all(cwe.startswith("CWE-") and cwe[4:].isdigit() for _, cwe in taxonomy.SLITHER.values())
