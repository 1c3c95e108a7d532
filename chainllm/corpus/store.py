"""The crawl cache inside an output folder: one Parquet shard per crawled source plus a
state file naming them. Each shard and each state update is written atomically, so an
interrupted crawl keeps every source that finished and a re-run skips them.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from chainllm.corpus.extract import Processed
from chainllm.errors import BadInputError
from chainllm.io import atomic_path, atomic_write

CRAWL_DIR = ".crawl"  # hidden: `datasets` ignores it when loading the folder
STATE_VERSION = 1

# What extraction learns about a file; shared by crawl shards and the built dataset.
FILE_META_FIELDS: list[tuple[str, pa.DataType]] = [
    ("license", pa.string()),
    ("pragma", pa.string()),
    ("names", pa.list_(pa.string())),
    ("kinds", pa.list_(pa.string())),
    ("natspec", pa.string()),
    ("functions", pa.list_(pa.string())),
]

SHARD_SCHEMA = pa.schema(
    [
        ("path", pa.string()),
        ("origin", pa.string()),
        ("content", pa.string()),
        ("id", pa.string()),
        ("sha256", pa.string()),
        *FILE_META_FIELDS,
        ("scrubbed", pa.string()),  # JSON counts
        ("minhash", pa.binary()),  # uint32 signature, cached so rebuilds skip hashing
    ]
)


@dataclass
class SourceState:
    spec: str
    origin: str
    revision: str
    shard: str
    files: int
    skipped: list[tuple[str, str]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "spec": self.spec,
            "origin": self.origin,
            "revision": self.revision,
            "shard": self.shard,
            "files": self.files,
            "skipped": [list(s) for s in self.skipped],
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> SourceState:
        return cls(
            spec=d["spec"],
            origin=d["origin"],
            revision=d["revision"],
            shard=d["shard"],
            files=int(d["files"]),
            skipped=[(str(a), str(b)) for a, b in d.get("skipped", [])],
            meta=dict(d.get("meta", {})),
        )


class CrawlStore:
    """Per-output-folder cache of crawled sources (thread-safe for concurrent fetches)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.dir = out / CRAWL_DIR
        self.state_path = self.dir / "state.json"
        self._lock = threading.Lock()
        self.sources: dict[str, SourceState] = {}
        self.failed: dict[str, str] = {}
        if self.state_path.is_file():
            try:
                doc = json.loads(self.state_path.read_text(encoding="utf-8"))
                self.sources = {k: SourceState.from_json(v) for k, v in doc.get("sources", {}).items()}
                self.failed = dict(doc.get("failed", {}))
            except (ValueError, KeyError, TypeError):
                raise BadInputError(
                    f"{self.state_path}: crawl state is corrupt", hint=f"delete {self.dir} to start over"
                ) from None

    def done(self, spec: str) -> SourceState | None:
        st = self.sources.get(spec)
        if st is not None and (self.dir / st.shard).is_file():
            return st
        return None

    def _save(self) -> None:
        doc = {
            "version": STATE_VERSION,
            "sources": {k: v.to_json() for k, v in sorted(self.sources.items())},
            "failed": dict(sorted(self.failed.items())),
        }
        atomic_write(self.state_path, json.dumps(doc, indent=1, sort_keys=True) + "\n")

    def record(self, state: SourceState, rows: list[Processed], signatures: list[bytes]) -> None:
        """Write the shard first, then the state that points at it."""
        table = pa.Table.from_pylist(
            [
                {
                    "path": p.path,
                    "origin": p.origin,
                    "content": p.content,
                    "id": p.id,
                    "sha256": p.sha256,
                    "license": p.meta.license,
                    "pragma": p.meta.pragma,
                    "names": list(p.meta.names),
                    "kinds": list(p.meta.kinds),
                    "natspec": p.meta.natspec,
                    "functions": list(p.meta.functions),
                    "scrubbed": json.dumps(p.scrubbed, sort_keys=True),
                    "minhash": sig,
                }
                for p, sig in zip(rows, signatures, strict=True)
            ],
            schema=SHARD_SCHEMA,
        )
        shard = self.dir / state.shard
        with atomic_path(shard) as tmp:
            pq.write_table(table, tmp, compression="zstd")
        with self._lock:
            old = self.sources.get(state.spec)
            self.sources[state.spec] = state
            self.failed.pop(state.spec, None)
            self._save()
        if (
            old is not None
            and old.shard != state.shard
            and not any(s.shard == old.shard for s in self.sources.values())
        ):
            (self.dir / old.shard).unlink(missing_ok=True)

    def fail(self, spec: str, message: str) -> None:
        with self._lock:
            self.failed[spec] = message
            self._save()

    def read(self, state: SourceState) -> pa.Table:
        return pq.read_table(self.dir / state.shard, schema=SHARD_SCHEMA)


def shard_name(origin: str, revision: str) -> str:
    return hashlib.sha256(f"{origin}\0{revision}".encode()).hexdigest()[:24] + ".parquet"
