"""Read ``.sol`` members out of a (possibly hostile) npm tarball, in memory.

Nothing is extracted to disk and no install script can run. Members that are links, devices,
absolute paths or ``..`` escapes are skipped and reported; per-member and total size caps stop
decompression bombs before they are inflated.
"""

from __future__ import annotations

import io
import posixpath
import tarfile
from dataclasses import dataclass

from chainllm.crawl.base import DEFAULT_MAX_FILE_BYTES, RawFile
from chainllm.errors import BadInputError

DEFAULT_MAX_TOTAL_BYTES = 512 * 1024 * 1024  # uncompressed, whole tarball


@dataclass(frozen=True)
class TarContents:
    files: tuple[RawFile, ...]
    skipped: tuple[tuple[str, str], ...]
    package_json: bytes | None


def _clean(name: str) -> str | None:
    """The member path without npm's leading ``package/`` folder; None if unsafe."""
    if "\\" in name or name.startswith("/") or "\x00" in name:
        return None
    parts = name.split("/")
    if ".." in parts:
        return None
    norm = posixpath.normpath(name)
    if norm.startswith(("../", "/")) or norm == "..":
        return None
    # npm packs everything under one top folder (usually "package/"); drop it.
    _head, _, rest = norm.partition("/")
    return rest if rest else None


def read_sol_members(
    data: bytes,
    *,
    what: str,
    suffixes: tuple[str, ...] = (".sol",),
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
) -> TarContents:
    files: list[RawFile] = []
    skipped: list[tuple[str, str]] = []
    package_json: bytes | None = None
    seen: set[str] = set()
    try:
        tf = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")  # noqa: SIM115 (closed below)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BadInputError(f"{what}: not a readable tarball ({exc})") from None
    with tf:
        try:
            for m in tf:
                if m.offset_data + m.size > max_total_bytes:
                    raise BadInputError(
                        f"{what}: unpacks to more than {max_total_bytes // (1024 * 1024)} MB",
                        hint="refusing a possible decompression bomb",
                    )
                rel = _clean(m.name)
                wanted = m.name.endswith(suffixes) or m.name.endswith("/package.json")
                if m.isdir():
                    continue
                if rel is None:
                    if wanted or m.issym() or m.islnk():
                        skipped.append((m.name, "unsafe path"))
                    continue
                if m.issym() or m.islnk():
                    if wanted:
                        skipped.append((rel, "link"))
                    continue
                if not m.isfile():
                    if wanted:
                        skipped.append((rel, "not a regular file"))
                    continue
                if rel == "package.json":
                    if m.size <= 1024 * 1024:
                        fh = tf.extractfile(m)
                        package_json = fh.read() if fh else None
                    continue
                if not rel.endswith(suffixes):
                    continue
                if m.size > max_file_bytes:
                    skipped.append((rel, "too large"))
                    continue
                if rel in seen:
                    skipped.append((rel, "duplicate member"))
                    continue
                fh = tf.extractfile(m)
                if fh is None:
                    continue
                seen.add(rel)
                files.append(RawFile(rel, fh.read()))
        except (tarfile.TarError, EOFError, OSError, ValueError) as exc:  # zlib errors are OSError
            raise BadInputError(f"{what}: corrupt tarball ({exc})") from None
    return TarContents(tuple(files), tuple(skipped), package_json)
