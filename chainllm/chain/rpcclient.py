"""A small synchronous JSON-RPC client over one keep-alive HTTP connection (simulator side)."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from chainllm.chain.connect import check_rpc_url
from chainllm.errors import ServiceError


class RpcError(ServiceError):
    """The node answered a JSON-RPC error object."""

    def __init__(self, method: str, url: str, error: Any) -> None:
        msg = error.get("message", str(error)) if isinstance(error, dict) else str(error)
        super().__init__(f"{method} on {url} failed: {msg}")
        self.error = error


class RpcClient:
    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        self.url = check_rpc_url(url)
        self._client = httpx.Client(timeout=timeout)
        self._ids = itertools.count(1)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RpcClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, method: str, *params: Any) -> Any:
        try:
            r = self._client.post(
                self.url,
                json={"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": list(params)},
            )
            body = r.json()
        except httpx.HTTPError as exc:
            raise ServiceError(f"{method} on {self.url} failed: {exc}") from None
        except ValueError:
            raise ServiceError(f"{method} on {self.url} returned non-JSON (HTTP {r.status_code})") from None
        if not isinstance(body, dict):
            raise ServiceError(f"{method} on {self.url} returned a non-object reply")
        if "error" in body:
            raise RpcError(method, self.url, body["error"])
        return body.get("result")
