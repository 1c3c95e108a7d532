"""Kind recognition only (no compile, no chain): for each suite entry, the kind ``build_ir`` picks.

    .venv/bin/python bench/gen_kind_bench.py prompts/dev_paraphrase_5.jsonl [more.jsonl ...] [-v]
    .venv/bin/python bench/gen_kind_bench.py --loo   # the similarity fallback alone, leave-one-out

Reports kind accuracy over entries that expect a kind, the out-of-catalogue entries answered
honestly (kind "unsupported" or some requirement named unmet), and refusals (BadInputError).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from chainllm.errors import BadInputError
from chainllm.generate.kinds import build_ir


def run(paths: list[str], verbose: bool) -> dict[str, float]:
    n = ok = ooc = ooc_ok = refused = 0
    t0 = time.perf_counter()
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            e = json.loads(line)
            if "request" not in e:
                continue
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
    args = [a for a in sys.argv[1:] if a != "-v"]
    r = run(args, "-v" in sys.argv)
    print(json.dumps(r))
    print(f"kind {r['kind_ok']}/{r['kind_n']} = {100 * r['kind_ok'] / max(1, r['kind_n']):.1f}%, "
          f"ooc named unmet {r['ooc_named_unmet']}/{r['ooc_n']}, refused {r['refused']}")  # fmt: skip
