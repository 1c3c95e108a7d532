"""Settings: flags > environment (CHAINLLM_*) > defaults.

Paths are resolved lazily so tests can point everything at a temp dir with environment
variables alone.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "chainllm"
PACKAGE_DIR = Path(__file__).resolve().parent
# In a source checkout (the supported install) the npm tools live beside the package.
REPO_ROOT = PACKAGE_DIR.parent


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else None


def cache_dir() -> Path:
    """Safe-to-delete caches (audit results, compiler shims, converted models)."""
    return _env_path("CHAINLLM_CACHE_DIR") or Path(platformdirs.user_cache_dir(APP))


def data_dir() -> Path:
    """State worth keeping (service data, logs, registry addresses)."""
    return _env_path("CHAINLLM_DATA_DIR") or Path(platformdirs.user_data_dir(APP))


def node_root() -> Path:
    """Folder whose ``node_modules`` holds solcjs, anvil and the IPFS node.

    ``CHAINLLM_NODE_ROOT`` wins; otherwise the source checkout, then the user data dir
    (where ``chainllm toolchain install`` puts them for non-editable installs).
    """
    explicit = _env_path("CHAINLLM_NODE_ROOT")
    if explicit:
        return explicit
    if (REPO_ROOT / "node_modules").is_dir():
        return REPO_ROOT
    return data_dir() / "node"


def offline() -> bool:
    """True when downloads must not even be tried (CI, air-gapped machines)."""
    return os.environ.get("CHAINLLM_OFFLINE", "").lower() in {"1", "true", "yes"}


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a number") from None
