"""Crawl blocks, transactions, receipts, logs, token transfers, contract code (and optionally
traces) from any JSON-RPC node into Parquet, partitioned by block range, resumable.

Layout of ``out``::

    out/_crawl_state.json                      chain id, genesis hash, finished partitions
    out/<table>/<first>-<last>.parquet         one file per table per partition (12-digit
                                               zero-padded block numbers), tables in
                                               ``txs_tables.TABLES``

Read with ``pandas.read_parquet("out/transactions")`` or duckdb
``SELECT * FROM 'out/transactions/*.parquet'``.

A partition is ``partition_size`` blocks aligned to multiples of it. Each partition's files
are written to temp names and renamed, and only then is the partition recorded in the
state file; on start, files of unrecorded partitions (a crawl killed mid-write) are removed.
Resuming therefore leaves neither gaps nor duplicates. ``contracts`` lists the contracts
touched in a partition (a contract touched in several partitions appears once per partition;
``SELECT DISTINCT address`` for the set).
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from chainllm.chain.records import (
    Trace,
    q,
    receipt_from_rpc,
    receipt_to_rpc,
    trace_from_rows,
    trace_from_rpc,
    trace_to_rpc,
    tx_from_rpc,
    tx_to_rpc,
)
from chainllm.chain.transport import BatchFailed, Call, RpcCallError, Transport, probe_rpc
from chainllm.crawl.txs_tables import (
    SCHEMAS,
    block_row,
    code_hash,
    contract_row,
    log_row,
    parity_trace_row,
    receipt_row,
    token_transfer_rows,
    trace_rows,
    tx_row,
)
from chainllm.errors import BadInputError, ServiceError
from chainllm.fraud.fetch import state_calls, state_from_answers, tx_addresses
from chainllm.io import writing

STATE_FILE = "_crawl_state.json"
_PART_RE = re.compile(r"^(\d{12})-(\d{12})\.parquet$")


@dataclass(frozen=True)
class CrawlConfig:
    rpc_urls: tuple[str, ...]
    out: Path
    from_block: int = 0
    to_block: int | None = None  # None: the chain head (minus the reorg buffer when following)
    follow: bool = False
    partition_size: int = 1000
    batch_blocks: int = 20  # blocks per JSON-RPC post to start with (halved on failure)
    max_batch_blocks: int = 200
    concurrency: int = 2
    traces: bool = False
    # Record what fraud features need beyond the block (code, nonces, account ages of the
    # addresses each transaction involves), so `train fraud --chain-data` needs no RPC.
    state: bool = True
    rate_limit: float | None = None  # calls per second, across threads
    reorg_buffer: int = 12  # following: stay this many blocks behind the head
    poll_interval: float = 2.0
    timeout: float = 30.0
    max_retries: int = 4

    def __post_init__(self) -> None:
        problems = []
        if self.from_block < 0:
            problems.append(f"--from-block must be >= 0 (got {self.from_block})")
        if self.to_block is not None and self.to_block < self.from_block:
            problems.append(
                f"block range is reversed: --from-block {self.from_block} > --to-block {self.to_block}"
            )
        if self.partition_size < 1:
            problems.append("--partition-size must be >= 1")
        if not 1 <= self.batch_blocks <= self.max_batch_blocks:
            problems.append(f"--batch must be within 1..{self.max_batch_blocks}")
        if self.concurrency < 1:
            problems.append("--concurrency must be >= 1")
        if self.rate_limit is not None and self.rate_limit <= 0:
            problems.append("--rate-limit must be > 0 calls per second")
        if self.reorg_buffer < 0:
            problems.append("--reorg-buffer must be >= 0")
        if problems:
            raise BadInputError("; ".join(problems))


@dataclass
class CrawlStats:
    blocks: int = 0
    transactions: int = 0
    logs: int = 0
    token_transfers: int = 0
    contracts: int = 0
    traces: int = 0
    account_states: int = 0
    partitions_written: int = 0
    partitions_skipped: int = 0
    receipts_mode: str = "block"  # "block" (eth_getBlockReceipts) | "tx" (per transaction)
    traces_mode: str = "off"  # "off" | "callTracer" | "parity" (trace_block) | "unsupported"
    posts: int = 0
    calls: int = 0
    retries: int = 0
    failovers: int = 0
    batch_blocks: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["blocks_per_s"] = round(self.blocks / self.seconds, 1) if self.seconds else None
        d["txs_per_s"] = round(self.transactions / self.seconds, 1) if self.seconds else None
        d["seconds"] = round(self.seconds, 3)
        return d


# --------------------------------------------------------------------------- state
def _load_state(out: Path) -> dict[str, Any]:
    try:
        data = json.loads((out / STATE_FILE).read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        raise BadInputError(
            f"{out / STATE_FILE} is corrupt", hint="delete the output folder to start over"
        ) from None
    return data if isinstance(data, dict) else {}


def _save_state(out: Path, state: dict[str, Any]) -> None:
    tmp = out / f".{STATE_FILE}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(state, indent=1))
    tmp.replace(out / STATE_FILE)


def _done(state: dict[str, Any]) -> set[tuple[int, int]]:
    return {(int(a), int(b)) for a, b in state.get("partitions", [])}


def _clean_orphans(out: Path, done: set[tuple[int, int]]) -> int:
    """Remove temp files and partition files the state does not vouch for (killed mid-write)."""
    removed = 0
    for table in SCHEMAS:
        d = out / table
        if not d.is_dir():
            continue
        for f in d.iterdir():
            m = _PART_RE.match(f.name)
            if f.name.startswith(".") or not m or (int(m.group(1)), int(m.group(2))) not in done:
                f.unlink()
                removed += 1
    return removed


def plan_partitions(start: int, end: int, size: int, done: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """Aligned partitions covering [start, end] minus the blocks already covered by ``done``."""
    covered: set[int] = set()
    for a, b in done:
        if b >= start and a <= end:
            covered.update(range(max(a, start), min(b, end) + 1))
    out: list[tuple[int, int]] = []
    n = start
    while n <= end:
        if n in covered:
            n += 1
            continue
        stop = min(end, (n // size + 1) * size - 1)
        m = n
        while m + 1 <= stop and m + 1 not in covered:
            m += 1
        out.append((n, m))
        n = m + 1
    return out


# --------------------------------------------------------------------------- fetching
class BlockFetcher:
    """Fetches a range of blocks with everything that belongs to them; the block batch
    halves when a post fails and doubles again after a run of good ones."""

    def __init__(self, pool: Transport, cfg: CrawlConfig, stats: CrawlStats) -> None:
        self.pool = pool
        self.cfg = cfg
        self.stats = stats
        self.batch = cfg.batch_blocks
        self._ok_streak = 0
        self._lock = threading.Lock()

    def _shrink(self) -> None:
        with self._lock:
            self.batch = max(1, self.batch // 2)
            self._ok_streak = 0

    def _grow(self) -> None:
        with self._lock:
            self._ok_streak += 1
            if self._ok_streak >= 8 and self.batch < self.cfg.max_batch_blocks:
                self.batch = min(self.cfg.max_batch_blocks, self.batch * 2)
                self._ok_streak = 0

    def probe_modes(self, block: int) -> None:
        (res,) = self.pool.batch([("eth_getBlockReceipts", [hex(block)])])
        if isinstance(res, RpcCallError):
            if not res.unsupported:
                raise ServiceError(f"eth_getBlockReceipts failed on {self.pool.url}: {res.message}")
            self.stats.receipts_mode = "tx"
            self.stats.warnings.append(
                f"{self.pool.url} has no eth_getBlockReceipts: fetching receipts per transaction (slower)"
            )
        if self.cfg.traces:
            # geth-style first, then Parity/Erigon-style; a node with neither gets no traces
            debug, parity = self.pool.batch(
                [
                    ("debug_traceBlockByNumber", [hex(block), {"tracer": "callTracer"}]),
                    ("trace_block", [hex(block)]),
                ]
            )
            if not isinstance(debug, RpcCallError):
                self.stats.traces_mode = "callTracer"
            elif not isinstance(parity, RpcCallError):
                self.stats.traces_mode = "parity"
            else:
                self.stats.traces_mode = "unsupported"
                self.stats.warnings.append(
                    f"{self.pool.url} serves neither debug_traceBlockByNumber nor trace_block: "
                    f"traces skipped ({debug.message})"
                )

    def _checked(self, results: list[Any], what: str) -> list[Any]:
        for r in results:
            if isinstance(r, RpcCallError):
                raise ServiceError(f"{what} failed on {self.pool.url}: {r.message}")
        return results

    def fetch_blocks(self, first: int, last: int) -> list[dict[str, Any]]:
        """Blocks with full transactions and a ``_receipts`` (and ``_traces``) list each."""
        while True:
            try:
                res = self._fetch(first, last)
                self._grow()
                return res
            except BatchFailed:
                if last == first:
                    raise
                self._shrink()  # a smaller post may pass (size limits, timeouts): split in two
                mid = (first + last) // 2
                return self.fetch_blocks(first, mid) + self.fetch_blocks(mid + 1, last)

    def _fetch(self, first: int, last: int) -> list[dict[str, Any]]:
        numbers = list(range(first, last + 1))
        calls: list[tuple[str, list[Any]]] = [("eth_getBlockByNumber", [hex(n), True]) for n in numbers]
        by_block = self.stats.receipts_mode == "block"
        if by_block:
            calls += [("eth_getBlockReceipts", [hex(n)]) for n in numbers]
        if self.stats.traces_mode == "callTracer":
            calls += [("debug_traceBlockByNumber", [hex(n), {"tracer": "callTracer"}]) for n in numbers]
        elif self.stats.traces_mode == "parity":
            calls += [("trace_block", [hex(n)]) for n in numbers]
        res = self._checked(self.pool.batch(calls), f"blocks {first}-{last}")
        k = len(numbers)
        blocks = res[:k]
        for n, b in zip(numbers, blocks, strict=True):
            if (
                not isinstance(b, dict)
                or q(b.get("number")) != n
                or not isinstance(b.get("transactions"), list)
            ):
                raise ServiceError(
                    f"{self.pool.url} returned no usable block {n}"
                    + (" (null: beyond the head or pruned)" if b is None else f" (got {str(b)[:60]!r})")
                )
        if by_block:
            for b, rs in zip(blocks, res[k : 2 * k], strict=True):
                if not isinstance(rs, list) or len(rs) != len(b["transactions"]):
                    raise ServiceError(f"{self.pool.url} returned bad receipts for block {q(b['number'])}")
                b["_receipts"] = rs
        else:
            hashes = [t["hash"] for b in blocks for t in b["transactions"]]
            calls_r = [("eth_getTransactionReceipt", [h]) for h in hashes]
            receipts = self._checked(self.split_batch(calls_r), "eth_getTransactionReceipt")
            it = iter(receipts)
            for b in blocks:
                b["_receipts"] = [next(it) for _ in b["transactions"]]
                if any(not isinstance(r, dict) for r in b["_receipts"]):
                    raise ServiceError(f"{self.pool.url} returned a null receipt in block {q(b['number'])}")
        if self.stats.traces_mode in ("callTracer", "parity"):
            for b, tr in zip(blocks, res[-k:], strict=True):
                b["_traces"] = tr if isinstance(tr, list) else []
                b["_traces_kind"] = self.stats.traces_mode
        return blocks

    def split_batch(self, calls: list[Call]) -> list[Any]:
        """Many independent calls, posted ``batch * 10`` at a time (halved by the transport
        while a node refuses them; the block batch shrinks with it)."""
        splits = self.pool.stats.splits
        out = self.pool.batch_split(calls, self.batch * 10)
        if self.pool.stats.splits > splits:
            self._shrink()
        return out

    def fetch_code(self, addresses: list[str], block: int) -> dict[str, str]:
        res = self.split_batch([("eth_getCode", [a, hex(block)]) for a in addresses])
        return {a: c for a, c in zip(addresses, res, strict=True) if isinstance(c, str) and len(c) > 2}


def _tx_traces(b: dict[str, Any]) -> dict[str, Trace]:
    """tx hash -> its call-trace tree, from a block's callTracer or Parity-style traces."""
    out: dict[str, Trace] = {}
    if b.get("_traces_kind") == "parity":
        by_tx: dict[str, list[dict[str, Any]]] = {}
        for tr in b.get("_traces", []):
            if isinstance(tr, dict) and (tr.get("type") or "") != "reward":  # rewards: no tx
                row = parity_trace_row(tr)
                by_tx.setdefault(row["transaction_hash"] or "", []).append(row)
        for h, rows in by_tx.items():
            t = trace_from_rows(rows)
            if t is not None:
                out[h] = t
        return out
    hashes = [str(t.get("hash") or "").lower() for t in b["transactions"]]
    for i, tr in enumerate(b.get("_traces", [])):
        if isinstance(tr, dict) and isinstance(tr.get("result"), dict):
            # one entry per transaction, in block order; older nodes omit txHash
            h = str(tr.get("txHash") or (hashes[i] if i < len(hashes) else "")).lower()
            out[h] = trace_from_rpc(tr["result"])
    return out


def _state_rows(
    per_block: dict[int, list[tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]]],
    fetcher: BlockFetcher,
) -> dict[str, list[dict[str, Any]]]:
    """account_state / bytecodes / account_ages rows: the round-2 look-ups of the fraud
    fetcher (``fraud.fetch.state_calls``) for every block, batched across the partition."""
    who: dict[int, tuple[list[str], list[str]]] = {}
    calls: dict[str, Call] = {}
    for bn, txs in per_block.items():
        addrs: dict[str, None] = {}
        parties: set[str] = set()
        for tx, rc, tr in txs:
            ad, pa = tx_addresses(tx, rc, tr)
            addrs.update(dict.fromkeys(ad))
            parties.update(pa)
        who[bn] = (list(addrs), sorted(parties))
        for k, c in state_calls(bn, *who[bn]).items():
            calls[f"{k}@{bn}"] = c
    keys = list(calls)
    answers: dict[int, dict[str, Any]] = {}
    for k, v in zip(keys, fetcher.split_batch([calls[k] for k in keys]), strict=True):
        key, _, bn_s = k.rpartition("@")
        answers.setdefault(int(bn_s), {})[key] = v
    out: dict[str, list[dict[str, Any]]] = {"account_state": [], "bytecodes": [], "account_ages": []}
    codes_seen: set[str] = set()
    for bn, (addrs_l, parties_l) in who.items():
        st = state_from_answers(bn, addrs_l, parties_l, answers.get(bn, {}))
        for a in addrs_l:
            ch = None
            if a in st.codes:
                ch = code_hash(st.codes[a])
                if ch not in codes_seen:
                    codes_seen.add(ch)
                    out["bytecodes"].append({"code_hash": ch, "bytecode": st.codes[a]})
            out["account_state"].append(
                {"block_number": bn, "address": a, "code_hash": ch, "nonce": st.nonces.get(a)}
            )
        for a in parties_l:
            if a in st.ages:
                out["account_ages"].append({"block_number": bn, "address": a, "age_blocks": st.ages[a]})
    return out


def _rows_for(
    blocks: list[dict[str, Any]], fetcher: BlockFetcher, last: int
) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in SCHEMAS}
    touched: dict[str, int] = {}
    created: dict[str, str] = {}
    per_block: dict[int, list[tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]]] = {}
    for b in blocks:
        rows["blocks"].append(block_row(b))
        bn = q(b["number"]) or 0
        ts = q(b["timestamp"]) or 0
        traces = _tx_traces(b)
        txs = [tx_from_rpc(t) for t in b["transactions"]]
        receipts = [receipt_from_rpc(r) for r in b["_receipts"]]
        for t in txs:
            rows["transactions"].append(tx_row(t, ts))
            if t.to_address:
                touched.setdefault(t.to_address, bn)
        for r in receipts:
            rows["receipts"].append(receipt_row(r))
            if r.contract_address:
                touched.setdefault(r.contract_address, bn)
                created[r.contract_address] = r.transaction_hash
            for lg in r.logs:
                row = log_row(lg)
                rows["logs"].append(row)
                touched.setdefault(row["address"], row["block_number"])
                rows["token_transfers"].extend(token_transfer_rows(row))
        for t in txs:
            if t.hash in traces:
                rows["traces"].extend(trace_rows(t.hash, bn, traces[t.hash]))
        if fetcher.cfg.state:
            by_hash = {r.transaction_hash: r for r in receipts}
            per_block[bn] = []
            for t in txs:
                tr = traces.get(t.hash)
                rc = by_hash[t.hash]
                # receipts from eth_getBlockReceipts may lack from/to: the tx has them
                rc_rpc = {**receipt_to_rpc(rc), "from": t.from_address, "to": t.to_address}
                per_block[bn].append((tx_to_rpc(t), rc_rpc, trace_to_rpc(tr) if tr else None))
    codes = fetcher.fetch_code(sorted(touched), last)
    for addr in sorted(codes):
        rows["contracts"].append(contract_row(addr, codes[addr], touched[addr], created.get(addr)))
    if fetcher.cfg.state and per_block:
        rows.update(_state_rows(per_block, fetcher))
    return rows


def _write_partition(out: Path, first: int, last: int, rows: dict[str, list[dict[str, Any]]]) -> None:
    name = f"{first:012d}-{last:012d}.parquet"
    staged = []
    try:
        for table, schema in SCHEMAS.items():
            d = out / table
            d.mkdir(parents=True, exist_ok=True)
            tmp = d / f".{name}.{os.getpid()}.tmp"
            staged.append((tmp, d / name))
            with writing(d / name):  # a full disk names the file (pyarrow does not)
                pq.write_table(pa.Table.from_pylist(rows[table], schema=schema), tmp, compression="zstd")
    except BaseException:
        for tmp, _final in staged:  # nothing of an unfinished partition stays behind
            tmp.unlink(missing_ok=True)
        raise
    for tmp, final in staged:
        tmp.replace(final)


# --------------------------------------------------------------------------- driver
def _reachable(urls: tuple[str, ...], timeout: float, stats: CrawlStats) -> list[str]:
    """Probe every URL once: unreachable ones are dropped (with a warning), and all the
    others must serve the same chain, or failover would mix chains."""
    ok: dict[str, int] = {}
    first_error: ServiceError | None = None
    for u in urls:
        for attempt in range(3):
            try:
                ok[u] = probe_rpc(u, timeout=timeout)
                break
            except ServiceError as exc:
                # a refused connection will not heal in a second; an HTTP 5xx or 429 may
                if attempt == 2 or "connection refused" in exc.message:
                    first_error = first_error or exc
                    stats.warnings.append(f"skipping {u}: {exc.message}")
                    break
                time.sleep(0.3 * 2**attempt)
    if not ok:
        assert first_error is not None
        raise first_error
    if len(set(ok.values())) > 1:
        raise BadInputError(
            "the --rpc URLs serve different chains: " + ", ".join(f"{u} (chain {c})" for u, c in ok.items()),
            hint="give only URLs of one chain",
        )
    return list(ok)


def _chain_identity(pool: Transport) -> tuple[int, str, int]:
    calls = [("eth_chainId", []), ("eth_getBlockByNumber", ["0x0", False]), ("eth_blockNumber", [])]
    chain_id, genesis, head = pool.batch(calls)
    for (method, _), res in zip(calls, (chain_id, genesis, head), strict=True):
        if isinstance(res, RpcCallError):
            raise ServiceError(f"{method} failed on {pool.url}: {res.message}")
    try:
        return int(chain_id, 16), str(genesis["hash"]), int(head, 16)
    except (TypeError, ValueError, KeyError):
        raise ServiceError(
            f"{pool.url} does not answer like an Ethereum node "
            f"(eth_chainId={chain_id!r:.40}, genesis={str(genesis)[:40]!r}, eth_blockNumber={head!r:.40})"
        ) from None


def crawl(
    cfg: CrawlConfig,
    *,
    progress: Callable[[int, int], None] | None = None,
    stop: threading.Event | None = None,
) -> CrawlStats:
    """Crawl ``cfg.from_block``..``cfg.to_block`` (or follow the head) into ``cfg.out``.

    ``progress(done_blocks, total_blocks)`` is called after each partition; ``stop`` ends a
    ``follow`` loop cleanly between partitions.
    """
    started = time.perf_counter()
    stats = CrawlStats()
    urls = _reachable(cfg.rpc_urls, min(cfg.timeout, 10.0), stats)
    pool = Transport(urls, timeout=cfg.timeout, max_retries=cfg.max_retries, rate_limit=cfg.rate_limit)
    chain_id, genesis, head = _chain_identity(pool)
    if not cfg.follow and cfg.to_block is not None and cfg.to_block > head:
        raise BadInputError(
            f"--to-block {cfg.to_block} is beyond the chain head {head} of {pool.url}",
            hint="lower --to-block or use --follow",
        )
    if cfg.from_block > head and not cfg.follow:
        raise BadInputError(f"--from-block {cfg.from_block} is beyond the chain head {head} of {pool.url}")
    out = cfg.out
    out.mkdir(parents=True, exist_ok=True)
    state = _load_state(out)
    if state and (state.get("chain_id") != chain_id or state.get("genesis_hash") != genesis):
        raise BadInputError(
            f"{out} holds a crawl of chain {state.get('chain_id')} (genesis {str(state.get('genesis_hash'))[:12]}…), "
            f"not of {pool.url} (chain {chain_id}, genesis {genesis[:12]}…)",
            hint="use another --out folder",
        )
    state = state or {"chain_id": chain_id, "genesis_hash": genesis, "partitions": []}
    done = _done(state)
    _clean_orphans(out, done)
    fetcher = BlockFetcher(pool, cfg, stats)
    fetcher.probe_modes(min(cfg.from_block, head))
    lock = threading.Lock()

    def run_range(first: int, last: int) -> None:
        parts = plan_partitions(first, last, cfg.partition_size, done)
        total = last - first + 1
        already = total - sum(b - a + 1 for a, b in parts)
        stats.partitions_skipped += len({p for p in done if p[1] >= first and p[0] <= last})
        finished = already

        def chunks(a: int, b: int) -> Iterator[tuple[int, int]]:
            n = a
            while n <= b:
                m = min(b, n + fetcher.batch - 1)
                yield n, m
                n = m + 1

        with ThreadPoolExecutor(max_workers=cfg.concurrency) as ex:
            for a, b in parts:
                if stop is not None and stop.is_set():
                    return
                blocks: list[dict[str, Any]] = []
                for got in ex.map(lambda ab: fetcher.fetch_blocks(*ab), list(chunks(a, b))):
                    blocks.extend(got)
                rows = _rows_for(blocks, fetcher, b)
                _write_partition(out, a, b, rows)
                with lock:
                    done.add((a, b))
                    state["partitions"] = sorted([list(p) for p in done])
                    # what each partition holds, for readers (fraud.chain_data) to report coverage
                    state.setdefault("partition_info", {})[f"{a}-{b}"] = {
                        "traces": stats.traces_mode,
                        "state": cfg.state,
                        "receipts": stats.receipts_mode,
                    }
                    _save_state(out, state)
                stats.blocks += len(rows["blocks"])
                stats.transactions += len(rows["transactions"])
                stats.logs += len(rows["logs"])
                stats.token_transfers += len(rows["token_transfers"])
                stats.contracts += len(rows["contracts"])
                stats.traces += len(rows["traces"])
                stats.account_states += len(rows["account_state"])
                stats.partitions_written += 1
                finished += b - a + 1
                if progress:
                    progress(finished, total)

    try:
        if not cfg.follow:
            run_range(cfg.from_block, head if cfg.to_block is None else cfg.to_block)
        else:
            nxt = cfg.from_block
            while not (stop is not None and stop.is_set()):
                safe = int(pool.call("eth_blockNumber"), 16) - cfg.reorg_buffer
                if cfg.to_block is not None:
                    safe = min(safe, cfg.to_block)
                if safe >= nxt:
                    _check_continuity(pool, out, done, nxt)
                    run_range(nxt, safe)
                    nxt = safe + 1
                if cfg.to_block is not None and nxt > cfg.to_block:
                    break
                if stop is not None:
                    stop.wait(cfg.poll_interval)
                else:
                    time.sleep(cfg.poll_interval)
    finally:
        stats.posts, stats.calls = pool.stats.posts, pool.stats.calls
        stats.retries, stats.failovers = pool.stats.retries, pool.stats.failovers
        stats.batch_blocks = fetcher.batch
        stats.seconds = time.perf_counter() - started
    return stats


def _check_continuity(pool: Transport, out: Path, done: set[tuple[int, int]], nxt: int) -> None:
    """When following, the block before ``nxt`` must still be the one we stored: a deeper reorg
    than the buffer would otherwise leave a fork in the data."""
    prev = [p for p in done if p[1] == nxt - 1]
    if not prev:
        return
    a, b = prev[0]
    stored = pq.read_table(
        out / "blocks" / f"{a:012d}-{b:012d}.parquet", columns=["number", "hash"]
    ).to_pylist()
    want = next((r["hash"] for r in stored if r["number"] == b), None)
    now = pool.call("eth_getBlockByNumber", hex(b), False)
    if want and now and now.get("hash", "").lower() != want:
        raise ServiceError(
            f"block {b} changed since it was crawled (reorg deeper than the buffer)",
            hint=f"delete {a}-{b} from {out / STATE_FILE} and raise --reorg-buffer",
        )
