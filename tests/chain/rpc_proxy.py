"""A JSON-RPC proxy in front of a real node that misbehaves on purpose: drops methods,
fails posts, answers garbage, limits batch sizes. Used to test the crawler's error paths."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx

from tests.standin_http import serve_http


@dataclass
class Behaviour:
    unsupported: set[str] = field(default_factory=set)  # answer -32601 for these methods
    failing: set[str] = field(default_factory=set)  # answer -32000 "internal error" for these
    fail_posts: int = 0  # the first N posts get HTTP 500
    fail_batch_posts: int = 0  # the first N batch posts get HTTP 500 (single calls pass)
    fail_batches_only: bool = False  # single calls pass (probe works), batches fail with 500
    max_batch: int | None = None  # bigger batches get HTTP 413
    garbage: bool = False  # answer HTML
    posts: int = 0
    batch_posts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def rpc_proxy(upstream: str, behaviour: Behaviour) -> Iterator[str]:
    client = httpx.Client(timeout=30)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, code: int, body: bytes, ctype: str = "application/json") -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            b = behaviour
            with b.lock:
                b.posts += 1
                n = b.posts
            if b.garbage:
                return self._send(200, b"<html>502 Bad Gateway</html>", "text/html")
            payload = json.loads(raw)
            is_batch = isinstance(payload, list)
            if is_batch:
                with b.lock:
                    b.batch_posts += 1
                    nb = b.batch_posts
            if n <= b.fail_posts or (is_batch and (b.fail_batches_only or nb <= b.fail_batch_posts)):
                return self._send(500, b"internal error")
            if is_batch and b.max_batch is not None and len(payload) > b.max_batch:
                return self._send(413, b"batch too large")
            items = payload if is_batch else [payload]
            passthrough = [i for i in items if i["method"] not in b.unsupported | b.failing]
            answers = {}
            if passthrough:
                up = client.post(upstream, json=passthrough).json()
                answers = {a["id"]: a for a in (up if isinstance(up, list) else [up])}
            out = [
                answers.get(i["id"])
                or {
                    "jsonrpc": "2.0",
                    "id": i["id"],
                    "error": {"code": -32000, "message": "internal error: header not found"}
                    if i["method"] in b.failing
                    else {"code": -32601, "message": "Method not found"},
                }
                for i in items
            ]
            return self._send(200, json.dumps(out if is_batch else out[0]).encode())

    try:
        with serve_http(Handler) as url:
            yield url
    finally:
        client.close()
