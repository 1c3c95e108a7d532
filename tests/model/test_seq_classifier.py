"""LlamaForSequenceClassification + LoRA for the fraud scorer: train a step, save, reload."""

from __future__ import annotations

from pathlib import Path

import torch

from chainllm.model import load_seq_classifier


def test_seq_classifier_trains_saves_and_reloads_identically(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model, tok = load_seq_classifier("tiny", num_labels=2)
    batch = tok(["transfer 1 ETH to a known wallet", "approve unlimited spend to fresh contract"],
                padding=True, return_tensors="pt")  # fmt: skip
    labels = torch.tensor([0, 1])
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    before = model(**batch, labels=labels).loss
    for _ in range(5):
        loss = model(**batch, labels=labels).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
    model.eval()
    with torch.no_grad():
        after = model(**batch, labels=labels)
    assert float(after.loss) < float(before)
    model.save_pretrained(tmp_path / "clf")
    saved = {p.name for p in (tmp_path / "clf").iterdir()}
    assert {"adapter_config.json", "adapter_model.safetensors"} <= saved
    reloaded, _ = load_seq_classifier(adapter=tmp_path / "clf", trainable=False)
    with torch.no_grad():
        again = reloaded(**batch).logits
    assert torch.allclose(after.logits, again, atol=1e-6)  # the score head came back too
