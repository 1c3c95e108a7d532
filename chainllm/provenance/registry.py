"""The on-chain side: deploying ``contracts/ModelRegistry.sol``, remembering where it lives per
chain id, loading the publisher key, and reading/writing records.

Where the registry is: ``<data_dir>/registry.json``, keyed by chain id (written atomically)::

    {"default_chain_id": 31337,
     "chains": {"31337": {"address": "0x...", "rpc": "http://127.0.0.1:8545", "block": 1}}}

Keys never come from the command line: ``CHAINLLM_PRIVATE_KEY``, or an eth-account keystore
file with its password in ``CHAINLLM_KEYSTORE_PASSWORD`` (or typed at a prompt). Only on a
local anvil (chain id 31337) and only when neither is set, anvil's public dev account 0 is used.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError

from chainllm import config
from chainllm.errors import BadInputError, ServiceError
from chainllm.io import write_json
from chainllm.types import Address, TxHash

CONTRACT_NAME = "ModelRegistry"
CONTRACT_PATH = config.REPO_ROOT / "contracts" / "ModelRegistry.sol"
ANVIL_CHAIN_ID = 31337
# anvil's dev account 0, derived from the public mnemonic "test test ... junk": local use only.
ANVIL_DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
ZERO32 = b"\0" * 32
ZERO_ADDRESS = "0x" + "0" * 40


# -- where the registry is ---------------------------------------------------------------------


def registry_file() -> Path:
    return config.data_dir() / "registry.json"


def load_registry_config() -> dict[str, Any]:
    path = registry_file()
    if not path.exists():
        return {"default_chain_id": None, "chains": {}}
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise BadInputError(
            f"{path} is not readable JSON ({exc})", hint="fix it or delete it and redeploy"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("chains"), dict):
        raise BadInputError(f"{path} has no 'chains' object", hint="fix it or delete it and redeploy")
    return data


def record_deployment(chain_id: int, address: str, rpc: str, block: int) -> None:
    data = load_registry_config()
    data["chains"][str(chain_id)] = {"address": Web3.to_checksum_address(address), "rpc": rpc, "block": block}
    data["default_chain_id"] = chain_id
    write_json(registry_file(), data)


@dataclass(frozen=True)
class Target:
    """The chain a command talks to, after every consistency check."""

    rpc: str
    chain_id: int
    registry: Address | None
    fallbacks: tuple[str, ...] = ()  # further RPC URLs of the same chain, tried when ``rpc`` is down


def resolve_target(
    rpc: str | Sequence[str] | None, *, chain_id: int | None = None, registry: str | None = None
) -> Target:
    """Decide RPC URL(s), expected chain id and registry address from flags and ``registry.json``.

    - ``--chain-id`` given: that chain's entry is used and the RPC must serve that chain id;
    - no ``--rpc``: the default entry's RPC is used and must still serve that entry's chain id;
    - only ``--rpc``: whatever chain it serves, with the registry recorded for that chain.
    Several ``--rpc`` URLs are tried in order (failover). ``connect`` does the RPC side of the
    check before anything is read or signed.
    """
    urls = (rpc,) if isinstance(rpc, str) else tuple(rpc or ())
    cfg = load_registry_config()
    wanted = chain_id
    if wanted is None and not urls and cfg.get("default_chain_id") is not None:
        wanted = int(cfg["default_chain_id"])
    entry = cfg["chains"].get(str(wanted)) if wanted is not None else None
    if not urls:
        urls = (entry["rpc"] if entry else default_rpc(),)
    address = registry or (entry["address"] if entry else None)
    if address is not None and not Web3.is_address(address):
        raise BadInputError(
            f"registry address {address!r} is not an Ethereum address", hint="pass --registry 0x..."
        )
    return Target(
        urls[0], wanted if wanted is not None else -1, Address(address) if address else None, urls[1:]
    )


def default_rpc() -> str:
    """The project's one default-URL rule (``chain.connect.default_rpc_urls``), else anvil's
    default port."""
    from chainllm.chain.connect import default_rpc_urls

    urls: tuple[str, ...] = ()
    with contextlib.suppress(Exception):
        urls = default_rpc_urls()
    return urls[0] if urls else "http://127.0.0.1:8545"


def connect(
    target: Target, *, on_skip: Callable[[str, ServiceError], None] | None = None
) -> tuple[Web3, Target]:
    """A Web3 for the first of ``target``'s RPC URLs that answers (each one skipped is passed to
    ``on_skip``), whose chain id matches what was expected; the registry entry for that chain
    id is filled in when none was chosen yet. A URL that answers with the wrong chain id is an
    error, not a reason to fail over."""
    from chainllm.chain.connect import make_web3
    from chainllm.chain.transport import first_reachable

    rpc, actual = first_reachable((target.rpc, *target.fallbacks), on_skip=on_skip)
    if target.chain_id != -1 and actual != target.chain_id:
        raise BadInputError(
            f"RPC {rpc} serves chain id {actual}, but chain id {target.chain_id} was expected",
            hint=f"refusing to read or sign on the wrong chain: check --rpc / --chain-id and {registry_file()}",
        )
    w3 = make_web3(rpc)
    registry = target.registry
    if registry is None:
        entry = load_registry_config()["chains"].get(str(actual))
        registry = Address(entry["address"]) if entry else None
    return w3, Target(rpc, actual, registry)


# -- the contract ------------------------------------------------------------------------------


def artifact() -> dict[str, Any]:
    """ABI and bytecode of ModelRegistry, compiled once per source hash and cached as JSON."""
    source = CONTRACT_PATH.read_bytes()
    cache = (
        config.cache_dir() / "provenance" / f"ModelRegistry-{hashlib.sha256(source).hexdigest()[:16]}.json"
    )
    if cache.exists():
        with contextlib.suppress(OSError, ValueError):
            data = json.loads(cache.read_text())
            if isinstance(data, dict) and "abi" in data:
                return data
    from chainllm.audit.compile import compile_file

    comp = compile_file(CONTRACT_PATH)
    if not comp.result.compiled:
        first = comp.result.errors[0].message if comp.result.errors else "unknown error"
        raise ServiceError(f"{CONTRACT_PATH} does not compile: {first}")
    art = comp.contract(CONTRACT_NAME)
    write_json(cache, art)
    return art


def _error_selectors(abi: list[dict[str, Any]]) -> dict[str, str]:
    out = {}
    for item in abi:
        if item.get("type") == "error":
            sig = f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"
            out["0x" + keccak(text=sig)[:4].hex()] = item["name"]
    return out


@dataclass(frozen=True)
class ProvenanceRecord:
    """One on-chain registry record."""

    manifest_sha256: str
    cid: str
    name: str
    version: str
    base_model: str
    dataset_card_sha256: str | None
    metrics_sha256: str | None
    publisher: Address
    published_at: int
    revoked: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_tuple(cls, t: Any) -> ProvenanceRecord | None:
        (manifest, card, metrics, publisher, at, revoked, cid, name, version, base) = t
        if publisher == ZERO_ADDRESS:
            return None

        def hx(b: bytes) -> str | None:
            return None if b == ZERO32 else b.hex()

        return cls(
            manifest_sha256=bytes(manifest).hex(),
            cid=cid,
            name=name,
            version=version,
            base_model=base,
            dataset_card_sha256=hx(bytes(card)),
            metrics_sha256=hx(bytes(metrics)),
            publisher=Address(Web3.to_checksum_address(publisher)),
            published_at=int(at),
            revoked=bool(revoked),
        )


def _b32(hex_or_none: str | None) -> bytes:
    return bytes.fromhex(hex_or_none) if hex_or_none else ZERO32


class Registry:
    """Reads and writes records of one deployed ModelRegistry."""

    def __init__(self, w3: Web3, address: str, *, rpc: str = "") -> None:
        self.w3 = w3
        self.rpc = rpc
        checksum = Web3.to_checksum_address(address)
        self.address = Address(checksum)
        if w3.eth.get_code(checksum) in (b"", b"\x00"):
            raise BadInputError(
                f"no contract at registry address {self.address} on chain {w3.eth.chain_id}",
                hint="deploy one with `chainllm registry deploy --rpc URL` or fix --registry",
            )
        self.abi = artifact()["abi"]
        self.contract = w3.eth.contract(address=checksum, abi=self.abi)
        self._errors = _error_selectors(self.abi)

    def _call(self, fn: str, *args: Any) -> Any:
        try:
            return getattr(self.contract.functions, fn)(*args).call()
        except (ContractLogicError, ValueError) as exc:
            raise ServiceError(f"registry {self.address}: {fn} failed: {exc}") from None

    def record_of(self, manifest_sha256: str) -> ProvenanceRecord | None:
        return ProvenanceRecord.from_tuple(self._call("recordOf", bytes.fromhex(manifest_sha256)))

    def record_of_cid(self, cid: str) -> ProvenanceRecord | None:
        return ProvenanceRecord.from_tuple(self._call("recordOfCid", cid))

    def record_of_version(self, name: str, version: str) -> ProvenanceRecord | None:
        return ProvenanceRecord.from_tuple(self._call("recordOfVersion", name, version))

    def latest(self, name: str, *, include_revoked: bool = False) -> ProvenanceRecord | None:
        """Newest version of ``name`` (skipping revoked ones unless asked)."""
        count = int(self._call("versionCount", name))
        newest = None
        for i in range(count - 1, -1, -1):
            rec = self.record_of(bytes(self._call("versionAt", name, i)).hex())
            if rec is None:
                continue
            newest = newest or rec
            if include_revoked or not rec.revoked:
                return rec
        return newest  # every version revoked: return the newest so the caller can say so

    def publish_tx(self, manifest_sha256: str) -> tuple[TxHash, int] | None:
        """Hash and block of the transaction that created the record (from its event)."""
        try:
            logs = self.contract.events.Published.get_logs(
                from_block=0, argument_filters={"manifestHash": bytes.fromhex(manifest_sha256)}
            )
        except (ValueError, ContractLogicError):
            return None
        if not logs:
            return None
        log = logs[0]
        return TxHash("0x" + bytes(log["transactionHash"]).hex().removeprefix("0x")), int(log["blockNumber"])

    def owner_of(self, name: str) -> Address | None:
        owner = self._call("ownerOf", keccak(text=name))
        return None if owner == ZERO_ADDRESS else Address(Web3.to_checksum_address(owner))

    def may_publish(self, name: str, account: str) -> bool:
        owner = self.owner_of(name)
        if owner is None or owner == Web3.to_checksum_address(account):
            return True
        return bool(self._call("isDelegate", keccak(text=name), Web3.to_checksum_address(account)))

    def _send(self, account: LocalAccount, fn: str, *args: Any) -> tuple[TxHash, int]:
        from chainllm.chain.deploy import send_and_wait

        call = getattr(self.contract.functions, fn)(*args)
        try:
            tx = call.build_transaction({"from": account.address, "chainId": int(self.w3.eth.chain_id)})
        except ContractCustomError as exc:
            raise ServiceError(f"registry rejected {fn}: {self._decode(exc)}") from None
        except ContractLogicError as exc:
            raise ServiceError(f"registry rejected {fn}: {exc}") from None
        tx.pop("nonce", None)
        receipt = send_and_wait(self.w3, dict(tx), account)
        return TxHash("0x" + bytes(receipt["transactionHash"]).hex().removeprefix("0x")), int(
            receipt["blockNumber"]
        )

    def _decode(self, exc: ContractCustomError) -> str:
        data = str(exc.data if isinstance(exc.data, str) else exc.args[0])
        return self._errors.get(data[:10], data[:10])

    def publish(
        self,
        account: LocalAccount,
        *,
        name: str,
        version: str,
        cid: str,
        base_model: str,
        manifest_sha256: str,
        dataset_card_sha256: str | None,
        metrics_sha256: str | None,
    ) -> tuple[TxHash, int]:
        entry = (
            name,
            version,
            cid,
            base_model,
            bytes.fromhex(manifest_sha256),
            _b32(dataset_card_sha256),
            _b32(metrics_sha256),
        )
        return self._send(account, "publish", entry)

    def revoke(self, account: LocalAccount, manifest_sha256: str, reason: str) -> tuple[TxHash, int]:
        return self._send(account, "revoke", bytes.fromhex(manifest_sha256), reason)

    def set_delegate(
        self, account: LocalAccount, name: str, delegate: str, allowed: bool
    ) -> tuple[TxHash, int]:
        return self._send(account, "setDelegate", name, Web3.to_checksum_address(delegate), allowed)


def open_registry(
    rpc: str | Sequence[str] | None,
    *,
    chain_id: int | None = None,
    registry: str | None = None,
    on_skip: Callable[[str, ServiceError], None] | None = None,
) -> Registry:
    """The ModelRegistry that flags and ``registry.json`` point at, on a checked chain."""
    w3, target = connect(resolve_target(rpc, chain_id=chain_id, registry=registry), on_skip=on_skip)
    if target.registry is None:
        raise BadInputError(
            f"no ModelRegistry recorded for chain {target.chain_id}",
            hint=f"run `chainllm registry deploy --rpc {target.rpc}` or pass --registry ADDR",
        )
    return Registry(w3, target.registry, rpc=target.rpc)


def deploy_registry(w3: Web3, account: LocalAccount, rpc: str) -> tuple[Address, int]:
    """Deploy ModelRegistry and record its address for this chain id in ``registry.json``."""
    from chainllm.chain.deploy import send_and_wait

    art = artifact()
    factory = w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
    tx = factory.constructor().build_transaction({"from": account.address, "chainId": int(w3.eth.chain_id)})
    tx.pop("nonce", None)
    receipt = send_and_wait(w3, dict(tx), account)
    address = receipt.get("contractAddress")
    if not address:
        raise ServiceError("deploying ModelRegistry produced no contract address")
    record_deployment(int(w3.eth.chain_id), address, rpc, int(receipt["blockNumber"]))
    return Address(Web3.to_checksum_address(address)), int(receipt["blockNumber"])


# -- keys --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signer:
    account: LocalAccount
    source: str  # "env", "keystore", "anvil-dev-key": never the key itself


def load_signer(
    chain_id: int, *, keystore: Path | None = None, password: Callable[[], str] | None = None
) -> Signer:
    """The publisher account: keystore file, else ``CHAINLLM_PRIVATE_KEY``, else (chain 31337 only)
    anvil's dev account 0. Error messages never include key material."""
    if keystore is not None:
        try:
            blob = json.loads(keystore.read_text())
        except (OSError, ValueError) as exc:
            raise BadInputError(
                f"keystore {keystore} is not readable JSON ({exc.__class__.__name__})"
            ) from None
        pw = os.environ.get("CHAINLLM_KEYSTORE_PASSWORD")
        if pw is None:
            if password is None:
                raise BadInputError(
                    f"keystore {keystore} needs a password", hint="set CHAINLLM_KEYSTORE_PASSWORD"
                )
            pw = password()
        try:
            key = Account.decrypt(blob, pw)
        except (ValueError, KeyError, TypeError):
            raise BadInputError(
                f"cannot decrypt keystore {keystore}: wrong password or not a keystore"
            ) from None
        return Signer(Account.from_key(key), "keystore")
    env = os.environ.get("CHAINLLM_PRIVATE_KEY")
    if env:
        try:
            return Signer(Account.from_key(env.strip()), "env")
        except Exception:  # any failure: never echo the value
            raise BadInputError(
                "CHAINLLM_PRIVATE_KEY is not a valid private key", hint="expect 0x followed by 64 hex digits"
            ) from None
    if chain_id == ANVIL_CHAIN_ID:
        return Signer(Account.from_key(ANVIL_DEV_KEY), "anvil-dev-key")
    raise BadInputError(
        f"no publisher key for chain {chain_id}",
        hint="set CHAINLLM_PRIVATE_KEY or pass --keystore FILE (password in CHAINLLM_KEYSTORE_PASSWORD)",
    )
