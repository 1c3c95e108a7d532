"""A small process pool where every task has a deadline.

``concurrent.futures`` cannot stop one hung task without tearing down the pool; here a
worker that overruns its deadline (or dies) is killed and replaced, its task reported as
failed, and the other tasks carry on. Workers are long-lived ``python -m
chainllm.audit.pool`` processes, so Slither's import cost (~1 s) is paid once per worker,
and the caller's ``__main__`` is never re-imported (unlike multiprocessing's spawn).
Frames are length-prefixed pickles between our own processes only.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import selectors
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

_HEADER = struct.Struct("!I")


def _send(stream: IO[bytes], obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _recv(stream: IO[bytes]) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)  # frames come only from our own worker processes


@dataclass(eq=False)  # identity semantics: workers go in sets
class _Worker:
    proc: subprocess.Popen[bytes]
    task_index: int | None = None
    deadline: float = 0.0


@dataclass(frozen=True)
class Outcome:
    index: int
    ok: bool
    value: Any = None
    error: str | None = None


class DeadlinePool:
    """``handler`` and ``warmup`` are "module:function" names resolved inside the workers."""

    def __init__(self, handler: str, size: int, *, warmup: str | None = None) -> None:
        self._handler = handler
        self._warmup = warmup or ""
        self._workers = [self._spawn() for _ in range(max(1, size))]

    def _spawn(self) -> _Worker:
        proc = subprocess.Popen(
            [sys.executable, "-m", "chainllm.audit.pool", self._handler, self._warmup],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        return _Worker(proc)

    def _replace(self, w: _Worker) -> None:
        if w.proc.poll() is None:
            w.proc.kill()
        w.proc.wait(5)
        for s in (w.proc.stdin, w.proc.stdout):
            if s:
                s.close()
        self._workers[self._workers.index(w)] = self._spawn()

    def run(self, tasks: list[Any], timeout: float) -> Iterator[Outcome]:
        """Yield an Outcome per task as they finish (not in order)."""
        pending = list(enumerate(tasks))[::-1]
        busy: list[_Worker] = []
        while pending or busy:
            for w in self._workers:
                if w.task_index is None and w not in busy and pending:
                    next_index, task = pending.pop()
                    w.task_index, w.deadline = next_index, time.monotonic() + timeout
                    assert w.proc.stdin is not None
                    with contextlib.suppress(
                        BrokenPipeError, OSError
                    ):  # the read below reports a dead worker
                        _send(w.proc.stdin, task)
                    busy.append(w)
            sel = selectors.DefaultSelector()
            for w in busy:
                assert w.proc.stdout is not None
                sel.register(w.proc.stdout, selectors.EVENT_READ, w)
            wait_for = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = {key.data for key, _ in sel.select(timeout=wait_for)}
            sel.close()
            now = time.monotonic()
            for w in list(busy):
                assert w.task_index is not None
                idx: int = w.task_index
                if w in ready:
                    busy.remove(w)
                    try:
                        assert w.proc.stdout is not None
                        status, payload = _recv(w.proc.stdout)
                    except (EOFError, OSError, pickle.UnpicklingError):
                        code = w.proc.poll()
                        self._replace(w)
                        yield Outcome(idx, False, error=f"analysis process died (exit code {code})")
                        continue
                    w.task_index = None
                    if status == "ok":
                        yield Outcome(idx, True, payload)
                    else:
                        yield Outcome(idx, False, error=payload)
                elif now >= w.deadline:
                    busy.remove(w)
                    self._replace(w)
                    yield Outcome(idx, False, error=f"timed out after {timeout:.0f} s")

    def close(self) -> None:
        for w in self._workers:
            try:
                if w.proc.stdin:
                    _send(w.proc.stdin, None)
                    w.proc.stdin.close()
            except (BrokenPipeError, OSError):
                pass
        for w in self._workers:
            try:
                w.proc.wait(3)
            except subprocess.TimeoutExpired:
                w.proc.kill()
                w.proc.wait(3)
            if w.proc.stdout:
                w.proc.stdout.close()

    def __enter__(self) -> DeadlinePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _resolve(name: str) -> Any:
    module, attr = name.split(":")
    return getattr(importlib.import_module(module), attr)


def _worker_main(handler_name: str, warmup_name: str) -> None:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    # Anything a library prints must not corrupt the frame stream: send it to stderr.
    sys.stdout = sys.stderr
    handler = _resolve(handler_name)
    if warmup_name:
        _resolve(warmup_name)()
    while True:
        try:
            task = _recv(stdin)
        except (EOFError, KeyboardInterrupt):
            return
        if task is None:
            return
        try:
            result = ("ok", handler(task))
        except Exception as exc:  # reported per task; the worker stays usable
            result = ("error", f"{type(exc).__name__}: {exc}")
        _send(stdout, result)


if __name__ == "__main__":
    _worker_main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "")
