"""Shared fixtures for the model tests: a small real corpus and the tiny base."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.model.corpus_fixture import make_corpus

if TYPE_CHECKING:
    from chainllm.model.trainer import TrainConfig


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("corpus") / "oz-small")


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    # Two cores are shared by the whole CI run; one thread also keeps float sums in a fixed order.
    import torch

    torch.set_num_threads(1)


def tiny_config(corpus: Path, **overrides: Any) -> TrainConfig:
    from chainllm.model.lora import LoraSettings
    from chainllm.model.trainer import TrainConfig

    settings: dict[str, Any] = {
        "corpus": str(corpus),
        "base": "tiny",
        "lora": LoraSettings(r=8, alpha=16),
        "max_steps": 6,
        "batch_size": 4,
        "grad_accum": 1,
        "context_length": 128,
        "learning_rate": 3e-3,
        "warmup_steps": 2,
        "eval_every": 3,
        "eval_batches": 4,
        "save_every": 2,
        "precision": "fp32",
    }
    settings.update(overrides)
    return TrainConfig(**settings)


@pytest.fixture(scope="session")
def tiny_adapter(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One trained tiny adapter shared by the read-only tests."""
    import torch

    from chainllm.model.trainer import train_generator

    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("adapter") / "tiny-gen"
    train_generator(tiny_config(corpus_dir, max_steps=12, eval_every=6, save_every=6), out)
    return out
