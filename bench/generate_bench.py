"""Seconds per generated contract, split into generation / compile / audit, and the cost of the
checked loop against a single unchecked generation, measured in the same run.

    .venv/bin/python bench/generate_bench.py [--n 8] [--with-model] [--json]
    .venv/bin/python bench/generate_bench.py --smoke   # one standard request, for the test suite

Peer ("unchecked"): one generation with no compile and no audit: the composer for standard
requests, composer + first library snippet for custom functions the snippet library covers,
one model sample for a custom function with --with-model (library off). chainllm: the full loop
(k candidates, compile, Slither, repair rounds), audit cache off. Not part of pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chainllm.audit.compile import compile_file  # noqa: E402
from chainllm.generate import GenerateOptions, LocalBackend, TemplateBackend, generate  # noqa: E402
from chainllm.generate.backends import Sampling, default_threads  # noqa: E402
from chainllm.generate.compose import compose, skeleton  # noqa: E402
from chainllm.generate.evaluate import default_suites, load_suite  # noqa: E402
from chainllm.generate.prompts import function_messages  # noqa: E402
from chainllm.generate.snippets import candidates  # noqa: E402
from chainllm.generate.spec import parse_request  # noqa: E402


def _unchecked(request: str) -> str:
    """One generation without compile or audit: parse, compose, first library snippet per custom function."""
    spec = parse_request(request)
    code = {fn.name: found[0] for fn in spec.custom if (found := candidates(spec, fn))}
    return compose(spec, code)


def bench_template(n: int, *, custom: bool = False) -> dict[str, object]:
    """Standard requests (composer only), or with ``custom`` the requests whose custom functions
    the snippet library writes."""
    entries = [
        e
        for e in load_suite(default_suites()[:1])
        if e.request and "checks" not in e.expect and bool(e.expect.get("custom")) == custom
    ]
    if custom:
        entries = [e for e in entries if e.request and _covered(e.request)]
    step = max(1, len(entries) // n)
    picked = entries[::step][:n]
    rows: list[dict[str, Any]] = []
    for e in picked:
        assert e.request is not None
        t0 = time.perf_counter()
        source = _unchecked(e.request)
        unchecked = time.perf_counter() - t0
        spec = parse_request(e.request)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"{spec.name}.sol"
            path.write_text(source)
            t1 = time.perf_counter()
            comp = compile_file(path, check=False)
            compile_s = time.perf_counter() - t1
        t2 = time.perf_counter()
        result = generate(e.request, TemplateBackend(), GenerateOptions(use_cache=False))
        loop_s = time.perf_counter() - t2
        audit_s = result.seconds.get("audit", 0.0)
        rows.append(
            {
                "id": e.id,
                "generate_s": round(unchecked, 4),
                "compile_s": round(compile_s, 2),
                "audit_s (compile+slither)": round(audit_s, 2),
                "slither_s (approx)": round(max(audit_s - compile_s, 0.0), 2),
                "loop_s": round(loop_s, 2),
                "compiled": comp.result.compiled,
                "status": result.status,
            }
        )
        print(
            f"  {e.id:28} generate {unchecked * 1000:6.1f} ms  compile {compile_s:5.2f} s  loop {loop_s:5.2f} s  {result.status}",
            file=sys.stderr,
        )
    gen = statistics.mean(r["generate_s"] for r in rows)
    loop = statistics.mean(r["loop_s"] for r in rows)
    return {
        "requests": len(rows),
        "mean_unchecked_generate_s": round(gen, 4),
        "mean_compile_s": round(statistics.mean(r["compile_s"] for r in rows), 2),
        "mean_audit_s": round(statistics.mean(r["audit_s (compile+slither)"] for r in rows), 2),
        "mean_loop_s": round(loop, 2),
        "loop_vs_unchecked": round(loop / gen, 1) if gen else None,
        "compiled_unchecked_share": sum(1 for r in rows if r["compiled"]) / len(rows),
        "rows": rows,
    }


def _covered(request: str) -> bool:
    spec = parse_request(request)
    return all(candidates(spec, fn) for fn in spec.custom)


def bench_model(request: str) -> dict[str, object]:
    spec = parse_request(request)
    backend = LocalBackend()
    t0 = time.perf_counter()
    backend._ensure()
    load_s = time.perf_counter() - t0
    fn = spec.custom[0]
    msgs = function_messages(skeleton(spec), fn.name, fn.description)
    per_threads = {}
    # --threads: the default against every core, same prompt and seed, same run.
    for threads in sorted({default_threads(), os.cpu_count() or 1}):
        backend.threads = threads
        t1 = time.perf_counter()
        backend.complete(msgs, Sampling(n=1, max_tokens=128, temperature=0.0))
        per_threads[threads] = round(time.perf_counter() - t1, 2)
    backend.threads = None
    t1 = time.perf_counter()
    backend.complete(msgs, Sampling(n=1, max_tokens=256))
    single = time.perf_counter() - t1
    t2 = time.perf_counter()
    # library=False: the model writes the function even where a snippet would.
    result = generate(request, backend, GenerateOptions(k=3, rounds=2, use_cache=False, library=False))
    loop = time.perf_counter() - t2
    return {
        "request": request,
        "model_load_s": round(load_s, 2),
        "greedy_128_tokens_s_by_threads": per_threads,
        "single_unchecked_sample_s": round(single, 2),
        "loop_s": round(loop, 2),
        "loop_generate_s": round(result.seconds.get("generate", 0.0), 2),
        "loop_audit_s": round(result.seconds.get("audit", 0.0), 2),
        "loop_vs_unchecked": round(loop / single, 1) if single else None,
        "status": result.status,
        "attempts": len(result.attempts),
    }


def bench_ir(n: int) -> dict[str, object]:
    """IR kinds (storage, auctions, crowdfunding, ...) and Wizard kinds from the development suite:
    seconds per stage (parse/IR, compose, compile + Slither, anvil behaviour checks) against one
    unchecked generation (parse + render only), all on one anvil started here."""
    from dataclasses import replace

    from chainllm.generate.behaviour import chain
    from chainllm.generate.kinds import build_ir, spec_of
    from chainllm.generate.templates import RENDERERS, render

    entries = [e for e in load_suite(default_suites()[:1]) if e.request and "checks" in e.expect]
    seen: set[str] = set()
    picked = []
    for e in entries:  # one request per kind, spread over the suite
        k = str(e.expect["kind"])
        if k not in seen:
            seen.add(k)
            picked.append(e)
    picked = picked[:n]
    rows: list[dict[str, Any]] = []
    with chain(None) as url:
        for e in picked:
            assert e.request is not None
            t0 = time.perf_counter()
            ir = build_ir(e.request)
            spec = spec_of(ir)
            _ = render(ir) if ir.kind in RENDERERS else compose(spec) if spec else ""
            unchecked = time.perf_counter() - t0
            t1 = time.perf_counter()
            result = generate(e.request, TemplateBackend(), GenerateOptions(use_cache=False, rpc=url))
            loop_s = time.perf_counter() - t1
            t2 = time.perf_counter()
            bare = generate(
                e.request, TemplateBackend(), replace(GenerateOptions(use_cache=False), behaviour=False)
            )
            no_behaviour_s = time.perf_counter() - t2
            sec = result.seconds
            rows.append(
                {
                    "id": e.id,
                    "kind": ir.kind,
                    "unchecked_s": round(unchecked, 4),
                    "parse_s": round(sec.get("parse", 0.0), 3),
                    "model_s": round(sec.get("generate", 0.0), 3),
                    "audit_s (compile+slither)": round(sec.get("audit", 0.0), 2),
                    "behaviour_s": round(sec.get("behaviour", 0.0), 2),
                    "loop_s": round(loop_s, 2),
                    "loop_without_behaviour_s": round(no_behaviour_s, 2),
                    "status": result.status,
                    "behaviour": result.behaviour.status if result.behaviour else None,
                    "status_without_behaviour": bare.status,
                }
            )
            print(
                f"  {e.id:22} {ir.kind:18} audit {sec.get('audit', 0):5.2f} s  behaviour {sec.get('behaviour', 0):5.2f} s  "
                f"loop {loop_s:5.2f} s  {result.status}",
                file=sys.stderr,
            )
    loops = [r["loop_s"] for r in rows]
    gen = statistics.mean(r["unchecked_s"] for r in rows)
    return {
        "requests": len(rows),
        "mean_unchecked_generate_s": round(gen, 4),
        "mean_parse_s": round(statistics.mean(r["parse_s"] for r in rows), 3),
        "mean_audit_s": round(statistics.mean(r["audit_s (compile+slither)"] for r in rows), 2),
        "mean_behaviour_s": round(statistics.mean(r["behaviour_s"] for r in rows), 2),
        "median_loop_s": round(statistics.median(loops), 2),
        "mean_loop_s": round(statistics.mean(loops), 2),
        "mean_loop_without_behaviour_s": round(
            statistics.mean(r["loop_without_behaviour_s"] for r in rows), 2
        ),
        "loop_vs_unchecked": round(statistics.mean(loops) / gen, 1) if gen else None,
        "rows": rows,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=8, help="standard requests to time")
    ap.add_argument("--with-model", action="store_true", help="also time SmolLM2 writing one custom function")
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--smoke", action="store_true", help="tiny size (1 standard request, no model), for the test suite"
    )
    args = ap.parse_args()
    if args.smoke:
        args.n, args.with_model = 1, False
    out: dict[str, object] = {
        "template": bench_template(args.n),
        "ir": bench_ir(1 if args.smoke else max(args.n, 30)),
    }
    if not args.smoke:  # smoke: one standard request is enough to keep the bench running
        out["library"] = bench_template(max(1, args.n // 2), custom=True)
    if args.with_model:
        out["model"] = bench_model(
            "ERC20 token called Foo (FOO) with a function that lets the owner burn tokens from any account"
        )
    if args.json:
        print(json.dumps(out, indent=2))
        return
    for key, label in (
        ("template", "standard requests"),
        ("library", "custom functions from the snippet library"),
    ):
        if key not in out:
            continue
        t = out[key]
        assert isinstance(t, dict)
        print(f"{label}: {t['requests']}")
        print(f"  unchecked generation (parse + compose): {t['mean_unchecked_generate_s'] * 1000:.1f} ms")
        print(
            f"  compile (solc): {t['mean_compile_s']:.2f} s   audit (compile + Slither): {t['mean_audit_s']:.2f} s"
        )
        print(
            f"  checked loop: {t['mean_loop_s']:.2f} s per contract = {t['loop_vs_unchecked']}x the unchecked generation"
        )
    t = out["ir"]
    assert isinstance(t, dict)
    print(f"IR and Wizard kinds (one request per kind): {t['requests']}")
    print(
        f"  unchecked (parse + render): {t['mean_unchecked_generate_s'] * 1000:.1f} ms   parse/IR {t['mean_parse_s'] * 1000:.1f} ms   "
        f"compile + Slither {t['mean_audit_s']:.2f} s   anvil behaviour checks {t['mean_behaviour_s']:.2f} s"
    )
    print(
        f"  checked loop: median {t['median_loop_s']:.2f} s, mean {t['mean_loop_s']:.2f} s per contract "
        f"({t['loop_vs_unchecked']}x the unchecked generation; {t['mean_loop_without_behaviour_s']:.2f} s without behaviour checks)"
    )
    if "model" in out:
        m = out["model"]
        assert isinstance(m, dict)
        print(f"custom function with {LocalBackend().describe()}: load {m['model_load_s']} s")
        by = m["greedy_128_tokens_s_by_threads"]
        assert isinstance(by, dict)
        print("  128 greedy tokens: " + ", ".join(f"{t} thread(s) {s} s" for t, s in by.items()))
        print(
            f"  one unchecked sample: {m['single_unchecked_sample_s']} s   loop (k=3, 2 rounds): {m['loop_s']} s ({m['loop_vs_unchecked']}x), status {m['status']}"
        )


if __name__ == "__main__":
    main()
