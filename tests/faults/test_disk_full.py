"""A full disk (a real 2 MiB tmpfs, filled up) during a corpus build and during a chain crawl:
one clear line naming the file, exit 2, nothing half-written that looks complete, and the
same command finishes once there is space again."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pyarrow.parquet as pq

from chainllm.chain.transport import rpc_call
from tests.faults.conftest import ROOT, OwnService, chainllm

OZ_TOKENS = ROOT / "node_modules" / "@openzeppelin" / "contracts" / "token"


def _fill(disk: Path, leave: int) -> Path:
    filler = disk / "filler"
    filler.write_bytes(b"\0" * (shutil.disk_usage(disk).free - leave))
    return filler


def _hidden_temp_files(root: Path) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and ".tmp" in p.name]


def _failed_on_full_disk(proc: subprocess.CompletedProcess[str], disk: Path) -> dict[str, str]:
    assert proc.returncode == 2, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and "no space left on device writing " + str(disk) in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    error: dict[str, str] = json.loads(proc.stdout)["error"]
    assert error["code"] == "disk_full" and "rerun" in error["hint"]
    return error


def test_corpus_build_on_a_full_disk(small_disk: Path) -> None:
    filler = _fill(small_disk, leave=100_000)
    out = small_disk / "corpus"
    args = ["crawl", "sources", f"dir:{OZ_TOKENS}", "--out", str(out), "--json"]
    _failed_on_full_disk(chainllm(*args), small_disk)
    assert not (out / "dataset_card.json").exists()  # the completion marker is never written early
    assert not _hidden_temp_files(out)
    for shard in out.rglob("*.parquet"):  # whatever was kept (the resumable crawl store) is whole
        pq.read_table(shard)

    filler.unlink()
    done = chainllm(*args)
    assert done.returncode == 0, done.stderr
    assert chainllm("corpus", "verify", str(out)).returncode == 0


def test_chain_crawl_on_a_full_disk(own_anvil: OwnService, small_disk: Path) -> None:
    accounts = rpc_call(own_anvil.url, "eth_accounts")
    for i in range(30):
        rpc_call(
            own_anvil.url,
            "eth_sendTransaction",
            [{"from": accounts[0], "to": accounts[1], "value": hex(i + 1)}],
        )
    head = int(rpc_call(own_anvil.url, "eth_blockNumber"), 16)
    filler = _fill(small_disk, leave=40_000)
    out = small_disk / "txs"
    args = ["crawl", "txs", "--rpc", own_anvil.url, "--to-block", str(head), "--out", str(out),
            "--partition-size", "10", "--json"]  # fmt: skip
    _failed_on_full_disk(chainllm(*args), small_disk)
    assert not _hidden_temp_files(out)
    state = (
        json.loads((out / "_crawl_state.json").read_text()) if (out / "_crawl_state.json").exists() else {}
    )
    recorded = {f"{a:012d}-{b:012d}.parquet" for a, b in state.get("partitions", [])}
    for f in out.glob("*/*.parquet"):  # every file on disk belongs to a recorded, whole partition
        assert f.name in recorded, f
        pq.read_table(f)

    filler.unlink()
    done = chainllm(*args)
    assert done.returncode == 0, done.stderr
    blocks = pq.read_table(out / "blocks").column("number").to_pylist()
    assert sorted(blocks) == list(range(head + 1))
