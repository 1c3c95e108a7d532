"""Simulated sell (honeypot check, the honeypot.is idea): when a transaction buys a token (the
sender receives a fungible token and pays ETH or another token for it), replay a sell of 1%
of the bought amount back to where the tokens came from (the pool) with ``debug_traceCall``
(``eth_call`` where the node has no tracer) at the state of the buy's block. A sell that
reverts, returns false, or loses a large share of its tokens to a third address is honeypot
evidence, found by executing the token's own code rather than by reading its shape.

Pure functions: ``find_buy`` (from the receipt), ``sell_calls`` (the JSON-RPC calls) and
``read_answer`` (what the node said); ``chainllm.fraud.fetch.Fetcher`` runs the calls through
the one transport and caches the answers. Nodes that cannot execute calls at past blocks
(pruned state) or sources without a node (Parquet crawls) give ``status`` "not analysed",
never "sellable"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chainllm.chain.transport import Call, RpcCallError
from chainllm.fraud.decode import decode_logs

TRANSFER_SEL = "0xa9059cbb"
T_TRANSFER = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
SELL_SHARE = 100  # sell 1/100 of the bought amount
SELL_GAS = 1_000_000
ZERO = "0x" + "00" * 20
# Status of the check on a bundle: "" no buy in the tx; "ok" ran; the rest: not analysed.
NOT_ANALYSED = {
    "unsupported": "the node cannot simulate calls (no debug_traceCall / eth_call)",
    "no_state": "the node has no state at the buy's block (pruned history)",
    "no_node": "no node to simulate on (features from a Parquet crawl)",
    "error": "the node failed to simulate the sell",
}


@dataclass(frozen=True)
class Buy:
    token: str  # lower-case
    buyer: str
    source: str  # where the bought tokens came from (the pool / seller)
    amount: int


@dataclass(frozen=True)
class SellCheck:
    token: str
    amount: int  # tokens the simulated sell sends
    outcome: str  # "sold" | "reverted" | "returned_false" | "taxed"
    tax_share: float  # share of the sold tokens that went to a third address (0..1)
    reason: str  # revert reason when the node gave one


def find_buy(tx: dict[str, Any], receipt: dict[str, Any]) -> Buy | None:
    """The largest fungible token inflow to the sender from a non-zero address, in a
    successful transaction where the sender paid ETH or another token (a buy, not a gift)."""
    if int(str(receipt.get("status") or "0x1"), 16) != 1 or not tx.get("to"):
        return None
    sender = str(tx["from"]).lower()
    lf = decode_logs(receipt.get("logs") or [])
    paid = int(str(tx.get("value") or "0x0"), 16) > 0
    ins = [
        t
        for t in lf.transfers
        if t[2] == sender and t[1] not in (ZERO, sender) and t[4] == "erc20" and t[3] > 0
    ]
    outs_tokens = {t[0] for t in lf.transfers if t[1] == sender and t[4] == "erc20" and t[3] > 0}
    if not ins:
        return None
    tok, src, _, amount, *_ = max(ins, key=lambda t: t[3])
    if not (paid or outs_tokens - {tok}):
        return None
    return Buy(tok, sender, src, amount)


def _call_object(buy: Buy) -> dict[str, Any]:
    amount = max(buy.amount // SELL_SHARE, 1)
    data = TRANSFER_SEL + buy.source[2:].rjust(64, "0") + format(amount, "064x")
    return {"from": buy.buyer, "to": buy.token, "data": data, "gas": hex(SELL_GAS)}


def sell_calls(buy: Buy, block: int, *, traced: bool = True) -> Call:
    """The simulated sell: ``transfer(source, amount / 100)`` from the buyer at ``block``."""
    obj = _call_object(buy)
    if traced:
        return (
            "debug_traceCall",
            [obj, hex(block), {"tracer": "callTracer", "tracerConfig": {"withLog": True}}],
        )
    return ("eth_call", [obj, hex(block)])


def _logs(node: dict[str, Any]) -> list[dict[str, Any]]:
    out = list(node.get("logs") or [])
    for c in node.get("calls") or []:
        out += _logs(c)
    return out


def _false(output: str) -> bool:
    """An ERC-20 transfer returning ``false`` (one 32-byte word equal to zero)."""
    o = output[2:] if output.startswith("0x") else output
    return len(o) == 64 and int(o, 16) == 0


def answer_status(answer: Any) -> str | None:
    """None when the answer is usable; else the NOT_ANALYSED key it stands for."""
    if isinstance(answer, RpcCallError):
        if answer.unsupported:
            return "unsupported"
        m = answer.message.lower()
        if any(w in m for w in ("missing trie", "header not found", "state", "pruned", "not available")):
            return "no_state"
        if "revert" in m:
            return None  # eth_call reports a revert as an error: that is an answer
        return "error"
    return None if isinstance(answer, (dict, str)) else "error"


def read_answer(buy: Buy, answer: Any) -> SellCheck:
    """What the simulated sell did (call ``answer_status`` first)."""
    amount = max(buy.amount // SELL_SHARE, 1)
    if isinstance(answer, RpcCallError):  # eth_call: a revert
        return SellCheck(buy.token, amount, "reverted", 0.0, answer.message[:120])
    if isinstance(answer, str):  # eth_call output: no logs to measure a tax with
        return SellCheck(buy.token, amount, "returned_false" if _false(answer) else "sold", 0.0, "")
    if answer.get("error"):
        return SellCheck(
            buy.token, amount, "reverted", 0.0, str(answer.get("revertReason") or answer["error"])[:120]
        )
    if _false(str(answer.get("output") or "0x")):
        return SellCheck(buy.token, amount, "returned_false", 0.0, "")
    sent: dict[str, int] = {}
    for log in _logs(answer):
        topics = [str(t).lower() for t in log.get("topics") or []]
        if (
            len(topics) == 3
            and topics[0] == T_TRANSFER
            and str(log.get("address", "")).lower() == buy.token
            and "0x" + topics[1][-40:] == buy.buyer
        ):
            dest = "0x" + topics[2][-40:]
            sent[dest] = sent.get(dest, 0) + int(str(log.get("data") or "0x0"), 16)
    total = sum(sent.values())
    to_pool = sent.get(buy.source, 0)
    if total == 0 or to_pool == 0:
        # Nothing arrived where the sell went: the token swallowed it.
        return SellCheck(buy.token, amount, "taxed", 1.0, "")
    share = 1.0 - to_pool / max(total, amount)
    return SellCheck(buy.token, amount, "taxed" if share >= 0.1 else "sold", round(max(share, 0.0), 4), "")
