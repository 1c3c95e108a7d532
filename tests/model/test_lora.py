"""LoRA targets and the device plan, including the GPU-only paths' configuration logic."""

from __future__ import annotations

import pytest

from chainllm.errors import BadInputError
from chainllm.model.lora import (
    LoraSettings,
    peft_lora_config,
    plan_device,
    quantization_config,
    target_modules,
)


def test_llama_targets_cover_attention_and_mlp_sorted() -> None:
    assert target_modules("llama") == [
        "down_proj",
        "gate_proj",
        "k_proj",
        "o_proj",
        "q_proj",
        "up_proj",
        "v_proj",
    ]
    assert target_modules("llama", "qv") == ["q_proj", "v_proj"]
    assert target_modules("llama", "v_proj, q_proj") == ["q_proj", "v_proj"]
    with pytest.raises(BadInputError, match="--lora-targets"):
        target_modules("mamba")


def test_lora_settings_validated_together() -> None:
    with pytest.raises(BadInputError) as err:
        LoraSettings(r=0, dropout=1.5)
    assert "--lora-r" in str(err.value) and "--lora-dropout" in str(err.value)


def test_peft_config_for_llama2() -> None:
    cfg = peft_lora_config(LoraSettings(r=16, alpha=32), "llama")
    assert cfg.r == 16 and cfg.lora_alpha == 32 and set(cfg.target_modules) >= {"q_proj", "v_proj"}


def test_cpu_plan_is_fp32_without_native_bf16_and_never_quantized() -> None:
    plan = plan_device(cuda_available=False, cpu_bf16=False)
    assert (plan.device, plan.precision, plan.load_dtype, plan.gradient_checkpointing) == (
        "cpu",
        "fp32",
        "fp32",
        False,
    )
    assert plan_device(cuda_available=False, cpu_bf16=True).autocast
    with pytest.raises(BadInputError, match="needs a CUDA GPU"):
        plan_device(cuda_available=False, quantize="4bit")
    with pytest.raises(BadInputError, match="no CUDA GPU"):
        plan_device(device="cuda", cuda_available=False)


def test_gpu_plan_llama2_qlora() -> None:
    plan = plan_device(cuda_available=True, cuda_bf16=True, quantize="4bit")
    assert (plan.device, plan.precision, plan.load_dtype, plan.gradient_checkpointing) == (
        "cuda",
        "bf16",
        "bf16",
        True,
    )
    assert plan.notes
    old_gpu = plan_device(cuda_available=True, cuda_bf16=False)
    assert old_gpu.precision == "fp16"


def test_quantization_config_only_built_on_cuda() -> None:
    assert quantization_config(plan_device(cuda_available=False)) is None
    from chainllm.model.lora import DevicePlan

    with pytest.raises(BadInputError, match="CUDA"):
        quantization_config(DevicePlan("cpu", "fp32", "4bit", False))


def test_qlora_config_is_nf4_double_quant_when_bitsandbytes_present() -> None:
    import importlib.util

    from chainllm.errors import ToolchainError
    from chainllm.model.lora import DevicePlan

    plan = DevicePlan("cuda", "bf16", "4bit", True)
    if importlib.util.find_spec("bitsandbytes") is None:
        with pytest.raises(ToolchainError, match="pip install bitsandbytes"):
            quantization_config(plan)
    else:
        q = quantization_config(plan)
        assert q.load_in_4bit and q.bnb_4bit_quant_type == "nf4" and q.bnb_4bit_use_double_quant
