"""Scenario family B: an independent second simulator, the held-out measure of fraud scoring.

Written apart from family A (``chainllm.chain.simulate``) with other contracts
(``contracts/scenarios_b``: OpenZeppelin 4.9 tokens, a Permit2-style signature transfer,
signed marketplace orders and multisig approvals, CREATE2 drainers, an ERC-1967 proxy) and
other mechanics. Only the signing/mining plumbing is shared. Each story is an *episode*: a
generator that sends the transactions of one step and yields how many blocks to wait before
the next, so a drain comes blocks after the victim's approval.

The chain looks different too: a long prefix of ordinary history is mined first (thousands of
blocks, accounts funded by several genesis whales at different times, so account ages and
block numbers differ from family A), blocks are 2-6 s apart, tips are higher and legacy
transactions commoner, and users are topped up through a bridge relayer, not an exchange.

Subcategories name the phishing taxonomy's subtype (approve, increase_allowance, permit,
permit2, set_approval_for_all, create2_drainer, multicall, nft_zero_price_order,
zero_value_transfer, dust, fake_token, payable_claim) and the honeypot / rug-pull mechanics
(sell_tax, blacklist, liquidity_pull, mint_dump, fee_change, proxy_upgrade); ``scenario``
names the step. Deterministic per seed on a fresh anvil, like family A.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Generator, Iterator
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak, to_checksum_address

from chainllm import config
from chainllm.chain.simulate import (
    ETHER,
    GWEI,
    MAX_UINT,
    Meta,
    SimResult,
    Simulator,
    _cached_lookalikes,
    _Unaffordable,
    benign,
    scam,
)
from chainllm.services.anvil import DEV_MNEMONIC

FAMILY_B_DIR = config.REPO_ROOT / "contracts" / "scenarios_b"
SIM_B_VERSION = "b1"
PREFIX_BLOCKS = (500, 700)  # empty blocks mined around the ordinary-history prefix

Episode = Iterator[int]  # yields blocks to wait before its next step


def _keyb(seed: int, role: str, i: int) -> bytes:
    return keccak(f"family-b/{role}/{i}/{seed}".encode())


def _tag(cat: str, sub: str, step: str, impl: str, role: str = "attacker") -> Meta:
    return scam(cat, sub, step, impl, role)


class FamilyB(Simulator):
    def __init__(self, rpc_url: str, cfg: Any, *, progress: Callable[[int, int], None] | None = None) -> None:
        if cfg.contracts_dir is None:
            from dataclasses import replace

            cfg = replace(cfg, contracts_dir=FAMILY_B_DIR)
        super().__init__(rpc_url, cfg, progress=progress)
        self.nft = "0x" + "00" * 20
        self.episode_seq = 0
        self.fresh_i = 0
        self.p2_nonce = 0
        self.approved: set[tuple[str, str]] = set()  # (owner, spender) with a standing allowance

    # ------------------------------------------------------------ chain habits (not family A's)
    def _tip(self) -> int:
        return int(GWEI * math.exp(self.rng.gauss(math.log(3.0), 1.0)))

    def _legacy(self) -> bool:
        return self.rng.random() < 0.4

    def _gap(self) -> int:
        return self.rng.choice((2, 2, 2, 3, 4, 6)) + (
            self.rng.randint(30, 300) if self.rng.random() < 0.02 else 0
        )

    def _reserve(self, user: str, need: int) -> None:
        """A user who runs low bridges ETH in: the relayer releases it (mined with this block)."""
        if self.balance(user) - self.block_spend[user] >= need:
            self.block_spend[user] += need
            return
        if user not in self.withdrawing:
            self.withdrawing.add(user)
            amount = self.rng.randint(3, 25) * ETHER
            src = "0x" + keccak(f"{user}{self.block_idx}".encode()).hex()
            meta = benign("bridge", "release", "bridge_in", "BridgeGateway", "relayer")
            self.call(
                self.relayer, "BridgeGateway", self.bridge, "release", meta, user, self.zero, amount, src
            )
        raise _Unaffordable(user)

    # ------------------------------------------------------------ helpers
    @property
    def zero(self) -> str:
        return "0x" + "00" * 20

    def tok_balance(self, sym: str, who: str) -> int:
        return int(self.view("StableCoin", self.tokens[sym], "balanceOf", who))

    def some(self, sym: str, who: str, lo: float, hi: float) -> int:
        return int(self.tok_balance(sym, who) * self.rng.uniform(lo, hi))

    def fresh_eoa(self, meta: Meta, eth: float = 0.3) -> str:
        """A brand-new attacker address funded by the hub just before use."""
        self.fresh_i += 1
        addr = self.account(_keyb(self.cfg.seed, "fresh", self.fresh_i))
        self.label_address(addr, "malicious", "attacker", meta.subcategory)
        self.send(self.hub, addr, Meta("malicious", meta.category, meta.subcategory, "fund_fresh_address",
                                        meta.implementation, "attacker"), value=int(eth * ETHER))  # fmt: skip
        return addr

    def sign_eip2612(
        self, owner: str, sym: str, spender: str, value: int, deadline: int
    ) -> tuple[int, bytes, bytes]:
        token = self.tokens[sym]
        nonce = int(self.view("StableCoin", token, "nonces", owner))
        signed = Account.sign_typed_data(
            self.keys[owner],
            domain_data={"name": self.token_names[sym], "version": "1", "chainId": self.chain_id,
                         "verifyingContract": token},
            message_types={"Permit": [{"name": "owner", "type": "address"}, {"name": "spender", "type": "address"},
                                      {"name": "value", "type": "uint256"}, {"name": "nonce", "type": "uint256"},
                                      {"name": "deadline", "type": "uint256"}]},
            message_data={"owner": owner, "spender": spender, "value": value, "nonce": nonce, "deadline": deadline},
        )  # fmt: skip
        return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")

    def sign_permit2(
        self, owner: str, token: str, amount: int, spender: str, deadline: int
    ) -> tuple[int, bytes]:
        self.p2_nonce += 1
        signed = Account.sign_typed_data(
            self.keys[owner],
            domain_data={"name": "Permit2", "chainId": self.chain_id, "verifyingContract": self.permit2},
            message_types={
                "PermitTransferFrom": [{"name": "permitted", "type": "TokenPermissions"},
                                       {"name": "spender", "type": "address"}, {"name": "nonce", "type": "uint256"},
                                       {"name": "deadline", "type": "uint256"}],
                "TokenPermissions": [{"name": "token", "type": "address"}, {"name": "amount", "type": "uint256"}],
            },
            message_data={"permitted": {"token": token, "amount": amount}, "spender": spender,
                          "nonce": self.p2_nonce, "deadline": deadline},
        )  # fmt: skip
        return self.p2_nonce, bytes(signed.signature)

    def sign_hash(self, who: str, h: bytes) -> bytes:
        return bytes(Account.sign_message(encode_defunct(primitive=h), self.keys[who]).signature)

    def approve_once(self, owner: str, sym: str, spender: str, meta: Meta) -> bool:
        """Approve ``spender`` for MAX once (wallets ask once per dApp); True when sent now."""
        if (owner, spender + sym) in self.approved:
            return False
        self.approved.add((owner, spender + sym))
        self.call(owner, "StableCoin", self.tokens[sym], "approve", meta, spender, MAX_UINT)
        return True

    def contact(self, u: str) -> str:
        return self.rng.choice(self.contacts[u])

    # ------------------------------------------------------------ setup: a chain with a past
    def setup(self) -> None:
        self.chain_id = int(self.rpc.call("eth_chainId"), 16)
        self.rpc.call("evm_setAutomine", False)
        latest = self.rpc.call("eth_getBlockByNumber", "latest", False)
        self.ts = int(latest["timestamp"], 16)
        self.base_fee = int(latest.get("baseFeePerGas") or "0x0", 16)
        self.start_block = int(latest["number"], 16) + 1
        Account.enable_unaudited_hdwallet_features()
        dev = [Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in range(3, 10)]
        whales = [self.account(bytes(d.key)) for d in dev[:4]]
        self.deployer = self.account(bytes(dev[4].key))
        self.relayer = self.account(bytes(dev[5].key))
        self.hub = self.account(bytes(dev[6].key))  # attackers' hub: funds fresh addresses
        n = self.cfg.users
        self.users = [self.account(_keyb(self.cfg.seed, "holder", i)) for i in range(n)]
        self.project = self.account(_keyb(self.cfg.seed, "project", 0))  # runs airdrops
        self.lps = [self.account(_keyb(self.cfg.seed, "lp", i)) for i in range(2)]
        self.devs = [self.account(_keyb(self.cfg.seed, "scamdev", i)) for i in range(3)]
        for u in self.users:
            self.contacts[u] = self.rng.sample([v for v in self.users if v != u], 3)
        for a, cat in (
            (self.deployer, "deployer"),
            (self.relayer, "bridge_relayer"),
            (self.project, "project"),
        ):
            self.label_address(a, "benign", cat)
        for a in self.users + self.lps:
            self.label_address(a, "benign", "eoa")
        for a in [self.hub, *self.devs]:
            self.label_address(a, "malicious", "attacker")
        self.bridge = self.deploy(self.deployer, "BridgeGateway", benign("deployment", "deploy", "protocol_launch",
                                                                        "BridgeGateway", "deployer"))  # fmt: skip
        self.label_address(self.bridge, "benign", "bridge", impl="BridgeGateway")
        # Ordinary history: whales fund accounts in waves separated by long quiet stretches.
        fund = benign("transfer", "funding", "genesis_distribution", role="funder")
        everyone = self.users + self.lps + [self.project, *self.devs]
        waves = [everyone[i::3] for i in range(3)]
        for k, wave in enumerate(waves):
            for a in wave:
                w = self.rng.choice(whales)
                self.send(w, a, fund, value=self.rng.randint(8, 120) * ETHER)
            self.send(self.rng.choice(whales), self.bridge, fund, value=200 * ETHER)
            self.mine()
            self._quiet(self.rng.randint(*PREFIX_BLOCKS) // (k + 1))
        self._deploy_protocol()
        self._deploy_scam_infra()
        # more history: payments among the older accounts before the scams start
        for _ in range(3):
            for _ in range(self.rng.randint(3, 8)):
                u = self.rng.choice(self.users)
                self.send(u, self.contact(u), benign("transfer", "eth", "p2p_payment"),
                          value=self.rng.randint(1, 400) * 10**15)  # fmt: skip
            self.mine()
            self._quiet(self.rng.randint(40, 120))

    def _quiet(self, blocks: int) -> None:
        """Empty blocks at once (anvil_mine), 2 s apart: the chain ages without activity."""
        self.rpc.call("anvil_mine", hex(blocks), hex(2))
        latest = self.rpc.call("eth_getBlockByNumber", "latest", False)
        self.ts = int(latest["timestamp"], 16)
        self.base_fee = int(latest.get("baseFeePerGas") or "0x0", 16)

    def _deploy_protocol(self) -> None:
        d = self.deployer
        m = benign("deployment", "deploy", "protocol_launch", role="deployer")
        self.token_names = {"DLT": "Dollar Token", "EURT": "Euro Token", "PGOV": "Protocol Governance"}
        self.tokens = {
            "DLT": self.deploy(d, "StableCoin", m, "Dollar Token", "DLT", 6, 80_000_000 * 10**6),
            "EURT": self.deploy(d, "StableCoin", m, "Euro Token", "EURT", 18, 40_000_000 * ETHER),
            "PGOV": self.deploy(d, "GovernanceToken", m, "Protocol Governance", "PGOV", 5_000_000 * ETHER),
        }
        self.decimals = {"DLT": 6, "EURT": 18, "PGOV": 18}
        self.nft = self.deploy(d, "GalleryNft", m, ETHER // 50)
        self.permit2 = self.deploy(d, "SignatureTransfer", m)
        self.router = self.deploy(d, "SwapRouter", m, self.permit2)
        self.market = self.deploy(d, "OrderBookMarket", m)
        self.batch = self.deploy(d, "BatchSender", m)
        self.safe_owners = sorted(self.users[:3], key=lambda a: int(a, 16))
        self.safe = self.deploy(d, "OwnersSafe", m, self.safe_owners, 2, value=30 * ETHER)
        self.vault_impl = self.deploy(d, "StakingVaultV1", m)
        init = self.data("StakingVaultV1", "initialize", d)
        self.vault = self.deploy(d, "VaultProxy", m, self.vault_impl, bytes.fromhex(init[2:]))
        self.wallets: dict[str, str] = {}
        for u in self.users[3 : 3 + max(2, len(self.users) // 5)]:
            self.wallets[u] = self.deploy(u, "SmartWallet", benign("contract_wallet", "deploy", "wallet_setup",
                                                                    "SmartWallet"), u)  # fmt: skip
        self.mine()
        for addr, cat, impl in ((self.nft, "nft", "GalleryNft"), (self.permit2, "permit2", "SignatureTransfer"),
                                (self.router, "dex", "SwapRouter"), (self.market, "nft_market", "OrderBookMarket"),
                                (self.batch, "batch_sender", "BatchSender"), (self.safe, "multisig", "OwnersSafe"),
                                (self.vault, "staking", "VaultProxy"), (self.vault_impl, "staking", "StakingVaultV1"),
                                *((w, "contract_wallet", "SmartWallet") for w in self.wallets.values())):  # fmt: skip
            self.label_address(addr, "benign", cat, impl=impl)
        for t in self.tokens.values():
            self.label_address(t, "benign", "token", impl="StableCoin")
        self.lp_pools: dict[str, str] = {}
        for sym, t in self.tokens.items():
            self.lp_pools[sym] = self.deploy(d, "LiquidityPool", m, t)
            self.label_address(self.lp_pools[sym], "benign", "dex", impl="LiquidityPool")
        dist = benign("token_transfer", "distribution", "token_distribution", "StableCoin", "deployer")
        for sym, t in self.tokens.items():
            unit = 10 ** self.decimals[sym]
            for a in [*self.users, *self.lps, self.project, self.hub]:
                self.call(d, "StableCoin", t, "transfer", dist, a, self.rng.randint(200, 30_000) * unit)
            self.call(d, "StableCoin", t, "transfer", dist, self.bridge, 1_000_000 * unit)
        self.mine()
        prices = {"DLT": 2500, "EURT": 2300, "PGOV": 60}
        for sym in self.tokens:
            lp_meta = benign("approval", "approve", "liquidity_setup", "LiquidityPool", "lp")
            self.call(d, "StableCoin", self.tokens[sym], "approve", lp_meta, self.lp_pools[sym], MAX_UINT)
            for lp in self.lps:
                self.call(
                    lp, "StableCoin", self.tokens[sym], "approve", lp_meta, self.lp_pools[sym], MAX_UINT
                )
        self.mine()
        for sym in self.tokens:
            eth = 150 * ETHER
            add = benign("liquidity", "add", "protocol_launch", "LiquidityPool", "deployer")
            self.call(d, "LiquidityPool", self.lp_pools[sym], "addLiquidity", add,
                      prices[sym] * 150 * 10 ** self.decimals[sym], value=eth)  # fmt: skip
        self.mine()

    def _deploy_scam_infra(self) -> None:
        h = self.hub
        self.factory = self.deploy(
            h, "CollectorFactory", _tag("ice_phishing", "create2_drainer", "deploy", "CollectorFactory")
        )
        self.executor = self.deploy(
            self.devs[0], "BatchExecutor", _tag("ice_phishing", "multicall", "deploy", "BatchExecutor")
        )
        self.rmulti = self.deploy(
            self.devs[1], "RewardsMulticall", _tag("ice_phishing", "multicall", "deploy", "RewardsMulticall")
        )
        self.portal = self.deploy(
            self.devs[2], "RewardsPortal", _tag("payable_scam", "payable_claim", "deploy", "RewardsPortal")
        )
        self.feecol = self.deploy(
            h, "NetworkFeeCollector", _tag("payable_scam", "payable_claim", "deploy", "NetworkFeeCollector")
        )
        self.writer = self.deploy(
            self.devs[0],
            "HistoryWriter",
            _tag("address_poisoning", "zero_value_transfer", "deploy", "HistoryWriter"),
        )
        self.fake = self.deploy(self.devs[1], "LookalikeCoin", _tag("address_poisoning", "fake_token", "deploy", "LookalikeCoin"),
                                "Dollar Token", "DLT", 6)  # fmt: skip
        for addr, cat, sub, impl in (
            (self.factory, "drainer", "create2_drainer", "CollectorFactory"),
            (self.executor, "drainer", "multicall", "BatchExecutor"),
            (self.rmulti, "drainer", "multicall", "RewardsMulticall"),
            (self.portal, "scam_contract", "payable_claim", "RewardsPortal"),
            (self.feecol, "scam_contract", "payable_claim", "NetworkFeeCollector"),
            (self.writer, "poisoner", "zero_value_transfer", "HistoryWriter"),
            (self.fake, "phishing_token", "fake_token", "LookalikeCoin"),
        ):
            self.label_address(addr, "malicious", cat, sub, impl)
        targets = sorted({c for u in self.users for c in self.contacts[u][:1]})[:6]
        self.lookalikes = _cached_lookalikes(targets, self.cfg.seed + 7_919_000)
        for _target, (addr, key) in sorted(self.lookalikes.items()):
            self.keys[addr] = key
            self.label_address(addr, "malicious", "poisoner", "lookalike")
        self.mine()

    # ------------------------------------------------------------ benign episodes
    def e_pay_eth(self) -> Episode:
        u = self.rng.choice(self.users)
        value = int(ETHER * math.exp(self.rng.gauss(math.log(0.15), 1.0))) // 10**13 * 10**13
        value = min(value, self.balance(u) // 4)
        if value <= 0:
            return
        w = self.wallets.get(u)
        if w and self.rng.random() < 0.5:
            if self.balance(w) < value:
                self.send(
                    u, w, benign("contract_wallet", "fund", "wallet_top_up", "SmartWallet"), value=value * 3
                )
                yield self.rng.randint(1, 3)
            self.call(u, "SmartWallet", w, "exec", benign("contract_wallet", "exec_eth", "wallet_payment", "SmartWallet"),
                      self.contact(u), value, b"")  # fmt: skip
        else:
            self.send(u, self.contact(u), benign("transfer", "eth", "p2p_payment"), value=value)

    def e_pay_token(self) -> Episode:
        u = self.rng.choice(self.users)
        sym = self.rng.choice(("DLT", "EURT", "PGOV"))
        amount = self.some(sym, u, 0.02, 0.25)
        if amount <= 0:
            return
        to = self.contact(u)
        w = self.wallets.get(u)
        if w and self.rng.random() < 0.5:
            if self.tok_balance(sym, w) < amount:
                self.call(u, "StableCoin", self.tokens[sym], "transfer",
                          benign("contract_wallet", "fund", "wallet_top_up", "StableCoin"), w, amount * 2)  # fmt: skip
                yield self.rng.randint(1, 3)
            inner = self.data("StableCoin", "transfer", to, amount)
            self.call(u, "SmartWallet", w, "exec", benign("contract_wallet", "exec_token", "wallet_payment", "SmartWallet"),
                      self.tokens[sym], 0, bytes.fromhex(inner[2:]))  # fmt: skip
        else:
            self.call(u, "StableCoin", self.tokens[sym], "transfer",
                      benign("token_transfer", "erc20", "p2p_payment", "StableCoin"), to, amount)  # fmt: skip

    def e_swap_buy(self) -> Episode:
        u = self.rng.choice(self.users)
        sym = self.rng.choice(list(self.lp_pools))
        value = int(ETHER * self.rng.uniform(0.05, 1.5))
        self.call(u, "SwapRouter", self.router, "swapExactEthForTokens",
                  benign("swap", "buy", "dex_swap", "SwapRouter"), self.lp_pools[sym], 1, value=value)  # fmt: skip
        yield 0

    def e_swap_sell(self) -> Episode:
        u = self.rng.choice(self.users)
        sym = self.rng.choice(list(self.lp_pools))
        amount = self.some(sym, u, 0.05, 0.3)
        if amount <= 0:
            return
        if self.rng.random() < 0.5:  # classic: approve the router (max, once), then swap
            if self.approve_once(
                u, sym, self.router, benign("approval", "approve", "dex_swap", "SwapRouter")
            ):
                yield self.rng.randint(1, 4)
            self.call(u, "SwapRouter", self.router, "swapExactTokensForEth",
                      benign("swap", "sell", "dex_swap", "SwapRouter"), self.lp_pools[sym], amount, 1)  # fmt: skip
        else:  # Permit2 style: approve the signature contract once, sign per swap
            if self.approve_once(
                u, sym, self.permit2, benign("approval", "approve", "permit2_setup", "SignatureTransfer")
            ):
                yield self.rng.randint(1, 4)
            deadline = self.ts + 1800
            nonce, sig = self.sign_permit2(u, self.tokens[sym], amount, self.router, deadline)
            self.call(u, "SwapRouter", self.router, "swapWithSignature",
                      benign("swap", "sell_permit2", "dex_swap", "SwapRouter"), self.lp_pools[sym], amount, 1,
                      nonce, deadline, sig)  # fmt: skip

    def e_nft_mint(self) -> Episode:
        u = self.rng.choice(self.users)
        n = self.rng.randint(1, 3)
        self.call(u, "GalleryNft", self.nft, "mint", benign("nft", "mint", "public_mint", "GalleryNft"), n,
                  value=n * (ETHER // 50))  # fmt: skip
        yield 0

    def e_nft_sale(self) -> Episode:
        owned = [(i, o) for i, o in sorted(self.nft_owner.items()) if o in self.users]
        if not owned:
            yield from self.e_nft_mint()
            return
        nft_id, seller = self.rng.choice(owned)
        buyer = self.rng.choice([u for u in self.users if u != seller])
        if (seller, self.market) not in self.approved:
            self.approved.add((seller, self.market))
            self.call(seller, "GalleryNft", self.nft, "setApprovalForAll",
                      benign("approval", "set_approval_for_all", "marketplace_listing", "OrderBookMarket"),
                      self.market, True)  # fmt: skip
            yield self.rng.randint(1, 5)
        if self.nft_owner.get(nft_id) != seller:
            return
        price = self.rng.randint(1, 80) * ETHER // 100
        expiry, salt = self.ts + 7 * 86400, self.rng.randint(1, 2**64)
        h = self.view(
            "OrderBookMarket",
            self.market,
            "orderHash",
            seller,
            self.nft,
            nft_id,
            price,
            self.zero,
            expiry,
            salt,
        )
        sig = self.sign_hash(seller, h)
        yield self.rng.randint(1, 6)  # listed; a buyer comes along
        if self.nft_owner.get(nft_id) != seller:
            return
        self.call(buyer, "OrderBookMarket", self.market, "fill", benign("nft", "buy", "marketplace_sale", "OrderBookMarket"),
                  seller, self.nft, nft_id, price, self.zero, expiry, salt, sig, value=price)  # fmt: skip

    def e_multisig(self) -> Episode:
        payee = self.rng.choice(self.users[3:])
        if self.rng.random() < 0.5:
            to, value, data = payee, self.rng.randint(1, 20) * ETHER // 10, b""
        else:
            to, value = self.tokens["DLT"], 0
            if self.tok_balance("DLT", self.safe) < 10**9:
                self.call(self.deployer, "StableCoin", self.tokens["DLT"], "transfer",
                          benign("multisig", "fund", "treasury_top_up", "OwnersSafe", "deployer"), self.safe,
                          500_000 * 10**6)  # fmt: skip
                yield 1
            data = bytes.fromhex(
                self.data("StableCoin", "transfer", payee, self.rng.randint(100, 5000) * 10**6)[2:]
            )
        n = int(self.view("OwnersSafe", self.safe, "nonce"))
        h = self.view("OwnersSafe", self.safe, "txHash", to, value, data, n)
        signers = sorted(self.rng.sample(self.safe_owners, 2), key=lambda a: int(a, 16))
        sigs = [self.sign_hash(s, h) for s in signers]
        submitter = self.rng.choice(self.safe_owners)
        self.call(submitter, "OwnersSafe", self.safe, "execute", benign("multisig", "execute", "treasury_payment", "OwnersSafe"),
                  to, value, data, sigs)  # fmt: skip
        yield 0

    def e_airdrop(self) -> Episode:
        recips = self.rng.sample(self.users, min(len(self.users), self.rng.randint(4, 12)))
        if self.rng.random() < 0.4:
            amounts = [self.rng.randint(1, 50) * 10**15 for _ in recips]
            self.call(self.project, "BatchSender", self.batch, "sendEther",
                      benign("airdrop", "batch_eth", "community_airdrop", "BatchSender", "project"), recips, amounts,
                      value=sum(amounts))  # fmt: skip
            return
        sym = self.rng.choice(("EURT", "PGOV"))
        if self.approve_once(
            self.project,
            sym,
            self.batch,
            benign("approval", "approve", "airdrop_setup", "BatchSender", "project"),
        ):
            yield 1
        unit = 10 ** self.decimals[sym]
        amounts = [self.rng.randint(1, 30) * unit for _ in recips]
        self.call(self.project, "BatchSender", self.batch, "sendToken",
                  benign("airdrop", "batch_token", "community_airdrop", "BatchSender", "project"), self.tokens[sym],
                  recips, amounts)  # fmt: skip

    def e_bridge(self) -> Episode:
        u = self.rng.choice(self.users)
        if self.rng.random() < 0.5:
            self.call(u, "BridgeGateway", self.bridge, "depositEth", benign("bridge", "deposit_eth", "bridge_out", "BridgeGateway"),
                      10, u, value=self.rng.randint(5, 200) * 10**16)  # fmt: skip
            return
        sym = self.rng.choice(("DLT", "EURT"))
        amount = self.some(sym, u, 0.05, 0.2)
        if amount <= 0:
            return
        # dApps that ask for the exact amount each time (approve, then deposit)
        self.call(u, "StableCoin", self.tokens[sym], "approve", benign("approval", "approve", "bridge_out", "BridgeGateway"),
                  self.bridge, amount)  # fmt: skip
        yield self.rng.randint(1, 3)
        self.call(u, "BridgeGateway", self.bridge, "depositToken", benign("bridge", "deposit_token", "bridge_out", "BridgeGateway"),
                  self.tokens[sym], amount, 10, u)  # fmt: skip
        yield self.rng.randint(5, 20)
        if self.rng.random() < 0.5:  # and back again later
            src = "0x" + keccak(f"back{u}{self.block_idx}".encode()).hex()
            self.call(self.relayer, "BridgeGateway", self.bridge, "release",
                      benign("bridge", "release", "bridge_in", "BridgeGateway", "relayer"), u, self.tokens[sym],
                      amount * 9 // 10, src)  # fmt: skip

    def e_stake(self) -> Episode:
        u = self.rng.choice(self.users)
        if self.rng.random() < 0.6:
            value = self.rng.randint(1, 30) * 10**17
            self.call(
                u,
                "StakingVaultV1",
                self.vault,
                "stake",
                benign("staking", "stake", "staking", "VaultProxy"),
                value=value,
            )
            yield self.rng.randint(10, 40)
            self.call(u, "StakingVaultV1", self.vault, "unstake", benign("staking", "unstake", "staking", "VaultProxy"),
                      value // 2)  # fmt: skip
        else:
            amount = self.some("EURT", u, 0.05, 0.3)
            if amount <= 0:
                return
            if self.approve_once(
                u, "EURT", self.vault, benign("approval", "approve", "staking", "VaultProxy")
            ):
                yield self.rng.randint(1, 3)
            self.call(u, "StakingVaultV1", self.vault, "stakeToken", benign("staking", "stake_token", "staking", "VaultProxy"),
                      self.tokens["EURT"], amount)  # fmt: skip

    def e_liquidity(self) -> Episode:
        lp = self.rng.choice(self.lps)
        sym = self.rng.choice(list(self.lp_pools))
        pool = self.lp_pools[sym]
        eth = self.rng.randint(1, 8) * ETHER
        rt, re_ = (
            int(self.view("LiquidityPool", pool, "reserveToken")),
            int(self.view("LiquidityPool", pool, "reserveEth")),
        )
        amount = eth * rt // max(re_, 1) * 101 // 100
        if self.tok_balance(sym, lp) < amount:
            return
        self.call(lp, "LiquidityPool", pool, "addLiquidity", benign("liquidity", "add", "market_making", "LiquidityPool", "lp"),
                  amount, value=eth)  # fmt: skip
        yield self.rng.randint(15, 60)
        shares = int(self.view("LiquidityPool", pool, "shares", lp))
        if shares:  # an honest LP takes (all or part of) its liquidity out again
            self.call(lp, "LiquidityPool", pool, "removeLiquidity",
                      benign("liquidity", "remove", "market_making", "LiquidityPool", "lp"),
                      shares if self.rng.random() < 0.3 else shares // 2)  # fmt: skip

    def e_allowance_to_friend(self) -> Episode:
        """An honest allowance to a long-known EOA, spent later by that friend."""
        u = self.rng.choice(self.users)
        friend = self.contact(u)
        amount = self.some("DLT", u, 0.01, 0.1)
        if amount <= 0:
            return
        self.call(u, "StableCoin", self.tokens["DLT"], "approve",
                  benign("approval", "approve", "shared_budget", "StableCoin"), friend, amount)  # fmt: skip
        yield self.rng.randint(3, 20)
        self.call(friend, "StableCoin", self.tokens["DLT"], "transferFrom",
                  benign("token_transfer", "transfer_from", "shared_budget", "StableCoin"), u, friend, amount // 2)  # fmt: skip

    def e_protocol_upgrade(self) -> Episode:
        """The honest staking protocol ships a V2 implementation (once)."""
        if getattr(self, "upgraded", False):
            return
        self.upgraded = True
        m = benign("deployment", "deploy", "protocol_upgrade", "StakingVaultV2", "deployer")
        impl = self.deploy(self.deployer, "StakingVaultV2", m)
        self.label_address(impl, "benign", "staking", impl="StakingVaultV2")
        yield self.rng.randint(3, 10)
        self.call(self.deployer, "StakingVaultV1", self.vault, "upgradeTo",
                  benign("upgrade", "upgrade_to", "protocol_upgrade", "VaultProxy", "deployer"), impl)  # fmt: skip

    # ------------------------------------------------------------ scam episodes
    def _victim(self) -> str:
        return self.rng.choice(self.users)

    def s_approve_eoa(self, sub: str = "approve") -> Episode:
        v = self._victim()
        sym = self.rng.choice(("DLT", "EURT", "PGOV"))
        impl = "FreshEOA"
        x = self.fresh_eoa(_tag("ice_phishing", sub, "", impl))
        yield self.rng.randint(1, 5)
        fn = "increaseAllowance" if sub == "increase_allowance" else "approve"
        amount = MAX_UINT if fn == "approve" and self.rng.random() < 0.7 else 10**30
        self.call(v, "StableCoin", self.tokens[sym], fn, _tag("ice_phishing", sub, "victim_grants_allowance", impl, "victim"),
                  x, amount)  # fmt: skip
        yield self.rng.randint(1, 10)
        bal = self.tok_balance(sym, v)
        if bal:
            dest = x if self.rng.random() < 0.5 else self.hub
            self.call(x, "StableCoin", self.tokens[sym], "transferFrom", _tag("ice_phishing", sub, "sweep", impl),
                      v, dest, bal)  # fmt: skip

    def s_increase_allowance(self) -> Episode:
        yield from self.s_approve_eoa("increase_allowance")

    def s_permit_eoa(self) -> Episode:
        v = self._victim()
        sym = self.rng.choice(("DLT", "EURT"))
        x = self.fresh_eoa(_tag("ice_phishing", "permit", "", "FreshEOA"))
        yield self.rng.randint(1, 4)
        value = self.some(sym, v, 0.6, 1.0)
        if value <= 0:
            return
        deadline = self.ts + 3600
        pv, r, s = self.sign_eip2612(v, sym, x, value, deadline)  # signed on a phishing page
        self.call(x, "StableCoin", self.tokens[sym], "permit", _tag("ice_phishing", "permit", "submit_signature", "FreshEOA"),
                  v, x, value, deadline, pv, r, s)  # fmt: skip
        yield self.rng.randint(1, 3)
        self.call(x, "StableCoin", self.tokens[sym], "transferFrom", _tag("ice_phishing", "permit", "sweep", "FreshEOA"),
                  v, x, value)  # fmt: skip

    def s_permit2(self) -> Episode:
        v = self._victim()
        sym = self.rng.choice(("DLT", "EURT", "PGOV"))
        if self.approve_once(
            v, sym, self.permit2, benign("approval", "approve", "permit2_setup", "SignatureTransfer")
        ):
            yield self.rng.randint(2, 8)  # an honest-looking one-time approval of the Permit2 contract
        x = self.fresh_eoa(_tag("ice_phishing", "permit2", "", "SignatureTransfer"))
        yield self.rng.randint(1, 4)
        amount = self.some(sym, v, 0.7, 1.0)
        if amount <= 0:
            return
        deadline = self.ts + 3600
        nonce, sig = self.sign_permit2(v, self.tokens[sym], amount, x, deadline)
        self.call(x, "SignatureTransfer", self.permit2, "permitTransferFrom",
                  _tag("ice_phishing", "permit2", "submit_signature", "SignatureTransfer"),
                  ((self.tokens[sym], amount), nonce, deadline), (x, amount), v, sig)  # fmt: skip

    def s_nft_approval(self) -> Episode:
        owned = [(i, o) for i, o in sorted(self.nft_owner.items()) if o in self.users]
        if not owned:
            return
        v = self.rng.choice(owned)[1]
        x = self.fresh_eoa(_tag("ice_phishing", "set_approval_for_all", "", "FreshEOA"))
        yield self.rng.randint(1, 4)
        self.call(v, "GalleryNft", self.nft, "setApprovalForAll",
                  _tag("ice_phishing", "set_approval_for_all", "victim_grants_operator", "FreshEOA", "victim"), x, True)  # fmt: skip
        yield self.rng.randint(1, 8)
        for i in [i for i, o in sorted(self.nft_owner.items()) if o == v][:3]:
            self.call(x, "GalleryNft", self.nft, "transferFrom",
                      _tag("ice_phishing", "set_approval_for_all", "sweep", "FreshEOA"), v, x, i)  # fmt: skip

    def s_create2(self) -> Episode:
        victims = self.rng.sample(self.users, self.rng.randint(1, 3))
        toks = [self.tokens[self.rng.choice(("DLT", "EURT", "PGOV"))] for _ in victims]
        salt = keccak(f"salt{self.episode_seq}".encode())
        at = to_checksum_address(self.view("CollectorFactory", self.factory, "predict", salt, toks, victims))
        self.label_address(at, "malicious", "drainer", "create2_drainer", "Collector")
        for v, t in zip(victims, toks, strict=True):  # approvals to an address with no code yet
            self.call(v, "StableCoin", t, "approve",
                      _tag("ice_phishing", "create2_drainer", "victim_grants_allowance", "Collector", "victim"), at, MAX_UINT)  # fmt: skip
            yield self.rng.randint(1, 3)
        yield self.rng.randint(1, 6)
        self.call(self.hub, "CollectorFactory", self.factory, "launch",
                  _tag("ice_phishing", "create2_drainer", "deploy_and_sweep", "Collector"), salt, toks, victims)  # fmt: skip

    def s_batch_executor(self) -> Episode:
        victims = self.rng.sample(self.users, self.rng.randint(1, 3))
        plan = []
        for v in victims:
            sym = self.rng.choice(("DLT", "EURT", "PGOV"))
            self.call(v, "StableCoin", self.tokens[sym], "approve",
                      _tag("ice_phishing", "multicall", "victim_grants_allowance", "BatchExecutor", "victim"), self.executor,
                      MAX_UINT)  # fmt: skip
            plan.append((v, sym))
            yield self.rng.randint(1, 4)
        ops = []
        for v, sym in plan:
            bal = self.tok_balance(sym, v)
            if bal:
                data = self.data("StableCoin", "transferFrom", v, self.devs[0], bal)
                ops.append((self.tokens[sym], bytes.fromhex(data[2:])))
        if ops:
            self.call(self.devs[0], "BatchExecutor", self.executor, "aggregate",
                      _tag("ice_phishing", "multicall", "batch_sweep", "BatchExecutor"), ops)  # fmt: skip

    def s_multicall_claim(self) -> Episode:
        v = self._victim()
        syms = self.rng.sample(["DLT", "EURT", "PGOV"], 2)
        for sym in syms:
            self.call(v, "StableCoin", self.tokens[sym], "approve",
                      _tag("ice_phishing", "multicall", "victim_grants_allowance", "RewardsMulticall", "victim"), self.rmulti,
                      MAX_UINT)  # fmt: skip
        yield self.rng.randint(1, 4)
        calls = [bytes.fromhex("00" * 12 + self.tokens[s][2:].lower()) for s in syms]
        self.call(v, "RewardsMulticall", self.rmulti, "multicall",
                  _tag("ice_phishing", "multicall", "victim_claims", "RewardsMulticall", "victim"), calls,
                  value=self.rng.randint(1, 20) * 10**16)  # fmt: skip

    def s_payable_claim(self) -> Episode:
        v = self._victim()
        fee = self.rng.randint(5, 80) * 10**15
        if self.rng.random() < 0.5:
            self.call(v, "RewardsPortal", self.portal, "claim",
                      _tag("payable_scam", "payable_claim", "victim_pays_claim", "RewardsPortal", "victim"), value=fee)  # fmt: skip
        else:
            sel = "0x" + keccak(text="SecurityUpdate()")[:4].hex()
            self.send(v, self.feecol, _tag("payable_scam", "payable_claim", "victim_pays_claim", "NetworkFeeCollector", "victim"),
                      data=sel, value=fee)  # fmt: skip
            yield self.rng.randint(5, 30)
            if self.rng.random() < 0.4:
                self.call(self.hub, "NetworkFeeCollector", self.feecol, "collect",
                          _tag("payable_scam", "payable_claim", "collect", "NetworkFeeCollector"))  # fmt: skip

    def _poison_target(self) -> tuple[str, str, str] | None:
        opts = [(u, c) for u in self.users for c in self.contacts[u] if c in self.lookalikes]
        if not opts:
            return None
        v, c = self.rng.choice(opts)
        return v, c, self.lookalikes[c][0]

    def _victim_pays_lookalike(self, v: str, look: str, impl: str) -> Episode:
        if self.rng.random() < 0.35:  # the victim copies the planted address from its history
            yield self.rng.randint(2, 15)
            amount = self.some("DLT", v, 0.05, 0.3)
            if amount:
                self.call(v, "StableCoin", self.tokens["DLT"], "transfer",
                          _tag("address_poisoning", "victim_transfer", "victim_pays_lookalike", impl, "victim"), look, amount)  # fmt: skip

    def s_poison_zero(self) -> Episode:
        t = self._poison_target()
        if t is None:
            return
        v, _c, look = t
        self.call(self.devs[0], "HistoryWriter", self.writer, "write",
                  _tag("address_poisoning", "zero_value_transfer", "plant_history", "HistoryWriter"), self.tokens["DLT"],
                  [v], [look])  # fmt: skip
        yield from self._victim_pays_lookalike(v, look, "HistoryWriter")

    def s_poison_dust(self) -> Episode:
        t = self._poison_target()
        if t is None:
            return
        v, _c, look = t
        if self.balance(look) < 10**16:
            self.send(
                self.hub,
                look,
                _tag("address_poisoning", "dust", "fund_lookalike", "LookalikeEOA"),
                value=5 * 10**16,
            )
            yield 1
        if self.tok_balance("DLT", look) < 10:
            self.call(self.hub, "StableCoin", self.tokens["DLT"], "transfer",
                      _tag("address_poisoning", "dust", "fund_lookalike", "LookalikeEOA"), look, 1000)  # fmt: skip
            yield 1
        self.call(look, "StableCoin", self.tokens["DLT"], "transfer",
                  _tag("address_poisoning", "dust", "send_dust", "LookalikeEOA"), v, self.rng.randint(1, 9))  # fmt: skip
        yield from self._victim_pays_lookalike(v, look, "LookalikeEOA")

    def s_poison_fake(self) -> Episode:
        t = self._poison_target()
        if t is None:
            return
        v, _c, look = t
        amt = self.rng.randint(10, 900) * 10**6
        self.call(self.devs[1], "LookalikeCoin", self.fake, "emitTransfers",
                  _tag("address_poisoning", "fake_token", "fake_transfer_event", "LookalikeCoin"), [v], [look], [amt])  # fmt: skip
        yield from self._victim_pays_lookalike(v, look, "LookalikeCoin")

    def s_nft_zero_order(self) -> Episode:
        owned = [(i, o) for i, o in sorted(self.nft_owner.items()) if o in self.users]
        if not owned:
            return
        nft_id, v = self.rng.choice(owned)
        x = self.fresh_eoa(_tag("ice_phishing", "nft_zero_price_order", "", "OrderBookMarket"))
        if (v, self.market) not in self.approved:
            self.approved.add((v, self.market))
            self.call(v, "GalleryNft", self.nft, "setApprovalForAll",
                      benign("approval", "set_approval_for_all", "marketplace_listing", "OrderBookMarket"), self.market, True)  # fmt: skip
        yield self.rng.randint(1, 5)
        if self.nft_owner.get(nft_id) != v:
            return
        expiry, salt = self.ts + 86400, self.rng.randint(1, 2**64)
        h = self.view("OrderBookMarket", self.market, "orderHash", v, self.nft, nft_id, 0, x, expiry, salt)
        sig = self.sign_hash(v, h)  # the victim signed a "login" message that was a 0-price order
        self.call(x, "OrderBookMarket", self.market, "fill",
                  _tag("ice_phishing", "nft_zero_price_order", "fill_zero_price", "OrderBookMarket"),
                  v, self.nft, nft_id, 0, x, expiry, salt, sig)  # fmt: skip

    def _launch(
        self, impl: str, cat: str, sub: str, args: tuple[Any, ...]
    ) -> Generator[int, None, tuple[str, str, str]]:
        """Deploy a fresh scam token and its pool, add liquidity; returns (owner, token, pool)."""
        dev = self.rng.choice(self.devs)
        m = _tag(cat, sub, "launch", impl)
        if self.balance(dev) < 30 * ETHER:  # the hub bankrolls its launches
            self.send(self.hub, dev, _tag(cat, sub, "fund_launch", impl), value=60 * ETHER)
            yield 1
        token = self.deploy(dev, impl, m, *args)
        pool = self.deploy(dev, "LiquidityPool", m, token)
        self.label_address(
            token, "malicious", "honeypot_token" if cat == "honeypot" else "rug_pull_token", sub, impl
        )
        self.label_address(pool, "malicious", "scam_pool", sub, impl)
        yield 1
        self.call(dev, impl, token, "setMarket", m, pool)
        self.call(dev, impl, token, "approve", m, pool, MAX_UINT)
        yield 1
        supply = int(self.view(impl, token, "totalSupply"))
        self.call(
            dev, "LiquidityPool", pool, "addLiquidity", m, supply // 2, value=self.rng.randint(4, 12) * ETHER
        )
        yield 1
        return dev, token, pool

    def _victims_buy(self, impl: str, cat: str, sub: str, pool: str) -> Generator[int, None, list[str]]:
        buyers = self.rng.sample(self.users, self.rng.randint(2, 5))
        for b in buyers:
            self.call(b, "SwapRouter", self.router, "swapExactEthForTokens",
                      _tag(cat, sub, "victim_buys", impl, "victim"), pool, 1, value=self.rng.randint(5, 80) * 10**16)  # fmt: skip
            yield self.rng.randint(1, 4)
        return buyers

    def _victims_sell(
        self, impl: str, cat: str, sub: str, token: str, pool: str, buyers: list[str]
    ) -> Iterator[int]:
        for b in buyers:
            bal = int(self.view(impl, token, "balanceOf", b))
            if not bal:
                continue
            self.call(
                b,
                impl,
                token,
                "approve",
                _tag(cat, sub, "victim_approves_router", impl, "victim"),
                self.router,
                MAX_UINT,
            )
            yield self.rng.randint(1, 3)
            self.call(b, "SwapRouter", self.router, "swapExactTokensForEth",
                      _tag(cat, sub, "victim_sells", impl, "victim"), pool, bal, 1)  # fmt: skip
            yield self.rng.randint(1, 3)

    def _pull(self, impl: str, cat: str, sub: str, dev: str, pool: str) -> None:
        shares = int(self.view("LiquidityPool", pool, "shares", dev))
        if shares:
            self.call(
                dev,
                "LiquidityPool",
                pool,
                "removeLiquidity",
                _tag(cat, sub, "remove_liquidity", impl),
                shares,
            )

    def s_honeypot(self, which: str = "") -> Episode:
        impl = which or self.rng.choice(("MoonToken", "AntiBotToken"))
        sub = "sell_tax" if impl == "MoonToken" else "blacklist"
        dev, token, pool = yield from self._launch(impl, "honeypot", sub, (10**9 * ETHER,))
        if impl == "MoonToken":
            self.call(dev, impl, token, "setSellTax", _tag("honeypot", sub, "raise_sell_tax", impl), 9_900)
        else:
            self.call(dev, impl, token, "setGuard", _tag("honeypot", sub, "enable_guard", impl), True)
        yield 1
        buyers = yield from self._victims_buy(impl, "honeypot", sub, pool)
        yield from self._victims_sell(impl, "honeypot", sub, token, pool, buyers)
        yield self.rng.randint(2, 10)
        self._pull(impl, "honeypot", sub, dev, pool)

    def s_rug(self) -> Episode:
        sub = self.rng.choice(("liquidity_pull", "mint_dump", "fee_change"))
        impl = "FarmToken"
        dev, token, pool = yield from self._launch(impl, "rug_pull", sub, (10**8 * ETHER,))
        buyers = yield from self._victims_buy(impl, "rug_pull", sub, pool)
        yield self.rng.randint(3, 15)
        if sub == "liquidity_pull":
            self._pull(impl, "rug_pull", sub, dev, pool)
        elif sub == "mint_dump":
            amount = 10**11 * ETHER
            self.call(dev, impl, token, "mint", _tag("rug_pull", sub, "owner_mint", impl), dev, amount)
            self.call(
                dev, impl, token, "approve", _tag("rug_pull", sub, "owner_mint", impl), self.router, MAX_UINT
            )
            yield 1
            self.call(dev, "SwapRouter", self.router, "swapExactTokensForEth", _tag("rug_pull", sub, "dump", impl),
                      pool, amount, 1)  # fmt: skip
        else:
            self.call(dev, impl, token, "setFee", _tag("rug_pull", sub, "raise_fee", impl), 9_500)
            yield 1
            yield from self._victims_sell(impl, "rug_pull", sub, token, pool, buyers[:2])
            self._pull(impl, "rug_pull", sub, dev, pool)

    def s_proxy_rug(self) -> Episode:
        dev = self.rng.choice(self.devs)
        sub, cat = "proxy_upgrade", "rug_pull"
        m = _tag(cat, sub, "launch", "VaultProxy")
        if self.balance(dev) < 5 * ETHER:
            self.send(self.hub, dev, _tag(cat, sub, "fund_launch", "VaultProxy"), value=20 * ETHER)
            yield 1
        impl = self.deploy(dev, "StakingVaultV1", m)
        yield 1
        init = self.data("StakingVaultV1", "initialize", dev)
        proxy = self.deploy(dev, "VaultProxy", m, impl, bytes.fromhex(init[2:]))
        self.label_address(proxy, "malicious", "rug_pull_token", sub, "VaultProxy")
        yield 1
        stakers = self.rng.sample(self.users, self.rng.randint(2, 4))
        for s in stakers:
            self.call(s, "StakingVaultV1", proxy, "stake", _tag(cat, sub, "victim_stakes", "VaultProxy", "victim"),
                      value=self.rng.randint(2, 40) * 10**17)  # fmt: skip
            yield self.rng.randint(1, 4)
        evil = self.deploy(
            dev, "StakingVaultMigrator", _tag(cat, sub, "deploy_malicious_impl", "StakingVaultMigrator")
        )
        self.label_address(evil, "malicious", "scam_contract", sub, "StakingVaultMigrator")
        yield self.rng.randint(1, 5)
        self.call(dev, "StakingVaultV1", proxy, "upgradeTo", _tag(cat, sub, "upgrade", "VaultProxy"), evil)
        yield self.rng.randint(1, 3)
        self.call(
            dev, "StakingVaultMigrator", proxy, "migrate", _tag(cat, sub, "drain", "VaultProxy"), dev, []
        )

    # ------------------------------------------------------------ driver
    def run(self) -> SimResult:
        benign_w: list[tuple[Callable[[], Episode], int]] = [
            (self.e_pay_eth, 6), (self.e_pay_token, 6), (self.e_swap_buy, 4), (self.e_swap_sell, 5),
            (self.e_nft_mint, 2), (self.e_nft_sale, 3), (self.e_multisig, 1), (self.e_airdrop, 1),
            (self.e_bridge, 2), (self.e_stake, 2), (self.e_liquidity, 1), (self.e_allowance_to_friend, 1),
            (self.e_protocol_upgrade, 1),
        ]  # fmt: skip
        scam_w: list[tuple[Callable[[], Episode], int]] = [
            (self.s_approve_eoa, 3), (self.s_increase_allowance, 2), (self.s_permit_eoa, 2), (self.s_permit2, 2),
            (self.s_nft_approval, 1), (self.s_create2, 2), (self.s_batch_executor, 2), (self.s_multicall_claim, 1),
            (self.s_payable_claim, 2), (self.s_poison_zero, 2), (self.s_poison_dust, 2), (self.s_poison_fake, 2),
            (self.s_nft_zero_order, 1), (self.s_honeypot, 2), (self.s_rug, 2), (self.s_proxy_rug, 1),
        ]  # fmt: skip
        active: list[tuple[int, int, Episode]] = []
        try:
            self.setup()
            setup_txs = len(self.labels)

            def advance(ep: Episode) -> None:
                try:
                    wait = next(ep)
                except (StopIteration, _Unaffordable):
                    return
                self.episode_seq += 1
                heapq.heappush(active, (self.block_idx + max(int(wait), 1), self.episode_seq, ep))

            while True:
                if self.cfg.blocks is not None:
                    if self.block_idx >= self.cfg.blocks:
                        break
                elif self.activity_txs >= self.cfg.txs:
                    break
                before = len(self.pending)
                while active and active[0][0] <= self.block_idx:
                    advance(heapq.heappop(active)[2])
                for _ in range(self.rng.randint(1, 4)):
                    pool = scam_w if self.rng.random() < self.cfg.malicious_share else benign_w
                    fns, ws = zip(*pool, strict=True)
                    advance(self.rng.choices(fns, weights=ws)[0]())
                self.activity_txs += len(self.pending) - before
                self.mine()
                self.block_idx += 1
                if self.progress:
                    self.progress(min(self.activity_txs, self.cfg.txs), self.cfg.txs)
            while active:  # finish the episodes already begun
                while active and active[0][0] <= self.block_idx:
                    advance(heapq.heappop(active)[2])
                if self.pending:
                    self.mine()
                self.block_idx += 1
        finally:
            try:
                self.rpc.call("evm_setAutomine", True)
            finally:
                self.rpc.close()
        contracts = {"tokens": self.tokens, "nft": self.nft, "router": self.router, "permit2": self.permit2,
                     "pools": self.lp_pools, "nft_market": self.market, "multisig": self.safe,
                     "staking_vault": self.vault, "bridge": self.bridge, "batch_sender": self.batch,
                     "create2_factory": self.factory, "batch_executor": self.executor,
                     "rewards_multicall": self.rmulti, "claim_portal": self.portal,
                     "fee_collector": self.feecol, "history_writer": self.writer, "fake_token": self.fake}  # fmt: skip
        return self.build_result(
            setup_txs, SIM_B_VERSION, contracts, family="b", config_extra={"family": "b"}
        )


__all__ = ["FAMILY_B_DIR", "FamilyB"]
