"""SWC-121: a signature accepted again and again (no nonce or used-hash record)."""

from __future__ import annotations

import re
from typing import Any

from slither.core.variables.state_variable import StateVariable
from slither.slithir.operations import Assignment, Index, InternalCall, LibraryCall, SolidityCall

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
    for node in f.nodes:
        for op in node.irs:
            if (
                isinstance(op, InternalCall)
                and op.lvalue is not None
                and op.function.all_state_variables_written()
                and id(digest) in ir.taint(f, [op.lvalue])
            ):
                return True  # `_useNonce(owner)` feeds the digest
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


def _checked_state(f: Any) -> set[Any]:
    """State variables the function (or its modifiers) reads in a condition."""
    return {s for g in ir.with_modifiers(f) for n in g.nodes if ir.is_condition(n) for s in n.state_variables_read}
