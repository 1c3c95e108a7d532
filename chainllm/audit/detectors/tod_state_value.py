"""SWC-114: a payout or price read from state that another transaction can change first."""

from __future__ import annotations

from typing import Any

from slither.core.solidity_types import ElementaryType
from slither.slithir.operations import Binary, BinaryType

from chainllm.audit.detectors import ir
from chainllm.audit.detectors.base import ChainDetector, Low, Medium


class StateValueRace(ChainDetector):
    ARGUMENT = "tod-state-value"
    HELP = "Payout or price depends on state another transaction can change first"
    IMPACT = Medium
    CONFIDENCE = Low
    SWC = "SWC-114"
    CWE = "CWE-362"
    BUG_CLASS = "tod"
    WIKI_TITLE = "Transaction-order dependent payout or price"
    WIKI_DESCRIPTION = (
        "The ETH a function pays out, or the rate it applies to msg.value, is read from a "
        "state variable that another function sets. Whoever orders the transactions (the "
        "setter, a miner, a front-runner) decides what the caller gets."
    )
    WIKI_EXPLOIT_SCENARIO = (
        "`buy()` credits `msg.value / price`; the owner sees a large buy in the mempool and "
        "raises `price` in a transaction mined first."
    )
    WIKI_RECOMMENDATION = "Let the caller bound the value (`maxPrice`, `minOut`) and require it."

    def findings(self) -> list[tuple[Any, str]]:
        out: list[tuple[Any, str]] = []
        for contract in self.compilation_unit.contracts_derived:
            changeable = [
                s
                for s in contract.state_variables
                if isinstance(s.type, ElementaryType)
                and not s.is_constant
                and not getattr(s, "is_immutable", False)
                and s.type.name != "bool"
            ]
            for f in ir.entry_points(contract):
                out += self._function(contract, f, changeable)
        return out

    def _function(self, contract: Any, f: Any, changeable: list[Any]) -> list[tuple[Any, str]]:
        read = set(f.all_state_variables_read())
        others = [
            s for s in changeable if s in read and any(w is not f for w in ir.state_writers(contract, s))
        ]
        if not others:
            return []
        names = ir.names_of(f)
        comps = ir.comparisons(ir.with_modifiers(f))
        params = [p.name for p in f.parameters]
        from_value = ir.taint(f, [ir.MSG_VALUE])
        out: list[tuple[Any, str]] = []
        for s in others:
            marked = ir.taint(f, [s])
            derived = {
                names(lv)
                for n in f.nodes
                for o in n.irs
                if (lv := getattr(o, "lvalue", None)) is not None and id(lv) in marked
            } | {s.name}
            if any(
                (any(ir.mentions(x, d) for d in derived) and any(ir.mentions(y, p) for p in params))
                for left, right in comps
                for x, y in ((left, right), (right, left))
            ):
                continue  # the caller bounds it (slippage / expected price)
            for node, _, amount in ir.eth_transfers(f):
                if id(amount) in marked or amount is s:
                    out.append(
                        (
                            node,
                            f"pays an amount read from {s.name}, which another transaction can change first",
                        )
                    )
            for node in f.nodes:
                for op in node.irs:
                    if isinstance(op, Binary) and op.type in (BinaryType.DIVISION, BinaryType.MULTIPLICATION):
                        sides = (op.variable_left, op.variable_right)
                        if any(id(v) in from_value for v in sides) and any(
                            id(v) in marked or v is s for v in sides
                        ):
                            out.append(
                                (
                                    node,
                                    f"prices msg.value with {s.name}, which another transaction can change first",
                                )
                            )
        return out
