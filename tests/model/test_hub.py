"""Hub downloads against a local stand-in serving the hub's documented response shapes."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from chainllm.errors import VerificationError
from chainllm.model.bases import resolve_base
from chainllm.model.tiny import ensure_tiny

SHA = "0123456789abcdef0123456789abcdef01234567"


class FakeHub:
    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.requests: list[str] = []
        self.tamper: str | None = None

    def siblings(self) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for name, data in sorted(self.files.items()):
            blob = hashlib.sha1(f"blob {len(data)}\0".encode() + data).hexdigest()
            sib: dict[str, object] = {"rfilename": name, "size": len(data), "blobId": blob}
            if name.endswith((".safetensors", ".bin")):  # LFS files carry their sha256
                sib["lfs"] = {
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                    "pointerSize": 134,
                }
            out.append(sib)
        return out


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeHub]:
    model = ensure_tiny(["contract C { function f() public {} }\n"] * 20)
    files = {p.name: p.read_bytes() for p in model.iterdir() if p.name != "chainllm_base.json"}
    files["pytorch_model.bin"] = b"pickle that must never be fetched"
    fake = FakeHub(files)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.requests.append(self.path)
            if self.path.startswith("/api/models/org/tiny-llama/revision/main"):
                body = json.dumps({"id": "org/tiny-llama", "sha": SHA, "siblings": fake.siblings(),
                                   "cardData": {"license": "mit"}}).encode()  # fmt: skip
            elif self.path.startswith(f"/org/tiny-llama/resolve/{SHA}/"):
                name = self.path.rsplit("/", 1)[1]
                body = fake.files[name] + (b"!" if name == fake.tamper else b"")
            else:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("CHAINLLM_HF_ENDPOINT", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("CHAINLLM_OFFLINE", "0")
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setenv("CHAINLLM_CACHE_DIR", str(tmp_path / "cache"))
    yield fake
    server.shutdown()


def test_hub_download_verified_safetensors_only_and_cached(hub: FakeHub) -> None:
    from chainllm.model import load_causal_lm

    folder = resolve_base("org/tiny-llama")
    assert folder.name == SHA and (folder / "model.safetensors").is_file()
    assert not (folder / "pytorch_model.bin").exists()
    assert not any(r.endswith("pytorch_model.bin") for r in hub.requests)
    assert json.loads((folder / "chainllm_base.json").read_text())["license"] == "mit"
    fetched = len(hub.requests)
    assert resolve_base("org/tiny-llama") == folder and len(hub.requests) == fetched + 1  # listing only
    model, _ = load_causal_lm("org/tiny-llama")
    assert model.config.num_hidden_layers == 2


def test_tampered_download_is_refused_and_nothing_cached(hub: FakeHub) -> None:
    hub.tamper = "model.safetensors"
    with pytest.raises(VerificationError, match="does not match the hub's sha256"):
        resolve_base("org/tiny-llama")
    assert not list((Path(os.environ["CHAINLLM_CACHE_DIR"]) / "hub").rglob("model.safetensors"))
