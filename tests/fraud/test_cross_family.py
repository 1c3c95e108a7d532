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
    assert (first["train_rows"], first["test_rows"]) == (a_rows, b_rows)
    assert (second["train_rows"], second["test_rows"]) == (b_rows, a_rows)
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
    assert res.exit_code != 0 and "exactly two --labels" in res.output
