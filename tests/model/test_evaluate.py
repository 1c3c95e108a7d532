"""The compile-rate half of `chainllm eval lm`: held-out functions regenerated and
compiled inside their original contract with the real audit toolchain (solcjs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from chainllm.cli import cli
from chainllm.model.data import CorpusSplits
from chainllm.model.evaluate import ContractContext, check_completion, header_prefix, infill_tasks
from tests.model.corpus_fixture import FILES, make_corpus, row

BITMAPS = ("utils/structs/BitMaps.sol", "test", 20)  # no imports: compiles as laid out
ERC1155 = ("token/ERC1155/ERC1155.sol", "test", 12)  # its imports are not in the corpus


def _splits(test_rows: list[dict[str, object]]) -> CorpusSplits:
    train = tuple(row(*f) for f in FILES if f[1] == "train")
    return CorpusSplits(Path("mem"), train, (), tuple(test_rows), None, {}, 0)


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> tuple[ContractContext, dict[str, object]]:
    bitmaps = row(*BITMAPS)
    ctx = ContractContext(_splits([row(*ERC1155), bitmaps]), tmp_path_factory.mktemp("ctx"))
    return ctx, bitmaps


def test_only_functions_whose_contract_compiles_are_sampled(
    context: tuple[ContractContext, dict[str, object]],
) -> None:
    ctx, bitmaps = context
    # ERC1155 comes first but is set aside: its imports are not in the corpus.
    tasks = infill_tasks((row(*ERC1155), bitmaps), ctx, 2)
    assert [(r["path"], span.name) for r, span in tasks] == [(bitmaps["path"], "get")]


def test_reference_function_compiles_and_broken_ones_say_why(
    context: tuple[ContractContext, dict[str, object]],
) -> None:
    ctx, bitmaps = context
    [(r, span)] = infill_tasks((bitmaps,), ctx, 1)
    reference = str(r["content"])[span.start : span.end].strip()
    # A model that writes the function and goes on talking: only the function is used.
    ok = check_completion(ctx, r, span, reference + "\n\nfunction unfinished(", tokens=7)
    assert ok.compiled and ok.reason == "" and ok.tokens == 7 and ok.function == "get"
    cut = check_completion(ctx, r, span, reference[:-1])
    assert not cut.compiled and cut.reason == "no complete function in the completion"
    renamed = check_completion(ctx, r, span, reference.replace("function get(", "function fetch(", 1))
    assert not renamed.compiled and renamed.reason == "wrote function fetch, not get"
    empty = check_completion(ctx, r, span, header_prefix(span) + "    // TODO\n}")
    assert not empty.compiled and empty.reason == "empty function body"  # it would compile
    typed = check_completion(ctx, r, span, reference.replace("{", "{ uint8 tooBig = 300;", 1))
    assert not typed.compiled and "TypeError" in typed.reason
    # The laid-out file is restored after each try: the original still compiles.
    assert ctx.compile(r, str(r["content"])) == (True, "")


def test_corpus_paths_never_escape_the_layout(tmp_path: Path) -> None:
    evil = {**row(*BITMAPS), "path": "../../escaped.sol"}
    ctx = ContractContext(_splits([evil]), tmp_path / "ctx")
    assert ctx.compile(evil, "contract X {}") == (False, "unusable corpus path '../../escaped.sol'")
    assert not any(tmp_path.rglob("escaped.sol"))


def test_eval_cli_reports_base_and_adapter_compile_rate(tiny_adapter: Path, tmp_path: Path) -> None:
    # Same training rows as the adapter's corpus (so the same tiny base), BitMaps held out.
    corpus = make_corpus(tmp_path / "oz-eval", [f for f in FILES if f[1] == "train"] + [BITMAPS])
    res = CliRunner().invoke(
        cli, ["eval", "lm", "--adapter", str(tiny_adapter), "--corpus", str(corpus), "--samples", "2",
              "--max-new-tokens", "16", "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [s["function"] for s in doc["samples"]] == [s["function"] for s in doc["base_samples"]] == ["get"]
    # 16 tokens from a 12-step tiny model are not a function; the rate says so, with the reason.
    assert doc["compile_rate"] == doc["base_compile_rate"] == 0.0
    assert doc["samples"][0]["reason"] and doc["samples"][0]["tokens"] <= 16
    assert "1 held-out functions whose contracts compile" in res.stderr
