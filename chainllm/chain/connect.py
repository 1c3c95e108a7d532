"""The one rule for which node to talk to, and ``Web3`` for the paths that sign or deploy.

Default URL rule (every command): ``--rpc`` URLs, else ``CHAINLLM_RPC`` (click passes it as
``--rpc``; library callers get it from ``default_rpc_urls``), else the local anvil started by
``chainllm services up``. Raw JSON-RPC goes through ``chainllm.chain.transport``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from chainllm.chain.transport import check_rpc_url, probe_rpc
from chainllm.errors import BadInputError

if TYPE_CHECKING:
    from web3 import Web3


def make_web3(rpc_url: str, timeout: float = 10) -> Web3:
    """A connected ``Web3`` over HTTP. Raises ServiceError when the node does not answer
    ``eth_chainId`` (unreachable, not JSON-RPC, or an error reply)."""
    from web3 import Web3  # slow to import (~1 s): only for callers that sign or deploy
    from web3.providers.rpc import HTTPProvider

    probe_rpc(rpc_url, timeout=timeout)
    return Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))


def split_urls(urls: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Entries may hold several URLs separated by commas (``CHAINLLM_RPC=url1,url2``; click
    already splits that variable on spaces)."""
    return tuple(check_rpc_url(u.strip()) for entry in urls for u in entry.split(",") if u.strip())


def default_rpc_urls() -> tuple[str, ...]:
    """``CHAINLLM_RPC``, else the running local anvil; empty when neither is there."""
    env = split_urls((os.environ.get("CHAINLLM_RPC", ""),))
    if env:
        return env
    from chainllm.services import manager  # services import chain.transport, never this module

    st = manager.status("anvil")
    return (st.url,) if st.running and st.url else ()


def resolve_rpc(urls: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The ``--rpc`` URLs given, else ``default_rpc_urls()``; BadInputError when there is none."""
    found = split_urls(urls) or default_rpc_urls()
    if found:
        return found
    raise BadInputError(
        "no --rpc URL given and no local anvil is running",
        hint="start one with `chainllm services up anvil` or pass --rpc URL",
    )
