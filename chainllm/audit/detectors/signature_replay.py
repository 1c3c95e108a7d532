"""SWC-121: a signature accepted again and again (no nonce or used-hash record)."""

from __future__ import annotations

import re
from typing import Any

from slither.core.variables.state_variable import StateVariable
from slither.slithir.operations import (
    Assignment,
    Binary,
    BinaryType,
    Index,
    InternalCall,
    LibraryCall,
    SolidityCall,
)

from chainllm.audit.detectors import ir
from chainllm.audit.detectors.base import ChainDetector, High, Medium

RECOVER = re.compile(r"^_?(recover|tryRecover|recoverSigner|isValidSignatureNow)$", re.IGNORECASE)


def signature_sites(f: Any) -> list[tuple[Any, Any, Any]]:
    """(node, operation, digest) for each ecrecover / ECDSA.recover-like call in the function."""
    out = []
    for node in f.nodes:
        for op in node.irs:
            if (isinstance(op, SolidityCall) and op.function == ir.ECRECOVER) or (
                isinstance(op, (InternalCall, LibraryCall))
                and RECOVER.match(getattr(op.function, "name", ""))
                and op.arguments
            ):
                out.append((node, op, op.arguments[0]))
    return out


class SignatureReplay(ChainDetector):
    ARGUMENT = "signature-replay"
    HELP = "Signed message accepted without a nonce or used-hash record"
    IMPACT = High
    CONFIDENCE = Medium
    SWC = "SWC-121"
    CWE = "CWE-294"
    BUG_CLASS = "signature"
    WIKI_TITLE = "Signature replay"
    WIKI_DESCRIPTION = (
        "The function acts on a signature but records nothing that makes the same signature "
        "invalid next time: no nonce in the signed digest that it increments, no mapping of "
        "used hashes or nonces it checks and sets."
    )
    WIKI_EXPLOIT_SCENARIO = (
        "A relayer resubmits Alice's signed transfer of 10 tokens until her balance is empty."
    )
    WIKI_RECOMMENDATION = "Sign a per-signer nonce (and the contract address and chain id) and consume it, or mark each digest used."

    def findings(self) -> list[tuple[Any, str]]:
        out: list[tuple[Any, str]] = []
        for contract in self.compilation_unit.contracts_derived:
            for f in ir.entry_points(contract):
                if f.contract_declarer is not contract:
                    continue
                for node, _, digest in signature_sites(f):
                    if not _consumed(f, digest):
                        out.append(
                            (node, "acts on a signature that can be replayed (no nonce or used-hash record)")
                        )
        return out


def _consumed(f: Any, digest: Any) -> bool:
    written = [s for s in f.all_state_variables_written() if isinstance(s, StateVariable)]
    written += _written_through_libraries(f)
    if written and id(digest) in ir.taint(f, written):
        return True  # the digest signs a nonce this call changes
    used = [
        op.lvalue
        for node in f.nodes
        for op in node.irs
        if isinstance(op, InternalCall) and op.lvalue is not None and _writes_state(op.function)
    ]
    if any(id(digest) in ir.taint(f, [v]) for v in used):
        return True  # `_useNonce(owner)` feeds the digest
    if _nonce_checked(f, digest, used, written):
        return True  # `require(nonce == _useNonce(signer))` on a nonce the digest signs
    indexes = {}
    for node in f.nodes:
        for op in node.irs:
            if isinstance(op, Index) and isinstance(ir.ref_base(op.variable_left), StateVariable):
                indexes[id(op.lvalue)] = op.variable_right
    checked = _checked_state(f)
    for node in f.nodes:
        for op in node.irs:
            if isinstance(op, Assignment) and id(op.lvalue) in indexes:
                if ir.ref_base(op.lvalue) not in checked:
                    continue  # recorded but never looked at (e.g. `allowance[o][spender] = v`): no guard
                key = indexes[id(op.lvalue)]
                if key is digest or id(digest) in ir.taint(f, [key]):
                    return True  # `require(!used[h]); used[h] = true` / the same for nonces
    return False


def _written_through_libraries(f: Any) -> list[StateVariable]:
    """State passed by storage reference to a library function that writes it
    (`nonces[owner].increment()` with OpenZeppelin's Counters): Slither does not list it
    among the caller's writes."""
    out: list[StateVariable] = []
    for node in f.nodes:
        for op in node.irs:
            if not isinstance(op, (LibraryCall, InternalCall)) or not op.arguments:
                continue
            callee = op.function
            params = getattr(callee, "parameters", [])
            changed = {id(v) for v in getattr(callee, "variables_written", [])}
            for arg, param in zip(op.arguments, params, strict=False):  # `using for` may bind one
                if getattr(param, "location", None) != "storage" or id(param) not in changed:
                    continue
                base = ir.ref_base(arg)
                if isinstance(base, StateVariable):
                    out.append(base)
    return out


def _writes_state(fn: Any) -> bool:
    """The function changes state, itself, through what it calls, or through a library that
    writes a storage reference (`nonce.increment()` on a local storage pointer)."""
    if fn.all_state_variables_written():
        return True
    for g in [fn, *getattr(fn, "all_internal_calls", lambda: [])()]:
        for node in getattr(g, "nodes", []):
            for op in node.irs:
                if isinstance(op, LibraryCall) and _library_writes_storage(op):
                    return True
    return False


def _library_writes_storage(op: Any) -> bool:
    callee = op.function
    changed = {id(v) for v in getattr(callee, "variables_written", [])}
    return any(
        getattr(p, "location", None) == "storage" and id(p) in changed for p in getattr(callee, "parameters", [])
    )


def _nonce_checked(f: Any, digest: Any, used: list[Any], written: list[Any]) -> bool:
    """A condition compares something the digest signs with a nonce this call consumes: the
    result of a state-writing helper, or state the function writes."""
    consumed = {id(v) for v in used} | ir.taint(f, written)
    for node in f.nodes:
        if not ir.is_condition(node):
            continue
        for op in node.irs:
            if not isinstance(op, Binary) or op.type != BinaryType.EQUAL:
                continue
            for x, y in ((op.variable_left, op.variable_right), (op.variable_right, op.variable_left)):
                if id(y) in consumed and id(digest) in ir.taint(f, [x]):
                    return True
    return False


def _checked_state(f: Any) -> set[Any]:
    """State variables the function (or its modifiers) reads in a condition."""
    return {s for g in ir.with_modifiers(f) for n in g.nodes if ir.is_condition(n) for s in n.state_variables_read}
