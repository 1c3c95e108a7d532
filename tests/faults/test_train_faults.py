"""`chainllm train generator` (the CLI, tiny preset) interrupted by SIGINT and then SIGKILL:
each rerun of the same command continues from the last checkpoint, and the final adapter is
byte-identical to an uninterrupted run's."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest

from chainllm.model.trainer import OUTPUT_FILES
from tests.faults.conftest import chainllm, spawn
from tests.model.corpus_fixture import make_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("corpus") / "oz-small")


def _args(corpus: Path, out: Path) -> list[str]:
    return ["train", "generator", "--base", "tiny", "--corpus", str(corpus), "--out", str(out),
            "--max-steps", "10", "--save-every", "2", "--eval-every", "5", "--eval-batches", "1",
            "--batch-size", "2", "--context-length", "64", "--warmup-steps", "1", "--threads", "1",
            "--precision", "fp32", "--patience", "0"]  # fmt: skip


def _interrupt_after(args: list[str], checkpoint: str, sig: signal.Signals) -> subprocess.Popen[str]:
    proc = spawn(*args)
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:  # not a TTY: one line per event, checkpoints included
        seen.append(line)
        if checkpoint in line:
            proc.send_signal(sig)
            break
    else:
        raise AssertionError(f"no {checkpoint} line before the run ended:\n{''.join(seen)[-2000:]}")
    proc.communicate(timeout=120)
    return proc


def test_interrupted_training_resumes_to_the_same_bytes(corpus: Path, tmp_path: Path) -> None:
    full = tmp_path / "full"
    done = chainllm(*_args(corpus, full))
    assert done.returncode == 0, done.stderr

    out = tmp_path / "interrupted"
    args = _args(corpus, out)
    stopped = _interrupt_after(args, "step-000002", signal.SIGINT)
    assert stopped.returncode == 130  # Ctrl-C: "interrupted", no traceback
    assert (out / "checkpoints" / "step-000002").is_dir()
    assert not (out / "adapter_model.safetensors").exists()  # never a final file from a partial run

    killed = _interrupt_after(args, "step-000006", signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL
    assert not (out / "adapter_model.safetensors").exists()

    resumed = chainllm(*args, "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert "resum" in resumed.stderr.lower()  # it said it continued, from step 6 or later
    assert json.loads(resumed.stdout)["metrics"]["steps"] == 10
    for name in OUTPUT_FILES:
        assert (out / name).read_bytes() == (full / name).read_bytes(), name
