"""SWC-101: arithmetic on caller-controlled values with no overflow check (before 0.8, or in
``unchecked`` blocks after it)."""

from __future__ import annotations

from typing import Any

from slither.core.cfg.node import NodeType
from slither.core.declarations import Function
from slither.core.variables.state_variable import StateVariable
from slither.slithir.operations import Assignment, Binary, BinaryType
from slither.slithir.variables import Constant

from chainllm.audit.detectors import ir
from chainllm.audit.detectors.base import ChainDetector, High, Medium

_OPS = {
    BinaryType.ADDITION: "+",
    BinaryType.SUBTRACTION: "-",
    BinaryType.MULTIPLICATION: "*",
    BinaryType.POWER: "**",
}


class IntegerOverflow(ChainDetector):
    ARGUMENT = "integer-overflow"
    HELP = "Unchecked arithmetic on caller-controlled values"
    IMPACT = High
    CONFIDENCE = Medium
    SWC = "SWC-101"
    CWE = "CWE-190"
    BUG_CLASS = "integer-overflow"
    WIKI_TITLE = "Integer overflow / underflow"
    WIKI_DESCRIPTION = (
        "Before solc 0.8, and inside `unchecked` blocks after it, +, -, * and ** wrap around. "
        "When an operand comes from the caller (a parameter, msg.value) and nothing bounds it, "
        "the caller chooses the wrapped result."
    )
    WIKI_EXPLOIT_SCENARIO = (
        "`batchTransfer(receivers, value)` computes `receivers.length * value`; with value = "
        "2**255 and two receivers the product wraps to 0, passes the balance check and mints "
        "2**255 tokens to each receiver (BEC, 2018)."
    )
    WIKI_RECOMMENDATION = (
        "Use solc >= 0.8 checked math or SafeMath; bound caller inputs before unchecked arithmetic."
    )

    def findings(self) -> list[tuple[Any, str]]:
        out: list[tuple[Any, str]] = []
        for contract in self.compilation_unit.contracts_derived:
            for f in contract.functions_and_modifiers:
                if f.contract_declarer is not contract and not contract.is_library:
                    continue  # inherited: reported once, in the contract that declares it
                out += self._function(f)
        return out

    def _function(self, f: Function) -> list[tuple[Any, str]]:
        if not f.is_implemented or f.is_constructor:
            return []
        entry = f.visibility in ("public", "external")
        if not entry and not self._pre08():
            return []  # 0.8 helpers' unchecked blocks are deliberate (OZ Math); only entry inputs count
        if not entry and f.contract_declarer.is_library:
            # Library helpers (SafeMath, FullMath, Counters, EnumerableSet) get their operands from
            # callers, not from an attacker: treating their parameters as tainted raised ~200 false
            # alarms on OpenZeppelin 2.x/3.x and Uniswap v2/v3 (measured, docs/benchmarks.md).
            return []
        names = ir.names_of(f)
        comps = ir.comparisons(ir.with_modifiers(f))
        divisions = [
            (names(i.variable_left), names(i.variable_right))
            for n in f.nodes
            for i in n.irs
            if isinstance(i, Binary) and i.type == BinaryType.DIVISION
        ]
        # operands of checked arithmetic: once `total += x` has not reverted, `part += x` cannot
        # overflow either (OZ PaymentSplitter's unchecked pattern)
        checked_operands = {
            names(v)
            for n in f.nodes
            if getattr(n.scope, "is_checked", False)
            for i in n.irs
            if isinstance(i, Binary) and i.type == BinaryType.ADDITION
            for v in (i.variable_left, i.variable_right)
        }
        # amounts a checked subtraction took out of a state mapping: adding the same amount to
        # another entry of that mapping moves value within it and cannot overflow (solmate's
        # `balanceOf[from] -= amount; unchecked { balanceOf[to] += amount; }`)
        debits = {
            (id(ir.ref_base(i.variable_left)), names(i.variable_right))
            for n in f.nodes
            if getattr(n.scope, "is_checked", False)
            for i in n.irs
            if isinstance(i, Binary)
            and i.type == BinaryType.SUBTRACTION
            and isinstance(ir.ref_base(i.variable_left), StateVariable)
        }
        out: list[tuple[Any, str]] = []
        for node in f.nodes:
            if getattr(node.scope, "is_yul", False) or node.type == NodeType.ASSEMBLY:
                continue  # inline assembly: pointer arithmetic, always unchecked by design
            for op in node.irs:
                if (
                    not isinstance(op, Binary)
                    or op.type not in _OPS
                    or getattr(node.scope, "is_checked", not self._pre08())
                ):
                    continue
                if op.type == BinaryType.ADDITION and any(
                    (id(ir.ref_base(x)), names(y)) in debits
                    for x, y in ((op.variable_left, op.variable_right), (op.variable_right, op.variable_left))
                ):
                    continue
                msg = self._check(op, f, names, comps, divisions, checked_operands)
                if msg:
                    out.append((node, msg))
                    break
        return out

    def _pre08(self) -> bool:
        v = self.compilation_unit.solc_version or "0.8.0"
        major, minor = (int(x) for x in v.split(".")[:2])
        return (major, minor) < (0, 8)

    def _check(
        self,
        op: Binary,
        f: Function,
        names: ir.Names,
        comps: list[tuple[str, str]],
        divisions: list[tuple[str, str]],
        checked_operands: set[str],
    ) -> str | None:
        a, b = op.variable_left, op.variable_right
        if isinstance(a, Constant) and isinstance(b, Constant):
            return None
        # a storage-pointer parameter points at the contract's own state, not at caller input
        from_params = ir.taint(f, [p for p in f.parameters if getattr(p, "location", None) != "storage"])
        from_value = ir.taint(f, [ir.MSG_VALUE])
        tainted = [v for v in (a, b) if id(v) in from_params]
        by_value = [v for v in (a, b) if id(v) in from_value and id(v) not in from_params]
        if not tainted and not (by_value and op.type != BinaryType.ADDITION):
            return None  # sums of msg.value cannot exceed the ether supply
        na, nb = names(a), names(b)
        results = {names(op.lvalue)} | {
            names(i.lvalue)
            for n in f.nodes
            for i in n.irs
            if isinstance(i, Assignment) and i.rvalue is op.lvalue
        }
        symbol = _OPS[op.type]
        if op.type == BinaryType.SUBTRACTION:
            if any(ir.related(r, na, comps) for r in results):
                return None  # the difference is compared with the minuend afterwards (`require(z <= x)`)
            if ir.related(na, nb, comps) or (not isinstance(b, Constant) and ir.bounded(nb, comps)):
                return None
            if isinstance(b, Constant) and any(na in pair for pair in comps):
                return None
            return f"underflows: {na} - {nb} with no check that {nb} <= {na}"
        if op.type == BinaryType.ADDITION and any(ir.related(r, x, comps) for r in results for x in (na, nb)):
            return None  # the sum is compared with an addend afterwards (SafeMath's `require(c >= a)`)
        if op.type == BinaryType.ADDITION and tainted and all(names(t) in checked_operands for t in tainted):
            return None
        if op.type == BinaryType.ADDITION:
            if all(ir.bounded(names(t), comps) for t in tainted or by_value):
                return None
            return f"can overflow: {na} + {nb} with {', '.join(names(t) for t in tainted)} unbounded"
        if any(left in results for left, _ in divisions):
            return None  # SafeMath's `require(c / a == b)`
        if all(ir.bounded(names(t), comps) for t in tainted or by_value):
            return None
        return f"can overflow: {na} {symbol} {nb} with {', '.join(names(t) for t in tainted or by_value)} unbounded"
