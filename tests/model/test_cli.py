"""`chainllm train generator` and `chainllm eval generator` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from chainllm.cli import cli

TINY = ["--base", "tiny", "--context-length", "128", "--batch-size", "4", "--lr", "3e-3", "--precision", "fp32",
        "--warmup-steps", "1", "--lora-r", "8", "--lora-alpha", "16"]  # fmt: skip


def test_train_generator_json(corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "adapter"
    res = CliRunner().invoke(
        cli, ["train", "generator", "--corpus", str(corpus_dir), "--out", str(out), "--max-steps", "2",
              "--eval-every", "2", "--json", *TINY],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["out"] == str(out) and doc["metrics"]["steps"] == 2
    assert (out / "adapter_model.safetensors").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--base", "no-such-model"], "unknown base model 'no-such-model'"),
        (["--base", "meta-llama/Llama-2-7b-hf"], "chainllm is offline"),
        (["--corpus", "/nonexistent/corpus"], "corpus folder /nonexistent/corpus does not exist"),
        (["--quantize", "4bit", "--device", "cpu"], "needs a CUDA GPU"),
    ],
)
def test_train_generator_bad_input_one_line(
    args: list[str], message: str, corpus_dir: Path, tmp_path: Path
) -> None:
    base_args = ["train", "generator", "--corpus", str(corpus_dir), "--out", str(tmp_path / "o")]
    res = CliRunner().invoke(cli, [*base_args, "--base", "tiny", *args])
    assert res.exit_code == 2
    assert (
        message in res.stderr
        and len(res.stderr.strip().splitlines()) == 1
        and res.stderr.startswith("error:")
    )
    assert not (tmp_path / "o" / "adapter_model.safetensors").exists()


def test_eval_generator_perplexity_and_compile_rate(tiny_adapter: Path, corpus_dir: Path) -> None:
    res = CliRunner().invoke(
        cli, ["eval", "generator", "--adapter", str(tiny_adapter), "--corpus", str(corpus_dir), "--samples", "1",
              "--max-new-tokens", "24", "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["split"] == "test" and doc["files"] == 2 and doc["tokens"] > 1000
    assert doc["adapter_perplexity"] < doc["base_perplexity"] and doc["perplexity_drop_pct"] > 0
    # A 12-step tiny model does not write Solidity: the compile check says so honestly.
    assert doc["compile_rate"] == 0.0 and doc["samples"][0]["reason"]


def test_eval_refuses_adapter_with_pickles(tiny_adapter: Path, corpus_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad-adapter"
    bad.mkdir()
    for f in ("adapter_config.json", "adapter_model.safetensors"):
        (bad / f).write_bytes((tiny_adapter / f).read_bytes())
    (bad / "optimizer.pt").write_bytes(b"pickle")
    res = CliRunner().invoke(cli, ["eval", "generator", "--adapter", str(bad), "--corpus", str(corpus_dir)])
    assert (
        res.exit_code == 2 and "pickle files (optimizer.pt)" in res.stderr and "--allow-pickle" in res.stderr
    )
    res = CliRunner().invoke(
        cli, ["eval", "generator", "--adapter", str(tmp_path), "--corpus", str(corpus_dir)]
    )
    assert res.exit_code == 2 and "not a LoRA adapter folder" in res.stderr
