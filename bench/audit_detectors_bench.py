"""Benchmark: the cost of chainllm's own detectors. `chainllm audit` with Slither's detectors
only vs with Slither's plus chainllm's, on the same files in the same run, cache off.

Two measurements: (1) in one process, per file, Slither's IR is built once and Slither's
detectors and chainllm's are timed on that same IR (the extra cost, free of machine noise);
(2) the whole `chainllm audit` both ways (worker pool, compile, Slither), best of rounds.

    .venv/bin/python bench/audit_detectors_bench.py [--files N] [--jobs J]
    .venv/bin/python bench/audit_detectors_bench.py --smoke   # 3 files, for the test suite

Files: the labelled audit corpus (tests/audit/labelled, 0.4 to 0.8) followed by OpenZeppelin
5 token and governance sources. The two configurations alternate order between rounds so
neither always pays the worker start-up first. Timing is informational: nothing here fails.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chainllm.audit.detectors import own_arguments  # noqa: E402
from chainllm.audit.engine import AuditOptions, audit_paths  # noqa: E402

LABELLED = ROOT / "tests" / "audit" / "labelled"
OZ = ROOT / "node_modules" / "@openzeppelin" / "contracts"
OZ_PICK = (
    "token/ERC20/ERC20.sol",
    "token/ERC721/ERC721.sol",
    "governance/Governor.sol",
    "finance/VestingWallet.sol",
)


def inputs(n: int) -> list[Path]:
    files = sorted(LABELLED.glob("*/*.sol")) + [OZ / p for p in OZ_PICK if (OZ / p).exists()]
    # spread the pick over classes and compilers rather than taking one class's files first
    step = max(1, len(files) // n) if n < len(files) else 1
    return files[::step][:n]


def run(files: list[Path], *, own: bool, jobs: int) -> tuple[float, int, int]:
    opts = AuditOptions(
        fail_on=None,
        use_cache=False,
        jobs=jobs,
        include_dependencies=True,
        exclude_detectors=() if own else tuple(sorted(own_arguments())),
    )
    started = time.perf_counter()
    report = audit_paths(files, opts)
    seconds = time.perf_counter() - started
    findings = sum(len(r.findings) for r in report.results)
    analysed = sum(r.analysed for r in report.results)
    return seconds, findings, analysed


def detector_times(files: list[Path]) -> dict[str, float]:
    """Seconds spent building Slither's IR, in Slither's detectors and in chainllm's, per file
    on the same Slither object (compiled with the same solc the audit would pick)."""
    from slither import Slither
    from slither.__main__ import get_detectors_and_printers

    from chainllm.audit.detectors import own_detectors
    from chainllm.audit.sources import load_closure, make_project
    from chainllm.toolchain.compilers import select

    builtin, _ = get_detectors_and_printers()
    out = {"build": 0.0, "slither": 0.0, "chainllm": 0.0}
    for f in files:
        project = make_project(f)
        compiler = select(load_closure(f, project).pragmas, where=str(f))
        t = time.perf_counter()
        sl = Slither(str(f), solc=str(compiler.path), solc_args=f"--base-path {project.root}")
        out["build"] += time.perf_counter() - t
        for name, classes in (("slither", builtin), ("chainllm", own_detectors())):
            for unit in sl.compilation_units:
                for cls in classes:
                    det = cls(unit, sl, None)
                    t = time.perf_counter()
                    det.detect()
                    out[name] += time.perf_counter() - t
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=40)
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    n, rounds = (3, 1) if args.smoke else (args.files, args.rounds)
    files = inputs(n)
    times: dict[str, list[float]] = {"slither": [], "chainllm": []}
    counts: dict[str, tuple[int, int]] = {}
    for r in range(rounds):
        order = ("slither", "chainllm") if r % 2 == 0 else ("chainllm", "slither")
        for name in order:
            seconds, findings, analysed = run(files, own=name == "chainllm", jobs=args.jobs)
            times[name].append(seconds)
            counts[name] = (findings, analysed)
    per = detector_times([f for f in files if "node_modules" not in str(f)])
    best = {k: min(v) for k, v in times.items()}
    extra = best["chainllm"] / best["slither"] - 1
    result = {
        "files": len(files),
        "rounds": rounds,
        "slither_only_s": round(best["slither"], 2),
        "with_chainllm_detectors_s": round(best["chainllm"], 2),
        "extra": round(extra, 3),
        "findings": {k: v[0] for k, v in counts.items()},
        "analysed": {k: v[1] for k, v in counts.items()},
        "in_process_s": {k: round(v, 3) for k, v in per.items()},
        "in_process_extra": round(per["chainllm"] / (per["build"] + per["slither"]), 4),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{len(files)} files, best of {rounds} round(s), cache off")
    print(f"  Slither's detectors only      {best['slither']:7.1f} s  {counts['slither'][0]:5d} findings")
    print(
        f"  + chainllm's {len(own_arguments())} detectors     {best['chainllm']:7.1f} s  {counts['chainllm'][0]:5d} findings"
    )
    print(f"  extra time: {100 * extra:+.1f}% (target < 25%; includes machine noise)")
    print(
        f"same IR, in one process ({len([f for f in files if 'node_modules' not in str(f)])} files): "
        f"Slither IR build {per['build']:.1f} s, Slither's detectors {per['slither']:.2f} s, "
        f"chainllm's {per['chainllm']:.2f} s -> "
        f"{100 * result['in_process_extra']:.1f}% extra"
    )


if __name__ == "__main__":
    main()
