"""A candidate that fails a behaviour check is repaired or rejected, like a compile error.

Real solc, Slither and anvil; the model is a loopback stand-in for an OpenAI-compatible server
(no model here writes whole contracts). Its first answer compiles clean but stores the wrong
value, which only the behaviour check can see.
"""

from __future__ import annotations

from typing import Any

from chainllm.generate import GenerateOptions, OpenAIBackend, generate
from tests.generate.standin import chat_reply, last_user_message, serve

CONTRACT = """```solidity
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

contract SimpleStorage {
    uint256 private value;

    event ValueChanged(uint256 newValue);

    function set(uint256 newValue) external {
        value = STORE;
        emit ValueChanged(newValue);
    }

    function get() external view returns (uint256) {
        return value;
    }
}
```"""
WRONG = CONTRACT.replace("STORE", "newValue + 1")
RIGHT = CONTRACT.replace("STORE", "newValue")
REQUEST = "a contract that stores a number: set it, then get it back"


def _run(fixed: bool) -> tuple[Any, list[str]]:
    asked: list[str] = []

    def answer(_path: str, body: dict[str, Any]) -> tuple[int, Any, float]:
        user = last_user_message(body)
        asked.append(user)
        return 200, chat_reply(RIGHT if fixed and "Failed checks" in user else WRONG), 0.0

    for state in serve(answer):
        r = generate(
            REQUEST,
            OpenAIBackend(base_url=state.url, model="stand-in", retries=0),
            GenerateOptions(k=1, rounds=1, mode="freehand"),
        )
    return r, asked


def test_a_behaviour_failure_is_sent_back_to_the_model_and_the_repair_is_returned() -> None:
    r, asked = _run(fixed=True)
    assert r.status == "ok", r.reason
    assert r.behaviour is not None and r.behaviour.passed
    assert "value = newValue;" in (r.source or "") and r.origin == "repair"
    assert "after rejecting 1 candidate(s)" in r.reason and "set_then_get_returns_value" in r.reason
    # The repair prompt carried the failed check and what it saw.
    assert any("Failed checks" in a and "set_then_get_returns_value" in a for a in asked)


def test_a_candidate_that_keeps_failing_is_rejected_and_the_check_named() -> None:
    r, _ = _run(fixed=False)
    assert r.status == "failed"
    assert r.reason.startswith("behaviour:") and "set_then_get_returns_value" in r.reason
    assert r.behaviour is not None
    assert [(c.name, c.status) for c in r.behaviour.checks] == [("set_then_get_returns_value", "failed")]
