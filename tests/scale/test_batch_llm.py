"""Batch generation through Ray Data: the CPU fallback (transformers, one model per actor)
answers exactly like the local run; vLLM is refused clearly where it is not installed."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from chainllm.errors import ToolchainError
from chainllm.executor.batch_llm import batch_complete, complete_locally, pick_engine


def test_cpu_fallback_matches_local_generation(ray_cluster: str) -> None:
    from chainllm.model.bases import resolve_base

    folder: Path = resolve_base("tiny")  # the 2-layer preset, built once on the driver
    prompts = [
        "pragma solidity ^0.8.0;\ncontract A {",
        "// SPDX-License-Identifier: MIT\n",
        "function f() public",
    ]
    assert pick_engine("auto") == "hf"  # no vLLM, no GPU here
    local = complete_locally(prompts, folder, max_new_tokens=12)
    on_ray = batch_complete(prompts, folder, max_new_tokens=12, batch_size=2, concurrency=1)
    assert on_ray == local and len(on_ray) == 3 and any(t.strip() for t in local)


@pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vLLM is installed")
def test_vllm_engine_without_vllm_is_a_clear_error() -> None:
    with pytest.raises(ToolchainError, match="vLLM engine is not installed"):
        pick_engine("vllm")
