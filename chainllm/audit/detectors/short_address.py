"""Short address attack: solc < 0.5 does not check calldata length, so a shortened address
shifts the amount after it (the EVM pads with zeros: value * 256)."""

from __future__ import annotations

from typing import Any

from slither.core.solidity_types import ElementaryType

from chainllm.audit.detectors import ir
from chainllm.audit.detectors.base import ChainDetector, Low, Medium


class ShortAddress(ChainDetector):
    ARGUMENT = "short-address"
    HELP = "Value taken after an address argument without a calldata length check (solc < 0.5)"
    IMPACT = Low
    CONFIDENCE = Medium
    SWC = None  # the SWC registry has no entry for it
    CWE = "CWE-130"
    BUG_CLASS = "short-address"
    WIKI_TITLE = "Short address attack"
    WIKI_DESCRIPTION = (
        "Before solc 0.5.0 the ABI decoder accepted short calldata. A client that sends an "
        "address missing its last byte shifts the following uint left by 8 bits, so "
        "`transfer(to, 100)` moves 25,600."
    )
    WIKI_EXPLOIT_SCENARIO = "An exchange forwards a withdrawal to an address ending in 00 typed without the last byte; the token moves 256x the amount."
    WIKI_RECOMMENDATION = (
        "Compile with solc >= 0.5, or require `msg.data.length >= 4 + 32 * nargs` (onlyPayloadSize)."
    )

    def _is_applicable_detector(self) -> bool:
        v = self.compilation_unit.solc_version or "0.5.0"
        return tuple(int(x) for x in v.split(".")[:2]) < (0, 5)

    def findings(self) -> list[tuple[Any, str]]:
        out: list[tuple[Any, str]] = []
        for contract in self.compilation_unit.contracts_derived:
            for f in ir.entry_points(contract):
                if f.contract_declarer is not contract:
                    continue
                shifted = _shifted_value(f)
                if shifted is None or not (
                    f.all_state_variables_written() or any(True for _ in ir.eth_transfers(f))
                ):
                    continue
                if _checks_length(f):
                    continue
                out.append((f, f"takes {shifted} after an address without checking msg.data.length"))
        return out


def _shifted_value(f: Any) -> str | None:
    seen_address = False
    for p in f.parameters:
        t = p.type
        if isinstance(t, ElementaryType) and t.name == "address":
            seen_address = True
        elif (
            seen_address
            and isinstance(t, ElementaryType)
            and (t.name.startswith("uint") or t.name.startswith("int"))
        ):
            return p.name
    return None


def _checks_length(f: Any) -> bool:
    for g in ir.reachable(f):
        for node in g.nodes:
            if ir.is_condition(node) and ir.MSG_DATA in node.solidity_variables_read:
                return True
    return False
