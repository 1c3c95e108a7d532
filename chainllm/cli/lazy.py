"""Command groups whose subcommands live in separate modules, imported on demand."""

from __future__ import annotations

import importlib

import click


class LazySubgroup(click.Group):
    """``subcommands`` maps name -> "module:attribute"; missing modules are hidden."""

    def __init__(self, *args: object, subcommands: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.subcommands = subcommands

    def _load(self, name: str) -> click.Command | None:
        module_name, attr = self.subcommands[name].split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise
        cmd = getattr(module, attr)
        assert isinstance(cmd, click.Command)
        return cmd

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [n for n in self.subcommands if self._load(n) is not None]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._load(cmd_name) if cmd_name in self.subcommands else None
