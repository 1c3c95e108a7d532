"""The deadline pool isolates a crashing or hanging task; the others still finish."""

from __future__ import annotations

from chainllm.audit.pool import DeadlinePool


def test_crash_and_hang_are_isolated() -> None:
    tasks = [("ok", 1), ("crash", 0), ("hang", 0), ("ok", 2), ("raise", 0), ("ok", 3)]
    with DeadlinePool("tests.audit.pool_tasks:handle", 2) as pool:
        outcomes = {o.index: o for o in pool.run(tasks, timeout=3.0)}
    assert [outcomes[i].value for i in (0, 3, 5)] == [2, 4, 6]
    assert "died" in (outcomes[1].error or "")
    assert "timed out" in (outcomes[2].error or "")
    assert outcomes[4].error == "ValueError: bad task"
