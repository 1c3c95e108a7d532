"""The adapter manifest: what exactly was published, as canonical JSON.

The manifest lists every file of the adapter folder (name, size, sha256, CID) plus where the
adapter came from (base model, dataset card hash, training config, metrics, chainllm
version). It is published inside the adapter's IPFS directory as ``chainllm-manifest.json``
and its sha256 is what the on-chain registry records. Canonical JSON (sorted keys, no
whitespace, UTF-8) makes the hash a function of the content alone: building it twice from
the same folder gives the same bytes, which is what makes ``publish`` idempotent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from chainllm import __version__
from chainllm.errors import BadInputError, VerificationError
from chainllm.io import canonical_json, is_pickle_path, sha256_bytes
from chainllm.provenance.cid import FileDigest, digest_file

MANIFEST_NAME = "chainllm-manifest.json"
SCHEMA = "chainllm.adapter-manifest/1"
# Loadable without executing anything. Pickle-based formats can run code on load.
ALLOWED_SUFFIXES = (".safetensors", ".json", ".md", ".txt")
DATASET_CARD_FILES = ("dataset_card.json", "dataset_card.md", "DATASET_CARD.md")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+_-]{0,31}$")
MAX_FILES = 256
# What a folder is, recorded in the manifest as ``kind`` (manifests from before it have none:
# ``AdapterManifest.content_kind`` infers it from the file list).
KIND_ADAPTER = "lora-adapter"  # PEFT LoRA adapter: adapter_config.json + *.safetensors
KIND_FRAUD = "fraud-model"  # `chainllm train fraud`: combine.json + gbm.txt (+ optional LoRA files)
MAX_MANIFEST_BYTES = 4 << 20


# Training-state subfolders `chainllm train` keeps inside its output folder; never published.
TRAINING_STATE_DIRS = frozenset({"checkpoints"})


def check_file_name(name: str, *, where: str) -> None:
    """A flat, plain file name of an allowed type; raises BadInputError otherwise."""
    pure = PurePosixPath(name)
    if (
        not name
        or name in (".", "..")
        or "/" in name
        or "\\" in name
        or "\0" in name
        or pure.name != name
        or name.startswith(".")
    ):
        raise BadInputError(f"{where}: unsafe file name {name!r} (path separators, '..' or hidden files)")
    lower = name.lower()
    if is_pickle_path(lower):
        raise BadInputError(
            f"{where}: {name} is a pickle-based file, which can run code when loaded",
            hint="save weights with safetensors (PEFT does by default: safe_serialization=True)",
        )
    if not lower.endswith(ALLOWED_SUFFIXES):
        raise BadInputError(
            f"{where}: {name} is not an allowed adapter file type",
            hint=f"only {', '.join(ALLOWED_SUFFIXES)} files are published and pulled",
        )


def folder_kind(names: list[str] | set[str], *, where: str) -> str:
    """``KIND_FRAUD`` or ``KIND_ADAPTER`` for a folder's file names; BadInputError naming what
    is missing otherwise. A fraud model may carry the LoRA files of its LLM classifier."""
    has = set(names)
    weights = any(n.endswith(".safetensors") for n in has)
    if "adapter_config.json" in has and not weights:
        raise BadInputError(
            f"{where} has adapter_config.json but no .safetensors weights",
            hint="save the adapter with safetensors (PEFT's default)",
        )
    if "combine.json" in has or "gbm.txt" in has:
        for need in ("combine.json", "gbm.txt"):
            if need not in has:
                raise BadInputError(
                    f"{where} looks like a fraud model but has no {need}",
                    hint="publish the complete folder `chainllm train fraud` wrote",
                )
        return KIND_FRAUD
    if weights and "adapter_config.json" not in has:
        raise BadInputError(
            f"{where} has .safetensors weights but no adapter_config.json",
            hint="point at a PEFT adapter folder (the one `chainllm train` wrote)",
        )
    if not weights:
        raise BadInputError(
            f"{where} is neither a LoRA adapter (adapter_config.json + .safetensors) "
            "nor a fraud model (combine.json + gbm.txt)",
            hint="point at the folder `chainllm train generator` or `chainllm train fraud` wrote",
        )
    return KIND_ADAPTER


def check_name_version(name: str, version: str) -> None:
    if not NAME_RE.match(name):
        raise BadInputError(
            f"model name {name!r} is not allowed",
            hint="use 1-64 letters, digits, '.', '_' or '-' (pass --name)",
        )
    if not VERSION_RE.match(version):
        raise BadInputError(
            f"version {version!r} is not allowed",
            hint="use 1-32 letters, digits, '.', '+', '_' or '-' (pass --version)",
        )


@dataclass(frozen=True)
class ManifestFile:
    path: str
    size: int
    sha256: str
    cid: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256, "cid": self.cid}


@dataclass(frozen=True)
class AdapterManifest:
    """Everything the registry commits to, through the sha256 of ``to_bytes()``."""

    name: str
    version: str
    base_model: str | None
    files: tuple[ManifestFile, ...]
    dataset_card_sha256: str | None = None
    metrics_sha256: str | None = None
    training_config: dict[str, Any] | None = None
    metrics: dict[str, Any] | None = None
    chainllm_version: str = __version__
    schema: str = SCHEMA
    extra: dict[str, Any] = field(default_factory=dict)
    kind: str | None = None  # None only in manifests written before kinds existed

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.extra,
            # Left out when None, so manifests from before ``kind`` keep their exact bytes (and hash).
            **({"kind": self.kind} if self.kind is not None else {}),
            "schema": self.schema,
            "name": self.name,
            "version": self.version,
            "base_model": self.base_model,
            "dataset_card_sha256": self.dataset_card_sha256,
            "metrics_sha256": self.metrics_sha256,
            "training_config": self.training_config,
            "metrics": self.metrics,
            "chainllm_version": self.chainllm_version,
            "files": [f.to_dict() for f in self.files],
        }

    def to_bytes(self) -> bytes:
        return canonical_json(self.to_dict())

    @property
    def sha256(self) -> str:
        return sha256_bytes(self.to_bytes())

    def file(self, name: str) -> ManifestFile | None:
        return next((f for f in self.files if f.path == name), None)

    @property
    def content_kind(self) -> str:
        """``kind``, or for older manifests what their file list shows."""
        if self.kind is not None:
            return self.kind
        names = {f.path for f in self.files}
        return KIND_FRAUD if {"combine.json", "gbm.txt"} <= names else KIND_ADAPTER

    @classmethod
    def from_bytes(cls, data: bytes, *, source: str) -> AdapterManifest:
        """Parse a published manifest; it must be canonical JSON of the known schema."""
        try:
            obj = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise VerificationError(f"{source}: manifest is not valid JSON ({exc})") from None
        if not isinstance(obj, dict) or obj.get("schema") != SCHEMA:
            raise VerificationError(f"{source}: manifest schema is not {SCHEMA!r}")
        if canonical_json(obj) != data:
            raise VerificationError(f"{source}: manifest is not in canonical JSON form (edited by hand?)")
        try:
            files = tuple(
                ManifestFile(str(f["path"]), int(f["size"]), str(f["sha256"]), str(f["cid"]))
                for f in obj["files"]
            )
            known = {
                "schema", "name", "version", "base_model", "dataset_card_sha256", "metrics_sha256",
                "training_config", "metrics", "chainllm_version", "files", "kind",
            }  # fmt: skip
            kind = obj.get("kind")
            if kind is not None and not isinstance(kind, str):
                raise VerificationError(f"{source}: manifest kind {kind!r} is not a string")
            return cls(
                name=str(obj["name"]),
                version=str(obj["version"]),
                base_model=obj.get("base_model"),
                files=files,
                dataset_card_sha256=obj.get("dataset_card_sha256"),
                metrics_sha256=obj.get("metrics_sha256"),
                training_config=obj.get("training_config"),
                metrics=obj.get("metrics"),
                chainllm_version=str(obj.get("chainllm_version", "")),
                extra={k: v for k, v in obj.items() if k not in known},
                kind=kind,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise VerificationError(f"{source}: manifest is missing or mangles field {exc}") from None


@dataclass(frozen=True)
class ScannedFolder:
    """A folder ready to publish: its manifest and each file's local digest."""

    folder: Path
    manifest: AdapterManifest
    digests: dict[str, FileDigest]


def _read_json(path: Path) -> dict[str, Any]:
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BadInputError(f"{path}: not readable JSON ({exc})", hint="fix or remove the file") from None
    if not isinstance(obj, dict):
        raise BadInputError(f"{path}: expected a JSON object")
    # Round trip through canonical JSON: rejects NaN and keeps the manifest stable.
    try:
        clean: dict[str, Any] = json.loads(canonical_json(obj))
        return clean
    except ValueError as exc:
        raise BadInputError(f"{path}: {exc}", hint="NaN/Infinity are not portable JSON") from None


def scan_folder(
    folder: Path,
    *,
    name: str | None = None,
    version: str | None = None,
    dataset_card: Path | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> ScannedFolder:
    """Hash every file of an adapter or fraud model folder and build its manifest.

    The folder must be flat (a ``checkpoints/`` folder of training state is left out) and hold
    nothing pickle-based; it is a LoRA adapter (``adapter_config.json`` + ``.safetensors``) or
    a fraud model (``combine.json`` + ``gbm.txt``, plus the LoRA files of its LLM classifier
    when it has one). An existing ``chainllm-manifest.json`` (a pulled folder) is ignored
    and rebuilt.
    """
    folder = folder.expanduser()
    if not folder.is_dir():
        raise BadInputError(f"adapter folder {folder} does not exist or is not a folder")
    names: list[str] = []
    for entry in sorted(folder.iterdir()):
        if entry.name == MANIFEST_NAME:
            continue
        if entry.is_symlink():
            raise BadInputError(f"{entry} is a symlink", hint="copy the real file into the adapter folder")
        if entry.is_dir() and entry.name in TRAINING_STATE_DIRS and not entry.is_symlink():
            continue  # resume state of `chainllm train`, not part of the adapter
        if entry.is_dir():
            raise BadInputError(
                f"{entry} is a subfolder; adapter folders are published flat",
                hint="publish the folder that holds adapter_config.json or combine.json itself",
            )
        check_file_name(entry.name, where=str(folder))
        names.append(entry.name)
    kind = folder_kind(names, where=str(folder))
    if len(names) > MAX_FILES:
        raise BadInputError(f"{folder} holds {len(names)} files; at most {MAX_FILES} are published")

    adapter_config = _read_json(folder / "adapter_config.json") if "adapter_config.json" in names else {}
    if kind == KIND_FRAUD:
        _read_json(folder / "combine.json")  # refuse a broken model before it is on-chain
    training_config = _read_json(folder / "training_config.json") if "training_config.json" in names else None
    metrics = _read_json(folder / "metrics.json") if "metrics.json" in names else None

    digests: dict[str, FileDigest] = {}
    for n in names:
        digests[n] = digest_file(folder / n)
        if progress:
            progress(n, digests[n].size)

    card_sha: str | None = None
    if dataset_card is not None:
        try:
            card_sha = sha256_bytes(dataset_card.read_bytes())
        except OSError as exc:
            raise BadInputError(f"dataset card {dataset_card}: {exc.strerror}") from None
    elif training_config and _card_hash_from(training_config):
        card_sha = _card_hash_from(training_config)
    else:
        card_sha = next((digests[c].sha256 for c in DATASET_CARD_FILES if c in digests), None)
    if card_sha is not None and not re.fullmatch(r"[0-9a-f]{64}", card_sha):
        raise BadInputError(f"dataset card hash {card_sha!r} is not a sha256 hex digest")

    name = name or (training_config or {}).get("name") or folder.resolve().name
    version = version or (training_config or {}).get("version") or "1"
    check_name_version(str(name), str(version))
    base = adapter_config.get("base_model_name_or_path")
    manifest = AdapterManifest(
        name=str(name),
        version=str(version),
        base_model=str(base) if base else None,
        files=tuple(ManifestFile(n, digests[n].size, digests[n].sha256, str(digests[n].cid)) for n in names),
        dataset_card_sha256=card_sha,
        metrics_sha256=sha256_bytes(canonical_json(metrics)) if metrics is not None else None,
        training_config=training_config,
        metrics=metrics,
        kind=kind,
    )
    return ScannedFolder(folder, manifest, digests)


def _card_hash_from(training_config: dict[str, Any]) -> str | None:
    """The corpus card hash `chainllm train generator` records (``dataset.card_sha256``),
    or a flat ``dataset_card_sha256`` written by other tools."""
    flat = training_config.get("dataset_card_sha256")
    if isinstance(flat, str):
        return flat
    nested = training_config.get("dataset")
    if isinstance(nested, dict) and isinstance(nested.get("card_sha256"), str):
        return str(nested["card_sha256"])
    return None
