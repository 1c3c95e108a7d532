"""A learnt fallback for kind recognition: TF-IDF nearest neighbours over labelled requests.

The regexes in ``kinds`` are precise but only know the phrasings someone wrote them for ("my
coffee shop gives stamps for each purchase" names no kind word). When they find no kind, the
request is compared with every labelled dev request (``kind_examples.json``: the dev suite and
the measured held-out sets 1-3) and a short description of each kind. Features are word
uni/bigrams (crudely stemmed) plus character 3-5-grams inside words, so typos ("fauset") and
inflections still share features. Out-of-catalogue requests are examples too (label ``OOC``),
and a request whose best class is ``OOC`` or whose score is under ``THRESHOLD`` stays
unsupported: it is named unmet, never narrowed to the nearest template.

Pure Python, built on first use (~20 ms for ~450 documents); deterministic.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

OOC = "OOC"
EXAMPLES = Path(__file__).with_name("kind_examples.json")
# Fitted by leave-one-out on kind_examples.json (bench/gen_kind_bench.py --loo): see docs/generation.md.
THRESHOLD = 0.25
OVERRIDE = 0.35  # over a Wizard kind the spec parser guessed from a loose word: higher bar
MARGIN = 0.03  # over the runner-up class (LOO: with 0.25, 0 of 17 out-of-catalogue requests accepted)
NGRAMS = (3, 4, 5)
CHAR_WEIGHT = 0.5  # share of the character n-gram block in the similarity

# One line per kind in plain words, so a kind with few dev requests still has its vocabulary.
DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "storage": (
        "store a value and read it back later, save a number, remember a number, keep a value",
        "set and get a single stored integer or string, simple storage",
    ),
    "hello_world": (
        "hello world contract that returns a greeting message, say hi, welcome message, gm",
        "a message anyone can read and change the text of",
    ),
    "loyalty_points": (
        "loyalty program: the shop owner awards points or stamps to customers for purchases, customers redeem them",
        "reward points, stamps, miles or credits that customers earn and spend on discounts or free items",
    ),
    "counter": ("a counter that goes up by one each call, increment and decrement a count, tally clicks",),
    "ownership": (
        "ownership management: an owner or admin address that can transfer ownership to someone else",
        "hand over the admin role, renounce ownership, only the owner",
    ),
    "voting": (
        "voting contract: people vote once for one of several candidates or proposals, ballot, election, poll",
        "elect a winner, one person one vote, count votes",
    ),
    "english_auction": (
        "auction: bidders bid ETH, the highest bid wins when the auction ends, outbid bidders withdraw",
        "sell an item to whoever offers the most before a deadline",
    ),
    "dutch_auction": (
        "dutch auction: the price starts high and falls over time until someone buys at the current price",
    ),
    "crowdfunding": (
        "crowdfunding campaign with a funding goal and a deadline, contributors get refunds if the goal is missed",
        "raise money from many people for a project, collect funds for a target before a date",
    ),
    "lottery": (
        "lottery or raffle: players buy tickets with ETH and a random winner takes the pot",
        "office pool, sweepstakes, one lucky person wins everything",
    ),
    "staking": (
        "staking: users lock up or deposit tokens and earn reward tokens over time, like interest, yield",
    ),
    "payment_splitter": (
        "payment splitter: incoming ETH is divided between payees by fixed shares or percentages",
        "split revenue or earnings between partners, band members, co-founders automatically",
    ),
    "subscription": (
        "subscription: users pay a fee per month or period to get access that expires, membership fee",
    ),
    "marketplace": (
        "marketplace: sellers list items or NFTs at a fixed price, buyers purchase them and the seller is paid",
    ),
    "supply_chain": (
        "supply chain tracking: record each product or shipment and its status as it moves from farm to warehouse to store",
    ),
    "proof_of_existence": (
        "proof of existence: record the hash of a document or file with a timestamp to prove it existed, notary",
    ),
    "username_registry": (
        "username registry: each address registers one unique name or handle, look up the owner of a name",
    ),
    "airdrop": ("airdrop: the owner sends an amount of tokens to many recipient addresses at once",),
    "faucet": (
        "faucet: gives out a small amount of ETH or tokens per address once per day, cooldown, testnet",
    ),
    "donation": (
        "donations or tip jar: supporters send ETH, donations are recorded and the owner withdraws them",
    ),
    "allowlist": (
        "allowlist or whitelist: the admin adds and removes approved addresses, anyone checks whether an address is listed",
    ),
    "bank": ("bank: each user deposits ETH and withdraws only their own balance",),
    "todo_list": ("to-do list: add tasks and mark them done or completed, checklist",),
    "timelock_savings": (
        "time-locked savings: lock ETH that cannot be withdrawn until an unlock date, piggy bank",
    ),
    "inheritance": (
        "inheritance or dead man's switch: if the owner is inactive for a period, the heir can claim the funds",
    ),
    "dao_treasury": (
        "DAO treasury: token-holding members propose payouts from pooled ETH, vote for a period, passed proposals are paid",
    ),
    "erc20": (
        "an ERC20 fungible token or coin with a name, symbol and supply, mintable, burnable, pausable",
    ),
    "erc721": ("an NFT collection: ERC721 unique tokens, collectibles, the owner mints new ones",),
    "erc1155": ("ERC1155 multi-token with several token ids, game items",),
    "multisig": (
        "multisig wallet: several owners share a wallet and a payment needs a threshold of confirmations or signatures",
    ),
    "escrow": (
        "escrow: the buyer deposits payment, an arbiter or mediator releases it to the seller or refunds the buyer",
    ),
    "vesting": ("token vesting for employees or team over a duration with a cliff",),
    "vault": ("ERC4626 tokenised vault: deposit an ERC20 asset and receive shares",),
    "governor": (
        "DAO governor: token holders create proposals, vote with a voting delay, period and quorum",
    ),
    "timelock": ("timelock controller that delays the execution of admin operations",),
}

# Contracts no composer here builds, so that text like them scores OOC rather than the nearest kind.
OUT_OF_CATALOGUE: tuple[str, ...] = (
    "a decentralised exchange or AMM liquidity pool that swaps tokens with a price curve",
    "lending and borrowing with collateral, interest rates and liquidations, flash loans",
    "an insurance policy that pays out when an oracle reports an event",
    "a cross-chain bridge that locks tokens here and mints them on another chain",
    "a game between players: chess, rock paper scissors, coin flip bets, the winner takes the stakes",
    "a prediction market or betting pool on the outcome of a sports match",
    "a stablecoin pegged to the dollar with a collateral ratio",
    "streaming salaries or payroll to employees every second",
    "a rental or lease agreement with monthly rent and a security deposit",
    "a bounty board where posters reward whoever completes a task",
    "issuing certificates or diplomas that employers verify",
    "fractional ownership of real estate or an NFT split into shares",
)

_STOP_WORDS = (
    "a an the and or of to for in on at by with is are be it its this that i me my we our you your "
    "can could would should will want need please write create make build contract smart solidity "
    "simple some so just like then than there which who what how do does"
)
_STOP = frozenset(_STOP_WORDS.split())


def _stem(w: str) -> str:
    for suf in ("ing", "ed", "es", "s"):
        if len(w) > len(suf) + 3 and w.endswith(suf):
            return w[: -len(suf)]
    return w


def _features(text: str) -> tuple[Counter[str], Counter[str]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    kept = [_stem(w) for w in words if w not in _STOP]
    wf: Counter[str] = Counter(kept)
    wf.update(f"{a}_{b}" for a, b in itertools.pairwise(kept))
    cf: Counter[str] = Counter()
    for w in kept:
        p = f" {w} "
        for n in NGRAMS:
            cf.update(p[i : i + n] for i in range(max(1, len(p) - n + 1)))
    return wf, cf


Vec = dict[str, float]


def _weigh(tf: Counter[str], idf: dict[str, float], default: float) -> Vec:
    v = {t: (1.0 + math.log(c)) * idf.get(t, default) for t, c in tf.items()}
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {t: x / norm for t, x in v.items()}


def _dot(a: Vec, b: Vec) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(t, 0.0) for t, x in a.items())


@dataclass(frozen=True)
class Match:
    kind: str  # a kind, or OOC
    score: float
    example: str  # the nearest labelled text of that kind
    runner_up: str
    runner_up_score: float

    @property
    def accepted(self) -> bool:
        return self.kind != OOC and self.score >= THRESHOLD and self.score - self.runner_up_score >= MARGIN


class Index:
    def __init__(self, docs: list[tuple[str, str]]) -> None:
        self.labels = [k for k, _ in docs]
        self.texts = [t for _, t in docs]
        feats = [_features(t) for t in self.texts]
        n = len(docs)
        self.idf_w = self._idf([w for w, _ in feats], n)
        self.idf_c = self._idf([c for _, c in feats], n)
        self.default_w = math.log(n + 1) + 1.0
        self.vecs = [self._vec(f) for f in feats]

    @staticmethod
    def _idf(tfs: list[Counter[str]], n: int) -> dict[str, float]:
        df: Counter[str] = Counter()
        for tf in tfs:
            df.update(tf.keys())
        return {t: math.log((n + 1) / (d + 1)) + 1.0 for t, d in df.items()}

    def _vec(self, f: tuple[Counter[str], Counter[str]]) -> tuple[Vec, Vec]:
        return _weigh(f[0], self.idf_w, self.default_w), _weigh(f[1], self.idf_c, self.default_w)

    def sims(self, text: str, skip: int = -1) -> list[float]:
        q = self._vec(_features(text))
        return [
            -1.0 if i == skip else (1 - CHAR_WEIGHT) * _dot(q[0], v[0]) + CHAR_WEIGHT * _dot(q[1], v[1])
            for i, v in enumerate(self.vecs)
        ]

    def classify(self, text: str, skip: int = -1) -> Match:
        """Score per class = mean of its two nearest examples (one if it has one)."""
        sims = self.sims(text, skip)
        by: dict[str, list[tuple[float, int]]] = {}
        for i, s in enumerate(sims):
            by.setdefault(self.labels[i], []).append((s, i))
        scored = []
        for k, xs in by.items():
            top = sorted(xs, reverse=True)[:2]
            top = [x for x in top if x[0] >= 0] or top[:1]
            scored.append((sum(s for s, _ in top) / len(top), k, top[0][1]))
        scored.sort(key=lambda x: (-x[0], x[1]))
        (s1, k1, i1), (s2, k2, _) = scored[0], scored[1]
        return Match(k1, round(s1, 4), self.texts[i1], k2, round(s2, 4))


def load_docs() -> list[tuple[str, str]]:
    data = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    docs = [(str(k), str(t)) for k, t in data["examples"]]
    docs += [(k, line) for k, lines in DESCRIPTIONS.items() for line in lines]
    docs += [(OOC, line) for line in OUT_OF_CATALOGUE]
    return docs


@lru_cache(maxsize=1)
def index() -> Index:
    return Index(load_docs())


def classify(text: str) -> Match:
    return index().classify(text)


def leave_one_out() -> dict[str, int]:
    """Each labelled example classified by the others, at the shipped THRESHOLD/MARGIN: kinds
    accepted right, wrong kinds accepted, out-of-catalogue examples accepted (false accepts)."""
    idx = index()
    n = len(json.loads(EXAMPLES.read_text(encoding="utf-8"))["examples"])
    out = {"kind_n": 0, "kind_ok": 0, "wrong_accepted": 0, "ooc_n": 0, "ooc_false_accept": 0}
    for i in range(n):
        m = idx.classify(idx.texts[i], skip=i)
        if idx.labels[i] == OOC:
            out["ooc_n"] += 1
            out["ooc_false_accept"] += m.accepted
        else:
            out["kind_n"] += 1
            out["kind_ok"] += m.accepted and m.kind == idx.labels[i]
            out["wrong_accepted"] += m.accepted and m.kind != idx.labels[i]
    return out


def rebuild(paths: list[str]) -> int:
    """Write kind_examples.json from labelled suites (entries with a request and expect.kind, or
    out-of-catalogue ones: expect.named_unmet or kind "custom")."""
    examples: list[tuple[str, str]] = []
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            e = json.loads(line)
            req, exp = e.get("request"), e.get("expect", {})
            if not isinstance(req, str):
                continue
            kind = exp.get("kind")
            if exp.get("named_unmet") or kind == "custom":
                examples.append((OOC, req))
            elif kind:
                examples.append((str(kind), req))
    EXAMPLES.write_text(
        json.dumps({"sources": [Path(p).name for p in paths], "examples": examples}, indent=0) + "\n",
        encoding="utf-8",
    )
    return len(examples)
