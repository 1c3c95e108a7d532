from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.corpus.standin import StandIn


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandIn]:
    """A local registry/Etherscan/Sourcify stand-in; every crawler points at it."""
    s = StandIn().start()
    monkeypatch.setenv("CHAINLLM_NPM_REGISTRY", s.url)
    monkeypatch.setenv("CHAINLLM_ETHERSCAN_URL", s.url + "/v2/api")
    monkeypatch.setenv("CHAINLLM_SOURCIFY_URL", s.url + "/server")
    monkeypatch.setenv("CHAINLLM_HTTP_BACKOFF", "0.01")
    monkeypatch.setenv("CHAINLLM_HTTP_RETRIES", "2")
    yield s
    s.stop()
