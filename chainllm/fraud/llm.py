"""The LLM scorer: a Llama-architecture sequence classifier with LoRA (peft, task SEQ_CLS)
over a text serialisation of the transaction. Addresses become roles ("sender", "EOA#1"),
so the model reads behaviour, not memorised addresses. Loading/LoRA wiring comes from
``chainllm.model.load_seq_classifier``; the adapter folder holds safetensors + JSON only."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chainllm.fraud.features import UNLIMITED, Extracted

MAX_TOKENS = 160


def serialise(ex: Extracted) -> str:
    f, v = ex.facts, ex.values
    names: dict[str, str] = {f.sender: "sender"}
    if f.to:
        names.setdefault(f.to, "callee")

    def role(a: str) -> str:
        if a not in names:
            kind = "contract" if f.is_contract(a) else "eoa" if f.is_contract(a) is False else "addr"
            names[a] = f"{kind}{sum(1 for n in names.values() if n.startswith(kind)) + 1}"
        return names[a]

    parts = [
        "create" if not f.to else f"call {f.calls[0].name} on {'contract' if f.is_contract(f.to) else 'eoa'}",
        "ok" if f.status_ok else "reverted",
        f"value {f.value / 1e18:.4g} eth",
        f"sender nonce {int(math.expm1(v['from_nonce_log']))}",
    ]
    if f.to and f.code(f.to).size:
        c = f.code(f.to)
        pats = [
            p for p in ("pulls", "drain", "blacklist", "fee", "mint", "pause", "erc20", "erc721") if c.has(p)
        ]
        parts.append(f"callee code {c.size} bytes {len(c.selectors)} functions {' '.join(pats) or 'plain'}")
    for ap in f.approvals[:3]:
        size = "unlimited" if ap.amount >= UNLIMITED else "limited"
        parts.append(f"{ap.kind} {size} by {role(ap.owner)} to {role(ap.spender)}")
    for tok, a, b, amount, std, _ in f.transfers[:4]:
        parts.append(f"{std} {'zero' if amount == 0 else 'amount'} {role(a)} to {role(b)} token {role(tok)}")
    for a, b, w in f.eth[:3]:
        parts.append(f"eth {w / 1e18:.3g} {role(a)} to {role(b)}")
    if f.lookalikes:
        parts.append("lookalike of a recent counterparty")
    if f.first_contact:
        parts.append("first contact")
    if f.reverted_transfer_calls:
        parts.append("token transfer reverted")
    return "; ".join(parts)


@dataclass(frozen=True)
class LlmSettings:
    base: str = "smollm2-135m"
    epochs: int = 2
    lr: float = 5e-4
    batch: int = 16
    lora_r: int = 8
    seed: int = 0
    max_rows: int | None = None  # cap the training rows (CPU time)
    device: str = "auto"  # auto: cuda when available, else cpu


def _quiet() -> None:
    # The base has no score head, so transformers reports it "MISSING" on every load; the
    # head comes from the adapter (modules_to_save). Keep stderr for messages that matter.
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()


def _device(name: str) -> str:
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return name


def _autocast(device: str) -> Any:
    import contextlib

    import torch

    from chainllm.model.lora import cpu_supports_bf16

    # bf16 on GPUs and on CPUs with native bf16; plain fp32 elsewhere (bf16 is slower there).
    if device == "cuda" or (device == "cpu" and cpu_supports_bf16()):
        return torch.autocast(device_type=device, dtype=torch.bfloat16)
    return contextlib.nullcontext()


def train(
    texts: Sequence[str],
    labels: Sequence[int],
    out: Path,
    settings: LlmSettings,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Fine-tune LoRA + score head; save the adapter to ``out``. Returns training stats."""
    import torch

    from chainllm.model import load_seq_classifier
    from chainllm.model.artifacts import canonicalise_adapter_config
    from chainllm.model.lora import LoraSettings

    _quiet()
    torch.manual_seed(settings.seed)
    rng = random.Random(settings.seed)
    idx = list(range(len(texts)))
    if settings.max_rows and len(idx) > settings.max_rows:
        idx = sorted(rng.sample(idx, settings.max_rows))
    model, tok = load_seq_classifier(
        settings.base,
        lora=LoraSettings(r=settings.lora_r, alpha=2 * settings.lora_r, dropout=0.0, targets="attn"),
    )
    device = _device(settings.device)
    model.to(device)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=settings.lr)
    # Class weights: scams are the minority in real traffic.
    pos = sum(labels[i] for i in idx) or 1
    neg = (len(idx) - pos) or 1
    weight = torch.tensor([len(idx) / (2 * neg), len(idx) / (2 * pos)], dtype=torch.float32, device=device)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weight)
    steps = settings.epochs * math.ceil(len(idx) / settings.batch)
    done, last = 0, float("nan")
    for _ in range(settings.epochs):
        rng.shuffle(idx)
        for i in range(0, len(idx), settings.batch):
            chunk = idx[i : i + settings.batch]
            enc = tok(
                [texts[j] for j in chunk],
                padding=True,
                truncation=True,
                max_length=MAX_TOKENS,
                return_tensors="pt",
            )
            with _autocast(device):
                out_logits = model(**enc.to(device)).logits
            loss = loss_fn(out_logits.float(), torch.tensor([labels[j] for j in chunk], device=device))
            loss.backward()
            opt.step()
            opt.zero_grad()
            done += 1
            last = float(loss.item())
            if progress:
                progress(done, steps)
    out.mkdir(parents=True, exist_ok=True)
    model.to("cpu")
    model.save_pretrained(out, safe_serialization=True)
    # peft records the resolved cache folder of the base; record the name the user gave
    # (built-in name, folder or hub id) so the adapter loads on another machine too.
    cfg_path = out / "adapter_config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg["base_model_name_or_path"] = settings.base
    cfg_path.write_text(json.dumps(cfg))
    canonicalise_adapter_config(cfg_path)
    return {"base": settings.base, "rows": len(idx), "steps": done, "final_loss": round(last, 4)}


class LlmScorer:
    """Loaded adapter; ``predict`` gives P(malicious) per text."""

    def __init__(self, adapter: Path, device: str = "auto") -> None:
        from chainllm.model import load_seq_classifier

        _quiet()
        self.device = _device(device)
        self.model, self.tok = load_seq_classifier(adapter=adapter, trainable=False)
        self.model.to(self.device)
        self.model.eval()

    def predict(self, texts: Sequence[str], batch: int = 32) -> list[float]:
        import torch

        out: list[float] = []
        with torch.inference_mode():
            for i in range(0, len(texts), batch):
                enc = self.tok(
                    list(texts[i : i + batch]),
                    padding=True,
                    truncation=True,
                    max_length=MAX_TOKENS,
                    return_tensors="pt",
                )
                with _autocast(self.device):
                    logits = self.model(**enc.to(self.device)).logits
                probs = torch.softmax(logits.float(), dim=-1)[:, 1]
                out.extend(float(p) for p in probs)
        return out
