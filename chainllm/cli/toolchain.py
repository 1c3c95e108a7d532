"""`chainllm toolchain`: what compilers and tools are available, and installing them."""

from __future__ import annotations

import json
import shutil
import subprocess
from importlib import metadata

import click

from chainllm import config
from chainllm.cli.options import json_option
from chainllm.errors import BadInputError, ToolchainError
from chainllm.toolchain.compilers import discover
from chainllm.toolchain.install import add_solc as add_solc_lib
from chainllm.toolchain.pragma import parse_version


def _tool_rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for c in discover():
        rows.append({"tool": "solc", "version": c.version_str, "origin": c.origin, "path": str(c.path)})
    for dist in ("slither-analyzer", "crytic-compile", "web3", "torch", "transformers", "peft"):
        try:
            rows.append({"tool": dist, "version": metadata.version(dist), "origin": "python", "path": ""})
        except metadata.PackageNotFoundError:
            rows.append({"tool": dist, "version": "missing", "origin": "python", "path": ""})
    node = shutil.which("node")
    if node:
        v = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
        rows.append({"tool": "node", "version": v.lstrip("v"), "origin": "PATH", "path": node})
    modules = config.node_root() / "node_modules"
    for name, rel in (("anvil", "@foundry-rs/anvil-linux-amd64/bin/anvil"), ("jsipfs", "ipfs/package.json")):
        p = modules / rel
        rows.append(
            {
                "tool": name,
                "version": "present" if p.exists() else "missing",
                "origin": "npm",
                "path": str(p) if p.exists() else "",
            }
        )
    return rows


@click.group(invoke_without_command=True)
@json_option
@click.pass_context
def toolchain(ctx: click.Context, as_json: bool) -> None:
    """Show the compilers and tools chainllm found, and where from.

    \b
    Examples:
      chainllm toolchain
      chainllm toolchain --json
      chainllm toolchain install
    """
    if ctx.invoked_subcommand is not None:
        return
    rows = _tool_rows()
    if as_json:
        click.echo(json.dumps({"node_root": str(config.node_root()), "tools": rows}, indent=2))
        return
    click.echo(f"node tools: {config.node_root() / 'node_modules'}")
    width = max(len(r["tool"]) for r in rows)
    for r in rows:
        click.echo(f"  {r['tool']:<{width}}  {r['version']:<10} {r['origin']:<12} {r['path']}")
    if not any(r["tool"] == "solc" for r in rows):
        click.echo("no Solidity compiler found: run `chainllm toolchain install`", err=True)


@toolchain.command()
def install() -> None:
    """Install the pinned npm tools (solcjs compilers, anvil, the IPFS node) with `npm ci`."""
    root = config.node_root()
    if not (root / "package-lock.json").is_file():
        raise ToolchainError(
            f"{root}: no package-lock.json", hint="run from a chainllm checkout or set CHAINLLM_NODE_ROOT"
        )
    npm = shutil.which("npm")
    if npm is None:
        raise ToolchainError("npm is not on PATH", hint="install Node.js 18+ and npm")
    proc = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=root)
    if proc.returncode:
        raise ToolchainError(f"npm ci failed in {root} (exit {proc.returncode})")
    click.echo(f"installed npm tools in {root / 'node_modules'}")


@toolchain.command("add-solc")
@click.argument("version")
@click.option("--npm-only", is_flag=True, help="Skip the native download; install npm's solcjs build.")
def add_solc(version: str, npm_only: bool) -> None:
    """Add a solc version: a native build (sha256-verified against the official list, into
    py-solc-x's folder) when downloads are allowed, else npm's solcjs (installed once, checked,
    renamed into place; npm's registry settings such as npm_config_registry apply).
    Audits do this by themselves for a pragma no installed compiler satisfies.

    \b
    Example:
      chainllm toolchain add-solc 0.8.26
    """
    try:
        parse_version(version)
    except ValueError:
        raise BadInputError(f"{version!r} is not a compiler version", hint="write it like 0.8.26") from None
    origin, path = add_solc_lib(
        version, npm_only=npm_only, progress=lambda m: click.echo(m, err=True), explicit=True
    )
    if origin == "native":
        click.echo(f"installed native solc {version} (sha256 verified) at {path}")
    else:
        click.echo(f"added solcjs {version} in {path}")
