"""`chainllm crawl sources`: gather, clean, deduplicate and split Solidity for training."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from chainllm.cli.jsonerror import add_failure_fields
from chainllm.cli.options import json_option, ray_option
from chainllm.cli.progress import StageBar
from chainllm.corpus.paths import DEFAULT_SOURCES, default_out, write_summary_card
from chainllm.errors import BadInputError, ServiceError


@click.command(name="sources")
@click.argument("specs", nargs=-1)
@click.option(
    "--sources-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"File with one source spec per line. Default (when no SPEC is given): {DEFAULT_SOURCES}.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder. Default: corpus/build/default.",
)
@click.option(
    "--licenses",
    multiple=True,
    help="Allowed SPDX ids (comma list, repeatable); 'permissive' is the default set, 'none'/'unknown' admit unlicensed files.",
)
@click.option(
    "--threshold", type=float, default=0.8, show_default=True, help="Near-duplicate Jaccard threshold."
)
@click.option(
    "--split", "split_ratios", default="90,5,5", show_default=True, help="train,validation,test ratios."
)
@click.option(
    "--seed", default="chainllm-corpus-v1", show_default=True, help="Seed of the per-cluster split hash."
)
@click.option(
    "--compile-check",
    is_flag=True,
    help="Compile kept files (solc/solcjs) and record `compiles` (a flag, never a filter).",
)
@click.option(
    "--compile-mode",
    type=click.Choice(["package", "file"]),
    default="package",
    show_default=True,
    help="package: a few solc runs per package, failures confirmed file by file; file: every file alone (slow).",
)
@click.option("--refresh", is_flag=True, help="Crawl again even sources already in the output's crawl cache.")
@click.option(
    "--workers", type=click.IntRange(1, 32), default=4, show_default=True, help="Sources fetched at once."
)
@ray_option
@json_option
def sources(
    specs: tuple[str, ...],
    sources_file: Path | None,
    out: Path | None,
    licenses: tuple[str, ...],
    threshold: float,
    split_ratios: str,
    seed: str,
    compile_check: bool,
    compile_mode: str,
    refresh: bool,
    workers: int,
    ray_address: str | None,
    as_json: bool,
) -> None:
    """Crawl Solidity SPECs into a deduplicated, licence-filtered dataset (Parquet + card).

    SPEC is npm:NAME[@RANGE], dir:PATH (or a bare path), git:URL[#REF],
    etherscan:CHAIN:0xADDRESS (needs ETHERSCAN_API_KEY) or sourcify:CHAIN:0xADDRESS.
    Re-running skips sources already crawled into --out and resumes after an interruption.

    Example:

        chainllm crawl sources npm:erc721a@4.x npm:@openzeppelin/contracts@5.x --out corpus/build/mini
    """
    from chainllm.corpus.build import BuildOptions, SourceOutcome, crawl_and_build
    from chainllm.corpus.licenses import LicensePolicy
    from chainllm.corpus.split import parse_ratios
    from chainllm.crawl.base import read_sources_file

    all_specs = list(specs)
    if sources_file is not None or not all_specs:
        all_specs += read_sources_file(sources_file or DEFAULT_SOURCES)
    options = BuildOptions(
        licenses=LicensePolicy.parse(licenses),
        threshold=threshold,
        ratios=parse_ratios(split_ratios),
        seed=seed,
        compile_check=compile_check,
        compile_mode=compile_mode,
        refresh=refresh,
        workers=workers,
    )
    out_dir = out or default_out()
    with StageBar(enabled=not as_json) as progress:
        progress.stage("crawling sources", len(dict.fromkeys(all_specs)))

        def on_source(o: SourceOutcome) -> None:
            progress.advance()
            if not as_json:
                mark = {
                    "crawled": "[green]crawled[/]",
                    "cached": "[dim]cached[/]",
                    "failed": "[red]failed[/]",
                }[o.status]
                detail = o.error if o.error else f"{o.origin}: {o.files} files, {o.skipped} skipped"
                progress.message(f"{mark} {o.spec} - {detail}")

        def on_stage(msg: str) -> None:
            progress.stage(msg)

        if ray_address:  # one source per partition on a Ray cluster; the build runs here (docs/scale.md)
            from chainllm.executor import make_executor
            from chainllm.executor.stages import crawl_sources_on_executor

            result = crawl_sources_on_executor(
                all_specs,
                out_dir,
                options,
                make_executor(ray_address),
                on_source=on_source,
                on_stage=on_stage,
            )
        else:
            result = crawl_and_build(all_specs, out_dir, options, on_source=on_source, on_stage=on_stage)
    if result.card is not None and out is None and sources_file is None and not specs:
        write_summary_card(result.card)
    if as_json:
        payload: dict[str, Any] = {
            "out": str(out_dir),
            "sources": [asdict(o) for o in result.outcomes],
            "card": result.card,
        }
    elif result.card is not None:
        _render(result.card, out_dir)
    failed = result.failed
    if as_json and failed:
        # One JSON document: the partial result, inside the one failure shape (cli/jsonerror.py).
        add_failure_fields(**payload)
    elif as_json:
        click.echo(json.dumps(payload, indent=1))
    if failed:
        # Each error already names its source and the fix; several get one summary line.
        error_type = BadInputError if all(o.bad_input for o in failed) else ServiceError
        first = failed[0].error or "failed"
        if len(failed) == 1:
            raise error_type(first)
        raise error_type(
            f"{len(failed)} of {len(result.outcomes)} sources failed; first: {first}",
            hint="rerun to resume; finished sources are kept",
        )


def _render(card: dict[str, Any], out: Path) -> None:
    c = card["counts"]
    t = Table(title=f"corpus {out}", show_header=False)
    t.add_row("rows", f"{card['rows']} ({', '.join(f'{k} {v}' for k, v in card['splits'].items())})")
    t.add_row("files seen", str(c["files_seen"]))
    t.add_row("licence-excluded", f"{c['license_excluded_total']} {c['license_excluded'] or ''}")
    t.add_row("exact duplicates", str(c["exact_duplicates"]))
    d = card["dedup"]
    t.add_row(
        "near-dup clusters",
        f"{d['multi_file_clusters']} multi-file ({d['files_in_multi_file_clusters']} files)",
    )
    t.add_row("scrubbed", ", ".join(f"{k} {v}" for k, v in card["scrubbed"].items()) or "nothing")
    t.add_row("content_sha256", card["content_sha256"])
    Console().print(t)
