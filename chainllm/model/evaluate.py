"""Honest evaluation of a generator adapter: held-out perplexity (base vs adapter, same
tokens) and a compile rate that can mean something for a small model: held-out functions are
regenerated from their request and put back into their original contract (laid out with the
files published beside it, so imports resolve), then compiled with the audit toolchain.
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from chainllm.errors import BadInputError, ChainLLMError
from chainllm.model.bases import resolve_base
from chainllm.model.data import (
    CorpusSplits,
    FunctionSpan,
    PromptStyle,
    build_pairs,
    chunk,
    collate,
    encode_pair,
    function_end,
    function_spans,
    load_corpus,
)
from chainllm.model.loading import adapter_base, adapter_base_dir, check_adapter_folder, quiet_peft
from chainllm.toolchain.pragma import code_chars

MAX_FUNCTION_CHARS = 1200  # longer functions rarely fit the default generation budget
CANDIDATE_FACTOR = 4  # rows tried per wanted sample before giving up (keeps the eval cheap)


@dataclass(frozen=True)
class SampleResult:
    source: str  # corpus path of the contract
    function: str  # the function regenerated
    compiled: bool
    reason: str  # why it failed ("" when it compiled)
    tokens: int  # tokens generated


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
    """Adapter completions, one per held-out function whose original contract compiles."""
    base_samples: tuple[SampleResult, ...] = field(default_factory=tuple)
    """The base model's completions of the same functions."""
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
        return _rate(self.samples)

    @property
    def base_compile_rate(self) -> float | None:
        return _rate(self.base_samples)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.update(
            base_perplexity=round(self.base_perplexity, 4),
            adapter_perplexity=round(self.adapter_perplexity, 4),
            perplexity_drop_pct=round(self.perplexity_drop_pct, 2),
            compile_rate=self.compile_rate,
            base_compile_rate=self.base_compile_rate,
            seconds=round(self.seconds, 2),
        )
        return d


def _rate(samples: tuple[SampleResult, ...]) -> float | None:
    return sum(s.compiled for s in samples) / len(samples) if samples else None


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


class ContractContext:
    """Corpus files laid out in a temporary folder the way they were published (npm packages
    under ``node_modules/<name>``, so relative and self-imports resolve), one folder per
    origin, written on first use. A row's file can then be compiled with one function swapped."""

    def __init__(self, corpus: CorpusSplits, tmp: Path) -> None:
        self.tmp = tmp
        self.by_origin: dict[str, list[dict[str, Any]]] = {}
        for split in ("train", "validation", "test"):
            for r in corpus.rows(split):
                self.by_origin.setdefault(str(r.get("origin") or ""), []).append(r)
        self.roots: dict[str, Path] = {}

    def _root(self, origin: str) -> Path:
        if origin not in self.roots:
            base = self.tmp / f"o{len(self.roots)}"
            root = (base / "src").resolve()
            if origin.startswith("npm:"):
                spec = origin[4:]
                root = (
                    base / "node_modules" / (spec[: spec.rfind("@")] if spec.rfind("@") > 0 else spec)
                ).resolve()
            for r in self.by_origin.get(origin, []):
                dest = self._dest(root, r)
                if dest is not None:
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    dest.write_text(r["content"], encoding="utf-8")
            self.roots[origin] = root
        return self.roots[origin]

    @staticmethod
    def _dest(root: Path, row: dict[str, Any]) -> Path | None:
        dest = (root / str(row.get("path") or "")).resolve()
        # A corpus path is data: one climbing out of the folder ("../x") is not followed.
        return dest if root in dest.parents and dest.suffix == ".sol" else None

    def compile(self, row: dict[str, Any], source: str) -> tuple[bool, str]:
        """Compile ``row``'s file with ``source`` in its place; (compiled, first error)."""
        from chainllm.audit.compile import compile_file

        root = self._root(str(row.get("origin") or ""))
        target = self._dest(root, row)
        if target is None:
            return False, f"unusable corpus path {row.get('path')!r}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source, encoding="utf-8")
        try:
            comp = compile_file(target, root=root, check=False)
        except ChainLLMError as exc:
            return False, str(exc).splitlines()[0][:200]
        finally:
            target.write_text(row["content"], encoding="utf-8")
        if comp.result.compiled:
            return True, ""
        first = comp.result.errors[0] if comp.result.errors else None
        return False, (f"{first.code or 'Error'}: {first.message}" if first else "did not compile")[:200]


def infill_tasks(
    rows: tuple[dict[str, Any], ...], ctx: ContractContext, n: int
) -> list[tuple[dict[str, Any], FunctionSpan]]:
    """Up to ``n`` held-out (row, function) pairs whose original contract compiles as laid
    out: a failure afterwards is then the generated function's, not the context's."""
    tasks: list[tuple[dict[str, Any], FunctionSpan]] = []
    tried = 0
    for row in rows:
        if len(tasks) >= n or tried >= CANDIDATE_FACTOR * n:
            break
        spans = [s for s in function_spans(row) if s.end - s.start <= MAX_FUNCTION_CHARS]
        if not spans:
            continue
        tried += 1
        if ctx.compile(row, row["content"])[0]:
            tasks.append((row, spans[0]))
    return tasks


def check_completion(
    ctx: ContractContext, row: dict[str, Any], span: FunctionSpan, completion: str, tokens: int = 0
) -> SampleResult:
    """Put the first complete function of ``completion`` in place of ``span`` and compile."""
    source = str(row.get("path") or row["id"])
    found = function_end(completion)
    if found is None:
        return SampleResult(source, span.name, False, "no complete function in the completion", tokens)
    name, begin, end = found
    if name != span.name:
        return SampleResult(source, span.name, False, f"wrote function {name}, not {span.name}", tokens)
    opening = completion.index("{", begin)
    if not any(not c.isspace() for _, c in code_chars(completion[: end - 1], opening + 1)):
        # An empty body compiles almost anywhere: it says nothing about the model.
        return SampleResult(source, span.name, False, "empty function body", tokens)
    src: str = row["content"]
    ok, reason = ctx.compile(row, src[: span.start] + completion[begin:end] + src[span.end :])
    return SampleResult(source, span.name, ok, reason, tokens)


def _stop_when_function_done(prompt_len: int, prefix: str, tokenizer: Any) -> Any:
    """Stop generating once the completion holds a whole function (greedy would go on)."""
    import torch
    from transformers import StoppingCriteria

    class _Done(StoppingCriteria):
        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            text = prefix + tokenizer.decode(input_ids[0, prompt_len:], skip_special_tokens=True)
            return torch.tensor([function_end(text) is not None], device=input_ids.device)

    return _Done()


def complete_function(
    model: Any, tokenizer: Any, style: PromptStyle, request: str, max_new_tokens: int, prefix: str = ""
) -> tuple[str, int]:
    """Greedy completion of a function request, prompted exactly as in training; ``prefix``
    starts the answer (the function's header, so the model writes the body, as in HumanEval:
    unprompted, a small model's greedy output tends to loop on comments)."""
    import torch
    from transformers import StoppingCriteriaList

    bos = [tokenizer.bos_token_id] if tokenizer.bos_token_id is not None else []
    ids = bos + tokenizer(style.prompt(request), add_special_tokens=False)["input_ids"]
    if prefix:  # tokenised on its own, like the answer in training
        ids += tokenizer(prefix, add_special_tokens=False)["input_ids"]
    input_ids = torch.tensor([ids])
    with torch.no_grad():
        out = model.generate(
            input_ids=input_ids, attention_mask=torch.ones_like(input_ids), max_new_tokens=max_new_tokens,
            do_sample=False, temperature=None, top_p=None, top_k=None,
            pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
            stopping_criteria=StoppingCriteriaList([_stop_when_function_done(len(ids), prefix, tokenizer)]),
        )  # fmt: skip
    new = out[0, len(ids) :]
    return prefix + tokenizer.decode(new, skip_special_tokens=True), int(new.numel())


def header_prefix(span: FunctionSpan) -> str:
    """The answer's opening line: the function's header and brace; the body is the model's."""
    return span.header + " {\n"


def evaluate_generator(
    adapter: Path,
    *,
    base: str | None = None,
    corpus: Path | None = None,
    split: str = "test",
    samples: int = 8,
    max_new_tokens: int = 256,
    context_length: int | None = None,
    max_blocks: int = 32,
    allow_pickle: bool = False,
    log: Callable[[str], None] | None = None,
) -> GeneratorEval:
    """Score base and base+adapter on the same held-out answer tokens, then regenerate
    ``samples`` held-out functions with each and compile them in their original contracts."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from chainllm.model.loading import load_tokenizer

    if samples < 0 or max_new_tokens < 1 or max_blocks < 0:
        raise BadInputError("--samples and --max-blocks must be >= 0 and --max-new-tokens >= 1")
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
    with quiet_peft():
        model = PeftModel.from_pretrained(model, adapter)
    model.eval()
    style = PromptStyle.load(adapter)
    ctx_len = context_length or int(recorded.get("config", {}).get("context_length", 512))
    blocks = chunk([encode_pair(p, tokenizer, style) for p in build_pairs(rows, functions=False)], ctx_len)
    blocks = blocks[:max_blocks] if max_blocks else blocks
    pad = tokenizer.pad_token_id
    say = log or (lambda _m: None)
    say(f"scoring {len(blocks)} held-out blocks ({split} split) with the adapter, then the base")
    adapter_loss, n_tokens = mean_loss(model, blocks, pad)
    with model.disable_adapter():
        base_loss, _ = mean_loss(model, blocks, pad)

    adapted: list[SampleResult] = []
    based: list[SampleResult] = []
    gen_tokens, gen_seconds = 0, 0.0
    with tempfile.TemporaryDirectory(prefix="chainllm-eval-") as tmp:
        ctx = ContractContext(data, Path(tmp))
        tasks = infill_tasks(rows, ctx, samples) if samples else []
        if samples:
            say(
                f"{len(tasks)} held-out functions whose contracts compile; regenerating each with both models"
            )
        for i, (row, span) in enumerate(tasks, 1):
            for results, use_adapter in ((adapted, True), (based, False)):
                t0 = time.perf_counter()
                args = (model, tokenizer, style, span.request, max_new_tokens, header_prefix(span))
                if use_adapter:
                    text, n = complete_function(*args)
                else:
                    with model.disable_adapter():
                        text, n = complete_function(*args)
                gen_seconds += time.perf_counter() - t0
                gen_tokens += n
                results.append(check_completion(ctx, row, span, text, n))
            say(
                f"function {i}/{len(tasks)} {span.name}: adapter {_verdict(adapted[-1])}, base {_verdict(based[-1])}"
            )
    return GeneratorEval(
        adapter=str(adapter),
        base=base_name,
        split=split,
        files=len(rows),
        tokens=n_tokens,
        base_loss=base_loss,
        adapter_loss=adapter_loss,
        samples=tuple(adapted),
        base_samples=tuple(based),
        generation_tokens_per_s=round(gen_tokens / gen_seconds, 1) if gen_seconds else None,
        seconds=time.perf_counter() - started,
    )


def _verdict(r: SampleResult) -> str:
    return "compiles" if r.compiled else "fails"


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
