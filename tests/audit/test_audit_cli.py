"""`chainllm audit` as a user runs it: formats, exit codes, imports, caching, bad input."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from chainllm.audit.engine import AuditOptions, audit_paths
from chainllm.cli import cli
from chainllm.config import REPO_ROOT

SARIF_SCHEMA = json.loads((REPO_ROOT / "tests/fixtures/sarif-schema-2.1.0.json").read_text())


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["audit", *args])
    return result.exit_code, result.stdout, result.stderr


def test_table_output_and_fail_on(contracts: Path) -> None:
    code, out, _ = run(str(contracts / "V08Bank.sol"))
    assert code == 1
    assert "reentrancy-eth" in out and "V08Bank.sol:14" in out
    assert "1 file audited: 3 high" in out and "FAIL" in out
    code, _, _ = run(str(contracts / "V08Bank.sol"), "--fail-on", "none")
    assert code == 0
    code, out, _ = run(str(contracts / "Clean.sol"), "--fail-on", "low")
    assert code == 0 and "no findings" in out


def test_json_envelope_is_stable(contracts: Path) -> None:
    code, out, _ = run(
        str(contracts / "V07Origin.sol"),
        str(contracts / "Clean.sol"),
        "--format",
        "json",
        "--fail-on",
        "medium",
    )
    assert code == 1
    doc = json.loads(out)
    assert doc["success"] is True and doc["error"] is None
    assert [Path(r["path"]).name for r in doc["results"]] == ["V07Origin.sol", "Clean.sol"]
    first = doc["results"][0]
    assert {"path", "compiled", "solc_version", "errors", "findings"} <= set(first)
    assert first["solc_version"] == "0.7.6" and first["compiled"] is True
    finding = next(f for f in first["findings"] if f["check"] == "tx-origin")
    assert {"check", "impact", "confidence", "description", "file", "lines"} <= set(finding)
    assert (
        finding["impact"] == "Medium" and finding["file"].endswith("V07Origin.sol") and 12 in finding["lines"]
    )


def test_json_flag_is_format_json(contracts: Path) -> None:
    # `--json` as on every other command; it conflicts with another --format
    code, out, _ = run(str(contracts / "V07Origin.sol"), "--json", "--fail-on", "none")
    assert code == 0
    assert [f["check"] for f in json.loads(out)["results"][0]["findings"]].count("tx-origin") == 1
    code, out, err = run(str(contracts / "V07Origin.sol"), "--json", "--format", "sarif")
    assert code == 2 and "give one of them" in err and json.loads(out)["error"]["code"] == "usage"


def test_sarif_is_valid_2_1_0(contracts: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "r.sarif"
    code, _, err = run(str(contracts / "V05Unchecked.sol"), "--format", "sarif", "--out", str(out_file))
    assert code == 1 and "report written to" in err
    doc = json.loads(out_file.read_text())
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(doc)
    results = doc["runs"][0]["results"]
    rules = [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]]
    assert any(r["ruleId"] == "arbitrary-send-eth" and r["level"] == "error" for r in results)
    for r in results:
        assert rules[r["ruleIndex"]] == r["ruleId"]
    regions = [r["locations"][0]["physicalLocation"].get("region") for r in results]
    assert all(reg["startLine"] >= 1 for reg in regions if reg) and any(regions)


def test_markdown(contracts: Path) -> None:
    code, out, _ = run(str(contracts / "V06Delegate.sol"), "--format", "markdown")
    assert code == 1
    assert out.startswith("# chainllm audit") and "| High | `controlled-delegatecall` |" in out
    assert "does not prove a contract safe" in out


def test_openzeppelin_4_and_5_from_node_modules(oz_project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for major, pragma, imports in (
        (
            4,
            "^0.8.0",
            'import "@openzeppelin/contracts/token/ERC20/ERC20.sol";\nimport "@openzeppelin/contracts/security/Pausable.sol";',
        ),
        (
            5,
            "^0.8.20",
            'import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";\nimport {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";',
        ),
    ):
        project = oz_project(major)
        src = project / "contracts" / "Token.sol"
        src.parent.mkdir()
        src.write_text(
            f"// SPDX-License-Identifier: MIT\npragma solidity {pragma};\n{imports}\n"
            'contract Token is ERC20, Pausable {\n    constructor() ERC20("T", "T") { _mint(msg.sender, 1e24); }\n}\n'
        )
        report = audit_paths([src], AuditOptions(use_cache=False))
        r = report.results[0]
        assert r.compiled, r.errors
        assert all("node_modules" not in (f.file or "") for f in r.findings)
        assert r.hidden_dependency_findings > 0  # OZ's own assembly/pragmas are flagged by Slither
        shown = audit_paths([src], AuditOptions(use_cache=False, include_dependencies=True)).results[0]
        assert any("node_modules" in (f.file or "") for f in shown.findings)


def test_remappings_from_file_foundry_and_flag(tmp_path: Path) -> None:
    lib = tmp_path / "lib" / "mathlib" / "src"
    lib.mkdir(parents=True)
    (lib / "Math.sol").write_text(
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\nlibrary Math { function twice(uint x) internal pure returns (uint) { return 2 * x; } }\n"
    )
    src = tmp_path / "src" / "Use.sol"
    src.parent.mkdir()
    src.write_text(
        '// SPDX-License-Identifier: MIT\npragma solidity 0.8.28;\nimport {Math} from "@math/Math.sol";\ncontract Use { function f(uint x) external pure returns (uint) { return Math.twice(x); } }\n'
    )
    (tmp_path / ".git").mkdir()  # marks the project root
    code, out, _ = run(str(src), "--format", "json")
    assert code == 2 and '@math/Math.sol\\" not found' in out
    code, out, _ = run(str(src), "--format", "json", "--remap", "@math/=lib/mathlib/src/")
    assert code == 0, out
    (tmp_path / "remappings.txt").write_text("@math/=lib/mathlib/src/\n")
    assert run(str(src), "--format", "json")[0] == 0
    (tmp_path / "remappings.txt").unlink()
    (tmp_path / "foundry.toml").write_text('[profile.default]\nremappings = ["@math/=lib/mathlib/src/"]\n')
    assert run(str(src), "--format", "json")[0] == 0


def test_cache_makes_rerun_10x_faster_and_tracks_imports(tmp_path: Path, contracts: Path) -> None:
    for name in ("V07Origin.sol", "V08Bank.sol", "Clean.sol"):
        (tmp_path / name).write_text((contracts / name).read_text())
    lib = tmp_path / "Lib.sol"
    lib.write_text(
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\nlibrary Lib { function one() internal pure returns (uint) { return 1; } }\n"
    )
    user = tmp_path / "User.sol"
    user.write_text(
        '// SPDX-License-Identifier: MIT\npragma solidity 0.8.28;\nimport "./Lib.sol";\ncontract User { function f() external pure returns (uint) { return Lib.one(); } }\n'
    )
    t0 = time.perf_counter()
    cold = audit_paths([tmp_path])
    cold_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    warm = audit_paths([tmp_path])
    warm_s = time.perf_counter() - t0
    assert not any(r.cached for r in cold.results)
    assert all(r.cached for r in warm.results)
    assert [r.findings for r in warm.results] == [r.findings for r in cold.results]
    assert cold_s / warm_s >= 10, (cold_s, warm_s)
    # Changing an imported file invalidates the importer's entry, not the others'.
    lib.write_text(lib.read_text().replace("return 1;", "return 2;"))
    again = {Path(r.path).name: r.cached for r in audit_paths([tmp_path]).results}
    assert again["User.sol"] is False and again["Lib.sol"] is False and again["Clean.sol"] is True


# ---- bad input -------------------------------------------------------------------------


def test_missing_path_and_empty_folder(tmp_path: Path) -> None:
    code, _, err = run(str(tmp_path / "nope.sol"))
    assert code == 2 and "nope.sol: no such file or folder" in err
    code, _, err = run(str(tmp_path))
    assert code == 2 and "folder has no .sol files" in err


def test_non_utf8_and_binary(tmp_path: Path) -> None:
    bad = tmp_path / "Latin1.sol"
    bad.write_bytes(b"// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\n// caf\xe9\ncontract A {}\n")
    code, out, _ = run(str(bad), "--format", "json")
    doc = json.loads(out)
    assert code == 2 and doc["success"] is False
    assert "Latin1.sol:3: not valid UTF-8" in doc["results"][0]["errors"][0]["message"]
    junk = tmp_path / "Junk.sol"
    junk.write_bytes(os.urandom(2048).replace(b"\x00", b"\x01")[:100] + b"\x00" + os.urandom(100))
    code, out, _ = run(str(junk))
    assert code == 2 and "binary data" in out


def test_syntax_error_reports_solc_file_line(tmp_path: Path) -> None:
    f = tmp_path / "Broken.sol"
    f.write_text(
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\ncontract Broken {\n    function f() public {\n        uint x = ;\n    }\n}\n"
    )
    code, out, _ = run(str(f))
    assert code == 2
    assert "Broken.sol:5:" in out and "ParserError" in out
    code, out, _ = run(str(f), "--format", "json")
    err = json.loads(out)["results"][0]["errors"][0]
    assert err["file"] == "Broken.sol" and err["line"] == 5 and err["code"] == "ParserError"


def test_unsatisfiable_pragma_lists_versions_and_fix(tmp_path: Path) -> None:
    f = tmp_path / "Future.sol"
    f.write_text("pragma solidity ^0.9.1;\ncontract Future {}\n")
    code, out, _ = run(str(f))
    assert code == 2
    assert "no available compiler satisfies pragma '^0.9.1'" in out
    assert "0.8.28" in out and "chainllm toolchain add-solc" in out


def test_huge_file_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "Huge.sol"
    body = "// " + "x" * 1000 + "\n"
    f.write_text("pragma solidity ^0.8.0;\ncontract Huge {}\n" + body * 5200)
    code, out, _ = run(str(f))
    assert code == 2 and "over the 4.0 MB limit" in out and "--max-file-size" in out


def test_imports_outside_roots_fail_without_leaking(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / ".git").mkdir()
    secret = tmp_path / "secret.sol"
    secret.write_text("TOPSECRET-CONTENT\n")
    cases = {
        "Abs.sol": 'import "/etc/passwd";',
        "Escape.sol": 'import "../secret.sol";',
        "Link.sol": 'import "./link.sol";',
    }
    (project / "link.sol").symlink_to(secret)
    for name, imp in cases.items():
        f = project / name
        f.write_text(f"pragma solidity ^0.8.0;\n{imp}\ncontract C {{}}\n")
        code, out, _ = run(str(f), "--format", "json")
        assert code == 2, name
        msg = json.loads(out)["results"][0]["errors"][0]
        assert msg["line"] == 2 and (
            "outside the allowed roots" in msg["message"] or "climbs above the project root" in msg["message"]
        ), msg
        assert "root:" not in out and "TOPSECRET" not in out
    # A wider --root opts in explicitly.
    secret.write_text("pragma solidity ^0.8.0;\ncontract S {}\n")
    code, out, _ = run(str(project / "Escape.sol"), "--root", str(tmp_path), "--fail-on", "none")
    assert code == 0, out


def test_timeout_on_one_file_is_reported_for_that_file(contracts: Path, tmp_path: Path) -> None:
    # A deadline too short for any real analysis: each file is reported, none hangs the run.
    report = audit_paths(
        [contracts / "Clean.sol", contracts / "V07Origin.sol"], AuditOptions(use_cache=False, timeout=0.05)
    )
    assert [r.analysis_error is not None for r in report.results] == [True, True]
    assert "timed out" in (report.results[0].analysis_error or "")
    assert report.exit_code() == 2


def test_a_finding_in_an_imported_file_is_reported_once(tmp_path: Path) -> None:
    # Base.sol's tx.origin check comes back with Base.sol and with Child.sol (which imports
    # it); the report keeps it once, with the file it is in, and counts it once.
    (tmp_path / "Base.sol").write_text(
        "// SPDX-License-Identifier: MIT\npragma solidity 0.8.28;\n"
        "contract Base {\n    address owner = msg.sender;\n"
        "    function pay(address payable to) external {\n"
        "        require(tx.origin == owner);\n        to.transfer(address(this).balance);\n    }\n}\n"
    )
    (tmp_path / "Child.sol").write_text(
        '// SPDX-License-Identifier: MIT\npragma solidity 0.8.28;\nimport "./Base.sol";\n'
        "contract Child is Base {\n    uint256 public n;\n    function bump() external { n += 1; }\n}\n"
    )
    code, out, _ = run(str(tmp_path), "--json", "--fail-on", "none", "--no-cache")
    assert code == 0
    doc = json.loads(out)
    where = [
        (Path(r["path"]).name, f["file"]) for r in doc["results"] for f in r["findings"] if f["check"] == "tx-origin"
    ]
    assert where == [("Base.sol", "Base.sol")], where
    assert doc["summary"]["counts"]["Medium"] == sum(
        1 for r in doc["results"] for f in r["findings"] if f["impact"] == "Medium"
    )


STACK_DEEP = """// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;
contract Deep {
    struct Cfg { address a; address b; address c; address d; address e; address f; address g;
        uint256 x; uint256 y; uint256 z; string name; string symbol; bytes params; }
    event Init(address indexed a, address indexed b, address c, address d, address e, address f,
        address g, uint256 x, uint256 y, uint256 z, string name, string symbol, bytes params);
    function init(Cfg calldata c) external {
        emit Init(c.a, c.b, c.c, c.d, c.e, c.f, c.g, c.x, c.y, c.z, c.name, c.symbol, c.params);
    }
}
"""


def test_stack_too_deep_is_retried_with_the_optimizer(tmp_path: Path) -> None:
    # the ABI encoder runs out of stack here unless optimised (Aave v3's PoolConfigurator
    # shape): the file is audited optimised, and the report says so
    (tmp_path / "Deep.sol").write_text(STACK_DEEP)
    code, out, _ = run(str(tmp_path / "Deep.sol"), "--json", "--fail-on", "none", "--no-cache")
    assert code == 0, json.loads(out)["error"]
    result = json.loads(out)["results"][0]
    assert result["compiled"] is True and result["analysed"] is True
    assert any("stack too deep (audited optimised)" in t for t in result["compilers_tried"])
