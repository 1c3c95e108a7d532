"""Each stage on the real Ray cluster gives the local run's output: audit, score, crawl txs,
crawl sources (through the CLI, as a user runs them); crawl txs resumes after an interruption."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from chainllm.cli import cli
from chainllm.services import manager

CONTRACTS = Path(__file__).resolve().parents[1] / "audit" / "contracts"


def _run(*args: str) -> str:
    res = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert res.exit_code in (0, 1), (res.exit_code, res.stderr, res.stdout)
    return res.stdout


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """A fresh anvil with a few transfers and a contract creation (one block each)."""
    from chainllm.chain.transport import rpc_call

    d = tmp_path_factory.mktemp("scale-anvil")
    st = manager.start("anvil", data_dir=d, port=manager.free_port())
    assert st.url
    try:
        accounts = rpc_call(st.url, "eth_accounts")
        hashes = [
            rpc_call(st.url, "eth_sendTransaction", [{"from": accounts[i % 3], "to": accounts[3 + i % 4], "value": hex(10**15 * (i + 1))}])
            for i in range(9)
        ]  # fmt: skip
        # init code that deploys a 1-byte runtime (STOP): a row for the contracts table
        hashes.append(
            rpc_call(
                st.url, "eth_sendTransaction", [{"from": accounts[0], "data": "0x600160008160098239f300"}]
            )
        )
        yield st.url, hashes
    finally:
        manager.stop("anvil", data_dir=d)


def test_audit_on_ray_matches_local(ray_cluster: str, tmp_path: Path) -> None:
    from chainllm.audit.engine import AuditOptions, audit_paths
    from chainllm.audit.report import render
    from chainllm.executor.cluster import RayExecutor

    src = tmp_path / "src"
    src.mkdir()
    for name in ("Clean.sol", "V08Bank.sol", "V07Origin.sol"):
        shutil.copy(CONTRACTS / name, src / name)
    opts = AuditOptions(use_cache=False, fail_on=None)
    local = audit_paths([src], opts)
    on_ray = audit_paths([src], opts, executor=RayExecutor(ray_cluster))
    assert render(on_ray, "sarif") == render(local, "sarif")  # byte for byte
    assert '"ruleId"' in render(local, "sarif") and len(local.results) == 3

    def timeless(report: object) -> object:
        doc = json.loads(render(report, "json"))  # type: ignore[arg-type]
        doc.pop("seconds", None)
        doc["summary"].pop("seconds", None)
        for r in doc["results"]:
            r.pop("seconds", None)
        return doc

    assert timeless(on_ray) == timeless(local)
    # The CLI flag reaches the same seam: an address nobody listens on fails in seconds.
    res = CliRunner().invoke(cli, ["audit", str(src), "--ray", "127.0.0.1:9"])
    assert res.exit_code == 2 and "Ray cluster 127.0.0.1:9 is unreachable" in res.stderr


def test_score_on_ray_matches_local_and_resumes(
    ray_cluster: str, chain: tuple[str, list[str]], tmp_path: Path
) -> None:
    url, hashes = chain
    hash_file = tmp_path / "hashes.txt"
    hash_file.write_text("\n".join(hashes) + "\n")
    base = ["score", "--from-file", str(hash_file), "--rpc", url, "--no-cache", "--json"]

    def rows(out: str) -> list[dict[str, object]]:
        docs = [json.loads(line) for line in out.splitlines() if line.strip()]
        for d in docs:
            d.pop("timings_ms")  # wall-clock, the only field that differs run to run
        return docs

    local = rows(_run(*base))
    parts = tmp_path / "parts"
    on_ray = rows(_run(*base, "--ray", ray_cluster, "--ray-out", str(parts)))
    assert (
        on_ray == local and len(local) == len(hashes) and all(d["verdict"] != "not_analysed" for d in local)
    )
    # Rerun after "an interruption" that lost the only batch file: recomputed, same answer.
    (batch,) = parts.glob("*.jsonl")
    batch.unlink()
    assert rows(_run(*base, "--ray", ray_cluster, "--ray-out", str(parts))) == local and batch.is_file()


def test_crawl_txs_on_ray_matches_local_byte_for_byte_and_resumes(
    ray_cluster: str, chain: tuple[str, list[str]], tmp_path: Path
) -> None:
    url, _ = chain
    base = [
        "crawl",
        "txs",
        "--rpc",
        url,
        "--from-block",
        "0",
        "--to-block",
        "10",
        "--partition-size",
        "4",
        "--json",
    ]
    _run(*base, "--out", str(tmp_path / "local"))
    first = json.loads(_run(*base, "--out", str(tmp_path / "ray"), "--ray", ray_cluster))
    assert first["partitions_written"] == 3 and first["transactions"] == 10 and first["contracts"] >= 1
    local, on_ray = _files(tmp_path / "local"), _files(tmp_path / "ray")
    assert on_ray == local and any(k.startswith("transactions/") for k in local)
    # Interrupted run: the last partition's files are half there and not yet recorded.
    state_path = tmp_path / "ray" / "_crawl_state.json"
    state = json.loads(state_path.read_text())
    state["partitions"] = [p for p in state["partitions"] if p != [8, 10]]
    state_path.write_text(json.dumps(state, indent=1))
    (tmp_path / "ray" / "blocks" / "000000000008-000000000010.parquet").unlink()
    again = json.loads(_run(*base, "--out", str(tmp_path / "ray"), "--ray", ray_cluster))
    assert again["partitions_written"] == 1 and again["partitions_skipped"] == 2 and again["blocks"] == 3
    assert _files(tmp_path / "ray") == local


def test_crawl_sources_on_ray_matches_local(ray_cluster: str, tmp_path: Path) -> None:
    specs = []
    for i, name in enumerate(("Clean.sol", "V08Bank.sol")):
        d = tmp_path / f"pkg{i}"
        d.mkdir()
        shutil.copy(CONTRACTS / name, d / name)
        specs.append(f"dir:{d}")
    base = [
        "crawl",
        "sources",
        *specs,
        "--licenses",
        "permissive,unknown,none",
        "--split",
        "50,25,25",
        "--json",
    ]
    local = json.loads(_run(*base, "--out", str(tmp_path / "local" / "corpus")))
    on_ray = json.loads(_run(*base, "--out", str(tmp_path / "ray" / "corpus"), "--ray", ray_cluster))
    assert [s["status"] for s in on_ray["sources"]] == ["crawled", "crawled"]
    assert on_ray["card"] == local["card"] and local["card"]["rows"] == 2
    data_l, data_r = (
        _files(tmp_path / "local" / "corpus" / "data"),
        _files(tmp_path / "ray" / "corpus" / "data"),
    )
    assert data_r == data_l and data_l
    for name in ("dataset_card.json", "README.md"):
        assert (tmp_path / "ray" / "corpus" / name).read_bytes() == (
            tmp_path / "local" / "corpus" / name
        ).read_bytes()
    shards = sorted(p.name for p in (tmp_path / "ray" / "corpus" / ".crawl").glob("*.parquet"))
    assert (
        shards == sorted(p.name for p in (tmp_path / "local" / "corpus" / ".crawl").glob("*.parquet"))
        and len(shards) == 2
    )
    again = json.loads(_run(*base, "--out", str(tmp_path / "ray" / "corpus"), "--ray", ray_cluster))
    assert [s["status"] for s in again["sources"]] == ["cached", "cached"]  # resumed: nothing refetched


def test_a_kept_score_worker_reuses_no_fetched_data_under_no_cache(tmp_path: Path) -> None:
    from dataclasses import asdict

    from chainllm.executor.base import ActorSpec, Worker
    from chainllm.fraud.scorer import ScoreOptions

    for cache in (False, True):
        opts = asdict(ScoreOptions(cache=cache, cache_path=tmp_path / f"c{cache}.sqlite"))
        opts["cache_path"] = str(opts["cache_path"])
        w = Worker(
            ActorSpec(
                "chainllm.executor.stages:_make_scorer", (("http://127.0.0.1:9",), None, (), opts, None)
            )
        )
        w.state.fetcher.cache.put_many({"receipt:0xab": {"status": "0x1"}})
        w.begin_run()  # what a warm actor does when the next command reaches it
        kept = w.state.fetcher.cache.get_many(["receipt:0xab"])
        assert kept == ({"receipt:0xab": {"status": "0x1"}} if cache else {}), (cache, kept)
