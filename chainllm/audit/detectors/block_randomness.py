"""SWC-120: winners, payouts or draws decided by block data (directly or through state)."""

from __future__ import annotations

from typing import Any

from slither.core.declarations import SolidityFunction
from slither.core.declarations.solidity_variables import SolidityVariable, SolidityVariableComposed
from slither.core.variables.state_variable import StateVariable
from slither.slithir.operations import Binary, BinaryType, Index, SolidityCall

from chainllm.audit.detectors import ir
from chainllm.audit.detectors.base import ChainDetector, High, Medium

# Time-like fields have honest uses (deadlines); they only count when reduced modulo something.
# coinbase and gaslimit have honest uses too (`block.coinbase == msg.sender`), but not hashed.
_WEAK = [
    SolidityVariableComposed(n)
    for n in ("block.timestamp", "block.number", "block.coinbase", "block.gaslimit")
] + [SolidityVariable("now")]
_STRONG = [SolidityVariableComposed(n) for n in ("block.difficulty", "block.prevrandao")]
_BLOCKHASH = {SolidityFunction("blockhash(uint256)")}
_DECIDES = ir.COMPARISONS | {BinaryType.DIVISION}


class BlockRandomness(ChainDetector):
    ARGUMENT = "block-randomness"
    HELP = "Randomness taken from block data (directly or through state)"
    IMPACT = High
    CONFIDENCE = Medium
    SWC = "SWC-120"
    CWE = "CWE-330"
    BUG_CLASS = "bad-randomness"
    WIKI_TITLE = "Weak randomness from block data"
    WIKI_DESCRIPTION = (
        "blockhash, prevrandao/difficulty, coinbase, gaslimit (and timestamp or number reduced "
        "modulo n) are known to, or chosen by, the block producer and readable by any contract "
        "in the same block. Values hashed from them, or stored and used later, are no better."
    )
    WIKI_EXPLOIT_SCENARIO = (
        "A lottery picks `players[uint(keccak256(block.difficulty, now)) % n]`; an attacker "
        "contract computes the same value in the same block and only enters when it wins."
    )
    WIKI_RECOMMENDATION = "Use a verifiable randomness oracle (VRF) or commit-reveal across parties."

    def findings(self) -> list[tuple[Any, str]]:
        from slither.detectors.operations.bad_prng import (
            collect_return_values_of_bad_PRNG_functions,
            contains_bad_PRNG_sources,
        )

        out: list[tuple[Any, str]] = []
        for contract in self.compilation_unit.contracts_derived:
            functions = [f for f in contract.functions_and_modifiers if f.is_implemented]
            weak_state, strong_state = self._random_state(functions)
            rets: list[Any] = []
            for f in contract.functions:
                rets += collect_return_values_of_bad_PRNG_functions(f)
            for f in functions:
                if f.contract_declarer is not contract:
                    continue
                slither_nodes = set(contains_bad_PRNG_sources(f, rets))  # weak-prng reports these
                for node, msg in self._function(f, weak_state, strong_state):
                    if node not in slither_nodes:
                        out.append((node, msg))
        return out

    @staticmethod
    def _sources(f: Any, weak_state: set[Any], strong_state: set[Any]) -> tuple[set[int], set[int]]:
        strong_src: list[Any] = list(_STRONG) + list(strong_state)
        for node in f.nodes:
            for op in node.irs:
                if isinstance(op, SolidityCall) and op.function in _BLOCKHASH and op.lvalue is not None:
                    strong_src.append(op.lvalue)
        weak = ir.taint(f, _WEAK + list(weak_state) + strong_src)
        for node in f.nodes:  # a hash of any block field is as predictable as the field
            for op in node.irs:
                if (
                    isinstance(op, SolidityCall)
                    and op.function in ir.HASHES
                    and op.lvalue is not None
                    and any(id(a) in weak for a in op.arguments)
                ):
                    strong_src.append(op.lvalue)
        return weak, ir.taint(f, strong_src)

    def _random_state(self, functions: list[Any]) -> tuple[set[Any], set[Any]]:
        weak_state: set[Any] = set()
        strong_state: set[Any] = set()
        for _ in range(2):
            for f in functions:
                weak, strong = self._sources(f, weak_state, strong_state)
                for node in f.nodes:
                    for op in node.irs:
                        lv = getattr(op, "lvalue", None)
                        base = ir.ref_base(lv)
                        if not isinstance(base, StateVariable) or isinstance(op, Index):
                            continue
                        reads = [r for r in getattr(op, "read", []) if r is not lv]
                        if any(id(r) in strong for r in reads):
                            strong_state.add(base)
                        elif any(id(r) in weak for r in reads):
                            weak_state.add(base)
        return weak_state, strong_state

    def _function(self, f: Any, weak_state: set[Any], strong_state: set[Any]) -> list[tuple[Any, str]]:
        weak, strong = self._sources(f, weak_state, strong_state)
        out: list[tuple[Any, str]] = []
        for node in f.nodes:
            for op in node.irs:
                if not isinstance(op, Binary):
                    continue
                a, b = op.variable_left, op.variable_right
                if op.type == BinaryType.MODULO and id(a) in weak:
                    out.append((node, "reduces a value derived from block data modulo n (predictable draw)"))
                    break
                if op.type in _DECIDES and (id(a) in strong or id(b) in strong):
                    out.append(
                        (node, "decides an outcome with a value derived from block data (predictable)")
                    )
                    break
        return out
