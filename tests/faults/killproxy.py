"""An HTTP proxy in front of a real service that kills the service at a chosen request: the
client's request is cut off mid-flight exactly as if the node had died under it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx

from tests.standin_http import serve_http

Trigger = Callable[[str, bytes], bool]  # (path, body) -> kill now?


@contextmanager
def kill_proxy(
    upstream: str, *, trigger: Trigger, kill: Callable[[], None], forward_first: bool = False
) -> Iterator[str]:
    """Forward everything to ``upstream``; on the first request ``trigger`` matches, ``kill``
    the service (after forwarding the request when ``forward_first``: the node did the work
    but died before it answered) and drop the connection without a reply."""
    fired = threading.Event()
    client = httpx.Client(timeout=60)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _body(self) -> bytes:
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def _relay(self, method: str) -> None:
            body = self._body()
            if not fired.is_set() and trigger(self.path, body):
                fired.set()
                if forward_first:
                    client.request(method, upstream + self.path, content=body, headers=self._headers())
                kill()
                self.close_connection = True
                return  # no status line: the client sees the connection die
            r = client.request(method, upstream + self.path, content=body, headers=self._headers())
            self.send_response(r.status_code)
            for k, v in r.headers.items():
                if k.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(r.content)))
            self.end_headers()
            self.wfile.write(r.content)

        def _headers(self) -> dict[str, str]:
            return {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")}

        def do_POST(self) -> None:
            self._relay("POST")

        def do_GET(self) -> None:
            self._relay("GET")

    try:
        with serve_http(Handler) as url:
            yield url
    finally:
        client.close()
    assert fired.is_set(), "the fault was never injected: the trigger matched no request"
