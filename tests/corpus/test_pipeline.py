"""End to end: `chainllm crawl sources` against a registry stand-in, then `chainllm corpus stats`.
Covers licence policy, exact and near dedup, leak-free splits, the dataset contract,
incremental re-runs and resuming after the network went down mid-crawl."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import datasets
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from chainllm.cli import cli
from chainllm.corpus import SPLITS, load
from tests.corpus.standin import StandIn, make_tarball, publish, sol

TOKEN_BODY = "".join(
    f"    function f{i}(uint256 a, address b) external returns (uint256) {{ return a + {i} * uint160(b); }}\n"
    for i in range(40)
)
COLUMNS = [
    "id",
    "content",
    "path",
    "origin",
    "license",
    "pragma",
    "names",
    "kinds",
    "natspec",
    "functions",
    "cluster_id",
    "split",
    "compiles",
    "sha256",
]


def _tgz(files: dict[str, bytes]) -> bytes:
    return make_tarball([(f"package/{k}", v, "file") for k, v in files.items()])


def _publish_all(standin: StandIn) -> None:
    alpha = {
        "contracts/A.sol": sol("A", body="    uint256 public x;\n"),
        "contracts/Token.sol": sol("Token", body=TOKEN_BODY),
        "contracts/Gpl.sol": sol("Gpl", license="GPL-3.0-only"),
        "contracts/NoLicence.sol": sol("NoLicence", license=None),
        "contracts/Junk.sol": bytes(range(256)) * 8,
        "contracts/Secret.sol": b"// SPDX-License-Identifier: MIT\n// author: dev@example.org\ncontract Secret {}\n",
    }
    beta = {
        # Same code as alpha's A.sol, other comments: an exact duplicate after normalisation.
        "src/A.sol": b"// SPDX-License-Identifier: MIT\n/* copied */ pragma solidity ^0.8.20;\ncontract A {\n uint256 public x; }\n",
        # Token with one function changed: a near duplicate.
        "src/TokenV2.sol": sol("Token", body=TOKEN_BODY.replace("a + 7 *", "a - 7 *")),
        "src/Other.sol": sol("Other", license="Apache-2.0", body="    function g() external {}\n"),
    }
    publish(standin, "alpha", {"1.0.0": _tgz(alpha)})
    publish(standin, "@beta/lib", {"2.1.0": _tgz(beta)})


SPECS = ["npm:alpha@1.x", "npm:@beta/lib@^2.0"]


def _cmd(*args: str) -> Any:
    return CliRunner().invoke(cli, ["crawl", "sources", *args], catch_exceptions=False)


def _run(*args: str) -> Any:
    return _cmd(*args, "--json")


def _rows(out: Path) -> list[dict[str, Any]]:
    rows = []
    for split in SPLITS:
        for f in sorted((out / "data").glob(f"{split}-*.parquet")):
            rows += sorted(pq.read_table(f).to_pylist(), key=lambda r: r["id"])
    return rows


def test_crawl_build_and_rerun(standin: StandIn, tmp_path: Path) -> None:
    _publish_all(standin)
    out = tmp_path / "corpus"
    result = _run(*SPECS, "--out", str(out))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    card = report["card"]
    assert [s["status"] for s in report["sources"]] == ["crawled", "crawled"]
    assert [s["origin"] for s in card["sources"]] == ["npm:alpha@1.0.0", "npm:@beta/lib@2.1.0"]
    counts = card["counts"]
    assert counts["files_seen"] == 9
    assert counts["unreadable"] == {"binary": 1}
    assert counts["license_excluded"] == {"GPL-3.0-only": 1, "none": 1}
    assert counts["exact_duplicates"] == 1
    assert card["rows"] == counts["kept"] == 5
    assert card["licenses"] == {"MIT": 4, "Apache-2.0": 1}
    assert card["scrubbed"] == {"email": 1}

    # The dataset contract the model helper reads.
    ds = datasets.load_dataset("parquet", data_dir=str(out))
    assert set(ds) == {s for s, n in card["splits"].items() if n}
    assert ds["train"].column_names == COLUMNS
    assert load(out)["train"].num_rows == card["splits"]["train"]
    rows = _rows(out)
    assert len(rows) == 5 and len({r["id"] for r in rows}) == 5
    by_path = {r["path"]: r for r in rows}
    token, token2 = by_path["contracts/Token.sol"], by_path["src/TokenV2.sol"]
    assert token["cluster_id"] == token2["cluster_id"] and token["split"] == token2["split"]
    assert card["dedup"]["multi_file_clusters"] == 1
    clusters: dict[str, set[str]] = {}
    for r in rows:
        clusters.setdefault(r["cluster_id"], set()).add(r["split"])
        assert r["id"] == hashlib.sha256(r["id"].encode()).hexdigest() or len(r["id"]) == 64
        assert r["compiles"] is None
    assert all(len(s) == 1 for s in clusters.values())
    assert "dev@example.org" not in by_path["contracts/Secret.sol"]["content"]
    assert by_path["contracts/Token.sol"]["names"] == ["Token"] and by_path["contracts/Token.sol"][
        "kinds"
    ] == ["contract"]
    assert by_path["contracts/Token.sol"]["pragma"] == "^0.8.20"
    assert "f7(uint256,address)" in by_path["contracts/Token.sol"]["functions"]
    # The card's content hash is reproducible from the shards alone.
    h = hashlib.sha256()
    for r in rows:
        h.update(json.dumps(r, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
    assert h.hexdigest() == card["content_sha256"]
    readme = (out / "README.md").read_text()
    assert card["content_sha256"] in readme and "npm:@beta/lib@2.1.0" in readme

    # Re-run: everything is cached, no request reaches the registry, same dataset.
    before = list(standin.requests)
    again = json.loads(_run(*SPECS, "--out", str(out)).stdout)
    assert [s["status"] for s in again["sources"]] == ["cached", "cached"]
    assert standin.requests == before
    assert again["card"]["content_sha256"] == card["content_sha256"]

    alias = CliRunner().invoke(cli, ["corpus", "build", *SPECS, "--out", str(out), "--json"])
    assert (
        alias.exit_code == 0 and json.loads(alias.stdout)["card"]["content_sha256"] == card["content_sha256"]
    )

    # A wider licence policy rebuilds from the cache.
    wider = json.loads(_run(*SPECS, "--out", str(out), "--licenses", "permissive,GPL-3.0-only").stdout)
    assert wider["card"]["rows"] == 6 and standin.requests == before

    stats = CliRunner().invoke(cli, ["corpus", "stats", str(out), "--json"])
    assert stats.exit_code == 0
    assert json.loads(stats.stdout)["content_sha256"] == wider["card"]["content_sha256"]
    human = CliRunner().invoke(cli, ["corpus", "stats", str(out)])
    assert human.exit_code == 0 and "exact duplicates" in human.stdout
    ok = CliRunner().invoke(cli, ["corpus", "verify", str(out)])
    assert ok.exit_code == 0 and wider["card"]["content_sha256"] in ok.stdout
    shard = next((out / "data").glob("train-*.parquet"))
    table = pq.read_table(shard)
    pq.write_table(table.slice(1), shard)  # drop a row behind the card's back
    tampered = CliRunner().invoke(cli, ["corpus", "verify", str(out)])
    assert tampered.exit_code == 1 and "does not match" in tampered.stderr
    # No temp files left behind.
    assert not [p for p in out.rglob(".tmp-*")]


def test_network_down_mid_crawl_then_resume(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = StandIn().start()
    monkeypatch.setenv("CHAINLLM_HTTP_BACKOFF", "0.01")
    monkeypatch.setenv("CHAINLLM_HTTP_RETRIES", "1")
    monkeypatch.setenv("CHAINLLM_NPM_REGISTRY", first.url)
    _publish_all(first)
    out = tmp_path / "resumed"
    assert _run(SPECS[0], "--out", str(out)).exit_code == 0
    first.stop()  # the network goes down before the second package

    down = _run(*SPECS, "--out", str(out))
    assert down.exit_code != 0
    assert "npm:@beta/lib@^2.0" in down.stderr and "rerun" in down.stderr
    partial = json.loads(down.stdout)
    assert [s["status"] for s in partial["sources"]] == ["cached", "failed"]
    assert partial["card"]["pending_sources"][0]["spec"] == SPECS[1]
    assert partial["card"]["sources"][0]["origin"] == "npm:alpha@1.0.0"

    second = StandIn().start()  # the network is back
    try:
        monkeypatch.setenv("CHAINLLM_NPM_REGISTRY", second.url)
        _publish_all(second)
        resumed = json.loads(_run(*SPECS, "--out", str(out)).stdout)
        assert [s["status"] for s in resumed["sources"]] == ["cached", "crawled"]
        assert not any("alpha" in r for r in second.requests)
        assert resumed["card"]["pending_sources"] == []
        fresh = json.loads(_run(*SPECS, "--out", str(tmp_path / "fresh")).stdout)
        assert resumed["card"]["content_sha256"] == fresh["card"]["content_sha256"]
    finally:
        second.stop()


def test_bad_specs_fail_cleanly(standin: StandIn, tmp_path: Path) -> None:
    _publish_all(standin)
    out = tmp_path / "bad"
    unknown = _cmd("npm:no-such-package@1.x", "--out", str(out))
    assert unknown.exit_code == 2
    assert "package 'no-such-package' not found" in unknown.stderr
    assert not (out / "data").exists()
    kind = _cmd("ftp:whatever", "--out", str(out))
    assert kind.exit_code == 2 and "unknown kind" in kind.stderr
    missing = CliRunner().invoke(cli, ["corpus", "stats", str(tmp_path / "nothing")])
    assert missing.exit_code == 2 and "no dataset card" in missing.stderr


def test_interrupted_crawl_keeps_finished_sources(standin: StandIn, tmp_path: Path) -> None:
    from chainllm.corpus.build import BuildOptions, SourceOutcome, crawl, crawl_and_build

    _publish_all(standin)
    out = tmp_path / "interrupted"

    def ctrl_c(outcome: SourceOutcome) -> None:
        raise KeyboardInterrupt  # the user presses Ctrl-C right after the first source

    with pytest.raises(KeyboardInterrupt):
        crawl(SPECS, out, BuildOptions(workers=1), on_source=ctrl_c)
    assert not list(out.rglob(".tmp-*"))
    resumed = crawl_and_build(SPECS, out, BuildOptions(workers=1))
    # The first source is kept; the second was in flight or queued: kept or crawled now.
    assert resumed.outcomes[0].status == "cached"
    assert resumed.outcomes[1].status in ("cached", "crawled")
    assert resumed.card is not None and resumed.card["rows"] == 5
