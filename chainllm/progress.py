"""One progress protocol for long jobs, and one switch for third-party chatter.

Library code reports through a ``Progress``: ``stage(name, total)`` starts a named stage,
``update(done, total)`` sets the count (the ``(done, total)`` callback shape most stages
already take: pass ``progress.update``), ``advance(n)`` adds to it, ``message(text)`` is one
log line. The CLI renders it once (``chainllm.cli.progress.StageBar``: a rich bar on a TTY,
one line per stage otherwise, silent under ``--json``). Deep code that has no progress
argument (a base model converted on first use) reports to ``current()``, which the CLI sets
with ``using(...)``; without one it is a no-op.

``quiet_library_output()`` keeps Hugging Face / tqdm progress bars and library warnings out
of the terminal ("Loading weights", "Converting and de-quantizing GGUF tensors", "Writing
model shards"); ``chainllm -v`` (or CHAINLLM_VERBOSE=1) leaves them on.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import Protocol, runtime_checkable


@runtime_checkable
class Progress(Protocol):
    def stage(self, name: str, total: int | None = None) -> None:
        """Start the stage ``name`` (ending the previous one), with ``total`` units if known."""

    def update(self, done: int, total: int | None = None) -> None:
        """``done`` units of the current stage are finished (absolute, not a delta)."""

    def advance(self, n: int = 1) -> None:
        """``n`` more units of the current stage are finished."""

    def message(self, text: str) -> None:
        """One line of log for the user (stderr)."""


class NullProgress:
    """Reports nothing: the default when no caller asked for progress."""

    def stage(self, name: str, total: int | None = None) -> None:
        pass

    def update(self, done: int, total: int | None = None) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def message(self, text: str) -> None:
        pass


NULL = NullProgress()
_current: list[Progress] = []


def current() -> Progress:
    """The progress the CLI installed with ``using``, else ``NULL``."""
    return _current[-1] if _current else NULL


@contextlib.contextmanager
def using(progress: Progress) -> Iterator[Progress]:
    _current.append(progress)
    try:
        yield progress
    finally:
        _current.remove(progress)


def counter(progress: Progress | None, stage: str | None = None) -> Callable[[int, int], None] | None:
    """A ``(done, total)`` callback for library functions that take one, feeding ``progress``
    (starting ``stage`` on the first call when given)."""
    if progress is None:
        return None
    started = False

    def call(done: int, total: int) -> None:
        nonlocal started
        if stage is not None and not started:
            progress.stage(stage, total)
            started = True
        progress.update(done, total)

    return call


VERBOSE_ENV = "CHAINLLM_VERBOSE"
# Read by huggingface_hub (its bars and transformers' own), tqdm >= 4.66 (every bar, including
# the GGUF conversion's plain tqdm) and transformers' logger. Set before they are imported; the
# environment also carries them to the `chainllm` subprocesses `chainllm demo` runs.
_QUIET_ENV = {
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TQDM_DISABLE": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
}


def verbose() -> bool:
    return os.environ.get(VERBOSE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def quiet_library_output() -> None:
    """Hide third-party progress bars and warnings unless verbose (see module doc)."""
    if verbose():
        return
    for key, value in _QUIET_ENV.items():
        os.environ.setdefault(key, value)
    if "transformers" in sys.modules:  # imported already (library use): switch it off directly
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
