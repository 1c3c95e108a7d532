"""Behaviour checks on a real anvil, real solc and real Slither.

Every IR template compiles and is free of High/Medium findings; generate() deploys what it
returns and runs the IR's checks; a contract that compiles clean but misbehaves is caught and
rejected (the check can fail, and generate() says which one).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chainllm.audit.engine import AuditOptions, audit_paths
from chainllm.generate import GenerateOptions, TemplateBackend, generate
from chainllm.generate.behaviour import run_checks
from chainllm.generate.ir import ContractIR
from chainllm.generate.kinds import build_ir
from chainllm.generate.templates import RENDERERS, render
from chainllm.types import Severity

VARIANTS = [(k, {}) for k in RENDERERS] + [
    ("storage", {"owner_only": True}),
    ("voting", {"registration": True, "duration_seconds": 600}),
    ("dutch_auction", {"nft": True, "supply": 100}),
    ("marketplace", {"nft": True}),
    ("faucet", {"token": True}),
]


def test_every_template_compiles_without_high_or_medium_findings(tmp_path: Path) -> None:
    paths = []
    for i, (kind, params) in enumerate(VARIANTS):
        name = "".join(w.title() for w in kind.split("_")) + str(i)
        d = tmp_path / name
        d.mkdir()
        p = d / f"{name}.sol"
        p.write_text(render(ContractIR(kind=kind, name=name, params=params)))
        paths.append(p)
    report = audit_paths(paths, AuditOptions(fail_on=Severity.MEDIUM, root=tmp_path))
    bad = {
        Path(r.path).name: [e.message for e in r.errors][:1]
        + [f"{f.check} {f.severity.label}" for f in r.findings if f.severity >= Severity.MEDIUM]
        for r in report.results
        if not r.compiled or r.analysis_error or any(f.severity >= Severity.MEDIUM for f in r.findings)
    }
    assert len(report.results) == len(VARIANTS) and not bad, bad


@pytest.mark.parametrize(
    "request_text",
    [
        "A simple crowdfunding campaign with a goal of 3 ETH and a 10 day deadline: contributors send ETH, "
        "the creator withdraws if the goal is met, otherwise contributors get refunds.",
        "A DAO treasury where token holders propose ETH payouts and vote for 2 days",
    ],
)
def test_generate_deploys_and_passes_every_behaviour_check(request_text: str, anvil_rpc: str) -> None:
    steps: list[str] = []
    r = generate(request_text, TemplateBackend(), GenerateOptions(rpc=anvil_rpc), progress=steps.append)
    assert r.status == "ok", r.reason
    assert r.behaviour is not None and r.behaviour.status == "passed"
    assert r.ir is not None and [c.name for c in r.behaviour.checks] == list(r.ir.checks)
    assert all(c.status == "passed" and c.detail for c in r.behaviour.checks)
    assert "behaviour checked on anvil" in r.to_dict()["checked"]
    assert r.origin == "composer" and r.model_calls == 0
    assert any("deploying" in s for s in steps)


def test_a_clean_but_wrong_contract_fails_its_behaviour_checks(tmp_path: Path, anvil_rpc: str) -> None:
    ir = build_ir("crowdfunding with a 5 ETH goal over 7 days, refunds if the goal is missed")
    good = render(ir)
    # The creator may take the money even when the goal was missed: compiles, Slither stays
    # quiet about it, and only running the contract shows it is wrong.
    bad = good.replace("        if (totalRaised < GOAL) revert GoalNotReached();\n", "")
    assert bad != good
    p = tmp_path / "c" / f"{ir.name}.sol"
    p.parent.mkdir()
    p.write_text(bad)
    report = run_checks(ir, bad, p, anvil_rpc, workdir=tmp_path)
    status = {c.name: c.status for c in report.checks}
    assert report.status == "failed"
    assert status["owner_cannot_withdraw_if_goal_missed"] == "failed"
    assert status["contribution_recorded"] == "passed"


def test_wizard_kinds_are_checked_too(anvil_rpc: str) -> None:
    r = generate(
        "ERC20 named Harbor Dollar, ticker HBD, 500k initial supply, owner can mint, burnable, pausable",
        TemplateBackend(),
        GenerateOptions(rpc=anvil_rpc),
    )
    assert r.status == "ok", r.reason
    assert r.behaviour is not None
    assert {c.name: c.status for c in r.behaviour.checks} == {
        "name_and_symbol": "passed",
        "total_supply_equals_premint": "passed",
        "only_owner_mints": "passed",
        "burn_reduces_supply": "passed",
        "pause_blocks_transfers": "passed",
    }


@pytest.mark.parametrize(
    ("request_text", "name", "checks"),
    [
        # paid in an ERC20: the deposit and the release move tokens, not ETH
        (
            "escrow named Deal Escrow paid in an ERC20 token like USDC",
            "DealEscrow",
            {"deposit_held", "release_pays_seller", "stranger_release_reverts"},
        ),
        # the cap is deployed as the spec's whole assets, so a 100-asset deposit fits under it
        (
            "tokenized vault called Capped Vault (cVLT) with a deposit cap of 1M",
            "CappedVault",
            {"deposit_mints_shares", "redeem_returns_assets"},
        ),
        # AccessControl: the minter role is checked like an owner
        (
            "ERC721 named Badges (BDG) with access control roles, enumerable, minter role mints",
            "Badges",
            {"only_minter_mints"},
        ),
    ],
)
def test_token_escrow_capped_vault_and_role_minting_pass_their_checks(
    request_text: str, name: str, checks: set[str], anvil_rpc: str
) -> None:
    r = generate(request_text, TemplateBackend(), GenerateOptions(rpc=anvil_rpc))
    assert r.status == "ok", r.reason
    assert r.ir is not None and r.ir.name == name
    assert r.behaviour is not None
    assert {c.name: c.status for c in r.behaviour.checks} == {c: "passed" for c in checks}


def test_unmet_requirement_makes_the_result_partial_and_no_behaviour_says_not_checked(anvil_rpc: str) -> None:
    r = generate(
        "a tip jar contract that charges a 2% fee on every tip",
        TemplateBackend(),
        GenerateOptions(behaviour=False),
    )
    assert r.status == "partial" and "not met: fee" in r.reason
    assert r.behaviour is not None and r.behaviour.status == "not checked"
    assert "passed" not in r.behaviour.reason


def test_the_cap_check_finds_the_counter_of_an_enumerable_collection(tmp_path: Path, anvil_rpc: str) -> None:
    # Enumerable keeps a second counter (the token list's length) that also goes 0 -> 1 on the
    # first mint: the check must still be run, pass on the real cap and fail without it.
    text = "NFT called Space Cats (CAT) with 10k max supply, public mint for 0.05 ETH, enumerable"
    r = generate(text, TemplateBackend(), GenerateOptions(rpc=anvil_rpc))
    assert r.status == "ok", r.reason
    assert r.behaviour is not None and r.ir is not None and r.source is not None
    assert {c.name: c.status for c in r.behaviour.checks}["max_supply_enforced"] == "passed"
    guard = "        if (_nextTokenId >= MAX_SUPPLY) revert SoldOut();\n"
    assert guard in r.source
    bad = r.source.replace(guard, "")
    p = tmp_path / "c" / f"{r.ir.name}.sol"
    p.parent.mkdir()
    p.write_text(bad)
    report = run_checks(r.ir, bad, p, anvil_rpc, workdir=tmp_path, contract=r.ir.name)
    assert {c.name: c.status for c in report.checks}["max_supply_enforced"] == "failed"
