"""Every benchmark in bench/ keeps running: its ``--smoke`` mode (tiny sizes) completes in a
subprocess and prints its ratio against the peer. Timings are never checked here.

Benchmarks are discovered from bench/*.py, so a new one is covered (and must have a --smoke
mode) as soon as it lands. gpu_lora_check.py needs a CUDA GPU and is skipped without one.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHES = sorted(p for p in (ROOT / "bench").glob("*.py") if not p.name.startswith("_"))
GPU_ONLY = {"gpu_lora_check.py"}
# Benchmarks whose peer is a row of their own table rather than a printed ratio.
NO_RATIO = {"fraud_ablation.py": "feature ablation: the peer is the '(none)' row, reported as AUC/FPR/recall"}
# How each benchmark states its result against the peer: "ratio ...", "speed-up ... 3.1x",
# "= 12.0x the unchecked generation", "extra time: -18.8%" (overhead over the peer).
RATIO = re.compile(r"\bratio\b|speed-up|\d+(?:\.\d+)?x\b|extra time: [-+]?\d", re.IGNORECASE)


def _has_cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def test_benchmarks_are_discovered() -> None:
    assert len(BENCHES) >= 7, [p.name for p in BENCHES]


@pytest.mark.slow
@pytest.mark.parametrize("bench", BENCHES, ids=[p.stem for p in BENCHES])
def test_smoke_mode_runs_and_prints_its_ratio(bench: Path) -> None:
    if bench.name in GPU_ONLY and not _has_cuda():
        pytest.skip(f"{bench.name} needs a CUDA GPU")
    text = bench.read_text()
    assert "--smoke" in text, f"{bench.name} has no --smoke mode: add one (tiny sizes, a few seconds)"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}  # the session's cache dir: compilers, tiny model
    proc = subprocess.run(
        [sys.executable, str(bench), "--smoke"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    tail = (proc.stdout + proc.stderr)[-3000:]
    assert proc.returncode == 0, f"{bench.name} --smoke exited {proc.returncode}:\n{tail}"
    if bench.name not in NO_RATIO:
        assert RATIO.search(proc.stdout), f"{bench.name} --smoke printed no ratio:\n{tail}"
