"""Per-file processing, licence policy, MinHash clustering and splits (pure, fast)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from chainllm.corpus.extract import decode, process, scrub
from chainllm.corpus.licenses import LicensePolicy
from chainllm.corpus.minhash import MinHasher, cluster, jaccard_estimate, signatures_of
from chainllm.corpus.split import assign, parse_ratios
from chainllm.errors import BadInputError

SOURCE = b"""// SPDX-License-Identifier: MIT
// Deployed by alice@example.com
// deployer private key:
// 0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318
// etherscan key ABCDEFGHIJKLMNOPQRSTUVWXYZ12345678
pragma solidity ^0.8.20;

/// @title Token
/// @notice Moves value.
abstract contract Token is Base {
    string constant NOTE = "// not a comment: contract Fake {}";
    // keccak256("slot") 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc
    bytes32 constant SLOT = 0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318;
    /** @dev Sends `amounts` to `to`. */
    function transfer(address payable to, uint256[] calldata amounts) external returns (bool) {}
    function name() public view returns (string memory) {}
}
interface IToken { function balanceOf(address owner) external view returns (uint256); }
library Math {}
"""


def test_process_extracts_metadata_and_scrubs_comments_only() -> None:
    p = process("src/Token.sol", "npm:x@1.0.0", SOURCE)
    assert not isinstance(p, str)
    assert p.meta.license == "MIT"
    assert p.meta.pragma == "^0.8.20"
    assert p.meta.names == ("Token", "IToken", "Math")
    assert p.meta.kinds == ("abstract", "interface", "library")
    assert p.meta.functions == ("transfer(address,uint256[])", "name()", "balanceOf(address)")
    assert "@title Token" in p.meta.natspec and "@dev Sends" in p.meta.natspec
    assert p.scrubbed == {"email": 1, "private_key": 1, "api_key": 1}
    assert "alice@example.com" not in p.content and "ABCDEFGHIJKLMNOPQRSTUVWXYZ12345678" not in p.content
    # Code constants and hashes in a hash context are data, not secrets.
    assert "SLOT = 0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318" in p.content
    assert "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc" in p.content
    assert '"// not a comment: contract Fake {}"' in p.content and "Fake" not in p.meta.names


def test_normalised_id_ignores_comments_and_whitespace() -> None:
    a = process("a.sol", "o", b"// SPDX-License-Identifier: MIT\ncontract A {  uint x; }\n")
    b = process("b.sol", "o", b"/* other header */\ncontract A {\n\tuint x; // note\n}")
    c = process("c.sol", "o", b"contract A { uint y; }")
    assert not isinstance(a, str) and not isinstance(b, str) and not isinstance(c, str)
    assert a.id == b.id != c.id
    assert a.sha256 != b.sha256


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (bytes(range(256)) * 40, "binary"),
        (b"\x89PNG\r\n\x1a\n" + random.Random(1).randbytes(4000), "binary"),
        (b"   \n\n", "empty"),
        (b"hello world, this is a text file", "not Solidity"),
    ],
)
def test_junk_named_sol_is_rejected(data: bytes, reason: str) -> None:
    assert process("junk.sol", "o", data) == reason
    assert decode(data)[0] is None


def test_scrub_leaves_clean_comments_untouched() -> None:
    text = "// @author OpenZeppelin\n/// uses @openzeppelin/contracts@5.0.0\ncontract A {}"
    assert scrub(text) == (text, {})


@pytest.mark.parametrize(
    ("expr", "kept", "canon"),
    [
        ("MIT", True, "MIT"),
        ("mit", True, "MIT"),
        ("Apache 2.0", True, "Apache-2.0"),
        ("Apache 2", True, "Apache-2.0"),
        ("MIT License", True, "MIT"),
        ("MIT OR GPL-3.0-only", True, "MIT OR GPL-3.0-only"),
        ("MIT AND GPL-3.0-only", False, "MIT AND GPL-3.0-only"),
        ("(MIT AND Apache-2.0) OR BUSL-1.1", True, "(MIT AND Apache-2.0) OR BUSL-1.1"),
        ("BUSL-1.1", False, "BUSL-1.1"),
        ("UNLICENSED", False, "UNLICENSED"),
        ("Unlicense", True, "Unlicense"),
        ("Something-Custom", False, "unknown"),
        (None, False, "none"),
    ],
)
def test_default_licence_policy(expr: str | None, kept: bool, canon: str) -> None:
    assert LicensePolicy.parse(None).classify(expr) == (kept, canon)


def test_licence_allow_list_options() -> None:
    policy = LicensePolicy.parse(["MIT,bsd", "none"])
    assert policy.classify("BSD-3-Clause")[0] and policy.classify(None)[0]
    assert not policy.classify("Apache-2.0")[0]
    with pytest.raises(BadInputError, match="not a known SPDX id"):
        LicensePolicy.parse(["MIT,NotALicence"])


def _doc(rng: random.Random, n: int = 600) -> list[str]:
    words = [f"v{i}" for i in range(300)] + list("(){};=+")
    return [rng.choice(words) for _ in range(n)]


def test_minhash_estimates_jaccard_and_clusters_near_copies() -> None:
    rng = random.Random(7)
    base = [_doc(rng) for _ in range(20)]
    docs = [" ".join(d) for d in base]
    for d in base[:5]:  # near copies: 2% of tokens changed
        e = list(d)
        for _ in range(6):
            e[rng.randrange(len(e))] = "changed"
        docs.append(" ".join(e))
    hasher = MinHasher()
    sigs = signatures_of(docs, hasher)
    exact = len(set(hasher.shingles(docs[0]).tolist()) & set(hasher.shingles(docs[20]).tolist())) / len(
        set(hasher.shingles(docs[0]).tolist()) | set(hasher.shingles(docs[20]).tolist())
    )
    assert abs(jaccard_estimate(sigs[0], sigs[20]) - exact) < 0.12
    labels = cluster(sigs, threshold=0.8).labels
    for i in range(5):
        assert labels[20 + i] == labels[i]
    assert len(set(labels)) == 20
    # Stable across hasher instances (and processes: crc32 + fixed seeds).
    assert np.array_equal(signatures_of(docs[:3], MinHasher()), sigs[:3])


def test_split_is_deterministic_per_cluster_and_follows_ratios() -> None:
    ids = [f"{i:064x}" for i in range(4000)]
    splits = [assign(c) for c in ids]
    assert splits == [assign(c) for c in ids]
    share = {s: splits.count(s) / len(ids) for s in ("train", "validation", "test")}
    assert 0.87 < share["train"] < 0.93 and 0.03 < share["validation"] < 0.07
    assert parse_ratios("80,10,10") == (0.8, 0.1, 0.1)
    with pytest.raises(BadInputError):
        parse_ratios("80,10")
