"""The local IPFS node chainllm runs: offline, loopback only, and tracked by the manager."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from chainllm.provenance.ipfs import IpfsClient
from chainllm.services import manager
from chainllm.services.ipfs import offline_config


def test_node_is_private_and_managed(ipfs_service: manager.ServiceStatus, ipfs_api: str) -> None:
    data_dir = Path(ipfs_service.state_dir).parents[1]
    st = manager.status("ipfs", data_dir=data_dir)
    assert st.running and st.healthy and st.pid == ipfs_service.pid  # pid check survives js-ipfs' renaming
    cfg = json.loads((Path(ipfs_service.state_dir) / "repo" / "config").read_text())
    assert cfg["Bootstrap"] == [] and cfg["Discovery"]["MDNS"]["Enabled"] is False
    assert cfg["Addresses"]["API"].startswith("/ip4/127.0.0.1/") and cfg["Addresses"]["Gateway"] == ""
    ident = httpx.post(f"{ipfs_api}/api/v0/id", timeout=10).json()
    assert all("/ip4/127.0.0.1/" in a for a in ident["Addresses"] or [])
    listening = [ln for ln in Path(ipfs_service.log_path).read_text().splitlines() if "listening on" in ln]
    assert listening and all("/ip4/127.0.0.1/" in ln for ln in listening), listening
    assert IpfsClient(ipfs_api).version()["Version"]


def test_offline_config_rewrites_every_outward_setting() -> None:
    fresh = {
        "Addresses": {"Swarm": ["/ip4/0.0.0.0/tcp/4002"], "API": "/ip4/127.0.0.1/tcp/5002",
                      "Gateway": "/ip4/127.0.0.1/tcp/9090", "Delegates": ["/dns4/node0.delegate.ipfs.io"]},
        "Bootstrap": ["/dnsaddr/bootstrap.libp2p.io/p2p/Qm"],
        "Discovery": {"MDNS": {"Enabled": True}, "webRTCStar": {"Enabled": True}},
    }  # fmt: skip
    cfg = offline_config(fresh, 5999)
    assert cfg["Addresses"]["API"] == "/ip4/127.0.0.1/tcp/5999"
    assert cfg["Addresses"]["Swarm"] == ["/ip4/127.0.0.1/tcp/0"] and cfg["Addresses"]["Delegates"] == []
    assert cfg["Bootstrap"] == [] and not cfg["Discovery"]["MDNS"]["Enabled"]
    assert not cfg["Discovery"]["webRTCStar"]["Enabled"]
