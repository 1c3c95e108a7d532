"""Local folders (``dir:PATH``) and git repositories (``git:URL[#REF]``) as Solidity sources.

Reads stay inside the folder: symlinks are never followed and ``node_modules``/hidden folders
are skipped, so a crawl of a project does not re-crawl its dependencies.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
from pathlib import Path

from chainllm.crawl import http
from chainllm.crawl.base import DEFAULT_MAX_FILE_BYTES, Fetched, RawFile, Source
from chainllm.errors import BadInputError, ServiceError, ToolchainError

_SKIP_DIRS = {"node_modules", "cache", "out", "artifacts", "crytic-export"}
_SHA_RE = re.compile(r"^[0-9a-f]{40}$")


def walk_sol(
    root: Path, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> tuple[list[RawFile], list[tuple[str, str]]]:
    """Every ``.sol`` file under ``root`` (sorted), without following links."""
    files: list[RawFile] = []
    skipped: list[tuple[str, str]] = []
    real_root = Path(os.path.realpath(root))
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        d = Path(dirpath)
        kept = []
        for n in sorted(dirnames):
            if n.startswith(".") or n in _SKIP_DIRS:
                continue
            if (d / n).is_symlink():
                skipped.append(((d / n).relative_to(root).as_posix(), "link"))
                continue
            kept.append(n)
        dirnames[:] = kept
        for n in sorted(filenames):
            if not n.endswith(".sol"):
                continue
            p = d / n
            rel = p.relative_to(root).as_posix()
            if p.is_symlink() or not p.is_file():
                skipped.append((rel, "link" if p.is_symlink() else "not a regular file"))
                continue
            if not Path(os.path.realpath(p)).is_relative_to(real_root):
                skipped.append((rel, "outside the folder"))
                continue
            size = p.stat().st_size
            if size > max_file_bytes:
                skipped.append((rel, "too large"))
                continue
            files.append(RawFile(rel, p.read_bytes()))
    files.sort(key=lambda f: f.path)
    return files, skipped


class DirSource(Source):
    scheme = "dir"
    mutable = True

    def __init__(self, spec: str, target: str) -> None:
        super().__init__(spec, target)
        self.root = Path(target).expanduser().resolve()

    def _check(self) -> None:
        if not self.root.is_dir():
            raise BadInputError(f"{self.spec}: no such folder", hint="give an existing folder of .sol files")

    def resolve(self) -> str:
        self._check()
        return f"dir:{self.root}"

    def revision(self) -> str:
        """Changes when any .sol file under the folder changes (names, sizes, mtimes)."""
        self._check()
        h = hashlib.sha256()
        for dirpath, dirnames, filenames in os.walk(self.root, followlinks=False):
            dirnames[:] = sorted(n for n in dirnames if not n.startswith(".") and n not in _SKIP_DIRS)
            for n in sorted(filenames):
                if n.endswith(".sol"):
                    st = os.lstat(os.path.join(dirpath, n))
                    h.update(f"{dirpath}/{n}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        return h.hexdigest()[:16]

    def fetch(self) -> Fetched:
        origin = self.resolve()
        files, skipped = walk_sol(self.root)
        return Fetched(origin, tuple(files), tuple(skipped))


def _git(args: list[str], *, what: str, cwd: Path | None = None, timeout: float = 600.0) -> str:
    env = {
        **os.environ,
        "GIT_TERMINAL_PROMPT": "0",
        # No ext:: or fd:: transports: a clone URL must not run commands.
        "GIT_ALLOW_PROTOCOL": "file:https:http:ssh:git",
    }
    try:
        proc = subprocess.run(
            ["git", "-c", "core.hooksPath=/dev/null", "-c", "protocol.file.allow=always", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
        )
    except FileNotFoundError:
        raise ToolchainError("git is not installed", hint="install git to crawl git: sources") from None
    except subprocess.TimeoutExpired:
        raise ServiceError(f"{what}: git {args[0]} timed out") from None
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        raise ServiceError(f"{what}: git {args[0]} failed: {last}", hint="check the URL and ref")
    return proc.stdout


class GitSource(Source):
    """``git:URL#REF``: a branch, tag or full commit hash; the default branch without a ref."""

    scheme = "git"

    def __init__(self, spec: str, target: str) -> None:
        super().__init__(spec, target)
        url, _, ref = target.partition("#")
        if not url:
            raise BadInputError(f"{spec}: no repository URL", hint="write git:URL#REF")
        if url.startswith("-"):
            raise BadInputError(f"{spec}: a repository URL cannot start with '-'")
        p = Path(url).expanduser()
        self.url = str(p.resolve()) if "://" not in url and ":" not in url and p.exists() else url
        self.ref = ref.strip()
        self._sha: str | None = None

    def _check_online(self) -> None:
        if self.url.startswith(("http://", "https://", "ssh://", "git://")) or "@" in self.url.split("/")[0]:
            http.check_online(self.url if "://" in self.url else f"ssh://{self.url}", self.spec)

    def resolve(self) -> str:
        if self._sha is None:
            if _SHA_RE.match(self.ref):
                self._sha = self.ref
            else:
                self._check_online()
                ref = self.ref or "HEAD"
                out = _git(["ls-remote", "--", self.url, ref, ref + "^{}"], what=self.spec, timeout=120)
                lines = [ln.split("\t") for ln in out.splitlines() if "\t" in ln]
                if not lines:
                    raise BadInputError(
                        f"{self.spec}: ref {self.ref or 'HEAD'!r} not found", hint="check the branch or tag"
                    )
                # Prefer a peeled tag (the commit) over the tag object.
                peeled = [sha for sha, name in lines if name.endswith("^{}")]
                self._sha = peeled[0] if peeled else lines[0][0]
        return f"git:{self.url}@{self._sha}"

    def fetch(self) -> Fetched:
        origin = self.resolve()
        assert self._sha is not None
        self._check_online()
        with tempfile.TemporaryDirectory(prefix="chainllm-git-") as tmp:
            work = Path(tmp) / "repo"
            _git(["init", "-q", str(work)], what=self.spec)
            _git(["fetch", "-q", "--depth", "1", "--", self.url, self._sha], what=self.spec, cwd=work)
            _git(["checkout", "-q", "FETCH_HEAD"], what=self.spec, cwd=work)
            files, skipped = walk_sol(work)
        return Fetched(origin, tuple(files), tuple(skipped), {"commit": self._sha})
