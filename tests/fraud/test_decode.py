"""Pure decoding: calldata, logs, asset movements, bytecode facts, metrics, splits."""

from __future__ import annotations

import eth_abi

from chainllm.fraud.bytecode import DELEGATECALL, analyse
from chainllm.fraud.decode import MAX_UINT, T_TRANSFER, decode_call, decode_logs, movements, selector
from chainllm.fraud.evaluate import metrics, split_by_implementation
from chainllm.fraud.features import similarity
from chainllm.labels.schema import TxLabel

A = "0x" + "11" * 20
B = "0x" + "22" * 20
TOKEN = "0x" + "33" * 20


def _call(sig: str, types: list[str], args: list[object]) -> str:
    return selector(sig) + eth_abi.encode(types, args).hex()


def test_decodes_approve_permit_and_multicall_inner_calls() -> None:
    approve = _call("approve(address,uint256)", ["address", "uint256"], [A, MAX_UINT])
    permit = _call(
        "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)",
        ["address", "address", "uint256", "uint256", "uint8", "bytes32", "bytes32"],
        [A, B, 5, 10, 27, b"\x01" * 32, b"\x02" * 32],
    )
    multi = _call(
        "multicall(bytes[])", ["bytes[]"], [[bytes.fromhex(approve[2:]), bytes.fromhex(permit[2:])]]
    )
    calls = decode_call(multi)
    assert [c.name for c in calls] == ["multicall", "approve", "permit"]
    assert calls[1].args == {"spender": A, "amount": MAX_UINT} and calls[1].depth == 1
    assert calls[2].args["owner"] == A and calls[2].args["spender"] == B and calls[2].args["amount"] == 5


def test_unknown_and_malformed_calldata_do_not_raise() -> None:
    assert decode_call("0x")[0].name == "eth_transfer"
    assert decode_call("0xdeadbeef")[0].name == "unknown"
    bad = decode_call(selector("approve(address,uint256)") + "00")
    assert bad[0].name == "unknown" and bad[0].args == {"malformed": True}


def test_logs_give_transfers_and_net_movements() -> None:
    def t(a: str) -> str:
        return "0x" + "00" * 12 + a[2:]

    logs = [
        {"address": TOKEN, "topics": [T_TRANSFER, t(A), t(B)], "data": "0x" + (7).to_bytes(32, "big").hex()},
        {"address": TOKEN, "topics": [T_TRANSFER, t(B), t(A)], "data": "0x" + (2).to_bytes(32, "big").hex()},
        {
            "address": B,
            "topics": [T_TRANSFER, t(A), t(B), "0x" + (9).to_bytes(32, "big").hex()],
            "data": "0x",
        },
    ]
    facts = decode_logs(logs)
    assert [(x[4], x[3]) for x in facts.transfers] == [("erc20", 7), ("erc20", 2), ("erc721", 1)]
    moves = {
        (m.address, m.asset, m.token_id): m.amount for m in movements(True, facts.transfers, [(A, B, 10)])
    }
    assert moves[(A, TOKEN, "")] == "-5" and moves[(B, TOKEN, "")] == "5"
    assert moves[(A, B, "9")] == "-1" and moves[(A, "ETH", "")] == "-10"
    assert movements(False, facts.transfers, []) == []  # reverted: nothing moved


def test_bytecode_selectors_opcodes_and_proxies() -> None:
    sel = selector("blacklist(address)")[2:]
    # PUSH4 <sel> ; PUSH1 0xf4 (data, not an opcode) ; DELEGATECALL
    code = "63" + sel + "60f4" + "f4"
    facts = analyse(code)
    assert sel in facts.selectors and facts.has("blacklist") == 1
    assert DELEGATECALL in facts.opcodes
    only_data = analyse("60f4")  # 0xf4 inside PUSH data is not DELEGATECALL
    assert DELEGATECALL not in only_data.opcodes
    clone = analyse("363d3d373d3d3d363d73" + "ab" * 20 + "5af43d82803e903d91602b57fd5bf3")
    assert clone.proxy == "eip1167"


def test_similarity_counts_prefix_and_suffix() -> None:
    assert similarity("0xabcd" + "0" * 34 + "ef", "0xabce" + "1" * 34 + "ef") == (3, 2)


def _row(label: str, cat: str, impl: str, block: int) -> TxLabel:
    return TxLabel("0x" + f"{block:064x}", label, cat, "", "", impl, "user", block, block * 12, A, B, "0", 1)


def test_implementation_split_never_shares_a_scam_variant() -> None:
    rows = [_row("malicious", "honeypot", impl, b) for b, impl in enumerate(["HpA", "HpB"] * 10)]
    rows += [_row("benign", "swap", "Router", b) for b in range(40)]
    split = split_by_implementation(rows, seed=1)
    train_impls = {rows[i].implementation for i in split.train}
    test_impls = {rows[i].implementation for i in split.test}
    assert split.held_out == ("HpB",) and "HpB" in test_impls and "HpB" not in train_impls
    assert "HpA" not in test_impls
    m = metrics(
        [rows[i] for i in split.test], [1.0 if rows[i].label == "malicious" else 0.0 for i in split.test], 0.5
    )
    assert m["roc_auc"] == 1.0 and m["f1"] == 1.0 and m["per_category"]["malicious/honeypot"]["recall"] == 1.0
