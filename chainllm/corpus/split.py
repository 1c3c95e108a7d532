"""Train/validation/test assignment per near-duplicate cluster, from a hash of the cluster id:
deterministic, independent of crawl order, and stable when other files are added."""

from __future__ import annotations

import hashlib

from chainllm.corpus import SPLITS
from chainllm.errors import BadInputError

DEFAULT_RATIOS = (0.90, 0.05, 0.05)
DEFAULT_SEED = "chainllm-corpus-v1"


def parse_ratios(text: str) -> tuple[float, float, float]:
    """``90,5,5`` or ``0.9,0.05,0.05`` -> fractions summing to 1."""
    try:
        parts = [float(x) for x in text.split(",")]
    except ValueError:
        parts = []
    if len(parts) != 3 or any(p < 0 for p in parts) or sum(parts) <= 0:
        raise BadInputError(
            f"--split {text!r}: expected three non-negative numbers", hint="e.g. --split 90,5,5"
        )
    total = sum(parts)
    return parts[0] / total, parts[1] / total, parts[2] / total


def assign(
    cluster_id: str, ratios: tuple[float, float, float] = DEFAULT_RATIOS, seed: str = DEFAULT_SEED
) -> str:
    u = int.from_bytes(hashlib.sha256(f"{seed}:{cluster_id}".encode()).digest()[:8], "big") / 2**64
    if u < ratios[0]:
        return SPLITS[0]
    if u < ratios[0] + ratios[1]:
        return SPLITS[1]
    return SPLITS[2]
