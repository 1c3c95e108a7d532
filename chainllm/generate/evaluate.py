"""Run a prompt suite through the generate loop and report compile@1, compile@k, the share
free of High/Medium findings and seconds per contract.

Definitions (stated in every report): a candidate counts only when it is *complete* (every
requested custom function present), so the standard-parts fallback never counts as a compile.
compile@1: the first candidate compiled. compile@k: some candidate (k samples plus repair
rounds) compiled. clean: the returned contract compiled, is complete and has no High/Medium
Slither finding.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from chainllm import config
from chainllm.errors import BadInputError, ChainLLMError
from chainllm.generate.backends import Backend
from chainllm.generate.loop import GenerateOptions, generate
from chainllm.generate.spec import ContractSpec, CustomFunction
from chainllm.types import Severity

DEFAULT_SUITES = ("prompts/generate_suite.jsonl", "prompts/wizard_options.jsonl")
DEFINITIONS = {
    "compile@1": "the first candidate was complete and compiled",
    "compile@k": "some complete candidate (k samples + repair rounds) compiled",
    "clean": "the returned contract is complete, compiled, and has no High/Medium Slither finding",
    "spec_match": "the parser found the expected kind, features and number of custom functions",
    "clean_by_origin": "clean contracts by who wrote the custom parts: composer (none needed), library, model/repair",
    "free_high_medium": "the returned contract compiled and has no High/Medium Slither finding",
    "behaviour": "every behaviour check the suite entry expects was run on anvil and passed (entries "
    "without expectations: every check the IR defines passed); not-checked counts as not passed",
    "refused": "the request was rejected before generation (a describable contract should never be)",
    "met": "no requirement read from the request was left unmet",
    "model_share": "share of returned contracts whose custom parts the model wrote (origin model/repair)",
    "ok": "status ok AND the kind built is the kind the entry expects AND no requirement is unmet: a "
    "contract of the wrong kind, or one that leaves part of the request out, is never ok",
    "kind_mismatch": "entries answered with a kind other than the one expected",
    "out_of_catalogue": "entries whose request no kind here builds (expect named_unmet): answered honestly "
    "when the result is not ok and names the unmet requirements; they are left out of the other rates",
}


@dataclass(frozen=True)
class SuiteEntry:
    id: str
    difficulty: str
    request: str | None = None
    spec: ContractSpec | None = None
    expect: dict[str, Any] = field(default_factory=dict)


def spec_from_dict(d: dict[str, Any]) -> ContractSpec:
    d = dict(d)
    d["features"] = frozenset(d.get("features") or ())
    d["custom"] = tuple(CustomFunction(**c) for c in d.get("custom") or ())
    d["notes"] = tuple(d.get("notes") or ())
    try:
        return ContractSpec(**d)
    except TypeError as exc:
        raise BadInputError(f"spec has an unknown field: {exc}") from None


def default_suites() -> list[Path]:
    return [config.REPO_ROOT / s for s in DEFAULT_SUITES]


def load_suite(paths: Iterable[Path]) -> list[SuiteEntry]:
    entries: list[SuiteEntry] = []
    for path in paths:
        if not path.is_file():
            raise BadInputError(f"{path}: suite file not found", hint="pass --suite FILE.jsonl")
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            where = f"{path}:{n}"
            try:
                d = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BadInputError(f"{where}: not JSON ({exc.msg})") from None
            if not isinstance(d, dict) or "id" not in d or ("request" in d) == ("spec" in d):
                raise BadInputError(f"{where}: each line needs an id and exactly one of request/spec")
            try:
                spec = spec_from_dict(d["spec"]) if "spec" in d else None
            except ChainLLMError as exc:
                raise BadInputError(f"{where}: {exc}") from None
            entries.append(
                SuiteEntry(
                    id=str(d["id"]),
                    difficulty=str(d.get("difficulty", "")),
                    request=d.get("request"),
                    spec=spec,
                    expect=dict(d.get("expect") or {}),
                )
            )
    ids = [e.id for e in entries]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise BadInputError(f"suite ids repeat: {', '.join(dupes[:5])}")
    return entries


@dataclass(frozen=True)
class EntryResult:
    id: str
    difficulty: str
    status: str  # ok | partial | failed | error
    compile_at_1: bool
    compile_at_k: bool
    clean: bool
    spec_match: bool | None
    worst: str | None
    attempts: int
    model_calls: int
    seconds: float
    seconds_generate: float
    seconds_audit: float
    solc_version: str | None = None
    error: str | None = None
    reason: str = ""  # the loop's one-line verdict (why partial/failed)
    origin: str | None = None  # composer | library | model | repair | fallback (returned candidate)
    kind: str = ""  # the kind the suite expects (else the kind parsed)
    parsed_kind: str = ""
    free_high_medium: bool = False
    behaviour: bool = False
    behaviour_status: str = ""
    checks_failed: tuple[str, ...] = ()
    checks_missing: tuple[str, ...] = ()  # expected by the suite but not defined by the IR
    unmet: tuple[str, ...] = ()
    refused: bool = False
    seconds_behaviour: float = 0.0
    ok: bool = False  # status ok, the expected kind, every requirement met
    kind_ok: bool | None = None  # None: the entry expects no kind
    named_unmet: bool = False  # the entry is out of catalogue: the honest answer names what is unmet

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _spec_match(spec: ContractSpec | None, expect: dict[str, Any]) -> bool | None:
    if not expect or spec is None:
        return None
    return (
        spec.kind == expect.get("kind", spec.kind)
        and sorted(spec.features) == sorted(expect.get("features", sorted(spec.features)))
        and len(spec.custom) == int(expect.get("custom", len(spec.custom)))
    )


def run_entry(entry: SuiteEntry, backend: Backend, options: GenerateOptions) -> EntryResult:
    from chainllm.generate.kinds import build_ir

    started = time.perf_counter()
    spec = entry.spec
    want_kind = str(entry.expect.get("kind", ""))
    try:
        if spec is None:
            assert entry.request is not None
            ir = build_ir(entry.request)
            result = generate(entry.request, backend, options, ir=ir)
            spec = result.spec
        else:
            result = generate(f"(options) {entry.id}", backend, options, spec=spec)
    except ChainLLMError as exc:
        return EntryResult(
            entry.id, entry.difficulty, "error", False, False, False, _spec_match(spec, entry.expect) if spec else False,
            None, 0, 0, time.perf_counter() - started, 0.0, 0.0, error=str(exc), kind=want_kind,
            refused=isinstance(exc, BadInputError),
        )  # fmt: skip
    complete = [a for a in result.attempts if a.sha256 is not None and not a.missing]
    first = result.attempts[0] if result.attempts else None
    compile_at_1 = bool(first and first.compiled and not first.missing and first.sha256)
    compile_at_k = any(a.compiled for a in complete)
    worst_sev = result.audit.worst() if result.audit else None
    clean = (
        result.compiled and result.status != "partial" and (worst_sev is None or worst_sev < Severity.MEDIUM)
    )
    returned = next((a for a in result.attempts if a.sha256 and result.audit and a.compiled), None)
    free = bool(
        result.compiled
        and (worst_sev is None or worst_sev < Severity.MEDIUM)
        and returned is not None
        and not returned.missing
    )
    bh = result.behaviour
    ran = {c.name: c.status for c in bh.checks} if bh else {}
    wanted = list(entry.expect.get("checks") or ran)
    missing = tuple(c for c in wanted if c not in ran)
    failed = tuple(c for c in wanted if ran.get(c) not in (None, "passed"))
    behaviour_ok = bool(
        bh is not None and ran and wanted and not missing and not failed and bh.status != "failed"
    )
    got = result.ir
    built = got.kind if got is not None else (result.spec.kind if result.spec else "")
    kind_ok = (built == want_kind) if want_kind else None
    unmet = tuple(r.text for r in got.unmet) if got else ()
    # A wrong kind's checks test some other contract, not the request.
    behaviour_ok = behaviour_ok and kind_ok is not False
    if result.spec is not None and entry.spec is None and "checks" in entry.expect:
        spec_ok: bool | None = None  # IR-style expectation: compare kinds only
    else:
        spec_ok = _spec_match(spec, entry.expect)
    if got is not None and "checks" in entry.expect:
        spec_ok = got.kind == want_kind
    return EntryResult(
        id=entry.id,
        difficulty=entry.difficulty,
        status=result.status,
        compile_at_1=compile_at_1,
        compile_at_k=compile_at_k,
        clean=clean,
        spec_match=spec_ok,
        worst=worst_sev.label if worst_sev is not None else None,
        attempts=len(result.attempts),
        model_calls=result.model_calls,
        seconds=time.perf_counter() - started,
        seconds_generate=result.seconds.get("generate", 0.0),
        seconds_audit=result.seconds.get("audit", 0.0),
        solc_version=result.audit.solc_version if result.audit else None,
        reason=result.reason,
        origin=result.origin,
        kind=want_kind or (got.kind if got else ""),
        parsed_kind=got.kind if got else (spec.kind if spec else ""),
        free_high_medium=free,
        behaviour=behaviour_ok,
        behaviour_status=bh.status if bh else "",
        checks_failed=failed,
        checks_missing=missing,
        unmet=unmet,
        seconds_behaviour=result.seconds.get("behaviour", 0.0),
        ok=result.status == "ok" and kind_ok is not False and not unmet,
        kind_ok=kind_ok,
        named_unmet=bool(entry.expect.get("named_unmet")),
    )


@dataclass(frozen=True)
class SuiteReport:
    results: tuple[EntryResult, ...]
    backend: str
    k: int
    rounds: int
    cached_audits: bool

    @staticmethod
    def _rates(rs: list[EntryResult]) -> dict[str, Any]:
        n = len(rs)
        share = lambda xs: round(sum(xs) / n, 4) if n else 0.0  # noqa: E731
        matched = [r.spec_match for r in rs if r.spec_match is not None]
        secs = [r.seconds for r in rs]
        return {
            "n": n,
            "compile@1": share([r.compile_at_1 for r in rs]),
            "compile@k": share([r.compile_at_k for r in rs]),
            "clean": share([r.clean for r in rs]),
            "free_high_medium": share([r.free_high_medium for r in rs]),
            "behaviour": share([r.behaviour for r in rs]),
            "met": share([not r.unmet and r.status != "error" for r in rs]),
            "ok": share([r.ok for r in rs]),
            "kind_mismatch": sum(1 for r in rs if r.kind_ok is False),
            "refused": sum(1 for r in rs if r.refused),
            "model_share": share([r.origin in {"model", "repair"} for r in rs]),
            "seconds_behaviour": round(sum(r.seconds_behaviour for r in rs) / n, 2) if n else 0.0,
            "spec_match": round(sum(matched) / len(matched), 4) if matched else None,
            "seconds_per_contract": round(statistics.mean(secs), 2) if secs else 0.0,
            "seconds_median": round(statistics.median(secs), 2) if secs else 0.0,
            "seconds_generate": round(sum(r.seconds_generate for r in rs) / n, 2) if n else 0.0,
            "seconds_audit": round(sum(r.seconds_audit for r in rs) / n, 2) if n else 0.0,
            "statuses": {
                s: sum(1 for r in rs if r.status == s) for s in ("ok", "partial", "failed", "error")
            },
            # Who wrote what was returned clean: the composer alone, the snippet library, the model.
            "clean_by_origin": {
                o: sum(1 for r in rs if r.clean and r.origin == o)
                for o in sorted({r.origin for r in rs if r.clean and r.origin})
            },
        }

    def metrics(self) -> dict[str, Any]:
        ooc = [r for r in self.results if r.named_unmet]
        rest = [r for r in self.results if not r.named_unmet]
        by: dict[str, list[EntryResult]] = {}
        for r in rest:
            by.setdefault(r.difficulty or "-", []).append(r)
        kinds: dict[str, list[EntryResult]] = {}
        for r in rest:
            kinds.setdefault(r.kind or "-", []).append(r)
        return {
            "overall": self._rates(rest),
            "out_of_catalogue": {
                "n": len(ooc),
                "named_unmet": sum(1 for r in ooc if r.status != "ok" and r.unmet),
                "wrongly_ok": [r.id for r in ooc if r.status == "ok"],
                "refused": sum(1 for r in ooc if r.refused),
            },
            "by_difficulty": {k: self._rates(v) for k, v in sorted(by.items())},
            "by_kind": {k: self._rates(v) for k, v in sorted(kinds.items())},
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "k": self.k,
            "rounds": self.rounds,
            "cached_audits": self.cached_audits,
            "definitions": DEFINITIONS,
            "metrics": self.metrics(),
            "results": [r.to_dict() for r in self.results],
        }


def evaluate(
    entries: list[SuiteEntry],
    backend: Backend,
    options: GenerateOptions,
    *,
    on_result: Callable[[EntryResult], None] | None = None,
) -> SuiteReport:
    from dataclasses import replace

    from chainllm.generate.behaviour import chain

    results = []
    # One anvil for the whole suite (each run is reverted to its snapshot afterwards).
    with chain(options.rpc if options.behaviour else "http://unused") as url:
        opts = replace(options, rpc=url) if options.behaviour and url else options
        for entry in entries:
            r = run_entry(entry, backend, opts)
            results.append(r)
            if on_result:
                on_result(r)
    return SuiteReport(tuple(results), backend.describe(), options.k, options.rounds, options.use_cache)
