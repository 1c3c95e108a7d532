"""Provenance fixtures: a real anvil (from tests.plugins.services), a real js-ipfs node
(tests.plugins.ipfs), a ModelRegistry deployed once per session, small real adapter folders."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pytest
from click.testing import CliRunner
from eth_account import Account
from safetensors.numpy import save_file

from chainllm.cli import cli
from chainllm.provenance.cid import DAG_PB, UNIXFS_DIRECTORY, ContentId, Link, digest_bytes, encode_pbnode
from chainllm.provenance.ipfs import IpfsClient
from chainllm.provenance.registry import (
    ANVIL_DEV_KEY,
    Registry,
    Signer,
    connect,
    deploy_registry,
    resolve_target,
)

# anvil's dev account 1 (public test key): "another publisher".
OTHER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"


@dataclass(frozen=True)
class Chain:
    rpc: str
    registry: Registry
    alice: Signer
    bob: Signer


@dataclass(frozen=True)
class Env(Chain):
    ipfs_url: str
    ipfs: IpfsClient


@pytest.fixture(scope="session")
def chain(anvil_rpc: str) -> Chain:
    """The session anvil with a ModelRegistry deployed by alice (anvil dev account 0)."""
    w3, _target = connect(resolve_target(anvil_rpc))
    alice = Signer(Account.from_key(ANVIL_DEV_KEY), "test")
    address, _ = deploy_registry(w3, alice.account, anvil_rpc)
    return Chain(
        anvil_rpc, Registry(w3, address, rpc=anvil_rpc), alice, Signer(Account.from_key(OTHER_KEY), "test")
    )


@pytest.fixture(scope="session")
def prov(chain: Chain, ipfs_api: str) -> Env:
    """``chain`` plus the session's IPFS node."""
    return Env(chain.rpc, chain.registry, chain.alice, chain.bob, ipfs_api, IpfsClient(ipfs_api))


def write_adapter(folder: Path, *, seed: int = 0, weights_kb: int = 600) -> Path:
    """A small PEFT-style adapter: random LoRA tensors (several IPFS chunks), config, card,
    chainllm's training config and metrics."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n = weights_kb * 1024 // 4 // 2
    save_file(
        {
            "base_model.model.layers.0.self_attn.q_proj.lora_A.weight": rng.standard_normal(
                n, dtype=np.float32
            ),
            "base_model.model.layers.0.self_attn.q_proj.lora_B.weight": rng.standard_normal(
                n, dtype=np.float32
            ),
        },
        str(folder / "adapter_model.safetensors"),
    )
    (folder / "adapter_config.json").write_text(
        json.dumps(
            {"base_model_name_or_path": "HuggingFaceTB/SmolLM2-135M-Instruct", "peft_type": "LORA", "r": 8}
        )
    )
    (folder / "README.md").write_text(
        "---\nbase_model: HuggingFaceTB/SmolLM2-135M-Instruct\n---\n# test adapter\n"
    )
    (folder / "training_config.json").write_text(
        json.dumps({"lr": 0.0002, "epochs": 1, "seed": seed, "dataset_card_sha256": "ab" * 32})
    )
    (folder / "metrics.json").write_text(json.dumps({"eval_loss": 1.25, "compile_rate": 0.5}))
    return folder


@pytest.fixture
def adapter(tmp_path: Path) -> Path:
    return write_adapter(tmp_path / "adapter")


@pytest.fixture
def unique() -> Callable[[str], str]:
    """Registry names are global on the shared session chain: make each test's unique."""
    return lambda prefix: f"{prefix}-{uuid.uuid4().hex[:8]}"


def run_cli(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """``chainllm ARGS`` in-process: exit code, stdout, stderr."""
    r = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def dir_block(names: list[str], content: bytes) -> tuple[str, bytes]:
    """A hand-built UnixFS directory (CID, block) whose entries all link to ``content``;
    nothing is sent to a node. Links sorted, as dag-pb requires."""
    leaf = digest_bytes(content)
    node = encode_pbnode([Link(leaf.cid, n, leaf.tsize) for n in sorted(names)], UNIXFS_DIRECTORY)
    return str(ContentId.of_block(DAG_PB, node)), node


def put_block(ipfs_url: str, block: bytes, codec: str) -> None:
    """Store one raw block on the node (no pin), bypassing its UnixFS importer."""
    httpx.post(
        f"{ipfs_url}/api/v0/block/put",
        params={"cid-codec": codec, "mhtype": "sha2-256", "cid-version": "1"},
        files=[("file", ("b", block, "application/octet-stream"))],
        timeout=30,
    ).raise_for_status()
