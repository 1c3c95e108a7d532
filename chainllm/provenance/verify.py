"""``verify`` and ``pull``: prove an adapter is exactly what its publisher recorded on-chain.

Nothing the IPFS node says is trusted. Every file is fetched and hashed locally; the directory
CID is rebuilt from those hashes (``chainllm.provenance.cid``) and must equal the CID asked
for; the manifest's sha256 must be the one in the registry record, which must name that CID,
the expected publisher and no revocation. ``pull`` runs the same checks while writing into a
staging folder beside the destination and renames it into place only when all pass.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from web3 import Web3

from chainllm.errors import BadInputError, VerificationError
from chainllm.provenance.cid import (
    FileDigest,
    digest_bytes,
    digest_stream,
    directory_cid,
    looks_like_cid,
    normalize_cid,
)
from chainllm.provenance.ipfs import IpfsClient
from chainllm.provenance.manifest import (
    MANIFEST_NAME,
    MAX_FILES,
    MAX_MANIFEST_BYTES,
    NAME_RE,
    VERSION_RE,
    AdapterManifest,
    check_file_name,
)
from chainllm.provenance.registry import ProvenanceRecord, Registry


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class VerifyResult:
    target: str
    cid: str | None
    checks: tuple[Check, ...]
    manifest: AdapterManifest | None = None
    record: ProvenanceRecord | None = None
    path: str | None = None  # where ``pull`` wrote the adapter
    total_bytes: int = 0

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def first_failure(self) -> Check | None:
        return next((c for c in self.checks if not c.ok), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "target": self.target,
            "cid": self.cid,
            "manifest_sha256": self.manifest.sha256 if self.manifest else None,
            "kind": self.manifest.content_kind if self.manifest else None,
            "record": self.record.to_dict() if self.record else None,
            "path": self.path,
            "bytes": self.total_bytes,
            "checks": [c.to_dict() for c in self.checks],
        }


@dataclass
class _Checks:
    items: list[Check] = field(default_factory=list)

    def ok(self, name: str, detail: str) -> None:
        self.items.append(Check(name, True, detail))

    def fail(self, name: str, detail: str) -> None:
        self.items.append(Check(name, False, detail))


class _Stop(Exception):
    """A check failed that later checks depend on."""


class _TeeReader:
    """A ``read(n)`` file over an iterator of byte chunks, copying everything to ``sink``."""

    def __init__(
        self, chunks: Iterator[bytes], sink: BinaryIO | None, progress: Callable[[int], None] | None
    ) -> None:
        self._chunks, self._sink, self._progress = chunks, sink, progress
        self._buf = b""

    def read(self, n: int = -1) -> bytes:
        while n < 0 or len(self._buf) < n:
            nxt = next(self._chunks, None)
            if nxt is None:
                break
            if self._sink is not None:
                self._sink.write(nxt)
            if self._progress:
                self._progress(len(nxt))
            self._buf += nxt
        if n < 0:
            out, self._buf = self._buf, b""
        else:
            out, self._buf = self._buf[:n], self._buf[n:]
        return out


def parse_ref(ref: str) -> tuple[str | None, str | None, str | None]:
    """``CID`` -> (cid, None, None); ``NAME[@VERSION]`` -> (None, name, version)."""
    ref = ref.strip()
    if looks_like_cid(ref):
        return normalize_cid(ref), None, None
    if ref.startswith(("Qm", "bafy", "bafk")) and len(ref) >= 40 and "@" not in ref:
        normalize_cid(ref)  # meant as a CID: raises what is wrong with it, not "no such name"
    name, _, version = ref.partition("@")
    # Checked here, before any service is contacted: only a well-formed name needs the registry.
    if not NAME_RE.match(name) or (version and not VERSION_RE.match(version)) or (not version and "@" in ref):
        raise BadInputError(
            f"{ref!r} is neither a CID nor NAME[@VERSION]", hint="e.g. bafy... or my-adapter@1"
        )
    return None, name, version or None


def check_pull_target(to: Path) -> Path:
    """``to`` as pull will write it, refused (before any download) when it is not new or empty."""
    to = to.expanduser().absolute()
    if to.exists() and (not to.is_dir() or any(to.iterdir())):
        raise BadInputError(
            f"{to} already exists and is not an empty folder", hint="choose a new --to or remove it"
        )
    return to


def verify(
    ref: str,
    *,
    ipfs: IpfsClient,
    registry: Registry,
    publisher: str | None = None,
    dest: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> VerifyResult:
    """Run every check on ``ref`` (a CID or NAME[@VERSION]); with ``dest``, also write the files
    there (``dest`` must be an empty staging folder; ``pull`` handles the atomic rename).

    Failures are returned as checks (``ok == False``); only a service that cannot be reached
    or bad input raises.
    """
    checks = _Checks()
    cid, name, version = parse_ref(ref)
    record: ProvenanceRecord | None = None
    manifest: AdapterManifest | None = None
    total = 0
    try:
        # 1. What was asked for, and the record it should match.
        if cid is None:
            assert name is not None
            record = registry.record_of_version(name, version) if version else registry.latest(name)
            if record is None:
                label = f"{name}@{version}" if version else name
                checks.fail("resolve", f"{label} is not in registry {registry.address}")
                raise _Stop
            cid = normalize_cid(record.cid)
            checks.ok("resolve", f"{record.name}@{record.version} -> {cid}")
        else:
            checks.ok("resolve", f"CID {cid}")

        # 2. The directory listing: flat, safe names, allowed types, a manifest. First ask the
        # node whether it holds the directory at all: an offline node would only time out.
        ipfs.require_local(cid)
        entries = ipfs.ls(cid)
        problems = []
        for e in entries:
            if e.is_dir:
                problems.append(f"{e.name!r} is a subfolder")
                continue
            try:
                if e.name != MANIFEST_NAME:
                    check_file_name(e.name, where=cid)
                elif e.size > MAX_MANIFEST_BYTES:
                    problems.append(f"{MANIFEST_NAME} is {e.size} bytes, over the {MAX_MANIFEST_BYTES} limit")
            except BadInputError as exc:
                problems.append(str(exc).removeprefix(f"{cid}: "))
        if not any(e.name == MANIFEST_NAME for e in entries):
            problems.append(f"no {MANIFEST_NAME}")
        if len(entries) > MAX_FILES + 1:
            problems.append(f"{len(entries)} entries (at most {MAX_FILES + 1})")
        if problems:
            checks.fail("listing", f"{cid}: " + "; ".join(problems))
            raise _Stop
        checks.ok("listing", f"{len(entries)} files, flat, safetensors/JSON/text only")

        # 3. Fetch and hash every file locally; the node's own CIDs are only compared against.
        digests: dict[str, FileDigest] = {}
        manifest_bytes = b""
        mismatched = []
        for e in entries:
            sink: BinaryIO | None = None
            if dest is not None:
                sink = (dest / e.name).open("xb")  # x: never follow a pre-existing path
            try:
                with ipfs.cat(f"{cid}/{e.name}") as chunks:
                    if e.name == MANIFEST_NAME:
                        buf = bytearray()
                        for chunk in chunks:
                            buf += chunk
                            if len(buf) > MAX_MANIFEST_BYTES:
                                raise VerificationError(
                                    f"{cid}/{MANIFEST_NAME} exceeds {MAX_MANIFEST_BYTES} bytes"
                                )
                        manifest_bytes = bytes(buf)
                        if sink is not None:
                            sink.write(manifest_bytes)
                        digests[e.name] = digest_bytes(manifest_bytes)
                    else:
                        digests[e.name] = digest_stream(_TeeReader(chunks, sink, progress))
            finally:
                if sink is not None:
                    sink.close()
            total += digests[e.name].size
            if str(digests[e.name].cid) != e.cid:
                mismatched.append(
                    f"{e.name} (bytes hash to {digests[e.name].cid}, the directory links {e.cid})"
                )
        if mismatched:
            checks.fail("content", "the IPFS node served wrong bytes for " + "; ".join(mismatched))
            raise _Stop
        root, _tsize = directory_cid(digests.items())
        if str(root) != cid:
            checks.fail("cid", f"recomputed directory CID {root} locally, but {cid} was asked for")
            raise _Stop
        checks.ok("cid", f"recomputed {cid} locally from {len(digests)} files ({total} bytes)")

        # 4. The manifest and every file against it.
        manifest = AdapterManifest.from_bytes(manifest_bytes, source=f"{cid}/{MANIFEST_NAME}")
        checks.ok("manifest", f"canonical JSON, sha256 {manifest.sha256}, a {manifest.content_kind}")
        listed = {f.path: f for f in manifest.files}
        file_problems = []
        for fname, d in sorted(digests.items()):
            if fname == MANIFEST_NAME:
                continue
            mf = listed.get(fname)
            if mf is None:
                file_problems.append(f"extra file {fname} is not in the manifest")
            elif mf.sha256 != d.sha256:
                file_problems.append(
                    f"{fname}: sha256 {d.sha256[:16]}... differs from the manifest's {mf.sha256[:16]}..."
                )
            elif mf.size != d.size:
                file_problems.append(f"{fname}: {d.size} bytes, the manifest says {mf.size}")
        for fname in sorted(set(listed) - set(digests)):
            file_problems.append(f"{fname} is in the manifest but missing")
        if file_problems:
            checks.fail("files", "; ".join(file_problems))
        else:
            checks.ok("files", f"{len(listed)} files match the manifest's sha256 and sizes")

        # 5. The on-chain record.
        msha = manifest.sha256
        by_hash = registry.record_of(msha)
        if by_hash is None:
            checks.fail(
                "record",
                f"manifest sha256 {msha[:16]}... has no record in registry {registry.address} "
                "(edited manifest, or never published)",
            )
            raise _Stop
        if record is not None and record.manifest_sha256 != msha:
            checks.fail(
                "record",
                f"{record.name}@{record.version} records manifest {record.manifest_sha256[:16]}..., "
                f"but {cid} holds {msha[:16]}...",
            )
            raise _Stop
        record = by_hash
        diffs = []
        if normalize_cid(record.cid) != cid:
            diffs.append(f"the record names CID {record.cid}, not {cid}")
        for label, mine, theirs in (
            ("name", manifest.name, record.name),
            ("version", manifest.version, record.version),
            ("base model", manifest.base_model or "", record.base_model),
            ("dataset card sha256", manifest.dataset_card_sha256, record.dataset_card_sha256),
            ("metrics sha256", manifest.metrics_sha256, record.metrics_sha256),
        ):
            if mine != theirs:
                diffs.append(f"{label} {mine!r} in the manifest, {theirs!r} on-chain")
        if diffs:
            checks.fail("record", "; ".join(diffs))
        else:
            checks.ok(
                "record",
                f"{record.name}@{record.version} in registry {registry.address} (chain {registry.w3.eth.chain_id})",
            )

        # 6. Who published it, and whether they may publish under that name.
        if publisher is not None and Web3.to_checksum_address(publisher) != record.publisher:
            checks.fail(
                "publisher",
                f"published by {record.publisher}, not the expected {Web3.to_checksum_address(publisher)}",
            )
        else:
            # The contract accepted the record only from the name's owner or a delegate; a later
            # transfer or undelegation does not void it, but is worth showing.
            allowed = registry.may_publish(record.name, record.publisher)
            note = "" if allowed else f" (no longer allowed to publish {record.name!r})"
            checks.ok("publisher", f"{record.publisher}" + (" (as expected)" if publisher else "") + note)

        # 7. Revocation.
        if record.revoked:
            checks.fail("revoked", f"{record.name}@{record.version} was revoked by its publisher")
        else:
            checks.ok("revoked", "not revoked")
    except _Stop:
        pass
    except VerificationError as exc:
        checks.fail("manifest", str(exc))
    return VerifyResult(ref, cid, tuple(checks.items), manifest, record, None, total)


def pull(
    ref: str,
    to: Path,
    *,
    ipfs: IpfsClient,
    registry: Registry,
    publisher: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> VerifyResult:
    """Verify ``ref`` while downloading it next to ``to``; move it into place only if every check
    passes. Raises VerificationError (nothing written) when one fails."""
    to = check_pull_target(to)
    to.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{to.name}.partial-", dir=to.parent))
    try:
        result = verify(
            ref, ipfs=ipfs, registry=registry, publisher=publisher, dest=staging, progress=progress
        )
        if not result.ok:
            bad = result.first_failure
            assert bad is not None
            raise VerificationError(f"refusing to pull {ref}: {bad.name}: {bad.detail}")
        for child in staging.iterdir():
            os.chmod(child, 0o644)
        os.chmod(staging, 0o755)  # mkdtemp made it private
        with contextlib.suppress(FileNotFoundError):
            to.rmdir()  # an empty destination folder is replaced
        os.replace(staging, to)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return VerifyResult(
        result.target, result.cid, result.checks, result.manifest, result.record, str(to), result.total_bytes
    )
