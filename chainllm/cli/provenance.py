"""`chainllm publish | verify | pull | registry`: adapters on IPFS, their hashes on-chain."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click
from rich.console import Console

from chainllm.cli.options import json_option, rpc_option
from chainllm.cli.progress import StageBar
from chainllm.errors import BadInputError, ServiceError, VerificationError

if TYPE_CHECKING:
    from web3 import Web3

    from chainllm.provenance.ipfs import IpfsClient
    from chainllm.provenance.registry import Registry, Signer, Target
    from chainllm.provenance.verify import VerifyResult

F = TypeVar("F", bound=Callable[..., Any])
err = Console(stderr=True, highlight=False)


@dataclass
class ChainArgs:
    """``--rpc`` (several: failover in order), ``--chain-id`` and ``--registry``, as one value."""

    rpc: tuple[str, ...]
    chain_id: int | None
    registry: str | None
    skipped: list[str] = field(default_factory=list)

    def _skip(self, _url: str, exc: ServiceError) -> None:
        self.skipped.append(exc.message)

    def _report(self, used: str) -> None:
        # Said only once a URL answered: when none does, the one error names them all.
        if self.skipped:
            err.print(f"[yellow]failover: {'; '.join(self.skipped)}; using RPC {used}[/]", soft_wrap=True)

    def open(self) -> Registry:
        from chainllm.provenance.registry import open_registry

        reg = open_registry(self.rpc, chain_id=self.chain_id, registry=self.registry, on_skip=self._skip)
        self._report(reg.rpc)
        return reg

    def connect(self) -> tuple[Web3, Target]:
        """The chain alone (for deploy): the ``--rpc`` URLs, else the local anvil."""
        from chainllm.provenance.registry import Target, connect, default_rpc

        urls = self.rpc or (default_rpc(),)
        w3, target = connect(
            Target(urls[0], self.chain_id if self.chain_id is not None else -1, None, urls[1:]),
            on_skip=self._skip,
        )
        self._report(target.rpc)
        return w3, target


@dataclass(frozen=True)
class IpfsArgs:
    """``--ipfs`` and ``--timeout``: without a timeout only what the node holds is read."""

    url: str | None
    timeout: float | None

    def client(self) -> IpfsClient:
        from chainllm.provenance.ipfs import DEFAULT_TIMEOUT, IpfsClient

        return IpfsClient(
            self.url, timeout=self.timeout or DEFAULT_TIMEOUT, fetch_missing=self.timeout is not None
        )


def ipfs_options(f: F, *, timeout: bool = True) -> F:
    """``--ipfs`` (and ``--timeout``), passed to the command as one ``node: IpfsArgs``."""

    @functools.wraps(f)
    def bundled(*args: Any, ipfs_url: str | None, fetch_timeout: float | None = None, **kw: Any) -> Any:
        return f(*args, node=IpfsArgs(ipfs_url, fetch_timeout), **kw)

    if timeout:
        bundled = click.option(
            "--timeout",
            "fetch_timeout",
            type=click.FloatRange(min=0, min_open=True),
            envvar="CHAINLLM_IPFS_TIMEOUT",
            metavar="SECONDS",
            help="Let the IPFS node fetch content it does not hold from the network, waiting up to "
            "SECONDS per read. Without it, a CID the node does not hold fails at once.",
        )(bundled)
    bundled = click.option(
        "--ipfs",
        "ipfs_url",
        envvar="CHAINLLM_IPFS_API",
        metavar="URL",
        help="Kubo RPC API of the IPFS node. Default: the node from `chainllm services up ipfs`, else :5001.",
    )(bundled)
    return cast(F, bundled)


def chain_options(f: F, *, registry: bool = True) -> F:
    """``--rpc``, ``--chain-id`` (and ``--registry``), passed to the command as one ``chain: ChainArgs``."""

    @functools.wraps(f)
    def bundled(
        *args: Any, rpc: tuple[str, ...], chain_id: int | None, registry_addr: str | None = None, **kw: Any
    ) -> Any:
        return f(*args, chain=ChainArgs(rpc, chain_id, registry_addr), **kw)

    if registry:
        bundled = click.option(
            "--registry",
            "registry_addr",
            metavar="ADDR",
            help="ModelRegistry address. Default: the one `chainllm registry deploy` recorded for the chain.",
        )(bundled)
    bundled = click.option(
        "--chain-id",
        type=int,
        envvar="CHAINLLM_CHAIN_ID",
        help="Expected chain id; refuse to read or sign when the RPC serves another.",
    )(bundled)
    return cast(F, rpc_option(bundled))


def key_option(f: F) -> F:
    return click.option(
        "--keystore",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Encrypted eth-account keystore of the publisher (password: CHAINLLM_KEYSTORE_PASSWORD or a "
        "prompt). Without it, CHAINLLM_PRIVATE_KEY; on anvil (chain 31337) only, anvil's dev account 0.",
    )(f)


def publisher_option(f: F) -> F:
    return click.option("--publisher", metavar="ADDR", help="Require this publisher address on the record.")(
        f
    )


def _emit(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


def _signer(chain_id: int, keystore: Path | None, quiet: bool) -> Signer:
    from chainllm.provenance.registry import load_signer

    signer = load_signer(
        chain_id,
        keystore=keystore,
        password=lambda: click.prompt("keystore password", hide_input=True, err=True),
    )
    if signer.source == "anvil-dev-key" and not quiet:
        err.print("[yellow]using anvil's public dev account 0 (local chain 31337 only)[/]")
    return signer


@contextmanager
def _progress(enabled: bool, label: str) -> Iterator[Callable[[int], None]]:
    """A bytes bar on the one CLI renderer; yields the ``advance(n_bytes)`` callback."""
    with StageBar(enabled=enabled, units="bytes", lines=False, console=err) as bar:
        bar.stage(label)
        yield bar.advance


@click.command()
@click.argument("adapter_dir", type=click.Path(path_type=Path))
@click.option(
    "--name", help="Model name in the registry (default: training_config.json's, else the folder name)."
)
@click.option("--version", "version", help="Version string (default: training_config.json's, else 1).")
@click.option(
    "--dataset-card",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Dataset card to hash into the manifest (default: training_config.json's dataset_card_sha256).",
)
@click.option(
    "--pin-service",
    envvar="CHAINLLM_PINNING_SERVICE",
    metavar="URL",
    help="Also ask this IPFS Pinning Service API endpoint to pin the CID (token: CHAINLLM_PINNING_TOKEN).",
)
@functools.partial(ipfs_options, timeout=False)
@chain_options
@key_option
@json_option
def publish(
    adapter_dir: Path,
    name: str | None,
    version: str | None,
    dataset_card: Path | None,
    pin_service: str | None,
    node: IpfsArgs,
    chain: ChainArgs,
    keystore: Path | None,
    as_json: bool,
) -> None:
    """Pin an adapter or fraud model folder to IPFS and record its manifest hash on-chain.

    Builds a manifest (sha256 and size of every file, base model, dataset card hash,
    training config, metrics, chainllm version, kind), adds the folder plus manifest as one
    CIDv1 directory (raw leaves), pins it, checks the node's CID against one computed
    locally, then sends the registry transaction. Publishing the same folder again sends
    nothing. A folder is a LoRA adapter (adapter_config.json + .safetensors) or a fraud
    model from `chainllm train fraud` (combine.json + gbm.txt).

    Example: chainllm publish runs/lora-erc20 --name erc20-lora --version 1 --json
    """
    from chainllm.provenance.manifest import scan_folder
    from chainllm.provenance.pinning import PinningService
    from chainllm.provenance.publish import publish as do_publish

    # The folder, name and version are checked (and hashed) before any service or key is touched.
    pinning = PinningService(pin_service) if pin_service else None
    with _progress(not as_json, "hashing") as step:
        scanned = scan_folder(
            adapter_dir,
            name=name,
            version=version,
            dataset_card=dataset_card,
            progress=lambda _n, size: step(size),
        )
    registry = chain.open()
    signer = _signer(int(registry.w3.eth.chain_id), keystore, as_json)
    with node.client() as ipfs:
        ipfs.version()  # one clear error when the node is down
        result = do_publish(
            adapter_dir, ipfs=ipfs, registry=registry, signer=signer, pinning=pinning, scanned=scanned
        )
    if as_json:
        _emit(result.to_dict())
        return
    state = (
        "already published (nothing sent)" if result.already_published else f"recorded in tx {result.tx_hash}"
    )
    click.echo(f"{result.name}@{result.version}: {state}")
    click.echo(f"  cid       {result.cid}")
    click.echo(f"  manifest  sha256 {result.manifest_sha256} ({result.kind})")
    click.echo(f"  registry  {result.registry} (chain {result.chain_id}), publisher {result.publisher}")
    click.echo(f"  files     {result.files} ({result.bytes} bytes)")
    if result.remote_pin:
        rp = result.remote_pin
        click.echo(f"  remote    {rp['service']}: request {rp['requestid']} {rp['status']}")


def _check(
    ref: str, *, to: Path | None, publisher: str | None, node: IpfsArgs, chain: ChainArgs, as_json: bool
) -> VerifyResult:
    """verify (``to`` None) or pull, then print the checks; pull raises when one fails."""
    from eth_utils import is_address

    from chainllm.provenance.verify import check_pull_target, parse_ref
    from chainllm.provenance.verify import pull as do_pull
    from chainllm.provenance.verify import verify as do_verify

    # Arguments first, services second: a typo never waits on (or blames) an unreachable node.
    cid, _name, _version = parse_ref(ref)
    if publisher is not None and not is_address(publisher):
        raise BadInputError(f"--publisher {publisher!r} is not an Ethereum address")
    if to is not None:
        check_pull_target(to)
    try:
        registry = chain.open()
    except ServiceError as exc:
        if cid is None:  # say why a name needs the chain at all
            raise ServiceError(
                f"{ref!r} is not a CID, so it is looked up as a model name in the registry, but {exc.message}",
                hint=exc.hint,
            ) from None
        raise
    with node.client() as ipfs, _progress(not as_json, "fetching" if to is None else "pulling") as step:
        kw: dict[str, Any] = {"ipfs": ipfs, "registry": registry, "publisher": publisher, "progress": step}
        result = do_verify(ref, **kw) if to is None else do_pull(ref, to, **kw)
    if as_json:
        _emit(result.to_dict())
    else:
        for c in result.checks:
            mark = "[green]ok[/]  " if c.ok else "[red]FAIL[/]"
            Console(highlight=False).print(f"{mark} {c.name:<10} {c.detail}", markup=True, soft_wrap=True)
        click.echo(f"{result.target}: {'verified' if result.ok else 'NOT verified'}")
    return result


@click.command()
@click.argument("ref", metavar="CID|NAME[@VERSION]")
@publisher_option
@ipfs_options
@chain_options
@json_option
def verify(ref: str, publisher: str | None, node: IpfsArgs, chain: ChainArgs, as_json: bool) -> None:
    """Check a published adapter without trusting the IPFS node; exit 1 on any failure.

    Fetches every file, recomputes each file's hash and the directory CID locally, checks
    the files against the manifest, the manifest hash against the on-chain record, the
    publisher, and that the version is not revoked. A CID the IPFS node does not hold fails
    at once unless --timeout lets the node fetch it from the network.

    Example: chainllm verify erc20-lora@1 --publisher 0xf39F...2266
    """
    result = _check(ref, to=None, publisher=publisher, node=node, chain=chain, as_json=as_json)
    if not result.ok:
        sys.exit(VerificationError.exit_code)


@click.command()
@click.argument("ref", metavar="CID|NAME[@VERSION]")
@click.option(
    "--to", "to", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder to create."
)
@publisher_option
@ipfs_options
@chain_options
@json_option
def pull(ref: str, to: Path, publisher: str | None, node: IpfsArgs, chain: ChainArgs, as_json: bool) -> None:
    """Verify a published adapter, then write it to --to atomically (nothing on failure).

    Only safetensors, JSON and text files are accepted; pickles and path tricks are refused.

    Example: chainllm pull erc20-lora@1 --to adapters/erc20-lora
    """
    result = _check(ref, to=to, publisher=publisher, node=node, chain=chain, as_json=as_json)
    if not as_json:
        click.echo(f"wrote {result.path}")


@click.group()
def registry() -> None:
    """Deploy and administer the on-chain ModelRegistry."""


@registry.command()
@functools.partial(chain_options, registry=False)
@key_option
@json_option
def deploy(chain: ChainArgs, keystore: Path | None, as_json: bool) -> None:
    """Deploy contracts/ModelRegistry.sol and record its address for that chain id.

    Several --rpc URLs are tried in order; the address is recorded with the one that answered.

    Example: chainllm services up anvil && chainllm registry deploy --rpc http://127.0.0.1:8545
    """
    from chainllm.provenance.registry import deploy_registry, registry_file

    w3, target = chain.connect()
    signer = _signer(target.chain_id, keystore, as_json)
    address, block = deploy_registry(w3, signer.account, target.rpc)
    out = {"registry": address, "chain_id": target.chain_id, "block": block, "rpc": target.rpc,
           "deployer": signer.account.address, "config": str(registry_file())}  # fmt: skip
    if as_json:
        _emit(out)
    else:
        click.echo(f"ModelRegistry deployed at {address} on chain {target.chain_id} (block {block})")
        click.echo(f"recorded in {out['config']}")


@registry.command()
@click.argument("ref", metavar="NAME@VERSION|CID")
@click.option(
    "--reason", default="revoked by publisher", show_default=True, help="Reason stored in the event."
)
@chain_options
@key_option
@json_option
def revoke(ref: str, reason: str, chain: ChainArgs, keystore: Path | None, as_json: bool) -> None:
    """Mark a published version revoked; verify and pull refuse it from then on.

    Example: chainllm registry revoke erc20-lora@1 --reason "trained on leaked data"
    """
    from chainllm.provenance.verify import parse_ref

    cid, name, version = parse_ref(ref)  # before the chain is contacted
    if cid is None and version is None:
        raise BadInputError(f"{ref!r} names no version", hint="revoke one version: NAME@VERSION or its CID")
    reg = chain.open()
    if cid is not None:
        record = reg.record_of_cid(cid)
    elif name is not None and version is not None:
        record = reg.record_of_version(name, version)
    else:
        raise BadInputError(f"{ref!r} names no version", hint="revoke one version: NAME@VERSION or its CID")
    if record is None:
        raise BadInputError(f"{ref} is not in registry {reg.address}")
    if record.revoked:
        raise BadInputError(f"{record.name}@{record.version} is already revoked")
    signer = _signer(int(reg.w3.eth.chain_id), keystore, as_json)
    tx_hash, block = reg.revoke(signer.account, record.manifest_sha256, reason)
    if as_json:
        _emit(
            {
                "revoked": f"{record.name}@{record.version}",
                "cid": record.cid,
                "tx_hash": tx_hash,
                "block": block,
            }
        )
    else:
        click.echo(f"revoked {record.name}@{record.version} ({record.cid}) in tx {tx_hash}")


@registry.command()
@click.argument("name")
@click.argument("account", metavar="ADDR")
@click.option("--remove", is_flag=True, help="Take the delegation away instead.")
@chain_options
@key_option
@json_option
def delegate(
    name: str, account: str, remove: bool, chain: ChainArgs, keystore: Path | None, as_json: bool
) -> None:
    """Let ADDR publish and revoke versions of NAME (owner only).

    Example: chainllm registry delegate erc20-lora 0x7099...79C8
    """
    from eth_utils import is_address

    from chainllm.provenance.manifest import NAME_RE

    if not is_address(account):  # arguments before the chain
        raise BadInputError(f"{account!r} is not an Ethereum address")
    if not NAME_RE.match(name):
        raise BadInputError(
            f"model name {name!r} is not allowed", hint="use 1-64 letters, digits, '.', '_' or '-'"
        )
    reg = chain.open()
    signer = _signer(int(reg.w3.eth.chain_id), keystore, as_json)
    owner = reg.owner_of(name)
    if owner != signer.account.address:
        raise BadInputError(f"{signer.account.address} does not own {name!r} (owner: {owner})")
    tx_hash, _ = reg.set_delegate(signer.account, name, account, not remove)
    if as_json:
        _emit({"name": name, "delegate": account, "allowed": not remove, "tx_hash": tx_hash})
    else:
        click.echo(f"{'removed' if remove else 'added'} {account} as publisher of {name!r} (tx {tx_hash})")


@registry.command()
@click.argument("ref", metavar="NAME[@VERSION]|CID")
@chain_options
@json_option
def show(ref: str, chain: ChainArgs, as_json: bool) -> None:
    """Print the on-chain record of a published adapter (no download).

    Example: chainllm registry show erc20-lora
    """
    from chainllm.provenance.verify import parse_ref

    reg = chain.open()
    cid, name, version = parse_ref(ref)
    if cid:
        record = reg.record_of_cid(cid)
    else:
        assert name is not None
        record = reg.record_of_version(name, version) if version else reg.latest(name, include_revoked=True)
    if record is None:
        raise BadInputError(f"{ref} is not in registry {reg.address}")
    if as_json:
        _emit({"registry": reg.address, "chain_id": int(reg.w3.eth.chain_id), **record.to_dict()})
        return
    for k, v in record.to_dict().items():
        click.echo(f"{k:<20} {v}")
