"""A small Hugging Face hub client: safetensors/JSON/tokenizer files only, every file checked
against the hash the hub lists for it (sha256 for LFS files, git blob sha1 otherwise), the
snapshot written atomically into the cache. No pickles are ever fetched.

Uses the documented endpoints ``GET /api/models/{repo}/revision/{rev}?blobs=true`` (file
list with hashes) and ``GET /{repo}/resolve/{sha}/{file}`` (content, redirects followed).
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
from pathlib import Path
from typing import Any

from chainllm import config
from chainllm.errors import BadInputError, ServiceError, VerificationError
from chainllm.io import is_pickle_path

DEFAULT_ENDPOINT = "https://huggingface.co"
PATTERNS = ("*.json", "*.safetensors", "tokenizer.model", "*.txt", "*.jinja")
_SAFE_NAME = re.compile(r"^[\w.\-]+(/[\w.\-]+)*$")


def endpoint() -> str:
    return (
        os.environ.get("CHAINLLM_HF_ENDPOINT") or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT
    ).rstrip("/")


def _headers() -> dict[str, str]:
    token = os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN")
    return {"Authorization": f"Bearer {token}"} if token else {}


def _git_blob_sha1(path: Path) -> str:
    h = hashlib.sha1(f"blob {path.stat().st_size}\0".encode())
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def download_snapshot(repo_id: str, revision: str = "main") -> Path:
    """Fetch ``repo_id`` at ``revision`` into ``cache_dir()/hub`` (reused when present)."""
    import httpx

    from chainllm.model.bases import build_atomically

    base = endpoint()
    try:
        with httpx.Client(headers=_headers(), follow_redirects=True, timeout=60.0) as client:
            resp = client.get(f"{base}/api/models/{repo_id}/revision/{revision}", params={"blobs": "true"})
            if resp.status_code in (401, 403):
                raise BadInputError(
                    f"hub model {repo_id} is gated or private (HTTP {resp.status_code})",
                    hint="accept its licence on huggingface.co and set HF_TOKEN",
                )
            if resp.status_code == 404:
                raise BadInputError(f"hub model {repo_id} (revision {revision}) was not found")
            resp.raise_for_status()
            info: dict[str, Any] = resp.json()
            sha = str(info["sha"])
            files = [s for s in info.get("siblings", []) if _wanted(str(s.get("rfilename", "")))]
            if not any(s["rfilename"].endswith(".safetensors") for s in files):
                raise BadInputError(
                    f"hub model {repo_id} has no safetensors weights (only pickles, which chainllm does not download)",
                    hint="convert it to safetensors and pass the local folder",
                )
            target = config.cache_dir() / "hub" / repo_id.replace("/", "--") / sha
            if (target / "chainllm_base.json").is_file():
                return target

            def build(tmp: Path) -> dict[str, Any]:
                for sib in files:
                    _fetch(client, f"{base}/{repo_id}/resolve/{sha}/{sib['rfilename']}", tmp, sib)
                return {
                    "name": repo_id,
                    "source": f"{base}/{repo_id}",
                    "revision": sha,
                    "license": _licence(info),
                }

            return build_atomically(target, build)
    except httpx.HTTPError as exc:
        raise ServiceError(
            f"could not download {repo_id} from {base}: {type(exc).__name__}: {exc}".splitlines()[0],
            hint="check the network, or pass a local model folder",
        ) from exc


def _wanted(name: str) -> bool:
    leaf = name.rsplit("/", 1)[-1]
    return (
        bool(_SAFE_NAME.match(name))
        and ".." not in name
        and any(fnmatch.fnmatch(leaf, p) for p in PATTERNS)
        and not is_pickle_path(leaf)  # the one pickle rule, even if PATTERNS grows
    )


def _licence(info: dict[str, Any]) -> str:
    card = info.get("cardData") or {}
    return str(card.get("license") or "see the model card")


def _fetch(client: Any, url: str, folder: Path, sib: dict[str, Any]) -> None:
    name = str(sib["rfilename"])
    dest = folder / name
    dest.parent.mkdir(parents=True, exist_ok=True)
    sha256 = hashlib.sha256()
    with client.stream("GET", url) as resp:
        resp.raise_for_status()
        with dest.open("wb") as fh:
            for chunk in resp.iter_bytes(1 << 20):
                sha256.update(chunk)
                fh.write(chunk)
    lfs = sib.get("lfs") or {}
    if lfs.get("sha256"):
        if sha256.hexdigest() != lfs["sha256"]:
            raise VerificationError(f"{name} from {url} does not match the hub's sha256; refusing it")
    elif sib.get("blobId"):
        if _git_blob_sha1(dest) != sib["blobId"]:
            raise VerificationError(f"{name} from {url} does not match the hub's blob id; refusing it")
    else:
        raise VerificationError(f"the hub lists no hash for {name}; refusing an unverifiable download")
