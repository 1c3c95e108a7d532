from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from chainllm.chain.simulate import SimConfig, simulate
from chainllm.chain.transport import rpc_call
from chainllm.cli import cli
from chainllm.errors import BadInputError
from chainllm.labels.schema import TX_SCHEMA, read_address_labels, read_tx_labels
from chainllm.services import manager
from tests.chain.conftest import SIM_SEED, SimChain, start_fresh_anvil

SCAM_CATEGORIES = {"ice_phishing", "address_poisoning", "honeypot", "rug_pull", "payable_scam"}


def test_label_set_files_and_schema(sim_chain: SimChain) -> None:
    d = sim_chain.labels_dir
    assert {p.name for p in d.iterdir()} == {
        "tx_labels.parquet", "tx_labels.jsonl", "address_labels.parquet", "address_labels.jsonl", "manifest.json",
    }  # fmt: skip
    assert pq.read_schema(d / "tx_labels.parquet").equals(TX_SCHEMA)
    txs = read_tx_labels(d)
    jsonl = [json.loads(x) for x in (d / "tx_labels.jsonl").read_text().splitlines()]
    assert len(jsonl) == len(txs) == len({t.tx_hash for t in txs})
    m = json.loads((d / "manifest.json").read_text())
    assert m["transactions"] == len(txs) and m["seed"] == 5
    assert {t.label for t in txs} == {"benign", "malicious"}
    assert sum(t.label == "malicious" for t in txs) >= 30


def test_every_scam_category_has_two_implementations(sim_chain: SimChain) -> None:
    impls: dict[str, set[str]] = defaultdict(set)
    for t in read_tx_labels(sim_chain.labels_dir):
        if t.label == "malicious" and t.implementation:
            impls[t.category].add(t.implementation)
    assert set(impls) >= SCAM_CATEGORIES
    for cat in SCAM_CATEGORIES:
        assert len(impls[cat]) >= 2, (cat, impls[cat])
    # the variants really differ in code
    codes = {
        rpc_call(sim_chain.url, "eth_getCode", [a, "latest"])
        for a in sim_chain.result.manifest["contracts"]["drainers"].values()
    }
    assert len(codes) == 2


def test_labels_match_the_chain(sim_chain: SimChain) -> None:
    txs = read_tx_labels(sim_chain.labels_dir)
    for t in txs[:: max(1, len(txs) // 40)]:
        r = rpc_call(sim_chain.url, "eth_getTransactionReceipt", [t.tx_hash])
        assert int(r["blockNumber"], 16) == t.block_number
        assert int(r["status"], 16) == t.status
        assert r["from"].lower() == t.from_address.lower()
    # honeypot sells against the blacklist token revert; drains succeed and move tokens
    sells = [t for t in txs if t.subcategory == "sell_blocked"]
    assert all(t.status == 0 for t in sells)
    drains = [t for t in txs if t.scenario == "drain_allowance"]
    assert drains and all(t.status == 1 for t in drains)
    benign_reverts = sum(1 for t in txs if t.label == "benign" and t.status == 0)
    assert benign_reverts <= len(txs) * 0.05


def test_benign_twins_of_scam_approvals(sim_chain: SimChain) -> None:
    """Approvals are not a shortcut to the label: setApprovalForAll, approve and permit also
    occur in benign stories (marketplace listing, router, vault)."""
    txs = read_tx_labels(sim_chain.labels_dir)
    kinds = {(t.label, t.subcategory) for t in txs}
    assert ("benign", "set_approval_for_all") in kinds and ("malicious", "set_approval_for_all") in kinds
    assert ("benign", "approve") in kinds and ("malicious", "approve") in kinds
    assert ("benign", "deposit_permit") in kinds and ("malicious", "permit") in kinds
    sales = [t for t in txs if t.scenario == "nft_marketplace" and t.subcategory == "buy"]
    assert sales and all(t.status == 1 for t in sales)


def test_address_labels_and_lookalikes(sim_chain: SimChain) -> None:
    addrs = {a.address: a for a in read_address_labels(sim_chain.labels_dir)}
    assert {"drainer", "poisoner", "honeypot_token", "rug_pull_token", "scam_contract", "dex", "token"} <= {
        a.category for a in addrs.values()
    }
    looks = [a for a in addrs.values() if a.subcategory == "lookalike"]
    benign_eoas = [a.address.lower() for a in addrs.values() if a.category == "eoa"]
    assert looks
    for lk in looks:  # shares first and last two hex digits with a real user
        h = lk.address.lower()
        assert any(u[2:4] == h[2:4] and u[-2:] == h[-2:] for u in benign_eoas)


def test_deterministic_for_a_seed(tmp_path: Path) -> None:
    outs = []
    for i in range(2):
        d = tmp_path / f"run{i}"
        url = start_fresh_anvil(d)
        try:
            simulate(url, SimConfig(seed=SIM_SEED, txs=40), out=d / "labels")  # cached look-alikes
        finally:
            manager.stop("anvil", data_dir=d)
        outs.append(
            [
                (d / "labels" / f).read_bytes()
                for f in ("tx_labels.jsonl", "address_labels.jsonl", "manifest.json")
            ]
        )
    assert outs[0] == outs[1]


def test_long_run_users_top_up_and_lookalikes_wait_for_gas(tmp_path: Path) -> None:
    """Seed 0 / 600 txs once died with "insufficient funds": a user spent their ETH, and two
    stories cashed out of one look-alike before its gas money was mined. Users now withdraw
    from the exchange when low, and look-alikes send only once funded."""
    url = start_fresh_anvil(tmp_path)
    try:
        simulate(url, SimConfig(seed=0, txs=600), out=tmp_path / "labels")
    finally:
        manager.stop("anvil", data_dir=tmp_path)
    rows = [json.loads(ln) for ln in (tmp_path / "labels" / "tx_labels.jsonl").read_text().splitlines()]
    withdrawals = [r for r in rows if r["scenario"] == "exchange_withdrawal"]
    assert len(withdrawals) > SimConfig().users + 4  # initial funding of users and attackers, then top-ups
    assert all(r["status"] == 1 for r in withdrawals)


def test_cli_blocks_mode_json(tmp_path: Path) -> None:
    d = tmp_path / "cli"
    url = start_fresh_anvil(d)
    try:
        r = CliRunner().invoke(
            cli,
            [
                "simulate",
                "--rpc",
                url,
                "--seed",
                str(SIM_SEED),
                "--blocks",
                "4",
                "--out",
                str(d / "l"),
                "--json",
            ],
        )
        assert r.exit_code == 0, r.output
        m = json.loads(r.stdout)
        assert m["out"] == str(d / "l") and m["config"]["blocks"] == 4
        assert m["transactions"] > m["setup_transactions"]
        assert rpc_call(url, "eth_blockNumber") == hex(m["to_block"])
    finally:
        manager.stop("anvil", data_dir=d)


def test_bad_config_is_one_error() -> None:
    with pytest.raises(BadInputError, match=r"--txs must be >= 1.*--users must be within"):
        SimConfig(txs=0, users=1)


def test_cli_simulate_without_node(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAINLLM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CHAINLLM_RPC", raising=False)
    r = CliRunner().invoke(cli, ["simulate", "--txs", "10"])
    assert r.exit_code == 2
    assert "no --rpc URL given and no local anvil is running" in r.output
    r = CliRunner().invoke(cli, ["simulate", "--rpc", f"http://127.0.0.1:{manager.free_port()}"])
    assert r.exit_code == 2 and "connection refused" in r.output
