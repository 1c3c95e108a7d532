"""A server with tight limits (one request in flight, no job queue, short deadlines) and
--no-auth on loopback: 504, 413, 503 busy / queue full, slow clients, the no-auth warning."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from chainllm.errors import BadInputError
from chainllm.serve.settings import ServeConfig
from tests.serve.harness import Server, start_server

# Unique per run: the audit cache lives in the user's cache dir and outlives a test session, and a
# cached answer would come back well inside the 1 s deadline this file needs to overrun.
SLOW = f"""// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
// run {uuid.uuid4().hex}
contract Slow {{ uint256 public x; function set(uint256 v) external {{ x = v; }} }}
"""


@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    d = tmp_path_factory.mktemp("serve-tight")
    server = start_server(
        ["--no-auth", "--timeout", "0.2", "--max-inflight", "1", "--max-jobs", "1", "--queue", "0",
         "--max-body", "4000", "--header-timeout", "2", "--max-source", "3000", "--keys-file", str(d / "k.json")],
        d / "server.log",
    )  # fmt: skip
    try:
        yield server
    finally:
        server.stop()


def test_no_auth_is_loopback_only_and_loud(tight: Server) -> None:
    warn = [ln for ln in tight.log_lines() if ln.get("level") == "warning"]
    assert any("AUTHENTICATION IS OFF" in ln["msg"] for ln in warn)
    assert tight.client().get("/v1/models").status_code == 200  # no credentials needed
    with pytest.raises(BadInputError, match="loopback only"):
        ServeConfig(host="0.0.0.0", no_auth=True)


def test_queue_full_is_503_and_no_job_is_lost(tight: Server) -> None:
    c = tight.client()
    first = c.post("/v1/generate", json={"prompt": "ERC20 named Busy, symbol BSY", "k": 1, "rounds": 0})
    assert first.status_code == 202
    second = c.post("/v1/generate", json={"prompt": "ERC20 named Late, symbol LTE", "k": 1, "rounds": 0})
    assert second.status_code == 503 and second.headers["Retry-After"] == "5"
    assert tight.metric("chainllm_overload_rejections_total", route="/v1/generate", reason="queue_full") == 1
    assert tight.metric("chainllm_jobs", state="running") + tight.metric("chainllm_jobs", state="queued") == 1
    deadline = time.monotonic() + 180
    while (j := c.get(first.json()["href"]).json())["status"] not in {"done", "failed"}:
        assert time.monotonic() < deadline
        time.sleep(0.3)
    assert j["status"] == "done" and j["result"]["status"] == "ok"
    assert [x["id"] for x in c.get("/v1/jobs").json()["jobs"]] == [first.json()["id"]]


def test_timeout_504_then_busy_503(tight: Server) -> None:
    """A 0.2 s deadline, which no uncached audit meets: the audit answers 504; its slot stays
    taken until the work really ends, so a second request meanwhile is an honest 503, not a queue."""
    out: dict[str, Any] = {}
    t = threading.Thread(
        target=lambda: out.setdefault("r", tight.client().post("/v1/audit", json={"source": SLOW}))
    )
    t0 = time.monotonic()
    t.start()
    time.sleep(0.15)  # the first request holds the slot; its audit takes ~1 s (warm, 2-core machine)
    busy = tight.client().post("/v1/audit", json={"source": SLOW})
    t.join(30)
    assert out["r"].status_code == 504 and "longer than 0.2 s" in out["r"].json()["error"]
    assert time.monotonic() - t0 < 5
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
    assert tight.metric("chainllm_request_timeouts_total", route="/v1/audit") == 1
    assert tight.metric("chainllm_overload_rejections_total", route="/v1/audit", reason="busy") == 1


def test_body_limit(tight: Server) -> None:
    c = tight.client()
    r = c.post("/v1/score", content=b'{"hashes": [' + b'"0x00",' * 800 + b'"0x00"]}',
               headers={"Content-Type": "application/json"})  # fmt: skip
    assert r.status_code == 413 and "4000 bytes" in r.json()["error"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"source": "'
        for _ in range(10):
            yield b"x" * 1000
        yield b'"}'

    r = c.post("/v1/audit", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    r = c.post("/v1/audit", json={"source": "/" * 3100})  # under the body limit, over --max-source
    assert r.status_code == 413 and "limit of 3000" in r.json()["error"]
    assert c.get("/healthz").status_code == 200


def _connect(server: Server) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def test_slow_client_is_cut_off(tight: Server) -> None:
    """Slowloris: headers trickled a byte at a time never finish; the server closes the
    connection after --header-timeout, and serves everyone else meanwhile."""
    socks = [_connect(tight) for _ in range(5)]
    for s in socks:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    t0 = time.monotonic()
    closed_at: list[float] = []
    for s in socks:
        try:
            while True:
                s.sendall(b"X")
                assert httpx.get(tight.url + "/healthz", timeout=2).status_code == 200
                time.sleep(0.2)
        except (BrokenPipeError, ConnectionResetError):
            closed_at.append(time.monotonic() - t0)
        except OSError:
            closed_at.append(time.monotonic() - t0)
        s.close()
        if time.monotonic() - t0 > 12:
            break
    assert len(closed_at) == 5 and max(closed_at) < 8
    # an idle keep-alive connection that never sends a request is closed too
    idle = _connect(tight)
    time.sleep(2.6)
    assert idle.recv(1) == b""
    idle.close()
    huge = _connect(tight)
    huge.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 20_000 + b"\r\n\r\n")
    assert huge.recv(100).startswith(b"HTTP/1.1 431")
    huge.close()
