"""Pull Solidity out of model text, or decide there is none. Cheap checks before solc runs.

Model output is untrusted: a function must be one balanced definition with the expected
name and none of the constructs that no generated snippet needs (inline assembly,
delegatecall, selfdestruct, tx.origin auth, imports); a contract may import only the bundled
OpenZeppelin library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chainllm.toolchain.pragma import code_chars

MAX_FUNCTION_CHARS = 4000
MAX_CONTRACT_CHARS = 60_000

_FENCE = re.compile(r"```[ \t]*(?:solidity|sol)?[ \t]*\n(.*?)(?:```|\Z)", re.S | re.I)
_FORBIDDEN = [
    (re.compile(r"\bassembly\b"), "inline assembly"),
    (re.compile(r"\bdelegatecall\b"), "delegatecall"),
    (re.compile(r"\bselfdestruct\b|\bsuicide\s*\("), "selfdestruct"),
    (re.compile(r"\btx\.origin\b"), "tx.origin"),
]
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Extracted:
    code: str | None
    problem: str | None = None  # why nothing usable came out


def _strip_fences(text: str) -> str:
    blocks = _FENCE.findall(text)
    return "\n".join(blocks) if blocks else text


def _balanced_block(text: str, open_at: int) -> int | None:
    """Index just past the brace that closes the one at ``open_at`` (strings/comments aware)."""
    depth = 0
    for i, c in code_chars(text, open_at):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def _forbidden(code: str) -> str | None:
    for pattern, what in _FORBIDDEN:
        if pattern.search(code):
            return f"uses {what}"
    return None


def extract_function(text: str, name: str) -> Extracted:
    """One complete ``function name(...) ... { ... }`` from model text."""
    body = _strip_fences(text)
    m = re.search(r"\bfunction\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(", body)
    if not m:
        return Extracted(None, "no Solidity function in the model output")
    open_at = body.find("{", m.end())
    if open_at < 0 or ";" in body[m.end() : open_at]:
        return Extracted(None, "function has no body")
    end = _balanced_block(body, open_at)
    if end is None:
        return Extracted(None, "function body is not closed (unbalanced braces)")
    code = body[m.start() : end]
    if len(code) > MAX_FUNCTION_CHARS:
        return Extracted(None, f"function is longer than {MAX_FUNCTION_CHARS} characters")
    if re.search(r"\b(contract|pragma|import|constructor)\b", code):
        return Extracted(None, "function contains contract-level declarations")
    problem = _forbidden(code)
    if problem:
        return Extracted(None, f"function {problem}, which generated code may not")
    if m.group(1) != name:  # keep the name the spec asked for
        code = code.replace(m.group(1), name, 1)
    return Extracted(_dedent(code))


def extract_contract(text: str) -> Extracted:
    """A whole source file (pragma, imports, one or more contracts) from model text."""
    body = _strip_fences(text)
    m = re.search(r"\b(abstract\s+contract|contract|library|interface)\s+[A-Za-z_]\w*[^{;]*\{", body)
    if not m:
        return Extracted(None, "no Solidity contract in the model output")
    last_end = None
    for cm in re.finditer(
        r"\b(?:abstract\s+contract|contract|library|interface)\s+[A-Za-z_]\w*[^{;]*\{", body
    ):
        if last_end is not None and cm.start() < last_end:
            continue
        end = _balanced_block(body, cm.end() - 1)
        if end is None:
            break
        last_end = end
    if last_end is None:
        return Extracted(None, "contract body is not closed (unbalanced braces)")
    # The file starts at its first header line (licence, pragma or import) before the contract.
    heads = [m2.start() for m2 in re.finditer(r"^\s*(//\s*SPDX|pragma\s|import\s)", body[: m.start()], re.M)]
    head_start = heads[0] if heads else m.start()
    code = body[head_start:last_end].strip() + "\n"
    if len(code) > MAX_CONTRACT_CHARS:
        return Extracted(None, f"contract is longer than {MAX_CONTRACT_CHARS} characters")
    for imp in re.findall(r'import\s+[^;]*?["\']([^"\']+)["\']', code):
        if not imp.startswith("@openzeppelin/contracts/"):
            return Extracted(None, f"imports {imp!r}; only @openzeppelin/contracts/... is available")
    problem = _forbidden(code)
    if problem:
        return Extracted(None, f"contract {problem}, which generated code may not")
    if "pragma solidity" not in code:
        code = "pragma solidity ^0.8.20;\n\n" + code
    if "SPDX-License-Identifier" not in code:
        code = "// SPDX-License-Identifier: MIT\n" + code
    return Extracted(code)


def main_contract(source: str) -> str | None:
    """Name of the last non-abstract contract (conventionally the main one)."""
    names = re.findall(r"(?<!abstract )\bcontract\s+([A-Za-z_]\w*)", source)
    return names[-1] if names else None


def _dedent(code: str) -> str:
    lines = code.splitlines()
    indents = [len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()]
    cut = min(indents, default=0)
    if cut >= 4:
        cut -= 4  # body lines keep one level relative to the signature
    return "\n".join([lines[0]] + [line[cut:] if line.strip() else "" for line in lines[1:]])


def is_identifier(text: str) -> bool:
    return _IDENT.fullmatch(text) is not None
