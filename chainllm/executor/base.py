"""The executor seam: a stage cuts its work into partitions and hands them to an executor.

A partition is an id (stable across runs: it names the partition's output, so a re-run can
skip it) and a payload (files, a hash batch, a block range, a source spec). Functions are
named ``"module:function"`` rather than passed as objects: every worker, local or on another
node, imports them from its own chainllm, which is why the versions are checked first.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")

# Bounded retries: a partition whose task failed or whose worker died is tried this many
# more times (on whichever worker is free next), then reported as failed.
DEFAULT_RETRIES = 2


@dataclass(frozen=True)
class Partition(Generic[T]):
    id: str  # idempotent output name: the same work gets the same id on every run
    payload: T


@dataclass(frozen=True)
class ActorSpec:
    """Warm state built once per worker (a solc server and Slither's imports, a loaded scorer):
    ``factory(*args)`` runs when the worker starts; tasks then get the state as first argument."""

    factory: str  # "module:function"
    args: tuple[Any, ...] = ()
    # Files or folders the state is loaded from (a model, label sets): a warm actor kept from an
    # earlier run serves a new one only while their sizes and mtimes are unchanged.
    inputs: tuple[str, ...] = ()


@dataclass(frozen=True)
class PartitionOutcome:
    index: int  # position in the list handed to map_partitions
    id: str
    ok: bool
    value: Any = None
    error: str | None = None
    attempts: int = 1
    errors: tuple[str, ...] = ()  # every failed attempt, in order (retries are reported)


@dataclass
class RunReport:
    """What happened across a run, for the CLI to report: retries and final failures."""

    done: int = 0
    failed: int = 0
    retried: list[str] = field(default_factory=list)  # "partition X attempt 1: worker died ..."

    def note(self, outcome: PartitionOutcome) -> None:
        if outcome.ok:
            self.done += 1
        else:
            self.failed += 1
        n_failed_attempts = len(outcome.errors) - (0 if outcome.ok else 1)
        for k, err in enumerate(outcome.errors[:n_failed_attempts], 1):
            self.retried.append(f"partition {outcome.id} attempt {k} failed and was retried: {err}")


Progress = Callable[[int, int], None]  # (partitions done, partitions in the run)


class TaskPool(Protocol):
    """DeadlinePool's interface: the audit engine runs its per-file tasks through one."""

    def run(self, tasks: list[Any], timeout: float) -> Iterator[Any]: ...

    def __enter__(self) -> TaskPool: ...

    def __exit__(self, *exc: object) -> None: ...


class Executor(Protocol):
    """Runs ``fn`` over partitions; outcomes are yielded as partitions finish (any order)."""

    name: str
    report: RunReport

    def map_partitions(
        self,
        fn: str,
        partitions: Sequence[Partition[Any]],
        *,
        actor: ActorSpec | None = None,
        timeout: float | None = None,
        progress: Progress | None = None,
    ) -> Iterator[PartitionOutcome]: ...

    def task_pool(self, handler: str, size: int, *, warmup: str | None = None) -> TaskPool: ...

    def workers(self) -> int:
        """How many partitions run at once."""
        ...

    def check_writable(self, url: str) -> None:
        """Partition outputs go under ``url``: a BadInputError when a worker cannot write there
        (the local pool checks now; Ray checks each worker as it starts, before any partition)."""
        ...

    def close(self) -> None: ...


def resolve(name: str) -> Any:
    module, _, attr = name.partition(":")
    if not attr:
        raise ValueError(f"{name!r}: expected 'module:function'")
    return getattr(importlib.import_module(module), attr)


class Worker:
    """What runs inside each worker (a pool process, a thread, a Ray actor): builds the warm
    state once, then calls task functions with it."""

    def __init__(self, actor: ActorSpec | None) -> None:
        self.actor = actor
        self.state: Any = resolve(actor.factory)(*actor.args) if actor is not None else None

    def begin_run(self) -> None:
        """A kept worker starts another run: state with a ``begin_run`` drops what must not
        carry over between commands (e.g. fetched data when the command said --no-cache)."""
        hook = getattr(self.state, "begin_run", None)
        if callable(hook):
            hook()

    def call(self, fn: str, payload: Any) -> Any:
        f = resolve(fn)
        return f(self.state, payload) if self.actor is not None else f(payload)
