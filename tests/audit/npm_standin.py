"""A loopback npm registry serving one real solcjs package (0.4.26, from the checkout's
node_modules, its few runtime dependencies bundled), or one that drops the tarball halfway."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from chainllm.config import REPO_ROOT
from tests.standin_http import serve_http

VERSION = "0.4.26"
_SRC = REPO_ROOT / "node_modules" / f"solc-{VERSION}"
_BUNDLED = ("memorystream", "require-from-string", "semver")


def _tarball() -> bytes:
    meta = json.loads((_SRC / "package.json").read_text())
    meta = {
        "name": "solc",
        "version": VERSION,
        "main": "index.js",
        "license": meta.get("license", "MIT"),
        "dependencies": {},
        "bundleDependencies": list(_BUNDLED),
    }
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=1) as tar:

        def add_bytes(name: str, data: bytes) -> None:
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))

        add_bytes("package/package.json", json.dumps(meta).encode())
        for f in ("index.js", "wrapper.js", "translate.js", "linker.js", "abi.js", "soljson.js"):
            tar.add(_SRC / f, arcname=f"package/{f}")
        for dep in _BUNDLED:
            local = _SRC / "node_modules" / dep
            tar.add(
                local if local.is_dir() else REPO_ROOT / "node_modules" / dep,
                arcname=f"package/node_modules/{dep}",
            )
    return buf.getvalue()


_CACHE: dict[str, bytes] = {}


@dataclass
class Registry:
    url: str = ""
    tarball_gets: int = 0
    requests: list[str] = field(default_factory=list)


@contextmanager
def npm_registry(*, drop_halfway: bool = False) -> Iterator[Registry]:
    body = _CACHE.get("tgz") or _CACHE.setdefault("tgz", _tarball())
    state = Registry()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            with lock:
                state.requests.append(self.path)
            if self.path.split("?")[0] in {"/solc", "/solc/"}:
                doc = {
                    "name": "solc",
                    "dist-tags": {"latest": VERSION},
                    "versions": {
                        VERSION: {
                            "name": "solc",
                            "version": VERSION,
                            "dependencies": {},
                            "bundleDependencies": list(_BUNDLED),
                            "dist": {
                                "tarball": f"{state.url}/solc/-/solc-{VERSION}.tgz",
                                "shasum": hashlib.sha1(body).hexdigest(),
                                "integrity": "sha512-"
                                + base64.b64encode(hashlib.sha512(body).digest()).decode(),
                            },
                        }
                    },
                }
                data = json.dumps(doc).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            elif self.path.endswith(".tgz"):
                with lock:
                    state.tarball_gets += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if drop_halfway:
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.close()
                    return
                self.wfile.write(body)
            else:
                self.send_error(404)

        def log_message(self, *args: object) -> None:
            pass

    with serve_http(Handler) as url:
        state.url = url
        yield state


def npm_env(registry: Registry, tmp: Path) -> dict[str, str]:
    """Point npm at the stand-in, with a private cache and no retries (a failure is final)."""
    return {
        "npm_config_registry": registry.url + "/",
        "npm_config_cache": str(tmp / "npm-cache"),
        "npm_config_fetch_retries": "0",
        "npm_config_audit": "false",
        "npm_config_update_notifier": "false",
    }
