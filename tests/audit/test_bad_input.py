"""Inputs that used to leave a file without a result: Slither crashing on part of a file,
mutually recursive imports, very long generated files."""

from __future__ import annotations

from pathlib import Path

from chainllm.audit.engine import AuditOptions, audit_paths
from chainllm.audit.report import render


def test_slither_crash_on_one_function_still_analyses_the_rest(contracts: Path) -> None:
    report = audit_paths([contracts / "SlitherCrash.sol"], AuditOptions(use_cache=False, fail_on=None))
    r = report.results[0]
    assert r.compiled and r.analysed and r.analysis_error is None
    skipped = [n for n in r.not_covered if n.startswith("function ")]
    assert len(skipped) == 1 and skipped[0].startswith(
        "function Folded.f: Slither crashed on it (NotConstant"
    )
    checks = {f.check for f in r.findings}
    assert "suicidal" in checks  # Open.kill, another contract of the same file
    assert "arbitrary-send-eth" in checks  # Folded.g, another function of the failing contract
    text = render(report, "table")
    assert "not covered: function Folded.f" in text and "1 only partly analysed" in text


def test_mutually_recursive_imports(tmp_path: Path) -> None:
    (tmp_path / "A.sol").write_text(
        'pragma solidity ^0.8.0;\nimport "./B.sol";\ncontract A {\n'
        "    function kill() external { selfdestruct(payable(msg.sender)); }\n"
        "    function b(B other) external view returns (uint256) { return other.v(); }\n}\n"
    )
    (tmp_path / "B.sol").write_text(
        'pragma solidity ^0.8.0;\nimport "./A.sol";\ncontract B {\n'
        "    uint256 public v;\n    function a(A other) external pure returns (A) { return other; }\n}\n"
    )
    report = audit_paths([tmp_path], AuditOptions(use_cache=False, fail_on=None))
    assert [Path(r.path).name for r in report.results] == ["A.sol", "B.sol"]
    assert all(r.compiled and r.analysed for r in report.results)
    assert any(f.check == "suicidal" for f in report.results[0].findings)


def test_10000_line_generated_file_maps_lines_to_the_end(tmp_path: Path) -> None:
    """A generated file of 10,000 lines (NatSpec-heavy, like generated bindings): findings near
    its end keep exact line numbers and fingerprints. (A code-dense 10,000-line file takes
    Slither ~12 s CPU, too long for this suite; see the README's audit section.)"""
    lines = ["// SPDX-License-Identifier: MIT", "pragma solidity ^0.8.0;", "contract Generated {"]
    n = 0
    while len(lines) < 9_990:
        lines += [
            f"    /// @notice generated accessor {n}",
            *[f"    /// @dev row {n}.{k}" for k in range(115)],
        ]
        lines += [f"    function get{n}(uint256 a) external pure returns (uint256) {{ return a + {n}; }}"]
        n += 1
    lines += ["    function kill() external {", "        selfdestruct(payable(msg.sender));", "    }", "}"]
    src = tmp_path / "Generated.sol"
    src.write_text("\n".join(lines) + "\n")
    assert len(lines) >= 9_990
    r = audit_paths([src], AuditOptions(use_cache=False, fail_on=None)).results[0]
    assert r.compiled and r.analysed
    kill = next(f for f in r.findings if f.check == "suicidal")
    assert kill.first_line == len(lines) - 3 and kill.fingerprint and kill.swc == "SWC-106"
