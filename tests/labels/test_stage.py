"""The label schema's ``stage`` column (version 2): derived for rows that do not say it,
written by every writer, read back from version-1 sets without the column."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from chainllm.labels.schema import (
    SCHEMA_VERSION,
    TX_SCHEMA,
    TxLabel,
    derive_stage,
    read_tx_labels,
    training_rows,
    write_label_set,
)


def _row(label: str, scenario: str, subcategory: str, role: str, n: int = 0) -> TxLabel:
    return TxLabel(f"0x{n:064x}", label, "cat", subcategory, scenario, "", role, n, n, "", "", "0", 1)


@pytest.mark.parametrize(
    ("scenario", "subcategory", "role", "stage"),
    [
        ("victim_grants_allowance", "approve", "victim", "harm"),  # victim-signed: always harm
        ("honeypot_buy", "buy", "victim", "harm"),
        ("sweep", "permit", "attacker", "harm"),
        ("deploy_and_sweep", "create2_drainer", "attacker", "harm"),  # the theft wins over "deploy"
        ("rug_pull_launch", "add_liquidity", "attacker", "setup"),  # launch wins over "pull"
        ("pull_liquidity", "liquidity_removal", "attacker", "harm"),
        ("fund_fresh_address", "permit2", "attacker", "setup"),
        ("launder_proceeds", "cash_out", "attacker", "setup"),
        ("raise_sell_tax", "configure", "attacker", "harm"),
        ("upgrade", "proxy_upgrade", "attacker", "harm"),
        ("deploy_malicious_impl", "proxy_upgrade", "attacker", "setup"),
        ("", "", "", "harm"),  # an imported hash list names harmful transactions
    ],
)
def test_derive_stage(scenario: str, subcategory: str, role: str, stage: str) -> None:
    assert derive_stage("malicious", role, scenario, subcategory) == stage
    assert derive_stage("benign", role, scenario, subcategory) == ""


def test_writer_fills_stage_and_version_1_sets_read_the_same(tmp_path: Path) -> None:
    rows = [
        _row("benign", "swap", "swap", "user", 1),
        _row("malicious", "launch", "sell_tax", "attacker", 2),
        _row("malicious", "victim_buys", "sell_tax", "victim", 3),
        replace(_row("malicious", "launch", "sell_tax", "attacker", 4), stage="harm"),  # said: kept
    ]
    write_label_set(tmp_path / "v2", rows, [], {"seed": 1})
    got = read_tx_labels(tmp_path / "v2")
    assert [r.stage for r in got] == ["", "setup", "harm", "harm"]
    assert pq.read_schema(tmp_path / "v2" / "tx_labels.parquet").equals(TX_SCHEMA)
    assert (
        json.loads((tmp_path / "v2" / "manifest.json").read_text())["label_schema_version"] == SCHEMA_VERSION
    )
    assert all(
        json.loads(x)["stage"] is not None
        for x in (tmp_path / "v2" / "tx_labels.jsonl").read_text().splitlines()
    )
    # A version-1 set: the same table without the stage column.
    old = tmp_path / "v1"
    old.mkdir()
    v1 = pa.schema([f for f in TX_SCHEMA if f.name != "stage"])
    pq.write_table(pa.Table.from_pylist([{k: v for k, v in asdict(r).items() if k != "stage"} for r in rows[:3]],
                                        schema=v1), old / "tx_labels.parquet")  # fmt: skip
    assert [r.stage for r in read_tx_labels(old)] == ["", "setup", "harm"]


def test_training_rows_leave_set_up_steps_out() -> None:
    rows = [
        _row("benign", "swap", "swap", "user", 1),
        _row("malicious", "deploy", "payable_claim", "attacker", 2),
        _row("malicious", "victim_pays_claim", "payable_claim", "victim", 3),
        _row("malicious", "collect", "payable_claim", "attacker", 4),
    ]
    assert training_rows(rows) == [0, 2, 3]
