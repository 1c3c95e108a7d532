"""Audit Solidity files: resolve, pick a compiler, compile once, run Slither, cache.

Library entry points: ``audit_paths`` (many files, parallel, cached) and ``audit_file``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from chainllm.audit.cache import AuditCache, key, tool_versions
from chainllm.audit.compile import CompileSettings, compile_closure
from chainllm.audit.pool import DeadlinePool
from chainllm.audit.sources import DEFAULT_MAX_FILE_BYTES, Closure, Project, load_closure, make_project
from chainllm.errors import BadInputError, ChainLLMError
from chainllm.toolchain.compilers import Compiler, select
from chainllm.types import AuditReport, Diagnostic, FileAudit, Severity

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
    settings: CompileSettings = field(default_factory=CompileSettings)
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    solc_version: str | None = None  # force one version instead of reading the pragma


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
    compiler: Compiler
    settings: CompileSettings
    include_dependencies: bool
    exclude: tuple[str, ...]
    timeout: float


def _warmup() -> None:
    import slither  # noqa: F401  (pays the import once per worker, in parallel)


def _run_task(task: _Task) -> dict[str, Any]:
    """Runs inside a worker process: compile, then Slither if it compiled."""
    from chainllm.audit.slither_runner import run_slither

    started = time.perf_counter()
    comp = compile_closure(
        task.closure,
        task.project,
        display_path=task.display,
        settings=task.settings,
        compiler=task.compiler,
        timeout=task.timeout,
    )
    res = comp.result
    audit = FileAudit(
        path=task.display,
        compiled=res.compiled,
        solc_version=res.solc_version,
        errors=res.errors,
        tools=tool_versions() | {"solc": f"{task.compiler.version_str} ({task.compiler.origin})"},
    )
    if res.compiled:
        deps = {str(u.path) for n, u in task.closure.units.items() if task.project.is_dependency(n)}
        run = run_slither(
            comp.standard_input,
            comp.standard_output,
            version=task.compiler.version_str,
            root=task.project.root,
            dependency_files=deps,
            include_dependencies=task.include_dependencies,
            optimized=task.settings.optimize,
            exclude=task.exclude,
        )
        audit = replace(
            audit,
            findings=run.findings,
            analysed=True,
            hidden_dependency_findings=run.hidden_dependency_findings,
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
    path: Path, opts: AuditOptions, compilers: tuple[Compiler, ...] | None
) -> tuple[FileAudit | None, _Task | None, str | None]:
    display = str(path)
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
        return _failed(display, str(exc), file=display), None, None
    if closure.errors:
        return FileAudit(display, False, None, errors=tuple(closure.errors)), None, None
    pragmas = [f"={opts.solc_version}"] if opts.solc_version else closure.pragmas
    try:
        compiler = select(pragmas, where=display, compilers=compilers)
    except ChainLLMError as exc:
        return _failed(display, str(exc), file=display, code="CompilerNotFound"), None, None
    task = _Task(
        display,
        closure,
        project,
        compiler,
        opts.settings,
        opts.include_dependencies,
        opts.exclude_detectors,
        opts.timeout,
    )
    cache_key = key(
        {
            "entry": closure.entry,
            "root": str(project.root),
            "sources": closure.fingerprint(),
            "compiler": [compiler.version_str, compiler.origin],
            "settings": opts.settings.to_json(),
            "remappings": [str(r) for r in project.remappings],
            "include_dependencies": opts.include_dependencies,
            "exclude": sorted(opts.exclude_detectors),
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
) -> AuditReport:
    """Audit every Solidity file under ``paths``. Per-file problems (no compile, Slither crash
    or timeout) are reported in that file's result; the rest are still audited."""
    opts = options or AuditOptions()
    started = time.perf_counter()
    files = collect_inputs(paths)
    cache = AuditCache(enabled=opts.use_cache)
    results: dict[int, FileAudit] = {}
    tasks: list[tuple[int, _Task, str]] = []

    def done(i: int, audit: FileAudit) -> None:
        results[i] = audit
        if on_result:
            on_result(audit)

    for i, path in enumerate(files):
        failed, task, cache_key = _prepare(path, opts, compilers)
        if failed is not None:
            done(i, failed)
            continue
        assert task is not None and cache_key is not None
        hit = cache.get(cache_key)
        if hit is not None:
            done(i, replace(hit, path=task.display, cached=True))
        else:
            tasks.append((i, task, cache_key))

    if tasks:
        size = opts.jobs or min(os.cpu_count() or 1, len(tasks))
        with DeadlinePool(
            "chainllm.audit.engine:_run_task", min(size, len(tasks)), warmup="chainllm.audit.engine:_warmup"
        ) as pool:
            for outcome in pool.run([t for _, t, _ in tasks], opts.timeout):
                i, task, cache_key = tasks[outcome.index]
                if outcome.ok:
                    audit = FileAudit.from_dict(outcome.value)
                    cache.put(cache_key, audit)
                else:
                    # Compiled or not is unknown when the worker died mid-way; say which stage failed.
                    audit = FileAudit(
                        path=task.display,
                        compiled=True,
                        solc_version=task.compiler.version_str,
                        analysis_error=f"Slither failed on {task.display}: {outcome.error}",
                    )
                done(i, audit)

    ordered = tuple(results[i] for i in sorted(results))
    return AuditReport(results=ordered, fail_on=opts.fail_on, seconds=time.perf_counter() - started)


def audit_file(path: str | Path, options: AuditOptions | None = None) -> FileAudit:
    """Audit one file (see ``audit_paths``)."""
    return audit_paths([path], options).results[0]
