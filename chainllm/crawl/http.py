"""HTTP for crawlers: one client factory, the offline guard, rate limits and retries.

Every remote call goes through :func:`get`, so offline mode, backoff and per-host rate limits
are enforced in one place. Loopback hosts stay reachable offline (local mirrors, test servers).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from chainllm import __version__, config
from chainllm.chain.transport import RateLimiter  # the one token bucket (JSON-RPC and HTTP)
from chainllm.errors import BadInputError, ServiceError

_T = TypeVar("_T")
USER_AGENT = f"chainllm/{__version__} (+corpus crawler)"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class Reply:
    """A fully read HTTP answer."""

    status_code: int
    content: bytes
    url: str

    def json(self) -> Any:
        import json

        return json.loads(self.content)


class Retryable(Exception):
    """An answer that says "try again later" (rate limit, 5xx)."""


def check_online(url: str, what: str) -> None:
    host = urlsplit(url).hostname or ""
    if config.offline() and host not in _LOOPBACK:
        raise ServiceError(
            f"{what}: offline mode forbids fetching {url}",
            hint="unset CHAINLLM_OFFLINE to crawl, or rerun: sources already crawled are reused",
        )


def client(timeout: float = 30.0) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=10.0),
        headers={"User-Agent": USER_AGENT},
        follow_redirects=True,
        trust_env=True,
    )


def retries() -> int:
    return int(os.environ.get("CHAINLLM_HTTP_RETRIES", "4"))


def backoff_base() -> float:
    return config.env_float("CHAINLLM_HTTP_BACKOFF", 0.5)


def with_retries(
    call: Callable[[], _T],
    *,
    what: str,
    limiter: RateLimiter | None = None,
    attempts: int | None = None,
) -> _T:
    """Run ``call`` with exponential backoff on transport errors and :class:`Retryable`."""
    attempts = retries() + 1 if attempts is None else attempts
    last: Exception | None = None
    for attempt in range(attempts):
        if limiter is not None:
            limiter.acquire(1)
        try:
            return call()
        except (httpx.TransportError, Retryable) as exc:
            last = exc
            if attempt + 1 < attempts:
                time.sleep(backoff_base() * 2**attempt)
    reason = str(last) or type(last).__name__
    raise ServiceError(
        f"{what}: {reason} (after {attempts} tries)",
        hint="check the network and rerun; finished sources are kept",
    )


def get(
    http: httpx.Client,
    url: str,
    *,
    what: str,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    limiter: RateLimiter | None = None,
    max_bytes: int | None = None,
    attempts: int | None = None,
) -> Reply:
    """GET with retries on 429/5xx/transport errors; other statuses are returned as is.

    With ``max_bytes`` the body is streamed and the request fails once it grows past it.
    """
    check_online(url, what)

    def once() -> Reply:
        with http.stream("GET", url, params=params, headers=headers) as resp:
            if resp.status_code == 429 or resp.status_code >= 500:
                raise Retryable(f"HTTP {resp.status_code} from {urlsplit(url).hostname}")
            chunks: list[bytes] = []
            size = 0
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise ServiceError(
                        f"{what}: {url} is larger than {max_bytes // (1024 * 1024)} MB",
                        hint="raise the size cap only for sources you trust",
                    )
                chunks.append(chunk)
            return Reply(resp.status_code, b"".join(chunks), str(resp.url))

    def guarded() -> Reply:
        try:
            return once()
        except (httpx.TransportError, Retryable):
            raise  # retried by with_retries
        except httpx.InvalidURL as exc:
            raise BadInputError(f"{what}: invalid URL {url!r} ({exc})") from None
        except httpx.HTTPError as exc:  # redirects loop, undecodable body...
            raise ServiceError(f"{what}: {type(exc).__name__}: {exc}") from None

    return with_retries(guarded, what=what, limiter=limiter, attempts=attempts)
