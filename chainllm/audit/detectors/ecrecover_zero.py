"""SWC-117/122 family: ecrecover returns address(0) for an invalid signature; comparing it with
a signer that may be unset accepts garbage."""

from __future__ import annotations

from typing import Any

from slither.core.variables.state_variable import StateVariable
from slither.slithir.operations import Binary, BinaryType, SolidityCall
from slither.slithir.variables import Constant

from chainllm.audit.detectors import ir
from chainllm.audit.detectors.base import ChainDetector, Medium


class EcrecoverZero(ChainDetector):
    ARGUMENT = "ecrecover-zero"
    HELP = "ecrecover result compared without rejecting address(0)"
    IMPACT = Medium
    CONFIDENCE = Medium
    SWC = "SWC-122"
    CWE = "CWE-347"
    BUG_CLASS = "signature"
    WIKI_TITLE = "ecrecover zero address"
    WIKI_DESCRIPTION = (
        "ecrecover returns address(0) when the signature is invalid. Comparing the result with "
        "a signer variable that can be unset (or set to zero later) lets any garbage signature pass."
    )
    WIKI_EXPLOIT_SCENARIO = (
        "The signer was never configured; `ecrecover(h, 0, 0, 0) == signer` is true and anyone claims."
    )
    WIKI_RECOMMENDATION = "Require the recovered address to be non-zero, or use OpenZeppelin's ECDSA.recover."

    def findings(self) -> list[tuple[Any, str]]:
        out: list[tuple[Any, str]] = []
        for contract in self.compilation_unit.contracts_derived:
            for f in contract.functions_and_modifiers:
                if f.contract_declarer is not contract or not f.is_implemented:
                    continue
                for node in f.nodes:
                    for op in node.irs:
                        if (
                            isinstance(op, SolidityCall)
                            and op.function == ir.ECRECOVER
                            and op.lvalue is not None
                        ):
                            hit = self._unsafe_compare(contract, f, op.lvalue)
                            if hit is not None:
                                out.append((hit, "compares an ecrecover result without rejecting address(0)"))
        return out

    @staticmethod
    def _unsafe_compare(contract: Any, f: Any, recovered: Any) -> Any:
        marked = ir.taint(f, [recovered])
        names = ir.names_of(f)
        # values the function itself requires to be non-zero (`require(owner != address(0))`):
        # an ecrecover result equal to one of them cannot be address(0)
        nonzero = {
            names(x)
            for node in f.nodes
            if ir.is_condition(node)
            for op in node.irs
            if isinstance(op, Binary) and op.type == BinaryType.NOT_EQUAL
            for x, y in ((op.variable_left, op.variable_right), (op.variable_right, op.variable_left))
            if _is_zero(f, y) and id(x) not in marked
        }
        compared = None
        for node in f.nodes:
            for op in node.irs:
                if not isinstance(op, Binary) or op.type not in (BinaryType.EQUAL, BinaryType.NOT_EQUAL):
                    continue
                a, b = op.variable_left, op.variable_right
                other = b if id(a) in marked else a if id(b) in marked else None
                if other is None:
                    continue
                if _is_zero(f, other):
                    return None  # rejected explicitly
                if isinstance(other, StateVariable) and not ir.state_writers(contract, other):
                    continue  # set once at construction: never zero by accident
                if other in (ir.MSG_SENDER, ir.TX_ORIGIN) or names(other) in nonzero:
                    continue  # never address(0) (msg.sender), or checked non-zero in this function
                compared = compared or node
        return compared


def _is_zero(f: Any, v: Any) -> bool:
    if isinstance(v, Constant):
        return str(v.value) == "0"
    return ir.names_of(f)(v) == "0"
