"""Local CID recomputation against aleph-cid (an independent Rust implementation of Kubo's
importer); the comparison with the real IPFS node is in test_roundtrip.py."""

from __future__ import annotations

import os
from pathlib import Path

import aleph_cid
import pytest

from chainllm.errors import BadInputError
from chainllm.provenance.cid import (
    CHUNK_SIZE,
    MAX_LINKS,
    digest_bytes,
    digest_file,
    directory_cid,
    normalize_cid,
    parse_cid,
)


def _aleph(data: bytes) -> str:
    h = aleph_cid.CidHasher.for_ipfs_v1_raw_leaves()
    h.update(data)
    return str(h.finalize())


@pytest.mark.parametrize(
    "size",
    [0, 1, 1000, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 17, MAX_LINKS * CHUNK_SIZE + 1],
    ids=["empty", "1B", "1KB", "one-chunk", "two-chunks", "four-chunks", "two-levels"],
)
def test_file_cid_matches_aleph_cid(size: int) -> None:
    data = os.urandom(size)
    d = digest_bytes(data)
    assert str(d.cid) == _aleph(data)
    assert d.size == size
    # one raw block for up to one chunk, a dag-pb root above that
    assert str(d.cid).startswith("bafkrei" if size <= CHUNK_SIZE else "bafybei")


def test_directory_cid_matches_aleph_hash_folder(tmp_path: Path) -> None:
    (tmp_path / "adapter_model.safetensors").write_bytes(os.urandom(2 * CHUNK_SIZE + 5))
    (tmp_path / "adapter_config.json").write_text('{"r": 8}')
    (tmp_path / "README.md").write_text("card\n")
    entries = [(p.name, digest_file(p)) for p in tmp_path.iterdir()]
    cid, tsize = directory_cid(entries)
    assert str(cid) == aleph_cid.hash_folder(str(tmp_path))
    assert tsize > sum(d.size for _, d in entries)  # DAG size includes the dag-pb nodes


def test_directory_cid_depends_on_names_and_bytes(tmp_path: Path) -> None:
    a = digest_bytes(b"a")
    b = digest_bytes(b"b")
    base, _ = directory_cid([("x.json", a), ("y.json", b)])
    assert directory_cid([("y.json", b), ("x.json", a)])[0] == base  # order-independent
    assert directory_cid([("x.json", b), ("y.json", a)])[0] != base  # swapped contents
    assert directory_cid([("x.json", a)])[0] != base  # missing file
    with pytest.raises(BadInputError, match="duplicate"):
        directory_cid([("x.json", a), ("x.json", b)])


def test_cid_spellings_normalise_to_base32_v1() -> None:
    v1 = "bafybeida5jydeinh5je4kzzcezsbuxqjv73e7nuse4xg4feinj5e34rmre"
    b58 = "zdj7WbxDZE6SszCjmDctLLT3dZ6n5zAcziy2Gv45qaACJU74U"  # js-ipfs' default output, same CID
    assert normalize_cid(b58) == v1
    assert normalize_cid(v1.upper().replace("B", "b", 1)) == v1
    v0 = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"
    assert str(parse_cid(v0)) == v0
    for bad in ["", "bafy", "not-a-cid", "bafkqaaa", v1[:-3]]:
        with pytest.raises(BadInputError, match="is not a CID"):
            parse_cid(bad)
