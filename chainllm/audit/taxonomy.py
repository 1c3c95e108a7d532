"""SWC and CWE ids for every detector's findings.

Slither's detectors carry neither, so this table maps each default detector to the SWC
registry entry (https://swcregistry.io) and the CWE that entry names; where the SWC registry
has no entry (it stopped at SWC-136) only the CWE is given. chainllm's own detectors carry
``SWC`` / ``CWE`` class attributes, which win over the table.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

from chainllm.types import Finding

# detector ARGUMENT -> (SWC id or None, CWE id)
SLITHER: dict[str, tuple[str | None, str]] = {
    "abiencoderv2-array": ("SWC-102", "CWE-937"),
    "arbitrary-send-erc20": ("SWC-105", "CWE-862"),
    "arbitrary-send-erc20-permit": ("SWC-105", "CWE-862"),
    "arbitrary-send-eth": ("SWC-105", "CWE-284"),
    "array-by-reference": (None, "CWE-628"),
    "assembly": (None, "CWE-1177"),
    "assert-state-change": ("SWC-110", "CWE-670"),
    "backdoor": ("SWC-106", "CWE-284"),
    "boolean-cst": (None, "CWE-570"),
    "boolean-equal": (None, "CWE-1164"),
    "cache-array-length": (None, "CWE-1176"),
    "calls-loop": ("SWC-113", "CWE-703"),
    "chainlink-feed-registry": (None, "CWE-477"),
    "chronicle-unchecked-price": (None, "CWE-20"),
    "constable-states": (None, "CWE-1176"),
    "constant-function-asm": (None, "CWE-670"),
    "constant-function-state": (None, "CWE-670"),
    "controlled-array-length": ("SWC-124", "CWE-123"),
    "controlled-delegatecall": ("SWC-112", "CWE-829"),
    "costly-loop": ("SWC-128", "CWE-400"),
    "cyclomatic-complexity": (None, "CWE-1121"),
    "dead-code": (None, "CWE-561"),
    "delegatecall-loop": ("SWC-113", "CWE-837"),
    "deprecated-standards": ("SWC-111", "CWE-477"),
    "divide-before-multiply": (None, "CWE-682"),
    "domain-separator-collision": (None, "CWE-694"),
    "encode-packed-collision": ("SWC-133", "CWE-294"),
    "enum-conversion": (None, "CWE-704"),
    "erc20-indexed": (None, "CWE-573"),
    "erc20-interface": (None, "CWE-573"),
    "erc721-interface": (None, "CWE-573"),
    "events-access": (None, "CWE-778"),
    "events-maths": (None, "CWE-778"),
    "external-function": (None, "CWE-1176"),
    "function-init-state": (None, "CWE-665"),
    "gelato-unprotected-randomness": ("SWC-120", "CWE-330"),
    "immutable-states": (None, "CWE-1176"),
    "incorrect-equality": ("SWC-132", "CWE-667"),
    "incorrect-exp": (None, "CWE-682"),
    "incorrect-modifier": (None, "CWE-670"),
    "incorrect-return": (None, "CWE-670"),
    "incorrect-shift": (None, "CWE-682"),
    "incorrect-unary": ("SWC-129", "CWE-480"),
    "incorrect-using-for": (None, "CWE-710"),
    "locked-ether": (None, "CWE-401"),
    "low-level-calls": (None, "CWE-1177"),
    "mapping-deletion": (None, "CWE-459"),
    "missing-inheritance": (None, "CWE-710"),
    "missing-zero-check": (None, "CWE-20"),
    "msg-value-in-nonpayable": (None, "CWE-670"),
    "msg-value-loop": (None, "CWE-837"),
    "multiple-constructors": ("SWC-118", "CWE-665"),
    "name-reused": (None, "CWE-694"),
    "naming-convention": (None, "CWE-1099"),
    "optimism-deprecation": (None, "CWE-477"),
    "out-of-order-retryable": ("SWC-114", "CWE-362"),
    "pragma": ("SWC-103", "CWE-664"),
    "protected-vars": ("SWC-105", "CWE-284"),
    "public-mappings-nested": ("SWC-102", "CWE-937"),
    "pyth-deprecated-functions": (None, "CWE-477"),
    "pyth-unchecked-confidence": (None, "CWE-20"),
    "pyth-unchecked-publishtime": (None, "CWE-20"),
    "redundant-statements": (None, "CWE-1164"),
    "reentrancy-balance": ("SWC-107", "CWE-841"),
    "reentrancy-benign": ("SWC-107", "CWE-841"),
    "reentrancy-eth": ("SWC-107", "CWE-841"),
    "reentrancy-events": ("SWC-107", "CWE-841"),
    "reentrancy-no-eth": ("SWC-107", "CWE-841"),
    "reentrancy-unlimited-gas": ("SWC-107", "CWE-841"),
    "return-bomb": ("SWC-126", "CWE-400"),
    "return-leave": (None, "CWE-670"),
    "reused-constructor": (None, "CWE-665"),
    "rtlo": ("SWC-130", "CWE-451"),
    "shadowing-abstract": ("SWC-119", "CWE-710"),
    "shadowing-builtin": ("SWC-119", "CWE-710"),
    "shadowing-local": ("SWC-119", "CWE-710"),
    "shadowing-state": ("SWC-119", "CWE-710"),
    "solc-version": ("SWC-102", "CWE-937"),
    "storage-array": ("SWC-102", "CWE-937"),
    "suicidal": ("SWC-106", "CWE-284"),
    "tautological-compare": (None, "CWE-571"),
    "tautology": (None, "CWE-571"),
    "timestamp": ("SWC-116", "CWE-829"),
    "too-many-digits": (None, "CWE-1164"),
    "tx-origin": ("SWC-115", "CWE-477"),
    "unchecked-lowlevel": ("SWC-104", "CWE-252"),
    "unchecked-send": ("SWC-104", "CWE-252"),
    "unchecked-transfer": ("SWC-104", "CWE-252"),
    "unimplemented-functions": (None, "CWE-710"),
    "unindexed-event-address": (None, "CWE-778"),
    "uninitialized-fptr-cst": ("SWC-109", "CWE-824"),
    "uninitialized-local": ("SWC-109", "CWE-824"),
    "uninitialized-state": ("SWC-109", "CWE-824"),
    "uninitialized-storage": ("SWC-109", "CWE-824"),
    "unprotected-upgrade": ("SWC-106", "CWE-284"),
    "unused-return": ("SWC-104", "CWE-252"),
    "unused-state": ("SWC-131", "CWE-1164"),
    "var-read-using-this": (None, "CWE-1176"),
    "variable-scope": (None, "CWE-710"),
    "void-cst": (None, "CWE-1164"),
    "weak-prng": ("SWC-120", "CWE-330"),
    "write-after-write": (None, "CWE-563"),
}

# Titles of the SWC registry's entries, for the taxa SARIF lists.
SWC_TITLES: dict[str, str] = {
    "SWC-100": "Function Default Visibility",
    "SWC-101": "Integer Overflow and Underflow",
    "SWC-102": "Outdated Compiler Version",
    "SWC-103": "Floating Pragma",
    "SWC-104": "Unchecked Call Return Value",
    "SWC-105": "Unprotected Ether Withdrawal",
    "SWC-106": "Unprotected SELFDESTRUCT Instruction",
    "SWC-107": "Reentrancy",
    "SWC-108": "State Variable Default Visibility",
    "SWC-109": "Uninitialized Storage Pointer",
    "SWC-110": "Assert Violation",
    "SWC-111": "Use of Deprecated Solidity Functions",
    "SWC-112": "Delegatecall to Untrusted Callee",
    "SWC-113": "DoS with Failed Call",
    "SWC-114": "Transaction Order Dependence",
    "SWC-115": "Authorization through tx.origin",
    "SWC-116": "Block values as a proxy for time",
    "SWC-117": "Signature Malleability",
    "SWC-118": "Incorrect Constructor Name",
    "SWC-119": "Shadowing State Variables",
    "SWC-120": "Weak Sources of Randomness from Chain Attributes",
    "SWC-121": "Missing Protection against Signature Replay Attacks",
    "SWC-122": "Lack of Proper Signature Verification",
    "SWC-123": "Requirement Violation",
    "SWC-124": "Write to Arbitrary Storage Location",
    "SWC-125": "Incorrect Inheritance Order",
    "SWC-126": "Insufficient Gas Griefing",
    "SWC-127": "Arbitrary Jump with Function Type Variable",
    "SWC-128": "DoS With Block Gas Limit",
    "SWC-129": "Typographical Error",
    "SWC-130": "Right-To-Left-Override control character (U+202E)",
    "SWC-131": "Presence of unused variables",
    "SWC-132": "Unexpected Ether balance",
    "SWC-133": "Hash Collisions With Multiple Variable Length Arguments",
    "SWC-134": "Message call with hardcoded gas amount",
    "SWC-135": "Code With No Effects",
    "SWC-136": "Unencrypted Private Data On-Chain",
}
SWC_URL = "https://swcregistry.io/docs/{id}"
CWE_URL = "https://cwe.mitre.org/data/definitions/{n}.html"


@functools.lru_cache(maxsize=1)
def _from_detector_classes() -> dict[str, tuple[str | None, str | None]]:
    """SWC/CWE declared on detector classes (chainllm's own detectors set them)."""
    try:
        from chainllm.audit.slither_runner import detector_classes

        classes = detector_classes()
    except ImportError:  # no Slither here: the static table still applies
        return {}
    out: dict[str, tuple[str | None, str | None]] = {}
    for cls in classes:
        swc, cwe = getattr(cls, "SWC", None), getattr(cls, "CWE", None)
        if swc or cwe:
            out[str(cls.ARGUMENT)] = (swc or None, cwe or None)
    return out


def ids_for(check: str) -> tuple[str | None, str | None]:
    """(SWC, CWE) of a detector; (None, None) for one nobody classified."""
    declared = _from_detector_classes().get(check)
    if declared is not None:
        return declared
    return SLITHER.get(check, (None, None))


def tag(finding: Finding) -> Finding:
    """The finding with its SWC/CWE filled in (ids it already carries are kept)."""
    if finding.swc and finding.cwe:
        return finding
    swc, cwe = ids_for(finding.check)
    return replace(finding, swc=finding.swc or swc, cwe=finding.cwe or cwe)


def swc_taxon(swc: str) -> dict[str, Any]:
    return {
        "id": swc,
        "name": swc,
        "shortDescription": {"text": SWC_TITLES.get(swc, swc)},
        "helpUri": SWC_URL.format(id=swc),
    }


def cwe_taxon(cwe: str) -> dict[str, Any]:
    return {
        "id": cwe,
        "name": cwe,
        "shortDescription": {"text": cwe},
        "helpUri": CWE_URL.format(n=cwe.removeprefix("CWE-")),
    }
