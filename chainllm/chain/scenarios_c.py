"""Scenario family C: a third, blind simulator for measuring fraud scoring.

Written apart from families A and B, against its own contracts (``contracts/scenarios_c``:
hand-written tokens without a library, compiled with solc 0.8.19; token/token pairs with
wrapped ether; a signature-transfer contract; signed order book; on-chain-confirm council
wallet; merkle airdrops; CREATE2 smart wallets; a lock-and-release bridge; staking; payroll
streams; an ERC-1967 savings proxy). Scams deploy their own contracts when their story
starts, from fresh addresses funded by a hub or through the bridge.

The chain: a long prefix of empty blocks in stretches at different intervals, then ordinary
history among "veteran" accounts funded by six different sources at different times, while
"newcomers" get their first ether only when they first act; blocks are 1-3 s apart with
rare lulls; most tips are tiny, a few are large; almost every transaction is EIP-1559.

Each story is a generator that sends one step's transactions and yields how many blocks to
wait; labels follow ``chainllm.labels.schema`` (victims' own steps are malicious, role
"victim"; a scam's set-up steps are malicious with role deployer/attacker/funder; scenario
names tell set-up from harm). Every benign and scam kind is started
once first, in a seeded order, so even a short run holds them all; after that scam stories
start at a quarter of ``--malicious-share`` (they are long), the rest are benign.
Deterministic per seed on a fresh anvil: the label files are byte-identical across runs.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Generator, Iterator
from dataclasses import replace
from typing import Any

from eth_account import Account
from eth_utils import keccak, to_checksum_address

from chainllm import config
from chainllm.chain.simulate import (
    ETHER,
    GWEI,
    MAX_UINT,
    Meta,
    SimConfig,
    SimResult,
    Simulator,
    _cached_lookalikes,
    _Unaffordable,
    benign,
    scam,
)
from chainllm.services.anvil import DEV_MNEMONIC

FAMILY_C_DIR = config.REPO_ROOT / "contracts" / "scenarios_c"
SIM_C_VERSION = "c1"
FAR = 2**40  # deadlines far in the future

Story = Iterator[int]  # yields blocks to wait before its next step


def _keyc(seed: int, role: str, i: int) -> bytes:
    return keccak(b"scenario-c|" + f"{seed}|{role}|{i}".encode())


def _m(cat: str, sub: str, step: str, impl: str, role: str = "attacker") -> Meta:
    return scam(cat, sub, step, impl, role)


def merkle_tree(leaves: list[bytes]) -> tuple[bytes, list[list[bytes]]]:
    """Root and per-leaf proofs, pairs hashed in sorted order (odd nodes move up unchanged)."""
    proofs: list[list[bytes]] = [[] for _ in leaves]
    level = [(h, [i]) for i, h in enumerate(leaves)]
    while len(level) > 1:
        nxt = []
        for j in range(0, len(level), 2):
            if j + 1 == len(level):
                nxt.append(level[j])
                continue
            (a, ia), (b, ib) = level[j], level[j + 1]
            for i in ia:
                proofs[i].append(b)
            for i in ib:
                proofs[i].append(a)
            nxt.append((keccak(min(a, b) + max(a, b)), ia + ib))
        level = nxt
    return level[0][0], proofs


class FamilyC(Simulator):
    def __init__(
        self, rpc_url: str, cfg: SimConfig, *, progress: Callable[[int, int], None] | None = None
    ) -> None:
        if cfg.contracts_dir is None:
            cfg = replace(cfg, contracts_dir=FAMILY_C_DIR)
        super().__init__(rpc_url, cfg, progress=progress)
        self.nft = "0x" + "00" * 20
        self.story_seq = 0
        self.fresh_n = 0
        self.sig_nonce = 0
        self.allowed: set[tuple[str, str, str]] = set()  # (owner, token, spender) approved MAX
        self.nft_ok: set[tuple[str, str]] = set()  # (owner, operator) approved for all
        self.busy: set[str] = set()  # users inside a scam story (one at a time)
        self.wallets: dict[str, str] = {}
        self.started: set[str] = set()  # newcomers who got their first ether
        self.upgraded = False
        self.salt_n = 0

    # ------------------------------------------------------------ chain habits (family C's own)
    def _tip(self) -> int:
        r = self.rng.random()
        if r < 0.6:
            return int(GWEI * self.rng.choice((0.001, 0.002, 0.01, 0.02, 0.05)))
        if r < 0.92:
            return int(GWEI * math.exp(self.rng.uniform(math.log(0.1), math.log(2.0))))
        return int(GWEI * self.rng.uniform(5, 40))

    def _legacy(self) -> bool:
        return self.rng.random() < 0.05

    def _gap(self) -> int:
        gap = self.rng.choice((1, 1, 1, 2, 2, 3))
        if self.rng.random() < 0.04:
            gap += self.rng.randint(20, 240)
        return gap

    def _reserve(self, user: str, need: int) -> None:
        """A user low on ether is topped up from one of several sources; the story ends."""
        if self.balance(user) - self.block_spend[user] >= need:
            self.block_spend[user] += need
            return
        if user not in self.withdrawing:
            self.withdrawing.add(user)
            src = self.rng.choice(self.sources)
            meta = benign("transfer", "funding", "top_up", role="funder")
            self.send(src, user, meta, value=self.rng.randint(2, 12) * ETHER)
        raise _Unaffordable(user)

    def _quiet(self, blocks: int, interval: int) -> None:
        """Empty blocks at once. anvil_mine's timestamps drift with wall-clock time (~1 s per
        600 blocks here), so the next labelled block is mined at a fixed time well after the
        stretch: labels stay deterministic even though these empty blocks are not."""
        self.rpc.call("anvil_mine", hex(blocks), hex(interval))
        self.ts += blocks * interval + 900
        latest = self.rpc.call("eth_getBlockByNumber", "latest", False)
        self.ts = max(self.ts, int(latest["timestamp"], 16) + 1)  # only on a machine ~100x slower
        self.rpc.call("evm_mine", self.ts)
        self.base_fee = int(
            self.rpc.call("eth_getBlockByNumber", "latest", False).get("baseFeePerGas") or "0x0", 16
        )

    # ------------------------------------------------------------ helpers
    def addr_of(self, name: str, addr: str, fn: str, *args: Any) -> str:
        """An address-returning view, checksummed (eth_abi decodes lower-case)."""
        return str(to_checksum_address(self.view(name, addr, fn, *args)))

    def bal(self, token: str, who: str) -> int:
        return int(self.view("Coin", token, "balanceOf", who))

    def part(self, token: str, who: str, lo: float, hi: float) -> int:
        return int(self.bal(token, who) * self.rng.uniform(lo, hi))

    def friend(self, u: str) -> str:
        return self.rng.choice(self.contacts[u])

    def user(self) -> str:
        free = [u for u in self.users if u not in self.busy]
        return self.rng.choice(free or self.users)

    def victim(self) -> str:
        """A user with ether and stablecoins, preferably one not already in a scam story."""
        pool = [u for u in self.users if u in self.started]
        self.rng.shuffle(pool)
        pool.sort(key=lambda u: u in self.busy)  # stable: free users first, in shuffled order
        v = next((u for u in pool if self.bal(self.usd, u) and self.balance(u) > ETHER // 2), None)
        v = v or self.rng.choice(pool)
        self.busy.add(v)
        return v

    def fresh(self, meta: Meta, eth: float = 0.5) -> str:
        """A brand-new attacker address; its gas money comes from the hub or over the bridge."""
        self.fresh_n += 1
        addr = self.account(_keyc(self.cfg.seed, "fresh", self.fresh_n))
        self.label_address(addr, "malicious", "attacker", meta.subcategory)
        fund = Meta(
            "malicious", meta.category, meta.subcategory, "fund_attacker", meta.implementation, "funder"
        )
        value = int(eth * ETHER)
        if self.rng.random() < 0.5:
            self.send(self.hub, addr, fund, value=value)
        else:
            msg = keccak(f"c-bridge-out|{self.fresh_n}".encode())
            self.call(self.relayer, "BridgeGate", self.bridge, "release", fund, msg, addr, self.zero, value)
        return addr

    @property
    def zero(self) -> str:
        return "0x" + "00" * 20

    def approve_max(self, owner: str, token: str, spender: str, meta: Meta) -> bool:
        """Wallets ask once per (token, dApp): True when the approval is sent now."""
        if (owner, token, spender) in self.allowed:
            return False
        self.allowed.add((owner, token, spender))
        self.call(owner, "Coin", token, "approve", meta, spender, MAX_UINT)
        return True

    def sign_permit(
        self, owner: str, token: str, spender: str, value: int, deadline: int
    ) -> tuple[int, bytes, bytes]:
        nonce = int(self.view("Coin", token, "nonces", owner))
        name = str(self.view("Coin", token, "name"))
        signed = Account.sign_typed_data(
            self.keys[owner],
            domain_data={"name": name, "version": "1", "chainId": self.chain_id, "verifyingContract": token},
            message_types={
                "Permit": [
                    {"name": "owner", "type": "address"},
                    {"name": "spender", "type": "address"},
                    {"name": "value", "type": "uint256"},
                    {"name": "nonce", "type": "uint256"},
                    {"name": "deadline", "type": "uint256"},
                ]
            },
            message_data={
                "owner": owner,
                "spender": spender,
                "value": value,
                "nonce": nonce,
                "deadline": deadline,
            },
        )
        return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")

    def _sig_domain(self) -> dict[str, Any]:
        return {
            "name": "SigTransfer",
            "version": "1",
            "chainId": self.chain_id,
            "verifyingContract": self.sigt,
        }

    def sign_transfer(self, owner: str, token: str, amount: int, spender: str) -> tuple[int, int, bytes]:
        self.sig_nonce += 1
        deadline = self.ts + 3600
        signed = Account.sign_typed_data(
            self.keys[owner],
            domain_data=self._sig_domain(),
            message_types={
                "TransferPermit": [
                    {"name": "token", "type": "address"},
                    {"name": "amount", "type": "uint256"},
                    {"name": "spender", "type": "address"},
                    {"name": "nonce", "type": "uint256"},
                    {"name": "deadline", "type": "uint256"},
                ]
            },
            message_data={
                "token": token,
                "amount": amount,
                "spender": spender,
                "nonce": self.sig_nonce,
                "deadline": deadline,
            },
        )
        return self.sig_nonce, deadline, bytes(signed.signature)

    def sign_batch(
        self, owner: str, tokens: list[str], amounts: list[int], spender: str
    ) -> tuple[int, int, bytes]:
        self.sig_nonce += 1
        deadline = self.ts + 86_400
        signed = Account.sign_typed_data(
            self.keys[owner],
            domain_data=self._sig_domain(),
            message_types={
                "BatchTransferPermit": [
                    {"name": "tokens", "type": "address[]"},
                    {"name": "amounts", "type": "uint256[]"},
                    {"name": "spender", "type": "address"},
                    {"name": "nonce", "type": "uint256"},
                    {"name": "deadline", "type": "uint256"},
                ]
            },
            message_data={
                "tokens": tokens,
                "amounts": amounts,
                "spender": spender,
                "nonce": self.sig_nonce,
                "deadline": deadline,
            },
        )
        return self.sig_nonce, deadline, bytes(signed.signature)

    def sign_order(self, seller: str, token_id: int, price: int) -> tuple[int, int, bytes]:
        expiry = self.ts + self.rng.randint(600, 30 * 86_400)
        salt = self.rng.getrandbits(64)
        signed = Account.sign_typed_data(
            self.keys[seller],
            domain_data={"name": "OrderBook", "version": "1", "chainId": self.chain_id, "verifyingContract": self.book},
            message_types={
                "Order": [
                    {"name": "seller", "type": "address"},
                    {"name": "collection", "type": "address"},
                    {"name": "tokenId", "type": "uint256"},
                    {"name": "price", "type": "uint256"},
                    {"name": "expiry", "type": "uint256"},
                    {"name": "salt", "type": "uint256"},
                ]
            },
            message_data={
                "seller": seller, "collection": self.nft, "tokenId": token_id, "price": price,
                "expiry": expiry, "salt": salt,
            },
        )  # fmt: skip
        return expiry, salt, bytes(signed.signature)

    def refill(self, u: str, need: int) -> Generator[int, None, None]:
        """The owner tops up a smart wallet that holds too little for the next call."""
        w = self.wallets[u]
        if self.balance(w) < need:
            self.send(u, w, benign("contract_wallet", "fund", "wallet_top_up", "SmartWallet"),
                      value=need + self.rng.randint(1, 3) * ETHER)  # fmt: skip
            yield 1

    def nfts_of(self, who: str) -> list[int]:
        return sorted(i for i, o in self.nft_owner.items() if o == who)

    # ------------------------------------------------------------ setup: a chain with a past
    def setup(self) -> None:
        self.chain_id = int(self.rpc.call("eth_chainId"), 16)
        self.rpc.call("evm_setAutomine", False)
        latest = self.rpc.call("eth_getBlockByNumber", "latest", False)
        self.ts = int(latest["timestamp"], 16)
        self.base_fee = int(latest.get("baseFeePerGas") or "0x0", 16)
        self.start_block = int(latest["number"], 16) + 1
        Account.enable_unaudited_hdwallet_features()
        dev = [Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in range(10)]
        devs = [self.account(bytes(d.key)) for d in dev]
        # six funding sources (exchanges, a pool, a foundation, an early holder), then roles
        self.sources = devs[:6]
        self.deployer, self.relayer, self.hub, self.team = devs[6], devs[7], devs[8], devs[9]
        n = self.cfg.users
        self.users = [self.account(_keyc(self.cfg.seed, "person", i)) for i in range(n)]
        self.veterans = self.users[: max(2, (n * 3) // 5)]
        self.newcomers = self.users[len(self.veterans) :]
        self.lps = [self.account(_keyc(self.cfg.seed, "lp", i)) for i in range(3)]
        self.council = [self.account(_keyc(self.cfg.seed, "council", i)) for i in range(3)]
        for u in self.users:
            self.contacts[u] = self.rng.sample([v for v in self.users if v != u], 4)
        for a in self.sources:
            self.label_address(a, "benign", "funder")
        for a, cat in ((self.deployer, "deployer"), (self.relayer, "bridge_relayer"), (self.team, "project")):
            self.label_address(a, "benign", cat)
        for a in self.users + self.lps + self.council:
            self.label_address(a, "benign", "eoa")
        self.label_address(self.hub, "malicious", "attacker", "hub")
        # Empty stretches at different block intervals: the chain is old before anyone acts.
        self._quiet(self.rng.randint(900, 1400), 12)
        fund = benign("transfer", "funding", "early_funding", role="funder")
        for a in self.veterans + self.lps + self.council:
            big = 1200 if a in self.lps else 0
            self.send(self.rng.choice(self.sources), a, fund, value=(big + self.rng.randint(5, 80)) * ETHER)
            if self.rng.random() < 0.5:
                self.mine(self.rng.randint(1, 5))
        self.mine()
        self._quiet(self.rng.randint(200, 400), 2)
        hist = benign("transfer", "eth", "old_payment")
        for _ in range(3):
            for _ in range(self.rng.randint(2, 6)):
                u = self.rng.choice(self.veterans)
                v = self.rng.choice([c for c in self.contacts[u] if c in self.veterans] or self.veterans)
                if v != u:
                    self.send(u, v, hist, value=self.rng.randint(1, 900) * 10**15)
            self.mine()
            self._quiet(self.rng.randint(30, 120), self.rng.choice((1, 2, 5)))
        self.started.update(self.veterans)
        self._deploy_protocol()

    def _deploy_protocol(self) -> None:
        d = self.deployer
        m = benign("deployment", "deploy", "protocol_launch", role="deployer")
        self.weth = self.deploy(d, "WrappedEther", m)
        self.usd = self.deploy(d, "Coin", m, "Quid Dollar", "QUSD", 500_000_000 * ETHER, d)
        self.eur = self.deploy(d, "Coin", m, "Quid Euro", "QEUR", 200_000_000 * ETHER, d)
        self.gov = self.deploy(self.team, "Coin", m, "Orbit", "ORB", 100_000_000 * ETHER, self.team)
        self.sigt = self.deploy(d, "SigTransfer", m)
        self.factory = self.deploy(d, "SwapFactory", m)
        self.router = self.deploy(d, "SwapRouter", m, self.factory, self.weth, self.sigt)
        self.nft = self.deploy(self.team, "Collectible", m, "Orbit Crew", "CREW", ETHER // 40)
        self.book = self.deploy(d, "OrderBook", m, d)
        self.councilw = self.deploy(d, "CouncilWallet", m, sorted(self.council, key=lambda a: int(a, 16)), 2)
        self.batch = self.deploy(d, "BatchSender", m)
        self.wfactory = self.deploy(d, "WalletFactory", m)
        self.bridge = self.deploy(d, "BridgeGate", m, self.relayer)
        self.stream = self.deploy(d, "PayStream", m)
        self.sav_impl = self.deploy(d, "SavingsV1", m)
        init = self.data("SavingsV1", "initialize", d)
        self.savings = self.deploy(d, "UpgradeableProxy", m, self.sav_impl, bytes.fromhex(init[2:]))
        self.mine()
        self.stake = self.deploy(self.team, "StakePool", m, self.gov, self.usd, ETHER // 10)
        self.tokens = {"QUSD": self.usd, "QEUR": self.eur, "ORB": self.gov}
        for addr, cat, impl in (
            (self.weth, "token", "WrappedEther"), (self.usd, "token", "Coin"), (self.eur, "token", "Coin"),
            (self.gov, "token", "Coin"), (self.sigt, "permit2", "SigTransfer"), (self.factory, "dex", "SwapFactory"),
            (self.router, "dex", "SwapRouter"), (self.nft, "nft", "Collectible"), (self.book, "nft_market", "OrderBook"),
            (self.councilw, "multisig", "CouncilWallet"), (self.batch, "batch_sender", "BatchSender"),
            (self.wfactory, "wallet_factory", "WalletFactory"), (self.bridge, "bridge", "BridgeGate"),
            (self.stream, "payroll", "PayStream"), (self.savings, "savings", "UpgradeableProxy"),
            (self.sav_impl, "savings", "SavingsV1"), (self.stake, "staking", "StakePool"),
        ):  # fmt: skip
            self.label_address(addr, "benign", cat, impl=impl)
        # bridge liquidity, council treasury, and tokens spread by batch sends
        seed_m = benign("transfer", "eth", "treasury_funding", role="funder")
        self.send(self.sources[0], self.bridge, seed_m, value=400 * ETHER)
        self.send(self.sources[4], self.councilw, seed_m, value=60 * ETHER)
        am = benign("approval", "approve", "distribution_setup", "Coin", "deployer")
        for t in (self.usd, self.eur):
            self.call(d, "Coin", t, "approve", am, self.batch, MAX_UINT)
        self.call(self.team, "Coin", self.gov, "approve", am, self.batch, MAX_UINT)
        self.call(self.team, "Coin", self.gov, "transfer", benign("token_transfer", "transfer", "reward_budget", "Coin",
                                                                   "deployer"), self.stake, 2_000_000 * ETHER)  # fmt: skip
        self.call(d, "Coin", self.usd, "transfer", benign("token_transfer", "transfer", "reward_budget", "Coin",
                                                           "deployer"), self.stake, 3_000_000 * ETHER)  # fmt: skip
        self.mine()
        dist = benign("airdrop", "batch_token", "initial_distribution", "BatchSender", "deployer")
        holders = self.veterans + self.lps + self.council
        for t, owner in ((self.usd, d), (self.eur, d), (self.gov, self.team)):
            amounts = [self.rng.randint(300, 40_000) * ETHER for _ in holders]
            self.call(owner, "BatchSender", self.batch, "sendTokens", dist, t, holders, amounts)
            for lp in self.lps:
                self.call(owner, "Coin", t, "transfer", dist, lp, 3_000_000 * ETHER)
        self.call(d, "Coin", self.usd, "transfer", dist, self.bridge, 5_000_000 * ETHER)
        self.call(d, "Coin", self.usd, "transfer", dist, self.councilw, 500_000 * ETHER)
        self.mine()
        lm = benign("approval", "approve", "liquidity_setup", "SwapRouter", "lp")
        for lp in self.lps:
            for t in (self.usd, self.eur, self.gov):
                self.approve_max(lp, t, self.router, lm)
        self.mine()
        add = benign("liquidity", "add", "pool_launch", "SwapRouter", "lp")
        # ~2,400 QUSD per ether, QEUR ~1.08 QUSD, ORB ~0.5 QUSD
        self.call(self.lps[0], "SwapRouter", self.router, "addLiquidityETH", add, self.usd,
                  2_400_000 * ETHER, self.lps[0], FAR, value=1000 * ETHER)  # fmt: skip
        self.call(self.lps[1], "SwapRouter", self.router, "addLiquidity", add, self.eur, self.usd,
                  1_000_000 * ETHER, 1_080_000 * ETHER, self.lps[1], FAR)  # fmt: skip
        self.call(self.lps[2], "SwapRouter", self.router, "addLiquidityETH", add, self.gov,
                  1_200_000 * ETHER, self.lps[2], FAR, value=250 * ETHER)  # fmt: skip
        self.mine()
        self.pairs = {
            "QUSD": self.addr_of("SwapFactory", self.factory, "getPair", self.usd, self.weth),
            "QEUR": self.addr_of("SwapFactory", self.factory, "getPair", self.eur, self.usd),
            "ORB": self.addr_of("SwapFactory", self.factory, "getPair", self.gov, self.weth),
        }
        for p in self.pairs.values():
            self.label_address(p, "benign", "dex", impl="SwapPair")
        # some veterans hold smart wallets (CREATE2 through the factory)
        for u in self.veterans[: max(2, len(self.veterans) // 4)]:
            self._new_wallet(u)
        self.mine()
        for u, w in sorted(self.wallets.items()):
            self.send(u, w, benign("contract_wallet", "fund", "wallet_setup", "SmartWallet"),
                      value=self.rng.randint(1, 6) * ETHER)  # fmt: skip
        for u in self.rng.sample(self.veterans, max(2, len(self.veterans) // 3)):  # the first collectors
            k = self.rng.randint(1, 3)
            self.call(u, "Collectible", self.nft, "mint", benign("nft", "mint", "early_mint", "Collectible"), k,
                      value=k * ETHER // 40)  # fmt: skip
        targets = sorted({self.contacts[u][0] for u in self.users})[:5]
        self.lookalikes = _cached_lookalikes(targets, self.cfg.seed + 31_337_013)
        for _t, (addr, key) in sorted(self.lookalikes.items()):
            self.keys[addr] = key
            self.label_address(addr, "malicious", "poisoner", "lookalike")
        self.mine()

    def _new_wallet(self, u: str) -> str:
        self.salt_n += 1
        salt = keccak(f"wallet|{u}|{self.salt_n}".encode())
        w = self.addr_of("WalletFactory", self.wfactory, "predict", u, salt)
        self.call(u, "WalletFactory", self.wfactory, "create", benign("contract_wallet", "deploy", "wallet_create",
                                                                       "WalletFactory"), u, salt)  # fmt: skip
        self.wallets[u] = w
        self.label_address(w, "benign", "contract_wallet", impl="SmartWallet")
        return w

    def arrive(self, u: str) -> Generator[int, None, None]:
        """A newcomer's first ether (from a source, a friend or the bridge) one block before use."""
        if u in self.started:
            return
        self.started.add(u)
        fund = benign("transfer", "funding", "first_funding", role="funder")
        r = self.rng.random()
        value = self.rng.randint(2, 15) * ETHER
        if r < 0.5:
            self.send(self.rng.choice(self.sources), u, fund, value=value)
        elif r < 0.75:
            msg = keccak(f"c-bridge-in|{u}".encode())
            self.call(self.relayer, "BridgeGate", self.bridge, "release",
                      benign("bridge", "release", "bridge_in", "BridgeGate", "funder"), msg, u, self.zero, value)  # fmt: skip
        else:
            vet = self.rng.choice(self.veterans)
            self.send(vet, u, fund, value=ETHER)
        yield 1

    # ------------------------------------------------------------ benign stories
    def ok_pay_eth(self) -> Story:
        u = self.user()
        yield from self.arrive(u)
        to = self.friend(u)
        value = self.rng.randint(1, 2000) * 10**15
        if u in self.wallets and self.rng.random() < 0.5:
            yield from self.refill(u, value // 4)
            self.call(u, "SmartWallet", self.wallets[u], "execute",
                      benign("contract_wallet", "exec_eth", "wallet_payment", "SmartWallet"), to, value // 4, b"")  # fmt: skip
        else:
            self.send(u, to, benign("transfer", "eth", "payment"), value=value)
        yield 1

    def ok_pay_token(self) -> Story:
        u = self.user()
        if u not in self.started:
            return
        t = self.rng.choice((self.usd, self.usd, self.eur))
        amount = self.part(t, u, 0.01, 0.2)
        if amount:
            self.call(u, "Coin", t, "transfer", benign("token_transfer", "transfer", "payment", "Coin"),
                      self.friend(u), amount)  # fmt: skip
        yield 1

    def ok_swap(self) -> Story:
        u = self.user()
        yield from self.arrive(u)
        r = self.rng.random()
        sw = "SwapRouter"
        if r < 0.35:
            eth = self.rng.randint(5, 800) * 10**15
            out = int(self.view(sw, self.router, "quote", self.weth, self.usd, eth))
            self.call(u, sw, self.router, "swapExactETHForTokens", benign("swap", "buy", "eth_to_token", sw),
                      self.usd, out * 97 // 100, u, self.ts + 900, value=eth)  # fmt: skip
            return
        t = self.rng.choice((self.usd, self.gov)) if r < 0.7 else self.eur
        if self.bal(t, u) == 0:
            return
        if r >= 0.85 and t != self.gov:  # pay by signature through SigTransfer
            if self.approve_max(
                u, t, self.sigt, benign("approval", "approve", "sigtransfer_setup", "SigTransfer")
            ):
                yield 1
            amount = self.part(t, u, 0.05, 0.3)
            other = self.eur if t == self.usd else self.usd
            out = int(self.view(sw, self.router, "quote", t, other, amount))
            nonce, deadline, sig = self.sign_transfer(u, t, amount, self.router)
            self.call(u, sw, self.router, "swapWithPermit", benign("swap", "token_to_token", "signed_swap", sw),
                      t, other, amount, out * 97 // 100, (nonce, deadline, sig))  # fmt: skip
            return
        if self.approve_max(u, t, self.router, benign("approval", "approve", "router_setup", sw)):
            yield self.rng.randint(1, 3)
        amount = self.part(t, u, 0.05, 0.4)
        if t == self.eur:
            out = int(self.view(sw, self.router, "quote", t, self.usd, amount))
            self.call(u, sw, self.router, "swapExactTokensForTokens", benign("swap", "token_to_token", "fx_swap", sw),
                      t, self.usd, amount, out * 97 // 100, u, self.ts + 900)  # fmt: skip
        else:
            out = int(self.view(sw, self.router, "quote", t, self.weth, amount))
            self.call(u, sw, self.router, "swapExactTokensForETH", benign("swap", "sell", "token_to_eth", sw),
                      t, amount, out * 97 // 100, u, self.ts + 900)  # fmt: skip

    def ok_liquidity(self) -> Story:
        lp = self.rng.choice(self.lps)
        sw = "SwapRouter"
        usd = self.rng.randint(2_000, 40_000) * ETHER
        eth = int(self.view(sw, self.router, "quote", self.usd, self.weth, usd)) * 103 // 100
        self.call(lp, sw, self.router, "addLiquidityETH", benign("liquidity", "add", "lp_add", sw, "lp"),
                  self.usd, usd, lp, self.ts + 600, value=eth)  # fmt: skip
        yield self.rng.randint(5, 40)
        pair = self.pairs["QUSD"]
        if self.approve_max(
            lp, pair, self.router, benign("approval", "approve", "lp_exit_setup", "SwapPair", "lp")
        ):
            yield 1
        shares = int(self.view("SwapPair", pair, "balanceOf", lp)) // self.rng.randint(5, 20)
        self.call(lp, sw, self.router, "removeLiquidityETH", benign("liquidity", "remove", "lp_remove", sw, "lp"),
                  self.usd, shares, lp, self.ts + 600)  # fmt: skip

    def ok_nft_mint(self) -> Story:
        u = self.user()
        yield from self.arrive(u)
        k = self.rng.choice((1, 1, 2, 3))
        if u in self.wallets and self.rng.random() < 0.4:
            yield from self.refill(u, k * ETHER // 40)
            data = bytes.fromhex(self.data("Collectible", "mint", k)[2:])
            self.call(u, "SmartWallet", self.wallets[u], "execute", benign("contract_wallet", "exec_call",
                      "wallet_nft_mint", "SmartWallet"), self.nft, k * ETHER // 40, data)  # fmt: skip
        else:
            self.call(u, "Collectible", self.nft, "mint", benign("nft", "mint", "public_mint", "Collectible"), k,
                      value=k * ETHER // 40)  # fmt: skip
        yield 1

    def ok_nft_sale(self) -> Story:
        sellers = [u for u in self.users if self.nfts_of(u) and u not in self.busy]
        if not sellers:
            return
        s = self.rng.choice(sellers)
        if (s, self.book) not in self.nft_ok:
            self.nft_ok.add((s, self.book))
            self.call(s, "Collectible", self.nft, "setApprovalForAll",
                      benign("approval", "set_approval_for_all", "market_setup", "OrderBook"), self.book, True)  # fmt: skip
            yield 1
        owned = self.nfts_of(s)
        if not owned:
            return
        tid = self.rng.choice(owned)
        price = self.rng.randint(10, 300) * 10**15
        expiry, salt, sig = self.sign_order(s, tid, price)
        yield self.rng.randint(1, 8)
        buyer = self.rng.choice([u for u in self.users if u != s and u in self.started])
        if self.nft_owner.get(tid) != s:
            return
        self.call(buyer, "OrderBook", self.book, "fill", benign("nft", "buy", "order_fill", "OrderBook"),
                  s, self.nft, tid, price, expiry, salt, sig, value=price)  # fmt: skip

    def ok_council(self) -> Story:
        a, b = self.rng.sample(self.council, 2)
        cw = "CouncilWallet"
        pid = int(self.view(cw, self.councilw, "count"))
        to = self.rng.choice(self.users)
        if self.rng.random() < 0.5:
            args: tuple[Any, ...] = (to, self.rng.randint(1, 20) * 10**17, b"")
        else:
            args = (
                self.usd,
                0,
                bytes.fromhex(self.data("Coin", "transfer", to, self.rng.randint(500, 9000) * ETHER)[2:]),
            )
        self.call(
            a, cw, self.councilw, "submit", benign("multisig", "submit", "council_payout", cw, "owner"), *args
        )
        yield self.rng.randint(1, 6)
        if int(self.view(cw, self.councilw, "count")) <= pid:
            return
        self.call(
            b, cw, self.councilw, "confirm", benign("multisig", "confirm", "council_payout", cw, "owner"), pid
        )
        yield self.rng.randint(1, 4)
        self.call(self.rng.choice((a, b)), cw, self.councilw, "execute",
                  benign("multisig", "execute", "council_payout", cw, "owner"), pid)  # fmt: skip

    def ok_airdrop(self) -> Story:
        """The team deploys a merkle distributor, funds it, and users claim over time."""
        got = self.rng.sample(self.users, min(len(self.users), self.rng.randint(4, 8)))
        amounts = [self.rng.randint(50, 900) * ETHER for _ in got]
        leaves = [keccak(i.to_bytes(32, "big") + bytes.fromhex(a[2:]) + amt.to_bytes(32, "big"))
                  for i, (a, amt) in enumerate(zip(got, amounts, strict=True))]  # fmt: skip
        root, proofs = merkle_tree(leaves)
        m = benign("airdrop", "deploy", "merkle_airdrop", "Distributor", "deployer")
        dist = self.deploy(self.team, "Distributor", m, self.gov, root)
        self.label_address(dist, "benign", "airdrop", impl="Distributor")
        yield 1
        self.call(self.team, "Coin", self.gov, "transfer", benign("airdrop", "fund", "merkle_airdrop", "Distributor",
                                                                   "deployer"), dist, sum(amounts))  # fmt: skip
        yield 1
        order = list(range(len(got)))
        self.rng.shuffle(order)
        for i in order[: max(1, len(order) * 3 // 4)]:
            if got[i] not in self.started:
                continue
            self.call(got[i], "Distributor", dist, "claim", benign("airdrop", "claim", "merkle_claim", "Distributor"),
                      i, got[i], amounts[i], proofs[i])  # fmt: skip
            yield self.rng.randint(1, 6)

    def ok_batch_airdrop(self) -> Story:
        got = self.rng.sample(self.users, min(len(self.users), self.rng.randint(3, 10)))
        if self.rng.random() < 0.5:
            amounts = [self.rng.randint(10, 200) * ETHER for _ in got]
            self.call(self.team, "BatchSender", self.batch, "sendTokens",
                      benign("airdrop", "batch_token", "community_drop", "BatchSender", "deployer"),
                      self.gov, got, amounts)  # fmt: skip
        else:
            amounts = [self.rng.randint(1, 30) * 10**15 for _ in got]
            self.call(self.team, "BatchSender", self.batch, "sendEther",
                      benign("airdrop", "batch_eth", "gas_drop", "BatchSender", "deployer"),
                      got, amounts, value=sum(amounts))  # fmt: skip
        yield 1

    def ok_wallet(self) -> Story:
        """Smart-wallet owners batch calls: pay two friends, or buy a stablecoin, from the wallet."""
        u = self.rng.choice(self.users)
        yield from self.arrive(u)
        if u not in self.wallets:
            self._new_wallet(u)
            yield 1
            self.send(u, self.wallets[u], benign("contract_wallet", "fund", "wallet_setup", "SmartWallet"),
                      value=self.rng.randint(1, 3) * ETHER)  # fmt: skip
            yield 1
        w = self.wallets[u]
        meta = benign("contract_wallet", "exec_batch", "wallet_batch", "SmartWallet")
        if self.rng.random() < 0.5:
            a, b = self.rng.sample(self.contacts[u], 2)
            vals = [self.rng.randint(1, 100) * 10**15 for _ in range(2)]
            yield from self.refill(u, sum(vals))
            self.call(u, "SmartWallet", w, "executeBatch", meta, [a, b], vals, [b"", b""])
        else:
            eth = self.rng.randint(1, 50) * 10**16
            yield from self.refill(u, eth)
            out = int(self.view("SwapRouter", self.router, "quote", self.weth, self.usd, eth))
            swap = self.data(
                "SwapRouter", "swapExactETHForTokens", self.usd, out * 95 // 100, w, self.ts + 900
            )
            self.call(
                u, "SmartWallet", w, "executeBatch", meta, [self.router], [eth], [bytes.fromhex(swap[2:])]
            )

    def ok_bridge(self) -> Story:
        u = self.user()
        yield from self.arrive(u)
        br = "BridgeGate"
        if self.rng.random() < 0.5:
            self.call(u, br, self.bridge, "depositEther", benign("bridge", "deposit_eth", "bridge_out", br),
                      self.rng.choice((10, 8453, 42161)), u, value=self.rng.randint(5, 1500) * 10**15)  # fmt: skip
        else:
            amount = self.part(self.usd, u, 0.05, 0.3)
            if not amount:
                return
            if self.approve_max(u, self.usd, self.bridge, benign("approval", "approve", "bridge_setup", br)):
                yield 1
            self.call(u, br, self.bridge, "depositToken", benign("bridge", "deposit_token", "bridge_out", br),
                      self.usd, amount, 10, u)  # fmt: skip
        yield self.rng.randint(2, 10)
        back = self.rng.choice(self.users)
        msg = keccak(f"c-bridge-back|{self.block_idx}|{back}|{self.seq}".encode())
        self.seq += 1
        self.call(self.relayer, br, self.bridge, "release", benign("bridge", "release", "bridge_in", br, "funder"),
                  msg, back, self.usd, self.rng.randint(20, 3000) * ETHER)  # fmt: skip

    def ok_stake(self) -> Story:
        u = self.user()
        if u not in self.started or not self.bal(self.gov, u):
            return
        sp = "StakePool"
        if self.approve_max(u, self.gov, self.stake, benign("approval", "approve", "stake_setup", sp)):
            yield 1
        self.call(
            u,
            sp,
            self.stake,
            "stake",
            benign("staking", "stake", "stake", sp),
            self.part(self.gov, u, 0.2, 0.8),
        )
        yield self.rng.randint(5, 40)
        self.call(u, sp, self.stake, "claim", benign("staking", "claim", "claim_rewards", sp))
        yield self.rng.randint(3, 30)
        held = int(self.view(sp, self.stake, "staked", u))
        if held:
            self.call(u, sp, self.stake, "unstake", benign("staking", "unstake", "unstake", sp), held)

    def ok_payroll(self) -> Story:
        payee = self.rng.choice(self.users)
        ps = "PayStream"
        first = self.approve_max(self.team, self.usd, self.stream, benign("approval", "approve", "payroll_setup", ps,
                                                                           "deployer"))  # fmt: skip
        if first and not self.bal(self.usd, self.team):
            self.call(self.deployer, "Coin", self.usd, "transfer", benign("token_transfer", "transfer", "payroll_budget",
                      "Coin", "deployer"), self.team, 2_000_000 * ETHER)  # fmt: skip
        if first:
            yield 1
        sid = len([t for t in self.labels if t.scenario == "open_stream" and t.status == 1]) + len(
            [p for p in self.pending if p.meta.scenario == "open_stream"]
        )
        self.call(self.team, ps, self.stream, "open", benign("payroll", "open", "open_stream", ps, "deployer"),
                  payee, self.usd, self.rng.randint(2, 30) * 1000 * ETHER, self.rng.randint(60, 600))  # fmt: skip
        yield 1
        if payee not in self.started:
            return
        for _ in range(self.rng.randint(1, 3)):
            yield self.rng.randint(10, 60)
            self.call(payee, ps, self.stream, "withdraw", benign("payroll", "withdraw", "salary", ps), sid)

    def ok_approve_dapp(self) -> Story:
        u = self.user()
        if u not in self.started:
            return
        spender, impl = self.rng.choice(
            ((self.router, "SwapRouter"), (self.sigt, "SigTransfer"), (self.stake, "StakePool"),
             (self.bridge, "BridgeGate"), (self.batch, "BatchSender"))
        )  # fmt: skip
        t = self.rng.choice((self.usd, self.eur, self.gov))
        self.approve_max(u, t, spender, benign("approval", "approve", "infinite_approval", impl))
        yield 1

    def ok_launch(self) -> Story:
        """An honest team launches a token with liquidity; people trade it both ways."""
        self.fresh_n += 1
        team = self.account(_keyc(self.cfg.seed, "team", self.fresh_n))
        self.label_address(team, "benign", "project")
        self.send(self.rng.choice(self.sources), team, benign("transfer", "funding", "team_funding", role="funder"),
                  value=20 * ETHER)  # fmt: skip
        yield 1
        m = benign("token_launch", "deploy", "honest_launch", "Coin", "deployer")
        tok = self.deploy(
            team, "Coin", m, f"Project {self.fresh_n}", f"PRJ{self.fresh_n}", 10**9 * ETHER, team
        )
        self.label_address(tok, "benign", "token", impl="Coin")
        yield 1
        self.approve_max(
            team, tok, self.router, benign("approval", "approve", "honest_launch", "SwapRouter", "deployer")
        )
        yield 1
        self.call(team, "SwapRouter", self.router, "addLiquidityETH",
                  benign("liquidity", "add", "honest_launch", "SwapRouter", "deployer"),
                  tok, 5 * 10**8 * ETHER, team, self.ts + 600, value=self.rng.randint(5, 12) * ETHER)  # fmt: skip
        yield self.rng.randint(1, 4)
        traders = self.rng.sample([u for u in self.users if u in self.started], 3)
        for t in traders:
            eth = self.rng.randint(2, 40) * 10**16
            self.call(t, "SwapRouter", self.router, "swapExactETHForTokens",
                      benign("swap", "buy", "new_token_buy", "SwapRouter"), tok, 0, t, self.ts + 900, value=eth)  # fmt: skip
            yield self.rng.randint(1, 5)
        for t in traders[:2]:
            self.approve_max(t, tok, self.router, benign("approval", "approve", "router_setup", "SwapRouter"))
            yield 1
            amount = self.part(tok, t, 0.3, 1.0)
            if amount:
                self.call(t, "SwapRouter", self.router, "swapExactTokensForETH",
                          benign("swap", "sell", "new_token_sell", "SwapRouter"), tok, amount, 0, t, self.ts + 900)  # fmt: skip
            yield self.rng.randint(1, 5)

    def ok_savings(self) -> Story:
        u = self.user()
        yield from self.arrive(u)
        sv = "SavingsV2" if self.upgraded else "SavingsV1"
        self.call(u, sv, self.savings, "deposit", benign("savings", "deposit", "save", "UpgradeableProxy"),
                  value=self.rng.randint(1, 100) * 10**16)  # fmt: skip
        yield self.rng.randint(5, 30)
        held = int(self.view(sv, self.savings, "deposits", u))
        if held:
            self.call(u, sv, self.savings, "withdraw", benign("savings", "withdraw", "save", "UpgradeableProxy"),
                      held // 2)  # fmt: skip

    def ok_upgrade(self) -> Story:
        if self.upgraded:
            return
        self.upgraded = True
        m = benign("upgrade", "deploy", "honest_upgrade", "SavingsV2", "deployer")
        v2 = self.deploy(self.deployer, "SavingsV2", m)
        self.label_address(v2, "benign", "savings", impl="SavingsV2")
        yield 2
        self.call(self.deployer, "UpgradeableProxy", self.savings, "upgradeToAndCall",
                  benign("upgrade", "upgrade_to", "honest_upgrade", "UpgradeableProxy", "owner"), v2, b"")  # fmt: skip

    # ------------------------------------------------------------ scam stories: ice phishing
    def bad_approve(self, sub: str = "approve") -> Story:
        v = self.victim()
        held = [t for t in (self.usd, self.eur) if self.bal(t, v)]
        if not held:
            self.busy.discard(v)
            return
        t = self.rng.choice(held)
        thief = self.fresh(_m("ice_phishing", sub, "fund", "EOA"), 0.2)
        fn = "increaseAllowance" if sub == "increase_allowance" else "approve"
        amount = MAX_UINT if fn == "approve" and self.rng.random() < 0.7 else self.bal(t, v)
        yield self.rng.randint(1, 20)
        self.call(
            v, "Coin", t, fn, _m("ice_phishing", sub, "phishing_approval", "Coin", "victim"), thief, amount
        )
        yield self.rng.randint(1, 8)
        take = min(self.bal(t, v), int(self.view("Coin", t, "allowance", v, thief)))
        if take:
            self.call(
                thief, "Coin", t, "transferFrom", _m("ice_phishing", sub, "drain", "Coin"), v, thief, take
            )
        self.busy.discard(v)

    def bad_increase_allowance(self) -> Story:
        return self.bad_approve("increase_allowance")

    def bad_permit(self) -> Story:
        v = self.victim()
        t = self.usd
        amount = self.bal(t, v)
        if not amount:
            self.busy.discard(v)
            return
        thief = self.fresh(_m("ice_phishing", "permit", "fund", "EOA"), 0.2)
        yield self.rng.randint(1, 10)
        pv, pr, ps = self.sign_permit(v, t, thief, MAX_UINT, self.ts + 7200)
        self.call(thief, "Coin", t, "permit", _m("ice_phishing", "permit", "submit_permit", "Coin"),
                  v, thief, MAX_UINT, self.ts + 7200, pv, pr, ps)  # fmt: skip
        yield 1
        self.call(thief, "Coin", t, "transferFrom", _m("ice_phishing", "permit", "drain", "Coin"), v, thief,
                  self.bal(t, v))  # fmt: skip
        self.busy.discard(v)

    def bad_permit2(self) -> Story:
        v = self.victim()
        toks = [t for t in (self.usd, self.eur) if self.bal(t, v)]
        if not toks:
            self.busy.discard(v)
            return
        thief = self.fresh(_m("ice_phishing", "permit2", "fund", "SigTransfer"), 0.2)
        sent = False
        for t in toks:  # the page asks for the standing SigTransfer approval if it is missing
            if (v, t, self.sigt) not in self.allowed:
                self.allowed.add((v, t, self.sigt))
                self.call(v, "Coin", t, "approve", _m("ice_phishing", "permit2", "sigtransfer_approval", "SigTransfer",
                                                      "victim"), self.sigt, MAX_UINT)  # fmt: skip
                sent = True
        yield self.rng.randint(1, 6) if sent else 1
        amounts = [self.bal(t, v) for t in toks]
        nonce, deadline, sig = self.sign_batch(v, toks, amounts, thief)
        self.call(thief, "SigTransfer", self.sigt, "permitBatchTransferFrom",
                  _m("ice_phishing", "permit2", "drain", "SigTransfer"), toks, amounts, nonce, deadline, v, thief, sig)  # fmt: skip
        self.busy.discard(v)

    def bad_create2(self) -> Story:
        """Victims approve an address with no code yet; the factory deploys the sweeper there."""
        cat, sub = "ice_phishing", "create2_drainer"
        boss = self.fresh(_m(cat, sub, "fund", "SweeperFactory"), 0.6)
        yield 1
        fac = self.deploy(
            boss, "SweeperFactory", _m(cat, sub, "deploy_factory", "SweeperFactory", "deployer")
        )
        self.label_address(fac, "malicious", "drainer", sub, "SweeperFactory")
        yield 1
        salt = keccak(f"sweep|{self.fresh_n}".encode())
        at = self.addr_of("SweeperFactory", fac, "predict", boss, salt)
        self.label_address(at, "malicious", "drainer", sub, "Sweeper")
        victims = [self.victim() for _ in range(self.rng.randint(1, 3))]
        victims = sorted(set(victims))
        t = self.usd
        for v in victims:
            self.call(
                v, "Coin", t, "approve", _m(cat, sub, "phishing_approval", "Sweeper", "victim"), at, MAX_UINT
            )
            yield self.rng.randint(1, 4)
        self.call(
            boss, "SweeperFactory", fac, "deploy", _m(cat, sub, "create2_deploy", "SweeperFactory"), salt
        )
        yield 1
        self.call(boss, "Sweeper", at, "sweep", _m(cat, sub, "drain", "Sweeper"), t, victims)
        self.busy.difference_update(victims)

    def bad_nft_approval(self) -> Story:
        holders = [u for u in self.users if self.nfts_of(u)]
        if not holders:
            return
        v = self.rng.choice([u for u in holders if u not in self.busy] or holders)
        self.busy.add(v)
        cat, sub = "ice_phishing", "set_approval_for_all"
        thief = self.fresh(_m(cat, sub, "fund", "Collectible"), 0.3)
        yield self.rng.randint(1, 5)
        self.call(v, "Collectible", self.nft, "setApprovalForAll", _m(cat, sub, "phishing_approval", "Collectible",
                                                                      "victim"), thief, True)  # fmt: skip
        yield self.rng.randint(1, 6)
        for tid in self.nfts_of(v):
            self.call(thief, "Collectible", self.nft, "transferFrom", _m(cat, sub, "nft_sweep", "Collectible"),
                      v, thief, tid)  # fmt: skip
        self.busy.discard(v)

    def bad_zero_order(self) -> Story:
        holders = [u for u in self.users if self.nfts_of(u)]
        if not holders:
            return
        v = self.rng.choice([u for u in holders if u not in self.busy] or holders)
        self.busy.add(v)
        cat, sub = "ice_phishing", "nft_zero_price_order"
        thief = self.fresh(_m(cat, sub, "fund", "OrderBook"), 0.3)
        if (v, self.book) not in self.nft_ok:
            self.nft_ok.add((v, self.book))
            self.call(v, "Collectible", self.nft, "setApprovalForAll", _m(cat, sub, "market_approval", "OrderBook",
                                                                          "victim"), self.book, True)  # fmt: skip
        yield self.rng.randint(1, 5)
        for tid in self.nfts_of(v)[:3]:
            expiry, salt, sig = self.sign_order(v, tid, 0)
            self.call(thief, "OrderBook", self.book, "fill", _m(cat, sub, "fill_zero_order", "OrderBook"),
                      v, self.nft, tid, 0, expiry, salt, sig)  # fmt: skip
        self.busy.discard(v)

    def bad_multicall(self) -> Story:
        cat, sub = "ice_phishing", "multicall"
        op = self.fresh(_m(cat, sub, "fund", "Aggregator"), 0.5)
        yield 1
        agg = self.deploy(op, "Aggregator", _m(cat, sub, "deploy", "Aggregator", "deployer"), op)
        self.label_address(agg, "malicious", "drainer", sub, "Aggregator")
        yield self.rng.randint(1, 5)
        for _ in range(self.rng.randint(1, 2)):
            v = self.victim()
            toks = [t for t in (self.usd, self.eur) if self.bal(t, v)]
            for t in toks:
                self.call(v, "Coin", t, "approve", _m(cat, sub, "phishing_approval", "Aggregator", "victim"), agg,
                          MAX_UINT)  # fmt: skip
            yield self.rng.randint(1, 3)
            calls = [
                bytes.fromhex(self.data("Coin", "transferFrom", v, op, self.bal(t, v))[2:]) for t in toks
            ]
            self.call(v, "Aggregator", agg, "multicall", _m(cat, sub, "victim_multicall", "Aggregator", "victim"),
                      toks, calls, value=self.rng.randint(1, 30) * 10**16)  # fmt: skip
            self.busy.discard(v)
            yield self.rng.randint(1, 4)

    def bad_farm_sweep(self) -> Story:
        """A farm that works for a while; its owner then pulls every standing allowance."""
        cat, sub = "ice_phishing", "approve"
        op = self.fresh(_m(cat, sub, "fund", "YieldFarm"), 0.5)
        yield 1
        farm = self.deploy(op, "YieldFarm", _m(cat, sub, "farm_deploy", "YieldFarm", "deployer"))
        self.label_address(farm, "malicious", "drainer", sub, "YieldFarm")
        yield self.rng.randint(1, 4)
        victims = sorted({self.victim() for _ in range(self.rng.randint(2, 3))})
        for v in victims:
            if not self.bal(self.usd, v):
                continue
            self.call(v, "Coin", self.usd, "approve", _m(cat, sub, "farm_approval", "YieldFarm", "victim"), farm,
                      MAX_UINT)  # fmt: skip
            yield 1
            amount = self.part(self.usd, v, 0.1, 0.3)
            self.call(v, "YieldFarm", farm, "deposit", _m(cat, sub, "farm_deposit", "YieldFarm", "victim"),
                      self.usd, amount)  # fmt: skip
            yield self.rng.randint(1, 3)
            if self.rng.random() < 0.5:
                self.call(v, "YieldFarm", farm, "withdraw", _m(cat, sub, "farm_withdraw", "YieldFarm", "victim"),
                          self.usd, amount // 2)  # fmt: skip
                yield 1
        yield self.rng.randint(5, 30)
        self.call(
            op, "YieldFarm", farm, "migrate", _m(cat, sub, "farm_migrate", "YieldFarm"), self.usd, victims
        )
        self.busy.difference_update(victims)

    # ------------------------------------------------------------ payable claims
    def bad_claim(self) -> Story:
        cat, sub = "payable_scam", "payable_claim"
        impl = self.rng.choice(("RewardsClaim", "AirdropCenter"))
        op = self.fresh(_m(cat, sub, "fund", impl), 0.5)
        yield 1
        m = _m(cat, sub, "deploy", impl, "deployer")
        c = self.deploy(op, impl, m, op) if impl == "RewardsClaim" else self.deploy(op, impl, m)
        self.label_address(c, "malicious", "scam_contract", sub, impl)
        yield self.rng.randint(1, 5)
        for _ in range(self.rng.randint(1, 3)):
            v = self.victim()
            fee = self.rng.randint(2, 60) * 10**16
            if impl == "RewardsClaim":
                self.call(v, impl, c, "claimRewards", _m(cat, sub, "victim_claim", impl, "victim"), value=fee)
            else:
                self.call(v, impl, c, "claim", _m(cat, sub, "victim_claim", impl, "victim"), self.rng.randint(1, 9),
                          value=fee)  # fmt: skip
            self.busy.discard(v)
            yield self.rng.randint(1, 6)
        if impl == "AirdropCenter":
            self.call(op, impl, c, "collect", _m(cat, sub, "collect", impl))

    # ------------------------------------------------------------ address poisoning
    def _poison_pair(self) -> tuple[str, str, str] | None:
        """(victim, the counterparty it pays, that counterparty's look-alike)."""
        pairs = [(u, c, self.lookalikes[c][0]) for u in self.users for c in self.contacts[u]
                 if c in self.lookalikes and u in self.started]  # fmt: skip
        if not pairs:
            return None
        v, c, look = self.rng.choice([p for p in pairs if p[0] not in self.busy] or pairs)
        self.busy.add(v)
        return v, c, look

    def _gas_for(self, look: str, sub: str, impl: str) -> Generator[int, None, None]:
        if self.balance(look) < ETHER // 20:
            fund = _m("address_poisoning", sub, "fund_lookalike", impl, "funder")
            self.send(self.hub, look, fund, value=ETHER // 5)
            yield 1

    def _victim_mistake(self, v: str, look: str, sub: str, impl: str) -> Story:
        if self.rng.random() < 0.35:
            yield self.rng.randint(2, 12)
            amount = self.part(self.usd, v, 0.05, 0.2)
            if amount:
                self.call(v, "Coin", self.usd, "transfer", _m("address_poisoning", sub, "victim_pays_lookalike", impl,
                                                              "victim"), look, amount)  # fmt: skip

    def bad_poison_zero(self) -> Story:
        got = self._poison_pair()
        if not got:
            return
        v, c, look = got
        sub, impl = "zero_value_transfer", "Spoofer"
        amount = self.part(self.usd, v, 0.01, 0.1)
        if amount:  # the real payment the poisoner watches for
            self.call(
                v,
                "Coin",
                self.usd,
                "transfer",
                benign("token_transfer", "transfer", "payment", "Coin"),
                c,
                amount,
            )
        yield 1
        op = self.fresh(_m("address_poisoning", sub, "fund", impl), 0.3)
        yield 1
        sp = self.deploy(op, impl, _m("address_poisoning", sub, "deploy", impl, "deployer"))
        self.label_address(sp, "malicious", "poisoner", sub, impl)
        yield 1
        self.call(
            op,
            impl,
            sp,
            "spoof",
            _m("address_poisoning", sub, "zero_transfer_from", impl),
            self.usd,
            [v],
            [look],
        )
        yield from self._victim_mistake(v, look, sub, impl)
        self.busy.discard(v)

    def bad_poison_dust(self) -> Story:
        got = self._poison_pair()
        if not got:
            return
        v, _c, look = got
        sub = "dust"
        yield from self._gas_for(look, sub, "EOA")
        if self.rng.random() < 0.5:
            self.send(
                look,
                v,
                _m("address_poisoning", sub, "dust_eth", "EOA"),
                value=self.rng.randint(1, 9) * 10**12,
            )
        else:
            if not self.bal(self.usd, look):  # the poisoner buys a little of the coin first
                self.call(look, "SwapRouter", self.router, "swapExactETHForTokens",
                          _m("address_poisoning", sub, "fund_lookalike_token", "SwapRouter"), self.usd, 0, look,
                          self.ts + 900, value=ETHER // 1000)  # fmt: skip
                yield 1
            self.call(look, "Coin", self.usd, "transfer", _m("address_poisoning", sub, "dust_token", "Coin"), v,
                      self.rng.randint(1, 99) * 10**12)  # fmt: skip
        yield from self._victim_mistake(v, look, sub, "EOA")
        self.busy.discard(v)

    def bad_poison_fake(self) -> Story:
        got = self._poison_pair()
        if not got:
            return
        v, _c, look = got
        sub, impl = "fake_token", "FakeCoin"
        op = self.fresh(_m("address_poisoning", sub, "fund", impl), 0.3)
        yield 1
        fake = self.deploy(
            op, impl, _m("address_poisoning", sub, "deploy", impl, "deployer"), "Quid Dollar", "QUSD"
        )
        self.label_address(fake, "malicious", "phishing_token", sub, impl)
        yield 1
        amount = self.rng.randint(10, 5000) * ETHER
        self.call(op, impl, fake, "emitTransfers", _m("address_poisoning", sub, "fake_transfer", impl),
                  [v, look], [look, v], [amount, amount])  # fmt: skip
        yield from self._victim_mistake(v, look, sub, impl)
        self.busy.discard(v)

    # ------------------------------------------------------------ honeypots and rugs
    def _launch(
        self, impl: str, cat: str, sub: str, *ctor: Any
    ) -> Generator[int, None, tuple[str, str, str]]:
        liq = self.rng.randint(2, 5)
        dev = self.fresh(_m(cat, sub, "fund", impl), liq + 1)
        yield 1
        self.fresh_n += 1
        sym = f"{self.rng.choice(('MOON', 'PEPE', 'AI', 'DOGE', 'SAFE'))}{self.fresh_n}"
        tok = self.deploy(dev, impl, _m(cat, sub, "deploy_token", impl, "deployer"), f"{sym} Token", sym,
                          10**9 * ETHER, *ctor)  # fmt: skip
        self.label_address(tok, "malicious", f"{cat}_token", sub, impl)
        yield 1
        self.call(
            dev,
            impl,
            tok,
            "approve",
            _m(cat, sub, "launch_approval", impl, "deployer"),
            self.router,
            MAX_UINT,
        )
        yield 1
        self.call(dev, "SwapRouter", self.router, "addLiquidityETH", _m(cat, sub, "launch_liquidity", impl, "deployer"),
                  tok, 6 * 10**8 * ETHER, dev, self.ts + 600, value=liq * ETHER)  # fmt: skip
        yield 1
        pair = self.addr_of("SwapFactory", self.factory, "getPair", tok, self.weth)
        self.label_address(pair, "malicious", "scam_pool", sub, "SwapPair")
        if impl != "Coin":
            self.call(dev, impl, tok, "setPair", _m(cat, sub, "launch_set_pair", impl, "deployer"), pair)
            yield 1
        return dev, tok, pair

    def _buy(self, victims: list[str], tok: str, cat: str, sub: str, impl: str) -> Story:
        for v in victims:
            eth = self.rng.randint(3, 60) * 10**16
            self.call(v, "SwapRouter", self.router, "swapExactETHForTokens", _m(cat, sub, "victim_buy", impl, "victim"),
                      tok, 0, v, self.ts + 900, value=eth)  # fmt: skip
            yield self.rng.randint(1, 3)

    def _sell(self, victims: list[str], tok: str, cat: str, sub: str, impl: str) -> Story:
        for v in victims:
            held = int(self.view("Coin", tok, "balanceOf", v))
            if not held:
                continue
            self.call(
                v,
                impl,
                tok,
                "approve",
                _m(cat, sub, "victim_sell_approval", impl, "victim"),
                self.router,
                MAX_UINT,
            )
            yield 1
            self.call(v, "SwapRouter", self.router, "swapExactTokensForETH",
                      _m(cat, sub, "victim_sell", impl, "victim"), tok, held, 0, v, self.ts + 900)  # fmt: skip
            yield self.rng.randint(1, 3)

    def _pull(self, dev: str, tok: str, pair: str, cat: str, sub: str, impl: str) -> Story:
        self.call(
            dev, "SwapPair", pair, "approve", _m(cat, sub, "prepare_pull", "SwapPair"), self.router, MAX_UINT
        )
        yield 1
        shares = int(self.view("SwapPair", pair, "balanceOf", dev))
        self.call(dev, "SwapRouter", self.router, "removeLiquidityETH", _m(cat, sub, "remove_liquidity", impl),
                  tok, shares, dev, self.ts + 600)  # fmt: skip

    def bad_honeypot(self, sub: str) -> Story:
        impl = {"max_sell": "MaxSellToken", "cooldown": "CooldownToken", "blacklist": "BlacklistToken",
                "sell_tax": "SellFeeToken"}[sub]  # fmt: skip
        cat = "honeypot"
        dev, tok, pair = yield from self._launch(impl, cat, sub)
        victims = sorted({self.victim() for _ in range(self.rng.randint(2, 4))})
        yield from self._buy(victims, tok, cat, sub, impl)
        if impl == "BlacklistToken":
            self.call(dev, impl, tok, "markBots", _m(cat, sub, "blacklist_buyers", impl), victims)
            yield 1
        elif impl == "CooldownToken":
            self.call(dev, impl, tok, "setCooldown", _m(cat, sub, "endless_cooldown", impl), 365 * 86_400)
            yield 1
        yield self.rng.randint(1, 10)
        yield from self._sell(victims, tok, cat, sub, impl)
        self.busy.difference_update(victims)
        yield self.rng.randint(3, 20)
        yield from self._pull(dev, tok, pair, cat, sub, impl)

    def bad_rug(self, which: str) -> Story:
        cat = "rug_pull"
        if which == "liquidity_pull":
            impl = "Coin"
            dev, tok, pair = yield from self._launch_coin(cat, which)
        elif which == "mint_dump":
            impl = "KeeperToken"
            keeper = self.fresh(_m(cat, which, "fund_keeper", impl), 0.3)
            dev, tok, pair = yield from self._launch(impl, cat, which, keeper)
            self.call(
                dev, impl, tok, "renounceOwnership", _m(cat, which, "launch_renounce", impl, "deployer")
            )
            yield 1
        else:
            impl = "TaxToken"
            dev, tok, pair = yield from self._launch(impl, cat, which)
        victims = sorted({self.victim() for _ in range(self.rng.randint(2, 4))})
        yield from self._buy(victims, tok, cat, which, impl)
        yield self.rng.randint(2, 15)
        if which == "liquidity_pull":
            yield from self._sell(victims[:1], tok, cat, which, impl)  # selling works, until the pull
            yield from self._pull(dev, tok, pair, cat, which, impl)
        elif which == "mint_dump":
            self.call(
                keeper,
                impl,
                tok,
                "distributeRewards",
                _m(cat, which, "hidden_mint", impl),
                keeper,
                10**11 * ETHER,
            )
            yield 1
            self.call(
                keeper, impl, tok, "approve", _m(cat, which, "prepare_dump", impl), self.router, MAX_UINT
            )
            yield 1
            self.call(keeper, "SwapRouter", self.router, "swapExactTokensForETH", _m(cat, which, "dump", impl),
                      tok, 10**11 * ETHER, 0, keeper, self.ts + 600)  # fmt: skip
        else:
            self.call(dev, impl, tok, "setTaxes", _m(cat, which, "raise_tax", impl), 0, 9500)
            yield 1
            yield from self._sell(victims, tok, cat, which, impl)
            yield from self._pull(dev, tok, pair, cat, which, impl)
        self.busy.difference_update(victims)

    def _launch_coin(self, cat: str, sub: str) -> Generator[int, None, tuple[str, str, str]]:
        """A rug with plain, honest-looking token code (the Coin the honest teams use)."""
        liq = self.rng.randint(2, 5)
        dev = self.fresh(_m(cat, sub, "fund", "Coin"), liq + 1)
        yield 1
        self.fresh_n += 1
        sym = f"GEM{self.fresh_n}"
        tok = self.deploy(dev, "Coin", _m(cat, sub, "deploy_token", "Coin", "deployer"), f"{sym} Token", sym,
                          10**9 * ETHER, dev)  # fmt: skip
        self.label_address(tok, "malicious", f"{cat}_token", sub, "Coin")
        yield 1
        self.call(
            dev,
            "Coin",
            tok,
            "approve",
            _m(cat, sub, "launch_approval", "Coin", "deployer"),
            self.router,
            MAX_UINT,
        )
        yield 1
        self.call(dev, "SwapRouter", self.router, "addLiquidityETH", _m(cat, sub, "launch_liquidity", "Coin", "deployer"),
                  tok, 6 * 10**8 * ETHER, dev, self.ts + 600, value=liq * ETHER)  # fmt: skip
        yield 1
        pair = self.addr_of("SwapFactory", self.factory, "getPair", tok, self.weth)
        self.label_address(pair, "malicious", "scam_pool", sub, "SwapPair")
        return dev, tok, pair

    def bad_proxy_rug(self) -> Story:
        cat, sub = "rug_pull", "proxy_upgrade"
        dev = self.fresh(_m(cat, sub, "fund", "UpgradeableProxy"), 1.0)
        yield 1
        impl = self.deploy(dev, "SavingsV1", _m(cat, sub, "deploy_impl", "SavingsV1", "deployer"))
        init = bytes.fromhex(self.data("SavingsV1", "initialize", dev)[2:])
        proxy = self.deploy(dev, "UpgradeableProxy", _m(cat, sub, "deploy_proxy", "UpgradeableProxy", "deployer"),
                            impl, init)  # fmt: skip
        self.label_address(proxy, "malicious", "rug_pull_token", sub, "UpgradeableProxy")
        yield self.rng.randint(1, 4)
        victims = sorted({self.victim() for _ in range(self.rng.randint(2, 4))})
        for v in victims:
            self.call(v, "SavingsV1", proxy, "deposit", _m(cat, sub, "victim_deposit", "UpgradeableProxy", "victim"),
                      value=self.rng.randint(5, 150) * 10**16)  # fmt: skip
            yield self.rng.randint(1, 3)
        yield self.rng.randint(3, 20)
        evil = self.deploy(
            dev, "SavingsDrain", _m(cat, sub, "deploy_malicious_impl", "SavingsDrain", "deployer")
        )
        self.label_address(evil, "malicious", "scam_contract", sub, "SavingsDrain")
        yield 1
        self.call(dev, "UpgradeableProxy", proxy, "upgradeToAndCall", _m(cat, sub, "upgrade", "UpgradeableProxy"),
                  evil, b"")  # fmt: skip
        yield 1
        self.call(dev, "SavingsDrain", proxy, "rebalance", _m(cat, sub, "drain", "SavingsDrain"), dev)
        self.busy.difference_update(victims)

    # ------------------------------------------------------------ driver
    def run(self) -> SimResult:
        benign_w: list[tuple[Callable[[], Story], int]] = [
            (self.ok_pay_eth, 7), (self.ok_pay_token, 6), (self.ok_swap, 7), (self.ok_liquidity, 1),
            (self.ok_nft_mint, 3), (self.ok_nft_sale, 2), (self.ok_council, 1), (self.ok_airdrop, 1),
            (self.ok_batch_airdrop, 1), (self.ok_wallet, 2), (self.ok_bridge, 2), (self.ok_stake, 2),
            (self.ok_payroll, 1), (self.ok_approve_dapp, 2), (self.ok_launch, 1), (self.ok_savings, 2),
            (self.ok_upgrade, 1),
        ]  # fmt: skip
        scam_w: list[tuple[Callable[[], Story], int]] = [
            (self.bad_approve, 3), (self.bad_increase_allowance, 2), (self.bad_permit, 2), (self.bad_permit2, 2),
            (self.bad_create2, 2), (self.bad_nft_approval, 1), (self.bad_zero_order, 1), (self.bad_multicall, 2),
            (self.bad_farm_sweep, 1), (self.bad_claim, 3), (self.bad_poison_zero, 2), (self.bad_poison_dust, 2),
            (self.bad_poison_fake, 2), (self.bad_proxy_rug, 1),
        ]  # fmt: skip
        for sub in ("max_sell", "cooldown", "blacklist", "sell_tax"):
            scam_w.append((lambda sub=sub: self.bad_honeypot(sub), 1))  # type: ignore[misc]
        for sub in ("liquidity_pull", "mint_dump", "fee_change"):
            scam_w.append((lambda sub=sub: self.bad_rug(sub), 1))  # type: ignore[misc]
        active: list[tuple[int, int, Story]] = []
        todo = [f for f, _ in benign_w + scam_w]
        self.rng.shuffle(todo)
        try:
            self.setup()
            setup_txs = len(self.labels)

            def step(st: Story) -> None:
                try:
                    wait = next(st)
                except (StopIteration, _Unaffordable):
                    return
                self.story_seq += 1
                heapq.heappush(active, (self.block_idx + max(int(wait), 1), self.story_seq, st))

            while True:  # every kind is started at least once, however short the run
                if todo:
                    pass
                elif self.cfg.blocks is not None:
                    if self.block_idx >= self.cfg.blocks:
                        break
                elif self.activity_txs >= self.cfg.txs:
                    break
                before = len(self.pending)
                while active and active[0][0] <= self.block_idx:
                    step(heapq.heappop(active)[2])
                for _ in range(self.rng.choice((0, 1, 1, 2, 2, 3, 5))):
                    # scam stories run 4-30 transactions, benign ones 1-4: start scams at a
                    # quarter of the configured share, so most transactions stay benign
                    is_scam = self.rng.random() < self.cfg.malicious_share / 4
                    if todo:  # every kind once (in a seeded order) before drawing by weight
                        step(todo.pop()())
                        continue
                    pool = scam_w if is_scam else benign_w
                    fns, ws = zip(*pool, strict=True)
                    step(self.rng.choices(fns, weights=ws)[0]())
                self.activity_txs += len(self.pending) - before
                self.mine()
                self.block_idx += 1
                if self.progress:
                    self.progress(min(self.activity_txs, self.cfg.txs), self.cfg.txs)
            while active:  # finish the stories already begun
                while active and active[0][0] <= self.block_idx:
                    step(heapq.heappop(active)[2])
                if self.pending:
                    self.mine()
                self.block_idx += 1
        finally:
            try:
                self.rpc.call("evm_setAutomine", True)
            finally:
                self.rpc.close()
        contracts = {
            "tokens": self.tokens, "weth": self.weth, "nft": self.nft, "router": self.router,
            "factory": self.factory, "sig_transfer": self.sigt, "pairs": self.pairs, "order_book": self.book,
            "council_wallet": self.councilw, "batch_sender": self.batch, "wallet_factory": self.wfactory,
            "bridge": self.bridge, "pay_stream": self.stream, "savings_proxy": self.savings, "stake_pool": self.stake,
            "scam_contracts": {a.address: a.implementation for a in self.addr_labels.values()
                               if a.label == "malicious" and a.implementation and a.category != "attacker"},
        }  # fmt: skip
        return self.build_result(setup_txs, SIM_C_VERSION, contracts, family="c")


__all__ = ["FAMILY_C_DIR", "FamilyC", "merkle_tree"]
