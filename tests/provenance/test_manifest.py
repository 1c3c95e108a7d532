"""Manifest building: canonical, stable, and strict about what may be published."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from chainllm.errors import BadInputError, VerificationError
from chainllm.provenance.manifest import MANIFEST_NAME, AdapterManifest, canonical_json, scan_folder

from .conftest import write_adapter


def test_manifest_lists_every_file_and_the_provenance(adapter: Path) -> None:
    m = scan_folder(adapter, name="erc20-lora", version="1").manifest
    assert [f.path for f in m.files] == sorted(os.listdir(adapter))
    weights = m.file("adapter_model.safetensors")
    assert weights is not None and weights.size == (adapter / "adapter_model.safetensors").stat().st_size
    assert m.base_model == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert m.dataset_card_sha256 == "ab" * 32
    assert m.metrics == {"eval_loss": 1.25, "compile_rate": 0.5}
    assert m.metrics_sha256 is not None and m.training_config is not None and m.chainllm_version
    assert AdapterManifest.from_bytes(m.to_bytes(), source="t") == m


def test_manifest_is_stable_and_canonical(adapter: Path, tmp_path: Path) -> None:
    first = scan_folder(adapter, name="n", version="1").manifest
    # Same JSON content, different key order and whitespace: same manifest.
    cfg = json.loads((adapter / "training_config.json").read_text())
    (adapter / "training_config.json").write_text(json.dumps(dict(reversed(cfg.items())), indent=4))
    first_tc = first.training_config
    again = scan_folder(adapter, name="n", version="1").manifest
    assert again.training_config == first_tc
    assert again.metrics_sha256 == first.metrics_sha256
    # A pulled adapter carries a manifest: it is ignored and rebuilt, not listed.
    (adapter / MANIFEST_NAME).write_bytes(first.to_bytes())
    assert MANIFEST_NAME not in [f.path for f in scan_folder(adapter, name="n", version="1").manifest.files]
    assert canonical_json({"b": 1, "a": [1.5, "é"]}) == '{"a":[1.5,"é"],"b":1}'.encode()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: (d / "pytorch_model.bin").write_bytes(b"x"), "pickle-based"),
        (lambda d: (d / "notes.py").write_text("x"), "not an allowed adapter file type"),
        (lambda d: (d / "checkpoint-1").mkdir(), "subfolder"),
        (lambda d: (d / "link.json").symlink_to(d / "metrics.json"), "symlink"),
        (lambda d: (d / "adapter_config.json").unlink(), "no adapter_config.json"),
        (lambda d: (d / "adapter_model.safetensors").unlink(), "no .safetensors"),
        (lambda d: (d / "metrics.json").write_text("{nan"), "not readable JSON"),
    ],
    ids=["pickle", "other-type", "subfolder", "symlink", "no-config", "no-weights", "bad-json"],
)
def test_refuses_what_cannot_be_published(adapter: Path, make: object, message: str) -> None:
    make(adapter)  # type: ignore[operator]
    with pytest.raises(BadInputError, match=message):
        scan_folder(adapter, name="n", version="1")


def test_refuses_bad_names_and_missing_folder(tmp_path: Path) -> None:
    folder = write_adapter(tmp_path / "a")
    with pytest.raises(BadInputError, match="model name"):
        scan_folder(folder, name="../evil", version="1")
    with pytest.raises(BadInputError, match="version"):
        scan_folder(folder, name="ok", version="1 2")
    with pytest.raises(BadInputError, match="does not exist"):
        scan_folder(tmp_path / "missing")


def test_parse_rejects_edited_manifests(adapter: Path) -> None:
    m = scan_folder(adapter, name="n", version="1").manifest
    pretty = json.dumps(m.to_dict(), indent=2).encode()
    with pytest.raises(VerificationError, match="canonical"):
        AdapterManifest.from_bytes(pretty, source="x")
    with pytest.raises(VerificationError, match="schema"):
        AdapterManifest.from_bytes(canonical_json({"schema": "other"}), source="x")
    with pytest.raises(VerificationError, match="not valid JSON"):
        AdapterManifest.from_bytes(b"\xff", source="x")


def test_dataset_card_hash_comes_from_chainllm_training_config(adapter: Path) -> None:
    # `chainllm train generator` records the corpus card hash as dataset.card_sha256.
    card = "ab" * 32
    cfg = json.loads((adapter / "training_config.json").read_text())
    cfg.pop("dataset_card_sha256", None)
    cfg["dataset"] = {"name": "corpus", "card_sha256": card}
    (adapter / "training_config.json").write_text(json.dumps(cfg))
    assert scan_folder(adapter, name="n", version="1").manifest.dataset_card_sha256 == card
