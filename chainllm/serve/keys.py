"""API keys: ``cllm_<id>_<secret>``. Only the SHA-256 of a key is stored (the secret is 32
random bytes, so the hash cannot be reversed); the key itself is shown once, when made."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from chainllm import config
from chainllm.errors import BadInputError
from chainllm.io import atomic_path, pretty_json
from chainllm.serve.settings import SCOPES

PREFIX = "cllm_"
_KEY_RE = re.compile(r"^cllm_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")


def default_keys_file() -> Path:
    return config.data_dir() / "serve" / "keys.json"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    scopes: tuple[str, ...]
    sha256: str
    created: float
    revoked: float | None = None

    def public(self) -> dict[str, object]:
        """What `keys list` and logs may show: never the hash."""
        d = asdict(self)
        del d["sha256"]
        d["scopes"] = list(self.scopes)
        return d


def parse_scopes(raw: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    scopes = tuple(sorted({s.strip() for s in items if s.strip()}))
    bad = [s for s in scopes if s not in SCOPES]
    if bad or not scopes:
        raise BadInputError(
            f"bad scope(s) {', '.join(bad) or '(none)'}", hint=f"choose from {', '.join(SCOPES)}"
        )
    return scopes


class KeyStore:
    """The keys file, re-read when it changes (a revocation takes effect without a restart)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_keys_file()
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._keys: dict[str, ApiKey] = {}

    def _load(self) -> dict[str, ApiKey]:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._keys = None, {}
            return self._keys
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp != self._stamp:
            try:
                raw = json.loads(self.path.read_text())
                keys = {k["id"]: ApiKey(k["id"], k["name"], tuple(k["scopes"]), k["sha256"], float(k["created"]),
                                        k.get("revoked")) for k in raw["keys"]}  # fmt: skip
            except (ValueError, KeyError, TypeError) as exc:
                raise BadInputError(
                    f"{self.path} is not a chainllm keys file ({exc})",
                    hint="fix or remove it, then `chainllm serve keys add`",
                ) from None
            self._stamp, self._keys = stamp, keys
        return self._keys

    def _save(self, keys: dict[str, ApiKey]) -> None:
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)  # the folder keeps others out while the file is being renamed in
        doc = {"version": 1, "keys": [asdict(k) for k in keys.values()]}
        with atomic_path(self.path) as tmp:
            tmp.write_text(pretty_json(doc))
        os.chmod(self.path, 0o600)
        self._stamp = None

    def list(self) -> list[ApiKey]:
        with self._lock:
            return sorted(self._load().values(), key=lambda k: k.created)

    def add(self, name: str, scopes: tuple[str, ...]) -> tuple[ApiKey, str]:
        """The new key's record and the key itself (shown once, never stored)."""
        scopes = parse_scopes(scopes)
        if not re.fullmatch(r"[A-Za-z0-9_.@-]{1,64}", name):
            raise BadInputError(f"bad key name {name!r}", hint="1-64 letters, digits, _ . @ -")
        with self._lock:
            keys = dict(self._load())
            key_id = secrets.token_hex(6)
            secret = PREFIX + key_id + "_" + secrets.token_urlsafe(32)
            rec = ApiKey(key_id, name, scopes, _digest(secret), round(time.time(), 3))
            keys[key_id] = rec
            self._save(keys)
        return rec, secret

    def revoke(self, key_id_or_name: str) -> ApiKey:
        with self._lock:
            keys = dict(self._load())
            hits = [k for k in keys.values() if key_id_or_name in (k.id, k.name) and k.revoked is None]
            if len(hits) != 1:
                raise BadInputError(
                    f"{'no active' if not hits else 'more than one active'} key named {key_id_or_name!r}",
                    hint="pass a key id from `chainllm serve keys list`",
                )
            rec = ApiKey(**{**asdict(hits[0]), "scopes": hits[0].scopes, "revoked": round(time.time(), 3)})
            keys[rec.id] = rec
            self._save(keys)
        return rec

    def verify(self, key: str) -> ApiKey | None:
        """The active key record for ``key``, else None (constant-time hash comparison)."""
        m = _KEY_RE.match(key)
        if not m:
            return None
        with self._lock:
            rec = self._load().get(m.group(1))
        if rec is None or rec.revoked is not None:
            return None
        return rec if hmac.compare_digest(rec.sha256, _digest(key)) else None
