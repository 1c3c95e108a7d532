"""Compiler discovery, native preference, verified native installs and the solcjs shim."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from chainllm.cli import cli
from chainllm.errors import VerificationError
from chainllm.toolchain import compilers
from chainllm.toolchain.install import install_native


def _wrapper(version: str) -> Path:
    return next(c.path for c in compilers.discover() if c.version_str == version and c.origin == "solcjs")


def test_solcjs_versions_from_04_to_08_are_found() -> None:
    doc = json.loads(CliRunner().invoke(cli, ["toolchain", "--json"]).stdout)
    solcs = {t["version"] for t in doc["tools"] if t["tool"] == "solc"}
    assert {"0.4.24", "0.4.26", "0.5.17", "0.6.12", "0.7.6", "0.8.28"} <= solcs


def test_native_solc_on_path_is_preferred(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A stand-in native binary: any executable that answers like solc does.
    bindir = tmp_path / "bin"
    bindir.mkdir()
    native = bindir / "solc"
    native.write_text(f'#!/bin/sh\nexec "{_wrapper("0.8.24")}" "$@"\n')
    native.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    chosen = compilers.select(["=0.8.24"], where="x.sol")
    assert chosen.origin == "native" and chosen.path == native
    assert compilers.select(["^0.8.25"], where="x.sol").origin == "solcjs"


def test_solc_select_python_wrapper_is_not_mistaken_for_native(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "solc"
    fake.write_text("#!/usr/bin/env python3\nimport time; time.sleep(60)\n")  # would hang offline
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    assert all(c.origin != "native" for c in compilers.discover())


class _Binaries:
    """A local stand-in for binaries.soliditylang.org: list.json plus one build."""

    def __init__(self, body: bytes, listed_sha: str) -> None:
        self.body, self.listed_sha = body, listed_sha
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/linux-amd64/list.json":
                    data = json.dumps(
                        {
                            "builds": [
                                {
                                    "path": "solc-linux-amd64-v0.8.99",
                                    "version": "0.8.99",
                                    "sha256": "0x" + outer.listed_sha,
                                }
                            ]
                        }
                    ).encode()
                elif self.path == "/linux-amd64/solc-linux-amd64-v0.8.99":
                    data = outer.body
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture()
def online(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.delenv("CHAINLLM_OFFLINE", raising=False)
    monkeypatch.setenv("SOLCX_BINARY_PATH", str(tmp_path / "solcx"))
    yield tmp_path / "solcx"


def test_native_install_verifies_sha256(online: Path) -> None:
    real = _wrapper("0.8.28")
    body = f'#!/bin/sh\nif [ "$1" = "--version" ]; then echo "Version: 0.8.99+commit.00000000.Linux.g++"; exit 0; fi\nexec "{real}" "$@"\n'.encode()
    good = _Binaries(body, hashlib.sha256(body).hexdigest())
    path = install_native("0.8.99", base_url=good.url)
    assert path == online / "solc-v0.8.99" and os.access(path, os.X_OK)
    assert any(c.version_str == "0.8.99" and c.origin == "py-solc-x" for c in compilers.discover())
    good.server.shutdown()


def test_native_install_refuses_tampered_download(online: Path) -> None:
    body = b"#!/bin/sh\necho tampered\n"
    bad = _Binaries(body, hashlib.sha256(b"something else").hexdigest())
    with pytest.raises(VerificationError, match="nothing installed"):
        install_native("0.8.99", base_url=bad.url)
    assert not list(online.glob("*")) if online.exists() else True
    bad.server.shutdown()


def test_shim_confines_reads_to_allowed_roots(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    outside = tmp_path / "secret.sol"
    outside.write_text("SECRET-BYTES")
    (project / "link.sol").symlink_to(outside)
    for imp in ("/etc/passwd", "./link.sol"):
        src = project / "A.sol"
        src.write_text(f'pragma solidity ^0.8.0;\nimport "{imp}";\ncontract A {{}}\n')
        proc = subprocess.run(
            [str(_wrapper("0.8.28")), "--combined-json", "abi", str(src)],
            capture_output=True,
            text=True,
            cwd=project,
            timeout=120,
        )
        assert proc.returncode != 0
        assert "outside of allowed directories" in proc.stderr or "not found" in proc.stderr.lower()
        assert "root:" not in proc.stderr + proc.stdout and "SECRET-BYTES" not in proc.stderr + proc.stdout


def test_shim_standard_json_round_trip() -> None:
    solc_in = {
        "language": "Solidity",
        "sources": {
            "A.sol": {
                "content": "pragma solidity ^0.4.24; contract A { function f() public pure returns (uint) { return 1; } }"
            }
        },
        "settings": {"outputSelection": {"*": {"*": ["abi"]}}},
    }
    proc = subprocess.run(
        [str(_wrapper("0.4.26")), "--standard-json"],
        input=json.dumps(solc_in),
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = json.loads(proc.stdout)
    assert out["contracts"]["A.sol"]["A"]["abi"][0]["name"] == "f"
