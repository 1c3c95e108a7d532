"""Two `chainllm audit` processes sharing one cache dir, then every cache entry corrupted (cut
short, garbage, JSON of the wrong shape): no crash, and always the same findings as an
uncached run (real solcjs + Slither)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.faults.conftest import ROOT, chainllm, spawn

FIXTURES = ROOT / "tests" / "audit" / "contracts"


def _findings(stdout: str) -> list[tuple[str, bool, tuple[str, ...]]]:
    doc = json.loads(stdout)
    assert doc["success"], doc
    return sorted(
        (
            Path(r["path"]).name,
            r["compiled"],
            tuple(sorted(json.dumps(f, sort_keys=True) for f in r["findings"])),
        )
        for r in doc["results"]
    )


def test_shared_cache_and_corrupted_entries_never_change_results(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(FIXTURES / "V08Bank.sol", src / "V08Bank.sol")  # findings to get wrong, one solc
    for name, body in (("Origin", "require(tx.origin == owner); owner = to;"),
                       ("Send", "payable(to).send(1);")):  # fmt: skip
        (src / f"{name}.sol").write_text(
            "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n"
            f"contract {name} {{ address owner = msg.sender; function f(address to) external {{ {body} }} }}\n"
        )
    args = ["audit", str(src), "--format", "json", "--fail-on", "none"]
    reference = chainllm(*args, "--no-cache")
    assert reference.returncode == 0, reference.stderr
    expected = _findings(reference.stdout)
    assert any(f for _, _, f in expected)  # there is something to get wrong

    cache = {"CHAINLLM_CACHE_DIR": str(tmp_path / "shared-cache")}
    both = [spawn(*args, env=cache) for _ in range(2)]  # same files, same empty cache, at once
    outs = [p.communicate(timeout=300) for p in both]
    for p, (out, err) in zip(both, outs, strict=True):
        assert p.returncode == 0, err
        assert _findings(out) == expected
    entries = sorted((tmp_path / "shared-cache" / "audit").rglob("*.json"))
    assert entries and not list((tmp_path / "shared-cache" / "audit").rglob("*.tmp"))

    warm = chainllm(*args, env=cache)
    assert warm.returncode == 0 and _findings(warm.stdout) == expected
    assert all(r["cached"] for r in json.loads(warm.stdout)["results"])

    damage = [
        lambda b: b[: len(b) // 2],
        lambda b: b"\x00\xff garbage",
        lambda _b: b'{"schema": 1, "findings": 7}',
    ]
    assert len(entries) == len(damage)  # one entry per file: each gets another kind of damage
    for hurt, entry in zip(damage, entries, strict=True):
        entry.write_bytes(hurt(entry.read_bytes()))
    again = chainllm(*args, env=cache)
    assert again.returncode == 0 and "Traceback" not in again.stderr, again.stderr
    assert _findings(again.stdout) == expected
    assert not any(r["cached"] for r in json.loads(again.stdout)["results"])  # recomputed, not trusted
