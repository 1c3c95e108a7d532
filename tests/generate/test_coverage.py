"""Requirement coverage: a request is never silently narrowed to the nearest template.

The issue's narrowed examples each get the kind they ask for with every requirement met, or name
what is unmet; concepts no kind builds (games, bets, rentals, swaps) leave a named, unmet
requirement instead of an "ok" contract of some other kind; and `eval generate` never counts a
contract of the wrong kind as ok.
"""

from __future__ import annotations

import pytest

from chainllm.errors import BadInputError
from chainllm.generate import GenerateOptions, TemplateBackend
from chainllm.generate.evaluate import SuiteEntry, SuiteReport, run_entry
from chainllm.generate.kinds import build_ir

ISSUE_EXAMPLES = [
    (
        "A Dutch auction selling 100 NFTs whose price starts at 1 ETH and falls by 0.01 ETH per hour",
        "dutch_auction",
    ),
    (
        "A DAO treasury where members holding a governance token propose ETH payouts, vote for three days, "
        "and anyone executes a proposal that passed",
        "dao_treasury",
    ),
    ("A staking contract with per-second rewards", "staking"),
    ("A vault that holds ETH for a beneficiary until an unlock time", "timelock_savings"),
    ("An ERC721 NFT collection called Art Club with a base URI the owner can update", "erc721"),
    ("Token airdrop: the owner sends 10 tokens each to a list of wallets; nobody gets it twice", "airdrop"),
]


@pytest.mark.parametrize(("request_text", "kind"), ISSUE_EXAMPLES)
def test_the_issue_examples_get_their_kind_and_list_every_requirement(request_text: str, kind: str) -> None:
    ir = build_ir(request_text)
    assert ir.kind == kind
    assert ir.requirements and ir.requirements[0].text.startswith("kind:")
    assert not ir.unmet, [r.text for r in ir.unmet]
    assert all(r.met_by for r in ir.requirements)


def test_the_base_uri_setter_is_a_requirement_with_a_behaviour_check() -> None:
    ir = build_ir("An ERC721 NFT collection called Art Club with a base URI the owner can update")
    assert any("setBaseURI" in r.text for r in ir.requirements)
    assert "only_owner_sets_base_uri" in ir.checks


@pytest.mark.parametrize(
    ("request_text", "concept"),
    [
        ("A rock-paper-scissors game where two players stake ETH and the winner takes both", "game"),
        ("Betting contract where two friends bet ETH on a coin flip", "betting"),
        ("Escrow for freelance work that releases payment in three milestones", "milestones"),
        ("A simple token swap pool like Uniswap where users trade token A for token B", "swap"),
        ("A rental agreement with a deposit and monthly rent in ETH", "rental"),
    ],
)
def test_a_concept_no_kind_builds_is_named_unmet_never_narrowed(request_text: str, concept: str) -> None:
    ir = build_ir(request_text)  # never refused
    labels = [r.text.split(":", 1)[0] for r in ir.unmet]
    assert concept in labels, (ir.kind, labels)


def test_erc20_with_batch_airdrops_meets_the_airdrop_concept() -> None:
    ir = build_ir("ERC20 token called Drop (DRP), 2M supply, with batch transfer for airdrops")
    assert ir.kind == "erc20" and not ir.unmet
    assert any(r.text.startswith("airdrop:") and r.met for r in ir.requirements)


def test_deceptive_requests_are_still_refused() -> None:
    with pytest.raises(BadInputError, match=r"will not build|out of scope"):
        build_ir("an ERC20 honeypot that blocks sells")


def test_eval_never_counts_the_wrong_kind_as_ok() -> None:
    # The request is a plain token; the entry says an airdrop was asked for. The loop's verdict is
    # "ok" (it built a clean ERC20), but eval must not call the answer ok.
    entry = SuiteEntry(
        id="wrong-kind",
        difficulty="",
        request="A simple ERC20 token called Simple Coin with ticker SMP and 21 million supply",
        spec=None,
        expect={"kind": "airdrop", "checks": ["only_owner_airdrops"]},
    )
    r = run_entry(entry, TemplateBackend(), GenerateOptions(k=1, rounds=0, behaviour=False))
    assert r.status == "ok" and r.compile_at_1
    assert r.kind_ok is False and not r.ok and not r.behaviour
    m = SuiteReport((r,), "template", 1, 0, True).metrics()["overall"]
    assert m["ok"] == 0.0 and m["kind_mismatch"] == 1


@pytest.mark.parametrize(
    ("request_text", "kind"),
    [
        ("Friends chip in ETH towards a 2 ETH target by Sunday, money back if we fall short", "crowdfunding"),
        ("Whoever pays the most ether by the end of the week gets my guitar", "english_auction"),
        ("Players buy tickets with ether and a random participant wins everything", "lottery"),
        ("Users lock up their tokens for a month and earn reward tokens", "staking"),
        ("A tally of visitors: anyone can increase it by one", "counter"),
        ("A contract that gives away 1 ETH every 24 hours to anyone who asks", "faucet"),
        ("People deposit and withdraw ether and the contract tracks each user's balance", "bank"),
        ("Keep my tasks on chain and tick them off", "todo_list"),
        ("Only addresses the owner approved can call enter()", "allowlist"),
        ("I want to hand over control of my contract to a new admin", "ownership"),
        ("The price starts high at 5 ETH and goes down every 10 minutes", "dutch_auction"),
        ("Members choose among candidates, one say per member", "voting"),
        ("ERC4626 vault where users deposit and withdraw USDC", "vault"),
    ],
)
def test_plain_words_without_the_kinds_name_get_the_kind(request_text: str, kind: str) -> None:
    ir = build_ir(request_text)
    assert ir.kind == kind and not ir.unmet, [r.text for r in ir.unmet]


def test_staking_in_plain_words_is_staking_and_named_on_another_kind() -> None:
    # "lock up tokens and earn" once came back as a plain ERC20 marked ok
    assert build_ir("Let users lock up tokens and earn more tokens over time").kind == "staking"
    ir = build_ir(
        "A DAO treasury where members propose ETH payouts and vote; members can also stake to earn rewards"
    )
    assert ir.kind == "dao_treasury" and any(r.text.startswith("stake") for r in ir.unmet)
