"""Remote pinning through the IPFS Pinning Service API, against a local stand-in that serves
the spec's documented shapes (PinStatus / PinResults, bearer auth, error objects)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from chainllm.errors import BadInputError, ServiceError
from chainllm.provenance.pinning import PinningService
from chainllm.provenance.publish import publish
from tests.standin_http import serve_http

from .conftest import Env, run_cli

TOKEN = "secret-token-123"


class _Service(BaseHTTPRequestHandler):
    pins: dict[str, dict[str, Any]]
    posts: list[dict[str, Any]]

    def _send(self, code: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorized(self) -> bool:
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._send(401, {"error": {"reason": "UNAUTHORIZED", "details": "bad token"}})
            return False
        return True

    def do_GET(self) -> None:
        if not self._authorized():
            return
        url = urlsplit(self.path)
        if url.path == "/pins":
            cids = parse_qs(url.query).get("cid", [""])[0].split(",")
            hits = [p for p in self.pins.values() if p["pin"]["cid"] in cids]
            self._send(200, {"count": len(hits), "results": hits})
        elif url.path.startswith("/pins/") and url.path[6:] in self.pins:
            pin = self.pins[url.path[6:]]
            pin["status"] = "pinned"  # the stand-in "finishes" on the first poll
            self._send(200, pin)
        else:
            self._send(404, {"error": {"reason": "NOT_FOUND"}})

    def do_POST(self) -> None:
        if not self._authorized():
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if "cid" not in body:
            self._send(400, {"error": {"reason": "BAD_REQUEST", "details": "cid required"}})
            return
        self.posts.append(body)
        rid = uuid.uuid4().hex
        self.pins[rid] = {"requestid": rid, "status": "queued", "created": "2026-11-27T00:00:00Z",
                          "pin": body, "delegates": ["/ip4/203.0.113.1/tcp/4001/p2p/QmService"]}  # fmt: skip
        self._send(202, self.pins[rid])

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def service() -> Iterator[tuple[str, type[_Service]]]:
    handler = type("Svc", (_Service,), {"pins": {}, "posts": []})
    with serve_http(handler) as url:
        yield url, handler


def test_publish_requests_a_remote_pin_once(
    prov: Env, adapter: Path, service: tuple[str, type[_Service]], unique: Callable[[str], str]
) -> None:
    url, state = service
    pinning = PinningService(url, TOKEN)
    name = unique("pin")
    res = publish(
        adapter, ipfs=prov.ipfs, registry=prov.registry, signer=prov.alice, name=name, pinning=pinning
    )
    assert res.remote_pin is not None and res.remote_pin["status"] == "queued"
    assert state.posts == [{"cid": res.cid, "name": f"{name}@1"}]
    assert pinning.wait(res.remote_pin["requestid"], poll=0.01).status == "pinned"
    again = publish(
        adapter, ipfs=prov.ipfs, registry=prov.registry, signer=prov.alice, name=name, pinning=pinning
    )
    assert again.remote_pin is not None and again.remote_pin["requestid"] == res.remote_pin["requestid"]
    assert len(state.posts) == 1  # the existing request is reused


def test_pinning_errors_are_one_line(
    service: tuple[str, type[_Service]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = service
    with pytest.raises(ServiceError, match="refused the token") as info:
        PinningService(url, "wrong").pin("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku")
    assert "wrong" not in str(info.value)
    monkeypatch.delenv("CHAINLLM_PINNING_TOKEN", raising=False)
    with pytest.raises(BadInputError, match="CHAINLLM_PINNING_TOKEN"):
        PinningService(url)
    with pytest.raises(ServiceError, match="cannot reach pinning service"):
        PinningService("http://127.0.0.1:9", TOKEN).pin("bafy")


def test_cli_publish_with_pin_service(
    prov: Env, adapter: Path, service: tuple[str, type[_Service]], unique: Callable[[str], str]
) -> None:
    url, state = service
    node = ["--rpc", prov.rpc, "--ipfs", prov.ipfs_url]
    code, stdout, stderr = run_cli(
        ["publish", str(adapter), "--name", unique("pincli"), *node, "--pin-service", url, "--json"],
        env={"CHAINLLM_PINNING_TOKEN": TOKEN},
    )
    assert code == 0, stderr
    out = json.loads(stdout)
    assert out["remote_pin"]["service"] == url and state.posts[0]["cid"] == out["cid"]
    assert TOKEN not in stdout + stderr
