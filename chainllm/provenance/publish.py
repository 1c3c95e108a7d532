"""``publish``: adapter folder -> manifest -> one IPFS directory (pinned) -> registry record.

Order matters: the content is added (and the node's CID checked against the one computed
locally) before the transaction, so a record never points at content the node does not hold.
Running it again is safe: a manifest that is already recorded is not sent twice, and
re-adding to IPFS only re-pins what is there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from chainllm.errors import BadInputError, ChainLLMError, ServiceError
from chainllm.provenance.cid import digest_bytes, directory_cid
from chainllm.provenance.ipfs import IpfsClient
from chainllm.provenance.manifest import MANIFEST_NAME, ScannedFolder, scan_folder
from chainllm.provenance.pinning import PinningService
from chainllm.provenance.registry import Registry, Signer
from chainllm.types import Address, Cid, TxHash


@dataclass(frozen=True)
class PublishResult:
    cid: Cid
    manifest_sha256: str
    tx_hash: TxHash | None  # of the transaction that created the record (None if unknown)
    block: int | None
    registry: Address
    chain_id: int
    publisher: Address
    name: str
    version: str
    already_published: bool
    files: int
    bytes: int
    seconds: dict[str, float]
    revoked: bool = False  # only possible when already_published
    remote_pin: dict[str, Any] | None = None  # Pinning Service API request, when one was asked for
    kind: str | None = None  # "lora-adapter" or "fraud-model", from the manifest

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def publish(
    folder: Path,
    *,
    ipfs: IpfsClient,
    registry: Registry,
    signer: Signer,
    name: str | None = None,
    version: str | None = None,
    dataset_card: Path | None = None,
    progress: Callable[[str, int], None] | None = None,
    pinning: PinningService | None = None,
    scanned: ScannedFolder | None = None,
) -> PublishResult:
    """``scanned``: the folder's ``scan_folder`` result when the caller already checked it
    (the CLI does, before it contacts any service); ``name``/``version``/``dataset_card`` are
    then ignored."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if scanned is None:
        scanned = scan_folder(
            folder, name=name, version=version, dataset_card=dataset_card, progress=progress
        )
    manifest = scanned.manifest
    manifest_bytes = manifest.to_bytes()
    entries = {**scanned.digests, MANIFEST_NAME: digest_bytes(manifest_bytes)}
    local_cid, _ = directory_cid(entries.items())
    total = sum(d.size for d in scanned.digests.values())
    timings["hash"] = time.perf_counter() - t0
    msha = manifest.sha256
    account = signer.account

    # Refuse early, before any upload, what the contract would refuse anyway.
    existing = registry.record_of(msha)
    if existing is None:
        same_version = registry.record_of_version(manifest.name, manifest.version)
        if same_version is not None:
            raise BadInputError(
                f"{manifest.name}@{manifest.version} is already published with different content "
                f"(CID {same_version.cid})",
                hint="pass a new --version",
            )
        if not registry.may_publish(manifest.name, account.address):
            raise BadInputError(
                f"{account.address} may not publish under {manifest.name!r} "
                f"(owned by {registry.owner_of(manifest.name)})",
                hint="ask the owner to add you with `chainllm registry delegate`, or pick another --name",
            )

    t1 = time.perf_counter()
    try:
        node_cid, _per_file = ipfs.add_directory(
            [(n, scanned.folder / n) for n in scanned.digests] + [(MANIFEST_NAME, manifest_bytes)]
        )
    except ServiceError as exc:  # e.g. the node died during the add
        raise ServiceError(
            f"{exc.message}; nothing was recorded on chain",
            hint="start the IPFS node (`chainllm services up ipfs`) and rerun the same command",
        ) from None
    timings["add"] = time.perf_counter() - t1
    if node_cid != str(local_cid):
        raise ServiceError(
            f"the IPFS node at {ipfs.url} built CID {node_cid}, but chainllm computed {local_cid} locally",
            hint="the node must use CIDv1, raw leaves and 256 KiB chunks; nothing was recorded",
        )
    # The rule: no record may point at content that is not fully pinned. Asked again after the
    # add, so a node that failed (or restarted) between add and pin is caught here.
    if not ipfs.pinned(node_cid):
        raise ServiceError(
            f"the IPFS node at {ipfs.url} added {node_cid} but does not hold a recursive pin on it; "
            "nothing was recorded on chain",
            hint="check the node, then rerun the same command",
        )

    remote: dict[str, Any] | None = None
    if pinning is not None:
        t3 = time.perf_counter()
        st = pinning.pin(node_cid, name=f"{manifest.name}@{manifest.version}")
        remote = {"service": pinning.endpoint, "requestid": st.requestid, "status": st.status}
        timings["remote_pin"] = time.perf_counter() - t3

    if existing is not None:
        if existing.cid != node_cid:
            raise ServiceError(f"manifest {msha[:16]}... is recorded with CID {existing.cid}, not {node_cid}")
        original = registry.publish_tx(msha)
        return PublishResult(
            node_cid, msha, original[0] if original else None, original[1] if original else None, registry.address, int(registry.w3.eth.chain_id), existing.publisher,
            existing.name, existing.version, True, len(scanned.digests), total, timings, existing.revoked, remote,
            manifest.kind,
        )  # fmt: skip

    t2 = time.perf_counter()
    try:
        tx_hash, block = registry.publish(
            account,
            name=manifest.name,
            version=manifest.version,
            cid=node_cid,
            base_model=manifest.base_model or "",
            manifest_sha256=msha,
            dataset_card_sha256=manifest.dataset_card_sha256,
            metrics_sha256=manifest.metrics_sha256,
        )
    except ChainLLMError:
        raise
    except Exception as exc:  # the chain node went away mid-transaction (web3/requests errors)
        raise ServiceError(
            f"the registry transaction for {manifest.name}@{manifest.version} was interrupted "
            f"({type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else 'no detail'}); "
            f"CID {node_cid} is added and pinned on {ipfs.url}, and the record may or may not be on chain",
            hint="when the chain node is back, rerun the same command: it sends nothing if the record "
            "is there, and the transaction otherwise",
        ) from None
    timings["tx"] = time.perf_counter() - t2
    return PublishResult(
        node_cid, msha, tx_hash, block, registry.address, int(registry.w3.eth.chain_id),
        Address(account.address), manifest.name, manifest.version, False, len(scanned.digests), total, timings,
        False, remote, manifest.kind,
    )  # fmt: skip
