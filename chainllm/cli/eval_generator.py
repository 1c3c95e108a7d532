"""`chainllm eval lm`: held-out perplexity and function compile rate, base vs adapter.

Named ``lm`` (it scores the language model) so it is not one letter from `chainllm eval
generate` (the generate pipeline on the prompt suite). ``eval generator``, its old name, stays
as a hidden alias for one release."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import click

from chainllm.cli.options import json_option


@click.command(name="lm")
@click.option(
    "--adapter",
    type=click.Path(path_type=Path),
    required=True,
    help="Adapter folder from `chainllm train generator`.",
)
@click.option("--base", default=None, help="Base model (default: the one the adapter records).")
@click.option(
    "--corpus",
    type=click.Path(path_type=Path),
    default=None,
    help="Corpus folder (default: corpus/build/default).",
)
@click.option("--split", type=click.Choice(["test", "validation"]), default="test", show_default=True)
@click.option(
    "--samples",
    type=int,
    default=8,
    show_default=True,
    help="Held-out functions to regenerate with each model and compile in their contract (0 = perplexity only).",
)
@click.option(
    "--max-new-tokens", type=int, default=256, show_default=True, help="Generation budget per function."
)
@click.option(
    "--max-blocks", type=int, default=32, show_default=True, help="Held-out blocks to score (0 = all)."
)
@click.option("--allow-pickle", is_flag=True, help="Allow pickle weight files (unsafe).")
@json_option
def lm(
    adapter: Path,
    base: str | None,
    corpus: Path | None,
    split: str,
    samples: int,
    max_new_tokens: int,
    max_blocks: int,
    allow_pickle: bool,
    as_json: bool,
) -> None:
    """Compare base and adapter: perplexity on held-out code, and the compile rate of held-out
    functions each model regenerates from their request, compiled inside their original contract.

    Example:

    \b
        chainllm eval lm --adapter adapters/gen --corpus corpus/build/default --samples 8
    """
    from chainllm.model.evaluate import evaluate_generator

    # Library progress bars are off unless -v (chainllm.progress.quiet_library_output, at startup).
    report = evaluate_generator(
        adapter, base=base, corpus=corpus, split=split, samples=samples, max_new_tokens=max_new_tokens,
        max_blocks=max_blocks, allow_pickle=allow_pickle,
        log=lambda m: click.echo(m, err=True),
    )  # fmt: skip
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
        return
    click.echo(f"{split} split: {report.files} files, {report.tokens} answer tokens scored")
    click.echo(
        f"perplexity: base {report.base_perplexity:.3f} -> adapter {report.adapter_perplexity:.3f} "
        f"({report.perplexity_drop_pct:+.1f}% drop)"
    )
    if report.samples:
        n = len(report.samples)
        ok = sum(s.compiled for s in report.samples)
        ok_base = sum(s.compiled for s in report.base_samples)
        click.echo(f"compile rate of {n} regenerated held-out functions in their contracts: "
                   f"base {ok_base}/{n} -> adapter {ok}/{n} ({report.generation_tokens_per_s} tokens/s generation)")  # fmt: skip
        for s in report.samples:
            if not s.compiled:
                click.echo(f"  - adapter, {s.source} {s.function}: {s.reason}", err=True)
    elif samples:
        click.echo("compile rate: no held-out contract compiles as laid out, nothing to regenerate", err=True)


# The old name, for one release: hidden from --help and the docs, says it is deprecated.
generator = copy.copy(lm)
generator.name = "generator"
generator.hidden = True
generator.deprecated = "use `chainllm eval lm`"
