"""Each taxonomy rule on hand-built transactions (RPC-shape tx, receipt logs, call trace): it
fires on what the scam does to assets, and stays quiet on the honest twin."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import eth_abi

from chainllm.fraud.decode import MAX_UINT, T_TRANSFER, selector
from chainllm.fraud.features import FEATURE_NAMES, T_UPGRADED, extract
from chainllm.fraud.fetch import TxBundle
from chainllm.fraud.rules import apply_rules

USER = "0x" + "a1" * 20
FRIEND = "0x" + "a2" * 20
FRESH = "0x" + "f0" * 20
TOKEN = "0x" + "70" * 20
POOL = "0x" + "b0" * 20
NFT = "0x" + "c0" * 20
CLAIM = "0x" + "d0" * 20
DEV = "0x" + "de" * 20
ZERO = "0x" + "00" * 20


def _code(*sigs: str) -> str:
    """Runtime code whose dispatcher matches ``sigs`` (PUSH4 <selector> each)."""
    return "0x" + "".join("63" + selector(s)[2:] for s in sigs) + "00"


ERC20 = _code("transfer(address,uint256)", "approve(address,uint256)", "transferFrom(address,address,uint256)",
              "balanceOf(address)")  # fmt: skip
ERC721 = _code(
    "setApprovalForAll(address,bool)", "ownerOf(uint256)", "safeTransferFrom(address,address,uint256)"
)
CONTRACT = _code("claim()", "deposit()")


def _t(a: str) -> str:
    return "0x" + "00" * 12 + a[2:]


def _transfer(token: str, a: str, b: str, amount: int) -> dict[str, Any]:
    return {
        "address": token,
        "topics": [T_TRANSFER, _t(a), _t(b)],
        "data": "0x" + amount.to_bytes(32, "big").hex(),
    }


def _nft(token: str, a: str, b: str, tid: int) -> dict[str, Any]:
    return {
        "address": token,
        "topics": [T_TRANSFER, _t(a), _t(b), "0x" + tid.to_bytes(32, "big").hex()],
        "data": "0x",
    }


def _calldata(sig: str, types: list[str], args: list[object]) -> str:
    return selector(sig) + eth_abi.encode(types, args).hex()


def bundle(
    sender: str, to: str, *, data: str = "0x", value: int = 0, logs: list[dict[str, Any]] | None = None,
    eth: list[tuple[str, str, int]] = (), codes: dict[str, str] | None = None, ages: dict[str, int] | None = None,
    status: int = 1, block: int = 5000, gas_price: int = 10**9, gas_used: int = 60_000,
) -> TxBundle:  # fmt: skip
    tx = {"hash": "0x" + "99" * 32, "from": sender, "to": to, "input": data, "value": hex(value), "gas": hex(200_000),
          "gasPrice": hex(gas_price), "nonce": "0x5", "blockNumber": hex(block), "type": "0x2",
          "maxPriorityFeePerGas": hex(gas_price)}  # fmt: skip
    rc = {"status": hex(status), "gasUsed": hex(gas_used), "logs": logs or [], "contractAddress": None}
    trace = {"type": "CALL", "from": sender, "to": to, "value": hex(value), "input": data,
             "calls": [{"type": "CALL", "from": a, "to": b, "value": hex(w), "input": "0x"} for a, b, w in eth]}  # fmt: skip
    base_codes = {USER: "0x", FRIEND: "0x", FRESH: "0x", DEV: "0x", TOKEN: ERC20, POOL: CONTRACT, NFT: ERC721,
                  CLAIM: CONTRACT}  # fmt: skip
    return TxBundle(
        tx_hash=tx["hash"], tx=tx, receipt=rc, timestamp=0, trace=trace, trace_status="ok",
        codes={**base_codes, **(codes or {})}, nonces={USER: 40, FRIEND: 30, DEV: 12}, history=[], history_blocks=32,
        ages={USER: 4000, FRIEND: 4000, TOKEN: 4000, POOL: 4000, NFT: 4000, CLAIM: 4000, DEV: 4000, FRESH: 0,
              **(ages or {})},
    )  # fmt: skip


def codes_of(b: TxBundle) -> set[str]:
    return {r.code for r in apply_rules(extract(b))[1] if r.weight > 0}


def _approve(spender: str, amount: int = MAX_UINT, fn: str = "approve") -> str:
    return _calldata(f"{fn}(address,uint256)", ["address", "uint256"], [spender, amount])


def test_approval_to_fresh_address_and_not_to_an_old_friend() -> None:
    assert "APPROVAL_TO_FRESH_ADDRESS" in codes_of(bundle(USER, TOKEN, data=_approve(FRESH)))
    inc = bundle(USER, TOKEN, data=_approve(FRESH, 10**30, "increaseAllowance"))
    assert "APPROVAL_TO_FRESH_ADDRESS" in codes_of(inc)
    nft = bundle(
        USER, NFT, data=_calldata("setApprovalForAll(address,bool)", ["address", "bool"], [FRESH, True])
    )
    assert "APPROVAL_TO_FRESH_ADDRESS" in codes_of(nft)
    # A limited allowance to a long-known EOA, and any allowance to a contract: no such reason.
    assert not codes_of(bundle(USER, TOKEN, data=_approve(FRIEND, 500)))
    assert "APPROVAL_TO_FRESH_ADDRESS" not in codes_of(bundle(USER, TOKEN, data=_approve(POOL)))


def test_permit_submitted_by_a_fresh_third_party() -> None:
    permit = _calldata(
        "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)",
        ["address", "address", "uint256", "uint256", "uint8", "bytes32", "bytes32"],
        [USER, FRESH, 10**9, 10**10, 27, b"\x01" * 32, b"\x02" * 32],
    )
    reasons = apply_rules(extract(bundle(FRESH, TOKEN, data=permit)))[1]
    hit = [r for r in reasons if r.code == "PERMIT_SUBMITTED_BY_THIRD_PARTY"]
    assert hit and hit[0].severity == "critical"
    own = _calldata(
        "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)",
        ["address", "address", "uint256", "uint256", "uint8", "bytes32", "bytes32"],
        [USER, POOL, 10**9, 10**10, 27, b"\x01" * 32, b"\x02" * 32],
    )
    assert "PERMIT_SUBMITTED_BY_THIRD_PARTY" not in codes_of(bundle(USER, TOKEN, data=own))


def test_permit2_signature_transfer_by_a_third_party() -> None:
    data = _calldata(
        "permitTransferFrom(((address,uint256),uint256,uint256),(address,uint256),address,bytes)",
        ["((address,uint256),uint256,uint256)", "(address,uint256)", "address", "bytes"],
        [((TOKEN, 500), 1, 10**10), (FRESH, 500), USER, b"\x05" * 65],
    )
    b = bundle(FRESH, POOL, data=data, logs=[_transfer(TOKEN, USER, FRESH, 500)])
    assert {"PERMIT_SUBMITTED_BY_THIRD_PARTY", "TOKENS_MOVED_BY_THIRD_PARTY"} <= codes_of(b)


def test_tokens_swept_by_a_third_party_but_not_a_paid_trade() -> None:
    sweep = bundle(FRESH, TOKEN, logs=[_transfer(TOKEN, USER, FRESH, 1000)])
    assert "TOKENS_MOVED_BY_THIRD_PARTY" in codes_of(sweep)
    paid = bundle(
        FRIEND, POOL, value=10**18, logs=[_transfer(TOKEN, USER, FRIEND, 1000)], eth=[(POOL, USER, 10**18)]
    )
    assert "TOKENS_MOVED_BY_THIRD_PARTY" not in codes_of(paid)


def test_nft_taken_for_nothing_versus_a_marketplace_sale() -> None:
    zero_price = bundle(FRESH, POOL, logs=[_nft(NFT, USER, FRESH, 7)])
    assert "NFT_TAKEN_FOR_NOTHING" in codes_of(zero_price)
    sale = bundle(FRIEND, POOL, value=10**17, logs=[_nft(NFT, USER, FRIEND, 7)], eth=[(POOL, USER, 10**17)])
    assert "NFT_TAKEN_FOR_NOTHING" not in codes_of(sale)


def test_payment_forwarded_to_an_eoa_but_not_a_plain_token_transfer() -> None:
    claim = bundle(USER, CLAIM, data=selector("claim()"), value=5 * 10**16, eth=[(CLAIM, DEV, 5 * 10**16)])
    assert "PAYMENT_FORWARDED_TO_EOA" in codes_of(claim)
    drain = bundle(USER, CLAIM, data=selector("claim()"), logs=[_transfer(TOKEN, USER, DEV, 10**6)])
    assert "PAYMENT_FORWARDED_TO_EOA" in codes_of(drain)
    pay = bundle(USER, TOKEN, data=_approve(FRIEND), logs=[_transfer(TOKEN, USER, FRIEND, 10**6)])
    assert "PAYMENT_FORWARDED_TO_EOA" not in codes_of(pay)
    mint = bundle(USER, NFT, value=10**16, logs=[_nft(NFT, ZERO, USER, 3)], eth=[(NFT, DEV, 10**16)])
    assert "PAYMENT_FORWARDED_TO_EOA" not in codes_of(mint)


def test_paid_a_function_the_contract_does_not_have() -> None:
    fake = bundle(USER, CLAIM, data=selector("SecurityUpdate()"), value=10**16)
    assert "PAID_UNKNOWN_FUNCTION" in codes_of(fake)
    real = bundle(USER, CLAIM, data=selector("deposit()"), value=10**16)
    assert "PAID_UNKNOWN_FUNCTION" not in codes_of(real)


def test_fake_token_transfer_events() -> None:
    fake = "0x" + "fa" * 20
    b = bundle(DEV, fake, logs=[_transfer(fake, USER, FRESH, 10**8)], codes={fake: _code("emitTransfers()")})
    assert "FAKE_TOKEN_TRANSFER" in codes_of(b)
    real = bundle(USER, TOKEN, logs=[_transfer(TOKEN, USER, FRIEND, 10**8)])
    assert "FAKE_TOKEN_TRANSFER" not in codes_of(real)


def test_sell_taxed_away() -> None:
    taxed = bundle(USER, POOL, logs=[_transfer(TOKEN, USER, POOL, 1), _transfer(TOKEN, USER, DEV, 99)],
                   eth=[(POOL, USER, 10**12)])  # fmt: skip
    assert "TRANSFER_TAXED" in codes_of(taxed)
    fair = bundle(USER, POOL, logs=[_transfer(TOKEN, USER, POOL, 100)], eth=[(POOL, USER, 10**17)])
    assert "TRANSFER_TAXED" not in codes_of(fair)


def test_withdrawal_from_a_young_pool_is_suspicious_and_from_an_old_one_not() -> None:
    kw: dict[str, Any] = {"logs": [_transfer(TOKEN, POOL, DEV, 10**20)], "eth": [(POOL, DEV, 5 * 10**18)]}
    young = apply_rules(extract(bundle(DEV, POOL, ages={POOL: 8}, **kw)))[1]
    assert [r.severity for r in young if r.code == "WITHDRAWN_FROM_YOUNG_CONTRACT"] == ["medium"]
    assert "WITHDRAWN_FROM_YOUNG_CONTRACT" not in codes_of(bundle(DEV, POOL, **kw))


def test_owner_mint_to_itself() -> None:
    assert "OWNER_MINT" in codes_of(bundle(DEV, TOKEN, logs=[_transfer(TOKEN, ZERO, DEV, 10**30)]))
    bought = bundle(USER, TOKEN, value=10**17, logs=[_transfer(TOKEN, ZERO, USER, 10**18)])
    assert "OWNER_MINT" not in codes_of(bought)


def test_proxy_upgrade() -> None:
    impl = "0x" + "1e" * 20
    log = {"address": POOL, "topics": [T_UPGRADED, _t(impl)], "data": "0x"}
    reasons = apply_rules(extract(bundle(DEV, POOL, logs=[log], ages={impl: 8})))[1]
    assert [r.code for r in reasons if r.weight] == ["PROXY_UPGRADED"] and "blocks old" in reasons[0].message


LOOK = "0xa2a2" + "77" * 16 + "a2a2"  # shares 4 leading and 4 trailing hex digits with FRIEND


def _lookalike_reasons(b: TxBundle, history: list[tuple[str, str, str]]) -> list[str]:
    reasons = apply_rules(extract(replace(b, history=history)))[1]
    return [r.message for r in reasons if r.code == "LOOKALIKE_ADDRESS"]


def test_lookalike_needs_poisoning_shaped_evidence() -> None:
    """A resemblance alone is no evidence (matching hex digits happen on ordinary traffic):
    only a zero-amount / dust / fake-token transfer planted by someone else, or a payment to
    an address that only others' transactions put in the victim's history, is poisoning."""
    knows_friend = [(USER, FRIEND, USER), (FRIEND, USER, FRIEND)]
    # Ordinary traffic to / from a look-alike: a first payment, a payment to an address the
    # user chose before, a real payment from it.
    assert not _lookalike_reasons(bundle(USER, LOOK, value=10**17), knows_friend)
    assert not _lookalike_reasons(bundle(USER, LOOK, value=10**17), [*knows_friend, (USER, LOOK, USER)])
    assert not _lookalike_reasons(bundle(LOOK, USER, value=10**18), knows_friend)
    # The poisoning transfers: a zero-amount transferFrom by an attacker, dust from the look-alike.
    zero = bundle(DEV, TOKEN, logs=[_transfer(TOKEN, USER, LOOK, 0)])
    assert any("zero-amount" in m for m in _lookalike_reasons(zero, knows_friend))
    dust = bundle(LOOK, USER, value=10**12)
    assert any("dust" in m for m in _lookalike_reasons(dust, knows_friend))
    fake = "0x" + "fa" * 20
    planted_fake = bundle(DEV, fake, logs=[_transfer(fake, USER, LOOK, 10**8)], codes={fake: _code("emit()")})
    assert any("fake-token" in m for m in _lookalike_reasons(planted_fake, knows_friend))
    # The victim's loss: paying the planted address (in its history only through the dust).
    pay = bundle(USER, TOKEN, data=_approve(LOOK, 1), logs=[_transfer(TOKEN, USER, LOOK, 10**8)])
    assert any("planted" in m for m in _lookalike_reasons(pay, [*knows_friend, (LOOK, USER, LOOK)]))
    assert not _lookalike_reasons(pay, [*knows_friend, (LOOK, USER, LOOK), (USER, LOOK, USER)])


def test_ordinary_payment_scores_zero() -> None:
    score, reasons = apply_rules(extract(bundle(USER, FRIEND, value=10**17)))
    assert score == 0.0 and not [r for r in reasons if r.weight]


def test_features_do_not_see_chain_age_gas_habits_or_code_size() -> None:
    """The learnt features of one transaction are the same on a young or old chain, with any
    gas price and gas use, and whatever the size of the contracts' code."""
    kw: dict[str, Any] = {"data": _approve(FRESH), "logs": [_transfer(TOKEN, USER, FRESH, 5)]}
    ref = extract(bundle(USER, TOKEN, **kw)).vector()
    padded = ERC20[:-2] + "5b" * 3000 + "00"  # same dispatcher, 3 kB more code
    for other in (
        bundle(USER, TOKEN, block=90, **kw),
        bundle(USER, TOKEN, block=19_000_000, **kw),
        bundle(USER, TOKEN, gas_price=150 * 10**9, gas_used=190_000, **kw),
        bundle(USER, TOKEN, codes={TOKEN: padded}, **kw),
    ):
        assert extract(other).vector() == ref
    assert len(ref) == len(FEATURE_NAMES)
    assert not {"to_code_size_log", "gas_used_ratio", "tip_gwei_log", "sender_history_pairs_log"} & set(
        FEATURE_NAMES
    )


def test_verdict_needs_evidence_for_malicious() -> None:
    from chainllm.fraud.combine import verdict
    from chainllm.fraud.result import Reason

    gbm_only = [Reason("GBM_TO_ERC20", "high", "model: ...", source="gbm", weight=2.0)]
    rule = [Reason("TOKENS_MOVED_BY_THIRD_PARTY", "high", "...", weight=0.4)]
    assert verdict(0.95, 0.6, 0.3, gbm_only) == "suspicious"
    assert verdict(0.95, 0.6, 0.3, rule) == "malicious"
    assert verdict(0.45, 0.6, 0.3, rule) == "suspicious"
    assert verdict(0.1, 0.6, 0.3, rule) == "benign"
