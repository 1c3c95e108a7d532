"""Audit Solidity files: resolve, pick a compiler, compile once, run Slither, cache.

Library entry points: ``audit_paths`` (many files, parallel, cached) and ``audit_file``.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chainllm import config
from chainllm.audit.baseline import SourceView, with_fingerprints
from chainllm.audit.baseline import apply as apply_baseline
from chainllm.audit.baseline import load as load_baseline
from chainllm.audit.cache import AuditCache, key, tool_versions
from chainllm.audit.compile import Compilation, CompileSettings, compile_closure
from chainllm.audit.diff import changed_files
from chainllm.audit.pool import DeadlinePool
from chainllm.audit.slither_runner import detector_fingerprint, select_detectors
from chainllm.audit.sources import DEFAULT_MAX_FILE_BYTES, Closure, Project, load_closure, make_project
from chainllm.audit.taxonomy import tag
from chainllm.errors import BadInputError, ChainLLMError
from chainllm.toolchain.compilers import MAX_ATTEMPTS, Candidate, Compiler, ensure, plan
from chainllm.types import AuditReport, Diagnostic, FileAudit, Finding, Severity

if TYPE_CHECKING:
    from chainllm.executor import Executor

SKIP_DIRS = {
    "node_modules",
    ".git",
    "lib",
    "out",
    "cache",
    "artifacts",
    "build",
    "crytic-export",
    ".venv",
    "typechain-types",
}
DEFAULT_TIMEOUT = 300.0


@dataclass(frozen=True)
class AuditOptions:
    fail_on: Severity | None = Severity.HIGH
    include_dependencies: bool = False
    remaps: tuple[str, ...] = ()
    allow_paths: tuple[Path, ...] = ()
    root: Path | None = None
    jobs: int = 0  # 0: one worker per core, capped by the number of files
    timeout: float = DEFAULT_TIMEOUT
    use_cache: bool = True
    exclude_detectors: tuple[str, ...] = ()
    detect_detectors: tuple[str, ...] = ()  # run only these (Slither's and chainllm's); empty: all
    settings: CompileSettings = field(default_factory=CompileSettings)
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    solc_version: str | None = None  # force one version instead of reading the pragma
    install: bool = True  # fetch a missing compiler from npm (never when CHAINLLM_OFFLINE=1)
    diff_ref: str | None = None  # audit only files changed since this git ref (and importers)
    baseline: str | None = None  # hide findings accepted in this baseline file


def collect_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders into .sol files (dependencies and build output skipped)."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise BadInputError(f"{raw}: no such file or folder")
        if p.is_dir():
            found = []
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
                found += [Path(dirpath) / f for f in sorted(filenames) if f.endswith(".sol")]
            if not found:
                raise BadInputError(
                    f"{raw}: folder has no .sol files",
                    hint="give a Solidity file or a folder that contains some",
                )
            out += found
        elif p.is_file():
            out.append(p)
        else:
            raise BadInputError(f"{raw}: not a regular file")
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class _Task:
    display: str
    closure: Closure
    project: Project
    candidates: tuple[Candidate, ...]  # tried in order until one compiles
    settings: CompileSettings
    include_dependencies: bool
    exclude: tuple[str, ...]
    timeout: float
    detect: tuple[str, ...] = ()


def _warmup() -> None:
    import slither  # noqa: F401  (pays the import once per worker, in parallel)


def _progress(message: str) -> None:
    print(f"chainllm: {message}", file=sys.stderr, flush=True)


def _stack_too_deep(comp: Compilation) -> bool:
    return any("Stack too deep" in e.message for e in comp.result.errors)


def _compile_first_that_works(
    task: _Task,
) -> tuple[Compilation | None, Compiler | None, list[str], CompileSettings]:
    """Try the planned compilers in order; returns the compilation that worked (else the last
    attempt), its compiler, "version: why" for each one that did not, and the settings used.
    "Stack too deep" without the optimizer is retried with it: projects such as Aave v3 only
    compile optimised (their build config says so, a lone file does not)."""
    tried: list[str] = []
    first: tuple[Compilation, Compiler] | None = None  # the newest compiler's errors are the ones shown
    for cand in task.candidates:
        try:
            compiler = ensure(cand, progress=_progress)
        except ChainLLMError as exc:
            tried.append(f"{cand.version_str}: not installed ({exc})")
            continue
        comp = compile_closure(
            task.closure,
            task.project,
            display_path=task.display,
            settings=task.settings,
            compiler=compiler,
            timeout=task.timeout,
        )
        if comp.result.compiled:
            return comp, compiler, tried, task.settings
        if _stack_too_deep(comp) and not task.settings.optimize:
            optimised = replace(task.settings, optimize=True)
            again = compile_closure(
                task.closure,
                task.project,
                display_path=task.display,
                settings=optimised,
                compiler=compiler,
                timeout=task.timeout,
            )
            if again.result.compiled:
                tried.append(f"{compiler.version_str} without the optimizer: stack too deep (audited optimised)")
                return again, compiler, tried, optimised
        first = first or (comp, compiler)
        err = comp.result.errors[0] if comp.result.errors else None
        why = f"{err.code + ': ' if err and err.code else ''}{err.message if err else 'failed'}"
        tried.append(f"{compiler.version_str}: {why}")
    return (first[0], first[1], tried, task.settings) if first else (None, None, tried, task.settings)


def _source_view(comp: Compilation) -> SourceView:
    contents: dict[str, str] = {}
    asts: dict[str, dict[str, Any]] = {}
    for name, unit in comp.closure.units.items():
        try:
            shown = Path(os.path.realpath(unit.path)).relative_to(comp.project.root.resolve()).as_posix()
        except ValueError:
            shown = name
        contents[shown] = unit.content
        asts[shown] = (comp.standard_output.get("sources", {}).get(name) or {}).get("ast") or {}
    return SourceView(contents, asts)


def _run_task(task: _Task) -> dict[str, Any]:
    """Runs inside a worker process: compile (falling back to older allowed compilers), then
    Slither if it compiled."""
    from chainllm.audit.slither_runner import run_slither

    started = time.perf_counter()
    comp, compiler, tried, settings = _compile_first_that_works(task)
    if comp is None or compiler is None:
        audit = _failed(
            task.display,
            "no compiler could be installed: " + "; ".join(tried),
            file=task.display,
            code="CompilerNotFound",
        )
        return replace(audit, compilers_tried=tuple(tried)).to_dict()
    res = comp.result
    audit = FileAudit(
        path=task.display,
        compiled=res.compiled,
        solc_version=res.solc_version,
        errors=res.errors,
        tools=tool_versions() | {"solc": f"{compiler.version_str} ({compiler.origin})"},
        compilers_tried=tuple(tried),
    )
    if res.compiled:
        deps = {str(u.path) for n, u in task.closure.units.items() if task.project.is_dependency(n)}
        run = run_slither(
            comp.standard_input,
            comp.standard_output,
            version=compiler.version_str,
            root=task.project.root,
            dependency_files=deps,
            include_dependencies=task.include_dependencies,
            optimized=settings.optimize,
            exclude=task.exclude,
            detect=task.detect,
        )
        findings = with_fingerprints(tuple(tag(f) for f in run.findings), _source_view(comp))
        audit = replace(
            audit,
            findings=findings,
            analysed=True,
            hidden_dependency_findings=run.hidden_dependency_findings,
            not_covered=run.not_covered,
        )
    return replace(audit, seconds=time.perf_counter() - started).to_dict()


def _failed(
    display: str, message: str, *, file: str | None = None, line: int | None = None, code: str = "InputError"
) -> FileAudit:
    return FileAudit(
        path=display,
        compiled=False,
        solc_version=None,
        errors=(Diagnostic("error", message, file, line, code=code),),
    )


def _prepare(
    path: Path, opts: AuditOptions, compilers: tuple[Compiler, ...] | None, changed: set[str] | None = None
) -> tuple[FileAudit | None, _Task | None, str | None]:
    """(failure, None, None), (None, task, cache key), or (None, None, None) when ``changed``
    is given and neither the file nor anything it imports is in it."""
    display = str(path)
    if changed is not None and os.path.realpath(path) in changed:
        changed = None  # the file itself changed: audit it whatever happens below
    try:
        project = make_project(
            path,
            root=opts.root,
            remaps=opts.remaps,
            allow_paths=opts.allow_paths,
            max_file_bytes=opts.max_file_bytes,
        )
        closure = load_closure(path, project)
    except ChainLLMError as exc:
        if changed is not None:
            return None, None, None
        return _failed(display, str(exc), file=display), None, None
    if changed is not None and not any(os.path.realpath(u.path) in changed for u in closure.units.values()):
        return None, None, None
    if closure.errors:
        return FileAudit(display, False, None, errors=tuple(closure.errors)), None, None
    forced = opts.solc_version is not None
    pragmas = [f"={opts.solc_version}"] if forced else closure.pragmas
    installable = opts.install and compilers is None and not config.offline()
    try:
        candidates = plan(
            pragmas,
            where=display,
            compilers=compilers,
            installable=installable,
            limit=1 if forced else MAX_ATTEMPTS,
        )
    except ChainLLMError as exc:
        return _failed(display, str(exc), file=display, code="CompilerNotFound"), None, None
    task = _Task(
        display,
        closure,
        project,
        candidates,
        opts.settings,
        opts.include_dependencies,
        opts.exclude_detectors,
        opts.timeout,
        opts.detect_detectors,
    )
    cache_key = key(
        {
            "result_format": 2,  # findings carry swc/cwe/fingerprint since format 2
            "entry": closure.entry,
            "root": str(project.root),
            "sources": closure.fingerprint(),
            "compilers": [[c.version_str, c.compiler.origin if c.compiler else "npm"] for c in candidates],
            "settings": opts.settings.to_json(),
            "remappings": [str(r) for r in project.remappings],
            "include_dependencies": opts.include_dependencies,
            "exclude": sorted(opts.exclude_detectors),
            "detectors": detector_fingerprint(opts.detect_detectors, opts.exclude_detectors),
            "tools": tool_versions(),
        }
    )
    return None, task, cache_key


def audit_paths(
    paths: Iterable[str | Path],
    options: AuditOptions | None = None,
    *,
    on_result: Callable[[FileAudit], None] | None = None,
    compilers: tuple[Compiler, ...] | None = None,
    executor: Executor | None = None,  # where compile + Slither run (e.g. Ray); default the local pool
) -> AuditReport:
    """Audit every Solidity file under ``paths``. Per-file problems (no compile, Slither crash
    or timeout) are reported in that file's result; the rest are still audited."""
    opts = options or AuditOptions()
    started = time.perf_counter()
    accepted = load_baseline(opts.baseline) if opts.baseline else None  # a bad file fails before any work
    if opts.detect_detectors or opts.exclude_detectors:
        select_detectors(opts.detect_detectors, opts.exclude_detectors)  # unknown names fail before any work
    files = collect_inputs(paths)
    changed = changed_files(opts.diff_ref, files) if opts.diff_ref else None
    cache = AuditCache(enabled=opts.use_cache)
    results: dict[int, FileAudit] = {}
    tasks: list[tuple[int, _Task, str]] = []

    def done(i: int, audit: FileAudit) -> None:
        results[i] = audit
        if on_result:
            on_result(audit)

    for i, path in enumerate(files):
        failed, task, cache_key = _prepare(path, opts, compilers, changed)
        if failed is not None:
            done(i, failed)
            continue
        if task is None:  # unchanged since --diff REF
            continue
        assert cache_key is not None
        hit = cache.get(cache_key)
        if hit is not None:
            done(i, replace(hit, path=task.display, cached=True))
        else:
            tasks.append((i, task, cache_key))

    if tasks:
        size = opts.jobs or min((executor.workers() if executor else os.cpu_count()) or 1, len(tasks))
        handler, warm = "chainllm.audit.engine:_run_task", "chainllm.audit.engine:_warmup"
        runner = (
            executor.task_pool(handler, min(size, len(tasks)), warmup=warm)
            if executor is not None
            else DeadlinePool(handler, min(size, len(tasks)), warmup=warm)
        )
        with runner as pool:
            for outcome in pool.run([t for _, t, _ in tasks], opts.timeout):
                i, task, cache_key = tasks[outcome.index]
                if outcome.ok:
                    audit = FileAudit.from_dict(outcome.value)
                    if not any(
                        ": not installed (" in t for t in audit.compilers_tried
                    ):  # retry installs next run
                        cache.put(cache_key, audit)
                else:
                    # Compiled or not is unknown when the worker died mid-way; say which stage failed.
                    audit = FileAudit(
                        path=task.display,
                        compiled=True,
                        solc_version=task.candidates[0].version_str,
                        analysis_error=f"Slither failed on {task.display}: {outcome.error}",
                    )
                done(i, audit)

    ordered = _one_home(tuple(results[i] for i in sorted(results)))
    report = AuditReport(
        results=ordered,
        fail_on=opts.fail_on,
        seconds=time.perf_counter() - started,
        skipped_unchanged=len(files) - len(ordered),
    )
    return apply_baseline(report, accepted) if accepted is not None else report


def _one_home(results: tuple[FileAudit, ...]) -> tuple[FileAudit, ...]:
    """Report each finding once. Auditing a folder compiles every file with what it imports,
    so a finding in ``Pair.sol`` also came back with ``Factory.sol``, which imports it, and
    the counts doubled. A finding stays with the audited file it is in (else the first file
    that reported it); findings with no file (compiler-version notes) stay with each file."""
    home: dict[str, int] = {}
    for i, r in enumerate(results):
        for f in r.findings:
            if not f.id or not f.file:
                continue
            if f.id not in home or (_is_home(r, f) and not _is_home(results[home[f.id]], f)):
                home[f.id] = i
    out = []
    for i, r in enumerate(results):
        kept = tuple(f for f in r.findings if not f.id or not f.file or home.get(f.id) == i)
        out.append(r if len(kept) == len(r.findings) else replace(r, findings=kept))
    return tuple(out)


def _is_home(r: FileAudit, f: Finding) -> bool:
    return bool(f.file) and r.path.replace("\\", "/").endswith(str(f.file).replace("\\", "/"))


def audit_file(path: str | Path, options: AuditOptions | None = None) -> FileAudit:
    """Audit one file (see ``audit_paths``)."""
    return audit_paths([path], options).results[0]
