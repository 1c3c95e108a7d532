"""SWC-114: ERC20 ``approve`` overwrites a non-zero allowance (the approve race)."""

from __future__ import annotations

from typing import Any

from slither.core.solidity_types import MappingType
from slither.slithir.operations import Assignment

from chainllm.audit.detectors import ir
from chainllm.audit.detectors.base import ChainDetector, Low, Medium

_MITIGATIONS = {"increaseAllowance", "decreaseAllowance", "increaseApproval", "decreaseApproval"}


class ApproveRace(ChainDetector):
    ARGUMENT = "erc20-approve-race"
    HELP = "approve() overwrites a non-zero allowance"
    IMPACT = Low
    CONFIDENCE = Medium
    SWC = "SWC-114"
    CWE = "CWE-362"
    BUG_CLASS = "tod"
    WIKI_TITLE = "ERC20 approve race"
    WIKI_DESCRIPTION = (
        "`approve(spender, n)` replaces the allowance. A spender who sees the owner lower an "
        "allowance from n to m can front-run the change, spend n, then spend m as well."
    )
    WIKI_EXPLOIT_SCENARIO = "Alice approves Bob 100, later sends approve(Bob, 50); Bob front-runs with transferFrom(100), then takes 50 more."
    WIKI_RECOMMENDATION = (
        "Require the allowance to be 0 before setting a new non-zero value, or offer "
        "increaseAllowance/decreaseAllowance."
    )

    def findings(self) -> list[tuple[Any, str]]:
        out: list[tuple[Any, str]] = []
        for contract in self.compilation_unit.contracts_derived:
            names = {f.name for f in contract.functions}
            if names & _MITIGATIONS:
                continue
            for f in contract.functions_entry_points:
                if f.name != "approve" or len(f.parameters) != 2 or not f.is_implemented:
                    continue
                if f.contract_declarer is not contract and any(
                    c.name == f.contract_declarer.name for c in self.compilation_unit.contracts_derived
                ):
                    continue
                reach = ir.reachable(f)
                comps = ir.comparisons(reach)
                value = f.parameters[1].name
                if any("0" in pair and any(x == value or "][" in x for x in pair) for pair in comps):
                    continue  # `require(value == 0 || allowance[owner][spender] == 0)`
                node = self._allowance_write(reach)
                if node is not None:
                    out.append(
                        (
                            node,
                            "sets the allowance without requiring it to be 0 first (front-runnable change)",
                        )
                    )
        return out

    @staticmethod
    def _allowance_write(functions: list[Any]) -> Any:
        for _, node in ir.nodes_of(functions):
            for op in node.irs:
                if not isinstance(op, Assignment):
                    continue
                base = ir.ref_base(op.lvalue)
                t = getattr(base, "type", None)
                if isinstance(t, MappingType) and isinstance(t.type_to, MappingType):
                    return node
        return None
