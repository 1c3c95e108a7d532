"""Options shared by several commands, defined once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

# Severity thresholds for --fail-on (audit, generate): exit 1 at this severity or worse.
FAIL_ON = ("none", "low", "medium", "high")


def json_option(f: F) -> F:
    return click.option(
        "--json", "as_json", is_flag=True, help="Print machine-readable JSON on stdout (logs go to stderr)."
    )(f)


def rpc_option(f: F) -> F:
    return click.option(
        "--rpc",
        "rpc",
        multiple=True,
        envvar="CHAINLLM_RPC",
        help="JSON-RPC URL (repeat for failover). Default: the local anvil from `chainllm services up`.",
    )(f)


def ray_option(f: F) -> F:
    """``--ray auto|ADDRESS``: run the batch on a Ray cluster (chainllm.executor)."""
    return click.option(
        "--ray",
        "ray_address",
        metavar="auto|HOST:PORT|ray://HOST:10001",
        help="Run on a Ray cluster (same output as the local run): auto joins or starts one on this "
        "machine, an address joins that cluster. Needs `pip install 'chainllm[ray]'`; see docs/scale.md.",
    )(f)
