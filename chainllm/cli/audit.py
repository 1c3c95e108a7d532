"""`chainllm audit`: compile with the right solc and audit with Slither."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from chainllm.audit.compile import CompileSettings
from chainllm.audit.engine import DEFAULT_TIMEOUT, AuditOptions, audit_paths, collect_inputs
from chainllm.audit.report import FORMATS, render
from chainllm.cli.jsonerror import add_failure_fields
from chainllm.cli.options import FAIL_ON, ray_option
from chainllm.errors import BadInputError
from chainllm.io import atomic_write
from chainllm.types import AuditReport, FileAudit, Severity

if TYPE_CHECKING:
    from chainllm.executor import Executor


@click.command()
@click.argument("paths", nargs=-1, required=False, type=click.Path(path_type=Path))
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
@click.option("--json", "as_json", is_flag=True, help="Same as --format json (as on the other commands).")
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
@click.option(
    "--exclude",
    default="",
    metavar="DETECTORS",
    help="Comma-separated detectors to skip (see --list-detectors).",
)
@click.option(
    "--detect",
    default="",
    metavar="DETECTORS",
    help="Run only these comma-separated detectors (Slither's and chainllm's; default: all).",
)
@click.option("--list-detectors", is_flag=True, help="List every detector with its SWC/CWE ids and exit.")
@click.option("--solc-version", help="Use this compiler version instead of the newest one the pragma allows.")
@click.option("--optimize", is_flag=True, help="Compile with the optimizer (200 runs).")
@click.option(
    "--max-file-size", type=float, default=4.0, show_default=True, help="Largest source file accepted, in MB."
)
@click.option(
    "--no-install",
    is_flag=True,
    help="Never fetch a missing compiler from npm (CHAINLLM_OFFLINE=1 does the same).",
)
@click.option(
    "--diff",
    "diff_ref",
    metavar="GIT_REF",
    help="Audit only .sol files changed since GIT_REF (and the files importing them), e.g. origin/main.",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Hide findings accepted in this baseline file (matched by code and AST path, not line numbers).",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Accept every finding of this run: write them to this baseline file.",
)
@ray_option
def audit(
    paths: tuple[Path, ...],
    fail_on: str,
    fmt: str,
    as_json: bool,
    out: Path | None,
    remap: tuple[str, ...],
    allow_path: tuple[Path, ...],
    root: Path | None,
    include_deps: bool,
    jobs: int,
    timeout: float,
    no_cache: bool,
    exclude: str,
    detect: str,
    list_detectors: bool,
    solc_version: str | None,
    optimize: bool,
    max_file_size: float,
    no_install: bool,
    diff_ref: str | None,
    baseline: Path | None,
    write_baseline: Path | None,
    ray_address: str | None,
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
      chainllm audit src/ --write-baseline audit-baseline.json
      chainllm audit src/ --baseline audit-baseline.json --diff origin/main
      chainllm audit src/ --detect integer-overflow,block-randomness
      chainllm audit --list-detectors
    """
    if as_json:
        if fmt not in ("table", "json"):
            raise click.UsageError(f"--json asks for JSON and --format asks for {fmt}: give one of them.")
        fmt = "json"
    add_failure_fields(results=[])  # --format json failures: the one error shape, plus results
    if list_detectors:
        from chainllm.cli.detector_list import print_detectors

        print_detectors(fmt)
        return
    if not paths:
        raise click.UsageError("Missing argument 'PATHS...'.")
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
        detect_detectors=tuple(d.strip() for d in detect.split(",") if d.strip()),
        settings=CompileSettings(optimize=optimize),
        max_file_bytes=int(max_file_size * 1_000_000),
        solc_version=solc_version,
        install=not no_install,
        diff_ref=diff_ref,
        # --write-baseline records everything found, so the old baseline is not applied first
        baseline=str(baseline) if baseline and not write_baseline else None,
    )
    machine = fmt in {"json", "sarif"}
    from chainllm.executor import make_executor

    executor = make_executor(ray_address) if ray_address else None  # None: the local pool
    show = not machine and out is None and sys.stderr.isatty()
    report = _run_with_progress(paths, options, show=show, executor=executor)
    if write_baseline is not None:
        from chainllm.audit.baseline import write as write_baseline_file

        n = write_baseline_file(report, write_baseline)
        click.echo(
            f"baseline: {n} finding{'s' if n != 1 else ''} accepted, written to {write_baseline}", err=True
        )
    text = render(report, fmt, color=(fmt == "table" and out is None and sys.stdout.isatty()))
    if out is not None:
        atomic_write(out, text)
        from chainllm.audit.report import summary_line

        click.echo(f"{summary_line(report)}\nreport written to {out}", err=True)
    else:
        click.echo(text, nl=False)
    raise SystemExit(report.exit_code())


def _run_with_progress(
    paths: tuple[Path, ...], options: AuditOptions, *, show: bool, executor: Executor | None = None
) -> AuditReport:
    if not show:
        return audit_paths(paths, options, executor=executor)
    from chainllm.cli.progress import StageBar

    total = len(collect_inputs(paths))
    if total == 0:
        raise BadInputError("nothing to audit")
    with StageBar() as bar:
        bar.stage("auditing", total)

        def step(r: FileAudit) -> None:
            bar.advance()

        return audit_paths(paths, options, on_result=step, executor=executor)
