"""One home for file helpers every stage needs: atomic writes, canonical JSON, content hashes
and the rule for files that must never be loaded (pickles). Use these; do not write copies.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Pickle-based formats run code when loaded. One list, used wherever a file from outside is
# read (pulled adapters, local base folders, hub snapshots, fraud model folders, manifests).
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".joblib", ".npy", ".npz")


def is_pickle_path(path: str | Path) -> bool:
    return str(path).lower().endswith(PICKLE_SUFFIXES)


def pickle_files(folder: Path) -> list[Path]:
    """Every pickle-format file under ``folder`` (recursive), sorted."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and is_pickle_path(p.name))


_DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temp path beside ``path``, renamed over it only if the block succeeds: a reader never
    sees a half-written file, and a failure leaves the old file (or nothing) in place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".tmp-{path.name}-")
    os.close(fd)
    try:
        with writing(path):
            yield Path(tmp)
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; written files follow the umask
            os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _named(exc: OSError, path: Path) -> OSError:
    if exc.errno in _DISK_FULL and exc.filename is None:
        # Writers such as pyarrow do not say which file: name the one that was not written.
        return OSError(exc.errno, os.strerror(exc.errno), str(path))
    return exc


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Name ``path`` in a full-disk error raised by a writer that does not (pyarrow)."""
    try:
        yield
    except OSError as exc:
        named = _named(exc, path)
        if named is exc:
            raise
        raise named from exc


def atomic_write(path: Path, content: str | bytes) -> None:
    """Write ``content`` (text as UTF-8) to ``path`` atomically."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    with atomic_path(path) as tmp, tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def canonical_json(obj: Any) -> bytes:
    """Compact canonical JSON for hashing and signing: sorted keys, no whitespace, UTF-8, no
    NaN/Infinity. Same data, same bytes."""
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def pretty_json(obj: Any) -> str:
    """Canonical JSON for files people read: sorted keys, indent 2, trailing newline."""
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_json(path: Path, obj: Any) -> None:
    """``pretty_json`` written atomically."""
    atomic_write(path, pretty_json(obj))


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
