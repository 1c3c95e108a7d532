"""The generate -> compile -> audit -> repair loop with real solc (solcjs) and real Slither.

Model backends are the local stand-in server answering fixed texts, so each path (good first
answer, repaired answer, junk, whole-file junk) is exercised deterministically.
"""

from __future__ import annotations

from typing import Any

import pytest

from chainllm.generate import GenerateOptions, OpenAIBackend, TemplateBackend, generate
from tests.generate.standin import chat_reply, last_user_message, serve

CUSTOM = "ERC20 token called Foo (FOO) with a function that lets the owner burn tokens from any account"
GOOD_FN = (
    "```solidity\nfunction burnTokensFrom(address account, uint256 amount) external onlyOwner {\n"
    "    _burn(account, amount);\n}\n```"
)
BROKEN_FN = "```solidity\nfunction burnTokensFrom(address account, uint256 amount) external onlyOwner {\n    _burn(acount, amount);\n}\n```"


def _backend(url: str) -> OpenAIBackend:
    return OpenAIBackend(base_url=url, model="stand-in", retries=0)


def test_template_backend_composes_a_clean_erc20() -> None:
    steps: list[str] = []
    r = generate(
        "ERC20 named Acme, symbol ACM, 1M supply, burnable, pausable by owner",
        TemplateBackend(),
        progress=steps.append,
    )
    assert r.status == "ok" and r.compiled
    assert r.audit is not None and r.audit.solc_version == "0.8.28" and r.audit.analysed
    assert not [f for f in r.audit.findings if f.impact in {"High", "Medium"}]
    assert (
        r.source is not None and "contract Acme is ERC20, ERC20Burnable, ERC20Pausable, Ownable" in r.source
    )
    assert "1_000_000 * 10 ** decimals()" in r.source
    assert [a.origin for a in r.attempts] == ["composer"] and r.model_calls == 0
    assert any("compiling and auditing" in s for s in steps)
    d = r.to_dict()
    for key in ("compiled", "solc_version", "findings", "attempts", "backend"):
        assert key in d
    assert "not a proof of safety" in d["checked"]


def test_model_writes_the_custom_function_and_repair_fixes_a_compile_error() -> None:
    def responder(path: str, body: dict[str, Any]) -> tuple[int, Any, float]:
        text = last_user_message(body)
        # First answer misspells a variable; the repair prompt (carrying solc's error) gets a fix.
        fixed = "This attempt failed" in text and "acount" in text and "Undeclared identifier" in text
        return 200, chat_reply(*[GOOD_FN if fixed else BROKEN_FN] * body.get("n", 1)), 0.0

    for state in serve(responder):
        r = generate(CUSTOM, _backend(state.url), GenerateOptions(k=2, rounds=2, library=False))
    assert r.status == "ok", r.reason
    assert r.source is not None and "_burn(account, amount);" in r.source
    assert "/// lets the owner burn tokens from any account" in r.source
    first, *rest = r.attempts
    assert (first.origin, first.round, first.compiled) == ("model", 0, False)
    assert any(e.code == "DeclarationError" for e in first.errors)
    assert rest[-1].origin == "repair" and rest[-1].round == 1 and rest[-1].compiled
    assert not any(a.origin == "fallback" for a in r.attempts)  # stopped once a candidate was good


def test_junk_from_the_model_gives_a_partial_result_that_says_why() -> None:
    for state in serve(
        lambda p, b: (200, chat_reply(*["I'm sorry, as a language model..."] * b.get("n", 1)), 0.0)
    ):
        r = generate(CUSTOM, _backend(state.url), GenerateOptions(k=2, rounds=1, library=False))
    assert r.status == "partial"
    assert "burnTokensFrom" in r.reason and "not implemented" in r.reason
    assert r.compiled and r.source is not None and "burnTokensFrom" not in r.source
    assert r.model_calls == 3  # 1 first ask (n=2) + one re-ask per candidate in round 1
    assert any("no Solidity function" in x for a in r.attempts for x in a.rejected)
    assert r.attempts[-1].origin == "fallback" and r.attempts[-1].missing == ("burnTokensFrom",)


def test_freehand_mode_never_returns_what_did_not_compile() -> None:
    broken = (
        "```solidity\npragma solidity ^0.8.24;\ncontract Broken {\n    function f() public { x = 1; }\n}\n```"
    )
    for state in serve(lambda p, b: (200, chat_reply(*[broken] * b.get("n", 1)), 0.0)):
        r = generate(
            "a contract that stores a number",
            _backend(state.url),
            GenerateOptions(k=1, rounds=1, mode="freehand"),
        )
    assert r.status == "failed" and r.source is None and r.audit is None
    assert "no candidate compiled" in r.reason and "Undeclared identifier" in r.reason
    assert len(r.attempts) == 2 and not any(a.compiled for a in r.attempts)


def test_freehand_non_solidity_output_is_reported() -> None:
    for state in serve(lambda p, b: (200, chat_reply("print('hello')"), 0.0)):
        r = generate("an ERC20 token", _backend(state.url), GenerateOptions(k=1, rounds=0, mode="freehand"))
    assert r.status == "failed" and "no usable Solidity" in r.reason and r.source is None


def test_freehand_needs_a_model() -> None:
    from chainllm.errors import BadInputError

    with pytest.raises(BadInputError, match="freehand needs a model backend"):
        generate("an ERC20 token", TemplateBackend(), GenerateOptions(mode="freehand"))
