"""Render the CLI reference (docs/cli.md) from the commands' own --help.

python -m chainllm.cli.reference > docs/cli.md
"""

from __future__ import annotations

from collections.abc import Iterator

import click

from chainllm.cli import cli


def walk(
    cmd: click.Command, path: tuple[str, ...] = ("chainllm",)
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, cmd
    if isinstance(cmd, click.Group):
        ctx = click.Context(cmd, info_name=path[-1])
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from walk(sub, (*path, name))


def help_text(path: tuple[str, ...], cmd: click.Command) -> str:
    ctx = click.Context(cmd, info_name=" ".join(path), terminal_width=100, max_content_width=100)
    return cmd.get_help(ctx)


def option_names(cmd: click.Command) -> list[str]:
    names: list[str] = []
    for p in cmd.params:
        if isinstance(p, click.Option):
            names += [o for o in p.opts if o.startswith("--")]
    return names


def render_reference() -> str:
    out = [
        "# chainllm CLI reference",
        "",
        "Generated from each command's `--help` by `python -m chainllm.cli.reference > docs/cli.md`;",
        "a test fails when a command or option is missing here.",
        "",
    ]
    for path, cmd in walk(cli):
        out += [f"## `{' '.join(path)}`", "", "```text", help_text(path, cmd).rstrip(), "```", ""]
    return "\n".join(out)


if __name__ == "__main__":
    click.echo(render_reference(), nl=False)
