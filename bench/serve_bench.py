"""Load-test `chainllm serve` on loopback: POST /v1/score against a local anvil.

1. Sustained: N single-hash requests (default 1,000 hashes of a simulated chain) at a
   fixed concurrency, caches warm, no LLM: p50/p95/p99 latency, throughput, errors; and a
   sequential run (concurrency 1) for latency without queueing.
2. Peer: the same answers from the CLI, `chainllm score HASH --json` in a loop (a bounded
   sample: each call starts a process) and one `chainllm score` over all N hashes; ratios.
3. Overload: an open-loop run at twice the sustainable rate measured in 1, against a server
   whose per-key rate limit is that sustainable rate: the excess must come back as 429/503,
   never as client timeouts; plus generation jobs submitted past the job queue: refused ones
   get 503 and every accepted job finishes (none lost).

    .venv/bin/python bench/serve_bench.py            # 1,000 hashes (simulates ~250 txs first)
    .venv/bin/python bench/serve_bench.py --smoke    # tiny: ~40 hashes, a few seconds of load

Everything runs in a temp dir with its own anvil and servers; nothing leaves loopback, and
every phase is bounded in count and time. `--json FILE` writes the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(int(len(xs) * p), len(xs) - 1)] if xs else float("nan")


def start(args: list[str], log: Path, port: int) -> subprocess.Popen[bytes]:
    import httpx

    cmd = [sys.executable, "-m", "chainllm", "serve", "--host", "127.0.0.1", "--port", str(port), *args]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()


def closed_loop(url: str, key: str, hashes: list[str], concurrency: int) -> dict[str, Any]:
    import httpx

    lat: list[float] = []
    codes: dict[str, int] = {}
    lock = threading.Lock()
    local = threading.local()

    def one(h: str) -> None:
        c = getattr(local, "c", None)
        if c is None:
            c = local.c = httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=30)
        t0 = time.perf_counter()
        try:
            r = c.post("/v1/score", json={"hash": h})
            code = (
                str(r.status_code)
                if r.status_code != 200 or r.json()["verdict"] != "not_analysed"
                else "not_analysed"
            )
        except httpx.HTTPError as exc:
            code = type(exc).__name__
        dt = time.perf_counter() - t0
        with lock:
            lat.append(dt)
            codes[code] = codes.get(code, 0) + 1

    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as ex:
        list(ex.map(one, hashes))
    wall = time.perf_counter() - t0
    return {"requests": len(hashes), "concurrency": concurrency, "wall_s": round(wall, 3),
            "throughput_rps": round(len(hashes) / wall, 1), "p50_ms": round(pct(lat, 0.5) * 1e3, 2),
            "p95_ms": round(pct(lat, 0.95) * 1e3, 2), "p99_ms": round(pct(lat, 0.99) * 1e3, 2),
            "codes": codes, "errors": sum(n for c, n in codes.items() if c != "200")}  # fmt: skip


def open_loop(url: str, key: str, hashes: list[str], rate: float, seconds: float) -> dict[str, Any]:
    """Requests sent on a fixed schedule (not when the last one answered): overload shows."""
    import httpx

    n = int(rate * seconds)
    codes: dict[str, int] = {}
    lat: list[float] = []
    lock = threading.Lock()
    local = threading.local()

    def one(i: int) -> None:
        c = getattr(local, "c", None)
        if c is None:
            c = local.c = httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=10)
        t = time.perf_counter()
        try:
            code = str(c.post("/v1/score", json={"hash": hashes[i % len(hashes)]}).status_code)
        except httpx.TimeoutException:
            code = "client_timeout"
        except httpx.HTTPError as exc:
            code = type(exc).__name__
        with lock:
            codes[code] = codes.get(code, 0) + 1
            lat.append(time.perf_counter() - t)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(64) as ex:
        for i in range(n):
            delay = t0 + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            ex.submit(one, i)
    return {"offered_rps": round(rate, 1), "requests": n, "codes": codes, "p99_ms": round(pct(lat, 0.99) * 1e3, 2),
            "client_timeouts": codes.get("client_timeout", 0),
            "other_errors": sum(v for k, v in codes.items() if k not in {"200", "429", "503", "client_timeout"})}  # fmt: skip


def jobs_overload(url: str, key: str, submit: int) -> dict[str, Any]:
    import httpx

    c = httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=30)
    accepted, refused, other = [], 0, 0
    for i in range(submit):
        r = c.post("/v1/generate", json={"prompt": f"ERC20 named Load{i}, symbol LD{i}", "k": 1, "rounds": 0})
        if r.status_code == 202:
            accepted.append(r.json()["href"])
        elif r.status_code == 503:
            refused += 1
        else:
            other += 1
    finished: dict[str, int] = {}
    deadline = time.monotonic() + 600
    for href in accepted:
        while time.monotonic() < deadline:
            st = c.get(href).json()["status"]
            if st in {"done", "failed", "cancelled"}:
                finished[st] = finished.get(st, 0) + 1
                break
            time.sleep(0.5)
    lost = len(accepted) - sum(finished.values())
    return {"submitted": submit, "accepted": len(accepted), "refused_503": refused, "other": other,
            "finished": finished, "lost": lost}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000, help="requests (distinct hashes) in the sustained run")
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--latency-samples", type=int, default=200, help="requests at concurrency 1")
    ap.add_argument("--cli-samples", type=int, default=10, help="`chainllm score HASH` calls in the CLI loop")
    ap.add_argument("--overload-seconds", type=float, default=10.0)
    ap.add_argument("--jobs", type=int, default=6, help="generation jobs submitted in the overload run")
    ap.add_argument(
        "--smoke", action="store_true", help="tiny: ~32 hashes, 2 CLI calls, 3 s overload, 3 jobs"
    )
    ap.add_argument("--json", dest="json_out", type=Path)
    a = ap.parse_args()
    if a.smoke:
        a.n, a.cli_samples, a.overload_seconds, a.jobs, a.latency_samples = min(a.n, 32), 2, 3.0, 3, 10

    tmp = Path(tempfile.mkdtemp(prefix="serve-bench-"))
    os.environ.update(
        CHAINLLM_DATA_DIR=str(tmp / "data"), CHAINLLM_CACHE_DIR=str(tmp / "cache"), CHAINLLM_OFFLINE="1"
    )
    from chainllm.chain.simulate import SimConfig, simulate
    from chainllm.labels.schema import read_tx_labels
    from chainllm.serve.keys import KeyStore
    from chainllm.services import manager

    st = manager.start("anvil", data_dir=tmp / "anvil", port=manager.free_port())
    assert st.url
    procs: list[subprocess.Popen[bytes]] = []
    out: dict[str, Any] = {"smoke": a.smoke}
    try:
        t = time.perf_counter()
        # ~1.5 distinct transactions per simulated story step
        simulate(st.url, SimConfig(seed=11, txs=8 if a.smoke else int(a.n * 0.86) + 10), out=tmp / "labels")
        distinct = sorted({r.tx_hash for r in read_tx_labels(tmp / "labels")})[: a.n]
        hashes = (distinct * (a.n // len(distinct) + 1))[: a.n]  # cycles only if the chain came out short
        out["distinct_hashes"] = len(distinct)
        print(f"simulated {len(distinct)} hashes in {time.perf_counter() - t:.0f} s", file=sys.stderr)
        keys_file = tmp / "keys.json"
        _, key = KeyStore(keys_file).add("bench", ("score", "generate"))
        port = manager.free_port()
        common = ["--rpc", st.url, "--keys-file", str(keys_file), "--no-llm"]
        procs.append(start([*common, "--rate", "1000000", "--burst", "1000000", "--max-inflight",
                            str(a.concurrency * 2)], tmp / "a.log", port))  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        closed_loop(url, key, hashes, a.concurrency)  # warm: RPC cache filled, code paths hot
        sus = out["sustained"] = closed_loop(url, key, hashes, a.concurrency)
        out["sequential"] = closed_loop(url, key, hashes[: a.latency_samples], 1)  # latency without queueing
        stop(procs.pop())

        # Peer: the CLI in a loop on a sample of the same hashes, and once over all of them.
        cli_lat = []
        for h in hashes[: a.cli_samples]:
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "chainllm", "score", h, "--rpc", st.url, "--json", "--no-llm"],
                           cwd=ROOT, capture_output=True, check=False)  # fmt: skip
            cli_lat.append(time.perf_counter() - t)
        t = time.perf_counter()
        batch = subprocess.run([sys.executable, "-m", "chainllm", "score", *distinct, "--rpc", st.url, "--json",
                                "--no-llm"], cwd=ROOT, capture_output=True, check=False)  # fmt: skip
        batch_s = time.perf_counter() - t
        out["cli"] = {"loop_calls": len(cli_lat), "loop_p50_ms": round(statistics.median(cli_lat) * 1e3, 1),
                      "batch_hashes": len(distinct), "batch_s": round(batch_s, 2),
                      "batch_rows": batch.stdout.count(b'"tx_hash"')}  # fmt: skip

        # Overload: twice what the server sustained, against a per-key limit of that rate.
        rate = max(2.0, sus["throughput_rps"])
        port = manager.free_port()
        procs.append(start([*common, "--rate", f"{rate:.1f}", "--burst", str(int(rate)), "--max-inflight",
                            str(a.concurrency), "--max-jobs", "1", "--queue", "1"], tmp / "b.log", port))  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        out["overload"] = open_loop(url, key, hashes, 2 * rate, a.overload_seconds)
        out["jobs_overload"] = jobs_overload(url, key, a.jobs)
        stop(procs.pop())
    finally:
        for p in procs:
            stop(p)
        manager.stop("anvil", data_dir=tmp / "anvil")

    s, c, o, j = out["sustained"], out["cli"], out["overload"], out["jobs_overload"]
    print(f"chain      {out['distinct_hashes']} distinct hashes from a local anvil (simulated)")
    print(f"sustained  {s['requests']} req @ concurrency {s['concurrency']}: p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, "
          f"p99 {s['p99_ms']} ms, {s['throughput_rps']} req/s, errors {s['errors']} {s['codes']}")  # fmt: skip
    q = out["sequential"]
    print(f"sequential {q['requests']} req @ concurrency 1: p50 {q['p50_ms']} ms, p95 {q['p95_ms']} ms, "
          f"p99 {q['p99_ms']} ms, errors {q['errors']}")  # fmt: skip
    print(
        f"cli loop   {c['loop_calls']} calls: p50 {c['loop_p50_ms']} ms per hash "
        f"(ratio cli/api p50 = {c['loop_p50_ms'] / max(s['p50_ms'], 1e-9):.0f}x)"
    )
    print(f"cli batch  {c['batch_hashes']} hashes in {c['batch_s']} s = {c['batch_hashes'] / c['batch_s']:.1f} hashes/s "
          f"(api {s['throughput_rps']} req/s, ratio api/cli = {s['throughput_rps'] * c['batch_s'] / c['batch_hashes']:.2f}x)")  # fmt: skip
    print(
        f"overload   {o['requests']} req offered at {o['offered_rps']} req/s: {o['codes']}; "
        f"client timeouts {o['client_timeouts']}, other errors {o['other_errors']}"
    )
    print(
        f"jobs       {j['submitted']} submitted: {j['accepted']} accepted, {j['refused_503']} refused (503), "
        f"finished {j['finished']}, lost {j['lost']}"
    )
    if a.json_out:
        a.json_out.write_text(json.dumps(out, indent=2))
    ok = (
        s["errors"] == 0
        and q["errors"] == 0
        and o["client_timeouts"] == 0
        and o["other_errors"] == 0
        and j["lost"] == 0
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
