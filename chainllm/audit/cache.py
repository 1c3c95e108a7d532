"""Audit results cached by content: sources of the whole import closure, compiler, settings
and tool versions. Lives in the user cache dir; deleting it is always safe."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from chainllm import __version__, config
from chainllm.types import FileAudit

SCHEMA = 1


def tool_versions() -> dict[str, str]:
    out = {"chainllm": __version__}
    for dist in ("slither-analyzer", "crytic-compile"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "missing"
    return out


def key(payload: dict[str, Any]) -> str:
    blob = json.dumps({"schema": SCHEMA, **payload}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


class AuditCache:
    def __init__(self, root: Path | None = None, enabled: bool = True) -> None:
        self.root = root or config.cache_dir() / "audit"
        self.enabled = enabled

    def _path(self, k: str) -> Path:
        return self.root / k[:2] / f"{k}.json"

    def get(self, k: str) -> FileAudit | None:
        if not self.enabled:
            return None
        try:
            data = json.loads(self._path(k).read_text())
            return FileAudit.from_dict(data)
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing or corrupt entry: recompute

    def put(self, k: str, audit: FileAudit) -> None:
        if not self.enabled:
            return
        path = self._path(k)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w") as fh:
            json.dump(audit.to_dict(), fh)
        os.replace(tmp, path)
