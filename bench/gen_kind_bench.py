"""Kind recognition only (no compile, no chain): for each suite entry, the kind ``build_ir`` picks.

    .venv/bin/python bench/gen_kind_bench.py prompts/dev_paraphrase_5.jsonl [more.jsonl ...] [-v]
    .venv/bin/python bench/gen_kind_bench.py --loo   # the similarity fallback alone, leave-one-out
    .venv/bin/python bench/gen_kind_bench.py --smoke # 12 suite entries, a few seconds

Reports kind accuracy over entries that expect a kind, the out-of-catalogue entries answered
honestly (kind "unsupported" or some requirement named unmet), and refusals (BadInputError).
The peer is the same recogniser with the regexes alone (the similarity fallback made to
abstain), run on the same entries in the same run; the ratio compares accuracy and time.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from chainllm.errors import BadInputError
from chainllm.generate import similar
from chainllm.generate.kinds import build_ir

SMOKE_SUITE = "prompts/dev_paraphrase_5.jsonl"
SMOKE_N = 12


def entries(paths: list[str], limit: int = 0) -> list[dict]:
    out: list[dict] = []
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                e = json.loads(line)
                if "request" in e:
                    out.append(e)
    # Evenly spaced entries: a spread of kinds and styles, not the first few kinds only.
    return out[:: max(1, len(out) // limit)][:limit] if limit else out


@contextlib.contextmanager
def regexes_only() -> Iterator[None]:
    """The peer: the similarity fallback abstains, so only the hand-written rules pick a kind."""
    real = similar.classify
    similar.classify = lambda text: similar.Match(similar.OOC, 0.0, "", similar.OOC, 0.0)
    try:
        yield
    finally:
        similar.classify = real


def run(items: list[dict], verbose: bool) -> dict[str, float]:
    n = ok = ooc = ooc_ok = refused = 0
    t0 = time.perf_counter()
    for e in items:
        want = e.get("expect", {}).get("kind")
        is_ooc = bool(e.get("expect", {}).get("named_unmet"))
        try:
            ir = build_ir(e["request"])
            got, unmet = ir.kind, bool(ir.unmet)
        except BadInputError as exc:
            got, unmet = f"refused: {exc}", False
            refused += 1
        if want:
            n += 1
            ok += got == want
            if verbose and got != want:
                print(f"  {e['id']}: want {want}, got {got}")
        elif is_ooc:
            ooc += 1
            good = got == "unsupported" or unmet
            ooc_ok += good
            if verbose and not good:
                print(f"  {e['id']}: out of catalogue, got {got} with nothing unmet")
    secs = time.perf_counter() - t0
    return {"kind_n": n, "kind_ok": ok, "ooc_n": ooc, "ooc_named_unmet": ooc_ok, "refused": refused,
            "ms_per_request": 1000 * secs / max(1, n + ooc)}  # fmt: skip


if __name__ == "__main__":
    if "--loo" in sys.argv:
        from chainllm.generate.similar import leave_one_out

        print(json.dumps(leave_one_out()))
        sys.exit(0)
    smoke = "--smoke" in sys.argv
    args = [a for a in sys.argv[1:] if a not in ("-v", "--smoke")] or [SMOKE_SUITE]
    items = entries(args, SMOKE_N if smoke else 0)
    similar.index()  # built once, outside both timings
    with regexes_only():
        peer = run(items, False)
    r = run(items, "-v" in sys.argv)
    print(json.dumps({"chainllm": r, "regexes_only": peer}))
    for name, x in (("regexes only", peer), ("chainllm", r)):
        print(f"{name:>13}: kind {x['kind_ok']}/{x['kind_n']} = {100 * x['kind_ok'] / max(1, x['kind_n']):.1f}%, "
              f"ooc named unmet {x['ooc_named_unmet']}/{x['ooc_n']}, refused {x['refused']}, "
              f"{x['ms_per_request']:.1f} ms/request")  # fmt: skip
    acc = r["kind_ok"] / max(1, peer["kind_ok"])
    slow = r["ms_per_request"] / max(1e-9, peer["ms_per_request"])
    print(f"ratio chainllm/regexes-only: kinds right {acc:.2f}x, time per request {slow:.2f}x")
