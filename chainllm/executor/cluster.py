"""The Ray executor: partitions run on long-lived actors spread over a Ray cluster.

Ray is optional (``pip install chainllm[ray]``) and imported only here, lazily. Each run
creates its actors once (each builds its warm state on its first partition: a solc server and
Slither's imports, a loaded scorer) and feeds them partitions as they free up. A worker that
dies, or overruns the deadline, is replaced and its partition retried on the next free actor,
a bounded number of times; a partition that keeps failing is reported while the others
complete.

The fixed cost of a run is what Ray's overhead on a small job is made of, so it is kept to
one step: every actor, as it starts, reports its node's chainllm and Python versions and
probes the output locations (``check_writable``) in one call, and gets no partition before
that answer passes. The nodes checked are the nodes that run and write; there is no
separate probe round (``check_nodes`` probes every node on demand).
"""

from __future__ import annotations

import json
import os
import platform
import socket
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from chainllm import __version__
from chainllm.errors import BadInputError, ServiceError, ToolchainError
from chainllm.executor.base import (
    DEFAULT_RETRIES,
    ActorSpec,
    Partition,
    PartitionOutcome,
    Progress,
    RunReport,
    Worker,
    resolve,
)

CONNECT_TIMEOUT = 5.0  # seconds to reach the head before giving up
PROBE_TIMEOUT = 120.0  # a fresh node may need a while to start its first worker process


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ToolchainError(
            "--ray needs Ray, which is not installed", hint="pip install 'chainllm[ray]'"
        ) from None
    return ray


@dataclass(frozen=True)
class NodeVersions:
    node: str  # IP address of the node
    chainllm: str
    python: str  # major.minor: Ray's pickles and chainllm's code must agree on it

    def describe(self) -> str:
        return f"chainllm {self.chainllm} on Python {self.python}"


def local_versions(node: str = "this machine") -> NodeVersions:
    return NodeVersions(node, __version__, ".".join(platform.python_version_tuple()[:2]))


def _node_versions() -> NodeVersions:
    import chainllm

    return NodeVersions(_ip(), chainllm.__version__, ".".join(platform.python_version_tuple()[:2]))


def _ip() -> str:
    try:
        import ray

        return str(ray.util.get_node_ip_address())
    except Exception:  # outside Ray (unit use)
        return socket.gethostname()


def check_versions(driver: NodeVersions, nodes: Sequence[NodeVersions]) -> None:
    """Refuse a cluster whose nodes run another chainllm or Python than the driver."""
    bad = [n for n in nodes if (n.chainllm, n.python) != (driver.chainllm, driver.python)]
    if bad:
        n = bad[0]
        raise BadInputError(
            f"Ray node {n.node} runs {n.describe()}, but this machine runs {driver.describe()}"
            + (f" ({len(bad)} nodes differ)" if len(bad) > 1 else ""),
            hint="install the same chainllm and Python on every node (or pass the matching runtime_env)",
        )


def _probe_writable(url: str) -> tuple[str, str | None]:
    from chainllm.executor.store import probe_writable

    return _ip(), probe_writable(url)


def _unwritable(url: str, node: str, problem: str) -> BadInputError:
    return BadInputError(
        f"{url}: Ray node {node} cannot write partition outputs there ({problem})",
        hint="use a path every node can write: a shared mount or an fsspec URL such as s3://bucket/run",
    )


def _env_runtime_env() -> dict[str, Any] | None:
    """CHAINLLM_RAY_RUNTIME_ENV: a Ray runtime_env (JSON) for every task and actor, e.g.
    {"env_vars": {"ETHERSCAN_API_KEY": "..."}} or {"pip": ["chainllm==0.1.0"]}."""
    raw = os.environ.get("CHAINLLM_RAY_RUNTIME_ENV", "").strip()
    if not raw:
        return None
    try:
        env = json.loads(raw)
    except ValueError:
        env = None
    if not isinstance(env, dict):
        raise BadInputError(
            "CHAINLLM_RAY_RUNTIME_ENV is not a JSON object",
            hint='e.g. CHAINLLM_RAY_RUNTIME_ENV=\'{"env_vars": {"KEY": "value"}}\'',
        )
    return env


def _host_port(address: str) -> tuple[str, int] | None:
    rest = address.split("://", 1)[-1].rstrip("/")
    host, sep, port = rest.rpartition(":")
    if not sep or not port.isdigit():
        return None
    return host.strip("[]"), int(port)


class _ActorImpl:
    """One long-lived worker process on some node; ``ray.remote`` wraps it at run time."""

    def __init__(self, actor: ActorSpec | None) -> None:
        self.spec = actor
        self.worker: Worker | None = None  # built on the first partition, after the preflight

    def preflight(self, urls: tuple[str, ...]) -> tuple[NodeVersions, list[tuple[str, str]]]:
        """This node's versions and the output locations it cannot write (url, why)."""
        from chainllm.executor.store import probe_writable

        problems = [(u, why) for u in urls if (why := probe_writable(u))]
        return _node_versions(), problems

    def run(self, fn: str, payload: Any) -> Any:
        if self.worker is None:  # a failure here fails this attempt; the next one tries again
            self.worker = Worker(self.spec)
        return self.worker.call(fn, payload)

    def where(self) -> tuple[str, int]:
        return _ip(), os.getpid()


class RayExecutor:
    name = "ray"

    def __init__(
        self,
        address: str = "auto",
        *,
        jobs: int = 0,
        retries: int = DEFAULT_RETRIES,
        cpus_per_worker: float = 1.0,
        runtime_env: dict[str, Any] | None = None,
    ) -> None:
        self.ray = import_ray()
        self.address = address
        self.retries = retries
        self.cpus_per_worker = cpus_per_worker
        self.runtime_env = runtime_env if runtime_env is not None else _env_runtime_env()
        self.report = RunReport()
        self._outputs: list[str] = []  # probed by every actor before its first partition
        self._connect(address)
        cpus = int(self.ray.cluster_resources().get("CPU", 1) // cpus_per_worker)
        self.jobs = jobs or max(1, cpus)

    # ------------------------------------------------------------------ connection
    def _connect(self, address: str) -> None:
        ray = self.ray
        hp = _host_port(address) if address != "auto" else None
        if address != "auto" and hp is None:
            raise BadInputError(
                f"--ray {address}: not a cluster address", hint="use auto, HOST:PORT or ray://HOST:10001"
            )
        if hp is not None:
            try:
                socket.create_connection(hp, timeout=CONNECT_TIMEOUT).close()
            except OSError as exc:
                raise ServiceError(
                    f"Ray cluster {address} is unreachable ({exc.strerror or exc})",
                    hint="start it with `ray start --head` (see docs/scale.md), check the address, or use --ray auto",
                ) from None
        if ray.is_initialized():
            return  # this process already joined a cluster (a library caller, the tests)
        opts: dict[str, Any] = {"log_to_driver": False, "logging_level": "WARNING", "configure_logging": True}
        if address == "auto":
            try:
                ray.init(address="auto", **opts)
                return
            except ConnectionError:
                pass  # no cluster running here: start one on this machine
            # A private cluster for this run: results are small, so a small object store.
            ray.init(include_dashboard=False, object_store_memory=512 * 1024**2, **opts)
            return
        try:
            ray.init(address=address, **opts)
        except Exception as exc:  # Ray raises ConnectionError, RuntimeError... with long texts
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ServiceError(f"could not join the Ray cluster at {address}: {first[:300]}") from None

    def check_nodes(self) -> list[NodeVersions]:
        """chainllm and Python versions on every live node, refused when they differ from ours
        (runs do this per actor; this is for callers that use the cluster otherwise, e.g. Ray
        Data in ``batch_llm``)."""
        ray = self.ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        probe = ray.remote(num_cpus=0, max_retries=1)(_node_versions)
        refs = [
            probe.options(
                scheduling_strategy=NodeAffinitySchedulingStrategy(n["NodeID"], soft=False),
                runtime_env=self.runtime_env,
            ).remote()
            for n in ray.nodes()
            if n.get("Alive")
        ]
        try:
            nodes: list[NodeVersions] = ray.get(refs, timeout=PROBE_TIMEOUT)
        except ray.exceptions.GetTimeoutError:
            raise ServiceError(
                f"the Ray cluster at {self.address} did not run a task within {PROBE_TIMEOUT:.0f} s"
            ) from None
        except ray.exceptions.RayError as exc:
            raise ServiceError(
                f"the Ray cluster at {self.address} failed a version probe: {_short(exc)}"
            ) from None
        check_versions(local_versions(), nodes)
        return nodes

    def check_writable(self, url: str) -> None:
        """Partition outputs go under ``url``: every actor of the following runs probes it as it
        starts (with its version report), and the run stops with a BadInputError naming the
        node before any partition is written when one cannot."""
        if url not in self._outputs:
            self._outputs.append(url)

    def check_writable_everywhere(self, url: str) -> None:
        """Probe ``url`` on every live node now (one task per node)."""
        ray = self.ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        probe = ray.remote(num_cpus=0)(_probe_writable)
        refs = [
            probe.options(
                scheduling_strategy=NodeAffinitySchedulingStrategy(n["NodeID"], soft=False),
                runtime_env=self.runtime_env,
            ).remote(url)
            for n in ray.nodes()
            if n.get("Alive")
        ]
        for node, problem in ray.get(refs, timeout=PROBE_TIMEOUT):
            if problem:
                raise _unwritable(url, node, problem)

    def workers(self) -> int:
        return self.jobs

    def close(self) -> None:
        pass  # the connection stays for the process; `ray.shutdown()` ends a cluster we started

    # ------------------------------------------------------------------ running
    def _actor_class(self) -> Any:
        return self.ray.remote(num_cpus=self.cpus_per_worker, max_restarts=0, max_task_retries=0)(_ActorImpl)

    def map_partitions(
        self,
        fn: str,
        partitions: Sequence[Partition[Any]],
        *,
        actor: ActorSpec | None = None,
        timeout: float | None = None,
        progress: Progress | None = None,
        retry_timeouts: bool = True,
        retry_errors: bool = True,
        jobs: int | None = None,
    ) -> Iterator[PartitionOutcome]:
        if not partitions:
            return
        ray = self.ray
        cls = self._actor_class()
        opts: dict[str, Any] = {"runtime_env": self.runtime_env} if self.runtime_env else {}
        here = local_versions()
        outputs = tuple(self._outputs)
        actors: list[Any] = []
        starting: dict[Any, int] = {}  # preflight ref -> actor slot (no partition before it passes)

        def start(slot: int) -> None:
            a = cls.options(**opts).remote(actor)
            if slot == len(actors):
                actors.append(a)
            else:
                actors[slot] = a
            starting[a.preflight.remote(outputs)] = slot

        for slot in range(min(jobs or self.jobs, len(partitions))):
            start(slot)  # all at once: the worker processes start in parallel
        queue: deque[int] = deque(range(len(partitions)))
        errors: dict[int, list[str]] = {i: [] for i in range(len(partitions))}
        inflight: dict[Any, tuple[int, int, float]] = {}  # ref -> (actor slot, partition, started)
        idle: deque[int] = deque()
        lost: list[str] = []  # replacement workers that could not start
        finished = 0

        def finish(i: int, ok: bool, value: Any = None) -> PartitionOutcome:
            nonlocal finished
            finished += 1
            errs = tuple(errors[i])
            o = PartitionOutcome(
                i, partitions[i].id, ok, value, None if ok else errs[-1], len(errs) + ok, errs
            )
            self.report.note(o)
            if progress:
                progress(finished, len(partitions))
            return o

        def failed(i: int, message: str, retry: bool) -> PartitionOutcome | None:
            errors[i].append(message)
            if retry and len(errors[i]) <= self.retries:
                queue.appendleft(i)  # next free actor: after a death, another process (often node)
                return None
            return finish(i, False)

        def started(ref: Any) -> None:
            slot = starting.pop(ref)
            try:
                versions, problems = ray.get(ref)
            except ray.exceptions.RayError as exc:  # the process (or its node) did not come up
                ray.kill(actors[slot], no_restart=True)
                lost.append(_short(exc))
                if not (idle or inflight or starting):
                    raise ServiceError(
                        f"no Ray worker could start on the cluster at {self.address}: {lost[-1]} "
                        "(or a node runs a chainllm too old to report its version)"
                    ) from None
                return
            check_versions(here, [versions])
            if problems:
                raise _unwritable(problems[0][0], versions.node, problems[0][1])
            idle.append(slot)

        try:
            while queue or inflight:
                while idle and queue:
                    slot, i = idle.popleft(), queue.popleft()
                    ref = actors[slot].run.remote(fn, partitions[i].payload)
                    inflight[ref] = (slot, i, time.monotonic())
                wait_s = 1.0
                if timeout is not None and inflight:
                    soonest = min(t for _, _, t in inflight.values()) + timeout - time.monotonic()
                    wait_s = max(0.0, min(wait_s, soonest))
                ready, _ = ray.wait([*inflight, *starting], num_returns=1, timeout=wait_s)
                for ref in ready:
                    if ref in starting:
                        started(ref)
                        continue
                    slot, i, _t = inflight.pop(ref)
                    try:
                        value = ray.get(ref)
                    except ray.exceptions.RayTaskError as exc:  # the task raised: the actor lives on
                        idle.append(slot)
                        out = failed(i, _short(exc), retry_errors)
                    except ray.exceptions.RayError as exc:  # the worker (or its node) died
                        ray.kill(actors[slot], no_restart=True)
                        start(slot)
                        out = failed(i, f"worker died ({type(exc).__name__}): {_short(exc)}", True)
                    else:
                        idle.append(slot)
                        out = finish(i, True, value)
                    if out is not None:
                        yield out
                if timeout is not None:
                    now = time.monotonic()
                    for ref, (slot, i, t0) in list(inflight.items()):
                        if now - t0 >= timeout:
                            del inflight[ref]
                            ray.kill(actors[slot], no_restart=True)
                            start(slot)
                            out = failed(i, f"timed out after {timeout:.0f} s", retry_timeouts)
                            if out is not None:
                                yield out
        finally:  # also on Ctrl-C or an error in the caller: killing an actor ends its task
            for a in actors:
                ray.kill(a, no_restart=True)

    def task_pool(self, handler: str, size: int, *, warmup: str | None = None) -> RayTaskPool:
        return RayTaskPool(self, handler, warmup, size)


# ---------------------------------------------------------------------- DeadlinePool seam
def _handler_state(handler: str, warmup: str | None) -> Any:
    if warmup:
        resolve(warmup)()
    return resolve(handler)


def _apply(handler: Any, task: Any) -> tuple[str, Any]:
    # A task's own exception is its result (like DeadlinePool): only a worker's death is retried.
    try:
        return "ok", handler(task)
    except Exception as exc:
        return "error", f"{type(exc).__name__}: {exc}"


@dataclass(frozen=True)
class _Outcome:  # the shape DeadlinePool yields
    index: int
    ok: bool
    value: Any = None
    error: str | None = None


class RayTaskPool:
    """``DeadlinePool.run`` on Ray actors, so the audit engine needs no other change."""

    def __init__(self, executor: RayExecutor, handler: str, warmup: str | None, size: int) -> None:
        self.executor = executor
        self.size = size
        self.actor = ActorSpec("chainllm.executor.cluster:_handler_state", (handler, warmup))

    def run(self, tasks: list[Any], timeout: float) -> Iterator[_Outcome]:
        parts = [Partition(str(i), t) for i, t in enumerate(tasks)]
        for o in self.executor.map_partitions(
            "chainllm.executor.cluster:_apply",
            parts,
            actor=self.actor,
            timeout=timeout,
            retry_timeouts=False,
            jobs=self.size,
        ):
            if not o.ok:
                yield _Outcome(o.index, False, error=o.error)
            else:
                status, payload = o.value
                yield _Outcome(o.index, status == "ok", payload if status == "ok" else None,
                               None if status == "ok" else payload)  # fmt: skip

    def __enter__(self) -> RayTaskPool:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def _short(exc: BaseException) -> str:
    cause = getattr(exc, "cause", None)
    if isinstance(cause, BaseException) and not isinstance(cause, type(exc)):
        return f"{type(cause).__name__}: {cause}"[:500]
    text = str(exc).strip().splitlines()
    return (text[-1] if text else type(exc).__name__)[:500]
