"""Typed chain records (Tx, Receipt, Log, Trace) and the pure mappers between them, the
JSON-RPC wire shape and the crawl's Parquet rows (ethereum-etl style: no I/O here).

Both feature sources go through these records: a bundle fetched over RPC maps the node's
answers ``*_from_rpc`` then ``*_to_rpc``; a bundle read from Parquet maps rows
``*_from_row`` then ``*_to_rpc``. The canonical RPC dicts that come out are what features
read, so the two sources agree field for field (node-specific extras such as ``yParity`` or
``logsBloom`` are dropped on both paths). Hashes, addresses and hex data are lower-case;
quantities are ints in records and ``0x`` hex in the RPC shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


def q(v: Any) -> int | None:
    """A JSON-RPC quantity ("0x1a") as int; None stays None."""
    if v is None:
        return None
    if isinstance(v, int):
        return v
    return int(v, 16)


def low(v: Any) -> str | None:
    return v.lower() if isinstance(v, str) else None


def hx(v: int | None) -> str | None:
    return None if v is None else hex(v)


@dataclass(frozen=True)
class Log:
    address: str
    topics: tuple[str, ...]
    data: str
    log_index: int | None
    block_number: int
    transaction_hash: str
    transaction_index: int | None


@dataclass(frozen=True)
class Tx:
    hash: str
    block_number: int
    block_hash: str | None
    transaction_index: int | None
    from_address: str
    to_address: str | None
    value: int
    gas: int | None
    gas_price: int | None
    max_fee_per_gas: int | None
    max_priority_fee_per_gas: int | None
    nonce: int | None
    input: str
    type: int
    chain_id: int | None
    v: str | None
    r: str | None
    s: str | None


@dataclass(frozen=True)
class Receipt:
    transaction_hash: str
    block_number: int
    block_hash: str | None
    transaction_index: int | None
    from_address: str | None
    to_address: str | None
    status: int | None
    gas_used: int | None
    cumulative_gas_used: int | None
    effective_gas_price: int | None
    contract_address: str | None
    type: int
    logs: tuple[Log, ...]


@dataclass(frozen=True)
class Trace:
    """One callTracer frame and its sub-calls."""

    type: str  # upper case: CALL, STATICCALL, DELEGATECALL, CREATE, CREATE2, SELFDESTRUCT...
    from_address: str | None
    to_address: str | None
    value: int
    gas: int | None
    gas_used: int | None
    input: str | None
    output: str | None
    error: str | None
    calls: tuple[Trace, ...] = ()


# --------------------------------------------------------------------------- from JSON-RPC
def log_from_rpc(lg: Mapping[str, Any]) -> Log:
    return Log(
        address=str(low(lg.get("address")) or ""),
        topics=tuple(str(low(t)) for t in lg.get("topics") or []),
        data=low(lg.get("data")) or "0x",
        log_index=q(lg.get("logIndex")),
        block_number=q(lg.get("blockNumber")) or 0,
        transaction_hash=str(low(lg.get("transactionHash")) or ""),
        transaction_index=q(lg.get("transactionIndex")),
    )


def tx_from_rpc(t: Mapping[str, Any]) -> Tx:
    return Tx(
        hash=str(low(t["hash"])),
        block_number=q(t["blockNumber"]) or 0,
        block_hash=low(t.get("blockHash")),
        transaction_index=q(t.get("transactionIndex")),
        from_address=str(low(t.get("from")) or ""),
        to_address=low(t.get("to")),
        value=q(t.get("value")) or 0,
        gas=q(t.get("gas")),
        gas_price=q(t.get("gasPrice")),
        max_fee_per_gas=q(t.get("maxFeePerGas")),
        max_priority_fee_per_gas=q(t.get("maxPriorityFeePerGas")),
        nonce=q(t.get("nonce")),
        input=low(t.get("input") or t.get("data")) or "0x",
        type=q(t.get("type")) or 0,
        chain_id=q(t.get("chainId")),
        v=low(t.get("v")),
        r=low(t.get("r")),
        s=low(t.get("s")),
    )


def receipt_from_rpc(r: Mapping[str, Any]) -> Receipt:
    return Receipt(
        transaction_hash=str(low(r["transactionHash"])),
        block_number=q(r["blockNumber"]) or 0,
        block_hash=low(r.get("blockHash")),
        transaction_index=q(r.get("transactionIndex")),
        from_address=low(r.get("from")),
        to_address=low(r.get("to")),
        status=q(r.get("status")),
        gas_used=q(r.get("gasUsed")),
        cumulative_gas_used=q(r.get("cumulativeGasUsed")),
        effective_gas_price=q(r.get("effectiveGasPrice")),
        contract_address=low(r.get("contractAddress")),
        type=q(r.get("type")) or 0,
        logs=tuple(log_from_rpc(lg) for lg in r.get("logs") or []),
    )


def trace_from_rpc(frame: Mapping[str, Any]) -> Trace:
    """A ``debug_traceTransaction`` callTracer frame (geth, anvil, reth)."""
    return Trace(
        type=str(frame.get("type") or "").upper(),
        from_address=low(frame.get("from")),
        to_address=low(frame.get("to")),
        value=q(frame.get("value")) or 0,
        gas=q(frame.get("gas")),
        gas_used=q(frame.get("gasUsed")),
        input=low(frame.get("input")),
        output=low(frame.get("output")),
        error=frame.get("error") or None,
        calls=tuple(trace_from_rpc(c) for c in frame.get("calls") or []),
    )


def parity_trace_kind(t: Mapping[str, Any]) -> str:
    action = t.get("action") or {}
    kind = str(t.get("type") or "").lower()
    if kind == "call":
        kind = str(action.get("callType") or "call").lower()
    return kind


# --------------------------------------------------------------------------- to JSON-RPC
def log_to_rpc(lg: Log) -> dict[str, Any]:
    return {
        "address": lg.address,
        "topics": list(lg.topics),
        "data": lg.data,
        "logIndex": hx(lg.log_index),
        "blockNumber": hex(lg.block_number),
        "transactionHash": lg.transaction_hash,
        "transactionIndex": hx(lg.transaction_index),
    }


def tx_to_rpc(t: Tx) -> dict[str, Any]:
    return {
        "hash": t.hash,
        "blockNumber": hex(t.block_number),
        "blockHash": t.block_hash,
        "transactionIndex": hx(t.transaction_index),
        "from": t.from_address,
        "to": t.to_address,
        "value": hex(t.value),
        "gas": hx(t.gas),
        "gasPrice": hx(t.gas_price),
        "maxFeePerGas": hx(t.max_fee_per_gas),
        "maxPriorityFeePerGas": hx(t.max_priority_fee_per_gas),
        "nonce": hx(t.nonce),
        "input": t.input,
        "type": hex(t.type),
        "chainId": hx(t.chain_id),
        "v": t.v,
        "r": t.r,
        "s": t.s,
    }


def receipt_to_rpc(r: Receipt) -> dict[str, Any]:
    return {
        "transactionHash": r.transaction_hash,
        "blockNumber": hex(r.block_number),
        "blockHash": r.block_hash,
        "transactionIndex": hx(r.transaction_index),
        "from": r.from_address,
        "to": r.to_address,
        "status": hx(r.status),
        "gasUsed": hx(r.gas_used),
        "cumulativeGasUsed": hx(r.cumulative_gas_used),
        "effectiveGasPrice": hx(r.effective_gas_price),
        "contractAddress": r.contract_address,
        "type": hex(r.type),
        "logs": [log_to_rpc(lg) for lg in r.logs],
    }


def trace_to_rpc(t: Trace) -> dict[str, Any]:
    return {
        "type": t.type,
        "from": t.from_address,
        "to": t.to_address,
        "value": hex(t.value),
        "gas": hx(t.gas),
        "gasUsed": hx(t.gas_used),
        "input": t.input,
        "output": t.output,
        "error": t.error,
        "calls": [trace_to_rpc(c) for c in t.calls],
    }


def canonical_tx(t: Mapping[str, Any]) -> dict[str, Any]:
    return tx_to_rpc(tx_from_rpc(t))


def canonical_receipt(r: Mapping[str, Any]) -> dict[str, Any]:
    return receipt_to_rpc(receipt_from_rpc(r))


def canonical_trace(frame: Mapping[str, Any]) -> dict[str, Any]:
    return trace_to_rpc(trace_from_rpc(frame))


# --------------------------------------------------------------------------- Parquet rows
def tx_from_row(row: Mapping[str, Any], block_hash: str | None) -> Tx:
    return Tx(
        hash=row["hash"],
        block_number=row["block_number"],
        block_hash=block_hash,
        transaction_index=row["transaction_index"],
        from_address=row["from_address"] or "",
        to_address=row["to_address"],
        value=int(row["value"] or "0"),
        gas=row["gas"],
        gas_price=row["gas_price"],
        max_fee_per_gas=row["max_fee_per_gas"],
        max_priority_fee_per_gas=row["max_priority_fee_per_gas"],
        nonce=row["nonce"],
        input=row["input"] or "0x",
        type=row["type"] or 0,
        chain_id=row["chain_id"],
        v=row["v"],
        r=row["r"],
        s=row["s"],
    )


def log_from_row(row: Mapping[str, Any]) -> Log:
    topics = tuple(t for t in (row["topic0"], row["topic1"], row["topic2"], row["topic3"]) if t is not None)
    return Log(
        address=row["address"] or "",
        topics=topics,
        data=row["data"] or "0x",
        log_index=row["log_index"],
        block_number=row["block_number"],
        transaction_hash=row["transaction_hash"] or "",
        transaction_index=row["transaction_index"],
    )


def receipt_from_rows(row: Mapping[str, Any], tx: Tx, logs: Iterable[Mapping[str, Any]]) -> Receipt:
    """A receipt row joined with its transaction (from, to, block hash) and its log rows."""
    return Receipt(
        transaction_hash=row["transaction_hash"],
        block_number=row["block_number"],
        block_hash=tx.block_hash,
        transaction_index=row["transaction_index"],
        from_address=tx.from_address,
        to_address=tx.to_address,
        status=row["status"],
        gas_used=row["gas_used"],
        cumulative_gas_used=row["cumulative_gas_used"],
        effective_gas_price=row["effective_gas_price"],
        contract_address=row["contract_address"],
        type=row["type"] or 0,
        logs=tuple(log_from_row(lg) for lg in sorted(logs, key=lambda r: r["log_index"] or 0)),
    )


def trace_from_rows(rows: Iterable[Mapping[str, Any]]) -> Trace | None:
    """Rebuild the frame tree of one transaction from its flattened ``traces`` rows
    (``trace_address`` "" is the root, "0,2" the third call of the first call)."""
    by_path: dict[tuple[int, ...], Mapping[str, Any]] = {}
    for r in rows:
        path = tuple(int(p) for p in r["trace_address"].split(",")) if r["trace_address"] else ()
        by_path[path] = r

    def build(path: tuple[int, ...]) -> Trace:
        r = by_path[path]
        kids = []
        i = 0
        while (*path, i) in by_path:
            kids.append(build((*path, i)))
            i += 1
        return Trace(
            type=str(r["type"] or "").upper(),
            from_address=r["from_address"],
            to_address=r["to_address"],
            value=int(r["value"] or "0"),
            gas=r["gas"],
            gas_used=r["gas_used"],
            input=r["input"],
            output=r["output"],
            error=r["error"] or None,
            calls=tuple(kids),
        )

    return build(()) if () in by_path else None
