"""Sourcify v2 as a Solidity source: ``sourcify:CHAIN:0xADDRESS``.

``GET /v2/contract/{chainId}/{address}?fields=sources,compilation`` answers ``match`` as
``exact_match`` (metadata hash matches too) or ``match`` (partial); the crawl records which.
"""

from __future__ import annotations

import os
from typing import Any

from chainllm.crawl import http
from chainllm.crawl.addresses import chain_and_address
from chainllm.crawl.base import Fetched, RawFile, Source
from chainllm.crawl.etherscan import _safe_path
from chainllm.errors import BadInputError, ServiceError

DEFAULT_URL = "https://sourcify.dev/server"
_MATCH = {
    "exact_match": "exact",
    "perfect": "exact",
    "full": "exact",
    "match": "partial",
    "partial": "partial",
}


def api_url() -> str:
    return os.environ.get("CHAINLLM_SOURCIFY_URL", DEFAULT_URL).rstrip("/")


class SourcifySource(Source):
    scheme = "sourcify"

    def __init__(self, spec: str, target: str) -> None:
        super().__init__(spec, target)
        self.chain_id, self.address = chain_and_address(spec, target)

    def resolve(self) -> str:
        return f"sourcify:{self.chain_id}:{self.address}"

    def fetch(self) -> Fetched:
        origin = self.resolve()
        url = f"{api_url()}/v2/contract/{self.chain_id}/{self.address}"
        with http.client() as c:
            reply = http.get(c, url, what=self.spec, params={"fields": "sources,compilation"})
        try:
            doc: Any = reply.json()
        except (ValueError, UnicodeDecodeError):
            doc = None
        message = doc.get("message") if isinstance(doc, dict) else None
        if reply.status_code == 404:
            raise BadInputError(
                f"{self.spec}: not verified on Sourcify" + (f" ({message})" if message else "")
            )
        if reply.status_code == 400:
            raise BadInputError(f"{self.spec}: Sourcify rejected the request ({message or 'HTTP 400'})")
        if reply.status_code != 200 or not isinstance(doc, dict):
            raise ServiceError(f"{self.spec}: Sourcify answered HTTP {reply.status_code}")
        match = _MATCH.get(str(doc.get("match") or doc.get("runtimeMatch") or doc.get("creationMatch")))
        if match is None:
            raise BadInputError(f"{self.spec}: Sourcify has no match for this contract")
        sources = doc.get("sources") or {}
        files = [
            RawFile(_safe_path(name, "source.sol"), entry["content"].encode("utf-8"))
            for name, entry in sorted(sources.items())
            if isinstance(entry, dict) and isinstance(entry.get("content"), str)
        ]
        compilation = doc.get("compilation") or {}
        meta = {
            "match": match,
            "contract": str(compilation.get("name") or ""),
            "compiler": str(compilation.get("compilerVersion") or ""),
        }
        return Fetched(origin, tuple(files), (), meta)
