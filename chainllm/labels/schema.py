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
stage              string  (schema version 2) for malicious rows: "harm" (the transaction
                           causes or is the loss: a victim-signed approval, permit, claim,
                           honeypot buy or transfer to a poisoned address; the sweep; the
                           poisoning transfer; the rug action: liquidity pull, fee change,
                           upgrade, owner mint, dump) or "setup" (the attacker's preparation:
                           deploying the scam contract, funding fresh accounts, adding launch
                           liquidity, laundering proceeds afterwards); "" for benign rows
=================  ======  ==========================================================

Why ``stage``: set-up steps are behaviourally ordinary at the moment they happen (a token
launch looks like any token launch); the PTXPhish taxonomy labels the transactions that cause
or are the loss. Scorers train on harm rows (``training_rows``) and evaluations report recall
on harm rows as the headline and on set-up rows separately (docs/fraud.md). Label sets
written before version 2 have no ``stage`` column: ``read_tx_labels`` derives it from
``role``/``scenario``/``subcategory`` (``derive_stage``), so old sets read the same way.

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
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from chainllm.io import atomic_path, atomic_write

LABELS = ("benign", "malicious")
STAGES = ("setup", "harm")
SCHEMA_VERSION = 2  # 1: no stage column; 2: stage ("setup" | "harm" | "" for benign)
# Words in a malicious row's scenario (else its subcategory) naming what the step does: the
# theft itself first ("deploy_and_sweep" is harm), then preparation ("rug_pull_launch" is
# set-up), then the other harmful acts (liquidity pulls, fee raises, upgrades, poisoning).
_THEFT_WORDS = frozenset({"sweep", "drain", "dump", "steal", "collect"})
_SETUP_WORDS = frozenset(
    {"deploy", "launch", "setup", "fund", "funding", "launder", "cash", "impl", "prepare"}
)
_HARM_WORDS = frozenset({"pull", "remove", "mint", "poison", "plant", "fill", "submit", "upgrade", "raise",
                         "guard", "blacklist", "claim", "approve", "transfer", "dust", "fake", "buy", "sell"})  # fmt: skip


def _stage_of(words: set[str]) -> str | None:
    if words & _THEFT_WORDS:
        return "harm"
    if words & _SETUP_WORDS:
        return "setup"
    return "harm" if words & _HARM_WORDS else None


def derive_stage(label: str, role: str, scenario: str, subcategory: str = "") -> str:
    """The stage of a row that does not say it (label sets before schema version 2, imported
    lists): benign -> ""; a victim-signed transaction -> "harm"; else what the scenario's
    words name (a theft, then a preparation such as deploy/launch/fund/launder, then another
    harmful act), else the subcategory's; anything else malicious -> "harm" (an imported hash
    list names the harmful transactions)."""
    if label != "malicious":
        return ""
    if role == "victim":
        return "harm"
    for text in (scenario, subcategory):
        got = _stage_of(set(re.split(r"[^a-z0-9]+", text.lower())))
        if got is not None:
            return got
    return "harm"


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
    stage: str = ""  # "setup" | "harm" for malicious rows ("" = derive it: with_stage)

    def with_stage(self) -> TxLabel:
        """This row with its stage filled in (derived when the writer did not say it)."""
        if self.stage or self.label != "malicious":
            return self
        return replace(self, stage=derive_stage(self.label, self.role, self.scenario, self.subcategory))


def training_rows(rows: Sequence[TxLabel]) -> list[int]:
    """Indices of the rows scorers learn from: benign rows and harm rows. Set-up steps are
    ordinary at the moment they happen; learning them as malicious teaches the model that
    token launches and account funding are scams (false alarms on honest launches)."""
    return [i for i, r in enumerate(rows) if r.label != "malicious" or r.with_stage().stage != "setup"]


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
        ("stage", pa.string()),
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
    _write_table(out / "tx_labels.parquet", [asdict(t.with_stage()) for t in txs], TX_SCHEMA)
    _write_table(out / "address_labels.parquet", [asdict(a) for a in addresses], ADDRESS_SCHEMA)
    manifest = {**manifest, "label_schema_version": SCHEMA_VERSION}
    atomic_write(out / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True))


def read_tx_labels(folder: Path) -> list[TxLabel]:
    names = {f.name for f in fields(TxLabel)}
    rows = pq.read_table(folder / "tx_labels.parquet").to_pylist()
    # Version-1 sets have no stage column; a null stage (mixed writers) is derived the same way.
    return [
        TxLabel(**{k: v for k, v in r.items() if k in names and v is not None}).with_stage() for r in rows
    ]


def read_address_labels(folder: Path) -> list[AddressLabel]:
    names = {f.name for f in fields(AddressLabel)}
    rows = pq.read_table(folder / "address_labels.parquet").to_pylist()
    return [AddressLabel(**{k: v for k, v in r.items() if k in names}) for r in rows]
