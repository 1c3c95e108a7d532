"""Etherscan v2 ``getsourcecode`` as a Solidity source: ``etherscan:CHAIN:0xADDRESS``.

The API key comes from ``ETHERSCAN_API_KEY``. Etherscan answers in three shapes: one flat
file, a JSON object of files, or standard JSON input wrapped in an extra pair of braces.
Free-tier keys get 3 calls/s: one limiter per process enforces it, and "Max rate limit
reached" answers are retried with backoff.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from chainllm import config
from chainllm.crawl import http
from chainllm.crawl.addresses import chain_and_address
from chainllm.crawl.base import Fetched, RawFile, Source
from chainllm.errors import BadInputError, ServiceError

DEFAULT_URL = "https://api.etherscan.io/v2/api"
API_KEY_ENV = "ETHERSCAN_API_KEY"
# 10% under the advertised rate so network jitter never bunches 4 calls into one second.
_LIMITER = http.RateLimiter(config.env_float("CHAINLLM_ETHERSCAN_RPS", 3.0) * 0.9)


def api_url() -> str:
    return os.environ.get("CHAINLLM_ETHERSCAN_URL", DEFAULT_URL)


def _safe_path(path: str, fallback: str) -> str:
    p = path.replace("\\", "/").lstrip("/")
    parts = [x for x in p.split("/") if x not in ("", ".", "..")]
    return "/".join(parts) or fallback


def parse_source_code(code: str, contract_name: str) -> list[RawFile]:
    """Files from Etherscan's ``SourceCode`` field, whichever of its three shapes it has."""
    text = code.strip()
    if text.startswith("{{") and text.endswith("}}"):
        text = text[1:-1]  # standard JSON input, wrapped in an extra pair of braces
    if text.startswith("{"):
        try:
            doc = json.loads(text)
        except ValueError:
            doc = None
        if isinstance(doc, dict):
            inner = doc.get("sources")
            sources: dict[str, Any] = inner if isinstance(inner, dict) else doc
            files = []
            for name, entry in sorted(sources.items()):
                content = entry.get("content") if isinstance(entry, dict) else None
                if isinstance(content, str):
                    files.append(RawFile(_safe_path(name, "source.sol"), content.encode("utf-8")))
            if files:
                return files
    fallback = re.sub(r"[^A-Za-z0-9_]", "", contract_name) or "Contract"
    return [RawFile(f"{fallback}.sol", code.encode("utf-8"))]


class EtherscanSource(Source):
    scheme = "etherscan"

    def __init__(self, spec: str, target: str) -> None:
        super().__init__(spec, target)
        self.chain_id, self.address = chain_and_address(spec, target)

    def resolve(self) -> str:
        return f"etherscan:{self.chain_id}:{self.address}"

    def _call(self) -> dict[str, Any]:
        key = os.environ.get(API_KEY_ENV, "")
        if not key:
            raise BadInputError(f"{self.spec}: no Etherscan API key", hint=f"set {API_KEY_ENV}")
        params = {
            "chainid": str(self.chain_id),
            "module": "contract",
            "action": "getsourcecode",
            "address": self.address,
            "apikey": key,
        }

        def once() -> dict[str, Any]:
            with http.client() as c:
                reply = http.get(c, api_url(), what=self.spec, params=params, attempts=1)
            if reply.status_code != 200:
                raise ServiceError(f"{self.spec}: Etherscan answered HTTP {reply.status_code}")
            try:
                doc = reply.json()
            except (ValueError, UnicodeDecodeError):
                raise ServiceError(f"{self.spec}: Etherscan answered something that is not JSON") from None
            if not isinstance(doc, dict):
                raise ServiceError(f"{self.spec}: unexpected Etherscan answer")
            if str(doc.get("status")) != "1":
                result = str(doc.get("result") or doc.get("message") or "")
                low = result.lower()
                if "rate limit" in low:
                    raise http.Retryable(f"Etherscan: {result}")
                if "api key" in low or "apikey" in low:
                    raise BadInputError(
                        f"{self.spec}: Etherscan rejected the API key ({result})", hint=f"check {API_KEY_ENV}"
                    )
                if "not verified" in low:
                    raise BadInputError(f"{self.spec}: contract source is not verified on Etherscan")
                if "address" in low or "chainid" in low or "chain" in low:
                    raise BadInputError(
                        f"{self.spec}: Etherscan says {result!r}", hint="check the chain id and address"
                    )
                raise ServiceError(
                    f"{self.spec}: Etherscan answered {doc.get('message') or 'NOTOK'}: {result}"
                )
            return doc

        return http.with_retries(once, what=self.spec, limiter=_LIMITER)

    def fetch(self) -> Fetched:
        origin = self.resolve()
        doc = self._call()
        results = doc.get("result")
        item = results[0] if isinstance(results, list) and results and isinstance(results[0], dict) else None
        if item is None:
            raise ServiceError(f"{self.spec}: Etherscan answered an empty result")
        code = str(item.get("SourceCode") or "")
        if not code.strip():
            raise BadInputError(f"{self.spec}: contract source is not verified on Etherscan")
        compiler = str(item.get("CompilerVersion") or "")
        if compiler.lower().startswith("vyper"):
            raise BadInputError(f"{self.spec}: a Vyper contract, not Solidity")
        files = parse_source_code(code, str(item.get("ContractName") or ""))
        meta = {
            "contract": str(item.get("ContractName") or ""),
            "compiler": compiler,
            "license": str(item.get("LicenseType") or ""),
        }
        return Fetched(origin, tuple(files), (), meta)
