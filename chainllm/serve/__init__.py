"""`chainllm serve`: the HTTP API over the same library calls as the CLI (score, audit,
generate), with API-key and JWT auth, rate limits, Prometheus metrics and JSON logs.

FastAPI, uvicorn, prometheus-client and pyjwt come from the ``serve`` extra; they are imported
only here and below, so the core CLI works without them.
"""

from __future__ import annotations

import importlib.util

from chainllm.errors import ToolchainError

EXTRA_MODULES = ("fastapi", "uvicorn", "prometheus_client", "jwt")


def require_extra() -> None:
    """ToolchainError naming the install command when the ``serve`` extra is missing."""
    missing = [m for m in EXTRA_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        raise ToolchainError(
            f"`chainllm serve` needs {', '.join(missing)}, which are not installed",
            hint="pip install 'chainllm[serve]'",
        )
