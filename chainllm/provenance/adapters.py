"""Adapters by reference, for generation and scoring: ``--adapter CID|NAME[@VERSION]`` goes
through here, so nothing loads an adapter that was not verified.

``fetch_adapter`` pulls (verify, then atomic write) into ``<cache_dir>/adapters/<cid>/`` once;
later calls re-hash the cached files against their manifest and re-read the on-chain record
(revocation, publisher) before returning the folder: a revoked or locally modified adapter is
refused even when it is cached.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from chainllm import config
from chainllm.errors import BadInputError, VerificationError
from chainllm.provenance.ipfs import IpfsClient
from chainllm.provenance.manifest import MANIFEST_NAME, AdapterManifest
from chainllm.provenance.registry import Registry, connect, resolve_target
from chainllm.provenance.verify import parse_ref, pull


def _open(rpc: str | None, chain_id: int | None, registry: str | None) -> Registry:
    w3, target = connect(resolve_target(rpc, chain_id=chain_id, registry=registry))
    if target.registry is None:
        raise BadInputError(
            f"no ModelRegistry recorded for chain {target.chain_id}",
            hint="run `chainllm registry deploy` or pass a registry address",
        )
    return Registry(w3, target.registry, rpc=target.rpc)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _recheck_cached(folder: Path, registry: Registry, publisher: str | None) -> None:
    manifest_bytes = (folder / MANIFEST_NAME).read_bytes()
    manifest = AdapterManifest.from_bytes(manifest_bytes, source=str(folder / MANIFEST_NAME))
    present = {p.name for p in folder.iterdir()} - {MANIFEST_NAME}
    listed = {f.path for f in manifest.files}
    if present != listed:
        raise VerificationError(
            f"cached adapter {folder} has files {sorted(present ^ listed)} not matching its manifest"
        )
    for f in manifest.files:
        if _sha256(folder / f.path) != f.sha256:
            raise VerificationError(
                f"cached adapter file {folder / f.path} was modified since it was verified"
            )
    record = registry.record_of(manifest.sha256)
    if record is None or record.cid != folder.name:
        raise VerificationError(
            f"cached adapter {folder.name} has no matching record in registry {registry.address}"
        )
    if record.revoked:
        raise VerificationError(
            f"adapter {record.name}@{record.version} ({record.cid}) was revoked by its publisher"
        )
    if publisher is not None and record.publisher.lower() != publisher.lower():
        raise VerificationError(f"adapter {record.cid} was published by {record.publisher}, not {publisher}")


def fetch_adapter(
    ref: str,
    *,
    ipfs_url: str | None = None,
    rpc: str | None = None,
    chain_id: int | None = None,
    registry: str | None = None,
    publisher: str | None = None,
) -> Path:
    """A verified local folder for ``ref`` (a CID or NAME[@VERSION]); raises VerificationError
    (or ServiceError/BadInputError) instead of ever returning unverified files."""
    reg = _open(rpc, chain_id, registry)
    cid, name, version = parse_ref(ref)
    if cid is None:
        assert name is not None
        record = reg.record_of_version(name, version) if version else reg.latest(name)
        if record is None:
            raise BadInputError(f"adapter {ref} is not in registry {reg.address}")
        cid = record.cid
    folder = config.cache_dir() / "adapters" / cid
    if (folder / MANIFEST_NAME).exists():
        _recheck_cached(folder, reg, publisher)
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with IpfsClient(ipfs_url) as ipfs:
        try:
            pull(cid, folder, ipfs=ipfs, registry=reg, publisher=publisher)
        except FileExistsError:  # a concurrent fetch won the rename: check what it wrote
            _recheck_cached(folder, reg, publisher)
    os.utime(folder)
    return folder
