"""The OpenZeppelin composer: every kind, with its features switched on, compiles with solc."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from chainllm.audit.compile import compile_file
from chainllm.generate.compose import compose
from chainllm.generate.spec import ContractSpec, CustomFunction

SPECS = [
    ContractSpec(kind="erc20", name="Full20", token_name="Full", symbol="FUL", premint=1_000_000, cap=10_000_000,
                 features=frozenset({"mintable", "burnable", "pausable", "permit", "votes", "flashmint", "capped", "blocklist", "airdrop"})),
    ContractSpec(kind="erc20", name="Roles20", token_name="R", symbol="R", access="roles", decimals=6, premint=5,
                 features=frozenset({"mintable", "pausable", "blocklist"})),
    ContractSpec(kind="erc721", name="Full721", token_name="Full", symbol="F", cap=1000, base_uri="ipfs://cid/",
                 mint_price_wei=5 * 10**16, royalty_bps=500,
                 features=frozenset({"mintable", "burnable", "pausable", "enumerable", "uristorage", "votes", "royalty", "autoincrement", "publicmint"})),
    ContractSpec(kind="erc721", name="Roles721", token_name="R", symbol="R", access="roles", royalty_bps=250,
                 features=frozenset({"mintable", "pausable", "enumerable", "royalty"})),
    ContractSpec(kind="erc1155", name="Roles1155", access="roles",
                 features=frozenset({"mintable", "burnable", "pausable", "supply", "updatableuri"})),
    ContractSpec(kind="governor", name="Gov", features=frozenset({"timelock"}), quorum_percent=10),
    ContractSpec(kind="vault", name="Vault", token_name="V", symbol="V", cap=1000, features=frozenset({"capped", "pausable"})),
    ContractSpec(kind="escrow", name="TokenEscrow", access="none", features=frozenset({"token", "deadline"})),
    ContractSpec(kind="multisig", name="Safe2", access="none", threshold=2),
    ContractSpec(kind="timelock", name="Lock", access="none"),
    ContractSpec(kind="vesting", name="Vest", access="none", features=frozenset({"cliff"})),
    ContractSpec(kind="custom", name="Box", custom=(CustomFunction("store", "stores a number"),)),
]  # fmt: skip


def test_overrides_follow_the_wizard() -> None:
    src = compose(SPECS[2])
    assert "override(ERC721, ERC721Enumerable, ERC721Pausable, ERC721Votes)" in src
    assert "override(ERC721, ERC721Enumerable, ERC721URIStorage, ERC721Royalty)" in src
    assert "uint256 public constant MINT_PRICE = 0.05 ether;" in src
    assert "Address.sendValue(payable(owner()), address(this).balance);" in src
    gov = compose(SPECS[5])
    assert "GovernorVotesQuorumFraction(10)" in gov and "override(Governor, GovernorTimelockControl)" in gov
    roles = compose(SPECS[4])
    assert 'bytes32 public constant URI_SETTER_ROLE = keccak256("URI_SETTER_ROLE");' in roles
    assert "address uriSetter" in roles


def test_custom_code_is_spliced_in_with_its_description() -> None:
    spec = SPECS[-1]
    src = compose(spec, {"store": "function store(uint256 v) external onlyOwner {\n    emit Stored(v);\n}"})
    assert "    /// stores a number\n    function store(uint256 v) external onlyOwner {" in src
    assert "Ownable(initialOwner)" in src  # custom functions get an owner to guard them


def test_every_kind_compiles(tmp_path: Path) -> None:
    paths = []
    for spec in SPECS:
        p = tmp_path / f"{spec.name}.sol"
        p.write_text(compose(spec))
        paths.append(p)
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda p: compile_file(p, check=False).result, paths))
    failures = {r.path: [e.message for e in r.errors[:2]] for r in results if not r.compiled}
    assert not failures
    assert {r.solc_version for r in results} == {"0.8.28"}
