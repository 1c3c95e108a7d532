"""Retrieval of similar audited functions: the SQLite FTS5 index over real Solidity (a folder
written here and the OpenZeppelin sources in node_modules), and its place in the prompt."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from chainllm.generate import retrieval

TOKEN = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
interface IThing { function ping() external returns (uint256); }
contract Token {
    mapping(address => uint256) public balanceOf;
    /// @notice Sends `amount` tokens to `to`.
    function transfer(address to, uint256 amount) external returns (bool) {
        require(balanceOf[msg.sender] >= amount, "balance");
        balanceOf[msg.sender] -= amount;
        balanceOf[to] += amount;
        return true;
    }
    function setBaseURI(string calldata uri) external { if (bytes(uri).length == 0) { revert(); } }
}
"""


def _corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "token").mkdir(parents=True)
    (root / "mocks").mkdir()
    (root / "token" / "Token.sol").write_text(TOKEN)
    (root / "mocks" / "Mock.sol").write_text("contract M { function transferAll() external {} }\n")
    os.symlink("/etc/hostname", root / "token" / "Leak.sol")
    return root


def test_index_holds_bodies_only_and_ranks_by_bm25(tmp_path: Path) -> None:
    ix = retrieval.Index.open((_corpus(tmp_path),), cache=tmp_path / "cache")
    assert ix is not None
    # interface declarations, mocks/ and symlinks are not indexed
    assert ix.count() == 2
    hits = ix.search("transfer tokens to an address")
    assert hits[0].name == "transfer" and hits[0].path == "token/Token.sol"
    assert hits[0].code.startswith("/// @notice Sends") and hits[0].code.rstrip().endswith("}")
    assert ix.search("set base uri")[0].name == "setBaseURI"
    assert ix.search("zzz qqq") == []
    # a plain SQLite file, nothing pickled
    with sqlite3.connect(ix.path) as db:
        assert db.execute("SELECT count(*) FROM funcs").fetchone()[0] == 2


def test_index_is_rebuilt_when_the_corpus_changes(tmp_path: Path) -> None:
    root = _corpus(tmp_path)
    first = retrieval.Index.open((root,), cache=tmp_path / "cache")
    assert first is not None
    same = retrieval.Index.open((root,), cache=tmp_path / "cache")
    assert same is not None and same.path == first.path
    (root / "token" / "More.sol").write_text("contract X { function burnFrom(address a) external { a; } }\n")
    again = retrieval.Index.open((root,), cache=tmp_path / "cache")
    assert again is not None and again.path != first.path and again.count() == 3
    assert retrieval.Index.open((tmp_path / "empty",), cache=tmp_path / "cache") is None


def test_openzeppelin_corpus_answers_function_requests() -> None:
    if not retrieval.default_roots():
        pytest.skip("node_modules/@openzeppelin/contracts is not installed")
    ix = retrieval.shared_index()
    assert ix is not None and ix.count() > 500
    names = [h.name for h in ix.search("setBaseURI lets the owner update the base URI", 3)]
    assert any("uri" in n.lower() for n in names), names
    msgs = [{"role": "system", "content": "s"}, {"role": "user", "content": "Task: add `function withdraw`"}]
    out = retrieval.augment(msgs, "withdraw", "lets the owner withdraw the ETH balance")
    assert out[0] == msgs[0] and out[1]["content"].startswith("Similar audited functions")
    assert (
        out[1]["content"].endswith("Task: add `function withdraw`")
        and "// from OpenZeppelin " in out[1]["content"]
    )
    assert retrieval.augment(msgs, "withdraw", "x", enabled=False) is msgs


def test_the_loop_shows_the_model_audited_functions_only_with_retrieval_on() -> None:
    # Real loop, real solc/Slither; the model is a loopback stand-in that records its prompts.
    from chainllm.generate import GenerateOptions, OpenAIBackend, generate
    from tests.generate.standin import chat_reply, last_user_message, serve

    request = "ERC20 token called Foo (FOO) with a function that lets the owner burn tokens from any account"
    fn = (
        "```solidity\nfunction burnTokensFrom(address account, uint256 amount) external onlyOwner {\n"
        "    _burn(account, amount);\n}\n```"
    )
    prompts: dict[bool, list[str]] = {True: [], False: []}
    for on in (True, False):

        def answer(_path: str, body: dict, on: bool = on) -> tuple[int, object, float]:
            prompts[on].append(last_user_message(body))
            return 200, chat_reply(*[fn] * body.get("n", 1)), 0.0

        for state in serve(answer):
            be = OpenAIBackend(base_url=state.url, model="stand-in", retries=0)
            r = generate(
                request, be, GenerateOptions(k=1, rounds=0, library=False, retrieval=on, behaviour=False)
            )
        assert r.status == "ok" and r.origin == "model", r.reason
    assert prompts[True] and all(p.startswith("Similar audited functions") for p in prompts[True])
    assert "// from OpenZeppelin token/ERC20/" in prompts[True][0]
    assert prompts[False] and not any("Similar audited functions" in p for p in prompts[False])
    assert GenerateOptions().retrieval is True  # on by default (docs/generation.md)
