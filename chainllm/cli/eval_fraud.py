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
@click.option("--chain-data", "chain_data", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="Features from a `chainllm crawl txs --traces` folder instead of RPC (with --by chain: "
                   "one per --labels, in the same order).")  # fmt: skip
@click.option("--by", "by", type=click.Choice(("implementation", "time", "chain")),
              help="Instead of scoring with a trained model: fit fresh scorers and test them on rows they "
                   "never saw, split by scam implementation, by time, or by chain (two or more --labels, one "
                   "per scenario family / chain, the i-th --rpc or --chain-data serving the i-th set; each "
                   "set tested on scorers trained on all the others).")  # fmt: skip
@click.option("--holdout", "holdout", multiple=True, type=click.IntRange(1),
              help="--by chain: test only the N-th --labels set (1-based; repeatable), training on the "
                   "others, e.g. train on families a+b and test on c with --holdout 3.")  # fmt: skip
@click.option("--learn-setup/--no-learn-setup", "learn_setup", default=False, show_default=True,
              help="--by: also learn set-up rows (stage 'setup': deploys, funding, launch liquidity) as "
                   "malicious. They are always evaluated and reported apart.")  # fmt: skip
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the fresh fits (--by).")
@click.option("--llm/--no-llm", default=True, show_default=True)
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="Write eval.json + eval.md here."
)
@click.option("--timeout", type=click.FloatRange(0.1, 600), default=30.0, show_default=True)
@json_option
def fraud(
    model_dir: Path | None, labels: tuple[Path, ...], rpc: tuple[str, ...], chain_data: tuple[Path, ...],
    by: str | None, holdout: tuple[int, ...], learn_setup: bool, seed: int, llm: bool, out: Path | None,
    timeout: float, as_json: bool,
) -> None:  # fmt: skip
    """Evaluate a trained fraud model on labelled transactions (ROC-AUC, PR-AUC, F1 at the
    model's threshold, recall per category) without refitting anything. The held-out
    evaluation made at training time is in the model folder (eval.md).

    \b
    Example:
      chainllm eval fraud --labels ~/.local/share/chainllm/labels/sim-2 --out reports/fraud-sim2
      chainllm eval fraud --by chain --labels sim-a --rpc http://127.0.0.1:8545 \\
          --labels sim-b --rpc http://127.0.0.1:8546 --out reports/cross-family
      chainllm eval fraud --by chain --labels sim-a --chain-data crawl-a \\
          --labels sim-b --chain-data crawl-b --labels sim-c --chain-data crawl-c --holdout 3

    Recall is reported on harm transactions (the ones that cause or are the loss) as the
    headline and on set-up transactions (deploys, funding, launch liquidity) apart.
    """
    from chainllm.chain.connect import resolve_rpc
    from chainllm.errors import BadInputError
    from chainllm.fraud.model import latest_model

    for d in labels:
        if not (d / "tx_labels.parquet").is_file():
            raise BadInputError(f"--labels {d} has no tx_labels.parquet", hint="pass a label set folder")
    for c in chain_data:
        if not (c / "_crawl_state.json").is_file():
            raise BadInputError(
                f"--chain-data {c} is not a crawl (no _crawl_state.json)",
                hint="run `chainllm crawl txs --traces`",
            )
    if chain_data and rpc:
        # CHAINLLM_RPC in the environment does not count: a crawl needs no node.
        src = click.get_current_context().get_parameter_source("rpc")
        if src is not click.core.ParameterSource.ENVIRONMENT:
            raise BadInputError(
                "give --chain-data or --rpc, not both", hint="features come from one kind of source"
            )
        rpc = ()
    if holdout and by != "chain":
        raise BadInputError("--holdout needs --by chain")
    if by is not None:
        from chainllm.fraud.training import evaluate_by

        if by == "chain" and len(rpc) > 1:
            rpcs: list[tuple[str, ...]] = [(u,) for u in rpc]
        else:
            rpcs = [] if chain_data else [resolve_rpc(rpc)]
        report = evaluate_by(
            by, labels, rpcs, seed=seed, timeout=timeout, chain_data=chain_data,
            holdout=[h - 1 for h in holdout], learn_setup=learn_setup,
        )  # fmt: skip
        _emit(report, out, as_json, f"fresh fits, split by {by}")
        return
    folder = model_dir or latest_model()
    if folder is None:
        raise BadInputError(
            "no trained fraud model found", hint="train one with `chainllm train fraud` or pass --model"
        )
    from chainllm.fraud.training import evaluate_model

    if len(chain_data) > 1:
        raise BadInputError("give one --chain-data with --model (the crawl of the labels' chain)")
    report = evaluate_model(
        folder, labels, () if chain_data else resolve_rpc(rpc), use_llm=llm, timeout=timeout,
        chain_data=chain_data[0] if chain_data else None,
    )  # fmt: skip
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
