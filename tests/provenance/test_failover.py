"""Several --rpc URLs: a dead first one is skipped (and said so), all dead is one error; and
`registry deploy` records where it deployed, which later commands then use (chain id checked)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from chainllm.provenance.registry import load_registry_config, registry_file

from .conftest import Env, run_cli

DEAD = "http://127.0.0.1:9"  # discard port: connection refused
DEAD2 = "http://127.0.0.1:7"


def test_dead_first_rpc_fails_over(
    prov: Env, adapter: Path, tmp_path: Path, unique: Callable[[str], str]
) -> None:
    name = unique("fo")
    rpcs = ["--rpc", DEAD, "--rpc", prov.rpc]
    said = f"failover: cannot reach a JSON-RPC node at {DEAD}: connection refused; using RPC {prov.rpc}"
    code, out, err = run_cli(
        ["publish", str(adapter), "--name", name, *rpcs, "--ipfs", prov.ipfs_url, "--json"]
    )
    assert code == 0, err
    assert json.loads(out)["registry"] == prov.registry.address and said in err
    for args in (
        ["verify", f"{name}@1", "--ipfs", prov.ipfs_url],
        ["pull", name, "--to", str(tmp_path / "got"), "--ipfs", prov.ipfs_url],
        ["registry", "show", name],
        ["registry", "revoke", f"{name}@1"],
    ):
        code, out, err = run_cli([*args, *rpcs])
        assert code == 0, (args, err)
        assert said in err, args
    # The first URL is used when it answers: nothing said.
    code, _, err = run_cli(["registry", "show", name, "--rpc", prov.rpc, "--rpc", DEAD])
    assert code == 0 and "failover" not in err


def test_all_rpcs_down_is_one_error_naming_each(prov: Env) -> None:
    code, out, err = run_cli(["verify", "x@1", "--rpc", DEAD, "--rpc", DEAD2, "--ipfs", prov.ipfs_url])
    assert code == 2 and out == ""
    assert err.strip().count("\n") == 0, err
    assert (
        f"none of the 2 RPC URLs answers: cannot reach a JSON-RPC node at {DEAD}: connection refused; "
        f"cannot reach a JSON-RPC node at {DEAD2}: connection refused"
    ) in err
    assert "failover" not in err  # nothing claims a URL was used


def test_a_live_rpc_on_another_chain_is_not_failed_over_to(prov: Env) -> None:
    code, _, err = run_cli(["registry", "show", "x", "--rpc", DEAD, "--rpc", prov.rpc, "--chain-id", "1"])
    assert code == 2 and f"RPC {prov.rpc} serves chain id 31337, but chain id 1 was expected" in err


def test_deploy_records_the_registry_and_later_commands_use_it(
    prov: Env, adapter: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unique: Callable[[str], str]
) -> None:
    monkeypatch.setenv("CHAINLLM_DATA_DIR", str(tmp_path / "data"))  # a fresh config, not the session's
    code, out, err = run_cli(["registry", "deploy", "--rpc", DEAD, "--rpc", prov.rpc, "--json"])
    assert code == 0, err
    dep = json.loads(out)
    assert dep["rpc"] == prov.rpc and dep["chain_id"] == 31337 and dep["config"] == str(registry_file())
    cfg = load_registry_config()
    assert cfg["default_chain_id"] == 31337
    assert cfg["chains"]["31337"] == {"address": dep["registry"], "rpc": prov.rpc, "block": dep["block"]}
    assert dep["registry"] != prov.registry.address  # a new contract, not the session's

    # No --rpc and no --registry: the recorded chain, RPC and address are used.
    code, out, err = run_cli(
        ["publish", str(adapter), "--name", unique("cfg"), "--ipfs", prov.ipfs_url, "--json"]
    )
    assert code == 0, err
    assert json.loads(out)["registry"] == dep["registry"]

    # The config says chain 5 lives at that RPC: refused before anything is read or signed.
    cfg["default_chain_id"] = 5
    cfg["chains"]["5"] = cfg["chains"].pop("31337")
    registry_file().write_text(json.dumps(cfg))
    nonce = prov.registry.w3.eth.get_transaction_count(prov.alice.account.address)
    code, _, err = run_cli(["publish", str(adapter), "--name", unique("cfg"), "--ipfs", prov.ipfs_url])
    assert code == 2 and f"RPC {prov.rpc} serves chain id 31337, but chain id 5 was expected" in err
    assert prov.registry.w3.eth.get_transaction_count(prov.alice.account.address) == nonce
