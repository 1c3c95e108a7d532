"""Self-describing output folders: canonical JSON, atomic writes, the model card."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chainllm.io import pretty_json, write_json


def canonicalise_adapter_config(path: Path) -> None:
    """peft stores target_modules from a set, so its order varies between runs: sort it."""
    data = json.loads(path.read_text())
    for key in ("target_modules", "modules_to_save", "exclude_modules"):
        if isinstance(data.get(key), list):
            data[key] = sorted(data[key])
    write_json(path, data)


def model_card(
    *,
    base: str,
    base_info: dict[str, Any],
    dataset: dict[str, Any],
    metrics: dict[str, Any],
    settings: dict[str, Any],
    prompt_template: str,
) -> str:
    """A Hugging Face style README.md (YAML front matter + prose). No timestamps: the card is
    part of what two identical runs must reproduce byte for byte."""
    licence = base_info.get("license", "other")
    lines = [
        "---",
        f"base_model: {base_info.get('upstream', base)}",
        "library_name: peft",
        f"license: {str(licence).lower()}",
        "pipeline_tag: text-generation",
        "tags: [solidity, lora, chainllm]",
        "---",
        "",
        f"# LoRA adapter for {base}: Solidity generation",
        "",
        f"Trained with `chainllm train generator` on base `{base}`"
        + (f" ({base_info['source']})" if base_info.get("source") else "")
        + ".",
        "",
        "## Data",
        "",
        f"- corpus: `{dataset.get('name', 'corpus')}`, dataset card sha256 `{dataset.get('card_sha256')}`",
        f"- training files: {dataset.get('train_files')}, instruction pairs: {dataset.get('train_pairs')}"
        f", tokens: {dataset.get('train_tokens')}",
        f"- validation files: {dataset.get('validation_files')} (clusters disjoint from training;"
        f" {dataset.get('dropped_overlap', 0)} overlapping held-out rows dropped)",
        f"- source licences (files): {dataset.get('licenses', {})}",
        "",
        "## Metrics (validation split, answer tokens only)",
        "",
        "| model | loss | perplexity |",
        "|---|---|---|",
        f"| base | {metrics.get('base_val_loss')} | {metrics.get('base_val_perplexity')} |",
        f"| base + this adapter | {metrics.get('val_loss')} | {metrics.get('val_perplexity')} |",
        "",
        f"Steps: {metrics.get('steps')}, stopped: {metrics.get('stop_reason')}.",
        "",
        "## Prompt",
        "",
        "```",
        prompt_template.rstrip("\n"),
        "```",
        "",
        "## Training settings",
        "",
        "```json",
        pretty_json(settings).rstrip("\n"),
        "```",
        "",
        "## Limitations",
        "",
        "Generated contracts must be compiled and audited before use (`chainllm generate` does"
        " both). The base licence applies to the combined model; the training sources keep"
        " their own licences.",
        "",
    ]
    return "\n".join(lines)
