"""The base class of chainllm's own detectors: Slither's AbstractDetector plus the SWC/CWE
ids and the bug class each detector answers for."""

from __future__ import annotations

from typing import Any

from slither.detectors.abstract_detector import AbstractDetector, DetectorClassification
from slither.utils.output import Output

# "detector: error" for each of our detectors that raised during the current Slither run; the
# runner reports them as not covered instead of losing every other detector's findings.
FAILURES: list[str] = []

High = DetectorClassification.HIGH
Medium = DetectorClassification.MEDIUM
Low = DetectorClassification.LOW


class ChainDetector(AbstractDetector):
    """Subclasses set ARGUMENT, HELP, IMPACT, CONFIDENCE, the WIKI_* texts, SWC, CWE and
    BUG_CLASS, and implement ``findings()`` yielding (node or function, message) pairs."""

    SWC: str | None = None
    CWE: str = ""
    BUG_CLASS: str = ""
    WIKI = "https://swcregistry.io"
    STANDARD_JSON = True

    def findings(self) -> list[tuple[Any, str]]:
        raise NotImplementedError

    def _detect(self) -> list[Output]:
        try:
            found = self.findings()
        except Exception as exc:
            FAILURES.append(f"detector {self.ARGUMENT}: {type(exc).__name__}: {exc}")
            return []
        out: list[Output] = []
        seen: set[tuple[str, int]] = set()
        for where, message in found:
            sm = where.source_mapping
            key = (sm.filename.absolute if sm else "", sm.start if sm else 0)
            if key in seen:  # one result per statement, whichever rule found it first
                continue
            seen.add(key)
            fn = getattr(where, "function", None)
            info: list[Any] = [where, f" {message}"]
            if fn is not None and fn is not where:
                info += [" (in ", fn, ")"]
            info.append("\n")
            out.append(self.generate_result(info))
        return out
