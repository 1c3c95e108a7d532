"""Optional compile check of corpus files with the audit toolchain (solc/solcjs).

Each source's files are laid out in a temporary folder the way they were published (npm
packages under ``node_modules/<name>`` so self-imports resolve). ``file`` mode compiles each
file on its own; ``package`` mode (much faster) compiles all files that want the same compiler
in one solc run through a generated entry that imports each under an alias; a file whose
import closure holds an error is set aside (the rest is re-compiled, since solc stops at the
first parser error) and confirmed on its own. Results are cached by (origin, path, sha256) in the crawl
folder, so re-runs only compile what is new. A flag, never a filter.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from chainllm.corpus.store import CrawlStore
from chainllm.errors import ChainLLMError, CompilationError
from chainllm.io import atomic_write

Key = tuple[str, str]  # (origin, path)


def _layout_root(tmp: Path, origin: str) -> Path:
    if origin.startswith("npm:"):
        spec = origin[4:]
        name = spec[: spec.rfind("@")] if spec.rfind("@") > 0 else spec
        return tmp / "node_modules" / name
    return tmp / "src"


def check(
    store: CrawlStore,
    wanted: dict[str, dict[str, str]],  # spec -> {path: sha256} to check
    *,
    workers: int = 2,
    mode: str = "package",
    progress: Callable[[int, int], None] | None = None,
) -> dict[Key, bool | None]:
    """compiles per (origin, path); None where no compiler could be found for the pragma."""
    from chainllm.toolchain.compilers import discover

    # Discover compilers once, before threads: discovery writes shim files and is not thread-safe.
    discover()

    if mode not in ("file", "package"):
        raise ValueError(f"compile check mode {mode!r}")
    cache_path = store.dir / f"compile-{mode}.json"
    cache: dict[str, bool | None] = json.loads(cache_path.read_text()) if cache_path.is_file() else {}
    out: dict[Key, bool | None] = {}
    todo: list[tuple[str, str, str]] = []
    for spec, paths in wanted.items():
        st = store.sources[spec]
        for path, sha in paths.items():
            key = f"{st.origin}\t{path}\t{sha}"
            if key in cache:
                out[(st.origin, path)] = cache[key]
            else:
                todo.append((spec, path, sha))
    total, done = len(todo), 0
    by_spec: dict[str, list[tuple[str, str]]] = {}
    for spec, path, sha in todo:
        by_spec.setdefault(spec, []).append((path, sha))
    for spec, items in by_spec.items():
        st = store.sources[spec]
        table = store.read(st)
        with tempfile.TemporaryDirectory(prefix="chainllm-compile-") as tmp:
            root = _layout_root(Path(tmp), st.origin)
            for path, content in zip(
                table.column("path").to_pylist(), table.column("content").to_pylist(), strict=True
            ):
                dest = root / path
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_text(content, encoding="utf-8")

            if mode == "package":
                results = _check_package(root, [p for p, _ in items])
                for path, sha in items:
                    ok = results.get(path)
                    out[(st.origin, path)] = ok
                    cache[f"{st.origin}\t{path}\t{sha}"] = ok
                done += len(items)
                if progress:
                    progress(done, total)
            else:

                def one(item: tuple[str, str], root: Path = root) -> tuple[str, str, bool | None]:
                    path, sha = item
                    return path, sha, _check_file(root, path)

                with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
                    for path, sha, ok in pool.map(one, items):
                        out[(st.origin, path)] = ok
                        cache[f"{st.origin}\t{path}\t{sha}"] = ok
                        done += 1
                        if progress:
                            progress(done, total)
        atomic_write(cache_path, json.dumps(cache, sort_keys=True))
    return out


def _check_file(root: Path, path: str) -> bool | None:
    from chainllm.audit.compile import compile_file

    try:
        return compile_file(root / path, root=root, check=False).result.compiled
    except CompilationError:
        return False
    except ChainLLMError:  # no compiler for this pragma, unreadable import...
        return None


_ENTRY = "__chainllm_compile_check_{n}.sol"
_MAX_ROUNDS = 6
_CHUNK = 32


def _restart_compilers() -> None:
    """solcjs in server mode keeps a crashed wasm instance; start fresh ones."""
    from chainllm.audit import compile as audit_compile

    stop = getattr(audit_compile, "_stop_servers", None)
    if callable(stop):
        stop()


def _check_package(root: Path, paths: list[str]) -> dict[str, bool | None]:
    from chainllm.audit.compile import compile_closure
    from chainllm.audit.sources import load_closure, make_project
    from chainllm.toolchain.compilers import Compiler, select

    project = make_project(root, root=root)
    result: dict[str, bool | None] = {}
    units: dict[str, set[str]] = {}
    groups: dict[str, tuple[Compiler, list[str]]] = {}
    for path in paths:
        try:
            closure = load_closure(root / path, project)
        except ChainLLMError:
            result[path] = False
            continue
        if closure.errors:
            result[path] = False
            continue
        units[path] = set(closure.units)
        try:
            compiler = select(closure.pragmas, where=path)
        except ChainLLMError:
            result[path] = None
            continue
        groups.setdefault(str(compiler.path), (compiler, []))[1].append(path)
    n = 0
    for compiler, members in groups.values():
        # Chunks keep solcjs (wasm, bounded memory) well inside its limits.
        stack = [members[i : i + _CHUNK] for i in range(0, len(members), _CHUNK)]
        while stack:
            remaining = stack.pop()
            for _round in range(_MAX_ROUNDS):
                if not remaining:
                    break
                n += 1
                entry = root / _ENTRY.format(n=n)
                entry.write_text(
                    "// SPDX-License-Identifier: MIT\npragma solidity >=0.4.0;\n"
                    + "".join(f'import "./{p}" as __m{i};\n' for i, p in enumerate(remaining)),
                    encoding="utf-8",
                )
                try:
                    closure = load_closure(entry, project)
                    comp = compile_closure(closure, project, display_path=entry.name, compiler=compiler)
                except ChainLLMError:
                    comp = None
                finally:
                    entry.unlink()
                if comp is not None and comp.result.compiled:
                    result.update(dict.fromkeys(remaining, True))
                    remaining = []
                    break
                failed = {d.file for d in comp.result.errors if d.file} if comp is not None else set()
                bad = [p for p in remaining if units[p] & failed]
                if not bad:
                    # An error without a file (the compiler crashed, ran out of memory): restart
                    # it, then split the chunk until the culprit is alone; alone, it is unknown.
                    _restart_compilers()
                    if len(remaining) > 1:
                        half = len(remaining) // 2
                        stack += [remaining[:half], remaining[half:]]
                    else:
                        result[remaining[0]] = None
                    remaining = []
                    break
                result.update(dict.fromkeys(bad, False))
                remaining = [p for p in remaining if p not in bad]
            for path in remaining:  # still undecided after the rounds: one by one
                result[path] = _check_file(root, path)
    # solc reports some errors (stack too deep, codegen) in a library that compiles on its own:
    # failures are rare, so each is confirmed alone, matching what `file` mode would say.
    for path in [p for p, ok in result.items() if ok is False and p in units]:
        result[path] = _check_file(root, path)
    return result
