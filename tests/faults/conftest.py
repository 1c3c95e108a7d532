"""Fault-injection helpers: services of a test's own (so killing them spares the session's),
the real `chainllm` CLI as a subprocess, and a small tmpfs for full-disk tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from chainllm.services import manager

ROOT = Path(__file__).resolve().parents[2]


def chainllm(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``chainllm ARGS`` in a subprocess with the test's environment (cache/data dirs)."""
    return subprocess.run(
        [sys.executable, "-m", "chainllm", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def spawn(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "chainllm", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(cond: object, timeout: float, what: str, poll: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not cond():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(poll)


@dataclass
class OwnService:
    """A service only this test uses: ``kill()`` is SIGKILL (no clean shutdown), ``restart()``
    starts it again on the same port and data folder."""

    name: str
    data_dir: Path
    port: int
    status: manager.ServiceStatus

    @property
    def url(self) -> str:
        assert self.status.url
        return self.status.url

    def kill(self) -> None:
        assert self.status.pid
        os.kill(self.status.pid, signal.SIGKILL)
        wait_for(lambda: not _alive(self.status.pid), 10, f"{self.name} to die")

    def stop(self) -> None:
        manager.stop(self.name, data_dir=self.data_dir)

    def restart(self) -> None:
        self.status = manager.start(self.name, data_dir=self.data_dir, port=self.port)


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _own(name: str, tmp_path: Path) -> Iterator[OwnService]:
    data_dir = tmp_path / f"{name}-data"
    port = manager.free_port()
    svc = OwnService(name, data_dir, port, manager.start(name, data_dir=data_dir, port=port))
    try:
        yield svc
    finally:
        manager.stop(name, data_dir=data_dir)


@pytest.fixture
def own_anvil(tmp_path: Path) -> Iterator[OwnService]:
    yield from _own("anvil", tmp_path)


@pytest.fixture
def own_ipfs(tmp_path: Path) -> Iterator[OwnService]:
    yield from _own("ipfs", tmp_path)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs (root only); skipped where mounting is not allowed."""
    mnt = tmp_path / "small-disk"
    mnt.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)
