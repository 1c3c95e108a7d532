"""Content the IPFS node does not hold: verify/pull fail at once with what to do, and
``--timeout`` lets a node fetch (here: the real offline js-ipfs node, which never can)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from chainllm.errors import BadInputError, ServiceError
from chainllm.provenance.adapters import env_timeout
from chainllm.provenance.ipfs import DEFAULT_TIMEOUT, IpfsClient
from chainllm.provenance.publish import publish
from chainllm.provenance.verify import verify

from .conftest import Env, dir_block, put_block, run_cli


def _absent_cid() -> str:
    return dir_block(["adapter_config.json"], os.urandom(32))[0]


def _run(args: list[str]) -> tuple[int, str, float]:
    t0 = time.monotonic()
    code, out, err = run_cli(args)
    return code, out + err, time.monotonic() - t0


def test_absent_cid_fails_at_once_and_timeout_lets_the_node_try(prov: Env, tmp_path: Path) -> None:
    cid = _absent_cid()
    node = ["--rpc", prov.rpc, "--ipfs", prov.ipfs_url]
    code, out, took = _run(["verify", cid, *node])
    assert code == 2, out
    assert f"{cid} is not on the IPFS node at {prov.ipfs_url} (asked the node without fetching)" in out
    assert "--timeout SECONDS" in out and out.strip().count("\n") == 0
    # Without the local check it would wait for the node's default timeout before failing.
    assert took < DEFAULT_TIMEOUT / 2, took

    code, out, _ = _run(["pull", cid, "--to", str(tmp_path / "out"), *node])
    assert code == 2 and "is not on the IPFS node" in out
    assert list(tmp_path.iterdir()) == []  # neither the folder nor a staging folder

    # --timeout: the node is allowed to look for it, and says it could not within that time.
    code, out, took = _run(["verify", cid, *node, "--timeout", "1"])
    assert code == 2, out
    assert f"the IPFS node at {prov.ipfs_url} could not get {cid} within 1 s (ls)" in out
    assert "pass --timeout SECONDS to wait longer" in out


def test_published_name_whose_content_is_gone(
    prov: Env, tmp_path: Path, unique: Callable[[str], str]
) -> None:
    """A record on-chain whose CID no node here holds (unpinned and collected, or never added)."""
    name, cid = unique("gone"), _absent_cid()
    prov.registry.publish(
        prov.alice.account,
        name=name,
        version="1",
        cid=cid,
        base_model="b",
        manifest_sha256=os.urandom(32).hex(),
        dataset_card_sha256=None,
        metrics_sha256=None,
    )
    node = ["--rpc", prov.rpc, "--ipfs", prov.ipfs_url]
    code, out, _ = _run(["pull", f"{name}@1", "--to", str(tmp_path / "got"), *node])
    assert code == 2 and f"{cid} is not on the IPFS node at {prov.ipfs_url}" in out
    assert list(tmp_path.iterdir()) == []


def test_partial_directory_times_out_with_a_clear_message(prov: Env) -> None:
    """The directory block is on the node, a file's block is not: the node's own timeout says so."""
    cid, block = dir_block(["adapter_config.json"], os.urandom(32))
    put_block(prov.ipfs_url, block, "dag-pb")
    with IpfsClient(prov.ipfs_url, timeout=1) as ipfs:
        assert ipfs.has_local(cid) and not ipfs.pinned(cid)  # present, though not pinned
        with pytest.raises(ServiceError, match=rf"could not get {cid} within 1 s \(ls\)"):
            verify(cid, ipfs=ipfs, registry=prov.registry)


def test_has_local_on_published_content(prov: Env, adapter: Path, unique: Callable[[str], str]) -> None:
    res = publish(
        adapter, ipfs=prov.ipfs, registry=prov.registry, signer=prov.alice, name=unique("here"), version="1"
    )
    assert prov.ipfs.has_local(res.cid)
    assert not prov.ipfs.has_local(_absent_cid())
    with pytest.raises(ServiceError, match=r"cannot reach the IPFS node at http://127\.0\.0\.1:9"):
        IpfsClient("http://127.0.0.1:9").has_local(res.cid)
    with pytest.raises(ValueError, match="must be a positive number of seconds"):
        IpfsClient(prov.ipfs_url, timeout=0)


def test_timeout_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """What `generate`/`score --adapter` use, as they have no --timeout of their own."""
    monkeypatch.delenv("CHAINLLM_IPFS_TIMEOUT", raising=False)
    assert env_timeout() is None
    monkeypatch.setenv("CHAINLLM_IPFS_TIMEOUT", "2.5")
    assert env_timeout() == 2.5
    for bad in ("soon", "0", "-3"):
        monkeypatch.setenv("CHAINLLM_IPFS_TIMEOUT", bad)
        with pytest.raises(BadInputError, match=f"CHAINLLM_IPFS_TIMEOUT='{bad}' is not a positive number"):
            env_timeout()
