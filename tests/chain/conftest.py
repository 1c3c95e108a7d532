"""One simulated chain shared by the simulator and crawler tests (own anvil, fresh state)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from chainllm.chain.simulate import SimConfig, SimResult, simulate
from chainllm.services import manager

SIM_SEED = 5
SIM_TXS = 150


@dataclass(frozen=True)
class SimChain:
    url: str
    result: SimResult
    labels_dir: Path
    data_dir: Path


def start_fresh_anvil(data_dir: Path) -> str:
    st = manager.start("anvil", data_dir=data_dir, port=manager.free_port())
    assert st.url
    return st.url


@pytest.fixture(scope="session")
def sim_chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimChain]:
    d = tmp_path_factory.mktemp("sim-anvil")
    url = start_fresh_anvil(d)
    try:
        res = simulate(url, SimConfig(seed=SIM_SEED, txs=SIM_TXS), out=d / "labels")
        yield SimChain(url, res, d / "labels", d)
    finally:
        manager.stop("anvil", data_dir=d)
