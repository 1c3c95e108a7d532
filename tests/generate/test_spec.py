"""The deterministic request parser and spec validation (pure, fast)."""

from __future__ import annotations

import pytest

from chainllm.errors import BadInputError
from chainllm.generate.spec import MAX_PROMPT_CHARS, ContractSpec, parse_request


def test_issue_example_parses_to_an_erc20_spec() -> None:
    s = parse_request("ERC20 named Acme, symbol ACM, 1M supply, burnable, pausable by owner")
    assert (s.kind, s.name, s.token_name, s.symbol) == ("erc20", "Acme", "Acme", "ACM")
    assert s.features == {"burnable", "pausable"}
    assert s.premint == 1_000_000
    assert s.access == "ownable"
    assert s.custom == ()


@pytest.mark.parametrize(
    ("request_text", "kind", "expect"),
    [
        (
            "An NFT collection called Space Cats (CAT) with 10k max supply, public mint for 0.05 ETH, 5% royalties, enumerable",
            "erc721",
            {"symbol": "CAT", "cap": 10_000, "mint_price_wei": 5 * 10**16, "royalty_bps": 500},
        ),
        (
            "DAO governor with 10% quorum and a 2 week voting period",
            "governor",
            {"quorum_percent": 10, "voting_period_blocks": 100_800},
        ),
        (
            "ERC4626 vault named Yield Vault with a deposit cap of 1M",
            "vault",
            {"name": "YieldVault", "cap": 1_000_000},
        ),
        ("2-of-3 multisig wallet", "multisig", {"threshold": 2, "access": "none"}),
        (
            "escrow paid in an ERC20 token with a deadline",
            "escrow",
            {"features": frozenset({"token", "deadline"})},
        ),
        ("token vesting wallet with a 6 month cliff", "vesting", {"cliff_seconds": 180 * 86400}),
        (
            "ERC20 called Gov Token (GOV) with voting and delegation, mintable by a minter role",
            "erc20",
            {"access": "roles"},
        ),
        (
            "game items as ERC1155 with supply tracking, burnable",
            "erc1155",
            {"features": frozenset({"supply", "burnable", "mintable"})},
        ),
    ],
)
def test_kinds_and_numbers(request_text: str, kind: str, expect: dict[str, object]) -> None:
    s = parse_request(request_text)
    assert s.kind == kind
    for key, value in expect.items():
        assert getattr(s, key) == value, key


def test_votes_imply_permit_and_cap_implies_mintable() -> None:
    s = parse_request("ERC20 token named V with voting, capped at 21M")
    assert {"votes", "permit", "capped", "mintable"} <= s.features
    assert s.cap == 21_000_000


def test_custom_functions_are_extracted_with_a_name() -> None:
    s = parse_request(
        "ERC20 token called Foo with a function that lets the owner burn tokens from any account"
    )
    assert len(s.custom) == 1
    assert s.custom[0].name == "burnTokensFrom"
    assert "burn tokens from any account" in s.custom[0].description


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("x" * (MAX_PROMPT_CHARS + 1), "limit"),
        ("write me a python web server with flask", "does not describe a smart contract"),
        ("an ERC20 honeypot that blocks sells", "out of scope"),
        ("a Uniswap-style AMM with liquidity pools", "out of scope"),
        ("an upgradeable ERC20 token behind a UUPS proxy", "contracts-upgradeable"),
        ("a smart contract that is nice", "could not tell which kind"),
    ],
)
def test_bad_requests_fail_with_a_clear_message(text: str, needle: str) -> None:
    with pytest.raises(BadInputError) as info:
        parse_request(text)
    assert needle in str(info.value)


def test_spec_validation_collects_every_problem() -> None:
    with pytest.raises(BadInputError) as info:
        ContractSpec(kind="erc20", name="bad name", features=frozenset({"enumerable"}), premint=10, cap=5)
    msg = str(info.value)
    assert "identifier" in msg and "enumerable" in msg and "exceeds cap" in msg


@pytest.mark.parametrize(
    ("text", "cap"),
    [
        ("NFT collection called Moon Cats, max 500, anyone can mint for 0.01 ETH", 500),
        ("ERC721 called Apes, up to 10,000 NFTs, public mint 0.05 ETH", 10_000),
        ("ERC20 token Foo (FOO) mintable, limited to 21 million tokens", 21_000_000),
        # a per-wallet limit, a share or a decimals count is not a supply bound
        ("ERC721 called Apes, public mint 0.05 ETH, up to 2 NFTs per wallet", 0),
        ("ERC721 called Apes, public mint 0.05 ETH, at most 3 per wallet", 0),
        ("ERC20 token Foo with max 5% fee", 0),
    ],
)
def test_a_supply_bound_in_plain_words_is_the_cap(text: str, cap: int) -> None:
    assert parse_request(text).cap == cap
