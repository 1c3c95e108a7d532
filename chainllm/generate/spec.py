"""A structured contract spec and the deterministic parser that turns a request into one.

A 135M model cannot write a compiling contract freehand (0 of 105 tries, see the toolchain
notes), but the words of a request map well onto the OpenZeppelin Wizard's option sets. So the
request is parsed here into a ``ContractSpec`` (kind, name, features, access control, numbers,
custom functions described in words); the composer turns the standard parts into Solidity from
audited OpenZeppelin building blocks, and a model is asked only for custom function bodies.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from chainllm.errors import BadInputError

MAX_PROMPT_CHARS = 4000

KINDS = (
    "erc20",
    "erc721",
    "erc1155",
    "governor",
    "vault",
    "escrow",
    "multisig",
    "timelock",
    "vesting",
    "custom",
)
ACCESS = ("ownable", "roles", "none")

# Features each kind understands (the Wizard's option names where it has one).
FEATURES: dict[str, frozenset[str]] = {
    "erc20": frozenset(
        {"mintable", "burnable", "pausable", "permit", "votes", "flashmint", "capped", "blocklist", "airdrop"}
    ),
    "erc721": frozenset(
        {
            "mintable",
            "burnable",
            "pausable",
            "enumerable",
            "uristorage",
            "votes",
            "royalty",
            "autoincrement",
            "publicmint",
        }
    ),
    "erc1155": frozenset({"mintable", "burnable", "pausable", "supply", "updatableuri"}),
    "governor": frozenset({"timelock"}),
    "vault": frozenset({"capped", "pausable"}),
    "escrow": frozenset({"token", "deadline"}),
    "multisig": frozenset(),
    "timelock": frozenset(),
    "vesting": frozenset({"cliff"}),
    "custom": frozenset({"pausable"}),
}

DEFAULT_NAMES = {
    "erc20": "MyToken",
    "erc721": "MyNFT",
    "erc1155": "MyMultiToken",
    "governor": "MyGovernor",
    "vault": "MyVault",
    "escrow": "MyEscrow",
    "multisig": "MyMultiSig",
    "timelock": "MyTimelock",
    "vesting": "MyVesting",
    "custom": "MyContract",
}


@dataclass(frozen=True)
class CustomFunction:
    """A function the user described in words; its body comes from a model."""

    name: str
    description: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ContractSpec:
    kind: str
    name: str  # Solidity identifier of the main contract
    token_name: str = ""  # ERC20/721/1155 display name
    symbol: str = ""
    features: frozenset[str] = frozenset()
    access: str = "ownable"
    premint: int = 0  # whole tokens
    cap: int = 0  # whole tokens (erc20) / max tokens (erc721) / max assets (vault)
    decimals: int = 18
    base_uri: str = ""
    mint_price_wei: int = 0
    royalty_bps: int = 0
    voting_delay_blocks: int = 7200
    voting_period_blocks: int = 50400
    quorum_percent: int = 4
    threshold: int = 2  # multisig confirmations
    delay_seconds: int = 2 * 24 * 3600  # timelock min delay
    cliff_seconds: int = 0
    custom: tuple[CustomFunction, ...] = ()
    notes: tuple[str, ...] = ()  # what the parser assumed, shown in the report

    def __post_init__(self) -> None:
        problems = []
        if self.kind not in KINDS:
            problems.append(f"kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if not re.fullmatch(r"[A-Z][A-Za-z0-9_]{0,63}", self.name):
            problems.append(f"name {self.name!r} is not a Solidity contract identifier")
        if self.access not in ACCESS:
            problems.append(f"access {self.access!r} is not one of {', '.join(ACCESS)}")
        unknown = self.features - FEATURES.get(self.kind, frozenset())
        if unknown:
            problems.append(f"features {sorted(unknown)} do not apply to {self.kind}")
        if self.cap and self.premint > self.cap:
            problems.append(f"premint {self.premint} exceeds cap {self.cap}")
        if not 0 <= self.decimals <= 36:
            problems.append("decimals must be within 0..36")
        if not 0 <= self.royalty_bps <= 10000:
            problems.append("royalty must be within 0..100%")
        if not 0 < self.quorum_percent <= 100:
            problems.append("quorum must be within 1..100%")
        if problems:
            raise BadInputError("invalid contract spec: " + "; ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["features"] = sorted(self.features)
        d["custom"] = [c.to_dict() for c in self.custom]
        d["notes"] = list(self.notes)
        return d


# --- parsing ---------------------------------------------------------------------------------

_KIND_PATTERNS: list[tuple[str, str]] = [
    # Container kinds first ("escrow paid in an ERC20 token" is an escrow), then NFTs, then DAOs
    # ("DAO pass NFT" is an NFT), then fungible tokens ("governance token" is an ERC20).
    ("governor", r"\bgovernor\b"),
    (
        "multisig",
        r"\b(multi-?sig|multi-?signature|multiple owners|multiple (?:signatures|signers|approvals)|n-of-m|\d+\s*-?of-?\s*\d+)\b",
    ),
    ("timelock", r"\btime-?lock(controller)?\b"),
    ("vesting", r"\bvesting\b|\bvests?\b"),
    ("escrow", r"\bescrow\b"),
    ("vault", r"\b(vault|erc-?4626|tokeni[sz]ed vault)\b"),
    ("erc1155", r"\b(erc-?1155|multi-?token|semi-?fungible|game items?)\b"),
    ("erc721", r"\b(erc-?721|nfts?|non-?fungible|collectibles?)\b"),
    ("erc20", r"\b(governance|voting|dao) tokens?\b"),
    ("governor", r"\b(dao|governance)\b"),
    ("erc20", r"\b(erc-?20|fungible token|tokens?|coin|stablecoin|currency)\b"),
]

# Requests the composer cannot honour well, with a one-line reason and what to do instead.
_OUT_OF_SCOPE: list[tuple[str, str]] = [
    (
        r"\b(honeypot|rug ?pull|drain(er)?|phishing|steal|scam|backdoor|hidden mint|exploit)\b",
        "generating contracts meant to deceive or steal is not supported",
    ),
    (
        r"\b(uniswap|amm|dex|liquidity pool|flash ?loan arbitrage|lending|borrow|oracle|bridge|perpetual|options? protocol)\b",
        "DeFi protocols (AMMs, lending, bridges, oracles) are beyond what can be composed and checked here",
    ),
    (
        r"\b(upgradeable|upgradable|proxy|uups)\b",
        "upgradeable variants need @openzeppelin/contracts-upgradeable, which is not bundled",
    ),
    (r"\b(vyper|rust|solana|move|cairo|ink!)\b", "only Solidity for the EVM is generated"),
]

_SOLIDITY_HINT = re.compile(
    r"\b(contract|solidity|smart contract|tokens?|coin|stablecoin|nfts?|erc-?\d+|dao|governor|governance|vault|escrow|multi-?sig|wallet|timelock|vesting|mint|on-?chain|ethereum|evm)\b",
    re.I,
)

_NUM = r"(\d[\d,_]*(?:\.\d+)?)\s*(k|m|b|thousand|million|billion|mn|bn)?\b"
_MULT = {
    "k": 10**3,
    "thousand": 10**3,
    "m": 10**6,
    "mn": 10**6,
    "million": 10**6,
    "b": 10**9,
    "bn": 10**9,
    "billion": 10**9,
}


def _number(text: str, suffix: str | None) -> int:
    value = float(text.replace(",", "").replace("_", ""))
    return int(value * _MULT.get((suffix or "").lower(), 1))


def _identifier(words: str, default: str) -> str:
    parts = re.findall(r"[A-Za-z0-9]+", words)
    ident = "".join(p[:1].upper() + p[1:] for p in parts)
    if not ident or not ident[0].isalpha():
        return default
    return ident[:64]


def validate_request(text: str, need_hint: bool = True) -> str:
    """Reject empty, huge and out-of-scope requests with a message that says what to do."""
    stripped = text.strip()
    if not stripped:
        raise BadInputError(
            "the request is empty",
            hint='describe the contract, e.g. "ERC20 named Acme, symbol ACM, 1M supply"',
        )
    if len(stripped) > MAX_PROMPT_CHARS:
        raise BadInputError(
            f"the request is {len(stripped)} characters, over the {MAX_PROMPT_CHARS}-character limit",
            hint="describe the contract in a few sentences; put long specs into separate requests",
        )
    for pattern, reason in _OUT_OF_SCOPE:
        m = re.search(pattern, stripped, re.I)
        if m:
            raise BadInputError(
                f"out of scope ({m.group(0)!r}): {reason}",
                hint="supported kinds: " + ", ".join(k for k in KINDS if k != "custom"),
            )
    # need_hint=False: the kind was already recognised by similarity to labelled requests.
    if need_hint and not _SOLIDITY_HINT.search(stripped):
        raise BadInputError(
            "the request does not describe a smart contract",
            hint="chainllm generate writes Solidity; name a kind such as ERC20, NFT, DAO governor, vault, escrow or multisig",
        )
    return stripped


def _detect_kind(text: str) -> str:
    text = re.sub(r"\b(without|no)\s+(an?\s+)?[\w-]+", " ", text, flags=re.I)  # "without a timelock"
    for kind, pattern in _KIND_PATTERNS:
        if re.search(pattern, text, re.I):
            return kind
    return "custom"


def _has(text: str, pattern: str) -> bool:
    return re.search(pattern, text, re.I) is not None


_NAME_STOP = frozenset(
    [
        "paid",
        "in",
        "on",
        "to",
        "who",
        "whose",
        "by",
        "at",
        "from",
        "which",
        "where",
        "is",
        "are",
        "can",
        "will",
        "so",
        "if",
        "when",
        "whereby",
        "holding",
    ]
)


def _quoted_or_named(text: str) -> str | None:
    m = re.search(
        r"\b(?:named|called|name(?:d)?\s*[:=]?|titled)\s+[\"'“]?([A-Z][\w ]{0,40}?)[\"'”]?(?=[,.;(]|\s+(?:with|and|symbol|ticker|that|which|where|for|using|having|token|nft|collection|dao|vault)\b|$)",
        text,
    )
    if m:
        # "named Deal Escrow paid in an ERC20 token": the name ends where the sentence goes on
        words = m.group(1).split()
        cut = next((i for i, w in enumerate(words) if i and w in _NAME_STOP), len(words))
        return " ".join(words[:cut])
    m = re.search(r"[\"“]([^\"”]{1,40})[\"”]", text)
    return m.group(1).strip() if m else None


def _symbol(text: str) -> str | None:
    m = re.search(r"\b(?:symbol|ticker)\s*[:=]?\s*[\"'“]?\$?([A-Za-z0-9]{1,11})\b", text, re.I)
    if m:
        return m.group(1).upper()
    m = re.search(r"\(\s*\$?([A-Z][A-Z0-9]{1,10})\s*\)", text)
    return m.group(1) if m else None


_CUSTOM_CLAUSE = re.compile(
    r"(?:custom function|a function|function)\s+(?:called\s+|named\s+)?`?(?P<name>[a-z][A-Za-z0-9_]*)?`?\s*(?:that|which|to|:)\s+(?P<desc>(?:[^.;]|\.(?=\d))+)",  # "2.5 percent" stays whole
    re.I,
)


_FILLER = {
    "lets",
    "let",
    "allows",
    "allow",
    "enables",
    "the",
    "a",
    "an",
    "any",
    "owner",
    "admin",
    "users",
    "user",
    "anyone",
    "to",
    "of",
    "can",
    "be",
    "is",
    "that",
    "which",
    "holders",
    "caller",
    "callers",
    "contract",
}


def derived_name(description: str) -> str:
    """The function name the parser makes up when the request names none."""
    words = [w for w in re.findall(r"[A-Za-z0-9]+", description) if w.lower() not in _FILLER]
    name = _identifier(" ".join(words[:3]), "custom")
    return name[:1].lower() + name[1:]


def _custom_functions(text: str) -> tuple[CustomFunction, ...]:
    out: list[CustomFunction] = []
    for m in _CUSTOM_CLAUSE.finditer(text):
        desc = m.group("desc").strip()
        name = m.group("name") or derived_name(desc)
        name = name[:1].lower() + name[1:]
        if name in {n.name for n in out}:
            name = f"{name}{len(out) + 1}"
        out.append(CustomFunction(name=name, description=desc))
    return tuple(out)


def parse_request(text: str, kind: str | None = None) -> ContractSpec:
    """Turn a natural-language request into a spec, deterministically.

    Unknown words are not guessed at: clauses that describe extra behaviour become
    ``custom`` functions (written by a model backend, or reported as not implemented).
    """
    text = validate_request(text, need_hint=kind is None)
    kind = kind or _detect_kind(text)
    notes: list[str] = []
    feats: set[str] = set()
    low = text.lower()

    access = "ownable"
    if _has(low, r"\b(roles?|access ?control|minter role|role-based)\b"):
        access = "roles"
    if kind in {"multisig", "timelock", "vesting", "escrow"}:
        access = "none"  # these carry their own access rules

    display = _quoted_or_named(text)
    name = _identifier(display, DEFAULT_NAMES[kind]) if display else DEFAULT_NAMES[kind]
    if not display:
        notes.append(f"no name given: using {name}")
    symbol = _symbol(text) or ""

    premint = cap = 0
    decimals = 18
    m = re.search(
        _NUM + r"\s*(?:tokens?\s*)?(?:initial\s+|total\s+)?(?:supply|premint(?:ed)?|tokens? minted|minted)",
        low,
    )
    m = m or re.search(r"(?:supply|premint|mint)\s*(?:of|:|=)?\s*" + _NUM, low)
    if m:
        premint = _number(m.group(1), m.group(2))
    m = re.search(
        r"(?:capped at|cap(?: of)?|max(?:imum)? supply(?: of)?|hard cap(?: of)?)\s*:?\s*" + _NUM, low
    )
    m = m or re.search(
        _NUM + r"\s*(?:tokens?\s*|nfts?\s*|items?\s*)?(?:max(?:imum)? supply|supply cap|cap\b|hard cap)", low
    )
    # "max 500", "up to 10,000 NFTs", "limited to 1M tokens": a supply bound, unless the number
    # is per wallet, a price, a share or a duration ("max 5 per wallet", "at most 3 days").
    m = m or re.search(
        r"\b(?:max(?:imum)?|up to|limited to|at most|no more than)\s*(?:of\s*)?"
        + _NUM
        + r"(?!\s*(?:(?:tokens?|nfts?|items?|pieces|editions?)\s*)?(?:per|each|a day|%|percent|eth|ether|"
        r"gwei|wei|days?|hours?|weeks?|months?|years?|minutes?|seconds?|mints?\b|decimals|characters|"
        r"candidates|members|owners|signers|payees|\.\d))",
        low,
    )
    if m:
        cap = _number(m.group(1), m.group(2))
    m = re.search(r"(\d{1,2})\s*decimals", low)
    if m:
        decimals = int(m.group(1))

    if _has(low, r"(?<!flash )(?<!flash-)\bmint(able|ing)?\b|\bmint new\b|can mint") and kind in {
        "erc20",
        "erc721",
        "erc1155",
    }:
        feats.add("mintable")
    if _has(low, r"\bburn(able|ing)?\b"):
        feats.add("burnable")
    if _has(low, r"\bpaus(able|e|ing)\b"):
        feats.add("pausable")
    if kind == "erc20":
        if _has(low, r"\bpermit\b|gasless approv|eip-?2612"):
            feats.add("permit")
        if _has(low, r"\bvot(es|ing)\b|\bdelegat|governance token|snapshot"):
            feats.update({"votes", "permit"})
        if _has(low, r"flash ?-?mint|flash ?loan"):
            feats.add("flashmint")
        if cap:
            feats.update({"capped", "mintable"})
        if _has(low, r"block ?list|black ?list|freeze accounts?|ban addresses"):
            feats.add("blocklist")
        if _has(low, r"\bairdrop|batch transfer"):
            feats.add("airdrop")
        if premint == 0 and "mintable" not in feats:
            premint = 1_000_000
            notes.append("no supply given: preminting 1,000,000 tokens to the recipient")
    elif kind == "erc721":
        if _has(low, r"enumerable|enumerat|list all tokens|tokenofownerbyindex"):
            feats.add("enumerable")
        if _has(
            low,
            r"uri storage|per-?token uri|token uris?|metadata per token|set token uri|urlstorage|uristorage",
        ):
            feats.add("uristorage")
        if _has(low, r"\bvot(es|ing)\b|governance"):
            feats.add("votes")
        if _has(low, r"royalt|erc-?2981"):
            feats.add("royalty")
            m = re.search(r"(\d+(?:\.\d+)?)\s*%\s*royalt|royalt\w*\s*(?:of\s*)?(\d+(?:\.\d+)?)\s*%", low)
            pct = float(next(g for g in m.groups() if g)) if m else 5.0
            royalty = round(pct * 100)
        else:
            royalty = 0
        if _has(
            low, r"public mint|anyone can mint|mint price|price of|costs?\b|for \d+(\.\d+)? ?eth|paid mint"
        ):
            feats.update({"publicmint", "autoincrement"})
            m = re.search(r"(\d+(?:\.\d+)?)\s*(eth|ether|gwei)", low)
            if m:
                unit = 10**18 if m.group(2) in {"eth", "ether"} else 10**9
                price = int(float(m.group(1)) * unit)
            else:
                price = 10**16
                notes.append("no price given: public mint costs 0.01 ETH")
        else:
            price = 0
        if _has(low, r"auto-?increment|sequential ids|incrementing ids"):
            feats.add("autoincrement")
        if "mintable" not in feats and "publicmint" not in feats:
            feats.add("mintable")
            notes.append("no minting rule given: the owner can mint")
        if "mintable" in feats and "uristorage" not in feats and "autoincrement" not in feats:
            feats.add("autoincrement")
        base = re.search(
            r"(?:base ?uri|metadata(?: at)?|uri)\s*[:=]?\s*[\"']?((?:ipfs|https?|ar)://[^\s\"',]+)",
            text,
            re.I,
        )
        return _finish(
            ContractSpec(
                kind=kind,
                name=name,
                token_name=display or name,
                symbol=symbol or _default_symbol(name),
                features=frozenset(feats),
                access=access,
                cap=cap,
                base_uri=base.group(1) if base else "",
                mint_price_wei=price,
                royalty_bps=royalty,
                custom=_custom_functions(text),
                notes=tuple(notes),
            )
        )
    elif kind == "erc1155":
        if _has(low, r"supply track|total ?supply|track supply"):
            feats.add("supply")
        if _has(low, r"updat\w* (the )?uri|set ?uri|change (the )?uri|seturi"):
            feats.add("updatableuri")
        if "mintable" not in feats:
            feats.add("mintable")
            notes.append("no minting rule given: the owner can mint")
    elif kind == "governor":
        if not _has(low, r"without (a )?timelock|no timelock"):
            feats.add("timelock")
    elif kind == "vault":
        if cap:
            feats.add("capped")
        if "pausable" in feats:
            pass
    elif kind == "escrow":
        if _has(low, r"erc-?20|token|usdc|dai|usdt"):
            feats.add("token")
        if _has(low, r"deadline|expire|timeout|after \d+ days"):
            feats.add("deadline")
        feats.discard("burnable")
        feats.discard("pausable")
    elif kind == "vesting" and _has(low, r"cliff"):
        feats.add("cliff")
    feats &= FEATURES[kind]

    spec_kwargs: dict[str, Any] = {}
    if kind == "governor":
        spec_kwargs.update(_governor_numbers(low))
    if kind == "multisig":
        m = re.search(r"(\d+)\s*-?\s*(?:of|out of)\s*-?\s*(\d+)", low)
        if m:
            spec_kwargs["threshold"] = int(m.group(1))
        m = re.search(r"(\d+)\s*(?:confirmations|signatures|approvals)", low)
        if m:
            spec_kwargs["threshold"] = int(m.group(1))
    if kind == "timelock":
        d = _duration_seconds(low)
        if d:
            spec_kwargs["delay_seconds"] = d
    if kind == "vesting" and "cliff" in feats:
        m = re.search(
            r"(\d+)[- ]?(day|week|month|year)s?\s+cliff|cliff (?:of )?(\d+)[- ]?(day|week|month|year)", low
        )
        spec_kwargs["cliff_seconds"] = _unit_seconds(m) if m else 90 * 86400
    return _finish(
        ContractSpec(
            kind=kind,
            name=name,
            token_name=(display or name) if kind in {"erc20", "erc721", "erc1155", "vault"} else "",
            symbol=(symbol or _default_symbol(name)) if kind in {"erc20", "erc721", "vault"} else "",
            features=frozenset(feats),
            access=access if kind not in {"multisig", "timelock", "vesting", "escrow"} else "none",
            premint=premint if kind == "erc20" else 0,
            cap=cap if kind in {"erc20", "vault"} else 0,
            decimals=decimals,
            custom=_custom_functions(text),
            notes=tuple(notes),
            **spec_kwargs,
        )
    )


def _finish(spec: ContractSpec) -> ContractSpec:
    if spec.kind == "custom" and not spec.custom:
        raise BadInputError(
            "could not tell which kind of contract to build",
            hint="name a kind (ERC20, ERC721/NFT, ERC1155, governor/DAO, ERC4626 vault, escrow, multisig, "
            "timelock, vesting) or describe a function: 'a function that ...'",
        )
    return spec


def _default_symbol(name: str) -> str:
    caps = "".join(c for c in name if c.isupper())
    return (caps if len(caps) >= 2 else name[:4]).upper()[:11]


def _unit_seconds(m: re.Match[str]) -> int:
    groups = [g for g in m.groups() if g]
    n, unit = int(groups[0]), groups[1]
    return n * {"day": 86400, "week": 7 * 86400, "month": 30 * 86400, "year": 365 * 86400}[unit]


def _duration_seconds(low: str) -> int | None:
    m = re.search(r"(\d+)[- ]?(minute|hour|day|week)s?", low)
    if not m:
        return None
    return int(m.group(1)) * {"minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400}[m.group(2)]


def _governor_numbers(low: str) -> dict[str, int]:
    out: dict[str, int] = {}
    blocks_per_day = 7200  # 12 s blocks
    m = re.search(r"(\d+)\s*%?\s*(?:percent\s*)?quorum|quorum (?:of )?(\d+)\s*%", low)
    if m:
        out["quorum_percent"] = int(next(g for g in m.groups() if g))
    m = re.search(
        r"voting period (?:of )?(\d+)\s*(day|week|block)s?|(\d+)[- ](day|week|block)s? voting period", low
    )
    if m:
        g = [x for x in m.groups() if x]
        n, unit = int(g[0]), g[1]
        out["voting_period_blocks"] = (
            n * {"day": blocks_per_day, "week": 7 * blocks_per_day, "block": 1}[unit]
        )
    m = re.search(
        r"voting delay (?:of )?(\d+)\s*(day|hour|block)s?|(\d+)[- ](day|hour|block)s? (?:voting )?delay", low
    )
    if m:
        g = [x for x in m.groups() if x]
        n, unit = int(g[0]), g[1]
        out["voting_delay_blocks"] = n * {"day": blocks_per_day, "hour": 300, "block": 1}[unit]
    return out


__all__ = ["FEATURES", "KINDS", "ContractSpec", "CustomFunction", "parse_request", "validate_request"]
