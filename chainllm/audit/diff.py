"""Change-only audits: which Solidity files changed since a git ref.

``changed_files`` asks git for files that differ between ``REF`` and the working tree
(committed, staged or not) plus untracked ones; the engine then audits every input whose
import closure contains one of them, so a changed library re-audits the files importing it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from chainllm.errors import BadInputError, ToolchainError


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    git = shutil.which("git")
    if git is None:
        raise ToolchainError("git is not on PATH", hint="install git to use --diff")
    return subprocess.run([git, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def repo_root(start: Path) -> Path:
    folder = start if start.is_dir() else start.parent
    proc = _git(["rev-parse", "--show-toplevel"], folder)
    if proc.returncode:
        raise BadInputError(
            f"--diff: {start} is not inside a git repository", hint="run from a git checkout or drop --diff"
        )
    return Path(proc.stdout.strip())


def changed_files(ref: str, inputs: Iterable[Path]) -> set[str]:
    """Real paths of files changed since ``ref`` in every repository the inputs live in."""
    if not ref or ref.startswith("-"):
        raise BadInputError(
            f"--diff {ref!r}: not a git ref", hint="give a branch, tag or commit, e.g. origin/main"
        )
    folders = {Path(p).resolve().parent for p in inputs}  # one git call per folder, not per file
    roots = {repo_root(folder) for folder in folders}
    out: set[str] = set()
    for root in sorted(roots):
        proc = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root)
        if proc.returncode:
            raise BadInputError(
                f"--diff {ref}: no such commit, branch or tag in {root}",
                hint="check the name (`git branch -a`), or fetch it first, e.g. `git fetch origin main`",
            )
        commit = proc.stdout.strip()
        names: list[str] = []
        for args in (
            ["diff", "--name-only", "-z", "--no-renames", commit, "--"],
            ["ls-files", "--others", "--exclude-standard", "-z"],
        ):
            listed = _git(args, root)
            if listed.returncode:
                raise ToolchainError(
                    f"git {' '.join(args[:2])} failed in {root}: {listed.stderr.strip()[:200]}"
                )
            names += [n for n in listed.stdout.split("\0") if n]
        out |= {os.path.realpath(root / n) for n in names}
    return out
