"""`chainllm cluster`: the Ray cluster that `--ray` runs the batch commands on."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from chainllm.cli.options import json_option

F = TypeVar("F", bound=Callable[..., Any])


def _address(f: F) -> F:
    return click.option(
        "--ray",
        "ray_address",
        default="auto",
        show_default=True,
        metavar="auto|HOST:PORT|ray://HOST:10001",
        help="The cluster: auto is the one `ray start` runs on this machine (none is started here), "
        "an address joins that cluster.",
    )(f)


@click.group(name="cluster")
def cluster() -> None:
    """The Ray cluster behind --ray: its nodes, and the workers kept warm between commands.

    \b
    Example:
      chainllm cluster status                     # the cluster `ray start` runs here
      chainllm cluster status --ray HEAD:6379 --json
      chainllm cluster release                    # end the warm workers now
    """


def _executor(address: str) -> Any:
    from chainllm.executor.cluster import RayExecutor

    return RayExecutor(address, start=False)


@cluster.command("status")
@_address
@json_option
def status(ray_address: str, as_json: bool) -> None:
    """Nodes (chainllm and Python on each, against this machine's) and warm workers."""
    from chainllm.executor.cluster import local_versions

    ex = _executor(ray_address)
    here = local_versions()
    nodes = ex.node_versions()
    warm = ex.warm_status()
    doc = {
        "address": ray_address,
        "cpus": ex.ray.cluster_resources().get("CPU", 0.0),
        "cpus_free": ex.ray.available_resources().get("CPU", 0.0),
        "this_machine": {"chainllm": here.chainllm, "python": here.python},
        "nodes": [
            {**asdict(n), "matches": (n.chainllm, n.python) == (here.chainllm, here.python)} for n in nodes
        ],
        "keep_warm_s": ex.keep_warm,
        "warm": [asdict(w) for w in warm],
    }
    if as_json:
        click.echo(json.dumps(doc, indent=2))
        return
    console = Console()
    console.print(f"Ray cluster {ray_address}: {doc['cpus']:g} CPUs, {doc['cpus_free']:g} free")
    t = Table("node", "chainllm", "python", "matches this machine")
    for n in doc["nodes"]:
        t.add_row(n["node"], n["chainllm"], n["python"], "yes" if n["matches"] else "NO")
    console.print(t)
    if not warm:
        console.print("no warm workers")
        return
    w = Table("warm pool", "worker", "state", "idle")
    for a in warm:
        state = "no answer" if a.busy is None else ("running a partition" if a.busy else "idle")
        w.add_row(a.pool, a.name.rsplit("-", 1)[-1], state, "-" if a.idle_s is None else f"{a.idle_s:.0f} s")
    console.print(w)
    console.print(
        f"idle workers exit after {ex.keep_warm:g} s (CHAINLLM_RAY_KEEP_WARM); `chainllm cluster release` ends them now"
    )


@cluster.command("release")
@_address
@json_option
def release(ray_address: str, as_json: bool) -> None:
    """End every warm chainllm worker on the cluster now (they free their CPUs)."""
    n = _executor(ray_address).release_warm()
    if as_json:
        click.echo(json.dumps({"address": ray_address, "released": n}))
    else:
        click.echo(f"ended {n} warm worker(s) on {ray_address}")
