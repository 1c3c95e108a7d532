"""A small corpus in the corpus helper's format, built from real OpenZeppelin files (MIT)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

OZ = Path(__file__).resolve().parents[2] / "node_modules" / "@openzeppelin" / "contracts"
# (relative path, split, cluster): validation/test clusters never appear in train.
FILES = [
    ("token/ERC20/ERC20.sol", "train", 1),
    ("token/ERC20/extensions/ERC20Burnable.sol", "train", 2),
    ("token/ERC20/extensions/ERC20Capped.sol", "train", 3),
    ("token/ERC20/extensions/ERC20Pausable.sol", "train", 4),
    ("access/Ownable.sol", "train", 5),
    ("access/Ownable2Step.sol", "train", 5),
    ("utils/Pausable.sol", "train", 6),
    ("utils/ReentrancyGuard.sol", "train", 7),
    ("utils/Nonces.sol", "train", 8),
    ("utils/Context.sol", "train", 9),
    ("token/ERC721/ERC721.sol", "validation", 10),
    ("utils/Address.sol", "validation", 11),
    ("token/ERC1155/ERC1155.sol", "test", 12),
    ("utils/Arrays.sol", "test", 13),
    ("access/AccessControl.sol", "validation", 5),  # leaks a train cluster: must be dropped
]
_DEF = re.compile(r"^\s*(?:abstract\s+)?(contract|interface|library)\s+(\w+)", re.M)
_FUNC = re.compile(r"function\s+(\w+\s*\([^)]*\))")
_NATSPEC = re.compile(r"(///[^\n]*|/\*\*.*?\*/)", re.S)


def row(rel: str, split: str, cluster: int) -> dict[str, object]:
    text = (OZ / rel).read_text()
    defs = _DEF.findall(text)
    pragma = re.search(r"pragma solidity ([^;]+);", text)
    return {
        "id": hashlib.sha256(rel.encode()).hexdigest()[:16],
        "content": text,
        "path": f"@openzeppelin/contracts/{rel}",
        "origin": "npm:@openzeppelin/contracts@5.1.0",
        "license": "MIT",
        "pragma": pragma.group(1) if pragma else None,
        "names": [d[1] for d in defs],
        "kinds": [d[0] for d in defs],
        "natspec": "\n".join(_NATSPEC.findall(text)[:3]),
        "functions": [re.sub(r"\s+", " ", f) for f in _FUNC.findall(text)],
        "cluster_id": cluster,
        "split": split,
        "compiles": True,
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
    }


def make_corpus(folder: Path, files: list[tuple[str, str, int]] | None = None) -> Path:
    rows = [row(*f) for f in (files or FILES)]
    (folder / "data").mkdir(parents=True, exist_ok=True)
    for split in ("train", "validation", "test"):
        part = [r for r in rows if r["split"] == split]
        if part:
            pq.write_table(pa.Table.from_pylist(part), folder / "data" / f"{split}-00000.parquet")
    digest = hashlib.sha256("".join(sorted(str(r["sha256"]) for r in rows)).encode()).hexdigest()
    card = {"name": folder.name, "content_sha256": digest, "rows": len(rows)}
    (folder / "dataset_card.json").write_text(json.dumps(card, indent=2))
    return folder
