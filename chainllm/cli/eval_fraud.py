"""`chainllm eval fraud`: score a labelled set with a trained fraud model and report metrics."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console

from chainllm.cli.options import json_option, rpc_option


@click.command(name="fraud")
@click.option("--model", "model_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Model folder (default: the latest `chainllm train fraud` output).")  # fmt: skip
@click.option("--labels", "labels", multiple=True, required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Label set folder(s) to evaluate on (e.g. another simulator seed).")  # fmt: skip
@rpc_option
@click.option("--llm/--no-llm", default=True, show_default=True)
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="Write eval.json + eval.md here."
)
@click.option("--timeout", type=click.FloatRange(0.1, 600), default=30.0, show_default=True)
@json_option
def fraud(
    model_dir: Path | None, labels: tuple[Path, ...], rpc: tuple[str, ...], llm: bool, out: Path | None,
    timeout: float, as_json: bool,
) -> None:  # fmt: skip
    """Evaluate a trained fraud model on labelled transactions (ROC-AUC, PR-AUC, F1 at the
    model's threshold, recall per category) without refitting anything. The held-out
    evaluation made at training time is in the model folder (eval.md).

    \b
    Example:
      chainllm eval fraud --labels ~/.local/share/chainllm/labels/sim-2 --out reports/fraud-sim2
    """
    from chainllm.chain.connect import resolve_rpc
    from chainllm.errors import BadInputError
    from chainllm.fraud.evaluate import markdown
    from chainllm.fraud.model import canonical_json, latest_model

    folder = model_dir or latest_model()
    if folder is None:
        raise BadInputError(
            "no trained fraud model found", hint="train one with `chainllm train fraud` or pass --model"
        )
    for d in labels:
        if not (d / "tx_labels.parquet").is_file():
            raise BadInputError(f"--labels {d} has no tx_labels.parquet", hint="pass a label set folder")
    from chainllm.fraud.training import evaluate_model

    report = evaluate_model(folder, labels, resolve_rpc(rpc), use_llm=llm, timeout=timeout)
    md = markdown(report)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for name, text in (("eval.json", canonical_json(report)), ("eval.md", md)):
            tmp = out / f".{name}.tmp"
            tmp.write_text(text)
            tmp.replace(out / name)
    if as_json:
        click.echo(json.dumps(report, indent=2, sort_keys=True))
    else:
        Console(stderr=True).print(f"model {folder}")
        click.echo(md)
