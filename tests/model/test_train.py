"""The training loop end to end on the tiny base: outputs, determinism, resume, bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chainllm.errors import BadInputError
from chainllm.model.trainer import OUTPUT_FILES, ResourceError, TrainEvent, train_generator
from tests.model.conftest import tiny_config


def test_output_folder_describes_itself_and_loads_with_peft(tiny_adapter: Path, corpus_dir: Path) -> None:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    for name in (*OUTPUT_FILES, "timing.json"):
        assert (tiny_adapter / name).is_file(), name
    assert not [p for p in tiny_adapter.iterdir() if p.suffix in (".bin", ".pt")]
    cfg = json.loads((tiny_adapter / "adapter_config.json").read_text())
    assert cfg["base_model_name_or_path"] == "tiny" and cfg["r"] == 8
    assert cfg["target_modules"] == sorted(cfg["target_modules"])
    metrics = json.loads((tiny_adapter / "metrics.json").read_text())
    assert metrics["steps"] == 12 and [h["step"] for h in metrics["history"]] == [0, 6, 12]
    # The adapter learnt something on held-out clusters: validation loss below the base's.
    assert metrics["val_loss"] < metrics["base_val_loss"] and metrics["val_perplexity_drop_pct"] > 0
    card = (tiny_adapter / "README.md").read_text()
    assert card.startswith("---\nbase_model: tiny\nlibrary_name: peft\n") and "dataset card sha256" in card
    tc = json.loads((tiny_adapter / "training_config.json").read_text())
    card_hash = json.loads((corpus_dir / "dataset_card.json").read_text())["content_sha256"]
    assert tc["dataset"]["card_sha256"] == card_hash and card_hash in card
    assert tc["dataset"]["licenses"] == {"MIT": 10}
    assert json.loads((tiny_adapter / "prompt_style.json").read_text())["name"] == "chainllm-v1"
    # Plain PEFT loads it on the same base.
    base = AutoModelForCausalLM.from_pretrained(_tiny_base(tc))
    model = PeftModel.from_pretrained(base, tiny_adapter)
    ids = torch.tensor([[1, 5, 6, 7]])
    with torch.no_grad():
        with model.disable_adapter():
            plain = model(input_ids=ids).logits
        adapted = model(input_ids=ids).logits
    assert not torch.allclose(plain, adapted)


def _tiny_base(tc: dict[str, Any]) -> Path:
    from chainllm.model.bases import models_dir

    return models_dir() / f"tiny-{tc['base']['text_key']}"


def test_same_inputs_give_byte_identical_outputs(corpus_dir: Path, tmp_path: Path) -> None:
    cfg = tiny_config(corpus_dir, max_steps=3, eval_every=3, save_every=3)
    a = train_generator(cfg, tmp_path / "a").out
    b = train_generator(cfg, tmp_path / "b").out
    for name in OUTPUT_FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


class _Kill(Exception):
    pass


def test_resume_after_kill_matches_uninterrupted_run(corpus_dir: Path, tmp_path: Path) -> None:
    cfg = tiny_config(corpus_dir)
    full = train_generator(cfg, tmp_path / "full").out

    def kill_at_5(e: TrainEvent) -> None:
        if e.kind == "step" and e.step == 5:
            raise _Kill  # the process dies between checkpoint 4 and 6

    with pytest.raises(_Kill):
        train_generator(cfg, tmp_path / "resumed", on_event=kill_at_5)
    assert not (tmp_path / "resumed" / "adapter_model.safetensors").exists()
    events: list[TrainEvent] = []
    resumed = train_generator(cfg, tmp_path / "resumed", on_event=events.append).out
    assert events[0].kind == "resume" and events[0].step == 4
    assert [e.step for e in events if e.kind == "step"] == [5, 6]
    for name in OUTPUT_FILES:
        assert (full / name).read_bytes() == (resumed / name).read_bytes(), name


def test_corrupted_checkpoint_is_reported(corpus_dir: Path, tmp_path: Path) -> None:
    cfg = tiny_config(corpus_dir, max_steps=2)
    out = train_generator(cfg, tmp_path / "run").out
    ckpt = out / "checkpoints" / "step-000002"
    data = bytearray((ckpt / "optimizer.safetensors").read_bytes())
    data[-5] ^= 0xFF
    (ckpt / "optimizer.safetensors").write_bytes(bytes(data))
    with pytest.raises(BadInputError, match=r"checkpoint .*step-000002 is corrupted.*--restart"):
        train_generator(cfg, out)
    train_generator(cfg, out, resume=False)  # --restart starts over
    assert (out / "checkpoints" / "step-000002" / "trainer_state.json").is_file()


def test_checkpoints_of_another_config_are_not_mixed(corpus_dir: Path, tmp_path: Path) -> None:
    out = train_generator(tiny_config(corpus_dir, max_steps=2), tmp_path / "run").out
    with pytest.raises(BadInputError, match="different training config"):
        train_generator(tiny_config(corpus_dir, max_steps=2, learning_rate=1e-3), out)


def test_settings_that_cannot_fit_in_memory_get_advice(corpus_dir: Path, tmp_path: Path) -> None:
    cfg = tiny_config(corpus_dir, batch_size=4096, context_length=2048)
    with pytest.raises(ResourceError, match=r"need about .* GiB.*lower --batch-size"):
        train_generator(cfg, tmp_path / "oom")
    assert not (tmp_path / "oom" / "adapter_model.safetensors").exists()


def test_a_real_allocation_failure_is_recognised_as_out_of_memory() -> None:
    import torch

    from chainllm.model.trainer import _is_oom

    with pytest.raises(RuntimeError) as err:
        torch.empty(2**50, dtype=torch.uint8)  # 1 PiB: the allocator refuses
    assert _is_oom(err.value)
    assert not _is_oom(RuntimeError("shape mismatch")) and not _is_oom(ValueError("out of range"))


def test_eta_counts_remaining_training_and_evaluations(corpus_dir: Path) -> None:
    from chainllm.model.trainer import eta_seconds, evals_left

    cfg = tiny_config(corpus_dir, max_steps=48, eval_every=16, batch_size=2, context_length=512)
    assert [evals_left(s, cfg) for s in (0, 1, 16, 47, 48)] == [3, 3, 2, 1, 0]
    # 47 steps x 1,024 tokens at 64 tok/s, plus 3 evaluations of 30 s each
    assert eta_seconds(1, cfg, 64.0, 30.0) == pytest.approx(47 * 1024 / 64 + 90)
    assert eta_seconds(1, cfg, 64.0, 30.0, world=2) == pytest.approx(2 * 47 * 1024 / 64 + 90)
    assert eta_seconds(1, cfg, 0.0, 30.0) is None and eta_seconds(48, cfg, 64.0, 30.0) == 0


def test_bad_hyperparameters_reported_together(corpus_dir: Path) -> None:
    with pytest.raises(BadInputError) as err:
        tiny_config(corpus_dir, max_steps=0, learning_rate=5.0)
    assert "--max-steps" in str(err.value) and "--learning-rate" in str(err.value)


KILL_SCRIPT = """
import sys, torch
from pathlib import Path
torch.set_num_threads(1)
from tests.model.conftest import tiny_config
from chainllm.model.trainer import train_generator
cfg = tiny_config(Path(sys.argv[1]), max_steps=10, eval_every=5, save_every=2)
def slow(e):
    print(e.kind, e.step, flush=True)
    if e.kind == "step":
        import time; time.sleep(0.2)
train_generator(cfg, Path(sys.argv[2]), on_event=slow)
"""


def test_sigkill_mid_run_then_resume(corpus_dir: Path, tmp_path: Path) -> None:
    """A real SIGKILL (no cleanup code runs): checkpoints stay whole and the run resumes."""
    import os
    import signal
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    script = tmp_path / "run.py"
    script.write_text(KILL_SCRIPT)
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, str(script), str(corpus_dir), str(out)], cwd=root,
                            env={**os.environ, "PYTHONPATH": str(root)}, stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("checkpoint 4"):
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert not (out / "adapter_model.safetensors").exists()
    events: list[TrainEvent] = []
    cfg = tiny_config(corpus_dir, max_steps=10, eval_every=5, save_every=2)
    train_generator(cfg, out, on_event=events.append)
    assert events[0].kind == "resume" and events[0].step >= 4
    assert json.loads((out / "metrics.json").read_text())["steps"] == 10


def test_early_stopping_keeps_the_best_adapter(corpus_dir: Path, tmp_path: Path) -> None:
    from safetensors.torch import load_file

    # A learning rate this small cannot improve validation loss measurably: training must stop
    # after `patience` evaluations and ship the best state seen (the untouched identity LoRA),
    # not the last one.
    cfg = tiny_config(corpus_dir, max_steps=20, learning_rate=1e-9, eval_every=1, patience=2, warmup_steps=0)
    res = train_generator(cfg, tmp_path / "es")
    m = res.metrics
    assert m["steps"] == 2 and m["stop_reason"].startswith("early stopping")
    assert m["val_loss"] == m["base_val_loss"] and [h["step"] for h in m["history"]] == [0, 1, 2]
    weights = load_file(tmp_path / "es" / "adapter_model.safetensors")
    assert all(float(t.abs().max()) == 0.0 for k, t in weights.items() if "lora_B" in k)


def test_training_never_touches_the_network(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even with hub access allowed, training a built-in base makes no HTTP request (peft's
    'auto' embedding check would look the base name up on the hub)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import huggingface_hub.constants as hub_constants

    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:
            seen.append(self.path)
            self.send_response(404)
            self.end_headers()

        do_GET = do_HEAD

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(hub_constants, "ENDPOINT", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    try:
        train_generator(tiny_config(corpus_dir, max_steps=2), tmp_path / "net")
    finally:
        server.shutdown()
    assert seen == []


def test_public_loader_puts_a_tiny_adapter_on_its_own_base(tiny_adapter: Path) -> None:
    """The tiny tokenizer is trained on the training corpus, so the loader must find that
    exact build, not the default tiny preset with a different vocabulary."""
    import torch
    from safetensors.torch import load_file

    from chainllm.model import PromptStyle, load_causal_lm

    tc = json.loads((tiny_adapter / "training_config.json").read_text())
    model, tok = load_causal_lm(adapter=tiny_adapter)
    base_emb = load_file(_tiny_base(tc) / "model.safetensors")["model.embed_tokens.weight"]
    assert torch.equal(model.get_input_embeddings().weight, base_emb)
    enc = tok(
        PromptStyle.load(tiny_adapter).prompt("Write a Solidity contract named Vault."), return_tensors="pt"
    )
    out = model.generate(**enc, max_new_tokens=5, do_sample=False)
    assert out.shape[1] == enc["input_ids"].shape[1] + 5


def test_the_run_that_builds_the_base_trains_like_later_runs(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building the tiny base on first use draws from torch's RNG; the trainer seeds after it,
    so the first run (base built) and the next (base cached) give the same bytes."""
    monkeypatch.setenv("CHAINLLM_CACHE_DIR", str(tmp_path / "empty-cache"))
    cfg = tiny_config(corpus_dir, max_steps=2, eval_every=2, save_every=2)
    first = train_generator(cfg, tmp_path / "first").out
    second = train_generator(cfg, tmp_path / "second").out
    for name in OUTPUT_FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
