"""The progress bar of `crawl txs` and `simulate`: the one CLI renderer's ``LazyBar``
(chainllm.cli.progress), kept importable here."""

from __future__ import annotations

from chainllm.cli.progress import LazyBar

__all__ = ["LazyBar"]
