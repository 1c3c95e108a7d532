"""Crawled Parquet as a feature source: a bundle from the crawl equals the one fetched by RPC
(real anvil simulation -> crawl txs -> compare), `train fraud --chain-data` needs no node,
`score --chain-data` works from a batch, and the bad inputs of issue 13 are reported."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from chainllm.cli import cli
from chainllm.crawl.txs import STATE_FILE, CrawlConfig, crawl
from chainllm.crawl.txs_tables import TABLES
from chainllm.errors import BadInputError
from chainllm.fraud.chain_data import ChainData
from chainllm.fraud.fetch import Fetcher, FetchFailure, TxBundle
from chainllm.fraud.training import load_dataset
from chainllm.labels.schema import read_address_labels, write_label_set
from chainllm.services.manager import free_port
from tests.chain.rpc_proxy import Behaviour, rpc_proxy
from tests.fraud.conftest import FraudChain
from tests.fraud.rpc_stub import no_trace_proxy

PART = 32  # blocks per partition: the simulation spans several


@pytest.fixture(scope="session")
def fraud_crawl(fraud_chain: FraudChain, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fraud-crawl") / "chain"
    head = max(r.block_number for r in fraud_chain.rows)
    stats = crawl(CrawlConfig((fraud_chain.url,), out, to_block=head, partition_size=PART, traces=True))
    assert stats.traces_mode == "callTracer" and stats.account_states > 0
    return out


def _run(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), env=env)


def test_parquet_bundle_equals_rpc_bundle(fraud_chain: FraudChain, fraud_crawl: Path) -> None:
    hashes = [r.tx_hash.lower() for r in fraud_chain.rows]
    fetcher = Fetcher([fraud_chain.url])
    try:
        by_rpc = fetcher.fetch(hashes)
    finally:
        fetcher.close()
    by_parquet = ChainData(fraud_crawl).fetch(hashes)
    assert all(isinstance(b, TxBundle) for b in by_rpc.values())

    # Same bundle, except the simulated sell of a bought token: only a node can run it, so
    # the crawl says "not analysed" (no_node) where RPC ran it ("ok").
    def plain(b: object) -> object:
        return replace(b, sell=None, sell_status="") if isinstance(b, TxBundle) else b

    differ = [h for h in hashes if plain(by_rpc[h]) != plain(by_parquet[h])]
    assert not differ, f"{len(differ)} bundles differ, first {differ[0]}"
    for h in hashes:
        rb, pb = by_rpc[h], by_parquet[h]
        assert isinstance(rb, TxBundle) and isinstance(pb, TxBundle)
        assert (rb.sell_status == "ok") == (pb.sell_status == "no_node")
    # the comparison is not vacuous: traces, code, ages and history are all there
    b = by_parquet[hashes[-1]]
    assert isinstance(b, TxBundle) and b.trace is not None and b.codes and b.ages and b.history


def test_train_from_chain_data_needs_no_node(
    fraud_chain: FraudChain, fraud_crawl: Path, fraud_model: Path, tmp_path: Path
) -> None:
    out = tmp_path / "from-parquet"
    dead = f"http://127.0.0.1:{free_port()}"  # a node that is not there: nothing may ask it
    res = _run("train", "fraud", "--chain-data", str(fraud_crawl), "--labels", str(fraud_chain.labels_dir),
               "--out", str(out), "--no-llm", "--json", env={"CHAINLLM_RPC": dead})  # fmt: skip
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["source"] == "parquet" and summary["rows"] == len(fraud_chain.rows)
    assert summary["missing_hashes"] == 0 and summary["label_conflicts"] == 0
    # same features, same seed: the same evaluation as the model trained over RPC
    rpc_eval = json.loads((fraud_model / "eval.json").read_text())
    pq_eval = json.loads((out / "eval.json").read_text())
    assert pq_eval["splits"] == rpc_eval["splits"]


def test_score_a_crawled_batch(
    fraud_chain: FraudChain, fraud_crawl: Path, fraud_model: Path, tmp_path: Path
) -> None:
    hashes = [r.tx_hash for r in fraud_chain.rows[-20:]]
    f = tmp_path / "hashes.txt"
    f.write_text("\n".join(hashes) + "\n")
    common = ["--model", str(fraud_model), "--no-llm", "--no-cache", "--json"]
    pq_res = _run("score", "--chain-data", str(fraud_crawl), "--from-file", str(f), *common,
                  env={"CHAINLLM_RPC": f"http://127.0.0.1:{free_port()}"})  # fmt: skip
    rpc_res = _run("score", "--rpc", fraud_chain.url, "--from-file", str(f), *common)
    assert pq_res.exit_code == 0 and rpc_res.exit_code == 0, pq_res.output + rpc_res.output

    def key(out: str) -> list[tuple[str, str, float]]:
        rows = [json.loads(ln) for ln in out.splitlines()]
        return [(r["tx_hash"], r["verdict"], r["score"]) for r in rows]

    assert key(pq_res.stdout) == key(rpc_res.stdout) and len(key(pq_res.stdout)) == 20


def test_eval_by_time_from_chain_data_needs_no_node(fraud_chain: FraudChain, fraud_crawl: Path) -> None:
    """`eval fraud --by` from a crawl: the same rows and the same learnt model as over RPC (the
    GBM's held-out figures are equal); only the test rows' simulated sell, which needs a node,
    may differ, and the crawl says so instead of calling a buy sellable."""
    dead = {"CHAINLLM_RPC": f"http://127.0.0.1:{free_port()}"}
    common = ["eval", "fraud", "--by", "time", "--labels", str(fraud_chain.labels_dir), "--json"]
    pq_res = _run(*common, "--chain-data", str(fraud_crawl), env=dead)
    rpc_res = _run(*common, "--rpc", fraud_chain.url)
    assert pq_res.exit_code == 0 and rpc_res.exit_code == 0, pq_res.output + rpc_res.output
    (pq,), (rpc,) = json.loads(pq_res.stdout)["splits"], json.loads(rpc_res.stdout)["splits"]
    assert (pq["train_rows"], pq["test_rows"]) == (rpc["train_rows"], rpc["test_rows"])
    assert pq["scorers"]["gbm"] == rpc["scorers"]["gbm"]
    assert pq["combiners"] == rpc["combiners"]
    bad = _run("eval", "fraud", "--by", "time", "--labels", str(fraud_chain.labels_dir), "--chain-data",
               str(fraud_crawl), "--rpc", fraud_chain.url)  # fmt: skip
    assert bad.exit_code != 0 and "not both" in bad.output


def _drop_partition(src: Path, dst: Path, index: int) -> tuple[int, int]:
    """A copy of a crawl with one finished partition removed: a crawl with a gap."""
    shutil.copytree(src, dst)
    state = json.loads((dst / STATE_FILE).read_text())
    a, b = sorted(state["partitions"])[index]
    state["partitions"] = [p for p in state["partitions"] if p != [a, b]]
    (dst / STATE_FILE).write_text(json.dumps(state))
    for t in TABLES:
        (dst / t / f"{a:012d}-{b:012d}.parquet").unlink()
    return a, b


def test_gap_and_labels_missing_from_the_crawl_are_reported(
    fraud_chain: FraudChain, fraud_crawl: Path, tmp_path: Path
) -> None:
    gappy = tmp_path / "gappy"
    a, b = _drop_partition(fraud_crawl, gappy, 1)
    in_gap = [r for r in fraud_chain.rows if a <= r.block_number <= b]
    assert in_gap
    ds = load_dataset([fraud_chain.labels_dir], chain_data=gappy)
    assert ds.missing == len(in_gap) and len(ds.rows) == len(fraud_chain.rows) - len(in_gap)
    text = "\n".join(ds.problems())
    assert f"{len(in_gap)} labelled transaction(s) not found" in text
    assert in_gap[0].tx_hash.lower() in text or ds.missing_examples[0] in text
    assert f"gaps (blocks {a}-{b} missing)" in text
    # the CLI says it too: counted in --json, one warning line each on stderr
    res = _run("train", "fraud", "--chain-data", str(gappy), "--labels", str(fraud_chain.labels_dir),
               "--out", str(tmp_path / "m"), "--no-llm", "--json")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["missing_hashes"] == len(in_gap)
    assert f"warning: {len(in_gap)} labelled transaction(s) not found in the parquet source" in res.stderr
    assert "warning: crawl" in res.stderr and "has gaps" in res.stderr
    got = ChainData(gappy).fetch([in_gap[0].tx_hash])
    f = got[in_gap[0].tx_hash.lower()]
    assert isinstance(f, FetchFailure) and f.code == "NOT_FOUND" and str(gappy) in f.message


def test_crawl_of_another_chain_is_refused(
    fraud_chain: FraudChain, fraud_crawl: Path, tmp_path: Path
) -> None:
    other = tmp_path / "labels-chain-1"
    shutil.copytree(fraud_chain.labels_dir, other)
    m = json.loads((other / "manifest.json").read_text())
    (other / "manifest.json").write_text(json.dumps({**m, "chain_id": 1}))
    with pytest.raises(BadInputError, match=r"is for chain 1, but --chain-data .* is chain 31337"):
        load_dataset([other], chain_data=fraud_crawl)
    with pytest.raises(BadInputError, match="is a crawl of chain 31337, but chain 1 was expected"):
        ChainData(fraud_crawl, expect_chain_id=1)
    res = _run("train", "fraud", "--chain-data", str(fraud_crawl), "--labels", str(other), "--no-llm",
               "--out", str(tmp_path / "m"))  # fmt: skip
    assert res.exit_code != 0 and "is for chain 1" in res.output and not (tmp_path / "m").exists()


def test_contradicting_label_sets_are_reported(
    fraud_chain: FraudChain, fraud_crawl: Path, tmp_path: Path
) -> None:
    flipped = [
        replace(r, label="benign" if r.label == "malicious" else "malicious") for r in fraud_chain.rows[:7]
    ]
    second = tmp_path / "second"
    m = json.loads((fraud_chain.labels_dir / "manifest.json").read_text())
    write_label_set(second, flipped, read_address_labels(fraud_chain.labels_dir)[:1], m)
    ds = load_dataset([fraud_chain.labels_dir, second], chain_data=fraud_crawl)
    assert ds.conflicts == 7 and len(ds.rows) == len(fraud_chain.rows) - 7
    flipped_hashes = {r.tx_hash.lower() for r in flipped}
    assert not flipped_hashes & {r.tx_hash.lower() for r in ds.rows}
    assert any("7 transaction(s) labelled both malicious and benign" in p for p in ds.problems())


def test_node_without_debug_trace_lowers_coverage_and_says_so(
    fraud_chain: FraudChain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAINLLM_CACHE_DIR", str(tmp_path / "cache"))  # traces cached by others: not here
    with no_trace_proxy(fraud_chain.url) as url:
        ds = load_dataset([fraud_chain.labels_dir], [url])
    assert ds.missing == 0 and len(ds.rows) == len(fraud_chain.rows)
    assert all(e.facts.trace_status == "unsupported" for e in ds.exs)
    assert any("has no debug_traceTransaction" in n and "lower coverage" in n for n in ds.problems())
    # a crawl of a node without block traces: said when the crawl is opened, bundles say why
    hidden = Behaviour(unsupported={"debug_traceBlockByNumber", "trace_block"})
    with rpc_proxy(fraud_chain.url, hidden) as url:
        cfg = CrawlConfig((url,), tmp_path / "c", to_block=40, partition_size=PART, traces=True, state=False)
        stats = crawl(cfg)
    assert stats.traces_mode == "unsupported" and stats.account_states == 0
    cd = ChainData(tmp_path / "c")
    notes = cd.coverage_notes()
    assert any("no call traces for blocks 0-40" in n and "lower coverage" in n for n in notes)
    assert any("no account state for blocks 0-40" in n and "--no-state" in n for n in notes)
    r = next(r for r in fraud_chain.rows if r.block_number <= 40)
    b = cd.fetch([r.tx_hash])[r.tx_hash.lower()]
    assert isinstance(b, TxBundle) and b.trace is None and b.trace_status == "unsupported"
    assert b.codes == {} and b.ages == {}  # unknown, never "no code" or "new account"
