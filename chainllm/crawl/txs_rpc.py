"""Batched JSON-RPC over several endpoints: adaptive batch size, retries with backoff,
failover, a shared rate limit. Built for crawling (many small calls), not for signing.

One post carries many calls (``batch``); a post that fails as a whole (HTTP error, timeout,
garbage) is retried with backoff on the next healthy URL, and the caller halves its batch.
Per-call errors come back as ``RpcCallError`` values in the result list, so a caller can tell
"method not supported" from "this node is down".
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from chainllm.chain.connect import check_rpc_url
from chainllm.errors import ServiceError

UNSUPPORTED_CODES = {-32601, -32004}  # method not found / not supported
UNSUPPORTED_WORDS = ("not found", "not supported", "unsupported", "does not exist", "not available")


@dataclass(frozen=True)
class RpcCallError:
    method: str
    code: int | None
    message: str

    @property
    def unsupported(self) -> bool:
        if self.code in UNSUPPORTED_CODES:
            return True
        m = self.message.lower()
        return "method" in m and any(w in m for w in UNSUPPORTED_WORDS)


class BatchFailed(ServiceError):
    """A whole post failed on every URL after the retries."""


class RateLimiter:
    """Token bucket: at most ``rate`` calls per second across threads (None: unlimited)."""

    def __init__(self, rate: float | None) -> None:
        self.rate = rate
        self._lock = threading.Lock()
        self._next = time.monotonic()

    def acquire(self, calls: int) -> None:
        if not self.rate:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + calls / self.rate
        if start > now:
            time.sleep(start - now)


@dataclass
class PoolStats:
    posts: int = 0
    calls: int = 0
    retries: int = 0
    failovers: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


class RpcPool:
    def __init__(
        self,
        urls: Sequence[str],
        *,
        timeout: float = 30.0,
        max_retries: int = 4,
        backoff: float = 0.25,
        rate_limit: float | None = None,
    ) -> None:
        if not urls:
            raise ServiceError("no RPC URL given", hint="pass --rpc URL (repeat it for failover)")
        self.urls = [check_rpc_url(u) for u in urls]
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.limiter = RateLimiter(rate_limit)
        self.stats = PoolStats()
        self._current = 0
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._local = threading.local()  # one keep-alive client per thread

    def _client(self) -> httpx.Client:
        c = getattr(self._local, "client", None)
        if c is None:
            c = httpx.Client(timeout=self.timeout, limits=httpx.Limits(max_keepalive_connections=4))
            self._local.client = c
        return c

    @property
    def url(self) -> str:
        return self.urls[self._current]

    def _fail_over(self, bad: int) -> None:
        with self._lock:
            if self._current == bad and len(self.urls) > 1:
                self._current = (bad + 1) % len(self.urls)
                with self.stats.lock:
                    self.stats.failovers += 1

    def _post_once(self, url: str, payload: list[dict[str, Any]]) -> list[Any]:
        try:
            r = self._client().post(url, json=payload)
        except httpx.TimeoutException:
            raise ServiceError(f"{url} timed out after {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            reason = (
                "connection refused"
                if isinstance(exc, httpx.ConnectError)
                else str(exc) or type(exc).__name__
            )
            raise ServiceError(f"{url}: {reason}") from None
        if r.status_code == 429:
            raise ServiceError(f"{url} is rate limiting (HTTP 429)")
        if r.status_code >= 400:
            raise ServiceError(f"{url} answered HTTP {r.status_code}")
        try:
            body = r.json()
        except ValueError:
            raise ServiceError(f"{url} answered something that is not JSON: {r.text[:60]!r}") from None
        if isinstance(body, dict):  # some nodes answer a batch with one error object
            err = body.get("error")
            msg = err.get("message") if isinstance(err, dict) else err
            raise ServiceError(f"{url} rejected the batch: {msg or body!r:.80}")
        if not isinstance(body, list):
            raise ServiceError(f"{url} answered a batch with {type(body).__name__}, not a list")
        return body

    def batch(self, calls: Sequence[tuple[str, list[Any]]]) -> list[Any]:
        """Results in call order: the JSON ``result`` or an ``RpcCallError``. Raises
        BatchFailed after ``max_retries`` failed posts (across URLs)."""
        if not calls:
            return []
        payload = [{"jsonrpc": "2.0", "id": next(self._ids), "method": m, "params": p} for m, p in calls]
        ids = [p["id"] for p in payload]
        last: Exception | None = None
        for attempt in range(self.max_retries + 1):
            idx = self._current
            url = self.urls[idx]
            self.limiter.acquire(len(calls))
            with self.stats.lock:
                self.stats.posts += 1
                self.stats.calls += len(calls)
                if attempt:
                    self.stats.retries += 1
            try:
                body = self._post_once(url, payload)
                by_id = {item.get("id"): item for item in body if isinstance(item, dict)}
                if not all(i in by_id for i in ids):
                    raise ServiceError(f"{url} answered {len(body)} of {len(ids)} calls in a batch")
                out: list[Any] = []
                for (method, _), i in zip(calls, ids, strict=True):
                    item = by_id[i]
                    if "error" in item and item["error"] is not None:
                        e = item["error"]
                        code = e.get("code") if isinstance(e, dict) else None
                        msg = e.get("message", str(e)) if isinstance(e, dict) else str(e)
                        out.append(RpcCallError(method, code if isinstance(code, int) else None, str(msg)))
                    else:
                        out.append(item.get("result"))
                return out
            except ServiceError as exc:
                last = exc
                if "HTTP 413" in exc.message:  # too big for this node: the caller must split
                    break
                self._fail_over(idx)
                if attempt < self.max_retries:
                    time.sleep(min(self.backoff * 2**attempt, 5.0))
        raise BatchFailed(f"JSON-RPC failed after {self.max_retries + 1} tries: {last}")

    def call(self, method: str, params: list[Any] | None = None) -> Any:
        (res,) = self.batch([(method, params or [])])
        if isinstance(res, RpcCallError):
            raise ServiceError(f"{method} failed on {self.url}: {res.message}")
        return res
