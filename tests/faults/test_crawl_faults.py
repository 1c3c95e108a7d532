"""`chainllm crawl txs` against a real anvil that dies mid-range, comes back, or comes back as
another chain: finished partitions are kept, the resumed crawl has no gap and no duplicate,
and a different chain is refused without touching what is there."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pyarrow.parquet as pq

from chainllm.chain.transport import rpc_call
from chainllm.services.anvil import anvil_binary
from tests.faults.conftest import OwnService, chainllm, spawn, wait_for

PARTITION = 5


def _build_chain(url: str) -> tuple[int, set[str]]:
    """40 ETH transfers (one block each on automine) and 20 empty blocks; (head, tx hashes)."""
    accounts = rpc_call(url, "eth_accounts")
    hashes = {
        rpc_call(
            url,
            "eth_sendTransaction",
            [{"from": accounts[i % 5], "to": accounts[5 + i % 3], "value": hex(i + 1)}],
        )
        for i in range(40)
    }
    rpc_call(url, "anvil_mine", [20])
    return int(rpc_call(url, "eth_blockNumber"), 16), hashes


def _recorded(out: Path) -> list[list[int]]:
    try:
        return list(json.loads((out / "_crawl_state.json").read_text())["partitions"])
    except (OSError, ValueError, KeyError):
        return []


def test_node_killed_mid_range_then_restarted_resumes_without_gap_or_duplicate(
    own_anvil: OwnService, tmp_path: Path
) -> None:
    head, sent = _build_chain(own_anvil.url)
    own_anvil.stop()  # a clean stop writes anvil's --state file: the chain survives a later kill
    own_anvil.restart()
    out = tmp_path / "crawl"
    args = ["crawl", "txs", "--rpc", own_anvil.url, "--from-block", "0", "--to-block", str(head),
            "--out", str(out), "--partition-size", str(PARTITION), "--batch", "1", "--concurrency", "1",
            "--no-state", "--json"]  # fmt: skip
    slow = spawn(*args, "--rate-limit", "12")
    try:
        wait_for(lambda: len(_recorded(out)) >= 2 or slow.poll() is not None, 120, "two finished partitions")
        assert slow.poll() is None, (
            f"the crawl finished before the node could be killed: {slow.communicate()}"
        )
        own_anvil.kill()
        _stdout, stderr = slow.communicate(timeout=120)
    finally:
        if slow.poll() is None:
            slow.kill()
    assert slow.returncode == 2, stderr
    assert own_anvil.url in stderr and "Traceback" not in stderr  # one line naming the node
    done_before = _recorded(out)
    total = (head // PARTITION) + 1
    assert 2 <= len(done_before) < total

    own_anvil.restart()
    resumed = chainllm(*args)
    assert resumed.returncode == 0, resumed.stderr
    stats = json.loads(resumed.stdout)
    assert stats["partitions_skipped"] >= len(done_before)  # kept, not redone

    blocks = pq.read_table(out / "blocks").column("number").to_pylist()
    assert sorted(blocks) == list(range(head + 1))  # no gap, no duplicate
    txs = pq.read_table(out / "transactions").column("hash").to_pylist()
    assert len(txs) == len(set(txs)) and set(txs) == sent
    leftovers = [p.name for p in out.rglob("*") if p.name.startswith(".") and p.is_file()]
    assert not leftovers, leftovers


def test_node_restarted_on_another_chain_is_refused(own_anvil: OwnService, tmp_path: Path) -> None:
    head, _ = _build_chain(own_anvil.url)
    out = tmp_path / "crawl"
    first = chainllm("crawl", "txs", "--rpc", own_anvil.url, "--to-block", str(head), "--out", str(out),
                     "--no-state", "--json")  # fmt: skip
    assert first.returncode == 0, first.stderr
    state_before = (out / "_crawl_state.json").read_bytes()
    files_before = sorted(p.relative_to(out) for p in out.rglob("*"))

    own_anvil.kill()
    other = subprocess.Popen(  # same port, another chain (chain id 4242)
        [str(anvil_binary()), "--host", "127.0.0.1", "--port", str(own_anvil.port), "--chain-id", "4242"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: _answers(own_anvil.url), 30, "the other chain's node")
        rpc_call(own_anvil.url, "anvil_mine", [head + 5])
        again = chainllm("crawl", "txs", "--rpc", own_anvil.url, "--to-block", str(head + 5), "--out", str(out),
                         "--no-state", "--json")  # fmt: skip
    finally:
        other.kill()
        other.wait()
    assert again.returncode == 2
    assert "holds a crawl of chain 31337" in again.stderr and "chain 4242" in again.stderr
    assert json.loads(again.stdout)["error"]["code"] == "bad_input"
    assert (out / "_crawl_state.json").read_bytes() == state_before  # untouched
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == files_before


def _answers(url: str) -> bool:
    try:
        rpc_call(url, "eth_chainId", timeout=1)
    except Exception:
        return False
    return True
