"""Base model resolution: built-ins, local folders, hub ids, pickle refusal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chainllm.errors import BadInputError
from chainllm.model.bases import resolve_base
from chainllm.model.tiny import ensure_tiny


def test_unknown_base_name_lists_builtins() -> None:
    with pytest.raises(BadInputError, match=r"unknown base model 'llama-9000'.*smollm2-135m, tiny"):
        resolve_base("llama-9000")


def test_hub_id_while_offline_says_what_to_do() -> None:
    with pytest.raises(BadInputError) as err:
        resolve_base("meta-llama/Llama-2-7b-hf")
    text = str(err.value)
    assert "offline" in text and "local folder" in text and "smollm2-135m" in text


def test_folder_without_config_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match=r"no config\.json"):
        resolve_base(str(tmp_path))


def test_pickle_files_refused_unless_allowed(tmp_path: Path) -> None:
    tiny = ensure_tiny(["contract A { uint x; }\n"] * 20)
    folder = tmp_path / "model"
    folder.mkdir()
    for f in tiny.iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    (folder / "pytorch_model.bin").write_bytes(b"\x80\x04not really a pickle")
    with pytest.raises(BadInputError, match=r"pickle files \(pytorch_model.bin\).*--allow-pickle"):
        resolve_base(str(folder))
    assert resolve_base(str(folder), allow_pickle=True) == folder.resolve()


def test_tiny_preset_is_deterministic_and_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["pragma solidity ^0.8.20;\ncontract Token { mapping(address => uint256) balances; }\n"] * 30
    first = ensure_tiny(texts)
    assert ensure_tiny(texts) == first  # cache hit, same folder
    monkeypatch.setenv("CHAINLLM_CACHE_DIR", str(tmp_path / "other-cache"))
    second = ensure_tiny(texts)
    assert second != first
    for name in ("tokenizer.json", "model.safetensors", "config.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    cfg = json.loads((first / "config.json").read_text())
    assert cfg["model_type"] == "llama" and cfg["num_hidden_layers"] == 2


def test_tiny_loads_through_public_api() -> None:
    from chainllm.model import load_causal_lm

    model, tok = load_causal_lm("tiny")
    ids = tok("contract Vault { function withdraw() external {} }")["input_ids"]
    assert tok.decode(ids) == "contract Vault { function withdraw() external {} }"
    assert model.config.model_type == "llama" and not model.training


@pytest.mark.slow
def test_bundled_smollm2_converted_once_and_reused() -> None:
    import os

    import torch

    from chainllm.model import load_causal_lm, resolve_base

    folder = resolve_base("smollm2-135m")
    weights = folder / "model.safetensors"
    stamp = os.stat(weights).st_mtime_ns
    assert (
        not list(folder.glob("*.bin"))
        and json.loads((folder / "chainllm_base.json").read_text())["license"] == "Apache-2.0"
    )
    model, tok = load_causal_lm("smollm2-135m")
    assert model.config.num_hidden_layers == 30 and model.config.vocab_size == 49152
    assert "quantization_config" not in json.loads((folder / "config.json").read_text())
    # A pretrained model, not random weights: it predicts ordinary English continuations.
    enc = tok("The capital of France is", return_tensors="pt")
    with torch.no_grad():
        out = model(**enc, labels=enc["input_ids"])
    assert float(out.loss) < 6.0
    assert resolve_base("smollm2-135m") == folder and os.stat(weights).st_mtime_ns == stamp
