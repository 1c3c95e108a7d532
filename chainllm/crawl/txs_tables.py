"""Pure mappers from JSON-RPC objects to rows of the crawl's Parquet tables, and the schemas.

Hashes, addresses and calldata are lower-case 0x hex strings; wei amounts and token values
are decimal strings (they exceed int64); everything else that is a quantity is int64.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from eth_hash.auto import keccak as _keccak

from chainllm.chain.records import Log, Receipt, Trace, Tx, parity_trace_kind, q


def _topic(signature: str) -> str:
    return "0x" + _keccak(signature.encode()).hex()


TRANSFER = _topic("Transfer(address,address,uint256)")
TRANSFER_SINGLE = _topic("TransferSingle(address,address,address,uint256,uint256)")
TRANSFER_BATCH = _topic("TransferBatch(address,address,address,uint256[],uint256[])")

S, I64, I8 = pa.string(), pa.int64(), pa.int8()

SCHEMAS: dict[str, pa.Schema] = {
    "blocks": pa.schema(
        [
            ("number", I64), ("hash", S), ("parent_hash", S), ("timestamp", I64), ("miner", S),
            ("gas_limit", I64), ("gas_used", I64), ("base_fee_per_gas", I64), ("transaction_count", I64),
            ("size", I64), ("state_root", S), ("transactions_root", S), ("receipts_root", S),
            ("extra_data", S), ("difficulty", S), ("blob_gas_used", I64), ("excess_blob_gas", I64),
        ]
    ),
    "transactions": pa.schema(
        [
            ("hash", S), ("block_number", I64), ("block_timestamp", I64), ("transaction_index", I64),
            ("from_address", S), ("to_address", S), ("value", S), ("gas", I64), ("gas_price", I64),
            ("max_fee_per_gas", I64), ("max_priority_fee_per_gas", I64), ("nonce", I64), ("input", S),
            ("type", I8), ("chain_id", I64), ("v", S), ("r", S), ("s", S),
        ]
    ),
    "receipts": pa.schema(
        [
            ("transaction_hash", S), ("block_number", I64), ("transaction_index", I64), ("status", I8),
            ("gas_used", I64), ("cumulative_gas_used", I64), ("effective_gas_price", I64),
            ("contract_address", S), ("logs_count", I64), ("type", I8),
        ]
    ),
    "logs": pa.schema(
        [
            ("block_number", I64), ("transaction_hash", S), ("transaction_index", I64), ("log_index", I64),
            ("address", S), ("topic0", S), ("topic1", S), ("topic2", S), ("topic3", S), ("data", S),
        ]
    ),
    "token_transfers": pa.schema(
        [
            ("block_number", I64), ("transaction_hash", S), ("log_index", I64), ("token_address", S),
            ("standard", S), ("from_address", S), ("to_address", S), ("value", S), ("token_id", S),
        ]
    ),
    "contracts": pa.schema(
        [
            ("address", S), ("block_number", I64), ("bytecode", S), ("code_hash", S), ("size", I64),
            ("created_in_range", pa.bool_()), ("creation_tx", S), ("is_erc20", pa.bool_()),
            ("is_erc721", pa.bool_()),
        ]
    ),
    "traces": pa.schema(
        [
            ("block_number", I64), ("transaction_hash", S), ("trace_address", S), ("type", S),
            ("from_address", S), ("to_address", S), ("value", S), ("gas", I64), ("gas_used", I64),
            ("input", S), ("output", S), ("error", S),
        ]
    ),
    # What fraud features read besides the block's own data (``crawl txs --state``), so a
    # TxBundle can be built from these tables without RPC. For each block and each address
    # its transactions involve: the code after the block and the nonce before it.
    "account_state": pa.schema(
        [("block_number", I64), ("address", S), ("code_hash", S), ("nonce", I64)]
    ),
    "bytecodes": pa.schema([("code_hash", S), ("bytecode", S)]),  # distinct runtime codes
    # Blocks the key parties (sender, callee, recipient, spender) existed before the block:
    # a lower bound from balance/code probes (fraud.fetch.AGE_LOOKBACK); absent: unknown.
    "account_ages": pa.schema([("block_number", I64), ("address", S), ("age_blocks", I64)]),
}  # fmt: skip
TABLES = tuple(SCHEMAS)
EMPTY_CODE_HASH = "0x" + _keccak(b"").hex()


def code_hash(code: str) -> str:
    return "0x" + _keccak(bytes.fromhex(code[2:] if code.startswith("0x") else code)).hex()


def _s(v: Any) -> str | None:
    return v.lower() if isinstance(v, str) else None


def _dec(v: Any) -> str | None:
    n = q(v)
    return None if n is None else str(n)


def block_row(b: dict[str, Any]) -> dict[str, Any]:
    return {
        "number": q(b["number"]),
        "hash": _s(b["hash"]),
        "parent_hash": _s(b.get("parentHash")),
        "timestamp": q(b["timestamp"]),
        "miner": _s(b.get("miner")),
        "gas_limit": q(b.get("gasLimit")),
        "gas_used": q(b.get("gasUsed")),
        "base_fee_per_gas": q(b.get("baseFeePerGas")),
        "transaction_count": len(b.get("transactions") or []),
        "size": q(b.get("size")),
        "state_root": _s(b.get("stateRoot")),
        "transactions_root": _s(b.get("transactionsRoot")),
        "receipts_root": _s(b.get("receiptsRoot")),
        "extra_data": _s(b.get("extraData")),
        "difficulty": _dec(b.get("difficulty")),
        "blob_gas_used": q(b.get("blobGasUsed")),
        "excess_blob_gas": q(b.get("excessBlobGas")),
    }


def tx_row(t: Tx, timestamp: int) -> dict[str, Any]:
    return {
        "hash": t.hash,
        "block_number": t.block_number,
        "block_timestamp": timestamp,
        "transaction_index": t.transaction_index,
        "from_address": t.from_address,
        "to_address": t.to_address,
        "value": str(t.value),
        "gas": t.gas,
        "gas_price": t.gas_price,
        "max_fee_per_gas": t.max_fee_per_gas,
        "max_priority_fee_per_gas": t.max_priority_fee_per_gas,
        "nonce": t.nonce,
        "input": t.input,
        "type": t.type,
        "chain_id": t.chain_id,
        "v": t.v,
        "r": t.r,
        "s": t.s,
    }


def receipt_row(r: Receipt) -> dict[str, Any]:
    return {
        "transaction_hash": r.transaction_hash,
        "block_number": r.block_number,
        "transaction_index": r.transaction_index,
        "status": r.status,
        "gas_used": r.gas_used,
        "cumulative_gas_used": r.cumulative_gas_used,
        "effective_gas_price": r.effective_gas_price,
        "contract_address": r.contract_address,
        "logs_count": len(r.logs),
        "type": r.type,
    }


def log_row(lg: Log) -> dict[str, Any]:
    topics: list[str | None] = [*lg.topics, None, None, None, None]
    return {
        "block_number": lg.block_number,
        "transaction_hash": lg.transaction_hash,
        "transaction_index": lg.transaction_index,
        "log_index": lg.log_index,
        "address": lg.address,
        "topic0": topics[0],
        "topic1": topics[1],
        "topic2": topics[2],
        "topic3": topics[3],
        "data": lg.data,
    }


def _addr(topic: str) -> str:
    return "0x" + topic[-40:]


def _words(data: str) -> list[int]:
    h = data[2:] if data.startswith("0x") else data
    return [int(h[i : i + 64], 16) for i in range(0, len(h) - len(h) % 64, 64)]


def token_transfer_rows(log: dict[str, Any]) -> list[dict[str, Any]]:
    """ERC20/ERC721 ``Transfer`` and ERC1155 ``TransferSingle``/``TransferBatch`` events."""
    t0 = log["topic0"]
    base = {
        "block_number": log["block_number"],
        "transaction_hash": log["transaction_hash"],
        "log_index": log["log_index"],
        "token_address": log["address"],
    }
    try:
        if t0 == TRANSFER and log["topic2"] is not None:
            frm, to = _addr(log["topic1"]), _addr(log["topic2"])
            if log["topic3"] is not None:  # ERC721: the id is indexed
                return [
                    {
                        **base,
                        "standard": "erc721",
                        "from_address": frm,
                        "to_address": to,
                        "value": "1",
                        "token_id": str(int(log["topic3"], 16)),
                    }
                ]
            words = _words(log["data"])
            if len(words) == 1:
                return [
                    {
                        **base,
                        "standard": "erc20",
                        "from_address": frm,
                        "to_address": to,
                        "value": str(words[0]),
                        "token_id": None,
                    }
                ]
        elif t0 == TRANSFER_SINGLE and log["topic3"] is not None:
            words = _words(log["data"])
            if len(words) == 2:
                return [
                    {
                        **base,
                        "standard": "erc1155",
                        "from_address": _addr(log["topic2"]),
                        "to_address": _addr(log["topic3"]),
                        "value": str(words[1]),
                        "token_id": str(words[0]),
                    }
                ]
        elif t0 == TRANSFER_BATCH and log["topic3"] is not None:
            w = _words(log["data"])
            ids_at, vals_at = w[0] // 32, w[1] // 32
            n = w[ids_at]
            ids, vals = w[ids_at + 1 : ids_at + 1 + n], w[vals_at + 1 : vals_at + 1 + n]
            return [
                {
                    **base,
                    "standard": "erc1155",
                    "from_address": _addr(log["topic2"]),
                    "to_address": _addr(log["topic3"]),
                    "value": str(v),
                    "token_id": str(i),
                }
                for i, v in zip(ids, vals, strict=True)
            ]
    except (ValueError, IndexError):
        pass  # malformed event data (a fake token can emit anything): not a transfer
    return []


# 4-byte selectors seen as PUSH4 operands: enough to tell token contracts apart cheaply.
_ERC20 = ("a9059cbb", "70a08231", "dd62ed3e")  # transfer, balanceOf, allowance
_ERC721 = ("6352211e", "42842e0e")  # ownerOf, safeTransferFrom(address,address,uint256)


def contract_row(address: str, code: str, block: int, creation_tx: str | None) -> dict[str, Any]:
    body = code[2:].lower()
    return {
        "address": address,
        "block_number": block,
        "bytecode": code.lower(),
        "code_hash": "0x" + _keccak(bytes.fromhex(body)).hex(),
        "size": len(body) // 2,
        "created_in_range": creation_tx is not None,
        "creation_tx": creation_tx,
        "is_erc20": all(("63" + s) in body for s in _ERC20),
        "is_erc721": all(("63" + s) in body for s in _ERC721),
    }


def trace_rows(tx_hash: str, block: int, frame: Trace, path: tuple[int, ...] = ()) -> list[dict[str, Any]]:
    """Flatten a callTracer frame tree (depth-first, ``trace_address`` like "0,2")."""
    rows = [
        {
            "block_number": block,
            "transaction_hash": tx_hash,
            "trace_address": ",".join(map(str, path)),
            "type": frame.type.lower(),
            "from_address": frame.from_address,
            "to_address": frame.to_address,
            "value": str(frame.value),
            "gas": frame.gas,
            "gas_used": frame.gas_used,
            "input": frame.input,
            "output": frame.output,
            "error": frame.error,
        }
    ]
    for i, child in enumerate(frame.calls):
        rows.extend(trace_rows(tx_hash, block, child, (*path, i)))
    return rows


def parity_trace_row(t: dict[str, Any]) -> dict[str, Any]:
    """One entry of Parity/Erigon ``trace_block`` in the same shape as ``trace_rows``."""
    action = t.get("action") or {}
    result = t.get("result") or {}
    kind = parity_trace_kind(t)
    return {
        "block_number": q(t.get("blockNumber")),
        "transaction_hash": _s(t.get("transactionHash")),
        "trace_address": ",".join(str(i) for i in t.get("traceAddress") or []),
        "type": kind,
        "from_address": _s(action.get("from")),
        "to_address": _s(action.get("to") or result.get("address") or action.get("address")),
        "value": _dec(action.get("value")) or "0",
        "gas": q(action.get("gas")),
        "gas_used": q(result.get("gasUsed")),
        "input": _s(action.get("input") or action.get("init")),
        "output": _s(result.get("output") or result.get("code")),
        "error": t.get("error"),
    }
