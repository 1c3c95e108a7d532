"""The LLM scorer: a tiny Llama sequence classifier with LoRA trained, saved (safetensors +
JSON only), reloaded and used by `score`, which then reports full coverage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chainllm.fraud.model import FraudModel
from chainllm.fraud.scorer import ScoreOptions, Scorer
from chainllm.fraud.training import FraudTrainConfig, train_fraud
from tests.fraud.conftest import FraudChain


@pytest.mark.slow
def test_train_with_tiny_llm_and_score_with_it(fraud_chain: FraudChain, tmp_path: Path) -> None:
    out = tmp_path / "fraud-llm"
    train_fraud(
        FraudTrainConfig(
            labels=(fraud_chain.labels_dir,),
            rpc=(fraud_chain.url,),
            out=out,
            llm=True,
            llm_base="tiny",
            llm_epochs=1,
            llm_max_rows=160,
        )
    )
    adapter = out  # flat: the PEFT files sit next to gbm.txt (publishable as one folder)
    assert (adapter / "adapter_model.safetensors").is_file() and not (out / "llm").exists()
    cfg = json.loads((adapter / "adapter_config.json").read_text())
    assert cfg["task_type"] == "SEQ_CLS" and cfg["base_model_name_or_path"] == "tiny"
    assert "score" in (cfg.get("modules_to_save") or [])
    assert not [p for p in out.rglob("*") if p.suffix in {".pkl", ".bin", ".pt"}]
    report = json.loads((out / "eval.json").read_text())
    scorers = report["splits"][0]["scorers"]
    assert {"llm", "combined_llm"} <= set(scorers) and scorers["llm"]["n"] == scorers["combined"]["n"]
    model = FraudModel.load(out)
    assert model.with_llm is not None and model.with_llm.inputs == ("rules", "gbm", "llm")
    assert model.threshold_llm is not None and 0.05 <= model.threshold_llm <= 0.95
    assert model.llm_dir == out
    # The LLM only gets weight when it beat rules+GBM on the rows held back from its training.
    info = model.with_llm.info
    assert model.with_llm.uses("llm") or "why_llm_0" in info

    h = fraud_chain.first(label="malicious", category="ice_phishing", role="victim").tx_hash
    with_llm = Scorer([fraud_chain.url], model)
    r1 = with_llm.score([h])[0]
    again = Scorer([fraud_chain.url], FraudModel.load(out)).score([h])[0]
    without = Scorer([fraud_chain.url], model, options=ScoreOptions(llm=False)).score([h])[0]
    assert r1.coverage["llm"] is True and r1.confidence == 1.0
    assert r1.components["llm"] is not None and 0.0 <= r1.components["llm"] <= 1.0
    assert again.components == r1.components  # reloaded adapter: identical outputs
    assert without.coverage["llm"] is False and without.confidence < r1.confidence
