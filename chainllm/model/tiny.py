"""The ``tiny`` preset: a 2-layer Llama with a byte-level BPE tokenizer trained on Solidity.

Random weights from a fixed seed, so tests and demos run in seconds and are reproducible.
The cache key is the hash of the tokenizer training text plus the preset version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from chainllm import config
from chainllm.errors import ToolchainError
from chainllm.model.bases import MARKER, build_atomically, models_dir

PRESET_VERSION = 1
VOCAB_SIZE = 2048
SPECIALS = ["<pad>", "<s>", "</s>"]
TINY_CONFIG: dict[str, Any] = {
    "hidden_size": 64,
    "intermediate_size": 176,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 2048,
    "rms_norm_eps": 1e-5,
    "tie_word_embeddings": False,
}


def default_texts() -> list[str]:
    """OpenZeppelin 5 sources from the bundled node_modules (MIT), in a fixed order."""
    root = config.node_root() / "node_modules" / "@openzeppelin" / "contracts"
    files = sorted(root.rglob("*.sol"))
    if not files:
        raise ToolchainError(
            f"no Solidity sources under {root} to train the tiny tokenizer on",
            hint="run npm ci in the checkout, or train with --corpus so the tokenizer uses the corpus",
        )
    return [f.read_text(encoding="utf-8", errors="replace") for f in files]


def ensure_tiny(texts: Iterable[str] | None = None, *, seed: int = 0) -> Path:
    corpus = list(texts) if texts is not None else default_texts()
    digest = hashlib.sha256()
    digest.update(f"tiny-v{PRESET_VERSION}-seed{seed}".encode())
    for text in corpus:
        digest.update(hashlib.sha256(text.encode()).digest())
    key = digest.hexdigest()[:16]
    target = models_dir() / f"tiny-{key}"
    if (target / MARKER).is_file():
        return target

    def build(tmp: Path) -> dict[str, Any]:
        import torch
        from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
        from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(
            vocab_size=VOCAB_SIZE,
            special_tokens=SPECIALS,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            show_progress=False,
        )
        tok.train_from_iterator(corpus, trainer=trainer)
        fast = PreTrainedTokenizerFast(
            tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>"
        )
        fast.save_pretrained(tmp)
        cfg = LlamaConfig(
            vocab_size=tok.get_vocab_size(),
            pad_token_id=0,
            bos_token_id=1,
            eos_token_id=2,
            **TINY_CONFIG,
        )
        torch.manual_seed(seed)
        model = LlamaForCausalLM(cfg)
        model.save_pretrained(tmp, safe_serialization=True)
        return {
            "name": "tiny",
            "source": "chainllm tiny preset (random weights, BPE tokenizer trained locally)",
            "license": "MIT",
            "preset_version": PRESET_VERSION,
            "text_key": key,
            "texts": len(corpus),
        }

    return build_atomically(target, build)
