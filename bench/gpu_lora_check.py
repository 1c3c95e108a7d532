"""LoRA on a Llama-2-7B-shaped model (random weights, same config) on one CUDA GPU.

Runs a few LoRA steps in bf16 and in 4-bit QLoRA (bitsandbytes NF4) and prints tokens/s and
peak GPU memory as JSON. Standalone: torch, transformers, peft, bitsandbytes and stdlib only.

    python bench/gpu_lora_check.py [--steps 6] [--seq 1024] [--batch 4] [--modes bf16,4bit]

On a machine without CUDA it prints a JSON note and exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any


def llama2_7b_config() -> Any:
    from transformers import LlamaConfig

    return LlamaConfig(
        hidden_size=4096,
        intermediate_size=11008,
        num_hidden_layers=32,
        num_attention_heads=32,
        num_key_value_heads=32,
        vocab_size=32000,
        max_position_embeddings=4096,
        rms_norm_eps=1e-5,
        tie_word_embeddings=False,
    )


LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def build(mode: str, cfg: Any = None, device: str = "cuda") -> Any:
    import torch
    from transformers import LlamaForCausalLM

    cfg = cfg or llama2_7b_config()
    torch.manual_seed(0)
    model: Any
    if mode == "bf16":
        with torch.device(device):
            model = LlamaForCausalLM(cfg)
        return model.to(torch.bfloat16)
    # 4-bit: build bf16 on the GPU, then swap every Linear in the decoder for bnb Linear4bit
    # (random weights cannot go through from_pretrained's quantizer without a checkpoint).
    import bitsandbytes as bnb  # type: ignore[import-not-found,unused-ignore]

    with torch.device("cuda"):
        model = LlamaForCausalLM(cfg)
    model = model.to(torch.bfloat16)
    for layer in model.model.layers:
        for parent in (layer.self_attn, layer.mlp):
            for name, child in list(parent.named_children()):
                if isinstance(child, torch.nn.Linear):
                    q = bnb.nn.Linear4bit(
                        child.in_features, child.out_features, bias=child.bias is not None,
                        compute_dtype=torch.bfloat16, quant_type="nf4", compress_statistics=True,
                    )  # fmt: skip
                    q.weight = bnb.nn.Params4bit(
                        child.weight.data.cpu(),
                        requires_grad=False,
                        quant_type="nf4",
                        compress_statistics=True,
                    )
                    q = q.cuda()
                    setattr(parent, name, q)
                    del child
        torch.cuda.empty_cache()
    return model


def run(
    mode: str, steps: int, seq: int, batch: int, *, cfg: Any = None, device: str = "cuda"
) -> dict[str, Any]:
    """A few LoRA steps; ``cfg``/``device`` let the same code run a tiny shape on a CPU (tests)."""
    import torch
    from peft import LoraConfig, get_peft_model

    cuda = device == "cuda"
    t0 = time.perf_counter()
    model = build(mode, cfg, device)
    build_s = time.perf_counter() - t0
    if cuda:
        torch.cuda.empty_cache()
        weights_gib = torch.cuda.memory_allocated() / 2**30
        torch.cuda.reset_peak_memory_stats()  # measure training, not the bf16 -> 4-bit conversion
    else:
        weights_gib = sum(p.numel() * p.element_size() for p in model.parameters()) / 2**30
    model.config.use_cache = False
    model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    model.enable_input_require_grads()
    lora = LoraConfig(
        r=16, lora_alpha=32, lora_dropout=0.05, task_type="CAUSAL_LM", target_modules=LORA_TARGETS,
    )  # fmt: skip
    model = get_peft_model(model, lora)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    x = torch.randint(0, model.config.vocab_size, (batch, seq), device=device)
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    times = []
    for _ in range(steps):
        sync()
        t = time.perf_counter()
        with torch.autocast(device, dtype=torch.bfloat16):
            loss = model(input_ids=x, labels=x).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        sync()
        times.append(time.perf_counter() - t)
    steady = times[1:] or times  # the first step pays for kernel selection
    out = {
        "mode": mode,
        "steps": steps,
        "batch": batch,
        "seq": seq,
        "tokens_per_s": round(batch * seq * len(steady) / sum(steady), 1),
        "step_s": round(sum(steady) / len(steady), 3),
        "peak_mem_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2) if cuda else None,
        "weights_gib": round(weights_gib, 2),
        "trainable_params": trainable,
        "final_loss": round(float(loss.detach()), 4),
        "build_s": round(build_s, 1),
    }
    del model, opt
    if cuda:
        torch.cuda.empty_cache()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--seq", type=int, default=1024)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--modes", default="bf16,4bit")
    args = ap.parse_args()
    try:
        import torch
    except ImportError:
        print(json.dumps({"skipped": "torch is not installed"}))
        return 0
    if not torch.cuda.is_available():
        print(
            json.dumps({"skipped": "no CUDA GPU visible; this check needs one (bf16 and bitsandbytes 4-bit)"})
        )
        return 0
    import peft
    import transformers

    results: dict[str, Any] = {
        "device": torch.cuda.get_device_name(0),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "peft": peft.__version__,
        "model": "Llama-2-7B shape (random weights): 32 layers, hidden 4096, 32 heads, ffn 11008, vocab 32000",
        "lora": "r=16, alpha=32, all linear projections, gradient checkpointing",
        "runs": [],
    }
    for mode in args.modes.split(","):
        try:
            if mode == "4bit":
                import bitsandbytes  # noqa: F401
            results["runs"].append(run(mode, args.steps, args.seq, args.batch))
        except ImportError as exc:
            results["runs"].append({"mode": mode, "skipped": f"{exc} (pip install bitsandbytes)"})
        except torch.OutOfMemoryError as exc:
            results["runs"].append({"mode": mode, "error": f"out of memory: {str(exc).splitlines()[0]}"})
            torch.cuda.empty_cache()
        print(json.dumps(results["runs"][-1]), file=sys.stderr, flush=True)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
