"""`chainllm corpus`: inspect a built Solidity corpus."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from chainllm.cli.options import json_option


@click.group(name="corpus")
def corpus() -> None:
    """Inspect Solidity corpora built by `chainllm crawl sources`."""


@corpus.command(name="stats")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@json_option
def stats(path: Path | None, as_json: bool) -> None:
    """Print a corpus card's numbers: sources, licences, dedup and split statistics, content hash.

    Example:

        chainllm corpus stats corpus/build/default --json
    """
    from chainllm.corpus.build import read_card
    from chainllm.corpus.paths import default_out

    card = read_card(path or default_out())
    if as_json:
        click.echo(json.dumps(card, indent=1))
        return
    console = Console()
    c, d = card["counts"], card["dedup"]
    summary = Table(title=f"corpus {card['name']}", show_header=False)
    summary.add_row("content_sha256", card["content_sha256"])
    summary.add_row("rows / bytes", f"{card['rows']} / {card['bytes']}")
    summary.add_row("splits", ", ".join(f"{k} {v}" for k, v in card["splits"].items()))
    summary.add_row("files seen", str(c["files_seen"]))
    summary.add_row("unreadable", ", ".join(f"{k} {v}" for k, v in c["unreadable"].items()) or "0")
    summary.add_row(
        "licence-excluded", ", ".join(f"{k} {v}" for k, v in c["license_excluded"].items()) or "0"
    )
    summary.add_row("exact duplicates", str(c["exact_duplicates"]))
    summary.add_row(
        "near-dup clusters",
        f"{d['clusters']} clusters, {d['multi_file_clusters']} multi-file "
        f"({d['files_in_multi_file_clusters']} files, largest {d['largest_cluster']}), threshold {d['threshold']}",
    )
    summary.add_row("scrubbed", ", ".join(f"{k} {v}" for k, v in card["scrubbed"].items()) or "nothing")
    if card.get("compile_check"):
        cc = card["compile_check"]
        summary.add_row(
            "compile check", f"{cc['compiles']} compile, {cc['fails']} fail, {cc['no_compiler']} no compiler"
        )
    console.print(summary)
    lic = Table("licence", "files", title="licences kept")
    for k, v in card["licenses"].items():
        lic.add_row(k, str(v))
    console.print(lic)
    src = Table("source", "origin", "files", "kept", "skipped", title="sources")
    for s in card["sources"]:
        src.add_row(s["spec"], s["origin"], str(s["files"]), str(s["kept"]), str(s["skipped"]))
    console.print(src)
    for p in card.get("pending_sources", []):
        console.print(f"[yellow]pending[/] {p['spec']}: {p['error']}", highlight=False)


@corpus.command(name="verify")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@json_option
def verify(path: Path | None, as_json: bool) -> None:
    """Check that a corpus's shards still hash to the card's content_sha256 (exit 1 if not).

    Example:

        chainllm corpus verify corpus/build/default
    """
    from chainllm.corpus import verify as verify_corpus
    from chainllm.corpus.paths import default_out

    root = path or default_out()
    digest = verify_corpus(root)
    if as_json:
        click.echo(json.dumps({"path": str(root), "content_sha256": digest, "ok": True}))
    else:
        click.echo(f"ok {root}: content_sha256 {digest}")


def _build_alias() -> click.Command:
    """`chainllm corpus build` is `chainllm crawl sources` under the name other stages cite."""
    from chainllm.cli.crawl_sources import sources

    alias = click.Command(
        name="build",
        params=sources.params,
        callback=sources.callback,
        help=(sources.help or "").replace("chainllm crawl sources", "chainllm corpus build"),
        short_help="Crawl and build a Solidity corpus (same as `chainllm crawl sources`).",
    )
    return alias


corpus.add_command(_build_alias())
