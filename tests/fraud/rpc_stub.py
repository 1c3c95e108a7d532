"""Local HTTP stand-ins for unhealthy nodes: a proxy to a real node that lacks
debug_traceTransaction, and a node that answers too slowly."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx

from tests.standin_http import serve_http


@contextmanager
def serve(handle: Any) -> Iterator[str]:
    """Run ``handle(payload) -> reply`` behind a JSON-RPC HTTP endpoint on a free port."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            try:
                data = json.dumps(handle(body)).encode()
            except Exception:
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the client gave up (timeout test)
                self.wfile.write(data)

    with serve_http(Handler) as url:
        yield url


@contextmanager
def no_trace_proxy(upstream: str) -> Iterator[str]:
    client = httpx.Client(timeout=30)

    def handle(payload: Any) -> Any:
        calls = payload if isinstance(payload, list) else [payload]
        out = []
        forward = [c for c in calls if c["method"] != "debug_traceTransaction"]
        answers = {a["id"]: a for a in client.post(upstream, json=forward).json()} if forward else {}
        for c in calls:
            if c["method"] == "debug_traceTransaction":
                out.append(
                    {
                        "jsonrpc": "2.0",
                        "id": c["id"],
                        "error": {"code": -32601, "message": "Method not found"},
                    }
                )
            else:
                out.append(answers[c["id"]])
        return out if isinstance(payload, list) else out[0]

    try:
        with serve(handle) as url:
            yield url
    finally:
        client.close()


@contextmanager
def slow_node(delay: float) -> Iterator[str]:
    def handle(payload: Any) -> Any:
        time.sleep(delay)
        calls = payload if isinstance(payload, list) else [payload]
        out = [{"jsonrpc": "2.0", "id": c["id"], "result": None} for c in calls]
        return out if isinstance(payload, list) else out[0]

    with serve(handle) as url:
        yield url


@contextmanager
def byte_flipping_ipfs(upstream: str, file_name: str) -> Iterator[str]:
    """An IPFS API in front of a real node that serves ``file_name`` with one byte flipped
    (a node that lies about content); everything else is passed through."""
    client = httpx.Client(timeout=30)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            r = client.post(f"{upstream}{self.path}", content=body)
            data = r.content
            if "/cat" in self.path and file_name in self.path and data:
                data = bytes([data[0] ^ 0x01]) + data[1:]
            self.send_response(r.status_code)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    try:
        with serve_http(Handler) as url:
            yield url
    finally:
        client.close()
