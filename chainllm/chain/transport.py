"""The one JSON-RPC transport: crawl, fraud scoring and the simulator all talk to nodes here.

``Transport`` posts single calls or batches over keep-alive HTTP (one client per thread),
retries a post that fails as a whole (HTTP error, timeout, garbage) with backoff on the next
URL (failover), shares one token-bucket rate limit across threads, and ``batch_split`` halves
a batch that a node refuses until it passes or one call alone fails. Per-call errors inside a
batch come back as ``RpcCallError`` values, so a caller can tell "method not supported" from
"this node is down"; ``call`` raises them as ``RpcError``.

The module functions are the one-off calls: ``probe_rpc`` (chain id, with a one-line reason
when a URL is no usable node), ``first_reachable`` (failover for signing paths that need
web3), ``rpc_healthy`` (service health checks) and ``rpc_call``. This module imports nothing
from ``chainllm.services`` (which imports it for health checks); the default-URL rule, which
asks the service manager, lives in ``chainllm.chain.connect.resolve_rpc``.
"""

from __future__ import annotations

import functools
import itertools
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import httpx

from chainllm.errors import BadInputError, ServiceError

UNSUPPORTED_CODES = {-32601, -32004}  # method not found / not supported
UNSUPPORTED_WORDS = ("not found", "not supported", "unsupported", "does not exist", "not available")
NODE_HINT = "start one with `chainllm services up anvil` or check --rpc"

Call = tuple[str, list[Any]]


def check_rpc_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        raise BadInputError(
            f"RPC URL {url!r} is not an http(s) URL", hint="pass e.g. --rpc http://127.0.0.1:8545"
        )
    return url


@dataclass(frozen=True)
class RpcCallError:
    """One call's JSON-RPC error object, as a value in a batch's results."""

    method: str
    code: int | None
    message: str

    @property
    def unsupported(self) -> bool:
        if self.code in UNSUPPORTED_CODES:
            return True
        m = self.message.lower()
        return "method" in m and any(w in m for w in UNSUPPORTED_WORDS)


class RpcError(ServiceError):
    """The node answered a JSON-RPC error object to a single call."""

    def __init__(self, method: str, url: str, error: RpcCallError) -> None:
        super().__init__(f"{method} on {url} failed: {error.message}")
        self.error = error


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
class TransportStats:
    posts: int = 0
    calls: int = 0
    retries: int = 0
    failovers: int = 0
    splits: int = 0
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


def _error_value(method: str, e: Any) -> RpcCallError:
    code = e.get("code") if isinstance(e, dict) else None
    msg = e.get("message", str(e)) if isinstance(e, dict) else str(e)
    return RpcCallError(method, code if isinstance(code, int) else None, str(msg))


class Transport:
    """Batched JSON-RPC over one or more URLs of the same chain.

    ``max_retries``: extra tries of a failed post (each on the next URL); default one try per
    URL beyond the first, so with several URLs every one gets a turn. ``rate_limit``: calls
    per second across threads.
    """

    def __init__(
        self,
        urls: Sequence[str],
        *,
        timeout: float = 30.0,
        max_retries: int | None = None,
        backoff: float = 0.25,
        rate_limit: float | None = None,
    ) -> None:
        if not urls:
            raise BadInputError("no RPC URL given", hint="pass --rpc URL (repeat it for failover)")
        self.urls = [check_rpc_url(u) for u in urls]
        self.timeout = timeout
        self.max_retries = max_retries if max_retries is not None else max(1, len(self.urls))
        self.backoff = backoff
        self.limiter = RateLimiter(rate_limit)
        self.stats = TransportStats()
        self._current = 0
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._local = threading.local()
        self._clients: list[httpx.Client] = []

    # ------------------------------------------------------------------ plumbing
    def _client(self) -> httpx.Client:
        c: httpx.Client | None = getattr(self._local, "client", None)
        if c is None:
            c = httpx.Client(timeout=self.timeout, limits=httpx.Limits(max_keepalive_connections=4))
            self._local.client = c
            with self._lock:
                self._clients.append(c)
        return c

    @property
    def url(self) -> str:
        return self.urls[self._current]

    def close(self) -> None:
        with self._lock:
            for c in self._clients:
                c.close()
            self._clients.clear()
        self._local = threading.local()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _fail_over(self, bad: int) -> None:
        with self._lock:
            if self._current == bad and len(self.urls) > 1:
                self._current = (bad + 1) % len(self.urls)
                with self.stats.lock:
                    self.stats.failovers += 1

    def _post_once(self, url: str, payload: Any) -> Any:
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
        if r.status_code >= 400 and not (isinstance(payload, dict) and _json_error(r)):
            raise ServiceError(f"{url} answered HTTP {r.status_code}")
        try:
            return r.json()
        except ValueError:
            raise ServiceError(f"{url} answered something that is not JSON: {r.text[:60]!r}") from None

    def _with_retries(self, n_calls: int, attempt_fn: Callable[[str], Any]) -> Any:
        last: ServiceError | None = None
        t0 = time.perf_counter()
        try:
            for attempt in range(self.max_retries + 1):
                idx = self._current
                url = self.urls[idx]
                self.limiter.acquire(n_calls)
                with self.stats.lock:
                    self.stats.posts += 1
                    self.stats.calls += n_calls
                    if attempt:
                        self.stats.retries += 1
                try:
                    return attempt_fn(url)
                except RpcError:
                    raise
                except ServiceError as exc:
                    last = exc
                    if "HTTP 413" in exc.message:  # too big for this node: the caller must split
                        break
                    self._fail_over(idx)
                    if attempt < self.max_retries:
                        time.sleep(min(self.backoff * 2**attempt, 5.0))
        finally:
            with self.stats.lock:
                self.stats.seconds += time.perf_counter() - t0
        raise BatchFailed(f"JSON-RPC failed after {self.max_retries + 1} tries: {last}")

    # ------------------------------------------------------------------ API
    def batch(self, calls: Sequence[Call]) -> list[Any]:
        """Results in call order: the JSON ``result`` or an ``RpcCallError``, from one post.
        Raises BatchFailed after ``max_retries`` failed posts (across URLs)."""
        if not calls:
            return []
        payload = [{"jsonrpc": "2.0", "id": next(self._ids), "method": m, "params": p} for m, p in calls]
        ids = [p["id"] for p in payload]

        def attempt(url: str) -> list[Any]:
            body = self._post_once(url, payload)
            if isinstance(body, dict):  # some nodes answer a batch with one error object
                err = body.get("error")
                msg = err.get("message") if isinstance(err, dict) else err
                raise ServiceError(f"{url} rejected the batch: {msg or body!r:.80}")
            if not isinstance(body, list):
                raise ServiceError(f"{url} answered a batch with {type(body).__name__}, not a list")
            by_id = {item.get("id"): item for item in body if isinstance(item, dict)}
            if not all(i in by_id for i in ids):
                raise ServiceError(f"{url} answered {len(body)} of {len(ids)} calls in a batch")
            out: list[Any] = []
            for (method, _), i in zip(calls, ids, strict=True):
                item = by_id[i]
                if item.get("error") is not None:
                    out.append(_error_value(method, item["error"]))
                else:
                    out.append(item.get("result"))
            return out

        result: list[Any] = self._with_retries(len(calls), attempt)
        return result

    def batch_split(self, calls: Sequence[Call], step: int = 200) -> list[Any]:
        """Many independent calls, ``step`` per post; a post that fails as a whole is split
        in half (and the smaller size kept) until it passes or one call alone fails."""
        out: list[Any] = []
        step = max(1, step)
        i = 0
        while i < len(calls):
            part = calls[i : i + step]
            try:
                out += self.batch(part)
            except BatchFailed:
                if len(part) == 1:
                    raise
                step = max(1, len(part) // 2)
                with self.stats.lock:
                    self.stats.splits += 1
                continue
            i += len(part)
        return out

    def call(self, method: str, *params: Any) -> Any:
        """One call (a plain JSON-RPC object, not a batch: every node takes those). Raises
        RpcError when the node answers an error object, BatchFailed when it cannot be reached."""
        payload = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": list(params)}

        def attempt(url: str) -> Any:
            body = self._post_once(url, payload)
            if not isinstance(body, dict):
                raise ServiceError(f"{method} on {url} returned a non-object reply")
            if body.get("error") is not None:
                raise RpcError(method, url, _error_value(method, body["error"]))
            return body.get("result")

        return self._with_retries(1, attempt)


def _json_error(r: httpx.Response) -> bool:
    """Some nodes answer a JSON-RPC error object with HTTP 4xx/5xx: still a node's answer."""
    try:
        body = r.json()
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("error"), dict)


@functools.lru_cache(maxsize=64)
def _one_off(url: str, timeout: float) -> Transport:
    """A shared no-retry transport per URL for one-off calls: building an HTTP client loads
    the CA bundle (~0.1 s), too slow to repeat per call."""
    return Transport([url], timeout=timeout, max_retries=0)


def rpc_call(url: str, method: str, params: list[Any] | None = None, *, timeout: float = 30) -> Any:
    """One raw JSON-RPC call (anvil/evm cheat methods, test set-up). ServiceError on failure."""
    try:
        return _one_off(check_rpc_url(url), timeout).call(method, *(params or []))
    except BatchFailed as exc:
        raise ServiceError(f"{method} on {url} failed: {exc.message.split(': ', 1)[-1]}") from None


def probe_rpc(url: str, *, timeout: float = 10) -> int:
    """The node's chain id; ServiceError with a short reason when ``url`` is no usable node."""
    check_rpc_url(url)
    t = _one_off(url, timeout)
    try:
        r = t._client().post(
            url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}, timeout=timeout
        )
    except httpx.ConnectError:
        raise ServiceError(
            f"cannot reach a JSON-RPC node at {url}: connection refused", hint=NODE_HINT
        ) from None
    except httpx.TimeoutException:
        raise ServiceError(
            f"JSON-RPC node at {url} did not answer within {timeout:g} s", hint=NODE_HINT
        ) from None
    except httpx.HTTPError as exc:
        raise ServiceError(f"cannot reach a JSON-RPC node at {url}: {exc}", hint=NODE_HINT) from None
    body: object = None
    try:
        body = r.json()
        chain_id = int(body["result"], 16)  # type: ignore[index]
    except (ValueError, KeyError, TypeError):
        detail = body.get("error") if isinstance(body, dict) else None
        raise ServiceError(
            f"{url} is not a usable JSON-RPC node (HTTP {r.status_code}"
            + (f", error {detail}" if detail else ", no eth_chainId result")
            + ")",
            hint=NODE_HINT,
        ) from None
    return chain_id


def rpc_healthy(url: str, timeout: float = 1.0) -> bool:
    """True when ``url`` answers ``eth_chainId`` with a JSON-RPC result (service health checks)."""
    try:
        probe_rpc(url, timeout=timeout)
    except ServiceError:
        return False
    return True


def first_reachable(
    urls: Sequence[str],
    *,
    timeout: float = 10,
    on_skip: Callable[[str, ServiceError], None] | None = None,
) -> tuple[str, int]:
    """The first of ``urls`` (in order) that answers ``eth_chainId``, and its chain id.

    Each URL that does not answer is passed to ``on_skip`` before the next is tried (failover
    for ``--rpc A --rpc B``). When none answers: one URL re-raises its own error; several raise
    one ServiceError that names each with its reason. A URL that is not http(s) is bad input,
    not a reason to fail over.
    """
    if not urls:
        raise BadInputError("no RPC URL given", hint="pass --rpc URL (repeat it for failover)")
    errors: list[ServiceError] = []
    for url in urls:
        try:
            return url, probe_rpc(url, timeout=timeout)
        except ServiceError as exc:
            errors.append(exc)
            if on_skip is not None:
                on_skip(url, exc)
    if len(errors) == 1:
        raise errors[0]
    raise ServiceError(
        f"none of the {len(urls)} RPC URLs answers: " + "; ".join(e.message for e in errors),
        hint="start a node with `chainllm services up anvil` or check the --rpc URLs",
    )
