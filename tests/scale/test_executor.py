"""The executor seam on a real Ray cluster: warm actors, worker deaths, failing partitions,
resume, and the refusals (unreachable cluster, other versions, unwritable output)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from chainllm import __version__
from chainllm.errors import BadInputError, ServiceError
from chainllm.executor import ActorSpec, Partition
from chainllm.executor.cluster import NodeVersions, RayExecutor, check_versions
from chainllm.executor.local import LocalExecutor
from chainllm.executor.store import PartitionStore

ROOT = Path(__file__).resolve().parents[2]


def _job(
    tmp: Path, sizes: list[int], sleep: float = 0.0
) -> tuple[str, list[Partition[tuple[str, str, int, float]]], ActorSpec]:
    url = str(tmp / "parts")
    (tmp / "state").mkdir(parents=True, exist_ok=True)
    parts = [Partition(f"p{i:02d}", (url, f"p{i:02d}", n, sleep)) for i, n in enumerate(sizes)]
    return url, parts, ActorSpec("tests.scale.tasks:warm_state", (str(tmp / "state"),))


def _rows(url: str) -> list[tuple[str, int]]:
    store = PartitionStore(url)
    out = []
    for pid in sorted(store.finished()):
        out += [(r["partition"], r["row"]) for r in map(json.loads, store.read(pid).decode().splitlines())]
    return out


def test_local_and_ray_give_the_same_partitions_with_warm_actors(ray_cluster: str, tmp_path: Path) -> None:
    sizes = [3, 1, 4, 1, 5, 2]
    url_l, parts_l, actor_l = _job(tmp_path / "local", sizes)
    url_r, parts_r, actor_r = _job(tmp_path / "ray", sizes)
    local = list(
        LocalExecutor(2, kind="process").map_partitions("tests.scale.tasks:square", parts_l, actor=actor_l)
    )
    ex = RayExecutor(ray_cluster)
    seen: list[tuple[int, int]] = []
    ray_out = list(ex.map_partitions("tests.scale.tasks:square", parts_r, actor=actor_r,
                                     progress=lambda d, t: seen.append((d, t))))  # fmt: skip
    assert sorted(o.id for o in local) == sorted(o.id for o in ray_out) == [p.id for p in parts_r]
    assert all(o.ok and o.attempts == 1 for o in ray_out)
    assert _rows(url_l) == _rows(url_r) and len(_rows(url_r)) == sum(n * n for n in sizes)
    assert seen[-1] == (6, 6) and [d for d, _ in seen] == list(range(1, 7))
    # One warm state per actor (two nodes, one CPU each), not one per partition.
    states = list((tmp_path / "ray" / "state").iterdir())
    assert 1 <= len(states) <= 2
    assert {o.value["token"] for o in ray_out} <= {p.name.removeprefix("state-") for p in states}
    assert len({o.value["pid"] for o in ray_out}) == len(states)


def test_killed_worker_is_retried_elsewhere_with_no_lost_or_duplicated_rows(
    ray_cluster: str, tmp_path: Path
) -> None:
    sizes = [2] * 8
    url, parts, actor = _job(tmp_path, sizes, sleep=0.6)
    calls = tmp_path / "calls"
    killed: list[int] = []

    def killer() -> None:  # SIGKILL the worker running partition p03 as soon as it starts
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            for f in calls.glob("p03-*") if calls.is_dir() else []:
                pid = int(f.read_text() or 0)
                if pid:
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    return
            time.sleep(0.02)

    t = threading.Thread(target=killer)
    t.start()
    ex = RayExecutor(ray_cluster)
    outcomes = list(ex.map_partitions("tests.scale.tasks:square", parts, actor=actor))
    t.join()
    assert killed, "the worker was never killed"
    by_id = {o.id: o for o in outcomes}
    assert len(outcomes) == 8 and all(o.ok for o in outcomes)
    assert by_id["p03"].attempts == 2 and "worker died" in by_id["p03"].errors[0]
    assert by_id["p03"].value["pid"] != killed[0]
    assert any("p03" in r and "worker died" in r for r in ex.report.retried)
    rows = _rows(url)
    assert len(rows) == len(set(rows)) == 8 * 4  # nothing lost, nothing twice


def test_a_partition_that_always_fails_is_reported_after_its_retries(
    ray_cluster: str, tmp_path: Path
) -> None:
    url, parts, actor = _job(tmp_path, [1, 2, 1])
    parts.insert(1, Partition("bad", (url, "bad", 1, 0.0)))
    ex = RayExecutor(ray_cluster, retries=2)
    outcomes = {o.id: o for o in ex.map_partitions("tests.scale.tasks:always_fails", parts, actor=actor)}
    bad = outcomes.pop("bad")
    assert not bad.ok and bad.attempts == 3 and "never works" in (bad.error or "")
    assert all(o.ok for o in outcomes.values()) and len(outcomes) == 3
    assert ex.report.failed == 1 and ex.report.done == 3 and len(ex.report.retried) == 2
    assert sorted(PartitionStore(url).finished()) == ["p00", "p01", "p02"]
    # The local pool has the same retry rule.
    local = {
        o.id: o
        for o in LocalExecutor(2, kind="thread").map_partitions(
            "tests.scale.tasks:always_fails", parts, actor=actor
        )
    }
    assert not local["bad"].ok and local["bad"].attempts == 3 and sum(o.ok for o in local.values()) == 3
    # Warm state that cannot be built: every attempt fails, and the error says why.
    (broken,) = RayExecutor(ray_cluster, retries=0).map_partitions(
        "tests.scale.tasks:square", parts[:1], actor=ActorSpec("tests.scale.tasks:broken_state")
    )
    assert not broken.ok and "model folder missing" in (broken.error or ""), broken.error


def test_rerun_skips_finished_partitions(ray_cluster: str, tmp_path: Path) -> None:
    url, parts, actor = _job(tmp_path, [1, 1, 2, 2])
    ex = RayExecutor(ray_cluster)
    first = [p for p in parts if p.id in ("p00", "p02")]  # an interrupted run finished these
    assert all(o.ok for o in ex.map_partitions("tests.scale.tasks:square", first, actor=actor))
    store = PartitionStore(url)
    todo = [p for p in parts if not store.done(p.id)]
    assert [p.id for p in todo] == ["p01", "p03"]
    assert all(o.ok for o in ex.map_partitions("tests.scale.tasks:square", todo, actor=actor))
    assert sorted(f.name.split("-")[0] for f in (tmp_path / "calls").iterdir()) == [
        "p00",
        "p01",
        "p02",
        "p03",
    ]
    # A retry of a written partition does not write it again.
    assert store.write("p00", b"other\n") is False and b"other" not in store.read("p00")


def test_unreachable_cluster_fails_fast_with_a_clear_error() -> None:
    started = time.monotonic()
    res = subprocess.run(
        [sys.executable, "-m", "chainllm", "score", "0x" + "ab" * 32, "--ray", "127.0.0.1:9", "--rpc", "http://127.0.0.1:9"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert time.monotonic() - started < 30
    assert res.returncode == 2, res.stderr
    assert "Ray cluster 127.0.0.1:9 is unreachable" in res.stderr and "ray start --head" in res.stderr
    with pytest.raises(BadInputError, match="not a cluster address"):
        RayExecutor("nonsense")
    with pytest.raises(ServiceError, match="unreachable"):
        RayExecutor("ray://127.0.0.1:9")


def test_other_chainllm_version_on_the_cluster_is_refused(ray_cluster: str, tmp_path: Path) -> None:
    # A real other install on the workers' path: chainllm copied with another version string,
    # put first on the workers' PYTHONPATH; the driver (another process, as a user runs it)
    # keeps this checkout's chainllm.
    other = tmp_path / "other"
    shutil.copytree(ROOT / "chainllm", other / "chainllm", ignore=shutil.ignore_patterns("__pycache__"))
    init = other / "chainllm" / "__init__.py"
    init.write_text(init.read_text().replace('__version__ = "', '__version__ = "9.9.9-other+'))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["CHAINLLM_RAY_RUNTIME_ENV"] = json.dumps({"env_vars": {"PYTHONPATH": str(other)}})
    (tmp_path / "A.sol").write_text("pragma solidity ^0.8.0; contract A {}")
    res = subprocess.run(
        [sys.executable, "-m", "chainllm", "audit", "A.sol", "--ray", ray_cluster],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert res.returncode == 2, res.stderr
    assert f"runs chainllm 9.9.9-other+{__version__} on Python 3." in res.stderr, res.stderr
    assert f"but this machine runs chainllm {__version__} on Python 3." in res.stderr
    with pytest.raises(BadInputError, match=r"Python 3\.10.*Python 3\.11"):
        check_versions(NodeVersions("here", "0.1.0", "3.11"), [NodeVersions("10.0.0.2", "0.1.0", "3.10")])


def test_output_the_workers_cannot_write_is_refused(ray_cluster: str, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    _url, parts, actor = _job(tmp_path, [1, 1])
    ex = RayExecutor(ray_cluster)
    ex.check_writable(str(blocker / "out"))  # each actor probes it as it starts
    with pytest.raises(BadInputError, match=r"a-file/out: Ray node .* cannot write partition outputs"):
        list(ex.map_partitions("tests.scale.tasks:square", parts, actor=actor))
    assert not (tmp_path / "calls").exists()
    assert list((tmp_path / "state").iterdir()) == []  # refused before any partition or warm state
    with pytest.raises(BadInputError, match=r"Ray node .* cannot write partition outputs"):
        ex.check_writable_everywhere(str(blocker / "out"))  # the probe of every node, on demand
    ok = RayExecutor(ray_cluster)
    ok.check_writable(str(tmp_path / "fine"))  # a writable one passes
    assert all(o.ok for o in ok.map_partitions("tests.scale.tasks:square", parts, actor=actor))
    ok.check_writable_everywhere(str(tmp_path / "fine"))
    assert {n.chainllm for n in ok.check_nodes()} == {__version__} and len(ok.check_nodes()) == 2


def test_partition_store_on_fsspec_urls(tmp_path: Path) -> None:
    # Any fsspec filesystem: memory:// takes the non-local branch (put to a temp name, move).
    for url in (f"memory://{tmp_path.name}/run", f"file://{tmp_path}/run"):
        store = PartitionStore(url)
        assert store.finished() == set() and not store.done("000001-ab")
        assert store.write("000001-ab", b'{"a": 1}\n') is True
        assert store.write("000001-ab", b"again\n") is False  # written once
        assert store.finished() == {"000001-ab"} and store.read("000001-ab") == b'{"a": 1}\n'
    assert (tmp_path / "run" / "000001-ab.jsonl").is_file()
    assert not [p for p in (tmp_path / "run").iterdir() if p.name.startswith(".")]  # no temp left


def test_without_ray_installed_the_error_names_the_extra(tmp_path: Path) -> None:
    # A core install: `import ray` fails (a stand-in package first on the path raises ImportError).
    (tmp_path / "ray").mkdir()
    (tmp_path / "ray" / "__init__.py").write_text("raise ImportError(\"No module named 'ray'\")\n")
    (tmp_path / "A.sol").write_text("pragma solidity ^0.8.0; contract A {}")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    res = subprocess.run(
        [sys.executable, "-m", "chainllm", "audit", "A.sol", "--ray", "auto"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert res.returncode == 2, res.stderr
    assert (
        "--ray needs Ray, which is not installed" in res.stderr
        and "pip install 'chainllm[ray]'" in res.stderr
    )


def test_warm_actors_serve_the_next_command_then_give_way_and_expire(
    ray_cluster: str, tmp_path: Path
) -> None:
    """On a joined cluster a run's actors outlive it: the next run with the same warm state
    reuses them (no new state built), a changed input file starts a new pool, idle pools of
    other work give way when a run needs the CPUs, and an idle pool exits by itself."""
    model = tmp_path / "model.txt"
    model.write_text("v1")
    url, parts, base = _job(tmp_path, [1, 2, 1, 2])
    states = tmp_path / "state"
    spec = ActorSpec(base.factory, base.args, inputs=(str(model),))
    first = RayExecutor(ray_cluster, keep_warm=60)
    assert all(o.ok for o in first.map_partitions("tests.scale.tasks:square", parts[:2], actor=spec))
    built = sorted(p.name for p in states.iterdir())
    assert first.warm_reused == 0 and 1 <= len(built) <= 2
    again = RayExecutor(ray_cluster, keep_warm=60)
    out = list(again.map_partitions("tests.scale.tasks:square", parts[2:], actor=spec))
    assert all(o.ok for o in out) and again.warm_reused == 2
    assert sorted(p.name for p in states.iterdir()) == built  # served by the warm state
    assert {o.value["token"] for o in out} <= {b.removeprefix("state-") for b in built}
    assert _rows(url) == [(f"p{i:02d}", r) for i, n in enumerate([1, 2, 1, 2]) for r in range(n * n)]

    model.write_text("v2, retrained")  # same folder, new content: never the stale state
    changed = RayExecutor(ray_cluster, keep_warm=60)
    _url2, parts2, _ = _job(tmp_path / "b", [1, 1])
    assert all(o.ok for o in changed.map_partitions("tests.scale.tasks:square", parts2, actor=spec))
    assert changed.warm_reused == 0 and len(list(states.iterdir())) > len(built)
    pools = changed._warm_pools()
    assert len(pools) == 1, pools  # the v1 pool gave way: the cluster had no CPU left for v2's
    # An idle pool ends by itself after keep_warm seconds, and frees its CPUs.
    changed.release_warm()
    short = RayExecutor(ray_cluster, keep_warm=1)
    assert all(o.ok for o in short.map_partitions("tests.scale.tasks:square", parts2, actor=spec))
    assert short._warm_pools()
    deadline = time.monotonic() + 30
    while short._warm_pools() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not short._warm_pools(), "the idle warm actors did not exit"
    # keep_warm=0: the actors end with the run.
    off = RayExecutor(ray_cluster, keep_warm=0)
    assert all(o.ok for o in off.map_partitions("tests.scale.tasks:square", parts2, actor=spec))
    assert off.keep_warm == 0 and not off._warm_pools()


def test_joining_a_token_authenticated_cluster_by_address(tmp_path: Path) -> None:
    """Ray >= 2.59's `ray start --head` enables token authentication; ray.init("auto") sends the
    saved token but ray.init("HOST:PORT") does not. chainllm sends it either way."""
    import secrets

    from chainllm.services.manager import free_port

    token = tmp_path / "auth_token"
    token.write_text(secrets.token_hex(32))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
    head = subprocess.Popen(
        [str(Path(sys.executable).parent / "ray"), "start", "--head", "--block", "--port", str(port),
         "--num-cpus", "1", "--include-dashboard=false", "--disable-usage-stats"],
        env={**env, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN_PATH": str(token)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        (tmp_path / "A.sol").write_text("pragma solidity ^0.8.0; contract A {}")
        cmd = [
            sys.executable,
            "-m",
            "chainllm",
            "audit",
            "A.sol",
            "--ray",
            f"127.0.0.1:{port}",
            "--format",
            "json",
        ]
        deadline = time.monotonic() + 90
        while True:  # the head takes a few seconds to listen
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=tmp_path,
                                 env={**env, "RAY_AUTH_TOKEN_PATH": str(token)})  # fmt: skip
            if res.returncode == 0 or time.monotonic() > deadline or "unreachable" not in res.stderr:
                break
            time.sleep(1)
        assert res.returncode == 0, res.stderr[-2000:]
        assert json.loads(res.stdout)["results"][0]["compiled"], res.stdout[:500]
    finally:
        head.terminate()
        head.wait(timeout=60)


def test_cluster_status_and_release_from_the_cli(ray_cluster: str, tmp_path: Path) -> None:
    _url, parts, actor = _job(tmp_path, [1, 1])
    ex = RayExecutor(ray_cluster, keep_warm=60)
    assert all(o.ok for o in ex.map_partitions("tests.scale.tasks:square", parts, actor=actor))

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "chainllm", "cluster", *args],
                              capture_output=True, text=True, timeout=120, cwd=ROOT)  # fmt: skip

    res = cli("status", "--ray", ray_cluster, "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert len(doc["nodes"]) == 2 and all(n["matches"] and n["chainllm"] == __version__ for n in doc["nodes"])
    from chainllm.executor.cluster import warm_pool_key

    mine = [w for w in doc["warm"] if w["pool"] == warm_pool_key(actor, 1.0, ex.runtime_env)]
    assert mine and all(w["busy"] is False and w["idle_s"] >= 0 for w in mine), doc["warm"]
    res = cli("release", "--ray", ray_cluster, "--json")
    assert res.returncode == 0 and json.loads(res.stdout)["released"] >= len(mine), res.stderr
    assert json.loads(cli("status", "--ray", ray_cluster, "--json").stdout)["warm"] == []
    bad = cli("status", "--ray", "127.0.0.1:9")
    assert bad.returncode == 2 and "Ray cluster 127.0.0.1:9 is unreachable" in bad.stderr
