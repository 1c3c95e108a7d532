"""Honest evaluation of a generator adapter: held-out perplexity (base vs adapter, same
tokens) and the compile rate of sampled contracts, checked by the audit toolchain's compiler.
"""

from __future__ import annotations

import json
import math
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from chainllm.errors import BadInputError, ChainLLMError
from chainllm.model.bases import resolve_base
from chainllm.model.data import (
    PromptStyle,
    build_pairs,
    chunk,
    collate,
    contract_request,
    encode_pair,
    load_corpus,
)
from chainllm.model.loading import adapter_base, adapter_base_dir, check_adapter_folder


@dataclass(frozen=True)
class SampleResult:
    request: str
    compiled: bool
    reason: str  # first compiler error, or "" when it compiled
    tokens: int


@dataclass(frozen=True)
class GeneratorEval:
    adapter: str
    base: str
    split: str
    files: int
    tokens: int  # answer tokens scored
    base_loss: float
    adapter_loss: float
    samples: tuple[SampleResult, ...] = field(default_factory=tuple)
    generation_tokens_per_s: float | None = None
    seconds: float = 0.0

    @property
    def base_perplexity(self) -> float:
        return math.exp(self.base_loss)

    @property
    def adapter_perplexity(self) -> float:
        return math.exp(self.adapter_loss)

    @property
    def perplexity_drop_pct(self) -> float:
        return 100.0 * (1.0 - self.adapter_perplexity / self.base_perplexity)

    @property
    def compile_rate(self) -> float | None:
        return sum(s.compiled for s in self.samples) / len(self.samples) if self.samples else None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.update(
            base_perplexity=round(self.base_perplexity, 4),
            adapter_perplexity=round(self.adapter_perplexity, 4),
            perplexity_drop_pct=round(self.perplexity_drop_pct, 2),
            compile_rate=self.compile_rate,
            seconds=round(self.seconds, 2),
        )
        return d


def mean_loss(
    model: Any, blocks: list[tuple[list[int], list[int]]], pad_id: int, *, batch_size: int = 4
) -> tuple[float, int]:
    """Token-weighted mean cross-entropy over the answer tokens of ``blocks``."""
    import torch

    total, count = 0.0, 0
    model.eval()
    with torch.no_grad():
        for i in range(0, len(blocks), batch_size):
            batch = collate(blocks[i : i + batch_size], pad_id)
            logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
            labels = batch["labels"][:, 1:]
            flat = logits[:, :-1].float().reshape(-1, logits.size(-1))
            total += float(
                torch.nn.functional.cross_entropy(
                    flat, labels.reshape(-1), ignore_index=-100, reduction="sum"
                )
            )
            count += int((labels != -100).sum())
    if count == 0:
        raise BadInputError("the held-out split has no answer tokens to score")
    return total / count, count


_FENCE = re.compile(r"```(?:solidity|sol)?\s*\n(.*?)(?:```|$)", re.S)


def extract_solidity(text: str) -> str:
    """The code part of a completion (fenced block if the model used one)."""
    m = _FENCE.search(text)
    return (m.group(1) if m else text).strip() + "\n"


def compile_ok(source: str) -> tuple[bool, str]:
    from chainllm.audit.compile import compile_file

    with tempfile.TemporaryDirectory(prefix="chainllm-eval-") as tmp:
        path = Path(tmp) / "Generated.sol"
        path.write_text(source)
        try:
            comp = compile_file(path, root=Path(tmp), check=False)
        except ChainLLMError as exc:
            return False, str(exc).splitlines()[0][:200]
        if comp.result.compiled:
            return True, ""
        first = comp.result.errors[0] if comp.result.errors else None
        return False, (f"{first.code or 'Error'}: {first.message}" if first else "did not compile")[:200]


def evaluate_generator(
    adapter: Path,
    *,
    base: str | None = None,
    corpus: Path | None = None,
    split: str = "test",
    samples: int = 4,
    max_new_tokens: int = 256,
    context_length: int | None = None,
    max_blocks: int = 64,
    seed: int = 0,
    allow_pickle: bool = False,
    log: Callable[[str], None] | None = None,
) -> GeneratorEval:
    """Score base and base+adapter on the same held-out answer tokens, then sample
    ``samples`` contracts for held-out requests and compile each one."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from chainllm.model.loading import load_tokenizer

    started = time.perf_counter()
    adapter = Path(adapter)
    check_adapter_folder(adapter, allow_pickle=allow_pickle)
    recorded = _training_config(adapter)
    corpus_dir = Path(corpus) if corpus else _recorded_corpus(recorded)
    data = load_corpus(corpus_dir, need_train=False)
    rows = data.rows(split)
    if not rows:
        raise BadInputError(
            f"corpus {corpus_dir} has no {split} rows to evaluate on",
            hint="build the corpus with held-out splits, or pass --split validation",
        )
    base_name = base or adapter_base(adapter)
    if base_name == "tiny" and data.train:
        # Rebuilds (or finds) the tiny base from the training corpus it was trained with.
        resolve_base("tiny", tiny_texts=[r["content"] for r in data.train])
    base_dir = adapter_base_dir(adapter, base, allow_pickle=allow_pickle)
    model: Any = AutoModelForCausalLM.from_pretrained(
        base_dir, dtype=torch.float32, use_safetensors=not allow_pickle
    )
    tokenizer = load_tokenizer(base_dir)
    model = PeftModel.from_pretrained(model, adapter)
    model.eval()
    style = PromptStyle.load(adapter)
    ctx = context_length or int(recorded.get("config", {}).get("context_length", 512))
    blocks = chunk([encode_pair(p, tokenizer, style) for p in build_pairs(rows, functions=False)], ctx)
    blocks = blocks[:max_blocks] if max_blocks else blocks
    pad = tokenizer.pad_token_id
    say = log or (lambda _m: None)
    say(f"scoring {len(blocks)} held-out blocks ({split} split) with the adapter, then the base")
    adapter_loss, n_tokens = mean_loss(model, blocks, pad)
    with model.disable_adapter():
        base_loss, _ = mean_loss(model, blocks, pad)

    results: list[SampleResult] = []
    gen_tokens, gen_seconds = 0, 0.0
    torch.manual_seed(seed)
    for i, row in enumerate(rows[:samples], 1):
        say(f"sampling contract {i}/{min(samples, len(rows))} and compiling it")
        request = contract_request(row)
        enc = tokenizer(style.prompt(request), return_tensors="pt", add_special_tokens=True)
        t0 = time.perf_counter()
        with torch.no_grad():
            out = model.generate(
                **enc, max_new_tokens=max_new_tokens, do_sample=True, temperature=0.8, top_p=0.95,
                pad_token_id=pad, eos_token_id=tokenizer.eos_token_id,
            )  # fmt: skip
        gen_seconds += time.perf_counter() - t0
        new = out[0, enc["input_ids"].shape[1] :]
        gen_tokens += int(new.numel())
        ok, reason = compile_ok(extract_solidity(tokenizer.decode(new, skip_special_tokens=True)))
        results.append(SampleResult(request[:200], ok, reason, int(new.numel())))
    return GeneratorEval(
        adapter=str(adapter),
        base=base_name,
        split=split,
        files=len(rows),
        tokens=n_tokens,
        base_loss=base_loss,
        adapter_loss=adapter_loss,
        samples=tuple(results),
        generation_tokens_per_s=round(gen_tokens / gen_seconds, 1) if gen_seconds else None,
        seconds=time.perf_counter() - started,
    )


def _training_config(adapter: Path) -> dict[str, Any]:
    path = adapter / "training_config.json"
    if path.is_file():
        data: dict[str, Any] = json.loads(path.read_text())
        return data
    return {}


def _recorded_corpus(recorded: dict[str, Any]) -> Path:
    from chainllm.model.trainer import DEFAULT_CORPUS

    name = recorded.get("config", {}).get("corpus")
    default = Path(DEFAULT_CORPUS)
    if name and default.name != name:
        raise BadInputError(
            f"the adapter was trained on corpus {name!r}; pass --corpus with that folder",
        )
    return default
