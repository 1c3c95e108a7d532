"""`chainllm generate`: a contract that compiles, with its audit, from one request."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from chainllm.audit.report import FORMATS
from chainllm.cli.jsonerror import add_failure_fields
from chainllm.cli.options import FAIL_ON, json_option
from chainllm.errors import BadInputError
from chainllm.generate.backends import Backend, default_threads, make_backend, resolve_adapter
from chainllm.generate.ir import ContractIR
from chainllm.generate.loop import MODES, GenerateOptions, GenerationResult
from chainllm.generate.loop import generate as run_generate
from chainllm.generate.output import Written, check_out_path, write_result
from chainllm.types import Severity

F = TypeVar("F", bound=Callable[..., Any])
_WHO = {
    "composer": "chainllm's deterministic composer (audited building blocks); no model output",
    "library": "composer + chainllm's snippet library; no model output",
    "model": "the model (custom parts), inside the compile/audit loop",
    "repair": "the model after repair rounds",
    "fallback": "the composer; the model's answers were rejected",
}

_BACKEND_OPTIONS = [
    click.option(
        "--backend",
        type=click.Choice(["local", "openai", "template"]),
        default="local",
        show_default=True,
        help="Who writes custom functions the snippet library does not cover (or whole files in freehand mode).",
    ),
    click.option("--base", default="smollm2-135m", show_default=True, help="Base model for --backend local."),
    click.option(
        "--adapter",
        help="LoRA adapter for --backend local: a folder, or a published CID / NAME[@VERSION] (pulled and verified).",
    ),
    click.option(
        "--base-url",
        envvar="CHAINLLM_OPENAI_BASE_URL",
        help="OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 (vLLM, Ollama, llama.cpp, TGI).",
    ),
    click.option("--model", help="Model (or served LoRA adapter) name for --backend openai."),
    click.option(
        "--threads",
        type=int,
        help=f"CPU threads for --backend local (default: half the cores, at most 4; here {default_threads()}).",
    ),
    click.option(
        "--no-library",
        is_flag=True,
        help="Skip the snippet library: every custom function comes from the backend (to measure the model alone).",
    ),
    click.option(
        "--retrieval/--no-retrieval",
        default=True,
        show_default=True,
        help="Start the model's prompt for a custom function with the two most similar audited "
        "OpenZeppelin functions (BM25 over node_modules/@openzeppelin/contracts); --no-retrieval is "
        "faster (measured: docs/generation.md).",
    ),
    click.option(
        "--fill",
        type=click.Choice(["auto", "parser", "model"]),
        default="auto",
        show_default=True,
        help="Who builds the contract IR: auto = the parser; only where it cannot tell the kind, the model "
        "picks kind and name under JSON-schema constrained decoding (llguidance; response_format for "
        "--backend openai), except the bundled smollm2-135m, measured near chance; parser = never the "
        "model; model = the model always picks kind and name (to measure it).",
    ),
]


def backend_options(f: F) -> F:
    """The backend choice, shared by `generate` and `eval generate`."""
    for option in reversed(_BACKEND_OPTIONS):
        f = option(f)
    return f


def build_backend(
    backend: str,
    *,
    base: str,
    adapter: str | None,
    base_url: str | None,
    model: str | None,
    threads: int | None,
    timeout: float = 120.0,
) -> Backend:
    """The adapter is resolved (pulled and verified when it is a CID) before any weights load."""
    return make_backend(
        backend,
        base=base,
        adapter=resolve_adapter(adapter) if backend == "local" else None,
        base_url=base_url,
        model=model,
        timeout=timeout,
        threads=threads,
    )


@click.command()
@click.argument("prompt", required=False, default="")
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the contract here (.sol); its audit and log go beside it.",
)
@backend_options
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="structured",
    show_default=True,
    help="structured: OpenZeppelin composition + model-written custom functions; freehand: the model writes the whole file.",
)
@click.option("-k", "k", type=int, default=3, show_default=True, help="Candidates per request.")
@click.option(
    "--rounds",
    type=int,
    default=2,
    show_default=True,
    help="Repair rounds fed with compiler errors and findings.",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="medium",
    show_default=True,
    help="A candidate with a finding this severe or worse is not accepted.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="markdown",
    show_default=True,
    help="Format of the audit report written beside --out.",
)
@click.option(
    "--allow-partial",
    is_flag=True,
    help="Write a contract even when custom functions could not be implemented (marked in its header).",
)
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@click.option(
    "--temperature",
    type=float,
    default=0.7,
    show_default=True,
    help="Sampling temperature for model backends.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Sampling seed.")
@click.option(
    "--timeout",
    type=float,
    default=120.0,
    show_default=True,
    help="Seconds per request to an OpenAI-compatible server.",
)
@click.option("--no-cache", is_flag=True, help="Re-run the audit even for a candidate audited before.")
@click.option(
    "--explain",
    is_flag=True,
    help="Print the contract IR built from the request (JSON: kind, params, functions, checks, requirements) and stop; edit it and pass it back with --spec.",
)
@click.option(
    "--spec",
    "spec_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Build from this IR (JSON, as --explain prints it) instead of parsing PROMPT.",
)
@click.option(
    "--no-behaviour",
    is_flag=True,
    help="Skip the behaviour checks on anvil (the report then says 'not checked').",
)
@click.option(
    "--rpc",
    "rpc",
    help="anvil URL for behaviour checks (default: the running `chainllm services` anvil, else a private one).",
)
@json_option
def generate(
    prompt: str,
    out: Path | None,
    backend: str,
    base: str,
    adapter: str | None,
    base_url: str | None,
    model: str | None,
    threads: int | None,
    no_library: bool,
    retrieval: bool,
    fill: str,
    mode: str,
    k: int,
    rounds: int,
    fail_on: str,
    fmt: str,
    allow_partial: bool,
    force: bool,
    temperature: float,
    seed: int,
    timeout: float,
    no_cache: bool,
    explain: bool,
    spec_file: Path | None,
    no_behaviour: bool,
    rpc: str | None,
    as_json: bool,
) -> None:
    """Generate a Solidity contract that compiles, audit it with Slither, repair, and keep the best.

    The request is parsed into a spec (kind, name, features, access control); standard parts
    come from OpenZeppelin 5.x building blocks; custom functions come from chainllm's snippet
    library when a described intent matches (withdraw, set fee, allowlist, ...), else from the
    model. Every
    candidate is compiled and audited; nothing that did not compile is ever written.
    Every answer is compiled, audited with Slither and deployed to anvil, where behaviour
    checks derived from the contract IR run (only the owner can X, a second vote reverts, a
    refund after a missed deadline...). The report lists each requirement read from the request
    and how it is met; a requirement nothing meets is named and the command exits 1.
    Exit status: 0 a contract met --fail-on and passed its behaviour checks, 1 none did (or
    parts of the request are not met), 2 bad input or an unreachable backend.

    \b
    Examples:
      chainllm generate "ERC20 named Acme, symbol ACM, 1M supply, burnable, pausable by owner" --out Acme.sol
      chainllm generate "NFT called Space Cats (CAT), 10k max supply, public mint for 0.05 ETH" --json
      chainllm generate "a crowdfunding campaign with a 10 ETH goal and a 30 day deadline" --backend template
      chainllm generate "a simple voting contract" --explain > ballot.json; chainllm generate --spec ballot.json
      chainllm generate "2-of-3 multisig wallet" --backend openai --base-url http://127.0.0.1:8000/v1 --model my-lora
    """
    # --json failures: the one error shape (cli/jsonerror.py), plus the fields a result has
    add_failure_fields(status="error", path=None, compiled=False)
    ir = _load_ir(spec_file) if spec_file is not None else None
    if ir is None and prompt == "":
        raise BadInputError(
            "no request given",
            hint='pass a description, e.g. chainllm generate "a simple voting contract", or --spec FILE',
        )

    def make_backend() -> Backend:
        return build_backend(backend, base=base, adapter=adapter, base_url=base_url, model=model,
                             threads=threads, timeout=timeout)  # fmt: skip

    if explain:
        from chainllm.generate.fill import build as build_ir

        explain_backend = None if ir is not None else make_backend()
        shown = ir or build_ir(prompt, explain_backend, fill, base=base)
        click.echo(json.dumps(shown.to_dict(), indent=2))
        raise SystemExit(0 if not shown.unmet else 1)
    if out is not None:
        check_out_path(out, force=force)
    be = make_backend()
    opts = GenerateOptions(
        k=k,
        rounds=rounds,
        fail_on=None if fail_on == "none" else Severity.parse(fail_on),
        mode=mode,
        temperature=temperature,
        seed=seed,
        use_cache=not no_cache,
        library=not no_library,
        behaviour=not no_behaviour,
        rpc=rpc,
        fill=fill,
        retrieval=retrieval,
    )
    result = _run(prompt, be, opts, ir, show=not as_json and sys.stderr.isatty())
    written = write_result(result, out, fmt=fmt, allow_partial=allow_partial) if out is not None else None
    code = 0 if result.status == "ok" or (result.status == "partial" and allow_partial) else 1
    if as_json:
        payload = {
            "path": str(written.contract) if written and written.contract else None,
            **result.to_dict(),
        }
        if written:
            payload["audit_report"] = str(written.audit) if written.audit else None
            payload["log"] = str(written.log) if written.log else None
        elif result.source is not None and code == 0:
            payload["source"] = result.source
        click.echo(json.dumps(payload, indent=2))
        raise SystemExit(code)
    _render(result, written, out, code)
    raise SystemExit(code)


def _load_ir(path: Path) -> ContractIR:
    if not path.is_file():
        raise BadInputError(f"{path}: no such file", hint="write one with --explain > FILE")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInputError(
            f"{path}: not a JSON contract IR ({exc})", hint="write one with --explain > FILE"
        ) from None
    if isinstance(data, dict) and isinstance(data.get("ir"), dict):
        data = data["ir"]  # a --json result
    return ContractIR.from_dict(data)


def _run(
    prompt: str, be: Backend, opts: GenerateOptions, ir: ContractIR | None, *, show: bool
) -> GenerationResult:
    request = prompt or (f"(from --spec: {ir.kind} {ir.name})" if ir is not None else "")
    if not show:
        return run_generate(
            request, be, opts, ir=ir, progress=lambda m: click.echo(f"generate: {m}", err=True)
        )
    from rich.console import Console

    console = Console(stderr=True)
    with console.status("generating") as status:

        def step(msg: str) -> None:
            console.log(msg)
            status.update(msg)

        return run_generate(request, be, opts, ir=ir, progress=step)


def _render(result: GenerationResult, written: Written | None, out: Path | None, code: int) -> None:
    err = lambda m: click.echo(m, err=True)  # noqa: E731
    a = result.audit
    if a is not None:
        counts: dict[str, int] = {}
        for f in a.findings:
            counts[f.impact] = counts.get(f.impact, 0) + 1
        summary = ", ".join(f"{n} {s}" for s, n in counts.items()) or "no findings"
        err(
            f"{result.status}: {result.contract_name} compiled with solc {a.solc_version}; Slither: {summary}"
        )
    err(
        f"{result.reason} ({len(result.attempts)} attempt(s), backend {result.backend_detail}, {result.seconds.get('total', 0):.1f} s)"
    )
    if result.ir is not None:
        for r in result.ir.requirements:
            err(
                f"  requirement {'met' if r.met else 'NOT MET'}: {r.text}"
                + (f" -> {r.met_by}" if r.met else "")
            )
        for n in result.ir.notes:
            err(f"  assumed: {n}")
        for w in result.ir.warnings:
            err(f"  WARNING: {w}")
    if result.behaviour is not None:
        for c in result.behaviour.checks:
            err(f"  behaviour {c.status}: {c.name}: {c.detail}")
    if result.origin:
        err("  written by: " + _WHO.get(result.origin, result.origin))
    if written is not None:
        if written.contract:
            err(f"contract written to {written.contract}")
        elif out is not None:
            err(
                f"{out} not written: {'pass --allow-partial to write the standard parts' if result.status == 'partial' else 'no candidate met the bar'}"
            )
        if written.audit:
            err(f"audit report written to {written.audit}")
        if written.log:
            err(f"generation log written to {written.log}")
    elif result.source is not None and code == 0:
        click.echo(result.source, nl=False)
