"""The simulated sell (honeypot check): buys found from receipts, node answers read into
sold / reverted / taxed, the rule on each, and honest coverage when it cannot run. The run on
a real chain (anvil's past state) is in test_cross_family.py (family B's honeypots)."""

from __future__ import annotations

from dataclasses import replace

from chainllm.chain.transport import RpcCallError
from chainllm.fraud.features import extract
from chainllm.fraud.rules import apply_rules
from chainllm.fraud.sell_check import Buy, SellCheck, answer_status, find_buy, read_answer, sell_calls
from tests.fraud.test_rules import DEV, POOL, TOKEN, USER, _t, _transfer, bundle, codes_of

T_TRANSFER = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
BUY = Buy(TOKEN, USER, POOL, 10_000)


def _log(a: str, b: str, amount: int) -> dict[str, object]:
    return {"address": TOKEN, "topics": [T_TRANSFER, _t(a), _t(b)], "data": hex(amount)}


def test_a_paid_token_inflow_is_a_buy_and_a_gift_is_not() -> None:
    buy = bundle(USER, POOL, value=10**17, logs=[_transfer(TOKEN, POOL, USER, 10_000)])
    assert find_buy(buy.tx, buy.receipt) == BUY
    gift = bundle(USER, POOL, logs=[_transfer(TOKEN, POOL, USER, 10_000)])  # paid nothing
    assert find_buy(gift.tx, gift.receipt) is None
    failed = bundle(USER, POOL, value=10**17, logs=[_transfer(TOKEN, POOL, USER, 10_000)], status=0)
    assert find_buy(failed.tx, failed.receipt) is None


def test_the_sell_is_one_percent_back_to_the_pool_at_the_buy_block() -> None:
    method, (obj, block, tracer) = sell_calls(BUY, 77)
    assert method == "debug_traceCall" and block == hex(77) and tracer["tracerConfig"]["withLog"]
    assert obj["from"] == USER and obj["to"] == TOKEN
    assert obj["data"] == "0xa9059cbb" + POOL[2:].rjust(64, "0") + format(100, "064x")
    assert sell_calls(BUY, 77, traced=False)[0] == "eth_call"


def test_answers_read_as_sold_reverted_false_or_taxed() -> None:
    ok = {"output": "0x" + "00" * 31 + "01", "logs": [_log(USER, POOL, 100)]}
    assert read_answer(BUY, ok).outcome == "sold"
    rev = {"error": "execution reverted", "revertReason": "bot"}
    assert (read_answer(BUY, rev).outcome, read_answer(BUY, rev).reason) == ("reverted", "bot")
    assert read_answer(BUY, {"output": "0x" + "00" * 32}).outcome == "returned_false"
    taxed = {"output": "0x", "calls": [{"logs": [_log(USER, POOL, 20), _log(USER, DEV, 80)]}]}
    got = read_answer(BUY, taxed)
    assert got.outcome == "taxed" and got.tax_share == 0.8
    # eth_call (no tracer): a revert comes back as an error object, success as output only.
    assert read_answer(BUY, RpcCallError("eth_call", 3, "execution reverted: paused")).outcome == "reverted"
    assert read_answer(BUY, "0x" + "00" * 31 + "01").outcome == "sold"


def test_nodes_that_cannot_answer_are_not_analysed() -> None:
    assert answer_status(RpcCallError("debug_traceCall", -32601, "Method not found")) == "unsupported"
    assert answer_status(RpcCallError("eth_call", -32000, "missing trie node abc")) == "no_state"
    assert answer_status(RpcCallError("eth_call", 3, "execution reverted")) is None
    assert answer_status({"output": "0x"}) is None


def test_rule_fires_on_a_blocked_or_taxed_sell_and_not_on_a_sellable_token() -> None:
    base = bundle(USER, POOL, value=10**17, logs=[_transfer(TOKEN, POOL, USER, 10_000)])
    blocked = replace(base, sell=SellCheck(TOKEN, 100, "reverted", 0.0, "bot"), sell_status="ok")
    assert "SIMULATED_SELL_REVERTS" in codes_of(blocked)
    msg = next(r.message for r in apply_rules(extract(blocked))[1] if r.code == "SIMULATED_SELL_REVERTS")
    assert "reverts (bot)" in msg
    taxed = replace(base, sell=SellCheck(TOKEN, 100, "taxed", 0.9, ""), sell_status="ok")
    assert "SIMULATED_SELL_TAXED" in codes_of(taxed)
    fine = replace(base, sell=SellCheck(TOKEN, 100, "sold", 0.0, ""), sell_status="ok")
    assert not codes_of(fine) & {"SIMULATED_SELL_REVERTS", "SIMULATED_SELL_TAXED"}
    assert (
        extract(fine).values["sell_sim_blocked"] == 0.0 and extract(blocked).values["sell_sim_blocked"] == 1.0
    )
    # Not analysed: an info reason says so; the features read "unknown", never "sellable".
    unknown = replace(base, sell_status="no_node")
    reasons = apply_rules(extract(unknown))[1]
    assert any(r.code == "SELL_NOT_SIMULATED" and r.source == "coverage" for r in reasons)
    assert extract(unknown).values["sell_sim_blocked"] == -1.0
