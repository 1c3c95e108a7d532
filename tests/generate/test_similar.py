"""Kind recognition beyond the regexes: the TF-IDF similarity fallback and the general forms of
set 3's misses. Pure Python (no solc, no chain).

The texts here are fresh paraphrases, in none of the labelled sets the classifier is built from
(kind_examples.json) nor in prompts/dev_paraphrase_5.jsonl.
"""

from __future__ import annotations

import time

import pytest

from chainllm.generate import similar
from chainllm.generate.kinds import build_ir, detect

# The three set-3 misses, in general form: a named value to store, a message that starts as
# something, points/stamps/miles for customers.
RULES = [
    ("Let users save their secret number and read it back.", "storage"),
    ("Each player can remember a number on chain and fetch it whenever they like", "storage"),
    ("A contract holding a text message that begins as 'hey' and that anyone may overwrite.", "hello_world"),
    ("gm! deploy a contract that says gm", "hello_world"),
    (
        "Our pizza place wants to hand out stamps to customers; ten stamps gets a free pizza.",
        "loyalty_points",
    ),
    (
        "A frequent shopper scheme where the store owner credits points and shoppers redeem them.",
        "loyalty_points",
    ),
]

# Phrasings for the classifier alone (rules catch two of them; the classifier is tested directly).
HELD_APART = [
    ("people chip in ether for a school trip and if we dont get enough by june they can take it back", "crowdfunding"),
    ("folks put coins in, later they pull out only their own coins", "bank"),
    ("I'd like every wallet to be able to reserve one nickname that nobody else can take", "username_registry"),
    ("the admin keeps a roster of permitted wallets and can add or drop them", "allowlist"),
    ("students pick their class representative, each student only once", "voting"),
    ("a jar where fans send ether to a streamer who can collect it", "donation"),
]  # fmt: skip

OUT_OF_CATALOGUE = [
    "a decentralised options exchange with Black-Scholes pricing",
    "a tournament bracket for an esports league with match results",
    "a carbon credit retirement registry linked to satellite data",
]


@pytest.mark.parametrize(("text", "kind"), RULES)
def test_set3_misses_are_recognised_in_general_form(text: str, kind: str) -> None:
    k = detect(text)
    assert k is not None and k.kind == kind
    ir = build_ir(text)
    assert ir.kind == kind and not ir.warnings  # a rule, not a guess


def test_fallback_ranks_the_right_kind_first_on_held_apart_requests() -> None:
    matches = [(similar.classify(t), kind) for t, kind in HELD_APART]
    top1 = sum(m.kind == kind for m, kind in matches)
    assert top1 >= 5, [(m.kind, m.score) for m, _ in matches]
    # What it accepts, it gets right: abstaining is allowed, a wrong kind is not.
    assert all(m.kind == kind for m, kind in matches if m.accepted)


def test_a_kind_chosen_by_similarity_says_so() -> None:
    text = "a jar where fans send ether to a streamer who can collect it"
    assert detect(text) is None
    ir = build_ir(text)
    assert ir.kind == "donation"
    assert any("kind chosen by similarity to" in w and "--explain" in w for w in ir.warnings)
    assert "similarity" in ir.requirements[0].met_by


@pytest.mark.parametrize("text", OUT_OF_CATALOGUE)
def test_out_of_catalogue_text_stays_unsupported_and_named(text: str) -> None:
    assert not similar.classify(text).accepted
    ir = build_ir(text)
    assert ir.kind == "unsupported" and ir.unmet


def test_classifier_is_deterministic_and_fast() -> None:
    text = HELD_APART[0][0]
    first = similar.classify(text)
    similar.index.cache_clear()
    t = time.perf_counter()
    similar.index()
    built = time.perf_counter() - t
    assert similar.classify(text) == first == similar.classify(text)
    assert built < 1.0  # ~45 ms here; generous for a loaded CI runner


def test_leave_one_out_accepts_no_out_of_catalogue_example() -> None:
    r = similar.leave_one_out()
    assert r["ooc_n"] >= 15 and r["ooc_false_accept"] == 0
    assert r["kind_ok"] / r["kind_n"] >= 0.8  # measured 242/294
    assert r["wrong_accepted"] <= 15  # measured 12
