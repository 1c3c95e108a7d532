"""Long work (generation) as jobs: a fixed number run at once, a bounded number wait, and a
full queue is refused at submission (503) instead of accepted and left to rot."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any


class QueueFull(Exception):
    pass


@dataclass
class Job:
    id: str
    owner: str  # principal subject: only the owner can read the job
    kind: str
    status: str = "queued"  # queued -> running -> done | failed | cancelled
    submitted: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    result: dict[str, Any] | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "status": self.status, "submitted": self.submitted,
                "started": self.started, "finished": self.finished, "result": self.result, "error": self.error}  # fmt: skip


class JobManager:
    def __init__(
        self,
        *,
        workers: int,
        queue_size: int,
        ttl_s: float,
        max_finished: int,
        on_change: Callable[[int, int], None] | None = None,
        on_finish: Callable[[str], None] | None = None,
    ) -> None:
        self.workers = workers
        self.capacity = workers + queue_size
        self.ttl_s = ttl_s
        self.max_finished = max_finished
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="chainllm-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._on_change = on_change
        self._on_finish = on_finish
        self._closing = False

    def counts(self) -> tuple[int, int]:
        """(queued, running)."""
        with self._lock:
            return self._counts()

    def _counts(self) -> tuple[int, int]:
        q = sum(1 for j in self._jobs.values() if j.status == "queued")
        r = sum(1 for j in self._jobs.values() if j.status == "running")
        return q, r

    def _changed(self) -> None:
        if self._on_change:
            self._on_change(*self._counts())

    def _prune(self, now: float) -> None:
        done = sorted(
            (j for j in self._jobs.values() if j.finished is not None), key=lambda j: j.finished or 0
        )
        extra = len(done) - self.max_finished
        for j in done:
            if extra > 0 or now - (j.finished or now) > self.ttl_s:
                del self._jobs[j.id]
                extra -= 1

    def submit(self, owner: str, kind: str, fn: Callable[[], dict[str, Any]]) -> Job:
        with self._lock:
            self._prune(time.time())
            queued, running = self._counts()
            if self._closing or queued + running >= self.capacity:
                raise QueueFull(f"{queued + running} job(s) queued or running (capacity {self.capacity})")
            job = Job(uuid.uuid4().hex, owner, kind)
            self._jobs[job.id] = job
            self._changed()
        self._pool.submit(self._run, job, fn)
        return job

    def _run(self, job: Job, fn: Callable[[], dict[str, Any]]) -> None:
        with self._lock:
            if job.status != "queued":  # cancelled at shutdown
                return
            job.status, job.started = "running", time.time()
            self._changed()
        try:
            result, error, status = fn(), None, "done"
        except Exception as exc:  # a job's failure is its result, not the server's
            result, error, status = None, str(exc) or type(exc).__name__, "failed"
        with self._lock:
            job.result, job.error, job.status, job.finished = result, error, status, time.time()
            self._changed()
        if self._on_finish:
            self._on_finish(status)

    def get(self, job_id: str, owner: str) -> Job | None:
        with self._lock:
            job = self._jobs.get(job_id)
            return job if job is not None and job.owner == owner else None

    def list(self, owner: str) -> list[Job]:
        with self._lock:
            return sorted((j for j in self._jobs.values() if j.owner == owner), key=lambda j: j.submitted)

    def shutdown(self, wait_s: float) -> None:
        """Refuse new jobs, cancel the queued ones, give running ones ``wait_s`` to finish."""
        with self._lock:
            self._closing = True
            for j in self._jobs.values():
                if j.status == "queued":
                    j.status, j.finished, j.error = (
                        "cancelled",
                        time.time(),
                        "server shut down before it started",
                    )
            self._changed()
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and self.counts()[1]:
            time.sleep(0.05)
        self._pool.shutdown(wait=False, cancel_futures=True)
