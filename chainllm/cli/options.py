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


def adapter_options(f: F) -> F:
    """``--adapter`` (a published fraud model, pulled and verified) and what the verified pull
    needs: ``--ipfs``, ``--registry``, ``--registry-rpc``, ``--chain-id``, ``--publisher``."""
    for opt in reversed((
        click.option("--adapter", "adapter_ref", metavar="CID|NAME[@VERSION]",
                     help="A published fraud model (`chainllm publish` of a `train fraud` folder): pulled from "
                     "IPFS and verified against the on-chain registry before it is loaded. Excludes --model."),
        click.option("--ipfs", "ipfs_url", envvar="CHAINLLM_IPFS_API", metavar="URL",
                     help="With --adapter: Kubo RPC API of the IPFS node (default: `chainllm services up ipfs`, "
                     "else :5001)."),
        click.option("--registry", "registry_addr", metavar="ADDR",
                     help="With --adapter: ModelRegistry address (default: the one `chainllm registry deploy` "
                     "recorded)."),
        click.option("--registry-rpc", metavar="URL",
                     help="With --adapter: JSON-RPC URL of the registry's chain (default: the first --rpc)."),
        click.option("--chain-id", type=int, envvar="CHAINLLM_CHAIN_ID",
                     help="With --adapter: expected chain id of the registry's chain."),
        click.option("--publisher", metavar="ADDR", help="With --adapter: require this publisher on the record."),
    )):  # fmt: skip
        f = opt(f)
    return f
