"""`chainllm generate --adapter CID` end to end: a real LoRA adapter (peft, on the tiny base) is
published to a real IPFS node and a ModelRegistry on a real anvil, then pulled, verified and
loaded by the CLI; a tampered or revoked adapter is refused before any weight is loaded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from eth_account import Account

from chainllm.cli import cli
from chainllm.provenance.ipfs import IpfsClient
from chainllm.provenance.publish import publish
from chainllm.provenance.registry import (
    ANVIL_DEV_KEY,
    Registry,
    Signer,
    connect,
    deploy_registry,
    registry_file,
    resolve_target,
)

# The library covers no "random winner" intent: the model is asked, so the adapter is used.
# A custom function the model must write (--no-library below): a raffle is now an IR kind the
# composer builds without a model, so it no longer exercises the adapter.
REQUEST = "ERC20 token called Foo (FOO) with a function that lets the owner burn tokens from any account"


@pytest.fixture
def registry(anvil_rpc: str) -> Iterator[tuple[Registry, Signer]]:
    """A fresh ModelRegistry that the CLI finds through registry.json; the previous default is
    restored afterwards so other tests keep theirs."""
    path = registry_file()
    before = path.read_bytes() if path.exists() else None
    w3, _ = connect(resolve_target(anvil_rpc))
    signer = Signer(Account.from_key(ANVIL_DEV_KEY), "test")
    address, _ = deploy_registry(w3, signer.account, anvil_rpc)
    try:
        yield Registry(w3, address, rpc=anvil_rpc), signer
    finally:
        if before is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(before)


def _lora_on_tiny(folder: Path) -> Path:
    """A real PEFT LoRA adapter for the tiny base, with random (non-zero) B so it changes outputs."""
    import torch
    from peft import LoraConfig, get_peft_model

    from chainllm.model import load_causal_lm
    from chainllm.model.tiny import ensure_tiny

    base = ensure_tiny(["contract Raffle { function pick() public {} }\n"] * 20)
    model, _ = load_causal_lm(str(base))
    torch.manual_seed(0)
    peft_model = get_peft_model(
        model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    )
    peft_model.save_pretrained(str(folder), safe_serialization=True)
    cfg = json.loads((folder / "adapter_config.json").read_text())
    cfg["base_model_name_or_path"] = str(base)
    (folder / "adapter_config.json").write_text(json.dumps(cfg))
    return base


def _generate(cid: str, base: Path, ipfs_api: str) -> Any:
    return CliRunner().invoke(
        cli,
        ["generate", REQUEST, "--backend", "local", "--base", str(base), "--adapter", cid,
         "-k", "1", "--rounds", "0", "--threads", "1", "--no-library", "--json"],
        env={"CHAINLLM_IPFS_API": ipfs_api},
        catch_exceptions=False,
    )  # fmt: skip


def test_generate_pulls_verifies_and_uses_a_published_adapter(
    registry: tuple[Registry, Signer], ipfs_api: str, tmp_path: Path
) -> None:
    from chainllm import config

    reg, signer = registry
    adapter = tmp_path / "raffle-lora"
    base = _lora_on_tiny(adapter)
    with IpfsClient(ipfs_api) as ipfs:
        res = publish(adapter, ipfs=ipfs, registry=reg, signer=signer, name="raffle-lora", version="1")

    ok = _generate(res.cid, base, ipfs_api)
    data = json.loads(ok.stdout)
    pulled = config.cache_dir() / "adapters" / res.cid
    # The model (base + the pulled adapter) was asked; a random tiny model writes no Solidity,
    # so the result is partial (exit 1) and says so: nothing unchecked passes for complete.
    assert ok.exit_code == 1, ok.output
    assert str(pulled) in data["backend_detail"] and data["backend"] == "local"
    assert data["model_calls"] == 1 and data["status"] == "partial"
    assert [s["origin"] for s in data["steps"]] == ["model", "fallback"]
    assert (pulled / "adapter_model.safetensors").read_bytes() == (
        adapter / "adapter_model.safetensors"
    ).read_bytes()

    # Tampered in the cache: garbage that safetensors could not even parse. The refusal names
    # the modified file, so the check ran before any attempt to load the weights.
    weights = pulled / "adapter_model.safetensors"
    original = weights.read_bytes()
    weights.write_bytes(b"not safetensors at all")
    tampered = _generate(res.cid, base, ipfs_api)
    refused = json.loads(tampered.stdout)
    assert tampered.exit_code == 1 and refused["status"] == "error"  # VerificationError's exit code
    assert "modified since it was verified" in refused["error"]["message"] and refused["path"] is None

    weights.write_bytes(original)
    reg.revoke(signer.account, res.manifest_sha256, "bad adapter")
    revoked = _generate(res.cid, base, ipfs_api)
    refused = json.loads(revoked.stdout)
    assert (
        revoked.exit_code == 1
        and refused["status"] == "error"
        and "was revoked" in refused["error"]["message"]
    )
