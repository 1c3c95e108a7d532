"""The one CLI renderer of ``chainllm.progress.Progress``, on stderr.

On a terminal: a rich bar (stage name, bar, count or bytes, elapsed) that appears only once
there is something to show, so an early error prints as one clean line, and is removed when
the job ends. Not on a terminal (logs, CI): one plain line per stage, no bar. Disabled (the
``--json`` runs): nothing at all.
"""

from __future__ import annotations

import contextlib
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)

from chainllm import progress as _progress


class StageBar:
    """A ``chainllm.progress.Progress`` for the terminal. ``units="bytes"`` shows sizes and
    speed instead of a count; ``lines=False`` keeps non-terminal output empty (for commands
    whose stderr is parsed)."""

    def __init__(
        self,
        *,
        enabled: bool = True,
        units: str = "items",
        lines: bool = True,
        console: Console | None = None,
    ) -> None:
        self.enabled = enabled
        self.units = units
        self.lines = lines
        self.console = console or Console(stderr=True, highlight=False)
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._name: str | None = None
        self._total: int | None = None
        self._scope = contextlib.ExitStack()

    # -- the protocol -------------------------------------------------------------------------
    def stage(self, name: str, total: int | None = None) -> None:
        if not self.enabled:
            return
        self._name, self._total = name, total
        if self._bar is not None and self._task is not None:
            self._bar.remove_task(self._task)
            self._task = None
        if not self.console.is_terminal and self.lines:
            self.console.print(f"{name} ...", soft_wrap=True)

    def update(self, done: int, total: int | None = None) -> None:
        if not self.enabled or not self.console.is_terminal:
            return
        task = self._ensure(total)
        assert self._bar is not None
        self._bar.update(task, completed=done, total=total if total is not None else self._total)

    def advance(self, n: int = 1) -> None:
        if not self.enabled or not self.console.is_terminal:
            return
        task = self._ensure(None)
        assert self._bar is not None
        self._bar.advance(task, n)

    def message(self, text: str) -> None:
        if not self.enabled:
            return
        out = self._bar.console if self._bar is not None else self.console
        out.print(text, soft_wrap=True)

    def info(self, text: str) -> None:
        """A short status shown after the count on the terminal bar (loss, speed, ETA)."""
        if not self.enabled or not self.console.is_terminal:
            return
        task = self._ensure(None)
        assert self._bar is not None
        self._bar.update(task, info=text)

    # -- plumbing -----------------------------------------------------------------------------
    def _ensure(self, total: int | None) -> TaskID:
        if self._bar is None:
            cols: tuple[ProgressColumn, ...] = (TextColumn("{task.description}"), BarColumn())
            if self.units == "bytes":
                cols += (DownloadColumn(), TransferSpeedColumn())
            else:
                cols += (MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.fields[info]}"))
            self._bar = Progress(*cols, console=self.console, transient=True)
            self._bar.start()
        if self._task is None:
            self._total = total if total is not None else self._total
            self._task = self._bar.add_task(self._name or "working", total=self._total, info="")
        return self._task

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
            self._task = None

    def __enter__(self) -> StageBar:
        # Deep library code (a base model built on first use) reports to this bar too.
        self._scope.enter_context(_progress.using(self))
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
        self._scope.close()


class LazyBar(StageBar):
    """One labelled bar fed ``update(done, total)`` (crawl txs, simulate): the stage starts on
    the first update, so nothing is drawn before there is progress."""

    def __init__(self, label: str, total: int | None = None, *, enabled: bool = True) -> None:
        super().__init__(enabled=enabled, lines=False)
        self.label = label
        self.total = total

    def update(self, done: int, total: int | None = None) -> None:
        if self._name is None:
            self.stage(self.label, total or self.total)
        super().update(done, total or self.total)
