"""Fixtures for tests that need a real local chain.

``anvil_rpc``: URL of one anvil per test session (fresh temp data dir, free port), started
through ``chainllm.services.manager`` and stopped at the end. ``fresh_chain``: the same node,
rolled back after the test with ``evm_snapshot``/``evm_revert`` (much cheaper than a restart).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chainllm.services import manager
from chainllm.services.base import ServiceSpec  # noqa: F401  (re-exported for plugins)


@pytest.fixture(scope="session")
def anvil_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[manager.ServiceStatus]:
    data_dir = tmp_path_factory.mktemp("anvil-data")
    st = manager.start("anvil", data_dir=data_dir, port=manager.free_port())
    try:
        yield st
    finally:
        manager.stop("anvil", data_dir=data_dir)


@pytest.fixture(scope="session")
def anvil_rpc(anvil_service: manager.ServiceStatus) -> str:
    assert anvil_service.url
    return anvil_service.url


@pytest.fixture
def fresh_chain(anvil_rpc: str) -> Iterator[str]:
    """The session anvil, reverted to its pre-test state afterwards."""
    from chainllm.chain.transport import rpc_call

    snap = rpc_call(anvil_rpc, "evm_snapshot")
    try:
        yield anvil_rpc
    finally:
        rpc_call(anvil_rpc, "evm_revert", [snap])
