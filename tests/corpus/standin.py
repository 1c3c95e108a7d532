"""A local HTTP stand-in for the npm registry, Etherscan and Sourcify: routes map a path
(and optionally a query) to canned answers shaped as each service documents them."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Answer = tuple[int, bytes, str]  # status, body, content type
Handler = Callable[[dict[str, str]], Answer]


def json_answer(doc: Any, status: int = 200) -> Answer:
    return status, json.dumps(doc).encode(), "application/json"


@dataclass
class StandIn:
    routes: dict[str, Handler | Answer] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def start(self) -> StandIn:
        standin = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                standin.requests.append(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                route = standin.routes.get(parts.path)
                if route is None:
                    status, body, ctype = json_answer({"error": "Not found"}, 404)
                elif callable(route):
                    status, body, ctype = route(query)
                else:
                    status, body, ctype = route
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def make_tarball(members: Sequence[tuple[str, bytes | None, str]]) -> bytes:
    """members: (name, data, kind) with kind "file", "symlink:TARGET" or "hardlink:TARGET"."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, data, kind in members:
            info = tarfile.TarInfo(name)
            if kind.startswith("symlink:"):
                info.type = tarfile.SYMTYPE
                info.linkname = kind.split(":", 1)[1]
                tf.addfile(info)
            elif kind.startswith("hardlink:"):
                info.type = tarfile.LNKTYPE
                info.linkname = kind.split(":", 1)[1]
                tf.addfile(info)
            else:
                assert data is not None
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def publish(
    standin: StandIn,
    name: str,
    versions: dict[str, bytes],
    *,
    tags: dict[str, str] | None = None,
    bad_integrity: bool = False,
) -> None:
    """Registry routes for a package: its document and one tarball per version."""
    base = name.split("/")[-1]
    doc: dict[str, Any] = {
        "name": name,
        "dist-tags": tags or {"latest": sorted(versions)[-1]},
        "versions": {},
    }
    for version, tarball in versions.items():
        path = f"/{name}/-/{base}-{version}.tgz"
        standin.routes[path] = (200, tarball, "application/octet-stream")
        dist = {
            "tarball": standin.url + path,
            "integrity": integrity(b"tampered" if bad_integrity else tarball),
            "shasum": hashlib.sha1(tarball).hexdigest(),
        }
        doc["versions"][version] = {"name": name, "version": version, "dist": dist}
    standin.routes["/" + name.replace("/", "%2F")] = json_answer(doc)
    standin.routes["/" + name.replace("/", "%2f")] = json_answer(doc)
    standin.routes["/" + name] = json_answer(doc)


def sol(name: str, license: str | None = "MIT", body: str = "", pragma: str = "^0.8.20") -> bytes:
    spdx = f"// SPDX-License-Identifier: {license}\n" if license else ""
    return f"{spdx}pragma solidity {pragma};\n\ncontract {name} {{\n{body}}}\n".encode()
