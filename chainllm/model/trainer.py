"""The LoRA training loop (plain torch + peft): cosine schedule with warm-up, gradient
accumulation, bf16 autocast, periodic evaluation with early stopping, atomic checkpoints
(safetensors + JSON, no pickles) and exact resume after a kill.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chainllm.errors import BadInputError, ChainLLMError
from chainllm.io import atomic_write, sha256_file, write_json
from chainllm.model import artifacts
from chainllm.model.bases import DEFAULT_BASE, base_info, resolve_base
from chainllm.model.data import (
    CorpusSplits,
    PromptStyle,
    build_pairs,
    chunk,
    collate,
    corpus_fingerprint,
    encode_pair,
    load_corpus,
    pack,
)
from chainllm.model.loading import quiet_peft
from chainllm.model.lora import DevicePlan, LoraSettings, peft_lora_config, plan_device, quantization_config

CHECKPOINTS = "checkpoints"
DEFAULT_CORPUS = "corpus/build/default"
# Files the final folder holds; the determinism test compares them byte for byte.
OUTPUT_FILES = (
    "adapter_config.json",
    "adapter_model.safetensors",
    "README.md",
    "training_config.json",
    "prompt_style.json",
    "metrics.json",
)


class ResourceError(BadInputError, MemoryError):
    """Settings that do not fit in memory."""


@dataclass(frozen=True)
class Distributed:
    """One process of an `accelerate launch` (or torchrun) job, or the only one."""

    accelerator: Any
    rank: int
    world: int
    local_rank: int
    replicated_optimizer: bool  # every rank holds the full optimizer state (single, DDP)

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def barrier(self) -> None:
        if self.accelerator is not None:
            self.accelerator.wait_for_everyone()

    @classmethod
    def from_env(cls) -> Distributed:
        world = int(os.environ.get("WORLD_SIZE", "1"))
        if world <= 1:
            return cls(None, 0, 1, 0, True)
        from accelerate import Accelerator
        from accelerate.utils import DistributedType

        acc = Accelerator()
        if acc.num_processes != world:
            # e.g. torchrun on CPU without ACCELERATE_USE_CPU: every rank would train alone
            # and overwrite the others' checkpoints.
            raise BadInputError(
                f"WORLD_SIZE={world} but accelerate sees {acc.num_processes} process(es)",
                hint="launch with `accelerate launch --config_file configs/...` (add --cpu on CPU-only machines)",
            )
        sharded = acc.distributed_type in (DistributedType.FSDP, DistributedType.DEEPSPEED)
        return cls(acc, acc.process_index, acc.num_processes, acc.local_process_index, not sharded)


@dataclass(frozen=True)
class TrainConfig:
    """Everything that determines a training run (saved as training_config.json)."""

    corpus: str
    """Corpus folder with data/{train,validation,test}-*.parquet."""
    base: str = DEFAULT_BASE
    """Built-in name, local folder or hub id."""
    lora: LoraSettings = field(default_factory=LoraSettings)
    learning_rate: float = 3e-4
    warmup_steps: int = 4
    max_steps: int = 48
    """Optimizer steps. The CPU defaults (48 steps x 1,024 tokens, 4 evaluations of 8 blocks)
    are sized for the bundled 135M model on a 2-core laptop CPU in fp32 (~40-100 tok/s): 10-25
    minutes. Raise steps, batch and context length on a GPU."""
    batch_size: int = 2
    grad_accum: int = 1
    context_length: int = 512
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    eval_every: int = 16
    eval_batches: int = 4
    """Validation batches per evaluation (0: the whole split)."""
    patience: int = 3
    """Stop after this many evaluations without a better validation loss (0: never)."""
    save_every: int = 10
    keep_checkpoints: int = 2
    seed: int = 0
    device: str = "auto"
    precision: str = "auto"
    quantize: str | None = None
    gradient_checkpointing: bool | None = None
    function_pairs: bool = True
    """Add function-level pairs besides whole-file pairs."""

    def __post_init__(self) -> None:
        problems = []
        for name in ("max_steps", "batch_size", "grad_accum", "context_length", "eval_every", "save_every"):
            if getattr(self, name) < 1:
                problems.append(f"--{name.replace('_', '-')} must be >= 1 (got {getattr(self, name)})")
        if self.context_length < 16:
            problems.append(f"--context-length must be >= 16 (got {self.context_length})")
        if not 0 < self.learning_rate < 1:
            problems.append(f"--learning-rate must be in (0, 1) (got {self.learning_rate})")
        if self.warmup_steps < 0 or self.patience < 0 or self.eval_batches < 0:
            problems.append("--warmup-steps, --patience and --eval-batches must be >= 0")
        if problems:
            raise BadInputError("; ".join(problems))

    @property
    def tokens_per_step(self) -> int:
        return self.batch_size * self.grad_accum * self.context_length

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["corpus"] = Path(self.corpus).name  # the name, not a machine-specific path
        return d


@dataclass(frozen=True)
class TrainEvent:
    """What the loop reports to its caller (the CLI renders it)."""

    kind: str  # "start" | "step" | "eval" | "checkpoint" | "resume" | "done"
    step: int
    max_steps: int
    loss: float | None = None
    lr: float | None = None
    tokens_per_s: float | None = None
    eta_s: float | None = None
    message: str = ""


@dataclass(frozen=True)
class TrainResult:
    out: Path
    metrics: dict[str, Any]
    timing: dict[str, Any]


# --- helpers ---------------------------------------------------------------------------------


def lr_factor(step: int, warmup: int, total: int) -> float:
    """Linear warm-up then cosine decay to 10% of the peak."""
    if warmup and step < warmup:
        return (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return 0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * progress))


def evals_left(step: int, cfg: TrainConfig) -> int:
    """Evaluations the loop still runs after ``step`` (every eval_every steps and at the end)."""
    return sum(1 for s in range(step + 1, cfg.max_steps + 1) if s % cfg.eval_every == 0 or s == cfg.max_steps)


def eta_seconds(
    step: int, cfg: TrainConfig, tokens_per_s: float, eval_s: float | None, world: int = 1
) -> float | None:
    """Time left: the remaining training tokens at the measured rate, plus the remaining
    evaluations at the measured time of one (the initial, base-model one is timed first)."""
    if tokens_per_s <= 0:
        return None
    train = (cfg.max_steps - step) * cfg.tokens_per_step * world / tokens_per_s
    return train + evals_left(step, cfg) * (eval_s or 0.0)


def _mem_available() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def estimate_memory(model_cfg: Any, cfg: TrainConfig, n_params: int, plan: DevicePlan) -> int:
    """Rough peak bytes: weights + activations (Korthikanti et al.'s 34*h + 5*a*s per token
    and layer, in 16-bit; doubled in fp32) + logits and their gradient."""
    h = int(getattr(model_cfg, "hidden_size", 0))
    layers = int(getattr(model_cfg, "num_hidden_layers", 0))
    heads = int(getattr(model_cfg, "num_attention_heads", 1))
    vocab = int(getattr(model_cfg, "vocab_size", 0))
    b, s = cfg.batch_size, cfg.context_length
    width = 2 if plan.precision in ("bf16", "fp16") else 4
    act = b * s * layers * (34 * h + 5 * heads * s) * width // 2
    if plan.gradient_checkpointing:
        act = act // max(1, layers) + b * s * h * layers * width
    logits = b * s * vocab * 4 * 3
    weights = n_params * (4 if plan.load_dtype == "fp32" else 2)
    return int(weights + act + logits)


def _oom_advice(cfg: TrainConfig) -> str:
    return (
        f"lower --batch-size (now {cfg.batch_size}) or --context-length (now {cfg.context_length}) "
        f"and raise --grad-accum to keep the effective batch; on CUDA add --gradient-checkpointing "
        f"or --quantize 4bit"
    )


def _is_oom(exc: BaseException) -> bool:
    import torch

    if isinstance(exc, torch.OutOfMemoryError | MemoryError):
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and ("out of memory" in text or "can't allocate memory" in text)


# --- checkpoints -----------------------------------------------------------------------------


def _save_checkpoint(
    out: Path, step: int, lora_state: dict[str, Any], optimizer: Any | None, state: dict[str, Any], keep: int
) -> Path:
    """``checkpoints/step-NNNNNN/`` written to a temp folder then renamed: a kill leaves either
    the previous checkpoint or the new one, never half of one."""
    import torch
    from safetensors.torch import save_file

    root = out / CHECKPOINTS
    root.mkdir(parents=True, exist_ok=True)
    final = root / f"step-{step:06d}"
    tmp = root / f".tmp-step-{step:06d}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    save_file({k: v.detach().cpu().contiguous() for k, v in lora_state.items()}, tmp / "adapter.safetensors")
    groups: list[dict[str, Any]] = []
    if optimizer is not None:
        opt = optimizer.state_dict()
        flat: dict[str, Any] = {}
        for idx, pstate in opt["state"].items():
            for key, value in pstate.items():
                tensor = value if isinstance(value, torch.Tensor) else torch.tensor(value)
                flat[f"{idx}.{key}"] = tensor.detach().cpu().contiguous()
        save_file(flat, tmp / "optimizer.safetensors")
        groups = [
            {k: (list(v) if isinstance(v, tuple) else v) for k, v in g.items()} for g in opt["param_groups"]
        ]
    save_file({"cpu": torch.get_rng_state()}, tmp / "rng.safetensors")
    files = {p.name: sha256_file(p) for p in sorted(tmp.iterdir())}
    write_json(tmp / "trainer_state.json", {**state, "param_groups": groups, "files": files})
    shutil.rmtree(final, ignore_errors=True)
    os.rename(tmp, final)
    for old in sorted(root.glob("step-*"))[:-keep] if keep > 0 else []:
        shutil.rmtree(old, ignore_errors=True)
    return final


def latest_checkpoint(out: Path) -> Path | None:
    found = sorted((out / CHECKPOINTS).glob("step-*"))
    return found[-1] if found else None


def _load_checkpoint(path: Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None, Any]:
    """Verify every file's hash, then return (state, lora weights, optimizer dict, rng)."""
    from safetensors.torch import load_file

    fix = f"delete {path} to resume from the previous checkpoint, or pass --restart to start over"
    try:
        state = json.loads((path / "trainer_state.json").read_text())
        for name, digest in state["files"].items():
            if sha256_file(path / name) != digest:
                raise ValueError(f"{name} does not match its recorded sha256")
        lora = load_file(path / "adapter.safetensors")
        has_opt = "optimizer.safetensors" in state["files"]
        flat = load_file(path / "optimizer.safetensors") if has_opt else {}
        rng = load_file(path / "rng.safetensors")["cpu"]
    except (OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
        raise BadInputError(f"checkpoint {path} is corrupted ({exc})".replace("\n", " "), hint=fix) from exc
    opt_state: dict[int, dict[str, Any]] = {}
    for key, tensor in flat.items():
        idx, name = key.split(".", 1)
        opt_state.setdefault(int(idx), {})[name] = tensor
    groups = []
    for g in state["param_groups"]:
        g = dict(g)
        if isinstance(g.get("betas"), list):
            g["betas"] = tuple(g["betas"])
        groups.append(g)
    return state, lora, ({"state": opt_state, "param_groups": groups} if has_opt else None), rng


# --- the loop --------------------------------------------------------------------------------


def train_generator(
    cfg: TrainConfig,
    out: Path,
    *,
    resume: bool = True,
    on_event: Callable[[TrainEvent], None] | None = None,
    allow_pickle: bool = False,
) -> TrainResult:
    """Train a LoRA adapter on the corpus and write a self-describing folder to ``out``.

    With ``resume`` (default) a run whose ``out`` holds checkpoints of the same config picks up
    where it stopped; the result is identical to an uninterrupted run.
    """
    import torch

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise BadInputError(f"--out {out} is a file, not a folder", hint="give a folder path")
    corpus = load_corpus(Path(cfg.corpus))
    plan = plan_device(
        device=cfg.device,
        precision=cfg.precision,
        quantize=cfg.quantize,
        gradient_checkpointing=cfg.gradient_checkpointing,
    )
    tiny_texts = [r["content"] for r in corpus.train] if cfg.base == "tiny" else None
    base_dir = resolve_base(cfg.base, allow_pickle=allow_pickle, tiny_texts=tiny_texts)
    # Seeded only once the base exists: building it on first use (the tiny preset's random
    # init) draws from torch's RNG, and the run that built it must train exactly like the rest.
    torch.manual_seed(cfg.seed)
    # Only after the base exists: once torch.distributed is up, transformers' save_pretrained
    # writes nothing on ranks > 0, so a rank building the cached base there would leave it empty.
    dist = Distributed.from_env()
    emit = (on_event or (lambda _e: None)) if dist.is_main else (lambda _e: None)
    model, tokenizer = _load_for_training(base_dir, plan, allow_pickle, dist.local_rank)
    style = PromptStyle()

    train_pairs = build_pairs(corpus.train, functions=cfg.function_pairs)
    encoded = [encode_pair(p, tokenizer, style) for p in train_pairs]
    train_tokens = sum(sum(1 for x in lab if x != -100) for _, lab in encoded)
    val_rows = corpus.validation or corpus.test
    val_blocks = chunk([encode_pair(p, tokenizer, style) for p in build_pairs(val_rows, functions=False)],
                       cfg.context_length)  # fmt: skip

    n_params = sum(p.numel() for p in model.parameters())
    need = estimate_memory(model.config, cfg, n_params, plan)
    avail = _mem_available() if plan.device == "cpu" else None
    if avail is not None and need > avail:
        raise ResourceError(
            f"these settings need about {need / 2**30:.1f} GiB but {avail / 2**30:.1f} GiB is free",
            hint=_oom_advice(cfg),
        )

    if not resume and dist.is_main:
        _discard_previous_run(out)  # only now: a bad option above must not cost the old checkpoints
    dist.barrier()

    from peft import get_peft_model
    from peft.utils import get_peft_model_state_dict, set_peft_model_state_dict

    lcfg = peft_lora_config(cfg.lora, model.config.model_type)
    lcfg.base_model_name_or_path = cfg.base
    if plan.gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.enable_input_require_grads()
    with quiet_peft():  # peft records the resolved cache path; the given name is put back below
        model = get_peft_model(model, lcfg)
    # peft swaps in the resolved path; the adapter records the name the user gave instead,
    # so the folder is portable (cache paths differ per machine).
    model.peft_config["default"].base_model_name_or_path = cfg.base
    peft_model = model
    device = dist.accelerator.device if dist.accelerator else torch.device(plan.device)
    if plan.quantize is None:
        model.to(device)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=cfg.learning_rate, weight_decay=cfg.weight_decay)
    if dist.accelerator is not None:
        # DDP / FSDP / DeepSpeed wrapping, as configured by `accelerate launch --config_file`.
        model, optimizer = dist.accelerator.prepare(model, optimizer)
        params = [p for p in model.parameters() if p.requires_grad]
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: lr_factor(s, cfg.warmup_steps, cfg.max_steps)
    )
    pad_id = tokenizer.pad_token_id
    autocast_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(plan.precision)

    def autocast() -> Any:
        if autocast_dtype is None:
            return torch.autocast(device_type=device.type, enabled=False)
        return torch.autocast(device_type=device.type, dtype=autocast_dtype)

    eval_seconds = 0.0  # kept out of tokens/s so throughput means training speed
    evals_run = 0

    def evaluate() -> float:
        nonlocal eval_seconds, evals_run
        t0 = time.perf_counter()
        model.eval()
        blocks = val_blocks[: _eval_blocks(cfg, len(val_blocks))]
        total, count = 0.0, 0
        with torch.no_grad():
            for i in range(0, len(blocks), cfg.batch_size):
                batch = {k: v.to(device) for k, v in collate(blocks[i : i + cfg.batch_size], pad_id).items()}
                with autocast():
                    logits = model(
                        input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
                    ).logits
                shift_logits = logits[:, :-1].float()
                shift_labels = batch["labels"][:, 1:]
                loss = torch.nn.functional.cross_entropy(
                    shift_logits.reshape(-1, shift_logits.size(-1)), shift_labels.reshape(-1),
                    ignore_index=-100, reduction="sum",
                )  # fmt: skip
                total += float(loss)
                count += int((shift_labels != -100).sum())
        model.train()
        eval_seconds += time.perf_counter() - t0
        evals_run += 1
        return total / max(1, count)

    # Training state; everything needed to continue lives in a checkpoint.
    step, epoch, cursor = 0, 0, 0
    best_val: float | None = None
    base_val: float | None = None
    bad_evals = 0
    history: list[dict[str, Any]] = []
    best_state: dict[str, Any] | None = None
    stop_reason = "max_steps"
    ckpt = latest_checkpoint(out) if resume else None
    if ckpt is not None:
        state, lora, opt_state, rng = _load_checkpoint(ckpt)
        if state["config"] != cfg.to_dict():
            raise BadInputError(
                f"{out} holds checkpoints of a different training config",
                hint="use another --out, rerun with the same options, or pass --restart",
            )
        set_peft_model_state_dict(peft_model, lora)
        if opt_state is not None:
            optimizer.load_state_dict(opt_state)
        torch.set_rng_state(rng)
        step, epoch, cursor = state["step"], state["epoch"], state["cursor"]
        best_val, base_val, bad_evals = state["best_val"], state["base_val"], state["bad_evals"]
        history = state["history"]
        if (ckpt.parent / "best").is_dir():
            from safetensors.torch import load_file

            best_state = load_file(ckpt.parent / "best" / "adapter.safetensors")
        scheduler.last_epoch = step
        for g, lam in zip(optimizer.param_groups, scheduler.lr_lambdas, strict=True):
            g["lr"] = cfg.learning_rate * lam(step)
        emit(TrainEvent("resume", step, cfg.max_steps, message=f"resumed from {ckpt.name}"))

    blocks = pack(encoded, cfg.context_length, seed=cfg.seed + epoch)
    if not blocks:
        raise BadInputError(f"corpus {cfg.corpus} yields no training tokens")
    evals = (
        f", evaluation every {cfg.eval_every} steps on {_eval_blocks(cfg, len(val_blocks))} blocks"
        if val_blocks
        else ""
    )
    emit(TrainEvent("start", step, cfg.max_steps, message=(
        f"{len(train_pairs)} pairs, {train_tokens} answer tokens, {len(blocks)} blocks of "
        f"{cfg.context_length}; {plan.device} {plan.precision}, {torch.get_num_threads()} threads; "
        f"plan: {cfg.max_steps - step} steps x {cfg.tokens_per_step * dist.world} tokens{evals}")))  # fmt: skip

    def lora_state() -> dict[str, Any]:
        full = dist.accelerator.get_state_dict(model) if dist.accelerator else None  # collective under FSDP
        # save_embedding_layers=False: with "auto", peft looks the base name up on the hub.
        found = get_peft_model_state_dict(peft_model, state_dict=full, save_embedding_layers=False)
        return {k: v.detach().cpu().clone() for k, v in found.items()}

    def checkpoint() -> None:
        state = {
            "config": cfg.to_dict(), "step": step, "epoch": epoch, "cursor": cursor,
            "best_val": best_val, "base_val": base_val, "bad_evals": bad_evals, "history": history,
        }  # fmt: skip
        weights = lora_state()
        if dist.is_main:
            # Sharded optimizers (FSDP, DeepSpeed) keep their moments per rank: only LoRA weights
            # and the data position are checkpointed there; Adam restarts its moments on resume.
            opt = optimizer if dist.replicated_optimizer else None
            path = _save_checkpoint(out, step, weights, opt, state, cfg.keep_checkpoints)
            emit(TrainEvent("checkpoint", step, cfg.max_steps, message=str(path)))
        dist.barrier()

    def run_eval(initial: bool = False) -> bool:
        """Evaluate; return True when early stopping triggers. The initial evaluation is the
        base model's score (LoRA starts as the identity, B = 0) and the first 'best': an
        adapter that never beats the base ends up as that identity, not as its worse self."""
        nonlocal best_val, bad_evals, best_state, base_val
        val = evaluate()
        history.append({"step": step, "val_loss": round(val, 6)})
        label = "base model val loss" if initial else "val loss"
        emit(TrainEvent("eval", step, cfg.max_steps, loss=val, message=f"{label} {val:.4f}"))
        if initial:
            base_val = val
        if best_val is None or val < best_val - 1e-6:
            best_val, bad_evals = val, 0
            best_state = lora_state()
            if dist.is_main:
                from safetensors.torch import save_file

                best_dir = out / CHECKPOINTS / "best"
                best_dir.mkdir(parents=True, exist_ok=True)
                save_file(best_state, best_dir / ".adapter.tmp")
                os.replace(best_dir / ".adapter.tmp", best_dir / "adapter.safetensors")
        else:
            bad_evals += 1
        return cfg.patience > 0 and bad_evals >= cfg.patience

    model.train()
    started = time.perf_counter()
    tokens_seen = 0
    warm: tuple[float, int] | None = None  # (train seconds, tokens) after this session's first step
    try:
        if base_val is None and val_blocks:
            run_eval(initial=True)
        while step < cfg.max_steps:
            step_loss = 0.0
            for _ in range(cfg.grad_accum):
                if cursor >= len(blocks):
                    epoch, cursor = epoch + 1, 0
                    blocks = pack(encoded, cfg.context_length, seed=cfg.seed + epoch)
                # Each rank takes its own slice of the global batch; indices wrap at the end
                # of an epoch so every rank always has a full micro-batch.
                first = cursor + dist.rank * cfg.batch_size
                batch_blocks = [blocks[(first + i) % len(blocks)] for i in range(cfg.batch_size)]
                cursor += cfg.batch_size * dist.world
                batch = {k: v.to(device) for k, v in collate(batch_blocks, pad_id).items()}
                with autocast():
                    loss = model(**batch).loss / cfg.grad_accum
                if dist.accelerator is not None:
                    dist.accelerator.backward(loss)
                else:
                    loss.backward()
                step_loss += loss.detach().item()
                tokens_seen += int(batch["attention_mask"].sum()) * dist.world
            if cfg.max_grad_norm > 0:
                if dist.accelerator is not None:
                    dist.accelerator.clip_grad_norm_(params, cfg.max_grad_norm)
                else:
                    torch.nn.utils.clip_grad_norm_(params, cfg.max_grad_norm)
            lr = optimizer.param_groups[0]["lr"]
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            elapsed = time.perf_counter() - started - eval_seconds
            tps = tokens_seen / elapsed if elapsed > 0 else 0.0
            # The ETA uses the rate after the first step, which pays for warm-up (allocations,
            # kernel selection) and would inflate the estimate.
            steady = tps
            if warm is None:
                warm = (elapsed, tokens_seen)
            elif elapsed > warm[0]:
                steady = (tokens_seen - warm[1]) / (elapsed - warm[0])
            eval_each = eval_seconds / evals_run if evals_run and val_blocks else None
            eta = eta_seconds(step, cfg, steady, eval_each, dist.world)
            emit(TrainEvent("step", step, cfg.max_steps, loss=step_loss, lr=lr, tokens_per_s=tps, eta_s=eta))
            stop = False
            if val_blocks and (step % cfg.eval_every == 0 or step == cfg.max_steps):
                stop = run_eval()
            if step % cfg.save_every == 0 or step == cfg.max_steps or stop:
                checkpoint()
            if stop:
                stop_reason = f"early stopping (no better validation loss in {cfg.patience} evaluations)"
                break
    except ChainLLMError:
        raise
    except Exception as exc:
        if _is_oom(exc):
            raise ResourceError(f"out of memory at step {step + 1}", hint=_oom_advice(cfg)) from exc
        raise
    train_seconds = time.perf_counter() - started - eval_seconds

    if best_state is not None:
        set_peft_model_state_dict(peft_model, best_state)
    metrics = _metrics(cfg, base_val, best_val, history, step, stop_reason)
    if not dist.is_main:
        dist.barrier()
        return TrainResult(out, metrics, {})
    _write_output(peft_model, out, cfg, base_dir, corpus, style, metrics, len(train_pairs), train_tokens)
    timing = {
        "train_seconds": round(train_seconds, 2),
        "tokens_per_s": round(tokens_seen / train_seconds, 1) if train_seconds else None,
        "tokens_seen_this_session": tokens_seen,
        "eval_seconds": round(eval_seconds, 2),
        "device": plan.device,
        "precision": plan.precision,
        "peak_rss_mb": _peak_rss_mb(),
    }
    write_json(out / "timing.json", timing)
    emit(TrainEvent("done", step, cfg.max_steps, message=str(out)))
    dist.barrier()
    return TrainResult(out, metrics, timing)


def _eval_blocks(cfg: TrainConfig, available: int) -> int:
    return min(available, cfg.eval_batches * cfg.batch_size) if cfg.eval_batches else available


def _discard_previous_run(out: Path) -> None:
    if (out / CHECKPOINTS).exists():
        shutil.rmtree(out / CHECKPOINTS)
    for name in (*OUTPUT_FILES, "timing.json"):
        (out / name).unlink(missing_ok=True)


def _load_for_training(
    base_dir: Path, plan: DevicePlan, allow_pickle: bool, local_rank: int
) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModelForCausalLM

    from chainllm.model.loading import load_tokenizer

    kwargs: dict[str, Any] = {
        "dtype": getattr(torch, {"fp32": "float32", "bf16": "bfloat16", "fp16": "float16"}[plan.load_dtype]),
        "use_safetensors": not allow_pickle,
    }
    qcfg = quantization_config(plan)
    if qcfg is not None:
        kwargs["quantization_config"] = qcfg
        kwargs["device_map"] = {"": local_rank}
    model = AutoModelForCausalLM.from_pretrained(base_dir, **kwargs)
    if qcfg is not None:
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=plan.gradient_checkpointing)
    tokenizer = load_tokenizer(base_dir)
    if model.config.pad_token_id is None:
        model.config.pad_token_id = tokenizer.pad_token_id
    model.config.use_cache = False
    return model, tokenizer


def _metrics(
    cfg: TrainConfig,
    base_val: float | None,
    best_val: float | None,
    history: list[dict[str, Any]],
    step: int,
    stop_reason: str,
) -> dict[str, Any]:
    def ppl(x: float | None) -> float | None:
        return round(math.exp(x), 4) if x is not None else None

    m: dict[str, Any] = {
        "steps": step,
        "stop_reason": stop_reason,
        "base_val_loss": round(base_val, 6) if base_val is not None else None,
        "base_val_perplexity": ppl(base_val),
        "val_loss": round(best_val, 6) if best_val is not None else None,
        "val_perplexity": ppl(best_val),
        "history": history,
    }
    if base_val is not None and best_val is not None:
        m["val_perplexity_drop_pct"] = round(100 * (1 - math.exp(best_val - base_val)), 2)
    return m


def _write_output(
    model: Any,
    out: Path,
    cfg: TrainConfig,
    base_dir: Path,
    corpus: CorpusSplits,
    style: PromptStyle,
    metrics: dict[str, Any],
    n_pairs: int,
    n_tokens: int,
) -> None:
    tmp = out / ".adapter-tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp, safe_serialization=True, save_embedding_layers=False)
    artifacts.canonicalise_adapter_config(tmp / "adapter_config.json")
    licences: dict[str, int] = {}
    for r in corpus.train:
        lic = str(r.get("license") or "unknown")
        licences[lic] = licences.get(lic, 0) + 1
    dataset = {
        "name": corpus.card.get("name", corpus.folder.name),
        "card_sha256": corpus_fingerprint(corpus),
        "train_files": len(corpus.train),
        "validation_files": len(corpus.validation),
        "test_files": len(corpus.test),
        "train_pairs": n_pairs,
        "train_tokens": n_tokens,
        "dropped_overlap": corpus.dropped_overlap,
        "licenses": dict(sorted(licences.items())),
    }
    info = base_info(base_dir)
    settings = cfg.to_dict()
    config_doc = {"config": settings, "dataset": dataset, "base": {"name": cfg.base, **info}}
    for name in ("adapter_config.json", "adapter_model.safetensors"):
        (tmp / name).chmod(0o644)  # safetensors writes 0600; the adapter is meant to be shared
        os.replace(tmp / name, out / name)
    shutil.rmtree(tmp, ignore_errors=True)
    write_json(out / "training_config.json", config_doc)
    write_json(out / "prompt_style.json", style.to_dict())
    write_json(out / "metrics.json", metrics)
    atomic_write(
        out / "README.md",
        artifacts.model_card(
            base=cfg.base, base_info=info, dataset=dataset, metrics=metrics, settings=settings,
            prompt_template=style.template,
        ),
    )  # fmt: skip


def _peak_rss_mb() -> float:
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
