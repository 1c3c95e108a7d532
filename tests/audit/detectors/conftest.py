"""Run one chainllm detector with real Slither and a real solc on an inline source.

Sources mark the lines the detector must report with ``// HIT``; every other line must stay
quiet, so each source's safe look-alikes are negative tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def hit_lines(source: str) -> list[int]:
    return [i for i, text in enumerate(source.splitlines(), start=1) if "// HIT" in text]


def run_detector(folder: Path, source: str, version: str, detector: Any) -> list[dict[str, Any]]:
    from slither import Slither

    from chainllm.toolchain.compilers import select

    path = folder / f"Case_{detector.ARGUMENT}_{version.replace('.', '')}.sol"
    path.write_text(source)
    compiler = select([f"={version}"], where=str(path))
    slither = Slither(str(path), solc=str(compiler.path))
    slither.register_detector(detector)
    return [r for per in slither.run_detectors() for r in per]


def reported_lines(results: list[dict[str, Any]]) -> list[int]:
    return sorted({r["elements"][0]["source_mapping"]["lines"][0] for r in results})


@pytest.fixture()
def check(tmp_path: Path):  # type: ignore[no-untyped-def]
    """check(source, version, Detector): the detector reports exactly the // HIT lines."""

    def run(source: str, version: str, detector: Any) -> list[dict[str, Any]]:
        src = f"// SPDX-License-Identifier: MIT\npragma solidity {version};\n" + source.strip("\n") + "\n"
        results = run_detector(tmp_path, src, version, detector)
        assert reported_lines(results) == hit_lines(src), [r["description"] for r in results]
        return results

    return run
