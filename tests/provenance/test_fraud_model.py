"""Fraud models (the flat folder `chainllm train fraud` writes) publish, verify and pull like
adapters; the manifest records the kind, and manifests from before kinds still verify."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from chainllm.errors import BadInputError
from chainllm.provenance import fetch_adapter
from chainllm.provenance.manifest import (
    KIND_ADAPTER,
    KIND_FRAUD,
    MANIFEST_NAME,
    AdapterManifest,
    scan_folder,
)
from chainllm.provenance.publish import publish
from chainllm.provenance.verify import pull, verify

from .conftest import Env, run_cli, write_adapter

GBM_TXT = "tree\nversion=v4\nnum_class=1\nmax_feature_idx=3\nobjective=binary sigmoid:1\n\nend of trees\n"


def write_fraud_model(folder: Path, *, with_llm: bool = False) -> Path:
    """A small fraud model folder in the flat layout: LightGBM text, combiner, reports, card,
    and (with an LLM classifier) the LoRA adapter files beside them."""
    if with_llm:
        write_adapter(folder, weights_kb=64)
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "gbm.txt": GBM_TXT,
        "combine.json": json.dumps({"format_version": 1, "threshold": 0.5, "combiners": {"base": None}}),
        "eval.json": json.dumps({"auc": 0.91}),
        "eval.md": "# eval\n\nAUC 0.91\n",
        "train.json": json.dumps({"rows": 40, "seed": 0}),
        "README.md": "# fraud model\n",
        "training_config.json": json.dumps({"dataset": {"card_sha256": "cd" * 32}, "rounds": 3}),
        "metrics.json": json.dumps({"auc": 0.91, "f1": 0.8}),
    }
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def test_scan_recognises_a_fraud_model(tmp_path: Path) -> None:
    plain = scan_folder(write_fraud_model(tmp_path / "plain"), name="fraud", version="1").manifest
    assert plain.kind == KIND_FRAUD and plain.base_model is None
    assert {f.path for f in plain.files} >= {"gbm.txt", "combine.json", "eval.md", "metrics.json"}
    assert plain.dataset_card_sha256 == "cd" * 32 and plain.metrics == {"auc": 0.91, "f1": 0.8}
    assert json.loads(plain.to_bytes())["kind"] == KIND_FRAUD

    llm = scan_folder(write_fraud_model(tmp_path / "llm", with_llm=True), name="fraud", version="1").manifest
    assert llm.kind == KIND_FRAUD and llm.base_model == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert llm.file("adapter_model.safetensors") is not None

    lora = scan_folder(write_adapter(tmp_path / "lora"), name="lora", version="1").manifest
    assert lora.kind == KIND_ADAPTER


@pytest.mark.parametrize(
    ("remove", "message"),
    [
        (["gbm.txt"], "looks like a fraud model but has no gbm.txt"),
        (["combine.json"], "looks like a fraud model but has no combine.json"),
        (["adapter_model.safetensors"], "has adapter_config.json but no .safetensors weights"),
        (
            ["gbm.txt", "combine.json", "adapter_config.json"],
            "has .safetensors weights but no adapter_config",
        ),
        (
            ["gbm.txt", "combine.json", "adapter_config.json", "adapter_model.safetensors"],
            "is neither a LoRA adapter (adapter_config.json + .safetensors) nor a fraud model",
        ),
    ],
    ids=["no-gbm", "no-combine", "config-without-weights", "weights-without-config", "neither"],
)
def test_incomplete_folders_are_refused(tmp_path: Path, remove: list[str], message: str) -> None:
    folder = write_fraud_model(tmp_path / "m", with_llm=True)
    for name in remove:
        (folder / name).unlink()
    with pytest.raises(BadInputError, match=re.escape(message)):
        scan_folder(folder, name="m", version="1")


def test_fraud_model_round_trip(prov: Env, tmp_path: Path, unique: Callable[[str], str]) -> None:
    folder = write_fraud_model(tmp_path / "fraud-model")
    name = unique("fraud")
    node = ["--rpc", prov.rpc, "--ipfs", prov.ipfs_url]
    code, out, err = run_cli(["publish", str(folder), "--name", name, *node, "--json"])
    assert code == 0, err
    pub = json.loads(out)
    assert pub["kind"] == KIND_FRAUD and pub["files"] == 8

    v = verify(f"{name}@1", ipfs=prov.ipfs, registry=prov.registry, publisher=prov.alice.account.address)
    assert v.ok, v.checks
    assert next(c.detail for c in v.checks if c.name == "manifest").endswith("a fraud-model")
    assert v.to_dict()["kind"] == KIND_FRAUD
    pulled = pull(name, tmp_path / "pulled", ipfs=prov.ipfs, registry=prov.registry)
    assert pulled.ok
    for f in folder.iterdir():
        assert (tmp_path / "pulled" / f.name).read_bytes() == f.read_bytes()

    # What `chainllm score --adapter` uses: the kind is checked after every hash and the record.
    got = fetch_adapter(f"{name}@1", ipfs_url=prov.ipfs_url, rpc=prov.rpc, kind=KIND_FRAUD)
    assert (got / "gbm.txt").read_text() == GBM_TXT
    with pytest.raises(BadInputError, match=rf"{name}@1 is a fraud model, not a LoRA adapter"):
        fetch_adapter(f"{name}@1", ipfs_url=prov.ipfs_url, rpc=prov.rpc, kind=KIND_ADAPTER)


def test_manifest_from_before_kinds_still_verifies(
    prov: Env, adapter: Path, unique: Callable[[str], str]
) -> None:
    """Adapters published before ``kind`` existed: same bytes, same hash, still verified."""
    scanned = scan_folder(adapter, name=unique("old"), version="1")
    old = dataclasses.replace(scanned.manifest, kind=None)
    data = old.to_bytes()
    assert b'"kind"' not in data and AdapterManifest.from_bytes(data, source="old") == old
    cid, _ = prov.ipfs.add_directory([(n, adapter / n) for n in scanned.digests] + [(MANIFEST_NAME, data)])
    prov.registry.publish(
        prov.alice.account,
        name=old.name,
        version=old.version,
        cid=cid,
        base_model=old.base_model or "",
        manifest_sha256=old.sha256,
        dataset_card_sha256=old.dataset_card_sha256,
        metrics_sha256=old.metrics_sha256,
    )
    v = verify(cid, ipfs=prov.ipfs, registry=prov.registry)
    assert v.ok, v.checks
    assert v.manifest is not None and v.manifest.kind is None and v.manifest.content_kind == KIND_ADAPTER
    # Publishing the folder now makes a new manifest (with kind), so a new version is needed.
    with pytest.raises(BadInputError, match="already published with different content"):
        publish(
            adapter, ipfs=prov.ipfs, registry=prov.registry, signer=prov.alice, name=old.name, version="1"
        )
