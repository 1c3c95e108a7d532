"""LoRA settings and the device/precision plan (CPU laptop, one GPU, QLoRA, multi-GPU).

Pure logic so the GPU paths are testable on a CPU: nothing here needs CUDA to run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chainllm.errors import BadInputError, ToolchainError

# Per model_type defaults. Llama-family: all attention and MLP projections (QLoRA paper's
# finding: adapting every linear layer matters more than r); "attn" keeps the classic q/v.
TARGETS: dict[str, dict[str, tuple[str, ...]]] = {
    "llama": {
        "all": ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
        "attn": ("q_proj", "k_proj", "v_proj", "o_proj"),
        "qv": ("q_proj", "v_proj"),
    },
    "gpt2": {"all": ("c_attn", "c_proj", "c_fc"), "attn": ("c_attn", "c_proj"), "qv": ("c_attn",)},
    "gpt_neox": {
        "all": ("query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h"),
        "attn": ("query_key_value", "dense"),
        "qv": ("query_key_value",),
    },
}
# Same module names as Llama.
for _alias in ("mistral", "qwen2", "qwen3", "gemma", "gemma2", "phi3", "smollm3"):
    TARGETS[_alias] = TARGETS["llama"]


@dataclass(frozen=True)
class LoraSettings:
    """LoRA hyperparameters."""

    r: int = 16
    """Rank of the update matrices."""
    alpha: int = 32
    """Scaling numerator (effective scale alpha / r)."""
    dropout: float = 0.05
    """Dropout on the LoRA input."""
    targets: str = "all"
    """A preset ("all", "attn", "qv") or a comma-separated list of module names."""

    def __post_init__(self) -> None:
        problems = []
        if self.r < 1:
            problems.append(f"--lora-r must be >= 1 (got {self.r})")
        if self.alpha < 1:
            problems.append(f"--lora-alpha must be >= 1 (got {self.alpha})")
        if not 0.0 <= self.dropout < 1.0:
            problems.append(f"--lora-dropout must be in [0, 1) (got {self.dropout})")
        if not self.targets.strip():
            problems.append("--lora-targets is empty")
        if problems:
            raise BadInputError("; ".join(problems))


def target_modules(model_type: str, targets: str = "all") -> list[str]:
    """Module names to adapt, sorted (sorted so adapter_config.json is byte-stable)."""
    spec = targets.strip()
    if spec in ("all", "attn", "qv"):
        table = TARGETS.get(model_type)
        if table is None:
            raise BadInputError(
                f"no default LoRA target modules for model type {model_type!r}",
                hint="pass --lora-targets with module names, e.g. q_proj,v_proj",
            )
        return sorted(table[spec])
    return sorted({m.strip() for m in spec.split(",") if m.strip()})


def peft_lora_config(
    settings: LoraSettings,
    model_type: str,
    *,
    task: str = "CAUSAL_LM",
    modules_to_save: list[str] | None = None,
) -> Any:
    from peft import LoraConfig, TaskType

    return LoraConfig(
        task_type=TaskType[task],
        r=settings.r,
        lora_alpha=settings.alpha,
        lora_dropout=settings.dropout,
        target_modules=target_modules(model_type, settings.targets),
        modules_to_save=modules_to_save,
        bias="none",
    )


@dataclass(frozen=True)
class DevicePlan:
    """Where and how the base model runs during training."""

    device: str  # "cpu" | "cuda"
    precision: str  # "fp32" | "bf16" | "fp16"
    quantize: str | None  # None | "4bit" | "8bit"
    gradient_checkpointing: bool
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def load_dtype(self) -> str:
        """dtype of the frozen base weights. On CPU they stay fp32 and bf16 runs as autocast."""
        if self.device == "cuda" and self.precision in ("bf16", "fp16"):
            return self.precision
        return "fp32"

    @property
    def autocast(self) -> bool:
        return self.precision in ("bf16", "fp16")


def plan_device(
    *,
    device: str = "auto",
    precision: str = "auto",
    quantize: str | None = None,
    gradient_checkpointing: bool | None = None,
    cuda_available: bool | None = None,
    cuda_bf16: bool | None = None,
    cpu_bf16: bool | None = None,
) -> DevicePlan:
    """Decide device, precision and quantisation; the probes are parameters so tests can ask
    what a GPU machine would get."""
    import torch

    if cuda_available is None:
        cuda_available = torch.cuda.is_available()
    if device == "auto":
        device = "cuda" if cuda_available else "cpu"
    if device not in ("cpu", "cuda"):
        raise BadInputError(f"--device {device!r} is not one of auto, cpu, cuda")
    if device == "cuda" and not cuda_available:
        raise BadInputError("--device cuda was requested but no CUDA GPU is visible", hint="use --device cpu")
    notes: list[str] = []
    if quantize not in (None, "4bit", "8bit"):
        raise BadInputError(f"--quantize {quantize!r} is not one of 4bit, 8bit")
    if quantize and device != "cuda":
        raise BadInputError(
            f"--quantize {quantize} (QLoRA with bitsandbytes) needs a CUDA GPU; this run is on {device}",
            hint="drop --quantize on CPU (the bundled model fits in memory unquantised)",
        )
    if precision == "auto":
        if device == "cuda":
            if cuda_bf16 is None:
                cuda_bf16 = bool(torch.cuda.is_bf16_supported())
            precision = "bf16" if cuda_bf16 else "fp16"
        else:
            if cpu_bf16 is None:
                cpu_bf16 = cpu_supports_bf16()
            precision = "bf16" if cpu_bf16 else "fp32"
    if precision not in ("fp32", "bf16", "fp16"):
        raise BadInputError(f"--precision {precision!r} is not one of auto, fp32, bf16, fp16")
    if precision == "fp16" and device == "cpu":
        raise BadInputError("--precision fp16 is not supported on CPU", hint="use bf16 or fp32")
    if gradient_checkpointing is None:
        # Worth its ~30% recompute only where activations, not weights, bound memory.
        gradient_checkpointing = device == "cuda"
    if quantize:
        notes.append("QLoRA: base weights in 4-bit NF4, LoRA in bf16; use paged AdamW for 7B+ models")
    return DevicePlan(device, precision, quantize, gradient_checkpointing, tuple(notes))


def cpu_supports_bf16() -> bool:
    """bf16 autocast pays off only on CPUs with native bf16 (AVX512-BF16, AMX). Measured on an
    AVX2-only EPYC (torch 2.13): LoRA steps ran ~10x slower in bf16 than fp32 (tiny model,
    460 vs 4,500 tok/s) and the 135M model was slower still, so those CPUs stay in fp32."""
    import torch

    try:
        return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    except AttributeError:  # pragma: no cover - older torch
        return False


def quantization_config(plan: DevicePlan) -> Any:
    """A BitsAndBytesConfig for QLoRA, built only on CUDA (bitsandbytes needs it)."""
    if plan.quantize is None:
        return None
    if plan.device != "cuda":
        raise BadInputError(f"--quantize {plan.quantize} needs a CUDA GPU")
    import importlib.util

    if importlib.util.find_spec("bitsandbytes") is None:
        raise ToolchainError(
            "--quantize needs the bitsandbytes package", hint="pip install bitsandbytes (Linux + CUDA)"
        )
    import torch
    from transformers import BitsAndBytesConfig

    if plan.quantize == "8bit":
        return BitsAndBytesConfig(load_in_8bit=True)
    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=torch.bfloat16 if plan.precision == "bf16" else torch.float16,
    )
