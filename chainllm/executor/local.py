"""The local executor: today's pools behind the executor seam.

``kind="process"``: the audit's ``DeadlinePool`` (long-lived worker processes, a deadline per
task, a dead or hung worker replaced); ``kind="thread"``: a thread pool for I/O-bound stages
(RPC fetches, downloads). Each worker builds its warm state once.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

from chainllm.audit.pool import DeadlinePool
from chainllm.errors import BadInputError
from chainllm.executor.base import (
    DEFAULT_RETRIES,
    ActorSpec,
    Partition,
    PartitionOutcome,
    Progress,
    RunReport,
    Worker,
)

_WORKERS: dict[ActorSpec | None, Worker] = {}  # per pool process: one warm state per spec


def _pool_call(task: tuple[str, ActorSpec | None, Any]) -> Any:
    """DeadlinePool handler: runs inside a worker process."""
    fn, actor, payload = task
    worker = _WORKERS.get(actor)
    if worker is None:
        worker = _WORKERS[actor] = Worker(actor)
    return worker.call(fn, payload)


class LocalExecutor:
    name = "local"

    def __init__(self, jobs: int = 0, *, kind: str = "process", retries: int = DEFAULT_RETRIES) -> None:
        if kind not in ("process", "thread"):
            raise ValueError(f"kind {kind!r}")
        self.jobs = jobs or os.cpu_count() or 1
        self.kind = kind
        self.retries = retries
        self.report = RunReport()

    def workers(self) -> int:
        return self.jobs

    def task_pool(self, handler: str, size: int, *, warmup: str | None = None) -> DeadlinePool:
        return DeadlinePool(handler, size, warmup=warmup)

    def check_writable(self, url: str) -> None:
        from chainllm.executor.store import probe_writable

        problem = probe_writable(url)
        if problem:
            raise BadInputError(f"{url}: cannot write partition outputs here ({problem})",
                                hint="pass an output location this machine can write")  # fmt: skip

    def close(self) -> None:
        pass

    def map_partitions(
        self,
        fn: str,
        partitions: Sequence[Partition[Any]],
        *,
        actor: ActorSpec | None = None,
        timeout: float | None = None,
        progress: Progress | None = None,
    ) -> Iterator[PartitionOutcome]:
        runner = self._processes if self.kind == "process" else self._threads
        for done, outcome in enumerate(runner(fn, partitions, actor, timeout), 1):
            self.report.note(outcome)
            if progress:
                progress(done, len(partitions))
            yield outcome

    def _final(
        self, i: int, part: Partition[Any], errors: list[str], ok: bool, value: Any = None
    ) -> PartitionOutcome | None:
        """The outcome to yield, or None when the partition gets another attempt."""
        if not ok and len(errors) <= self.retries:
            return None
        return PartitionOutcome(
            i, part.id, ok, value, None if ok else errors[-1], len(errors) + ok, tuple(errors)
        )

    def _processes(
        self, fn: str, parts: Sequence[Partition[Any]], actor: ActorSpec | None, timeout: float | None
    ) -> Iterator[PartitionOutcome]:
        if not parts:
            return
        errors: dict[int, list[str]] = {i: [] for i in range(len(parts))}
        todo = list(range(len(parts)))
        with DeadlinePool("chainllm.executor.local:_pool_call", min(self.jobs, len(parts))) as pool:
            while todo:
                again = []
                tasks = [(fn, actor, parts[i].payload) for i in todo]
                for o in pool.run(tasks, timeout or 7 * 86400.0):  # no deadline: a week
                    i = todo[o.index]
                    if not o.ok:
                        errors[i].append(str(o.error))
                    final = self._final(i, parts[i], errors[i], o.ok, o.value)
                    if final is None:
                        again.append(i)
                    else:
                        yield final
                todo = sorted(again)

    def _threads(
        self, fn: str, parts: Sequence[Partition[Any]], actor: ActorSpec | None, timeout: float | None
    ) -> Iterator[PartitionOutcome]:
        local = threading.local()

        def call(payload: Any) -> Any:
            worker = getattr(local, "worker", None)
            if worker is None:
                worker = local.worker = Worker(actor)
            return worker.call(fn, payload)

        errors: dict[int, list[str]] = {i: [] for i in range(len(parts))}
        with ThreadPoolExecutor(max_workers=min(self.jobs, max(1, len(parts)))) as ex:
            running: dict[Future[Any], int] = {ex.submit(call, p.payload): i for i, p in enumerate(parts)}
            while running:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in finished:
                    i = running.pop(fut)
                    exc = fut.exception()
                    if exc is not None:
                        errors[i].append(f"{type(exc).__name__}: {exc}")
                    final = self._final(i, parts[i], errors[i], exc is None, None if exc else fut.result())
                    if final is None:
                        running[ex.submit(call, parts[i].payload)] = i
                    else:
                        yield final


def local_path(url: str) -> Path | None:
    """The local path of a plain path or file:// URL; None for other fsspec URLs."""
    if "://" not in url:
        return Path(url)
    if url.startswith("file://"):
        return Path(url[len("file://") :])
    return None
