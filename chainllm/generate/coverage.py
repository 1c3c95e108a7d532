"""Requirement coverage: the contract concepts a request names, and whether the chosen kind meets them.

The kind detector picks the nearest composer; on its own it would silently narrow "a token
airdrop" to a plain ERC20 or "a rock-paper-scissors game where players stake ETH" to a staking
pool. Every concept below that the request names becomes a requirement of the IR: met when the
chosen kind is one that builds it, otherwise unmet (the result is never "ok", the command exits 1
and the report names it). Concepts no kind here builds (games, bets, rentals, bounties, ...) have
no meeting kinds, so naming one always leaves a named, unmet requirement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chainllm.generate.ir import Requirement

AUCTIONS = frozenset({"english_auction", "dutch_auction"})


@dataclass(frozen=True)
class Concept:
    label: str
    pattern: str
    kinds: frozenset[str]  # kinds whose composer builds it (empty: none does)


def _c(label: str, pattern: str, *kinds: str) -> Concept:
    return Concept(label, pattern, frozenset(kinds))


CONCEPTS: tuple[Concept, ...] = (
    _c("airdrop", r"\bair-?drop(s|ped|ping)?\b", "airdrop", "feature:airdrop"),
    _c("auction", r"\bauction(s|ed|eer)?\b|\bhighest bid(der)?\b|\boutbid\b", *AUCTIONS),
    _c(
        "descending price",
        r"\bdutch auction\b|\bprice (that )?(falls|drops|decreases|declines|decays|goes down)\b",
        "dutch_auction",
    ),
    _c(
        "crowdfunding",
        r"\bcrowd-?fund\w*|\bkickstarter\b|\bfund-?rais\w*|\bpledg(e|es|ed|ing)\b",
        "crowdfunding",
    ),
    _c("lottery", r"\blotter(y|ies)\b|\braffles?\b|\bsweepstakes?\b|\bjackpot\b", "lottery"),
    _c(
        "game",
        r"(?<!in-)\bgames?\b(?! ?(items?|assets?|currency|coins?|tokens?|characters?|skins?))|\brock[- ,]+paper[- ,]+scissors\b|\btic[- ]tac[- ]toe\b|\bcoin[- ]?flip\w*|\bdice\b|\bguess(es|ing)?\b(?! what)",
        "lottery",
    ),
    _c("betting", r"\bbet(s|ting|tor|tors)?\b|\bwager(s|ing)?\b|\bgambl\w*|\bprediction market\b"),
    _c("rental", r"\brent(al|als|ing|er|ers)?\b|\bleases?\b|\btenants?\b|\blandlords?\b"),
    _c("bounty", r"\bbount(y|ies)\b"),
    _c("milestones", r"\bmilestones?\b"),
    _c("insurance", r"\binsur(ance|ed|er|ers)\b|\bpolicy ?holders?\b"),
    _c(
        "certificates",
        r"\bcertificat(e|es|ion)\b|\bdiplomas?\b|\bcredentials?\b",
        "erc721",
        "proof_of_existence",
    ),
    _c("payroll", r"\bpayroll\b|\bsalar(y|ies)\b|\bwages?\b"),
    _c("lending", r"\blend(ing|er|ers)?\b|\bborrow\w*|\bloans?\b|\bcollateral\w*"),
    _c("swap", r"\bswap(s|ping)?\b|\bamm\b|\bliquidity\b|\bdex\b|\buniswap\b|\border ?book\b"),
    _c("escrow", r"\bescrow\w*", "escrow"),
    _c("vesting", r"\bvest(s|ed|ing)\b", "vesting"),
    _c("subscription", r"\bsubscri(be|bes|bed|ption|ptions|ber|bers)\b|\bmembership fee\b", "subscription"),
    _c(
        "proposals",
        r"\bpropos(e|es|ed|al|als)\b",
        "dao_treasury",
        "governor",
        "voting",
        "multisig",
        "timelock",
    ),
    _c("faucet", r"\bfaucets?\b", "faucet"),
    _c("inheritance", r"\bheirs?\b|\binherit(ance|s)?\b|\bdead ?man'?s? switch\b", "inheritance"),
    _c(
        "marketplace",
        r"\bmarket ?place\b|\blist(s|ing|ings)? (an? |their |my |your )?(items?|nfts?|goods|products)\b",
        "marketplace",
    ),
)


def requirements(low: str, kind: str, features: frozenset[str] = frozenset()) -> tuple[Requirement, ...]:
    """One requirement per concept the (lower-cased) request names, met only by a kind that builds
    it (or a Wizard feature, ``feature:<name>``, of the spec: an ERC20 with batch airdrops)."""
    have = {kind, *(f"feature:{f}" for f in features)}
    out = []
    for c in CONCEPTS:
        m = re.search(c.pattern, low)
        if not m:
            continue
        phrase = re.sub(r"\s+", " ", low[max(0, m.start() - 25) : m.end() + 25].strip())
        how = f"{kind.replace('_', ' ')} composer" if have & c.kinds else ""
        out.append(Requirement(f"{c.label}: ...{phrase}...", how))
    return tuple(out)


def kind_mismatch(low: str, kind: str) -> tuple[str, ...]:
    """Concept labels the request names that the chosen kind does not build."""
    return tuple(r.text.split(":", 1)[0] for r in requirements(low, kind) if not r.met)
