"""Base models, LoRA fine-tuning and evaluation of the contract generator.

Public API used by other stages:

- ``resolve_base(name_or_path) -> Path``: built-ins ("smollm2-135m" default, "tiny"), local
  folders, hub ids (online only).
- ``load_causal_lm(base, adapter=None, *, dtype=None) -> (model, tokenizer)``
- ``load_seq_classifier(base, num_labels=2, adapter=None) -> (model, tokenizer)``
- ``PromptStyle.load(adapter_dir).prompt(request)``: the prompt an adapter was trained with.

Imports of torch/transformers happen inside functions, so importing this package is cheap.
"""

from __future__ import annotations

from chainllm.model.bases import BUILTINS, DEFAULT_BASE, resolve_base
from chainllm.model.data import PromptStyle
from chainllm.model.loading import load_causal_lm, load_seq_classifier, load_tokenizer

__all__ = [
    "BUILTINS",
    "DEFAULT_BASE",
    "PromptStyle",
    "load_causal_lm",
    "load_seq_classifier",
    "load_tokenizer",
    "resolve_base",
]
