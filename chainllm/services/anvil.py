"""anvil (Foundry's local Ethereum node) as a local service, from npm ``@foundry-rs/anvil``."""

from __future__ import annotations

import platform
import shutil
from pathlib import Path

from chainllm import config
from chainllm.chain.transport import rpc_healthy
from chainllm.errors import ToolchainError
from chainllm.services.base import ServiceSpec

DEFAULT_PORT = 8545
CHAIN_ID = 31337
# Fixed genesis time (2026-01-01T00:00:00Z) so a fresh chain and a seeded simulation give the
# same block hashes and timestamps on every run.
GENESIS_TIMESTAMP = 1767225600
# anvil's well-known development mnemonic (public; its keys hold only local test ether).
DEV_MNEMONIC = "test test test test test test test test test test test junk"


def _npm_platform() -> str:
    system = {"Linux": "linux", "Darwin": "darwin", "Windows": "win32"}.get(platform.system(), "linux")
    machine = platform.machine().lower()
    arch = "arm64" if machine in {"arm64", "aarch64"} else "amd64"
    return f"{system}-{arch}"


def anvil_binary() -> Path:
    """The anvil executable: the npm package's binary, else one on PATH (a foundryup install)."""
    pkg = config.node_root() / "node_modules" / "@foundry-rs" / f"anvil-{_npm_platform()}" / "bin" / "anvil"
    if pkg.is_file():
        return pkg
    found = shutil.which("anvil")
    if found:
        return Path(found)
    raise ToolchainError(
        f"anvil not found (looked for {pkg} and on PATH)",
        hint="run `npm ci` in the chainllm checkout or `chainllm toolchain install`",
    )


def anvil_spec(state_dir: Path, port: int = DEFAULT_PORT) -> ServiceSpec:
    """anvil on 127.0.0.1:``port``; the chain is dumped to ``state_dir/state.json`` on stop and
    reloaded on the next start (delete it, or ``chainllm services down --wipe``, for a fresh chain)."""
    url = f"http://127.0.0.1:{port}"
    argv = (
        str(anvil_binary()),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--chain-id",
        str(CHAIN_ID),
        "--timestamp",
        str(GENESIS_TIMESTAMP),
        "--state",
        str(state_dir / "state.json"),
    )
    return ServiceSpec(
        name="anvil",
        argv=argv,
        port=port,
        url=url,
        healthy=lambda: rpc_healthy(url),
        start_timeout=30.0,
    )
