"""The snippet library: which intent a described function gets, that every snippet compiles on
the kinds it accepts (real solc), and that library candidates go through the same compile +
Slither checks as model output (real Slither; a failing one is not returned)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from chainllm.audit.compile import compile_file
from chainllm.generate import GenerateOptions, OpenAIBackend, TemplateBackend, generate
from chainllm.generate.compose import compose
from chainllm.generate.snippets import INTENTS, candidates
from chainllm.generate.spec import ContractSpec, CustomFunction, parse_request
from tests.generate.standin import chat_reply, serve


def _intents(request: str) -> list[list[str]]:
    spec = parse_request(request)
    return [[s.intent for s in candidates(spec, fn)] for fn in spec.custom]


@pytest.mark.parametrize(
    ("request_text", "first"),
    [
        ("ERC20 named Fee (FEE) with a function setFee that lets the owner set a fee up to 3%", "set-fee"),
        ("NFT named A (A) with a function that lets the owner add addresses to an allowlist", "allowlist"),
        ("ERC1155 named Items with a function that lets the owner burn items from any account", "burn-from"),
        ("ERC20 named P (P), mintable, with a function that mints tokens to many addresses", "batch-mint"),
        (
            "a contract named Jar with a function that lets the owner recover stuck USDC tokens",
            "rescue-tokens",
        ),
        ("a contract named Jar with a function tip that accepts tips in ether", "donate"),
        (
            "NFT named S (S), public mint for 0.1 ETH, with a function cashOut that lets the owner collect the proceeds",
            "withdraw-eth",
        ),
        ("NFT named S (S) with a function that lets the owner update the base URI", "set-base-uri"),
        ("a contract named Box with a function that returns the ETH balance of the contract", "eth-balance"),
        ("ERC20 named T (T) with a function that returns the total supply minted so far", "minted-count"),
        ("ERC721 named H (H) with a function that checks whether an address holds any token", "is-holder"),
        ("a contract named Clicks with a function that decrements a counter", "counter-down"),
        ("a contract named Calc with a function that returns the average of two numbers", "pure-math"),
        (
            "a contract named Box with a function setOperator that lets the owner change the operator",
            "setter",
        ),
        ("a contract named Names with a function that lets each user set their nickname", "per-user-setter"),
        # Phrasings that once matched the wrong intent ("how many ... minted" is not a batch mint,
        # a "collection" is not "collect the funds").
        (
            "NFT named C (C), public mint for 0.02 ETH, with a function that tells how many NFTs have been minted",
            "minted-count",
        ),
        (
            "NFT named R (R), owner can mint, with a function that lets the owner reveal the collection by setting a new base URI",
            "set-base-uri",
        ),
    ],
)
def test_the_described_function_gets_the_matching_intent(request_text: str, first: str) -> None:
    (found,) = _intents(request_text)
    assert found and found[0] == first, found


def test_no_snippet_where_the_library_has_no_answer_or_the_kind_has_no_admin() -> None:
    assert _intents(
        "a contract named Raffle with a function that picks a random winner among participants"
    ) == [[]]
    assert _intents(
        "a contract named M with a function that computes the integer square root of a number"
    ) == [[]]
    # An escrow has no owner: an admin withdrawal would be a way to take the buyer's deposit.
    assert _intents("escrow paid in ETH with a function that lets the arbiter withdraw the balance") == [[]]
    # Mentioning fees is not setting one.
    assert _intents("ERC20 named T (T) with a function that lets the owner exempt an address from fees") == [
        []
    ]


def test_numbers_in_the_description_become_limits() -> None:
    spec = parse_request(
        "ERC20 named F (F) with a function setFee that lets the owner set a fee up to 2.5 percent"
    )
    snip = candidates(spec, spec.custom[0])[0]
    assert "uint256 public constant MAX_FEE_BPS = 250;" in snip.state
    spec = parse_request(
        "NFT named L (L), owner can mint, with a function setMaxPerWallet that lets the owner set a max per wallet up to 20"
    )
    snip = candidates(spec, spec.custom[0])[0]
    assert snip.intent == "setter" and "revert ValueTooHigh(newMaxPerWallet, 20)" in snip.function
    assert "uint256 public maxPerWallet;" in snip.state
    # A made-up name ("saveNoteTheir") does not decide the type; the description's noun does.
    spec = parse_request("a contract named Notes with a function that lets users save a note of their own")
    snip = candidates(spec, spec.custom[0])[0]
    assert "mapping(address account => string) public noteOf;" in snip.state


_CASES = [
    ("erc20", frozenset({"mintable"}), "ownable", ["set a fee up to 1%", "burn tokens from any account", "mint to a list of addresses", "rescue ERC20 tokens", "returns the total supply", "checks whether an address holds tokens", "lets users set their nickname"]),
    ("erc721", frozenset({"mintable", "autoincrement", "publicmint"}), "roles", ["burn any token", "batch mint to many recipients", "update the base uri", "returns the number minted", "add to the whitelist", "change the treasury address"]),
    ("erc1155", frozenset({"mintable", "supply"}), "ownable", ["burn items from any account", "mint to several addresses", "set the uri", "accept eth donations"]),
    ("vault", frozenset(), "ownable", ["rescue other ERC20 tokens", "withdraw the ETH balance", "set the withdrawal fee up to 1%"]),
    ("multisig", frozenset(), "none", ["returns the ETH balance of the contract", "stores a number", "increments a counter", "returns the sum of two numbers", "returns the smaller of two values"]),
    ("custom", frozenset(), "ownable", ["decrements a counter", "returns the product of two numbers", "returns the maximum of two numbers", "set a flag", "update the greeting"]),
]  # fmt: skip


def test_every_intent_compiles_on_the_kinds_it_accepts(tmp_path: Path) -> None:
    paths, used = [], set()
    for kind, features, access, descriptions in _CASES:
        fns = tuple(CustomFunction(f"custom{i}", d) for i, d in enumerate(descriptions))
        spec = ContractSpec(kind=kind, name=f"Lib{kind.capitalize()}", features=frozenset(features),
                            access=access, custom=fns, token_name="T", symbol="T")  # fmt: skip
        code = {}
        for fn in fns:
            found = candidates(spec, fn)
            assert found, (kind, fn.description)
            code[fn.name] = found[0]
            used.add(found[0].intent)
        p = tmp_path / f"{spec.name}.sol"
        p.write_text(compose(spec, code))
        paths.append(p)
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda p: compile_file(p, check=False).result, paths))
    assert not {r.path: [e.message for e in r.errors[:2]] for r in results if not r.compiled}
    # Every builder in the library was exercised (counter and setter have two variants each).
    assert len({i.removesuffix("-up").removesuffix("-down") for i in used} - {"set-uri"}) >= len(INTENTS)


def test_library_candidates_are_compiled_and_audited_like_model_output() -> None:
    r = generate(
        "ERC20 named Dual (DUO), 1M supply, with a function setFee that lets the owner set a fee up to 2 percent; "
        "and a function withdraw that lets the owner withdraw the ETH balance",
        TemplateBackend(),
    )
    assert r.status == "ok" and r.origin == "library" and r.model_calls == 0
    assert "snippet library, not the model" in r.reason
    assert r.audit is not None and r.audit.analysed and r.audit.solc_version == "0.8.28"
    assert not [f for f in r.audit.findings if f.impact in {"High", "Medium"}]
    assert r.source is not None and "uint256 public constant MAX_FEE_BPS = 200;" in r.source
    assert "Address.sendValue(payable(owner()), amount);" in r.source


def test_a_library_candidate_that_fails_to_compile_is_not_returned() -> None:
    # The public-mint NFT already has withdraw(): the snippet's second withdraw() cannot compile,
    # so the model is asked next; its junk leaves a partial result that says why.
    request = "NFT named Shop (SHP), public mint for 0.1 ETH, with a function withdraw that lets the owner withdraw the ETH"
    for state in serve(lambda p, b: (200, chat_reply(*["no idea"] * b.get("n", 1)), 0.0)):
        r = generate(
            request, OpenAIBackend(base_url=state.url, model="m", retries=0), GenerateOptions(k=1, rounds=0)
        )
    lib = r.attempts[0]
    assert lib.origin == "library" and not lib.compiled
    assert any(e.code == "DeclarationError" for e in lib.errors)
    assert [a.origin for a in r.attempts[1:]] == ["model", "fallback"]
    assert r.status == "partial" and r.origin == "fallback" and r.model_calls == 1
