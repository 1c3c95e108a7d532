"""`chainllm crawl txs`: blocks, transactions, receipts, logs, token transfers, contract code
(and traces) from JSON-RPC nodes into Parquet."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import click
from rich.console import Console

from chainllm import config
from chainllm.chain.connect import resolve_rpc
from chainllm.cli.chain_progress import LazyBar
from chainllm.cli.options import json_option, rpc_option
from chainllm.crawl.txs import CrawlConfig, crawl


@click.command(name="txs")
@rpc_option
@click.option("--from-block", type=int, default=0, show_default=True)
@click.option("--to-block", type=int, help="Last block (default: the head).")
@click.option(
    "--follow", is_flag=True, help="Keep crawling new blocks, --reorg-buffer behind the head (Ctrl-C stops)."
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: <data dir>/crawl/txs).",
)
@click.option("--partition-size", type=int, default=1000, show_default=True, help="Blocks per Parquet file.")
@click.option(
    "--batch",
    "batch_blocks",
    type=int,
    default=20,
    show_default=True,
    help="Blocks per JSON-RPC post to start with (adapts).",
)
@click.option("--concurrency", type=int, default=2, show_default=True, help="Posts in flight.")
@click.option("--traces", is_flag=True, help="Also fetch call traces (debug_traceBlockByNumber, callTracer).")
@click.option("--rate-limit", type=float, help="At most this many JSON-RPC calls per second.")
@click.option(
    "--reorg-buffer",
    type=int,
    default=12,
    show_default=True,
    help="With --follow: blocks to stay behind the head.",
)
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds per HTTP request.")
@json_option
def txs(
    rpc: tuple[str, ...],
    from_block: int,
    to_block: int | None,
    follow: bool,
    out: Path | None,
    partition_size: int,
    batch_blocks: int,
    concurrency: int,
    traces: bool,
    rate_limit: float | None,
    reorg_buffer: int,
    timeout: float,
    as_json: bool,
) -> None:
    """Crawl a block range into Parquet tables (blocks, transactions, receipts, logs,
    token_transfers, contracts, traces), one file per table per block partition. Rerun the
    same command after an interruption: finished partitions are kept, the rest is redone.

    \b
    Example:
      chainllm crawl txs --rpc http://127.0.0.1:8545 --from-block 0 --to-block 5000 --out chain-data
      python -c "import pandas; print(pandas.read_parquet('chain-data/transactions').shape)"
    """
    cfg = CrawlConfig(
        rpc_urls=resolve_rpc(rpc),
        out=out or config.data_dir() / "crawl" / "txs",
        from_block=from_block,
        to_block=to_block,
        follow=follow,
        partition_size=partition_size,
        batch_blocks=batch_blocks,
        concurrency=concurrency,
        traces=traces,
        rate_limit=rate_limit,
        reorg_buffer=reorg_buffer,
        timeout=timeout,
    )
    stop = threading.Event()
    err = Console(stderr=True)
    try:
        with LazyBar("crawling blocks", enabled=not as_json) as bar:
            stats = crawl(cfg, stop=stop, progress=bar.update)
    except KeyboardInterrupt:
        stop.set()
        err.print("interrupted: finished partitions are saved; rerun the command to resume")
        raise SystemExit(130) from None
    for w in stats.warnings:
        err.print(f"warning: {w}")
    if as_json:
        click.echo(json.dumps({"out": str(cfg.out), **stats.to_dict()}, indent=2))
        return
    d = stats.to_dict()
    click.echo(
        f"{stats.blocks} blocks, {stats.transactions} txs, {stats.logs} logs, {stats.token_transfers} token transfers, "
        f"{stats.contracts} contracts in {d['seconds']} s ({d['blocks_per_s']} blocks/s, {d['txs_per_s']} tx/s); "
        f"{stats.partitions_skipped} partitions already done -> {cfg.out}"
    )
