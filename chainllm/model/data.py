"""Instruction pairs from the corpus, tokenised and packed.

A corpus folder holds ``data/{train,validation,test}-*.parquet`` (one row per Solidity file)
and ``dataset_card.json``. Each file yields a whole-contract pair (request derived from its
names, kinds, NatSpec and function signatures) and a few function-level pairs (request from
the function's NatSpec and signature, answer the function). Validation/test rows whose
cluster also appears in train are dropped, so held-out numbers never see training clusters.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from chainllm.errors import BadInputError
from chainllm.toolchain.pragma import code_chars

SPLITS = ("train", "validation", "test")
REQUIRED_COLUMNS = ("id", "content", "names", "kinds", "natspec", "functions", "cluster_id", "split")
IGNORE = -100


@dataclass(frozen=True)
class PromptStyle:
    """How a request is shown to the model; saved with every adapter (prompt_style.json)."""

    name: str = "chainllm-v1"
    template: str = "### Request:\n{request}\n\n### Solidity:\n"

    def prompt(self, request: str) -> str:
        return self.template.format(request=request.strip())

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def load(cls, folder: Path) -> PromptStyle:
        path = folder / "prompt_style.json"
        if not path.is_file():
            return cls()
        d = json.loads(path.read_text())
        return cls(name=d["name"], template=d["template"])


@dataclass(frozen=True)
class Pair:
    request: str
    response: str
    source_id: str
    kind: str  # "contract" | "function"


@dataclass(frozen=True)
class CorpusSplits:
    folder: Path
    train: tuple[dict[str, Any], ...]
    validation: tuple[dict[str, Any], ...]
    test: tuple[dict[str, Any], ...]
    card_sha256: str | None  # content_sha256 from dataset_card.json
    card: dict[str, Any]
    dropped_overlap: int  # held-out rows dropped because their cluster is in train

    def rows(self, split: str) -> tuple[dict[str, Any], ...]:
        rows: tuple[dict[str, Any], ...] = getattr(self, split)
        return rows


def load_corpus(folder: Path, *, need_train: bool = True) -> CorpusSplits:
    """Read the corpus Parquet shards; one-line errors for a missing or empty corpus."""
    import pyarrow.parquet as pq

    folder = Path(folder)
    if not folder.is_dir():
        raise BadInputError(
            f"corpus folder {folder} does not exist",
            hint="build one with `chainllm corpus build`, or pass --corpus with its folder",
        )
    data = folder / "data"
    splits: dict[str, list[dict[str, Any]]] = {}
    for split in SPLITS:
        rows: list[dict[str, Any]] = []
        for shard in sorted(data.glob(f"{split}-*.parquet")):
            try:
                table = pq.read_table(shard)
            except Exception as exc:
                raise BadInputError(
                    f"corpus shard {shard} is not readable Parquet: {exc}".splitlines()[0]
                ) from exc
            missing = [c for c in REQUIRED_COLUMNS if c not in table.column_names]
            if missing:
                raise BadInputError(
                    f"corpus shard {shard} lacks columns {', '.join(missing)}",
                    hint="rebuild the corpus with `chainllm corpus build`",
                )
            rows.extend(table.to_pylist())
        splits[split] = [r for r in rows if (r.get("content") or "").strip()]
    if need_train and not splits["train"]:
        raise BadInputError(
            f"corpus {folder} has no training rows (no non-empty data/train-*.parquet)",
            hint="build it with `chainllm corpus build` or point --corpus at a built corpus",
        )
    train_clusters = {r["cluster_id"] for r in splits["train"]}
    dropped = 0
    held: dict[str, list[dict[str, Any]]] = {}
    for split in ("validation", "test"):
        keep = [r for r in splits[split] if r["cluster_id"] not in train_clusters]
        dropped += len(splits[split]) - len(keep)
        held[split] = keep
    card: dict[str, Any] = {}
    card_path = folder / "dataset_card.json"
    if card_path.is_file():
        card = json.loads(card_path.read_text())
    return CorpusSplits(
        folder=folder,
        train=tuple(splits["train"]),
        validation=tuple(held["validation"]),
        test=tuple(held["test"]),
        card_sha256=card.get("content_sha256"),
        card=card,
        dropped_overlap=dropped,
    )


def corpus_fingerprint(corpus: CorpusSplits) -> str:
    """The dataset card hash, or (no card) a hash of the row hashes."""
    if corpus.card_sha256:
        return str(corpus.card_sha256)
    h = hashlib.sha256()
    for split in SPLITS:
        for row in corpus.rows(split):
            h.update(hashlib.sha256(row["content"].encode()).digest())
    return h.hexdigest()


# --- requests ------------------------------------------------------------------------------

_FUNC = re.compile(r"\bfunction\s+(\w+)\s*\(")
_DOC_LINE = re.compile(r"^\s*///\s?(.*)$")
_TAG = re.compile(r"@(\w+)\s*")


def _clean_natspec(text: str) -> str:
    """NatSpec to one plain sentence block: drop @param/@return tags' names, keep prose."""
    out = []
    for raw in text.splitlines():
        line = raw.strip().lstrip("/*").rstrip("*/").strip().lstrip("*").strip()
        if not line:
            continue
        m = _TAG.match(line)
        if m:
            tag = m.group(1)
            if tag in ("param", "return", "inheritdoc", "custom", "author"):
                continue
            line = line[m.end() :]
        out.append(line)
    text = " ".join(out)
    return re.sub(r"\s+", " ", text).strip()[:400]


def contract_request(row: dict[str, Any]) -> str:
    names = [n for n in (row.get("names") or []) if n]
    kinds = list(row.get("kinds") or [])
    kind = kinds[0] if kinds else "contract"
    main = names[-1] if names else "Contract"  # the file's last definition is usually the main one
    parts = [f"Write a Solidity {kind} named {main}."]
    pragma = row.get("pragma")
    if pragma:
        parts.append(f"Use pragma solidity {pragma}.")
    natspec = _clean_natspec(row.get("natspec") or "")
    if natspec:
        parts.append(natspec)
    others = [n for n in names if n != main]
    if others:
        parts.append("Also define " + ", ".join(others[:6]) + ".")
    funcs = list(row.get("functions") or [])
    if funcs:
        parts.append("Functions: " + "; ".join(funcs[:10]) + ".")
    return " ".join(parts)


def _skip_to_body_end(src: str, start: int) -> int | None:
    """Index after the function body's closing brace (strings and comments skipped), or None
    when the function has no body (interface, abstract)."""
    depth, parens = 0, 0
    for i, c in code_chars(src, start):
        if c == "(":
            parens += 1
        elif c == ")":
            parens -= 1
        elif c == ";" and depth == 0 and parens == 0:
            return None
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def _doc_before(src: str, start: int) -> str:
    before = src[:start].rstrip()
    if before.endswith("*/"):
        j = before.rfind("/**")
        return before[j:] if j >= 0 else ""
    lines = before.splitlines()
    doc = []
    while lines and _DOC_LINE.match(lines[-1]):
        doc.append(_DOC_LINE.match(lines.pop()).group(1))  # type: ignore[union-attr]
    return "\n".join(reversed(doc))


@dataclass(frozen=True)
class FunctionSpan:
    """A function with a body inside a source file: ``content[start:end]`` is its text from
    the start of its line to its closing brace."""

    name: str
    header: str
    start: int
    end: int
    request: str


def function_end(src: str, start: int = 0) -> tuple[str, int, int] | None:
    """The first function with a body in ``src`` from ``start``: (name, its index, the index
    after its closing brace); None when there is none or it is cut off."""
    for m in _FUNC.finditer(src, start):
        end = _skip_to_body_end(src, m.end() - 1)
        if end is not None:
            return m.group(1), m.start(), end
    return None


def function_spans(row: dict[str, Any], *, limit: int = 6, min_chars: int = 60) -> list[FunctionSpan]:
    """Up to ``limit`` functions of a corpus row, each with its natural-language request."""
    src: str = row["content"]
    names = [n for n in (row.get("names") or []) if n]
    owner = names[-1] if names else "the contract"
    spans: list[FunctionSpan] = []
    for m in _FUNC.finditer(src):
        end = _skip_to_body_end(src, m.end() - 1)
        if end is None or end - m.start() < min_chars:
            continue
        line_start = src.rfind("\n", 0, m.start()) + 1
        header = re.sub(r"\s+", " ", src[m.start() : src.find("{", m.start())]).strip()
        doc = _clean_natspec(_doc_before(src, line_start))
        request = f"In Solidity contract {owner}, implement `{header}`." + (f" {doc}" if doc else "")
        spans.append(FunctionSpan(m.group(1), header, line_start, end, request))
        if len(spans) >= limit:
            break
    return spans


def function_pairs(row: dict[str, Any], *, limit: int = 6, min_chars: int = 60) -> list[Pair]:
    src: str = row["content"]
    return [
        Pair(s.request, _dedent(src[s.start : s.end]), str(row["id"]), "function")
        for s in function_spans(row, limit=limit, min_chars=min_chars)
    ]


def _dedent(text: str) -> str:
    lines = text.splitlines()
    indents = [len(x) - len(x.lstrip()) for x in lines if x.strip()]
    cut = min(indents, default=0)
    return "\n".join(x[cut:] for x in lines)


def build_pairs(rows: tuple[dict[str, Any], ...], *, functions: bool = True) -> list[Pair]:
    pairs: list[Pair] = []
    for row in rows:
        pairs.append(Pair(contract_request(row), row["content"], str(row["id"]), "contract"))
        if functions:
            pairs.extend(function_pairs(row))
    return pairs


# --- tokenisation and packing ----------------------------------------------------------------


def encode_pair(pair: Pair, tokenizer: Any, style: PromptStyle) -> tuple[list[int], list[int]]:
    """``(input_ids, labels)``: loss only on the answer (the prompt tokens are masked)."""
    prompt_ids: list[int] = tokenizer(style.prompt(pair.request), add_special_tokens=False)["input_ids"]
    answer_ids: list[int] = tokenizer(pair.response, add_special_tokens=False)["input_ids"]
    bos = [tokenizer.bos_token_id] if tokenizer.bos_token_id is not None else []
    ids = bos + prompt_ids + answer_ids + [tokenizer.eos_token_id]
    labels = [IGNORE] * (len(bos) + len(prompt_ids)) + answer_ids + [tokenizer.eos_token_id]
    return ids, labels


def pack(
    encoded: list[tuple[list[int], list[int]]], context: int, *, seed: int
) -> list[tuple[list[int], list[int]]]:
    """Concatenate examples (shuffled with ``seed``) and cut into blocks of ``context`` tokens.
    The tail block is kept and padded later: no answer tokens are thrown away."""
    order = list(range(len(encoded)))
    random.Random(seed).shuffle(order)
    ids: list[int] = []
    labels: list[int] = []
    for i in order:
        ids.extend(encoded[i][0])
        labels.extend(encoded[i][1])
    blocks = []
    for start in range(0, len(ids), context):
        block_labels = labels[start : start + context]
        if any(x != IGNORE for x in block_labels):
            blocks.append((ids[start : start + context], block_labels))
    return blocks


def chunk(encoded: list[tuple[list[int], list[int]]], context: int) -> list[tuple[list[int], list[int]]]:
    """Per-example windows for evaluation: no context leaks between examples."""
    out = []
    for ids, labels in encoded:
        for start in range(0, len(ids), context):
            block_labels = labels[start : start + context]
            if any(x != IGNORE for x in block_labels):
                out.append((ids[start : start + context], block_labels))
    return out


def collate(blocks: list[tuple[list[int], list[int]]], pad_id: int) -> dict[str, Any]:
    import torch

    width = max(len(b[0]) for b in blocks)
    ids = torch.full((len(blocks), width), pad_id, dtype=torch.long)
    labels = torch.full((len(blocks), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(blocks), width), dtype=torch.long)
    for i, (b_ids, b_labels) in enumerate(blocks):
        ids[i, : len(b_ids)] = torch.tensor(b_ids)
        labels[i, : len(b_labels)] = torch.tensor(b_labels)
        mask[i, : len(b_ids)] = 1
    return {"input_ids": ids, "labels": labels, "attention_mask": mask}
