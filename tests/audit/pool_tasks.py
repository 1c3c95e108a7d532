"""Task handlers for the pool test (run inside worker processes)."""

from __future__ import annotations

import os
import time


def handle(task: tuple[str, int]) -> int:
    kind, value = task
    if kind == "crash":
        os._exit(3)
    if kind == "hang":
        time.sleep(60)
    if kind == "raise":
        raise ValueError("bad task")
    return value * 2
