"""ModelRegistry.sol on a real anvil: who may publish and revoke, what is stored, which events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from eth_account import Account
from eth_typing import HexStr
from eth_utils import keccak
from web3.exceptions import ContractCustomError
from web3.logs import DISCARD

from chainllm.provenance.registry import CONTRACT_PATH, Signer

from .conftest import Chain as Env

CAROL_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"  # anvil dev account 2


def _entry(name: str, version: str, seed: str) -> tuple[Any, ...]:
    return (name, version, f"bafy-{seed}", "base/model", keccak(text=seed), keccak(text="card"), b"\0" * 32)


def _revert(env: Env, signer: Signer, fn: str, *args: Any) -> str:
    """The custom error name the registry reverts with when ``signer`` calls ``fn``."""
    with pytest.raises(ContractCustomError) as info:
        getattr(env.registry.contract.functions, fn)(*args).call({"from": signer.account.address})
    return env.registry._decode(info.value)


def test_publish_stores_the_record_and_emits_events(chain: Env, unique: Callable[[str], str]) -> None:
    name = unique("m")
    e = _entry(name, "1", name)
    tx, block = chain.registry._send(chain.alice.account, "publish", e)
    rec = chain.registry.record_of(e[4].hex())
    assert rec is not None
    assert (rec.name, rec.version, rec.cid, rec.base_model) == (name, "1", f"bafy-{name}", "base/model")
    assert rec.publisher == chain.alice.account.address and not rec.revoked
    assert rec.dataset_card_sha256 == keccak(text="card").hex() and rec.metrics_sha256 is None
    assert rec.published_at == chain.registry.w3.eth.get_block(block)["timestamp"]
    assert chain.registry.record_of_version(name, "1") == rec == chain.registry.record_of_cid(f"bafy-{name}")
    receipt = chain.registry.w3.eth.get_transaction_receipt(HexStr(tx))
    claimed = chain.registry.contract.events.NameClaimed().process_receipt(receipt, errors=DISCARD)
    published = chain.registry.contract.events.Published().process_receipt(receipt, errors=DISCARD)
    assert claimed[0]["args"]["owner"] == chain.alice.account.address
    assert published[0]["args"]["manifestHash"] == e[4] and published[0]["args"]["cid"] == e[2]
    assert chain.registry.owner_of(name) == chain.alice.account.address


def test_only_owner_and_delegates_publish_and_revoke(chain: Env, unique: Callable[[str], str]) -> None:
    name = unique("perm")
    reg = chain.registry
    carol = Signer(Account.from_key(CAROL_KEY), "test")
    v1 = _entry(name, "1", name + "1")
    reg._send(chain.alice.account, "publish", v1)
    # bob may neither publish a new version nor revoke alice's
    assert _revert(chain, chain.bob, "publish", _entry(name, "2", name + "2")) == "NotAuthorized"
    assert _revert(chain, chain.bob, "revoke", v1[4], "x") == "NotAuthorized"
    assert _revert(chain, chain.bob, "setDelegate", name, carol.account.address, True) == "NotAuthorized"
    # once delegated, bob may publish and revoke versions of the name
    reg.set_delegate(chain.alice.account, name, chain.bob.account.address, True)
    v2 = _entry(name, "2", name + "2")
    reg._send(chain.bob.account, "publish", v2)
    assert reg.latest(name) is not None and reg.latest(name).publisher == chain.bob.account.address  # type: ignore[union-attr]
    tx, _ = reg.revoke(chain.bob.account, v1[4].hex(), "bad data")
    logs = reg.contract.events.Revoked().process_receipt(
        reg.w3.eth.get_transaction_receipt(HexStr(tx)), errors=DISCARD
    )
    assert logs[0]["args"]["reason"] == "bad data" and logs[0]["args"]["by"] == chain.bob.account.address
    assert reg.record_of(v1[4].hex()).revoked  # type: ignore[union-attr]
    # taking the delegation away ends it
    reg.set_delegate(chain.alice.account, name, chain.bob.account.address, False)
    assert _revert(chain, chain.bob, "publish", _entry(name, "3", name + "3")) == "NotAuthorized"
    assert _revert(chain, carol, "revoke", v2[4], "x") == "NotAuthorized"
    # latest() skips the revoked v1 and returns v2; with everything revoked it returns the newest
    assert reg.latest(name).version == "2"  # type: ignore[union-attr]


def test_duplicates_and_empty_fields_revert(chain: Env, unique: Callable[[str], str]) -> None:
    name = unique("dup")
    e = _entry(name, "1", name)
    chain.registry._send(chain.alice.account, "publish", e)
    assert _revert(chain, chain.alice, "publish", e) == "AlreadyPublished"
    assert _revert(chain, chain.alice, "publish", _entry(name, "1", name + "x")) == "VersionExists"
    same_cid = (name, "2", e[2], "b", keccak(text=name + "y"), b"\0" * 32, b"\0" * 32)
    assert _revert(chain, chain.alice, "publish", same_cid) == "CidExists"
    assert _revert(chain, chain.alice, "publish", _entry("", "1", "z")) == "EmptyField"
    chain.registry.revoke(chain.alice.account, e[4].hex(), "r")
    assert _revert(chain, chain.alice, "revoke", e[4], "again") == "AlreadyRevoked"
    assert _revert(chain, chain.alice, "revoke", keccak(text="nothing"), "r") == "UnknownRecord"
    assert _revert(chain, chain.alice, "transferName", name, "0x" + "0" * 40) == "ZeroAddress"


def test_name_transfer_moves_ownership(chain: Env, unique: Callable[[str], str]) -> None:
    name = unique("xfer")
    chain.registry._send(chain.alice.account, "publish", _entry(name, "1", name))
    chain.registry._send(chain.alice.account, "transferName", name, chain.bob.account.address)
    assert chain.registry.owner_of(name) == chain.bob.account.address
    assert _revert(chain, chain.alice, "publish", _entry(name, "2", name + "2")) == "NotAuthorized"
    chain.registry._send(chain.bob.account, "publish", _entry(name, "2", name + "2"))


def test_contract_passes_chainllm_audit() -> None:
    engine = pytest.importorskip("chainllm.audit.engine")
    audit = engine.audit_file(CONTRACT_PATH)
    assert audit.compiled and audit.analysed
    serious = [f.check for f in audit.findings if f.impact in ("High", "Medium")]
    assert serious == []
