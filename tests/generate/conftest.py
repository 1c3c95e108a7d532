"""One anvil for every generate test: behaviour checks find it through CHAINLLM_RPC (the
project's node rule) instead of starting a private anvil per call."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


# Package scope: the variable is set for tests/generate only, never for the tests after it.
@pytest.fixture(scope="package", autouse=True)
def _generate_chain(anvil_rpc: str) -> Iterator[None]:
    old = os.environ.get("CHAINLLM_RPC")
    os.environ["CHAINLLM_RPC"] = anvil_rpc
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("CHAINLLM_RPC", None)
        else:
            os.environ["CHAINLLM_RPC"] = old
