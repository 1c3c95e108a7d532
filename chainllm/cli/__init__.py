"""The ``chainllm`` command. Each command lives in its own module and is imported lazily,
so ``chainllm --help`` stays fast and one broken optional dependency cannot break the rest.
Library errors become exit codes here and nowhere else.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from chainllm import __version__
from chainllm.cli import jsonerror
from chainllm.errors import ChainLLMError

# command name -> "module:attribute". Order is the order of `chainllm --help`.
COMMANDS: dict[str, str] = {
    "audit": "chainllm.cli.audit:audit",
    "generate": "chainllm.cli.generate:generate",
    "score": "chainllm.cli.score:score",
    "crawl": "chainllm.cli.crawl:crawl",
    "corpus": "chainllm.cli.corpus:corpus",
    "simulate": "chainllm.cli.simulate:simulate",
    "labels": "chainllm.cli.labels:labels",
    "train": "chainllm.cli.train:train",
    "eval": "chainllm.cli.eval:eval_",
    "publish": "chainllm.cli.provenance:publish",
    "verify": "chainllm.cli.provenance:verify",
    "pull": "chainllm.cli.provenance:pull",
    "registry": "chainllm.cli.provenance:registry",
    "services": "chainllm.cli.services:services",
    "cluster": "chainllm.cli.cluster:cluster",
    "toolchain": "chainllm.cli.toolchain:toolchain",
    "serve": "chainllm.cli.serve:serve",
    "demo": "chainllm.cli.demo:demo",
}


def _load(name: str) -> click.Command | None:
    module_name, attr = COMMANDS[name].split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:  # command not built yet: hide it, don't crash
            return None
        raise
    cmd = getattr(module, attr)
    assert isinstance(cmd, click.Command)
    return cmd


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [n for n in COMMANDS if _load(n) is not None]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return _load(cmd_name) if cmd_name in COMMANDS else None

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[jsonerror.ARGV_KEY] = list(args)  # to know, on failure, whether --json was asked
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        as_json = jsonerror.wants_json(ctx.meta.get(jsonerror.ARGV_KEY, ()))
        try:
            return super().invoke(ctx)
        except ChainLLMError as exc:
            # One line, naming the input and the fix; the exit code comes from the error type.
            # Under --json the same error also goes to stdout in the one shape (cli/jsonerror.py).
            click.echo(f"error: {exc}", err=True)
            if as_json:
                jsonerror.print_failure(ctx, exc)
            ctx.exit(exc.exit_code)
        except click.ClickException as exc:
            if not as_json:
                raise
            exc.show()
            jsonerror.print_failure(ctx, exc)
            ctx.exit(exc.exit_code)
        except OSError as exc:
            full = jsonerror.disk_full(exc)
            if full is None:
                raise
            # A full disk (or a file size limit) is the user's to fix, not a crash: one line.
            click.echo(f"error: {full}", err=True)
            if as_json:
                jsonerror.print_failure(ctx, full)
            ctx.exit(full.exit_code)
        except KeyboardInterrupt:
            # Ctrl-C: exit 130 as shells expect (click would say "Aborted!" and exit 1). Each
            # long command keeps its own resume state; rerunning it continues.
            click.echo("interrupted", err=True)
            if as_json:
                jsonerror.print_failure(ctx, jsonerror.Interrupted("interrupted by the user (SIGINT)"))
            ctx.exit(130)


@click.group(
    cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, prog_name="chainllm")
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    envvar="CHAINLLM_VERBOSE",
    help="Also show third-party progress bars and warnings (Hugging Face, tqdm).",
)
def cli(verbose: bool) -> None:
    """chainllm: audited Solidity generation, transaction risk scoring, LoRA training and
    verifiable model provenance for Ethereum, offline by default."""
    from chainllm import progress

    if verbose:
        os.environ[progress.VERBOSE_ENV] = "1"  # `chainllm demo`'s subprocesses inherit it
    progress.quiet_library_output()


def main() -> None:
    try:
        cli(prog_name="chainllm")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
