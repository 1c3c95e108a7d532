"""Explainable rules: each turns decoded evidence into a reason code with a severity, a
sentence a person can act on, and a weight. The rule score is 1 - prod(1 - weight).

The rules say what happened, from the asset diffs (token/NFT transfer logs, ETH moves in the
call trace), approvals and account ages, never from a particular contract's shape. The
phishing ones follow the PTXPhish taxonomy (NDSS'25): approve / increaseAllowance /
setApprovalForAll / permit / Permit2 grants to fresh addresses and the sweeps that follow,
payable "claim" functions, zero-value and fake-token address poisoning, multicall drainers,
NFT zero-price orders; then honeypots (sells reverted or taxed away), rug pulls (liquidity
pulled soon after launch, owner mints, fee changes as taxed sells) and proxy upgrades. Only
the taxonomy's definitions are used here, none of its data. Weights stay below what a
"malicious" verdict needs on their own where the evidence is circumstantial, so thin
evidence makes a transaction "suspicious", with its reasons."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from chainllm.fraud.bytecode import DELEGATECALL, SELFDESTRUCT
from chainllm.fraud.features import FRESH_NONCE, UNLIMITED, ZERO_ADDR, Extracted, Facts, transfer_tax
from chainllm.fraud.result import Reason

Rule = Callable[[Facts], Iterator[Reason]]
YOUNG = 64  # blocks (~13 minutes at 12 s): "just launched"
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
def approval_to_fresh_address(f: Facts) -> Iterator[Reason]:
    """PTXPhish approve / increaseAllowance / setApprovalForAll phishing: the owner grants an
    allowance to an address that holds no code and did not exist a few blocks ago (a fresh
    phishing EOA, or a drainer's CREATE2 address before it is deployed)."""
    for a in f.approvals:
        if (
            a.owner != f.sender
            or a.kind not in ("approve", "increase", "set_approval_for_all")
            or a.amount == 0
        ):
            continue
        if f.is_contract(a.spender) is False and f.fresh(a.spender):
            what = {"set_approval_for_all": "setApprovalForAll (all NFTs)", "increase": "increaseAllowance"}
            yield _reason("APPROVAL_TO_FRESH_ADDRESS", "critical", 0.75,
                f"{what.get(a.kind, 'approve')} of {_short(a.token)} ({_fmt(a.amount)}) to {_short(a.spender)}, "
                "an address with no code that did not exist a few blocks ago: the allowance phishing pattern",
            )  # fmt: skip


@rule
def unlimited_approval(f: Facts) -> Iterator[Reason]:
    for a in f.approvals:
        if a.amount < UNLIMITED:
            continue
        what = "all NFTs" if a.kind == "set_approval_for_all" else "an unlimited allowance"
        contract = f.is_contract(a.spender)
        if contract is False:
            if f.fresh(a.spender):
                continue  # approval_to_fresh_address says it
            yield _reason("APPROVAL_TO_EOA", "medium", 0.3,
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
    """PTXPhish permit / Permit2 phishing: an owner's off-chain signature is submitted by
    someone else; worst when the spender is a fresh address without code."""
    for a in f.approvals:
        if a.kind in ("permit", "permit2") and a.owner != f.sender:
            fresh = f.is_contract(a.spender) is False and (f.fresh(a.spender) or f.fresh(f.sender))
            yield _reason("PERMIT_SUBMITTED_BY_THIRD_PARTY", "critical" if fresh else "high", 0.7 if fresh else 0.45,
                f"a signed {a.kind} of {_short(a.owner)} was submitted by {_short(f.sender)} "
                f"for spender {_short(a.spender)} ({_fmt(a.amount)})"
                + (", a fresh address without code" if fresh else ""),
            )  # fmt: skip


@rule
def third_party_outflow(f: Facts) -> Iterator[Reason]:
    """The sweep after an allowance or signature phish: tokens leave an account (not a
    contract) in a transaction it did not send, and it gets nothing back."""
    owners = sorted({o for _, o, _, _ in f.third_party_outflows})
    for owner in owners[:3]:
        dests = {d for _, o, d, _ in f.third_party_outflows if o == owner}
        fresh = f.fresh(f.sender) or any(f.fresh(d) for d in dests)
        if f.paid_back(owner):
            continue  # a trade (a marketplace sale, a swap through an allowance): it was paid
        paid = False
        weight = 0.6 if fresh else 0.4
        yield _reason("TOKENS_MOVED_BY_THIRD_PARTY", "high" if weight >= 0.4 else "medium", weight,
            f"tokens left {_short(owner)} in a transaction sent by {_short(f.sender)}, not by the owner"
            + (" (to or by a fresh address)" if fresh else "") + (" (the owner was paid)" if paid else ""),
        )  # fmt: skip


@rule
def nft_taken_for_nothing(f: Facts) -> Iterator[Reason]:
    """setApprovalForAll sweeps and NFT zero-price orders: an account's NFT leaves it in a
    transaction someone else sent, and the account receives nothing for it."""
    taken = [t for t in f.transfers if t[4] != "erc20" and t[1] != f.sender and t[1] != ZERO_ADDR]
    for owner in sorted({t[1] for t in taken})[:2]:
        if f.is_contract(owner) or f.paid_back(owner):
            continue
        n = sum(1 for t in taken if t[1] == owner)
        yield _reason("NFT_TAKEN_FOR_NOTHING", "critical", 0.65,
            f"{n} NFT(s) left {_short(owner)} in a transaction sent by {_short(f.sender)} and it received nothing "
            "(an approval sweep or a zero-price order)",
        )  # fmt: skip


@rule
def payment_forwarded_to_eoa(f: Facts) -> Iterator[Reason]:
    """Payable claim functions and multicall drainers called by the victim: the sender pays a
    contract, gets nothing back, and its ETH or tokens go straight on to one address without
    code."""
    if not f.status_ok or not f.to or not f.is_contract(f.to) or f.paid_back(f.sender):
        return
    out_eth = [(y, w) for x, y, w in f.eth if x != f.sender and y != f.sender and w > 0]
    sent_tokens = [t for t in f.transfers if t[1] == f.sender and t[0] != f.to]  # not a plain transfer
    sinks = {y for y, _ in out_eth} | {t[2] for t in sent_tokens}
    if not sinks or len(sinks) > 1 or (f.value == 0 and not sent_tokens):
        return
    sink = next(iter(sinks))
    if f.is_contract(sink) is not False or sink == f.sender:
        return
    forwarded = sum(w for y, w in out_eth if y == sink)
    if f.value and forwarded < f.value * 0.9 and not sent_tokens:
        return
    what = (
        "ETH"
        if not sent_tokens
        else f"{len({t[0] for t in sent_tokens})} token(s)" + (" and ETH" if f.value else "")
    )
    yield _reason("PAYMENT_FORWARDED_TO_EOA", "high", 0.55,
        f"{what} sent through contract {_short(f.to)} went on to {_short(sink)}, an address without code, "
        "and the sender received nothing (a payable claim or multicall drainer)",
    )  # fmt: skip


@rule
def paid_missing_function(f: Facts) -> Iterator[Reason]:
    """ETH paid to a function the contract does not have: its fallback took the money (the
    'SecurityUpdate()' style of payable scam)."""
    c = f.code(f.to)
    if not (f.status_ok and f.value > 0 and c.size and not c.proxy and f.calls):
        return
    sel = f.calls[0].selector
    if len(sel) == 10 and sel[2:] not in c.selectors and DELEGATECALL not in c.opcodes:
        yield _reason("PAID_UNKNOWN_FUNCTION", "medium", 0.35,
            f"paid {f.value / 1e18:.6g} ETH calling {sel}, a function contract {_short(f.to)} does not have: "
            "its fallback kept the payment",
        )  # fmt: skip


@rule
def fake_token_transfer(f: Facts) -> Iterator[Reason]:
    """Fake-token address poisoning: Transfer events from a contract that cannot transfer
    (no ERC-20 transfer functions), showing transfers its 'sender' never made."""
    for tok in sorted({t[0] for t in f.transfers if t[4] == "erc20"}):
        c = f.code(tok)
        if c.size and c.has("erc20") < 3:
            parties = [t for t in f.transfers if t[0] == tok and t[1] != f.sender]
            if parties:
                _, a, b, *_ = parties[0]
                yield _reason("FAKE_TOKEN_TRANSFER", "critical", 0.7,
                    f"{_short(tok)} logged a transfer from {_short(a)} to {_short(b)} but has no ERC-20 transfer "
                    "functions: fake token events that plant an address in a wallet's history",
                )  # fmt: skip
                return


@rule
def transfer_taxed(f: Facts) -> Iterator[Reason]:
    """Fee-on-transfer honeypots and fee-change rug pulls: a large share of the tokens of a
    trade went to a third address."""
    shares = transfer_tax(f.sender, f.transfers, f.eth) if f.status_ok else []
    worst = max(shares, default=0.0)
    if worst >= 0.25:
        yield _reason("TRANSFER_TAXED", "high", 0.6 if worst >= 0.5 else 0.35,
            f"{worst:.0%} of the tokens of this trade went to a third address: the token taxes or confiscates "
            "transfers (honeypot or fee-change rug pull)",
        )  # fmt: skip


@rule
def simulated_sell_fails(f: Facts) -> Iterator[Reason]:
    """Honeypot buys: the buyer's sell of 1% of what it just bought, replayed at the buy's
    block (chainllm.fraud.sell_check), reverts, returns false, or loses most of its tokens to
    a third address. Executing the token's code says it; no contract shape is read."""
    s = f.sell
    if s is None:
        return
    tok = _short(s.token)
    if s.outcome in ("reverted", "returned_false"):
        why = f" ({s.reason})" if s.reason and s.reason != "execution reverted" else ""
        yield _reason("SIMULATED_SELL_REVERTS", "critical", 0.8,
            f"a sell of 1% of the {tok} tokens just bought, simulated at this block, "
            + ("reverts" + why if s.outcome == "reverted" else "returns false")
            + ": the buyer cannot sell (honeypot)",
        )  # fmt: skip
    elif s.outcome == "taxed" and s.tax_share >= 0.25:
        yield _reason("SIMULATED_SELL_TAXED", "critical" if s.tax_share >= 0.5 else "high",
            0.75 if s.tax_share >= 0.5 else 0.45,
            f"a sell of 1% of the {tok} tokens just bought, simulated at this block, loses {s.tax_share:.0%} "
            "of them to a third address: a confiscatory sell tax (honeypot)",
        )  # fmt: skip


@rule
def withdrawn_from_young_contract(f: Facts) -> Iterator[Reason]:
    """Rug pulls end with the owner taking the deposits out of a contract launched shortly
    before: liquidity removed from a new pool, a new vault emptied after an upgrade."""
    if not f.status_ok or not f.to or not f.is_contract(f.to) or f.value:
        return
    eth_back = any(x == f.to and y == f.sender for x, y, _ in f.eth)
    tok_back = any(t[1] == f.to and t[2] == f.sender and t[4] == "erc20" for t in f.transfers)
    age = f.ages.get(f.to)
    if (eth_back or tok_back) and age is not None and age < YOUNG:
        what = "ETH and tokens" if eth_back and tok_back else "ETH" if eth_back else "tokens"
        yield _reason("WITHDRAWN_FROM_YOUNG_CONTRACT", "medium", 0.45 if eth_back and tok_back else 0.3,
            f"{what} taken out of {_short(f.to)}, a contract under {YOUNG} blocks old: the way rug pulls end",
        )  # fmt: skip


@rule
def owner_mint(f: Facts) -> Iterator[Reason]:
    """Owner mint (mint-and-dump rug pulls): a fungible token is minted to the caller, who
    paid nothing for it."""
    if not f.status_ok or not f.to or f.value or any(t[1] == f.sender for t in f.transfers):
        return
    for tok, a, b, amount, std, _ in f.transfers:
        if a == ZERO_ADDR and b == f.sender and std == "erc20" and amount > 0:
            yield _reason("OWNER_MINT", "medium", 0.3,
                f"{_short(f.sender)} minted itself {amount} units of {_short(tok)} without paying: a token "
                "whose owner can mint at will can be dumped on its holders",
            )  # fmt: skip
            return


@rule
def proxy_upgrade(f: Facts) -> Iterator[Reason]:
    """Upgradeable-proxy rugs start with an upgrade to new logic; worst when the new logic is
    only a few blocks old."""
    for proxy, impl in f.upgraded[:1]:
        age = f.ages.get(impl)
        young = age is not None and age < YOUNG
        yield _reason("PROXY_UPGRADED", "medium", 0.2,
            f"proxy {_short(proxy)} now runs {_short(impl)}" + (f", code under {YOUNG} blocks old" if young else "")
            + ": its owner can change what it does with deposits",
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
    """Address poisoning: a look-alike of a recent counterparty with poisoning-shaped evidence
    (features.find_lookalikes: a zero-amount, dust or fake-token transfer planted by someone
    else, or the victim paying an address that only others' transactions put in its history).
    A resemblance alone never fires: matching hex digits happen by chance."""
    seen = set()
    for la in f.lookalikes:
        if la.address in seen or f.nonces.get(la.address, 0) > FRESH_NONCE:
            continue
        seen.add(la.address)
        yield _reason("LOOKALIKE_ADDRESS", "critical", 0.65,
            f"{_short(la.address)} resembles {_short(la.resembles)}, a recent counterparty of {_short(la.party)} "
            f"(same first {la.prefix} and last {la.suffix} hex digits; {la.how}): address poisoning",
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
    ):  # deposits, stakes and bridge transfers look the same: a hint, not evidence
        yield _reason("PAID_CONTRACT_NOTHING_BACK", "low", 0.1,
            f"paid {f.value / 1e18:.6g} ETH to a function of contract {_short(f.to)} and received nothing back",
        )  # fmt: skip


@rule
def token_powers(f: Facts) -> Iterator[Reason]:
    for t in [f.to, *f.tokens]:
        c = f.code(t)
        if not c.has("erc20"):
            continue
        powers = [p for p in ("blacklist", "fee", "pause") if c.has(p)]
        if powers:  # a capability, not an act: a weak hint on its own
            yield _reason("TOKEN_OWNER_CAN_BLOCK_SELLS", "low", 0.1,
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
    if f.sell_status not in ("", "ok"):
        from chainllm.fraud.sell_check import NOT_ANALYSED

        yield Reason(
            "SELL_NOT_SIMULATED",
            "info",
            f"the bought token's sell was not simulated: {NOT_ANALYSED[f.sell_status]}",
            source="coverage",
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
