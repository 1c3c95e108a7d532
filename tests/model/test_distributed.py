"""The multi-process path (what `accelerate launch` runs on GPUs) exercised with 2 CPU ranks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys, json, torch
from pathlib import Path
torch.set_num_threads(1)
from tests.model.conftest import tiny_config
from chainllm.model.trainer import train_generator
r = train_generator(tiny_config(Path(sys.argv[1]), max_steps=2, eval_every=2, save_every=2), Path(sys.argv[2]))
import os
rank = os.environ["RANK"]
Path(sys.argv[2] + f".rank{rank}.json").write_text(json.dumps({"val": r.metrics["val_loss"], "timing": r.timing}))
"""


def test_two_ranks_share_batches_and_one_writes(corpus_dir: Path, tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "ACCELERATE_USE_CPU": "1", "OMP_NUM_THREADS": "1", "PYTHONPATH": str(root)}
    out = tmp_path / "ddp"
    script = tmp_path / "run.py"
    script.write_text(SCRIPT)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           str(script), str(corpus_dir), str(out)]  # fmt: skip
    proc = subprocess.run(cmd, env=env, cwd=root, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-6000:]
    results = [json.loads((tmp_path / f"ddp.rank{r}.json").read_text()) for r in (0, 1)]
    assert results[0]["val"] == results[1]["val"]  # replicas stayed in sync
    main = next(r for r in results if r["timing"])
    assert main["timing"]["tokens_seen_this_session"] == 2 * 2 * 4 * 128  # 2 steps x 2 ranks x batch 4 x 128
    assert (out / "adapter_model.safetensors").is_file() and (out / "checkpoints" / "step-000002").is_dir()
