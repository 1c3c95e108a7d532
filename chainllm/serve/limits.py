"""Per-principal token buckets (429 + Retry-After) and a counter of synchronous work in flight
(503 when full: an honest "busy", never a queue that grows until clients time out)."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    def __init__(self, rate: float, burst: int, *, max_principals: int = 100_000) -> None:
        self.rate = rate
        self.burst = burst
        self.max_principals = max_principals
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, who: str, now: float | None = None) -> float:
        """0 when allowed, else the seconds until a token is back (for Retry-After)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            b = self._buckets.get(who)
            if b is None:
                if len(self._buckets) >= self.max_principals:  # forget full (idle) buckets first
                    full = [
                        k
                        for k, v in self._buckets.items()
                        if v.tokens + (now - v.stamp) * self.rate >= self.burst
                    ]
                    for k in full or list(self._buckets)[: len(self._buckets) // 2]:
                        del self._buckets[k]
                b = self._buckets[who] = _Bucket(float(self.burst), now)
            b.tokens = min(float(self.burst), b.tokens + (now - b.stamp) * self.rate)
            b.stamp = now
            if b.tokens >= 1.0:
                b.tokens -= 1.0
                return 0.0
            return (1.0 - b.tokens) / self.rate


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))


class Slots:
    """At most ``size`` holders; ``try_acquire`` never waits."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.used = 0
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        with self._lock:
            if self.used >= self.size:
                return False
            self.used += 1
            return True

    def release(self) -> None:
        with self._lock:
            self.used -= 1
