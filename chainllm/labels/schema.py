"""The labelled dataset: schema, writer and reader. Fraud scoring reads this.

A label set is a folder (``chainllm simulate --out DIR``; default
``<data_dir>/labels/sim-<seed>``) holding:

``tx_labels.parquet`` (and the same rows as ``tx_labels.jsonl``), one row per transaction:

=================  ======  ==========================================================
column             type    meaning
=================  ======  ==========================================================
tx_hash            string  0x-prefixed, lower-case, 32 bytes
label              string  "benign" | "malicious"
category           string  coarse class, e.g. "transfer", "swap", "ice_phishing",
                           "address_poisoning", "honeypot", "rug_pull", "payable_scam"
subcategory        string  finer class, e.g. "approve", "permit", "set_approval_for_all",
                           "zero_value_transfer", "dust", "fake_token", "sell_blocked", ...
scenario           string  what the simulator was acting out, e.g. "victim_approves_drainer"
implementation     string  contract variant involved, e.g. "HoneypotTaxToken"; "" when
                           none (plain ETH transfer). Split train/test by this column so a
                           model must generalise across code, not memorise one bytecode.
role               string  what the sender is in the story: "user", "victim", "attacker",
                           "deployer", "owner", "lp", "funder"
block_number       int64
timestamp          int64   block timestamp, unix seconds
from_address       string  checksummed
to_address         string  checksummed; "" for contract creation
value_wei          string  decimal string (wei exceeds int64)
status             int8    receipt status: 1 success, 0 reverted (a reverted honeypot
                           sell is part of the story and stays labelled)
source             string  "simulator" (or the imported list's name)
confidence         double  1.0 for simulated ground truth
=================  ======  ==========================================================

``address_labels.parquet`` (+ ``.jsonl``): ``address`` (checksummed), ``label``
("benign" | "malicious"), ``category`` (e.g. "drainer", "phishing_token", "poisoner",
"honeypot_token", "rug_pull_token", "scam_contract", "dex", "token", "nft", "multisig",
"eoa"), ``subcategory``, ``implementation``, ``source``, ``confidence``.

``manifest.json``: seed, chain id, block range, counts per label/category, simulator
version, contract deployments (name -> address). Every file is written to a temp name and
renamed, manifest last: a folder with a manifest is complete.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from chainllm.io import atomic_path, atomic_write

LABELS = ("benign", "malicious")


@dataclass(frozen=True)
class TxLabel:
    tx_hash: str
    label: str
    category: str
    subcategory: str
    scenario: str
    implementation: str
    role: str
    block_number: int
    timestamp: int
    from_address: str
    to_address: str
    value_wei: str
    status: int
    source: str = "simulator"
    confidence: float = 1.0


@dataclass(frozen=True)
class AddressLabel:
    address: str
    label: str
    category: str
    subcategory: str = ""
    implementation: str = ""
    source: str = "simulator"
    confidence: float = 1.0


TX_SCHEMA = pa.schema(
    [
        ("tx_hash", pa.string()),
        ("label", pa.string()),
        ("category", pa.string()),
        ("subcategory", pa.string()),
        ("scenario", pa.string()),
        ("implementation", pa.string()),
        ("role", pa.string()),
        ("block_number", pa.int64()),
        ("timestamp", pa.int64()),
        ("from_address", pa.string()),
        ("to_address", pa.string()),
        ("value_wei", pa.string()),
        ("status", pa.int8()),
        ("source", pa.string()),
        ("confidence", pa.float64()),
    ]
)
ADDRESS_SCHEMA = pa.schema(
    [
        ("address", pa.string()),
        ("label", pa.string()),
        ("category", pa.string()),
        ("subcategory", pa.string()),
        ("implementation", pa.string()),
        ("source", pa.string()),
        ("confidence", pa.float64()),
    ]
)


def _write_table(path: Path, rows: list[dict[str, Any]], schema: pa.Schema) -> None:
    table = pa.Table.from_pylist(rows, schema=schema)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)
    jsonl = "".join(json.dumps(r, sort_keys=True) + "\n" for r in rows)
    atomic_write(path.with_suffix(".jsonl"), jsonl)


def write_label_set(
    out: Path, txs: list[TxLabel], addresses: list[AddressLabel], manifest: dict[str, Any]
) -> None:
    """Write one label set atomically per file; the manifest goes last and marks completion."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").unlink(missing_ok=True)
    _write_table(out / "tx_labels.parquet", [asdict(t) for t in txs], TX_SCHEMA)
    _write_table(out / "address_labels.parquet", [asdict(a) for a in addresses], ADDRESS_SCHEMA)
    atomic_write(out / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True))


def read_tx_labels(folder: Path) -> list[TxLabel]:
    names = {f.name for f in fields(TxLabel)}
    rows = pq.read_table(folder / "tx_labels.parquet").to_pylist()
    return [TxLabel(**{k: v for k, v in r.items() if k in names}) for r in rows]


def read_address_labels(folder: Path) -> list[AddressLabel]:
    names = {f.name for f in fields(AddressLabel)}
    rows = pq.read_table(folder / "address_labels.parquet").to_pylist()
    return [AddressLabel(**{k: v for k, v in r.items() if k in names}) for r in rows]
