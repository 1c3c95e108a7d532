"""Rough edges a new user hits: block tags for `crawl txs --to-block`, arguments checked before
services, `eval lm` (formerly `eval generator`), one progress renderer, quiet libraries."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from chainllm import progress
from chainllm.chain.transport import rpc_call
from chainllm.cli import cli
from chainllm.cli.progress import LazyBar, StageBar


def test_crawl_txs_accepts_block_tags(anvil_rpc: str, tmp_path: Path) -> None:
    head = int(rpc_call(anvil_rpc, "eth_blockNumber"), 16)
    for tag in ("latest", "finalized", "safe"):
        out = tmp_path / tag
        r = CliRunner().invoke(cli, ["crawl", "txs", "--rpc", anvil_rpc, "--to-block", tag, "--out", str(out),
                                     "--no-state", "--json"])  # fmt: skip
        assert r.exit_code == 0, r.stderr
        number = int(rpc_call(anvil_rpc, "eth_getBlockByNumber", [tag, False])["number"], 16)
        assert json.loads(r.stdout)["blocks"] == number + 1 and number <= head
    typo = CliRunner().invoke(cli, ["crawl", "txs", "--rpc", anvil_rpc, "--to-block", "finalised", "--json"])
    assert typo.exit_code == 2 and "latest, finalized, safe" in json.loads(typo.stdout)["error"]["message"]


def test_arguments_are_checked_before_services() -> None:
    dead = ["--rpc", "http://127.0.0.1:9", "--ipfs", "http://127.0.0.1:9"]
    bad_cid = CliRunner().invoke(
        cli, ["verify", "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzd!", *dead]
    )
    assert bad_cid.exit_code == 2 and "not base32" in bad_cid.stderr and "127.0.0.1:9" not in bad_cid.stderr
    etc = CliRunner().invoke(cli, ["publish", "/etc", "--name", "x", "--version", "1", *dead])
    assert etc.exit_code == 2 and "published flat" in etc.stderr and "127.0.0.1:9" not in etc.stderr
    # A well-formed name does need the registry: the error says why the chain was asked at all.
    name = CliRunner().invoke(cli, ["verify", "notacid", *dead])
    assert name.exit_code == 2 and "'notacid' is not a CID, so it is looked up as a model name" in name.stderr


def test_eval_lm_and_its_hidden_old_name() -> None:
    listing = CliRunner().invoke(cli, ["eval", "--help"]).stdout
    assert " lm " in listing and "generator" not in listing
    old = CliRunner().invoke(cli, ["eval", "generator", "--adapter", "/nonexistent"])
    assert old.exit_code == 2 and "deprecated" in old.stderr and "chainllm eval lm" in old.stderr


def test_one_renderer_for_the_progress_protocol(tmp_path: Path) -> None:
    log = tmp_path / "log.txt"
    with log.open("w") as fh:
        console = Console(file=fh, force_terminal=False)
        with StageBar(console=console) as bar:
            assert isinstance(bar, progress.Progress) and progress.current() is bar
            progress.current().stage("converting", 3)  # deep library code reports here
            for i in range(3):
                bar.update(i + 1)
            bar.message("done converting")
            bar.stage("writing")
        assert progress.current() is progress.NULL
        with StageBar(console=console, enabled=False) as quiet:  # --json
            quiet.stage("hidden")
            quiet.message("hidden")
    assert log.read_text().splitlines() == ["converting ...", "done converting", "writing ..."]
    lazy = LazyBar("crawling blocks")
    lazy.console = Console(file=io.StringIO(), force_terminal=False)
    lazy.update(1, 2)  # stderr of crawl/simulate stays empty off a terminal
    assert lazy._bar is None and lazy.console.file.getvalue() == ""  # type: ignore[attr-defined]


def test_library_chatter_is_off_unless_verbose(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("TQDM_DISABLE", "HF_HUB_DISABLE_PROGRESS_BARS", progress.VERBOSE_ENV):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv(progress.VERBOSE_ENV, "1")
    progress.quiet_library_output()
    assert "TQDM_DISABLE" not in os.environ
    monkeypatch.delenv(progress.VERBOSE_ENV)
    progress.quiet_library_output()
    assert os.environ["TQDM_DISABLE"] == "1" and os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] == "1"
