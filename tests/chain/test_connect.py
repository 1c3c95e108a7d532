from __future__ import annotations

from pathlib import Path

import pytest

from chainllm.audit.compile import compile_file
from chainllm.chain import deploy, make_web3
from chainllm.errors import BadInputError, ServiceError
from chainllm.services.manager import free_port
from tests.chain.rpc_proxy import Behaviour, rpc_proxy


def test_unreachable_rpc_names_the_url() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ServiceError, match=f"cannot reach a JSON-RPC node at {url}: connection refused"):
        make_web3(url, timeout=2)


def test_not_an_rpc_url() -> None:
    with pytest.raises(BadInputError, match="not an http"):
        make_web3("ws//localhost")


def test_rpc_urls_split_on_commas() -> None:
    from chainllm.chain.connect import resolve_rpc

    assert resolve_rpc(("http://a:1, http://b:2", "http://c:3")) == ("http://a:1", "http://b:2", "http://c:3")
    with pytest.raises(BadInputError, match="not an http"):
        resolve_rpc(("http://a:1,ws//b",))


def test_garbage_answer(anvil_rpc: str) -> None:
    with (
        rpc_proxy(anvil_rpc, Behaviour(garbage=True)) as url,
        pytest.raises(ServiceError, match="not a usable JSON-RPC node"),
    ):
        make_web3(url)


def test_deploy_and_call(fresh_chain: str, tmp_path: Path) -> None:
    src = tmp_path / "Counter.sol"
    src.write_text(
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n"
        "contract Counter { uint256 public n; constructor(uint256 s) { n = s; } function inc() external { n += 1; } }\n"
    )
    comp = compile_file(src)
    w3 = make_web3(fresh_chain)
    addr = deploy(w3, comp, "Counter", 41, sender=w3.eth.accounts[0])
    c = w3.eth.contract(address=addr, abi=comp.contract("Counter")["abi"])
    c.functions.inc().transact({"from": w3.eth.accounts[0]})
    assert c.functions.n().call() == 42
    with pytest.raises(BadInputError, match="no contract named 'Nope'"):
        deploy(w3, comp, "Nope", sender=w3.eth.accounts[0])
