"""publish -> verify -> pull on a real anvil and a real IPFS node (js-ipfs)."""

from __future__ import annotations

import filecmp
import json
import os
from collections.abc import Callable
from pathlib import Path

import aleph_cid

from chainllm.provenance.manifest import MANIFEST_NAME
from chainllm.provenance.publish import publish
from chainllm.provenance.verify import pull, verify

from .conftest import Env

CHECKS = ["resolve", "listing", "cid", "manifest", "files", "record", "publisher", "revoked"]


def test_publish_verify_pull_round_trip(
    prov: Env, adapter: Path, tmp_path: Path, unique: Callable[[str], str]
) -> None:
    name = unique("rt")
    res = publish(
        adapter, ipfs=prov.ipfs, registry=prov.registry, signer=prov.alice, name=name, version="1.0"
    )
    assert res.cid.startswith("bafybei") and not res.already_published and res.tx_hash
    assert res.chain_id == 31337 and res.registry == prov.registry.address
    assert prov.ipfs.pinned(res.cid)
    rec = prov.registry.record_of(res.manifest_sha256)
    assert rec is not None and rec.cid == res.cid and rec.name == name and rec.version == "1.0"
    assert rec.base_model == "HuggingFaceTB/SmolLM2-135M-Instruct" and rec.dataset_card_sha256 == "ab" * 32

    for ref in (res.cid, name, f"{name}@1.0"):
        v = verify(ref, ipfs=prov.ipfs, registry=prov.registry, publisher=prov.alice.account.address)
        assert v.ok, v.checks
        assert [c.name for c in v.checks] == CHECKS
        assert v.cid == res.cid and v.manifest is not None and v.manifest.sha256 == res.manifest_sha256

    out = pull(name, tmp_path / "pulled", ipfs=prov.ipfs, registry=prov.registry)
    assert out.ok and out.path == str(tmp_path / "pulled")
    pulled = tmp_path / "pulled"
    assert sorted(os.listdir(pulled)) == sorted([*os.listdir(adapter), MANIFEST_NAME])
    for f in os.listdir(adapter):
        assert filecmp.cmp(adapter / f, pulled / f, shallow=False)
    assert json.loads((pulled / MANIFEST_NAME).read_bytes())["name"] == name
    # The published directory's CID, recomputed by a third implementation from the pulled files.
    assert aleph_cid.hash_folder(str(pulled)) == res.cid
    # No staging folder is left behind.
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_publishing_twice_sends_nothing(prov: Env, adapter: Path, unique: Callable[[str], str]) -> None:
    name = unique("idem")
    first = publish(
        adapter, ipfs=prov.ipfs, registry=prov.registry, signer=prov.alice, name=name, version="1"
    )
    nonce = prov.registry.w3.eth.get_transaction_count(prov.alice.account.address)
    again = publish(
        adapter, ipfs=prov.ipfs, registry=prov.registry, signer=prov.alice, name=name, version="1"
    )
    assert (
        again.already_published and again.cid == first.cid and again.manifest_sha256 == first.manifest_sha256
    )
    assert again.tx_hash == first.tx_hash  # the original transaction, found from its event
    assert prov.registry.w3.eth.get_transaction_count(prov.alice.account.address) == nonce
    assert prov.registry.contract.functions.versionCount(name).call() == 1


def test_same_version_with_new_content_is_refused(
    prov: Env, adapter: Path, unique: Callable[[str], str]
) -> None:
    import pytest

    from chainllm.errors import BadInputError

    name = unique("ver")
    publish(adapter, ipfs=prov.ipfs, registry=prov.registry, signer=prov.alice, name=name, version="1")
    (adapter / "metrics.json").write_text('{"eval_loss": 0.5}')
    with pytest.raises(BadInputError, match=rf"{name}@1 is already published with different content"):
        publish(adapter, ipfs=prov.ipfs, registry=prov.registry, signer=prov.alice, name=name, version="1")
    with pytest.raises(BadInputError, match="may not publish under"):
        publish(adapter, ipfs=prov.ipfs, registry=prov.registry, signer=prov.bob, name=name, version="2")
    second = publish(
        adapter, ipfs=prov.ipfs, registry=prov.registry, signer=prov.alice, name=name, version="2"
    )
    assert verify(name, ipfs=prov.ipfs, registry=prov.registry).cid == second.cid  # latest version


def test_fetch_adapter_verifies_on_every_use(prov: Env, adapter: Path, unique: Callable[[str], str]) -> None:
    import pytest

    from chainllm import config
    from chainllm.errors import VerificationError
    from chainllm.provenance import fetch_adapter

    name = unique("use")
    res = publish(adapter, ipfs=prov.ipfs, registry=prov.registry, signer=prov.alice, name=name, version="1")

    def fetch(ref: str) -> Path:
        return fetch_adapter(ref, ipfs_url=prov.ipfs_url, rpc=prov.rpc)

    folder = fetch(f"{name}@1")
    assert folder == config.cache_dir() / "adapters" / res.cid
    assert (folder / "adapter_model.safetensors").read_bytes() == (
        adapter / "adapter_model.safetensors"
    ).read_bytes()
    assert fetch(res.cid) == folder  # cached, re-checked
    weights = folder / "adapter_model.safetensors"
    original = weights.read_bytes()
    weights.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    with pytest.raises(VerificationError, match="modified since it was verified"):
        fetch(res.cid)
    weights.write_bytes(original)
    prov.registry.revoke(prov.alice.account, res.manifest_sha256, "r")
    with pytest.raises(VerificationError, match="revoked"):
        fetch(res.cid)
