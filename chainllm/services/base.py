"""What a local service is, independent of how it is run (see ``manager``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ServiceSpec:
    """A long-running local process chainllm starts on loopback.

    ``prepare`` runs once in the service's state dir before the first start (e.g. `jsipfs
    init`); ``healthy`` answers whether the service answers requests yet.
    """

    name: str  # "anvil", "ipfs"
    argv: tuple[str, ...]
    port: int
    url: str  # what clients use, e.g. http://127.0.0.1:8545
    healthy: Callable[[], bool]
    env: dict[str, str] = field(default_factory=dict)
    prepare: Callable[[Path], None] | None = None
    start_timeout: float = 60.0
