"""One executor seam for batch stages: partitions in, outcomes out, on a local pool or Ray.

Stages cut their work into :class:`Partition` s (files, hash batches, block ranges, source
specs) and call :meth:`Executor.map_partitions`; ``make_executor`` picks the local pool or a
Ray cluster from the ``--ray`` option. See docs/scale.md.
"""

from __future__ import annotations

from chainllm.executor.base import (
    DEFAULT_RETRIES,
    ActorSpec,
    Executor,
    Partition,
    PartitionOutcome,
    RunReport,
    TaskPool,
)

__all__ = [
    "DEFAULT_RETRIES",
    "ActorSpec",
    "Executor",
    "Partition",
    "PartitionOutcome",
    "RunReport",
    "TaskPool",
    "make_executor",
]


def make_executor(ray: str | None, *, jobs: int = 0, kind: str = "process") -> Executor:
    """``ray`` None: the local pool; ``"auto"``: join or start a local Ray cluster; an address
    (``HOST:PORT`` or ``ray://HOST:10001``): join that cluster."""
    if ray is None:
        from chainllm.executor.local import LocalExecutor

        return LocalExecutor(jobs, kind=kind)
    from chainllm.executor.cluster import RayExecutor

    return RayExecutor(ray, jobs=jobs)
