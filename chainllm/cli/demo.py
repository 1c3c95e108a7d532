"""`chainllm demo`: the whole mission on embedded defaults (README command one)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from chainllm.cli.options import json_option
from chainllm.demo import Demo, DemoSettings, StageResult, default_workdir


def _headline(r: StageResult) -> str:
    o: Any = r.output
    try:
        if r.name == "score" and isinstance(o, list):
            return "; ".join(f"{x['tx_hash'][:10]}… {x['verdict']} ({x['score']:.2f})" for x in o)
        if r.name == "generate" and isinstance(o, dict):
            return f"compiled={o.get('compiled')} solc {o.get('solc_version')}, {len(o.get('findings') or [])} findings"
        if r.name.startswith("publish") and isinstance(o, dict):
            return f"cid {o.get('cid')} tx {str(o.get('tx_hash'))[:12]}…"
        if r.name == "verify" and isinstance(o, dict):
            return f"ok={o.get('ok')}"
    except (KeyError, TypeError, ValueError):
        pass
    return ""


@click.command()
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where artefacts go (default: <data dir>/demo).",
)
@click.option(
    "--small",
    is_flag=True,
    help="Smallest settings (tiny model, few transactions, local corpus): what CI runs.",
)
@click.option("--force", is_flag=True, help="Redo every stage even if an earlier run finished it.")
@click.option("--keep-services", is_flag=True, help="Leave anvil and the IPFS node running afterwards.")
@click.option("--anvil-port", type=int, help="Port for anvil (default 8545).")
@click.option("--ipfs-port", type=int, help="Port for the IPFS node's API (default 5001).")
@json_option
def demo(
    workdir: Path | None,
    small: bool,
    force: bool,
    keep_services: bool,
    anvil_port: int | None,
    ipfs_port: int | None,
    as_json: bool,
) -> None:
    """Run the main job: local chain + IPFS node, simulate and crawl labelled activity, train
    and run the fraud scorer, build the corpus, fine-tune the bundled model briefly, generate
    an audited contract, publish the adapter to IPFS with an on-chain record and verify it.

    Re-running skips stages that finished. Time per stage is printed.

    \b
    Example:
      chainllm demo
      chainllm demo --small --workdir /tmp/demo --json
    """
    from chainllm.errors import BadInputError

    folder = (workdir or default_workdir()).resolve()
    try:  # before any service starts
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInputError(
            f"--workdir {folder}: {exc.strerror}", hint="pass a folder you can write"
        ) from None
    settings = DemoSettings(
        workdir=folder,
        small=small,
        force=force,
        keep_services=keep_services,
        anvil_port=anvil_port,
        ipfs_port=ipfs_port,
    )
    results = Demo(settings, log=lambda m: click.echo(m, err=True)).run()
    if as_json:
        click.echo(
            json.dumps(
                {"workdir": str(settings.workdir), "stages": [r.__dict__ for r in results]},
                indent=2,
                default=str,
            )
        )
        return
    click.echo("")
    width = max(len(r.name) for r in [*results, StageResult("stage", 0, False, None)])
    click.echo(f"{'stage':<{width}} {'time':>8}  result")
    for r in results:
        t = "skipped" if r.skipped else f"{r.seconds:.1f} s"
        click.echo(f"{r.name:<{width}} {t:>8}  {_headline(r)}")
    click.echo("\nartefacts:")
    for r in results:
        for label, path in r.artefacts.items():
            click.echo(f"  {label:<14} {path}")
    click.echo(f"  {'stage records':<14} {settings.workdir / 'stages'}")
