"""The GPU-only paths' configuration, checked on a CPU: Llama-2 7B/13B shapes (meta device,
no memory), LoRA targets and sizes on them, the GPU check script on a tiny Llama shape, and
the accelerate/DeepSpeed launch files in configs/."""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from chainllm.model.lora import LoraSettings, peft_lora_config, plan_device

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ROOT / "configs"


def _gpu_check() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gpu_lora_check", ROOT / "bench" / "gpu_lora_check.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _llama2_13b_config() -> Any:
    from transformers import LlamaConfig

    return LlamaConfig(
        hidden_size=5120, intermediate_size=13824, num_hidden_layers=40, num_attention_heads=40,
        num_key_value_heads=40, vocab_size=32000, max_position_embeddings=4096, tie_word_embeddings=False,
    )  # fmt: skip


def _lora_params(cfg: Any, r: int) -> int:
    """r x (in + out) for the seven projections of every decoder layer."""
    h, f = cfg.hidden_size, cfg.intermediate_size
    return cfg.num_hidden_layers * r * (4 * (h + h) + 2 * (h + f) + (f + h))


@pytest.mark.parametrize(
    ("which", "params"),
    [("7b", 6_738_415_616), ("13b", 13_015_864_320)],  # the published Llama-2 parameter counts
)
def test_llama2_shapes_get_lora_on_every_projection(which: str, params: int) -> None:
    import torch
    from peft import get_peft_model
    from transformers import LlamaForCausalLM

    cfg = _gpu_check().llama2_7b_config() if which == "7b" else _llama2_13b_config()
    with torch.device("meta"):  # shapes only: no weights are allocated
        model = LlamaForCausalLM(cfg)
    assert sum(p.numel() for p in model.parameters()) == params
    lcfg = peft_lora_config(LoraSettings(r=16, alpha=32), cfg.model_type)
    peft_model = get_peft_model(model, lcfg)
    trainable = sum(p.numel() for p in peft_model.parameters() if p.requires_grad)
    assert trainable == _lora_params(cfg, 16)
    assert sorted(lcfg.target_modules) == sorted(_gpu_check().LORA_TARGETS)  # the check trains what we ship
    # The plan a 7B/13B user gets on a modern GPU: bf16 weights, checkpointing, optional NF4.
    plan = plan_device(cuda_available=True, cuda_bf16=True, quantize="4bit")
    assert (plan.load_dtype, plan.precision, plan.gradient_checkpointing) == ("bf16", "bf16", True)


def test_gpu_check_logic_runs_a_tiny_llama_on_cpu() -> None:
    from transformers import LlamaConfig

    check = _gpu_check()
    cfg = LlamaConfig(
        hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=4, vocab_size=128, max_position_embeddings=64,
    )  # fmt: skip
    out = check.run("bf16", steps=2, seq=16, batch=2, cfg=cfg, device="cpu")
    assert out["mode"] == "bf16" and out["tokens_per_s"] > 0 and out["peak_mem_gib"] is None
    assert out["trainable_params"] == _lora_params(cfg, 16)
    assert math.isfinite(out["final_loss"]) and out["build_s"] >= 0


def test_gpu_check_without_cuda_exits_cleanly_with_a_note() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "gpu_lora_check.py"), "--steps", "1"],
        capture_output=True, text=True, timeout=120, env={"CUDA_VISIBLE_DEVICES": "", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "no CUDA GPU" in json.loads(proc.stdout)["skipped"]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("accelerate_ddp.yaml", "MULTI_GPU"),
        ("accelerate_fsdp.yaml", "FSDP"),
        ("accelerate_deepspeed.yaml", "DEEPSPEED"),
    ],
)
def test_accelerate_launch_files_load_and_match_their_docs(name: str, kind: str) -> None:
    from accelerate.commands.config.config_args import ClusterConfig

    path = CONFIGS / name
    cfg = ClusterConfig.from_yaml_file(str(path))  # accelerate's own loader rejects unknown keys
    assert cfg.distributed_type.name == kind and cfg.mixed_precision == "bf16" and not cfg.use_cpu
    assert f"--config_file configs/{name}" in path.read_text()  # the launch line in its header
    assert f"`{name}`" in (CONFIGS / "README.md").read_text()  # listed in the launch guide
    if kind == "FSDP":
        from transformers.models.llama.modeling_llama import LlamaDecoderLayer

        fsdp = cfg.fsdp_config
        assert fsdp["fsdp_transformer_layer_cls_to_wrap"] == LlamaDecoderLayer.__name__
        assert fsdp["fsdp_use_orig_params"] is True  # frozen base + trainable LoRA in one unit
    if kind == "DEEPSPEED":
        ds_path = ROOT / cfg.deepspeed_config["deepspeed_config_file"]
        ds = json.loads(ds_path.read_text())
        assert ds["zero_optimization"]["stage"] == 2 and ds["bf16"]["enabled"] is True
        # "auto" lets accelerate fill batch and accumulation from chainllm's own options.
        assert ds["train_micro_batch_size_per_gpu"] == ds["gradient_accumulation_steps"] == "auto"
