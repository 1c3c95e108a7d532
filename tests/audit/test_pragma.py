from __future__ import annotations

import pytest

from chainllm.toolchain.pragma import find_pragmas, format_version, parse_version, satisfying

AVAILABLE = [
    parse_version(v) for v in ("0.4.24", "0.4.26", "0.5.17", "0.6.12", "0.7.6", "0.8.19", "0.8.24", "0.8.28")
]


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [
        ("^0.8.20", ["0.8.24", "0.8.28"]),
        (">=0.6.0 <0.9.0", ["0.6.12", "0.7.6", "0.8.19", "0.8.24", "0.8.28"]),
        ("0.4.24", ["0.4.24"]),
        ("=0.8.19", ["0.8.19"]),
        ("^0.4.0", ["0.4.24", "0.4.26"]),
        ("~0.5.0", ["0.5.17"]),
        (">=0.4.22 <0.6.0", ["0.4.24", "0.4.26", "0.5.17"]),
        ("0.8", ["0.8.19", "0.8.24", "0.8.28"]),
        ("^0.7.0 || ^0.8.0", ["0.7.6", "0.8.19", "0.8.24", "0.8.28"]),
        ("<0.8.0", ["0.4.24", "0.4.26", "0.5.17", "0.6.12", "0.7.6"]),
        (">0.4.26", ["0.5.17", "0.6.12", "0.7.6", "0.8.19", "0.8.24", "0.8.28"]),
        (">=0.8.4 <=0.8.24", ["0.8.19", "0.8.24"]),
        ("0.4.24 - 0.5", ["0.4.24", "0.4.26", "0.5.17"]),
        ("^0.9.0", []),
    ],
)
def test_ranges(pragma: str, expected: list[str]) -> None:
    assert [format_version(v) for v in satisfying([pragma], AVAILABLE)] == expected


def test_several_pragmas_intersect() -> None:
    assert [format_version(v) for v in satisfying(["^0.8.0", ">=0.8.20"], AVAILABLE)] == ["0.8.24", "0.8.28"]


def test_pragmas_in_comments_and_strings_are_ignored() -> None:
    src = '// pragma solidity ^0.4.0;\n/* pragma solidity 0.5.0; */\nstring constant s = "pragma solidity 0.6.0;";\npragma solidity ^0.8.0;\n'
    assert find_pragmas(src) == ["^0.8.0"]


def test_malformed_pragma_raises() -> None:
    with pytest.raises(ValueError):
        satisfying(["^abc"], AVAILABLE)
