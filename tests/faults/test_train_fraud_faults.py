"""`chainllm train fraud` (real anvil, simulated labels, LightGBM) interrupted by SIGINT and by
SIGKILL while it fetches chain data: no model folder is left that looks complete, and the
same command then writes a model identical to an uninterrupted run's (it has no checkpoints:
its fit takes seconds, the fetched data is cached, and the folder is renamed into place)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from pathlib import Path

from tests.faults.conftest import OwnService, chainllm, spawn
from tests.faults.killproxy import kill_proxy

TIMING_KEYS = {"fetch_s", "out", "seconds", "train_s", "features_s"}


def _model_files(folder: Path) -> dict[str, object]:
    out: dict[str, object] = {}
    for f in sorted(folder.iterdir()):
        if f.name == "train.json":  # timings and the output path differ by nature
            out[f.name] = {k: v for k, v in json.loads(f.read_text()).items() if k not in TIMING_KEYS}
        else:
            out[f.name] = f.read_bytes()
    return out


def _interrupted(
    base: list[str], node: str, out: Path, env: dict[str, str], sig: signal.Signals
) -> tuple[subprocess.Popen[str], str]:
    """Run ``base`` through a proxy that sends ``sig`` to the run at its 3rd RPC post."""
    holder: dict[str, subprocess.Popen[str]] = {}
    seen = {"n": 0}
    ready = threading.Event()

    def nth_request(_path: str, _body: bytes) -> bool:
        seen["n"] += 1
        return seen["n"] == 3  # past the chain probe, into the data fetch (batched posts)

    def interrupt() -> None:
        ready.wait(10)
        os.kill(holder["p"].pid, sig)

    with kill_proxy(node, trigger=nth_request, kill=interrupt, forward_first=True) as rpc:
        holder["p"] = spawn(*base, "--rpc", rpc, "--out", str(out), env=env)
        ready.set()
        _out, err = holder["p"].communicate(timeout=120)
    return holder["p"], err


def test_interrupted_fraud_training_leaves_nothing_and_reruns_to_the_same_model(
    own_anvil: OwnService, tmp_path: Path
) -> None:
    labels = tmp_path / "labels"
    sim = chainllm(
        "simulate", "--rpc", own_anvil.url, "--seed", "3", "--txs", "80", "--out", str(labels), "--json"
    )
    assert sim.returncode == 0, sim.stderr
    base = ["train", "fraud", "--labels", str(labels), "--no-llm", "--json"]
    env = {"CHAINLLM_CACHE_DIR": str(tmp_path / "cache-a")}
    full = chainllm(*base, "--rpc", own_anvil.url, "--out", str(tmp_path / "full"), env=env)
    assert full.returncode == 0, full.stderr

    out = tmp_path / "interrupted"
    env = {"CHAINLLM_CACHE_DIR": str(tmp_path / "cache-b")}
    for sig, code in ((signal.SIGINT, 130), (signal.SIGKILL, -signal.SIGKILL)):
        proc, err = _interrupted(base, own_anvil.url, out, env, sig)
        assert proc.returncode == code, err
        assert not (out / "combine.json").exists()  # never a model folder that looks complete

    again = chainllm(*base, "--rpc", own_anvil.url, "--out", str(out), env=env)
    assert again.returncode == 0, again.stderr
    assert _model_files(out) == _model_files(tmp_path / "full")
