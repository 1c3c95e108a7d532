"""Map a request onto a ``ContractIR``: pick the kind, read its numbers, and account for every
requirement the request mentions.

Kinds beyond the OpenZeppelin Wizard's (storage, auctions, crowdfunding, ...) are built here and
rendered by ``templates``; the Wizard kinds (ERC20/721/1155, governor, vault, escrow, multisig,
timelock, vesting) keep their spec parser (``spec.parse_request``) and are wrapped into an IR so
they get the same requirement accounting and behaviour checks.

No silent narrowing: the request is scanned for feature words (pausing, fees, refunds, oracles,
upgrades, ...). Each one the chosen kind implements is listed with how it is met; each one it
does not is listed as unmet, and the command exits 1 instead of answering "ok".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from chainllm.errors import BadInputError
from chainllm.generate import coverage, similar
from chainllm.generate.ir import ContractIR, Function, Requirement
from chainllm.generate.spec import MAX_PROMPT_CHARS, ContractSpec, CustomFunction, parse_request

WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "a": 1,
    "an": 1,
    "twelve": 12,
}
UNIT = {
    "second": 1,
    "minute": 60,
    "hour": 3600,
    "day": 86400,
    "week": 7 * 86400,
    "month": 30 * 86400,
    "year": 365 * 86400,
}
_N = r"(\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|a|an)"
_ETH = r"(\d+(?:\.\d+)?)\s*(eth|ether|gwei|finney)\b"


def _num(s: str) -> float:
    return float(WORDS.get(s, s)) if s in WORDS else float(s.replace(",", ""))


def eth_wei(text: str) -> int:
    m = re.fullmatch(_ETH, text.strip())
    if not m:
        raise ValueError(text)
    return _wei(m.group(1), m.group(2))


def _wei(amount: str, unit: str) -> int:
    mult = {"eth": 10**18, "ether": 10**18, "gwei": 10**9, "finney": 10**15}[unit]
    return round(float(amount) * mult)


def durations(low: str) -> list[tuple[int, int]]:
    """(start offset, seconds) of each duration in the text: "3 days", "a year", "24 hours"."""
    out = []
    for m in re.finditer(_N + r"[- ]?(second|minute|hour|day|week|month|year)s?\b", low):
        out.append((m.start(), int(_num(m.group(1)) * UNIT[m.group(2)])))
    for m in re.finditer(r"\b(daily|weekly|monthly|yearly|annual(?:ly)?)\b", low):
        out.append(
            (
                m.start(),
                {"daily": 86400, "weekly": 7 * 86400, "monthly": 30 * 86400}.get(m.group(1), 365 * 86400),
            )
        )
    return out


def _first_duration(low: str, near: str | None = None) -> int | None:
    ds = durations(low)
    if not ds:
        return None
    if near:
        m = re.search(near, low)
        if m:
            return min(ds, key=lambda d: abs(d[0] - m.start()))[1]
    return ds[0][1]


def _eth_near(low: str, pattern: str) -> int | None:
    m = re.search(pattern + r"[^.;]{0,40}?" + _ETH, low)
    return _wei(m.group(m.lastindex - 1), m.group(m.lastindex)) if m and m.lastindex else None


def _any_eth(low: str) -> int | None:
    m = re.search(_ETH, low)
    return _wei(m.group(1), m.group(2)) if m else None


def _name(text: str, default: str) -> tuple[str, bool]:
    m = re.search(
        r"\b(?:called|named|name it|titled)\s+[\"']?([A-Z][\w ]{0,40}?)[\"']?(?=\s*(?:\(|,|\.|$| with| that| and| for| where))",
        text,
    )
    if m:
        ident = "".join(w[:1].upper() + w[1:] for w in re.findall(r"[A-Za-z0-9]+", m.group(1)))
        if ident and ident[0].isalpha():
            return ident[:64], True
    return default, False


# --- feature words: every one found must be met by the kind or named as unmet -----------------

FEATURE_WORDS: list[tuple[str, str]] = [
    ("pause", r"\bpaus(e|es|ed|able|ing)\b|emergency stop|circuit breaker"),
    ("upgrade", r"\bupgrad(e|eable|able)\b|\bproxy\b|\buups\b"),
    ("oracle", r"\boracles?\b|chainlink|price feed"),
    ("fee", r"\bfees?\b|\bcommission\b"),
    ("royalty", r"\broyalt(y|ies)\b"),
    ("refund", r"\brefunds?\b|\bget (their|the) (money|eth|ether) back\b|\breclaim\b"),
    ("burn", r"\bburn(s|ed|ing|able)?\b"),
    ("mint", r"\bmint(s|ed|ing|able)?\b"),
    ("stake", r"\bstak(e|es|ed|ing|er|ers)\b"),
    ("reward", r"\brewards?\b"),
    ("interest", r"\binterest\b|\bapy\b|\bapr\b"),
    ("vote", r"\bvot(e|es|ed|ing|er|ers)\b|\bballots?\b|\bpolls?\b|\belection\b"),
    ("delegate", r"\bdelegat(e|ion|ing)\b"),
    ("allowlist", r"\b(allow|white)[- ]?list(ed|s)?\b|\bapproved (wallets|addresses)\b"),
    ("blocklist", r"\b(block|black)[- ]?list(ed|s)?\b|\bban(ned)? addresses\b"),
    ("random", r"\brandom(ly|ness)?\b"),
    ("nontransferable", r"\bnon-?transferable\b|\bcannot be transferred\b|\bsoul-?bound\b"),
    ("erc20", r"\berc-?20\b|\btokens?\b"),
    ("nft", r"\bnfts?\b|\berc-?721\b"),
    ("withdraw", r"\bwithdraw(s|al|als|n)?\b|\bcash(es)? out\b"),
    (
        "time",
        r"\bdeadline\b|\bexpir(e|es|y|ation)\b|\bunlock\b|\bcliff\b|\bafter (a |the )?(period|delay|timeout)\b|"
        + _N
        + r"[- ]?(second|minute|hour|day|week|month|year)s?\b",
    ),
    ("price", r"\bprices?\b|\bcosts?\b|\bpay(s|ing)? (exactly|the price|a price|a fee)\b"),
    ("multisig", r"\bmulti-?sig(nature)?\b|\bconfirmations?\b"),
    ("baseuri", r"\bbase ?uri\b|\bmetadata (url|uri)\b"),
    ("cap", r"\bcap(ped)?\b|\bmax(imum)? (supply|per wallet|cap)\b|\blimit(ed)? (to|of)\b"),
]

GENERIC = {
    "withdraw": "withdrawals go only to the caller, for what the contract owes them",
}

OTHER_LANGS = re.compile(
    # not "per" or "intelligent": English too ("0.1 ETH per request", "an intelligent wallet")
    r"\b(contrato|inteligente|escribe|escriba|crea|crear|vertrag|schreibe|erstelle|contrat|écris|créer|scrivi|contratto|un|une|der|die|das|und|el|los|las|que|para|con|avec|mit|ist|est|sur|pour|por)\b"
)
ENGLISH = re.compile(
    r"\b(the|a|an|and|of|to|that|with|for|is|are|be|can|where|which|who|write|create|make|me|my|i|contract|token|smart|please|simple|how|it|in|on|at|by|from|per|each|every|any|anyone|all|once|most|only|users?|owner|address(es)?|when|after|before)\b"
)
NOT_CONTRACT = re.compile(
    r"^(?!.*\b(contract|solidity|smart contract|on-?chain|blockchain|ethereum|evm|token|nft|wallet|dapp)\b).*\b(poem|song|lyrics|essay|story|haiku|joke|recipe|letter|email|novel|summar(y|ise|ize)|translate|python|javascript|java|c\+\+|rust|sql|html|css|website|web ?page|resume|cv)\b",
    re.I | re.S,
)
INJECTION = re.compile(
    r"\b(ignore|disregard|forget|override|bypass)\b[^.]{0,40}\b(rules|instructions|previous|above|system|safety|guidelines|checks?)\b|"
    r"\b(send|transfer|drain|sweep)s?\b[^.]{0,30}\ball\b[^.]{0,20}\b(funds|eth|ether|tokens|balance)\b[^.]{0,20}\bto\s+0x[0-9a-f]|"
    r"\bhidden (mint|owner|function|backdoor)\b|\bbackdoor\b|\brug ?pull\b|\bhoneypot\b|\bdrainer\b|\bsteal\b",
    re.I,
)
CONTRADICTIONS: list[tuple[str, str, str]] = [
    (
        r"\bonly (?:the )?owner can (mint|vote|withdraw|set|change)\b",
        r"\b(anyone|everyone|any user) can VERB\b",
        "who may call it",
    ),
    (
        r"\bnon-?transferable\b|\bcannot be transferred\b|\bsoul-?bound\b",
        r"\b(can|freely) (be )?transfer(red|able)?\b(?! between)",
        "transferability",
    ),
    (
        r"\bfixed supply\b|\bno (more )?minting\b|\bcannot mint\b",
        r"\b(owner|anyone) can mint\b|\bmintable\b",
        "minting",
    ),
    (
        r"\bno owner\b|\bwithout an? (owner|admin)\b|\bownerless\b",
        r"\bonly (the )?(owner|admin)\b|\bowner can\b",
        "ownership",
    ),
    (r"\b(cannot|can't|never) (be )?withdraw", r"\b(anyone|owner|users?) can withdraw\b", "withdrawals"),
]


def screen(text: str) -> str:
    """Reject what is not a describable contract request, with a one-line reason each."""
    stripped = text.strip()
    if not stripped:
        raise BadInputError(
            "the request is empty",
            hint='describe the contract, e.g. "a crowdfunding campaign with a 10 ETH goal"',
        )
    if len(stripped) > MAX_PROMPT_CHARS:
        raise BadInputError(
            f"the request is {len(stripped)} characters, over the {MAX_PROMPT_CHARS}-character limit",
            hint="describe the contract in a few sentences; split long specs into separate requests",
        )
    letters = [c for c in stripped if c.isalpha()]
    low = stripped.lower()
    if letters and sum(1 for c in letters if not c.isascii()) > 0.3 * len(letters):
        raise BadInputError(
            "the request is not in English",
            hint="write the request in English; chainllm's parser reads English only",
        )
    words = re.findall(r"[a-zà-ÿ]+", low)
    # two different foreign function words and hardly any English ones (one word said twice is
    # not a language)
    if len(words) >= 4 and len(set(OTHER_LANGS.findall(low))) >= 2 and len(ENGLISH.findall(low)) < 2:
        raise BadInputError(
            "the request is not in English",
            hint="write the request in English; chainllm's parser reads English only",
        )
    m = INJECTION.search(stripped)
    if m:
        raise BadInputError(
            f"the request asks for something chainllm will not build ({m.group(0)!r}): instructions to override its rules or move funds to a fixed address are refused",
            hint="describe only the contract's intended behaviour",
        )
    if NOT_CONTRACT.search(stripped):
        raise BadInputError(
            "the request is not Solidity work (chainllm generate writes smart contracts)",
            hint='describe a contract, e.g. "a simple voting contract"',
        )
    for a, b, what in CONTRADICTIONS:
        ma = re.search(a, low)
        mb = re.search(b.replace("VERB", re.escape(ma.group(1))) if ma and ma.groups() else b, low)
        if ma and mb:
            raise BadInputError(
                f"contradictory requirements about {what}: {ma.group(0)!r} vs {mb.group(0)!r}",
                hint="keep one of them and run again",
            )
    return stripped


@dataclass(frozen=True)
class KindDef:
    kind: str
    detect: str
    name: str
    roles: tuple[str, ...]
    assets: tuple[str, ...]
    functions: tuple[Function, ...]
    checks: tuple[str, ...]
    meets: dict[str, str]  # feature word -> how this kind meets it
    invariants: tuple[str, ...] = ()


F = Function
OWN = "owner"

KINDS: list[KindDef] = [
    KindDef(
        "dao_treasury",
        r"\bdao treasury\b|\btreasury\b.*\b(propos\w*|vot\w*)\b|\b(propos\w*|vot\w*)\b.*\b(payouts?|treasury|spend(ing)?|where to send)\b|\binvestment club\b",
        "DaoTreasury",
        ("member",),
        ("eth", "erc20"),
        (
            F(
                "propose",
                "member",
                "records a payout proposal (recipient, amount) with a snapshot block",
                "Proposed",
            ),
            F(
                "vote",
                "member",
                "adds the voter's snapshot votes for or against, once per member",
                "VoteCast",
                time="before the vote ends",
            ),
            F(
                "execute",
                "anyone",
                "credits the recipient when for > against",
                "Executed",
                time="after the vote ends",
            ),
            F("withdraw", "recipient", "pays the caller what passed proposals credited them", "Withdrawn"),
        ),
        (
            "non_member_propose_reverts",
            "double_vote_reverts",
            "execute_before_end_reverts",
            "passed_proposal_pays",
        ),
        {
            "vote": "vote() weighted by token votes at the snapshot",
            "erc20": "membership = ERC20Votes governance token (address given at deployment)",
            "time": "voting period fixed at deployment",
            "withdraw": GENERIC["withdraw"],
            "delegate": "votes follow the token's delegation (ERC20Votes)",
        },
        ("a member votes at most once per proposal", "credited payouts never exceed the treasury balance"),
    ),
    KindDef(
        "timelock_savings",
        r"\b(time-?lock(ed)?|locked)\s+(savings|wallet|vault|deposit|eth)\b|\bpiggy ?bank\b|\bsavings\b|\bunlock (time|date)\b|\bhold(s)? (eth|ether|funds)\b.*\buntil\b|\bcan'?t (break|touch|withdraw)\b",
        "TimeLockedSavings",
        ("beneficiary",),
        ("eth",),
        (
            F("deposit", "anyone", "adds ETH", "Deposited", payable=True),
            F(
                "withdraw",
                "beneficiary",
                "sends the whole balance to the beneficiary",
                "Withdrawn",
                time="after the unlock time",
            ),
        ),
        ("withdraw_before_unlock_reverts", "withdraw_after_unlock_pays", "only_beneficiary_withdraws"),
        {
            "time": "unlock time fixed at deployment",
            "withdraw": "withdraw() by the beneficiary after the unlock time",
        },
    ),
    KindDef(
        "inheritance",
        r"\bdead ?man'?s? switch\b|\binheritance\b|\bheirs?\b|\bcrypto will\b|\bwill\b.*\b(son|daughter|family|pass(es)? (my|the))\b|\bif i (stop|die|am inactive)\b",
        "DeadMansSwitch",
        ("owner", "heir"),
        ("eth",),
        (
            F("checkIn", OWN, "resets the inactivity timer", "CheckedIn"),
            F(
                "claim",
                "heir",
                "sends all funds to the heir",
                "Claimed",
                time="after the timeout without a check-in",
            ),
            F("ownerWithdraw", OWN, "owner takes funds back"),
        ),
        ("heir_claim_before_timeout_reverts", "heir_claims_after_timeout", "check_in_resets_timer"),
        {
            "time": "inactivity timeout fixed at deployment",
            "withdraw": "claim() by the heir; ownerWithdraw() by the owner",
        },
    ),
    KindDef(
        "dutch_auction",
        r"\bdutch auction\b|\bdescending[- ]price\b|\bprice (starts|falls|drops|decreases|declines|decays)\b|\bdeclining price\b|\breverse auction\b|\bprice\b[^.]{0,25}\bstarts high\b|\bstarts high\b[^.]{0,40}\b(lower|down|drops|falls)\b",
        "DutchAuction",
        ("owner", "buyer"),
        ("eth",),
        (
            F("currentPrice", "anyone", "start price minus a linear decay, never below the floor"),
            F("buy", "anyone", "pays the current price, takes one unit", "Bought", payable=True),
            F("withdraw", "anyone", "pull payment of proceeds/excess", "Withdrawn"),
        ),
        (
            "price_decreases_over_time",
            "buy_at_current_price",
            "underpayment_reverts",
            "price_not_below_floor",
        ),
        {
            "price": "currentPrice() falls linearly to the floor",
            "time": "decay period fixed in the contract",
            "nft": "each purchase mints one ERC721",
            "mint": "each purchase mints one ERC721",
            "withdraw": GENERIC["withdraw"],
            "cap": "sells at most SUPPLY units",
        },
    ),
    KindDef(
        "english_auction",
        r"\bauctions?\b|\bbid(s|ders?|ding)?\b|\b(offers?|pays?) the most\b|\bhighest offer\b|\boutbid\b",
        "EnglishAuction",
        ("seller", "bidder"),
        ("eth",),
        (
            F(
                "bid",
                "anyone",
                "higher than the highest bid; the previous bid becomes withdrawable",
                "BidPlaced",
                payable=True,
                time="before the end",
            ),
            F(
                "end",
                "anyone",
                "credits the seller with the highest bid",
                "AuctionEnded",
                time="after the end",
            ),
            F("withdraw", "anyone", "outbid bidders and the seller withdraw", "Withdrawn"),
        ),
        ("low_bid_reverts", "outbid_bidder_can_withdraw", "bid_after_end_reverts", "seller_paid_after_end"),
        {
            "time": "auction end fixed at deployment",
            "withdraw": "withdraw() for outbid bidders and the seller",
            "price": "bids must exceed the highest bid",
            "refund": "outbid bidders withdraw their bids",
        },
        ("the contract holds at least the highest bid plus all withdrawable amounts",),
    ),
    KindDef(
        "crowdfunding",
        r"\bcrowd-?fund\w*\b|\bkickstarter\b|\bfund-?rais\w*\b|\bfunding (goal|campaign)\b|\bcampaign\b.*\bgoal\b|\bgoal and (a )?deadline\b|\bchip(s|ped|ping)? in\b[^.]{0,40}\b(toward|towards|for)\b|\b(money|ether|eth|funds) back if\b[^.]{0,40}\b(fall|falls) short\b",
        "Crowdfunding",
        ("creator", "contributor"),
        ("eth",),
        (
            F(
                "contribute",
                "anyone",
                "records the contribution",
                "Contributed",
                payable=True,
                time="before the deadline",
            ),
            F("withdraw", "owner", "creator takes the funds", "FundsClaimed", time="once the goal is met"),
            F(
                "refund",
                "contributor",
                "returns the caller's contribution",
                "Refunded",
                time="after a missed deadline",
            ),
        ),
        (
            "contribution_recorded",
            "refund_after_deadline_if_goal_missed",
            "owner_withdraws_if_goal_met",
            "owner_cannot_withdraw_if_goal_missed",
            "refund_before_deadline_reverts",
        ),
        {
            "refund": "refund() after a missed deadline",
            "time": "deadline fixed at deployment",
            "withdraw": "withdraw() by the creator once the goal is met",
            "price": "contributions in ETH",
        },
    ),
    KindDef(
        "lottery",
        r"\blotter(y|ies)\b|\braffle\b|\bsweepstakes?\b|\bjackpot\b|\bdraws? a winner\b|\bpicks? a winner\b|\bbuy tickets?\b[^.]{0,60}\b(random|winner|pot)\b|\brandom (buyer|player|participant|entrant|ticket holder)\b",
        "Lottery",
        ("owner", "player"),
        ("eth",),
        (
            F("enter", "anyone", "buys one ticket at the exact price", "Entered", payable=True),
            F("draw", OWN, "reveals the committed seed, credits the pot to the winner", "WinnerDrawn"),
            F("withdraw", "anyone", "winner withdraws the pot", "Withdrawn"),
        ),
        ("entry_requires_ticket_price", "only_owner_draws", "winner_receives_pot", "randomness_warning"),
        {
            "random": "commit-reveal seed by the owner (warned: not secure randomness)",
            "price": "fixed ticket price",
            "withdraw": GENERIC["withdraw"],
        },
    ),
    KindDef(
        "staking",
        r"\bstak(e|es|ed|ing|er|ers)\b|\byield farm\w*\b|\bliquidity mining\b|\block(s|ed)?( up)? (my |their |your )?tokens?\b.*\bearn\b",
        "StakingRewards",
        ("owner", "staker"),
        ("erc20",),
        (
            F("stake", "anyone", "moves staking tokens in", "Staked"),
            F("unstake", "staker", "returns staked tokens", "Unstaked"),
            F("claimRewards", "staker", "pays accrued reward tokens", "RewardPaid"),
            F("earned", "anyone", "rewards accrued per second, pro rata"),
        ),
        ("stake_then_unstake_returns_principal", "rewards_accrue_over_time", "claim_pays_rewards"),
        {
            "stake": "stake()/unstake()",
            "reward": "REWARD_RATE per second shared pro rata, claimRewards()",
            "erc20": "ERC20 staking and reward tokens (addresses given at deployment)",
            "withdraw": "unstake() at any time",
            "time": "rewards accrue per second",
        },
    ),
    KindDef(
        "payment_splitter",
        r"\bpayment ?splitter\b|\bsplit\w*\b[^.]{0,30}\b(payments?|revenue|funds|ether|eth|income|money)\b|\brevenue[- ]shar\w*\b|\bsplits?\b.*\bshares?\b|\b(eth|ether|funds|money|payments?)\b[^.]{0,40}\bsplit\w*\b[^.]{0,20}\b(equally|between|among)\b",
        "PaymentSplitter",
        ("payee",),
        ("eth",),
        (
            F("receive", "anyone", "accepts ETH", "PaymentReceived", payable=True),
            F("release", "payee", "pays the caller their share of everything received", "PaymentReleased"),
        ),
        ("release_pays_by_shares", "non_payee_release_reverts"),
        {"withdraw": "release() by each payee", "price": "payments in ETH"},
        ("sum released never exceeds sum received",),
    ),
    KindDef(
        "subscription",
        r"\bsubscri(be|bes|ber|bers|ption|ptions)\b|\bpay\w*\b[^.]{0,40}\bfor\b[^.]{0,20}\baccess\b|\baccess expires\b|\bmembership\b.*\b(paid|fee|pay|ether|eth|monthly)\b|\bmonthly (fee|membership|plan)\b|\brecurring payments?\b",
        "Subscription",
        ("owner", "subscriber"),
        ("eth",),
        (
            F(
                "subscribe",
                "anyone",
                "pays the fee, extends access by one period",
                "Subscribed",
                payable=True,
            ),
            F("isActive", "anyone", "whether access has not expired"),
            F("withdraw", OWN, "owner takes the fees"),
        ),
        ("subscribe_requires_fee", "active_after_subscribe", "expires_after_period", "owner_withdraws_fees"),
        {
            "fee": "FEE per period",
            "price": "FEE per period",
            "time": "PERIOD per payment",
            "withdraw": "withdraw() by the owner",
        },
    ),
    KindDef(
        "loyalty_points",
        r"\bloyalty\b|\breward(s)? points?\b|\bpoints? (program|system)\b|\bawards? points\b|\bcustomer rewards?\b"
        r"|\bstamps?\b[^.]{0,80}\b(purchases?|customers?|coffee|buy\w*|visits?|free)\b|\brewards? program\b"
        r"|\b(customers?|regulars?|shoppers?|passengers?|diners?)\b[^.]{0,80}\b(points?|miles|stamps|credits)\b"
        r"|\b(points?|miles|stamps)\b[^.]{0,60}\b(redeem\w*|spend|discounts?|free (drinks?|items?|coffee|meals?))\b"
        r"|\bfrequent[- ](flyer|buyer|shopper)s?\b",
        "LoyaltyPoints",
        ("owner", "customer"),
        ("none",),
        (
            F("award", OWN, "adds points to a customer", "Awarded"),
            F("redeem", "customer", "spends the caller's points", "Redeemed"),
        ),
        ("only_owner_awards", "redeem_reduces_points", "overredeem_reverts", "points_not_transferable"),
        {"reward": "points awarded by the owner", "nontransferable": "no transfer function exists"},
    ),
    KindDef(
        "marketplace",
        r"\bmarket ?place\b|\bbuy and sell\b|\blist(s|ing)? (an? |their )?(items?|nfts?|products?|goods)\b|\bfor sale\b",
        "Marketplace",
        ("seller", "buyer"),
        ("eth",),
        (
            F("list", "anyone", "creates a listing at a price", "Listed"),
            F("buy", "anyone", "pays the exact price; the seller is credited", "Sold", payable=True),
            F("cancel", "seller", "closes an unsold listing", "Cancelled"),
            F("withdraw", "anyone", "sellers withdraw proceeds", "Withdrawn"),
        ),
        (
            "list_item",
            "buy_pays_seller",
            "wrong_price_reverts",
            "only_seller_cancels",
            "second_purchase_reverts",
        ),
        {
            "price": "listing price in ETH, paid exactly",
            "erc20": "listings of ERC721 token ids",
            "nft": "ERC721 listings held by the marketplace until sold or cancelled",
            "withdraw": GENERIC["withdraw"],
        },
    ),
    KindDef(
        "supply_chain",
        r"\bsupply[- ]chain\b|\btrack\w*\b[^.]{0,30}\b(shipments?|products?|goods|items?|packages?)\b|\bfarm to\b|\bshipments?\b",
        "SupplyChain",
        ("owner", "handler"),
        ("none",),
        (
            F("createItem", OWN, "registers a product", "ItemCreated"),
            F("setHandler", OWN, "authorises a handler", "HandlerSet"),
            F("advance", "handler", "moves an item to its next stage, caller becomes holder", "StageChanged"),
        ),
        ("create_item", "unauthorised_update_reverts", "status_advances"),
        {},
    ),
    KindDef(
        "proof_of_existence",
        r"\bproof[- ]of[- ]existence\b|\bnotar(y|ise|ize)\b|\bdocument hash(es)?\b|\bhash(es)? of (a |the )?(file|document)s?\b|\b(sha-?256|hash) of a file\b|\btimestamp(ing)? documents?\b|\bdocument (registry|timestamp)",
        "ProofOfExistence",
        ("registrant",),
        ("none",),
        (
            F("register", "anyone", "records hash, registrant and block time once", "DocumentRegistered"),
            F("proofOf", "anyone", "returns registrant and time"),
        ),
        ("record_hash", "duplicate_hash_reverts", "timestamp_recorded"),
        {"time": "block timestamp recorded"},
    ),
    KindDef(
        "username_registry",
        r"\buser ?names?\b|\bnick ?names?\b|\bname (registry|service)\b|\bens[- ]style\b|\bens\b|\bregisters? (a |one )?(unique )?(name|handle)s?\b|\bhandles? registry\b|\b(claim|register|reserve)s? (one |a |an |their |its )?(short |unique )?(handle|nickname|username)s?\b",
        "NameRegistry",
        ("registrant",),
        ("none",),
        (
            F("register", "anyone", "claims an unused name, one per address", "Registered"),
            F("release", "name owner", "frees the caller's name", "Released"),
            F("ownerOf", "anyone", "name -> address"),
        ),
        ("register_name", "duplicate_name_reverts", "one_name_per_address", "lookup_owner_of_name"),
        {},
    ),
    KindDef(
        "airdrop",
        r"(?<!for )\bair-?drop(s|ped|ping)?\b|\bdeposits? (erc-?20 )?tokens and sends\b|\bclaim (free )?tokens\b|\btoken distribution\b",
        "Airdrop",
        ("owner", "recipient"),
        ("erc20",),
        (
            F("airdrop", OWN, "sends AMOUNT to each listed address once", "Airdropped"),
            F("allowClaims", OWN, "lets addresses claim", "Allowlisted"),
            F("claim", "allowlisted", "takes AMOUNT once", "Airdropped"),
        ),
        ("only_owner_airdrops", "recipients_receive_amount", "double_airdrop_reverts"),
        {
            "erc20": "distributes an existing ERC20 (address given at deployment)",
            "allowlist": "allowClaims() then claim()",
            "withdraw": "claim()",
        },
    ),
    KindDef(
        "faucet",
        r"\bfaucet\b|\bdrips?\b|\bgives? (out|away)\b[\w\s.,]{0,30}\b(eth|ether|tokens?)\b[\w\s,]{0,30}\b(once (a|per|every)|every \d*\s*(hours?|days?)|per (day|hour))\b",
        "Faucet",
        ("owner", "user"),
        ("eth",),
        (F("drip", "anyone", "sends a fixed amount to the caller", "Dripped", time="once per cooldown"),),
        ("drip_pays_amount", "second_drip_within_cooldown_reverts", "drip_after_cooldown_pays"),
        {
            "time": "cooldown per address",
            "erc20": "token faucet (address given at deployment)",
            "withdraw": "drip()",
        },
    ),
    KindDef(
        "donation",
        r"\btip ?jar\b|\btips?\b|\bdonat(e|es|ion|ions|or|ors)\b|\bcharity\b|\bbuy me a coffee\b",
        "TipJar",
        ("owner", "donor"),
        ("eth",),
        (
            F("donate", "anyone", "records the donation and message", "Donated", payable=True),
            F("withdraw", OWN, "owner takes the donations"),
        ),
        ("donation_recorded", "only_owner_withdraws", "owner_withdraw_pays"),
        {"withdraw": "withdraw() by the owner only"},
    ),
    KindDef(
        "allowlist",
        r"\b(allow|white)[- ]?list(ed|s)?\b|\bapproved (wallets|addresses)\b|\baccess list\b|\baddresses (that )?the (admin|owner) (has )?approved\b",
        "Allowlist",
        ("owner",),
        ("none",),
        (
            F("add", OWN, "allowlists an address", "Added"),
            F("remove", OWN, "removes an address", "Removed"),
            F("allowlistedAction", "allowlisted", "the gated function", "ActionPerformed"),
        ),
        ("only_owner_adds", "added_is_listed", "removed_is_not_listed", "unlisted_call_reverts"),
        {"allowlist": "isAllowlisted + onlyAllowlisted modifier"},
    ),
    KindDef(
        "bank",
        r"\bbank\b|\b(ether|eth) wallet\b|\bdeposit (eth|ether)\b.*\bwithdraw\b|\bwithdraw what they\b|\bdeposit (and|&) withdraw (ether|eth)\b|\bdeposit (and|&) withdraw\b[^.]{0,60}\b(each|every) (person|user|account)'?s? balance\b",
        "SimpleBank",
        ("depositor",),
        ("eth",),
        (
            F("deposit", "anyone", "credits the caller", "Deposited", payable=True),
            F("withdraw", "depositor", "at most the caller's balance", "Withdrawn"),
        ),
        ("deposit_credits_balance", "withdraw_own_balance", "overdraw_reverts"),
        {"withdraw": "withdraw() of the caller's own balance"},
        ("sum of balances equals the contract's ETH",),
    ),
    KindDef(
        "voting",
        r"\bvot(e|es|ing|er|ers)\b|\bballots?\b|\bpolls?\b|\belection\b|\b(pick|choose)s? (between|among|from) (the )?(options|candidates|choices|proposals)\b|\b(exactly )?one say\b",
        "Ballot",
        ("chairperson", "voter"),
        ("none",),
        (
            F("vote", "voter", "one vote per address for one proposal", "Voted"),
            F("winningProposal", "anyone", "index with most votes"),
        ),
        ("second_vote_reverts", "votes_counted", "winner_reported"),
        {"vote": "vote() once per address", "time": "voting closes at a time fixed at deployment"},
    ),
    KindDef(
        "todo_list",
        r"\bto[- ]?do\b|\btasks? list\b|\badd tasks?\b|\b(my |the )?tasks\b[^.]{0,40}\b(tick(ing)? (them |it )?off|mark(ing)? (them |it )?(as )?(done|complete\w*)|check(ing)? (them |it )?off)\b",
        "TodoList",
        ("user",),
        ("none",),
        (
            F("addTask", "anyone", "appends to the caller's list", "TaskAdded"),
            F("toggleCompleted", "anyone", "flips a task of the caller", "TaskToggled"),
        ),
        ("add_task", "toggle_completed"),
        {},
    ),
    KindDef(
        "counter",
        r"\bcounter\b|\bincrement\b|\bcount(s)? (up|clicks)\b|\btally\b|\b(bump|increase|raise)(s|d|ed)? (it |the (number|count|value) )?(up )?by one\b",
        "Counter",
        ("owner",),
        ("none",),
        (
            F("increment", "anyone", "+1", "CountChanged"),
            F("decrement", "anyone", "-1, never below zero", "CountChanged"),
            F("reset", OWN, "back to zero", "CountChanged"),
        ),
        ("increment_adds_one", "decrement_below_zero_reverts", "only_owner_can_reset"),
        {},
    ),
    KindDef(
        "hello_world",
        r"\bhello,? world\b|\bgreeter\b|\bgreetings?\b|\bgm\b|\b(welcome|hello|hi|gm)\b[^.]{0,20}\bmessage\b"
        r"|\bmessage\b[^.]{0,60}\b(starts|initial\w*|begins|defaults?)\b[^.]{0,20}\b(as|to|with|at)\b"
        r"|\bsays? ['\"]?(hello|hi|gm|welcome)\b|\b(keeps?|holds?) an? (text |greeting )?message\b",
        "HelloWorld",
        (),
        ("none",),
        (
            F("greet", "anyone", "returns the greeting"),
            F("setGreeting", "anyone", "changes the greeting", "GreetingChanged"),
        ),
        ("greeting_initial_value", "set_greeting_updates"),
        {},
    ),
    KindDef(
        "ownership",
        r"\bownership\b|\bowner management\b|\bownable\b|\btransfer (the )?owner|\bhand(s|ing)? over (the )?(control|ownership|admin rights?)\b",
        "OwnershipManager",
        ("owner",),
        ("none",),
        (
            F("transferOwnership", OWN, "hands ownership to a new address", "OwnershipTransferred"),
            F("renounceOwnership", OWN, "leaves the contract without an owner", "OwnershipTransferred"),
            F("ownerAction", OWN, "an example owner-only action", "OwnerActionPerformed"),
        ),
        (
            "owner_is_deployer",
            "only_owner_can_transfer_ownership",
            "transfer_ownership_changes_owner",
            "renounce_clears_owner",
        ),
        {},
    ),
    KindDef(
        "storage",
        r"\bstores?\b|\bstorage\b|\bsaves? (one |a |an )?(uint\w*|int\w*|integer|number|value)\b|\bsaves? (a |an )?(\w+ )?(value|number|message|string)\b|\b(reads?|get) (a|the) (value|number)\b|\bstored (number|value)\b|\bgetter and setter\b|\bkeeps? (one |a |an )?(single )?(number|value|uint\w*|string)\b"
        r"|\b(save|store|keep|remember|record)s?\b[^.]{0,30}\b(favou?rite|lucky|secret|own|single)\b[^.]{0,15}"
        r"\b(numbers?|values?|integers?|words?|colou?rs?)\b|\bremembers? (a |an |one |my |the )?(number|value|integer)\b"
        r"|\bread (it|them) back\b",
        "SimpleStorage",
        (),
        ("none",),
        (F("set", "anyone", "stores a value", "ValueChanged"), F("get", "anyone", "returns the value")),
        ("set_then_get_returns_value",),
        {},
    ),
]
BY_KIND = {k.kind: k for k in KINDS}

# Requests that name a Wizard kind explicitly go to the spec parser even if a word above matches
# ("ERC721 NFT collection with a whitelist" is an NFT, not an allowlist contract).
LEGACY_FIRST = re.compile(
    r"\b(erc-?20|erc-?721|erc-?1155|erc-?4626|governor|multi-?sig(nature)?|multiple (signatures|signers|approvals)|vesting|escrow|time-?lock ?controller|"
    r"(governance|voting|dao) tokens?|nft collection|token (named|called)|named .{1,30}\b(symbol|ticker)\b|\d+\s*-?of-?\s*\d+)\b",
    re.I,
)
# Kinds that should win even over an explicit Wizard keyword (the narrowed requests).
STRONG = (
    "dao_treasury",
    "dutch_auction",
    "staking",
    "timelock_savings",
    "marketplace",
    "airdrop",
    "crowdfunding",
)


def detect(text: str) -> KindDef | None:
    low = text.lower()
    for k in KINDS:
        if k.kind in STRONG and re.search(k.detect, low):
            return k
    if LEGACY_FIRST.search(low):
        return None
    for k in KINDS:
        if re.search(k.detect, low):
            if k.kind == "voting" and re.search(
                r"\btokens?\b|\bgovern|\bnfts?\b|\bdao\b|\bquorum\b|\bvoting (delay|period)\b", low
            ):
                return None
            if k.kind == "allowlist" and re.search(r"\b(tokens?|nfts?|mint)\b", low):
                return None
            return k
    return None


def _requirements(
    low: str, meets: dict[str, str], kind: str, concepts: bool = True
) -> tuple[Requirement, ...]:
    """Feature words (met by how the kind builds them) and, unless ``concepts`` is off, the
    contract concepts the request names (``coverage``: a kind that does not build one leaves it unmet)."""
    out = []
    for label, pat in FEATURE_WORDS:
        m = re.search(pat, low)
        if not m:
            continue
        how = meets.get(label)
        phrase = low[max(0, m.start() - 25) : m.end() + 25].strip()
        phrase = re.sub(r"\s+", " ", phrase)
        out.append(Requirement(f"{label}: ...{phrase}...", how or ""))
    if re.search(r"\bonly (the )?(owner|admin|manager|creator|chairperson|shop)\b", low):
        out.append(
            Requirement(
                "owner-only actions",
                "Ownable: owner-only functions are guarded by onlyOwner"
                if kind
                not in {
                    "username_registry",
                    "proof_of_existence",
                    "todo_list",
                    "bank",
                    "payment_splitter",
                    "marketplace",
                }
                else "",
            )
        )
    if concepts:
        out += coverage.requirements(low, kind)
    return tuple(out)


def _params(
    k: KindDef, text: str, low: str, notes: list[str], checks: list[str], warnings: list[str]
) -> dict[str, Any]:
    p: dict[str, Any] = {}
    owner_only = bool(
        re.search(
            r"\bonly (the )?(owner|admin)\b|\bowner can (change|set|update)\b|\bonly (me|i)\b|\blets me\b",
            low,
        )
    )
    if k.kind == "storage":
        p["owner_only"] = owner_only
        if owner_only:
            checks.append("only_owner_can_set")
        p["value_type"] = "string" if re.search(r"\b(string|text|message)\b", low) else "uint256"
    elif k.kind == "hello_world":
        m = re.search(r"['\"“]([^'\"”]{1,60})['\"”]", text)
        p["greeting"] = m.group(1) if m else "Hello, World!"
        if not m:
            notes.append("no greeting given: 'Hello, World!'")
        p["owner_only"] = bool(re.search(r"\bonly (the )?owner\b", low))
    elif k.kind == "voting":
        m = re.search(_N + r"\s+(proposals|options|candidates|choices)", low)
        if re.search(r"\byes\b.{0,10}\bno\b", low):
            p["proposal_names"] = ["Yes", "No"]
        elif m:
            n = max(2, min(20, int(_num(m.group(1)))))
            p["proposal_names"] = [f"Proposal {i + 1}" for i in range(n)]
        else:
            p["proposal_names"] = ["Yes", "No"]
            notes.append("no proposals given: Yes and No")
        p["registration"] = bool(
            re.search(r"\bregist\w*\b|\bchairperson\b|\beligible\b|\bright to vote\b|\ballowed voters\b", low)
        )
        if p["registration"]:
            checks.append("unregistered_vote_reverts")
        d = _first_duration(low)
        if d:
            p["duration_seconds"] = d
            checks.append("vote_after_end_reverts")
    elif k.kind == "english_auction":
        p["duration_seconds"] = _first_duration(low) or 7 * 86400
        if not _first_duration(low):
            notes.append("no duration given: the auction runs 7 days")
        r = _eth_near(low, r"(reserve|minimum bid|starting bid|min bid)")
        if r:
            p["min_bid_wei"] = r
    elif k.kind == "dutch_auction":
        start = _eth_near(low, r"(start\w*|begin\w*|from)") or _any_eth(low) or 10**18
        p["start_price_wei"] = start
        m = re.search(
            r"(?:falls?|drops?|decreases?|declines?|decays?|goes down)\s*(?:linearly\s*)?(?:by\s*)?"
            + _ETH
            + r"\s*(?:per|every|an?|each)\s*(second|minute|hour|day)",
            low,
        )
        floor_m = re.search(r"(?:floor|minimum|reserve)(?: price)?(?: of)?\s*" + _ETH, low) or re.search(
            _ETH + r"\s*(?:floor|minimum)", low
        )
        floor = _wei(floor_m.group(1), floor_m.group(2)) if floor_m else 0
        if re.search(r"\bto (0|zero)\b", low):
            floor = 0
        if floor >= start:
            floor = 0
        p["floor_price_wei"] = floor
        if m:
            drop = _wei(m.group(1), m.group(2))
            p["duration_seconds"] = max(1, (start - floor) * UNIT[m.group(3)] // max(drop, 1))
            p["drop_wei_per_unit"] = [drop, m.group(3)]
        else:
            d = _first_duration(low, r"over|within|during")
            p["duration_seconds"] = d or 86400
            if not d:
                notes.append("no decay period given: the price reaches the floor after 1 day")
        m = re.search(r"(\d[\d,]*)\s+(nfts?|tokens|items|units|tickets)", low)
        p["supply"] = int(m.group(1).replace(",", "")) if m else 1
        p["nft"] = bool(re.search(r"\bnfts?\b|\berc-?721\b", low))
        if p["supply"] == 1:
            checks.append("second_buy_reverts")
    elif k.kind == "crowdfunding":
        g = _eth_near(low, r"goal") or _eth_near(low, r"raise")
        if g is None:
            m = re.search(r"goal (?:of )?(\d+(?:\.\d+)?)\b", low)
            g = int(float(m.group(1)) * 10**18) if m else None
            if g is not None:
                notes.append("goal read as ETH")
        p["goal_wei"] = g or 10 * 10**18
        if g is None:
            notes.append("no goal given: 10 ETH")
        d = _first_duration(low)
        p["duration_seconds"] = d or 30 * 86400
        if not d:
            notes.append("no deadline given: 30 days after deployment")
    elif k.kind == "payment_splitter":
        nums = (
            [
                int(x)
                for x in re.findall(
                    r"\b(\d{1,3})\b\s*%?", re.split(r"shares?|percent|%", low, maxsplit=1)[-1]
                )
            ]
            if re.search(r"shares?|%|percent", low)
            else []
        )
        m = re.search(
            _N + r"\s+(addresses|payees|members|people|partners|recipients|wallets|founders|artists)", low
        )
        count = int(_num(m.group(1))) if m else (len(nums) if len(nums) >= 2 else 3)
        count = max(2, min(10, count))
        if len(nums) != count or not all(nums):
            if nums:
                notes.append(f"shares {nums} do not match {count} payees: equal shares")
            nums = [1] * count
            if not m:
                notes.append(f"no payees given: {count} payees with equal shares (set at deployment)")
        p["shares"] = nums
    elif k.kind == "staking":
        m = re.search(
            r"(\d+(?:\.\d+)?)\s*(?:reward )?tokens?\s*(?:per|a|each|every)\s*(second|minute|hour|day)", low
        )
        if m:
            p["reward_rate"] = int(float(m.group(1)) * 10**18) // UNIT[m.group(2)]
        else:
            p["reward_rate"] = 10**16
            notes.append("no reward rate given: 0.01 reward token (18 decimals) per second")
        if re.search(r"\bmore of it\b|\bsame token\b", low):
            notes.append(
                "rewards are paid in a separate reward token: one token for both would let claims spend stakers' principal"
            )
    elif k.kind == "lottery":
        t = _any_eth(low)
        p["ticket_wei"] = t or 10**16
        if t is None:
            notes.append("no ticket price given: 0.01 ETH")
        warnings.append(
            "on-chain randomness is not secure: the winner comes from an owner-committed seed; players must trust the owner (use Chainlink VRF for real value)"
        )
    elif k.kind == "subscription":
        f = _any_eth(low)
        p["fee_wei"] = f or 10**16
        if f is None:
            notes.append("no fee given: 0.01 ETH per period")
        d = _first_duration(low)
        p["period_seconds"] = d or 30 * 86400
        if not d:
            notes.append("no period given: 30 days")
    elif k.kind == "marketplace":
        p["nft"] = bool(re.search(r"\bnfts?\b|\berc-?721\b", low))
    elif k.kind == "timelock_savings":
        d = _first_duration(low)
        p["lock_seconds"] = d or 365 * 86400
        if not d:
            notes.append("no lock period given: unlocks 365 days after deployment")
    elif k.kind == "dao_treasury":
        d = _first_duration(low, r"vot")
        p["voting_seconds"] = d or 3 * 86400
        if not d:
            notes.append("no voting period given: 3 days")
        if not re.search(r"\btokens?\b", low):
            notes.append("membership = holding the governance token (ERC20Votes) given at deployment")
    elif k.kind == "faucet":
        p["token"] = bool(re.search(r"\btokens?\b", low))
        m = re.search(r"(\d+(?:\.\d+)?)\s*tokens?", low)
        e = _any_eth(low)
        if p["token"]:
            p["drip_amount"] = int(float(m.group(1)) * 10**18) if m else 10 * 10**18
        else:
            p["drip_amount"] = e or 10**17
            if e is None:
                notes.append("no amount given: 0.1 ETH per claim")
        d = _first_duration(low)
        if re.search(r"\bonce (a|per) day\b|\bdaily\b|\bper day\b", low):
            d = 86400
        p["cooldown_seconds"] = d or 86400
    elif k.kind == "inheritance":
        d = _first_duration(low)
        p["timeout_seconds"] = d or 180 * 86400
        if not d:
            notes.append("no inactivity period given: 180 days")
    elif k.kind == "airdrop":
        m = re.search(r"(\d+(?:\.\d+)?)\s*tokens?", low)
        p["amount"] = int(float(m.group(1)) * 10**18) if m else 100 * 10**18
        if not m:
            notes.append("no amount given: 100 tokens (18 decimals) per address")
        p["claim"] = bool(re.search(r"\bclaim\b|\b(allow|white)[- ]?list", low))
    elif k.kind == "supply_chain":
        m = re.search(r"\bthrough ([A-Z][a-z]+(?:(?:,\s*|,?\s+(?:and|then)\s+|\s*->\s*)[A-Z][a-z]+)+)", text)
        if m:
            p["stages"] = re.findall(r"[A-Z][a-z]+", m.group(1))[:10]
    return p


def build_ir(text: str) -> ContractIR:
    """The IR for a request (screened first; raises BadInputError with a one-line reason)."""
    text = screen(text)
    low = text.lower()
    k = detect(text)
    if k is None:
        # A Wizard kind the spec parser only guessed from a loose word ("token", "vote") loses to a
        # confident similarity match ("people lock up my token and earn more" is staking).
        if not LEGACY_FIRST.search(low):
            m = similar.classify(text)
            if m.kind in BY_KIND and m.score >= similar.OVERRIDE:
                return _kind_ir(BY_KIND[m.kind], text, low, m)
        return _legacy(text, low)
    return _kind_ir(k, text, low)


def _similar_note(m: similar.Match) -> str:
    return (
        f"kind chosen by similarity to {m.example[:80]!r} (score {m.score:.2f}; next {m.runner_up} "
        f"{m.runner_up_score:.2f}): no rule recognised the kind; check it with --explain and pass "
        "--spec FILE to correct it"
    )


def _kind_ir(k: KindDef, text: str, low: str, m: similar.Match | None = None) -> ContractIR:
    notes: list[str] = []
    checks = list(k.checks)
    warnings: list[str] = [_similar_note(m)] if m else []
    params = _params(k, text, low, notes, checks, warnings)
    name, given = _name(text, k.name)
    if not given:
        notes.append(f"no name given: {name}")
    how = f"{k.kind} composer" + (f" (kind chosen by similarity, score {m.score:.2f})" if m else "")
    reqs = (
        Requirement(f"kind: {k.kind.replace('_', ' ')}", how),
        *_requirements(low, k.meets, k.kind),
    )
    return ir_of(k, name, params, checks, reqs, warnings, notes)


def ir_of(
    k: KindDef,
    name: str,
    params: dict[str, Any],
    checks: list[str],
    reqs: tuple[Requirement, ...],
    warnings: list[str],
    notes: list[str],
) -> ContractIR:
    """The IR of kind ``k`` with what the parser (or the model) read from the request."""
    return ContractIR(
        kind=k.kind,
        name=name,
        params=params,
        roles=k.roles,
        assets=k.assets,
        functions=k.functions,
        events=tuple(sorted({f.event for f in k.functions if f.event})),
        invariants=k.invariants,
        checks=tuple(dict.fromkeys(checks)),
        requirements=reqs,
        warnings=tuple(warnings),
        notes=tuple(notes),
    )


LEGACY_MEETS: dict[str, dict[str, str]] = {
    "erc20": {
        "erc20": "OpenZeppelin ERC20",
        "mint": "mint()",
        "burn": "ERC20Burnable",
        "pause": "ERC20Pausable",
        "vote": "ERC20Votes",
        "delegate": "ERC20Votes",
        "cap": "ERC20Capped",
        "blocklist": "blocklist",
        "price": "",
        "withdraw": "",
    },
    "erc721": {
        "nft": "OpenZeppelin ERC721",
        "mint": "safeMint()/mint()",
        "burn": "ERC721Burnable",
        "pause": "ERC721Pausable",
        "royalty": "ERC2981",
        "price": "public mint price",
        "cap": "max supply",
        "vote": "ERC721Votes",
        "withdraw": "owner withdraws mint proceeds",
        "baseuri": "base URI (setter as a custom function when asked)",
        "erc20": "ERC721 token ids",
    },
    "erc1155": {
        "mint": "mint()/mintBatch()",
        "burn": "ERC1155Burnable",
        "pause": "ERC1155Pausable",
        "erc20": "ERC1155 ids",
        "nft": "ERC1155 ids",
    },
    "governor": {
        "vote": "OpenZeppelin Governor with GovernorVotes",
        "erc20": "voting token (IVotes) given at deployment",
        "time": "voting delay/period in blocks",
        "delegate": "token delegation",
    },
    "vault": {
        "erc20": "ERC4626 over an ERC20 asset",
        "cap": "deposit cap",
        "pause": "pausable deposits",
        "withdraw": "ERC4626 withdraw/redeem",
    },
    "escrow": {
        "withdraw": "release/refund",
        "refund": "refund by seller or arbiter",
        "erc20": "ERC20 payment",
        "time": "deadline",
        "price": "payment amount",
    },
    "multisig": {"multisig": "owners confirm; executes at threshold", "withdraw": "executed transactions"},
    "timelock": {"time": "TimelockController minDelay"},
    "vesting": {
        "time": "VestingWallet start/duration (+cliff)",
        "erc20": "releases ETH and any ERC20 sent to it",
        "withdraw": "release()",
    },
    "custom": {},
}
LEGACY_CHECKS: dict[str, tuple[str, ...]] = {
    "erc1155": ("only_owner_mints", "mint_increases_balance"),
    "vault": ("deposit_mints_shares", "redeem_returns_assets"),
    "timelock": ("execute_before_delay_reverts", "execute_after_delay_succeeds"),
    "vesting": ("partial_vested_midway", "fully_vested_after_duration"),
    "governor": ("voting_delay_matches", "voting_period_matches"),
    "escrow": ("deposit_held", "release_pays_seller", "stranger_release_reverts"),
    "multisig": ("execute_below_threshold_reverts", "execute_at_threshold_pays", "non_owner_submit_reverts"),
}


def legacy_checks(spec: ContractSpec) -> tuple[str, ...]:
    f = spec.features
    out: list[str] = []
    if spec.kind == "erc20":
        out += ["name_and_symbol"]
        if spec.premint:
            out.append("total_supply_equals_premint")
        if "mintable" in f and spec.access == "ownable":
            out.append("only_owner_mints")
        elif "mintable" in f and spec.access == "roles":
            out.append("only_minter_mints")
        if "burnable" in f:
            out.append("burn_reduces_supply")
        if "pausable" in f and spec.access == "ownable":
            out.append("pause_blocks_transfers")
    elif spec.kind == "erc721":
        if "publicmint" in f:
            out.append("mint_requires_price")
            if spec.cap:
                out.append("max_supply_enforced")
        elif spec.access == "ownable":
            out.append("only_owner_mints")
        elif spec.access == "roles":
            out.append("only_minter_mints")
        if any("uri" in (c.name + c.description).lower() for c in spec.custom):
            out.append("only_owner_sets_base_uri")
    elif spec.kind == "vesting" and "cliff" in f:
        out += ["nothing_vested_before_cliff", *LEGACY_CHECKS["vesting"]]
    elif spec.kind == "escrow" and "token" not in f:
        out += [*LEGACY_CHECKS["escrow"], "arbiter_refunds_buyer"]
    else:
        out += list(LEGACY_CHECKS.get(spec.kind, ()))
    return tuple(out)


def _legacy(text: str, low: str) -> ContractIR:
    try:
        spec = parse_request(text)
    except BadInputError as exc:
        msg = str(exc)
        # DeFi and upgradeable requests describe contracts too: name them unmet, never refuse.
        scoped = "out of scope" in msg and not re.search(r"deceive or steal", msg)
        if (
            not scoped
            and "could not tell which kind" not in msg
            and "does not describe a smart contract" not in msg
        ):
            raise
        # No rule knew the kind: a confident similarity match to labelled requests picks one (and
        # says so); out-of-catalogue text stays unsupported.
        if not scoped:
            m = similar.classify(text)
            if m.accepted and m.kind in BY_KIND:
                return _kind_ir(BY_KIND[m.kind], text, low, m)
            if m.accepted and m.kind in LEGACY_MEETS and m.kind != "custom":
                try:
                    guessed: ContractSpec | None = parse_request(text, kind=m.kind)
                except BadInputError:
                    guessed = None
                if guessed is not None:
                    ir = ir_from_spec(guessed, low)
                    return replace(ir, warnings=(*ir.warnings, _similar_note(m)))
        # A describable contract of a kind nothing here composes: say so, never refuse or narrow.
        return ContractIR(
            kind="unsupported",
            name="MyContract",
            requirements=(
                Requirement(
                    "kind: "
                    + re.sub(r"\s+", " ", text)[:120]
                    + (f" ({msg.split(':', 1)[0]})" if scoped else ""),
                    "",
                ),
                *coverage.requirements(low, "unsupported"),
            ),
            notes=(
                "no composer matches this request; kinds: " + ", ".join(sorted([*BY_KIND, *LEGACY_MEETS])),
            ),
        )
    # "a base URI the owner can update" used to be dropped without a word: make it a custom
    # function (the snippet library has the setter), so it is built or reported missing.
    if (
        spec.kind == "erc721"
        and re.search(
            r"\bbase ?uri\b[^.]{0,40}\b(update|change|set|modif)|\b(update|change|set)\w*\b[^.]{0,20}\bbase ?uri\b",
            low,
        )
        and not any("uri" in (c.name + c.description).lower() for c in spec.custom)
    ):
        spec = replace(
            spec, custom=(*spec.custom, CustomFunction("setBaseURI", "lets the owner update the base URI"))
        )
    return ir_from_spec(spec, low)


def ir_from_spec(spec: ContractSpec, low: str = "") -> ContractIR:
    meets = LEGACY_MEETS.get(spec.kind, {})
    reqs = [Requirement(f"kind: {spec.kind}", f"{spec.kind} composer (OpenZeppelin 5 building blocks)")]
    reqs += [Requirement(f"feature: {x}", f"OpenZeppelin {x} extension") for x in sorted(spec.features)]
    # Met or not is decided by the loop (library or model answer compiled and passed the audit).
    reqs += [
        Requirement(
            f"function: {c.name} ({c.description[:60]})", "custom function (snippet library or model)"
        )
        for c in spec.custom
    ]
    if spec.token_name:
        low = re.sub(
            rf"\b{re.escape(spec.token_name.lower())}\b", " ", low
        )  # "Reward Points" is a name, not a feature
    for r in _requirements(low, meets, spec.kind, concepts=False):
        label = r.text.split(":", 1)[0]
        if label in {"mint", "burn", "pause", "vote", "cap", "royalty", "delegate"} and any(
            label in x for x in spec.features
        ):
            continue
        # Feature words the spec parser turned into custom functions are accounted for there.
        if not r.met and spec.custom:
            continue
        reqs.append(r)
    reqs += coverage.requirements(low, spec.kind, frozenset(spec.features))
    return ContractIR(
        kind=spec.kind,
        name=spec.name,
        params={"spec": spec.to_dict()},
        roles=("owner",) if spec.access == "ownable" else (("admin",) if spec.access == "roles" else ()),
        assets=("erc20",)
        if spec.kind == "erc20"
        else (
            ("erc721",) if spec.kind == "erc721" else (("erc1155",) if spec.kind == "erc1155" else ("none",))
        ),
        checks=legacy_checks(spec),
        requirements=tuple(reqs),
        notes=spec.notes,
    )


def spec_of(ir: ContractIR) -> ContractSpec | None:
    """The Wizard spec inside an IR of a Wizard kind (None for the IR kinds)."""
    d = ir.params.get("spec")
    if not isinstance(d, dict):
        return None
    from chainllm.generate.evaluate import spec_from_dict

    s = spec_from_dict(d)
    return s if s.name == ir.name else ContractSpec(**{**s.__dict__, "name": ir.name})
