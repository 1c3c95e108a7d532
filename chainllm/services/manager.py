"""Start, stop and inspect local services (anvil, the IPFS node) described by a ``ServiceSpec``.

State lives in ``<data_dir>/services/<name>/``: ``service.json`` (pid, port, url, argv),
``service.log`` (the process's stdout+stderr) and whatever the service keeps there itself.
Processes run in their own session (process group) so that stopping one kills its children
too: SIGTERM to the group, then SIGKILL after a grace period.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from chainllm import config
from chainllm.errors import BadInputError, ServiceError
from chainllm.io import atomic_write
from chainllm.services.base import ServiceSpec

DEFAULT_PORTS: dict[str, int] = {"anvil": 8545, "ipfs": 5001}
STOP_GRACE = 10.0


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    running: bool
    healthy: bool
    pid: int | None
    port: int | None
    url: str | None
    state_dir: str
    log_path: str
    started_at: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _spec_factory(name: str) -> Callable[[Path, int], ServiceSpec]:
    # Imported lazily: the IPFS module is optional and must not break anvil.
    if name == "anvil":
        from chainllm.services.anvil import anvil_spec

        return anvil_spec
    if name == "ipfs":
        try:
            from chainllm.services.ipfs import ipfs_spec
        except ModuleNotFoundError as exc:
            if exc.name == "chainllm.services.ipfs":
                raise BadInputError("service 'ipfs' is not available in this build") from None
            raise
        return ipfs_spec
    raise BadInputError(f"unknown service {name!r}", hint=f"choose one of: {', '.join(DEFAULT_PORTS)}")


def known_services() -> list[str]:
    return list(DEFAULT_PORTS)


def state_dir(name: str, data_dir: Path | None = None) -> Path:
    if name not in DEFAULT_PORTS:
        raise BadInputError(f"unknown service {name!r}", hint=f"choose one of: {', '.join(DEFAULT_PORTS)}")
    return (data_dir or config.data_dir()) / "services" / name


def spec_for(name: str, *, data_dir: Path | None = None, port: int | None = None) -> ServiceSpec:
    return _spec_factory(name)(state_dir(name, data_dir), port or DEFAULT_PORTS[name])


def _read_state(sdir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((sdir / "service.json").read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_state(sdir: Path, data: dict[str, Any]) -> None:
    atomic_write(sdir / "service.json", json.dumps(data, indent=2))


def _pid_alive(pid: int, argv0: str | None) -> bool:
    """Alive and still our program (guards against the pid being reused by another process)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # someone else's process now
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":  # zombie: exited, not yet reaped
            return False
    except (OSError, IndexError):
        pass
    if argv0:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return True  # no /proc (macOS): trust the pid
        return any(Path(os.fsdecode(a)).name == Path(argv0).name for a in cmdline[:3] if a)
    return True


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def status(name: str, data_dir: Path | None = None) -> ServiceStatus:
    """What is known about ``name``: running (our process is alive) and healthy (it answers)."""
    sdir = state_dir(name, data_dir)
    log = str(sdir / "service.log")
    st = _read_state(sdir)
    if not st:
        return ServiceStatus(name, False, False, None, None, None, str(sdir), log)
    pid = int(st["pid"])
    running = _pid_alive(pid, (st.get("argv") or [None])[0])
    healthy = False
    if running:
        with contextlib.suppress(Exception):
            healthy = spec_for(name, data_dir=data_dir, port=int(st["port"])).healthy()
    return ServiceStatus(
        name,
        running,
        healthy,
        pid if running else None,
        int(st["port"]),
        st.get("url"),
        str(sdir),
        log,
        st.get("started_at"),
    )


def _log_tail(path: Path, lines: int = 3) -> str:
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])


def start(name: str, *, data_dir: Path | None = None, port: int | None = None) -> ServiceStatus:
    """Start ``name`` on loopback and wait until it is healthy. Idempotent: a running, healthy
    instance is returned as is (a ``port`` different from its port is an error)."""
    current = status(name, data_dir)
    if current.running:
        if port is not None and current.port != port:
            raise ServiceError(
                f"{name} already runs on port {current.port} (pid {current.pid})",
                hint=f"stop it first: chainllm services down {name}",
            )
        if current.healthy:
            return current
        stop(name, data_dir)  # alive but not answering: restart it cleanly
    spec = spec_for(name, data_dir=data_dir, port=port)
    sdir = state_dir(name, data_dir)
    sdir.mkdir(parents=True, exist_ok=True)
    if port_in_use(spec.port):
        raise ServiceError(
            f"cannot start {name}: port {spec.port} on 127.0.0.1 is taken by another process",
            hint=f"stop that process or pass --port (e.g. --port {spec.port + 1})",
        )
    if spec.prepare is not None:
        spec.prepare(sdir)
    log_path = sdir / "service.log"
    env = {**os.environ, **spec.env}
    with log_path.open("ab") as log:
        try:
            proc = subprocess.Popen(
                list(spec.argv),
                cwd=sdir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,  # own process group: stop() reaches its children
            )
        except OSError as exc:
            raise ServiceError(f"cannot run {spec.argv[0]} for {name}: {exc}") from None
    started = time.time()
    _write_state(
        sdir,
        {"pid": proc.pid, "port": spec.port, "url": spec.url, "argv": list(spec.argv), "started_at": started},
    )
    deadline = time.monotonic() + spec.start_timeout
    delay = 0.02
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            (sdir / "service.json").unlink(missing_ok=True)
            raise ServiceError(
                f"{name} exited with code {proc.returncode} while starting: {_log_tail(log_path) or 'no output'}",
                hint=f"see {log_path}",
            )
        if spec.healthy():
            return ServiceStatus(
                name, True, True, proc.pid, spec.port, spec.url, str(sdir), str(log_path), started
            )
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)
    _kill_group(proc.pid)
    (sdir / "service.json").unlink(missing_ok=True)
    raise ServiceError(
        f"{name} did not become healthy within {spec.start_timeout:.0f} s on {spec.url}",
        hint=f"see {log_path}",
    )


def _kill_group(pid: int, grace: float = STOP_GRACE) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)
        deadline = time.monotonic() + (grace if sig == signal.SIGTERM else 2.0)
        while time.monotonic() < deadline:
            # Reap if it is our child; otherwise poll for existence.
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    return
            if not _pid_alive(pid, None):
                return
            time.sleep(0.05)


def stop(name: str, data_dir: Path | None = None) -> ServiceStatus:
    """Stop ``name`` (SIGTERM, then SIGKILL) and clear its pid file. Stopping a stopped service is fine."""
    sdir = state_dir(name, data_dir)
    st = _read_state(sdir)
    if st and _pid_alive(int(st["pid"]), (st.get("argv") or [None])[0]):
        _kill_group(int(st["pid"]))
    (sdir / "service.json").unlink(missing_ok=True)
    return ServiceStatus(name, False, False, None, None, None, str(sdir), str(sdir / "service.log"))


def stop_all(data_dir: Path | None = None) -> list[ServiceStatus]:
    return [stop(n, data_dir) for n in known_services()]
