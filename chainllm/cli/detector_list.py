"""`chainllm audit --list-detectors`: every detector the audit runs, with its SWC/CWE ids."""

from __future__ import annotations

import json

import click


def print_detectors(fmt: str) -> None:
    from chainllm.audit.slither_runner import list_detectors

    rows = list_detectors()
    if fmt == "json":
        click.echo(json.dumps([r.to_dict() for r in rows], indent=2))
        return
    width = max(len(r.argument) for r in rows)
    click.echo(f"{'detector':<{width}}  origin    impact         confidence  swc       cwe       what")
    for r in rows:
        click.echo(
            f"{r.argument:<{width}}  {r.origin:<8}  {r.impact:<13}  {r.confidence:<10}  "
            f"{r.swc or '-':<8}  {r.cwe or '-':<8}  {r.help}"
        )
    own = sum(r.origin == "chainllm" for r in rows)
    click.echo(
        f"{len(rows)} detectors ({own} chainllm, {len(rows) - own} Slither); pick with --detect, drop with --exclude"
    )
