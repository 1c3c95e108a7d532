"""Build Slither's model of a compilation even when Slither crashes on part of it.

Slither parses and converts every function of every contract in one go; one construct it
cannot handle (an ``AssertionError`` in IR generation, ``NotConstant`` while folding an
array length...) aborts the whole file. Here the crash's traceback names the function (or
contract) Slither was working on; that function's body is replaced by an empty block in the
solc AST (or, when no function is named, the contract is dropped) and Slither is built
again. The rest of the file is analysed, and every part left out is reported with the reason.
"""

from __future__ import annotations

import copy
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

MAX_RETRIES = 4  # parts left out per file before giving up (each retry re-parses the file)


@dataclass(frozen=True)
class Culprit:
    kind: str  # "function" | "contract"
    ast_id: int
    name: str  # C.f or C


def _frames(tb: types.TracebackType | None) -> Iterator[types.FrameType]:
    while tb is not None:
        yield tb.tb_frame
        tb = tb.tb_next


def culprit(exc: BaseException) -> Culprit | None:
    """The innermost function (else contract) Slither was parsing or converting when it crashed."""
    from slither.core.declarations import Contract, Function
    from slither.solc_parsing.declarations.contract import ContractSolc
    from slither.solc_parsing.declarations.function import FunctionSolc

    function: Any = None
    contract: Any = None
    for frame in _frames(exc.__traceback__):
        for value in frame.f_locals.values():
            if isinstance(value, FunctionSolc):
                value = value.underlying_function
            elif isinstance(value, ContractSolc):
                value = value.underlying_contract
            if isinstance(value, Function) and getattr(value, "id", None) is not None:
                function = value  # later frames are deeper: keep the innermost
            elif isinstance(value, Contract) and getattr(value, "id", None) is not None:
                contract = value
    if function is not None:
        owner = getattr(function, "contract_declarer", None)
        name = f"{owner.name}.{function.name}" if owner is not None else str(function.name)
        return Culprit("function", int(function.id), name)
    if contract is not None:
        return Culprit("contract", int(contract.id), str(contract.name))
    return None


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def leave_out(solc_output: dict[str, Any], part: Culprit) -> bool:
    """Edit ``solc_output`` (a copy) so Slither skips ``part``; False when it is not found."""
    for unit_name, unit in solc_output.get("sources", {}).items():
        ast = unit.get("ast")
        for node in _walk(ast):
            if node.get("id") != part.ast_id:
                continue
            if part.kind == "function" and node.get("nodeType") in {
                "FunctionDefinition",
                "ModifierDefinition",
            }:
                body = node.get("body")
                if not isinstance(body, dict) or not body.get("statements"):
                    return False  # nothing to stub: the crash is in the signature
                node["body"] = {"id": body["id"], "nodeType": "Block", "src": body["src"], "statements": []}
                return True
            if part.kind == "contract" and node.get("nodeType") == "ContractDefinition":
                ast["nodes"] = [n for n in ast.get("nodes", []) if n.get("id") != part.ast_id]
                solc_output.get("contracts", {}).get(unit_name, {}).pop(node.get("name"), None)
                return True
    return False


def _contract_of(solc_output: dict[str, Any], function_id: int) -> Culprit | None:
    for unit in solc_output.get("sources", {}).values():
        for top in (unit.get("ast") or {}).get("nodes", []):
            if top.get("nodeType") == "ContractDefinition" and any(
                n.get("id") == function_id for n in _walk(top)
            ):
                return Culprit("contract", int(top["id"]), str(top.get("name")))
    return None


def build(make: Callable[[dict[str, Any]], Any], solc_output: dict[str, Any]) -> tuple[Any, tuple[str, ...]]:
    """``make(output)`` builds a Slither object; on a crash, leave out the failing part and
    retry. Returns (slither, descriptions of the parts not covered). Re-raises when nothing
    can be left out or the retries run out."""
    try:
        return make(solc_output), ()
    except Exception as first:  # any crash inside Slither's parser
        error: Exception = first
    output = copy.deepcopy(solc_output)
    skipped: list[str] = []
    for _ in range(MAX_RETRIES):
        part = culprit(error)
        reason = (
            f"{type(error).__name__}{': ' + str(error).splitlines()[0][:160] if str(error).strip() else ''}"
        )
        if part is None:
            raise error
        done = leave_out(output, part)
        if not done and part.kind == "function":
            owner = _contract_of(output, part.ast_id)
            if owner is not None and leave_out(output, owner):
                part = owner
                done = True
        if not done:
            raise error
        what = "function" if part.kind == "function" else "contract"
        skipped.append(f"{what} {part.name}: Slither crashed on it ({reason}); not analysed")
        try:
            return make(output), tuple(skipped)
        except Exception as again:
            error = again
    raise error
