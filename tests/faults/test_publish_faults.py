"""`chainllm publish` when the IPFS node dies during the add, or the chain node during the
registry transaction (real js-ipfs and anvil, killed with SIGKILL at that request): no
record may point at content that is not fully pinned, the error says what state is left and
how to finish, and rerunning the same command completes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from eth_account import Account

from chainllm.cli import cli
from chainllm.provenance.ipfs import IpfsClient
from chainllm.provenance.registry import ANVIL_DEV_KEY, Registry, connect, deploy_registry, resolve_target
from tests.faults.conftest import OwnService
from tests.faults.killproxy import kill_proxy
from tests.provenance.conftest import write_adapter


def _cli(*args: str) -> tuple[int, dict[str, object], str]:
    r = CliRunner().invoke(cli, list(args))
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception  # no traceback
    return r.exit_code, json.loads(r.stdout), r.stderr


def _registry(url: str, address: str) -> Registry:
    w3, _ = connect(resolve_target(url))
    return Registry(w3, address, rpc=url)


def test_publish_survives_ipfs_and_chain_dying_mid_publish(
    own_anvil: OwnService, own_ipfs: OwnService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAINLLM_DATA_DIR", str(tmp_path / "data"))  # registry config of this chain only
    w3, _ = connect(resolve_target(own_anvil.url))
    address, _ = deploy_registry(w3, Account.from_key(ANVIL_DEV_KEY), own_anvil.url)
    own_anvil.stop()  # anvil writes its --state on a clean stop: the registry survives kills
    own_anvil.restart()
    adapter = write_adapter(tmp_path / "adapter", weights_kb=1500)
    base = ["publish", str(adapter), "--name", "faulty", "--version", "1", "--registry", address, "--json"]

    # 1. The IPFS node dies during the add: nothing on chain, and the message says so.
    with kill_proxy(
        own_ipfs.url, trigger=lambda path, _b: path.startswith("/api/v0/add"), kill=own_ipfs.kill
    ) as api:
        code, doc, err = _cli(*base, "--rpc", own_anvil.url, "--ipfs", api)
    assert code == 2, err
    error = doc["error"]
    assert isinstance(error, dict) and error["code"] == "service"
    assert "nothing was recorded on chain" in error["message"] and "rerun the same command" in error["hint"]
    assert _registry(own_anvil.url, address).record_of_version("faulty", "1") is None

    # 2. Back up, the chain node dies while the registry transaction is in flight.
    own_ipfs.restart()
    with kill_proxy(
        own_anvil.url, trigger=lambda _p, body: b"eth_sendRawTransaction" in body, kill=own_anvil.kill,
        forward_first=True,
    ) as rpc:  # fmt: skip
        code, doc, err = _cli(*base, "--rpc", rpc, "--ipfs", own_ipfs.url)
    assert code == 2, err
    error = doc["error"]
    assert isinstance(error, dict) and "was interrupted" in str(error["message"])
    assert "rerun the same command" in str(error["hint"])
    found = re.search(r"CID (\S+) is added and pinned", str(error["message"]))
    assert found, error
    cid = found.group(1)
    with IpfsClient(own_ipfs.url) as ipfs:
        assert ipfs.pinned(cid)  # what a record could point at is already pinned

    own_anvil.restart()  # from the state written before the kill: the transaction is lost
    record = _registry(own_anvil.url, address).record_of_version("faulty", "1")
    assert record is None or record.cid == cid

    # 3. The same command again completes, and the record points at the pinned CID.
    code, doc, err = _cli(*base, "--rpc", own_anvil.url, "--ipfs", own_ipfs.url)
    assert code == 0, err
    assert doc["cid"] == cid
    record = _registry(own_anvil.url, address).record_of_version("faulty", "1")
    assert record is not None and record.cid == cid
    code, verified, err = _cli("verify", "faulty@1", "--rpc", own_anvil.url, "--registry", address, "--ipfs",
                               own_ipfs.url, "--json")  # fmt: skip
    assert code == 0 and verified["ok"], err
