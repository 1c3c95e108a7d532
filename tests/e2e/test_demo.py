"""The main job end to end on the smallest settings, as `chainllm demo --small` runs it:
real anvil, real IPFS node, real solcjs + Slither, the tiny model. Every artefact must exist
and the published adapter must verify."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from chainllm.services import manager


def test_demo_small_end_to_end(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CHAINLLM_DATA_DIR": str(tmp_path / "data"),
        "CHAINLLM_CACHE_DIR": os.environ["CHAINLLM_CACHE_DIR"],
    }
    workdir = tmp_path / "demo"
    cmd = [
        sys.executable, "-m", "chainllm", "demo", "--small", "--workdir", str(workdir),
        "--anvil-port", str(manager.free_port()), "--ipfs-port", str(manager.free_port()), "--json",
    ]  # fmt: skip
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1500)
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = json.loads(proc.stdout)
    stages = {s["name"]: s for s in doc["stages"]}
    assert list(stages) == [
        "simulate", "crawl-txs", "train-fraud", "build-corpus", "train-generator",
        "registry", "publish", "verify", "generate", "publish-fraud-model", "score",
    ]  # fmt: skip
    for name in (
        "labels/tx_labels.parquet",
        "crawl",
        "fraud-model/eval.json",
        "corpus/dataset_card.json",
        "adapter/adapter_model.safetensors",
        "Acme.sol",
    ):
        assert (workdir / name).exists(), name
    scores = stages["score"]["output"]
    assert len(scores) == 2 and all(s["verdict"] in {"benign", "suspicious", "malicious"} for s in scores)
    gen = stages["generate"]["output"]
    assert gen["compiled"] is True and gen["solc_version"]
    assert stages["verify"]["output"]["ok"] is True
    # Generation and scoring loaded their models by CID, through the verified pull cache.
    pulled = Path(env["CHAINLLM_CACHE_DIR"]) / "adapters"
    for stage in ("publish", "publish-fraud-model"):
        cid = stages[stage]["output"]["cid"]
        assert (pulled / cid / "chainllm-manifest.json").is_file(), stage
    # The services it started are stopped again.
    for name in ("anvil", "ipfs"):
        assert not manager.status(name, data_dir=tmp_path / "data").running
    # A second run skips every finished stage.
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert all(s["skipped"] for s in json.loads(again.stdout)["stages"])
