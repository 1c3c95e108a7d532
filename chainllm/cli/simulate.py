"""`chainllm simulate`: act out benign and scam scenarios on a local anvil, write labels."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from chainllm.chain.connect import resolve_rpc
from chainllm.chain.simulate import FAMILIES, SimConfig, default_out
from chainllm.chain.simulate import simulate as run_simulation
from chainllm.cli.chain_progress import LazyBar
from chainllm.cli.options import json_option, rpc_option


@click.command(name="simulate")
@rpc_option
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Same seed + fresh chain = same chain and labels."
)
@click.option(
    "--txs", type=int, default=300, show_default=True, help="Start new stories until this many transactions."
)
@click.option("--blocks", type=int, help="Or: this many blocks of new activity.")
@click.option(
    "--family",
    type=click.Choice(FAMILIES),
    default="a",
    show_default=True,
    help="Scenario family: a (contracts/scenarios); b or c, independent held-out families (contracts/scenarios_b, _c).",
)
@click.option(
    "--users", type=int, default=16, show_default=True, help="Benign user accounts (also the victims)."
)
@click.option(
    "--malicious-share", type=float, default=0.3, show_default=True, help="Share of stories that are scams."
)
@click.option(
    "--contracts",
    "contracts_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Scenario contracts folder (default: contracts/scenarios, or contracts/scenarios_<family> for b and c).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Label set folder (default: <data dir>/labels/sim-<seed>, or sim-<family>-<seed> for b and c).",
)
@json_option
def simulate(
    rpc: tuple[str, ...],
    seed: int,
    txs: int,
    blocks: int | None,
    family: str,
    users: int,
    malicious_share: float,
    contracts_dir: Path | None,
    out: Path | None,
    as_json: bool,
) -> None:
    """Deploy the scenario contracts (tokens, NFT, AMM, vault, multisig and scams: drainers,
    poisoners, fake tokens, honeypots, rug pulls, claim scams) and drive users and attackers;
    writes tx and address labels (Parquet + JSONL, schema in chainllm.labels.schema).

    \b
    Example:
      chainllm services down --wipe anvil && chainllm services up anvil
      chainllm simulate --seed 1 --txs 300
      chainllm simulate --family b --seed 1 --txs 300   # on another fresh anvil
      chainllm simulate --family c --seed 1 --txs 600   # the blind family, on a third
      chainllm crawl txs --out chain-data
    """
    cfg = SimConfig(
        seed=seed,
        txs=txs,
        blocks=blocks,
        users=users,
        malicious_share=malicious_share,
        contracts_dir=contracts_dir,
        family=family,
    )
    url = resolve_rpc(rpc)[0]
    target = out or default_out(seed, family)
    with LazyBar("simulating", blocks or txs, enabled=not as_json) as bar:
        result = run_simulation(url, cfg, out=target, progress=bar.update)
    m = result.manifest
    if as_json:
        click.echo(json.dumps({"out": str(result.out), **m}, indent=2))
        return
    table = Table(
        "label/category",
        "txs",
        title=f"{m['transactions']} transactions, blocks {m['from_block']}-{m['to_block']}",
    )
    for k, v in m["categories"].items():
        table.add_row(k, str(v))
    Console().print(table)
    click.echo(f"labels: {result.out}")
