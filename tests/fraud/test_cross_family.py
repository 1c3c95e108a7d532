"""Scenario family B (`simulate --family b`) on its own anvil, and the cross-family evaluation
(`eval fraud --by chain`): train on family A's chain, test on family B's, both directions."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from chainllm.chain.simulate import SimConfig, SimResult, simulate
from chainllm.chain.transport import rpc_call
from chainllm.cli import cli
from chainllm.errors import BadInputError
from chainllm.fraud.fetch import Fetcher, TxBundle
from chainllm.labels.schema import read_tx_labels
from chainllm.services import manager
from tests.fraud.conftest import FraudChain

B_SEED = 2
B_TXS = 120


@dataclass(frozen=True)
class FamilyBChain:
    url: str
    labels_dir: Path
    result: SimResult


@pytest.fixture(scope="module")
def family_b(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FamilyBChain]:
    d = tmp_path_factory.mktemp("family-b-anvil")
    st = manager.start("anvil", data_dir=d, port=manager.free_port())
    assert st.url
    try:
        res = simulate(st.url, SimConfig(seed=B_SEED, txs=B_TXS, family="b"), out=d / "labels")
        yield FamilyBChain(st.url, d / "labels", res)
    finally:
        manager.stop("anvil", data_dir=d)


def test_family_b_writes_ground_truth_in_the_label_format(family_b: FamilyBChain) -> None:
    rows = read_tx_labels(family_b.labels_dir)
    m = json.loads((family_b.labels_dir / "manifest.json").read_text())
    assert m["family"] == "b" and m["transactions"] == len(rows) >= B_TXS
    labels = Counter(r.label for r in rows)
    assert labels["benign"] > 0 and labels["malicious"] > 0
    # Several taxonomy subtypes even in a small run, named as the taxonomy names them.
    subtypes = {f"{r.category}/{r.subcategory}" for r in rows if r.label == "malicious"}
    assert len(subtypes) >= 6, subtypes
    known = {"approve", "increase_allowance", "permit", "permit2", "set_approval_for_all", "create2_drainer",
             "multicall", "nft_zero_price_order", "zero_value_transfer", "dust", "fake_token", "victim_transfer",
             "payable_claim", "sell_tax", "blacklist", "liquidity_pull", "mint_dump", "fee_change", "proxy_upgrade"}  # fmt: skip
    assert {s.split("/")[1] for s in subtypes} <= known
    # Every label is a mined transaction with the recorded block and status.
    for r in rows[:: max(1, len(rows) // 15)]:
        rc = rpc_call(family_b.url, "eth_getTransactionReceipt", [r.tx_hash])
        assert int(rc["blockNumber"], 16) == r.block_number and int(rc["status"], 16) == r.status


def test_family_b_chain_has_a_past_and_other_habits(family_b: FamilyBChain) -> None:
    rows = read_tx_labels(family_b.labels_dir)
    # A long prefix of history is mined before the activity (family A starts at block 1).
    first_scam = min(r.block_number for r in rows if r.label == "malicious")
    assert first_scam > 1000
    ts = sorted({(r.block_number, r.timestamp) for r in rows})
    gaps = Counter(
        (t2 - t1) // (b2 - b1) for (b1, t1), (b2, t2) in itertools.pairwise(ts) if b2 - b1 == 1
    )  # fmt: skip
    assert gaps and max(gaps, key=lambda g: gaps[g]) < 12  # 2-6 s blocks, not family A's 12 s
    types = Counter(
        rpc_call(family_b.url, "eth_getTransactionByHash", [r.tx_hash])["type"] for r in rows[::4]
    )  # fmt: skip
    assert types["0x0"] > 0 and types["0x2"] > 0  # legacy transactions are common here


def test_family_choice_is_validated() -> None:
    with pytest.raises(BadInputError, match="--family"):
        SimConfig(family="z")
    res = CliRunner().invoke(cli, ["simulate", "--family", "z"])
    assert res.exit_code != 0 and "--family" in res.output


def test_eval_by_chain_both_directions(
    fraud_chain: FraudChain, family_b: FamilyBChain, tmp_path: Path
) -> None:
    args = ["eval", "fraud", "--by", "chain", "--labels", str(fraud_chain.labels_dir), "--rpc", fraud_chain.url,
            "--labels", str(family_b.labels_dir), "--rpc", family_b.url, "--out", str(tmp_path), "--json"]  # fmt: skip
    res = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["by"] == "chain" and len(report["splits"]) == 2
    a_rows, b_rows = len(fraud_chain.rows), len(read_tx_labels(family_b.labels_dir))
    first, second = report["splits"]
    # every row is tested; set-up rows (stage "setup") are not learnt, and counted
    assert (first["train_rows"] + first["setup_rows_not_learnt"], first["test_rows"]) == (a_rows, b_rows)
    assert (second["train_rows"] + second["setup_rows_not_learnt"], second["test_rows"]) == (b_rows, a_rows)
    assert first["setup_rows_not_learnt"] > 0 and second["setup_rows_not_learnt"] > 0
    for split in report["splits"]:
        comb = split["scorers"]["combined"]
        assert 0.0 <= comb["roc_auc"] <= 1.0
        flagged = comb["flagged"]
        assert flagged["threshold"] <= comb["threshold"]
        # "malicious" needs rule evidence too: never more hits than score >= threshold alone
        assert flagged["verdict_malicious"]["recall"] <= comb["recall"]
        assert 0.0 <= flagged["false_positive_rate"] <= 1.0 and 0.0 <= flagged["recall"] <= 1.0
        assert flagged["recall_per_subtype"] and all(
            v["n"] > 0 for v in flagged["recall_per_subtype"].values()
        )
    assert (tmp_path / "eval.json").is_file() and "verdict != benign" in (tmp_path / "eval.md").read_text()


def test_eval_by_chain_needs_two_label_sets(fraud_chain: FraudChain) -> None:
    args = [
        "eval",
        "fraud",
        "--by",
        "chain",
        "--labels",
        str(fraud_chain.labels_dir),
        "--rpc",
        fraud_chain.url,
    ]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code != 0 and "two or more --labels" in res.output


def test_simulated_sell_on_a_real_chain(family_b: FamilyBChain) -> None:
    """Family B's honeypot buys: the sell replayed at the buy's block (anvil keeps past state)
    reverts or is taxed; honest DEX swaps sell."""
    rows = read_tx_labels(family_b.labels_dir)
    fetcher = Fetcher([family_b.url])
    try:
        got = fetcher.fetch([r.tx_hash.lower() for r in rows])
        assert fetcher.sell_traced is True and not fetcher.sell_unanalysed
    finally:
        fetcher.close()
    outcome: dict[str, list[str]] = {"honeypot": [], "benign": []}
    for r in rows:
        b = got[r.tx_hash.lower()]
        assert isinstance(b, TxBundle)
        if b.sell is None:
            continue
        if r.category == "honeypot" and r.scenario == "victim_buys":
            outcome["honeypot"].append(b.sell.outcome)
        elif r.label == "benign":
            outcome["benign"].append(b.sell.outcome)
    assert outcome["honeypot"] and outcome["benign"], outcome
    assert all(o in ("reverted", "taxed", "returned_false") for o in outcome["honeypot"]), outcome
    assert all(o == "sold" for o in outcome["benign"]), outcome


def test_eval_by_chain_holdout_and_stages(fraud_chain: FraudChain, family_b: FamilyBChain) -> None:
    """Leave-one-family-out with --holdout (the lead's a+b -> c run has this shape), and the
    stage figures: recall on harm rows is the headline, set-up rows reported apart."""
    args = ["eval", "fraud", "--by", "chain", "--labels", str(fraud_chain.labels_dir), "--rpc", fraud_chain.url,
            "--labels", str(family_b.labels_dir), "--rpc", family_b.url, "--holdout", "2", "--json"]  # fmt: skip
    res = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    (split,) = report["splits"]
    b_rows = read_tx_labels(family_b.labels_dir)
    assert split["test_rows"] == len(b_rows) and split["name"].endswith("->family-b-seed2")
    a_setup = sum(r.stage == "setup" for r in fraud_chain.rows)
    assert a_setup > 0 and split["setup_rows_not_learnt"] == a_setup
    fl = split["scorers"]["combined"]["flagged"]
    harm = [r for r in b_rows if r.stage == "harm"]
    assert fl["harm_rows"] == len(harm) and fl["setup_rows"] == sum(r.stage == "setup" for r in b_rows)
    assert fl["recall_harm"] is not None and fl["recall_setup"] is not None
    sub = next(iter(fl["recall_per_subtype"].values()))
    assert sub["n"] == sub.get("harm", {}).get("n", 0) + sub.get("setup", {}).get("n", 0)
    bad = CliRunner().invoke(cli, [*args[:-3], "--holdout", "3"])
    assert bad.exit_code != 0 and "--holdout 3 names no label set" in bad.output
