"""What the snippet library and retrieval add to model-written custom functions, on the dev suite.

    .venv/bin/python bench/retrieval_ablation.py [--limit 16] [-k 1] [--rounds 0] [--json]
    .venv/bin/python bench/retrieval_ablation.py --smoke     # 1 entry, for the test suite

Entries: prompts/generate_suite.jsonl requests with custom functions (the only place the model
or the library writes code). Configurations, same run, same model (bundled SmolLM2-135M,
greedy-free sampling at the loop's defaults, seed 0):
  library+retrieval (default) | no-library+retrieval | no-library+no-retrieval
Per configuration: ok, compiled, free of High/Medium, the share whose custom code the model
wrote (origin model/repair), seconds per entry. Behaviour checks off (they test the composer's
parts here, not the custom functions). Not part of pytest.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chainllm.generate import GenerateOptions, LocalBackend  # noqa: E402
from chainllm.generate.evaluate import load_suite, run_entry  # noqa: E402

CONFIGS = (
    ("library+retrieval", True, True),
    ("no-library+retrieval", False, True),
    ("no-library+no-retrieval", False, False),
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=16)
    ap.add_argument("-k", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=0)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    entries = [
        e
        for e in load_suite([ROOT / "prompts" / "generate_suite.jsonl"])
        if e.request and e.expect.get("custom")
    ][: 1 if args.smoke else args.limit]
    backend = LocalBackend(threads=1)
    out: list[dict[str, Any]] = []
    for label, library, retrieval in CONFIGS:
        opts = GenerateOptions(
            k=args.k,
            rounds=args.rounds,
            library=library,
            retrieval=retrieval,
            behaviour=False,
            use_cache=False,
            fill="parser",
        )
        rows = []
        for e in entries:
            t0 = time.perf_counter()
            r = run_entry(e, backend, opts)
            rows.append((r, time.perf_counter() - t0))
            if not args.json:
                print(
                    f"  {label:24} {e.id:28} {r.status:8} origin={r.origin} compiled={r.compile_at_1}",
                    flush=True,
                )
        n = len(rows)
        out.append(
            {
                "config": label,
                "entries": n,
                "ok": sum(r.status == "ok" for r, _ in rows) / n,
                "compiled": sum(r.compile_at_1 for r, _ in rows) / n,
                "free_high_medium": sum(r.free_high_medium for r, _ in rows) / n,
                "model_wrote": sum(r.origin in {"model", "repair"} for r, _ in rows) / n,
                "library_wrote": sum(r.origin == "library" for r, _ in rows) / n,
                "s_per_entry": round(statistics.median(s for _, s in rows), 1),
                "ids_ok": [r.id for r, _ in rows if r.status == "ok"],
            }
        )
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"{'config':26} {'ok':>5} {'compiled':>9} {'clean':>6} {'model':>6} {'library':>8} {'s/entry':>8}")
    for c in out:
        print(
            f"{c['config']:26} {c['ok']:5.0%} {c['compiled']:9.0%} {c['free_high_medium']:6.0%} "
            f"{c['model_wrote']:6.0%} {c['library_wrote']:8.0%} {c['s_per_entry']:8.1f}"
        )
    by = {c["config"]: c for c in out}
    on, off = by.get("no-library+retrieval"), by.get("no-library+no-retrieval")
    if on and off and off["s_per_entry"]:
        # the peer is the same loop without retrieval: what retrieval adds, in time and in results
        print(f"retrieval vs none (model alone): time ratio {on['s_per_entry'] / off['s_per_entry']:.2f}, "
              f"ok {on['ok']:.0%} vs {off['ok']:.0%}")  # fmt: skip


if __name__ == "__main__":
    main()
