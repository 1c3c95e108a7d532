"""Shared test setup. Every test gets its own chainllm cache/data dirs (never the user's)."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Fixture plugins of each area (services, ...); listed here so any test can use them.
pytest_plugins = [
    m for m in ("tests.plugins.services", "tests.plugins.ipfs") if importlib.util.find_spec(m) is not None
]


@pytest.fixture(scope="session", autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory) -> None:
    base = tmp_path_factory.mktemp("chainllm-home")
    os.environ.setdefault("CHAINLLM_CACHE_DIR", str(base / "cache"))
    os.environ.setdefault("CHAINLLM_DATA_DIR", str(base / "data"))
    os.environ["CHAINLLM_OFFLINE"] = "1"
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
