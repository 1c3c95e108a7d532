from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from chainllm.chain.transport import RateLimiter, rpc_call
from chainllm.cli import cli
from chainllm.crawl.txs import STATE_FILE, CrawlConfig, crawl, plan_partitions
from chainllm.crawl.txs_tables import TABLES
from chainllm.errors import BadInputError, ServiceError
from chainllm.labels.schema import read_tx_labels
from chainllm.services.manager import free_port
from tests.chain.conftest import SimChain
from tests.chain.rpc_proxy import Behaviour, rpc_proxy


def _head(url: str) -> int:
    return int(rpc_call(url, "eth_blockNumber"), 16)


def _table(out: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(out / name)


@pytest.fixture(scope="module")
def full_crawl(sim_chain: SimChain, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("crawl") / "full"
    crawl(CrawlConfig((sim_chain.url,), out, to_block=_head(sim_chain.url), partition_size=16, traces=True))
    return out


def test_tables_cover_the_simulation(sim_chain: SimChain, full_crawl: Path) -> None:
    head = _head(sim_chain.url)
    blocks, txs, rcpts = (_table(full_crawl, t) for t in ("blocks", "transactions", "receipts"))
    assert sorted(blocks.number) == list(range(head + 1))
    assert blocks.transaction_count.sum() == len(txs) == len(rcpts) == txs.hash.nunique()
    labels = read_tx_labels(sim_chain.labels_dir)
    assert {t.tx_hash for t in labels} <= set(txs.hash)
    st = dict(zip(rcpts.transaction_hash, rcpts.status, strict=True))
    assert all(st[t.tx_hash] == t.status for t in labels)
    assert {p.name for p in full_crawl.iterdir()} >= {*TABLES, STATE_FILE}


def test_token_transfers_contracts_and_traces(sim_chain: SimChain, full_crawl: Path) -> None:
    tt = _table(full_crawl, "token_transfers")
    assert {"erc20", "erc721"} <= set(tt.standard)
    # every zero-value poisoning transferFrom shows up as a 0-value ERC20 transfer
    poison = [
        t.tx_hash
        for t in read_tx_labels(sim_chain.labels_dir)
        if t.subcategory == "zero_value_transfer" and t.status == 1
    ]
    zero = set(tt[(tt.value == "0") & (tt.standard == "erc20")].transaction_hash)
    assert poison and set(poison) <= zero
    contracts = _table(full_crawl, "contracts")
    m = sim_chain.result.manifest["contracts"]
    by_addr = contracts.drop_duplicates("address").set_index("address")
    usdc = m["tokens"]["USDC"].lower()
    assert by_addr.loc[usdc, "is_erc20"] and by_addr.loc[m["nft"].lower(), "is_erc721"]
    assert by_addr.loc[usdc, "bytecode"] == rpc_call(sim_chain.url, "eth_getCode", [usdc, "latest"]).lower()
    traces = _table(full_crawl, "traces")
    assert len(traces) > len(_table(full_crawl, "transactions"))  # internal calls too
    assert (traces.trace_address != "").any()


def test_no_block_receipts_and_no_traces(sim_chain: SimChain, full_crawl: Path, tmp_path: Path) -> None:
    behaviour = Behaviour(unsupported={"eth_getBlockReceipts", "debug_traceBlockByNumber", "trace_block"})
    with rpc_proxy(sim_chain.url, behaviour) as url:
        stats = crawl(CrawlConfig((url,), tmp_path / "o", to_block=40, partition_size=16, traces=True))
    assert stats.receipts_mode == "tx" and stats.traces_mode == "unsupported"
    assert any("eth_getBlockReceipts" in w for w in stats.warnings)
    got = _table(tmp_path / "o", "receipts").sort_values("transaction_hash").reset_index(drop=True)
    ref = _table(full_crawl, "receipts")
    ref = ref[ref.block_number <= 40].sort_values("transaction_hash").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, ref)


def test_parity_traces_when_debug_tracing_is_missing(
    sim_chain: SimChain, full_crawl: Path, tmp_path: Path
) -> None:
    with rpc_proxy(sim_chain.url, Behaviour(unsupported={"debug_traceBlockByNumber"})) as url:
        stats = crawl(CrawlConfig((url,), tmp_path / "p", to_block=40, partition_size=16, traces=True))
    assert stats.traces_mode == "parity"
    key = ["transaction_hash", "trace_address"]
    got = _table(tmp_path / "p", "traces")
    ref = _table(full_crawl, "traces")[lambda df: df.block_number <= 40]
    assert len(got) == len(ref) > 0
    cols = [*key, "type", "from_address", "to_address", "value"]
    merged = got[cols].merge(ref[cols], on=key, suffixes=("", "_ref"))
    assert len(merged) == len(ref)
    for c in ("from_address", "to_address", "value"):
        assert (merged[c] == merged[f"{c}_ref"]).all(), c


def test_retries_failover_and_batch_halving(sim_chain: SimChain, tmp_path: Path) -> None:
    with rpc_proxy(sim_chain.url, Behaviour(fail_posts=1, fail_batch_posts=2)) as flaky:
        s = crawl(CrawlConfig((flaky,), tmp_path / "a", to_block=20, max_retries=3))
    assert s.retries == 2 and s.blocks == 21
    with rpc_proxy(sim_chain.url, Behaviour(fail_batches_only=True)) as broken:
        s = crawl(CrawlConfig((broken, sim_chain.url), tmp_path / "b", to_block=20, max_retries=3))
    assert s.failovers >= 1 and s.blocks == 21
    with rpc_proxy(sim_chain.url, Behaviour(max_batch=8)) as small:
        s = crawl(CrawlConfig((small,), tmp_path / "c", to_block=30, batch_blocks=16, max_retries=1))
    assert s.blocks == 31 and s.batch_blocks < 16
    assert len(_table(tmp_path / "c", "transactions")) == len(_table(tmp_path / "a", "transactions")) + len(
        _table(tmp_path / "c", "transactions")[lambda df: df.block_number > 20]
    )


def test_garbage_and_dead_nodes(sim_chain: SimChain, tmp_path: Path) -> None:
    with (
        rpc_proxy(sim_chain.url, Behaviour(garbage=True)) as junk,
        pytest.raises(ServiceError, match="not a usable JSON-RPC node"),
    ):
        crawl(CrawlConfig((junk,), tmp_path / "g"))
    dead = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ServiceError, match="connection refused"):
        crawl(CrawlConfig((dead,), tmp_path / "d"))
    s = crawl(CrawlConfig((dead, sim_chain.url), tmp_path / "d", to_block=3))  # dead one skipped
    assert s.blocks == 4 and any("skipping" in w for w in s.warnings)


def test_node_answering_errors(sim_chain: SimChain, tmp_path: Path) -> None:
    behaviour = Behaviour(failing={"eth_getBlockByNumber"})
    with (
        rpc_proxy(sim_chain.url, behaviour) as url,
        pytest.raises(ServiceError, match=r"failed on .*header not found"),
    ):
        crawl(CrawlConfig((url,), tmp_path / "e", to_block=5))
    assert not list((tmp_path / "e").glob("blocks/*.parquet"))  # nothing half-written


def test_rate_limit_spaces_calls() -> None:
    limiter = RateLimiter(200.0)
    started = time.perf_counter()
    for _ in range(3):
        limiter.acquire(50)
    assert time.perf_counter() - started >= 0.45  # 150 calls at 200/s, the first 50 free


def test_bad_ranges(sim_chain: SimChain, tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="reversed"):
        CrawlConfig((sim_chain.url,), tmp_path, from_block=9, to_block=3)
    with pytest.raises(BadInputError, match="beyond the chain head"):
        crawl(CrawlConfig((sim_chain.url,), tmp_path, to_block=10**9))
    r = CliRunner().invoke(
        cli,
        [
            "crawl",
            "txs",
            "--rpc",
            sim_chain.url,
            "--from-block",
            "5",
            "--to-block",
            "1",
            "--out",
            str(tmp_path),
        ],
    )
    assert r.exit_code == 2 and "error: block range is reversed" in r.output


def test_other_chain_in_same_out_folder(sim_chain: SimChain, tmp_path: Path) -> None:
    out = tmp_path / "o"
    crawl(CrawlConfig((sim_chain.url,), out, to_block=2))
    state = json.loads((out / STATE_FILE).read_text())
    state["genesis_hash"] = "0x" + "ab" * 32
    (out / STATE_FILE).write_text(json.dumps(state))
    with pytest.raises(BadInputError, match="holds a crawl of chain"):
        crawl(CrawlConfig((sim_chain.url,), out, to_block=2))


def test_plan_partitions_skips_done_blocks() -> None:
    assert plan_partitions(5, 25, 10, set()) == [(5, 9), (10, 19), (20, 25)]
    assert plan_partitions(0, 25, 10, {(0, 9), (12, 14)}) == [(10, 11), (15, 19), (20, 25)]


def test_killed_crawl_resumes_without_gap_or_duplicate(
    sim_chain: SimChain, full_crawl: Path, tmp_path: Path
) -> None:
    out = tmp_path / "killed"
    head = _head(sim_chain.url)
    cmd = [
        sys.executable, "-c", "from chainllm.cli import main; main()", "crawl", "txs", "--rpc", sim_chain.url,
        "--to-block", str(head), "--out", str(out), "--partition-size", "4", "--batch", "1",
        "--rate-limit", "40", "--json",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if len(json.loads((out / STATE_FILE).read_text())["partitions"]) >= 3:
                break
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(json.loads((out / STATE_FILE).read_text())["partitions"])
    assert 3 <= done_before < (head + 1 + 3) // 4, "the crawl should have been killed mid-way"
    (out / "blocks" / ".000000999999-000001000000.parquet.1.tmp").write_bytes(b"half")  # debris
    r = CliRunner().invoke(
        cli,
        [
            "crawl",
            "txs",
            "--rpc",
            sim_chain.url,
            "--to-block",
            str(head),
            "--out",
            str(out),
            "--partition-size",
            "4",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["partitions_skipped"] == done_before
    for table in ("blocks", "transactions", "receipts", "logs", "token_transfers"):
        got, ref = _table(out, table), _table(full_crawl, table)
        key = list(got.columns)
        pd.testing.assert_frame_equal(
            got.sort_values(key).reset_index(drop=True), ref.sort_values(key).reset_index(drop=True)
        )
    assert not [p for p in (out / "blocks").iterdir() if p.name.startswith(".")]


def test_follow_stays_behind_the_head(sim_chain: SimChain, tmp_path: Path) -> None:
    out = tmp_path / "f"
    head = _head(sim_chain.url)
    stop = threading.Event()
    result: list[object] = []
    cfg = CrawlConfig(
        (sim_chain.url,),
        out,
        from_block=head - 5,
        follow=True,
        reorg_buffer=2,
        poll_interval=0.05,
        partition_size=4,
    )
    t = threading.Thread(target=lambda: result.append(crawl(cfg, stop=stop)))
    t.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if (out / STATE_FILE).exists() and max(
                b for _, b in json.loads((out / STATE_FILE).read_text())["partitions"]
            ) >= head - 2:
                break
            time.sleep(0.05)
    finally:
        stop.set()
        t.join(20)
    blocks = _table(out, "blocks")
    assert sorted(blocks.number) == list(range(head - 5, head - 1))  # head-1 and head are in the buffer


def test_rows_map_back_to_the_canonical_rpc_shape() -> None:
    """RPC dict -> record -> Parquet row -> record -> RPC dict loses nothing features read
    (recorded-shape answers: a geth callTracer frame and a Parity trace_block list)."""
    from chainllm.chain import records as rec
    from chainllm.crawl import txs_tables as tt

    a, b, c = ("0x" + ch * 40 for ch in "abc")
    tx = {"hash": "0x" + "11" * 32, "blockNumber": "0x5", "blockHash": "0x" + "22" * 32, "transactionIndex": "0x0",
          "from": a.upper().replace("0X", "0x"), "to": b, "value": "0xde0b6b3a7640000", "gas": "0x5208",
          "gasPrice": "0x3b9aca00", "maxFeePerGas": None, "nonce": "0x7", "input": "0xA9059CBB", "type": "0x0",
          "chainId": "0x7a69", "v": "0x1b", "r": "0x1", "s": "0x2", "yParity": "0x0"}  # fmt: skip
    log = {"address": c, "topics": [tt.TRANSFER, "0x" + "00" * 12 + a[2:], "0x" + "00" * 12 + b[2:]],
           "data": "0x" + "00" * 31 + "05", "logIndex": "0x0", "blockNumber": "0x5", "transactionHash": tx["hash"],
           "transactionIndex": "0x0", "removed": False}  # fmt: skip
    rc = {"transactionHash": tx["hash"], "blockNumber": "0x5", "blockHash": tx["blockHash"], "transactionIndex": "0x0",
          "from": a, "to": b, "status": "0x1", "gasUsed": "0x5208", "cumulativeGasUsed": "0x5208",
          "effectiveGasPrice": "0x3b9aca00", "contractAddress": None, "type": "0x0", "logs": [log]}  # fmt: skip
    frame = {"type": "CALL", "from": a, "to": b, "value": "0x1", "gas": "0x100", "gasUsed": "0x50", "input": "0x",
             "calls": [{"type": "DELEGATECALL", "from": b, "to": c, "gas": "0x10", "gasUsed": "0x5", "input": "0x01",
                        "error": "execution reverted"}, {"type": "STATICCALL", "from": b, "to": a, "input": "0x"}]}  # fmt: skip
    t = rec.tx_from_rpc(tx)
    r = rec.receipt_from_rpc(rc)
    back_tx = rec.tx_from_row(tt.tx_row(t, 99), tx["blockHash"])
    back_rc = rec.receipt_from_rows(tt.receipt_row(r), back_tx, [tt.log_row(lg) for lg in r.logs])
    assert rec.tx_to_rpc(back_tx) == rec.canonical_tx(tx) and rec.canonical_tx(tx)["from"] == a
    assert rec.receipt_to_rpc(back_rc) == rec.canonical_receipt(rc)
    rows = tt.trace_rows(tx["hash"], 5, rec.trace_from_rpc(frame))
    assert [r["trace_address"] for r in rows] == ["", "0", "1"]
    tree = rec.trace_from_rows(reversed(rows))
    assert tree is not None and rec.trace_to_rpc(tree) == rec.canonical_trace(frame)
    assert rec.canonical_trace(frame)["calls"][0]["error"] == "execution reverted"
    # Parity/Erigon: the same tree from trace_block entries
    parity = [
        {"type": "call", "action": {"callType": "call", "from": a, "to": b, "value": "0x1", "gas": "0x100", "input": "0x"},
         "result": {"gasUsed": "0x50", "output": "0x"}, "traceAddress": [], "transactionHash": tx["hash"], "blockNumber": 5},
        {"type": "call", "action": {"callType": "delegatecall", "from": b, "to": c, "gas": "0x10", "input": "0x01"},
         "error": "Reverted", "traceAddress": [0], "transactionHash": tx["hash"], "blockNumber": 5},
    ]  # fmt: skip
    ptree = rec.trace_from_rows([tt.parity_trace_row(p) for p in parity])
    assert ptree is not None and [f.type for f in (ptree, *ptree.calls)] == ["CALL", "DELEGATECALL"]
    assert ptree.calls[0].error == "Reverted" and ptree.calls[0].to_address == c
