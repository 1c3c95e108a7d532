"""`chainllm labels`: import real-world label lists beside the simulated ones."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from chainllm.cli.options import json_option
from chainllm.labels.importer import import_labels, load_imported


@click.group(name="labels")
def labels() -> None:
    """Address and transaction labels (simulated and imported).

    \b
    Example:
      chainllm labels import darklist.json --source mew-darklist
      chainllm labels list --json
    """


@labels.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--source", help="Name of the list (default: the file name); re-importing replaces it.")
@click.option(
    "--format", "fmt", type=click.Choice(["auto", "csv", "json"]), default="auto", show_default=True
)
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing.")
@click.option("--strict", is_flag=True, help="Exit 1 when any line was rejected.")
@json_option
def import_(file: Path, source: str | None, fmt: str, dry_run: bool, strict: bool, as_json: bool) -> None:
    """Import a CSV/JSON list of address or transaction labels (address|tx_hash, label,
    category, source, confidence). Bad lines are reported by number; the rest is imported.

    Example: chainllm labels import forta-labels.csv --source forta
    """
    report = import_labels(file, source=source, fmt=fmt, dry_run=dry_run)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        for e in report.errors[:20]:
            click.echo(f"{file}: {e}", err=True)
        if len(report.errors) > 20:
            click.echo(f"... and {len(report.errors) - 20} more rejected lines", err=True)
        where = "(dry run, nothing written)" if dry_run else f"-> {report.out}"
        click.echo(
            f"imported {report.imported} labels ({report.addresses} addresses, {report.transactions} txs) "
            f"from {file}, {len(report.errors)} lines rejected, {report.duplicates} duplicates {where}"
        )
    if strict and report.errors:
        raise SystemExit(1)


@labels.command("list")
@json_option
def list_(as_json: bool) -> None:
    """Count imported labels per source and label.

    Example: chainllm labels list
    """
    counts = Counter((x.source, x.kind, x.label) for x in load_imported())
    if as_json:
        click.echo(
            json.dumps(
                [
                    {"source": s, "kind": k, "label": lab, "count": n}
                    for (s, k, lab), n in sorted(counts.items())
                ],
                indent=2,
            )
        )
        return
    table = Table("source", "kind", "label", "count")
    for (s, k, lab), n in sorted(counts.items()):
        table.add_row(s, k, lab, str(n))
    Console().print(table)
