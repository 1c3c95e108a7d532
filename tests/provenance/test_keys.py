"""Where the publisher key comes from (never the command line, never echoed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account import Account
from eth_typing import HexStr

from chainllm.errors import BadInputError
from chainllm.provenance.registry import ANVIL_DEV_KEY, load_signer

from .conftest import OTHER_KEY


def test_key_sources_in_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CHAINLLM_PRIVATE_KEY", raising=False)
    monkeypatch.delenv("CHAINLLM_KEYSTORE_PASSWORD", raising=False)
    dev = Account.from_key(ANVIL_DEV_KEY).address
    other = Account.from_key(OTHER_KEY).address
    # the public anvil key only on chain 31337, and only as the last resort
    assert load_signer(31337).source == "anvil-dev-key" and load_signer(31337).account.address == dev
    with pytest.raises(BadInputError, match="no publisher key for chain 1") as info:
        load_signer(1)
    assert "CHAINLLM_PRIVATE_KEY" in str(info.value)
    monkeypatch.setenv("CHAINLLM_PRIVATE_KEY", OTHER_KEY)
    assert load_signer(1).account.address == other and load_signer(31337).source == "env"
    # a keystore wins over the environment; its password comes from the env or the callback
    ks = tmp_path / "ks.json"
    ks.write_text(json.dumps(Account.encrypt(HexStr(ANVIL_DEV_KEY), "pw", iterations=1024)))
    assert load_signer(1, keystore=ks, password=lambda: "pw").account.address == dev
    monkeypatch.setenv("CHAINLLM_KEYSTORE_PASSWORD", "nope")
    with pytest.raises(BadInputError, match="wrong password"):
        load_signer(1, keystore=ks)
    monkeypatch.delenv("CHAINLLM_KEYSTORE_PASSWORD")
    with pytest.raises(BadInputError, match="needs a password"):
        load_signer(1, keystore=ks)
    ks.write_text("not json")
    with pytest.raises(BadInputError, match="not readable JSON"):
        load_signer(1, keystore=ks)
