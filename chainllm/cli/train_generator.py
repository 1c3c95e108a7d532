"""`chainllm train generator`: LoRA fine-tuning of the contract generator."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from chainllm.cli.options import json_option


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
@click.option("--max-steps", type=int, default=60, show_default=True, help="Optimizer steps.")
@click.option("--batch-size", type=int, default=4, show_default=True)
@click.option("--grad-accum", type=int, default=1, show_default=True, help="Micro-batches per step.")
@click.option("--context-length", type=int, default=512, show_default=True, help="Tokens per packed block.")
@click.option("--learning-rate", "--lr", "learning_rate", type=float, default=2e-4, show_default=True)
@click.option("--warmup-steps", type=int, default=6, show_default=True)
@click.option("--lora-r", type=int, default=16, show_default=True)
@click.option("--lora-alpha", type=int, default=32, show_default=True)
@click.option("--lora-dropout", type=float, default=0.05, show_default=True)
@click.option(
    "--lora-targets", default="all", show_default=True, help="all | attn | qv | comma-separated module names."
)
@click.option("--eval-every", type=int, default=20, show_default=True)
@click.option("--eval-batches", type=int, default=4, show_default=True, help="0 = whole validation split.")
@click.option("--patience", type=int, default=3, show_default=True, help="Early stopping (0 = off).")
@click.option("--save-every", type=int, default=10, show_default=True, help="Checkpoint interval (steps).")
@click.option("--seed", type=int, default=0, show_default=True)
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
    from transformers.utils import logging as hf_logging

    from chainllm.model.lora import LoraSettings
    from chainllm.model.trainer import TrainConfig, train_generator

    hf_logging.disable_progress_bar()  # our own progress/logs are on stderr; no per-load bars

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


class _Progress:
    """Rich progress on stderr: loss, tokens/s and ETA. Plain lines when not a TTY."""

    def __init__(self, quiet: bool) -> None:
        from rich.console import Console

        self.console = Console(stderr=True)
        self.quiet = quiet
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def event(self, e: Any) -> None:
        if e.kind in ("start", "resume"):
            self._log(e.message)
            if self.console.is_terminal and self.bar is None:
                from rich.progress import (
                    BarColumn,
                    MofNCompleteColumn,
                    Progress,
                    TextColumn,
                    TimeRemainingColumn,
                )

                self.bar = Progress(
                    TextColumn("training"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[info]}"), TimeRemainingColumn(), console=self.console,
                )  # fmt: skip
                self.bar.start()
                self.task = self.bar.add_task("train", total=e.max_steps, completed=e.step, info="")
        elif e.kind == "step":
            info = f"loss {e.loss:.3f}  {e.tokens_per_s:.0f} tok/s"
            if self.bar is not None:
                self.bar.update(self.task, completed=e.step, info=info)
            elif e.step == 1 or e.step % 10 == 0 or e.step == e.max_steps:
                eta = f"  ETA {e.eta_s / 60:.1f} min" if e.eta_s is not None else ""
                self._log(f"step {e.step}/{e.max_steps}  {info}{eta}")
        elif e.kind in ("eval", "checkpoint"):
            self._log(f"step {e.step}: {e.message}")

    def _log(self, text: str) -> None:
        if self.bar is not None:
            self.bar.console.print(text)
        elif not self.quiet or not sys.stderr.isatty():
            self.console.print(text, highlight=False)
