"""Build a ``Web3`` for a JSON-RPC URL, failing early with one line that names the URL."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import httpx

from chainllm.errors import BadInputError, ServiceError

if TYPE_CHECKING:
    from web3 import Web3


@functools.cache
def http_client() -> httpx.Client:
    """One shared client for one-off calls: building a client loads the CA bundle (~0.1 s)."""
    return httpx.Client(timeout=30)


def check_rpc_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        raise BadInputError(
            f"RPC URL {url!r} is not an http(s) URL", hint="pass e.g. --rpc http://127.0.0.1:8545"
        )
    return url


def make_web3(rpc_url: str, timeout: float = 10) -> Web3:
    """A connected ``Web3`` over HTTP. Raises ServiceError when the node does not answer
    ``eth_chainId`` (unreachable, not JSON-RPC, or an error reply)."""
    from web3 import Web3  # slow to import (~1 s): only for callers that want web3
    from web3.providers.rpc import HTTPProvider

    probe_rpc(rpc_url, timeout=timeout)
    return Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))


def probe_rpc(url: str, *, timeout: float = 10) -> int:
    """The node's chain id; ServiceError with a short reason when ``url`` is no usable node."""
    check_rpc_url(url)
    hint = "start one with `chainllm services up anvil` or check --rpc"
    try:
        r = http_client().post(
            url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}, timeout=timeout
        )
    except httpx.ConnectError:
        raise ServiceError(f"cannot reach a JSON-RPC node at {url}: connection refused", hint=hint) from None
    except httpx.TimeoutException:
        raise ServiceError(f"JSON-RPC node at {url} did not answer within {timeout:g} s", hint=hint) from None
    except httpx.HTTPError as exc:
        raise ServiceError(f"cannot reach a JSON-RPC node at {url}: {exc}", hint=hint) from None
    body: object = None
    try:
        body = r.json()
        chain_id = int(body["result"], 16)  # type: ignore[index]
    except (ValueError, KeyError, TypeError):
        detail = body.get("error") if isinstance(body, dict) else None
        raise ServiceError(
            f"{url} is not a usable JSON-RPC node (HTTP {r.status_code}"
            + (f", error {detail}" if detail else ", no eth_chainId result")
            + ")",
            hint=hint,
        ) from None
    return chain_id


def first_reachable(
    urls: Sequence[str],
    *,
    timeout: float = 10,
    on_skip: Callable[[str, ServiceError], None] | None = None,
) -> tuple[str, int]:
    """The first of ``urls`` (in order) that answers ``eth_chainId``, and its chain id.

    Each URL that does not answer is passed to ``on_skip`` before the next is tried (failover
    for ``--rpc A --rpc B``). When none answers: one URL re-raises its own error; several raise
    one ServiceError that names each with its reason. A URL that is not http(s) is bad input,
    not a reason to fail over.
    """
    if not urls:
        raise BadInputError("no RPC URL given", hint="pass --rpc URL (repeat it for failover)")
    errors: list[ServiceError] = []
    for url in urls:
        try:
            return url, probe_rpc(url, timeout=timeout)
        except ServiceError as exc:
            errors.append(exc)
            if on_skip is not None:
                on_skip(url, exc)
    if len(errors) == 1:
        raise errors[0]
    raise ServiceError(
        f"none of the {len(urls)} RPC URLs answers: " + "; ".join(e.message for e in errors),
        hint="start a node with `chainllm services up anvil` or check the --rpc URLs",
    )


def rpc_call(url: str, method: str, params: list[Any] | None = None, *, timeout: float = 30) -> Any:
    """One raw JSON-RPC call (anvil/evm cheat methods that web3 has no wrapper for)."""
    try:
        r = http_client().post(
            url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}, timeout=timeout
        )
        body = r.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ServiceError(f"{method} on {url} failed: {exc}") from None
    if not isinstance(body, dict):
        raise ServiceError(f"{method} on {url} returned a non-object reply")
    if "error" in body:
        err = body["error"]
        msg = err.get("message", err) if isinstance(err, dict) else err
        raise ServiceError(f"{method} on {url} failed: {msg}")
    return body.get("result")


def resolve_rpc(urls: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The ``--rpc`` URLs given, else the local anvil started by ``chainllm services up``.
    An entry may hold several URLs separated by commas (``CHAINLLM_RPC=url1,url2``; click
    already splits that variable on spaces)."""
    parts = [u.strip() for entry in urls for u in entry.split(",") if u.strip()]
    if parts:
        return tuple(check_rpc_url(u) for u in parts)
    from chainllm.services import manager

    st = manager.status("anvil")
    if st.running and st.url:
        return (st.url,)
    raise BadInputError(
        "no --rpc URL given and no local anvil is running",
        hint="start one with `chainllm services up anvil` or pass --rpc URL",
    )
