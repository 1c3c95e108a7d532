"""The one pickle rule (chainllm.io.PICKLE_SUFFIXES), applied wherever a file from outside is
read: publishing a fraud-model folder, loading a fraud model, a local base-model folder, a
LoRA adapter folder. Each refusal names the file, and publishing refuses before any upload."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from chainllm.cli import cli
from chainllm.errors import BadInputError
from chainllm.fraud.model import FraudModel
from chainllm.io import PICKLE_SUFFIXES, is_pickle_path
from chainllm.model.bases import resolve_base
from chainllm.model.loading import check_adapter_folder


def _fraud_model(folder: Path, extra: str) -> Path:
    folder.mkdir()
    (folder / "combine.json").write_text(json.dumps({"format_version": 1}))
    (folder / "gbm.txt").write_text("tree\n")
    (folder / "training_config.json").write_text(json.dumps({"name": "fm", "version": "1"}))
    (folder / extra).write_bytes(b"\x80\x04K\x01.")  # a real pickle stream (the int 1)
    return folder


@pytest.mark.parametrize("suffix", PICKLE_SUFFIXES)
def test_publishing_a_fraud_model_with_a_pickle_is_refused_naming_it(suffix: str, tmp_path: Path) -> None:
    folder = _fraud_model(tmp_path / "fraud-model", f"scaler{suffix}")
    # Dead services on purpose: the refusal must come before any of them is contacted.
    r = CliRunner().invoke(cli, ["publish", str(folder), "--rpc", "http://127.0.0.1:9", "--ipfs",
                                 "http://127.0.0.1:9", "--json"])  # fmt: skip
    assert r.exit_code == 2, r.stdout
    error = json.loads(r.stdout)["error"]
    assert error["code"] == "bad_input" and f"scaler{suffix} is a pickle-based file" in error["message"]


def test_every_reader_applies_the_same_rule(tmp_path: Path) -> None:
    model = _fraud_model(tmp_path / "model", "model.joblib")  # .joblib: once missed by one list
    with pytest.raises(BadInputError, match=r"model\.joblib"):
        FraudModel.load(model)

    base = tmp_path / "base"
    base.mkdir()
    (base / "config.json").write_text("{}")
    (base / "model.safetensors").write_bytes(b"")
    (base / "extra.npz").write_bytes(b"PK")  # .npz: also once missed
    with pytest.raises(BadInputError, match=r"extra\.npz"):
        resolve_base(str(base))

    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text("{}")
    (adapter / "adapter_model.safetensors").write_bytes(b"")
    (adapter / "optimizer.pt").write_bytes(b"\x80\x04.")
    with pytest.raises(BadInputError, match=r"optimizer\.pt"):
        check_adapter_folder(adapter)
    assert all(is_pickle_path(f"x{s.upper()}") for s in PICKLE_SUFFIXES)  # case does not matter
