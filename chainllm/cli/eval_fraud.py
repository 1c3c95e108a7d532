"""`chainllm eval fraud`: score a labelled set with a trained fraud model and report metrics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from chainllm.cli.options import json_option, rpc_option


@click.command(name="fraud")
@click.option("--model", "model_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Model folder (default: the latest `chainllm train fraud` output).")  # fmt: skip
@click.option("--labels", "labels", multiple=True, required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Label set folder(s) to evaluate on (e.g. another simulator seed).")  # fmt: skip
@rpc_option
@click.option("--by", "by", type=click.Choice(("implementation", "time", "chain")),
              help="Instead of scoring with a trained model: fit fresh scorers and test them on rows they "
                   "never saw, split by scam implementation, by time, or by chain (two --labels, one per "
                   "scenario family / chain, the i-th --rpc serving the i-th set; both directions).")  # fmt: skip
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the fresh fits (--by).")
@click.option("--llm/--no-llm", default=True, show_default=True)
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="Write eval.json + eval.md here."
)
@click.option("--timeout", type=click.FloatRange(0.1, 600), default=30.0, show_default=True)
@json_option
def fraud(
    model_dir: Path | None, labels: tuple[Path, ...], rpc: tuple[str, ...], by: str | None, seed: int, llm: bool,
    out: Path | None, timeout: float, as_json: bool,
) -> None:  # fmt: skip
    """Evaluate a trained fraud model on labelled transactions (ROC-AUC, PR-AUC, F1 at the
    model's threshold, recall per category) without refitting anything. The held-out
    evaluation made at training time is in the model folder (eval.md).

    \b
    Example:
      chainllm eval fraud --labels ~/.local/share/chainllm/labels/sim-2 --out reports/fraud-sim2
      chainllm eval fraud --by chain --labels sim-a --rpc http://127.0.0.1:8545 \\
          --labels sim-b --rpc http://127.0.0.1:8546 --out reports/cross-family
    """
    from chainllm.chain.connect import resolve_rpc
    from chainllm.errors import BadInputError
    from chainllm.fraud.model import latest_model

    for d in labels:
        if not (d / "tx_labels.parquet").is_file():
            raise BadInputError(f"--labels {d} has no tx_labels.parquet", hint="pass a label set folder")
    if by is not None:
        from chainllm.fraud.training import evaluate_by

        if by == "chain" and len(rpc) == 2:
            rpcs: list[tuple[str, ...]] = [(rpc[0],), (rpc[1],)]
        else:
            rpcs = [resolve_rpc(rpc)]
        report = evaluate_by(by, labels, rpcs, seed=seed, timeout=timeout)
        _emit(report, out, as_json, f"fresh fits, split by {by}")
        return
    folder = model_dir or latest_model()
    if folder is None:
        raise BadInputError(
            "no trained fraud model found", hint="train one with `chainllm train fraud` or pass --model"
        )
    from chainllm.fraud.training import evaluate_model

    report = evaluate_model(folder, labels, resolve_rpc(rpc), use_llm=llm, timeout=timeout)
    _emit(report, out, as_json, f"model {folder}")


def _emit(report: dict[str, Any], out: Path | None, as_json: bool, what: str) -> None:
    from chainllm.fraud.evaluate import markdown
    from chainllm.io import atomic_write, pretty_json

    md = markdown(report)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for name, text in (("eval.json", pretty_json(report)), ("eval.md", md)):
            atomic_write(out / name, text)
    if as_json:
        click.echo(json.dumps(report, indent=2, sort_keys=True))
    else:
        Console(stderr=True).print(what)
        click.echo(md)
