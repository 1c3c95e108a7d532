"""A trained fraud model is a flat, publishable folder; `score --adapter CID` pulls it through
the provenance checks (real anvil registry + real IPFS node) and refuses tampered bytes."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from eth_account import Account

from chainllm.cli import cli
from chainllm.config import cache_dir
from chainllm.fraud.model import FraudModel
from chainllm.provenance.ipfs import IpfsClient
from chainllm.provenance.publish import PublishResult, publish
from chainllm.provenance.registry import (
    ANVIL_DEV_KEY,
    Registry,
    Signer,
    connect,
    deploy_registry,
    resolve_target,
)
from tests.fraud.conftest import FraudChain
from tests.fraud.rpc_stub import byte_flipping_ipfs

FLAT = {"gbm.txt", "gbm.json", "combine.json", "eval.json", "eval.md", "train.json", "README.md",
        "training_config.json", "metrics.json"}  # fmt: skip


@pytest.fixture(scope="module")
def published(
    fraud_chain: FraudChain, fraud_model: Path, ipfs_api: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[PublishResult, str]:
    """The session's fraud model published to a registry on the fraud chain."""
    w3, _ = connect(resolve_target(fraud_chain.url))
    signer = Signer(Account.from_key(ANVIL_DEV_KEY), "test")
    # The deployment record goes to a throwaway data dir: other tests' default registry for
    # chain 31337 stays theirs. Every call below names the registry explicitly.
    mp = pytest.MonkeyPatch()
    mp.setenv("CHAINLLM_DATA_DIR", str(tmp_path_factory.mktemp("registry-record")))
    try:
        address, _ = deploy_registry(w3, signer.account, fraud_chain.url)
    finally:
        mp.undo()
    registry = Registry(w3, address, rpc=fraud_chain.url)
    with IpfsClient(ipfs_api) as ipfs:
        res = publish(fraud_model, ipfs=ipfs, registry=registry, signer=signer, version="1")
    return res, str(address)


def test_model_folder_is_flat_with_provenance_files(fraud_chain: FraudChain, fraud_model: Path) -> None:
    names = {p.name for p in fraud_model.iterdir()}
    assert names >= FLAT and not [p for p in fraud_model.iterdir() if p.is_dir()]
    tc = json.loads((fraud_model / "training_config.json").read_text())
    manifest = fraud_chain.labels_dir / "manifest.json"
    assert tc["name"] and tc["version"] == "1"
    assert tc["dataset"]["card_sha256"] == hashlib.sha256(manifest.read_bytes()).hexdigest()
    metrics = json.loads((fraud_model / "metrics.json").read_text())
    report = json.loads((fraud_model / "eval.json").read_text())["splits"][0]["scorers"]["combined"]
    assert metrics["split"] == "implementation" and metrics["roc_auc"] == report["roc_auc"]


def test_old_layout_with_llm_subfolder_still_loads(fraud_model: Path, tmp_path: Path) -> None:
    old = tmp_path / "old"
    shutil.copytree(fraud_model, old)
    (old / "llm").mkdir()
    (old / "llm" / "adapter_config.json").write_text("{}")
    assert FraudModel.load(old).llm_dir == old / "llm"
    assert FraudModel.load(fraud_model).llm_dir is None


def _score(fraud_chain: FraudChain, h: str, *args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(cli, ["score", h, "--rpc", fraud_chain.url, "--json", "--no-cache", *args])
    return res.exit_code, res.stdout, res.stderr


def test_score_with_a_published_model_and_refuse_tampered_bytes(
    fraud_chain: FraudChain, fraud_model: Path, published: tuple[PublishResult, str], ipfs_api: str
) -> None:
    res, registry = published
    h = fraud_chain.first(label="malicious", subcategory="zero_value_transfer").tx_hash
    ref = ["--adapter", res.cid, "--registry", registry]
    shutil.rmtree(cache_dir() / "adapters" / res.cid, ignore_errors=True)

    # A node that flips one byte of the LightGBM export: refused, nothing cached, exit 3.
    with byte_flipping_ipfs(ipfs_api, "gbm.json") as liar:
        code, out, err = _score(fraud_chain, h, *ref, "--ipfs", liar)
    assert code != 0 and json.loads(out)["success"] is False  # the one JSON error shape, no score
    assert "gbm.json" in err and "refusing" in err, err
    assert not (cache_dir() / "adapters" / res.cid).exists()

    # The honest node: verified, then scored exactly like the local folder scores.
    code, out, err = _score(fraud_chain, h, *ref, "--ipfs", ipfs_api)
    assert code == 0, err
    local = CliRunner().invoke(
        cli, ["score", h, "--rpc", fraud_chain.url, "--json", "--model", str(fraud_model)]
    )
    pulled, mine = json.loads(out), json.loads(local.stdout)
    assert pulled["score"] == mine["score"] and pulled["verdict"] == mine["verdict"]
    assert pulled["model"]["cid"] == res.cid and pulled["model"]["name"] == res.name
    assert pulled["model"]["version"] == "1" and "cid" not in mine["model"]
    by_name = _score(fraud_chain, h, "--adapter", f"{res.name}@1", "--registry", registry, "--ipfs", ipfs_api)
    assert by_name[0] == 0 and json.loads(by_name[1])["score"] == mine["score"]

    # A byte flipped in the verified cache afterwards is caught on the next use.
    cached = cache_dir() / "adapters" / res.cid / "combine.json"
    data = bytearray(cached.read_bytes())
    data[5] ^= 0x01
    cached.write_bytes(bytes(data))
    code, out, err = _score(fraud_chain, h, *ref, "--ipfs", ipfs_api)
    assert (
        code != 0
        and json.loads(out)["error"]["code"] == "verification"
        and "was modified since it was verified" in err
    )


def test_adapter_and_model_are_exclusive(fraud_model: Path) -> None:
    res = CliRunner().invoke(
        cli,
        [
            "score",
            "0x" + "ab" * 32,
            "--model",
            str(fraud_model),
            "--adapter",
            "bafyx",
            "--rpc",
            "http://127.0.0.1:1",
        ],
    )
    assert res.exit_code == 2 and "not both" in res.stderr
