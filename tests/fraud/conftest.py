"""One simulated chain (own anvil) and one trained model shared by the fraud tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from chainllm.chain.simulate import SimConfig, simulate
from chainllm.cli import cli
from chainllm.labels.schema import TxLabel, read_tx_labels
from chainllm.services import manager

SIM_SEED = 3
SIM_TXS = 220


@dataclass(frozen=True)
class FraudChain:
    url: str
    labels_dir: Path
    rows: list[TxLabel]

    def first(self, **where: object) -> TxLabel:
        return next(r for r in self.rows if all(getattr(r, k) == v for k, v in where.items()))


@pytest.fixture(scope="session")
def fraud_chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FraudChain]:
    d = tmp_path_factory.mktemp("fraud-anvil")
    st = manager.start("anvil", data_dir=d, port=manager.free_port())
    assert st.url
    try:
        simulate(st.url, SimConfig(seed=SIM_SEED, txs=SIM_TXS), out=d / "labels")
        yield FraudChain(st.url, d / "labels", read_tx_labels(d / "labels"))
    finally:
        manager.stop("anvil", data_dir=d)


@pytest.fixture(scope="session")
def fraud_model(fraud_chain: FraudChain, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model trained without the LLM (rules + LightGBM + combiner), through the CLI."""
    out = tmp_path_factory.mktemp("fraud-model") / "fraud-test"
    args = ["train", "fraud", "--labels", str(fraud_chain.labels_dir), "--rpc", fraud_chain.url,
            "--out", str(out), "--no-llm", "--json"]  # fmt: skip
    res = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert res.exit_code == 0, res.stderr
    summary = json.loads(res.stdout)
    assert summary["model"] == str(out) and summary["rows"] == len(fraud_chain.rows)
    assert summary["held_out_roc_auc"] is not None and summary["report"].endswith("eval.md")
    assert summary["held_out_roc_auc_harm"] is not None  # the chain has harm rows (drains)
    return out
