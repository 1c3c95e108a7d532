"""Content identifiers recomputed locally, so a verifier never has to trust the IPFS node.

What is reproduced is exactly what ``ipfs add --cid-version=1 --raw-leaves`` (Kubo's HTTP API
default for CIDv1, and js-ipfs) builds for a flat folder wrapped in one directory:

- a file is cut into 256 KiB chunks; each chunk is a raw block (codec 0x55). A one-chunk file
  *is* its raw block. Larger files get a balanced tree of dag-pb nodes with at most 174
  links each, every node carrying a UnixFS ``File`` header (total size + child sizes);
- the folder is one dag-pb node with a UnixFS ``Directory`` header and one named link per
  file, sorted by name, each link carrying the child's cumulative DAG size (``Tsize``).

The encoders below are written from the dag-pb and UnixFS protobuf schemas (a few varints, no
protobuf library); the tests check them against both the IPFS node and ``aleph-cid``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from chainllm.errors import BadInputError
from chainllm.types import Cid

CHUNK_SIZE = 256 * 1024
MAX_LINKS = 174
RAW = 0x55
DAG_PB = 0x70
SHA2_256 = 0x12
_B32 = "abcdefghijklmnopqrstuvwxyz234567"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


# -- wire helpers -------------------------------------------------------------------------------


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    n = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ValueError("truncated varint")
        b = data[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        if not b & 0x80:
            return n, pos
        shift += 7


def _field_bytes(num: int, value: bytes) -> bytes:
    return varint(num << 3 | 2) + varint(len(value)) + value


def _field_varint(num: int, value: int) -> bytes:
    return varint(num << 3) + varint(value)


def _b32encode(data: bytes) -> str:
    bits = int.from_bytes(data, "big") if data else 0
    nbits = len(data) * 8
    pad = (-nbits) % 5
    bits <<= pad
    n = (nbits + pad) // 5
    return "".join(_B32[(bits >> (5 * (n - 1 - i))) & 31] for i in range(n))


def _b32decode(text: str) -> bytes:
    bits = 0
    for ch in text:
        i = _B32.find(ch)
        if i < 0:
            raise ValueError(f"not base32: {ch!r}")
        bits = bits << 5 | i
    nbits = len(text) * 5
    nbytes = nbits // 8
    return (bits >> (nbits - nbytes * 8)).to_bytes(nbytes, "big")


def _b58decode(text: str) -> bytes:
    n = 0
    for ch in text:
        i = _B58.find(ch)
        if i < 0:
            raise ValueError(f"not base58: {ch!r}")
        n = n * 58 + i
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + (n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b"")


# -- CIDs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContentId:
    """A parsed CID: version, codec and sha2-256 digest."""

    version: int
    codec: int
    digest: bytes

    def to_bytes(self) -> bytes:
        mh = varint(SHA2_256) + varint(len(self.digest)) + self.digest
        if self.version == 0:
            return mh
        return varint(1) + varint(self.codec) + mh

    def __str__(self) -> str:
        if self.version == 0:
            return _b58encode(self.to_bytes())
        return "b" + _b32encode(self.to_bytes())

    @classmethod
    def of_block(cls, codec: int, block: bytes) -> ContentId:
        return cls(1, codec, hashlib.sha256(block).digest())


def _b58encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = _B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def parse_cid(text: str) -> ContentId:
    """Parse a CIDv0 (``Qm...``) or a CIDv1 in base32 (``b...``) or base58btc (``z...``).

    Only sha2-256 with the raw or dag-pb codec is accepted: that is all ``add`` produces.
    """
    text = text.strip()
    try:
        if text.startswith("Qm") and len(text) == 46:
            raw = _b58decode(text)
            version, codec, pos = 0, DAG_PB, 0
        else:
            if text[:1] == "b":
                raw = _b32decode(text[1:].lower())
            elif text[:1] == "z":
                raw = _b58decode(text[1:])
            else:
                raise ValueError("unknown multibase prefix")
            version, pos = _read_varint(raw, 0)
            if version != 1:
                raise ValueError(f"CID version {version}")
            codec, pos = _read_varint(raw, pos)
        mh_code, pos = _read_varint(raw, pos)
        mh_len, pos = _read_varint(raw, pos)
        digest = raw[pos:]
        if mh_code != SHA2_256 or mh_len != 32 or len(digest) != 32:
            raise ValueError("not a sha2-256 multihash")
        if codec not in (RAW, DAG_PB):
            raise ValueError(f"codec 0x{codec:x}")
    except (ValueError, IndexError) as exc:
        raise BadInputError(
            f"{text!r} is not a CID chainllm can check ({exc})",
            hint="pass a CIDv1 such as bafy... (or a NAME[@VERSION] from the registry)",
        ) from None
    return ContentId(version, codec, digest)


def normalize_cid(text: str) -> Cid:
    """The canonical spelling (CIDv1 base32) of any accepted CID string."""
    return Cid(str(parse_cid(text)))


def looks_like_cid(text: str) -> bool:
    try:
        parse_cid(text)
    except BadInputError:
        return False
    return True


# -- dag-pb + UnixFS ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A dag-pb link: child CID, name ("" inside files) and the child's cumulative DAG size."""

    cid: ContentId
    name: str
    tsize: int


def encode_pbnode(links: Iterable[Link], data: bytes) -> bytes:
    """dag-pb canonical form: every link (field 2) first, then Data (field 1).

    Inside a link: Hash (1), Name (2), Tsize (3); the importers always write Name, even when
    empty, which changes the bytes and so the CID.
    """
    out = bytearray()
    for link in links:
        body = (
            _field_bytes(1, link.cid.to_bytes())
            + _field_bytes(2, link.name.encode("utf-8"))
            + _field_varint(3, link.tsize)
        )
        out += _field_bytes(2, body)
    out += _field_bytes(1, data)
    return bytes(out)


def unixfs_file(filesize: int, blocksizes: Iterable[int]) -> bytes:
    out = _field_varint(1, 2) + _field_varint(3, filesize)  # Type = File
    for size in blocksizes:
        out += _field_varint(4, size)
    return out


UNIXFS_DIRECTORY = _field_varint(1, 1)  # Type = Directory, nothing else


class Readable(Protocol):
    def read(self, n: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class FileDigest:
    """What one pass over a file's bytes yields: its CID, DAG size, size and sha256."""

    cid: ContentId
    tsize: int
    size: int
    sha256: str


class _Node:
    __slots__ = ("cid", "filesize", "tsize")

    def __init__(self, cid: ContentId, filesize: int, tsize: int) -> None:
        self.cid, self.filesize, self.tsize = cid, filesize, tsize


def _parent(children: list[_Node]) -> _Node:
    links = [Link(c.cid, "", c.tsize) for c in children]
    data = unixfs_file(sum(c.filesize for c in children), (c.filesize for c in children))
    block = encode_pbnode(links, data)
    return _Node(
        ContentId.of_block(DAG_PB, block),
        sum(c.filesize for c in children),
        len(block) + sum(c.tsize for c in children),
    )


def _balanced(leaves: Iterator[_Node]) -> _Node:
    """The importers' balanced layout: group leaves by 174 into parents, then parents by 174,
    until one root is left. A file of exactly one chunk is its leaf; a trailing group of one
    child still gets its own parent."""
    level: list[_Node] = []
    first = next(leaves, None)
    if first is None:  # empty file: one empty raw block
        return _Node(ContentId.of_block(RAW, b""), 0, 0)
    second = next(leaves, None)
    if second is None:
        return first
    pending: list[_Node] = [first, second]
    for leaf in leaves:
        pending.append(leaf)
        if len(pending) == MAX_LINKS:
            level.append(_parent(pending))
            pending = []
    if pending:
        level.append(_parent(pending))
    while len(level) > 1:
        level = [_parent(level[i : i + MAX_LINKS]) for i in range(0, len(level), MAX_LINKS)]
    return level[0]


def digest_stream(stream: Readable) -> FileDigest:
    """CID (CIDv1, raw leaves), DAG size, byte size and sha256 of a stream, in one pass."""
    sha = hashlib.sha256()
    size = 0

    def leaves() -> Iterator[_Node]:
        nonlocal size
        while True:
            chunk = stream.read(CHUNK_SIZE)
            # read() may return short on pipes: top the chunk up to the full size.
            while chunk and len(chunk) < CHUNK_SIZE:
                more = stream.read(CHUNK_SIZE - len(chunk))
                if not more:
                    break
                chunk += more
            if not chunk:
                return
            sha.update(chunk)
            size += len(chunk)
            yield _Node(ContentId.of_block(RAW, chunk), len(chunk), len(chunk))

    root = _balanced(leaves())
    return FileDigest(root.cid, root.tsize, size, sha.hexdigest())


def digest_bytes(data: bytes) -> FileDigest:
    import io

    return digest_stream(io.BytesIO(data))


def digest_file(path: Path) -> FileDigest:
    with path.open("rb") as fh:
        return digest_stream(fh)


def directory_cid(entries: Iterable[tuple[str, FileDigest]]) -> tuple[ContentId, int]:
    """CID and DAG size of a flat UnixFS directory over ``(name, digest)`` entries."""
    items = sorted(entries, key=lambda e: e[0].encode("utf-8"))
    names = [n for n, _ in items]
    if len(set(names)) != len(names):
        raise BadInputError("duplicate file names in one directory")
    links = [Link(d.cid, n, d.tsize) for n, d in items]
    block = encode_pbnode(links, UNIXFS_DIRECTORY)
    return ContentId.of_block(DAG_PB, block), len(block) + sum(d.tsize for _, d in items)
