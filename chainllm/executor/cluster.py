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

On a cluster the run joined (not one it started), the actors also outlive the run: they are
named, detached actors keyed by their warm state (factory, arguments, the size and mtime of
the files it is loaded from, versions, runtime_env), so the next command with the same
model and inputs finds them warm and skips the worker start, the imports and the model load.
Each exits after ``CHAINLLM_RAY_KEEP_WARM`` idle seconds (default 120; 0 turns this off),
and idle pools of other work give way when a run needs their CPUs.
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
from chainllm.io import canonical_json, sha256_bytes

CONNECT_TIMEOUT = 5.0  # seconds to reach the head before giving up
PROBE_TIMEOUT = 120.0  # a fresh node may need a while to start its first worker process
KEEP_WARM_DEFAULT = 120.0  # idle seconds a joined cluster's actors wait for the next run
WARM_NAMESPACE = "chainllm-warm"
FINGERPRINT_FILES = 5000  # files looked at per folder argument (stat only, never read)


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


def keep_warm_from_env() -> float:
    """CHAINLLM_RAY_KEEP_WARM: idle seconds before a warm actor exits (0: actors end with the run)."""
    raw = os.environ.get("CHAINLLM_RAY_KEEP_WARM", "").strip()
    if not raw:
        return KEEP_WARM_DEFAULT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise BadInputError(
            f"CHAINLLM_RAY_KEEP_WARM={raw!r} is not a number of seconds",
            hint="e.g. CHAINLLM_RAY_KEEP_WARM=300, or 0 to end the actors with each run",
        )
    return value


def _fingerprint(value: Any) -> Any:
    """What a warm state was built from, beyond its arguments: for each input file or folder,
    the size and mtime of its files (a retrained model in the same folder, an edited label
    file: a new pool, never a stale one)."""
    if isinstance(value, (list, tuple)):
        return [_fingerprint(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _fingerprint(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if not (isinstance(value, str) and os.path.isabs(value) and os.path.exists(value)):
        return None
    root = value
    stats: list[tuple[str, int, int]] = []
    paths = [root] if os.path.isfile(root) else []
    if not paths:
        for dirpath, dirs, files in os.walk(root):
            dirs.sort()
            paths += [os.path.join(dirpath, f) for f in sorted(files)]
            if len(paths) >= FINGERPRINT_FILES:
                break
    for f in paths[:FINGERPRINT_FILES]:
        try:
            st = os.stat(f)
        except OSError:
            continue
        stats.append((os.path.relpath(f, root), st.st_size, st.st_mtime_ns))
    return stats


def warm_pool_key(actor: ActorSpec | None, cpus: float, runtime_env: dict[str, Any] | None) -> str:
    """The name prefix of the warm actors that may serve ``actor``: equal only when their state
    would be built the same way, by the same chainllm and Python, with the same resources."""
    v = local_versions()
    key = {
        "chainllm": v.chainllm,
        "python": v.python,
        "factory": actor.factory if actor else None,
        "args": repr(actor.args) if actor else None,
        "files": _fingerprint([os.path.abspath(f) for f in actor.inputs]) if actor else None,
        "cpus": cpus,
        "runtime_env": runtime_env,
    }
    return "chainllm-" + sha256_bytes(canonical_json(key))[:16]


def _token_auth_for_address() -> None:
    """Send this user's Ray token when joining an address, as ``address="auto"`` does.

    Since Ray 2.59 a plain `ray start --head` enables token authentication and saves the token
    in ~/.ray/auth_token; ``ray.init("auto")`` then uses it, but ``ray.init("HOST:6379")`` does
    not, and fails with a bare "Failed to connect". A cluster without authentication accepts
    a token too (tested), so token mode is turned on whenever a token is at hand and the user
    has not chosen a mode (RAY_AUTH_MODE)."""
    if os.environ.get("RAY_AUTH_MODE") is not None:
        return
    path = os.environ.get("RAY_AUTH_TOKEN_PATH") or os.path.join(
        os.path.expanduser("~"), ".ray", "auth_token"
    )
    if os.environ.get("RAY_AUTH_TOKEN") or os.path.isfile(path):
        os.environ["RAY_AUTH_MODE"] = "token"
        try:  # Ray read its config when imported: have it read the mode again
            from ray._raylet import Config  # type: ignore[attr-defined]

            Config.initialize("")
        except Exception:  # another Ray: the variable alone is what its workers read
            pass


def _host_port(address: str) -> tuple[str, int] | None:
    rest = address.split("://", 1)[-1].rstrip("/")
    host, sep, port = rest.rpartition(":")
    if not sep or not port.isdigit():
        return None
    return host.strip("[]"), int(port)


class _ActorImpl:
    """One long-lived worker process on some node; ``ray.remote`` wraps it at run time."""

    def __init__(self, actor: ActorSpec | None, keep_warm: float = 0.0) -> None:
        self.spec = actor
        self.worker: Worker | None = None  # built on the first partition, after the preflight
        self.busy = False
        self.last = time.monotonic()
        if keep_warm > 0:  # a detached actor: nobody else ends it
            import threading

            threading.Thread(target=self._expire, args=(keep_warm,), daemon=True).start()

    def _expire(self, keep_warm: float) -> None:
        while True:
            time.sleep(min(keep_warm, 5.0))
            if not self.busy and time.monotonic() - self.last >= keep_warm:
                os._exit(0)  # max_restarts=0: the actor is dead and its name (and CPU) free

    def preflight(self, urls: tuple[str, ...]) -> tuple[NodeVersions, list[tuple[str, str]]]:
        """This node's versions and the output locations it cannot write (url, why)."""
        from chainllm.executor.store import probe_writable

        self.last = time.monotonic()
        if self.worker is not None:  # kept from an earlier run: this is another command
            self.worker.begin_run()
        problems = [(u, why) for u in urls if (why := probe_writable(u))]
        return _node_versions(), problems

    def run(self, fn: str, payload: Any) -> Any:
        self.busy = True
        try:
            if self.worker is None:  # a failure here fails this attempt; the next one tries again
                self.worker = Worker(self.spec)
            return self.worker.call(fn, payload)
        finally:
            self.busy, self.last = False, time.monotonic()

    def status(self) -> tuple[bool, float]:
        """(running a partition now, idle seconds); answered from its own thread ("ctl")."""
        return self.busy, time.monotonic() - self.last

    def where(self) -> tuple[str, int]:
        return _ip(), os.getpid()


@dataclass(frozen=True)
class WarmActor:
    pool: str  # the warm-state key: actors of one pool serve the same commands
    name: str
    busy: bool | None  # running a partition now (None: did not answer)
    idle_s: float | None


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
        keep_warm: float | None = None,
        start: bool = True,
    ) -> None:
        self.ray = import_ray()
        self.address = address
        self.retries = retries
        self.cpus_per_worker = cpus_per_worker
        self.runtime_env = runtime_env if runtime_env is not None else _env_runtime_env()
        self.report = RunReport()
        self._outputs: list[str] = []  # probed by every actor before its first partition
        self.private = False  # True when this run started the cluster (it ends with the process)
        self._connect(address, start)
        # Warm actors only help where a later command can find them: a cluster we joined.
        self.keep_warm = 0.0 if self.private else (keep_warm_from_env() if keep_warm is None else keep_warm)
        self.warm_reused = 0  # actors of this executor's runs that were found warm
        cpus = int(self.ray.cluster_resources().get("CPU", 1) // cpus_per_worker)
        self.jobs = jobs or max(1, cpus)

    # ------------------------------------------------------------------ connection
    def _connect(self, address: str, start: bool = True) -> None:
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
        # Ray warns on every join that token auth is on (its new default): not the user's concern.
        import logging

        logging.getLogger("ray._private.authentication.authentication_token_setup").setLevel(logging.ERROR)
        if address == "auto":
            try:
                ray.init(address="auto", **opts)
                return
            except ConnectionError:
                if not start:
                    raise ServiceError(
                        "no Ray cluster is running on this machine",
                        hint="start one with `ray start --head` (docs/scale.md), or pass --ray HOST:6379",
                    ) from None
                # no cluster running here: start one on this machine
            # A private cluster for this run: results are small, so a small object store.
            ray.init(include_dashboard=False, object_store_memory=512 * 1024**2, **opts)
            self.private = True
            return
        _token_auth_for_address()
        try:
            ray.init(address=address, **opts)
        except Exception as exc:  # Ray raises ConnectionError, RuntimeError... with long texts
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ServiceError(
                f"could not join the Ray cluster at {address}: {first[:300]}",
                hint="check the address (HEAD:6379, or ray://HEAD:10001); a cluster with token "
                "authentication needs its token here: RAY_AUTH_TOKEN, or `ray get-auth-token`",
            ) from None

    def check_nodes(self) -> list[NodeVersions]:
        """chainllm and Python versions on every live node, refused when they differ from ours
        (runs do this per actor; this is for callers that use the cluster otherwise, e.g. Ray
        Data in ``batch_llm``)."""
        nodes = self.node_versions()
        check_versions(local_versions(), nodes)
        return nodes

    def node_versions(self) -> list[NodeVersions]:
        """chainllm and Python versions on every live node (one task per node), unchecked."""
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
        return self.ray.remote(
            num_cpus=self.cpus_per_worker, max_restarts=0, max_task_retries=0, concurrency_groups={"ctl": 1}
        )(_ActorImpl)

    def _warm_pools(self) -> dict[str, list[str]]:
        """Live warm actors on the cluster: pool key -> actor names."""
        try:
            entries = self.ray.util.list_named_actors(all_namespaces=True)
        except Exception:  # an older or restricted cluster: no reuse, no eviction
            return {}
        pools: dict[str, list[str]] = {}
        for e in entries:
            if isinstance(e, dict) and e.get("namespace") == WARM_NAMESPACE:
                key, _, _slot = str(e["name"]).rpartition("-")
                pools.setdefault(key, []).append(str(e["name"]))
        return pools

    def _ask_warm(self, pools: dict[str, list[str]]) -> list[tuple[WarmActor, Any]]:
        """Each warm actor of ``pools`` with its answer (busy, idle seconds; None when it did
        not answer within 2 s) and its handle. It answers from its own thread ("ctl")."""
        ray = self.ray
        asks: dict[Any, tuple[str, str, Any]] = {}
        for key, names in sorted(pools.items()):
            for name in sorted(names):
                try:
                    h = ray.get_actor(name, namespace=WARM_NAMESPACE)
                except ValueError:  # ended meanwhile
                    continue
                asks[h.status.options(concurrency_group="ctl").remote()] = (key, name, h)
        ready, _ = ray.wait(list(asks), num_returns=len(asks), timeout=2.0) if asks else ([], [])
        answers: dict[Any, tuple[bool, float]] = {}
        for ref in ready:
            try:
                answers[ref] = ray.get(ref)
            except ray.exceptions.RayError:
                continue
        out = []
        for ref, (key, name, h) in asks.items():
            busy, idle = answers.get(ref, (None, None))
            out.append((WarmActor(key, name, busy, None if idle is None else round(idle, 1)), h))
        return out

    def _make_room(self, key: str, slots: int) -> set[str]:
        """Names of this pool's warm actors; idle actors of other pools are ended when the
        cluster lacks the CPUs for this run's new ones (they would wait for them otherwise)."""
        pools = self._warm_pools()
        ours = set(pools.pop(key, []))
        new = sum(1 for s in range(slots) if f"{key}-{s}" not in ours)
        if not pools or self.ray.available_resources().get("CPU", 0.0) >= new * self.cpus_per_worker:
            return ours
        for actor, handle in self._ask_warm(pools):
            if actor.busy is False:  # another command's warm state: rebuilt if that command returns
                self.ray.kill(handle, no_restart=True)
        return ours

    def warm_status(self) -> list[WarmActor]:
        """Every warm chainllm actor on the cluster: its pool, whether it is running a
        partition, how long it has been idle (None: it did not answer within 2 s)."""
        return [actor for actor, _ in self._ask_warm(self._warm_pools())]

    def release_warm(self) -> int:
        """End every warm chainllm actor on the cluster now (idle or not); how many."""
        n = 0
        for names in self._warm_pools().values():
            for name in names:
                try:
                    self.ray.kill(self.ray.get_actor(name, namespace=WARM_NAMESPACE), no_restart=True)
                    n += 1
                except ValueError:
                    continue
        return n

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
        warm: set[int] = set()  # slots held by named warm actors (kept after a complete run)
        starting: dict[Any, int] = {}  # preflight ref -> actor slot (no partition before it passes)
        n_slots = min(jobs or self.jobs, len(partitions))
        key = warm_pool_key(actor, self.cpus_per_worker, self.runtime_env) if self.keep_warm > 0 else ""
        found = set() if self.private else self._make_room(key, n_slots)

        def start(slot: int, named: bool = False) -> None:
            if named:
                name = f"{key}-{slot}"
                a = cls.options(name=name, namespace=WARM_NAMESPACE, lifetime="detached",
                                get_if_exists=True, **opts).remote(actor, self.keep_warm)  # fmt: skip
                warm.add(slot)
                if name in found:
                    self.warm_reused += 1
            else:  # a replacement, or no reuse: it ends with the run
                a = cls.options(**opts).remote(actor)
                warm.discard(slot)
            if slot == len(actors):
                actors.append(a)
            else:
                actors[slot] = a
            starting[a.preflight.remote(outputs)] = slot

        for slot in range(n_slots):
            start(slot, named=bool(key))  # all at once: the worker processes start in parallel
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
                if slot in warm:  # a warm actor that ended as we found it: start a fresh one
                    start(slot)
                    return
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

        complete = False
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
            complete = True
        finally:  # also on Ctrl-C or an error in the caller: killing an actor ends its task
            for slot, a in enumerate(actors):
                if not (complete and slot in warm):  # a warm one waits for the next run
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
