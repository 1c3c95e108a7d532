"""SWC-113: a payment pushed to an address any caller can become; if that address reverts,
the function is blocked for everyone (King of the Ether)."""

from __future__ import annotations

from typing import Any

from slither.core.variables.state_variable import StateVariable
from slither.slithir.operations import Send, Transfer

from chainllm.audit.detectors import ir
from chainllm.audit.detectors.base import ChainDetector, Medium


class PushPayment(ChainDetector):
    ARGUMENT = "push-payment-dos"
    HELP = "Payment pushed to a caller-controlled address that can revert for everyone"
    IMPACT = Medium
    CONFIDENCE = Medium
    SWC = "SWC-113"
    CWE = "CWE-703"
    BUG_CLASS = "dos"
    WIKI_TITLE = "Denial of service by a reverting payee"
    WIKI_DESCRIPTION = (
        "The function must pay a stored address (the previous king, the highest bidder) before "
        "it can proceed, and any caller can become that address. A contract that reverts on "
        "receipt blocks the function for good."
    )
    WIKI_EXPLOIT_SCENARIO = (
        "A contract without a payable fallback becomes king; every later claim reverts on the refund."
    )
    WIKI_RECOMMENDATION = "Record what is owed and let payees withdraw (pull payments)."

    def findings(self) -> list[tuple[Any, str]]:
        out: list[tuple[Any, str]] = []
        for contract in self.compilation_unit.contracts_derived:
            takeable = self._takeable(contract)
            if not takeable:
                continue
            for f in ir.entry_points(contract):
                for node in f.nodes:
                    if ir.in_loop(node):
                        continue  # loops: Slither's calls-loop reports those
                    for op in node.irs:
                        dest = getattr(op, "destination", None)
                        if not isinstance(op, (Transfer, Send)) or dest not in takeable:
                            continue
                        if isinstance(op, Send) and not self._checked(f, op):
                            continue  # an unchecked send does not block anyone
                        out.append(
                            (
                                node,
                                f"pays {getattr(dest, 'name', dest)}, an address any caller can take over; a revert there blocks everyone",
                            )
                        )
        return out

    @staticmethod
    def _takeable(contract: Any) -> set[StateVariable]:
        found: set[StateVariable] = set()
        for g in ir.entry_points(contract):
            marked = ir.taint(g, [ir.MSG_SENDER])
            for node in g.nodes:
                for op in node.irs:
                    lv = getattr(op, "lvalue", None)
                    if isinstance(lv, StateVariable) and any(
                        r == ir.MSG_SENDER or id(r) in marked for r in getattr(op, "read", [])
                    ):
                        found.add(lv)
        return found

    @staticmethod
    def _checked(f: Any, op: Any) -> bool:
        marked = ir.taint(f, [op.lvalue])
        return any(
            ir.is_condition(n) and any(id(r) in marked for o in n.irs for r in getattr(o, "read", []))
            for n in f.nodes
        )
