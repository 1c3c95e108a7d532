"""Where the default source list and the default dataset live."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chainllm import config
from chainllm.io import atomic_write

CORPUS_DIR = config.REPO_ROOT / "corpus"
DEFAULT_SOURCES = CORPUS_DIR / "sources.txt"
SUMMARY_CARD = CORPUS_DIR / "default.card.json"


def default_out() -> Path:
    """``corpus/build/default`` in a source checkout, else under the user data dir."""
    if CORPUS_DIR.is_dir():
        return CORPUS_DIR / "build" / "default"
    return config.data_dir() / "corpus" / "default"


def write_summary_card(card: dict[str, Any]) -> None:
    """A small, tracked summary of the default corpus (no per-file data)."""
    if not CORPUS_DIR.is_dir():
        return
    keys = (
        "content_sha256",
        "content_sha256_method",
        "rows",
        "bytes",
        "splits",
        "counts",
        "licenses",
        "sources",
        "dedup",
        "split",
        "scrubbed",
    )
    summary = {k: card[k] for k in keys if k in card}
    atomic_write(SUMMARY_CARD, json.dumps(summary, indent=1) + "\n")
