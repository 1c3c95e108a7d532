from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chainllm.config import REPO_ROOT

CONTRACTS = Path(__file__).parent / "contracts"
NODE_MODULES = REPO_ROOT / "node_modules"


@pytest.fixture()
def contracts() -> Path:
    return CONTRACTS


def _copy_pkg(src: Path, project: Path, name: str = "@openzeppelin/contracts") -> None:
    # Copies only what Solidity needs; a real project's node_modules has the same layout.
    shutil.copytree(
        src, project / "node_modules" / name, ignore=shutil.ignore_patterns("*.json", "*.md", "build")
    )


@pytest.fixture()
def oz_project(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Factory: a project folder with its own node_modules/@openzeppelin/contracts of a major version."""

    def make(major: int) -> Path:
        project = tmp_path / f"oz{major}"
        project.mkdir()
        (project / "package.json").write_text('{"name": "demo", "private": true}\n')
        src = NODE_MODULES / ("@openzeppelin/contracts-v4" if major == 4 else "@openzeppelin/contracts")
        _copy_pkg(src, project)
        return project

    return make
