"""SWC-128: loops over a storage array that any caller can grow (block gas limit DoS)."""

from __future__ import annotations

from typing import Any

from slither.core.cfg.node import NodeType
from slither.core.solidity_types import ArrayType
from slither.core.variables.state_variable import StateVariable
from slither.slithir.operations import Assignment, Length

from chainllm.audit.detectors import ir
from chainllm.audit.detectors.base import ChainDetector, Medium


class UnboundedLoop(ChainDetector):
    ARGUMENT = "unbounded-loop"
    HELP = "Loop over a storage array that anyone can grow"
    IMPACT = Medium
    CONFIDENCE = Medium
    SWC = "SWC-128"
    CWE = "CWE-400"
    BUG_CLASS = "dos"
    WIKI_TITLE = "Loop over a user-growable array"
    WIKI_DESCRIPTION = (
        "A function iterates over a storage array that an unauthenticated function appends to "
        "without a cap. Once it is long enough the loop needs more gas than a block holds and "
        "the function can never run again."
    )
    WIKI_EXPLOIT_SCENARIO = (
        "GovernMental (2016): the payout loop over all creditors outgrew the gas limit and froze 1,100 ETH."
    )
    WIKI_RECOMMENDATION = "Cap the array, paginate the loop, or let each user pull their own share."

    def findings(self) -> list[tuple[Any, str]]:
        out: list[tuple[Any, str]] = []
        for contract in self.compilation_unit.contracts_derived:
            growable = self._growable(contract)
            if not growable:
                continue
            for f in contract.functions_and_modifiers:
                if f.contract_declarer is not contract or not f.is_implemented or f.view or f.pure:
                    continue
                for node in f.nodes:
                    if node.type != NodeType.IFLOOP:
                        continue
                    for op in node.irs:
                        if isinstance(op, Length) and ir.ref_base(op.value) in growable:
                            name = ir.ref_base(op.value).name
                            out.append((node, f"loops over {name}, which any caller can grow without limit"))
                            break
        return out

    @staticmethod
    def _growable(contract: Any) -> set[StateVariable]:
        found: set[StateVariable] = set()
        for g in ir.entry_points(contract):
            if ir.is_protected(g):
                continue
            comps = ir.comparisons(ir.reachable(g))
            for f in ir.reachable(g):
                for node in f.nodes:
                    lengths = {id(op.lvalue): op.value for op in node.irs if isinstance(op, Length)}
                    for op in node.irs:
                        if isinstance(op, Assignment) and id(op.lvalue) in lengths:
                            arr = ir.ref_base(lengths[id(op.lvalue)])
                            if not isinstance(arr, StateVariable) or not isinstance(arr.type, ArrayType):
                                continue
                            if arr.type.is_fixed_array:
                                continue
                            if ir.bounded(f"{arr.name}.length", comps):
                                continue  # capped: `require(members.length < 50)`
                            found.add(arr)
        return found
