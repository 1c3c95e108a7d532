"""Run the app on uvicorn: a header deadline against slow clients, a connection cap (uvicorn
answers 503 beyond it), keep-alive and graceful-shutdown timeouts, JSON logs."""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from chainllm.serve import logs, require_extra
from chainllm.serve.app import MAX_HEADER_BYTES
from chainllm.serve.settings import ServeConfig


class GuardedH11(H11Protocol):
    """uvicorn has no deadline for a request's headers (only for idle keep-alive), so a
    slowloris client trickling header bytes would hold its connection forever. Close any
    connection whose request has not been parsed ``header_timeout`` after its first byte (or,
    for a new connection, after it opened)."""

    header_timeout = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._deadline_gen = 0
        self._waiting_since: float | None = None
        super().connection_made(transport)
        self._arm()

    def _arm(self) -> None:
        self._deadline_gen += 1
        gen, armed_for = self._deadline_gen, self.cycle
        self._waiting_since = self.loop.time()

        def expire() -> None:
            # Still the same wait (no request parsed since): cut the connection off.
            if gen == self._deadline_gen and self.cycle is armed_for and not self.transport.is_closing():
                self.transport.close()

        self.loop.call_later(self.header_timeout, expire)

    def data_received(self, data: bytes) -> None:
        idle = self.cycle is None or self.cycle.response_complete
        if idle and self._waiting_since is None:  # first byte of the next request
            self._arm()
        before = self.cycle
        super().data_received(data)
        if self.cycle is not before:  # a request's headers were parsed: the wait is over
            self._deadline_gen += 1
            self._waiting_since = None


def uvicorn_config(cfg: ServeConfig, app: Any) -> uvicorn.Config:
    lim = cfg.limits
    proto = type("GuardedH11Configured", (GuardedH11,), {"header_timeout": lim.header_timeout_s})
    return uvicorn.Config(
        app, host=cfg.host, port=cfg.port, http=proto, log_config=None, access_log=False, server_header=False,
        timeout_keep_alive=int(max(1, lim.keep_alive_s)), timeout_graceful_shutdown=int(lim.request_timeout_s) + 5,
        limit_concurrency=lim.max_connections, h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        proxy_headers=False, lifespan="on", log_level=cfg.log_level,
    )  # fmt: skip


def run(cfg: ServeConfig, *, llm: bool = True) -> None:
    """Serve until SIGINT/SIGTERM; in-flight requests finish first."""
    require_extra()
    logs.setup(cfg.log_level)
    from chainllm.serve.app import create_app

    server = uvicorn.Server(uvicorn_config(cfg, create_app(cfg, llm=llm)))
    server.run()
