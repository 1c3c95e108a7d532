"""npm source against a local registry stand-in: version ranges, integrity, hostile tarballs."""

from __future__ import annotations

import os

import pytest

from chainllm import config
from chainllm.crawl.base import parse_spec
from chainllm.crawl.npm import NpmSource
from chainllm.crawl.tarball import read_sol_members
from chainllm.errors import BadInputError, ServiceError, VerificationError
from tests.corpus.standin import Answer, StandIn, make_tarball, publish, sol


def _pkg(*files: tuple[str, bytes]) -> bytes:
    return make_tarball(
        [("package/package.json", b'{"name": "p", "license": "MIT"}', "file")]
        + [(f"package/{n}", d, "file") for n, d in files]
    )


def test_range_resolution_picks_newest_stable_match(standin: StandIn) -> None:
    tgz = _pkg(("A.sol", sol("A")))
    publish(
        standin,
        "@acme/sol",
        {v: tgz for v in ("1.2.0", "1.10.0", "2.0.0-rc.1", "2.0.0", "3.0.0")},
        tags={"latest": "2.0.0", "next": "3.0.0"},
    )
    assert parse_spec("npm:@acme/sol@1.x").resolve() == "npm:@acme/sol@1.10.0"
    assert parse_spec("npm:@acme/sol@^1.2").resolve() == "npm:@acme/sol@1.10.0"
    assert parse_spec("npm:@acme/sol").resolve() == "npm:@acme/sol@2.0.0"
    assert parse_spec("npm:@acme/sol@next").resolve() == "npm:@acme/sol@3.0.0"
    assert parse_spec("npm:@acme/sol@2.0.0-rc.1").resolve() == "npm:@acme/sol@2.0.0-rc.1"
    fetched = parse_spec("npm:@acme/sol@1.x").fetch()
    assert [f.path for f in fetched.files] == ["A.sol"]
    assert fetched.meta["license"] == "MIT"


def test_unknown_package_and_version_are_bad_input(standin: StandIn) -> None:
    publish(standin, "known", {"1.0.0": _pkg(("A.sol", sol("A")))})
    with pytest.raises(BadInputError, match="package 'missing-pkg' not found"):
        parse_spec("npm:missing-pkg@1.x").resolve()
    with pytest.raises(BadInputError, match=r"no published version matches.*newest versions: 1\.0\.0"):
        parse_spec("npm:known@9.x").resolve()
    with pytest.raises(BadInputError, match="not a valid npm package name"):
        parse_spec("npm:../etc/passwd")


def test_hostile_tarball_members_are_skipped(standin: StandIn) -> None:
    big = b"// SPDX-License-Identifier: MIT\n" + b"contract Big {}\n" + b" " * (50 * 1024 * 1024)
    tgz = make_tarball(
        [
            ("package/contracts/Good.sol", sol("Good"), "file"),
            ("package/../../evil.sol", sol("Evil"), "file"),
            ("/abs/escape.sol", sol("Abs"), "file"),
            ("package/link.sol", None, "symlink:/etc/passwd"),
            ("package/hard.sol", None, "hardlink:package/contracts/Good.sol"),
            ("package/Big.sol", big, "file"),
            ("package/notes.txt", b"not solidity", "file"),
        ]
    )
    publish(standin, "hostile", {"1.0.0": tgz})
    fetched = parse_spec("npm:hostile@1.0.0").fetch()
    assert [f.path for f in fetched.files] == ["contracts/Good.sol"]
    reasons = dict(fetched.skipped)
    assert reasons["package/../../evil.sol"] == "unsafe path"
    assert reasons["/abs/escape.sol"] == "unsafe path"
    assert reasons["link.sol"] == "link" and reasons["hard.sol"] == "link"
    assert reasons["Big.sol"] == "too large"


def test_integrity_mismatch_refuses_and_caches_nothing(standin: StandIn) -> None:
    publish(standin, "tampered", {"1.0.0": _pkg(("A.sol", sol("A")))}, bad_integrity=True)
    with pytest.raises(VerificationError, match="does not match the registry's integrity"):
        parse_spec("npm:tampered@1.0.0").fetch()
    cache = config.cache_dir() / "npm" / "tarballs"
    assert not cache.exists() or not any("tampered" in p.name for p in cache.iterdir())


def test_tarball_is_cached_by_integrity(standin: StandIn) -> None:
    publish(standin, "cached-pkg", {"1.0.0": _pkg(("A.sol", sol("A")))})
    NpmSource("npm:cached-pkg@1.0.0", "cached-pkg@1.0.0").fetch()
    tgz_requests = [r for r in standin.requests if r.endswith(".tgz")]
    NpmSource("npm:cached-pkg@1.0.0", "cached-pkg@1.0.0").fetch()
    assert [r for r in standin.requests if r.endswith(".tgz")] == tgz_requests


def test_corrupt_tarball_and_bomb_caps() -> None:
    with pytest.raises(BadInputError, match=r"not a readable tarball|corrupt tarball"):
        read_sol_members(b"\x1f\x8b\x08\x00garbage" * 10, what="npm:x@1")
    tgz = make_tarball([("package/A.sol", b"x" * 4096, "file"), ("package/B.sol", b"y" * 4096, "file")])
    with pytest.raises(BadInputError, match="decompression bomb"):
        read_sol_members(tgz, what="npm:x@1", max_total_bytes=6000)


def test_offline_mode_blocks_remote_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAINLLM_NPM_REGISTRY", "https://registry.npmjs.org")
    assert os.environ["CHAINLLM_OFFLINE"] == "1"
    with pytest.raises(ServiceError, match="offline mode forbids"):
        parse_spec("npm:erc721a@4.x").resolve()


def test_registry_throttling_and_outages_are_retried(standin: StandIn) -> None:
    publish(standin, "flaky", {"1.0.0": _pkg(("A.sol", sol("A")))})
    doc = standin.routes["/flaky"]
    assert isinstance(doc, tuple)
    answers: list[Answer] = [(429, b"Too Many Requests", "text/plain"), (503, b"", "text/plain")]

    def route(q: dict[str, str]) -> Answer:
        return answers.pop(0) if answers else doc

    standin.routes["/flaky"] = route
    assert parse_spec("npm:flaky@1.x").resolve() == "npm:flaky@1.0.0"
    standin.routes["/flaky"] = (503, b"", "text/plain")
    with pytest.raises(ServiceError, match=r"HTTP 503.*after 3 tries"):
        parse_spec("npm:flaky@1.x").resolve()
