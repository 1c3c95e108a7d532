"""Everything scoring needs about a transaction (a ``TxBundle``), from one of two sources:
``Fetcher`` (batched JSON-RPC through ``chainllm.chain.transport``, cached on disk) or
``chainllm.fraud.chain_data.ChainData`` (the Parquet tables of ``crawl txs``, no RPC). Both
map the raw answers through ``chainllm.chain.records`` so a bundle is the same whichever
source built it.

Round 1: transaction, receipt, call trace (``debug_traceTransaction`` + callTracer; a node
without it gives lower coverage, never an error). Round 2: block timestamp, code and nonce of
every address involved, account-age probes, and the receipts of the previous
``history_blocks`` blocks (who talked to whom recently: address-poisoning look-alikes are
found there). ``state_calls``/``state_from_answers`` are the round-2 look-ups of one block,
shared with ``crawl txs --state``, which records their answers.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from chainllm.chain.records import canonical_receipt, canonical_trace, canonical_tx
from chainllm.chain.transport import Call, RpcCallError, Transport
from chainllm.errors import BadInputError, ServiceError
from chainllm.fraud.cache import RpcCache
from chainllm.fraud.decode import approvals_from_calls, decode_call, decode_logs, trace_callees
from chainllm.fraud.sell_check import (
    NOT_ANALYSED,
    SellCheck,
    answer_status,
    find_buy,
    read_answer,
    sell_calls,
)

HASH_RE = re.compile(r"^0x[0-9a-fA-F]{64}$")
# Account age: was the account there (balance or code) this many blocks before the tx? One
# batched round with the code/nonce look-ups, cached like them; a lower bound on the age.
AGE_LOOKBACK = (8, 64, 1024, 16384, 262144)
AGE_ROLES = ("from", "to", "recipient", "spender")
MAX_ADDRS = 24  # code/nonce look-ups per transaction (airdrops can touch thousands)
POST_CALLS = 200  # calls per JSON-RPC post
FINALITY = 12  # blocks; younger answers are not written to the disk cache (reorgs)


def parse_hash(value: str) -> str:
    h = value.strip()
    if not HASH_RE.match(h):
        raise BadInputError(
            f"{value!r} is not a transaction hash", hint="expected 0x followed by 64 hex digits"
        )
    return h.lower()


@dataclass(frozen=True)
class TxBundle:
    """What features read about one transaction. ``tx``/``receipt``/``trace`` are the canonical
    RPC-shape dicts of ``chain.records`` (same keys from every node and from Parquet). A field
    added here must be filled by both sources: ``Fetcher`` and ``chain_data.ChainData``."""

    tx_hash: str
    tx: dict[str, Any]
    receipt: dict[str, Any]
    timestamp: int
    trace: dict[str, Any] | None
    trace_status: str  # ok | unsupported | error | off
    codes: dict[str, str]  # address (lower) -> runtime code hex at the tx's block
    nonces: dict[str, int]  # address (lower) -> transaction count before the tx's block
    # (from, to, signer) of earlier blocks' transactions and token transfers (signer: the
    # account that signed the transaction it happened in); None: not fetched
    history: list[tuple[str, str, str]] | None
    history_blocks: int = 0
    # address -> blocks it existed before the tx (lower bound from AGE_LOOKBACK; 0: newer than
    # the shortest look-back). Missing: not analysed (e.g. a node that prunes old state).
    ages: dict[str, int] = field(default_factory=dict)
    # The simulated sell of a bought token (chainllm.fraud.sell_check): None when the tx buys
    # nothing or it was not analysed; sell_status "" (no buy), "ok", or a NOT_ANALYSED key.
    sell: SellCheck | None = None
    sell_status: str = ""

    @property
    def block_number(self) -> int:
        return int(self.tx["blockNumber"], 16)


@dataclass(frozen=True)
class FetchFailure:
    tx_hash: str
    code: str  # NOT_FOUND | PENDING
    message: str


@dataclass
class FetchStats:
    rpc_s: float = 0.0
    posts: int = 0
    calls: int = 0
    cache_hits: int = 0


def involved_addresses(
    tx: dict[str, Any], receipt: dict[str, Any], trace: dict[str, Any] | None
) -> list[str]:
    """Addresses whose code/nonce matter: callee, created contract, log emitters, trace callees,
    addresses in decoded calldata, token senders/recipients. Ordered by importance."""
    seen: dict[str, None] = {}

    def add(a: Any) -> None:
        if isinstance(a, str) and len(a) == 42 and a.startswith("0x"):
            seen.setdefault(a.lower(), None)

    add(tx.get("to"))
    add(receipt.get("contractAddress"))
    for c in decode_call(str(tx.get("input") or "0x")):
        for v in c.args.values():
            if isinstance(v, list | tuple):
                for x in v:
                    add(x)
            else:
                add(v)
    facts = decode_logs(receipt.get("logs") or [])
    for a in sorted(facts.emitters):
        add(a)
    for _, a, b, *_ in facts.transfers:
        add(a)
        add(b)
    for ap in facts.approvals:
        add(ap.spender)
    for a in sorted(trace_callees(trace)[0]):
        add(a)
    out = [a for a in seen if a != "0x" + "00" * 20]
    return out[:MAX_ADDRS]


def key_parties(tx: dict[str, Any], receipt: dict[str, Any]) -> dict[str, str]:
    """role -> address for the accounts whose age matters: sender, callee, the first recipient
    of tokens or ETH that is not the sender, the first approval spender."""
    sender = str(tx.get("from") or "").lower()
    out = {"from": sender}
    if tx.get("to"):
        out["to"] = str(tx["to"]).lower()
    facts = decode_logs(receipt.get("logs") or [])
    recips = [b for _, a, b, *_ in facts.transfers if b != sender]
    if not recips and tx.get("to") and int(str(tx.get("value") or "0x0"), 16):
        recips = [str(tx["to"]).lower()]
    if recips:
        out["recipient"] = recips[0]
    approvals = facts.approvals or approvals_from_calls(
        decode_call(str(tx.get("input") or "0x")), out.get("to", ""), sender
    )
    if approvals:
        out["spender"] = approvals[0].spender
    return out


def history_pairs(receipts: Iterable[Mapping[str, Any]]) -> list[tuple[str, str, str]]:
    """(from, to, signer) of each receipt and of each token transfer in it, in order. The
    signer tells who chose the contact: an address planted in a victim's history by someone
    else's transaction (address poisoning) is not one the victim ever dealt with."""
    out = []
    for r in receipts:
        a, b = str(r.get("from") or "").lower(), str(r.get("to") or "").lower()
        if a and b:
            out.append((a, b, a))
        for _, x, y, *_ in decode_logs(r.get("logs") or []).transfers:
            out.append((x, y, a))
    return out


def age_blocks(bn: int) -> list[int]:
    return sorted({max(bn - lb, 0) for lb in AGE_LOOKBACK}, reverse=True)


def _block_tag(tx: dict[str, Any]) -> tuple[int, str]:
    """The block number and a cache tag naming that exact block (number + hash prefix)."""
    bn = int(tx["blockNumber"], 16)
    return bn, f"{bn}.{str(tx.get('blockHash') or '')[2:18]}"


@dataclass(frozen=True)
class BlockState:
    """Round-2 answers for addresses at one block: code after it, nonce before it, age."""

    codes: dict[str, str]
    nonces: dict[str, int]
    ages: dict[str, int]


def state_calls(bn: int, addrs: Iterable[str], parties: Iterable[str]) -> dict[str, Call]:
    """The look-ups behind ``BlockState`` for block ``bn`` (every call's last param is the
    block it asks about: callers decide from it whether an answer is final)."""
    out: dict[str, Call] = {}
    for a in addrs:
        out[f"code:{a}"] = ("eth_getCode", [a, hex(bn)])
        out[f"n:{a}"] = ("eth_getTransactionCount", [a, hex(max(bn - 1, 0))])
    for a in parties:
        for b in age_blocks(bn):
            out[f"bal:{a}:{b}"] = ("eth_getBalance", [a, hex(b)])
            out[f"code:{a}:{b}"] = ("eth_getCode", [a, hex(b)])
    return out


def state_from_answers(
    bn: int, addrs: Iterable[str], parties: Iterable[str], answer: Mapping[str, Any]
) -> BlockState:
    """``BlockState`` from the answers to ``state_calls`` (keyed the same way). An error or a
    missing answer leaves the address out: "unknown", never "new"."""
    codes: dict[str, str] = {}
    nonces: dict[str, int] = {}
    for a in addrs:
        c, n = answer.get(f"code:{a}"), answer.get(f"n:{a}")
        if not isinstance(c, RpcCallError):
            codes[a] = str(c or "0x").lower()
        if isinstance(n, str):
            nonces[a] = int(n, 16)
    ages: dict[str, int] = {}
    for a in parties:
        age = 0
        for b in age_blocks(bn):  # newest first: stop at the first block it was absent
            bal, code = answer.get(f"bal:{a}:{b}"), answer.get(f"code:{a}:{b}")
            if not isinstance(bal, str) or not isinstance(code, str):
                age = -1  # the node could not say (pruned state): not analysed
                break
            if int(bal, 16) == 0 and code in ("0x", ""):
                break
            age = bn - b
        if age >= 0:
            ages[a] = age
    return BlockState(codes, nonces, ages)


def tx_addresses(
    tx: dict[str, Any], rc: dict[str, Any], trace: dict[str, Any] | None
) -> tuple[list[str], list[str]]:
    """(addresses whose code/nonce matter, key parties whose age matters) of one transaction."""
    return involved_addresses(tx, rc, trace), sorted(set(key_parties(tx, rc).values()))


class BundleSource(Protocol):
    """Where bundles come from: ``Fetcher`` (RPC) or ``chain_data.ChainData`` (Parquet)."""

    def fetch(self, hashes: Sequence[str]) -> dict[str, TxBundle | FetchFailure]: ...

    def chain_id(self) -> int: ...

    def coverage_notes(self) -> list[str]: ...

    def close(self) -> None: ...


class Fetcher:
    def __init__(
        self,
        urls: Sequence[str],
        *,
        timeout: float = 10.0,
        cache: RpcCache | None = None,
        trace: bool = True,
        history_blocks: int = 32,
        retries: int | None = None,
        sell_check: bool = True,
    ) -> None:
        # Default: one try per URL, so with several --rpc a down or slow node fails over to
        # the next one (the transport moves on after each failed post) and every URL gets a turn.
        self.rpc = Transport(list(urls), timeout=timeout, max_retries=retries, backoff=0.1)
        self.cache = cache if cache is not None else RpcCache(enabled=False)
        self.want_trace = trace
        self.trace_supported: bool | None = None if trace else False
        self.history_blocks = history_blocks
        self.history_supported: bool | None = None
        self.stats = FetchStats()
        # Simulate the sell of every token bought (off for training: a crawl cannot, and the
        # model learnt from a crawl must equal the one learnt over RPC; docs/fraud.md).
        self.sell_check = sell_check
        self.sell_traced: bool | None = None  # debug_traceCall answered (None: not tried yet)
        self.sell_unanalysed: dict[str, int] = {}  # NOT_ANALYSED key -> buys not simulated
        self._chain: str | None = None
        self._latest = 0

    # ------------------------------------------------------------------ plumbing
    def _batch(self, calls: list[Call]) -> list[Any]:
        t0 = time.perf_counter()
        posts = self.rpc.stats.posts
        try:
            return self.rpc.batch_split(calls, POST_CALLS)
        except ServiceError as exc:
            raise ServiceError(
                f"JSON-RPC node {self.rpc.url} failed: {exc.message}",
                hint="check that the node is up and --rpc is right, or raise --timeout for a slow node",
            ) from None
        finally:
            self.stats.rpc_s += time.perf_counter() - t0
            self.stats.posts += self.rpc.stats.posts - posts
            self.stats.calls += len(calls)

    def chain_id(self) -> int:
        return int(self._identify().split(":")[0])

    def _identify(self) -> str:
        if self._chain is None:
            chain_id, genesis, latest = self._batch(
                [("eth_chainId", []), ("eth_getBlockByNumber", ["0x0", False]), ("eth_blockNumber", [])]
            )
            if isinstance(chain_id, RpcCallError) or not isinstance(genesis, dict):
                raise ServiceError(
                    f"{self.rpc.url} is not a usable Ethereum JSON-RPC node (no chain id/genesis)"
                )
            self._chain = f"{int(chain_id, 16)}:{str(genesis.get('hash'))[:18]}"
            self._latest = int(latest, 16) if isinstance(latest, str) else 0
        return self._chain

    def _cached_calls(self, wanted: dict[str, Call]) -> dict[str, Any]:
        """Answers for ``key -> (method, params)``, from cache or one batched round. Callers
        decide what is final enough to store (they know the block numbers)."""
        chain = self._identify()
        full = {f"{chain}:{k}": k for k in wanted}
        hits = self.cache.get_many(list(full))
        self.stats.cache_hits += len(hits)
        out = {full[k]: v for k, v in hits.items()}
        todo = [k for k in wanted if f"{chain}:{k}" not in hits]
        if todo:
            results = self._batch([wanted[k] for k in todo])
            out.update(zip(todo, results, strict=True))
        return out

    def _final(self, block: int) -> bool:
        return block <= self._latest - FINALITY or self._chain_is_dev()

    def _chain_is_dev(self) -> bool:
        return bool(self._chain and self._chain.split(":")[0] in {"31337", "1337"})

    def coverage_notes(self) -> list[str]:
        notes = []
        if self.want_trace and self.trace_supported is False:
            notes.append(
                f"{self.rpc.url} has no debug_traceTransaction: scored without call traces "
                "(internal ETH transfers and sub-calls unseen; lower coverage)"
            )
        if self.history_blocks and self.history_supported is False:
            notes.append(f"{self.rpc.url} has no eth_getBlockReceipts: recent-history features not analysed")
        if self.sell_traced is False:
            notes.append(
                f"{self.rpc.url} has no debug_traceCall: simulated sells by eth_call (no tax measured)"
            )
        for k, n in sorted(self.sell_unanalysed.items()):
            notes.append(f"simulated sell not analysed for {n} token buy(s): {NOT_ANALYSED[k]}")
        return notes

    # ------------------------------------------------------------------ rounds
    def fetch(self, hashes: Sequence[str]) -> dict[str, TxBundle | FetchFailure]:
        self._identify()
        hashes = list(dict.fromkeys(hashes))
        want: dict[str, Call] = {}
        for h in hashes:
            want[f"tx:{h}"] = ("eth_getTransactionByHash", [h])
            want[f"rc:{h}"] = ("eth_getTransactionReceipt", [h])
            if self.want_trace and self.trace_supported is not False:
                want[f"tr:{h}"] = ("debug_traceTransaction", [h, {"tracer": "callTracer"}])
        # A hash is final once mined and old enough: stored after the checks below.
        r1 = self._cached_calls(want)
        results: dict[str, TxBundle | FetchFailure] = {}
        mined: dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None, str]] = {}
        to_store: dict[str, Any] = {}
        chain = self._chain
        for h in hashes:
            tx, rc = r1.get(f"tx:{h}"), r1.get(f"rc:{h}")
            if isinstance(tx, RpcCallError) or isinstance(rc, RpcCallError):
                err = tx if isinstance(tx, RpcCallError) else rc
                raise ServiceError(f"{err.method} for {h} failed on {self.rpc.url}: {err.message}")  # type: ignore[union-attr]
            if tx is None:
                results[h] = FetchFailure(
                    h, "NOT_FOUND", f"transaction {h} is unknown to the node at {self.rpc.url}"
                )
                continue
            if tx.get("blockNumber") is None or rc is None:
                results[h] = FetchFailure(
                    h, "PENDING", f"transaction {h} is pending (not mined yet); score it again once mined"
                )
                continue
            tx, rc = canonical_tx(tx), canonical_receipt(rc)
            tr = r1.get(f"tr:{h}")
            status = "off"
            trace: dict[str, Any] | None = None
            if f"tr:{h}" in want:
                if isinstance(tr, RpcCallError):
                    status = "unsupported" if tr.unsupported else "error"
                    if tr.unsupported:
                        self.trace_supported = False
                elif isinstance(tr, dict):
                    status, trace = "ok", canonical_trace(tr)
                    self.trace_supported = True
                else:
                    status = "error"
            elif self.want_trace:
                status = "unsupported"
            mined[h] = (tx, rc, trace, status)
            if self._final(int(tx["blockNumber"], 16)):
                to_store[f"{chain}:tx:{h}"] = tx
                to_store[f"{chain}:rc:{h}"] = rc
                if trace is not None:
                    to_store[f"{chain}:tr:{h}"] = trace
        self.cache.put_many(to_store)

        # Round 2: timestamps, code, nonces, ages, recent history.
        want2: dict[str, Call] = {}
        final2: dict[str, bool] = {}
        who: dict[str, tuple[list[str], list[str]]] = {}
        # State is keyed by the block's hash, not only its number: dev chains (anvil) restart
        # with the same genesis, and block 40 of yesterday's chain is not today's. Receipts of
        # earlier blocks (history) are shared between transactions, so they stay keyed by
        # number and are kept on disk only where blocks are final (never on a dev chain).
        for h, (tx, rc, trace, _) in mined.items():
            bn, tag = _block_tag(tx)
            want2[f"ts:{tag}"] = ("eth_getBlockByNumber", [hex(bn), False])
            final2[f"ts:{tag}"] = self._final(bn)
            who[h] = tx_addresses(tx, rc, trace)
            for k, c in state_calls(bn, *who[h]).items():
                want2[f"{k}@{tag}"] = c
                final2[f"{k}@{tag}"] = self._final(int(c[1][-1], 16))
            for b in range(max(bn - self.history_blocks, 0), bn):
                want2[f"hist2:{b}"] = ("eth_getBlockReceipts", [hex(b)])
                final2[f"hist2:{b}"] = self._final(b) and not self._chain_is_dev()
        r2 = self._cached_calls(want2)
        # Block receipts are large: keep only the (from, to) pairs, in cache too.
        compact: dict[str, Any] = {}
        for k, v in r2.items():
            if k.startswith("hist2:") and isinstance(v, list) and (not v or isinstance(v[0], dict)):
                r2[k] = [list(p) for p in history_pairs(v)]
            if final2.get(k) and v is not None and not isinstance(v, RpcCallError):
                compact[f"{chain}:{k}"] = r2[k] if not k.startswith("ts:") else {"timestamp": v["timestamp"]}
        self.cache.put_many(compact)

        by_tag: dict[str, dict[str, Any]] = {}
        for k, v in r2.items():
            key, at, tag = k.rpartition("@")
            if at:
                by_tag.setdefault(tag, {})[key] = v
        for h, (tx, rc, trace, status) in mined.items():
            bn, tag = _block_tag(tx)
            blk = r2.get(f"ts:{tag}")
            ts = int(blk["timestamp"], 16) if isinstance(blk, dict) else 0
            st = state_from_answers(bn, *who[h], by_tag.get(tag, {}))
            history: list[tuple[str, str, str]] | None = []
            nblocks = 0
            for b in range(max(bn - self.history_blocks, 0), bn):
                v = r2.get(f"hist2:{b}")
                if isinstance(v, list):
                    history.extend((p[0], p[1], p[2]) for p in v)  # type: ignore[union-attr]
                    nblocks += 1
                elif isinstance(v, RpcCallError) and v.unsupported:
                    self.history_supported = False
            if self.history_blocks and nblocks == 0 and bn > 0:
                history = None  # the node has no eth_getBlockReceipts: not analysed
            results[h] = TxBundle(
                h, tx, rc, ts, trace, status, st.codes, st.nonces, history, nblocks, st.ages
            )
        if self.sell_check:
            self._sell_round(mined, results)
        return {h: results[h] for h in hashes}

    def _sell_round(self, mined: dict[str, Any], results: dict[str, TxBundle | FetchFailure]) -> None:
        """Round 3: the simulated sell of every token bought (chainllm.fraud.sell_check), at
        the buy's block; debug_traceCall (measures taxes), else eth_call (reverts only)."""
        buys = {}
        for h, (tx, rc, _, _) in mined.items():
            buy = find_buy(tx, rc)
            if buy is not None:
                bn, tag = _block_tag(tx)
                buys[h] = (buy, bn, f"sell:{buy.token}:{buy.buyer}:{buy.source}:{buy.amount}@{tag}")
        if not buys:
            return
        answers: dict[str, Any] = {}
        for traced in (True, False):
            if traced and self.sell_traced is False:
                continue
            todo = {k: sell_calls(b, bn, traced=traced) for b, bn, k in buys.values() if k not in answers}
            todo = {(k if traced else f"{k}:call"): c for k, c in todo.items()}
            got = self._cached_calls(todo) if todo else {}
            retry = False
            for k, v in got.items():
                key = k.removesuffix(":call")
                if isinstance(v, RpcCallError) and answer_status(v) is None:
                    v = {"error": "execution reverted", "revertReason": v.message}  # eth_call revert
                st = answer_status(v)
                if traced and st == "unsupported":
                    self.sell_traced, retry = False, True
                    continue
                if traced and st is None:
                    self.sell_traced = True
                answers[key] = v if st is None else st
            self.cache.put_many(
                {f"{self._chain}:{k}": v for k, v in got.items() if isinstance(v, (dict, str))
                 and self._final(_buys_bn(buys, k.removesuffix(":call")))}
            )  # fmt: skip
            if not retry:
                break
        for h, (buy, _, k) in buys.items():
            b = results.get(h)
            if not isinstance(b, TxBundle):
                continue
            v = answers.get(k, "error")
            if isinstance(v, str) and v in NOT_ANALYSED:
                self.sell_unanalysed[v] = self.sell_unanalysed.get(v, 0) + 1
                results[h] = replace(b, sell_status=v)
            else:
                results[h] = replace(b, sell=read_answer(buy, v), sell_status="ok")

    def close(self) -> None:
        self.cache.close()
        self.rpc.close()


def _buys_bn(buys: dict[str, tuple[Any, int, str]], key: str) -> int:
    return next((bn for _, bn, k in buys.values() if k == key), 0)
