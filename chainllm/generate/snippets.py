"""A small library of parametric Solidity snippets for common custom-function intents.

The bundled 135M model wrote no compiling custom function in the measured suite (0/5, see
prompts/README.md): it cannot add the state variable, event and error a function like "let
the owner set a fee up to 5%" needs, and only a function body is spliced in. So the request's
description is matched here against intents (withdraw, rescue tokens, set fee, allowlist,
burn from, batch mint, donations, setters, counters, views, ...); each match renders a
complete snippet (state + events + errors + function) adapted to the contract's kind, access
control and the numbers in the description. Snippets are *candidates*, not answers: each is
still compiled and audited by the loop, and a description no intent matches goes to the model.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from chainllm.generate.spec import ContractSpec, CustomFunction, derived_name

OZ = "@openzeppelin/contracts"


@dataclass(frozen=True)
class Snippet:
    """One custom function with the declarations it needs (deduplicated by the composer)."""

    intent: str
    function: str  # one or more complete functions, unindented
    doc: str = ""  # one line saying what the code does (and does not do)
    state: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    imports: tuple[tuple[str, str], ...] = ()  # (symbol, path)
    using: tuple[str, ...] = ()


# Identifiers a setter's state variable must not take (inherited members, keywords, composer state).
_RESERVED = frozenset({
    "name", "symbol", "decimals", "owner", "totalsupply", "paused", "balance", "threshold", "state",
    "token", "amount", "deadline", "buyer", "seller", "arbiter", "transactions", "owners", "asset",
    "address", "string", "bool", "uint", "int", "bytes", "mapping", "event", "function", "return",
    "returns", "public", "private", "external", "internal", "memory", "storage", "calldata",
    "contract", "enum", "struct", "modifier", "emit", "new", "delete", "this", "super", "block", "msg",
    "tx", "type", "var", "error", "value", "values", "data", "now", "blocked", "count",
})  # fmt: skip

# A setter's type, from the words of its noun (camelCase split): a number word anywhere wins
# (maxPerWallet is a number, not a wallet), else the last word decides.
_NUMBER_WORDS = frozenset({
    "max", "min", "maximum", "minimum", "limit", "cap", "count", "number", "amount", "price", "rate",
    "total", "per",
})  # fmt: skip
_ADDRESS_WORDS = ("address", "treasury", "recipient", "wallet", "beneficiary", "manager", "operator",
                  "receiver", "collector")  # fmt: skip
_STRING_WORDS = ("greeting", "message", "text", "name", "uri", "url", "description", "note", "motto",
                 "title", "label", "slogan", "username", "nickname", "bio", "memo")  # fmt: skip
_BOOL_WORDS = ("flag", "enabled", "switch", "toggle", "open", "active")
_TYPE_BY_LAST_WORD = {
    **dict.fromkeys(_ADDRESS_WORDS, "address"),
    **dict.fromkeys(_STRING_WORDS, "string"),
    **dict.fromkeys(_BOOL_WORDS, "bool"),
}


def guard_for(spec: ContractSpec) -> str | None:
    """The modifier the composer gives owner-only custom functions (None: the kind has no admin)."""
    if spec.access == "ownable":
        return "onlyOwner"
    if spec.access == "roles":
        return "onlyRole(DEFAULT_ADMIN_ROLE)"
    if spec.kind == "multisig":
        return "onlyOwners"
    return None


def _admin(spec: ContractSpec) -> str | None:
    """Where admin withdrawals go: the owner, or the admin calling (roles)."""
    return {"ownable": "owner()", "roles": "_msgSender()"}.get(spec.access)


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:]


def _by_users(text: str) -> bool:
    """'lets users set their ...': per-account storage, callable by anyone."""
    return (
        re.search(
            r"\b(their|own|each (user|account|holder)|per (user|account|address)|anyone|users|everyone)\b",
            text,
        )
        is not None
    )


def _number_limit(text: str) -> int | None:
    m = re.search(
        r"\b(?:up to|at most|no more than|max(?:imum)?(?: of)?|not (?:above|over)|below)\s+(\d[\d,_]*)\b",
        text,
    )
    return int(m.group(1).replace(",", "").replace("_", "")) if m else None


def _fee_bps(text: str) -> int | None:
    m = re.search(r"(\d+(?:\.\d+)?)\s*(?:%|percent\b)", text)
    if m:
        return round(float(m.group(1)) * 100)
    m = re.search(r"(\d+)\s*(?:bps|basis points)\b", text)
    return int(m.group(1)) if m else None


# --- intents -----------------------------------------------------------------------------------
# Each builder returns a snippet for (spec, function, lower-cased description), or None when the
# intent does not fit this contract (e.g. burning on a kind without balances).

Builder = Callable[[ContractSpec, CustomFunction, str], "Snippet | None"]


def _set_fee(spec: ContractSpec, fn: CustomFunction, text: str) -> Snippet | None:
    g = guard_for(spec)
    if g is None:
        return None
    cap = _fee_bps(text) or 1000
    return Snippet(
        "set-fee",
        f"function {fn.name}(uint256 newFeeBps) external {g} {{\n"
        "    if (newFeeBps > MAX_FEE_BPS) revert FeeTooHigh(newFeeBps, MAX_FEE_BPS);\n"
        "    emit FeeUpdated(feeBps, newFeeBps);\n"
        "    feeBps = newFeeBps;\n}",
        doc=f"Stores a fee in basis points (at most {cap}); nothing in this contract charges it yet.",
        state=("uint256 public feeBps;", f"uint256 public constant MAX_FEE_BPS = {cap};"),
        events=("event FeeUpdated(uint256 oldFeeBps, uint256 newFeeBps);",),
        errors=("error FeeTooHigh(uint256 feeBps, uint256 maxFeeBps);",),
    )


def _allowlist(spec: ContractSpec, fn: CustomFunction, text: str) -> Snippet | None:
    g = guard_for(spec)
    if g is None:
        return None
    return Snippet(
        "allowlist",
        f"function {fn.name}(address account, bool allowed) external {g} {{\n"
        "    allowlisted[account] = allowed;\n"
        "    emit AllowlistUpdated(account, allowed);\n}",
        doc="Adds or removes an address from the allowlist; other functions do not consult it yet.",
        state=("mapping(address account => bool) public allowlisted;",),
        events=("event AllowlistUpdated(address indexed account, bool allowed);",),
    )


def _burn_from(spec: ContractSpec, fn: CustomFunction, text: str) -> Snippet | None:
    g = guard_for(spec)
    if g is None:
        return None
    sigs = {
        "erc20": ("address account, uint256 amount", "_burn(account, amount);"),
        "erc721": ("uint256 tokenId", "_burn(tokenId);"),
        "erc1155": ("address account, uint256 id, uint256 amount", "_burn(account, id, amount);"),
    }
    if spec.kind not in sigs:
        return None
    params, call = sigs[spec.kind]
    return Snippet(
        "burn-from",
        f"function {fn.name}({params}) external {g} {{\n    {call}\n}}",
        doc="Admin-only burn from any holder, without the holder's approval.",
    )


def _batch_mint(spec: ContractSpec, fn: CustomFunction, text: str) -> Snippet | None:
    g = guard_for(spec)
    if g is None:
        return None
    if spec.kind == "erc20":
        params, body = "address[] calldata recipients, uint256 amount", "_mint(recipients[i], amount);"
    elif spec.kind == "erc721" and "autoincrement" in spec.features:
        params = "address[] calldata recipients"
        check = "if (_nextTokenId >= MAX_SUPPLY) revert SoldOut();\n        " if spec.cap else ""
        # _mint, not _safeMint: no receiver callback in the middle of the loop.
        body = f"{check}_mint(recipients[i], _nextTokenId++);"
    elif spec.kind == "erc1155":
        params, body = (
            "address[] calldata recipients, uint256 id, uint256 amount",
            '_mint(recipients[i], id, amount, "");',
        )
    else:
        return None
    return Snippet(
        "batch-mint",
        f"function {fn.name}({params}) external {g} {{\n"
        f"    for (uint256 i = 0; i < recipients.length; ++i) {{\n        {body}\n    }}\n}}",
        doc="Admin-only mint to every address in the list.",
    )


def _rescue_tokens(spec: ContractSpec, fn: CustomFunction, text: str) -> Snippet | None:
    g = guard_for(spec)
    if g is None or spec.kind == "multisig":
        return None
    asset_check = (
        "    if (address(erc20Token) == asset()) revert CannotRescueAsset();\n"
        if spec.kind == "vault"
        else ""
    )
    return Snippet(
        "rescue-tokens",
        f"function {fn.name}(IERC20 erc20Token, address to, uint256 amount) external {g} {{\n"
        "    if (to == address(0)) revert ZeroAddress();\n"
        f"{asset_check}"
        "    emit TokensRescued(address(erc20Token), to, amount);\n"
        "    erc20Token.safeTransfer(to, amount);\n}",
        doc="Admin-only transfer of ERC20 tokens held by this contract (e.g. sent by mistake).",
        events=("event TokensRescued(address indexed token, address indexed to, uint256 amount);",),
        errors=("error ZeroAddress();",) + (("error CannotRescueAsset();",) if spec.kind == "vault" else ()),
        imports=(
            ("IERC20", f"{OZ}/token/ERC20/IERC20.sol"),
            ("SafeERC20", f"{OZ}/token/ERC20/utils/SafeERC20.sol"),
        ),
        using=("SafeERC20 for IERC20",),
    )


def _withdraw_all(name: str, guard: str, to: str) -> str:
    return (
        f"function {name}() external {guard} {{\n"
        "    uint256 amount = address(this).balance;\n"
        f"    emit Withdrawn({to}, amount);\n"
        f"    Address.sendValue(payable({to}), amount);\n}}"
    )


def _withdraw_eth(spec: ContractSpec, fn: CustomFunction, text: str) -> Snippet | None:
    g, to = guard_for(spec), _admin(spec)
    if g is None or to is None:
        return None
    return Snippet(
        "withdraw-eth",
        _withdraw_all(fn.name, g, to),
        doc=f"Sends this contract's whole ETH balance to {'the owner' if to == 'owner()' else 'the calling admin'}.",
        events=("event Withdrawn(address indexed to, uint256 amount);",),
        imports=(("Address", f"{OZ}/utils/Address.sol"),),
    )


def _donate(spec: ContractSpec, fn: CustomFunction, text: str) -> Snippet | None:
    g, to = guard_for(spec), _admin(spec)
    if g is None or to is None:
        return None
    # Without a way out, received ETH is locked (Slither's locked-ether): add an admin withdrawal.
    out = "\n\n" + _withdraw_all("withdrawDonations", g, to)
    return Snippet(
        "donate",
        f"function {fn.name}() external payable {{\n"
        "    if (msg.value == 0) revert NoValue();\n"
        "    donated[msg.sender] += msg.value;\n"
        "    totalDonated += msg.value;\n"
        "    emit Donated(msg.sender, msg.value);\n}" + out,
        doc="Accepts ETH and records who sent how much; withdrawDonations() lets the admin take it out.",
        state=("mapping(address donor => uint256) public donated;", "uint256 public totalDonated;"),
        events=(
            "event Donated(address indexed donor, uint256 amount);",
            "event Withdrawn(address indexed to, uint256 amount);",
        ),
        errors=("error NoValue();",),
        imports=(("Address", f"{OZ}/utils/Address.sol"),),
    )


def _base_uri(spec: ContractSpec, fn: CustomFunction, text: str) -> Snippet | None:
    g = guard_for(spec)
    if g is None:
        return None
    if spec.kind == "erc1155":
        return Snippet(
            "set-uri",
            f"function {fn.name}(string calldata newUri) external {g} {{\n    _setURI(newUri);\n}}",
            doc="Admin-only change of the metadata URI template.",
        )
    if spec.kind != "erc721" or spec.base_uri or "uristorage" in spec.features:
        return None
    return Snippet(
        "set-base-uri",
        f"function {fn.name}(string calldata newBaseURI) external {g} {{\n"
        "    _baseTokenURI = newBaseURI;\n"
        "    emit BaseURIUpdated(newBaseURI);\n}\n\n"
        "function _baseURI() internal view override returns (string memory) {\n"
        "    return _baseTokenURI;\n}",
        doc="Admin-only change of the base URI that token URIs are built from.",
        state=("string private _baseTokenURI;",),
        events=("event BaseURIUpdated(string newBaseURI);",),
    )


def _eth_balance(spec: ContractSpec, fn: CustomFunction, text: str) -> Snippet | None:
    return Snippet(
        "eth-balance",
        f"function {fn.name}() external view returns (uint256) {{\n    return address(this).balance;\n}}",
        doc="This contract's ETH balance.",
    )


def _minted_count(spec: ContractSpec, fn: CustomFunction, text: str) -> Snippet | None:
    if spec.kind == "erc721" and "autoincrement" in spec.features:
        expr = "_nextTokenId"
    elif (
        spec.kind == "erc20"
        or (spec.kind == "erc721" and "enumerable" in spec.features)
        or (spec.kind == "erc1155" and "supply" in spec.features)
    ):
        expr = "totalSupply()"
    else:
        return None
    return Snippet(
        "minted-count",
        f"function {fn.name}() external view returns (uint256) {{\n    return {expr};\n}}",
        doc="How many tokens were minted so far." if expr == "_nextTokenId" else "The current total supply.",
    )


def _is_holder(spec: ContractSpec, fn: CustomFunction, text: str) -> Snippet | None:
    if spec.kind not in {"erc20", "erc721"}:
        return None
    return Snippet(
        "is-holder",
        f"function {fn.name}(address account) external view returns (bool) {{\n    return balanceOf(account) > 0;\n}}",
        doc="Whether the account holds any token.",
    )


def _counter(spec: ContractSpec, fn: CustomFunction, text: str) -> Snippet | None:
    owner_only = re.search(r"\b(owner|admin)\b", text) is not None
    g = guard_for(spec) if owner_only else None
    if owner_only and g is None:
        return None
    mod = f" {g}" if g else ""
    if re.search(r"\b(decrement|decrease|count down|subtract)", text):
        return Snippet(
            "counter-down",
            f"function {fn.name}(){' external' + mod} {{\n"
            "    if (counter == 0) revert CounterIsZero();\n"
            "    counter -= 1;\n"
            "    emit CounterChanged(counter);\n}",
            state=("uint256 public counter;",),
            events=("event CounterChanged(uint256 value);",),
            errors=("error CounterIsZero();",),
            doc="Decreases the counter by one; reverts at zero.",
        )
    return Snippet(
        "counter-up",
        f"function {fn.name}(){' external' + mod} {{\n    counter += 1;\n    emit CounterChanged(counter);\n}}",
        state=("uint256 public counter;",),
        events=("event CounterChanged(uint256 value);",),
        doc="Increases the counter by one.",
    )


_MATH = [
    (r"\b(sum|add|adds|plus)\b", "a + b", "The sum of a and b (reverts on overflow)."),
    (r"\b(multipl\w*|product|times)\b", "a * b", "The product of a and b (reverts on overflow)."),
    (r"\b(larger|largest|greater|maximum|max)\b", "Math.max(a, b)", "The larger of a and b."),
    (r"\b(smaller|smallest|lesser|minimum|min)\b", "Math.min(a, b)", "The smaller of a and b."),
    (
        r"\b(average|mean|midpoint)\b",
        "Math.average(a, b)",
        "The average of a and b, rounded down, without overflow.",
    ),
]


def _math(spec: ContractSpec, fn: CustomFunction, text: str) -> Snippet | None:
    if not re.search(r"\b(two )?numbers?\b|\bvalues\b|\b(a and b|x and y)\b", text):
        return None
    for pattern, expr, doc in _MATH:
        if re.search(pattern, text):
            return Snippet(
                "pure-math",
                f"function {fn.name}(uint256 a, uint256 b) external pure returns (uint256) {{\n    return {expr};\n}}",
                doc=doc,
                imports=(("Math", f"{OZ}/utils/math/Math.sol"),) if "Math." in expr else (),
            )
    return None


def _noun(fn: CustomFunction, text: str) -> str | None:
    """The thing a setter stores: from `setGreeting`, else from 'stores a number'."""
    m = re.fullmatch(r"(?:set|update|change|store|save|record)([A-Z]\w*)", fn.name)
    if m and fn.name != derived_name(fn.description):  # a name the user gave, not a made-up one
        return m.group(1)[:1].lower() + m.group(1)[1:]
    m = re.search(
        r"\b(?:set|sets|change|changes|update|updates|store|stores|save|saves|record|records|edit|edits|"
        r"register|registers|toggle|toggles)\s+(?:(?:a|an|the|their|its|his|her|new|own|custom|whether|if)\b\s*)*([a-z][a-z0-9]*(?:\s+(?:message|address|uri|url|price|limit|name|text))?)",
        text,
    )
    if not m:
        return None
    words = m.group(1).split()
    return words[0] + "".join(_cap(w) for w in words[1:])


def _setter(spec: ContractSpec, fn: CustomFunction, text: str) -> Snippet | None:
    noun = _noun(fn, text)
    if noun is None:
        return None
    low = noun.lower()
    words = [w.lower() for w in re.findall(r"[a-z0-9]+|[A-Z][a-z0-9]*", noun)]
    typ = "uint256" if _NUMBER_WORDS & set(words) else _TYPE_BY_LAST_WORD.get(words[-1], "uint256")
    if re.search(r"\btoggle", text):
        typ = "bool"  # "toggle whether voting is open": on/off
    param_typ = "string calldata" if typ == "string" else typ
    var = noun if low not in _RESERVED and noun != fn.name else "stored" + _cap(noun)
    arg = "new" + _cap(var)
    checks = ""
    errors: tuple[str, ...] = ()
    limit = _number_limit(text) if typ == "uint256" else None
    if limit is not None:
        checks += f"    if ({arg} > {limit}) revert ValueTooHigh({arg}, {limit});\n"
        errors += ("error ValueTooHigh(uint256 value, uint256 limit);",)
    event = f"{_cap(var)}Updated"
    if _by_users(text):
        mapping = f"{var}Of"
        return Snippet(
            "per-user-setter",
            f"function {fn.name}({param_typ} {arg}) external {{\n{checks}"
            f"    {mapping}[msg.sender] = {arg};\n    emit {event}(msg.sender, {arg});\n}}",
            doc=f"Each caller sets their own {var}.",
            state=(f"mapping(address account => {typ}) public {mapping};",),
            events=(f"event {event}(address indexed account, {typ} value);",),
            errors=errors,
        )
    g = guard_for(spec)
    if g is None:
        return None
    if typ == "address":
        checks += f"    if ({arg} == address(0)) revert ZeroAddress();\n"
        errors += ("error ZeroAddress();",)
    return Snippet(
        "setter",
        f"function {fn.name}({param_typ} {arg}) external {g} {{\n{checks}"
        f"    {var} = {arg};\n    emit {event}({arg});\n}}",
        doc=f"Admin-only setter of {var}; nothing else in this contract reads it yet.",
        state=(f"{typ} public {var};",),
        events=(f"event {event}({typ} value);",),
        errors=errors,
    )


# Most specific first: the first intent whose pattern matches gives the first candidate.
INTENTS: list[tuple[str, Builder]] = [
    (r"^(?!.*\bexempt).*(\b(set|change|update|adjust|configure)\w*\b.*\bfees?\b|\bfees?\b.*\d\s*(%|percent|bps))", _set_fee),
    (r"\b(white ?list|allow ?list)", _allowlist),
    (r"\b(burn\w*|destroy\w*)\b", _burn_from),
    (r"^(?!.*\b(how many|number of)\b).*(\b(batch|airdrop|many|multiple|several|list of)\b.*\bmint|\bmint\w*\b.*\b(many|multiple|several|list|batch|each of)\b)", _batch_mint),
    (r"\b(rescue|recover|sweep|withdraw\w*|(pull|take)\w* out)\b.*\b(erc-?20|tokens?|usdc|dai)\b|\bstuck\b", _rescue_tokens),
    (r"\b(donat\w*|tips?|contribut\w*|deposit\w*|(accept|send|receive)\w* (eth|ether|payments?))\b", _donate),
    (r"\b(withdraw\w*|(take|pull)\w* out|(collect|claim)\w* (the )?(funds|proceeds|balance|ether|eth))\b", _withdraw_eth),
    (r"\b(base ?uri|metadata (url|uri|location)|\buri\b)", _base_uri),
    (r"\b(eth|ether)\b.*\b(balance|holds?)\b|\bbalance of (the|this) contract\b|\bcontract'?s (eth |ether )?balance\b", _eth_balance),
    (r"\b(number|count|how many|total)\b.*\b(minted|supply|issued|exist)", _minted_count),
    (r"\b(holds?|holder|owns? any|has (a |any )?balance)\b", _is_holder),
    (r"\b(increment\w*|decrement\w*|counter|count up|count down)\b", _counter),
    (r"\b(sum|add|adds|multipl\w*|product|larger|largest|greater|maximum|smaller|smallest|minimum|average|mean)\b", _math),
    (r"\b(set|sets|change|changes|update|updates|store|stores|save|saves|record|records|edit|edits|register|registers|toggle\w*)\b", _setter),
]  # fmt: skip


def candidates(spec: ContractSpec, fn: CustomFunction) -> list[Snippet]:
    """Snippets for ``fn``, best match first; empty when no intent fits (the model's turn)."""
    spaced = re.sub(r"([A-Z])", r" \1", fn.name)  # setMaxSupply -> set max supply
    text = f"{fn.description} {spaced}".lower()
    out: list[Snippet] = []
    for pattern, build in INTENTS:
        if re.search(pattern, text):
            snip = build(spec, fn, text)
            if snip is not None and snip.intent not in {s.intent for s in out}:
                out.append(snip)
    return out


__all__ = ["INTENTS", "Snippet", "candidates", "guard_for"]
