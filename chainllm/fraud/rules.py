"""Explainable rules: each turns decoded evidence into a reason code with a severity, a
sentence a person can act on, and a weight. The rule score is 1 - prod(1 - weight)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from chainllm.fraud.bytecode import SELFDESTRUCT
from chainllm.fraud.features import FRESH_NONCE, UNLIMITED, Extracted, Facts
from chainllm.fraud.result import Reason

Rule = Callable[[Facts], Iterator[Reason]]
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


def _short(a: str) -> str:
    return f"{a[:6]}…{a[-4:]}" if len(a) == 42 else a


def _reason(code: str, severity: str, weight: float, message: str) -> Reason:
    return Reason(code, severity, message, weight=weight)


def _fmt(amount: int) -> str:
    return "unlimited" if amount >= UNLIMITED else str(amount)


@rule
def unlimited_approval(f: Facts) -> Iterator[Reason]:
    for a in f.approvals:
        if a.amount < UNLIMITED:
            continue
        what = "all NFTs" if a.kind == "set_approval_for_all" else "an unlimited allowance"
        contract = f.is_contract(a.spender)
        if contract is False:
            yield _reason("APPROVAL_TO_EOA", "high", 0.6,
                f"{a.kind.replace('_', ' ')} grants {what} of {_short(a.token)} to {_short(a.spender)}, "
                "an address that is not a contract",
            )  # fmt: skip
        elif contract and f.code(a.spender).has("pulls") and not f.code(a.spender).has("erc20"):
            if f.code(a.spender).has("drain"):
                yield _reason("APPROVAL_TO_DRAINER_PATTERN", "high", 0.45,
                    f"{what} of {_short(a.token)} to contract {_short(a.spender)}, which can pull tokens "
                    "and exposes claim/multicall/withdraw functions typical of drainers",
                )  # fmt: skip
            else:
                yield _reason("UNLIMITED_APPROVAL", "low", 0.08,
                    f"{what} of {_short(a.token)} to contract {_short(a.spender)}",
                )  # fmt: skip


@rule
def third_party_permit(f: Facts) -> Iterator[Reason]:
    for a in f.approvals:
        if a.kind in ("permit", "permit2") and a.owner != f.sender:
            yield _reason("PERMIT_SUBMITTED_BY_THIRD_PARTY", "high", 0.45,
                f"a signed {a.kind} of {_short(a.owner)} was submitted by {_short(f.sender)} "
                f"for spender {_short(a.spender)} ({_fmt(a.amount)})",
            )  # fmt: skip


@rule
def third_party_outflow(f: Facts) -> Iterator[Reason]:
    owners = sorted({o for _, o, _, _ in f.third_party_outflows})
    for owner in owners[:3]:
        yield _reason("TOKENS_MOVED_BY_THIRD_PARTY", "high", 0.4,
            f"tokens left {_short(owner)} in a transaction sent by {_short(f.sender)}, not by the owner",
        )  # fmt: skip


@rule
def zero_value(f: Facts) -> Iterator[Reason]:
    if f.zero_value:
        tok, a, b = f.zero_value[0]
        yield _reason("ZERO_VALUE_TRANSFER", "high", 0.5,
            f"zero-amount transfer of {_short(tok)} from {_short(a)} to {_short(b)} that its owner did not send: "
            "a way to plant an address in someone's history (address poisoning)",
        )  # fmt: skip


@rule
def lookalike(f: Facts) -> Iterator[Reason]:
    seen = set()
    for la in f.lookalikes:
        if la.address in seen or f.nonces.get(la.address, 0) > FRESH_NONCE:
            continue
        seen.add(la.address)
        yield _reason("LOOKALIKE_ADDRESS", "critical", 0.65,
            f"{_short(la.address)} resembles {_short(la.resembles)}, a recent counterparty of {_short(la.party)} "
            f"(same first {la.prefix} and last {la.suffix} hex digits): address poisoning",
        )  # fmt: skip


@rule
def paid_for_nothing(f: Facts) -> Iterator[Reason]:
    got_back = any(m.address == f.sender and not m.amount.startswith("-") for m in f.movements)
    if (
        f.status_ok
        and f.value > 0
        and f.is_contract(f.to)
        and f.calls
        and f.calls[0].name == "unknown"
        and not got_back
    ):
        yield _reason("PAID_CONTRACT_NOTHING_BACK", "medium", 0.3,
            f"paid {f.value / 1e18:.6g} ETH to a function of contract {_short(f.to)} and received nothing back",
        )  # fmt: skip


@rule
def token_powers(f: Facts) -> Iterator[Reason]:
    for t in [f.to, *f.tokens]:
        c = f.code(t)
        if not c.has("erc20"):
            continue
        powers = [p for p in ("blacklist", "fee", "pause") if c.has(p)]
        if powers:
            yield _reason("TOKEN_OWNER_CAN_BLOCK_SELLS", "medium", 0.25,
                f"token {_short(t)} has owner functions to {', '.join(powers)} transfers: "
                "it can block or tax sells for non-owners",
            )  # fmt: skip


@rule
def reverted_sell(f: Facts) -> Iterator[Reason]:
    if not f.status_ok and f.reverted_transfer_calls:
        t = f.reverted_transfer_calls[-1]
        yield _reason("TOKEN_TRANSFER_REVERTED", "medium", 0.3,
            f"the transfer of token {_short(t)} reverted: the token may block sells for non-owners",
        )  # fmt: skip


@rule
def dangerous_code(f: Facts) -> Iterator[Reason]:
    c = f.code(f.to)
    if c.size and SELFDESTRUCT in c.opcodes:
        yield Reason(
            "CALLEE_CAN_SELFDESTRUCT", "low", f"contract {_short(f.to)} contains SELFDESTRUCT", weight=0.05
        )
    if c.proxy:
        yield Reason(
            "CALLEE_IS_PROXY",
            "info",
            f"contract {_short(f.to)} is a {c.proxy} proxy: its logic can change",
            weight=0.0,
        )


@rule
def context(f: Facts) -> Iterator[Reason]:
    if not f.to:
        size = f.code(f.created).size
        yield Reason(
            "CONTRACT_CREATION", "info", f"creates contract {_short(f.created)} ({size} bytes of code)"
        )
    if not f.status_ok:
        yield Reason("REVERTED", "info", "the transaction reverted: no assets moved")
    if f.trace_status != "ok":
        why = {
            "unsupported": "the node does not support debug_traceTransaction",
            "off": "tracing was turned off",
        }.get(f.trace_status, "the node failed to trace it")
        yield Reason(
            "NO_TRACE", "info", f"internal calls and ETH transfers not analysed: {why}", source="coverage"
        )
    if not f.history_available:
        yield Reason(
            "NO_HISTORY",
            "info",
            "recent counterparties not analysed (no eth_getBlockReceipts)",
            source="coverage",
        )


def apply_rules(ex: Extracted) -> tuple[float, list[Reason]]:
    reasons = [r for fn in RULES for r in fn(ex.facts)]
    keep = 1.0
    for r in reasons:
        keep *= 1.0 - r.weight
    return 1.0 - keep, reasons
