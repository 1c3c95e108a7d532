"""npm packages as a Solidity source: ``npm:@openzeppelin/contracts@5.x``.

The registry document names the tarball and its integrity (sha512); the tarball is verified
before it is opened, cached by that hash, and read in memory (see ``tarball``). No npm client
and no install script is involved.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from typing import Any
from urllib.parse import quote

from chainllm import config
from chainllm.crawl import http
from chainllm.crawl.base import Fetched, Source
from chainllm.crawl.tarball import read_sol_members
from chainllm.errors import BadInputError, ServiceError, VerificationError
from chainllm.io import atomic_write
from chainllm.toolchain.pragma import VersionRange, format_version, parse_version

DEFAULT_REGISTRY = "https://registry.npmjs.org"
MAX_TARBALL_BYTES = 100 * 1024 * 1024
_NAME_RE = re.compile(r"^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$")
_EXACT_RE = re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")


def registry_url() -> str:
    return os.environ.get("CHAINLLM_NPM_REGISTRY", DEFAULT_REGISTRY).rstrip("/")


def split_spec(target: str) -> tuple[str, str]:
    """``@scope/name@range`` -> (name, range); the range defaults to the ``latest`` tag."""
    at = target.rfind("@")
    name, rng = (target[:at], target[at + 1 :]) if at > 0 else (target, "latest")
    if not _NAME_RE.match(name):
        raise BadInputError(
            f"npm:{target}: {name!r} is not a valid npm package name",
            hint="write npm:NAME@RANGE, e.g. npm:@openzeppelin/contracts@5.x",
        )
    return name, rng.strip() or "latest"


def pick_version(name: str, rng: str, doc: dict[str, Any]) -> str:
    """The newest published version matching a dist-tag, exact version or semver range."""
    versions: dict[str, Any] = doc.get("versions") or {}
    tags: dict[str, str] = doc.get("dist-tags") or {}
    if rng in tags and tags[rng] in versions:
        return tags[rng]
    if rng in versions:
        return rng
    stable = [v for v in versions if _EXACT_RE.match(v) and "-" not in v and "+" not in v]
    try:
        wanted = VersionRange.parse(rng)
        matching = [v for v in stable if wanted.contains(parse_version(v))]
    except ValueError:
        matching = []
    if not matching:
        newest = sorted(stable, key=parse_version)[-5:]
        raise BadInputError(
            f"npm:{name}@{rng}: no published version matches",
            hint=f"newest versions: {', '.join(newest) or 'none'}",
        )
    return format_version(max(parse_version(v) for v in matching))


def _integrity(dist: dict[str, Any], what: str) -> tuple[str, str]:
    """(algorithm, hex digest) to verify the tarball with; sha512 preferred."""
    for item in str(dist.get("integrity") or "").split():
        algo, _, b64 = item.partition("-")
        if algo == "sha512":
            try:
                return "sha512", base64.b64decode(b64, validate=True).hex()
            except ValueError:
                break
    shasum = str(dist.get("shasum") or "")
    if re.fullmatch(r"[0-9a-f]{40}", shasum):
        return "sha1", shasum
    raise VerificationError(
        f"{what}: the registry gives no usable integrity hash", hint="refusing to trust it"
    )


class NpmSource(Source):
    scheme = "npm"

    def __init__(self, spec: str, target: str) -> None:
        super().__init__(spec, target)
        self.name, self.range = split_spec(target)
        self._doc: dict[str, Any] | None = None
        self._version: str | None = None

    def _packument(self) -> dict[str, Any]:
        if self._doc is None:
            url = f"{registry_url()}/{quote(self.name, safe='@')}"
            with http.client() as c:
                reply = http.get(
                    c,
                    url,
                    what=self.spec,
                    headers={"Accept": "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8"},
                    max_bytes=64 * 1024 * 1024,
                )
            if reply.status_code == 404:
                raise BadInputError(
                    f"{self.spec}: package {self.name!r} not found on {registry_url()}",
                    hint="check the spelling on npmjs.com",
                )
            if reply.status_code != 200:
                raise ServiceError(f"{self.spec}: registry answered HTTP {reply.status_code}")
            try:
                doc = reply.json()
            except (ValueError, UnicodeDecodeError):
                raise ServiceError(f"{self.spec}: registry answered something that is not JSON") from None
            if not isinstance(doc, dict):
                raise ServiceError(f"{self.spec}: unexpected registry answer")
            self._doc = doc
        return self._doc

    def resolve(self) -> str:
        if self._version is None:
            self._version = pick_version(self.name, self.range, self._packument())
        return f"npm:{self.name}@{self._version}"

    def fetch(self) -> Fetched:
        origin = self.resolve()
        assert self._version is not None
        dist = (self._packument()["versions"][self._version] or {}).get("dist") or {}
        url = dist.get("tarball")
        if not isinstance(url, str) or not url:
            raise ServiceError(f"{origin}: the registry names no tarball")
        algo, digest = _integrity(dist, origin)
        data = self._tarball(url, algo, digest, origin)
        contents = read_sol_members(data, what=origin)
        meta: dict[str, str] = {"tarball": url, "integrity": f"{algo}:{digest[:16]}..."}
        if contents.package_json:
            try:
                pkg = json.loads(contents.package_json)
                if isinstance(pkg, dict) and isinstance(pkg.get("license"), str):
                    meta["license"] = pkg["license"]
            except ValueError:
                pass
        return Fetched(origin, contents.files, contents.skipped, meta)

    def _tarball(self, url: str, algo: str, digest: str, origin: str) -> bytes:
        cache = config.cache_dir() / "npm" / "tarballs" / f"{algo}-{digest}.tgz"
        if cache.is_file():
            data = cache.read_bytes()
            if hashlib.new(algo, data).hexdigest() == digest:
                return data
            cache.unlink()  # corrupted cache entry: fetch again
        with http.client(timeout=120.0) as c:
            reply = http.get(c, url, what=origin, max_bytes=MAX_TARBALL_BYTES)
        if reply.status_code != 200:
            raise ServiceError(f"{origin}: tarball download answered HTTP {reply.status_code}")
        data = reply.content
        if hashlib.new(algo, data).hexdigest() != digest:
            raise VerificationError(
                f"{origin}: tarball {algo} does not match the registry's integrity",
                hint="a proxy or mirror altered it; nothing was kept",
            )
        atomic_write(cache, data)
        return data
