"""Backends against a local stand-in server and a tiny random Llama (no network, no downloads)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from chainllm.errors import BadInputError, ServiceError
from chainllm.generate.backends import LocalBackend, OpenAIBackend, Sampling, make_backend
from tests.generate.standin import StandIn, chat_reply, completion_reply, serve

MSGS = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "write a function"}]


@pytest.fixture
def standin() -> Iterator[StandIn]:
    yield from serve(
        lambda path, body: (200, chat_reply(*["function f() external {}"] * body.get("n", 1)), 0.0)
    )


def test_chat_completions_shape_key_and_n(standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAINLLM_OPENAI_API_KEY", "sk-test-123")
    be = OpenAIBackend(base_url=standin.url.removesuffix("/v1"), model="my-lora")  # /v1 is appended
    out = be.complete(MSGS, Sampling(n=3, max_tokens=64, temperature=0.2, stop=("```",)))
    assert out == ["function f() external {}"] * 3
    path, body, headers = standin.requests[0]
    assert path == "/v1/chat/completions"
    assert body["model"] == "my-lora" and body["n"] == 3 and body["messages"] == MSGS
    assert body["max_tokens"] == 64 and body["stop"] == ["```"]
    assert headers["Authorization"] == "Bearer sk-test-123"


def test_servers_that_ignore_n_are_asked_again() -> None:
    for state in serve(lambda path, body: (200, chat_reply("one answer"), 0.0)):
        out = OpenAIBackend(base_url=state.url, model="m").complete(MSGS, Sampling(n=3))
        assert out == ["one answer"] * 3
        assert len(state.requests) == 3


def test_falls_back_to_completions_when_chat_is_missing() -> None:
    def responder(path: str, body: dict[str, Any]) -> tuple[int, Any, float]:
        if path.endswith("/chat/completions"):
            return 404, {"error": "not found"}, 0.0
        return 200, completion_reply("function g() external {}"), 0.0

    for state in serve(responder):
        out = OpenAIBackend(base_url=state.url, model="m").complete(MSGS, Sampling())
        assert out == ["function g() external {}"]
        assert state.requests[-1][0] == "/v1/completions"
        assert "write a function" in state.requests[-1][1]["prompt"]


def test_server_error_is_retried_once() -> None:
    calls: list[int] = []

    def responder(path: str, body: dict[str, Any]) -> tuple[int, Any, float]:
        calls.append(1)
        return (500, {"error": "busy"}, 0.0) if len(calls) == 1 else (200, chat_reply("ok"), 0.0)

    for state in serve(responder):
        assert OpenAIBackend(base_url=state.url, model="m").complete(MSGS, Sampling()) == ["ok"]
    assert len(calls) == 2


@pytest.mark.parametrize(
    ("reply", "needle"),
    [
        ((401, {"error": "no key"}, 0.0), "CHAINLLM_OPENAI_API_KEY"),
        ((200, b"<html>proxy login</html>", 0.0), "not JSON"),
        ((200, {"result": "no choices here"}, 0.0), "without 'choices'"),
        ((400, {"error": "bad"}, 0.0), "HTTP 400"),
        ((200, chat_reply("late"), 3.0), "did not answer within"),
    ],
)
def test_server_failures_become_one_line_service_errors(reply: tuple[int, Any, float], needle: str) -> None:
    for state in serve(lambda path, body: reply):
        be = OpenAIBackend(base_url=state.url, model="m", timeout=1.0, retries=0)
        with pytest.raises(ServiceError) as info:
            be.complete(MSGS, Sampling())
        assert needle in str(info.value)
        assert "\n" not in str(info.value)


def test_unreachable_backend_names_the_url_and_the_fix() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens there
    be = OpenAIBackend(base_url=f"http://127.0.0.1:{port}", model="m")
    with pytest.raises(ServiceError) as info:
        be.complete(MSGS, Sampling())
    assert f"127.0.0.1:{port}" in str(info.value) and "start the server" in str(info.value)


def test_backend_options_are_validated() -> None:
    with pytest.raises(BadInputError, match="--base-url"):
        make_backend("openai", model="m")
    with pytest.raises(BadInputError, match="not an http"):
        make_backend("openai", base_url="ftp://x", model="m")
    with pytest.raises(BadInputError, match="--model is required"):
        make_backend("openai", base_url="http://127.0.0.1:1")
    with pytest.raises(BadInputError, match="unknown"):
        make_backend("gpt")


def _tiny_llama() -> tuple[Any, Any]:
    """A 2-layer random Llama and a word-level tokenizer built here (nothing downloaded)."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    words = [
        "function",
        "external",
        "returns",
        "uint256",
        "address",
        "require",
        "owner",
        "(",
        ")",
        "{",
        "}",
        ";",
        "=",
        "+",
        "-",
        ".",
        ",",
        "_burn",
        "_mint",
        "amount",
        "account",
    ]
    vocab = {w: i for i, w in enumerate(["<pad>", "<s>", "</s>", "<unk>", *words])}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>", unk_token="<unk>"
    )
    torch.manual_seed(0)
    cfg = LlamaConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=512,
        pad_token_id=0,
        bos_token_id=1,
        eos_token_id=2,
    )
    return LlamaForCausalLM(cfg).eval(), fast


def test_local_backend_generates_n_samples_with_a_tiny_model() -> None:
    model, tok = _tiny_llama()
    be = LocalBackend(model=model, tokenizer=tok)
    out = be.complete(MSGS, Sampling(n=2, max_tokens=12, temperature=1.0, seed=1))
    assert len(out) == 2
    assert all(isinstance(t, str) for t in out)
    again = LocalBackend(model=model, tokenizer=tok).complete(
        MSGS, Sampling(n=2, max_tokens=12, temperature=1.0, seed=1)
    )
    assert again == out  # seeded sampling is reproducible
    greedy = be.complete(MSGS, Sampling(n=1, max_tokens=8, temperature=0.0, stop=(";",)))
    assert ";" not in greedy[0]  # truncated at the stop sequence


def test_local_backend_sets_torch_threads() -> None:
    import torch

    from chainllm.generate.backends import default_threads

    model, tok = _tiny_llama()
    before = torch.get_num_threads()
    try:
        for threads, expected in ((2, 2), (1, 1), (None, default_threads())):
            be = LocalBackend(model=model, tokenizer=tok, threads=threads)
            be.complete(MSGS, Sampling(n=1, max_tokens=2))
            assert torch.get_num_threads() == expected
            assert f"{expected} thread(s)" in be.describe()
    finally:
        torch.set_num_threads(before)
    assert 1 <= default_threads() <= 4
    with pytest.raises(BadInputError, match="--threads 0 must be at least 1"):
        make_backend("local", threads=0)


def test_adapter_reference_is_a_folder_or_a_published_ref(tmp_path: Any) -> None:
    from chainllm.generate.backends import resolve_adapter

    assert resolve_adapter(None) is None
    assert resolve_adapter(str(tmp_path)) == tmp_path
    with pytest.raises(BadInputError, match="no such folder"):
        resolve_adapter(str(tmp_path / "missing"))
