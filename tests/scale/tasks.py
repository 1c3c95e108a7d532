"""Task functions the executor tests run on real workers (imported by name on each worker)."""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

from chainllm.executor.store import PartitionStore


def warm_state(log_dir: str) -> dict[str, Any]:
    """Warm state: records each time it is built, so the test can count them."""
    token = uuid.uuid4().hex
    Path(log_dir, f"state-{token}").write_text(str(os.getpid()))
    return {"token": token, "pid": os.getpid()}


def square(state: dict[str, Any], payload: tuple[str, str, int, float]) -> dict[str, Any]:
    """Write ``n * n`` rows for partition ``pid`` (once); optionally take a while first."""
    url, pid, n, sleep = payload
    log = Path(url).parent / "calls"
    log.mkdir(exist_ok=True)
    (log / f"{pid}-{uuid.uuid4().hex[:6]}").write_text(str(os.getpid()))
    if sleep:
        time.sleep(sleep)
    store = PartitionStore(url)
    rows = "".join(json.dumps({"partition": pid, "row": i}) + "\n" for i in range(n * n))
    store.write(pid, rows.encode())
    return {"rows": n * n, "token": state["token"], "pid": os.getpid()}


def always_fails(state: dict[str, Any], payload: tuple[str, str, int, float]) -> dict[str, Any]:
    if payload[1] == "bad":
        raise RuntimeError("this partition never works")
    return square(state, payload)


def broken_state() -> None:
    raise RuntimeError("cannot build the warm state: model folder missing")
