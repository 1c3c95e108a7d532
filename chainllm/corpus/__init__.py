"""The Solidity training corpus: licence policy, dedup, splits, Parquet shards and cards.

``load(path)`` gives other stages the built dataset as a ``datasets.DatasetDict``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chainllm.errors import BadInputError, VerificationError

SPLITS = ("train", "validation", "test")


def load(path: str | Path) -> Any:
    """The dataset built by ``chainllm crawl sources`` at ``path`` as a ``DatasetDict``
    (splits ``train``/``validation``/``test``, one row per Solidity file)."""
    import datasets

    root = Path(path)
    if not (root / "data").is_dir() or not (root / "dataset_card.json").is_file():
        raise BadInputError(
            f"{root}: not a built corpus (no data/ or dataset_card.json)",
            hint="build one with `chainllm crawl sources --out DIR`",
        )
    files = {s: sorted(str(p) for p in (root / "data").glob(f"{s}-*.parquet")) for s in SPLITS}
    return datasets.load_dataset("parquet", data_files={s: f for s, f in files.items() if f})


def verify(path: str | Path) -> str:
    """Recompute the content hash from the Parquet shards and check it against the card's
    ``content_sha256``; returns the hash or raises VerificationError."""
    import pyarrow.parquet as pq

    from chainllm.corpus.build import content_hash, read_card

    root = Path(path)
    card = read_card(root)
    by_split = {
        s: [
            row
            for f in sorted((root / "data").glob(f"{s}-*.parquet"))
            for row in pq.read_table(f).to_pylist()
        ]
        for s in SPLITS
    }
    actual = content_hash(by_split)
    if actual != card.get("content_sha256"):
        raise VerificationError(
            f"{root}: content hash {actual[:16]}... does not match the card's {str(card.get('content_sha256'))[:16]}...",
            hint="the shards were modified; rebuild with `chainllm crawl sources`",
        )
    return actual
