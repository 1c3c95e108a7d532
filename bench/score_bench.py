"""Benchmark `chainllm score` against a local anvil holding a simulated chain.

Measures per-hash latency (p50/p95, cold and warm caches), batch throughput for N hashes with
and without the LLM scorer, and the time split (RPC fetch / features / models / LLM).
Peer: what every scorer must do at the least, a plain web3.py loop fetching transaction,
receipt and callee code per hash (no features, no models), on the same hashes in the same run.

Chain data (issue 13): the chain is crawled (`crawl txs --traces`, state on) and, on the same
labels, `train fraud --chain-data` from Parquet is timed against `train fraud --rpc` (cold
cache), data loading alone and end to end; scoring throughput from the crawled Parquet batch
is timed against scoring hash by hash over RPC (cold cache). Ratios are printed.

    .venv/bin/python bench/score_bench.py --rpc http://127.0.0.1:8545 --labels DIR [--n 1000]
    .venv/bin/python bench/score_bench.py --smoke     # tiny chain, no LLM, ~1 min

Without --rpc/--labels it starts its own anvil and simulates a chain first (minutes).
Output goes to stdout; models and caches live in a temp dir (bench/out/ for the JSON).
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(int(len(xs) * p), len(xs) - 1)] if xs else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rpc")
    ap.add_argument("--labels", type=Path)
    ap.add_argument("--n", type=int, default=1000, help="hashes in the batch runs")
    ap.add_argument("--latency-samples", type=int, default=100)
    ap.add_argument("--llm-base", default="tiny", help="LLM for the with-LLM runs (tiny: CPU-friendly)")
    ap.add_argument("--no-llm", action="store_true")
    ap.add_argument("--smoke", action="store_true", help="tiny size: 60 simulated txs, 10 samples, no LLM")
    args = ap.parse_args()
    if args.smoke:
        args.n, args.latency_samples, args.no_llm = min(args.n, 60), min(args.latency_samples, 10), True

    tmp = Path(tempfile.mkdtemp(prefix="score-bench-"))
    os.environ["CHAINLLM_DATA_DIR"] = str(tmp / "data")
    os.environ["CHAINLLM_CACHE_DIR"] = str(tmp / "cache0")
    # The tiny base model is cached under the user cache if present; reuse it.
    from chainllm.chain.simulate import SimConfig, simulate
    from chainllm.crawl.txs import CrawlConfig, crawl
    from chainllm.fraud.chain_data import ChainData
    from chainllm.fraud.model import FraudModel
    from chainllm.fraud.scorer import ScoreOptions, Scorer
    from chainllm.fraud.training import FraudTrainConfig, load_dataset, train_fraud
    from chainllm.labels.schema import read_tx_labels
    from chainllm.services import manager

    started = None
    url, labels = args.rpc, args.labels
    if not url or not labels:
        started = tmp / "anvil"
        st = manager.start("anvil", data_dir=started, port=manager.free_port())
        assert st.url
        url = st.url
        labels = tmp / "labels"
        print(f"simulating ~{args.n} transactions on {url} ...", file=sys.stderr)
        simulate(url, SimConfig(seed=11, txs=args.n), out=labels)
    try:
        rows = read_tx_labels(labels)
        hashes = [r.tx_hash.lower() for r in rows][: args.n]
        print(f"chain {url}: {len(rows)} labelled txs, batch of {len(hashes)}", file=sys.stderr)

        def cache_file(name: str) -> Path:
            return tmp / name / "rpc.sqlite"

        t0 = time.perf_counter()
        base_model = train_fraud(
            FraudTrainConfig(labels=(labels,), rpc=(url,), out=tmp / "m-base", llm=False)
        ).folder
        train_s = time.perf_counter() - t0
        llm_model = None
        if not args.no_llm:
            llm_model = train_fraud(
                FraudTrainConfig(
                    labels=(labels,),
                    rpc=(url,),
                    out=tmp / "m-llm",
                    llm=True,
                    llm_base=args.llm_base,
                    llm_epochs=1,
                    llm_max_rows=400,
                )
            ).folder
        results: dict[str, object] = {"hashes": len(hashes), "train_no_llm_s": round(train_s, 1)}

        # Peer: web3.py, one hash at a time, tx + receipt + callee code.
        from web3 import Web3

        w3 = Web3(Web3.HTTPProvider(url))
        t0 = time.perf_counter()
        for h in hashes:
            tx = w3.eth.get_transaction(h)  # type: ignore[arg-type]
            w3.eth.get_transaction_receipt(h)  # type: ignore[arg-type]
            if tx.get("to"):
                w3.eth.get_code(tx["to"], block_identifier=tx["blockNumber"])
        peer_s = time.perf_counter() - t0
        results["peer_web3_fetch_hashes_per_s"] = round(len(hashes) / peer_s, 1)

        # Latency, one hash per call: cold (empty cache) then warm (new process state, disk cache).
        sample = hashes[:: max(1, len(hashes) // args.latency_samples)][: args.latency_samples]
        model = FraudModel.load(base_model)

        def timed(sc: Scorer, h: str) -> float:
            t = time.perf_counter()
            sc.score([h])
            return (time.perf_counter() - t) * 1e3

        # Cold: a fresh scorer and an empty disk cache per hash (as a first CLI call pays,
        # chain identity probe included). Warm: disk cache filled, new scorer state.
        cold = []
        for i, h in enumerate(sample):
            sc = Scorer([url], model, options=ScoreOptions(llm=False, cache_path=cache_file(f"cold-{i}")))
            cold.append(timed(sc, h))
            sc.close()
        filler = Scorer([url], model, options=ScoreOptions(llm=False, cache_path=cache_file("warm")))
        filler.score(sample)
        filler.close()
        sc = Scorer([url], model, options=ScoreOptions(llm=False, cache_path=cache_file("warm")))
        sc.score(sample[:1])  # the chain identity probe is paid once per process
        warm = [timed(sc, h) for h in sample]
        sc.close()
        for label, lat in (("cold", cold), ("warm", warm)):
            results[f"latency_{label}_ms"] = {"p50": round(pct(lat, 0.5), 1), "p95": round(pct(lat, 0.95), 1),
                                             "mean": round(statistics.mean(lat), 1)}  # fmt: skip

        # Batch throughput, with and without the LLM, cold and warm caches.
        runs = [("no_llm", base_model, False)]
        if llm_model is not None:
            runs.append(("llm", llm_model, True))
        for name, folder, use_llm in runs:
            m = FraudModel.load(folder)
            for label in ("cold", "warm"):
                sc = Scorer(
                    [url], m, options=ScoreOptions(llm=use_llm, cache_path=cache_file(f"batch-{name}"))
                )
                t = time.perf_counter()
                out = sc.score(hashes)
                dt = time.perf_counter() - t
                tm = sc.timings
                sc.close()
                assert all(r.analysed for r in out)
                results[f"batch_{name}_{label}"] = {
                    "hashes_per_s": round(len(hashes) / dt, 1), "total_s": round(dt, 2),
                    "split_s": {"rpc_fetch": round(tm.fetch_s, 2), "features": round(tm.features_s, 2),
                                "models": round(tm.models_s, 2), "llm": round(tm.llm_s, 2)},
                }  # fmt: skip
        # ---------------------------------------------------------------- chain data
        chain_dir = tmp / "chain"
        head = max(r.block_number for r in rows)
        t = time.perf_counter()
        cstats = crawl(CrawlConfig((url,), chain_dir, to_block=head, traces=True))
        results["crawl_txs_state_traces"] = {"blocks": cstats.blocks, "txs": cstats.transactions,
                                             "seconds": round(time.perf_counter() - t, 2), "calls": cstats.calls}  # fmt: skip
        os.environ["CHAINLLM_CACHE_DIR"] = str(tmp / "cache-load")  # cold RPC cache
        t = time.perf_counter()
        ds_rpc = load_dataset([labels], [url])
        load_rpc_s = time.perf_counter() - t
        t = time.perf_counter()
        ds_pq = load_dataset([labels], chain_data=chain_dir)
        load_pq_s = time.perf_counter() - t
        assert len(ds_pq.rows) == len(ds_rpc.rows) and ds_pq.missing == 0
        same = sum(a.vector() == b.vector() for a, b in zip(ds_rpc.exs, ds_pq.exs, strict=True))
        os.environ["CHAINLLM_CACHE_DIR"] = str(tmp / "cache-train")  # cold again for the RPC run
        t = time.perf_counter()
        train_fraud(FraudTrainConfig(labels=(labels,), rpc=(url,), out=tmp / "m-rpc2", llm=False))
        train_rpc_s = time.perf_counter() - t
        t = time.perf_counter()
        train_fraud(
            FraudTrainConfig(labels=(labels,), rpc=(), chain_data=chain_dir, out=tmp / "m-pq", llm=False)
        )
        train_pq_s = time.perf_counter() - t
        results["train_fraud_chain_data"] = {
            "rows": len(ds_pq.rows), "feature_vectors_equal": f"{same}/{len(ds_pq.rows)}",
            "load_rpc_s": round(load_rpc_s, 2), "load_parquet_s": round(load_pq_s, 2),
            "ratio_load_parquet_vs_rpc": round(load_rpc_s / load_pq_s, 1),
            "train_rpc_s": round(train_rpc_s, 2), "train_parquet_s": round(train_pq_s, 2),
            "ratio_train_parquet_vs_rpc": round(train_rpc_s / train_pq_s, 2),
        }  # fmt: skip
        m = FraudModel.load(base_model)
        sc = Scorer([], m, options=ScoreOptions(llm=False), source=ChainData(chain_dir))
        t = time.perf_counter()
        out = sc.score(hashes)
        pq_s = time.perf_counter() - t
        sc.close()
        assert all(r.analysed for r in out)
        one = hashes[: max(1, min(len(hashes), 200))]
        sc = Scorer([url], m, options=ScoreOptions(llm=False, cache_path=cache_file("one-by-one")))
        t = time.perf_counter()
        for h in one:
            sc.score([h])
        one_s = time.perf_counter() - t
        sc.close()
        results["score_parquet_batch_vs_rpc_one_by_one"] = {
            "parquet_batch_hashes_per_s": round(len(hashes) / pq_s, 1),
            "rpc_one_by_one_hashes_per_s": round(len(one) / one_s, 1),
            "ratio": round((len(hashes) / pq_s) / (len(one) / one_s), 1),
        }  # fmt: skip

        ratio = results["batch_no_llm_warm"]["hashes_per_s"] / results["peer_web3_fetch_hashes_per_s"]  # type: ignore[index]
        ratio_cold = results["batch_no_llm_cold"]["hashes_per_s"] / results["peer_web3_fetch_hashes_per_s"]  # type: ignore[index]
        results["ratio_chainllm_warm_vs_peer"] = round(ratio, 2)
        results["ratio_chainllm_cold_vs_peer"] = round(ratio_cold, 2)
        print(json.dumps(results, indent=2))
        out_dir = ROOT / "bench" / "out"
        out_dir.mkdir(parents=True, exist_ok=True)
        name = "score_bench.smoke.json" if args.smoke else "score_bench.json"
        (out_dir / name).write_text(json.dumps(results, indent=2) + "\n")
        lw = results["latency_warm_ms"]
        print(
            f"\nwarm p50 {lw['p50']} ms (target < 200 ms without LLM); "  # type: ignore[index]
            f"chainllm full scoring {ratio_cold:.2f}x (cold) / {ratio:.2f}x (warm) the hashes/s of a bare web3.py fetch loop"
        )
        td = results["train_fraud_chain_data"]
        sp = results["score_parquet_batch_vs_rpc_one_by_one"]
        print(
            f"train fraud --chain-data: data loading {td['ratio_load_parquet_vs_rpc']}x faster from Parquet than RPC "  # type: ignore[index]
            f"(cold cache), end to end {td['ratio_train_parquet_vs_rpc']}x; "  # type: ignore[index]
            f"scoring a Parquet batch {sp['ratio']}x the hashes/s of hash-by-hash RPC"  # type: ignore[index]
        )
    finally:
        if started is not None:
            manager.stop("anvil", data_dir=started)


if __name__ == "__main__":
    main()
