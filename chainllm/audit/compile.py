"""Compile Solidity through solc's standard JSON interface with an explicit source list.

Sources are passed with their content (see ``sources.load_closure``), so the compiler never
reads the file system itself: root confinement holds for native solc and solcjs alike.
"""

from __future__ import annotations

import atexit
import json
import selectors
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chainllm.audit.sources import Closure, Project, load_closure, make_project
from chainllm.errors import BadInputError, CompilationError, ToolchainError
from chainllm.toolchain.compilers import Compiler, select
from chainllm.types import CompileResult, Diagnostic

# What Slither (through crytic-compile) needs from the output, plus the AST.
OUTPUT_SELECTION = {
    "*": {
        "*": [
            "abi",
            "metadata",
            "devdoc",
            "userdoc",
            "evm.bytecode",
            "evm.deployedBytecode",
            "evm.methodIdentifiers",
        ],
        "": ["ast"],
    }
}
DEFAULT_TIMEOUT = 300.0


@dataclass(frozen=True)
class CompileSettings:
    optimize: bool = False
    optimize_runs: int = 200
    evm_version: str | None = None
    via_ir: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"optimizer": {"enabled": self.optimize, "runs": self.optimize_runs}}
        if self.evm_version:
            out["evmVersion"] = self.evm_version
        if self.via_ir:
            out["viaIR"] = True
        return out


@dataclass
class Compilation:
    """Everything a compile produced: the typed result plus raw input/output for tools."""

    result: CompileResult
    closure: Closure
    project: Project
    compiler: Compiler | None
    standard_input: dict[str, Any] = field(default_factory=dict)
    standard_output: dict[str, Any] = field(default_factory=dict)

    def contract(self, name: str) -> dict[str, Any]:
        """ABI and bytecode of one contract by name (searching every source unit)."""
        for unit in self.standard_output.get("contracts", {}).values():
            if name in unit:
                c = unit[name]
                return {
                    "abi": c.get("abi", []),
                    "bytecode": "0x" + c.get("evm", {}).get("bytecode", {}).get("object", ""),
                    "deployed_bytecode": "0x"
                    + c.get("evm", {}).get("deployedBytecode", {}).get("object", ""),
                }
        raise KeyError(f"contract {name} not in {self.result.path}")


def standard_input(closure: Closure, project: Project, settings: CompileSettings) -> dict[str, Any]:
    return {
        "language": "Solidity",
        "sources": {name: {"content": unit.content} for name, unit in sorted(closure.units.items())},
        "settings": {
            **settings.to_json(),
            "remappings": [str(r) for r in project.remappings],
            "outputSelection": OUTPUT_SELECTION,
        },
    }


def _byte_offset_to_line(content: str, offset: int) -> tuple[int, int]:
    data = content.encode("utf-8")[:offset]
    line = data.count(b"\n") + 1
    col = len(data) - (data.rfind(b"\n") + 1) + 1
    return line, col


def parse_diagnostics(output: dict[str, Any], closure: Closure) -> list[Diagnostic]:
    out = []
    for err in output.get("errors", []):
        loc = err.get("sourceLocation") or {}
        file = loc.get("file")
        line = col = None
        if file in closure.units and isinstance(loc.get("start"), int) and loc["start"] >= 0:
            line, col = _byte_offset_to_line(closure.units[file].content, loc["start"])
        message = err.get("message") or err.get("formattedMessage", "").strip()
        out.append(Diagnostic(err.get("severity", "error"), message, file, line, col, err.get("type")))
    return out


class _SolcjsServer:
    """One long-lived solcjs process per compiler (shim ``--server`` mode): start-up and the
    wasm load (~0.5 s CPU) are paid once per process instead of once per compile."""

    def __init__(self, compiler: Compiler) -> None:
        self.compiler = compiler
        self.uses = 0
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(
            [str(compiler.path), "--server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )

    def compile(self, solc_input: dict[str, Any], timeout: float) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        with self.lock:
            self.proc.stdin.write(json.dumps(solc_input) + "\n")
            self.proc.stdin.flush()
            with selectors.DefaultSelector() as sel:
                sel.register(self.proc.stdout, selectors.EVENT_READ)
                if not sel.select(timeout):
                    self.close()
                    raise ToolchainError(f"{self.compiler.describe()} did not finish within {timeout:.0f} s")
            line = self.proc.stdout.readline()
        if not line:
            self.close()
            raise ToolchainError(f"{self.compiler.describe()} exited unexpectedly")
        return line

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(5)
        with _SERVERS_LOCK:
            if _SERVERS.get(self.compiler.path) is self:
                del _SERVERS[self.compiler.path]


_SERVERS: dict[Path, _SolcjsServer] = {}
_MAX_USES = 500  # recycle long-lived compiler processes now and then (wasm memory only grows)


def _poisoned(answer: dict[str, Any]) -> bool:
    """An internal failure of the compiler itself, not an error in the sources."""
    return any(
        not e.get("sourceLocation")
        and (e.get("type") == "JSONError" or "RuntimeError" in str(e.get("message", "")))
        for e in answer.get("errors", [])
        if e.get("severity") == "error"
    )


_SERVERS_LOCK = threading.Lock()


def _server_for(compiler: Compiler) -> _SolcjsServer:
    with _SERVERS_LOCK:
        server = _SERVERS.get(compiler.path)
        if server is None or server.proc.poll() is not None:
            server = _SERVERS[compiler.path] = _SolcjsServer(compiler)
        return server


@atexit.register
def _stop_servers() -> None:
    for server in list(_SERVERS.values()):
        server.close()


def run_solc(
    compiler: Compiler, solc_input: dict[str, Any], *, timeout: float = DEFAULT_TIMEOUT
) -> dict[str, Any]:
    if compiler.origin == "solcjs":
        for attempt in (1, 2):
            server = _server_for(compiler)
            try:
                answer: dict[str, Any] = json.loads(server.compile(solc_input, timeout))
            except (OSError, ValueError) as exc:
                server.close()
                raise ToolchainError(f"{compiler.describe()} failed: {exc}") from None
            server.uses += 1
            if _poisoned(answer) or server.uses >= _MAX_USES:
                # A wasm trap (e.g. "memory access out of bounds" on a huge input) leaves the
                # instance unusable: start a fresh process, and retry once on a fresh one.
                server.close()
                if _poisoned(answer) and attempt == 1:
                    continue
            return answer
        raise AssertionError("unreachable")
    try:
        proc = subprocess.run(
            [str(compiler.path), "--standard-json"],
            input=json.dumps(solc_input),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise ToolchainError(f"{compiler.describe()} did not finish within {timeout:.0f} s") from None
    except OSError as exc:
        raise ToolchainError(f"cannot run {compiler.path}: {exc}") from None
    try:
        parsed: dict[str, Any] = json.loads(proc.stdout)
    except json.JSONDecodeError:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise ToolchainError(
            f"{compiler.describe()} returned no JSON (exit {proc.returncode}): {tail[0]}"
        ) from None
    return parsed


def compile_closure(
    closure: Closure,
    project: Project,
    *,
    display_path: str,
    settings: CompileSettings | None = None,
    compiler: Compiler | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Compilation:
    settings = settings or CompileSettings()
    started = time.perf_counter()
    if closure.errors:
        result = CompileResult(
            display_path, False, None, None, errors=tuple(closure.errors), sources=tuple(closure.units)
        )
        return Compilation(result, closure, project, None)
    compiler = compiler or select(closure.pragmas, where=display_path)
    solc_in = standard_input(closure, project, settings)
    solc_out = run_solc(compiler, solc_in, timeout=timeout)
    diags = parse_diagnostics(solc_out, closure)
    errors = tuple(d for d in diags if d.severity == "error")
    warnings = tuple(d for d in diags if d.severity != "error")
    contracts = tuple(f"{u}:{c}" for u, cs in solc_out.get("contracts", {}).items() for c in cs)
    result = CompileResult(
        path=display_path,
        compiled=not errors,
        solc_version=compiler.version_str,
        compiler_origin=compiler.origin,
        errors=errors,
        warnings=warnings,
        sources=tuple(sorted(closure.units)),
        contracts=contracts,
        seconds=time.perf_counter() - started,
    )
    return Compilation(result, closure, project, compiler, solc_in, solc_out)


def compile_file(
    path: str | Path,
    *,
    settings: CompileSettings | None = None,
    remaps: tuple[str, ...] = (),
    root: Path | None = None,
    check: bool = True,
) -> Compilation:
    """Compile one file with the newest compiler its pragmas allow.

    With ``check`` (the default) a failed compile raises CompilationError whose message
    carries solc's first error with file:line.
    """
    p = Path(path)
    if not p.is_file():
        raise BadInputError(f"{path}: no such file")
    project = make_project(p, root=root, remaps=remaps)
    closure = load_closure(p, project)
    comp = compile_closure(closure, project, display_path=str(path), settings=settings)
    if check and not comp.result.compiled:
        first = comp.result.errors[0]
        raise CompilationError(f"{first.location()}: {first.code or 'Error'}: {first.message}")
    return comp
