"""`chainllm eval audit`: line recall and precision per bug class on a labelled corpus."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.command(name="audit")
@click.option(
    "--set",
    "set_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder of labelled .sol files (// BUG: <class> markers). Default: the held-out corpus.",
)
@click.option(
    "--no-openzeppelin", is_flag=True, help="Skip the false-alarm run over node_modules/@openzeppelin."
)
@click.option("--jobs", "-j", type=int, default=0, help="Parallel workers (default: one per core).")
@click.option("--no-cache", is_flag=True, help="Re-audit every file instead of using cached results.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Also write the JSON result here."
)
def audit(
    set_path: Path | None, no_openzeppelin: bool, jobs: int, no_cache: bool, as_json: bool, out: Path | None
) -> None:
    """Score the audit on a labelled corpus: per class, recall at the labelled line +-2 and
    precision, for chainllm (its detectors plus Slither's) and for Slither's detectors alone
    (same run); then count chainllm's findings on the OpenZeppelin sources (false alarms).

    \b
    Examples:
      chainllm eval audit
      chainllm eval audit --set tests/audit/labelled/dev --no-openzeppelin --json
    """
    from chainllm.audit.evaluate import DEFAULT_SET, evaluate, render_table
    from chainllm.io import write_json

    def say(msg: str) -> None:
        if not as_json:
            click.echo(f"chainllm: {msg}", err=True)

    result = evaluate(
        set_path or DEFAULT_SET,
        openzeppelin=not no_openzeppelin,
        jobs=jobs,
        use_cache=not no_cache,
        progress=say if sys.stderr.isatty() or not as_json else None,
    )
    data = result.to_dict()
    if out is not None:
        write_json(out, data)
    click.echo(json.dumps(data, indent=2) if as_json else render_table(result), nl=not as_json)
