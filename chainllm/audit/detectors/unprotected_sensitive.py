"""SWC-105/106-style: ownership or role changes, mint, withdraw-all, initialise and upgrade
reachable by anyone (no msg.sender check, no auth modifier or helper)."""

from __future__ import annotations

import re
from typing import Any

from slither.core.declarations.solidity_variables import SolidityVariable
from slither.core.solidity_types import ElementaryType, MappingType
from slither.core.variables.state_variable import StateVariable
from slither.slithir.operations import (
    Binary,
    BinaryType,
    HighLevelCall,
    InternalCall,
    LibraryCall,
    SolidityCall,
    TypeConversion,
)

from chainllm.audit.detectors import ir
from chainllm.audit.detectors.base import ChainDetector, High, Medium

ROLE_VAR = re.compile(
    r"owner|admin|governance|governor|controller|operator|manager|authority|guardian|minter|pauser"
    r"|implementation|beacon|keeper|master|signer|validator|oracle",
    re.IGNORECASE,
)
ROLE_MAP = re.compile(
    r"owner|admin|minter|operator|authori[sz]ed|whitelist|allowlist|manager|role|signer|guardian", re.I
)
SUPPLY = re.compile(r"^_?total_?supply$|^_?supply$", re.IGNORECASE)
INIT = re.compile(r"^_?(init|initiali[sz]e|setup)", re.IGNORECASE)
UPGRADE_CALL = re.compile(r"^_?(upgradeTo|setImplementation|upgradeToAndCall|_upgradeBeacon)", re.IGNORECASE)
MINT_CALL = re.compile(r"^_?mint", re.IGNORECASE)
PAY_CALL = re.compile(r"^(safeTransferFrom|transferFrom|_?pull|permit)$")
INIT_MODIFIER = re.compile(r"^(initializer|reinitializer|onlyInitializing)$")
_BALANCE = {"balance(address)", "this.balance()", "selfbalance()"}


class UnprotectedSensitive(ChainDetector):
    ARGUMENT = "unprotected-sensitive"
    HELP = "Ownership/role change, mint, withdraw-all, initialise or upgrade without an authorisation check"
    IMPACT = High
    CONFIDENCE = Medium
    SWC = "SWC-105"
    CWE = "CWE-284"
    BUG_CLASS = "access-control"
    WIKI_TITLE = "Sensitive operation without access control"
    WIKI_DESCRIPTION = (
        "A public function changes who owns or administers the contract, mints supply, sends "
        "the whole balance, (re)initialises, or replaces the implementation, and nothing "
        "checks the caller (msg.sender compared, onlyOwner/onlyRole, an auth helper)."
    )
    WIKI_EXPLOIT_SCENARIO = (
        "Parity multisig (2017): `initWallet(owners)` stayed callable after deployment; an "
        "attacker called it, became owner and drained the wallet."
    )
    WIKI_RECOMMENDATION = (
        "Guard the function with an ownership/role check, or an initializer guard for set-up functions."
    )

    def findings(self) -> list[tuple[Any, str]]:
        out: list[tuple[Any, str]] = []
        for contract in self.compilation_unit.contracts_derived:
            if contract.is_library:
                # a library's external functions run by DELEGATECALL in the calling contract,
                # which does the access control (Aave v3's ConfiguratorLogic behind
                # onlyPoolAdmin); called directly, solc's call protection makes them revert
                continue
            for f in ir.entry_points(contract):
                if f.contract_declarer is not contract and _declared_in_unit(self, f):
                    continue
                why = self._sensitive(f)
                if why and not ir.is_protected(f):
                    out.append((f, why))
        return out

    def _sensitive(self, f: Any) -> str | None:
        reach = ir.reachable(f)
        written = [s for s in f.all_state_variables_written() if isinstance(s, StateVariable)]
        roles = [s.name for s in written if _role_var(s)]
        if INIT.match(f.name) and _init_guard(f, reach):
            return None  # one-shot: an initializer modifier, a done flag, or an unset slot
        if INIT.match(f.name) and (roles or written):
            return f"initialises ({', '.join(roles or [s.name for s in written][:3])}) and anyone can call it again"
        if roles:
            return f"changes {', '.join(sorted(set(roles)))}"
        for g in reach:
            for node in g.nodes:
                for op in node.irs:
                    if isinstance(op, InternalCall) and UPGRADE_CALL.match(getattr(op.function, "name", "")):
                        return "upgrades the implementation"
        if _mints(f) and not _paid(reach):
            return "mints new supply"
        if _sends_whole_balance(reach) and not any(ir.is_condition(n) for g in reach for n in g.nodes):
            return "sends the contract's whole balance"
        return None


def _mints(f: Any) -> bool:
    """The function itself (not code it merely could reach on another branch) raises a supply
    variable, or calls a ``_mint``-like helper."""
    for g in ir.with_modifiers(f):
        for node in g.nodes:
            raises = any(
                (isinstance(op, Binary) and op.type == BinaryType.ADDITION)
                or (isinstance(op, (InternalCall, LibraryCall)) and getattr(op.function, "name", "") == "add")
                for op in node.irs
            )
            for op in node.irs:
                base = ir.ref_base(getattr(op, "lvalue", None))
                if raises and isinstance(base, StateVariable) and SUPPLY.match(base.name):
                    return True
                if isinstance(op, InternalCall) and MINT_CALL.match(getattr(op.function, "name", "")):
                    return True
    return False


def _paid(reach: list[Any]) -> bool:
    """Minting against a payment (msg.value, a token pulled in, or tokens sent beforehand and
    counted from the contract's own balance, as an AMM pair or a vault does) is a sale or a
    deposit, not a free mint."""
    for g in reach:
        this: set[int] = set()  # values that are `address(this)`
        for node in g.nodes:
            if ir.MSG_VALUE in node.solidity_variables_read:
                return True
            for op in node.irs:
                if isinstance(op, TypeConversion) and (id(op.variable) in this or _is_self(op.variable)):
                    this.add(id(op.lvalue))
                name = getattr(op.function, "name", "") if hasattr(op, "function") else ""
                if isinstance(op, (HighLevelCall, LibraryCall, InternalCall)) and PAY_CALL.match(name):
                    return True
                if (
                    isinstance(op, HighLevelCall)
                    and name == "balanceOf"
                    and op.arguments
                    and (id(op.arguments[0]) in this or _is_self(op.arguments[0]))
                ):
                    return True
    return False


def _is_self(v: Any) -> bool:
    return isinstance(v, SolidityVariable) and v.name == "this"


def _declared_in_unit(det: ChainDetector, f: Any) -> bool:
    return f.contract_declarer in det.compilation_unit.contracts_derived


def _role_var(s: StateVariable) -> bool:
    t = s.type
    if isinstance(t, ElementaryType) and t.name in ("address", "address payable"):
        return bool(ROLE_VAR.search(s.name))
    if isinstance(t, MappingType) and not isinstance(t.type_to, MappingType):
        key = str(t.type_from)
        return key in ("address", "bytes32") and bool(ROLE_MAP.search(s.name))
    return False


def _init_guard(f: Any, reach: list[Any]) -> bool:
    """A one-shot guard: an initializer modifier, or a condition on a bool state flag that the
    call itself sets."""
    if any(INIT_MODIFIER.match(m.name) for m in f.modifiers):
        return True
    written = set(f.all_state_variables_written())
    for g in reach:
        for node in g.nodes:
            if not ir.is_condition(node):
                continue
            for s in node.state_variables_read:
                if isinstance(s.type, ElementaryType) and s in written:
                    return True
            if _requires_unset(g, node):
                return True
    return False


def _requires_unset(g: Any, node: Any) -> bool:
    """`require(_implementation() == address(0))`: only while a stored value is still unset,
    read through a getter (EIP-1967 proxies keep it in an assembly slot Slither does not
    track as a state write)."""
    getters = {
        id(op.lvalue)
        for op in node.irs
        if isinstance(op, InternalCall) and op.lvalue is not None and op.function.view
    }
    for op in node.irs:
        if isinstance(op, Binary) and op.type == BinaryType.EQUAL:
            pair = (op.variable_left, op.variable_right)
            if any(id(v) in getters for v in pair) and any(ir.names_of(g)(v) == "0" for v in pair):
                return True
    return False


def _sends_whole_balance(reach: list[Any]) -> bool:
    for g in reach:
        balance = [
            op.lvalue
            for n in g.nodes
            for op in n.irs
            if isinstance(op, SolidityCall) and op.function.name in _BALANCE and op.lvalue is not None
        ]
        if not balance:
            continue
        marked = ir.taint(g, balance)
        if any(id(amount) in marked for _, _, amount in ir.eth_transfers(g)):
            return True
    return False
