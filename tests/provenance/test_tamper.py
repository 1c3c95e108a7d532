"""Every tamper case is caught, with a message that says what is wrong."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest

from chainllm.errors import VerificationError
from chainllm.provenance.ipfs import IpfsClient
from chainllm.provenance.manifest import MANIFEST_NAME, canonical_json
from chainllm.provenance.publish import PublishResult, publish
from chainllm.provenance.verify import VerifyResult, pull, verify

from .conftest import Env, dir_block, put_block, run_cli


@pytest.fixture
def published(
    prov: Env, adapter: Path, tmp_path: Path, unique: Callable[[str], str]
) -> tuple[PublishResult, Path]:
    """A published adapter and a pulled copy of it (manifest included) to tamper with."""
    res = publish(
        adapter, ipfs=prov.ipfs, registry=prov.registry, signer=prov.alice, name=unique("t"), version="1"
    )
    copy = tmp_path / "copy"
    pull(res.cid, copy, ipfs=prov.ipfs, registry=prov.registry)
    return res, copy


def _add(prov: Env, folder: Path) -> str:
    cid, _ = prov.ipfs.add_directory([(p.name, p) for p in sorted(folder.iterdir())])
    return cid


def _failed(result: VerifyResult) -> dict[str, str]:
    assert not result.ok
    return {c.name: c.detail for c in result.checks if not c.ok}


def _verify(prov: Env, ref: str, **kw: object) -> VerifyResult:
    return verify(ref, ipfs=prov.ipfs, registry=prov.registry, **kw)  # type: ignore[arg-type]


def test_flipped_byte_in_weights(prov: Env, published: tuple[PublishResult, Path]) -> None:
    _, copy = published
    w = copy / "adapter_model.safetensors"
    data = bytearray(w.read_bytes())
    data[len(data) // 2] ^= 0x01
    w.write_bytes(bytes(data))
    failed = _failed(_verify(prov, _add(prov, copy)))
    assert (
        "adapter_model.safetensors: sha256" in failed["files"]
        and "differs from the manifest" in failed["files"]
    )
    assert "the record names CID" in failed["record"]


def test_swapped_and_extra_files(prov: Env, published: tuple[PublishResult, Path], tmp_path: Path) -> None:
    _, copy = published
    swapped = tmp_path / "swapped"
    shutil.copytree(copy, swapped)
    (swapped / "README.md").write_bytes((copy / "metrics.json").read_bytes())
    (swapped / "metrics.json").write_bytes((copy / "README.md").read_bytes())
    failed = _failed(_verify(prov, _add(prov, swapped)))
    assert "README.md: sha256" in failed["files"] and "metrics.json: sha256" in failed["files"]

    extra = tmp_path / "extra"
    shutil.copytree(copy, extra)
    (extra / "tokenizer.json").write_text("{}")
    failed = _failed(_verify(prov, _add(prov, extra)))
    assert failed["files"] == "extra file tokenizer.json is not in the manifest"

    missing = tmp_path / "missing"
    shutil.copytree(copy, missing)
    (missing / "README.md").unlink()
    assert "README.md is in the manifest but missing" in _failed(_verify(prov, _add(prov, missing)))["files"]


def test_edited_manifest(prov: Env, published: tuple[PublishResult, Path]) -> None:
    _, copy = published
    manifest = json.loads((copy / MANIFEST_NAME).read_bytes())
    manifest["base_model"] = "someone/else"
    (copy / MANIFEST_NAME).write_bytes(canonical_json(manifest))
    failed = _failed(_verify(prov, _add(prov, copy)))
    assert "has no record in registry" in failed["record"] and "edited manifest" in failed["record"]
    # Edited by hand, not re-canonicalised: refused before any lookup.
    (copy / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2))
    assert "not in canonical JSON form" in _failed(_verify(prov, _add(prov, copy)))["manifest"]


class _Proxy(BaseHTTPRequestHandler):
    upstream = ""
    rewrite: Callable[[str, dict[str, str], bytes], tuple[dict[str, str], bytes | None]]

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query))
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        params, forced = type(self).rewrite(url.path, params, body)
        if forced is None:
            r = httpx.post(f"{self.upstream}{url.path}?{urlencode(params)}", content=body, timeout=30)
            status, payload = r.status_code, r.content
        else:
            status, payload = 200, forced
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def lying_node(
    prov: Env,
) -> Iterator[Callable[[Callable[..., tuple[dict[str, str], bytes | None]]], IpfsClient]]:
    servers: list[ThreadingHTTPServer] = []

    def make(rewrite: Callable[..., tuple[dict[str, str], bytes | None]]) -> IpfsClient:
        handler = type("Proxy", (_Proxy,), {"upstream": prov.ipfs_url, "rewrite": staticmethod(rewrite)})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return IpfsClient(f"http://127.0.0.1:{server.server_address[1]}")

    yield make
    for s in servers:
        s.shutdown()


def test_node_serving_other_bytes_for_a_cid(
    prov: Env, published: tuple[PublishResult, Path], lying_node: Callable[..., IpfsClient], tmp_path: Path
) -> None:
    res, copy = published
    real = (copy / "adapter_model.safetensors").read_bytes()
    fake = bytearray(real)
    fake[100] ^= 0xFF

    def flip_weights(path: str, params: dict[str, str], body: bytes) -> tuple[dict[str, str], bytes | None]:
        if path.endswith("/cat") and params["arg"].endswith("/adapter_model.safetensors"):
            return params, bytes(fake)
        return params, None

    liar = lying_node(flip_weights)
    result = verify(res.cid, ipfs=liar, registry=prov.registry)
    failed = _failed(result)
    assert "the IPFS node served wrong bytes for adapter_model.safetensors" in failed["content"]
    with pytest.raises(VerificationError, match="refusing to pull"):
        pull(res.cid, tmp_path / "out", ipfs=liar, registry=prov.registry)
    assert not (tmp_path / "out").exists() and list(tmp_path.glob(".out*")) == []

    # A consistent liar: it answers for the real CID with another directory's listing and bytes.
    # Every file matches the CIDs it claims; only recomputing the directory CID catches it.
    other = tmp_path / "other"
    shutil.copytree(copy, other)
    (other / "adapter_model.safetensors").write_bytes(bytes(fake))
    other_cid = _add(prov, other)

    def substitute(path: str, params: dict[str, str], body: bytes) -> tuple[dict[str, str], bytes | None]:
        if "arg" in params:
            params["arg"] = params["arg"].replace(res.cid, other_cid)
        return params, None

    failed = _failed(verify(res.cid, ipfs=lying_node(substitute), registry=prov.registry))
    assert failed == {"cid": f"recomputed directory CID {other_cid} locally, but {res.cid} was asked for"}


def test_hostile_listing_pickles_and_path_traversal(prov: Env, tmp_path: Path) -> None:
    def put_dir(names: list[str]) -> str:
        content = b'{"x":1}'
        cid, block = dir_block(names, content)
        put_block(prov.ipfs_url, content, "raw")
        put_block(prov.ipfs_url, block, "dag-pb")
        return cid

    for names, message in (
        (["../evil.json", MANIFEST_NAME], "unsafe file name '../evil.json'"),
        (["adapter.bin", MANIFEST_NAME], "adapter.bin is a pickle-based file"),
        (["run.sh", MANIFEST_NAME], "run.sh is not an allowed adapter file type"),
        (["a.json"], f"no {MANIFEST_NAME}"),
    ):
        cid = put_dir(names)
        assert message in _failed(_verify(prov, cid))["listing"]
        with pytest.raises(VerificationError, match="listing"):
            pull(cid, tmp_path / "x", ipfs=prov.ipfs, registry=prov.registry)
        assert not (tmp_path / "x").exists() and not (tmp_path.parent / "evil.json").exists()


def test_record_from_another_publisher(
    prov: Env, published: tuple[PublishResult, Path], unique: Callable[[str], str]
) -> None:
    _, copy = published
    (copy / MANIFEST_NAME).unlink()
    theirs = publish(
        copy, ipfs=prov.ipfs, registry=prov.registry, signer=prov.bob, name=unique("copycat"), version="1"
    )
    assert _verify(prov, theirs.cid).ok  # a valid record, just not alice's
    failed = _failed(_verify(prov, theirs.cid, publisher=prov.alice.account.address))
    assert failed == {
        "publisher": f"published by {prov.bob.account.address}, not the expected {prov.alice.account.address}"
    }


def test_revoked_version(prov: Env, published: tuple[PublishResult, Path], tmp_path: Path) -> None:
    res, _ = published
    prov.registry.revoke(prov.alice.account, res.manifest_sha256, "leaked eval data")
    failed = _failed(_verify(prov, res.cid))
    assert failed == {"revoked": f"{res.name}@1 was revoked by its publisher"}
    with pytest.raises(VerificationError, match="revoked"):
        pull(f"{res.name}@1", tmp_path / "r", ipfs=prov.ipfs, registry=prov.registry)
    assert not (tmp_path / "r").exists()


def test_cli_wrong_chain_and_services_down(
    prov: Env, published: tuple[PublishResult, Path], tmp_path: Path, adapter: Path
) -> None:
    res, _ = published
    nonce = prov.registry.w3.eth.get_transaction_count(prov.alice.account.address)
    code, _, err = run_cli(
        ["publish", str(adapter), "--name", "down", "--rpc", prov.rpc, "--ipfs", "http://127.0.0.1:9"]
    )
    assert code == 2 and "cannot reach the IPFS node at http://127.0.0.1:9" in err
    assert prov.registry.w3.eth.get_transaction_count(prov.alice.account.address) == nonce  # nothing sent

    base = ["--rpc", prov.rpc, "--ipfs", prov.ipfs_url]
    code, _, err = run_cli(["verify", res.cid, *base, "--chain-id", "1"])
    assert code == 2
    assert f"RPC {prov.rpc} serves chain id 31337, but chain id 1 was expected" in err

    for cmd in (["verify", res.cid], ["pull", res.cid, "--to", str(tmp_path / "down")]):
        code, _, err = run_cli([*cmd, "--rpc", prov.rpc, "--ipfs", "http://127.0.0.1:9"])
        assert code == 2 and "cannot reach the IPFS node at http://127.0.0.1:9" in err
        code, _, err = run_cli([*cmd, "--rpc", "http://127.0.0.1:9", "--ipfs", prov.ipfs_url])
        assert code == 2 and "cannot reach a JSON-RPC node at http://127.0.0.1:9: connection refused" in err
    assert not (tmp_path / "down").exists() and not list(tmp_path.glob(".down*"))

    code, _, err = run_cli(["verify", res.cid, *base, "--registry", "0x" + "12" * 20])
    assert code == 2 and "no contract at registry address" in err
