"""The model fills the contract IR where the deterministic parser cannot (owned by gen-model this round).

``--fill auto`` (default): the parser first (``kinds.build_ir``); only when it cannot tell the
kind (IR kind ``unsupported``) the model picks the kind and, if the request names none, the
contract name, under JSON-schema constrained decoding, so its answer is always a valid IR
choice. The bundled SmolLM2-135M is not asked in ``auto``: measured, its choice is near chance. ``--fill parser``: never the model. ``--fill model``: the model picks the kind and name
even where the parser could (to measure the model alone).

Constrained decoding: llguidance for the local transformers model (measured against xgrammar,
outlines and transformers-cfg in bench/fill_bench.py, figures in docs/generation.md); an
OpenAI-compatible server gets the same schema as ``response_format`` (vLLM, llama.cpp server and
Ollama enforce it server-side). Numbers and durations still come from the parser's reading of
the request (``kinds._params``); every default it assumed is a note in the IR.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, replace
from typing import Any

from chainllm.errors import BadInputError, ServiceError
from chainllm.generate import kinds
from chainllm.generate.backends import LocalBackend, Message, OpenAIBackend
from chainllm.generate.ir import ContractIR, Requirement

FILL_MODES = ("auto", "parser", "model")
# Bases whose kind choice was measured no better than a guess (docs/generation.md): ``auto``
# does not ask them; ``--fill model`` still does.
TOO_SMALL = frozenset({"smollm2-135m"})
NAME_PATTERN = r"^[A-Z][A-Za-z0-9]{2,40}$"
MAX_TOKENS = 40  # {"kind": "...", "name": "..."} is ~20 tokens

# One line per kind: a 135M model follows short glosses better than the detection regexes.
GLOSS: dict[str, str] = {
    "storage": "stores one value that can be set and read",
    "hello_world": "returns a greeting message",
    "counter": "a number anyone can increment and read",
    "ownership": "an owner who can transfer control to another address",
    "voting": "people vote on proposals, one vote each",
    "english_auction": "sell an item to the highest bidder before an end time",
    "dutch_auction": "price starts high and falls over time until someone buys",
    "crowdfunding": "contributors fund a goal by a deadline, refunds if it is missed",
    "payment_splitter": "incoming ether is split between payees by shares",
    "staking": "lock tokens to earn reward tokens over time",
    "lottery": "players buy tickets and one random winner takes the pot",
    "allowlist": "an admin approves which addresses are allowed",
    "username_registry": "each address registers one unique name or handle",
    "proof_of_existence": "record the hash of a document with a timestamp",
    "supply_chain": "track an item through stages from producer to buyer",
    "loyalty_points": "a shop awards points to customers who redeem them later",
    "subscription": "users pay a fee to stay active for a period",
    "marketplace": "sellers list items at a price and buyers pay ether for them",
    "timelock_savings": "deposit ether that cannot be withdrawn until an unlock time",
    "dao_treasury": "members propose ether payouts and vote on them",
    "inheritance": "if the owner stops checking in, an heir can claim the funds",
    "airdrop": "send or let addresses claim a fixed amount of tokens",
    "faucet": "gives out a small amount to anyone, with a waiting time between claims",
    "donation": "anyone sends ether tips or donations, the owner withdraws them",
    "bank": "users deposit and withdraw ether, each balance is tracked",
    "todo_list": "add tasks and mark them done",
}

_EXAMPLES: tuple[tuple[str, dict[str, str]], ...] = (
    (
        "A jar where friends put ether for my birthday and I take it out later.",
        {"kind": "donation", "name": "BirthdayJar"},
    ),
    (
        "Record who owns each plot of land and let owners sell plots for ether.",
        {"kind": "marketplace", "name": "LandMarket"},
    ),
)


def kind_choices() -> tuple[str, ...]:
    """The kinds the model may choose: those the IR composer renders."""
    from chainllm.generate import templates

    return tuple(k for k in GLOSS if k in kinds.BY_KIND and k in templates.RENDERERS)


def schema(choices: tuple[str, ...] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "kind": {"type": "string", "enum": list(choices or kind_choices())},
            "name": {"type": "string", "pattern": NAME_PATTERN},
        },
        "required": ["kind", "name"],
        "additionalProperties": False,
    }


def messages(request: str, choices: tuple[str, ...] | None = None) -> list[Message]:
    listing = "\n".join(f"- {k}: {GLOSS[k]}" for k in choices or kind_choices())
    system = (
        "You map a request for a smart contract onto one contract kind and a contract name "
        'in CamelCase. Answer only JSON: {"kind": ..., "name": ...}. Kinds:\n' + listing
    )
    out: list[Message] = [{"role": "system", "content": system}]
    for req, ans in _EXAMPLES:
        out += [{"role": "user", "content": req}, {"role": "assistant", "content": json.dumps(ans)}]
    return [*out, {"role": "user", "content": request}]


@dataclass(frozen=True)
class Fill:
    """What the model chose, with the raw text it produced."""

    kind: str
    name: str
    raw: str
    engine: str
    seconds: float


def parse_answer(
    text: str, source: str, engine: str, seconds: float, choices: tuple[str, ...] | None = None
) -> Fill:
    """The model's JSON checked against the schema; garbage is a one-line ServiceError."""
    allowed = choices or kind_choices()
    m = re.search(r"\{.*\}", text, re.S)
    try:
        data = json.loads(m.group(0) if m else text)
    except ValueError:
        raise ServiceError(
            f"{source} answered the IR fill with text that is not JSON: {text[:60]!r}",
            hint="use --fill parser, or a server that supports response_format json_schema",
        ) from None
    kind = data.get("kind") if isinstance(data, dict) else None
    name = data.get("name") if isinstance(data, dict) else None
    if kind not in allowed or not isinstance(name, str) or not re.fullmatch(NAME_PATTERN, name):
        raise ServiceError(
            f"{source} answered the IR fill with JSON outside the schema: {text[:60]!r}",
            hint="use --fill parser, or a server that supports response_format json_schema",
        )
    return Fill(str(kind), name, text, engine, seconds)


_LLTOK: dict[tuple[int, int], Any] = {}


def llguidance_processor(tokenizer: Any, schema_: dict[str, Any], vocab_size: int) -> Any:
    """A transformers LogitsProcessor that masks every token the JSON schema forbids."""
    import llguidance
    import llguidance.hf
    import llguidance.torch
    from transformers import LogitsProcessor

    key = (id(tokenizer), vocab_size)
    if key not in _LLTOK:  # ~1 s to build: once per tokenizer
        _LLTOK[key] = llguidance.hf.from_tokenizer(tokenizer, n_vocab=vocab_size)
    lltok = _LLTOK[key]
    grammar = llguidance.LLMatcher.grammar_from_json_schema(schema_, defaults={"whitespace_flexible": False})

    class Proc(LogitsProcessor):
        def __init__(self) -> None:
            self.matcher = llguidance.LLMatcher(lltok, grammar)
            if self.matcher.is_error():
                raise ServiceError(f"llguidance rejected the IR schema: {self.matcher.get_error()}")
            self.mask = llguidance.torch.allocate_token_bitmask(1, vocab_size)
            self.started = False

        def __call__(self, input_ids: Any, scores: Any) -> Any:
            if self.started:
                self.matcher.consume_token(int(input_ids[0, -1]))
            self.started = True
            llguidance.torch.fill_next_token_bitmask(self.matcher, self.mask, 0)
            llguidance.torch.apply_token_bitmask_inplace(scores, self.mask)
            return scores

    return Proc()


def _local(backend: LocalBackend, msgs: list[Message], schema_: dict[str, Any]) -> tuple[str, float]:
    import torch

    backend._ensure()
    backend._set_threads()
    tok, model = backend.tokenizer, backend.model
    ids = backend._prompt_ids(msgs)
    started = time.perf_counter()
    proc = llguidance_processor(tok, schema_, int(model.config.vocab_size))
    with torch.inference_mode():
        out = model.generate(
            ids,
            attention_mask=torch.ones_like(ids),
            max_new_tokens=MAX_TOKENS,
            do_sample=False,
            logits_processor=[proc],
            pad_token_id=tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id,
        )
    text = tok.decode(out[0, ids.shape[1] :], skip_special_tokens=True)
    return text, time.perf_counter() - started


def _remote(backend: OpenAIBackend, msgs: list[Message], schema_: dict[str, Any]) -> tuple[str, float]:
    started = time.perf_counter()
    data = backend._post(
        "/chat/completions",
        {
            "model": backend.model,
            "messages": msgs,
            "max_tokens": MAX_TOKENS * 2,
            "temperature": 0,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "contract_ir", "schema": schema_, "strict": True},
            },
        },
    )
    choices = data["choices"]
    text = str((choices[0].get("message") or {}).get("content") or "") if choices else ""
    return text, time.perf_counter() - started


def model_fill(request: str, backend: Any, base: str = "smollm2-135m") -> Fill:
    """Ask the model for the kind and name; a backend without a model borrows the bundled one."""
    s = schema()
    msgs = messages(request)
    if isinstance(backend, OpenAIBackend):
        text, took = _remote(backend, msgs, s)
        return parse_answer(text, f"backend {backend.base_url}", "server response_format", took)
    local = backend if isinstance(backend, LocalBackend) else _borrowed(base)
    text, took = _local(local, msgs, s)
    return parse_answer(text, f"local model {local.base}", "llguidance", took)


_BORROWED: dict[str, LocalBackend] = {}


def _borrowed(base: str) -> LocalBackend:
    # One load per process: eval generate fills many requests with the same model.
    if base not in _BORROWED:
        _BORROWED[base] = LocalBackend(base=base)
    return _BORROWED[base]


def ir_for_kind(text: str, kind: str, fill: Fill | None = None) -> ContractIR:
    """The IR of ``kind`` for ``text``, built like ``kinds.build_ir`` (parser params, notes,
    checks), with the kind (and the name when the request gives none) from the model."""
    k = kinds.BY_KIND[kind]
    text = kinds.screen(text)
    low = text.lower()
    notes: list[str] = []
    checks = list(k.checks)
    warnings: list[str] = []
    params = kinds._params(k, text, low, notes, checks, warnings)
    name, given = kinds._name(text, k.name)
    filled: list[str] = []
    if fill is not None:
        filled.append("kind")
        if not given:
            name = fill.name
            filled.append("name")
        notes.append(
            f"filled by the model ({fill.engine}-constrained, {fill.seconds:.1f} s): {', '.join(filled)}"
        )
        warnings.append(
            f"the parser could not tell the kind: the model chose '{kind}'; check it with --explain and "
            "pass --spec FILE to correct it"
        )
    elif not given:
        notes.append(f"no name given: {name}")
    how = f"{kind} composer" + (
        " (kind chosen by the model under JSON-schema constrained decoding)" if fill else ""
    )
    reqs = (Requirement(f"kind: {kind.replace('_', ' ')}", how), *kinds._requirements(low, k.meets, k.kind))
    params = {**params, "filled_by_model": filled} if fill else params
    return kinds.ir_of(k, name, params, checks, reqs, warnings, notes)


def filled_fields(ir: ContractIR) -> tuple[str, ...]:
    """The IR fields the model filled (empty when the parser built it all)."""
    v = ir.params.get("filled_by_model")
    return tuple(str(x) for x in v) if isinstance(v, list) else ()


def build(request: str, backend: Any, mode: str = "auto", *, base: str = "smollm2-135m") -> ContractIR:
    """The IR for ``request`` under ``--fill mode``."""
    if mode not in FILL_MODES:
        raise BadInputError(f"--fill {mode!r} must be one of {', '.join(FILL_MODES)}")
    if mode == "parser":
        return kinds.build_ir(request)
    if mode == "model":
        kinds.screen(request)  # refusals (empty, not a contract, injection) stay the parser's
        f = model_fill(request, backend, base)
        return ir_for_kind(request, f.kind, f)
    ir = kinds.build_ir(request)
    if ir.kind != "unsupported" or not getattr(backend, "writes_code", False):
        return ir  # --backend template means no model, for the IR too
    if isinstance(backend, LocalBackend) and backend.adapter is None and backend.base in TOO_SMALL:
        return replace(
            ir,
            notes=(
                *ir.notes,
                f"the {backend.base} model was not asked to choose the kind: it chose right for 2 of 12 such "
                "requests (bench/fill_bench.py); try --fill model, or --backend openai with a bigger model",
            ),
        )
    try:
        f = model_fill(request, backend, base)
    except ImportError as exc:  # constrained decoding not installed: the parser's answer stands
        return replace(ir, notes=(*ir.notes, f"no model fill: {exc} (pip install llguidance)"))
    return ir_for_kind(request, f.kind, f)
