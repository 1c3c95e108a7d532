"""`chainllm eval generate`: the prompt suite through the generate loop, with honest rates."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from chainllm.cli.generate import backend_options, build_backend
from chainllm.cli.options import json_option
from chainllm.generate.evaluate import DEFINITIONS, EntryResult, default_suites, evaluate, load_suite
from chainllm.generate.loop import GenerateOptions
from chainllm.io import atomic_write
from chainllm.types import Severity


@click.command()
@click.option(
    "--suite",
    "suites",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSONL suite (repeatable). Default: prompts/generate_suite.jsonl and prompts/wizard_options.jsonl.",
)
@backend_options
@click.option("-k", "k", type=int, default=3, show_default=True, help="Candidates per request.")
@click.option("--rounds", type=int, default=2, show_default=True, help="Repair rounds.")
@click.option("--only", default="", help="Run only entries whose id contains this text.")
@click.option("--limit", type=int, default=0, help="Run at most this many entries (0: all).")
@click.option(
    "--no-cache", is_flag=True, help="Audit every candidate afresh (honest timings on a warm cache)."
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Also write the JSON report here."
)
@click.option(
    "--no-behaviour", is_flag=True, help="Skip the behaviour checks on anvil (reported as not passed)."
)
@click.option(
    "--rpc", help="anvil URL for behaviour checks (default: the running local one, else a private one)."
)
@json_option
def generate(
    suites: tuple[Path, ...],
    backend: str,
    base: str,
    adapter: str | None,
    base_url: str | None,
    model: str | None,
    threads: int | None,
    no_library: bool,
    retrieval: bool,
    fill: str,
    k: int,
    rounds: int,
    only: str,
    limit: int,
    no_cache: bool,
    out: Path | None,
    no_behaviour: bool,
    rpc: str | None,
    as_json: bool,
) -> None:
    """Run the generation prompt suite: compile@1, compile@k, share free of High/Medium
    findings, share passing every expected behaviour check on anvil, requests refused, seconds
    per contract and the share the model wrote; overall, per difficulty and per kind.

    \b
    Examples:
      chainllm eval generate
      chainllm eval generate --backend template --only erc721 --json
      chainllm eval generate --backend template --suite prompts/heldout_requests.jsonl
      chainllm eval generate --backend openai --base-url http://127.0.0.1:8000/v1 --model my-lora -k 5
    """
    entries = load_suite(list(suites) or default_suites())
    if only:
        entries = [e for e in entries if only in e.id]
    if limit:
        entries = entries[:limit]
    if not entries:
        raise click.BadParameter("no suite entries selected", param_hint="--only/--limit")
    be = build_backend(backend, base=base, adapter=adapter, base_url=base_url, model=model, threads=threads)
    opts = GenerateOptions(
        k=k,
        rounds=rounds,
        fail_on=Severity.MEDIUM,
        use_cache=not no_cache,
        library=not no_library,
        behaviour=not no_behaviour,
        rpc=rpc,
        fill=fill,
        retrieval=retrieval,
    )
    show = not as_json and sys.stderr.isatty()

    def line(r: EntryResult) -> None:
        if as_json:
            return
        mark = {"ok": "ok", "partial": "partial", "failed": "FAIL", "error": "ERROR"}[r.status]
        if r.status == "ok" and not r.ok:
            mark = "WRONG"  # ok by the loop, but not the kind the entry expects
        if r.named_unmet:
            mark = "honest" if r.status != "ok" and r.unmet else "WRONG"
        extra = f" ({r.error})" if r.error else (f" worst {r.worst}" if r.worst else "")
        if r.checks_failed or r.checks_missing:
            extra += f" behaviour not passed: {', '.join(r.checks_failed + r.checks_missing)}"
        if r.unmet:
            extra += f" unmet: {'; '.join(r.unmet)}"
        click.echo(f"{mark:7} {r.id:48} {r.seconds:6.1f} s{extra}", err=True)

    if show:
        from chainllm.cli.progress import StageBar

        with StageBar() as bar:
            bar.stage("generating", len(entries))

            def step(r: EntryResult) -> None:
                bar.advance()
                line(r)

            report = evaluate(entries, be, opts, on_result=step)
    else:
        report = evaluate(entries, be, opts, on_result=line)
    data = report.to_dict()
    if out is not None:
        atomic_write(out, json.dumps(data, indent=2) + "\n")
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    m = data["metrics"]
    click.echo(
        f"backend: {report.backend}  k={report.k} rounds={report.rounds}  audit cache: {'on' if report.cached_audits else 'off'}"
    )
    click.echo(
        f"{'group':20} {'n':>4} {'compile@1':>10} {'no H/M':>7} {'behav.':>7} {'met':>6} {'ok':>6} {'kind':>6} {'refused':>8} {'model':>6} {'s/contract':>11}"
    )
    rows = [("overall", m["overall"]), *m["by_difficulty"].items(), *m["by_kind"].items()]
    for name, r in rows:
        spec = "-" if r["spec_match"] is None else f"{r['spec_match']:.0%}"
        click.echo(
            f"{name:20} {r['n']:>4} {r['compile@1']:>10.1%} {r['free_high_medium']:>7.1%} {r['behaviour']:>7.1%} {r['met']:>6.0%} {r['ok']:>6.0%} {spec:>6} {r['refused']:>8} {r['model_share']:>6.0%} {r['seconds_per_contract']:>11.1f}"
        )
    o = m["out_of_catalogue"]
    if o["n"]:
        click.echo(
            f"out of catalogue: {o['n']} request(s), {o['named_unmet']} answered with the unmet requirements named, "
            f"{len(o['wrongly_ok'])} wrongly ok{(' (' + ', '.join(o['wrongly_ok']) + ')') if o['wrongly_ok'] else ''}, {o['refused']} refused"
        )
    for key, text in DEFINITIONS.items():
        click.echo(f"  {key}: {text}")
