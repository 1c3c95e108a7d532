"""Import address and transaction label lists (CSV or JSON) next to the simulated label sets.

Accepted shapes:

* CSV with a header. Key column: ``address`` (aliases ``entity``, ``wallet``, ``account``)
  or ``tx_hash`` (``hash``, ``transaction_hash``, ``txhash``); optional ``label``
  (``tag``), ``category`` (``threat_category``, ``type``), ``subcategory``, ``source``,
  ``confidence`` (0..1). Forta-style exports (entity, label, confidence) fit this.
* JSON: a list of objects with the same keys, or a darklist-style list of
  ``{"address", "comment"}`` (the comment becomes the subcategory), or an object mapping
  address -> label string.

Labels are normalised to "benign"/"malicious" (``phish``, ``scam``, ``fraud``, ``exploit``,
``hack``, ``drainer``, ``1``, ``true`` ... count as malicious; ``benign``, ``safe``,
``0``, ``false`` as benign); another word becomes the category with label "malicious" when
the row has no category. A bad line (malformed address or hash, unknown label, confidence
outside 0..1) is reported with its line number and skipped; the rest is imported.

Each import replaces ``<data dir>/labels/imported/<source>.parquet`` (written atomically),
so importing the same list twice does not duplicate it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from eth_utils import is_checksum_address, to_checksum_address

from chainllm import config
from chainllm.errors import BadInputError
from chainllm.io import atomic_path

_ADDR = re.compile(r"^0x[0-9a-fA-F]{40}$")
_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")
_SOURCE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
ADDRESS_KEYS = ("address", "entity", "wallet", "account")
TX_KEYS = ("tx_hash", "hash", "transaction_hash", "txhash")
MALICIOUS = {"malicious", "phish", "phishing", "scam", "fraud", "exploit", "exploiter", "hack", "hacker",
             "drainer", "attacker", "bad", "1", "true", "yes", "high"}  # fmt: skip
BENIGN = {"benign", "safe", "ok", "clean", "good", "0", "false", "no", "none"}
MAX_BYTES = 200 * 1024 * 1024

IMPORTED_SCHEMA = pa.schema(
    [
        ("kind", pa.string()),  # "address" | "tx"
        ("key", pa.string()),  # checksummed address or lower-case tx hash
        ("label", pa.string()),
        ("category", pa.string()),
        ("subcategory", pa.string()),
        ("source", pa.string()),
        ("confidence", pa.float64()),
        ("line", pa.int64()),  # where it came from in the file, for tracing back
    ]
)


@dataclass(frozen=True)
class ImportedLabel:
    kind: str
    key: str
    label: str
    category: str
    subcategory: str
    source: str
    confidence: float
    line: int


@dataclass
class ImportReport:
    path: str
    source: str
    out: str | None
    imported: int = 0
    addresses: int = 0
    transactions: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)  # "line N: reason"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def imported_dir() -> Path:
    return config.data_dir() / "labels" / "imported"


def _pick(row: dict[str, Any], names: tuple[str, ...]) -> Any:
    for n in names:
        if n in row and row[n] not in (None, ""):
            return row[n]
    return None


def _norm_row(raw: dict[str, Any], line: int, source: str) -> ImportedLabel:
    row = {str(k).strip().lower(): (v.strip() if isinstance(v, str) else v) for k, v in raw.items()}
    addr, txh = _pick(row, ADDRESS_KEYS), _pick(row, TX_KEYS)
    if addr is None and txh is None:
        raise ValueError(
            f"no address or tx_hash column (expected one of {', '.join(ADDRESS_KEYS + TX_KEYS)})"
        )
    key: str
    if addr is not None:
        kind, text = "address", str(addr)
        if not _ADDR.match(text):
            raise ValueError(f"{text[:50]!r} is not an address (0x + 40 hex digits)")
        if (
            text != text.lower()
            and text != text.upper().replace("0X", "0x")
            and not is_checksum_address(text)
        ):
            raise ValueError(f"{text} has a wrong EIP-55 checksum (mistyped?)")
        key = str(to_checksum_address(text))
    else:
        kind, text = "tx", str(txh)
        if not _HASH.match(text):
            raise ValueError(f"{text[:70]!r} is not a transaction hash (0x + 64 hex digits)")
        key = text.lower()
    label_raw = str(_pick(row, ("label", "tag")) or "malicious").strip().lower()
    category = str(_pick(row, ("category", "threat_category", "type")) or "").strip().lower()
    if label_raw in MALICIOUS:
        label = "malicious"
    elif label_raw in BENIGN:
        label = "benign"
    elif re.fullmatch(r"[a-z][a-z0-9_ -]{0,40}", label_raw):
        label, category = "malicious", category or label_raw.replace(" ", "_")
    else:
        raise ValueError(f"label {label_raw[:30]!r} is neither benign nor malicious")
    conf_raw = _pick(row, ("confidence", "score"))
    try:
        confidence = 1.0 if conf_raw is None else float(conf_raw)
    except (TypeError, ValueError):
        raise ValueError(f"confidence {conf_raw!r} is not a number") from None
    if not 0.0 <= confidence <= 1.0:
        raise ValueError(f"confidence {confidence} is outside 0..1")
    sub = str(_pick(row, ("subcategory", "comment", "description")) or "")[:200]
    src = str(_pick(row, ("source",)) or source)
    return ImportedLabel(
        kind, key, label, category or ("unknown" if label == "malicious" else ""), sub, src, confidence, line
    )


def _rows(path: Path, fmt: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise BadInputError(f"{path} is larger than {MAX_BYTES // 2**20} MiB", hint="split the list")
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BadInputError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise BadInputError(
            f"{path} is not UTF-8 text", hint="export the list as UTF-8 CSV or JSON"
        ) from None
    if fmt == "auto":
        fmt = "json" if path.suffix.lower() in {".json", ".jsonl"} or text.lstrip()[:1] in "[{" else "csv"
    if fmt == "json":
        if path.suffix.lower() == ".jsonl":
            out = []
            for i, ln in enumerate(text.splitlines(), 1):
                if ln.strip():
                    try:
                        obj = json.loads(ln)
                    except ValueError:
                        obj = {"_bad": "not valid JSON"}
                    out.append((i, obj if isinstance(obj, dict) else {"_bad": "not a JSON object"}))
            return out
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise BadInputError(
                f"{path} is not valid JSON: {exc}", hint="fix the file or pass --format csv"
            ) from None
        if isinstance(data, dict):
            data = [
                {"address": k, "label": v} if isinstance(v, str) else {"address": k, **v}
                for k, v in data.items()
            ]
        if not isinstance(data, list):
            raise BadInputError(f"{path}: expected a JSON list of label objects")
        return [
            (i + 1, d if isinstance(d, dict) else {"_bad": "not a JSON object"}) for i, d in enumerate(data)
        ]
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise BadInputError(
            f"{path} has no CSV header", hint="first line: address,label,category,source,confidence"
        )
    return [(reader.line_num, dict(r)) for r in reader]


def import_labels(
    path: Path, *, source: str | None = None, fmt: str = "auto", dry_run: bool = False
) -> ImportReport:
    """Import one list; returns what was imported and the per-line errors."""
    source = source or path.stem
    if not _SOURCE.match(source):
        raise BadInputError(f"source name {source!r} must be 1-64 letters, digits, '.', '_' or '-'")
    if fmt not in {"auto", "csv", "json"}:
        raise BadInputError(f"--format {fmt!r} must be auto, csv or json")
    report = ImportReport(str(path), source, None)
    seen: dict[tuple[str, str], ImportedLabel] = {}
    for line, raw in _rows(path, fmt):
        if "_bad" in raw:
            report.errors.append(f"line {line}: {raw['_bad']}")
            continue
        try:
            lab = _norm_row(raw, line, source)
        except ValueError as exc:
            report.errors.append(f"line {line}: {exc}")
            continue
        if (lab.kind, lab.key) in seen:
            report.duplicates += 1  # the last row for a key wins
        seen[(lab.kind, lab.key)] = lab
    labels = sorted(seen.values(), key=lambda x: (x.kind, x.key))
    if not labels:
        first = report.errors[0] if report.errors else "the file has no rows"
        raise BadInputError(f"{path}: nothing to import ({len(report.errors)} bad lines; {first})")
    report.imported = len(labels)
    report.addresses = sum(1 for x in labels if x.kind == "address")
    report.transactions = report.imported - report.addresses
    if not dry_run:
        out = imported_dir() / f"{source}.parquet"
        with atomic_path(out) as tmp:
            pq.write_table(pa.Table.from_pylist([asdict(x) for x in labels], schema=IMPORTED_SCHEMA), tmp)
        report.out = str(out)
    return report


def load_imported() -> list[ImportedLabel]:
    """Every imported label, all sources."""
    out: list[ImportedLabel] = []
    d = imported_dir()
    for f in sorted(d.glob("*.parquet")) if d.is_dir() else []:
        out.extend(ImportedLabel(**r) for r in pq.read_table(f).to_pylist())
    return out
