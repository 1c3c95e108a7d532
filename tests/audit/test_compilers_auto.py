"""Compilers an audit needs: installed from npm automatically (once, atomically, never
offline), and older compilers the pragma allows tried when the newest one rejects the code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from chainllm.audit.engine import AuditOptions, audit_paths
from chainllm.audit.report import render
from chainllm.cli import cli
from chainllm.errors import CompilerNotFoundError
from chainllm.toolchain import compilers
from chainllm.toolchain.compilers import plan
from chainllm.toolchain.install import install_solcjs, solcjs_root
from tests.audit.npm_standin import VERSION, npm_env, npm_registry

PINNED = f"// SPDX-License-Identifier: MIT\npragma solidity {VERSION};\ncontract Pinned {{\n    function kill() public {{ selfdestruct(msg.sender); }}\n}}\n"


@pytest.fixture()
def bare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No bundled compilers (an empty node root), downloads allowed, fresh data/cache dirs."""
    (tmp_path / "empty-node-root" / "node_modules").mkdir(parents=True)
    monkeypatch.setenv("CHAINLLM_NODE_ROOT", str(tmp_path / "empty-node-root"))
    monkeypatch.setenv("CHAINLLM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CHAINLLM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv(
        "CHAINLLM_SOLC_BINARIES_URL", "http://127.0.0.1:9/unreachable"
    )  # native path fails fast
    monkeypatch.setenv("SOLCX_BINARY_PATH", str(tmp_path / "solcx"))
    monkeypatch.delenv("CHAINLLM_OFFLINE", raising=False)
    compilers.forget()
    yield tmp_path
    compilers.forget()


def _leftovers() -> list[str]:
    root = solcjs_root()
    return sorted(p.name for p in root.iterdir() if not p.name.endswith(".lock")) if root.exists() else []


def test_missing_compiler_is_installed_from_npm_with_a_progress_line(bare: Path) -> None:
    src = bare / "Pinned.sol"
    src.write_text(PINNED)
    with npm_registry() as reg:
        env = {**os.environ, **npm_env(reg, bare)}
        proc = subprocess.run(
            [sys.executable, "-m", "chainllm", "audit", str(src), "--format", "json", "--fail-on", "none"],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
    assert proc.returncode == 0, proc.stderr
    assert f"installing solc {VERSION} from npm (once)" in proc.stderr
    result = json.loads(proc.stdout)["results"][0]
    assert result["compiled"] and result["solc_version"] == VERSION
    assert result["tools"]["solc"] == f"{VERSION} (solcjs)"
    assert any(f["check"] == "suicidal" for f in result["findings"])
    assert reg.tarball_gets == 1 and _leftovers() == [VERSION]


def test_concurrent_installs_fetch_once(bare: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with npm_registry() as reg:
        for k, v in npm_env(reg, bare).items():
            monkeypatch.setenv(k, v)
        paths: list[Path] = []
        threads = [threading.Thread(target=lambda: paths.append(install_solcjs(VERSION))) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
    assert len(paths) == 2 and paths[0] == paths[1]
    assert reg.tarball_gets == 1 and _leftovers() == [VERSION]
    assert any(c.version_str == VERSION and c.origin == "solcjs" for c in compilers.discover())


def test_install_dropped_halfway_leaves_nothing_and_says_why(
    bare: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = bare / "Pinned.sol"
    src.write_text(PINNED)
    with npm_registry(drop_halfway=True) as reg:
        for k, v in npm_env(reg, bare).items():
            monkeypatch.setenv(k, v)
        report = audit_paths([src], AuditOptions(use_cache=False))
    r = report.results[0]
    assert reg.tarball_gets == 1
    assert not r.compiled and report.exit_code() == 2
    assert f"npm could not install solc {VERSION}" in r.errors[0].message
    assert "nothing installed" in r.errors[0].message
    assert _leftovers() == []  # no half-installed compiler, no temp folder
    assert not any(c.version_str == VERSION for c in compilers.discover())


def test_offline_or_no_install_gives_the_clear_error(bare: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = bare / "Pinned.sol"
    src.write_text(PINNED)
    with npm_registry() as reg:
        for k, v in npm_env(reg, bare).items():
            monkeypatch.setenv(k, v)
        result = CliRunner().invoke(cli, ["audit", str(src), "--no-install"])
        assert result.exit_code == 2
        assert f"no available compiler satisfies pragma '{VERSION}'" in result.stdout
        assert "chainllm toolchain add-solc" in result.stdout
        monkeypatch.setenv("CHAINLLM_OFFLINE", "1")
        result = CliRunner().invoke(cli, ["audit", str(src)])
        assert result.exit_code == 2 and "no available compiler satisfies" in result.stdout
        assert reg.requests == []  # nothing was even asked


def test_plan_goes_down_minor_versions_newest_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHAINLLM_OFFLINE", raising=False)
    installed = compilers.discover()
    have = {c.version_str for c in installed}
    assert {"0.8.28", "0.7.6", "0.6.12", "0.5.17"} <= have
    got = [c.version_str for c in plan([">=0.5.11"], where="x", compilers=installed, installable=False)]
    assert got == ["0.8.28", "0.7.6", "0.6.12", "0.5.17"]
    # installable: a version that is not here is planned (and installed when tried)
    pinned = plan(["0.4.25"], where="x", compilers=installed, installable=True)
    assert [(c.version_str, c.compiler) for c in pinned] == [("0.4.25", None)]
    # a minor with an installed compiler uses it rather than downloading a newer patch
    assert plan(["^0.8.0"], where="x", compilers=installed)[0].version_str == "0.8.28"
    assert len(plan([">=0.4.11"], where="x", compilers=installed)) == compilers.MAX_ATTEMPTS
    # a release newer than chainllm's list is still tried when the pragma names it
    assert plan(["0.8.99"], where="x", compilers=installed)[0].version_str == "0.8.99"


@pytest.mark.parametrize("pragma", [">=0.9", "<0.4.11", "^0.9.1"])
def test_pragmas_no_compiler_satisfies(pragma: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHAINLLM_OFFLINE", raising=False)
    with pytest.raises(CompilerNotFoundError, match="no released solc satisfies pragma"):
        plan([pragma], where="F.sol", installable=True)
    f = tmp_path / "F.sol"
    f.write_text(f"pragma solidity {pragma};\ncontract F {{}}\n")
    result = CliRunner().invoke(cli, ["audit", str(f)])
    assert result.exit_code == 2
    assert f"F.sol: no released solc satisfies pragma '{pragma}'" in result.stdout
    assert "fix the pragma" in result.stdout


def test_code_for_an_older_compiler_falls_back_inside_the_pragma(contracts: Path) -> None:
    report = audit_paths([contracts / "OpenPragmaOld.sol"], AuditOptions(use_cache=False, fail_on=None))
    r = report.results[0]
    assert r.compiled and r.analysed and r.solc_version == "0.6.12"
    assert [t.split(":")[0] for t in r.compilers_tried] == ["0.8.28", "0.7.6"]
    assert "value" in r.compilers_tried[0]  # solc's reason for rejecting it
    assert any(f.check == "reentrancy-eth" for f in r.findings)
    assert "compiled with solc 0.6.12 after 0.8.28:" in render(report, "markdown")
