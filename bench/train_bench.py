"""Training throughput: chainllm's LoRA loop vs a minimal transformers Trainer + peft script.

Same base model, same packed blocks, same LoRA settings, batch, accumulation, schedule and
precision (fp32); each side runs in its own subprocess so peak memory is its own. Prints
tokens/s, peak RSS, the ratio, and generation tokens/s with the trained adapter.

    .venv/bin/python bench/train_bench.py [--base smollm2-135m] [--steps 6] [--batch 2] [--context 256]
    .venv/bin/python bench/train_bench.py --smoke   # tiny model, 2 steps of 64 tokens, for the test suite

Both sides get the same corpus (--corpus, default a small one built from the bundled
OpenZeppelin sources) and the same packed blocks.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
ARGS = argparse.Namespace(corpus=None)


def corpus_dir() -> Path:
    """The corpus both sides train on: --corpus, else a small one built from the bundled
    OpenZeppelin sources (bench/out/train-corpus) so a run takes minutes, not hours."""
    if ARGS.corpus:
        return Path(ARGS.corpus)
    from tests.model.corpus_fixture import make_corpus

    target = OUT / "train-corpus"
    if not (target / "dataset_card.json").is_file():
        make_corpus(target)
    return target


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_chainllm(args: argparse.Namespace) -> dict[str, Any]:
    from chainllm.model.lora import LoraSettings
    from chainllm.model.trainer import TrainConfig, train_generator

    cfg = TrainConfig(
        corpus=str(corpus_dir()), base=args.base, lora=LoraSettings(r=16, alpha=32, dropout=0.05),
        max_steps=args.steps, batch_size=args.batch, grad_accum=args.accum, context_length=args.context,
        learning_rate=2e-4, warmup_steps=1, eval_every=10**6, eval_batches=1, save_every=10**6,
        precision="fp32", patience=0,
    )  # fmt: skip
    out = OUT / f"train-bench-{args.base}"
    res = train_generator(cfg, out, resume=False)
    gen = generation_speed(args.base, out)
    return {"tokens_per_s": res.timing["tokens_per_s"], "peak_rss_mb": peak_rss_mb(),
            "train_seconds": res.timing["train_seconds"], **gen}  # fmt: skip


def generation_speed(base: str, adapter: Path) -> dict[str, Any]:
    import torch

    from chainllm.model import PromptStyle, load_causal_lm

    model, tok = load_causal_lm(base, adapter)
    enc = tok(
        PromptStyle().prompt("Write a Solidity contract named Vault that holds ether."), return_tensors="pt"
    )
    new = 48
    with torch.no_grad():
        model.generate(**enc, max_new_tokens=4, do_sample=False)  # warm-up
        t = time.perf_counter()
        out = model.generate(**enc, max_new_tokens=new, min_new_tokens=new, do_sample=False)
        secs = time.perf_counter() - t
    return {"generation_tokens_per_s": round((out.shape[1] - enc["input_ids"].shape[1]) / secs, 1)}


def run_peer(args: argparse.Namespace) -> dict[str, Any]:
    """What a user would write with the stock tools: Trainer + get_peft_model."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, Trainer, TrainingArguments

    from chainllm.model import load_tokenizer, resolve_base
    from chainllm.model.data import PromptStyle, build_pairs, collate, encode_pair, load_corpus, pack

    corpus = load_corpus(corpus_dir())
    # chainllm's tiny preset trains its tokenizer on the corpus; give the peer the same model.
    texts = [r["content"] for r in corpus.train] if args.base == "tiny" else None
    folder = resolve_base(args.base, tiny_texts=texts)
    tok = load_tokenizer(folder)
    encoded = [encode_pair(p, tok, PromptStyle()) for p in build_pairs(corpus.train)]
    blocks = pack(encoded, args.context, seed=0)

    class Blocks(torch.utils.data.Dataset):  # type: ignore[type-arg]
        def __len__(self) -> int:
            return len(blocks)

        def __getitem__(self, i: int) -> Any:
            return blocks[i]

    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    model.config.use_cache = False
    model = get_peft_model(model, LoraConfig(
        r=16, lora_alpha=32, lora_dropout=0.05, task_type="CAUSAL_LM",
        target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    ))  # fmt: skip
    targs = TrainingArguments(
        output_dir=str(OUT / "train-bench-peer"), per_device_train_batch_size=args.batch,
        gradient_accumulation_steps=args.accum, max_steps=args.steps, learning_rate=2e-4,
        lr_scheduler_type="cosine", warmup_steps=1, logging_steps=10**6, save_strategy="no",
        report_to=[], use_cpu=True, seed=0, dataloader_num_workers=0, disable_tqdm=True,
    )  # fmt: skip
    trainer = Trainer(model=model, args=targs, train_dataset=Blocks(),
                      data_collator=lambda b: collate(b, tok.pad_token_id))  # fmt: skip
    t = time.perf_counter()
    trainer.train()
    secs = time.perf_counter() - t
    tokens = args.steps * args.accum * args.batch * args.context
    return {
        "tokens_per_s": round(tokens / secs, 1),
        "peak_rss_mb": peak_rss_mb(),
        "train_seconds": round(secs, 2),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="smollm2-135m")
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--accum", type=int, default=1)
    ap.add_argument("--context", type=int, default=256)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--corpus", default=None, help="Corpus folder (default: small OpenZeppelin corpus).")
    ap.add_argument("--role", choices=["chainllm", "peer"], default=None, help=argparse.SUPPRESS)
    ap.add_argument(
        "--smoke", action="store_true", help="tiny model, 2 steps of 64 tokens, for the test suite"
    )
    args = ap.parse_args()
    if args.smoke:  # both roles see --smoke too (argv is passed on), so both get the same sizes
        args.base, args.steps, args.batch, args.accum, args.context = "tiny", 2, 1, 1, 64
    ARGS.corpus = args.corpus
    if args.role:
        import torch

        torch.set_num_threads(args.threads)
        result = run_chainllm(args) if args.role == "chainllm" else run_peer(args)
        print("RESULT " + json.dumps(result), flush=True)
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    corpus = corpus_dir()  # build once, before either side starts the clock
    env = {**os.environ, "CHAINLLM_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    results: dict[str, Any] = {}
    for role in ("peer", "chainllm"):
        cmd = [sys.executable, __file__, "--role", role, *sys.argv[1:]]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        lines = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
        if proc.returncode or not lines:
            print(f"{role} failed:\n{proc.stderr[-3000:]}", file=sys.stderr)
            return 1
        results[role] = json.loads(lines[-1][7:])
    ratio = results["chainllm"]["tokens_per_s"] / results["peer"]["tokens_per_s"]
    summary = {
        "base": args.base, "steps": args.steps, "batch": args.batch, "accum": args.accum,
        "context": args.context, "threads": args.threads, "precision": "fp32", "corpus": str(corpus),
        "chainllm": results["chainllm"], "peer_transformers_trainer": results["peer"],
        "train_tokens_per_s_ratio": round(ratio, 3),
    }  # fmt: skip
    print(json.dumps(summary, indent=2))
    print(f"chainllm/Trainer training tokens/s ratio: {ratio:.2f}x "
          f"({results['chainllm']['tokens_per_s']} vs {results['peer']['tokens_per_s']} tok/s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
