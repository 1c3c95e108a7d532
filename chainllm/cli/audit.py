"""`chainllm audit`: compile with the right solc and audit with Slither."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import click

from chainllm.audit.compile import CompileSettings
from chainllm.audit.engine import DEFAULT_TIMEOUT, AuditOptions, audit_paths, collect_inputs
from chainllm.audit.report import FORMATS, render
from chainllm.errors import BadInputError, ChainLLMError
from chainllm.types import AuditReport, FileAudit, Severity

FAIL_ON = ("none", "low", "medium", "high")


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="high",
    show_default=True,
    help="Exit 1 when a finding of this severity or worse is found.",
)
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report here (atomically) instead of stdout.",
)
@click.option(
    "--remap",
    multiple=True,
    metavar="PREFIX=TARGET",
    help="Import remapping (repeatable); remappings.txt and foundry.toml are read too.",
)
@click.option(
    "--allow-path",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Extra folder imports may read from.",
)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Project root (solc base path). Default: nearest folder with foundry.toml, package.json, .git...",
)
@click.option("--include-deps", is_flag=True, help="Show findings inside dependencies (node_modules, lib/).")
@click.option("--jobs", "-j", type=int, default=0, help="Parallel workers (default: one per core).")
@click.option(
    "--timeout",
    type=float,
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds allowed per file for compile + analysis.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Ignore cached results (the cache is keyed by content, compiler and tool versions).",
)
@click.option("--exclude", default="", metavar="DETECTORS", help="Comma-separated Slither detectors to skip.")
@click.option("--solc-version", help="Use this compiler version instead of the newest one the pragma allows.")
@click.option("--optimize", is_flag=True, help="Compile with the optimizer (200 runs).")
@click.option(
    "--max-file-size", type=float, default=4.0, show_default=True, help="Largest source file accepted, in MB."
)
def audit(
    paths: tuple[Path, ...],
    fail_on: str,
    fmt: str,
    out: Path | None,
    remap: tuple[str, ...],
    allow_path: tuple[Path, ...],
    root: Path | None,
    include_deps: bool,
    jobs: int,
    timeout: float,
    no_cache: bool,
    exclude: str,
    solc_version: str | None,
    optimize: bool,
    max_file_size: float,
) -> None:
    """Compile each Solidity file with a solc that satisfies its pragma and audit it with Slither.

    PATHS are .sol files or folders (node_modules, lib/ and build output are skipped).
    Exit status: 0 nothing at or above --fail-on, 1 findings reached it, 2 bad input or a
    file that does not compile (solc's errors are printed with file:line).

    \b
    Examples:
      chainllm audit contracts/Token.sol
      chainllm audit src/ --fail-on medium --format sarif --out results.sarif
      chainllm audit src/Vault.sol --remap @solmate/=lib/solmate/src/ --format json
    """
    options = AuditOptions(
        fail_on=None if fail_on == "none" else Severity.parse(fail_on),
        include_dependencies=include_deps,
        remaps=remap,
        allow_paths=tuple(p.resolve() for p in allow_path),
        root=root.resolve() if root else None,
        jobs=jobs,
        timeout=timeout,
        use_cache=not no_cache,
        exclude_detectors=tuple(d.strip() for d in exclude.split(",") if d.strip()),
        settings=CompileSettings(optimize=optimize),
        max_file_bytes=int(max_file_size * 1_000_000),
        solc_version=solc_version,
    )
    machine = fmt in {"json", "sarif"}
    try:
        report = _run_with_progress(paths, options, show=not machine and out is None and sys.stderr.isatty())
    except ChainLLMError as exc:
        if fmt == "json":
            click.echo(json.dumps({"success": False, "error": str(exc), "results": []}, indent=2))
            raise SystemExit(exc.exit_code) from None
        raise
    text = render(report, fmt, color=(fmt == "table" and out is None and sys.stdout.isatty()))
    if out is not None:
        write_atomic(out, text)
        from chainllm.audit.report import summary_line

        click.echo(f"{summary_line(report)}\nreport written to {out}", err=True)
    else:
        click.echo(text, nl=False)
    raise SystemExit(report.exit_code())


def _run_with_progress(paths: tuple[Path, ...], options: AuditOptions, *, show: bool) -> AuditReport:
    if not show:
        return audit_paths(paths, options)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    total = len(collect_inputs(paths))
    if total == 0:
        raise BadInputError("nothing to audit")
    with Progress(
        TextColumn("auditing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        transient=True,
    ) as progress:
        task = progress.add_task("", total=total)

        def step(r: FileAudit) -> None:
            progress.update(task, advance=1, description=Path(r.path).name)

        return audit_paths(paths, options, on_result=step)
