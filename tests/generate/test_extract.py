"""Pulling Solidity out of model text, and refusing what is not usable (pure, fast)."""

from __future__ import annotations

from chainllm.generate.extract import extract_contract, extract_function, main_contract


def test_function_from_a_fenced_answer_with_chatter() -> None:
    text = (
        "Sure! Here is the function:\n```solidity\n"
        "function burnFrom2(address account, uint256 amount) external onlyOwner {\n"
        '    require(amount > 0, "zero"); // a } in a comment\n'
        '    string memory s = "}";\n'
        "    _burn(account, amount);\n}\n```\nHope this helps."
    )
    x = extract_function(text, "burnTokensFrom")
    assert x.problem is None and x.code is not None
    assert x.code.startswith("function burnTokensFrom(address account")  # renamed to the spec's name
    assert x.code.rstrip().endswith("}")
    assert "Hope" not in x.code


def test_non_solidity_and_broken_functions_are_rejected() -> None:
    assert (
        extract_function("def burn(self):\n    pass", "burn").problem
        == "no Solidity function in the model output"
    )
    assert "not closed" in (extract_function("function burn() external { if (x) {", "burn").problem or "")
    assert extract_function("function burn() external;", "burn").problem == "function has no body"


def test_dangerous_constructs_are_rejected_before_compiling() -> None:
    for body, what in [
        ("assembly { sstore(0, 1) }", "inline assembly"),
        ("selfdestruct(payable(msg.sender));", "selfdestruct"),
        ("require(tx.origin == owner());", "tx.origin"),
        ("(bool ok, ) = a.delegatecall(d);", "delegatecall"),
    ]:
        x = extract_function(f"function f() external {{ {body} }}", "f")
        assert x.code is None and what in (x.problem or "")


def test_contract_extraction_adds_header_and_limits_imports() -> None:
    x = extract_contract("```solidity\ncontract A {\n    uint256 public x;\n}\n```")
    assert x.code is not None
    assert x.code.startswith("// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;")
    assert main_contract(x.code) == "A"
    bad = extract_contract('import "../secrets/Key.sol";\ncontract B {}')
    assert bad.code is None and "only @openzeppelin/contracts" in (bad.problem or "")
    assert extract_contract("I cannot help with that.").problem == "no Solidity contract in the model output"
