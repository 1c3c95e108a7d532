"""Evaluate the audit on a labelled corpus: per-class line recall and precision, chainllm (its
own detectors plus Slither's) against Slither's detectors alone, from the same run; and
per-detector false alarms on the OpenZeppelin sources.

Labels are markers on the source lines: ``// BUG: <class>`` and ``// SAFE: <class>``. Each
file holds the cases of one class (its name starts with the class), and labels are complete
only for that class, so a file is scored for its own class: a finding of that class within
``tolerance`` lines of a BUG line recalls it; a finding of that class that reaches no BUG
line is a false positive. Findings of other classes in that file are not scored.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chainllm.audit.engine import AuditOptions, audit_paths
from chainllm.config import REPO_ROOT
from chainllm.errors import BadInputError
from chainllm.types import FileAudit, Finding

DEFAULT_SET = REPO_ROOT / "tests" / "audit" / "labelled" / "heldout"
OZ_ROOTS = (REPO_ROOT / "node_modules" / "@openzeppelin",)
CLASSES = (
    "integer-overflow",
    "tod",
    "bad-randomness",
    "access-control",
    "dos",
    "short-address",
    "signature",
)
# Slither's detectors that report these classes (a finding of theirs counts for the class).
SLITHER_CLASSES: dict[str, str] = {
    "weak-prng": "bad-randomness",
    "suicidal": "access-control",
    "unprotected-upgrade": "access-control",
    "arbitrary-send-eth": "access-control",
    "arbitrary-send-erc20": "access-control",
    "controlled-delegatecall": "access-control",
    "protected-vars": "access-control",
    "tx-origin": "access-control",
    "calls-loop": "dos",
    "msg-value-loop": "dos",
    "delegatecall-loop": "dos",
}
_MARK = re.compile(r"//\s*(BUG|SAFE):\s*([a-z0-9-]+)")


@dataclass(frozen=True)
class Label:
    file: str
    line: int
    kind: str  # BUG | SAFE
    cls: str


@dataclass
class ClassScore:
    bugs: int = 0
    safe: int = 0
    found: int = 0
    findings: int = 0
    true_findings: int = 0
    missed: list[str] = field(default_factory=list)  # "file:line" of each bug not found
    false: list[str] = field(default_factory=list)  # "file:line check" of each false positive

    @property
    def recall(self) -> float | None:
        return self.found / self.bugs if self.bugs else None

    @property
    def precision(self) -> float | None:
        return self.true_findings / self.findings if self.findings else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "bugs": self.bugs,
            "safe": self.safe,
            "found": self.found,
            "findings": self.findings,
            "true_findings": self.true_findings,
            "recall": self.recall,
            "precision": self.precision,
            "missed": self.missed,
            "false_positives": self.false,
        }


@dataclass
class Scores:
    per_class: dict[str, ClassScore] = field(default_factory=dict)

    def total(self) -> ClassScore:
        t = ClassScore()
        for s in self.per_class.values():
            t.bugs += s.bugs
            t.safe += s.safe
            t.found += s.found
            t.findings += s.findings
            t.true_findings += s.true_findings
            t.missed += s.missed
            t.false += s.false
        return t

    def to_dict(self) -> dict[str, Any]:
        return {
            "classes": {c: s.to_dict() for c, s in self.per_class.items()},
            "total": self.total().to_dict(),
        }


@dataclass(frozen=True)
class AuditEval:
    set_path: str
    files: int
    failed: tuple[str, ...]
    chainllm: Scores
    slither: Scores
    oz_files: int
    oz_false_alarms: dict[str, list[str]]  # detector -> "file:line" of each hit
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "set": self.set_path,
            "files": self.files,
            "failed": list(self.failed),
            "chainllm": self.chainllm.to_dict(),
            "slither_only": self.slither.to_dict(),
            "openzeppelin": {"files": self.oz_files, "false_alarms": self.oz_false_alarms},
            "seconds": round(self.seconds, 1),
        }


def file_class(path: Path) -> str | None:
    for cls in sorted(CLASSES, key=len, reverse=True):
        if path.name.startswith(cls + "_") or path.stem == cls:
            return cls
    return None


def load_labels(path: Path) -> tuple[list[Path], list[Label]]:
    """The labelled .sol files under ``path`` and their markers."""
    if not path.exists():
        raise BadInputError(f"{path}: no such labelled set", hint="give a folder of labelled .sol files")
    files = sorted(path.rglob("*.sol")) if path.is_dir() else [path]
    files = [f for f in files if file_class(f)]
    if not files:
        raise BadInputError(
            f"{path}: no labelled files",
            hint=f"file names must start with a class ({', '.join(CLASSES)}) and an underscore",
        )
    labels = []
    for f in files:
        for i, text in enumerate(f.read_text().splitlines(), start=1):
            m = _MARK.search(text)
            if m:
                labels.append(Label(str(f.resolve()), i, m.group(1), m.group(2)))
    return files, labels


def finding_class(f: Finding) -> str | None:
    if f.tool == "chainllm":
        from chainllm.audit.detectors import own_detectors

        for d in own_detectors():
            if f.check == d.ARGUMENT:
                return str(d.BUG_CLASS)
        return None
    return SLITHER_CLASSES.get(f.check)


def _near(f: Finding, line: int, tolerance: int) -> bool:
    return bool(f.lines) and min(f.lines) - tolerance <= line <= max(f.lines) + tolerance


def score(
    audits: list[tuple[Path, FileAudit]],
    labels: list[Label],
    *,
    keep: Callable[[Finding], bool],
    tolerance: int = 2,
) -> Scores:
    scores = Scores({c: ClassScore() for c in CLASSES})
    by_file: dict[str, list[Label]] = {}
    for lab in labels:
        by_file.setdefault(lab.file, []).append(lab)
    for path, audit in audits:
        cls = file_class(path)
        if cls is None:
            continue
        s = scores.per_class[cls]
        mine = [lab for lab in by_file.get(str(path.resolve()), []) if lab.cls == cls]
        bugs = [lab for lab in mine if lab.kind == "BUG"]
        s.bugs += len(bugs)
        s.safe += sum(lab.kind == "SAFE" for lab in mine)
        found = [f for f in audit.findings if keep(f) and finding_class(f) == cls]
        s.findings += len(found)
        for f in found:
            if any(_near(f, b.line, tolerance) for b in bugs):
                s.true_findings += 1
            else:
                s.false.append(f"{path}:{f.first_line} {f.check}")
        for b in bugs:
            if any(_near(f, b.line, tolerance) for f in found):
                s.found += 1
            else:
                s.missed.append(f"{path}:{b.line}")
    return scores


def evaluate(
    set_path: Path = DEFAULT_SET,
    *,
    openzeppelin: bool = True,
    oz_roots: tuple[Path, ...] = OZ_ROOTS,
    jobs: int = 0,
    use_cache: bool = True,
    progress: Callable[[str], None] | None = None,
) -> AuditEval:
    import time

    from chainllm.audit.detectors import own_arguments

    started = time.perf_counter()
    files, labels = load_labels(set_path)
    say = progress or (lambda _m: None)
    say(f"auditing {len(files)} labelled files")
    report = audit_paths(files, AuditOptions(fail_on=None, jobs=jobs, use_cache=use_cache))
    audits = list(zip(files, report.results, strict=True))
    failed = tuple(a.path for a in report.results if not a.analysed)
    chain = score(audits, labels, keep=lambda f: True)
    slither = score(audits, labels, keep=lambda f: f.tool != "chainllm")
    alarms: dict[str, list[str]] = {d: [] for d in sorted(own_arguments())}
    oz_count = 0
    if openzeppelin:
        with tempfile.TemporaryDirectory(prefix="chainllm-oz-") as tmp:
            entries, oz_count = _oz_aggregates(oz_roots, Path(tmp))
            if entries:
                say(f"auditing {oz_count} OpenZeppelin sources ({len(entries)} packages)")
                oz = audit_paths(
                    entries,
                    AuditOptions(
                        fail_on=None,
                        jobs=jobs,
                        use_cache=use_cache,
                        include_dependencies=True,
                        root=REPO_ROOT,
                        allow_paths=(Path(tmp),),
                        detect_detectors=tuple(sorted(own_arguments())),
                    ),
                )
                failed = failed + tuple(a.path for a in oz.results if not a.analysed)
                for a in oz.results:
                    for f in a.findings:
                        alarms.setdefault(f.check, []).append(f"{f.file}:{f.first_line}")
    return AuditEval(
        set_path=str(set_path),
        files=len(files),
        failed=failed,
        chainllm=chain,
        slither=slither,
        oz_files=oz_count,
        oz_false_alarms=alarms,
        seconds=time.perf_counter() - started,
    )


def _oz_aggregates(roots: tuple[Path, ...], tmp: Path) -> tuple[list[Path], int]:
    """One file per OpenZeppelin package that imports every source of it (as a namespace, so
    names never clash): one compile and one Slither run analyse each contract once, instead
    of re-analysing ERC20 inside every file that imports it."""
    entries: list[Path] = []
    count = 0
    for root in roots:
        if not root.is_dir():
            continue
        for pkg in sorted(p for p in root.iterdir() if p.is_dir()):
            files = sorted(pkg.rglob("*.sol"))
            if not files:
                continue
            count += len(files)
            lines = ["// SPDX-License-Identifier: MIT", "pragma solidity ^0.8.20;"]
            for i, f in enumerate(files):
                lines.append(f'import "{root.name}/{pkg.name}/{f.relative_to(pkg).as_posix()}" as F{i};')
            entry = tmp / f"{pkg.name.replace('-', '_')}_all.sol"
            entry.write_text("\n".join(lines) + "\n")
            entries.append(entry)
    return entries, count


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def render_table(result: AuditEval) -> str:
    lines = [
        f"labelled set: {result.set_path} ({result.files} files"
        + (f", {len(result.failed)} not analysed" if result.failed else "")
        + ")",
        f"{'class':<17} {'bugs':>4} {'safe':>4}   {'chainllm recall':>15} {'precision':>9}"
        f"   {'slither recall':>14} {'precision':>9}",
    ]
    rows = [*CLASSES, "total"]
    for c in rows:
        a = result.chainllm.total() if c == "total" else result.chainllm.per_class[c]
        b = result.slither.total() if c == "total" else result.slither.per_class[c]
        lines.append(
            f"{c:<17} {a.bugs:>4} {a.safe:>4}   {_pct(a.recall):>9} {a.found:>2}/{a.bugs:<3}"
            f"{_pct(a.precision):>9}   {_pct(b.recall):>8} {b.found:>2}/{b.bugs:<3}{_pct(b.precision):>9}"
        )
    if result.oz_files:
        total = sum(len(v) for v in result.oz_false_alarms.values())
        lines.append(
            f"OpenZeppelin ({result.oz_files} files): {total} false alarms from chainllm's detectors"
        )
        for det, hits in result.oz_false_alarms.items():
            shown = ", ".join(hits[:3]) + (" ..." if len(hits) > 3 else "")
            lines.append(f"  {det:<22} {len(hits):>3}  {shown}")
    lines.append(f"({result.seconds:.0f} s)")
    return "\n".join(lines) + "\n"
