"""`chainllm train generator`: LoRA fine-tuning of the contract generator."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from chainllm.cli.options import json_option
from chainllm.model.lora import LoraSettings
from chainllm.model.trainer import TrainConfig

# The CLI's defaults are the library's (one place to resize the default CPU run).
_D = TrainConfig(corpus="")


@click.command(name="generator")
@click.option(
    "--base",
    default="smollm2-135m",
    show_default=True,
    help="Built-in (smollm2-135m, tiny), a local HF folder, or a hub id (online only).",
)
@click.option(
    "--corpus",
    "corpus",
    type=click.Path(path_type=Path),
    default=Path("corpus/build/default"),
    show_default=True,
    help="Corpus folder from `chainllm corpus build`.",
)
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="Output adapter folder.")
@click.option("--max-steps", type=int, default=_D.max_steps, show_default=True, help="Optimizer steps.")
@click.option("--batch-size", type=int, default=_D.batch_size, show_default=True)
@click.option(
    "--grad-accum", type=int, default=_D.grad_accum, show_default=True, help="Micro-batches per step."
)
@click.option(
    "--context-length",
    type=int,
    default=_D.context_length,
    show_default=True,
    help="Tokens per packed block.",
)
@click.option(
    "--learning-rate", "--lr", "learning_rate", type=float, default=_D.learning_rate, show_default=True
)
@click.option("--warmup-steps", type=int, default=_D.warmup_steps, show_default=True)
@click.option("--lora-r", type=int, default=_D.lora.r, show_default=True)
@click.option("--lora-alpha", type=int, default=_D.lora.alpha, show_default=True)
@click.option("--lora-dropout", type=float, default=_D.lora.dropout, show_default=True)
@click.option(
    "--lora-targets",
    default=_D.lora.targets,
    show_default=True,
    help="all | attn | qv | comma-separated module names.",
)
@click.option("--eval-every", type=int, default=_D.eval_every, show_default=True)
@click.option(
    "--eval-batches", type=int, default=_D.eval_batches, show_default=True, help="0 = whole validation split."
)
@click.option(
    "--patience", type=int, default=_D.patience, show_default=True, help="Early stopping (0 = off)."
)
@click.option(
    "--save-every", type=int, default=_D.save_every, show_default=True, help="Checkpoint interval (steps)."
)
@click.option("--seed", type=int, default=_D.seed, show_default=True)
@click.option(
    "--threads",
    type=int,
    default=0,
    show_default=True,
    help="CPU threads for torch (0 = torch's choice: one per core).",
)
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True)
@click.option(
    "--precision", type=click.Choice(["auto", "fp32", "bf16", "fp16"]), default="auto", show_default=True
)
@click.option("--quantize", type=click.Choice(["4bit", "8bit"]), default=None, help="QLoRA (CUDA only).")
@click.option(
    "--gradient-checkpointing/--no-gradient-checkpointing",
    default=None,
    help="Default: on for CUDA, off on CPU.",
)
@click.option("--restart", is_flag=True, help="Ignore checkpoints in --out and start over.")
@click.option("--allow-pickle", is_flag=True, help="Allow pickle weight files in the base folder (unsafe).")
@json_option
def generator(
    base: str,
    corpus: Path,
    out: Path,
    max_steps: int,
    batch_size: int,
    grad_accum: int,
    context_length: int,
    learning_rate: float,
    warmup_steps: int,
    lora_r: int,
    lora_alpha: int,
    lora_dropout: float,
    lora_targets: str,
    eval_every: int,
    eval_batches: int,
    patience: int,
    save_every: int,
    seed: int,
    threads: int,
    device: str,
    precision: str,
    quantize: str | None,
    gradient_checkpointing: bool | None,
    restart: bool,
    allow_pickle: bool,
    as_json: bool,
) -> None:
    """Fine-tune a LoRA adapter for Solidity generation on the corpus.

    Resumes automatically from the last checkpoint in --out after an interruption.

    Example:

    \b
        chainllm train generator --base smollm2-135m --corpus corpus/build/default --out adapters/gen
    """
    from chainllm.model.trainer import train_generator

    # Library progress bars are off unless -v (chainllm.progress.quiet_library_output, at startup).
    if threads < 0:
        raise click.BadParameter(f"must be >= 0 (got {threads})", param_hint="--threads")
    if threads:
        import torch

        torch.set_num_threads(threads)

    cfg = TrainConfig(
        corpus=str(corpus),
        base=base,
        lora=LoraSettings(r=lora_r, alpha=lora_alpha, dropout=lora_dropout, targets=lora_targets),
        learning_rate=learning_rate,
        warmup_steps=warmup_steps,
        max_steps=max_steps,
        batch_size=batch_size,
        grad_accum=grad_accum,
        context_length=context_length,
        eval_every=eval_every,
        eval_batches=eval_batches,
        patience=patience,
        save_every=save_every,
        seed=seed,
        device=device,
        precision=precision,
        quantize=quantize,
        gradient_checkpointing=gradient_checkpointing,
    )
    with _Progress(quiet=as_json) as progress:
        result = train_generator(
            cfg, out, resume=not restart, on_event=progress.event, allow_pickle=allow_pickle
        )
    m = result.metrics
    if as_json:
        click.echo(json.dumps({"out": str(result.out), "metrics": m, "timing": result.timing}, indent=2))
        return
    click.echo(f"adapter written to {result.out}")
    if m.get("base_val_perplexity") is not None:
        click.echo(
            f"validation perplexity: base {m['base_val_perplexity']:.3f} -> adapter {m['val_perplexity']:.3f} "
            f"({m.get('val_perplexity_drop_pct', 0):+.1f}% drop), {m['steps']} steps, {m['stop_reason']}"
        )
    click.echo(f"throughput {result.timing['tokens_per_s']} tokens/s on {result.timing['device']}"
               f" ({result.timing['precision']})")  # fmt: skip


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "ETA ?"
    minutes, secs = divmod(round(seconds), 60)
    return f"ETA {minutes}:{secs:02d}"


class _Progress:
    """The trainer's events through the one renderer (``StageBar``): on a terminal a bar with
    loss, tokens/s and ETA; in logs one line per event (the early steps carry the ETA).

    The bar is also the ``chainllm.progress`` reporter while training runs, so a stage deep in
    the library (the bundled base converted on first use) shows there, not as library bars."""

    def __init__(self, quiet: bool) -> None:
        from chainllm.cli.progress import StageBar

        # --json on a terminal: silent; off a terminal the log lines stay (stdout is the JSON).
        self.bar = StageBar(enabled=not (quiet and sys.stderr.isatty()))
        self.first_step = 0  # first step of this session (a resumed run starts later)
        self.steps_logged = 0  # step lines printed so far: the early ones carry the ETA, bar or not

    def __enter__(self) -> _Progress:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.bar.__exit__(*exc)

    def event(self, e: Any) -> None:
        bar = self.bar
        if e.kind in ("start", "resume"):
            bar.message(e.message)
            self.first_step = e.step + 1
            bar.stage("training", e.max_steps)
            bar.update(e.step, e.max_steps)
        elif e.kind == "step":
            # Our own ETA (training rate + measured evaluation time), not the bar's step rate.
            info = f"loss {e.loss:.3f}  {e.tokens_per_s:.0f} tok/s  {format_eta(e.eta_s)}"
            bar.info(info)
            bar.update(e.step, e.max_steps)
            # The first ETA after one step, a steadier one after three, then every 10 steps.
            early = self.steps_logged < 1 or (self.steps_logged < 2 and e.step >= self.first_step + 2)
            periodic = not bar.console.is_terminal and (e.step % 10 == 0 or e.step == e.max_steps)
            if early or periodic:
                bar.message(f"step {e.step}/{e.max_steps}  {info}")
                self.steps_logged += 1
        elif e.kind in ("eval", "checkpoint"):
            bar.message(f"step {e.step}: {e.message}")
