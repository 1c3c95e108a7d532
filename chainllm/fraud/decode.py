"""Decoding of calldata (ERC20/721/1155, permit, Permit2, multicall) and logs into calls,
approvals and asset movements. Pure functions over JSON-RPC dicts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import eth_abi
from eth_utils import keccak

from chainllm.fraud.result import AssetMovement

MAX_UINT = 2**256 - 1
ZERO = "0x" + "00" * 20


def selector(signature: str) -> str:
    return "0x" + keccak(text=signature)[:4].hex()


def topic(signature: str) -> str:
    return "0x" + keccak(text=signature).hex()


# name -> (signature, argument names); decoded with eth_abi.
_SIGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "transfer": ("transfer(address,uint256)", ("to", "amount")),
    "approve": ("approve(address,uint256)", ("spender", "amount")),
    "transferFrom": ("transferFrom(address,address,uint256)", ("from", "to", "amount")),
    "increaseAllowance": ("increaseAllowance(address,uint256)", ("spender", "amount")),
    "setApprovalForAll": ("setApprovalForAll(address,bool)", ("operator", "approved")),
    "safeTransferFrom721": ("safeTransferFrom(address,address,uint256)", ("from", "to", "id")),
    "safeTransferFrom721Data": ("safeTransferFrom(address,address,uint256,bytes)", ("from", "to", "id", "data")),
    "safeTransferFrom1155": ("safeTransferFrom(address,address,uint256,uint256,bytes)", ("from", "to", "id", "amount", "data")),
    "safeBatchTransferFrom": ("safeBatchTransferFrom(address,address,uint256[],uint256[],bytes)", ("from", "to", "ids", "amounts", "data")),
    "permit": ("permit(address,address,uint256,uint256,uint8,bytes32,bytes32)", ("owner", "spender", "amount", "deadline", "v", "r", "s")),
    "permit2Permit": ("permit(address,((address,uint160,uint48,uint48),address,uint256),bytes)", ("owner", "permitSingle", "signature")),
    "permit2TransferFrom": ("permitTransferFrom(((address,uint256),uint256,uint256),(address,uint256),address,bytes)", ("permit", "transferDetails", "owner", "signature")),
    "multicall": ("multicall(bytes[])", ("calls",)),
    "multicallDeadline": ("multicall(uint256,bytes[])", ("deadline", "calls")),
    "multicallTargets": ("multicall(address[],bytes[])", ("targets", "calls")),
    "aggregate": ("aggregate((address,bytes)[])", ("calls",)),
}  # fmt: skip
SELECTORS: dict[str, str] = {selector(sig): name for name, (sig, _) in _SIGS.items()}


def _arg_types(sig: str) -> list[str]:
    parsed = eth_abi.grammar.parse(sig[sig.index("(") :])
    return [c.to_type_str() for c in parsed.components]


_TYPES: dict[str, list[str]] = {name: _arg_types(sig) for name, (sig, _) in _SIGS.items()}

T_TRANSFER = topic("Transfer(address,address,uint256)")
T_APPROVAL = topic("Approval(address,address,uint256)")
T_APPROVAL_ALL = topic("ApprovalForAll(address,address,bool)")
T_SINGLE = topic("TransferSingle(address,address,address,uint256,uint256)")
T_BATCH = topic("TransferBatch(address,address,address,uint256[],uint256[])")


@dataclass(frozen=True)
class Call:
    """One decoded call (the top-level call or one inside a multicall)."""

    name: str  # a key of _SIGS, "unknown", "eth_transfer" or "create"
    selector: str
    args: dict[str, Any] = field(default_factory=dict)
    depth: int = 0


@dataclass(frozen=True)
class Approval:
    token: str
    owner: str
    spender: str
    amount: int  # MAX_UINT for "all" (setApprovalForAll true)
    kind: str  # approve | permit | permit2 | set_approval_for_all | increase
    source: str  # calldata | log


def _addr(v: Any) -> str:
    return str(v).lower()


def decode_call(data: str, depth: int = 0) -> list[Call]:
    """The call and, for multicalls, its inner calls (depth-first, max depth 2)."""
    raw = data[2:] if data.startswith("0x") else data
    if len(raw) < 8:
        return [Call("eth_transfer" if not raw else "unknown", "0x" + raw, {}, depth)]
    sel = "0x" + raw[:8].lower()
    name = SELECTORS.get(sel)
    if name is None:
        return [Call("unknown", sel, {}, depth)]
    try:
        values = eth_abi.decode(_TYPES[name], bytes.fromhex(raw[8:]))
    except Exception:
        return [Call("unknown", sel, {"malformed": True}, depth)]
    args = dict(zip(_SIGS[name][1], values, strict=True))
    for k, v in list(args.items()):
        if isinstance(v, str) and v.startswith("0x") and len(v) == 42:
            args[k] = v.lower()
    out = [Call(name, sel, args, depth)]
    if name.startswith("multicall") or name == "aggregate":
        inner = args["calls"]
        if depth < 2:
            for item in inner:
                payload = item[1] if isinstance(item, tuple) else item
                out.extend(decode_call("0x" + bytes(payload).hex(), depth + 1))
    return out


def approvals_from_calls(calls: Iterable[Call], to: str, sender: str) -> list[Approval]:
    out = []
    for c in calls:
        a = c.args
        if c.name == "approve":
            out.append(Approval(to, sender, a["spender"], int(a["amount"]), "approve", "calldata"))
        elif c.name == "increaseAllowance":
            out.append(Approval(to, sender, a["spender"], int(a["amount"]), "increase", "calldata"))
        elif c.name == "setApprovalForAll" and a["approved"]:
            out.append(Approval(to, sender, a["operator"], MAX_UINT, "set_approval_for_all", "calldata"))
        elif c.name == "permit":
            out.append(Approval(to, a["owner"], a["spender"], int(a["amount"]), "permit", "calldata"))
        elif c.name == "permit2TransferFrom":  # a signature transfer: the submitter spends it
            (token, amount), *_ = a["permit"]
            out.append(Approval(_addr(token), a["owner"], sender, int(amount), "permit2", "calldata"))
        elif c.name == "permit2Permit":
            details, spender, _ = a["permitSingle"]
            out.append(
                Approval(
                    _addr(details[0]), a["owner"], _addr(spender), int(details[1]), "permit2", "calldata"
                )
            )
    return out


@dataclass(frozen=True)
class LogFacts:
    transfers: list[tuple[str, str, str, int, str, str]]  # token, from, to, amount, standard, id
    approvals: list[Approval]
    emitters: set[str]


def topic_addr(t: str) -> str:
    return "0x" + t[-40:].lower()


def decode_logs(logs: list[dict[str, Any]]) -> LogFacts:
    transfers: list[tuple[str, str, str, int, str, str]] = []
    approvals: list[Approval] = []
    emitters: set[str] = set()
    for log in logs:
        topics = [t.lower() for t in log.get("topics") or []]
        token = str(log.get("address", "")).lower()
        emitters.add(token)
        if not topics:
            continue
        data = str(log.get("data") or "0x")[2:]
        try:
            if topics[0] == T_TRANSFER and len(topics) == 3 and len(data) >= 64:
                transfers.append(
                    (token, topic_addr(topics[1]), topic_addr(topics[2]), int(data[:64], 16), "erc20", "")
                )
            elif topics[0] == T_TRANSFER and len(topics) == 4:
                transfers.append(
                    (
                        token,
                        topic_addr(topics[1]),
                        topic_addr(topics[2]),
                        1,
                        "erc721",
                        str(int(topics[3], 16)),
                    )
                )
            elif topics[0] == T_APPROVAL and len(topics) == 3 and len(data) >= 64:
                approvals.append(
                    Approval(
                        token,
                        topic_addr(topics[1]),
                        topic_addr(topics[2]),
                        int(data[:64], 16),
                        "approve",
                        "log",
                    )
                )
            elif topics[0] == T_APPROVAL_ALL and len(topics) == 3 and len(data) >= 64 and int(data[:64], 16):
                approvals.append(
                    Approval(
                        token,
                        topic_addr(topics[1]),
                        topic_addr(topics[2]),
                        MAX_UINT,
                        "set_approval_for_all",
                        "log",
                    )
                )
            elif topics[0] == T_SINGLE and len(topics) == 4 and len(data) >= 128:
                transfers.append(
                    (
                        token,
                        topic_addr(topics[2]),
                        topic_addr(topics[3]),
                        int(data[64:128], 16),
                        "erc1155",
                        str(int(data[:64], 16)),
                    )
                )
            elif topics[0] == T_BATCH and len(topics) == 4:
                ids, amounts = eth_abi.decode(["uint256[]", "uint256[]"], bytes.fromhex(data))
                for i, amt in zip(ids, amounts, strict=True):
                    transfers.append(
                        (token, topic_addr(topics[2]), topic_addr(topics[3]), int(amt), "erc1155", str(i))
                    )
        except (ValueError, eth_abi.exceptions.DecodingError):
            continue  # a log that only looks like a standard event
    return LogFacts(transfers, approvals, emitters)


def eth_transfers(tx: dict[str, Any], trace: dict[str, Any] | None) -> list[tuple[str, str, int]]:
    """(from, to, wei) for every value-carrying call that did not revert."""
    if trace is None:
        v = int(tx.get("value") or "0x0", 16)
        to = str(tx.get("to") or "").lower()
        return [(str(tx["from"]).lower(), to, v)] if v and to else []
    out: list[tuple[str, str, int]] = []

    def walk(node: dict[str, Any]) -> None:
        if node.get("error"):
            return  # reverted frames move nothing
        v = int(node.get("value") or "0x0", 16)
        if v and node.get("to"):
            out.append((str(node["from"]).lower(), str(node["to"]).lower(), v))
        for child in node.get("calls") or []:
            walk(child)

    walk(trace)
    return out


def trace_callees(trace: dict[str, Any] | None) -> tuple[set[str], set[str]]:
    """(every address called, the call types seen) in a callTracer trace."""
    callees: set[str] = set()
    kinds: set[str] = set()

    def walk(node: dict[str, Any]) -> None:
        if node.get("to"):
            callees.add(str(node["to"]).lower())
        kinds.add(str(node.get("type", "")).upper())
        for child in node.get("calls") or []:
            walk(child)

    if trace:
        walk(trace)
    return callees, kinds


def movements(
    status_ok: bool, transfers: list[tuple[str, str, str, int, str, str]], eth: list[tuple[str, str, int]]
) -> list[AssetMovement]:
    """Net in/out per (address, asset, id); reverted transactions move nothing."""
    if not status_ok:
        return []
    net: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for a, b, v in eth:
        net[(a, "ETH", "native", "")] -= v
        net[(b, "ETH", "native", "")] += v
    for token, a, b, v, std, tid in transfers:
        net[(a, token, std, tid)] -= v
        net[(b, token, std, tid)] += v
    return [
        AssetMovement(address=addr, asset=asset, standard=std, amount=str(v), token_id=tid)
        for (addr, asset, std, tid), v in sorted(net.items())
        if v != 0
    ]
