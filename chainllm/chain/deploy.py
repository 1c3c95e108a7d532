"""Deploy a compiled contract and wait for it to be mined."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chainllm.errors import BadInputError, ServiceError
from chainllm.types import Address

if TYPE_CHECKING:  # web3 and eth_account take ~1 s to import: only when deploying
    from eth_account.signers.local import LocalAccount
    from web3 import Web3

    from chainllm.audit.compile import Compilation


def send_and_wait(
    w3: Web3, tx: dict[str, Any], sender: str | LocalAccount, *, timeout: float = 60
) -> dict[str, Any]:
    """Send ``tx`` from ``sender`` (a local account signs; a plain address must be unlocked on
    the node, as anvil's dev accounts are) and return the receipt; a revert raises ServiceError."""
    from eth_account.signers.local import LocalAccount
    from web3 import Web3

    if isinstance(sender, LocalAccount):
        tx = {**tx, "from": sender.address}
        tx.setdefault("nonce", w3.eth.get_transaction_count(sender.address, "pending"))
        tx.setdefault("chainId", w3.eth.chain_id)
        if "gas" not in tx:
            tx["gas"] = int(w3.eth.estimate_gas(tx) * 1.2)  # type: ignore[arg-type]
        if "gasPrice" not in tx and "maxFeePerGas" not in tx:
            tx["gasPrice"] = w3.eth.gas_price
        signed = sender.sign_transaction(tx)
        tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    else:
        tx_hash = w3.eth.send_transaction({**tx, "from": Web3.to_checksum_address(sender)})  # type: ignore[typeddict-item]
    receipt = dict(w3.eth.wait_for_transaction_receipt(tx_hash, timeout=timeout))
    if receipt.get("status") != 1:
        raise ServiceError(f"transaction {tx_hash.hex()} reverted")
    return receipt


def deploy(
    w3: Web3,
    compilation: Compilation,
    contract_name: str,
    *args: Any,
    sender: str | LocalAccount,
    value: int = 0,
) -> Address:
    """Deploy ``contract_name`` from ``compilation`` with constructor ``args``; returns its address.

    Example::

        comp = compile_file("contracts/ModelRegistry.sol")
        registry = deploy(w3, comp, "ModelRegistry", sender=w3.eth.accounts[0])
    """
    from eth_account.signers.local import LocalAccount
    from web3 import Web3

    try:
        art = compilation.contract(contract_name)
    except KeyError:
        raise BadInputError(
            f"{compilation.result.path}: no contract named {contract_name!r}",
            hint=f"contracts there: {', '.join(c.split(':')[-1] for c in compilation.result.contracts)}",
        ) from None
    if art["bytecode"] in ("0x", ""):
        raise BadInputError(f"{contract_name} in {compilation.result.path} is abstract or an interface")
    factory = w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
    sender_addr = sender.address if isinstance(sender, LocalAccount) else sender
    tx = factory.constructor(*args).build_transaction({"from": sender_addr, "value": value})
    tx.pop("nonce", None)
    receipt = send_and_wait(w3, dict(tx), sender)
    address = receipt.get("contractAddress")
    if not address:
        raise ServiceError(f"deploying {contract_name} produced no contract address")
    return Address(Web3.to_checksum_address(address))
