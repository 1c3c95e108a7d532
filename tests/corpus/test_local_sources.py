"""Local folders and git repositories as sources; the optional compile check (real solcjs)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from chainllm.corpus.build import BuildOptions, crawl_and_build
from chainllm.crawl.base import Fetched, RawFile, Source, parse_spec, read_sources_file, register
from chainllm.errors import BadInputError
from tests.corpus.standin import sol


def test_dir_source_stays_inside_and_caps_size(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / "src").mkdir(parents=True)
    (root / "node_modules" / "dep").mkdir(parents=True)
    (root / "src" / "A.sol").write_bytes(sol("A"))
    (root / "node_modules" / "dep" / "D.sol").write_bytes(sol("D"))
    secret = tmp_path / "outside.sol"
    secret.write_bytes(sol("Outside"))
    (root / "src" / "link.sol").symlink_to(secret)
    (root / "linked-dir").symlink_to(tmp_path)
    with open(root / "src" / "Huge.sol", "wb") as fh:  # 50 MB, sparse
        fh.truncate(50 * 1024 * 1024)
    fetched = parse_spec(str(root)).fetch()
    assert fetched.origin == f"dir:{root.resolve()}"
    assert [f.path for f in fetched.files] == ["src/A.sol"]
    assert dict(fetched.skipped) == {
        "src/link.sol": "link",
        "linked-dir": "link",
        "src/Huge.sol": "too large",
    }
    with pytest.raises(BadInputError, match="no such folder"):
        parse_spec(f"dir:{tmp_path / 'missing'}").resolve()


def test_dir_source_recrawls_only_when_changed(tmp_path: Path) -> None:
    root = tmp_path / "src"
    root.mkdir()
    (root / "A.sol").write_bytes(sol("A"))
    out = tmp_path / "out"
    first = crawl_and_build([f"dir:{root}"], out, BuildOptions())
    assert first.outcomes[0].status == "crawled"
    assert crawl_and_build([f"dir:{root}"], out, BuildOptions()).outcomes[0].status == "cached"
    (root / "B.sol").write_bytes(sol("B"))
    third = crawl_and_build([f"dir:{root}"], out, BuildOptions())
    assert third.outcomes[0].status == "crawled" and third.card is not None and third.card["rows"] == 2
    assert len(list((out / ".crawl").glob("*.parquet"))) == 1  # the stale shard was replaced


def _git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env
    ).stdout.strip()


def test_git_source_at_a_tag(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "A.sol").write_bytes(sol("A"))
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "one")
    _git(repo, "tag", "-a", "v1", "-m", "v1")
    v1 = _git(repo, "rev-parse", "HEAD")
    (repo / "B.sol").write_bytes(sol("B"))
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "two")
    head = _git(repo, "rev-parse", "HEAD")

    at_tag = parse_spec(f"git:file://{repo}#v1")
    assert at_tag.resolve() == f"git:file://{repo}@{v1}"
    assert [f.path for f in at_tag.fetch().files] == ["A.sol"]
    by_commit = parse_spec(f"git:file://{repo}#{v1}")
    assert [f.path for f in by_commit.fetch().files] == ["A.sol"]
    latest = parse_spec(f"git:file://{repo}")
    assert [f.path for f in latest.fetch().files] == ["A.sol", "B.sol"]
    assert latest.resolve().endswith(head)
    with pytest.raises(BadInputError, match="ref 'nope' not found"):
        parse_spec(f"git:file://{repo}#nope").resolve()


def test_sources_file_comments(tmp_path: Path) -> None:
    f = tmp_path / "sources.txt"
    f.write_text("# header\nnpm:a@1.x  # inline\n\ngit:https://example.org/r.git#v1\n")
    assert read_sources_file(f) == ["npm:a@1.x", "git:https://example.org/r.git#v1"]
    with pytest.raises(BadInputError, match="sources file not found"):
        read_sources_file(tmp_path / "missing.txt")


@pytest.mark.parametrize("mode", ["package", "file"])
def test_compile_check_flags_without_dropping(tmp_path: Path, mode: str) -> None:
    root = tmp_path / "src"
    (root / "lib").mkdir(parents=True)
    (root / "Good.sol").write_bytes(sol("Good", body="    uint256 public x = 1;\n"))
    # Two files declare `Dup`: fine on their own, and the package entry keeps them apart.
    (root / "lib" / "Dup.sol").write_bytes(sol("Dup"))
    (root / "Dup.sol").write_bytes(sol("Dup", body="    uint8 y;\n"))
    (root / "Bad.sol").write_bytes(sol("Bad", body="    uint256 public x = ;\n"))  # parser error
    (root / "Typo.sol").write_bytes(sol("Typo", body="    function f() external { undefinedThing(); }\n"))
    (root / "UsesTypo.sol").write_bytes(
        b'// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\nimport "./Typo.sol";\ncontract UsesTypo is Typo {}\n'
    )
    (root / "Missing.sol").write_bytes(
        b'// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\nimport "./Nope.sol";\ncontract Missing {}\n'
    )
    out = tmp_path / "out"
    if mode == "package":  # through the CLI, as users run it
        from click.testing import CliRunner

        from chainllm.cli import cli

        run = CliRunner().invoke(
            cli, ["crawl", "sources", f"dir:{root}", "--out", str(out), "--compile-check", "--json"]
        )
        assert run.exit_code == 0, run.output
        card = json.loads(run.stdout)["card"]
    else:
        result = crawl_and_build([f"dir:{root}"], out, BuildOptions(compile_check=True, compile_mode=mode))
        card = result.card
    assert card is not None
    assert card["compile_check"] == {
        "checked": 7,
        "compiles": 3,
        "fails": 4,
        "no_compiler": 0,
        "mode": mode,
    }
    import pyarrow.parquet as pq

    rows = [r for f in (out / "data").glob("*.parquet") for r in pq.read_table(f).to_pylist()]
    assert {r["path"]: r["compiles"] for r in rows} == {
        "Good.sol": True,
        "Dup.sol": True,
        "lib/Dup.sol": True,
        "Bad.sol": False,
        "Typo.sol": False,
        "UsesTypo.sol": False,
        "Missing.sol": False,
    }
    cache = json.loads((out / ".crawl" / f"compile-{mode}.json").read_text())
    assert len(cache) == 7


class _MemorySource(Source):
    """A third-party source kind: files held in memory."""

    scheme = "mem"

    def resolve(self) -> str:
        return f"mem:{self.target}"

    def fetch(self) -> Fetched:
        return Fetched(self.resolve(), (RawFile("M.sol", sol("M")),))


def test_new_source_kinds_plug_in(tmp_path: Path) -> None:
    register("mem", _MemorySource)
    result = crawl_and_build(["mem:demo", f"dir:{tmp_path}"], tmp_path / "out", BuildOptions())
    assert [o.status for o in result.outcomes] == ["crawled", "crawled"]
    assert result.card is not None and result.card["sources"][0]["origin"] == "mem:demo"
