"""IPFS fixtures: one fresh local node per test session (js-ipfs from npm, offline, loopback
only), started through ``chainllm.services.manager`` and stopped at the end.

``ipfs_service``: its ``ServiceStatus`` (pid, state dir, ...); ``ipfs_api``: the base URL of
its Kubo RPC API.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chainllm.services import manager


@pytest.fixture(scope="session")
def ipfs_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[manager.ServiceStatus]:
    data_dir = tmp_path_factory.mktemp("ipfs-data")
    st = manager.start("ipfs", data_dir=data_dir, port=manager.free_port())
    try:
        yield st
    finally:
        manager.stop("ipfs", data_dir=data_dir)
        assert not Path(f"/proc/{st.pid}").exists() or "zombie" in _state(st.pid), "ipfs daemon survived stop"


def _state(pid: int | None) -> str:
    try:
        return (
            "zombie" if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z" else "alive"
        )
    except (OSError, IndexError):
        return "gone"


@pytest.fixture(scope="session")
def ipfs_api(ipfs_service: manager.ServiceStatus) -> str:
    assert ipfs_service.url
    return ipfs_service.url
