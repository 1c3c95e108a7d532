"""Spec parsing shared by the verified-source crawlers: ``[CHAIN:]0xADDRESS``."""

from __future__ import annotations

import re

from chainllm.errors import BadInputError

_ADDR_RE = re.compile(r"^0x[0-9a-fA-F]{40}$")


def chain_and_address(spec: str, target: str) -> tuple[int, str]:
    chain, _, addr = target.rpartition(":")
    chain = chain or "1"
    if not chain.isdigit() or int(chain) <= 0:
        raise BadInputError(
            f"{spec}: chain id {chain!r} is not a positive integer", hint="e.g. 1 for mainnet"
        )
    if not _ADDR_RE.match(addr):
        raise BadInputError(
            f"{spec}: {addr!r} is not a 20-byte hex address", hint="write 0x followed by 40 hex digits"
        )
    return int(chain), addr.lower()
