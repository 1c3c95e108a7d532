"""`chainllm train generator` and `chainllm eval lm` through the real CLI."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from chainllm.cli import cli

TINY = ["--base", "tiny", "--context-length", "128", "--batch-size", "4", "--lr", "3e-3", "--precision", "fp32",
        "--warmup-steps", "1", "--lora-r", "8", "--lora-alpha", "16"]  # fmt: skip


def test_train_generator_json(corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "adapter"
    args = ["train", "generator", "--corpus", str(corpus_dir), "--out", str(out), "--max-steps", "2",
            "--eval-every", "2", "--json", *TINY]  # fmt: skip
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["out"] == str(out) and doc["metrics"]["steps"] == 2
    assert (out / "adapter_model.safetensors").is_file()
    # The plan up front, and an ETA as soon as the first step is timed.
    assert "plan: 2 steps x 512 tokens" in res.stderr
    assert re.search(r"^step 1/2  loss [\d.]+  \d+ tok/s  ETA \d+:\d\d$", res.stderr, re.M), res.stderr
    # A corrupted checkpoint: the rerun that would resume says so in one line, exit 2.
    state = out / "checkpoints" / "step-000002" / "trainer_state.json"
    state.write_text(state.read_text()[:-20])
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1
    assert "step-000002 is corrupted" in res.stderr and "--restart" in res.stderr


def _empty_corpus(tmp: Path) -> list[str]:
    (tmp / "empty" / "data").mkdir(parents=True)
    return ["--corpus", str(tmp / "empty")]


def _pickled_base(tmp: Path) -> list[str]:
    (tmp / "base").mkdir()
    (tmp / "base" / "config.json").write_text('{"model_type": "llama"}')
    (tmp / "base" / "pytorch_model.bin").write_bytes(b"\x80\x04pickle")
    return ["--base", str(tmp / "base")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--base", "no-such-model"], "unknown base model 'no-such-model'"),
        (["--base", "meta-llama/Llama-2-7b-hf"], "chainllm is offline"),
        (["--corpus", "/nonexistent/corpus"], "corpus folder /nonexistent/corpus does not exist"),
        (_empty_corpus, "has no training rows"),
        (_pickled_base, "pickle files (pytorch_model.bin)"),
        (["--batch-size", "4096", "--context-length", "2048"], "GiB is free (lower --batch-size"),
        (["--quantize", "4bit", "--device", "cpu"], "needs a CUDA GPU"),
    ],
)
def test_train_generator_bad_input_one_line(
    args: list[str] | Callable[[Path], list[str]], message: str, corpus_dir: Path, tmp_path: Path
) -> None:
    base_args = ["train", "generator", "--corpus", str(corpus_dir), "--out", str(tmp_path / "o")]
    extra = args(tmp_path) if callable(args) else args
    res = CliRunner().invoke(cli, [*base_args, "--base", "tiny", *extra])
    assert res.exit_code == 2
    assert (
        message in res.stderr
        and len(res.stderr.strip().splitlines()) == 1
        and res.stderr.startswith("error:")
    )
    assert not (tmp_path / "o" / "adapter_model.safetensors").exists()


def test_eval_generator_perplexity(tiny_adapter: Path, corpus_dir: Path) -> None:
    # The compile rate has its own tests (test_evaluate.py); --samples 0 skips it.
    res = CliRunner().invoke(
        cli, ["eval", "lm", "--adapter", str(tiny_adapter), "--corpus", str(corpus_dir), "--samples", "0",
              "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["split"] == "test" and doc["files"] == 2 and doc["tokens"] > 1000
    assert doc["adapter_perplexity"] < doc["base_perplexity"] and doc["perplexity_drop_pct"] > 0
    assert doc["samples"] == [] and doc["compile_rate"] is None


def test_eval_refuses_adapter_with_pickles(tiny_adapter: Path, corpus_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad-adapter"
    bad.mkdir()
    for f in ("adapter_config.json", "adapter_model.safetensors"):
        (bad / f).write_bytes((tiny_adapter / f).read_bytes())
    (bad / "optimizer.pt").write_bytes(b"pickle")
    res = CliRunner().invoke(cli, ["eval", "lm", "--adapter", str(bad), "--corpus", str(corpus_dir)])
    assert (
        res.exit_code == 2 and "pickle files (optimizer.pt)" in res.stderr and "--allow-pickle" in res.stderr
    )
    res = CliRunner().invoke(cli, ["eval", "lm", "--adapter", str(tmp_path), "--corpus", str(corpus_dir)])
    assert res.exit_code == 2 and "not a LoRA adapter folder" in res.stderr
