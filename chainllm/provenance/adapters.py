"""Published folders by reference, for generation and scoring: ``--adapter CID|NAME[@VERSION]``
goes through here, so nothing loads a LoRA adapter or fraud model that was not verified.

``fetch_adapter`` pulls (verify, then atomic write) into ``<cache_dir>/adapters/<cid>/`` once;
later calls re-hash the cached files against their manifest and re-read the on-chain record
(revocation, publisher) before returning the folder: a revoked or locally modified adapter is
refused even when it is cached.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from chainllm import config
from chainllm.errors import BadInputError, VerificationError
from chainllm.io import sha256_file
from chainllm.provenance.ipfs import DEFAULT_TIMEOUT, IpfsClient
from chainllm.provenance.manifest import KIND_ADAPTER, KIND_FRAUD, MANIFEST_NAME, AdapterManifest
from chainllm.provenance.registry import Registry, open_registry
from chainllm.provenance.verify import parse_ref, pull

KIND_LABELS = {KIND_ADAPTER: "a LoRA adapter", KIND_FRAUD: "a fraud model"}


def _recheck_cached(folder: Path, registry: Registry, publisher: str | None) -> AdapterManifest:
    manifest_bytes = (folder / MANIFEST_NAME).read_bytes()
    manifest = AdapterManifest.from_bytes(manifest_bytes, source=str(folder / MANIFEST_NAME))
    present = {p.name for p in folder.iterdir()} - {MANIFEST_NAME}
    listed = {f.path for f in manifest.files}
    if present != listed:
        raise VerificationError(
            f"cached adapter {folder} has files {sorted(present ^ listed)} not matching its manifest"
        )
    for f in manifest.files:
        if sha256_file(folder / f.path) != f.sha256:
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
    return manifest


def fetch_adapter(
    ref: str,
    *,
    ipfs_url: str | None = None,
    rpc: str | Sequence[str] | None = None,
    chain_id: int | None = None,
    registry: str | None = None,
    publisher: str | None = None,
    timeout: float | None = None,
    kind: str | None = None,
) -> Path:
    """A verified local folder for ``ref`` (a CID or NAME[@VERSION]); raises VerificationError
    (or ServiceError/BadInputError) instead of ever returning unverified files.

    ``timeout``: let the IPFS node fetch what it does not hold for up to that many seconds per
    read (default: ``CHAINLLM_IPFS_TIMEOUT``, else only what the node holds). ``kind``: refuse
    anything but a ``"lora-adapter"`` or a ``"fraud-model"`` (as its manifest says).
    """
    reg = open_registry(rpc, chain_id=chain_id, registry=registry)
    cid, name, version = parse_ref(ref)
    if cid is None:
        assert name is not None
        record = reg.record_of_version(name, version) if version else reg.latest(name)
        if record is None:
            raise BadInputError(f"adapter {ref} is not in registry {reg.address}")
        cid = record.cid
    folder = config.cache_dir() / "adapters" / cid
    if (folder / MANIFEST_NAME).exists():
        manifest = _recheck_cached(folder, reg, publisher)
    else:
        folder.parent.mkdir(parents=True, exist_ok=True)
        timeout = timeout if timeout is not None else env_timeout()
        with IpfsClient(
            ipfs_url, timeout=timeout or DEFAULT_TIMEOUT, fetch_missing=timeout is not None
        ) as ipfs:
            try:
                result = pull(cid, folder, ipfs=ipfs, registry=reg, publisher=publisher)
                assert result.manifest is not None
                manifest = result.manifest
            except FileExistsError:  # a concurrent fetch won the rename: check what it wrote
                manifest = _recheck_cached(folder, reg, publisher)
    if kind is not None and manifest.content_kind != kind:
        raise BadInputError(
            f"{ref} is {KIND_LABELS.get(manifest.content_kind, manifest.content_kind)}, "
            f"not {KIND_LABELS.get(kind, kind)}",
            hint="pass the CID or NAME[@VERSION] of the right kind of published folder",
        )
    os.utime(folder)
    return folder


def env_timeout() -> float | None:
    """``CHAINLLM_IPFS_TIMEOUT`` in seconds, if set (the default of ``--timeout``)."""
    raw = os.environ.get("CHAINLLM_IPFS_TIMEOUT", "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise BadInputError(
            f"CHAINLLM_IPFS_TIMEOUT={raw!r} is not a positive number of seconds", hint="e.g. 120"
        )
    return value
