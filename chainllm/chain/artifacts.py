"""Compiled scenario contracts (``contracts/scenarios``), cached by source hash.

Compiling all scenario files with solcjs takes ~15 s; the cache (under ``cache_dir()``)
makes every later simulation start at once and is invalidated by any source change.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chainllm import config
from chainllm.audit.compile import compile_file
from chainllm.errors import BadInputError

SCENARIO_DIR = config.REPO_ROOT / "contracts" / "scenarios"


@dataclass(frozen=True)
class Artifact:
    name: str
    source: str  # path relative to the scenarios folder
    abi: list[dict[str, Any]]
    bytecode: str
    solc_version: str

    @property
    def code_hash(self) -> str:
        return hashlib.sha256(bytes.fromhex(self.bytecode.removeprefix("0x"))).hexdigest()[:16]


def _sources(root: Path) -> list[Path]:
    files = sorted(root.rglob("*.sol"))
    if not files:
        raise BadInputError(
            f"no Solidity files under {root}", hint="point --contracts at contracts/scenarios"
        )
    return files


def _digest(root: Path, files: list[Path]) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:24]


def load_artifacts(root: Path | None = None) -> dict[str, Artifact]:
    """Every deployable contract under ``root`` by name (compiling on a cache miss)."""
    root = (root or SCENARIO_DIR).resolve()
    files = _sources(root)
    cache = config.cache_dir() / "scenarios" / f"{_digest(root, files)}.json"
    if cache.is_file():
        try:
            raw = json.loads(cache.read_text())
            return {k: Artifact(**v) for k, v in raw.items()}
        except (ValueError, TypeError):
            pass  # corrupt cache: rebuild
    out: dict[str, Artifact] = {}
    for f in files:
        comp = compile_file(f)
        for unit, contracts in comp.standard_output.get("contracts", {}).items():
            if "node_modules" in unit or "@openzeppelin" in unit:
                continue
            for name, c in contracts.items():
                code = c.get("evm", {}).get("bytecode", {}).get("object", "")
                if not code:
                    continue  # interfaces, abstract contracts
                if name in out and not unit.endswith(f.name):
                    continue  # imported from another scenario file, which is compiled itself
                if name in out:
                    raise BadInputError(f"contract name {name} is defined twice under {root}")
                out[name] = Artifact(
                    name, str(f.relative_to(root)), c["abi"], "0x" + code, comp.result.solc_version or ""
                )
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({k: v.__dict__ for k, v in out.items()}))
    tmp.replace(cache)
    return out
