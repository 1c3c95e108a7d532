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
from chainllm.cli.options import json_option, ray_option, rpc_option
from chainllm.crawl.txs import CrawlConfig, crawl
from chainllm.errors import BadInputError, ServiceError

BLOCK_TAGS = ("latest", "finalized", "safe")


class BlockNumber(click.ParamType):
    """A block number (decimal or 0x hex) or a tag (latest, finalized, safe), as ethereum-etl
    and cryo users type it; tags are resolved to a number on the node before the crawl."""

    name = "BLOCK"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> int | str:
        if isinstance(value, int):
            return value
        text = str(value).strip().lower()
        if text in BLOCK_TAGS:
            return text
        try:
            number = int(text, 0)
        except ValueError:
            self.fail(f"{value!r} is not a block number or one of {', '.join(BLOCK_TAGS)}", param, ctx)
        if number < 0:
            self.fail(f"{value!r} is negative", param, ctx)
        return number


def resolve_block_tag(urls: tuple[str, ...], tag: str, timeout: float) -> int:
    """The number of the ``tag`` block on the first of ``urls`` that answers."""
    from chainllm.chain.transport import rpc_call

    errors: list[str] = []
    for url in urls:
        try:
            block = rpc_call(url, "eth_getBlockByNumber", [tag, False], timeout=timeout)
        except ServiceError as exc:
            errors.append(exc.message)
            continue
        if not isinstance(block, dict) or "number" not in block:
            raise BadInputError(
                f"--to-block {tag}: the node at {url} has no {tag} block yet", hint="pass a number"
            )
        return int(str(block["number"]), 16)
    raise ServiceError(
        f"--to-block {tag}: no node resolved the tag ({'; '.join(errors)})",
        hint="the node may not support this tag: pass a block number or `latest`",
    )


@click.command(name="txs")
@rpc_option
@click.option("--from-block", type=int, default=0, show_default=True)
@click.option(
    "--to-block",
    type=BlockNumber(),
    help="Last block: a number, or latest / finalized / safe (resolved on the node at start). Default: the head.",
)
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
@click.option("--state/--no-state", default=True, show_default=True,
              help="Record code, nonces and account ages of the addresses each transaction involves "
              "(tables account_state, bytecodes, account_ages), so `train fraud --chain-data` and "
              "`score --chain-data` need no RPC.")  # fmt: skip
@click.option("--rate-limit", type=float, help="At most this many JSON-RPC calls per second.")
@click.option(
    "--reorg-buffer",
    type=int,
    default=12,
    show_default=True,
    help="With --follow: blocks to stay behind the head.",
)
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds per HTTP request.")
@ray_option
@json_option
def txs(
    rpc: tuple[str, ...],
    from_block: int,
    to_block: int | str | None,
    follow: bool,
    out: Path | None,
    partition_size: int,
    batch_blocks: int,
    concurrency: int,
    traces: bool,
    state: bool,
    rate_limit: float | None,
    reorg_buffer: int,
    timeout: float,
    ray_address: str | None,
    as_json: bool,
) -> None:
    """Crawl a block range into Parquet tables (blocks, transactions, receipts, logs,
    token_transfers, contracts, traces, account_state, bytecodes, account_ages), one file
    per table per block partition. With --traces, the folder is a complete feature source
    for `train fraud --chain-data` and `score --chain-data`. Rerun the
    same command after an interruption: finished partitions are kept, the rest is redone.

    \b
    Example:
      chainllm crawl txs --rpc http://127.0.0.1:8545 --from-block 0 --to-block 5000 --out chain-data
      python -c "import pandas; print(pandas.read_parquet('chain-data/transactions').shape)"
    """
    urls = resolve_rpc(rpc)
    if isinstance(to_block, str):
        to_block = resolve_block_tag(urls, to_block, timeout)
    cfg = CrawlConfig(
        rpc_urls=urls,
        out=out or config.data_dir() / "crawl" / "txs",
        from_block=from_block,
        to_block=to_block,
        follow=follow,
        partition_size=partition_size,
        batch_blocks=batch_blocks,
        concurrency=concurrency,
        traces=traces,
        state=state,
        rate_limit=rate_limit,
        reorg_buffer=reorg_buffer,
        timeout=timeout,
    )
    stop = threading.Event()
    err = Console(stderr=True)
    if ray_address:  # block ranges on a Ray cluster: the same files (docs/scale.md)
        _on_ray(cfg, ray_address, as_json, err)
        return
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


def _on_ray(cfg: CrawlConfig, address: str, as_json: bool, err: Console) -> None:
    from chainllm.executor import make_executor
    from chainllm.executor.stages import crawl_txs_on_executor

    executor = make_executor(address)
    with LazyBar("crawling blocks", enabled=not as_json) as bar:
        d = crawl_txs_on_executor(cfg, executor, progress=bar.update)
    for w in d["retried"]:
        err.print(f"warning: {w}", soft_wrap=True)
    if as_json:
        click.echo(json.dumps({"out": str(cfg.out), **d}, indent=2))
        return
    click.echo(
        f"{d['blocks']} blocks, {d['transactions']} txs, {d['logs']} logs, {d['token_transfers']} token transfers, "
        f"{d['contracts']} contracts in {d['seconds']} s on {executor.workers()} Ray workers; "
        f"{d['partitions_skipped']} partitions already done -> {cfg.out}"
    )
