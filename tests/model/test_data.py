"""Instruction pairs from the corpus: requests, masking, packing, split hygiene."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from chainllm.errors import BadInputError
from chainllm.model.data import (
    IGNORE,
    PromptStyle,
    build_pairs,
    chunk,
    encode_pair,
    function_pairs,
    load_corpus,
    pack,
)
from tests.model.corpus_fixture import row


def test_missing_and_empty_corpus_errors(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match=r"corpus folder .*nope does not exist.*chainllm corpus build"):
        load_corpus(tmp_path / "nope")
    (tmp_path / "empty" / "data").mkdir(parents=True)
    with pytest.raises(BadInputError, match="has no training rows"):
        load_corpus(tmp_path / "empty")


def test_shard_missing_columns_named(tmp_path: Path) -> None:
    (tmp_path / "c" / "data").mkdir(parents=True)
    pq.write_table(pa.table({"id": ["a"], "content": ["x"]}), tmp_path / "c" / "data" / "train-00000.parquet")
    with pytest.raises(BadInputError, match="lacks columns names, kinds"):
        load_corpus(tmp_path / "c")


def test_held_out_rows_from_training_clusters_are_dropped(corpus_dir: Path) -> None:
    corpus = load_corpus(corpus_dir)
    train_clusters = {r["cluster_id"] for r in corpus.train}
    held = corpus.validation + corpus.test
    assert held and not train_clusters & {r["cluster_id"] for r in held}
    assert corpus.dropped_overlap == 1  # AccessControl shares Ownable's cluster
    assert corpus.card_sha256 and len(corpus.card_sha256) == 64


def test_requests_come_from_names_natspec_and_signatures() -> None:
    r = row("token/ERC20/extensions/ERC20Capped.sol", "train", 1)
    pairs = build_pairs((r,))
    contract = pairs[0]
    assert contract.kind == "contract" and contract.response == r["content"]
    assert "ERC20Capped" in contract.request and "pragma solidity ^0.8.20" in contract.request
    assert "cap()" in contract.request  # a function signature
    funcs = function_pairs(row("utils/ReentrancyGuard.sol", "train", 1))
    by_name = {p.request.split("`")[1].split("(")[0]: p for p in funcs}
    assert "function _nonReentrantBefore" in by_name
    fp = by_name["function _nonReentrantBefore"]
    assert fp.response.startswith("function _nonReentrantBefore()") and fp.response.rstrip().endswith("}")
    assert fp.response.count("{") == fp.response.count("}")


def test_prompt_tokens_masked_and_packing_keeps_every_answer_token(corpus_dir: Path) -> None:
    from chainllm.model import load_tokenizer, resolve_base

    tok = load_tokenizer(resolve_base("tiny"))
    style = PromptStyle()
    pairs = build_pairs(load_corpus(corpus_dir).train)
    encoded = [encode_pair(p, tok, style) for p in pairs]
    _ids, labels = encoded[0]
    n_prompt = len(tok(style.prompt(pairs[0].request), add_special_tokens=False)["input_ids"]) + 1
    assert labels[:n_prompt] == [IGNORE] * n_prompt and labels[-1] == tok.eos_token_id
    assert tok.decode([x for x in labels if x != IGNORE][:-1]) == pairs[0].response
    answer_total = sum(sum(x != IGNORE for x in lab) for _, lab in encoded)
    blocks = pack(encoded, 128, seed=0)
    assert all(len(b[0]) <= 128 for b in blocks)
    assert sum(sum(x != IGNORE for x in lab) for _, lab in blocks) == answer_total
    assert pack(encoded, 128, seed=0) == blocks and pack(encoded, 128, seed=1) != blocks
    assert sum(sum(x != IGNORE for x in lab) for _, lab in chunk(encoded, 128)) == answer_total
