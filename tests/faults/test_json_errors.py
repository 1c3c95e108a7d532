"""Every command that prints JSON answers a failure in one shape (cli/jsonerror.py):

    {"success": false, "error": {"code": ..., "message": ..., "hint": ...}}

on stdout, plus one ``error: ...`` line on stderr and a non-zero exit. The commands are found
by walking the CLI, so a new --json command fails here until it has a row below."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from chainllm.cli import cli
from chainllm.cli.reference import walk


def _json_commands() -> list[str]:
    found = []
    for path, cmd in walk(cli):
        opts = {o for p in cmd.params for o in getattr(p, "opts", ())}
        if not isinstance(cmd, click.Group) and ("--json" in opts or " ".join(path) == "chainllm audit"):
            found.append(" ".join(path[1:]))
    return found


def _bad(tmp: Path) -> dict[str, tuple[list[str], str]]:
    """command -> (a failing invocation that needs no service, the expected error code)."""
    empty = tmp / "empty"
    empty.mkdir(exist_ok=True)
    (tmp / "bad.csv").write_text("garbage\n")
    (tmp / "bad.jsonl").write_text("{not json\n")
    dead = ["--rpc", "ftp://nowhere"]  # refused as bad input before any connection
    return {
        "audit": (["audit", str(tmp / "missing.sol"), "--format", "json"], "bad_input"),
        "generate": (["generate", "a python web scraper", "--backend", "template", "--json"], "bad_input"),
        "score": (["score", "0x12", "--json"], "bad_input"),
        "crawl sources": (["crawl", "sources", "nosuchscheme:x", "--out", str(tmp / "c"), "--json"], "bad_input"),
        "crawl txs": (["crawl", "txs", *dead, "--from-block", "9", "--to-block", "5", "--json"], "bad_input"),
        "corpus build": (["corpus", "build", "nosuchscheme:x", "--out", str(tmp / "b"), "--json"], "bad_input"),
        "corpus stats": (["corpus", "stats", str(empty), "--json"], "bad_input"),
        "corpus verify": (["corpus", "verify", str(empty), "--json"], "bad_input"),
        "simulate": (["simulate", *dead, "--json"], "bad_input"),
        "labels import": (["labels", "import", str(tmp / "bad.csv"), "--json"], "bad_input"),
        "labels list": (["labels", "list", "--json", "--no-such-flag"], "usage"),  # it has no bad input
        "train generator": (["train", "generator", "--corpus", str(tmp / "no"), "--out", str(tmp / "o"), "--json"],
                            "bad_input"),
        "train fraud": (["train", "fraud", "--labels", str(empty), *dead, "--json"], "bad_input"),
        "eval audit": (["eval", "audit", "--set", str(empty), "--no-openzeppelin", "--json"], "bad_input"),
        "serve keys add": (["serve", "keys", "add", "x", "--scope", "bogus", "--keys-file", str(tmp / "k.json"),
                            "--json"], "bad_input"),
        "serve keys list": (["serve", "keys", "list", "--keys-file", str(tmp / "bad.jsonl"), "--json"], "bad_input"),
        "eval lm": (["eval", "lm", "--adapter", str(empty), "--json"], "bad_input"),
        "eval fraud": (["eval", "fraud", "--model", str(empty), "--labels", str(empty), "--json"], "bad_input"),
        "eval generate": (["eval", "generate", "--suite", str(tmp / "bad.jsonl"), "--backend", "template", "--json"],
                          "bad_input"),
        "publish": (["publish", "/etc", "--name", "x", "--version", "1", "--json"], "bad_input"),
        "verify": (["verify", "not/acid", "--json"], "bad_input"),
        "pull": (["pull", "not/acid", "--to", str(tmp / "p"), "--json"], "bad_input"),
        "registry delegate": (["registry", "delegate", "x", "0x12", "--json"], "bad_input"),
        "registry deploy": (["registry", "deploy", *dead, "--json"], "bad_input"),
        "registry revoke": (["registry", "revoke", "x", "--json"], "bad_input"),
        "registry show": (["registry", "show", "x", *dead, "--json"], "bad_input"),
        "services down": (["services", "down", "nosuch", "--json"], "usage"),
        "services status": (["services", "status", "--json", "--no-such-flag"], "usage"),
        "services up": (["services", "up", "nosuch", "--json"], "usage"),
        "demo": (["demo", "--workdir", "/dev/null/x", "--json"], "bad_input"),
        "cluster status": (["cluster", "status", "--ray", "127.0.0.1:9", "--json"], "service"),
        "cluster release": (["cluster", "release", "--ray", "nonsense", "--json"], "bad_input"),
    }  # fmt: skip


def test_every_json_command_has_a_failure_case(tmp_path: Path) -> None:
    missing = [c for c in _json_commands() if c not in _bad(tmp_path)]
    assert not missing, f"add a failing invocation for: {missing}"


@pytest.mark.parametrize("command", _json_commands())
def test_one_error_shape(command: str, tmp_path: Path) -> None:
    args, code = _bad(tmp_path)[command]
    r = CliRunner().invoke(cli, args)
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert r.exit_code == 2, (r.exit_code, r.stdout, r.stderr)
    doc = json.loads(r.stdout)
    assert doc["success"] is False and set(doc["error"]) == {"code", "message", "hint"}
    assert doc["error"]["code"] == code and doc["error"]["message"]
    assert doc["error"]["message"] in r.stderr  # the same error, on one stderr line
    assert sum(1 for line in r.stderr.splitlines() if line.lower().startswith("error")) == 1


def test_command_specific_fields_stay() -> None:
    audit = json.loads(CliRunner().invoke(cli, ["audit", "/nope.sol", "--format", "json"]).stdout)
    assert audit["results"] == [] and audit["error"]["code"] == "bad_input"
    gen = json.loads(CliRunner().invoke(cli, ["generate", "a python web scraper", "--backend", "template",
                                              "--json"]).stdout)  # fmt: skip
    assert gen["status"] == "error" and gen["path"] is None and gen["compiled"] is False
    assert gen["success"] is False and "smart contract" in gen["error"]["message"]
