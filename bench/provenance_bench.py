"""Provenance benchmark: publish and verify throughput against raw `curl` on the same node.

For a 16 MB adapter folder and a folder the size of SmolLM2-135M in bf16 (~270 MB, one
safetensors file), in one run against one fresh local IPFS node (js-ipfs from npm, or
--ipfs URL for a Kubo) and a fresh anvil with a ModelRegistry:

- hash:   chainllm's local pass (sha256 + CIDv1 of every file)       vs aleph-cid (Rust) hash_folder
- add:    chainllm publish's IPFS add (same flags)                    vs curl -F file=@... /api/v0/add
- fetch:  chainllm verify (fetch + local CID and sha256 recomputation) vs curl /api/v0/cat > /dev/null
- end to end: publish (hash + add + tx) and verify wall time.

Usage: .venv/bin/python bench/provenance_bench.py [--big-mb 270 (0: skip)] [--ipfs URL]
       .venv/bin/python bench/provenance_bench.py --smoke   # one 1 MB folder, for the test suite
Results (with the load average before and after, the machine may be shared) are printed and
written to bench/out/provenance_bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aleph_cid  # noqa: E402
from eth_account import Account  # noqa: E402

from chainllm.provenance.cid import digest_file, directory_cid  # noqa: E402
from chainllm.provenance.ipfs import IpfsClient  # noqa: E402
from chainllm.provenance.publish import publish  # noqa: E402
from chainllm.provenance.registry import (  # noqa: E402
    ANVIL_DEV_KEY,
    Registry,
    Signer,
    connect,
    deploy_registry,
    resolve_target,
)
from chainllm.provenance.verify import verify  # noqa: E402
from chainllm.services import manager  # noqa: E402


def make_folder(path: Path, mb: int, seed: int) -> Path:
    path.mkdir(parents=True)
    # Random bytes: incompressible and unique per folder, so the node cannot dedupe across runs.
    with (path / "adapter_model.safetensors").open("wb") as fh:
        rnd = os.urandom
        for _ in range(mb):
            fh.write(rnd(1 << 20))
    (path / "adapter_config.json").write_text(
        json.dumps({"base_model_name_or_path": "HuggingFaceTB/SmolLM2-135M"})
    )
    (path / "metrics.json").write_text(json.dumps({"eval_loss": 1.0, "seed": seed}))
    (path / "README.md").write_text("# bench adapter\n")
    return path


def curl_add(api: str, folder: Path) -> tuple[float, str]:
    args = ["curl", "-s", "-S", "-X", "POST"]
    for p in sorted(folder.iterdir()):
        args += ["-F", f"file=@{p};filename={p.name};type=application/octet-stream"]
    q = "cid-version=1&raw-leaves=true&pin=true&wrap-with-directory=true&cid-base=base32&progress=false"
    t = time.perf_counter()
    out = subprocess.run([*args, f"{api}/api/v0/add?{q}"], check=True, capture_output=True, text=True).stdout
    secs = time.perf_counter() - t
    root = [json.loads(line) for line in out.splitlines() if line.strip()][-1]["Hash"]
    return secs, root


def curl_cat(api: str, path: str) -> float:
    t = time.perf_counter()
    subprocess.run(
        ["curl", "-s", "-S", "-X", "POST", "-o", "/dev/null", f"{api}/api/v0/cat?arg={path}"], check=True
    )
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small-mb", type=int, default=16)
    ap.add_argument("--big-mb", type=int, default=270, help="SmolLM2-135M in bf16 is ~270 MB; 0 skips it")
    ap.add_argument("--ipfs", help="use this Kubo RPC API instead of starting js-ipfs")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "provenance_bench.json")
    ap.add_argument("--smoke", action="store_true", help="tiny size (one 1 MB folder), for the test suite")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="provbench-"))
    if args.smoke:  # results stay in the temp dir: a smoke run never replaces real figures
        args.small_mb, args.big_mb, args.out = 1, 0, work / "provenance_bench.json"
    os.environ.setdefault("CHAINLLM_DATA_DIR", str(work / "data"))
    os.environ.setdefault("CHAINLLM_CACHE_DIR", str(work / "cache"))
    services = work / "services"
    started: list[str] = []
    try:
        anvil = manager.start("anvil", data_dir=services, port=manager.free_port())
        started.append("anvil")
        if args.ipfs:
            api = args.ipfs
        else:
            st = manager.start("ipfs", data_dir=services, port=manager.free_port())
            started.append("ipfs")
            assert st.url
            api = st.url
        assert anvil.url
        w3, _ = connect(resolve_target(anvil.url))
        signer = Signer(Account.from_key(ANVIL_DEV_KEY), "anvil-dev-key")
        address, _ = deploy_registry(w3, signer.account, anvil.url)
        registry = Registry(w3, address)
        ipfs = IpfsClient(api, timeout=600)
        node = ipfs.version()
        print(f"IPFS node: {node.get('Version')} at {api}; anvil {anvil.url}; registry {address}")
        load_before = os.getloadavg()
        print(f"load average before: {' '.join(f'{x:.2f}' for x in load_before)} ({os.cpu_count()} CPUs)")

        results = []
        for label, mb in (("16MB", args.small_mb), ("135M-model", args.big_mb)):
            if mb <= 0:
                continue
            peer_dir = make_folder(work / f"{label}-curl", mb, 1)
            ours_dir = make_folder(work / f"{label}-ours", mb, 2)
            size_mb = sum(p.stat().st_size for p in ours_dir.iterdir()) / 1e6

            t = time.perf_counter()
            digests = {p.name: digest_file(p) for p in ours_dir.iterdir()}
            directory_cid(digests.items())
            hash_s = time.perf_counter() - t
            t = time.perf_counter()
            aleph_cid.hash_folder(str(ours_dir))
            aleph_s = time.perf_counter() - t

            curl_add_s, curl_root = curl_add(api, peer_dir)
            res = publish(
                ours_dir, ipfs=ipfs, registry=registry, signer=signer, name=f"bench-{label}", version="1"
            )
            add_s = res.seconds["add"]
            publish_s = sum(res.seconds.values())

            cat_s = curl_cat(api, f"{curl_root}/adapter_model.safetensors")
            t = time.perf_counter()
            v = verify(res.cid, ipfs=ipfs, registry=registry)
            verify_s = time.perf_counter() - t
            assert v.ok, v.checks

            row: dict[str, Any] = {
                "folder": label,
                "mb": round(size_mb, 1),
                "hash_mb_s": size_mb / hash_s,
                "aleph_hash_mb_s": size_mb / aleph_s,
                "add_mb_s": size_mb / add_s,
                "curl_add_mb_s": size_mb / curl_add_s,
                "verify_mb_s": size_mb / verify_s,
                "curl_cat_mb_s": size_mb / cat_s,
                "publish_s": publish_s,
                "verify_s": verify_s,
            }
            results.append(row)
            print(
                f"{label:>11} {size_mb:7.1f} MB | hash {row['hash_mb_s']:7.1f} MB/s (aleph-cid "
                f"{row['aleph_hash_mb_s']:7.1f}, ratio {row['hash_mb_s'] / row['aleph_hash_mb_s']:.2f}) | "
                f"add {row['add_mb_s']:6.1f} MB/s (curl {row['curl_add_mb_s']:6.1f}, ratio "
                f"{row['add_mb_s'] / row['curl_add_mb_s']:.2f}) | verify {row['verify_mb_s']:6.1f} MB/s "
                f"(curl cat {row['curl_cat_mb_s']:6.1f}, ratio {row['verify_mb_s'] / row['curl_cat_mb_s']:.2f}) | "
                f"publish {publish_s:.1f} s, verify {verify_s:.1f} s"
            )
            for d in (peer_dir, ours_dir):
                for p in d.iterdir():
                    p.unlink()
        args.out.parent.mkdir(parents=True, exist_ok=True)
        load_after = os.getloadavg()
        print(f"load average after: {' '.join(f'{x:.2f}' for x in load_after)}")
        out = {"ipfs": node.get("Version"), "load_before": load_before, "load_after": load_after,
               "cpus": os.cpu_count(), "results": results}  # fmt: skip
        args.out.write_text(json.dumps(out, indent=2))
        print(f"wrote {args.out}")
    finally:
        for name in started:
            manager.stop(name, data_dir=services)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
