"""Constrained decoding engines for the model's IR fill, on the same model, prompt and requests.

    .venv/bin/python bench/fill_bench.py [--engines llguidance,xgrammar,outlines,transformers-cfg,none] [--json]
    .venv/bin/python bench/fill_bench.py --smoke   # 2 requests, llguidance + unconstrained

Requests: tests/fixtures/fill_eval.jsonl (24 requests with the expected kind, written before
chainllm/generate/fill.py). Model: the bundled SmolLM2-135M-Instruct, greedy, 1 thread.
Peer: the same model without constraints ("none"). Per engine: valid-JSON rate, schema-valid
rate, kind accuracy, name accuracy (requests that name the contract), ms per IR (generation
with the constraint, after a one-off setup that is reported apart), setup seconds.
Not part of pytest. Engines that are not installed are reported as such.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chainllm.generate import fill  # noqa: E402
from chainllm.generate.backends import LocalBackend  # noqa: E402

EVAL = ROOT / "tests" / "fixtures" / "fill_eval.jsonl"
ENGINES = ("llguidance", "xgrammar", "outlines", "transformers-cfg", "none")


def _gbnf(choices: tuple[str, ...]) -> str:
    kinds = " | ".join(f'"{k}"' for k in choices)
    return (
        'root ::= "{\\"kind\\": \\"" kind "\\", \\"name\\": \\"" name "\\"}"\n'
        f"kind ::= {kinds}\n"
        "name ::= [A-Z] [A-Za-z0-9] [A-Za-z0-9] [A-Za-z0-9]*\n"
    )


def _processor_factory(engine: str, tok: Any, model: Any, schema: dict[str, Any]) -> Callable[[], Any] | None:
    """A function returning a fresh LogitsProcessor per request (None: unconstrained)."""
    vocab = int(model.config.vocab_size)
    if engine == "none":
        return None
    if engine == "llguidance":
        fill.llguidance_processor(tok, schema, vocab)  # builds the tokenizer table once: setup, not per IR
        return lambda: fill.llguidance_processor(tok, schema, vocab)
    if engine == "xgrammar":
        import xgrammar as xgr
        from xgrammar.contrib.hf import LogitsProcessor

        info = xgr.TokenizerInfo.from_huggingface(tok, vocab_size=vocab)
        compiled = xgr.GrammarCompiler(info).compile_json_schema(json.dumps(schema), any_whitespace=False)
        return lambda: LogitsProcessor(compiled)
    if engine == "transformers-cfg":
        from transformers_cfg.generation.logits_process import GrammarConstrainedLogitsProcessor
        from transformers_cfg.grammar_utils import IncrementalGrammarConstraint

        text = _gbnf(tuple(schema["properties"]["kind"]["enum"]))
        return lambda: GrammarConstrainedLogitsProcessor(IncrementalGrammarConstraint(text, "root", tok))
    raise ValueError(engine)


def run_engine(engine: str, backend: LocalBackend, rows: list[dict[str, Any]]) -> dict[str, Any]:
    import torch

    tok, model = backend.tokenizer, backend.model
    schema = fill.schema()
    t0 = time.perf_counter()
    try:
        if engine == "outlines":
            import outlines

            om = outlines.from_transformers(model, tok)
            gen = outlines.Generator(om, outlines.json_schema(json.dumps(schema)))
            factory = None
        else:
            factory = _processor_factory(engine, tok, model, schema)
    except ImportError as exc:
        return {"engine": engine, "error": f"not installed ({exc})"}
    setup = time.perf_counter() - t0
    out: list[dict[str, Any]] = []
    for r in rows:
        msgs = fill.messages(r["request"])
        t1 = time.perf_counter()
        try:
            if engine == "outlines":
                prompt = tok.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True)
                text = str(gen(prompt, max_new_tokens=fill.MAX_TOKENS, do_sample=False))
            else:
                ids = backend._prompt_ids(msgs)
                kw: dict[str, Any] = {"logits_processor": [factory()]} if factory else {}
                with torch.inference_mode():
                    seq = model.generate(
                        ids,
                        attention_mask=torch.ones_like(ids),
                        max_new_tokens=fill.MAX_TOKENS,
                        do_sample=False,
                        pad_token_id=tok.eos_token_id,
                        **kw,
                    )
                text = tok.decode(seq[0, ids.shape[1] :], skip_special_tokens=True)
            err = ""
        except Exception as exc:  # a crashing engine is a result, not a reason to stop
            text, err = "", f"{type(exc).__name__}: {str(exc)[:100]}"
        ms = (time.perf_counter() - t1) * 1000
        out.append({"id": r["id"], "text": text, "ms": ms, "error": err, **_score(text, r["expect"])})
    n = len(out)
    named = [o for o, r in zip(out, rows, strict=True) if r["expect"]["name"]]
    return {
        "engine": engine,
        "setup_s": round(setup, 2),
        "valid_json": sum(o["json"] for o in out) / n,
        "schema_valid": sum(o["schema"] for o in out) / n,
        "kind_acc": sum(o["kind_ok"] for o in out) / n,
        "name_acc": (sum(o["name_ok"] for o in named) / len(named)) if named else None,
        "ms_per_ir": round(statistics.median(o["ms"] for o in out)),
        "errors": sorted({o["error"] for o in out if o["error"]})[:2],
        "answers": {o["id"]: o["text"][:80] for o in out},
    }


def _score(text: str, expect: dict[str, Any]) -> dict[str, bool]:
    try:
        data = json.loads(text)
        ok_json = True
    except ValueError:
        data, ok_json = None, False
    ok_schema = False
    kind = name = None
    if isinstance(data, dict):
        kind, name = data.get("kind"), data.get("name")
        ok_schema = (
            set(data) == {"kind", "name"}
            and kind in fill.kind_choices()
            and isinstance(name, str)
            and bool(re.fullmatch(fill.NAME_PATTERN, name))
        )
    return {
        "json": ok_json,
        "schema": ok_schema,
        "kind_ok": kind == expect["kind"],
        "name_ok": bool(expect["name"]) and name == expect["name"],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--limit", type=int, default=0, help="first N requests only")
    ap.add_argument("--progress", type=Path, help="append each engine's result here as one JSON line")
    args = ap.parse_args()
    rows = [json.loads(x) for x in EVAL.read_text().splitlines() if x.strip()]
    engines = ["llguidance", "none"] if args.smoke else args.engines.split(",")
    if args.smoke or args.limit:
        rows = rows[: 2 if args.smoke else args.limit]
    backend = LocalBackend(threads=1)
    backend._ensure()
    results = []
    for e in engines:
        results.append(run_engine(e, backend, rows))
        if args.progress:
            with args.progress.open("a") as fh:
                fh.write(json.dumps({"requests": len(rows), **results[-1]}) + "\n")
    if args.json:
        print(json.dumps({"requests": len(rows), "results": results}, indent=2))
        return
    print(f"{len(rows)} requests, {backend.describe()}")
    print(f"{'engine':18} {'json':>6} {'schema':>7} {'kind':>6} {'name':>6} {'ms/IR':>7} {'setup s':>8}")
    base = next((r for r in results if r["engine"] == "none" and "error" not in r), None)
    for r in results:
        if "error" in r:
            print(f"{r['engine']:18} {r['error']}")
            continue
        na = "-" if r["name_acc"] is None else f"{r['name_acc']:.0%}"
        print(
            f"{r['engine']:18} {r['valid_json']:6.0%} {r['schema_valid']:7.0%} {r['kind_acc']:6.0%} {na:>6} "
            f"{r['ms_per_ir']:7d} {r['setup_s']:8.2f}" + (f"  errors: {r['errors']}" if r["errors"] else "")
        )
    if base:
        for r in results:
            if "error" not in r and r["engine"] != "none":
                print(
                    f"ratio ms/IR {r['engine']} / unconstrained: {r['ms_per_ir'] / max(base['ms_per_ir'], 1):.2f}"
                )


if __name__ == "__main__":
    main()
