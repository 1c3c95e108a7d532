"""One real local Ray cluster per test session: two simulated nodes (ray.cluster_utils),
one CPU each, a small object store; shut down at the end."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


# Package scope: the cluster is gone before the tests after tests/scale run.
@pytest.fixture(scope="package")
def ray_cluster() -> Iterator[str]:
    ray = pytest.importorskip("ray")
    from ray.cluster_utils import Cluster

    # Workers import test task modules (tests.scale.tasks) by name, like chainllm's own.
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    node = {"num_cpus": 1, "object_store_memory": 100 * 1024**2}
    cluster = Cluster(initialize_head=True, head_node_args={**node, "include_dashboard": False})
    cluster.add_node(**node)
    ray.init(address=cluster.address, log_to_driver=False, logging_level="WARNING")
    try:
        yield cluster.address
    finally:
        ray.shutdown()
        cluster.shutdown()
        # Ray Data's stats thread may still log once the cluster is gone and pytest has closed
        # the captured streams; logging would print that as a traceback at exit.
        logging.raiseExceptions = False
