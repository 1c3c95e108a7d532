"""`chainllm services`: start, inspect and stop the local services (anvil, IPFS)."""

from __future__ import annotations

import json
import shutil

import click
from rich.console import Console
from rich.table import Table

from chainllm.cli.options import json_option
from chainllm.services import manager


def _names(names: tuple[str, ...]) -> list[str]:
    return list(names) or manager.known_services()


def _render(statuses: list[manager.ServiceStatus], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in statuses], indent=2))
        return
    table = Table("service", "state", "pid", "url", "log")
    for s in statuses:
        state = "healthy" if s.healthy else ("running, not answering" if s.running else "stopped")
        table.add_row(s.name, state, str(s.pid or "-"), s.url or "-", s.log_path)
    Console().print(table)


@click.group(name="services")
def services() -> None:
    """Local services on 127.0.0.1 (state and logs under the data dir).

    \b
    Example:
      chainllm services up anvil        # JSON-RPC on http://127.0.0.1:8545
      chainllm services status --json
      chainllm services down --wipe anvil
    """


@services.command("up")
@click.argument("names", nargs=-1, type=click.Choice(manager.known_services()))
@click.option("--port", type=int, help="Port to listen on (only with one service name).")
@json_option
def up(names: tuple[str, ...], port: int | None, as_json: bool) -> None:
    """Start services (default: all) and wait until they answer; running ones are left alone.

    Example: chainllm services up anvil --port 8546
    """
    if port is not None and len(names) != 1:
        raise click.BadParameter("--port needs exactly one service name", param_hint="--port")
    statuses = [manager.start(n, port=port) for n in _names(names)]
    _render(statuses, as_json)


@services.command("status")
@click.argument("names", nargs=-1, type=click.Choice(manager.known_services()))
@json_option
def status(names: tuple[str, ...], as_json: bool) -> None:
    """Show whether each service runs and answers.

    Example: chainllm services status --json
    """
    _render([manager.status(n) for n in _names(names)], as_json)


@services.command("down")
@click.argument("names", nargs=-1, type=click.Choice(manager.known_services()))
@click.option("--wipe", is_flag=True, help="Also delete the service's data (anvil: the chain state).")
@json_option
def down(names: tuple[str, ...], wipe: bool, as_json: bool) -> None:
    """Stop services (default: all); --wipe also forgets their data.

    Example: chainllm services down --wipe anvil
    """
    statuses = []
    for n in _names(names):
        st = manager.stop(n)
        if wipe:
            shutil.rmtree(manager.state_dir(n), ignore_errors=True)
        statuses.append(st)
    _render(statuses, as_json)
