"""`chainllm score`: a calibrated risk score with reasons for transaction hashes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO

import click
from rich.console import Console
from rich.table import Table

from chainllm.cli.options import adapter_options, json_option, ray_option, rpc_option
from chainllm.errors import BadInputError, ChainLLMError

_COLOURS = {"benign": "green", "suspicious": "yellow", "malicious": "red", "not_analysed": "magenta"}


class NotAnalysedError(ChainLLMError):
    """Some hashes could not be scored (unknown, pending); the others were printed."""

    exit_code = 1


def _read_hashes(args: tuple[str, ...], hash_file: IO[str] | None) -> list[str]:
    hashes = list(args)
    if hash_file is not None:
        hashes += [ln.strip() for ln in hash_file if ln.strip() and not ln.lstrip().startswith("#")]
    elif not hashes and not sys.stdin.isatty():
        hashes += [ln.strip() for ln in sys.stdin if ln.strip()]
    if not hashes:
        raise BadInputError(
            "no transaction hash given",
            hint="pass 0xHASH arguments, --from-file FILE, or pipe hashes on stdin",
        )
    return hashes


@click.command(name="score")
@click.argument("hashes", nargs=-1)
@click.option(
    "--from-file",
    "hash_file",
    type=click.File("r"),
    help="Read hashes from a file, one per line ('-': stdin).",
)
@rpc_option
@click.option("--chain-data", type=click.Path(file_okay=False, path_type=Path),
              help="Score from a `chainllm crawl txs` folder (Parquet, no RPC): fast for batches.")  # fmt: skip
@click.option("--model", "model_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Model folder from `chainllm train fraud` (default: the latest trained).")  # fmt: skip
@adapter_options
@click.option("--labels", "labels", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="Label set folder(s) whose address labels to match (repeatable).")  # fmt: skip
@click.option(
    "--llm/--no-llm", default=True, show_default=True, help="Use the model's LoRA classifier when it has one."
)
@click.option("--trace/--no-trace", default=True, show_default=True, help="Ask the node for call traces.")
@click.option("--history-blocks", type=click.IntRange(0, 10_000), default=32, show_default=True,
              help="Blocks before the transaction searched for recent counterparties.")  # fmt: skip
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 600),
    default=10.0,
    show_default=True,
    help="Seconds per RPC request.",
)
@click.option(
    "--cache/--no-cache", default=True, show_default=True, help="Reuse fetched chain data (disk cache)."
)
@ray_option
@click.option("--ray-out", metavar="PATH|URL",
              help="With --ray: where each hash batch's results are written (a folder or fsspec URL every "
              "node can write; default: under the data dir, keyed by the inputs). Reruns skip finished batches.")  # fmt: skip
@json_option
def score(
    hashes: tuple[str, ...],
    hash_file: IO[str] | None,
    rpc: tuple[str, ...],
    chain_data: Path | None,
    model_dir: Path | None,
    adapter_ref: str | None,
    ipfs_url: str | None,
    registry_addr: str | None,
    registry_rpc: str | None,
    chain_id: int | None,
    publisher: str | None,
    labels: tuple[Path, ...],
    llm: bool,
    trace: bool,
    history_blocks: int,
    timeout: float,
    cache: bool,
    ray_address: str | None,
    ray_out: str | None,
    as_json: bool,
) -> None:
    """Score transactions 0-1 with a verdict (benign / suspicious / malicious), a confidence
    (share of the evidence analysed), reasons, asset movements and label matches.

    Hashes that cannot be scored (unknown, pending) are reported as "not_analysed" (never
    "safe") and make the exit code 1. `--json` prints one JSON object per line.

    \b
    Example:
      chainllm score 0x5c50…e1 --rpc http://127.0.0.1:8545
      chainllm score --from-file hashes.txt --json > scores.jsonl
      chainllm score --chain-data chain-1 --from-file hashes.txt --json > scores.jsonl
    """
    from chainllm.chain.connect import resolve_rpc
    from chainllm.fraud.model import FraudModel, latest_model
    from chainllm.fraud.scorer import LabelIndex, ScoreOptions, Scorer

    err = Console(stderr=True)
    wanted = _read_hashes(hashes, hash_file)
    from chainllm.fraud.fetch import parse_hash

    for h in wanted:
        parse_hash(h)  # a typo fails before any network traffic
    if adapter_ref and model_dir:
        raise BadInputError("pass --model DIR or --adapter CID|NAME[@VERSION], not both")
    # A crawl needs no node; --adapter still needs the registry's chain (--registry-rpc or --rpc).
    urls = resolve_rpc(rpc) if chain_data is None or (adapter_ref and not registry_rpc) else ()
    source = None
    if chain_data is not None:
        from chainllm.fraud.chain_data import ChainData

        source = ChainData(chain_data, history_blocks=history_blocks)
        for note in source.coverage_notes():
            err.print(f"warning: {note}", soft_wrap=True)
    if adapter_ref:
        from chainllm.provenance.adapters import fetch_adapter
        from chainllm.provenance.manifest import KIND_FRAUD

        # Verified (file hashes, directory CID, on-chain record, not revoked) or an error.
        folder: Path | None = fetch_adapter(
            adapter_ref, ipfs_url=ipfs_url, rpc=registry_rpc or urls, chain_id=chain_id,
            registry=registry_addr, publisher=publisher, kind=KIND_FRAUD,
        )  # fmt: skip
    else:
        folder = model_dir or latest_model()
    model = FraudModel.load(folder) if folder else None
    if model is None:
        err.print(
            "no trained fraud model found: scoring with rules only (train one with `chainllm train fraud`)"
        )
    opts = ScoreOptions(timeout=timeout, trace=trace, history_blocks=history_blocks, cache=cache, llm=llm)
    cid = folder.name if adapter_ref and folder else None  # the verified pull cache is named by CID
    if ray_address:  # hash batches on a Ray cluster, a warm scorer per worker (docs/scale.md)
        from chainllm.cli.chain_progress import LazyBar
        from chainllm.executor import make_executor
        from chainllm.executor.stages import risk_from_json, score_on_executor

        executor = make_executor(ray_address)
        with LazyBar("scoring batches", enabled=not as_json) as bar:
            rows, notes = score_on_executor(
                wanted, urls, folder, labels, opts, executor, model_cid=cid, chain_data=chain_data,
                out=ray_out, progress=bar.update,
            )  # fmt: skip
        results = [risk_from_json(d) for d in rows]
        # --json prints the workers' documents as they are (the same bytes as to_json's)
        printed = [json.dumps(d, sort_keys=True) for d in rows] if as_json else None
        for note in executor.report.retried + ([] if source else notes):
            err.print(f"warning: {note}", soft_wrap=True)
        model_info = model.describe(cid) if model is not None else {}
    else:
        scorer = Scorer(urls, model, labels=LabelIndex(labels), options=opts, model_cid=cid, source=source)
        try:
            results = scorer.score(wanted)
            if source is None:  # the crawl's notes were printed above
                for note in scorer.fetcher.coverage_notes():
                    err.print(f"warning: {note}", soft_wrap=True)
        finally:
            scorer.close()
        model_info = scorer.model_info
        printed = None
    out = Console(soft_wrap=True)
    if printed:
        click.echo("\n".join(printed))
    for r in results:
        if as_json:
            if printed is None:
                click.echo(json.dumps(r.to_json(), sort_keys=True))
            continue
        colour = _COLOURS[r.verdict]
        head = f"[bold]{r.tx_hash}[/bold]  [{colour}]{r.verdict}[/{colour}]"
        if r.score is not None:
            head += f"  score {r.score:.3f}  confidence {r.confidence:.2f}"
        out.print(head)
        t = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        t.add_column("severity")
        t.add_column("code")
        t.add_column("reason")
        for reason in r.reasons:
            t.add_row(reason.severity, reason.code, reason.message)
        out.print(t)
        for m in r.movements[:12]:
            sign = "" if m.amount.startswith("-") else "+"
            asset = m.asset + (f" #{m.token_id}" if m.token_id else "")
            out.print(f"  {m.address}  {sign}{m.amount} {asset} ({m.standard})")
        for lm in r.labels:
            out.print(f"  label: {lm.role} {lm.address} = {lm.label}/{lm.category} (source: {lm.source})")
        out.print("")
    info = model_info
    if info and not as_json and any(r.analysed for r in results):
        name = f"{info.get('name', '?')}@{info.get('version', '?')}"
        out.print(f"scored with model {name} ({'cid ' + cid if cid else info['folder']})")
    failed = [r for r in results if not r.analysed]
    if failed:
        raise NotAnalysedError(
            f"{len(failed)} of {len(results)} transaction(s) not analysed; first: {failed[0].error}"
        )
