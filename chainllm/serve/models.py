"""Which fraud model the server scores with, and where it came from (the same resolution as
`chainllm score --model/--adapter`: a pulled model is verified against the registry first)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ResolvedModel:
    folder: Path | None
    cid: str | None = None
    provenance: dict[str, str] = field(default_factory=dict)


def resolve_fraud_model(
    model_dir: Path | None,
    adapter_ref: str | None,
    *,
    rpc: Sequence[str],
    ipfs_url: str | None = None,
    registry: str | None = None,
    registry_rpc: str | None = None,
    chain_id: int | None = None,
    publisher: str | None = None,
) -> ResolvedModel:
    from chainllm.errors import BadInputError
    from chainllm.fraud.model import latest_model

    if adapter_ref and model_dir:
        raise BadInputError("pass --model DIR or --adapter CID|NAME[@VERSION], not both")
    if not adapter_ref:
        folder = model_dir or latest_model()
        return ResolvedModel(Path(folder) if folder else None)
    from chainllm.provenance.adapters import fetch_adapter
    from chainllm.provenance.manifest import KIND_FRAUD
    from chainllm.provenance.registry import open_registry

    where = registry_rpc or list(rpc)
    folder = fetch_adapter(adapter_ref, ipfs_url=ipfs_url, rpc=where, chain_id=chain_id, registry=registry,
                           publisher=publisher, kind=KIND_FRAUD)  # fmt: skip
    cid = folder.name  # the verified pull cache is named by CID
    reg = open_registry(where, chain_id=chain_id, registry=registry)
    rec = reg.record_of_cid(cid)
    prov = {"cid": cid, "registry": str(reg.address), "ref": adapter_ref}
    if rec is not None:
        prov.update(publisher=str(rec.publisher), name=rec.name, version=rec.version,
                    published_at=str(rec.published_at), manifest_sha256=rec.manifest_sha256)  # fmt: skip
    return ResolvedModel(folder, cid, prov)
