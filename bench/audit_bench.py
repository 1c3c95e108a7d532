"""Benchmark: `slither` CLI (one process per file, same compiler) vs `chainllm audit`, cold and warm.

    .venv/bin/python bench/audit_bench.py [--files N]
    .venv/bin/python bench/audit_bench.py --smoke   # 1 contract, for the test suite
    .venv/bin/python bench/audit_bench.py --diff-files 100   # also: --diff on a 100-file git project

Builds a set of contracts under bench/out/audit-set (the repo's vulnerable fixtures plus
OpenZeppelin-based contracts), audits it both ways in the same run and prints the times
and ratios. Timing is informational; nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chainllm.toolchain.compilers import discover, select  # noqa: E402
from chainllm.toolchain.pragma import find_pragmas  # noqa: E402

OUT = ROOT / "bench" / "out" / "audit-set"
OZ = ROOT / "node_modules" / "@openzeppelin" / "contracts"
BIN = Path(sys.executable).parent

TEMPLATE = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {{ERC20}} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {{Ownable}} from "@openzeppelin/contracts/access/Ownable.sol";
{extra_import}

contract Token{i} is ERC20, Ownable{extra_base} {{
    mapping(address => uint256) public deposits{i};

    constructor() ERC20("Token{i}", "T{i}") Ownable(msg.sender) {{
        _mint(msg.sender, {supply} * 10 ** decimals());
    }}

    function mint(address to, uint256 amount) external onlyOwner {{
        _mint(to, amount);
    }}

    function deposit() external payable {{
        deposits{i}[msg.sender] += msg.value;
    }}

    function withdraw() external {{
        uint256 amount = deposits{i}[msg.sender];
        (bool ok, ) = msg.sender.call{{value: amount}}("");
        require(ok, "send failed");
        deposits{i}[msg.sender] = {reset};
    }}
}}
"""


def build_set(n: int) -> list[Path]:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    (OUT / ".git").mkdir()  # the project root for both tools
    files = []
    for f in sorted((ROOT / "tests" / "audit" / "contracts").glob("*.sol"))[:n]:
        shutil.copy(f, OUT / f.name)
        files.append(OUT / f.name)
    i = 0
    while len(files) < n:
        pausable = i % 2 == 1
        text = TEMPLATE.format(
            i=i,
            supply=1000 * (i + 1),
            extra_import='import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";'
            if pausable
            else "",
            extra_base=", Pausable" if pausable else "",
            reset="0" if i % 3 else f"deposits{i}[msg.sender] - amount",
        )
        path = OUT / f"Token{i}.sol"
        path.write_text(text)
        files.append(path)
        i += 1
    return files


def slither_cli(files: list[Path]) -> tuple[float, int]:
    remap = f"@openzeppelin/contracts/={OZ}/"
    started = time.perf_counter()
    total = 0
    for f in files:
        comp = select(find_pragmas(f.read_text()), where=f.name)
        cmd = [
            str(BIN / "slither"),
            f.name,
            "--solc",
            str(comp.path),
            "--json",
            "-",
            "--filter-paths",
            "node_modules",
            "--solc-remaps",
            remap,
        ]
        proc = subprocess.run(cmd, cwd=OUT, capture_output=True, text=True)
        try:
            doc = json.loads(proc.stdout)
        except ValueError:  # slither gave up on this file (e.g. an open pragma the picked solc rejects)
            print(f"slither CLI failed on {f.name}: {(proc.stderr.strip().splitlines() or ['?'])[-1][:120]}")
            continue
        total += len(doc.get("results", {}).get("detectors", []))
    return time.perf_counter() - started, total


def chainllm_audit(cache_dir: Path) -> tuple[float, int]:
    env = {**os.environ, "CHAINLLM_CACHE_DIR": str(cache_dir)}
    started = time.perf_counter()
    proc = subprocess.run(
        [str(BIN / "chainllm"), "audit", str(OUT), "--format", "json", "--fail-on", "none"],
        capture_output=True,
        text=True,
        env=env,
    )
    elapsed = time.perf_counter() - started
    doc = json.loads(proc.stdout)
    assert doc["success"], doc["error"]
    return elapsed, sum(len(r["findings"]) for r in doc["results"])


LIB = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

library Fees{j} {{
    function fee(uint256 amount) internal pure returns (uint256) {{
        return amount * {j} / 1000;
    }}
}}
"""

VAULT = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {{Fees{j}}} from "./Fees{j}.sol";

contract Vault{i} {{
    mapping(address => uint256) public balances;

    function deposit() external payable {{
        balances[msg.sender] += msg.value - Fees{j}.fee(msg.value);
    }}

    function withdraw() external {{
        uint256 amount = balances[msg.sender];
        (bool ok, ) = msg.sender.call{{value: amount}}("");
        require(ok, "send failed");
        balances[msg.sender] = 0;
    }}
}}
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=bench@example.com", "-c", "user.name=bench", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def _timed_audit(target: Path, cache_dir: Path, *extra: str) -> tuple[float, int]:
    env = {**os.environ, "CHAINLLM_CACHE_DIR": str(cache_dir)}
    started = time.perf_counter()
    proc = subprocess.run(
        [str(BIN / "chainllm"), "audit", str(target), "--format", "json", "--fail-on", "none", *extra],
        capture_output=True,
        text=True,
        env=env,
    )
    elapsed = time.perf_counter() - started
    doc = json.loads(proc.stdout)
    assert doc["success"], doc["error"]
    return elapsed, len(doc["results"])


def diff_bench(n: int) -> None:
    """`--diff HEAD` after a one-file change in an n-file git project vs a full audit, both cold."""
    repo = ROOT / "bench" / "out" / "diff-set"
    if repo.exists():
        shutil.rmtree(repo)
    repo.mkdir(parents=True)
    libs = max(1, n // 5)
    for j in range(libs):
        (repo / f"Fees{j}.sol").write_text(LIB.format(j=j))
    for i in range(n - libs):
        (repo / f"Vault{i}.sol").write_text(VAULT.format(i=i, j=i % libs))
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "base")
    leaf = repo / "Vault0.sol"
    leaf.write_text(leaf.read_text().replace("balances[msg.sender] = 0;", "balances[msg.sender] -= amount;"))
    with tempfile.TemporaryDirectory() as c1, tempfile.TemporaryDirectory() as c2:
        full_s, full_n = _timed_audit(repo, Path(c1))
        diff_s, diff_n = _timed_audit(repo, Path(c2), "--diff", "HEAD")
    print(f"full audit, {n}-file project       : {full_s:7.2f} s  ({full_n} files)")
    print(
        f"--diff HEAD after a one-file change: {diff_s:7.2f} s  ({diff_n} file)   ratio {full_s / diff_s:5.2f}x faster"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=24)
    parser.add_argument("--smoke", action="store_true", help="tiny size (1 contract), for the test suite")
    parser.add_argument(
        "--diff-files", type=int, default=0, help="also time --diff in a git project of this many files"
    )
    args = parser.parse_args()
    if args.smoke:
        args.files = 1
        args.diff_files = args.diff_files or 5
    files = build_set(args.files)
    discover()
    print(
        f"{len(files)} contracts, {os.cpu_count()} cores; compilers: solcjs (wasm) via the shim for both tools"
    )
    peer_s, peer_n = slither_cli(files)
    with tempfile.TemporaryDirectory() as cache:
        cold_s, cold_n = chainllm_audit(Path(cache))
        warm_s, warm_n = chainllm_audit(Path(cache))
    print(f"slither CLI, one process per file : {peer_s:7.2f} s  ({peer_n} findings)")
    print(
        f"chainllm audit, cold cache        : {cold_s:7.2f} s  ({cold_n} findings)  ratio {peer_s / cold_s:5.2f}x faster"
    )
    print(
        f"chainllm audit, warm cache        : {warm_s:7.2f} s  ({warm_n} findings)  ratio {peer_s / warm_s:5.2f}x faster"
    )
    print(f"warm vs cold chainllm             : {cold_s / warm_s:5.1f}x")
    if args.diff_files:
        diff_bench(args.diff_files)


if __name__ == "__main__":
    main()
