"""Prompt text for the backends. Short and strict: small models follow examples, not essays."""

from __future__ import annotations

from chainllm.generate.backends import Message
from chainllm.types import Diagnostic, Finding

FUNCTION_SYSTEM = (
    "You are a careful Solidity 0.8 engineer. Reply with exactly one Solidity function inside a "
    "```solidity code block, nothing else. No imports, no contract, no comments outside the block."
)
CONTRACT_SYSTEM = (
    "You are a careful Solidity engineer. Write one complete Solidity file for pragma ^0.8.20. "
    "Import only from @openzeppelin/contracts (version 5.x) and prefer its building blocks. "
    "Reply with a single ```solidity code block."
)

_EXAMPLE = (
    "Example: for 'lets the owner set a fee up to 5%' you would answer\n"
    "```solidity\nfunction setFee(uint256 newFeeBps) external onlyOwner {\n"
    '    require(newFeeBps <= 500, "fee too high");\n    feeBps = newFeeBps;\n}\n```'
)


def function_messages(skeleton: str, name: str, description: str) -> list[Message]:
    user = (
        f"This contract compiles:\n```solidity\n{skeleton}```\n"
        f"Task: add `function {name}`: {description}.\n"
        "Use only what the contract declares or inherits. Check inputs with require or custom errors, "
        "update state before external calls, emit no undeclared events.\n"
        f"{_EXAMPLE}"
    )
    return [{"role": "system", "content": FUNCTION_SYSTEM}, {"role": "user", "content": user}]


def function_request(contract: str, name: str, description: str) -> str:
    """The short form chainllm adapters are trained on (see chainllm.model.data.function_pairs)."""
    return f"In Solidity contract {contract}, implement `function {name}`. {description.strip().rstrip('.')}."


def _problems(errors: tuple[Diagnostic, ...], findings: tuple[Finding, ...], limit: int = 6) -> str:
    lines = [f"- compiler {e.code or 'error'} (line {e.line}): {e.message}" for e in errors[:limit]]
    lines += [f"- slither {f.impact} {f.check}: {f.summary()}" for f in findings[:limit]]
    return "\n".join(lines) or "- (no details)"


def repair_function_messages(
    skeleton: str,
    name: str,
    description: str,
    code: str,
    errors: tuple[Diagnostic, ...],
    findings: tuple[Finding, ...],
) -> list[Message]:
    user = (
        f"Contract:\n```solidity\n{skeleton}```\n"
        f"Task: `function {name}`: {description}. This attempt failed:\n```solidity\n{code}\n```\n"
        f"Problems:\n{_problems(errors, findings)}\n"
        "Return the corrected function only."
    )
    return [{"role": "system", "content": FUNCTION_SYSTEM}, {"role": "user", "content": user}]


def contract_messages(request: str) -> list[Message]:
    return [{"role": "system", "content": CONTRACT_SYSTEM}, {"role": "user", "content": request}]


def repair_contract_messages(
    request: str, code: str, errors: tuple[Diagnostic, ...], findings: tuple[Finding, ...]
) -> list[Message]:
    user = (
        f"Request: {request}\nThis attempt failed:\n```solidity\n{code}```\n"
        f"Problems:\n{_problems(errors, findings)}\nReturn the whole corrected file."
    )
    return [{"role": "system", "content": CONTRACT_SYSTEM}, {"role": "user", "content": user}]


def repair_behaviour_messages(request: str, code: str, failures: list[str]) -> list[Message]:
    """Ask for the whole file again: it compiled and passed the audit, but deployed on a test
    chain it did not do what the request says (the failed behaviour checks, one a line)."""
    lines = "\n".join(f"- behaviour check {f}" for f in failures[:6]) or "- (no details)"
    user = (
        f"Request: {request}\nThis contract compiles, but deployed and exercised it does not do what "
        f"was asked:\n```solidity\n{code}```\nFailed checks:\n{lines}\n"
        "Keep the function names and fix the behaviour. Return the whole corrected file."
    )
    return [{"role": "system", "content": CONTRACT_SYSTEM}, {"role": "user", "content": user}]
