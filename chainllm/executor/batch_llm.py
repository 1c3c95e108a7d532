"""Batch LLM work (generation, classification prompts) on a Ray cluster through Ray Data.

On GPU nodes with vLLM installed the vLLM engine serves each replica (``ray.data.llm``:
continuous batching, tensor parallel, LoRA adapters); elsewhere each Ray Data actor loads the
model once with transformers on CPU and decodes greedily. Both give one completion per
prompt, in input order. The CPU path decodes exactly like ``complete_locally``, so a run on
the cluster equals the local run token for token.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from chainllm.errors import BadInputError, ToolchainError
from chainllm.executor.cluster import import_ray

ENGINES = ("auto", "vllm", "hf")


def pick_engine(engine: str = "auto") -> str:
    """``auto``: vLLM when it is installed and the cluster has GPUs, else transformers on CPU."""
    if engine not in ENGINES:
        raise BadInputError(f"engine {engine!r}", hint=f"use one of {', '.join(ENGINES)}")
    has_vllm = importlib.util.find_spec("vllm") is not None
    if engine == "vllm" and not has_vllm:
        raise ToolchainError(
            "the vLLM engine is not installed here",
            hint="pip install vllm on the GPU nodes, or use engine hf",
        )
    if engine == "auto":
        ray = import_ray()
        gpus = ray.cluster_resources().get("GPU", 0) if ray.is_initialized() else 0
        return "vllm" if has_vllm and gpus > 0 else "hf"
    return engine


def _greedy(model: Any, tokenizer: Any, prompt: str, max_new_tokens: int) -> str:
    import torch

    ids = tokenizer(prompt, return_tensors="pt")
    with torch.no_grad():
        out = model.generate(
            **ids,
            max_new_tokens=max_new_tokens,
            do_sample=False,
            pad_token_id=tokenizer.pad_token_id
            if tokenizer.pad_token_id is not None
            else tokenizer.eos_token_id,
        )
    text: str = tokenizer.decode(out[0][ids["input_ids"].shape[1] :], skip_special_tokens=True)
    return text


class HFGenerator:
    """Ray Data callable class: the model is loaded once per actor, then fed batches."""

    def __init__(self, folder: str, adapter: str | None, max_new_tokens: int) -> None:
        from chainllm.model.loading import load_causal_lm

        self.model, self.tokenizer = load_causal_lm(folder, Path(adapter) if adapter else None)
        self.max_new_tokens = max_new_tokens

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        texts = [_greedy(self.model, self.tokenizer, str(p), self.max_new_tokens) for p in batch["prompt"]]
        return {"id": batch["id"], "text": texts}


def complete_locally(
    prompts: Sequence[str], folder: Path, *, adapter: Path | None = None, max_new_tokens: int = 32
) -> list[str]:
    gen = HFGenerator(str(folder), str(adapter) if adapter else None, max_new_tokens)
    return [_greedy(gen.model, gen.tokenizer, p, max_new_tokens) for p in prompts]


def batch_complete(
    prompts: Sequence[str],
    folder: Path,
    *,
    adapter: Path | None = None,
    max_new_tokens: int = 32,
    engine: str = "auto",
    batch_size: int = 8,
    concurrency: int = 1,
) -> list[str]:
    """One greedy completion per prompt, computed on the connected Ray cluster (see
    ``RayExecutor``); ``folder`` (and ``adapter``) must be readable on every node."""
    import_ray()  # the clear error when Ray is missing
    import ray.data

    eng = pick_engine(engine)
    ds = ray.data.from_items([{"id": i, "prompt": p} for i, p in enumerate(prompts)])
    if eng == "vllm":  # pragma: no cover - needs GPUs and vLLM (not on this project's CI)
        from ray.data import llm

        build = getattr(llm, "build_processor", None) or getattr(llm, "build_llm_processor")  # noqa: B009
        config = llm.vLLMEngineProcessorConfig(
            model_source=str(folder),
            engine_kwargs={"enable_lora": adapter is not None, "max_model_len": 4096},
            concurrency=concurrency,
            batch_size=batch_size,
        )
        lora = {"model": str(adapter)} if adapter else {}
        processor = build(
            config,
            preprocess=lambda row: {
                "id": row["id"],
                "prompt": row["prompt"],
                "sampling_params": {"temperature": 0.0, "max_tokens": max_new_tokens},
                **lora,
            },
            postprocess=lambda row: {"id": row["id"], "text": row["generated_text"]},
        )
        out = processor(ds)
    else:
        out = ds.map_batches(
            HFGenerator,
            fn_constructor_kwargs={
                "folder": str(folder),
                "adapter": str(adapter) if adapter else None,
                "max_new_tokens": max_new_tokens,
            },
            batch_size=batch_size,
            concurrency=concurrency,
            num_cpus=1,
        )
    rows = sorted(out.take_all(), key=lambda r: int(r["id"]))
    if len(rows) != len(prompts):
        raise ToolchainError(f"batch generation returned {len(rows)} answers for {len(prompts)} prompts")
    return [str(r["text"]) for r in rows]
