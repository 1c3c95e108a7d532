"""The model's IR fill: llguidance constrained decoding on a real (tiny, random) Llama, the
schema check of server answers, and how the fill lands in the IR (nothing downloaded)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from chainllm.errors import ServiceError
from chainllm.generate import fill, kinds
from chainllm.generate.backends import LocalBackend, OpenAIBackend
from tests.generate.standin import chat_reply, serve

UNPARSED = "Track which seat in the cinema each wallet has reserved."


def _tiny_bpe_llama() -> tuple[Any, Any]:
    """A 2-layer random Llama over a byte-level BPE vocabulary trained here in well under 1 s:
    every string is spellable, so only the constraint decides what comes out."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    text = [json.dumps({"kind": k, "name": "MyContract"}) for k in fill.GLOSS] + list(fill.GLOSS.values())
    tok.train_from_iterator(
        text,
        trainers.BpeTrainer(
            vocab_size=600, special_tokens=["<eos>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
        ),
    )
    hf = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<eos>", pad_token="<eos>")
    torch.manual_seed(0)
    cfg = LlamaConfig(
        vocab_size=len(hf),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        eos_token_id=hf.eos_token_id,
        pad_token_id=hf.eos_token_id,
    )
    return LlamaForCausalLM(cfg).eval(), hf


@pytest.fixture(scope="module")
def tiny() -> LocalBackend:
    model, tok = _tiny_bpe_llama()
    # named apart from the bundled base: ``auto`` does not ask the bundled 135M model
    return LocalBackend(base="tiny-bpe", model=model, tokenizer=tok, threads=1)


def test_random_model_under_the_constraint_always_answers_in_schema(tiny: LocalBackend) -> None:
    # Unconstrained, a random model writes byte soup; under llguidance every answer parses and
    # names a kind the composer renders.
    for req in (UNPARSED, "Split ether between founders.", "Lock tokens to earn more tokens."):
        f = fill.model_fill(req, tiny)
        assert f.kind in fill.kind_choices() and re.fullmatch(fill.NAME_PATTERN, f.name), f.raw
        assert json.loads(f.raw) == {"kind": f.kind, "name": f.name}
    assert len(fill.kind_choices()) == 26


def test_auto_fills_only_what_the_parser_could_not(tiny: LocalBackend) -> None:
    parsed = fill.build("A crowdfunding campaign with a 5 ETH goal and a 30 day deadline", tiny, "auto")
    assert parsed.kind == "crowdfunding" and fill.filled_fields(parsed) == ()
    assert kinds.build_ir(UNPARSED).kind == "unsupported"
    ir = fill.build(UNPARSED, tiny, "auto")
    assert ir.kind in fill.kind_choices() and fill.filled_fields(ir) == ("kind", "name")
    assert not ir.unmet and set(kinds.BY_KIND[ir.kind].checks) <= set(ir.checks)
    assert any("the model chose" in w for w in ir.warnings)
    assert any("filled by the model (llguidance-constrained" in n for n in ir.notes)
    assert fill.build(UNPARSED, tiny, "parser").kind == "unsupported"


def test_auto_does_not_ask_the_bundled_135m_model() -> None:
    # measured near chance (docs/generation.md): auto keeps the parser's honest "unsupported"
    bundled = LocalBackend()  # never loaded: auto decides from the base name alone
    ir = fill.build(UNPARSED, bundled, "auto")
    assert ir.kind == "unsupported" and ir.unmet and bundled.model is None
    assert any("was not asked to choose the kind" in n for n in ir.notes)


def test_a_name_the_request_gives_is_kept(tiny: LocalBackend) -> None:
    ir = fill.build("A contract called Tally that anybody can bump up by one.", tiny, "model")
    assert ir.name == "Tally" and fill.filled_fields(ir) == ("kind",)


def test_server_gets_the_schema_and_garbage_is_one_line() -> None:
    answers = iter(
        [
            json.dumps({"kind": "counter", "name": "Tally"}),
            "I think a counter would be nice",
            json.dumps({"kind": "spaceship", "name": "Tally"}),
        ]
    )
    for state in serve(lambda path, body: (200, chat_reply(next(answers)), 0.0)):
        be = OpenAIBackend(base_url=state.url, model="m")
        ir = fill.build(UNPARSED, be, "auto")
        assert ir.kind == "counter" and ir.name == "Tally"
        body = state.requests[0][1]
        rf = body["response_format"]
        assert rf["type"] == "json_schema" and rf["json_schema"]["schema"] == fill.schema()
        assert body["temperature"] == 0
        with pytest.raises(ServiceError, match="not JSON") as e1:
            fill.build(UNPARSED, be, "auto")
        with pytest.raises(ServiceError, match="outside the schema") as e2:
            fill.build(UNPARSED, be, "auto")
        assert "\n" not in str(e1.value) + str(e2.value)


def test_refusals_stay_the_parsers_even_with_fill_model(tiny: LocalBackend) -> None:
    from chainllm.errors import BadInputError

    with pytest.raises(BadInputError):
        fill.build("write me a poem about the sea", tiny, "model")
    with pytest.raises(BadInputError, match="--fill"):
        fill.build(UNPARSED, tiny, "guess")
