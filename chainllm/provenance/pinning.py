"""Remote pinning through the standard IPFS Pinning Service API (v1.0.0), which hosted
pinning services (Pinata, Filebase, web3.storage-compatible, ...) and Kubo's own
``ipfs pin remote`` speak: ``POST /pins``, ``GET /pins/{requestid}``, bearer token auth.

The token comes from ``CHAINLLM_PINNING_TOKEN`` and is never logged.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

import httpx

from chainllm.errors import BadInputError, ServiceError

DONE = ("pinned", "failed")


@dataclass(frozen=True)
class PinStatus:
    requestid: str
    status: str  # queued | pinning | pinned | failed
    cid: str
    name: str | None
    delegates: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: Any, *, where: str) -> PinStatus:
        try:
            pin = data["pin"]
            return cls(
                str(data["requestid"]),
                str(data["status"]),
                str(pin["cid"]),
                pin.get("name"),
                tuple(str(d) for d in data.get("delegates") or ()),
            )
        except (KeyError, TypeError) as exc:
            raise ServiceError(f"{where} answered a malformed PinStatus (missing {exc})") from None


class PinningService:
    def __init__(self, endpoint: str, token: str | None = None, *, timeout: float = 30.0) -> None:
        if not endpoint.startswith(("http://", "https://")):
            raise BadInputError(f"pinning service {endpoint!r} is not an http(s) URL")
        token = token or os.environ.get("CHAINLLM_PINNING_TOKEN")
        if not token:
            raise BadInputError(
                f"no access token for pinning service {endpoint}", hint="set CHAINLLM_PINNING_TOKEN"
            )
        self.endpoint = endpoint.rstrip("/")
        self._http = httpx.Client(
            base_url=self.endpoint, headers={"Authorization": f"Bearer {token}"}, timeout=timeout
        )

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, path: str, **kw: Any) -> Any:
        try:
            r = self._http.request(method, path, **kw)
        except httpx.HTTPError as exc:
            raise ServiceError(
                f"cannot reach pinning service {self.endpoint}: {exc.__class__.__name__}"
            ) from None
        if r.status_code in (401, 403):
            raise ServiceError(f"pinning service {self.endpoint} refused the token (HTTP {r.status_code})",
                               hint="check CHAINLLM_PINNING_TOKEN")  # fmt: skip
        if r.status_code >= 400:
            try:
                reason = r.json()["error"]["reason"]
            except (ValueError, KeyError, TypeError):
                reason = f"HTTP {r.status_code}"
            raise ServiceError(f"pinning service {self.endpoint} rejected {method} {path}: {reason}")
        return r.json() if r.content else None

    def pin(self, cid: str, *, name: str | None = None, origins: list[str] | None = None) -> PinStatus:
        """Ask the service to pin ``cid``; an existing request for the same CID is reused."""
        existing = self._request("GET", "/pins", params={"cid": cid, "limit": 1})
        if existing and existing.get("results"):
            current = PinStatus.from_json(existing["results"][0], where=self.endpoint)
            if current.status != "failed":
                return current
        body: dict[str, Any] = {"cid": cid}
        if name:
            body["name"] = name
        if origins:
            body["origins"] = origins
        return PinStatus.from_json(self._request("POST", "/pins", json=body), where=self.endpoint)

    def status(self, requestid: str) -> PinStatus:
        return PinStatus.from_json(self._request("GET", f"/pins/{requestid}"), where=self.endpoint)

    def wait(self, requestid: str, *, timeout: float = 300.0, poll: float = 1.0) -> PinStatus:
        deadline = time.monotonic() + timeout
        st = self.status(requestid)
        while st.status not in DONE and time.monotonic() < deadline:
            time.sleep(poll)
            st = self.status(requestid)
        if st.status == "failed":
            raise ServiceError(f"pinning service {self.endpoint} failed to pin {st.cid}")
        return st
