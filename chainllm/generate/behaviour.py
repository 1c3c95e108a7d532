"""Behaviour checks on a real chain: deploy a candidate to anvil and run the IR's checks.

Each check is a short scenario (``only the owner can reset``, ``a second vote reverts``,
``refund after a missed deadline``...) driven through web3 against anvil's unlocked dev
accounts; time moves with ``evm_increaseTime``. Every check runs from the same deployed state
(``evm_snapshot``/``evm_revert``), and the whole run is reverted at the end, so a shared anvil is
left as it was. A check that is not implemented for a kind is reported "not checked", never
"passed".

Accounts: ``a[0]`` deploys and owns; ``a[1]``.. are users, beneficiaries, payees, bidders.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chainllm.errors import ChainLLMError, ServiceError
from chainllm.generate.ir import ContractIR

if TYPE_CHECKING:
    from web3 import Web3

    from chainllm.audit.compile import Compilation

ETH = 10**18
SEED = b"\x11" * 32
NEXT_SEED = b"\x22" * 32

HELPERS_SOL = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

// Test assets for behaviour checks only: anyone can mint.
contract HarnessToken is ERC20 {
    constructor() ERC20("Harness Token", "HT") {}
    function mint(address to, uint256 amount) external { _mint(to, amount); }
}

contract HarnessVotes is ERC20, ERC20Permit, ERC20Votes {
    constructor() ERC20("Harness Votes", "HV") ERC20Permit("Harness Votes") {}
    function mint(address to, uint256 amount) external { _mint(to, amount); }
    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }
}

contract HarnessNFT is ERC721 {
    uint256 public next;
    constructor() ERC721("Harness NFT", "HN") {}
    function mint(address to) external returns (uint256 id) { id = ++next; _mint(to, id); }
}

contract HarnessTimelock is TimelockController {
    constructor() TimelockController(1, new address[](0), new address[](0), msg.sender) {}
}
"""


class CheckFailed(Exception):
    pass


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: str  # passed | failed | not checked
    detail: str = ""
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "detail": self.detail,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class BehaviourReport:
    status: str  # passed | failed | not checked
    reason: str
    checks: tuple[CheckResult, ...] = ()
    seconds: float = 0.0
    chain: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def counts(self) -> dict[str, int]:
        out = {"passed": 0, "failed": 0, "not checked": 0}
        for c in self.checks:
            out[c.status] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "reason": self.reason,
            "chain": self.chain,
            "seconds": round(self.seconds, 3),
            "checks": [c.to_dict() for c in self.checks],
        }


@dataclass
class Harness:
    w3: Web3
    ir: ContractIR
    source: str
    a: list[str]
    c: Any = None  # the deployed web3 contract
    helpers: dict[str, Any] = field(default_factory=dict)
    ctor: dict[str, Any] = field(default_factory=dict)
    workdir: Path | None = None  # where the test assets are compiled (only when a kind needs them)

    @property
    def p(self) -> dict[str, Any]:
        return self.ir.params

    @property
    def spec(self) -> dict[str, Any]:
        s = self.ir.params.get("spec")
        return s if isinstance(s, dict) else {}

    def rpc(self, method: str, params: list[Any] | None = None) -> Any:
        resp = self.w3.provider.make_request(method, params or [])  # type: ignore[arg-type]
        if "error" in resp:
            raise ServiceError(f"{method}: {resp['error']}")
        return resp.get("result")

    def fn(self, name: str, *args: Any, on: Any = None) -> Any:
        target = on if on is not None else self.c
        return getattr(target.functions, name)(*args)

    def tx(self, name: str, *args: Any, by: int = 0, value: int = 0, on: Any = None) -> dict[str, Any]:
        h = self.fn(name, *args, on=on).transact({"from": self.a[by], "value": value})
        r = dict(self.w3.eth.wait_for_transaction_receipt(h))
        if r.get("status") != 1:
            raise CheckFailed(f"{name}() by account {by} reverted")
        return r

    def send(self, to: str, value: int, by: int = 0, data: bytes = b"") -> dict[str, Any]:
        h = self.w3.eth.send_transaction({"from": self.a[by], "to": to, "value": value, "data": data})  # type: ignore[typeddict-item]
        return dict(self.w3.eth.wait_for_transaction_receipt(h))

    def reverts(self, name: str, *args: Any, by: int = 0, value: int = 0, on: Any = None) -> None:
        try:
            self.tx(name, *args, by=by, value=value, on=on)
        except CheckFailed:
            return
        except Exception as exc:  # web3 raises ContractLogicError / Web3RPCError / ValueError on revert
            if "revert" in str(exc).lower() or type(exc).__name__ in {
                "ContractLogicError",
                "ContractCustomError",
                "Web3RPCError",
            }:
                return
            raise
        raise CheckFailed(f"{name}({', '.join(map(_short, args))}) by account {by} did not revert")

    def call(self, name: str, *args: Any, on: Any = None) -> Any:
        return self.fn(name, *args, on=on).call()

    def warp(self, seconds: int) -> None:
        self.rpc("evm_increaseTime", [int(seconds)])
        self.rpc("evm_mine", [])

    def balance(self, who: int | str) -> int:
        return int(self.w3.eth.get_balance(self.a[who] if isinstance(who, int) else who))  # type: ignore[arg-type]

    def gain(self, name: str, *args: Any, by: int = 0, value: int = 0, on: Any = None) -> int:
        """ETH the caller ends up with from this call, gas paid added back."""
        before = self.balance(by)
        r = self.tx(name, *args, by=by, value=value, on=on)
        gas = int(r["gasUsed"]) * int(r.get("effectiveGasPrice") or 0)
        return self.balance(by) - before + gas + value

    def expect(self, cond: bool, msg: str) -> None:
        if not cond:
            raise CheckFailed(msg)

    def eq(self, got: Any, want: Any, what: str) -> None:
        if got != want:
            raise CheckFailed(f"{what}: got {_short(got)}, expected {_short(want)}")


def _short(x: Any) -> str:
    s = x.hex() if isinstance(x, bytes) else str(x)
    return s if len(s) <= 24 else s[:10] + "..." + s[-6:]


Check = Callable[[Harness], str]
CHECKS: dict[str, Check] = {}
SETUP: dict[str, Callable[[Harness], None]] = {}


def check(*names: str) -> Callable[[Check], Check]:
    def deco(f: Check) -> Check:
        for n in names:
            CHECKS[n] = f
        return f

    return deco


def setup(*kinds: str) -> Callable[[Callable[[Harness], None]], Callable[[Harness], None]]:
    def deco(f: Callable[[Harness], None]) -> Callable[[Harness], None]:
        for k in kinds:
            SETUP[k] = f
        return f

    return deco


# --- storage, ownership, greeter, counter -----------------------------------------------------


def _set_value(h: Harness) -> Any:
    t = next(i["type"] for i in h.c.abi if i.get("name") == "set" for i in i["inputs"])
    return "hello chain" if t == "string" else 42


@check("set_then_get_returns_value")
def _c_set_get(h: Harness) -> str:
    v = _set_value(h)
    h.tx("set", v, by=0)
    h.eq(h.call("get"), v, "get() after set()")
    return f"set({v!r}) then get() returned it"


@check("only_owner_can_set")
def _c_owner_set(h: Harness) -> str:
    h.reverts("set", _set_value(h), by=1)
    h.tx("set", _set_value(h), by=0)
    return "set() by a non-owner reverted; by the owner it succeeded"


@check("owner_is_deployer")
def _c_owner_is(h: Harness) -> str:
    h.eq(h.call("owner"), h.a[0], "owner()")
    return "owner() is the deploying account"


@check("only_owner_can_transfer_ownership")
def _c_owner_transfer_guard(h: Harness) -> str:
    h.reverts("transferOwnership", h.a[2], by=1)
    return "transferOwnership() by a non-owner reverted"


@check("transfer_ownership_changes_owner")
def _c_owner_transfer(h: Harness) -> str:
    h.tx("transferOwnership", h.a[2], by=0)
    h.eq(h.call("owner"), h.a[2], "owner() after transferOwnership")
    h.reverts("ownerAction", by=0)
    h.tx("ownerAction", by=2)
    return "owner() changed; the old owner lost owner-only access, the new one has it"


@check("renounce_clears_owner")
def _c_renounce(h: Harness) -> str:
    h.tx("renounceOwnership", by=0)
    h.eq(h.call("owner"), "0x" + "0" * 40, "owner() after renounce")
    return "owner() is the zero address after renounceOwnership()"


@check("greeting_initial_value")
def _c_greeting(h: Harness) -> str:
    want = h.p.get("greeting", "Hello, World!")
    h.eq(h.call("greet"), want, "greet()")
    return f"greet() returned {want!r}"


@check("set_greeting_updates")
def _c_set_greeting(h: Harness) -> str:
    h.tx("setGreeting", "gm", by=0)
    h.eq(h.call("greet"), "gm", "greet() after setGreeting")
    return "setGreeting('gm') changed greet()"


@check("increment_adds_one")
def _c_inc(h: Harness) -> str:
    before = h.call("count")
    h.tx("increment", by=1)
    h.eq(h.call("count"), before + 1, "count after increment")
    return "increment() added one"


@check("decrement_below_zero_reverts")
def _c_dec(h: Harness) -> str:
    h.eq(h.call("count"), 0, "initial count")
    h.reverts("decrement", by=1)
    h.tx("increment", by=1)
    h.tx("decrement", by=1)
    h.eq(h.call("count"), 0, "count after +1 -1")
    return "decrement() at zero reverted; +1 then -1 gave zero"


@check("only_owner_can_reset")
def _c_reset(h: Harness) -> str:
    h.tx("increment", by=1)
    h.reverts("reset", by=1)
    h.tx("reset", by=0)
    h.eq(h.call("count"), 0, "count after reset")
    return "reset() by a non-owner reverted; by the owner it zeroed the count"


# --- voting -----------------------------------------------------------------------------------


@setup("voting")
def _s_voting(h: Harness) -> None:
    if h.p.get("registration"):
        for i in (1, 2, 3):
            h.tx("giveRightToVote", h.a[i], by=0)


@check("second_vote_reverts")
def _c_vote2(h: Harness) -> str:
    h.tx("vote", 0, by=1)
    h.reverts("vote", 1, by=1)
    return "a second vote from the same address reverted"


@check("votes_counted")
def _c_votes(h: Harness) -> str:
    h.tx("vote", 0, by=1)
    h.tx("vote", 0, by=2)
    h.tx("vote", 1, by=3)
    h.eq((h.call("votesFor", 0), h.call("votesFor", 1)), (2, 1), "votes for proposals 0 and 1")
    return "3 votes counted as 2 and 1"


@check("winner_reported")
def _c_winner(h: Harness) -> str:
    h.tx("vote", 1, by=1)
    h.tx("vote", 1, by=2)
    h.tx("vote", 0, by=3)
    h.eq(h.call("winningProposal"), 1, "winningProposal()")
    return "winningProposal() named the proposal with most votes"


@check("unregistered_vote_reverts")
def _c_unreg(h: Harness) -> str:
    h.reverts("vote", 0, by=5)
    return "a vote from an unregistered address reverted"


@check("vote_after_end_reverts")
def _c_vote_end(h: Harness) -> str:
    h.warp(int(h.p["duration_seconds"]) + 1)
    h.reverts("vote", 0, by=1)
    return "a vote after the voting period reverted"


# --- auctions ---------------------------------------------------------------------------------


@check("low_bid_reverts")
def _c_low_bid(h: Harness) -> str:
    base = max(ETH, int(h.p.get("min_bid_wei") or 0))
    h.tx("bid", by=1, value=base)
    h.reverts("bid", by=2, value=base // 2)
    h.reverts("bid", by=2, value=base)
    return "bids at or below the highest bid reverted"


@check("outbid_bidder_can_withdraw")
def _c_outbid(h: Harness) -> str:
    base = max(ETH, int(h.p.get("min_bid_wei") or 0))
    h.tx("bid", by=1, value=base)
    h.tx("bid", by=2, value=2 * base)
    h.eq(h.gain("withdraw", by=1), base, "ETH the outbid bidder withdrew")
    return "the outbid bidder withdrew exactly their bid"


@check("bid_after_end_reverts")
def _c_bid_end(h: Harness) -> str:
    h.warp(int(h.call("auctionEnd")) - int(h.w3.eth.get_block("latest")["timestamp"]) + 1)
    h.reverts("bid", by=1, value=2 * ETH)
    return "a bid after the end time reverted"


@check("seller_paid_after_end")
def _c_seller(h: Harness) -> str:
    base = max(ETH, int(h.p.get("min_bid_wei") or 0))
    h.tx("bid", by=1, value=base)
    h.tx("bid", by=2, value=2 * base)
    h.reverts("end", by=3)
    h.warp(int(h.call("auctionEnd")) - int(h.w3.eth.get_block("latest")["timestamp"]) + 1)
    h.tx("end", by=3)
    h.eq(h.gain("withdraw", by=0), 2 * base, "ETH the seller withdrew")
    return "end() before the deadline reverted; after it the seller withdrew the highest bid"


@check("price_decreases_over_time")
def _c_price_down(h: Harness) -> str:
    p0 = h.call("currentPrice")
    h.warp(max(1, int(h.call("DURATION")) // 2))
    p1 = h.call("currentPrice")
    h.expect(p1 < p0, f"price did not fall ({p0} -> {p1})")
    h.eq(p0, int(h.p.get("start_price_wei") or p0), "start price")
    return f"price fell from {p0} to {p1} wei halfway through"


@check("buy_at_current_price")
def _c_buy(h: Harness) -> str:
    price = h.call("currentPrice")
    h.tx("buy", by=1, value=price)
    h.eq(h.call("sold"), 1, "units sold")
    if h.p.get("nft"):
        h.eq(h.call("balanceOf", h.a[1]), 1, "NFTs of the buyer")
    h.expect(h.call("owed", h.a[0]) > 0, "the seller was not credited")
    return "buy() at the current price delivered one unit and credited the seller"


@check("underpayment_reverts")
def _c_under(h: Harness) -> str:
    price = h.call("currentPrice")
    h.reverts("buy", by=1, value=price // 2)
    return "buy() with half the current price reverted"


@check("price_not_below_floor")
def _c_floor(h: Harness) -> str:
    h.warp(2 * int(h.call("DURATION")) + 10)
    h.eq(h.call("currentPrice"), int(h.p.get("floor_price_wei") or 0), "price long after the decay")
    return "the price stops at the floor"


@check("second_buy_reverts")
def _c_buy2(h: Harness) -> str:
    price = h.call("currentPrice")
    h.tx("buy", by=1, value=price)
    h.reverts("buy", by=2, value=price)
    return "a second purchase of the single item reverted"


# --- crowdfunding -----------------------------------------------------------------------------


def _fund(h: Harness, i: int, amount: int) -> None:
    if h.balance(i) < amount + ETH:
        h.rpc("anvil_setBalance", [h.a[i], hex(amount + 10 * ETH)])


def _past_deadline(h: Harness) -> None:
    h.warp(int(h.call("deadline")) - int(h.w3.eth.get_block("latest")["timestamp"]) + 1)


@check("contribution_recorded")
def _c_contrib(h: Harness) -> str:
    h.tx("contribute", by=1, value=ETH)
    h.eq(h.call("contributions", h.a[1]), ETH, "recorded contribution")
    h.eq(h.call("totalRaised"), ETH, "total raised")
    return "a 1 ETH contribution was recorded"


@check("refund_after_deadline_if_goal_missed")
def _c_refund(h: Harness) -> str:
    amount = min(ETH, int(h.call("GOAL")) - 1)
    h.tx("contribute", by=1, value=amount)
    _past_deadline(h)
    h.eq(h.gain("refund", by=1), amount, "refund")
    return "after the deadline, with the goal missed, the contributor got their ETH back"


@check("owner_withdraws_if_goal_met")
def _c_owner_wd(h: Harness) -> str:
    goal = int(h.call("GOAL"))
    _fund(h, 1, goal)
    h.tx("contribute", by=1, value=goal)
    _past_deadline(h)
    h.reverts("withdraw", by=2)
    h.eq(h.gain("withdraw", by=0), goal, "ETH the creator withdrew")
    h.reverts("refund", by=1)
    return "with the goal met the creator withdrew the funds; refunds were refused"


@check("owner_cannot_withdraw_if_goal_missed")
def _c_owner_nowd(h: Harness) -> str:
    h.tx("contribute", by=1, value=min(ETH, int(h.call("GOAL")) - 1))
    _past_deadline(h)
    h.reverts("withdraw", by=0)
    return "with the goal missed the creator's withdraw() reverted"


@check("refund_before_deadline_reverts")
def _c_refund_early(h: Harness) -> str:
    h.tx("contribute", by=1, value=min(ETH, int(h.call("GOAL")) - 1))
    h.reverts("refund", by=1)
    return "refund() before the deadline reverted"


# --- payment splitter, staking, lottery -------------------------------------------------------


@check("release_pays_by_shares")
def _c_split(h: Harness) -> str:
    shares = list(h.ctor["shares_"])
    total = sum(shares)
    value = total * ETH
    h.send(h.c.address, value, by=0)
    got = [h.gain("release", by=i + 1) for i in range(len(shares))]
    h.eq(got, [value * s // total for s in shares], "ETH released per payee")
    return f"{value // ETH} ETH split as {[g / ETH for g in got]} ETH for shares {shares}"


@check("non_payee_release_reverts")
def _c_split_guard(h: Harness) -> str:
    h.send(h.c.address, ETH, by=0)
    h.reverts("release", by=0)
    return "release() by a non-payee reverted"


@setup("staking")
def _s_staking(h: Harness) -> None:
    st, rw = h.helpers["stakingToken_"], h.helpers["rewardToken_"]
    h.tx("mint", h.a[1], 1000 * ETH, on=st)
    h.tx("mint", h.c.address, 10**9 * ETH, on=rw)
    h.tx("approve", h.c.address, 2**256 - 1, by=1, on=st)


@check("stake_then_unstake_returns_principal")
def _c_stake(h: Harness) -> str:
    st = h.helpers["stakingToken_"]
    h.tx("stake", 100 * ETH, by=1)
    h.eq(h.call("balanceOf", h.a[1], on=st), 900 * ETH, "tokens left after staking")
    h.reverts("unstake", 101 * ETH, by=1)
    h.tx("unstake", 100 * ETH, by=1)
    h.eq(h.call("balanceOf", h.a[1], on=st), 1000 * ETH, "tokens after unstaking")
    return "staked 100, could not unstake 101, unstaked 100 back"


@check("rewards_accrue_over_time")
def _c_accrue(h: Harness) -> str:
    h.tx("stake", 100 * ETH, by=1)
    t0 = int(h.w3.eth.get_block("latest")["timestamp"])
    h.warp(1000)
    dt = int(h.w3.eth.get_block("latest")["timestamp"]) - t0
    got = h.call("earned", h.a[1])
    want = dt * int(h.call("REWARD_RATE"))
    h.expect(got > 0 and abs(got - want) <= want // 100 + 1, f"earned {got}, expected about {want}")
    return f"earned {got} reward units after {dt} s (rate x time = {want})"


@check("claim_pays_rewards")
def _c_claim(h: Harness) -> str:
    rw = h.helpers["rewardToken_"]
    h.tx("stake", 100 * ETH, by=1)
    h.warp(1000)
    h.tx("claimRewards", by=1)
    got = h.call("balanceOf", h.a[1], on=rw)
    h.expect(got > 0, "no reward tokens paid")
    return f"claimRewards() paid {got} reward units"


@check("entry_requires_ticket_price")
def _c_ticket(h: Harness) -> str:
    price = int(h.call("TICKET_PRICE"))
    h.reverts("enter", by=1, value=price - 1)
    h.tx("enter", by=1, value=price)
    h.eq(h.call("playerCount"), 1, "players")
    return "entering with less than the ticket price reverted; the exact price entered"


@check("only_owner_draws")
def _c_draw_guard(h: Harness) -> str:
    h.tx("enter", by=1, value=int(h.call("TICKET_PRICE")))
    h.reverts("draw", SEED, NEXT_SEED, by=1)
    h.tx("draw", SEED, NEXT_SEED, by=0)
    return "draw() by a player reverted; by the owner it picked a winner"


@check("winner_receives_pot")
def _c_pot(h: Harness) -> str:
    price = int(h.call("TICKET_PRICE"))
    for i in (1, 2, 3):
        h.tx("enter", by=i, value=price)
    h.tx("draw", SEED, NEXT_SEED, by=0)
    winner = h.call("lastWinner")
    h.expect(winner in h.a[1:4], f"winner {winner} is not a player")
    idx = h.a.index(winner)
    h.eq(h.gain("withdraw", by=idx), 3 * price, "pot withdrawn by the winner")
    return f"account {idx} won and withdrew the pot of 3 tickets"


@check("randomness_warning")
def _c_rand(h: Harness) -> str:
    h.expect(any("random" in w for w in h.ir.warnings), "the report carries no randomness warning")
    h.expect("WARNING: on-chain randomness" in h.source, "the contract carries no randomness warning")
    return "the report and the contract's NatSpec warn that on-chain randomness is not secure"


# --- registries and lists ---------------------------------------------------------------------


@check("only_owner_adds")
def _c_allow_guard(h: Harness) -> str:
    h.reverts("add", h.a[2], by=1)
    h.tx("add", h.a[2], by=0)
    return "add() by a non-owner reverted; by the owner it succeeded"


@check("added_is_listed")
def _c_added(h: Harness) -> str:
    h.tx("add", h.a[2], by=0)
    h.expect(h.call("isAllowlisted", h.a[2]), "added address is not listed")
    h.tx("allowlistedAction", by=2)
    return "an added address is listed and passes the gated function"


@check("removed_is_not_listed")
def _c_removed(h: Harness) -> str:
    h.tx("add", h.a[2], by=0)
    h.tx("remove", h.a[2], by=0)
    h.expect(not h.call("isAllowlisted", h.a[2]), "removed address is still listed")
    h.reverts("allowlistedAction", by=2)
    return "a removed address is no longer listed and is refused"


@check("unlisted_call_reverts")
def _c_unlisted(h: Harness) -> str:
    h.reverts("allowlistedAction", by=3)
    return "the gated function reverted for an address never listed"


@check("register_name")
def _c_reg(h: Harness) -> str:
    h.tx("register", "alice", by=1)
    h.eq(h.call("nameOf", h.a[1]), "alice", "nameOf")
    return "register('alice') stored the name"


@check("duplicate_name_reverts")
def _c_dup_name(h: Harness) -> str:
    h.tx("register", "alice", by=1)
    h.reverts("register", "alice", by=2)
    return "registering a taken name reverted"


@check("one_name_per_address")
def _c_one_name(h: Harness) -> str:
    h.tx("register", "alice", by=1)
    h.reverts("register", "bob", by=1)
    return "a second name for the same address reverted"


@check("lookup_owner_of_name")
def _c_lookup(h: Harness) -> str:
    h.tx("register", "alice", by=1)
    h.eq(h.call("ownerOf", "alice"), h.a[1], "ownerOf('alice')")
    h.tx("release", by=1)
    h.eq(h.call("ownerOf", "alice"), "0x" + "0" * 40, "ownerOf after release")
    return "ownerOf() found the registrant; after release() the name was free"


DOC = bytes.fromhex("ab" * 32)


@check("record_hash")
def _c_poe(h: Harness) -> str:
    h.tx("register", DOC, by=1)
    h.eq(h.call("proofOf", DOC)[0], h.a[1], "registrant")
    return "a document hash was recorded with its registrant"


@check("duplicate_hash_reverts")
def _c_poe_dup(h: Harness) -> str:
    h.tx("register", DOC, by=1)
    h.reverts("register", DOC, by=2)
    return "registering the same hash again reverted"


@check("timestamp_recorded")
def _c_poe_time(h: Harness) -> str:
    r = h.tx("register", DOC, by=1)
    ts = int(h.w3.eth.get_block(r["blockNumber"])["timestamp"])
    h.eq(h.call("proofOf", DOC)[1], ts, "recorded time")
    return "the recorded time equals the registering block's timestamp"


@check("create_item")
def _c_item(h: Harness) -> str:
    h.reverts("createItem", "Coffee", by=1)
    h.tx("createItem", "Coffee", by=0)
    h.eq(h.call("itemCount"), 1, "items")
    return "createItem() by the owner added an item; by others it reverted"


@check("unauthorised_update_reverts")
def _c_item_guard(h: Harness) -> str:
    h.tx("createItem", "Coffee", by=0)
    h.reverts("advance", 0, by=2)
    return "advance() by an unauthorised address reverted"


@check("status_advances")
def _c_item_adv(h: Harness) -> str:
    h.tx("createItem", "Coffee", by=0)
    h.tx("setHandler", h.a[1], True, by=0)
    h.tx("advance", 0, by=1)
    h.eq((h.call("stageOf", 0), h.call("holderOf", 0)), (1, h.a[1]), "stage and holder")
    return "an authorised handler moved the item to the next stage and became its holder"


@check("only_owner_awards")
def _c_award(h: Harness) -> str:
    h.reverts("award", h.a[1], 100, by=1)
    h.tx("award", h.a[1], 100, by=0)
    h.eq(h.call("points", h.a[1]), 100, "points")
    return "award() by a customer reverted; the owner awarded 100 points"


@check("redeem_reduces_points")
def _c_redeem(h: Harness) -> str:
    h.tx("award", h.a[1], 100, by=0)
    h.tx("redeem", 30, by=1)
    h.eq(h.call("points", h.a[1]), 70, "points after redeeming 30")
    return "redeeming 30 of 100 points left 70"


@check("overredeem_reverts")
def _c_over(h: Harness) -> str:
    h.tx("award", h.a[1], 10, by=0)
    h.reverts("redeem", 11, by=1)
    return "redeeming more points than held reverted"


@check("points_not_transferable")
def _c_nontransfer(h: Harness) -> str:
    names = {i.get("name") for i in h.c.abi if i.get("type") == "function"}
    h.expect(not names & {"transfer", "transferFrom", "approve"}, "the contract has a transfer function")
    h.tx("award", h.a[1], 10, by=0)
    sel = bytes.fromhex("a9059cbb") + bytes(12) + bytes.fromhex(h.a[2][2:]) + (5).to_bytes(32, "big")
    try:
        r = h.send(h.c.address, 0, by=1, data=sel)
        h.expect(r.get("status") != 1, "a raw transfer(address,uint256) call succeeded")
    except CheckFailed:
        raise
    except Exception:
        pass
    h.eq(h.call("points", h.a[2]), 0, "points of the would-be recipient")
    return "no transfer function exists and a raw transfer() call reverted"


# --- payments over time -----------------------------------------------------------------------


@check("subscribe_requires_fee")
def _c_fee(h: Harness) -> str:
    fee = int(h.call("FEE"))
    h.reverts("subscribe", by=1, value=fee - 1)
    h.tx("subscribe", by=1, value=fee)
    return "subscribing below the fee reverted; at the fee it succeeded"


@check("active_after_subscribe")
def _c_active(h: Harness) -> str:
    h.expect(not h.call("isActive", h.a[1]), "active before paying")
    h.tx("subscribe", by=1, value=int(h.call("FEE")))
    h.expect(h.call("isActive", h.a[1]), "not active after paying")
    return "inactive before, active after subscribe()"


@check("expires_after_period")
def _c_expires(h: Harness) -> str:
    h.tx("subscribe", by=1, value=int(h.call("FEE")))
    h.warp(int(h.call("PERIOD")) + 1)
    h.expect(not h.call("isActive", h.a[1]), "still active after the period")
    return "the subscription lapsed after one period"


@check("owner_withdraws_fees")
def _c_fees(h: Harness) -> str:
    fee = int(h.call("FEE"))
    h.tx("subscribe", by=1, value=fee)
    h.tx("subscribe", by=2, value=fee)
    h.reverts("withdraw", by=1)
    h.eq(h.gain("withdraw", by=0), 2 * fee, "fees withdrawn")
    return "the owner withdrew both fees; a subscriber could not"


@setup("marketplace")
def _s_market(h: Harness) -> None:
    if h.p.get("nft"):
        nft = h.helpers["nft"] = _deploy_helper(h, "HarnessNFT")
        h.tx("mint", h.a[1], on=nft)
        h.tx("approve", h.c.address, 1, by=1, on=nft)
        h.tx("list", nft.address, 1, ETH, by=1)
    else:
        h.tx("list", "Chair", ETH, by=1)


@check("list_item")
def _c_list(h: Harness) -> str:
    h.eq(h.call("listingCount"), 1, "listings")
    h.eq(list(h.call("listing", 0)), [h.a[1], ETH, True], "listing 0")
    if h.p.get("nft"):
        h.eq(h.call("ownerOf", 1, on=h.helpers["nft"]), h.c.address, "NFT holder while listed")
    return "the listing records seller, price and active" + (" and holds the NFT" if h.p.get("nft") else "")


@check("buy_pays_seller")
def _c_mbuy(h: Harness) -> str:
    h.tx("buy", 0, by=2, value=ETH)
    h.eq(h.gain("withdraw", by=1), ETH, "ETH the seller withdrew")
    if h.p.get("nft"):
        h.eq(h.call("ownerOf", 1, on=h.helpers["nft"]), h.a[2], "NFT owner after purchase")
    return "the buyer paid the price and the seller withdrew it" + (
        " ; the NFT went to the buyer" if h.p.get("nft") else ""
    )


@check("wrong_price_reverts")
def _c_mwrong(h: Harness) -> str:
    h.reverts("buy", 0, by=2, value=ETH - 1)
    h.reverts("buy", 0, by=2, value=ETH + 1)
    return "paying other than the listed price reverted"


@check("only_seller_cancels")
def _c_mcancel(h: Harness) -> str:
    h.reverts("cancel", 0, by=2)
    h.tx("cancel", 0, by=1)
    h.eq(list(h.call("listing", 0))[2], False, "active after cancel")
    h.reverts("buy", 0, by=2, value=ETH)
    return "cancel() by another address reverted; the seller cancelled and buying then reverted"


@check("second_purchase_reverts")
def _c_mbuy2(h: Harness) -> str:
    h.tx("buy", 0, by=2, value=ETH)
    h.reverts("buy", 0, by=3, value=ETH)
    return "buying a sold listing again reverted"


@setup("timelock_savings", "inheritance")
def _s_savings(h: Harness) -> None:
    h.send(h.c.address, ETH, by=0)


@check("withdraw_before_unlock_reverts")
def _c_locked(h: Harness) -> str:
    h.reverts("withdraw", by=1)
    return "withdraw() before the unlock time reverted"


@check("withdraw_after_unlock_pays")
def _c_unlocked(h: Harness) -> str:
    h.warp(int(h.call("unlockTime")) - int(h.w3.eth.get_block("latest")["timestamp"]) + 1)
    h.eq(h.gain("withdraw", by=1), ETH, "ETH withdrawn after unlock")
    return "after the unlock time the beneficiary withdrew the balance"


@check("only_beneficiary_withdraws")
def _c_benef(h: Harness) -> str:
    h.warp(int(h.call("unlockTime")) - int(h.w3.eth.get_block("latest")["timestamp"]) + 1)
    h.reverts("withdraw", by=2)
    h.reverts("withdraw", by=0)
    return "after unlock, withdraw() by others (incl. the deployer) reverted"


@check("heir_claim_before_timeout_reverts")
def _c_heir_early(h: Harness) -> str:
    h.reverts("claim", by=1)
    return "claim() by the heir while the owner is active reverted"


@check("heir_claims_after_timeout")
def _c_heir(h: Harness) -> str:
    h.warp(int(h.call("TIMEOUT")) + 1)
    h.reverts("claim", by=2)
    h.eq(h.gain("claim", by=1), ETH, "ETH the heir claimed")
    return "after the timeout a stranger's claim reverted and the heir received the funds"


@check("check_in_resets_timer")
def _c_checkin(h: Harness) -> str:
    t = int(h.call("TIMEOUT"))
    h.warp(t - 100)
    h.tx("checkIn", by=0)
    h.warp(200)
    h.reverts("claim", by=1)
    return "a check-in before the timeout kept the heir out"


@setup("dao_treasury")
def _s_dao(h: Harness) -> None:
    tok = h.helpers["token_"]
    h.tx("mint", h.a[1], 100 * ETH, on=tok)
    h.tx("mint", h.a[2], 50 * ETH, on=tok)
    h.tx("delegate", h.a[1], by=1, on=tok)
    h.tx("delegate", h.a[2], by=2, on=tok)
    h.rpc("evm_mine", [])
    h.send(h.c.address, 10 * ETH, by=0)


@check("non_member_propose_reverts")
def _c_dao_nm(h: Harness) -> str:
    h.reverts("propose", h.a[5], ETH, "pay", by=4)
    h.tx("propose", h.a[5], ETH, "pay", by=1)
    return "propose() by a non-holder reverted; a member proposed"


@check("double_vote_reverts")
def _c_dao_dv(h: Harness) -> str:
    h.tx("propose", h.a[5], ETH, "pay", by=1)
    h.tx("vote", 0, True, by=1)
    h.reverts("vote", 0, True, by=1)
    h.reverts("vote", 0, True, by=4)
    return "a member's second vote and a non-member's vote reverted"


@check("execute_before_end_reverts")
def _c_dao_early(h: Harness) -> str:
    h.tx("propose", h.a[5], ETH, "pay", by=1)
    h.tx("vote", 0, True, by=1)
    h.reverts("execute", 0, by=3)
    return "execute() during the vote reverted"


@check("passed_proposal_pays")
def _c_dao_pay(h: Harness) -> str:
    h.tx("propose", h.a[5], ETH, "pay", by=1)
    h.tx("propose", h.a[6], ETH, "pay", by=2)
    h.tx("vote", 0, True, by=1)
    h.tx("vote", 0, False, by=2)
    h.tx("vote", 1, False, by=1)
    h.tx("vote", 1, True, by=2)
    h.warp(int(h.call("VOTING_PERIOD")) + 1)
    h.tx("execute", 0, by=3)
    h.reverts("execute", 1, by=3)
    h.eq(h.gain("withdraw", by=5), ETH, "payout withdrawn by the recipient")
    return "the passed proposal (100 for, 50 against) paid its recipient; the failed one could not execute"


@setup("faucet")
def _s_faucet(h: Harness) -> None:
    if h.p.get("token"):
        h.tx("mint", h.c.address, 10**6 * ETH, on=h.helpers["token_"])
    else:
        h.send(h.c.address, 10 * ETH, by=0)


def _drip_gain(h: Harness, by: int) -> int:
    if h.p.get("token"):
        tok = h.helpers["token_"]
        before = h.call("balanceOf", h.a[by], on=tok)
        h.tx("drip", by=by)
        return int(h.call("balanceOf", h.a[by], on=tok)) - int(before)
    return h.gain("drip", by=by)


@check("drip_pays_amount")
def _c_drip(h: Harness) -> str:
    amount = int(h.call("DRIP_AMOUNT"))
    h.eq(_drip_gain(h, 1), amount, "amount received")
    return f"drip() paid {amount}"


@check("second_drip_within_cooldown_reverts")
def _c_drip2(h: Harness) -> str:
    h.tx("drip", by=1)
    h.reverts("drip", by=1)
    return "a second drip() within the cooldown reverted"


@check("drip_after_cooldown_pays")
def _c_drip3(h: Harness) -> str:
    h.tx("drip", by=1)
    h.warp(int(h.call("COOLDOWN")) + 1)
    h.eq(_drip_gain(h, 1), int(h.call("DRIP_AMOUNT")), "amount after the cooldown")
    return "after the cooldown drip() paid again"


@check("donation_recorded")
def _c_donate(h: Harness) -> str:
    h.tx("donate", "thanks!", by=1, value=ETH)
    h.eq(h.call("donatedBy", h.a[1]), ETH, "recorded donation")
    return "a 1 ETH donation with a message was recorded"


@check("only_owner_withdraws")
def _c_don_guard(h: Harness) -> str:
    h.tx("donate", "", by=1, value=ETH)
    h.reverts("withdraw", by=1)
    return "withdraw() by a donor reverted"


@check("owner_withdraw_pays")
def _c_don_wd(h: Harness) -> str:
    h.tx("donate", "", by=1, value=ETH)
    h.eq(h.gain("withdraw", by=0), ETH, "ETH the owner withdrew")
    return "the owner withdrew the donations"


@check("deposit_credits_balance")
def _c_dep(h: Harness) -> str:
    h.tx("deposit", by=1, value=ETH)
    h.eq(h.call("balanceOf", h.a[1]), ETH, "balance")
    return "a 1 ETH deposit credited the depositor"


@check("withdraw_own_balance")
def _c_wd_own(h: Harness) -> str:
    h.tx("deposit", by=1, value=ETH)
    h.eq(h.gain("withdraw", ETH, by=1), ETH, "ETH withdrawn")
    h.eq(h.call("balanceOf", h.a[1]), 0, "balance after withdrawing")
    return "the depositor withdrew their 1 ETH"


@check("overdraw_reverts")
def _c_overdraw(h: Harness) -> str:
    h.tx("deposit", by=1, value=ETH)
    h.tx("deposit", by=2, value=ETH)
    h.reverts("withdraw", ETH + 1, by=1)
    return "withdrawing more than one's own balance reverted (with others' ETH in the contract)"


@check("add_task")
def _c_task(h: Harness) -> str:
    h.tx("addTask", "buy milk", by=1)
    h.eq(h.call("taskCount", h.a[1]), 1, "tasks")
    h.eq(list(h.call("getTask", h.a[1], 0)), ["buy milk", False], "task 0")
    return "addTask() stored an open task"


@check("toggle_completed")
def _c_toggle(h: Harness) -> str:
    h.tx("addTask", "buy milk", by=1)
    h.tx("toggleCompleted", 0, by=1)
    h.eq(list(h.call("getTask", h.a[1], 0))[1], True, "completed")
    h.reverts("toggleCompleted", 0, by=2)
    return "toggleCompleted() marked the task done; another user could not touch it"


@setup("airdrop")
def _s_airdrop(h: Harness) -> None:
    h.tx("mint", h.c.address, 10**6 * ETH, on=h.helpers["token_"])


@check("only_owner_airdrops")
def _c_air_guard(h: Harness) -> str:
    h.reverts("airdrop", [h.a[2]], by=1)
    return "airdrop() by a non-owner reverted"


@check("recipients_receive_amount")
def _c_air(h: Harness) -> str:
    tok, amount = h.helpers["token_"], int(h.call("AMOUNT"))
    h.tx("airdrop", [h.a[2], h.a[3]], by=0)
    h.tx("allowClaims", [h.a[4]], by=0)
    h.tx("claim", by=4)
    h.eq([h.call("balanceOf", h.a[i], on=tok) for i in (2, 3, 4)], [amount] * 3, "balances")
    return f"two airdropped and one claiming address each got {amount}"


@check("double_airdrop_reverts")
def _c_air2(h: Harness) -> str:
    h.tx("airdrop", [h.a[2]], by=0)
    h.reverts("airdrop", [h.a[2]], by=0)
    h.tx("allowClaims", [h.a[4]], by=0)
    h.tx("claim", by=4)
    h.reverts("claim", by=4)
    h.reverts("claim", by=2)
    return "no address could receive twice (airdrop or claim)"


# --- Wizard kinds -----------------------------------------------------------------------------


def _abi_fn(h: Harness, name: str) -> dict[str, Any] | None:
    return next((i for i in h.c.abi if i.get("type") == "function" and i.get("name") == name), None)


def _args_for(h: Harness, fn: dict[str, Any], to: int = 1) -> list[Any]:
    out: list[Any] = []
    for i in fn["inputs"]:
        t = i["type"]
        out.append(
            h.a[to] if t == "address" else "ipfs://token" if t == "string" else b"" if t == "bytes" else 7
        )
    return out


@check("name_and_symbol")
def _c_name(h: Harness) -> str:
    s = h.spec
    h.eq((h.call("name"), h.call("symbol")), (s.get("token_name"), s.get("symbol")), "name and symbol")
    return f"name() {s.get('token_name')!r}, symbol() {s.get('symbol')!r}"


@check("total_supply_equals_premint")
def _c_premint(h: Harness) -> str:
    s = h.spec
    want = int(s["premint"]) * 10 ** int(s.get("decimals", 18))
    h.eq(h.call("totalSupply"), want, "totalSupply()")
    h.eq(h.call("balanceOf", h.a[0]), want, "recipient balance")
    return f"totalSupply() equals the premint of {s['premint']:,} tokens, all held by the recipient"


@check("only_owner_mints", "only_minter_mints")
def _c_mint_guard(h: Harness) -> str:
    """The deployer is the owner (Ownable) or holds MINTER_ROLE (AccessControl); account 1 neither."""
    for name in ("safeMint", "mint"):
        fn = _abi_fn(h, name)
        if fn is not None and fn.get("stateMutability") != "payable":
            args = _args_for(h, fn)
            if h.ir.kind == "erc1155":
                args = [h.a[1], 1, 10, b""]
            h.reverts(name, *args, by=1)
            h.tx(name, *args, by=0)
            who = "minter" if h.spec.get("access") == "roles" else "owner"
            return f"{name}() by a non-{who} reverted; by the {who} it minted"
    raise CheckFailed("no owner mint function found")


@check("only_owner_sets_base_uri")
def _c_base_uri(h: Harness) -> str:
    fn = next(
        (
            i
            for i in h.c.abi
            if i.get("type") == "function"
            and "baseuri" in i.get("name", "").lower()
            and i.get("stateMutability") not in {"view", "pure"}
        ),
        None,
    )
    h.expect(fn is not None, "no function sets the base URI")
    assert fn is not None
    h.reverts(fn["name"], "ipfs://new/", by=1)
    h.tx(fn["name"], "ipfs://new/", by=0)
    return f"{fn['name']}() by a non-owner reverted; the owner updated the base URI"


@check("mint_increases_balance")
def _c_mint_bal(h: Harness) -> str:
    h.tx("mint", h.a[1], 1, 10, b"", by=0)
    h.eq(h.call("balanceOf", h.a[1], 1), 10, "balance of id 1")
    return "mint(10 of id 1) raised the balance by 10"


@check("burn_reduces_supply")
def _c_burn(h: Harness) -> str:
    if h.call("balanceOf", h.a[0]) < 1:
        h.tx("mint", h.a[0], 10, by=0)
    before = h.call("totalSupply")
    h.tx("burn", 1, by=0)
    h.eq(h.call("totalSupply"), before - 1, "totalSupply after burn")
    return "burn(1) reduced the supply by 1"


@check("pause_blocks_transfers")
def _c_pause(h: Harness) -> str:
    if h.call("balanceOf", h.a[0]) < 1:
        h.tx("mint", h.a[0], 10, by=0)
    h.reverts("pause", by=1)
    h.tx("pause", by=0)
    h.reverts("transfer", h.a[1], 1, by=0)
    h.tx("unpause", by=0)
    h.tx("transfer", h.a[1], 1, by=0)
    return "pause() by a non-owner reverted; while paused a transfer reverted; after unpause it went through"


@check("mint_requires_price")
def _c_price(h: Harness) -> str:
    price = int(h.spec.get("mint_price_wei") or 0)
    fn = _abi_fn(h, "mint")
    h.expect(fn is not None and fn.get("stateMutability") == "payable", "no payable mint()")
    assert fn is not None
    args = _args_for(h, fn)
    h.reverts("mint", *args, by=1, value=price - 1)
    h.tx("mint", *args, by=1, value=price)
    h.eq(h.call("balanceOf", h.a[1]), 1, "NFTs after a paid mint")
    return f"mint() below {price} wei reverted; at the price it minted"


@check("max_supply_enforced")
def _c_cap(h: Harness) -> str:
    cap = int(h.spec.get("cap") or 0)
    price = int(h.spec.get("mint_price_wei") or 0)
    fn = _abi_fn(h, "mint")
    if fn is None:
        raise CheckFailed("no mint() function")
    args = _args_for(h, fn)
    if cap <= 30:
        for _ in range(cap):
            h.tx("mint", *args, by=1, value=price)
        h.reverts("mint", *args, by=1, value=price)
        return f"{cap} mints succeeded and mint number {cap + 1} reverted"
    # Too many mints to replay: find the minted-count slot (0 -> 1 after one mint), move it to
    # cap - 1 with anvil_setStorageAt, then the next mint must succeed and the one after revert.
    addr = h.c.address
    before = [int.from_bytes(h.w3.eth.get_storage_at(addr, i), "big") for i in range(40)]
    h.tx("mint", *args, by=1, value=price)
    after = [int.from_bytes(h.w3.eth.get_storage_at(addr, i), "big") for i in range(40)]
    slots = [i for i in range(40) if before[i] == 0 and after[i] == 1]
    if not slots:
        raise _NotChecked(f"cap {cap}: could not locate the minted-count slot (no candidate)")
    # More than one counter went 0 -> 1 (an enumerable collection also keeps the length of its
    # token list): try each alone, then all together; the cap holds if one of them ends in a
    # successful mint number cap and a reverted mint number cap + 1.
    trials = [[x] for x in slots] + ([slots] if len(slots) > 1 else [])
    why = ""
    for trial in trials:
        with _snapshot(h):
            for x in trial:
                h.rpc("anvil_setStorageAt", [addr, hex(x), "0x" + (cap - 1).to_bytes(32, "big").hex()])
            try:
                h.tx("mint", *args, by=2, value=price)
                h.reverts("mint", *args, by=2, value=price)
            except Exception as exc:  # a reverted mint: CheckFailed, or web3's own revert errors
                why = str(exc)[:200]
                continue
        return (
            f"mint number {cap} succeeded and mint number {cap + 1} reverted (count moved to {cap - 1} "
            "with anvil_setStorageAt)"
        )
    raise CheckFailed(f"cap {cap}: {why}")


class _NotChecked(Exception):
    pass


@setup("vault")
def _s_vault(h: Harness) -> None:
    tok = h.helpers["asset_"]
    h.tx("mint", h.a[1], 1000 * ETH, on=tok)
    h.tx("approve", h.c.address, 2**256 - 1, by=1, on=tok)


@check("deposit_mints_shares")
def _c_vdep(h: Harness) -> str:
    want = h.call("previewDeposit", 100 * ETH)
    h.tx("deposit", 100 * ETH, h.a[1], by=1)
    h.eq(h.call("balanceOf", h.a[1]), want, "shares")
    h.expect(want > 0, "no shares")
    return f"depositing 100 assets minted {want} shares"


@check("redeem_returns_assets")
def _c_vred(h: Harness) -> str:
    tok = h.helpers["asset_"]
    h.tx("deposit", 100 * ETH, h.a[1], by=1)
    h.tx("redeem", h.call("balanceOf", h.a[1]), h.a[1], h.a[1], by=1)
    h.eq(h.call("balanceOf", h.a[1], on=tok), 1000 * ETH, "assets after redeeming all shares")
    return "redeeming every share returned all 100 assets"


def _tl_op(h: Harness) -> tuple[list[Any], bytes]:
    delay = int(h.call("getMinDelay"))
    args = [h.a[5], 0, b"", b"\x00" * 32, b"\x01" * 32]
    return args, delay.to_bytes(32, "big")


@check("execute_before_delay_reverts")
def _c_tl_early(h: Harness) -> str:
    args, _ = _tl_op(h)
    delay = int(h.call("getMinDelay"))
    h.tx("schedule", *args, delay, by=0)
    h.reverts("execute", *args, by=0)
    return f"an operation scheduled with the {delay} s delay could not execute at once"


@check("execute_after_delay_succeeds")
def _c_tl_late(h: Harness) -> str:
    args, _ = _tl_op(h)
    delay = int(h.call("getMinDelay"))
    h.tx("schedule", *args, delay, by=0)
    h.warp(delay + 1)
    h.tx("execute", *args, by=0)
    return "after the delay the operation executed"


@setup("vesting")
def _s_vesting(h: Harness) -> None:
    h.send(h.c.address, 10 * ETH, by=0)


@check("nothing_vested_before_cliff")
def _c_cliff(h: Harness) -> str:
    cliff = int(h.ctor.get("cliffSeconds") or 0)
    h.warp(max(1, cliff // 2))
    h.eq(h.fn("releasable").call(), 0, "releasable before the cliff")
    return "nothing was releasable halfway to the cliff"


@check("partial_vested_midway")
def _c_mid(h: Harness) -> str:
    dur = int(h.ctor["durationSeconds"])
    h.warp(max(dur * 3 // 4, int(h.ctor.get("cliffSeconds") or 0) + 1))
    got = h.fn("releasable").call()
    h.expect(0 < got < 10 * ETH, f"releasable {got} is not a part of 10 ETH")
    return f"{got / ETH:.2f} of 10 ETH releasable three quarters through"


@check("fully_vested_after_duration")
def _c_full(h: Harness) -> str:
    h.warp(int(h.ctor["durationSeconds"]) + 1)
    before = h.balance(1)
    h.tx("release", by=2, on=None) if _abi_fn(h, "release") else None
    h.eq(h.balance(1) - before, 10 * ETH, "ETH released to the beneficiary")
    return "after the duration release() paid the beneficiary all 10 ETH"


@check("voting_delay_matches")
def _c_vdelay(h: Harness) -> str:
    h.eq(h.call("votingDelay"), int(h.spec.get("voting_delay_blocks") or 0), "votingDelay()")
    return f"votingDelay() is {h.call('votingDelay')} blocks as requested"


@check("voting_period_matches")
def _c_vperiod(h: Harness) -> str:
    h.eq(h.call("votingPeriod"), int(h.spec.get("voting_period_blocks") or 0), "votingPeriod()")
    return f"votingPeriod() is {h.call('votingPeriod')} blocks as requested"


def _esc_token(h: Harness) -> Any:
    """The ERC20 a token escrow is paid in (deployed for its ``token_`` parameter), else None."""
    return h.helpers.get("token_")


def _esc_held(h: Harness, who: int | str) -> int:
    tok = _esc_token(h)
    if tok is None:
        return h.balance(who)
    return int(h.call("balanceOf", h.a[who] if isinstance(who, int) else who, on=tok))


@setup("escrow")
def _s_escrow(h: Harness) -> None:
    if not _abi_fn(h, "deposit"):
        return
    amount = int(h.ctor["amount_"])
    tok = _esc_token(h)
    if tok is None:
        h.tx("deposit", by=1, value=amount)
        return
    h.tx("mint", h.a[1], amount, on=tok)
    h.tx("approve", h.c.address, amount, by=1, on=tok)
    h.tx("deposit", by=1)


@check("deposit_held")
def _c_esc_dep(h: Harness) -> str:
    what = "ETH" if _esc_token(h) is None else "tokens"
    h.eq(_esc_held(h, h.c.address), int(h.ctor["amount_"]), f"escrowed {what}")
    return f"the buyer's deposit ({what}) is held by the contract"


@check("release_pays_seller")
def _c_esc_rel(h: Harness) -> str:
    what = "ETH" if _esc_token(h) is None else "tokens"
    before = _esc_held(h, 2)
    h.tx("release", by=1)
    h.eq(_esc_held(h, 2) - before, int(h.ctor["amount_"]), f"{what} received by the seller")
    return f"release() by the buyer paid the seller ({what})"


@check("stranger_release_reverts")
def _c_esc_guard(h: Harness) -> str:
    h.reverts("release", by=4)
    return "release() by a stranger reverted"


@check("arbiter_refunds_buyer")
def _c_esc_ref(h: Harness) -> str:
    before = h.balance(1)
    h.tx("refund", by=3)
    h.eq(h.balance(1) - before, int(h.ctor["amount_"]), "ETH refunded to the buyer")
    return "refund() by the arbiter returned the deposit to the buyer"


def _ms_submit(h: Harness) -> int:
    h.send(h.c.address, 2 * ETH, by=0)
    h.tx("submit", h.a[6], ETH, b"", by=0)
    return int(h.call("transactionCount")) - 1


def _ms_confirm(h: Harness, tx_id: int, n: int) -> None:
    """Confirmations from the first ``n`` owners (the submitter may already have confirmed)."""
    for o in h.ctor["owners_"][:n]:
        if not h.call("confirmed", tx_id, o):
            h.tx("confirm", tx_id, by=h.a.index(o))


@check("execute_below_threshold_reverts")
def _c_ms_low(h: Harness) -> str:
    t = int(h.ctor["threshold_"])
    tx_id = _ms_submit(h)
    _ms_confirm(h, tx_id, t - 1)
    h.reverts("execute", tx_id, by=0)
    return f"with {t - 1} of {t} confirmations execute() reverted"


@check("execute_at_threshold_pays")
def _c_ms_ok(h: Harness) -> str:
    t = int(h.ctor["threshold_"])
    tx_id = _ms_submit(h)
    _ms_confirm(h, tx_id, t)
    before = h.balance(6)
    h.tx("execute", tx_id, by=0)
    h.eq(h.balance(6) - before, ETH, "ETH sent by the executed transaction")
    return f"with {t} confirmations execute() sent the 1 ETH"


@check("non_owner_submit_reverts")
def _c_ms_guard(h: Harness) -> str:
    h.reverts("submit", h.a[6], ETH, b"", by=7)
    return "submit() by a non-owner reverted"


# --- deployment -------------------------------------------------------------------------------

_HELPERS: dict[str, Compilation] = {}


def _helper_compilation(workdir: Path) -> Compilation:
    from chainllm.audit.compile import compile_file

    key = str(workdir)
    if key not in _HELPERS:
        d = workdir / "behaviour-helpers"
        d.mkdir(parents=True, exist_ok=True)
        p = d / "Harness.sol"
        if not p.is_file() or p.read_text() != HELPERS_SOL:
            tmp = d / ".Harness.sol.tmp"
            tmp.write_text(HELPERS_SOL)
            tmp.replace(p)
        _HELPERS[key] = compile_file(p, root=workdir)
    return _HELPERS[key]


def _deploy_helper(h: Harness, name: str) -> Any:
    assert h.workdir is not None
    art = _helper_compilation(h.workdir).contract(name)
    f = h.w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
    r = h.w3.eth.wait_for_transaction_receipt(f.constructor().transact({"from": h.a[0]}))
    return h.w3.eth.contract(address=r["contractAddress"], abi=art["abi"])


def _ctor_value(h: Harness, inp: dict[str, Any]) -> Any:
    n, t = inp["name"].lower().rstrip("_"), inp["type"]
    spec = h.spec
    if t == "address":
        if n in {"initialowner", "recipient", "admin", "defaultadmin", "owner", "pauser", "minter"}:
            return h.a[0]
        if n in {"beneficiary", "heir", "buyer"}:
            return h.a[1]
        if n == "seller":
            return h.a[2]
        if n == "arbiter":
            return h.a[3]
        if n in {"token", "stakingtoken", "rewardtoken", "asset", "timelock"}:
            which = (
                "HarnessVotes"
                if (h.ir.kind in {"dao_treasury", "governor"} and n == "token")
                else "HarnessTimelock"
                if n == "timelock"
                else "HarnessToken"
            )
            c = _deploy_helper(h, which)
            h.helpers[inp["name"]] = c
            return c.address
        return h.a[0]
    if t == "address[]":
        if n == "payees":
            return h.a[1 : 1 + len(h.p.get("shares") or [1, 1])]
        if n == "owners":
            return h.a[0:3]
        return [h.a[0]]
    if t == "uint256[]" and n == "shares":
        return list(h.p.get("shares") or [1, 1])
    if t == "bytes32" and n == "seedcommitment":
        from eth_utils import keccak

        return keccak(SEED)
    if t.startswith("uint"):
        if n == "threshold":
            return int(spec.get("threshold") or 2)
        if n == "amount":
            return ETH
        if n == "depositcap":  # the spec's cap is in whole assets (the harness token has 18 decimals)
            return int(spec.get("cap") or 0) * ETH
        if n == "mindelay":
            return int(spec.get("delay_seconds") or 86400)
        if n == "starttimestamp":
            return int(h.w3.eth.get_block("latest")["timestamp"])
        if n == "durationseconds":
            return max(1000 * 86400, 2 * int(spec.get("cliff_seconds") or 0))
        if n == "cliffseconds":
            return int(spec.get("cliff_seconds") or 0)
        return 0
    if t == "address" or t.endswith("[]"):
        return []
    raise _NotChecked(f"no value for constructor argument {inp['name']} ({t})")


def _deploy(h: Harness, comp: Compilation, name: str) -> None:
    art = comp.contract(name)
    ctor: dict[str, Any] = next((i for i in art["abi"] if i.get("type") == "constructor"), {"inputs": []})
    args = []
    for inp in ctor["inputs"]:
        v = _ctor_value(h, inp)
        h.ctor[inp["name"]] = v
        args.append(v)
    if h.ir.kind == "timelock":
        args = [args[0], [h.a[0]], [h.a[0]], h.a[0]]
        h.ctor.update({"proposers": [h.a[0]], "executors": [h.a[0]]})
    f = h.w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
    r = h.w3.eth.wait_for_transaction_receipt(f.constructor(*args).transact({"from": h.a[0]}))
    if r.get("status") != 1 or not r.get("contractAddress"):
        raise CheckFailed(f"deploying {name} reverted")
    h.c = h.w3.eth.contract(address=r["contractAddress"], abi=art["abi"])


@contextmanager
def _snapshot(h: Harness) -> Iterator[None]:
    snap = h.rpc("evm_snapshot")
    try:
        yield
    finally:
        h.rpc("evm_revert", [snap])


def deploy_compilation(path: Path, workdir: Path, solc_version: str | None = None) -> Compilation:
    """Compile ``path`` for deployment with the compiler its pragmas select: the one the audit
    used when given and installed, else the plan's compilers in order (newest minor first, as
    the audit tries them), so an older pragma gets an older solc instead of failing on the newest."""
    from chainllm.audit.compile import CompilationError, CompileSettings, compile_closure
    from chainllm.audit.sources import load_closure, make_project
    from chainllm.toolchain import compilers

    project = make_project(path, root=workdir)
    closure = load_closure(path, project)
    # Optimised, as a deployment would be (an unoptimised Governor exceeds the 24 KiB limit).
    settings = CompileSettings(optimize=True)
    installed = compilers.discover()
    chosen = [c for c in installed if solc_version and c.version_str == solc_version]
    if not chosen:
        plan = compilers.plan(closure.pragmas, where=str(path), compilers=installed, installable=False)
        chosen = [c.compiler for c in plan if c.compiler is not None]
    comp = None
    for compiler in chosen:
        comp = compile_closure(closure, project, display_path=str(path), settings=settings, compiler=compiler)
        if comp.result.compiled:
            return comp
    if comp is None:
        raise CompilationError(f"{path}: no installed compiler satisfies its pragmas")
    first = comp.result.errors[0]
    raise CompilationError(f"{first.location()}: {first.code or 'Error'}: {first.message}")


def run_checks(
    ir: ContractIR,
    source: str,
    path: Path,
    rpc_url: str,
    *,
    workdir: Path,
    contract: str | None = None,
    solc_version: str | None = None,
) -> BehaviourReport:
    """Deploy ``path`` (already compiled clean) to the anvil at ``rpc_url`` and run ``ir.checks``.

    ``solc_version``: the compiler the audit used, so what is deployed is what was audited."""
    from web3 import Web3
    from web3.providers.rpc import HTTPProvider

    started = time.perf_counter()
    if not ir.checks:
        return BehaviourReport(
            "not checked", f"no behaviour checks are defined for kind {ir.kind}", chain=rpc_url
        )
    w3 = Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": 30}))
    try:
        client = str(w3.client_version)
    except Exception as exc:
        return BehaviourReport("not checked", f"the chain at {rpc_url} did not answer: {exc}", chain=rpc_url)
    if "anvil" not in client.lower():
        return BehaviourReport(
            "not checked",
            f"behaviour checks need anvil (evm_snapshot, time travel); {rpc_url} is {client}",
            chain=rpc_url,
        )
    h = Harness(w3, ir, source, list(w3.eth.accounts), workdir=workdir)
    results: list[CheckResult] = []
    outer = h.rpc("evm_snapshot")
    try:
        # Optimised, as a deployment would be (an unoptimised Governor exceeds the 24 KiB limit).
        comp = deploy_compilation(path, workdir, solc_version)
        try:
            _deploy(h, comp, contract or ir.name)
            if ir.kind in SETUP:
                SETUP[ir.kind](h)
        except (CheckFailed, _NotChecked, ChainLLMError, Exception) as exc:
            status = "not checked" if isinstance(exc, _NotChecked) else "failed"
            results = [CheckResult(n, status, f"deploy/setup: {str(exc)[:200]}") for n in ir.checks]
            return BehaviourReport(
                "failed" if status == "failed" else "not checked",
                f"deploying {ir.name} failed: {str(exc)[:160]}",
                tuple(results),
                time.perf_counter() - started,
                rpc_url,
            )
        for name in ir.checks:
            fn = CHECKS.get(name)
            t0 = time.perf_counter()
            if fn is None:
                results.append(CheckResult(name, "not checked", "no scenario implemented for this check"))
                continue
            with _snapshot(h):
                try:
                    detail = fn(h)
                    results.append(CheckResult(name, "passed", detail, time.perf_counter() - t0))
                except _NotChecked as exc:
                    results.append(CheckResult(name, "not checked", str(exc), time.perf_counter() - t0))
                except CheckFailed as exc:
                    results.append(CheckResult(name, "failed", str(exc), time.perf_counter() - t0))
                except Exception as exc:
                    results.append(
                        CheckResult(
                            name,
                            "failed",
                            f"{type(exc).__name__}: {str(exc)[:200]}",
                            time.perf_counter() - t0,
                        )
                    )
    finally:
        h.rpc("evm_revert", [outer])
    failed = [r.name for r in results if r.status == "failed"]
    unchecked = [r.name for r in results if r.status == "not checked"]
    if failed:
        status, why = (
            "failed",
            f"{len(failed)} of {len(results)} behaviour check(s) failed: {', '.join(failed)}",
        )
    elif unchecked:
        status, why = (
            "not checked",
            f"{len(results) - len(unchecked)} passed, {len(unchecked)} not checked: {', '.join(unchecked)}",
        )
    else:
        status, why = "passed", f"all {len(results)} behaviour checks passed on anvil"
    return BehaviourReport(status, why, tuple(results), time.perf_counter() - started, rpc_url)


# --- the chain ---------------------------------------------------------------------------------


def _is_anvil(url: str) -> bool:
    from chainllm.chain.transport import rpc_call

    try:
        return "anvil" in str(rpc_call(url, "web3_clientVersion")).lower()
    except Exception:
        return False


@contextmanager
def chain(rpc_url: str | None = None) -> Iterator[str | None]:
    """An anvil URL: ``rpc_url`` if given, else the local anvil of ``chainllm services`` if running,
    else a private one started for this run (stopped afterwards). Yields None when none can run."""
    if rpc_url:
        yield rpc_url
        return
    import os

    from chainllm.services import manager

    # The project's rule (CHAINLLM_RPC, else the `chainllm services` anvil), but only an anvil
    # will do: a CHAINLLM_RPC pointing at a real network gets a private anvil instead.
    st = manager.status("anvil")
    for url in (os.environ.get("CHAINLLM_RPC", "").split(",")[0].strip(), st.url if st.running else None):
        if url and _is_anvil(url):
            yield url
            return
    import tempfile

    with tempfile.TemporaryDirectory(prefix="chainllm-anvil-") as d:
        try:
            st = manager.start("anvil", data_dir=Path(d), port=manager.free_port())
        except ChainLLMError:
            yield None
            return
        try:
            yield st.url
        finally:
            manager.stop("anvil", data_dir=Path(d))
