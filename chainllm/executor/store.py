"""Per-partition outputs at a path every worker can reach: a local folder or any fsspec URL
(s3://, gs://, a shared mount). Each partition's file has an idempotent name and appears by
rename (or a single object put), so a reader never sees half a partition, a retried
partition is written once, and a re-run skips what exists.
"""

from __future__ import annotations

import socket
import uuid
from pathlib import Path
from typing import Any

from chainllm.io import atomic_write


def _fs(url: str) -> tuple[Any, str]:
    import fsspec  # type: ignore[import-untyped]

    fs, root = fsspec.core.url_to_fs(url)
    return fs, str(root).rstrip("/")


def _is_local(fs: Any) -> bool:
    return "file" in (fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,))


class PartitionStore:
    """``<url>/<partition id><suffix>`` files; ``write`` is atomic and write-once."""

    def __init__(self, url: str, suffix: str = ".jsonl") -> None:
        self.url = url
        self.suffix = suffix
        self.fs, self.root = _fs(url)

    def path(self, pid: str) -> str:
        return f"{self.root}/{pid}{self.suffix}"

    def done(self, pid: str) -> bool:
        return bool(self.fs.exists(self.path(pid)))

    def finished(self) -> set[str]:
        if not self.fs.exists(self.root):
            return set()
        out = set()
        for p in self.fs.ls(self.root, detail=False):
            name = str(p).rsplit("/", 1)[-1]
            if name.endswith(self.suffix) and not name.startswith("."):
                out.add(name[: -len(self.suffix)])
        return out

    def write(self, pid: str, data: bytes) -> bool:
        """Write a partition once; False when it already exists (a retry of finished work)."""
        final = self.path(pid)
        if self.fs.exists(final):
            return False
        if _is_local(self.fs):
            atomic_write(Path(final), data)
        else:
            self.fs.makedirs(self.root, exist_ok=True)
            tmp = f"{self.root}/.tmp-{pid}-{uuid.uuid4().hex}"
            self.fs.pipe_file(tmp, data)
            self.fs.mv(tmp, final)
        return True

    def read(self, pid: str) -> bytes:
        data: bytes = self.fs.cat_file(self.path(pid))
        return data


def probe_writable(url: str) -> str | None:
    """None when a file can be created and removed under ``url``; else the reason."""
    try:
        fs, root = _fs(url)
        fs.makedirs(root, exist_ok=True)
        probe = f"{root}/.probe-{socket.gethostname()}-{uuid.uuid4().hex}"
        fs.pipe_file(probe, b"ok")
        fs.rm_file(probe)
    except Exception as exc:  # any filesystem's error: reported with the node that hit it
        return f"{type(exc).__name__}: {exc}"
    return None
