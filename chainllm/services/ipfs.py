"""The local IPFS node: js-ipfs from npm (``node_modules/.bin/jsipfs``), offline, loopback only.

It serves the same Kubo RPC API (``/api/v0/...``) that a user's Kubo does, so
``chainllm.provenance.ipfs`` talks to either without knowing which. The node never dials out:
no bootstrap peers, no MDNS, no delegates or preload nodes, swarm on 127.0.0.1 only, and the
daemon runs with ``--offline``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx

from chainllm import config
from chainllm.errors import ToolchainError
from chainllm.io import atomic_write
from chainllm.services.base import ServiceSpec

DEFAULT_PORT = 5001


def jsipfs_binary() -> Path:
    path = config.node_root() / "node_modules" / ".bin" / "jsipfs"
    if not path.exists():
        raise ToolchainError(
            f"the IPFS node (js-ipfs) is not installed: {path} is missing",
            hint="run `npm ci` in the chainllm checkout, or point --ipfs at a running Kubo",
        )
    return path


def api_healthy(url: str, timeout: float = 1.0) -> bool:
    """True when ``url`` answers the Kubo RPC ``version`` call."""
    try:
        r = httpx.post(f"{url}/api/v0/version", timeout=timeout)
        return r.status_code == 200 and "Version" in r.json()
    except (httpx.HTTPError, ValueError):
        return False


def offline_config(cfg: dict[str, Any], port: int) -> dict[str, Any]:
    """``cfg`` (a fresh ``jsipfs init`` config) rewritten for a private loopback node."""
    addrs = cfg.setdefault("Addresses", {})
    addrs["API"] = f"/ip4/127.0.0.1/tcp/{port}"
    addrs["Swarm"] = ["/ip4/127.0.0.1/tcp/0"]
    addrs["Gateway"] = ""  # no gateway: clients use the RPC API
    addrs["RPC"] = ""  # js-ipfs' gRPC-over-websocket endpoint, unused
    addrs["Delegates"] = []
    addrs["Announce"] = []
    cfg["Bootstrap"] = []
    discovery = cfg.setdefault("Discovery", {})
    discovery["MDNS"] = {"Enabled": False, "Interval": 10}
    discovery["webRTCStar"] = {"Enabled": False}
    cfg.setdefault("Pubsub", {})["Enabled"] = False
    cfg.setdefault("Swarm", {})["DisableNatPortMap"] = True
    return cfg


def _prepare(state_dir: Path, repo: Path, port: int, env: dict[str, str]) -> None:
    launcher = state_dir / "bin" / "ipfs"
    launcher.parent.mkdir(parents=True, exist_ok=True)
    if launcher.is_symlink() or launcher.exists():
        launcher.unlink()
    launcher.symlink_to(jsipfs_binary())
    cfg_path = repo / "config"
    if not cfg_path.exists():
        repo.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            [str(jsipfs_binary()), "init", "--empty-repo"],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            raise ToolchainError(f"`jsipfs init` failed in {repo}: {tail[0]}")
    # The manager prepares only when no daemon of this state dir is alive, so a repo lock (and
    # API file) left here is stale: a daemon that was killed (SIGKILL, OOM, power loss) never
    # removed it, and js-ipfs would refuse to start ("Lock already being held").
    _remove_stale(repo / "repo.lock")
    _remove_stale(repo / "api")
    # Re-applied on every start so a changed port (or an old repo) is always loopback-only.
    cfg = offline_config(json.loads(cfg_path.read_text()), port)
    atomic_write(cfg_path, json.dumps(cfg, indent=2))


def _remove_stale(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def ipfs_spec(state_dir: Path, port: int = DEFAULT_PORT) -> ServiceSpec:
    """js-ipfs daemon with its repo in ``state_dir/repo`` and the RPC API on 127.0.0.1:``port``."""
    repo = state_dir / "repo"
    url = f"http://127.0.0.1:{port}"
    jsipfs_binary()  # fail early, with the fix, when it is not installed
    env = {"IPFS_PATH": str(repo), "IPFS_MONITORING": "", "DEBUG": ""}
    return ServiceSpec(
        name="ipfs",
        # js-ipfs renames its process to "ipfs" (process.title); launching it through a link
        # of that name keeps argv[0] and the process name equal, which the manager's
        # pid-reuse check compares.
        argv=(str(state_dir / "bin" / "ipfs"), "daemon", "--offline"),
        port=port,
        url=url,
        healthy=lambda: api_healthy(url),
        env=env,
        prepare=lambda _sdir: _prepare(state_dir, repo, port, env),
        start_timeout=90.0,
    )
