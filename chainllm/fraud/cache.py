"""On-disk cache of immutable JSON-RPC answers (mined transactions, receipts, traces, code
and nonces at a block), one SQLite file under the cache dir, keyed by chain identity so a
restarted dev chain with the same chain id never serves stale answers."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

from chainllm import config

_MISSING = object()


def default_path() -> Path:
    return config.cache_dir() / "fraud" / "rpc-cache.sqlite"


class RpcCache:
    """``get``/``put`` of JSON values; an in-process dict in front of SQLite."""

    def __init__(self, path: Path | None = None, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self._mem: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        if enabled:
            p = path or default_path()
            p.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(p, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v TEXT NOT NULL)")

    def get_many(self, keys: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        missing = []
        for k in keys:
            v = self._mem.get(k, _MISSING)
            if v is _MISSING:
                missing.append(k)
            else:
                out[k] = v
        if missing and self._db is not None:
            with self._lock:
                for i in range(0, len(missing), 500):
                    chunk = missing[i : i + 500]
                    q = f"SELECT k, v FROM kv WHERE k IN ({','.join('?' * len(chunk))})"
                    for k, v in self._db.execute(q, chunk):
                        out[k] = self._mem[k] = json.loads(v)
        return out

    def put_many(self, items: dict[str, Any]) -> None:
        if not items:
            return
        self._mem.update(items)
        if self._db is not None:
            with self._lock:
                self._db.execute("BEGIN")
                self._db.executemany(
                    "INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)",
                    [(k, json.dumps(v, separators=(",", ":"))) for k, v in items.items()],
                )
                self._db.execute("COMMIT")

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
