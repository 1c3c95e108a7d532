"""The commands as a user runs them: publish/verify/pull/registry with --json, keys from a
keystore or the environment (never printed)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from eth_account import Account
from eth_typing import HexStr

from .conftest import OTHER_KEY, Env, run_cli


def test_cli_publish_verify_pull_revoke(
    prov: Env, adapter: Path, tmp_path: Path, unique: Callable[[str], str]
) -> None:
    name = unique("cli")
    node = ["--rpc", prov.rpc, "--ipfs", prov.ipfs_url]
    code, out, err = run_cli(["publish", str(adapter), "--name", name, "--version", "3", *node, "--json"])
    assert code == 0, err
    pub = json.loads(out)
    assert {"cid", "manifest_sha256", "tx_hash", "registry", "chain_id"} <= pub.keys()
    assert (
        pub["chain_id"] == 31337 and pub["registry"] == prov.registry.address and not pub["already_published"]
    )
    assert "anvil's public dev account" not in err  # --json keeps stderr free of chatter

    code, out, _ = run_cli(["publish", str(adapter), "--name", name, "--version", "3", *node])
    assert code == 0 and "already published (nothing sent)" in out and pub["cid"] in out

    code, out, _ = run_cli(
        ["verify", f"{name}@3", *node, "--json", "--publisher", prov.alice.account.address]
    )
    v = json.loads(out)
    assert code == 0 and v["ok"] and v["cid"] == pub["cid"] and v["manifest_sha256"] == pub["manifest_sha256"]
    assert v["kind"] == pub["kind"] == "lora-adapter"
    assert [c["name"] for c in v["checks"] if c["ok"]] == [c["name"] for c in v["checks"]]

    code, out, _ = run_cli(["verify", pub["cid"], *node])
    assert code == 0 and "ok   cid" in out and f"{pub['cid']}: verified" in out

    code, out, _ = run_cli(["pull", name, "--to", str(tmp_path / "got"), *node, "--json"])
    assert code == 0 and json.loads(out)["path"] == str(tmp_path / "got")
    assert (tmp_path / "got" / "adapter_model.safetensors").read_bytes() == (
        adapter / "adapter_model.safetensors"
    ).read_bytes()
    code, _, err = run_cli(["pull", name, "--to", str(tmp_path / "got"), *node])
    assert code == 2 and "already exists and is not an empty folder" in err

    code, out, _ = run_cli(["registry", "show", name, "--rpc", prov.rpc, "--json"])
    assert code == 0 and json.loads(out)["cid"] == pub["cid"]

    code, out, _ = run_cli(["registry", "revoke", f"{name}@3", "--reason", "test", "--rpc", prov.rpc])
    assert code == 0 and "revoked" in out
    code, out, _ = run_cli(["verify", f"{name}@3", *node, "--json"])
    assert code == 1 and json.loads(out)["ok"] is False
    code, out, _ = run_cli(["verify", f"{name}@3", *node])
    assert code == 1 and "FAIL revoked" in out


def test_cli_keys_from_keystore_and_env_are_never_printed(
    prov: Env, adapter: Path, tmp_path: Path, unique: Callable[[str], str]
) -> None:
    keystore = tmp_path / "bob.json"
    keystore.write_text(
        json.dumps(Account.encrypt(HexStr(OTHER_KEY), "hunter2", iterations=1024))
    )  # fast scrypt for tests
    node = ["--rpc", prov.rpc, "--ipfs", prov.ipfs_url]
    name = unique("ks")
    code, out, err = run_cli(
        ["publish", str(adapter), "--name", name, *node, "--keystore", str(keystore), "--json"],
        env={"CHAINLLM_KEYSTORE_PASSWORD": "hunter2"},
    )
    assert code == 0, err
    assert json.loads(out)["publisher"] == prov.bob.account.address
    code, _, err = run_cli(
        ["publish", str(adapter), "--name", name, *node, "--keystore", str(keystore)],
        env={"CHAINLLM_KEYSTORE_PASSWORD": "wrong"},
    )
    assert code == 2 and "cannot decrypt keystore" in err and "wrong" not in err.replace("wrong password", "")

    bad_key = "0x" + "zz" * 32
    code, out, err = run_cli(
        ["publish", str(adapter), "--name", unique("env"), *node], env={"CHAINLLM_PRIVATE_KEY": bad_key}
    )
    assert code == 2 and "CHAINLLM_PRIVATE_KEY is not a valid private key" in err and bad_key not in out + err

    code, out, err = run_cli(
        ["publish", str(adapter), "--name", unique("env"), *node, "--json"],
        env={"CHAINLLM_PRIVATE_KEY": OTHER_KEY},
    )
    assert code == 0 and OTHER_KEY[2:] not in out + err
    assert json.loads(out)["publisher"] == prov.bob.account.address


def test_cli_bad_input_is_one_line(prov: Env, tmp_path: Path) -> None:
    node = ["--rpc", prov.rpc, "--ipfs", prov.ipfs_url]
    code, _, err = run_cli(["publish", str(tmp_path / "nope"), *node])
    assert code == 2 and err.strip().count("\n") == 0 and "does not exist" in err
    code, _, err = run_cli(["verify", "no/such", *node])
    assert code == 2 and "neither a CID nor NAME[@VERSION]" in err
    code, _, err = run_cli(["verify", "never-published-name", *node])
    assert code == 1  # a failed check, not a crash
    code, _, err = run_cli(["registry", "revoke", "x", "--rpc", prov.rpc])
    assert code == 2 and "names no version" in err
