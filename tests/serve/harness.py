"""Start the real `chainllm serve` (a subprocess running the CLI) on a free loopback port,
and the loopback stand-ins it talks to: a JWKS issuer and a switchable RPC forwarder."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from chainllm.services.manager import free_port
from tests.standin_http import serve_http

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]
    log_path: Path

    def client(self, **headers: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)

    def log_lines(self) -> list[dict[str, Any]]:
        out = []
        for ln in self.log_path.read_text(errors="replace").splitlines():
            try:
                out.append(json.loads(ln))
            except ValueError:
                out.append({"raw": ln})
        return out

    def metric(self, name: str, **labels: str) -> float:
        """The value of one sample from /metrics (0 when absent)."""
        from prometheus_client.parser import text_string_to_metric_families

        text = httpx.get(self.url + "/metrics", timeout=10).text
        for fam in text_string_to_metric_families(text):
            for s in fam.samples:
                if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                    return float(s.value)
        return 0.0

    def stop(self, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        return self.proc.returncode


def start_server(args: list[str], log_path: Path, *, wait_s: float = 90) -> Server:
    port = free_port()
    cmd = [sys.executable, "-m", "chainllm", "serve", "--host", "127.0.0.1", "--port", str(port), *args]
    log = log_path.open("wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ))
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited {proc.returncode}: {log_path.read_text()[-3000:]}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return Server(url, proc, log_path)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"server did not come up in {wait_s} s: {log_path.read_text()[-3000:]}")


# ------------------------------------------------------------------ JWKS issuer stand-in
def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class Issuer:
    """An OAuth 2.0 issuer's JWKS endpoint on loopback, and a signer for its tokens."""

    url: str
    issuer: str
    audience: str
    key: rsa.RSAPrivateKey
    kid: str

    @property
    def jwks_url(self) -> str:
        return self.url + "/.well-known/jwks.json"

    def token(self, *, scope: str = "score audit generate", ttl: float = 300, key: rsa.RSAPrivateKey | None = None,
              **claims: Any) -> str:  # fmt: skip
        now = int(time.time())
        body = {"iss": self.issuer, "aud": self.audience, "sub": "client-1", "iat": now, "exp": now + int(ttl),
                "scope": scope, **claims}  # fmt: skip
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": self.kid})


@contextmanager
def jwks_issuer(audience: str = "chainllm-api") -> Iterator[Issuer]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = uuid.uuid4().hex[:8]
    pub = key.public_key().public_numbers()
    doc = json.dumps({"keys": [{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
                                "n": _b64(pub.n), "e": _b64(pub.e)}]}).encode()  # fmt: skip

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != "/.well-known/jwks.json":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(doc)))
            self.end_headers()
            self.wfile.write(doc)

        def log_message(self, *a: Any) -> None:
            pass

    with serve_http(Handler) as url:
        yield Issuer(url, url + "/", audience, key, kid)


# ------------------------------------------------------------------ RPC forwarder
@dataclass
class Switch:
    up: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def rpc_forwarder(target: str) -> Iterator[tuple[str, Switch]]:
    """A loopback POST forwarder in front of a real node (anvil's JSON-RPC, Kubo's RPC API);
    ``switch.up = False`` makes it a dead node
    (every connection is dropped without an answer) until it is set back."""
    sw = Switch()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if not sw.up:
                self.close_connection = True
                self.connection.close()
                return
            r = httpx.post(
                target.rstrip("/") + self.path,
                content=body,
                headers={"Content-Type": "application/json"},
                timeout=30,
            )
            self.send_response(r.status_code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(r.content)))
            self.end_headers()
            self.wfile.write(r.content)

        def log_message(self, *a: Any) -> None:
            pass

    with serve_http(Handler) as url:
        yield url, sw
