"""Run Slither's detectors on an already-compiled standard-JSON output.

The compile happens once (``audit.compile``): a crytic-compile platform that hands over
the existing solc output lets Slither skip its own solc run. Detectors are the set the
``slither`` CLI runs by default (every built-in plus plugins from the entry-point group) plus
chainllm's own (``chainllm.audit.detectors``); ``detect``/``exclude`` narrow them.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chainllm.errors import BadInputError
from chainllm.types import Finding

_IMPACTS = {"High", "Medium", "Low", "Informational", "Optimization"}


def _quiet_loggers() -> None:
    for name in ("Slither", "CryticCompile", "Detectors", "Printers"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class SlitherRun:
    findings: tuple[Finding, ...]
    hidden_dependency_findings: int
    not_covered: tuple[str, ...] = ()  # parts Slither crashed on and that were left out


def _platform_class() -> Any:
    from crytic_compile.compilation_unit import CompilationUnit
    from crytic_compile.compiler.compiler import CompilerVersion
    from crytic_compile.platform.solc_standard_json import SolcStandardJson, parse_standard_json_output

    class Precompiled(SolcStandardJson):
        """A solc-standard-json platform whose compile step reuses our output."""

        def __init__(
            self,
            solc_input: dict[str, Any],
            solc_output: dict[str, Any],
            version: str,
            root: str,
            optimized: bool,
        ) -> None:
            super().__init__(dict(solc_input))
            self._output = solc_output
            self._version = version
            self._root = root
            self._optimized = optimized

        def compile(self, crytic_compile: Any, **kwargs: Any) -> None:
            unit = CompilationUnit(crytic_compile, "standard_json")
            unit.compiler_version = CompilerVersion(
                compiler="solc", version=self._version, optimized=self._optimized
            )
            parse_standard_json_output(self._output, unit, solc_working_dir=self._root)

    return Precompiled


def detector_classes() -> list[Any]:
    """Slither's default detectors (plugins included) followed by chainllm's own."""
    from slither.__main__ import get_detectors_and_printers

    from chainllm.audit.detectors import own_detectors

    detectors, _ = get_detectors_and_printers()
    return list(detectors) + list(own_detectors())


@dataclass(frozen=True)
class DetectorInfo:
    argument: str
    origin: str  # "chainllm" or "slither"
    impact: str
    confidence: str
    swc: str | None
    cwe: str | None
    help: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def list_detectors() -> list[DetectorInfo]:
    """Every detector the audit can run, chainllm's own first, with its SWC/CWE ids."""
    from slither.detectors.abstract_detector import classification_txt

    from chainllm.audit.detectors import own_arguments
    from chainllm.audit.taxonomy import ids_for

    own = own_arguments()
    out = []
    for det in detector_classes():
        swc, cwe = ids_for(det.ARGUMENT)
        out.append(
            DetectorInfo(
                argument=det.ARGUMENT,
                origin="chainllm" if det.ARGUMENT in own else "slither",
                impact=classification_txt.get(det.IMPACT, "Informational"),
                confidence=classification_txt.get(det.CONFIDENCE, "Medium"),
                swc=swc,
                cwe=cwe,
                help=str(det.HELP),
            )
        )
    out.sort(key=lambda d: (d.origin != "chainllm", d.argument))
    return out


def select_detectors(detect: tuple[str, ...] = (), exclude: tuple[str, ...] = ()) -> list[Any]:
    """The detector classes to run: ``detect`` (all when empty) minus ``exclude``. Unknown
    names are bad input (a typo would otherwise silently audit nothing)."""
    classes = detector_classes()
    known = {d.ARGUMENT for d in classes}
    unknown = sorted({*detect, *exclude} - known)
    if unknown:
        raise BadInputError(
            f"unknown detector{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}",
            hint="run `chainllm audit --list-detectors` for the names",
        )
    wanted = set(detect) if detect else known
    return [d for d in classes if d.ARGUMENT in wanted and d.ARGUMENT not in exclude]


def detector_fingerprint(detect: tuple[str, ...] = (), exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """What the cache key needs to know about the detectors: the selection and the version of
    chainllm's own detector code (Slither's version is in the tool versions already)."""
    from chainllm.audit.detectors import version

    return {"detect": sorted(detect), "exclude": sorted(exclude), "own_version": version()}


def to_finding(
    result: dict[str, Any], root: Path, dependency_files: frozenset[str] | set[str] = frozenset()
) -> Finding:
    """Typed finding located at its first element in the user's own code (Slither groups,
    e.g., every file sharing a pragma into one result, dependencies first)."""
    elements = [e for e in result.get("elements") or [] if e.get("source_mapping")]
    own = [
        e
        for e in elements
        if os.path.realpath(e["source_mapping"].get("filename_absolute") or "") not in dependency_files
    ]
    first = (own or elements or [None])[0]
    file = None
    lines: tuple[int, ...] = ()
    if first:
        sm = first["source_mapping"]
        absolute = sm.get("filename_absolute") or ""
        try:
            file = Path(absolute).resolve().relative_to(root).as_posix()
        except ValueError:
            file = sm.get("filename_relative") or absolute
        lines = tuple(sm.get("lines") or ())
    impact = result.get("impact", "Informational")
    return Finding(
        check=result.get("check", "unknown"),
        impact=impact if impact in _IMPACTS else "Informational",
        confidence=result.get("confidence", "Medium"),
        description=(result.get("description") or "").strip(),
        file=file,
        lines=lines,
        tool="chainllm" if result.get("check") in _own_arguments() else "slither",
        id=result.get("id", ""),
    )


def _own_arguments() -> frozenset[str]:
    from chainllm.audit.detectors import own_arguments

    return own_arguments()


def _all_in_dependencies(result: dict[str, Any], dependency_files: set[str]) -> bool:
    files = {
        os.path.realpath(e["source_mapping"]["filename_absolute"])
        for e in result.get("elements") or []
        if e.get("source_mapping") and e["source_mapping"].get("filename_absolute")
    }
    return bool(files) and files <= dependency_files


def run_slither(
    solc_input: dict[str, Any],
    solc_output: dict[str, Any],
    *,
    version: str,
    root: Path,
    dependency_files: set[str],
    include_dependencies: bool = False,
    optimized: bool = False,
    exclude: tuple[str, ...] = (),
    detect: tuple[str, ...] = (),
) -> SlitherRun:
    """All default detectors on one compilation; findings wholly inside dependencies are hidden
    unless asked for (counted either way)."""
    from crytic_compile import CryticCompile
    from slither import Slither

    _quiet_loggers()
    from chainllm.audit.resilient import build

    def make(output: dict[str, Any]) -> Any:
        return Slither(CryticCompile(_platform_class()(solc_input, output, version, str(root), optimized)))

    # crytic-compile resolves source names against the working dir: run from the project root.
    previous = os.getcwd()
    os.chdir(root)
    try:
        slither, not_covered = build(make, solc_output)
        for det in select_detectors(detect, exclude):
            slither.register_detector(det)
        from chainllm.audit.detectors.base import FAILURES

        FAILURES.clear()
        raw = [r for per_detector in slither.run_detectors() if per_detector for r in per_detector]
        not_covered = (*not_covered, *FAILURES)
    finally:
        os.chdir(previous)
    kept: list[Finding] = []
    hidden = 0
    for r in raw:
        if not include_dependencies and _all_in_dependencies(r, dependency_files):
            hidden += 1
            continue
        kept.append(to_finding(r, root, dependency_files))
    kept.sort(key=lambda f: (-f.severity, f.file or "", f.first_line or 0, f.check))
    return SlitherRun(tuple(kept), hidden, not_covered)
