"""The generate -> compile -> audit -> repair loop.

Structured mode (default): request -> spec -> OpenZeppelin composition; a backend writes only
the custom functions, k samples each, repaired for up to N rounds with solc's errors and
Slither's findings. Freehand mode: the backend writes whole files (for bigger models).
Every candidate is compiled and audited; the best is chosen by
(compiles, meets --fail-on, requested functions present, worst severity, findings, size).
Nothing that did not compile is ever returned as the result.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from chainllm import config
from chainllm.audit.engine import AuditOptions, audit_paths
from chainllm.errors import BadInputError
from chainllm.generate import prompts, retrieval, snippets
from chainllm.generate.backends import CLOSE, Backend, Sampling
from chainllm.generate.behaviour import BehaviourReport
from chainllm.generate.compose import compose, function_text, skeleton
from chainllm.generate.extract import extract_contract, extract_function, main_contract
from chainllm.generate.ir import ContractIR
from chainllm.generate.snippets import Snippet
from chainllm.generate.spec import ContractSpec, validate_request
from chainllm.types import AuditReport, Diagnostic, FileAudit, Finding, Severity

MODES = ("structured", "freehand")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class GenerateOptions:
    k: int = 3  # candidates per request (samples per custom function)
    rounds: int = 2  # repair rounds after the first generation
    fail_on: Severity | None = Severity.MEDIUM
    mode: str = "structured"
    temperature: float = 0.7
    function_tokens: int = 256
    contract_tokens: int = 2048
    seed: int = 0
    use_cache: bool = True
    library: bool = True  # try the snippet library's candidates before asking the model
    workdir: Path | None = None  # where candidates are compiled (default: the user cache dir)
    behaviour: bool = True  # deploy the chosen candidate to anvil and run the IR's checks
    rpc: str | None = None  # anvil URL for behaviour checks (default: running local one, else a private one)
    fill: str = "auto"  # who builds the IR: auto (parser, model for an unknown kind) | parser | model
    retrieval: bool = True  # similar audited OpenZeppelin functions as context for model-written ones

    def __post_init__(self) -> None:
        problems = []
        if not 1 <= self.k <= 16:
            problems.append(f"-k {self.k} must be within 1..16")
        if not 0 <= self.rounds <= 8:
            problems.append(f"--rounds {self.rounds} must be within 0..8")
        if self.mode not in MODES:
            problems.append(f"--mode {self.mode!r} must be one of {', '.join(MODES)}")
        if not 0 <= self.temperature <= 2:
            problems.append("--temperature must be within 0..2")
        if self.fill not in ("auto", "parser", "model"):
            problems.append(f"--fill {self.fill!r} must be one of auto, parser, model")
        if problems:
            raise BadInputError("; ".join(problems))


@dataclass(frozen=True)
class Attempt:
    """One candidate that was generated and (unless rejected) compiled and audited."""

    candidate: int
    round: int
    origin: str  # composer | library | model | repair | fallback
    sha256: str | None
    compiled: bool
    solc_version: str | None = None
    errors: tuple[Diagnostic, ...] = ()
    findings: tuple[Finding, ...] = ()
    missing: tuple[str, ...] = ()  # custom functions the candidate lacks
    rejected: tuple[str, ...] = ()  # model outputs dropped before compiling, and why
    lines: int = 0
    seconds_generate: float = 0.0
    seconds_audit: float = 0.0
    cached: bool = False

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)

    def hits(self, fail_on: Severity | None) -> int:
        return 0 if fail_on is None else sum(1 for f in self.findings if f.severity >= fail_on)

    def to_dict(self) -> dict[str, Any]:
        worst = self.worst()
        return {
            "candidate": self.candidate,
            "round": self.round,
            "origin": self.origin,
            "sha256": self.sha256,
            "compiled": self.compiled,
            "solc_version": self.solc_version,
            "errors": [e.to_dict() for e in self.errors],
            "findings": _counts(self.findings),
            "worst": worst.label if worst is not None else None,
            "missing": list(self.missing),
            "rejected": list(self.rejected),
            "lines": self.lines,
            "seconds_generate": round(self.seconds_generate, 3),
            "seconds_audit": round(self.seconds_audit, 3),
            "cached": self.cached,
        }


def _counts(findings: tuple[Finding, ...]) -> dict[str, int]:
    out = {s.label: 0 for s in sorted(Severity, reverse=True)}
    for f in findings:
        out[f.severity.label] += 1
    return out


@dataclass(frozen=True)
class GenerationResult:
    request: str
    mode: str
    backend: str
    backend_detail: str
    status: str  # ok | partial | failed
    reason: str  # one line: why partial/failed, or what was checked
    spec: ContractSpec | None
    contract_name: str | None
    source: str | None  # the chosen candidate; None unless it compiled
    audit: FileAudit | None
    attempts: tuple[Attempt, ...]
    fail_on: Severity | None
    seconds: dict[str, float] = field(default_factory=dict)
    model_calls: int = 0
    origin: str | None = None  # where the returned candidate came from (see Attempt.origin)
    ir: ContractIR | None = None
    behaviour: BehaviourReport | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def compiled(self) -> bool:
        return self.audit is not None and self.audit.compiled

    def audit_report(self) -> AuditReport:
        results = (self.audit,) if self.audit is not None else ()
        return AuditReport(results=results, fail_on=self.fail_on, seconds=self.seconds.get("audit", 0.0))

    def to_dict(self) -> dict[str, Any]:
        best = self.audit
        return {
            "status": self.status,
            "reason": self.reason,
            "compiled": self.compiled,
            "solc_version": best.solc_version if best else None,
            "findings": [f.to_dict() for f in best.findings] if best else [],
            "attempts": len(self.attempts),
            "backend": self.backend,
            "backend_detail": self.backend_detail,
            "model_calls": self.model_calls,
            "origin": self.origin,
            "mode": self.mode,
            "contract": self.contract_name,
            "fail_on": self.fail_on.label if self.fail_on is not None else None,
            "spec": self.spec.to_dict() if self.spec else None,
            "ir": self.ir.to_dict() if self.ir else None,
            "requirements": [r.to_dict() for r in self.ir.requirements] if self.ir else [],
            "unmet": [r.text for r in self.ir.unmet] if self.ir else [],
            "warnings": list(self.ir.warnings) if self.ir else [],
            "behaviour": self.behaviour.to_dict() if self.behaviour else None,
            "steps": [a.to_dict() for a in self.attempts],
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "checked": "compiled with solc, analysed with Slither's default detectors"
            + (", behaviour checked on anvil" if self.behaviour and self.behaviour.passed else "")
            + "; not a proof of safety",
        }


@dataclass
class _Candidate:
    index: int
    round: int
    origin: str
    source: str | None
    code: dict[str, str | Snippet] = field(default_factory=dict)  # custom function name -> code
    missing: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()
    seconds_generate: float = 0.0
    attempt: Attempt | None = None
    audit: FileAudit | None = None


class _Runner:
    def __init__(
        self, backend: Backend, opts: GenerateOptions, progress: Progress | None, workdir: Path
    ) -> None:
        self.backend = backend
        self.opts = opts
        self.progress = progress or (lambda _msg: None)
        self.workdir = workdir
        self.done: list[_Candidate] = []
        self.seen: dict[str, _Candidate] = {}
        self.seconds = {"generate": 0.0, "audit": 0.0}
        self.model_calls = 0

    def ask(
        self,
        messages: list[dict[str, str]],
        n: int,
        max_tokens: int,
        seed: int,
        request: str | None = None,
        prefix: str = "",
    ) -> tuple[list[str], float]:
        started = time.perf_counter()
        self.model_calls += 1
        stop = ("\n```\n", "```\n\n", CLOSE) if max_tokens <= self.opts.function_tokens else ()
        texts = self.backend.complete(
            messages,
            Sampling(
                n=n,
                max_tokens=max_tokens,
                temperature=self.opts.temperature,
                stop=stop,
                seed=seed,
                prefix=prefix,
            ),
            request=request,
        )
        took = time.perf_counter() - started
        self.seconds["generate"] += took
        return texts, took

    def audit(self, cands: list[_Candidate], name_of: Callable[[_Candidate], str]) -> None:
        """Compile and audit new candidates in one parallel batch; duplicates reuse results."""
        todo: list[tuple[_Candidate, Path]] = []
        for c in cands:
            if c.source is None:
                c.attempt = Attempt(
                    c.index,
                    c.round,
                    c.origin,
                    None,
                    False,
                    missing=c.missing,
                    rejected=c.rejected,
                    seconds_generate=c.seconds_generate,
                )
                self.done.append(c)
                continue
            digest = hashlib.sha256(c.source.encode()).hexdigest()
            prior = self.seen.get(digest)
            if prior is not None and prior.audit is not None:
                c.audit = prior.audit
                c.attempt = self._attempt(c, digest, prior.audit, 0.0)
                self.done.append(c)
                continue
            # Content-addressed folders: the same candidate hits the audit cache on a later run.
            folder = self.workdir / digest[:20]
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{name_of(c)}.sol"
            if not path.is_file():
                tmp = folder / f".{path.name}.{id(c)}.tmp"
                tmp.write_text(c.source)
                tmp.replace(path)
            todo.append((c, path))
            self.seen[digest] = c
        if not todo:
            return
        self.progress(f"compiling and auditing {len(todo)} candidate(s)")
        started = time.perf_counter()
        report = audit_paths(
            [p for _, p in todo],
            # An explicit root: no project markers from folders above the cache leak in.
            AuditOptions(fail_on=self.opts.fail_on, use_cache=self.opts.use_cache, root=self.workdir),
        )
        took = time.perf_counter() - started
        self.seconds["audit"] += took
        by_path = {r.path: r for r in report.results}
        for c, path in todo:
            audit = by_path[str(path)]
            assert c.source is not None
            c.audit = audit
            c.attempt = self._attempt(
                c, hashlib.sha256(c.source.encode()).hexdigest(), audit, took / len(todo)
            )
            self.done.append(c)
            a = c.attempt
            worst = a.worst()
            state = "compiled" if a.compiled else f"does not compile ({len(a.errors)} error(s))"
            self.progress(
                f"candidate {c.index} round {c.round} ({c.origin}): {state}"
                + (
                    f", {len(a.findings)} finding(s), worst {worst.label if worst is not None else 'none'}"
                    if a.compiled
                    else ""
                )
            )

    def _attempt(self, c: _Candidate, digest: str, audit: FileAudit, seconds: float) -> Attempt:
        assert c.source is not None
        return Attempt(
            candidate=c.index,
            round=c.round,
            origin=c.origin,
            sha256=digest,
            compiled=audit.compiled and audit.analysis_error is None,
            solc_version=audit.solc_version,
            errors=audit.errors,
            findings=audit.findings,
            missing=c.missing,
            rejected=c.rejected,
            lines=c.source.count("\n"),
            seconds_generate=c.seconds_generate,
            seconds_audit=audit.seconds if not audit.cached else seconds,
            cached=audit.cached,
        )

    def good(self, c: _Candidate) -> bool:
        a = c.attempt
        return a is not None and a.compiled and a.hits(self.opts.fail_on) == 0 and not a.missing

    def rank_key(self, c: _Candidate) -> tuple[int, int, int, int, int, int]:
        a = c.attempt
        assert a is not None
        worst = a.worst()
        return (
            0 if a.compiled else 1,
            a.hits(self.opts.fail_on),
            len(a.missing),
            -1 if worst is None else int(worst),
            len(a.findings),
            a.lines,
        )


def _function_regions(source: str, code: dict[str, str | Snippet]) -> dict[str, tuple[int, int]]:
    out = {}
    for name in code:
        m = re.search(rf"\bfunction\s+{re.escape(name)}\s*\(", source)
        if m:
            start = source.count("\n", 0, m.start()) + 1
            out[name] = (start, start + function_text(code[name]).count("\n"))
    return out


def _implicated(c: _Candidate) -> list[str]:
    """Custom functions that the compiler errors or findings point into (all when unsure)."""
    a = c.attempt
    if a is None or c.source is None:
        return list(c.code)
    regions = _function_regions(c.source, c.code)
    lines = [e.line for e in a.errors if e.line] + [ln for f in a.findings for ln in f.lines]
    hit = [n for n, (lo, hi) in regions.items() if any(lo <= ln <= hi for ln in lines)]
    return hit or list(c.code)


def _library_first(spec: ContractSpec, run: _Runner) -> dict[str, str | Snippet] | None:
    """Audit the snippet library's candidates when it covers every custom function.

    Returns None when one of them is good (done); else the snippets to keep while the model
    writes the functions the library does not cover (none kept when it covered all and failed).
    """
    names = [f.name for f in spec.custom]
    found = {fn.name: snippets.candidates(spec, fn) for fn in spec.custom} if run.opts.library else {}
    covered = [n for n in names if found.get(n)]
    if not covered:
        return {}
    run.progress("snippet library: " + ", ".join(f"{n}() as {found[n][0].intent}" for n in covered))
    if len(covered) < len(names):
        return {n: found[n][0] for n in covered}
    for i in range(min(run.opts.k, max(len(found[n]) for n in names))):
        code: dict[str, str | Snippet] = {n: found[n][min(i, len(found[n]) - 1)] for n in names}
        cand = _Candidate(i, 0, "library", compose(spec, code), code=code)
        run.audit([cand], lambda _c: spec.name)  # one at a time: the first usually passes
        if run.good(cand):
            return None
    return {}


def _structured(request: str, spec: ContractSpec, run: _Runner) -> None:
    opts = run.opts
    name_of: Callable[[_Candidate], str] = lambda _c: spec.name  # noqa: E731
    if not spec.custom:
        run.progress(f"composing {spec.kind} {spec.name} from OpenZeppelin building blocks")
        run.audit([_Candidate(0, 0, "composer", compose(spec))], name_of)
        return
    names = [f.name for f in spec.custom]
    kept = _library_first(spec, run)
    if kept is None:
        return
    if not run.backend.writes_code:
        missing = tuple(n for n in names if n not in kept)
        run.progress(f"{len(missing)} custom function(s) need a model backend; composing the rest")
        run.audit(
            [_Candidate(0, 0, "fallback", compose(spec, kept), code=dict(kept), missing=missing)], name_of
        )
        return
    wanted = [fn for fn in spec.custom if fn.name not in kept]
    skel = skeleton(spec)
    per_fn: dict[str, list[tuple[str | None, str | None]]] = {}
    took_all = 0.0
    for fn in wanted:
        run.progress(f"asking {run.backend.name} for {opts.k} version(s) of {fn.name}()")
        texts, took = run.ask(
            retrieval.augment(
                prompts.function_messages(skel, fn.name, fn.description),
                fn.name,
                fn.description,
                enabled=opts.retrieval,
            ),
            opts.k,
            opts.function_tokens,
            opts.seed,
            request=prompts.function_request(spec.name, fn.name, fn.description),
            prefix=f"function {fn.name}(",
        )
        took_all += took
        texts += [""] * (opts.k - len(texts))
        per_fn[fn.name] = [
            (x.code, x.problem) for x in (extract_function(t, fn.name) for t in texts[: opts.k])
        ]
    first: list[_Candidate] = []
    for i in range(opts.k):
        code: dict[str, str | Snippet] = dict(kept)
        code.update({n: txt for n in per_fn if (txt := per_fn[n][i][0])})
        dropped = tuple(f"{n}: {per_fn[n][i][1]}" for n in per_fn if per_fn[n][i][1])
        missing = tuple(n for n in names if n not in code)
        first.append(
            _Candidate(
                i,
                0,
                "model",
                compose(spec, code),
                code=dict(code),
                missing=missing,
                rejected=dropped,
                seconds_generate=took_all / opts.k,
            )
        )
    run.audit(first, name_of)
    frontier = first
    for rnd in range(1, opts.rounds + 1):
        if any(run.good(c) for c in run.done):
            break
        frontier = sorted(frontier, key=run.rank_key)[: opts.k]
        nxt: list[_Candidate] = []
        for c in frontier:
            code = dict(c.code)
            rejected: list[str] = []
            took_c = 0.0
            a = c.attempt
            assert a is not None
            needs = set(c.missing)
            if not a.compiled or a.hits(opts.fail_on):
                needs |= set(_implicated(c))
            for fn in spec.custom:
                if fn.name not in needs:
                    continue
                if fn.name in code:
                    msgs = prompts.repair_function_messages(
                        skel, fn.name, fn.description, function_text(code[fn.name]), a.errors, a.findings
                    )
                    run.progress(f"repair round {rnd}: {fn.name}() of candidate {c.index}")
                else:
                    msgs = retrieval.augment(
                        prompts.function_messages(skel, fn.name, fn.description),
                        fn.name,
                        fn.description,
                        enabled=opts.retrieval,
                    )
                    run.progress(f"repair round {rnd}: asking again for {fn.name}()")
                texts, took = run.ask(
                    msgs,
                    1,
                    opts.function_tokens,
                    opts.seed + 1000 * rnd + c.index,
                    request=prompts.function_request(spec.name, fn.name, fn.description),
                    prefix=f"function {fn.name}(",
                )
                took_c += took
                x = extract_function(texts[0] if texts else "", fn.name)
                if x.code:
                    code[fn.name] = x.code
                else:
                    code.pop(fn.name, None)
                    rejected.append(f"{fn.name}: {x.problem}")
            missing = tuple(n for n in names if n not in code)
            nxt.append(
                _Candidate(
                    c.index,
                    rnd,
                    "repair",
                    compose(spec, code),
                    code=code,
                    missing=missing,
                    rejected=tuple(rejected),
                    seconds_generate=took_c,
                )
            )
        run.audit(nxt, name_of)
        frontier = nxt
    if not any(run.good(c) for c in run.done):
        # The standard parts alone: compiles and is audited, but reported as partial.
        run.audit(
            [_Candidate(opts.k, opts.rounds + 1, "fallback", compose(spec), missing=tuple(names))], name_of
        )


def _freehand(request: str, run: _Runner) -> None:
    opts = run.opts
    if not run.backend.writes_code:
        raise BadInputError(
            "--mode freehand needs a model backend", hint="use --backend local or --backend openai"
        )
    run.progress(f"asking {run.backend.name} for {opts.k} whole contract(s)")
    texts, took = run.ask(
        prompts.contract_messages(request), opts.k, opts.contract_tokens, opts.seed, request=request
    )
    texts += [""] * (opts.k - len(texts))
    cands = []
    for i, t in enumerate(texts[: opts.k]):
        x = extract_contract(t)
        cands.append(
            _Candidate(
                i,
                0,
                "model",
                x.code,
                rejected=(x.problem,) if x.problem else (),
                seconds_generate=took / opts.k,
            )
        )
    name_of: Callable[[_Candidate], str] = lambda c: main_contract(c.source or "") or "Generated"  # noqa: E731
    run.audit(cands, name_of)
    frontier = cands
    for rnd in range(1, opts.rounds + 1):
        if any(run.good(c) for c in run.done):
            break
        frontier = sorted(
            [c for c in frontier if c.attempt is not None], key=lambda c: (c.source is None, *run.rank_key(c))
        )[: opts.k]
        nxt = []
        for c in frontier:
            a = c.attempt
            assert a is not None
            if c.source is None:
                msgs = prompts.contract_messages(request)
            else:
                msgs = prompts.repair_contract_messages(request, c.source, a.errors, a.findings)
            run.progress(f"repair round {rnd}: candidate {c.index}")
            texts, took = run.ask(
                msgs, 1, opts.contract_tokens, opts.seed + 1000 * rnd + c.index, request=request
            )
            x = extract_contract(texts[0] if texts else "")
            nxt.append(
                _Candidate(
                    c.index,
                    rnd,
                    "repair",
                    x.code,
                    rejected=(x.problem,) if x.problem else (),
                    seconds_generate=took,
                )
            )
        run.audit(nxt, name_of)
        frontier = nxt


def generate(
    request: str,
    backend: Backend,
    options: GenerateOptions | None = None,
    *,
    spec: ContractSpec | None = None,
    ir: ContractIR | None = None,
    progress: Progress | None = None,
) -> GenerationResult:
    """Generate, compile, audit, repair and behaviour-check; return the best candidate and every
    step taken.

    Structured mode: the request becomes a ``ContractIR`` (``kinds.build_ir``; or ``ir``/``spec``
    given, e.g. an edited ``--explain`` output); IR kinds are rendered by ``templates``, Wizard
    kinds by ``compose`` (+ library/model custom functions). Requirements the IR could not meet
    make the result ``partial`` (exit 1), never ``ok``.
    """
    from chainllm.generate import kinds, templates

    opts = options or GenerateOptions()
    started = time.perf_counter()
    if opts.mode == "structured":
        if ir is None:
            from chainllm.generate import fill

            ir = kinds.ir_from_spec(spec) if spec is not None else fill.build(request, backend, opts.fill)
        if spec is None and ir.kind not in templates.RENDERERS:
            spec = kinds.spec_of(ir)
    else:
        request = validate_request(request)
        try:
            ir = ir or kinds.build_ir(request)
        except BadInputError:
            ir = None
    seconds_parse = time.perf_counter() - started
    workdir = opts.workdir or config.cache_dir() / "generate" / "candidates"
    workdir.mkdir(parents=True, exist_ok=True)
    run = _Runner(backend, opts, progress, workdir)
    detail = backend.describe()
    if opts.mode == "structured" and ir is not None and ir.kind not in templates.RENDERERS and spec is None:
        why = "no composer for this request; unmet: " + "; ".join(r.text for r in ir.unmet)
        return GenerationResult(
            request,
            opts.mode,
            backend.name,
            detail,
            "failed",
            why,
            None,
            None,
            None,
            None,
            (),
            opts.fail_on,
            {"parse": seconds_parse, "total": time.perf_counter() - started},
            0,
            None,
            ir,
        )
    if opts.mode == "structured" and ir is not None and ir.kind in templates.RENDERERS:
        name = ir.name
        run.progress(f"composing {ir.kind.replace('_', ' ')} {name} from the contract IR")
        run.audit([_Candidate(0, 0, "composer", templates.render(ir))], lambda _c: name)
    elif opts.mode == "structured":
        assert spec is not None
        _structured(request, spec, run)
    else:
        _freehand(request, run)
    attempts = tuple(c.attempt for c in run.done if c.attempt is not None)
    audited = [c for c in run.done if c.attempt is not None and c.source is not None and c.audit is not None]
    best = min(audited, key=run.rank_key) if audited else None
    seconds = dict(run.seconds, parse=seconds_parse)
    if best is None or best.attempt is None or not best.attempt.compiled:
        why = _why_failed(attempts)
        seconds["total"] = time.perf_counter() - started
        return GenerationResult(
            request,
            opts.mode,
            backend.name,
            detail,
            "failed",
            why,
            spec,
            None,
            None,
            None,
            attempts,
            opts.fail_on,
            seconds,
            run.model_calls,
            None,
            ir,
        )

    def name_for(c: _Candidate) -> str:
        return (
            ir.name
            if ir is not None and opts.mode == "structured"
            else (spec.name if spec is not None else (main_contract(c.source or "") or "Contract"))
        )

    # Behaviour is checked before the verdict, like a compile error: a candidate that fails a
    # check is replaced by the next clean one that passes, or repaired by the model (freehand),
    # or the run is rejected.
    behaviour: BehaviourReport | None = None
    behaviour_rejected: list[str] = []
    if ir is not None and not (opts.fail_on is not None and best.attempt.hits(opts.fail_on)):
        best, behaviour, behaviour_rejected = _behaving(request, ir, best, audited, run, workdir, name_for)
        attempts = tuple(c.attempt for c in run.done if c.attempt is not None)
    a = best.attempt
    assert a is not None and best.audit is not None and best.source is not None
    name = name_for(best)
    # Report locations against the file the user gets, not the content-addressed work folder.
    shown = f"{name}.sol"
    audit = replace(
        best.audit,
        path=shown,
        findings=tuple(
            replace(f, file=shown) if f.file and f.file.endswith("/" + shown) else f
            for f in best.audit.findings
        ),
    )
    worst = a.worst()
    if opts.fail_on is not None and a.hits(opts.fail_on):
        status, why = (
            "failed",
            (
                f"every compiling candidate has findings at or above {opts.fail_on.label} "
                f"(best: {a.hits(opts.fail_on)}, worst {worst.label if worst is not None else '-'})"
            ),
        )
    elif a.missing:
        status, why = (
            "partial",
            (
                f"custom function(s) not implemented: {', '.join(a.missing)} "
                f"({'no model backend' if not backend.writes_code else 'no model output compiled and passed the audit'})"
            ),
        )
    else:
        status, why = (
            "ok",
            "compiled with solc "
            + (audit.solc_version or "?")
            + " and analysed with Slither; no findings at or above "
            + (opts.fail_on.label if opts.fail_on is not None else "any threshold")
            + (
                "; custom function(s) from chainllm's snippet library, not the model"
                if a.origin == "library"
                else ""
            ),
        )
    if status != "failed" and behaviour is not None:
        seconds.update(run.seconds)  # behaviour repairs asked and audited more
        if behaviour.status == "failed":
            status, why = (
                "failed",
                "behaviour: "
                + behaviour.reason
                + (
                    f" (rejected {len(behaviour_rejected)} candidate(s))"
                    if len(behaviour_rejected) > 1
                    else ""
                ),
            )
        else:
            why += "; behaviour: " + behaviour.reason
            if behaviour_rejected:
                why += f" after rejecting {len(behaviour_rejected)} candidate(s) that failed: " + "; ".join(
                    behaviour_rejected
                )
    if ir is not None and ir.unmet and status == "ok":
        status = "partial"
        why = "not met: " + "; ".join(r.text for r in ir.unmet) + " (" + why + ")"
    seconds["total"] = time.perf_counter() - started
    return GenerationResult(
        request,
        opts.mode,
        backend.name,
        detail,
        status,
        why,
        spec,
        name,
        best.source,
        audit,
        attempts,
        opts.fail_on,
        seconds,
        run.model_calls,
        _origin(best),
        ir,
        behaviour,
    )


MAX_BEHAVIOUR_TRIES = 3  # further clean candidates deployed after one fails a behaviour check


def _behaving(
    request: str,
    ir: ContractIR,
    best: _Candidate,
    audited: list[_Candidate],
    run: _Runner,
    workdir: Path,
    name_for: Callable[[_Candidate], str],
) -> tuple[_Candidate, BehaviourReport, list[str]]:
    """The candidate to return and its behaviour report: ``best`` if it passes (or is not
    checked); else the next clean candidate that passes; else (freehand, a model backend) the
    model's repair given the failed checks, for up to ``rounds`` rounds. Also the one-line reasons
    of each candidate rejected on behaviour."""
    report = _behaviour(ir, best, name_for(best), run, workdir)
    if report.status != "failed":
        return best, report, []
    rejected = [f"candidate {best.index}: {report.reason}"]
    tried = {best.source}
    others = sorted(
        (c for c in audited if c.source not in tried and c.audit is not None and run.good(c)),
        key=run.rank_key,
    )
    for c in others[:MAX_BEHAVIOUR_TRIES]:
        if c.source in tried:
            continue
        tried.add(c.source)
        run.progress(f"candidate {best.index} failed a behaviour check; trying candidate {c.index}")
        r = _behaviour(ir, c, name_for(c), run, workdir)
        if r.status != "failed":
            return c, r, rejected
        rejected.append(f"candidate {c.index}: {r.reason}")
    if run.opts.mode != "freehand" or not run.backend.writes_code:
        return best, report, rejected
    cur, cur_report = best, report
    for rnd in range(1, run.opts.rounds + 1):
        failures = [f"{x.name}: {x.detail}" for x in cur_report.checks if x.status == "failed"]
        assert cur.source is not None
        run.progress(f"behaviour repair round {rnd}: candidate {cur.index}")
        texts, took = run.ask(
            prompts.repair_behaviour_messages(request, cur.source, failures),
            1,
            run.opts.contract_tokens,
            run.opts.seed + 7000 + rnd,
            request=request,
        )
        x = extract_contract(texts[0] if texts else "")
        c = _Candidate(
            cur.index,
            run.opts.rounds + rnd,
            "repair",
            x.code,
            rejected=(x.problem,) if x.problem else (),
            seconds_generate=took,
        )
        run.audit([c], name_for)
        if c.source in tried:
            rejected.append(f"behaviour repair {rnd}: the model returned the same contract")
            continue
        if c.source is None or c.audit is None or not run.good(c):
            rejected.append(f"behaviour repair {rnd}: the model's answer did not compile clean")
            continue
        tried.add(c.source)
        r = _behaviour(ir, c, name_for(c), run, workdir)
        if r.status != "failed":
            return c, r, rejected
        rejected.append(f"behaviour repair {rnd}: {r.reason}")
        cur, cur_report = c, r
    return best, report, rejected


def _behaviour(ir: ContractIR, best: _Candidate, name: str, run: _Runner, workdir: Path) -> BehaviourReport:
    """Deploy the chosen candidate to anvil and run the IR's checks ("not checked" when off)."""
    from chainllm.generate import behaviour as bh

    if not run.opts.behaviour:
        return bh.BehaviourReport("not checked", "behaviour checks turned off (--no-behaviour)")
    assert best.source is not None
    path = workdir / hashlib.sha256(best.source.encode()).hexdigest()[:20] / f"{name}.sol"
    run.progress(f"deploying {name} to anvil and running {len(ir.checks)} behaviour check(s)")
    with bh.chain(run.opts.rpc) as url:
        if url is None:
            return bh.BehaviourReport("not checked", "no anvil could be started (install it or pass --rpc)")
        report = bh.run_checks(
            ir,
            best.source,
            path,
            url,
            workdir=workdir,
            contract=name,
            solc_version=best.audit.solc_version if best.audit is not None else None,
        )
    run.seconds["behaviour"] = run.seconds.get("behaviour", 0.0) + report.seconds
    run.progress(f"behaviour: {report.reason}")
    return report


def _origin(c: _Candidate) -> str:
    """Who wrote the custom parts of what is returned (a model candidate whose answers were all
    rejected is the bare composition: fallback)."""
    if c.origin in {"composer", "fallback"} or (not c.code and c.missing):
        return "fallback" if c.missing else c.origin
    if c.code and all(isinstance(v, Snippet) for v in c.code.values()):  # freehand: no parts, all model
        return "library"
    return c.origin


def _why_failed(attempts: tuple[Attempt, ...]) -> str:
    if not attempts:
        return "no candidate was produced"
    rejected = [r for a in attempts for r in a.rejected]
    compiled_any = any(a.compiled for a in attempts)
    if not compiled_any and all(a.sha256 is None for a in attempts):
        return f"the model returned no usable Solidity in {len(attempts)} attempt(s): " + (
            rejected[0] if rejected else "empty output"
        )
    errs = [e for a in attempts for e in a.errors]
    if errs:
        e = errs[0]
        return f"no candidate compiled in {len(attempts)} attempt(s); first error: line {e.line}: {e.message}"
    return f"no candidate compiled in {len(attempts)} attempt(s)"
