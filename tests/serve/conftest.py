"""One small simulated chain (own anvil) and a fraud model trained on it, for the serve tests."""

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

SIM_SEED = 5
SIM_TXS = 24


@dataclass(frozen=True)
class ServeChain:
    url: str
    labels_dir: Path
    rows: list[TxLabel]
    model: Path


@pytest.fixture(scope="session")
def serve_chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeChain]:
    d = tmp_path_factory.mktemp("serve-anvil")
    st = manager.start("anvil", data_dir=d, port=manager.free_port())
    assert st.url
    try:
        simulate(st.url, SimConfig(seed=SIM_SEED, txs=SIM_TXS), out=d / "labels")
        out = d / "fraud-serve"
        args = ["train", "fraud", "--labels", str(d / "labels"), "--rpc", st.url, "--out", str(out), "--no-llm",
                "--json"]  # fmt: skip
        res = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert res.exit_code == 0, res.output
        assert json.loads(res.stdout)["model"] == str(out)
        yield ServeChain(st.url, d / "labels", read_tx_labels(d / "labels"), out)
    finally:
        manager.stop("anvil", data_dir=d)
