"""The Parquet tables of ``chainllm crawl txs`` as a source of ``TxBundle``s, with no RPC.

``ChainData(folder).fetch(hashes)`` answers like ``fetch.Fetcher.fetch``: rows are mapped to
``chain.records`` and back to the canonical RPC shape, the code/nonce/age look-ups come from
the ``account_state``/``bytecodes``/``account_ages`` tables that ``crawl txs --state``
records with the same calls the fetcher makes, and recent history is rebuilt from the
receipts and logs of the blocks before. Equal input gives an equal bundle (tested on a real
anvil simulation).

Opening a crawl checks what it holds: its chain id (a caller that expects another chain is
refused), the partitions it covers (gaps are named in ``coverage_notes``), and whether
partitions have traces and account state (missing ones lower coverage, said there too).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from chainllm.chain.records import (
    Tx,
    receipt_from_rows,
    receipt_to_rpc,
    trace_from_rows,
    trace_to_rpc,
    tx_from_row,
    tx_to_rpc,
)
from chainllm.crawl.txs import STATE_FILE
from chainllm.crawl.txs_tables import EMPTY_CODE_HASH
from chainllm.errors import BadInputError
from chainllm.fraud.fetch import (
    BlockState,
    FetchFailure,
    TxBundle,
    history_pairs,
    tx_addresses,
)
from chainllm.fraud.sell_check import NOT_ANALYSED, find_buy


def _ranges(blocks: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge covered [a, b] ranges."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(blocks):
        if out and a <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _read(folder: Path, table: str, columns: list[str] | None = None) -> list[dict[str, Any]]:
    d = folder / table
    if not d.is_dir() or not any(f.suffix == ".parquet" and not f.name.startswith(".") for f in d.iterdir()):
        return []
    rows: list[dict[str, Any]] = pq.read_table(d, columns=columns).to_pylist()
    return rows


@dataclass(frozen=True)
class CrawlInfo:
    folder: Path
    chain_id: int
    genesis_hash: str
    covered: list[tuple[int, int]]  # merged block ranges the crawl holds
    gaps: list[tuple[int, int]]  # block ranges missing between the first and last block
    no_traces: list[tuple[int, int]]  # partitions without call traces
    no_state: list[tuple[int, int]]  # partitions without account state
    partitions: tuple[tuple[int, int], ...] = ()  # finished partitions, sorted

    def describe(self) -> str:
        return ", ".join(f"{a}-{b}" for a, b in self.covered) or "no blocks"


def crawl_info(folder: Path) -> CrawlInfo:
    """What a crawl folder holds; BadInputError when it is no finished crawl."""
    f = folder / STATE_FILE
    try:
        state = json.loads(f.read_text())
    except FileNotFoundError:
        raise BadInputError(
            f"--chain-data {folder} is not a crawl (no {STATE_FILE})",
            hint="crawl the chain first: chainllm crawl txs --traces --out DIR",
        ) from None
    except (OSError, ValueError):
        raise BadInputError(f"{f} is corrupt", hint="crawl again into an empty folder") from None
    parts = [(int(a), int(b)) for a, b in state.get("partitions") or []]
    if not isinstance(state, dict) or "chain_id" not in state or not parts:
        raise BadInputError(
            f"--chain-data {folder} holds no finished partition", hint="run chainllm crawl txs"
        )
    covered = _ranges(parts)
    gaps = [(covered[i][1] + 1, covered[i + 1][0] - 1) for i in range(len(covered) - 1)]
    info = state.get("partition_info") or {}
    no_traces, no_state = [], []
    for a, b in sorted(parts):
        pi = info.get(f"{a}-{b}") or {}
        if pi.get("traces") not in ("callTracer", "parity"):
            no_traces.append((a, b))
        if not pi.get("state"):
            no_state.append((a, b))
    return CrawlInfo(
        folder, int(state["chain_id"]), str(state.get("genesis_hash")), covered, gaps,
        _ranges(no_traces), _ranges(no_state), tuple(sorted(parts)),
    )  # fmt: skip


class ChainData:
    """Bundles from a crawl folder. A hash -> block index is read first (two columns); then
    only the partitions a bundle needs (its block and the ``history_blocks`` before it) are
    read, once each, into memory indexes, so scoring a few hashes of a large crawl stays cheap."""

    def __init__(
        self,
        folder: Path,
        *,
        history_blocks: int = 32,
        expect_chain_id: int | None = None,
        sell_check: bool = True,
    ) -> None:
        self.folder = Path(folder)
        # With sell_check, a token buy says "sell not analysed" (no node to simulate it on);
        # without (training), nothing is said, as the RPC fetcher says nothing then.
        self.sell_check = sell_check
        self.info = crawl_info(self.folder)
        if expect_chain_id is not None and expect_chain_id != self.info.chain_id:
            raise BadInputError(
                f"--chain-data {folder} is a crawl of chain {self.info.chain_id}, "
                f"but chain {expect_chain_id} was expected (labels or --rpc)",
                hint="use a crawl of the chain the labels were made on",
            )
        self.history_blocks = history_blocks
        self._index: dict[str, int] | None = None
        self._parts_loaded: set[tuple[int, int]] = set()
        self._pairs_memo: dict[int, list[tuple[str, str, str]]] = {}
        self.blocks: dict[int, dict[str, Any]] = {}
        self.txs: dict[str, dict[str, Any]] = {}
        self.receipts: dict[str, dict[str, Any]] = {}
        self.logs: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.traces: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.by_block: dict[int, list[str]] = defaultdict(list)
        self.state: dict[tuple[int, str], dict[str, Any]] = {}
        self.codes: dict[str, str] = {}
        self.ages: dict[tuple[int, str], int] = {}
        self._no_traces = self.info.no_traces
        self._unsold = 0  # token buys whose sell could not be simulated (no node)

    # ------------------------------------------------------------------ loading
    def _hash_index(self) -> dict[str, int]:
        if self._index is None:
            self._index = {
                r["hash"]: r["block_number"]
                for r in _read(self.folder, "transactions", ["hash", "block_number"])
            }
        return self._index

    def _part_rows(self, table: str, part: tuple[int, int]) -> list[dict[str, Any]]:
        f = self.folder / table / f"{part[0]:012d}-{part[1]:012d}.parquet"
        if not f.is_file():  # a table added after this partition was crawled
            return []
        rows: list[dict[str, Any]] = pq.read_table(f).to_pylist()
        return rows

    def _load_blocks(self, lo: int, hi: int) -> None:
        """Read every partition that overlaps blocks ``lo``..``hi`` (once)."""
        for part in self.info.partitions:
            if part[1] < lo or part[0] > hi or part in self._parts_loaded:
                continue
            self._parts_loaded.add(part)
            for r in self._part_rows("blocks", part):
                self.blocks[r["number"]] = r
            txs = self._part_rows("transactions", part)
            for r in sorted(txs, key=lambda r: (r["block_number"], r["transaction_index"] or 0)):
                self.txs[r["hash"]] = r
                self.by_block[r["block_number"]].append(r["hash"])
            for r in self._part_rows("receipts", part):
                self.receipts[r["transaction_hash"]] = r
            for r in self._part_rows("logs", part):
                self.logs[r["transaction_hash"]].append(r)
            for r in self._part_rows("traces", part):
                self.traces[r["transaction_hash"]].append(r)
            for r in self._part_rows("account_state", part):
                self.state[(r["block_number"], r["address"])] = r
            for r in self._part_rows("bytecodes", part):
                self.codes[r["code_hash"]] = r["bytecode"]
            for r in self._part_rows("account_ages", part):
                self.ages[(r["block_number"], r["address"])] = r["age_blocks"]

    def _in(self, ranges: list[tuple[int, int]], bn: int) -> bool:
        return any(a <= bn <= b for a, b in ranges)

    def chain_id(self) -> int:
        return self.info.chain_id

    def hashes(self) -> list[str]:
        """Every transaction hash in the crawl, in block order."""
        return [h for h, _ in sorted(self._hash_index().items(), key=lambda kv: kv[1])]

    def coverage_notes(self) -> list[str]:
        notes = []
        i = self.info
        if i.gaps:
            notes.append(
                f"crawl {i.folder} has gaps (blocks {', '.join(f'{a}-{b}' for a, b in i.gaps)} missing): "
                "transactions there are not found, and history next to a gap is partial; "
                "rerun `chainllm crawl txs` over the range to fill them"
            )
        if i.no_traces:
            notes.append(
                f"crawl {i.folder} has no call traces for blocks {', '.join(f'{a}-{b}' for a, b in i.no_traces)} "
                "(crawled without --traces, or the node lacks debug_traceBlockByNumber): lower coverage"
            )
        if i.no_state:
            notes.append(
                f"crawl {i.folder} has no account state for blocks {', '.join(f'{a}-{b}' for a, b in i.no_state)} "
                "(crawled with --no-state): code, nonce and age features unknown there"
            )
        if self._unsold:
            notes.append(
                f"simulated sell not analysed for {self._unsold} token buy(s): {NOT_ANALYSED['no_node']}"
            )
        return notes

    # ------------------------------------------------------------------ bundles
    def _tx(self, h: str) -> Tx:
        row = self.txs[h]
        blk = self.blocks.get(row["block_number"]) or {}
        return tx_from_row(row, blk.get("hash"))

    def _receipt(self, h: str, tx: Tx) -> dict[str, Any] | None:
        row = self.receipts.get(h)
        return None if row is None else receipt_to_rpc(receipt_from_rows(row, tx, self.logs.get(h, [])))

    def _block_state(self, bn: int, addrs: list[str], parties: list[str]) -> BlockState:
        codes: dict[str, str] = {}
        nonces: dict[str, int] = {}
        for a in addrs:
            st = self.state.get((bn, a))
            if st is None:
                continue
            ch = st["code_hash"]
            if ch is not None:
                codes[a] = "0x" if ch == EMPTY_CODE_HASH else self.codes.get(ch, "0x")
            if st["nonce"] is not None:
                nonces[a] = st["nonce"]
        ages = {a: self.ages[(bn, a)] for a in parties if (bn, a) in self.ages}
        return BlockState(codes, nonces, ages)

    def _pairs(self, b: int) -> list[tuple[str, str, str]]:
        got = self._pairs_memo.get(b)
        if got is None:
            rcs = []
            for h in self.by_block.get(b, []):
                r = self._receipt(h, self._tx(h))
                if r is not None:
                    rcs.append(r)
            got = self._pairs_memo[b] = history_pairs(rcs)
        return got

    def fetch(self, hashes: Sequence[str]) -> dict[str, TxBundle | FetchFailure]:
        index = self._hash_index()
        wanted = list(dict.fromkeys(x.lower() for x in hashes))
        for bn in sorted({index[h] for h in wanted if h in index}):
            self._load_blocks(max(bn - self.history_blocks, 0), bn)
        out: dict[str, TxBundle | FetchFailure] = {}
        for h in wanted:
            if h not in self.txs:
                out[h] = FetchFailure(
                    h,
                    "NOT_FOUND",
                    f"transaction {h} is not in the crawl {self.folder} (blocks {self.info.describe()})",
                )
                continue
            t = self._tx(h)
            tx = tx_to_rpc(t)
            rc = self._receipt(h, t)
            if rc is None:
                out[h] = FetchFailure(
                    h, "NOT_FOUND", f"transaction {h} has no receipt in the crawl {self.folder}"
                )
                continue
            bn = t.block_number
            tr_rows = self.traces.get(h)
            trace = None
            if tr_rows:
                tree = trace_from_rows(tr_rows)
                trace = trace_to_rpc(tree) if tree is not None else None
            status = (
                "ok" if trace is not None else ("unsupported" if self._in(self._no_traces, bn) else "error")
            )
            addrs, parties = tx_addresses(tx, rc, trace)
            st = self._block_state(bn, addrs, parties)
            pairs: list[tuple[str, str, str]] = []
            nblocks = 0
            for b in range(max(bn - self.history_blocks, 0), bn):
                if b in self.blocks:
                    pairs.extend(self._pairs(b))
                    nblocks += 1
            # none of the blocks before is in the crawl: not analysed (as a node without receipts)
            history = None if self.history_blocks and nblocks == 0 and bn > 0 else pairs
            ts = int((self.blocks.get(bn) or {}).get("timestamp") or 0)
            # No node to replay a sell on: a buy's sell check is "not analysed", never "sellable".
            sell = "no_node" if self.sell_check and find_buy(tx, rc) is not None else ""
            self._unsold += bool(sell)
            out[h] = TxBundle(
                h, tx, rc, ts, trace, status, st.codes, st.nonces, history, nblocks, st.ages, sell_status=sell
            )
        return out

    def close(self) -> None:
        """Nothing to release (the tables live in memory); kept for ``BundleSource``."""
