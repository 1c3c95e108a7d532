"""`chainllm train fraud`: train the fraud scorers on a labelled transaction set."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console

from chainllm.cli.options import json_option, rpc_option
from chainllm.cli.progress import StageBar


@click.command(name="fraud")
@click.option("--labels", "labels", multiple=True, required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Label set folder(s) (chainllm simulate / labels import).")  # fmt: skip
@click.option("--chain-data", type=click.Path(file_okay=False, path_type=Path),
              help="A `chainllm crawl txs` folder: features from its Parquet tables, no RPC needed.")  # fmt: skip
@rpc_option
@click.option(
    "--name", default="default", show_default=True, help="Model name: <data dir>/models/fraud-<name>."
)
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="Model folder (overrides --name)."
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed (also picks the held-out implementations)."
)
@click.option(
    "--llm/--no-llm", default=True, show_default=True, help="Also fine-tune the LoRA sequence classifier."
)
@click.option(
    "--llm-base",
    default="smollm2-135m",
    show_default=True,
    help="Base model: smollm2-135m, tiny, a folder or hub id.",
)
@click.option("--llm-epochs", type=int, default=2, show_default=True)
@click.option(
    "--llm-max-rows", type=int, default=1500, show_default=True, help="Cap on LLM training rows (CPU time)."
)
@click.option("--history-blocks", type=click.IntRange(0, 10_000), default=32, show_default=True)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 600),
    default=30.0,
    show_default=True,
    help="Seconds per RPC request.",
)
@click.option("--overwrite", is_flag=True, help="Replace an existing model folder.")
@json_option
def fraud(
    labels: tuple[Path, ...],
    chain_data: Path | None,
    rpc: tuple[str, ...],
    name: str,
    out: Path | None,
    seed: int,
    llm: bool,
    llm_base: str,
    llm_epochs: int,
    llm_max_rows: int,
    history_blocks: int,
    timeout: float,
    overwrite: bool,
    as_json: bool,
) -> None:
    """Train rules + LightGBM (+ a LoRA classifier) and a calibrated combiner on labelled
    transactions, evaluate on held-out scam implementations and later blocks, and write the
    model folder with its evaluation report (eval.md, eval.json) and model card.

    \b
    Features come from a crawl's Parquet tables with --chain-data (no node needed), else
    from the node at --rpc. Labelled hashes missing from the source, label sets that
    contradict each other and thin coverage (no traces, gaps) are counted and reported.

    \b
    Example:
      chainllm simulate --seed 1 --txs 600 --out sim-1
      chainllm crawl txs --traces --out chain-1
      chainllm train fraud --chain-data chain-1 --labels sim-1 --no-llm
      chainllm train fraud --labels sim-1 --rpc http://127.0.0.1:8545 --no-llm
    """
    from chainllm.chain.connect import resolve_rpc
    from chainllm.fraud.training import FraudTrainConfig, train_fraud

    # with a crawl, no node is asked anything
    urls = () if chain_data is not None else resolve_rpc(rpc)
    cfg = FraudTrainConfig(
        labels=labels, rpc=urls, chain_data=chain_data, name=name, out=out, seed=seed, llm=llm, llm_base=llm_base,
        llm_epochs=llm_epochs, llm_max_rows=llm_max_rows, history_blocks=history_blocks, timeout=timeout,
        overwrite=overwrite,
    )  # fmt: skip
    err = Console(stderr=True)
    with StageBar(enabled=not as_json, console=err) as bar:
        current: list[str] = []

        def progress(stage: str, done: int, total: int) -> None:
            if current != [stage]:
                current[:] = [stage]
                bar.stage({"fetch": "fetching", "llm": "LoRA steps"}.get(stage, stage), total)
            bar.update(done, total)

        outcome = train_fraud(cfg, progress=progress)
    imp = outcome.report["splits"][0]["scorers"]
    best = imp.get("combined_llm") or imp["combined"]
    summary = {
        "model": str(outcome.folder),
        "rows": outcome.rows,
        "missing_hashes": outcome.missing,
        "label_conflicts": outcome.dataset.conflicts if outcome.dataset else 0,
        "source": outcome.dataset.source if outcome.dataset else "rpc",
        "data_notes": outcome.dataset.problems() if outcome.dataset else [],
        "held_out_roc_auc": best["roc_auc"],
        # harm transactions vs benign: set-up rows (deploys, funding) are not learnt
        "held_out_roc_auc_harm": best.get("roc_auc_harm"),
        "held_out_pr_auc": best["pr_auc"],
        "held_out_f1": best["f1"],
        "threshold": best["threshold"],
        "report": str(outcome.folder / "eval.md"),
    }
    for line in summary["data_notes"]:
        err.print(f"warning: {line}", soft_wrap=True)
    if as_json:
        click.echo(json.dumps(summary, indent=2, sort_keys=True))
        return
    for split in outcome.report["splits"]:
        for scorer, m in split["scorers"].items():
            err.print(
                f"{split['name']:>14} {scorer:>13}: ROC-AUC {m['roc_auc']} (harm vs benign "
                f"{m.get('roc_auc_harm')})  PR-AUC {m['pr_auc']}  F1 {m['f1']}"
            )
    click.echo(f"model written to {outcome.folder} (report: {outcome.folder / 'eval.md'})")
