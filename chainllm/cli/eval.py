"""`chainllm eval`: subcommands live in their own modules."""

from __future__ import annotations

import click

from chainllm.cli.lazy import LazySubgroup


@click.group(
    name="eval",
    cls=LazySubgroup,
    subcommands={
        "lm": "chainllm.cli.eval_generator:lm",
        "generator": "chainllm.cli.eval_generator:generator",  # old name of `lm`, hidden
        "fraud": "chainllm.cli.eval_fraud:fraud",
        "generate": "chainllm.cli.eval_generate:generate",
        "audit": "chainllm.cli.eval_audit:audit",
    },
)
def eval_() -> None:
    """Evaluate models honestly on held-out data."""
