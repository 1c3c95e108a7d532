"""`chainllm crawl`: subcommands live in their own modules."""

from __future__ import annotations

import click

from chainllm.cli.lazy import LazySubgroup


@click.group(
    name="crawl",
    cls=LazySubgroup,
    subcommands={
        "sources": "chainllm.cli.crawl_sources:sources",
        "txs": "chainllm.cli.crawl_txs:txs",
    },
)
def crawl() -> None:
    """Gather data (Solidity sources for the corpus, chain data for fraud scoring)."""
