"""SlithIR helpers shared by chainllm's detectors: readable operand names, the comparisons
a function checks, input taint, and who is allowed to call a function."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from slither.analyses.data_dependency.data_dependency import is_dependent
from slither.core.cfg.node import Node, NodeType
from slither.core.declarations import Contract, Function, SolidityFunction
from slither.core.declarations.solidity_variables import SolidityVariable, SolidityVariableComposed
from slither.core.variables.state_variable import StateVariable
from slither.slithir.operations import (
    Assignment,
    Binary,
    BinaryType,
    HighLevelCall,
    Index,
    InternalCall,
    Length,
    LibraryCall,
    LowLevelCall,
    Member,
    Send,
    SolidityCall,
    Transfer,
    TypeConversion,
    Unary,
)
from slither.slithir.variables import Constant, ReferenceVariable, TemporaryVariable

MSG_SENDER = SolidityVariableComposed("msg.sender")
TX_ORIGIN = SolidityVariableComposed("tx.origin")
MSG_VALUE = SolidityVariableComposed("msg.value")
MSG_DATA = SolidityVariableComposed("msg.data")
COMPARISONS = {
    BinaryType.LESS,
    BinaryType.GREATER,
    BinaryType.LESS_EQUAL,
    BinaryType.GREATER_EQUAL,
    BinaryType.EQUAL,
    BinaryType.NOT_EQUAL,
}
HASHES = {
    SolidityFunction("keccak256()"),
    SolidityFunction("keccak256(bytes)"),
    SolidityFunction("sha256()"),
    SolidityFunction("sha256(bytes)"),
    SolidityFunction("sha3()"),
    SolidityFunction("ripemd160()"),
    SolidityFunction("ripemd160(bytes)"),
}
ECRECOVER = SolidityFunction("ecrecover(bytes32,uint8,bytes32,bytes32)")
# Calls that authorise the caller by convention (OZ Ownable/AccessControl/UUPS and their like).
AUTH_CALL = re.compile(
    r"^_?(check|only|require|auth|authori[sz]e|ensure|assert|verify)[A-Z_]|^hasRole$|^_?isOwner$|^_?isAuthori[sz]ed$"
)
SENDER_FUNC = re.compile(r"^_?msgSender$")


def memo(obj: Any, key: Any, make: Any) -> Any:
    """Per-object cache (on the Slither object itself, so it dies with the compilation unit):
    several detectors ask the same questions about the same function."""
    store = obj.__dict__.setdefault("_chainllm_memo", {})
    if key not in store:
        store[key] = make()
    return store[key]


def names_of(function: Function) -> Names:
    return memo(function, "names", lambda: Names(function))


class Names:
    """Readable names of SlithIR operands inside one function (``balances[msg.sender]`` rather
    than ``REF_3``), so comparisons and arithmetic can be matched by what they read."""

    def __init__(self, function: Function) -> None:
        self._names: dict[Any, str] = {}
        self.assigned_from: dict[Any, list[Any]] = {}  # local/ref -> rvalues assigned to it
        for node in function.nodes:
            for ir in node.irs:
                self._learn(ir)

    def __call__(self, v: Any) -> str:
        if isinstance(v, Constant):
            return str(v.value)
        got = self._names.get(id(v))
        if got is not None:
            return got
        return str(getattr(v, "name", v))

    def _learn(self, ir: Any) -> None:
        n = self
        lv = getattr(ir, "lvalue", None)
        if isinstance(ir, Index):
            self._names[id(lv)] = f"{n(ir.variable_left)}[{n(ir.variable_right)}]"
        elif isinstance(ir, Member):
            self._names[id(lv)] = f"{n(ir.variable_left)}.{n(ir.variable_right)}"
        elif isinstance(ir, Length):
            self._names[id(lv)] = f"{n(ir.value)}.length"
        elif isinstance(ir, TypeConversion):
            self._names[id(lv)] = n(ir.variable)
        elif isinstance(ir, Binary) and isinstance(lv, TemporaryVariable):
            self._names[id(lv)] = f"({n(ir.variable_left)} {ir.type.value} {n(ir.variable_right)})"
        elif isinstance(ir, Unary) and isinstance(lv, TemporaryVariable):
            self._names[id(lv)] = f"{ir.type.value}{n(ir.rvalue)}"
        elif isinstance(ir, (InternalCall, LibraryCall, HighLevelCall, SolidityCall)) and isinstance(
            lv, TemporaryVariable
        ):
            fname = getattr(ir.function, "name", str(ir.function))
            self._names[id(lv)] = f"{fname}({', '.join(n(a) for a in ir.arguments)})"
        elif isinstance(ir, Assignment):
            self.assigned_from.setdefault(id(lv), []).append(ir.rvalue)
            if isinstance(lv, TemporaryVariable):
                self._names[id(lv)] = n(ir.rvalue)


def is_condition(node: Node) -> bool:
    return bool(node.contains_require_or_assert() or node.contains_if(include_loop=True))


def with_modifiers(function: Function) -> list[Function]:
    out = [function]
    for m in function.modifiers:
        if isinstance(m, Function):
            out.append(m)
    return out


def reachable(function: Function) -> list[Function]:
    """The function, its modifiers and every internal function they call (transitively)."""
    return memo(function, "reachable", lambda: _reachable(function))


def _reachable(function: Function) -> list[Function]:
    seen: list[Function] = []
    todo = list(with_modifiers(function))
    while todo:
        f = todo.pop()
        if f in seen:
            continue
        seen.append(f)
        for call in f.internal_calls:
            target = getattr(call, "function", call)
            if isinstance(target, Function) and target not in seen:
                todo.append(target)
        for m in f.modifiers:
            if isinstance(m, Function) and m not in seen:
                todo.append(m)
        for call in getattr(f, "library_calls", []):
            lib_fn = call[1] if isinstance(call, tuple) else getattr(call, "function", None)
            if isinstance(lib_fn, Function) and lib_fn not in seen:
                todo.append(lib_fn)
    return seen


def comparisons(functions: Iterable[Function]) -> list[tuple[str, str]]:
    """(left, right) names of every comparison inside a condition (require/assert/if/loop)."""
    out: list[tuple[str, str]] = []
    for f in functions:
        out += memo(f, "comparisons", lambda f=f: _comparisons(f))
    return out


def _comparisons(f: Function) -> list[tuple[str, str]]:
    names = names_of(f)
    return [
        (names(op.variable_left), names(op.variable_right))
        for node in f.nodes
        if is_condition(node)
        for op in node.irs
        if isinstance(op, Binary) and op.type in COMPARISONS
    ]


def mentions(expr: str, name: str) -> bool:
    """``name`` occurs in ``expr`` as a whole operand (not as part of a longer identifier)."""
    return re.search(r"(?<![\w.\[])" + re.escape(name) + r"(?![\w(\[])", expr) is not None


def bounded(name: str, comps: list[tuple[str, str]]) -> bool:
    """``name`` is compared with something other than the literal 0 (an upper bound, or the
    negated form an ``if (...) revert`` uses)."""
    for left, right in comps:
        for this, other in ((left, right), (right, left)):
            if this == name and other not in {"0", name}:
                return True
    return False


def related(a: str, b: str, comps: list[tuple[str, str]]) -> bool:
    return any({left, right} == {a, b} for left, right in comps)


def entry_points(contract: Contract) -> list[Function]:
    return [
        f
        for f in contract.functions_entry_points
        if not f.is_constructor and not f.view and not f.pure and f.is_implemented
    ]


def depends_on_params(v: Any, function: Function) -> bool:
    return any(is_dependent(v, p, function) for p in function.parameters)


def depends(v: Any, source: Any, function: Function) -> bool:
    try:
        return bool(is_dependent(v, source, function))
    except (KeyError, AssertionError):
        return False


def sender_reads(function: Function) -> bool:
    """Whether a condition in the function (its modifiers, the internal functions it calls)
    reads msg.sender / tx.origin or a value returned by ``_msgSender()``."""
    for f in reachable(function):
        aliases: set[int] = set()
        for node in f.nodes:
            for ir in node.irs:
                if isinstance(ir, InternalCall) and SENDER_FUNC.match(getattr(ir.function, "name", "")):
                    if ir.lvalue is not None:
                        aliases.add(id(ir.lvalue))
                elif isinstance(ir, Assignment) and (
                    id(ir.rvalue) in aliases or ir.rvalue in (MSG_SENDER, TX_ORIGIN)
                ):
                    aliases.add(id(ir.lvalue))
        for node in f.nodes:
            if not is_condition(node):
                continue
            if MSG_SENDER in node.solidity_variables_read or TX_ORIGIN in node.solidity_variables_read:
                return True
            for ir in node.irs:
                for v in getattr(ir, "read", []):
                    if id(v) in aliases:
                        return True
    return False


def calls_auth(function: Function) -> bool:
    for f in reachable(function):
        if f is not function and AUTH_CALL.match(f.name):
            return True
    return any(
        AUTH_CALL.match(m.name)
        or "owner" in m.name.lower()
        or "admin" in m.name.lower()
        or "role" in m.name.lower()
        for m in function.modifiers
    )


def is_protected(function: Function) -> bool:
    """An authorisation check guards the function: msg.sender compared (here, in a modifier or
    in an internal helper), or a conventional auth helper (onlyOwner, _checkRole...)."""
    return memo(function, "protected", lambda: _is_protected(function))


def _is_protected(function: Function) -> bool:
    if function.is_constructor:
        return True
    try:
        if function.is_protected():
            return True
    except Exception:
        pass
    return calls_auth(function) or sender_reads(function)


def nodes_of(functions: Iterable[Function]) -> Iterator[tuple[Function, Node]]:
    for f in functions:
        for node in f.nodes:
            yield f, node


def eth_transfers(function: Function) -> Iterator[tuple[Node, Any, Any]]:
    """(node, destination, amount) of every ETH transfer/send/call-with-value in the function."""
    for node in function.nodes:
        for ir in node.irs:
            if isinstance(ir, (Transfer, Send)) or (
                isinstance(ir, LowLevelCall) and ir.call_value is not None
            ):
                yield node, ir.destination, ir.call_value


def state_writers(contract: Contract, var: StateVariable) -> list[Function]:
    """Entry points (public or external, constructors excluded) that write ``var``, themselves
    or through what they call: a private helper only the constructor calls is no later writer."""
    return [f for f in entry_points(contract) if var in f.all_state_variables_written()]


def in_loop(node: Node) -> bool:
    """Whether the node sits inside a loop body (between STARTLOOP and ENDLOOP)."""
    seen: set[int] = set()
    todo = list(node.fathers)
    depth_guard = 0
    while todo and depth_guard < 2000:
        depth_guard += 1
        n = todo.pop()
        if n.node_id in seen:
            continue
        seen.add(n.node_id)
        if n.type == NodeType.IFLOOP and node in _loop_body(n):
            return True
        todo.extend(n.fathers)
    return False


def _loop_body(ifloop: Node) -> set[Node]:
    body: set[Node] = set()
    if not ifloop.son_true:
        return body
    todo = [ifloop.son_true]
    while todo:
        n = todo.pop()
        if n in body or n is ifloop or n.type == NodeType.ENDLOOP:
            continue
        body.add(n)
        todo.extend(n.sons)
    return body


def solidity_source(v: Any) -> bool:
    return isinstance(v, SolidityVariable)


def ref_base(v: Any) -> Any:
    """The state variable a reference points into (``balances`` for ``balances[a]``)."""
    seen = 0
    while isinstance(v, ReferenceVariable) and seen < 20:
        v = v.points_to_origin
        seen += 1
    return v


def taint(function: Function, sources: Iterable[Any]) -> set[int]:
    """Ids of the values computed from ``sources`` inside the function. Unlike Slither's data
    dependency, a storage lookup ``balances[to]`` is not tainted by its index: its value is
    not the caller's choice. (Callers must not modify the returned set: it is shared.)"""
    listed = list(sources)
    key = ("taint", tuple(sorted(id(s) for s in listed)))
    return memo(function, key, lambda: _taint(function, listed))


def _taint(function: Function, sources: list[Any]) -> set[int]:
    marked: set[int] = {id(s) for s in sources}
    solidity = {s for s in sources if isinstance(s, SolidityVariable)}
    for _ in range(3):  # loops feed values back; three passes settle the small CFGs we see
        before = len(marked)
        for node in function.nodes:
            for op in node.irs:
                lv = getattr(op, "lvalue", None)
                if lv is None:
                    continue
                if isinstance(lv, ReferenceVariable) and not isinstance(op, (Index, Member, Length)):
                    continue  # a write into storage: stored values are not the caller's choice later
                if isinstance(op, Index):
                    reads: list[Any] = [op.variable_left]
                elif isinstance(op, (Member, Length)):
                    reads = [op.variable_left if isinstance(op, Member) else op.value]
                else:
                    reads = list(getattr(op, "read", []))
                hit = False
                for r in reads:
                    if isinstance(r, SolidityVariable) and r in solidity:
                        marked.add(id(r))  # the read instance, so callers can test by id
                        hit = True
                    elif id(r) in marked:
                        hit = True
                if hit:
                    marked.add(id(lv))
        if len(marked) == before:
            break
    return marked
