"""`chainllm train generator` renders through the one StageBar: the bar on a terminal carries
the step count, loss, tokens/s and ETA; log lines stay as before off a terminal."""

from __future__ import annotations

import io

from rich.console import Console

from chainllm import progress
from chainllm.cli.train_generator import _Progress
from chainllm.model.trainer import TrainEvent


def _events() -> list[TrainEvent]:
    return [
        TrainEvent("start", 0, 4, message="plan: 4 steps x 512 tokens"),
        TrainEvent("step", 1, 4, loss=2.5, tokens_per_s=900.0, eta_s=75.0),
        TrainEvent("step", 2, 4, loss=2.25, tokens_per_s=950.0, eta_s=61.0),
        TrainEvent("eval", 2, 4, loss=2.0, message="val loss 2.0000"),
    ]


def test_train_generator_progress_is_the_stage_bar_on_a_terminal() -> None:
    buf = io.StringIO()
    with _Progress(quiet=False) as p:
        p.bar.console = Console(file=buf, force_terminal=True, width=160, highlight=False, color_system=None)
        assert progress.current() is p.bar  # deep library stages report to the same bar
        for e in _events():
            p.event(e)
        bar = p.bar._bar
        assert bar is not None
        (task,) = bar.tasks
        assert (task.description, task.completed, task.total) == ("training", 2, 4)
        assert task.fields["info"] == "loss 2.250  950 tok/s  ETA 1:01"
        bar.refresh()
    out = buf.getvalue()
    assert "plan: 4 steps x 512 tokens" in out and "step 2: val loss 2.0000" in out
    assert "ETA 1:01" in out and "2/4" in out
    assert progress.current() is progress.NULL


def test_train_generator_progress_off_a_terminal_is_one_line_per_event() -> None:
    buf = io.StringIO()
    with _Progress(quiet=False) as p:
        p.bar.console = Console(file=buf, force_terminal=False)
        for e in _events():
            p.event(e)
    assert buf.getvalue().splitlines() == [
        "plan: 4 steps x 512 tokens",
        "training ...",
        "step 1/4  loss 2.500  900 tok/s  ETA 1:15",
        "step 2: val loss 2.0000",
    ]
