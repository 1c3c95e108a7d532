"""One crawl of a small real package from registry.npmjs.org (npm is reachable here and in CI)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from chainllm.corpus.build import BuildOptions, crawl_and_build


@pytest.fixture
def online(monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        httpx.head("https://registry.npmjs.org/erc721a", timeout=5.0)
    except httpx.HTTPError as exc:
        pytest.skip(f"registry.npmjs.org unreachable ({exc}); the stand-in tests cover the logic")
    monkeypatch.setenv("CHAINLLM_OFFLINE", "0")
    monkeypatch.delenv("CHAINLLM_NPM_REGISTRY", raising=False)


@pytest.mark.usefixtures("online")
def test_real_registry_package(tmp_path: Path) -> None:
    result = crawl_and_build(["npm:erc721a@4.3.0"], tmp_path / "real", BuildOptions())
    assert result.outcomes[0].status == "crawled", result.outcomes[0].error
    card = result.card
    assert card is not None
    assert card["sources"][0]["origin"] == "npm:erc721a@4.3.0"
    assert card["rows"] >= 10 and set(card["licenses"]) == {"MIT"}
    assert card["kinds"]["contract"] >= 1 and card["kinds"]["interface"] >= 1
