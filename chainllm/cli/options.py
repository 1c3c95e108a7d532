"""Options shared by several commands, defined once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


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
