"""Crawl benchmark: ethereum-etl vs `chainllm crawl txs` on the same anvil chain, in one run.

    .venv/bin/python bench/crawl_txs_bench.py [--txs 20000] [--per-block 100]
    .venv/bin/python bench/crawl_txs_bench.py --smoke   # 40 txs; the peer is a plain JSON-RPC
                                                        # loop when ethereum-etl is not installed

Builds a fresh anvil chain (ETH and ERC20 transfers from the dev accounts, so receipts carry
logs), then exports blocks + transactions + receipts + logs with ethereum-etl 2.4.2
(`export_blocks_and_transactions`, then `export_receipts_and_logs` over the tx hashes, its
default batch size 100 and 5 workers) and crawls the same range with `chainllm crawl txs`
(defaults: which also decodes token transfers and fetches contract code). Both run as CLI
subprocesses, timed end to end. ethereum-etl lives in its own venv (bench/out/etl-venv,
created on first run: it pins web3 5 and needs parsimonious 0.9.0 on Python 3.11).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chainllm.chain.artifacts import load_artifacts  # noqa: E402
from chainllm.services import manager  # noqa: E402

OUT = ROOT / "bench" / "out"
ETL_VENV = OUT / "etl-venv"
ETL = ETL_VENV / "bin" / "ethereumetl"


def ensure_etl() -> None:
    if ETL.exists():
        return
    print("creating the ethereum-etl venv (one time) ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(ETL_VENV)], check=True)
    pip = str(ETL_VENV / "bin" / "pip")
    subprocess.run([pip, "install", "-q", "ethereum-etl==2.4.2"], check=True)
    # 2.4.2's eth-abi pins parsimonious 0.8.1, which fails on Python 3.11 (getargspec)
    subprocess.run([pip, "install", "-q", "parsimonious==0.9.0"], check=True)


def rpc_batch(client: httpx.Client, url: str, calls: list[tuple[str, list[object]]]) -> list[object]:
    body = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
    res = client.post(url, json=body).json()
    by_id = {r["id"]: r for r in res}
    errs = [by_id[i]["error"] for i in range(len(calls)) if "error" in by_id[i]]
    if errs:
        raise RuntimeError(f"{len(errs)} errors, first: {errs[0]}")
    return [by_id[i]["result"] for i in range(len(calls))]


def wait_receipt(client: httpx.Client, url: str, tx: object, timeout: float = 60.0) -> dict[str, object]:
    """The receipt of ``tx`` once it is mined. anvil answers eth_sendTransaction before the block
    is sealed, so an immediate eth_getTransactionReceipt can be null (the bench used to assert
    here on a fresh clone); without automine, a block is mined after a short wait."""
    deadline = time.monotonic() + timeout
    mined = False
    while True:
        receipt = rpc_batch(client, url, [("eth_getTransactionReceipt", [tx])])[0]
        if isinstance(receipt, dict):
            if receipt.get("status") not in (None, "0x1"):
                raise RuntimeError(f"transaction {tx} reverted: {receipt}")
            return receipt
        if time.monotonic() > deadline:
            raise RuntimeError(f"transaction {tx} was not mined within {timeout:.0f} s")
        if not mined and deadline - time.monotonic() < timeout - 2:
            rpc_batch(client, url, [("evm_mine", [])])
            mined = True
        time.sleep(0.05)


def build_chain(url: str, txs: int, per_block: int) -> int:
    """Fill blocks of ``per_block`` transactions (70% ETH, 30% ERC20 transfers); returns the head."""
    art = load_artifacts()["ScenarioToken"]
    from eth_abi import encode

    c = httpx.Client(timeout=120)
    accounts = rpc_batch(c, url, [("eth_accounts", [])])[0]
    assert isinstance(accounts, list)
    ctor = encode(["string", "string", "uint8", "uint256"], ["Bench", "BNCH", 18, 10**30]).hex()
    (tx,) = rpc_batch(
        c,
        url,
        [
            (
                "eth_sendTransaction",
                [{"from": accounts[0], "data": art.bytecode + ctor, "gas": hex(3_000_000)}],
            )
        ],
    )
    token = wait_receipt(c, url, tx)["contractAddress"]
    rpc_batch(c, url, [("evm_setAutomine", [False])])
    sent = 0
    n = 0
    while sent < txs:
        calls: list[tuple[str, list[object]]] = []
        for _ in range(min(per_block, txs - sent)):
            frm = accounts[n % len(accounts)]
            to = accounts[(n * 7 + 3) % len(accounts)]
            if n % 10 < 3 and frm == accounts[0]:
                data = "0xa9059cbb" + encode(["address", "uint256"], [to, 10**18 + n]).hex()
                calls.append(
                    ("eth_sendTransaction", [{"from": frm, "to": token, "data": data, "gas": hex(80_000)}])
                )
            else:
                calls.append(
                    (
                        "eth_sendTransaction",
                        [{"from": frm, "to": to, "value": hex(10**15 + n), "gas": hex(21_000)}],
                    )
                )
            n += 1
        rpc_batch(c, url, calls)
        rpc_batch(c, url, [("evm_mine", [])])
        sent += len(calls)
    rpc_batch(c, url, [("evm_setAutomine", [True])])
    head = rpc_batch(c, url, [("eth_blockNumber", [])])[0]
    assert isinstance(head, str)
    return int(head, 16)


def run_etl(url: str, head: int, work: Path) -> tuple[float, int]:
    started = time.perf_counter()
    common = ["--provider-uri", url, "--batch-size", "100", "--max-workers", "5"]
    subprocess.run(
        [str(ETL), "export_blocks_and_transactions", "--start-block", "0", "--end-block", str(head),
         "--blocks-output", str(work / "blocks.csv"), "--transactions-output", str(work / "transactions.csv"), *common],
        check=True, capture_output=True,
    )  # fmt: skip
    with (work / "transactions.csv").open() as f, (work / "hashes.txt").open("w") as h:
        for row in csv.DictReader(f):
            h.write(row["hash"] + "\n")
    subprocess.run(
        [str(ETL), "export_receipts_and_logs", "--transaction-hashes", str(work / "hashes.txt"),
         "--receipts-output", str(work / "receipts.csv"), "--logs-output", str(work / "logs.csv"), *common],
        check=True, capture_output=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    return seconds, len(pd.read_csv(work / "transactions.csv"))


def run_rpc_loop(url: str, head: int, work: Path) -> tuple[float, int]:
    """The smoke-mode peer when ethereum-etl is not installed: what any crawler must do at the
    least, one block (full transactions) and one receipt per call, rows written as CSV."""
    started = time.perf_counter()
    work.mkdir(parents=True, exist_ok=True)
    n = 0
    with (
        httpx.Client(timeout=60) as c,
        (work / "transactions.csv").open("w", newline="") as tf,
        (work / "logs.csv").open("w", newline="") as lf,
    ):
        txw, logw = csv.writer(tf), csv.writer(lf)
        for number in range(head + 1):
            block = rpc_batch(c, url, [("eth_getBlockByNumber", [hex(number), True])])[0]
            assert isinstance(block, dict)
            for tx in block["transactions"]:
                receipt = rpc_batch(c, url, [("eth_getTransactionReceipt", [tx["hash"]])])[0]
                assert isinstance(receipt, dict)
                txw.writerow([tx["hash"], number, tx["from"], tx.get("to"), tx["value"], receipt["status"]])
                for log in receipt["logs"]:
                    logw.writerow([tx["hash"], log["address"], *log["topics"][:1]])
                n += 1
    return time.perf_counter() - started, n


def run_chainllm(url: str, head: int, work: Path) -> tuple[float, int, dict[str, object]]:
    started = time.perf_counter()
    proc = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "chainllm"), "crawl", "txs", "--rpc", url, "--from-block", "0",
         "--to-block", str(head), "--out", str(work), "--no-state", "--json"],  # the peer records no state
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    stats = json.loads(proc.stdout)
    return seconds, int(stats["transactions"]), stats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--txs", type=int, default=20_000)
    ap.add_argument("--per-block", type=int, default=100)
    ap.add_argument(
        "--smoke", action="store_true", help="tiny size (40 txs, 10 per block), for the test suite"
    )
    args = ap.parse_args()
    if args.smoke:
        args.txs, args.per_block = 40, 10
    # No download in smoke mode (tests run offline): a plain RPC loop stands in for the peer.
    use_etl = ETL.exists() or not args.smoke
    if use_etl:
        ensure_etl()
    peer = run_etl if use_etl else run_rpc_loop
    peer_name = "ethereum-etl 2.4.2" if use_etl else "plain JSON-RPC loop"
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        t = Path(tmp)
        os.environ.setdefault("CHAINLLM_CACHE_DIR", str(OUT / "cache"))
        st = manager.start("anvil", data_dir=t / "anvil", port=manager.free_port())
        assert st.url
        try:
            t0 = time.perf_counter()
            head = build_chain(st.url, args.txs, args.per_block)
            print(f"chain: {head + 1} blocks, {args.txs} txs, built in {time.perf_counter() - t0:.1f} s")
            (t / "etl").mkdir()
            etl_s, etl_txs = peer(st.url, head, t / "etl")
            cl_s, cl_txs, stats = run_chainllm(st.url, head, t / "chainllm")
            # and once more, in the other order, to even out warm caches on the node
            cl2_s, _, _ = run_chainllm(st.url, head, t / "chainllm2")
            etl2_s, _ = peer(st.url, head, t / "etl")
        finally:
            manager.stop("anvil", data_dir=t / "anvil")
    blocks = head + 1
    assert etl_txs == cl_txs, f"tx counts differ: {peer_name} {etl_txs}, chainllm {cl_txs}"
    etl_best, cl_best = min(etl_s, etl2_s), min(cl_s, cl2_s)
    print(f"{'tool':<28}{'seconds':>9}{'blocks/s':>11}{'txs/s':>10}")
    print(f"{peer_name:<28}{etl_best:>9.2f}{blocks / etl_best:>11.1f}{etl_txs / etl_best:>10.0f}")
    print(f"{'chainllm crawl txs':<28}{cl_best:>9.2f}{blocks / cl_best:>11.1f}{cl_txs / cl_best:>10.0f}")
    print(f"ratio (chainllm speed / {peer_name} speed): {etl_best / cl_best:.2f}x")
    print(
        "(ethereum-etl: blocks, txs, receipts, logs as CSV; chainllm: the same plus token transfers and "
        f"contract code as Parquet; {stats['posts']} posts, receipts mode {stats['receipts_mode']}; best of 2 runs each)"
    )


if __name__ == "__main__":
    main()
