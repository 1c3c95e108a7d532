from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from chainllm.services.anvil import CHAIN_ID, GENESIS_TIMESTAMP
from chainllm.services.manager import DEFAULT_PORTS

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"


def test_compose_file_is_valid() -> None:
    exe = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    if not Path(exe).exists():
        pytest.skip("check-jsonschema is not installed")
    r = subprocess.run(
        [exe, "--builtin-schema", "vendor.compose-spec", str(COMPOSE)], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_compose_matches_local_services() -> None:
    text = COMPOSE.read_text()
    assert f'"127.0.0.1:{DEFAULT_PORTS["anvil"]}:8545"' in text
    assert f'"127.0.0.1:{DEFAULT_PORTS["ipfs"]}:5001"' in text
    assert f"--chain-id={CHAIN_ID}" in text and f"--timestamp={GENESIS_TIMESTAMP}" in text
