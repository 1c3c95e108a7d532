"""The one JSON-RPC transport, against a real anvil behind a misbehaving proxy."""

from __future__ import annotations

import subprocess
import sys

import pytest

from chainllm.chain.transport import (
    BatchFailed,
    RpcCallError,
    RpcError,
    Transport,
    rpc_call,
    rpc_healthy,
)
from chainllm.errors import ServiceError
from chainllm.services.manager import free_port
from tests.chain.rpc_proxy import Behaviour, rpc_proxy


def test_batch_keeps_call_order_and_per_call_errors(anvil_rpc: str) -> None:
    with Transport([anvil_rpc]) as t:
        chain, bad, block = t.batch([("eth_chainId", []), ("no_suchMethod", []), ("eth_blockNumber", [])])
        assert chain == "0x7a69" and isinstance(block, str)
        assert isinstance(bad, RpcCallError) and bad.unsupported and bad.method == "no_suchMethod"
        with pytest.raises(RpcError, match=f"no_suchMethod on {anvil_rpc} failed"):
            t.call("no_suchMethod")
        assert t.call("eth_getBalance", "0x" + "00" * 20, "latest").startswith("0x")


def test_refused_batches_are_halved_until_they_pass(anvil_rpc: str) -> None:
    with rpc_proxy(anvil_rpc, Behaviour(max_batch=8)) as url, Transport([url], max_retries=0) as t:
        got = t.batch_split([("eth_chainId", [])] * 50, step=50)
        assert got == ["0x7a69"] * 50 and t.stats.splits >= 3
        with pytest.raises(BatchFailed):
            t.batch([("eth_chainId", [])] * 9)  # one post, no splitting: the caller chose


def test_failover_to_the_next_url_and_retry_after_a_failed_post(anvil_rpc: str) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    with Transport([dead, anvil_rpc], backoff=0) as t:
        assert t.call("eth_chainId") == "0x7a69"
        assert t.url == anvil_rpc and t.stats.failovers == 1 and t.stats.retries == 1
    with (
        rpc_proxy(anvil_rpc, Behaviour(fail_posts=2)) as url,
        Transport([url], max_retries=2, backoff=0) as t,
    ):
        assert t.batch([("eth_chainId", [])]) == ["0x7a69"] and t.stats.retries == 2


def test_one_off_calls_and_health(anvil_rpc: str) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    assert rpc_healthy(anvil_rpc) and not rpc_healthy(dead)
    assert rpc_call(anvil_rpc, "eth_chainId") == "0x7a69"
    with pytest.raises(ServiceError, match=f"eth_chainId on {dead} failed: .*connection refused"):
        rpc_call(dead, "eth_chainId")
    with rpc_proxy(anvil_rpc, Behaviour(garbage=True)) as url, pytest.raises(ServiceError, match="not JSON"):
        rpc_call(url, "eth_chainId")


def test_transport_needs_no_service_layer() -> None:
    """chain.transport is below chainllm.services (which imports it for health checks)."""
    code = "import sys, chainllm.chain.transport; print(any(m.startswith('chainllm.services') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
