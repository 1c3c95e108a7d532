"""`chainllm train`: subcommands live in their own modules."""

from __future__ import annotations

import click

from chainllm.cli.lazy import LazySubgroup


@click.group(
    name="train",
    cls=LazySubgroup,
    subcommands={
        "generator": "chainllm.cli.train_generator:generator",
        "fraud": "chainllm.cli.train_fraud:fraud",
    },
)
def train() -> None:
    """Fine-tune models (the contract generator with LoRA, the fraud scorers)."""
