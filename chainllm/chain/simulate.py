"""Scenario simulator: deploy benign and scam contracts on a local anvil and act out stories.

Deterministic for a seed on a fresh chain (``chainllm services up`` starts anvil with a fixed
genesis time): every transaction is signed here with explicit nonce, gas and fees, automine
is off and each block is mined with an explicit timestamp (``evm_mine``), and one
``random.Random(seed)`` drives every choice. Steps of a story that depend on each other go
into different blocks (a drain comes blocks after the victim's approval), since anvil orders
a block's transactions by tip.

The labels written are ground truth: each transaction carries the story it belongs to (see
``chainllm.labels.schema``). Victims' own transactions inside a scam (the phishing approval,
the honeypot buy) are labelled malicious with role "victim", as in the PTXPhish data set.
"""

from __future__ import annotations

import contextlib
import heapq
import json
import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import eth_abi
from eth_account import Account
from eth_utils import keccak, to_checksum_address
from web3 import Web3

from chainllm import config
from chainllm.chain.artifacts import Artifact, load_artifacts
from chainllm.chain.transport import RpcError, Transport, probe_rpc, rpc_call
from chainllm.chain.vanity import find_lookalikes
from chainllm.errors import BadInputError, ServiceError
from chainllm.labels.schema import AddressLabel, TxLabel, write_label_set
from chainllm.services.anvil import DEV_MNEMONIC

SIM_VERSION = "1"
ETHER = 10**18
GWEI = 10**9
MAX_UINT = 2**256 - 1
TRANSFER_TOPIC = "0x" + keccak(text="Transfer(address,address,uint256)").hex()

# Which contract implements what: every scam category has >= 2 code-different variants.
IMPLEMENTATIONS: dict[str, tuple[str, ...]] = {
    "drainer": ("RewardClaimHelper", "SecurityUpdate"),
    "poisoner": ("ZeroTransferPoisoner", "BatchPoisoner"),
    "fake_token": ("MirrorToken", "LookalikeStable"),
    "honeypot": ("HoneypotBlacklistToken", "HoneypotTaxToken"),
    "rug_pull": ("RewardsToken", "ReflectToken"),
    "payable_scam": ("AirdropClaim", "WalletConnectRewards"),
}

Action = Callable[[], object]
FAMILIES = ("a", "b", "c")


@dataclass(frozen=True)
class SimConfig:
    seed: int = 0
    txs: int = 300  # stop starting new stories once this many activity txs were sent
    blocks: int | None = None  # or: this many activity blocks (overrides txs)
    users: int = 16
    malicious_share: float = 0.3  # share of new stories that are scams
    block_time: int = 12
    contracts_dir: Path | None = None
    family: str = "a"  # "a": this module; "b", "c": the independent families (chain.scenarios_b/_c)

    def __post_init__(self) -> None:
        problems = []
        if self.family not in FAMILIES:
            problems.append(f"--family must be one of {', '.join(FAMILIES)} (got {self.family!r})")
        if self.txs < 1:
            problems.append(f"--txs must be >= 1 (got {self.txs})")
        if self.blocks is not None and self.blocks < 1:
            problems.append(f"--blocks must be >= 1 (got {self.blocks})")
        if not 4 <= self.users <= 500:
            problems.append(f"--users must be within 4..500 (got {self.users})")
        if not 0 <= self.malicious_share <= 1:
            problems.append(f"--malicious-share must be within 0..1 (got {self.malicious_share})")
        if problems:
            raise BadInputError("; ".join(problems))


@dataclass(frozen=True)
class Meta:
    label: str
    category: str
    subcategory: str
    scenario: str
    implementation: str = ""
    role: str = "user"


def benign(category: str, sub: str, scenario: str, impl: str = "", role: str = "user") -> Meta:
    return Meta("benign", category, sub, scenario, impl, role)


def scam(category: str, sub: str, scenario: str, impl: str, role: str = "attacker") -> Meta:
    return Meta("malicious", category, sub, scenario, impl, role)


@dataclass
class _Pending:
    tx_hash: str
    sender: str
    to: str
    value: int
    meta: Meta


@dataclass
class _Pool:
    """A token/ETH pair and its token."""

    token: str
    pair: str
    impl: str
    owner: str
    closed: bool = False


@dataclass
class SimResult:
    txs: list[TxLabel]
    addresses: list[AddressLabel]
    manifest: dict[str, Any]
    out: Path | None = None
    reverted: Counter[str] = field(default_factory=Counter)


def _key(seed: int, role: str, i: int) -> bytes:
    return keccak(f"chainllm-sim:{seed}:{role}:{i}".encode())


def _rlp_item(b: bytes) -> bytes:
    return b if len(b) == 1 and b[0] < 0x80 else bytes([0x80 + len(b)]) + b  # short items only


def _create_address(sender: str, nonce: int) -> str:
    """CREATE address: keccak(rlp([sender, nonce]))[12:]."""
    body = _rlp_item(bytes.fromhex(sender[2:])) + _rlp_item(
        nonce.to_bytes((nonce.bit_length() + 7) // 8, "big")
    )
    return to_checksum_address(keccak(bytes([0xC0 + len(body)]) + body)[12:])


class _Unaffordable(Exception):
    """A user cannot pay for the transaction a story wants; the story ends there."""


class Simulator:
    def __init__(
        self, rpc_url: str, cfg: SimConfig, *, progress: Callable[[int, int], None] | None = None
    ) -> None:
        self.cfg = cfg
        self.rpc = Transport([rpc_url], max_retries=0)  # no blind resends of signed txs
        self.rng = random.Random(cfg.seed)
        self.progress = progress
        self.arts = load_artifacts(cfg.contracts_dir)
        self.enc = Web3()  # no provider: ABI encoding only
        self.keys: dict[str, bytes] = {}
        self.nonces: dict[str, int] = {}
        self.pending: list[_Pending] = []
        self.labels: list[TxLabel] = []
        self.addr_labels: dict[str, AddressLabel] = {}
        self.deployed: dict[str, str] = {}
        self.queue: list[tuple[int, int, Action]] = []
        self.seq = 0
        self.block_idx = 0
        self.activity_txs = 0
        self.reverted: Counter[str] = Counter()
        self.nft_owner: dict[int, str] = {}
        self.permit_nonce: Counter[tuple[str, str]] = Counter()
        self.contacts: dict[str, list[str]] = {}
        self.lookalikes: dict[str, tuple[str, bytes]] = {}
        self.funded_lookalikes: dict[str, int] = {}  # look-alike -> block of its gas money
        self.block_spend: Counter[str] = Counter()  # wei users committed in the open block
        self.withdrawing: set[str] = set()

    # ---------------------------------------------------------------- plumbing
    def account(self, key: bytes) -> str:
        addr: str = Account.from_key(key).address
        self.keys[addr] = key
        return addr

    def nonce(self, addr: str) -> int:
        if addr not in self.nonces:
            self.nonces[addr] = int(self.rpc.call("eth_getTransactionCount", addr, "latest"), 16)
        return self.nonces[addr]

    def data(self, name: str, fn: str, *args: Any) -> str:
        c = self.enc.eth.contract(abi=self.arts[name].abi)
        return str(c.encode_abi(fn, args=list(args)))

    def view(self, name: str, addr: str, fn: str, *args: Any) -> Any:
        abi = next(e for e in self.arts[name].abi if e.get("type") == "function" and e["name"] == fn)
        out = self.rpc.call("eth_call", {"to": addr, "data": self.data(name, fn, *args)}, "latest")
        types = [o["type"] for o in abi["outputs"]]
        vals = eth_abi.decode(types, bytes.fromhex(out[2:]))
        return vals[0] if len(vals) == 1 else vals

    def balance(self, addr: str) -> int:
        return int(self.rpc.call("eth_getBalance", addr, "latest"), 16)

    def send(
        self,
        sender: str,
        to: str | None,
        meta: Meta,
        *,
        data: str = "0x",
        value: int = 0,
        gas: int | None = None,
    ) -> str:
        if gas is None:
            probe: dict[str, Any] = {"from": sender, "data": data, "value": hex(value)}
            if to:
                probe["to"] = to
            try:
                gas = int(int(self.rpc.call("eth_estimateGas", probe, "latest"), 16) * 1.25)
            except RpcError:
                gas = 400_000 if to else 6_000_000  # the tx will revert on chain; keep it
        tip = self._tip()
        tx: dict[str, Any] = {
            "chainId": self.chain_id,
            "nonce": self.nonce(sender),
            "value": value,
            "data": data,
            "gas": max(gas, 21_000),
        }
        if to:
            tx["to"] = to
        if self._legacy():
            tx["gasPrice"] = self.base_fee * 2 + tip
        else:
            tx["type"] = 2
            tx["maxPriorityFeePerGas"] = tip
            tx["maxFeePerGas"] = self.base_fee * 2 + tip
        if sender in self.contacts:  # a user: never send what the node would refuse
            self._reserve(sender, value + tx["gas"] * tx.get("maxFeePerGas", tx.get("gasPrice", 0)))
        signed = Account.sign_transaction(tx, self.keys[sender])
        tx_hash = "0x" + bytes(signed.hash).hex()
        self.rpc.call("eth_sendRawTransaction", "0x" + bytes(signed.raw_transaction).hex())
        self.nonces[sender] += 1
        self.pending.append(_Pending(tx_hash, sender, to or "", value, meta))
        return tx_hash

    def _tip(self) -> int:
        return int(GWEI * math.exp(self.rng.gauss(math.log(1.2), 0.8)))

    def _legacy(self) -> bool:
        return self.rng.random() < 0.15  # some wallets still send legacy transactions

    def _gap(self) -> int:
        gap = self.cfg.block_time * (2 if self.rng.random() < 0.05 else 1)
        if self.rng.random() < 0.03:
            gap += self.rng.randint(60, 1800)  # a quiet spell: minutes without activity
        return gap

    def _reserve(self, user: str, need: int) -> None:
        """Commit ``need`` wei of ``user``'s balance in the open block. A user who runs low
        withdraws from the exchange (mined with this block) and the story needing it ends."""
        if self.balance(user) - self.block_spend[user] >= need:
            self.block_spend[user] += need
            return
        if user not in self.withdrawing:
            self.withdrawing.add(user)
            fund = benign("transfer", "funding", "exchange_withdrawal", role="funder")
            self.send(self.exchange, user, fund, value=self.rng.randint(5, 30) * ETHER)
        raise _Unaffordable(user)

    def _act(self, action: Action) -> None:
        with contextlib.suppress(_Unaffordable):
            action()

    def deploy(self, sender: str, name: str, meta: Meta, *args: Any, value: int = 0) -> str:
        art = self.arts[name]
        ctor = next((e for e in art.abi if e.get("type") == "constructor"), None)
        types = [i["type"] for i in ctor["inputs"]] if ctor else []
        code = art.bytecode + eth_abi.encode(types, list(args)).hex()
        address = _create_address(sender, self.nonce(sender))
        self.send(sender, None, meta, data=code, value=value)
        self.deployed.setdefault(name, address)
        return address

    def call(self, sender: str, name: str, addr: str, fn: str, meta: Meta, *args: Any, value: int = 0) -> str:
        return self.send(sender, addr, meta, data=self.data(name, fn, *args), value=value)

    def label_address(self, addr: str, label: str, category: str, sub: str = "", impl: str = "") -> None:
        self.addr_labels[addr] = AddressLabel(addr, label, category, sub, impl)

    def at(self, delay: int, action: Action) -> None:
        heapq.heappush(self.queue, (self.block_idx + max(delay, 1), self.seq, action))
        self.seq += 1

    def mine(self, gap: int | None = None) -> None:
        if gap is None:
            gap = self._gap()
        self.ts += gap
        self.rpc.call("evm_mine", self.ts)
        self.block_spend.clear()
        self.withdrawing.clear()
        block = self.rpc.call("eth_getBlockByNumber", "latest", False)
        number = int(block["number"], 16)
        self.base_fee = int(block.get("baseFeePerGas") or "0x0", 16)
        included = set(block["transactions"])
        missing = [p.tx_hash for p in self.pending if p.tx_hash not in included]
        if missing:
            raise ServiceError(
                f"{len(missing)} transaction(s) were not mined in block {number} (first {missing[0]})",
                hint="run the simulator against a fresh anvil (`chainllm services down --wipe anvil`)",
            )
        receipts = {r["transactionHash"]: r for r in self.rpc.call("eth_getBlockReceipts", hex(number)) or []}
        for p in self.pending:
            r = receipts[p.tx_hash]
            status = int(r["status"], 16)
            if not status:
                self.reverted[f"{p.meta.label}/{p.meta.category}/{p.meta.subcategory}"] += 1
            for log in r["logs"]:  # keep NFT ownership current (ids come from execution order)
                topics = log["topics"]
                if (
                    log["address"].lower() == self.nft.lower()
                    and topics[0] == TRANSFER_TOPIC
                    and len(topics) == 4
                ):
                    self.nft_owner[int(log["topics"][3], 16)] = to_checksum_address(
                        "0x" + log["topics"][2][-40:]
                    )
            self.labels.append(
                TxLabel(
                    tx_hash=p.tx_hash,
                    label=p.meta.label,
                    category=p.meta.category,
                    subcategory=p.meta.subcategory,
                    scenario=p.meta.scenario,
                    implementation=p.meta.implementation,
                    role=p.meta.role,
                    block_number=number,
                    timestamp=self.ts,
                    from_address=p.sender,
                    to_address=p.to or (r.get("contractAddress") or ""),
                    value_wei=str(p.value),
                    status=status,
                )
            )
        self.pending = []

    # ---------------------------------------------------------------- setup
    def setup(self) -> None:
        self.chain_id = int(self.rpc.call("eth_chainId"), 16)
        self.rpc.call("evm_setAutomine", False)
        latest = self.rpc.call("eth_getBlockByNumber", "latest", False)
        self.ts = int(latest["timestamp"], 16)
        self.base_fee = int(latest.get("baseFeePerGas") or "0x0", 16)
        self.start_block = int(latest["number"], 16) + 1
        Account.enable_unaudited_hdwallet_features()
        dev = [Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in range(2)]
        self.deployer = self.account(bytes(dev[0].key))
        self.exchange = self.account(bytes(dev[1].key))  # a "CEX hot wallet" that funds everyone
        self.users = [self.account(_key(self.cfg.seed, "user", i)) for i in range(self.cfg.users)]
        self.attackers = [self.account(_key(self.cfg.seed, "attacker", i)) for i in range(4)]
        for u in self.users:
            others = [v for v in self.users if v != u]
            self.contacts[u] = self.rng.sample(others, 2)
        self.label_address(self.deployer, "benign", "deployer")
        self.label_address(self.exchange, "benign", "exchange")
        for u in self.users:
            self.label_address(u, "benign", "eoa")
        for a in self.attackers:
            self.label_address(a, "malicious", "attacker")

        d = self.deployer
        m = benign("deployment", "deploy", "protocol_launch", role="deployer")
        self.tokens = {
            "USDC": self.deploy(d, "ScenarioToken", m, "USD Coin", "USDC", 6, 50_000_000 * 10**6),
            "WSTK": self.deploy(d, "ScenarioToken", m, "Wrapped Stake", "WSTK", 18, 10_000_000 * ETHER),
            "CGLD": self.deploy(d, "ScenarioToken", m, "Chain Gold", "CGLD", 18, 1_000_000 * ETHER),
        }
        self.decimals = {"USDC": 6, "WSTK": 18, "CGLD": 18}
        self.nft = self.deploy(d, "Collectible", m, ETHER // 20)
        self.router = self.deploy(d, "MiniRouter", m)
        self.vault = self.deploy(d, "TokenVault", m)
        self.market = self.deploy(d, "NftMarket", m)
        self.msig_owners = [d, self.users[0], self.users[1]]
        self.multisig = self.deploy(d, "MultiSigWallet", m, self.msig_owners, 2, value=20 * ETHER)
        fund = benign("transfer", "funding", "exchange_withdrawal", role="funder")
        for u in self.users:
            self.send(self.exchange, u, fund, value=self.rng.randint(5, 60) * ETHER)
        for a in self.attackers:
            self.send(self.exchange, a, fund, value=self.rng.randint(30, 80) * ETHER)
        self.mine()
        for t in self.tokens.values():
            self.label_address(t, "benign", "token", impl="ScenarioToken")
        for addr, cat, impl in (
            (self.nft, "nft", "Collectible"),
            (self.router, "dex", "MiniRouter"),
            (self.vault, "vault", "TokenVault"),
            (self.market, "nft_market", "NftMarket"),
            (self.multisig, "multisig", "MultiSigWallet"),
        ):
            self.label_address(addr, "benign", cat, impl=impl)

        self.pools: dict[str, _Pool] = {}
        for sym, t in self.tokens.items():
            pair = self.deploy(d, "MiniPair", m, t)
            self.pools[sym] = _Pool(t, pair, "MiniPair", d)
            self.label_address(pair, "benign", "dex", impl="MiniPair")
            self.call(
                d,
                "ScenarioToken",
                t,
                "approve",
                benign("approval", "approve", "protocol_launch", "ScenarioToken", "deployer"),
                pair,
                MAX_UINT,
            )
            dist = benign("token_transfer", "distribution", "token_distribution", "ScenarioToken", "deployer")
            unit = 10 ** self.decimals[sym]
            for u in self.users:
                self.call(d, "ScenarioToken", t, "transfer", dist, u, self.rng.randint(500, 20_000) * unit)
            if sym == "USDC":  # the poisoner buys a little of the real token for dust transfers
                self.call(d, "ScenarioToken", t, "transfer", dist, self.attackers[3], 50 * unit)
        self.mine()
        prices = {"USDC": 3000, "WSTK": 40, "CGLD": 2}  # tokens per ETH
        for sym, pool in self.pools.items():
            eth = 100 * ETHER
            amount = prices[sym] * 100 * 10 ** self.decimals[sym]
            self.call(
                d,
                "MiniPair",
                pool.pair,
                "addLiquidity",
                benign("liquidity", "add", "protocol_launch", "MiniPair", "deployer"),
                amount,
                value=eth,
            )
        self.mine()
        self._setup_scams()

    def _setup_scams(self) -> None:
        a0, a1, a2, a3 = self.attackers
        self.drainers: list[tuple[str, str, str]] = []  # (impl, address, operator)
        for impl, op, args in (("RewardClaimHelper", a0, ()), ("SecurityUpdate", a1, (a2,))):
            addr = self.deploy(op, impl, scam("ice_phishing", "deploy", "drainer_setup", impl), *args)
            self.drainers.append((impl, addr, op))
            self.label_address(addr, "malicious", "drainer", "ice_phishing", impl)
        self.poisoners = []
        for impl in IMPLEMENTATIONS["poisoner"]:
            addr = self.deploy(a2, impl, scam("address_poisoning", "deploy", "poisoner_setup", impl))
            self.poisoners.append((impl, addr))
            self.label_address(addr, "malicious", "poisoner", "zero_value_transfer", impl)
        self.fakes = []
        fake_a = self.deploy(
            a2,
            "MirrorToken",
            scam("address_poisoning", "deploy", "fake_token_setup", "MirrorToken"),
            "USD Coin",
            "USDC",
            6,
        )
        fake_b = self.deploy(
            a3, "LookalikeStable", scam("address_poisoning", "deploy", "fake_token_setup", "LookalikeStable")
        )
        self.fakes = [("MirrorToken", fake_a, a2), ("LookalikeStable", fake_b, a3)]
        for impl, addr, _ in self.fakes:
            self.label_address(addr, "malicious", "phishing_token", "fake_token", impl)
        self.claims = []
        for impl, op in (("AirdropClaim", a0), ("WalletConnectRewards", a3)):
            addr = self.deploy(op, impl, scam("payable_scam", "deploy", "claim_scam_setup", impl))
            self.claims.append((impl, addr, op))
            self.label_address(addr, "malicious", "scam_contract", "payable_scam", impl)
        # honeypots and rug pulls: token, pair, liquidity
        self.scam_pools: dict[str, _Pool] = {}
        launches: tuple[tuple[str, str, str, tuple[Any, ...]], ...] = (
            ("honeypot", "HoneypotBlacklistToken", a1, ("Pepe Moon", "PMOON", 1_000_000_000 * ETHER)),
            ("honeypot", "HoneypotTaxToken", a3, ("Safe Doge", "SDOGE", 500_000_000 * ETHER)),
            ("rug_pull", "RewardsToken", a0, ("Yield Farm", "YFARM", 10_000_000 * ETHER)),
            ("rug_pull", "ReflectToken", a2, ("Reflect Inu", "RINU", 1_000_000_000 * 10**9)),
        )
        launch_args: tuple[Any, ...]
        for cat, impl, op, launch_args in launches:
            t = self.deploy(op, impl, scam(cat, "deploy", f"{cat}_launch", impl), *launch_args)
            pair = self.deploy(op, "MiniPair", scam(cat, "deploy_pair", f"{cat}_launch", impl), t)
            self.scam_pools[impl] = _Pool(t, pair, impl, op)
            self.label_address(
                t, "malicious", "honeypot_token" if cat == "honeypot" else "rug_pull_token", cat, impl
            )
            # the pair contract itself is the benign AMM code, used for a scam
            self.label_address(pair, "malicious", "scam_pool", cat, impl)
        self.mine()
        for impl, pool in self.scam_pools.items():
            cat = "honeypot" if impl in IMPLEMENTATIONS["honeypot"] else "rug_pull"
            meta = scam(cat, "configure", f"{cat}_launch", impl)
            if impl == "HoneypotBlacklistToken":
                self.call(pool.owner, impl, pool.token, "setPair", meta, pool.pair)
            elif impl == "HoneypotTaxToken":
                self.call(pool.owner, impl, pool.token, "configure", meta, pool.pair, 100)
            self.call(
                pool.owner,
                impl,
                pool.token,
                "approve",
                scam(cat, "approve", f"{cat}_launch", impl),
                pool.pair,
                MAX_UINT,
            )
            self.call(
                pool.owner,
                impl,
                pool.token,
                "approve",
                scam(cat, "approve", f"{cat}_launch", impl),
                self.router,
                MAX_UINT,
            )
        self.mine()
        for impl, pool in self.scam_pools.items():
            cat = "honeypot" if impl in IMPLEMENTATIONS["honeypot"] else "rug_pull"
            supply = self.view(impl, pool.token, "totalSupply")
            self.call(
                pool.owner,
                "MiniPair",
                pool.pair,
                "addLiquidity",
                scam(cat, "add_liquidity", f"{cat}_launch", impl),
                supply // 2,
                value=self.rng.randint(5, 15) * ETHER,
            )
        # look-alike addresses for poisoning: of contacts that victims pay regularly
        targets = sorted(
            {c for u in self.users[: max(3, self.cfg.users // 4)] for c in self.contacts[u][:1]}
        )[:4]
        self.lookalikes = _cached_lookalikes(targets, self.cfg.seed)
        for _target, (addr, key) in sorted(self.lookalikes.items()):
            self.keys[addr] = key
            self.label_address(addr, "malicious", "poisoner", "lookalike")
        self.mine()

    # ---------------------------------------------------------------- benign stories
    def _token_amount(self, user: str, sym: str, lo: float, hi: float) -> int:
        bal = int(self.view("ScenarioToken", self.tokens[sym], "balanceOf", user))
        return int(bal * self.rng.uniform(lo, hi))

    def b_eth_transfer(self) -> None:
        u = self.rng.choice(self.users)
        to = self.rng.choice(self.contacts[u]) if self.rng.random() < 0.7 else self.rng.choice(self.users)
        if to == u:
            return
        value = int(ETHER * math.exp(self.rng.gauss(math.log(0.3), 1.2)))
        value = min(value, self.balance(u) // 3) // 10**12 * 10**12  # wallets round amounts
        if value > 0:
            self.send(u, to, benign("transfer", "eth", "p2p_payment"), value=value)

    def b_token_transfer(self) -> None:
        u = self.rng.choice(self.users)
        to = self.rng.choice(self.contacts[u]) if self.rng.random() < 0.8 else self.rng.choice(self.users)
        sym = self.rng.choice(list(self.tokens))
        amount = self._token_amount(u, sym, 0.01, 0.2)
        if to != u and amount > 0:
            self.call(
                u,
                "ScenarioToken",
                self.tokens[sym],
                "transfer",
                benign("token_transfer", "erc20", "p2p_payment", "ScenarioToken"),
                to,
                amount,
            )

    def _quote_buy(self, pair: str, eth_in: int) -> int:
        rt = int(self.view("MiniPair", pair, "reserveToken"))
        re_ = int(self.view("MiniPair", pair, "reserveEth"))
        return int(self.view("MiniPair", pair, "quote", eth_in, re_, rt)) if re_ and rt else 0

    def b_swap_buy(self) -> None:
        u = self.rng.choice(self.users)
        sym = self.rng.choice(list(self.pools))
        eth_in = int(ETHER * self.rng.uniform(0.02, 1.5)) // 10**14 * 10**14
        out = self._quote_buy(self.pools[sym].pair, eth_in)
        min_out = out * (1000 - self.rng.choice((5, 10, 30))) // 1000
        self.call(
            u,
            "MiniRouter",
            self.router,
            "buy",
            benign("swap", "buy", "dex_trade", "MiniRouter"),
            self.pools[sym].pair,
            min_out,
            self.ts + 1200,
            value=eth_in,
        )

    def b_swap_sell(self) -> None:
        u = self.rng.choice(self.users)
        sym = self.rng.choice(list(self.pools))
        amount = self._token_amount(u, sym, 0.02, 0.3)
        if amount <= 0:
            return
        pool = self.pools[sym]

        def sell() -> None:
            self.call(
                u,
                "MiniRouter",
                self.router,
                "sell",
                benign("swap", "sell", "dex_trade", "MiniRouter"),
                pool.pair,
                amount,
                0,
                self.ts + 1200,
            )

        if int(self.view("ScenarioToken", pool.token, "allowance", u, self.router)) < amount:
            self.call(
                u,
                "ScenarioToken",
                pool.token,
                "approve",
                benign("approval", "approve", "dex_trade", "ScenarioToken"),
                self.router,
                MAX_UINT if self.rng.random() < 0.6 else amount,
            )
            self.at(self.rng.randint(1, 3), sell)
        else:
            sell()

    def b_nft_mint(self) -> None:
        u = self.rng.choice(self.users)
        self.call(
            u,
            "Collectible",
            self.nft,
            "mint",
            benign("nft", "mint", "nft_mint", "Collectible"),
            value=ETHER // 20,
        )

    def b_nft_transfer(self) -> None:
        if not self.nft_owner:
            return self.b_nft_mint()
        nft_id = self.rng.choice(sorted(self.nft_owner))
        owner = self.nft_owner[nft_id]
        if owner not in self.users:
            return None
        to = self.rng.choice([v for v in self.users if v != owner])
        self.call(
            owner,
            "Collectible",
            self.nft,
            "transferFrom",
            benign("nft", "transfer", "nft_gift", "Collectible"),
            owner,
            to,
            nft_id,
        )
        return None

    def b_vault(self) -> None:
        u = self.rng.choice(self.users)
        sym = self.rng.choice(("USDC", "WSTK"))
        amount = self._token_amount(u, sym, 0.05, 0.3)
        if amount <= 0:
            return
        token = self.tokens[sym]
        if self.rng.random() < 0.5:  # permit: a signature instead of an approval tx
            deadline = self.ts + 3600
            v, r, s = self.sign_permit(u, token, self.vault, amount, deadline)
            self.call(
                u,
                "TokenVault",
                self.vault,
                "depositWithPermit",
                benign("vault", "deposit_permit", "savings", "TokenVault"),
                token,
                amount,
                deadline,
                v,
                r,
                s,
            )
        else:
            self.call(
                u,
                "ScenarioToken",
                token,
                "approve",
                benign("approval", "approve", "savings", "ScenarioToken"),
                self.vault,
                amount,
            )
            self.at(
                self.rng.randint(1, 4),
                lambda: self.call(
                    u,
                    "TokenVault",
                    self.vault,
                    "deposit",
                    benign("vault", "deposit", "savings", "TokenVault"),
                    token,
                    amount,
                ),
            )
        if self.rng.random() < 0.4:
            self.at(
                self.rng.randint(8, 30),
                lambda: self.call(
                    u,
                    "TokenVault",
                    self.vault,
                    "withdraw",
                    benign("vault", "withdraw", "savings", "TokenVault"),
                    token,
                    amount // 2,
                ),
            )

    def b_multisig(self) -> None:
        to = self.rng.choice(self.users[2:])
        value = self.rng.randint(1, 20) * ETHER // 10
        pid = self.msig_count
        self.msig_count += 1
        o0, o1, _ = self.msig_owners
        self.call(
            o0,
            "MultiSigWallet",
            self.multisig,
            "submit",
            benign("multisig", "submit", "treasury_payout", "MultiSigWallet"),
            to,
            value,
        )
        self.at(
            self.rng.randint(1, 5),
            lambda: self.call(
                o1,
                "MultiSigWallet",
                self.multisig,
                "confirm",
                benign("multisig", "confirm", "treasury_payout", "MultiSigWallet"),
                pid,
            ),
        )
        self.at(
            self.rng.randint(6, 9),
            lambda: self.call(
                o1,
                "MultiSigWallet",
                self.multisig,
                "execute",
                benign("multisig", "execute", "treasury_payout", "MultiSigWallet"),
                pid,
            ),
        )

    def b_nft_list(self) -> None:
        """List an NFT on the market: setApprovalForAll to a legitimate operator (the benign
        twin of NFT ice-phishing), then maybe a sale to another user."""
        owned = [
            (i, o) for i, o in sorted(self.nft_owner.items()) if o in self.users and i not in self.listed
        ]
        if not owned:
            return self.b_nft_mint()
        nft_id, seller = self.rng.choice(owned)
        price = self.rng.choice((6, 8, 10, 15, 25)) * ETHER // 100
        self.listed.add(nft_id)

        def list_it() -> None:
            if self.nft_owner.get(nft_id) == seller:
                meta = benign("nft", "list", "nft_marketplace", "NftMarket")
                self.call(seller, "NftMarket", self.market, "list", meta, self.nft, nft_id, price)
                if self.rng.random() < 0.7:
                    buyer = self.rng.choice([u for u in self.users if u != seller])
                    self.at(self.rng.randint(2, 12), lambda: buy(buyer))

        def buy(buyer: str) -> None:
            if self.nft_owner.get(nft_id) == seller:  # not swept or sold meanwhile
                meta = benign("nft", "buy", "nft_marketplace", "NftMarket")
                self.call(buyer, "NftMarket", self.market, "buy", meta, self.nft, nft_id, value=price)
                self.listed.discard(nft_id)

        if seller not in self.market_approved:
            self.market_approved.add(seller)
            meta = benign("approval", "set_approval_for_all", "nft_marketplace", "Collectible")
            self.call(seller, "Collectible", self.nft, "setApprovalForAll", meta, self.market, True)
            self.at(self.rng.randint(1, 3), list_it)
        else:
            list_it()
        return None

    def b_add_liquidity(self) -> None:
        u = self.rng.choice(self.users)
        sym = self.rng.choice(list(self.pools))
        pool = self.pools[sym]
        eth = int(ETHER * self.rng.uniform(0.5, 3))
        rt = int(self.view("MiniPair", pool.pair, "reserveToken"))
        re_ = int(self.view("MiniPair", pool.pair, "reserveEth"))
        amount = eth * rt // re_ * 101 // 100
        if int(self.view("ScenarioToken", pool.token, "balanceOf", u)) < amount:
            return
        self.call(
            u,
            "ScenarioToken",
            pool.token,
            "approve",
            benign("approval", "approve", "provide_liquidity", "ScenarioToken", "lp"),
            pool.pair,
            amount,
        )
        self.at(
            self.rng.randint(1, 3),
            lambda: self.call(
                u,
                "MiniPair",
                pool.pair,
                "addLiquidity",
                benign("liquidity", "add", "provide_liquidity", "MiniPair", "lp"),
                amount,
                value=eth,
            ),
        )

    # ---------------------------------------------------------------- scam stories
    def sign_permit(
        self, owner: str, token: str, spender: str, value: int, deadline: int
    ) -> tuple[int, bytes, bytes]:
        nonce = self.permit_nonce[(token, owner)]
        self.permit_nonce[(token, owner)] += 1
        name = self.view("ScenarioToken", token, "name")
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

    def m_approve_phish(self) -> None:
        victim = self.rng.choice(self.users)
        impl, drainer, op = self.drainers[self.scam_count["drainer"] % 2]
        self.scam_count["drainer"] += 1
        sym = self.rng.choice(("USDC", "WSTK", "CGLD"))
        token = self.tokens[sym]
        self.call(
            victim,
            "ScenarioToken",
            token,
            "approve",
            scam("ice_phishing", "approve", "fake_claim_site", impl, "victim"),
            drainer,
            MAX_UINT,
        )
        if impl == "RewardClaimHelper":

            def drain() -> str:
                return self.call(
                    op,
                    impl,
                    drainer,
                    "claimRewards",
                    scam("ice_phishing", "approve", "drain_allowance", impl),
                    token,
                    victim,
                )
        else:

            def drain() -> str:
                return self.call(
                    op,
                    impl,
                    drainer,
                    "sweep",
                    scam("ice_phishing", "approve", "drain_allowance", impl),
                    token,
                    victim,
                )

        self.at(self.rng.randint(1, 12), drain)

    def m_permit_phish(self) -> None:
        victim = self.rng.choice(self.users)
        impl, drainer, op = self.drainers[self.scam_count["permit"] % 2]
        self.scam_count["permit"] += 1
        sym = self.rng.choice(("USDC", "WSTK"))
        token = self.tokens[sym]
        value = self._token_amount(victim, sym, 0.5, 1.0)
        if value <= 0:
            return
        deadline = self.ts + 86_400
        v, r, s = self.sign_permit(victim, token, drainer, value, deadline)  # signed on a phishing site
        fn = "claimWithSignature" if impl == "RewardClaimHelper" else "sweepPermit"
        meta = scam("ice_phishing", "permit", "permit_signature_phish", impl)
        self.at(
            self.rng.randint(1, 6),
            lambda: self.call(op, impl, drainer, fn, meta, token, victim, value, deadline, v, r, s),
        )

    def m_nft_phish(self) -> None:
        owned = [(i, o) for i, o in sorted(self.nft_owner.items()) if o in self.users]
        if not owned:
            return self.b_nft_mint()
        victim = self.rng.choice(owned)[1]
        impl, drainer, op = self.drainers[self.scam_count["nft"] % 2]
        self.scam_count["nft"] += 1
        self.call(
            victim,
            "Collectible",
            self.nft,
            "setApprovalForAll",
            scam("ice_phishing", "set_approval_for_all", "fake_mint_site", impl, "victim"),
            drainer,
            True,
        )

        def sweep() -> None:
            ids = [i for i, o in sorted(self.nft_owner.items()) if o == victim]
            if ids:
                fn = "claimCollectibles" if impl == "RewardClaimHelper" else "sweepNft"
                self.call(
                    op,
                    impl,
                    drainer,
                    fn,
                    scam("ice_phishing", "set_approval_for_all", "nft_sweep", impl),
                    self.nft,
                    victim,
                    ids,
                )

        self.at(self.rng.randint(1, 8), sweep)
        return None

    def _poison_pair(self) -> tuple[str, str, str] | None:
        """(victim, trusted contact, look-alike of that contact)."""
        options = [(u, c) for u in self.users for c in self.contacts[u] if c in self.lookalikes]
        if not options:
            return None
        victim, contact = self.rng.choice(options)
        return victim, contact, self.lookalikes[contact][0]

    def m_poison_zero(self) -> None:
        picked = self._poison_pair()
        if not picked:
            return
        victim, _contact, look = picked
        impl, poisoner = self.poisoners[self.scam_count["poison"] % 2]
        self.scam_count["poison"] += 1
        meta = scam("address_poisoning", "zero_value_transfer", "poison_history", impl)
        usdc = self.tokens["USDC"]
        if impl == "ZeroTransferPoisoner":
            self.call(self.attackers[2], impl, poisoner, "poison", meta, usdc, [victim], [look])
        else:
            blob = "0x" + usdc[2:] + victim[2:] + look[2:]
            self.send(self.attackers[2], poisoner, meta, data=blob.lower())
        self._maybe_victim_pays(victim, look, impl)

    def _fund_lookalike(self, look: str) -> bool:
        """Attacker gives the look-alike gas money (and dust USDC) first; True once that
        transfer is mined (two stories can share a look-alike within one block)."""
        if look in self.funded_lookalikes:
            return self.block_idx > self.funded_lookalikes[look]
        self.funded_lookalikes[look] = self.block_idx
        a = self.attackers[3]
        self.send(a, look, scam("address_poisoning", "funding", "lookalike_funding", ""), value=ETHER // 10)
        return False

    def m_poison_dust(self) -> None:
        picked = self._poison_pair()
        if not picked:
            return
        victim, _contact, look = picked

        def dust() -> None:
            if self.rng.random() < 0.5:
                self.send(
                    look,
                    victim,
                    scam("address_poisoning", "dust", "dust_from_lookalike", "", "attacker"),
                    value=self.rng.randint(1, 99) * 10**12,
                )
            else:  # a tiny amount of the real token, bought for the purpose
                amount = self.rng.randint(1, 9) * 10**3  # 0.00x USDC
                if int(self.view("ScenarioToken", self.tokens["USDC"], "balanceOf", look)) >= amount:
                    self.call(
                        look,
                        "ScenarioToken",
                        self.tokens["USDC"],
                        "transfer",
                        scam("address_poisoning", "dust", "dust_from_lookalike", "ScenarioToken"),
                        victim,
                        amount,
                    )
                else:
                    self.send(
                        look,
                        victim,
                        scam("address_poisoning", "dust", "dust_from_lookalike", ""),
                        value=self.rng.randint(1, 99) * 10**12,
                    )

        if self._fund_lookalike(look):
            dust()
        else:
            usdc = self.tokens["USDC"]
            if int(self.view("ScenarioToken", usdc, "balanceOf", self.attackers[3])) >= 10**5:
                self.call(
                    self.attackers[3],
                    "ScenarioToken",
                    usdc,
                    "transfer",
                    scam("address_poisoning", "funding", "lookalike_funding", "ScenarioToken"),
                    look,
                    10**5,
                )
            self.at(self.rng.randint(1, 3), dust)
        self._maybe_victim_pays(victim, look, "")

    def m_poison_fake(self) -> None:
        picked = self._poison_pair()
        if not picked:
            return
        victim, _contact, look = picked
        impl, fake, op = self.fakes[self.scam_count["fake"] % 2]
        self.scam_count["fake"] += 1
        amount = self.rng.randint(100, 5000) * 10**6
        meta = scam("address_poisoning", "fake_token", "fake_token_transfer", impl)
        if impl == "MirrorToken":
            self.call(op, impl, fake, "emitTransfers", meta, [look], [victim], [amount])
        else:
            self.call(op, impl, fake, "airdropFrom", meta, look, victim, amount)
        self._maybe_victim_pays(victim, look, impl)

    def _maybe_victim_pays(self, victim: str, look: str, impl: str) -> None:
        if self.rng.random() >= 0.3:
            return

        def pay() -> None:
            amount = self._token_amount(victim, "USDC", 0.1, 0.5)
            if amount > 0:
                self.call(
                    victim,
                    "ScenarioToken",
                    self.tokens["USDC"],
                    "transfer",
                    scam("address_poisoning", "victim_transfer", "copied_poisoned_address", impl, "victim"),
                    look,
                    amount,
                )
                self.at(self.rng.randint(1, 4), lambda: self._cash_out(look))

        self.at(self.rng.randint(2, 15), pay)

    def _cash_out(self, look: str) -> None:
        if not self._fund_lookalike(look):
            self.at(1, lambda: self._cash_out(look))
            return
        bal = int(self.view("ScenarioToken", self.tokens["USDC"], "balanceOf", look))
        if bal > 0:
            self.call(
                look,
                "ScenarioToken",
                self.tokens["USDC"],
                "transfer",
                scam("address_poisoning", "cash_out", "launder_proceeds", "ScenarioToken"),
                self.attackers[3],
                bal,
            )

    def _victim_buy(
        self, category: str, counter: str, subcategory: str, max_eth: float, min_out_pct: int
    ) -> tuple[str, _Pool, str] | None:
        """A user buys a scam token through the router; (impl, pool, victim), or None once the
        pool is closed. RNG draws stay in one order so a seed gives the same chain."""
        impl = IMPLEMENTATIONS[category][self.scam_count[counter] % 2]
        self.scam_count[counter] += 1
        pool = self.scam_pools[impl]
        if pool.closed:
            return None
        victim = self.rng.choice(self.users)
        eth_in = int(ETHER * self.rng.uniform(0.05, max_eth)) // 10**14 * 10**14
        out = self._quote_buy(pool.pair, eth_in)
        self.call(
            victim,
            "MiniRouter",
            self.router,
            "buy",
            scam(category, "buy", subcategory, impl, "victim"),
            pool.pair,
            out * min_out_pct // 100,
            self.ts + 1200,
            value=eth_in,
        )
        return impl, pool, victim

    def m_honeypot(self) -> None:
        bought = self._victim_buy("honeypot", "honeypot", "honeypot_buy", 1.0, 97)
        if bought is None:
            return
        impl, pool, victim = bought
        if self.rng.random() < 0.6:

            def try_sell() -> None:
                bal = int(self.view(impl, pool.token, "balanceOf", victim))
                if bal <= 0 or pool.closed:
                    return
                self.call(
                    victim,
                    impl,
                    pool.token,
                    "approve",
                    scam("honeypot", "approve", "honeypot_sell_attempt", impl, "victim"),
                    self.router,
                    MAX_UINT,
                )
                expect = 0 if self.rng.random() < 0.5 else 1
                self.at(
                    self.rng.randint(1, 3),
                    lambda: self.call(
                        victim,
                        "MiniRouter",
                        self.router,
                        "sell",
                        scam(
                            "honeypot",
                            "sell_blocked" if impl == "HoneypotBlacklistToken" else "sell_taxed",
                            "honeypot_sell_attempt",
                            impl,
                            "victim",
                        ),
                        pool.pair,
                        bal,
                        expect,
                        self.ts + 1200,
                    ),
                )

            self.at(self.rng.randint(2, 10), try_sell)

    def m_rug_buy(self) -> None:
        self._victim_buy("rug_pull", "rug", "rug_token_buy", 2.0, 95)

    def honeypot_tax_switch(self) -> None:
        pool = self.scam_pools["HoneypotTaxToken"]
        self.call(
            pool.owner,
            "HoneypotTaxToken",
            pool.token,
            "configure",
            scam("honeypot", "configure", "raise_sell_tax", "HoneypotTaxToken"),
            pool.pair,
            9900,
        )

    def exit_scam(self, impl: str) -> None:
        pool = self.scam_pools[impl]
        cat = "honeypot" if impl in IMPLEMENTATIONS["honeypot"] else "rug_pull"
        if cat == "rug_pull":
            dump = 10 ** (9 if impl == "ReflectToken" else 18) * 5_000_000_000
            if impl == "RewardsToken":
                self.call(
                    pool.owner,
                    impl,
                    pool.token,
                    "distributeRewards",
                    scam(cat, "mint", "mint_and_dump", impl),
                    dump,
                )
            else:
                self.call(
                    pool.owner,
                    impl,
                    pool.token,
                    "setFeeExempt",
                    scam(cat, "mint", "mint_and_dump", impl),
                    pool.owner,
                    dump,
                )
            self.at(
                1,
                lambda: self.call(
                    pool.owner,
                    "MiniRouter",
                    self.router,
                    "sell",
                    scam(cat, "dump", "mint_and_dump", impl),
                    pool.pair,
                    dump // 2,
                    0,
                    self.ts + 600,
                ),
            )
        pool.closed = True

        def pull() -> None:
            shares = int(self.view("MiniPair", pool.pair, "shares", pool.owner))
            if shares:
                self.call(
                    pool.owner,
                    "MiniPair",
                    pool.pair,
                    "removeLiquidity",
                    scam(cat, "liquidity_removal", "pull_liquidity", impl),
                    shares,
                )

        self.at(2 if cat == "rug_pull" else 1, pull)

    def m_claim(self) -> None:
        impl, addr, op = self.claims[self.scam_count["claim"] % 2]
        self.scam_count["claim"] += 1
        victim = self.rng.choice(self.users)
        fee = self.rng.choice((1, 2, 5, 10, 20)) * ETHER // 1000
        meta = scam("payable_scam", "claim", "fake_airdrop_claim", impl, "victim")
        if impl == "AirdropClaim":
            self.call(victim, impl, addr, "claim", meta, value=fee)
        else:
            selector = self.rng.choice(("claimRewards()", "securityUpdate()", "Claim()"))
            self.send(victim, addr, meta, data="0x" + keccak(text=selector)[:4].hex(), value=fee)
            if self.rng.random() < 0.3:
                self.at(
                    self.rng.randint(2, 10),
                    lambda: self.call(
                        op, impl, addr, "withdraw", scam("payable_scam", "withdraw", "collect_fees", impl)
                    ),
                )

    # ---------------------------------------------------------------- run
    def run(self) -> SimResult:
        self.msig_count = 0
        self.scam_count: Counter[str] = Counter()
        self.listed: set[int] = set()
        self.market_approved: set[str] = set()
        try:
            self.setup()
            setup_txs = len(self.labels)
            benign_w = [
                (self.b_eth_transfer, 5), (self.b_token_transfer, 5), (self.b_swap_buy, 4),
                (self.b_swap_sell, 3), (self.b_nft_mint, 2), (self.b_nft_transfer, 1),
                (self.b_vault, 2), (self.b_multisig, 1), (self.b_add_liquidity, 1), (self.b_nft_list, 2),
            ]  # fmt: skip
            scam_w = [
                (self.m_approve_phish, 3), (self.m_permit_phish, 2), (self.m_nft_phish, 1),
                (self.m_poison_zero, 2), (self.m_poison_dust, 1), (self.m_poison_fake, 2),
                (self.m_honeypot, 3), (self.m_rug_buy, 3), (self.m_claim, 2),
            ]  # fmt: skip
            est_blocks = self.cfg.blocks or max(8, self.cfg.txs // 4)
            # Exits are part of the plan: raise the honeypot tax early, rug and drain late.
            self.at(max(1, est_blocks // 8), self.honeypot_tax_switch)
            for impl, when in (
                ("RewardsToken", 0.65),
                ("ReflectToken", 0.75),
                ("HoneypotBlacklistToken", 0.85),
                ("HoneypotTaxToken", 0.9),
            ):
                self.at(max(2, int(est_blocks * when)), lambda impl=impl: self.exit_scam(impl))  # type: ignore[misc]
            while True:
                if self.cfg.blocks is not None:
                    if self.block_idx >= self.cfg.blocks:
                        break
                elif self.activity_txs >= self.cfg.txs:
                    break
                before = len(self.pending)
                while self.queue and self.queue[0][0] <= self.block_idx:
                    self._act(heapq.heappop(self.queue)[2])
                for _ in range(self.rng.randint(1, 5)):
                    if self.rng.random() < self.cfg.malicious_share:
                        fns, ws = zip(*scam_w, strict=True)
                    else:
                        fns, ws = zip(*benign_w, strict=True)
                    self._act(self.rng.choices(fns, weights=ws)[0])
                self.activity_txs += len(self.pending) - before
                self.mine()
                self.block_idx += 1
                if self.progress:
                    self.progress(min(self.activity_txs, self.cfg.txs), self.cfg.txs)
            while self.queue:  # finish the stories already begun (no new ones)
                while self.queue and self.queue[0][0] <= self.block_idx:
                    self._act(heapq.heappop(self.queue)[2])
                if self.pending:
                    self.mine()
                self.block_idx += 1
        finally:
            try:
                self.rpc.call("evm_setAutomine", True)
            finally:
                self.rpc.close()
        return self._result(setup_txs)

    def _result(self, setup_txs: int) -> SimResult:
        contracts = {
            "tokens": self.tokens,
            "nft": self.nft,
            "router": self.router,
            "vault": self.vault,
            "nft_market": self.market,
            "multisig": self.multisig,
            "pairs": {k: p.pair for k, p in self.pools.items()},
            "drainers": {i: a for i, a, _ in self.drainers},
            "poisoners": dict(self.poisoners),
            "fake_tokens": {i: a for i, a, _ in self.fakes},
            "claim_scams": {i: a for i, a, _ in self.claims},
            "scam_tokens": {i: p.token for i, p in self.scam_pools.items()},
        }
        return self.build_result(
            setup_txs, SIM_VERSION, contracts, config_extra={"block_time": self.cfg.block_time}
        )

    def build_result(
        self,
        setup_txs: int,
        version: str,
        contracts: dict[str, Any],
        *,
        family: str | None = None,
        config_extra: dict[str, Any] | None = None,
    ) -> SimResult:
        """Labels, address labels and the manifest, for every family. Family A's manifest has
        no ``family`` key nor ``malicious_subtypes`` (kept as it was); the others have both."""
        by_label = Counter(t.label for t in self.labels)
        by_cat = Counter(f"{t.label}/{t.category}" for t in self.labels)
        impls = Counter(t.implementation for t in self.labels if t.label == "malicious")
        manifest: dict[str, Any] = {"simulator_version": version}
        if family is not None:
            manifest["family"] = family
        manifest.update(
            {
                "seed": self.cfg.seed,
                "chain_id": self.chain_id,
                "from_block": self.start_block,
                "to_block": max((t.block_number for t in self.labels), default=self.start_block),
                "transactions": len(self.labels),
                "setup_transactions": setup_txs,
                "labels": dict(sorted(by_label.items())),
                "categories": dict(sorted(by_cat.items())),
            }
        )
        if family is not None:
            subs = Counter(f"{t.category}/{t.subcategory}" for t in self.labels if t.label == "malicious")
            manifest["malicious_subtypes"] = dict(sorted(subs.items()))
        manifest.update(
            {
                "malicious_implementations": dict(sorted(impls.items())),
                "reverted": dict(sorted(self.reverted.items())),
                "addresses": len(self.addr_labels),
                "contracts": contracts,
                "config": {
                    "txs": self.cfg.txs,
                    "blocks": self.cfg.blocks,
                    "users": self.cfg.users,
                    "malicious_share": self.cfg.malicious_share,
                    **(config_extra or {}),
                },
            }
        )
        addresses = [self.addr_labels[a] for a in sorted(self.addr_labels)]
        return SimResult(self.labels, addresses, manifest, reverted=self.reverted)


def _cached_lookalikes(targets: list[str], seed: int) -> dict[str, tuple[str, bytes]]:
    """Grinding costs seconds; the keys are a pure function of (targets, seed): cache them."""
    tag = keccak(json.dumps([targets, seed]).encode()).hex()[:24]
    path = config.cache_dir() / "lookalikes" / f"{tag}.json"
    try:
        raw = json.loads(path.read_text())
        return {t: (a, bytes.fromhex(k)) for t, (a, k) in raw.items()}
    except (OSError, ValueError):
        pass
    found = find_lookalikes(targets, seed=str(seed).encode())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    # Simulation-only throwaway keys of a local dev chain; never real funds.
    tmp.write_text(json.dumps({t: (a, k.hex()) for t, (a, k) in found.items()}))
    tmp.replace(path)
    return found


def require_anvil(rpc_url: str) -> None:
    """The simulator mines blocks itself (``evm_mine``, ``evm_setAutomine``): anvil only."""
    probe_rpc(rpc_url)
    try:
        version = str(rpc_call(rpc_url, "web3_clientVersion"))
    except ServiceError:
        version = "unknown"
    if "anvil" not in version.lower():
        raise BadInputError(
            f"{rpc_url} runs {version}, but the simulator needs anvil (it mines blocks itself)",
            hint="start one with `chainllm services up anvil`",
        )


def default_out(seed: int, family: str = "a") -> Path:
    return config.data_dir() / "labels" / (f"sim-{seed}" if family == "a" else f"sim-{family}-{seed}")


def simulate(
    rpc_url: str,
    cfg: SimConfig,
    *,
    out: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SimResult:
    """Run the simulation against ``rpc_url`` (an anvil) and write the label set to ``out``."""
    require_anvil(rpc_url)
    if cfg.family == "b":
        from chainllm.chain.scenarios_b import FamilyB

        result = FamilyB(rpc_url, cfg, progress=progress).run()
    elif cfg.family == "c":
        from chainllm.chain.scenarios_c import FamilyC

        result = FamilyC(rpc_url, cfg, progress=progress).run()
    else:
        result = Simulator(rpc_url, cfg, progress=progress).run()
    target = out or default_out(cfg.seed, cfg.family)
    write_label_set(target, result.txs, result.addresses, result.manifest)
    result.out = target
    return result


__all__ = ["IMPLEMENTATIONS", "Artifact", "SimConfig", "SimResult", "Simulator", "simulate"]
