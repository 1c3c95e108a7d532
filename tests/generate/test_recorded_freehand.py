"""The openai backend's freehand path on a real model's recorded answers.

tests/fixtures/freehand_smollm2_recording.json holds what the bundled SmolLM2-135M-Instruct
answered to every chat completion the freehand loop sent (scripts/record_freehand.py, provenance
inside). A loopback stand-in replays it; the loop runs for real: HTTP, extraction, solc, Slither,
repair prompts built from solc's errors, and behaviour checks on the session anvil for anything
that compiles. The replay must reach exactly the outcome the live run reached.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chainllm.generate import GenerateOptions, generate
from chainllm.generate.backends import OpenAIBackend
from chainllm.generate.record import Recording, outcome
from tests.generate.standin import serve

REC = Path(__file__).resolve().parents[1] / "fixtures" / "freehand_smollm2_recording.json"


@pytest.fixture(scope="module")
def rec() -> Recording:
    return Recording(REC)


def test_provenance_names_model_weights_sampling_and_command(rec: Recording) -> None:
    p = rec.provenance
    assert "SmolLM2-135M-Instruct" in p["model"]
    weights = p["weights"]["files"]
    assert weights and all(len(h) == 64 for h in weights.values())
    assert {"temperature", "max_tokens", "seed", "top_p"} <= set(p["sampling"])
    assert {"torch", "transformers", "chainllm_commit"} <= set(p["versions"])
    assert p["date"] and "record_freehand.py" in p["command"]
    assert len(rec.exchanges) >= len(rec.runs) >= 1


def test_replay_runs_compile_audit_repair_behaviour_and_matches_the_live_run(
    rec: Recording, tmp_path: Path
) -> None:
    p = rec.provenance
    opts = GenerateOptions(
        mode="freehand",
        k=p["loop"]["k"],
        rounds=p["loop"]["rounds"],
        contract_tokens=p["sampling"]["max_tokens"],
        temperature=p["sampling"]["temperature"],
        seed=p["sampling"]["seed"],
        use_cache=False,
        workdir=tmp_path,
    )

    def answer(path: str, body: dict) -> tuple[int, object, float]:
        got = rec.answer(path, body)
        return (200, got, 0.0) if got is not None else (500, {"error": "not in the recording"}, 0.0)

    for state in serve(answer):
        be = OpenAIBackend(base_url=state.url, model=rec.model, retries=0)
        for run in rec.runs:
            res = generate(run["request"], be, opts)
            assert rec.misses == [], "the loop sent a request the recording does not hold"
            assert outcome(res) == run["outcome"], run["request"]
            attempts = res.attempts
            # every model answer was extracted and either rejected with a reason or compiled by solc
            assert all(a.rejected or a.sha256 for a in attempts)
            failed_compiles = [a for a in attempts if a.sha256 and not a.compiled and a.round < opts.rounds]
            if failed_compiles:  # a repair round followed: it carried solc's errors
                repairs = [
                    b for _p, b, _h in state.requests if "This attempt failed" in b["messages"][-1]["content"]
                ]
                assert repairs and any("- compiler" in b["messages"][-1]["content"] for b in repairs)
            if res.source is not None:  # compiled: audited, and its behaviour checked on anvil
                assert res.audit is not None and res.behaviour is not None
                assert res.behaviour.status in {"passed", "failed", "not checked"}
            else:
                assert res.status == "failed" and res.behaviour is None
