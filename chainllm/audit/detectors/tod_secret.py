"""SWC-114: a reward for revealing a secret (hash preimage) that anyone can copy from the mempool."""

from __future__ import annotations

from typing import Any

from slither.core.variables.state_variable import StateVariable
from slither.slithir.operations import Assignment, Binary, BinaryType, SolidityCall

from chainllm.audit.detectors import ir
from chainllm.audit.detectors.base import ChainDetector, High, Medium


class SecretRace(ChainDetector):
    ARGUMENT = "tod-hash-secret"
    HELP = "First-come reward for a secret the caller reveals in clear"
    IMPACT = High
    CONFIDENCE = Medium
    SWC = "SWC-114"
    CWE = "CWE-362"
    BUG_CLASS = "tod"
    WIKI_TITLE = "Front-runnable secret (hash puzzle)"
    WIKI_DESCRIPTION = (
        "The function pays whoever submits a value whose hash matches a stored one. The answer "
        "is visible in the mempool; anyone can copy it with a higher gas price."
    )
    WIKI_EXPLOIT_SCENARIO = (
        'Alice submits solve("answer"); a bot copies the argument and is mined first, taking the prize.'
    )
    WIKI_RECOMMENDATION = "Commit-reveal: accept a hash bound to msg.sender first, reveal in a later block."

    def findings(self) -> list[tuple[Any, str]]:
        out: list[tuple[Any, str]] = []
        for contract in self.compilation_unit.contracts_derived:
            for f in ir.entry_points(contract):
                out += self._function(f)
        return out

    def _function(self, f: Any) -> list[tuple[Any, str]]:
        from_params = ir.taint(f, f.parameters)
        from_sender = ir.taint(f, [ir.MSG_SENDER])
        state = [s for s in f.state_variables_read]
        from_state = ir.taint(f, state)
        hashed: list[Any] = []
        bound: list[Any] = []
        for node in f.nodes:
            for op in node.irs:
                if isinstance(op, SolidityCall) and op.function in ir.HASHES and op.lvalue is not None:
                    if any(id(a) in from_sender for a in op.arguments):
                        bound.append(op.lvalue)
                    elif any(id(a) in from_params for a in op.arguments):
                        hashed.append(op.lvalue)
        digests = [
            op.arguments[0]
            for node in f.nodes
            for op in node.irs
            if isinstance(op, SolidityCall) and op.function == ir.ECRECOVER and op.arguments
        ]
        # a hash that is signed (an ecrecover digest) is a signature check, not a puzzle
        hashed = [h for h in hashed if not any(id(d) in ir.taint(f, [h]) for d in digests)]
        if not hashed:
            return []

        def state_side(v: Any) -> bool:
            return (
                isinstance(v, StateVariable)
                or id(v) in from_state
                or isinstance(ir.ref_base(v), StateVariable)
            )

        def matches(targets: list[Any]) -> list[Any]:
            marked = ir.taint(f, targets)
            hits = []
            for node in f.nodes:
                if not ir.is_condition(node):
                    continue
                for op in node.irs:
                    if isinstance(op, Binary) and op.type in (BinaryType.EQUAL, BinaryType.NOT_EQUAL):
                        a, b = op.variable_left, op.variable_right
                        if (id(a) in marked and state_side(b)) or (id(b) in marked and state_side(a)):
                            hits.append(node)
            return hits

        if bound and matches(bound):
            return []  # commit-reveal: the commitment is bound to the caller
        if not self._pays(f):
            return []
        return [
            (node, "rewards the first caller who reveals a hash preimage; it can be copied from the mempool")
            for node in matches(hashed)
        ]

    @staticmethod
    def _pays(f: Any) -> bool:
        for g in ir.reachable(f):
            if any(True for _ in ir.eth_transfers(g)):
                return True
            for node in g.nodes:
                for op in node.irs:
                    if (
                        isinstance(op, Assignment)
                        and op.rvalue == ir.MSG_SENDER
                        and isinstance(ir.ref_base(op.lvalue), StateVariable)
                    ):
                        return True
        return False
