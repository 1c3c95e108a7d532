"""Features of one transaction: calldata, receipt logs, call trace, the bytecode of every
contract involved, account history (nonces, recent counterparties). Numeric features feed
the gradient-boosted model; ``Facts`` keep the decoded evidence for rules, text and output.

Feature names are generic on purpose (no scenario contract names), so an evaluation split by
contract implementation measures generalisation, not memorised bytecode."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from eth_utils import keccak

from chainllm.fraud.bytecode import (
    CREATE,
    CREATE2,
    DELEGATECALL,
    EMPTY,
    ORIGIN,
    SELFDESTRUCT,
    CodeFacts,
    analyse,
)
from chainllm.fraud.decode import (
    Approval,
    Call,
    approvals_from_calls,
    decode_call,
    decode_logs,
    eth_transfers,
    movements,
    trace_callees,
)
from chainllm.fraud.fetch import AGE_ROLES, TxBundle, key_parties
from chainllm.fraud.result import AssetMovement
from chainllm.fraud.sell_check import SellCheck

# 2: ages, recipient history; 3: chain-independent (issue 13); 4: simulated sell (rules only),
# look-alikes only with poisoning-shaped evidence
FEATURE_VERSION = 4
FRESH_NONCE = 5  # an account with this few transactions is "new"
UNLIMITED = 2**255  # approvals at or above this are "unlimited" in practice
CALL_KINDS = ("eth_transfer", "unknown", "transfer", "approve", "transferFrom", "setApprovalForAll",
              "permit", "permit2", "multicall", "nft_transfer", "create")  # fmt: skip
CODE_PATTERNS = ("blacklist", "fee", "mint", "pause", "drain", "pulls", "ownable", "erc20", "erc721")

# Computed (the LLM text and reasons use them) but not fed to the GBM, because they describe
# the chain or the simulator rather than what the transaction did (issue 13; ablations in
# docs/benchmarks.md, bench/fraud_ablation.py): nonces grow through a chain's life; code
# sizes and selector counts identify particular contracts (dropping them cut the false alarms
# on the other scenario family's benign traffic from 35% to 11%); gas use, tips and legacy
# types are wallet and chain habits; absolute ETH amounts are funding habits; raw ages in
# blocks depend on how long the chain has existed (replaced by capped, relative ages with
# "unknown" kept apart); log/call counts and calldata length are contract shapes.
NOT_FOR_GBM = (
    "from_nonce_log", "to_nonce_log", "approval_spender_nonce_log", "recipient_nonce_log",
    "to_code_size_log", "tok_code_max_log", "approval_spender_code_log", "created_code_log", "to_selectors",
    "gas_used_ratio", "tip_gwei_log", "is_legacy", "value_eth_log", "eth_out_log", "eth_in_log",
    "sender_history_pairs_log", "input_bytes_log", "logs", "token_transfers", "token_contracts", "trace_calls",
    "recipient_counterparties_log", "to_drain", *(f"{r}_age_log" for r in AGE_ROLES),
    "recipient_fresh", "spender_fresh",  # unknown read as "not fresh": replaced by the *_fresh_tri forms
    # Relative ages (age / min(cap, height)) still tracked each simulator's funding schedule
    # (the age look-ups are coarse: 8, 64, 1024... blocks); a recipient's freshness and its
    # number of counterparties tracked how each simulator hands out tokens at setup. Computed
    # for the reasons and the LLM text, not learnt from.
    *(f"{r}_age_rel" for r in AGE_ROLES), "recipient_fresh_tri", "recipient_counterparties",
    # Version 4: the callee's and tokens' code patterns and opcodes are contract shapes; dropping
    # them raised the cross-family ROC-AUC both ways in bench/fraud_ablation.py on dev seed 102
    # (A->B 0.645 -> 0.672, B->A 0.842 -> 0.884). The rules still read them.
    *(f"to_{p}" for p in CODE_PATTERNS), "to_delegatecall", "to_selfdestruct", "to_origin", "to_proxy",
    "to_creates", *(f"tok_{p}" for p in ("blacklist", "fee", "mint", "pause", "ownable")), "tok_selfdestruct",
    "tok_delegatecall",
    # The simulated sell needs a node at the buy's block: a Parquet crawl has none, and the
    # model learnt from a crawl must equal the one learnt over RPC. Rules read it at scoring.
    "sell_sim_blocked", "sell_sim_tax",
)  # fmt: skip
AGE_CAP = 1024  # blocks; older is "old" (relative ages are capped here and by the chain's height)
CAP = 3.0  # counts are capped: "several" is what matters, not how many a contract emits

_ALL_VALUES: tuple[str, ...] = (
    "is_create", "status_ok", "value_eth_log", "input_bytes_log", "gas_used_ratio", "tip_gwei_log",
    "is_legacy", "from_nonce_log",
    "to_is_contract", "to_code_size_log", "to_nonce_log", "to_selectors",
    *(f"call_{k}" for k in CALL_KINDS),
    "inner_calls",
    "approvals", "approval_unlimited", "approval_spender_eoa", "approval_spender_contract",
    "approval_spender_nonce_log", "approval_spender_code_log", "approval_spender_pulls",
    "permit_by_third_party",
    "logs", "token_transfers", "token_contracts", "zero_value_transfers", "third_party_outflows",
    "sender_assets_out", "sender_assets_in", "eth_out_log", "eth_in_log", "nft_moves",
    "paid_contract_nothing_back",
    "lookalike_similarity", "lookalike_hit", "lookalike_fresh", "first_contact", "sender_history_pairs_log",
    *(f"to_{p}" for p in CODE_PATTERNS),
    "to_delegatecall", "to_selfdestruct", "to_origin", "to_proxy", "to_creates",
    *(f"tok_{p}" for p in ("blacklist", "fee", "mint", "pause", "ownable")),
    "tok_selfdestruct", "tok_delegatecall", "tok_code_max_log",
    "trace_available", "trace_calls", "trace_delegatecalls", "trace_creates", "trace_reverted_frames",
    "trace_eth_internal", "history_available", "created_code_log",
    *(f"{r}_age_log" for r in AGE_ROLES), "age_available", "recipient_fresh", "spender_fresh",
    "recipient_nonce_log", "recipient_counterparties_log", "recipient_known",
    # version 3: chain-independent forms
    "has_value", "eth_out", "eth_in", "trace_reverted", "recipient_counterparties",
    *(f"{r}_fresh_tri" for r in AGE_ROLES), *(f"{r}_age_rel" for r in AGE_ROLES),
    "approval_spender_no_code", "approval_spender_fresh", "outflow_to_single_eoa", "nft_out_nothing_back",
    "fake_token_events", "minted_to_sender", "proxy_upgraded", "transfer_tax",
    # version 4: the simulated sell of a bought token (chainllm.fraud.sell_check): 1 blocked /
    # taxed, 0 sold, -1 no buy or not analysed
    "sell_sim_blocked", "sell_sim_tax",
)  # fmt: skip
FEATURE_NAMES: tuple[str, ...] = tuple(n for n in _ALL_VALUES if n not in NOT_FOR_GBM)


def _log1p(x: float) -> float:
    return math.log1p(max(x, 0.0))


@dataclass(frozen=True)
class Lookalike:
    address: str  # the address that appears in this transaction
    resembles: str  # a recent counterparty of ``party`` it mimics
    party: str
    prefix: int
    suffix: int
    how: str = ""  # the poisoning-shaped evidence (find_lookalikes)


@dataclass(frozen=True)
class Facts:
    sender: str
    to: str
    created: str
    status_ok: bool
    value: int
    calls: list[Call]
    approvals: list[Approval]
    transfers: list[tuple[str, str, str, int, str, str]]
    eth: list[tuple[str, str, int]]
    movements: list[AssetMovement]
    codes: dict[str, CodeFacts]
    nonces: dict[str, int]
    lookalikes: list[Lookalike]
    third_party_outflows: list[tuple[str, str, str, int]]  # token, owner, to, amount
    zero_value: list[tuple[str, str, str]]  # token, from, to
    reverted_transfer_calls: list[str]  # contracts whose transfer/transferFrom reverted
    trace_status: str
    history_available: bool
    first_contact: bool
    tokens: list[str]  # token contracts touched besides ``to``
    extras: dict[str, Any] = field(default_factory=dict)
    ages: dict[str, int] = field(default_factory=dict)  # address -> blocks it existed (lower bound)
    block_number: int = 0
    upgraded: list[tuple[str, str]] = field(default_factory=list)  # (proxy, new implementation)
    trace_available: bool = False
    sell: SellCheck | None = None  # the simulated sell of the token this tx bought
    sell_status: str = ""  # "" no buy, "ok", else a sell_check.NOT_ANALYSED key

    def fresh(self, a: str) -> bool | None:
        """Did ``a`` not exist (no balance, no code) a few blocks before? None: unknown."""
        return self.ages[a] == 0 if a in self.ages else None

    def paid_back(self, a: str) -> bool:
        return any(m.address == a and not m.amount.startswith("-") for m in self.movements)

    def code(self, a: str) -> CodeFacts:
        return self.codes.get(a, EMPTY)

    def is_contract(self, a: str) -> bool | None:
        """None when the code was not fetched (not analysed, not "EOA")."""
        return self.codes[a].size > 0 if a in self.codes else None


@dataclass(frozen=True)
class Extracted:
    values: dict[str, float]
    facts: Facts

    def vector(self) -> list[float]:
        return [self.values[n] for n in FEATURE_NAMES]


def similarity(a: str, b: str) -> tuple[int, int]:
    """Matching leading and trailing hex digits of two addresses (case-insensitive)."""
    x, y = a.lower()[2:], b.lower()[2:]
    p = 0
    while p < 40 and x[p] == y[p]:
        p += 1
    s = 0
    while s < 40 and x[39 - s] == y[39 - s]:
        s += 1
    return p, s


def _counterparties(history: list[tuple[str, str, str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for a, b, _ in history:
        out[a].add(b)
        out[b].add(a)
    return out


def _signed_contacts(history: list[tuple[str, str, str]]) -> dict[str, set[str]]:
    """For each account, the counterparties it dealt with in transactions it signed itself."""
    out: dict[str, set[str]] = defaultdict(set)
    for a, b, signer in history:
        if signer == a:
            out[a].add(b)
        elif signer == b:
            out[b].add(a)
    return out


DUST_WEI = 10**15  # 0.001 ETH
# Token base units: under one unit of a 6-decimal stablecoin, nothing of an 18-decimal token.
DUST_UNITS = 10**6


def find_lookalikes(
    sender: str, to: str, value: int, data: str, transfers: list[tuple[str, str, str, int, str, str]],
    eth: list[tuple[str, str, int]], codes: dict[str, CodeFacts], history: list[tuple[str, str, str]],
) -> list[Lookalike]:  # fmt: skip
    """Look-alikes with poisoning-shaped evidence only. A similar-looking address alone is no
    evidence (a few matching hex digits happen by chance on ordinary traffic); it counts when
    ``other`` resembles a recent counterparty of ``party``, ``party`` never signed a
    transaction with ``other``, and either

    - ``planting``: this transaction, not signed by ``party``, moves a zero amount, dust, or a
      fake token's "transfer" between them (the poisoning transfer itself), or
    - ``planted``: ``party`` signs this transaction and sends value to ``other``, an address that
      reached its history only through other people's transactions (the victim's loss)."""
    cps = _counterparties(history)
    signed = _signed_contacts(history)
    moves: list[tuple[str, str, str, int, str]] = [(t, x, y, amt, std) for t, x, y, amt, std, _ in transfers]
    moves += [("", x, y, w, "eth") for x, y, w in eth]
    if to and not data[2:] and not value:
        moves.append(("", sender, to, 0, "eth"))  # a plain zero-value call: shows in histories
    out: list[Lookalike] = []
    seen: set[tuple[str, str]] = set()
    for tok, x, y, amt, std in moves:
        for party, other in ((x, y), (y, x)):
            if party == other or other in signed.get(party, ()) or (party, other) in seen:
                continue
            how = ""
            if party != sender:
                fake = std == "erc20" and codes.get(tok, EMPTY).size > 0 and codes[tok].has("erc20") < 3
                if std == "erc20" and amt == 0:
                    how = "planting: zero-amount transfer"
                elif fake:
                    how = "planting: fake-token transfer"
                elif (
                    x == other
                    and std in ("erc20", "eth")
                    and amt < (DUST_WEI if std == "eth" else DUST_UNITS)
                ):
                    how = "planting: dust transfer" if amt else "planting: zero-value transfer"
            elif x == party and amt > 0 and other in cps.get(party, ()):
                how = "planted: sent to an address put in its history by others' transactions"
            if not how:
                continue
            best: Lookalike | None = None
            for known in sorted(cps.get(party, ())):
                if known == other:
                    continue
                p, s = similarity(known, other)
                if p >= 2 and s >= 2 and p + s >= 4 and (best is None or p + s > best.prefix + best.suffix):
                    best = Lookalike(other, known, party, p, s, how)
            if best is not None:
                seen.add((party, other))
                out.append(best)
    return out


def _reverted_transfer_calls(trace: dict[str, Any] | None) -> list[str]:
    out: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        sel = str(node.get("input") or "")[:10].lower()
        if node.get("error") and sel in ("0xa9059cbb", "0x23b872dd") and node.get("to"):
            out.append(str(node["to"]).lower())
        for c in node.get("calls") or []:
            walk(c)

    if trace:
        walk(trace)
    return out


def _account_features(v: dict[str, float], b: TxBundle, cps: dict[str, set[str]]) -> None:
    """Age (blocks the account existed before the tx: a lower bound), nonce and recent
    counterparties of the sender, callee, recipient and spender. A drainer or a poisoner's
    look-alike is typically days old with no history; a friend being paid is not."""
    parties = key_parties(b.tx, b.receipt)
    v["age_available"] = float(bool(b.ages))
    for role in AGE_ROLES:
        a = parties.get(role)
        if a is not None and a in b.ages:
            v[f"{role}_age_log"] = _log1p(b.ages[a])
    for role in ("recipient", "spender"):
        a = parties.get(role)
        v[f"{role}_fresh"] = float(a is not None and a in b.ages and b.ages[a] == 0)
    r = parties.get("recipient")
    if r is not None:
        v["recipient_nonce_log"] = _log1p(b.nonces.get(r, 0))
        v["recipient_counterparties_log"] = _log1p(len(cps.get(r, ())))
        v["recipient_known"] = float(r in cps.get(parties["from"], ()))


T_UPGRADED = "0x" + keccak(text="Upgraded(address)").hex()
ZERO_ADDR = "0x" + "00" * 20


def _cap(x: float) -> float:
    return min(float(x), CAP)


def _tri(a: str | None, ages: dict[str, int]) -> float:
    """1 fresh (absent a few blocks ago), 0 older, -1 unknown (no age look-up answered)."""
    if a is None or a not in ages:
        return -1.0
    return 1.0 if ages[a] == 0 else 0.0


def _chain_free(
    v: dict[str, float], b: TxBundle, sender: str, to: str, value: int, eth: list[tuple[str, str, int]],
    transfers: list[tuple[str, str, str, int, str, str]], approvals: list[Approval], codes: dict[str, CodeFacts],
    cps: dict[str, set[str]], upgraded: list[tuple[str, str]], bn: int,
) -> None:  # fmt: skip
    """Version-3 features: what happened (asset flows, approvals and who got them), with ages
    relative to the chain's height and capped, and -1 for "unknown"."""
    parties = key_parties(b.tx, b.receipt)
    for role in AGE_ROLES:
        a = parties.get(role)
        v[f"{role}_fresh_tri"] = _tri(a, b.ages)
        if a is not None and a in b.ages:
            # Relative to what the chain allows: on a 200-block dev chain an account from
            # genesis is as "old" as a year-old mainnet account.
            v[f"{role}_age_rel"] = min(b.ages[a], AGE_CAP, max(bn, 1)) / min(AGE_CAP, max(bn, 1))
        else:
            v[f"{role}_age_rel"] = -1.0
    v["has_value"] = float(value > 0)
    v["eth_out"] = float(any(x == sender for x, _, _ in eth))
    v["eth_in"] = float(any(y == sender for _, y, _ in eth))
    v["trace_reverted"] = float(v["trace_reverted_frames"] > 0)
    r = parties.get("recipient")
    v["recipient_counterparties"] = _cap(len(cps.get(r, ()))) / CAP if r else 0.0
    for k in (
        "approvals",
        "zero_value_transfers",
        "third_party_outflows",
        "sender_assets_out",
        "sender_assets_in",
        "nft_moves",
        "inner_calls",
        "trace_eth_internal",
        *(f"call_{c}" for c in CALL_KINDS),
    ):
        v[k] = _cap(v[k])  # fmt: skip
    spenders = [a.spender for a in approvals if a.amount > 0]
    v["approval_spender_no_code"] = float(any(s in codes and not codes[s].size for s in spenders))
    v["approval_spender_fresh"] = max((_tri(s, b.ages) for s in spenders), default=-1.0)
    got_back = any(y == sender for _, y, _ in eth) or any(t[2] == sender for t in transfers)
    out_to = {t[2] for t in transfers if t[1] == sender} | {y for x, y, _ in eth if x == sender and y != to}
    v["outflow_to_single_eoa"] = float(
        bool(to) and to in codes and codes[to].size > 0 and not got_back and len(out_to) == 1
        and all(o in codes and not codes[o].size and o != sender for o in out_to)
    )  # fmt: skip
    nft_out = [t for t in transfers if t[4] != "erc20" and t[1] not in (sender, ZERO_ADDR)]
    owners = {t[1] for t in nft_out}
    v["nft_out_nothing_back"] = float(
        bool(nft_out)
        and not any(y in owners for _, y, _ in eth)
        and not any(t[2] in owners for t in transfers)
    )
    v["fake_token_events"] = float(
        any(
            t[4] == "erc20" and t[0] in codes and codes[t[0]].size and codes[t[0]].has("erc20") < 3
            for t in transfers
        )
    )
    v["minted_to_sender"] = float(
        any(t[1] == ZERO_ADDR and t[2] == sender and t[4] == "erc20" for t in transfers)
        and value == 0
        and bool(to)
    )
    v["proxy_upgraded"] = float(bool(upgraded))
    v["transfer_tax"] = max(transfer_tax(sender, transfers, eth), default=0.0)


def transfer_tax(
    sender: str, transfers: list[tuple[str, str, str, int, str, str]], eth: list[tuple[str, str, int]]
) -> list[float]:
    """Share of a trade's tokens that went to a third address: for each fungible outflow split
    between exactly two recipients where one is the trade's counterparty (the sender buying,
    or whoever paid the sender when selling), the other recipient's share."""
    payers = {x for x, y, _ in eth if y == sender} | {t[1] for t in transfers if t[2] == sender}
    groups: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for tok, a, bb, amount, std, _ in transfers:
        if std == "erc20" and amount > 0 and a != ZERO_ADDR:
            groups[(tok, a)][bb] += amount
    out = []
    for (_tok, src), recips in groups.items():
        if len(recips) != 2:
            continue
        total = sum(recips.values())
        for party in recips:
            if (src == sender and party in payers) or (party == sender and src != sender):
                other = next(x for x in recips if x != party)
                out.append(recips[other] / total)
    return out


def extract(b: TxBundle) -> Extracted:
    tx, rc = b.tx, b.receipt
    sender = str(tx["from"]).lower()
    to = str(tx.get("to") or "").lower()
    created = str(rc.get("contractAddress") or "").lower() if not to else ""
    status_ok = int(rc.get("status") or "0x1", 16) == 1
    value = int(tx.get("value") or "0x0", 16)
    data = str(tx.get("input") or "0x")
    calls = decode_call(data) if to else [Call("create", "0x", {}, 0)]
    logs = rc.get("logs") or []
    lf = decode_logs(logs)
    approvals = approvals_from_calls(calls, to, sender) if to else []
    # Approvals the receipt proves (the calldata may hide them behind a router or multicall).
    seen_ap = {(a.token, a.owner, a.spender) for a in approvals}
    approvals += [a for a in lf.approvals if (a.token, a.owner, a.spender) not in seen_ap]
    eth = eth_transfers(tx, b.trace) if status_ok else []
    moves = movements(status_ok, lf.transfers, eth)
    codes = {a: analyse(c) for a, c in b.codes.items()}
    callees, kinds = trace_callees(b.trace)

    def is_contract(a: str) -> bool:
        return a in codes and codes[a].size > 0

    # Address poisoning: a party of a transfer receives from / sends to a look-alike of
    # someone it dealt with recently, with poisoning-shaped evidence (lookalikes()).
    first_contact = False
    cps = _counterparties(b.history or [])
    pairs = [(x, y) for _, x, y, *_ in lf.transfers] + [(x, y) for x, y, _ in eth]
    if to and not data[2:]:
        pairs.append((sender, to))
    lookalikes = find_lookalikes(sender, to, value, data, lf.transfers, eth, codes, b.history or [])
    if b.history is not None and cps.get(sender):
        recips = {y for x, y in pairs if x == sender} or ({to} if to else set())
        first_contact = any(r not in cps[sender] for r in recips)

    third_party = [
        (tok, a, bb, v) for tok, a, bb, v, std, _ in lf.transfers
        if a != sender and a not in ("0x" + "00" * 20,) and not is_contract(a) and a in codes
    ]  # fmt: skip
    zero_value = [
        (tok, a, bb) for tok, a, bb, v, std, _ in lf.transfers if v == 0 and std == "erc20" and a != sender
    ]
    tokens = sorted((lf.emitters | callees) - {to, sender})
    tc = [codes[t] for t in tokens if t in codes and codes[t].size]
    to_code = codes.get(to, EMPTY)

    v: dict[str, float] = dict.fromkeys(_ALL_VALUES, 0.0)
    v["is_create"] = float(not to)
    v["status_ok"] = float(status_ok)
    v["value_eth_log"] = _log1p(value / 1e18 * 1000)
    v["input_bytes_log"] = _log1p(len(data[2:]) / 2)
    gas = int(tx.get("gas") or "0x1", 16) or 1
    v["gas_used_ratio"] = int(rc.get("gasUsed") or "0x0", 16) / gas
    tip = tx.get("maxPriorityFeePerGas") or tx.get("gasPrice") or "0x0"
    v["tip_gwei_log"] = _log1p(int(tip, 16) / 1e9)
    v["is_legacy"] = float(str(tx.get("type") or "0x0") in ("0x0", "0x00", "0"))
    v["from_nonce_log"] = _log1p(int(tx.get("nonce") or "0x0", 16))
    v["to_is_contract"] = float(is_contract(to))
    v["to_code_size_log"] = _log1p(to_code.size)
    v["to_nonce_log"] = _log1p(b.nonces.get(to, 0))
    v["to_selectors"] = float(len(to_code.selectors))
    for c in calls:
        kind = {"safeTransferFrom721": "nft_transfer", "safeTransferFrom721Data": "nft_transfer",
                "safeTransferFrom1155": "nft_transfer", "safeBatchTransferFrom": "nft_transfer",
                "increaseAllowance": "approve", "permit2Permit": "permit2", "permit2TransferFrom": "permit2",
                "multicallDeadline": "multicall", "multicallTargets": "multicall", "aggregate": "multicall",
                }.get(c.name, c.name)  # fmt: skip
        if f"call_{kind}" in v:
            v[f"call_{kind}"] += 1.0
    v["inner_calls"] = float(sum(1 for c in calls if c.depth))
    if approvals:
        v["approvals"] = float(len(approvals))
        v["approval_unlimited"] = float(any(a.amount >= UNLIMITED for a in approvals))
        spenders = [a.spender for a in approvals]
        v["approval_spender_eoa"] = float(any(s in codes and not codes[s].size for s in spenders))
        v["approval_spender_contract"] = float(any(is_contract(s) for s in spenders))
        v["approval_spender_nonce_log"] = max(_log1p(b.nonces.get(s, 0)) for s in spenders)
        v["approval_spender_code_log"] = max(_log1p(codes.get(s, EMPTY).size) for s in spenders)
        v["approval_spender_pulls"] = float(
            any(codes.get(s, EMPTY).has("pulls") and not codes.get(s, EMPTY).has("erc20") for s in spenders)
        )
    v["permit_by_third_party"] = float(
        any(a.kind in ("permit", "permit2") and a.owner != sender for a in approvals)
    )
    v["logs"] = float(len(logs))
    v["token_transfers"] = float(len(lf.transfers))
    v["token_contracts"] = float(len({t[0] for t in lf.transfers}))
    v["zero_value_transfers"] = float(len(zero_value))
    v["third_party_outflows"] = float(len(third_party))
    v["sender_assets_out"] = float(sum(1 for m in moves if m.address == sender and m.amount.startswith("-")))
    v["sender_assets_in"] = float(
        sum(1 for m in moves if m.address == sender and not m.amount.startswith("-"))
    )
    v["eth_out_log"] = _log1p(sum(w for a, _, w in eth if a == sender) / 1e18 * 1000)
    v["eth_in_log"] = _log1p(sum(w for _, bb, w in eth if bb == sender) / 1e18 * 1000)
    v["nft_moves"] = float(sum(1 for t in lf.transfers if t[4] != "erc20"))
    v["paid_contract_nothing_back"] = float(
        status_ok and value > 0 and is_contract(to) and len(data) > 2 and v["sender_assets_in"] == 0
    )
    if lookalikes:
        v["lookalike_similarity"] = float(max(la.prefix + la.suffix for la in lookalikes))
        v["lookalike_hit"] = 1.0
        v["lookalike_fresh"] = float(any(b.nonces.get(la.address, 0) <= FRESH_NONCE for la in lookalikes))
    v["first_contact"] = float(first_contact)
    v["sender_history_pairs_log"] = _log1p(len(cps.get(sender, ())))
    for pat in CODE_PATTERNS:
        v[f"to_{pat}"] = float(to_code.has(pat))
    v["to_delegatecall"] = float(DELEGATECALL in to_code.opcodes)
    v["to_selfdestruct"] = float(SELFDESTRUCT in to_code.opcodes)
    v["to_origin"] = float(ORIGIN in to_code.opcodes)
    v["to_proxy"] = float(bool(to_code.proxy))
    v["to_creates"] = float(CREATE in to_code.opcodes or CREATE2 in to_code.opcodes)
    for pat in ("blacklist", "fee", "mint", "pause", "ownable"):
        v[f"tok_{pat}"] = float(max((c.has(pat) for c in tc), default=0))
    v["tok_selfdestruct"] = float(any(SELFDESTRUCT in c.opcodes for c in tc))
    v["tok_delegatecall"] = float(any(DELEGATECALL in c.opcodes for c in tc))
    v["tok_code_max_log"] = _log1p(max((c.size for c in tc), default=0))
    v["trace_available"] = float(b.trace is not None)
    if b.trace is not None:
        v["trace_calls"] = float(len(callees))
        v["trace_delegatecalls"] = float("DELEGATECALL" in kinds)
        v["trace_creates"] = float(bool(kinds & {"CREATE", "CREATE2"}))
        rev = 0

        def count(node: dict[str, Any]) -> None:
            nonlocal rev
            rev += bool(node.get("error"))
            for c in node.get("calls") or []:
                count(c)

        count(b.trace)
        v["trace_reverted_frames"] = float(rev)
        v["trace_eth_internal"] = float(max(len(eth) - (1 if value else 0), 0))
    v["history_available"] = float(b.history is not None)
    _account_features(v, b, cps)
    if created:
        v["created_code_log"] = _log1p(codes.get(created, EMPTY).size)
    upgraded = [
        (str(log.get("address", "")).lower(), "0x" + str(log["topics"][1])[-40:].lower())
        for log in logs
        if len(log.get("topics") or []) == 2 and str(log["topics"][0]).lower() == T_UPGRADED
    ]
    bn = int(str(tx.get("blockNumber") or "0x0"), 16)
    _chain_free(v, b, sender, to, value, eth, lf.transfers, approvals, codes, cps, upgraded, bn)
    if b.sell is not None:
        v["sell_sim_blocked"] = float(b.sell.outcome in ("reverted", "returned_false"))
        v["sell_sim_tax"] = b.sell.tax_share if b.sell.outcome == "taxed" else 0.0
    else:
        v["sell_sim_blocked"] = v["sell_sim_tax"] = -1.0
    facts = Facts(
        sender=sender, to=to, created=created, status_ok=status_ok, value=value, calls=calls,
        approvals=approvals, transfers=lf.transfers, eth=eth, movements=moves, codes=codes,
        nonces=dict(b.nonces), lookalikes=lookalikes, third_party_outflows=third_party,
        zero_value=zero_value, reverted_transfer_calls=_reverted_transfer_calls(b.trace),
        trace_status=b.trace_status, history_available=b.history is not None,
        first_contact=first_contact, tokens=tokens, ages=dict(b.ages), block_number=bn, upgraded=upgraded,
        trace_available=b.trace is not None, sell=b.sell, sell_status=b.sell_status,
    )  # fmt: skip
    return Extracted(v, facts)


def without_sell(ex: Extracted) -> Extracted:
    """``ex`` as if no sell had been simulated (what training sees: chainllm.fraud.training)."""
    if ex.facts.sell is None and not ex.facts.sell_status:
        return ex
    v = {**ex.values, "sell_sim_blocked": -1.0, "sell_sim_tax": -1.0}
    return replace(ex, values=v, facts=replace(ex.facts, sell=None, sell_status=""))
