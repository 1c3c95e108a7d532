"""`chainllm serve`: the HTTP API (FastAPI on uvicorn) and its API keys."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from chainllm.cli.options import json_option, rpc_option
from chainllm.errors import BadInputError


@click.group(invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="TCP port.")
@rpc_option
@click.option("--model", "model_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Fraud model folder from `chainllm train fraud` (default: the latest trained).")  # fmt: skip
@click.option("--adapter", "adapter_ref", metavar="CID|NAME[@VERSION]",
              help="A published fraud model, pulled and verified against the registry (as `score --adapter`).")  # fmt: skip
@click.option("--ipfs", "ipfs_url", envvar="CHAINLLM_IPFS_API", metavar="URL",
              help="Kubo RPC API: where --adapter is pulled from; /readyz checks it when given.")  # fmt: skip
@click.option("--registry", "registry_addr", metavar="ADDR", help="With --adapter: ModelRegistry address.")
@click.option("--registry-rpc", metavar="URL", help="With --adapter: JSON-RPC URL of the registry's chain.")
@click.option(
    "--chain-id", type=int, envvar="CHAINLLM_CHAIN_ID", help="With --adapter: the registry's chain id."
)
@click.option("--publisher", metavar="ADDR", help="With --adapter: require this publisher on the record.")
@click.option(
    "--llm/--no-llm", default=True, show_default=True, help="Use the model's LoRA classifier when it has one."
)
@click.option("--trace/--no-trace", default=True, show_default=True, help="Ask the node for call traces.")
@click.option(
    "--cache/--no-cache", default=True, show_default=True, help="Reuse fetched chain data (disk cache)."
)
@click.option("--backend", type=click.Choice(["local", "openai", "template"]), default="template", show_default=True,
              help="Generation backend for /v1/generate (as `generate --backend`).")  # fmt: skip
@click.option("--base", default="smollm2-135m", show_default=True, help="Base model for --backend local.")
@click.option("--gen-adapter", help="LoRA adapter for --backend local (folder, CID or NAME[@VERSION]).")
@click.option("--base-url", envvar="CHAINLLM_OPENAI_BASE_URL", help="Server for --backend openai.")
@click.option("--gen-model", help="Model name for --backend openai.")
@click.option(
    "--no-auth", is_flag=True, help="Accept every request with every scope (loopback only; logged loudly)."
)
@click.option("--keys-file", type=click.Path(dir_okay=False, path_type=Path),
              help="API keys file (default: <data dir>/serve/keys.json).")  # fmt: skip
@click.option("--jwt-jwks-url", envvar="CHAINLLM_JWT_JWKS_URL", metavar="URL",
              help="Accept OAuth 2.0 JWT bearer tokens signed by the keys at this JWKS URL.")  # fmt: skip
@click.option("--jwt-issuer", envvar="CHAINLLM_JWT_ISSUER", help="Required `iss` of bearer tokens.")
@click.option("--jwt-audience", envvar="CHAINLLM_JWT_AUDIENCE", help="Required `aud` of bearer tokens.")
@click.option(
    "--rate", type=float, default=10.0, show_default=True, help="Requests per second per key (token bucket)."
)
@click.option("--burst", type=int, default=20, show_default=True, help="Token bucket size per key.")
@click.option(
    "--max-body", type=int, default=1_000_000, show_default=True, help="Largest request body, in bytes (413)."
)
@click.option(
    "--timeout", type=float, default=30.0, show_default=True, help="Seconds per request (504 beyond)."
)
@click.option("--max-inflight", type=int, default=8, show_default=True,
              help="Score/audit requests worked on at once (503 beyond).")  # fmt: skip
@click.option("--max-jobs", type=int, default=1, show_default=True, help="Generation jobs running at once.")
@click.option("--queue", "queue_size", type=int, default=8, show_default=True,
              help="Generation jobs waiting (503 when full).")  # fmt: skip
@click.option(
    "--max-hashes", type=int, default=100, show_default=True, help="Hashes per /v1/score request (422)."
)
@click.option("--max-source", type=int, default=200_000, show_default=True,
              help="Bytes per Solidity file in /v1/audit (413).")  # fmt: skip
@click.option("--header-timeout", type=float, default=10.0, show_default=True,
              help="Seconds a client has to send its request headers (slow clients are cut off).")  # fmt: skip
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="info",
              show_default=True, help="JSON log lines on stderr at this level and above.")  # fmt: skip
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, rpc: tuple[str, ...], model_dir: Path | None,
          adapter_ref: str | None, ipfs_url: str | None, registry_addr: str | None, registry_rpc: str | None,
          chain_id: int | None, publisher: str | None, llm: bool, trace: bool, cache: bool, backend: str, base: str,
          gen_adapter: str | None, base_url: str | None, gen_model: str | None, no_auth: bool,
          keys_file: Path | None, jwt_jwks_url: str | None, jwt_issuer: str | None, jwt_audience: str | None,
          rate: float, burst: int, max_body: int, timeout: float, max_inflight: int, max_jobs: int,
          queue_size: int, max_hashes: int, max_source: int, header_timeout: float, log_level: str) -> None:  # fmt: skip
    """Serve scoring, auditing and generation over HTTP (FastAPI on uvicorn).

    POST /v1/score, POST /v1/audit, POST /v1/generate (a job: GET /v1/jobs/ID), GET /v1/models,
    GET /healthz, /readyz, /metrics and the OpenAPI docs at /docs. Requests need an API key
    (`chainllm serve keys add`) or, with --jwt-jwks-url, an OAuth 2.0 JWT bearer token; each
    key or token carries scopes (score, audit, generate). Needs `pip install 'chainllm[serve]'`.

    \b
    Examples:
      chainllm serve keys add ci --scope score,audit
      chainllm serve --host 127.0.0.1 --port 8000 --rpc http://127.0.0.1:8545
      curl -H "X-API-Key: $KEY" -H 'Content-Type: application/json' -d '{"hash": "0x5c50…e1"}' \\
           http://127.0.0.1:8000/v1/score
    """
    if ctx.invoked_subcommand is not None:
        return
    from chainllm.serve import require_extra

    require_extra()
    from chainllm.chain.connect import resolve_rpc
    from chainllm.serve.models import resolve_fraud_model
    from chainllm.serve.server import run
    from chainllm.serve.settings import JwtSettings, Limits, ServeConfig

    try:
        urls = resolve_rpc(rpc)
    except BadInputError:
        urls = ()  # no node: scoring answers 503, audit and generation still work
        click.echo("warning: no --rpc and no local anvil: /v1/score is off", err=True)
    jwt = None
    if jwt_jwks_url or jwt_issuer or jwt_audience:
        jwt = JwtSettings(jwks_url=jwt_jwks_url or "", issuer=jwt_issuer or "", audience=jwt_audience or "")
    limits = Limits(rate=rate, burst=burst, max_body_bytes=max_body, request_timeout_s=timeout,
                    max_inflight=max_inflight, max_jobs=max_jobs, queue_size=queue_size, max_hashes=max_hashes,
                    max_source_bytes=max_source, header_timeout_s=header_timeout)  # fmt: skip
    model = resolve_fraud_model(model_dir, adapter_ref, rpc=urls, ipfs_url=ipfs_url, registry=registry_addr,
                                registry_rpc=registry_rpc, chain_id=chain_id, publisher=publisher)  # fmt: skip
    cfg = ServeConfig(
        host=host, port=port, rpc=urls, model_dir=model.folder, model_cid=model.cid,
        model_provenance=model.provenance, ipfs_url=ipfs_url, no_auth=no_auth, keys_file=keys_file, jwt=jwt,
        limits=limits, score_cache=cache, score_trace=trace, generate_backend=backend, generate_base=base,
        generate_adapter=gen_adapter, generate_base_url=base_url, generate_model=gen_model, log_level=log_level,
    )  # fmt: skip
    run(cfg, llm=llm)


@serve.group()
def keys() -> None:
    """API keys: stored hashed (SHA-256) in the keys file; a key is shown once, when made."""


def _store(keys_file: Path | None):  # type: ignore[no-untyped-def]
    from chainllm.serve.keys import KeyStore

    return KeyStore(keys_file)


_keys_file = click.option("--keys-file", type=click.Path(dir_okay=False, path_type=Path),
                          help="API keys file (default: <data dir>/serve/keys.json).")  # fmt: skip


@keys.command("add")
@click.argument("name")
@click.option("--scope", "scopes", default="score", show_default=True,
              help="Comma-separated scopes: score, audit, generate.")  # fmt: skip
@_keys_file
@json_option
def keys_add(name: str, scopes: str, keys_file: Path | None, as_json: bool) -> None:
    """Make a key NAME with SCOPES; prints the key (once: only its hash is kept).

    \b
    Example:
      chainllm serve keys add wallet-backend --scope score
    """
    from chainllm.serve.keys import parse_scopes

    rec, secret = _store(keys_file).add(name, parse_scopes(scopes))
    if as_json:
        click.echo(json.dumps({**rec.public(), "key": secret}, sort_keys=True))
        return
    click.echo(secret)
    click.echo(f"key {rec.id} ({rec.name}, scopes {','.join(rec.scopes)}): store it now, it is not shown again",
               err=True)  # fmt: skip


@keys.command("list")
@_keys_file
@json_option
def keys_list(keys_file: Path | None, as_json: bool) -> None:
    """The keys (id, name, scopes, created, revoked); never the keys themselves."""
    recs = _store(keys_file).list()
    if as_json:
        click.echo(json.dumps([r.public() for r in recs], sort_keys=True))
        return
    for r in recs:
        state = (
            "revoked " + time.strftime("%Y-%m-%d %H:%M", time.gmtime(r.revoked)) if r.revoked else "active"
        )
        click.echo(f"{r.id}  {r.name:<24} {','.join(r.scopes):<22} {state}")


@keys.command("revoke")
@click.argument("key_id")
@_keys_file
def keys_revoke(key_id: str, keys_file: Path | None) -> None:
    """Revoke a key by id (or name); a running server refuses it from its next request."""
    rec = _store(keys_file).revoke(key_id)
    click.echo(f"revoked key {rec.id} ({rec.name})", err=True)
