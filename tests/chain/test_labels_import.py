from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from chainllm.cli import cli
from chainllm.errors import BadInputError
from chainllm.labels.importer import import_labels, load_imported

GOOD = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
GOOD2 = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
TX = "0x" + "ab" * 32


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAINLLM_DATA_DIR", str(tmp_path / "data"))


def test_csv_with_bad_lines_imports_the_rest(tmp_path: Path) -> None:
    f = tmp_path / "forta.csv"
    f.write_text(
        "address,label,category,source,confidence\n"
        f"{GOOD},phishing,ice_phishing,forta,0.9\n"
        "0x12,malicious,scam,forta,0.5\n"
        f"{GOOD.lower()[:-1]}A,scam,,,\n"  # wrong checksum
        f"{GOOD2},benign,,,1.5\n"  # confidence out of range
        f"{GOOD2.lower()},safe,dex,manual,\n"
    )
    rep = import_labels(f, source="forta")
    assert rep.imported == 2 and rep.addresses == 2
    assert [e.split(":")[0] for e in rep.errors] == ["line 3", "line 4", "line 5"]
    assert "'0x12' is not an address" in rep.errors[0]
    labs = {x.key: x for x in load_imported()}
    assert (
        labs[GOOD].label == "malicious"
        and labs[GOOD].category == "ice_phishing"
        and labs[GOOD].confidence == 0.9
    )
    assert labs[GOOD2].label == "benign" and labs[GOOD2].source == "manual"
    import_labels(f, source="forta")  # re-import replaces, no duplicates
    assert len(load_imported()) == 2


def test_json_darklist_and_tx_list(tmp_path: Path) -> None:
    dark = tmp_path / "darklist.json"
    dark.write_text(json.dumps([{"address": GOOD, "comment": "Fake airdrop site"}, {"address": "nope"}]))
    rep = import_labels(dark)
    assert rep.imported == 1 and rep.errors == ["line 2: 'nope' is not an address (0x + 40 hex digits)"]
    lab = next(x for x in load_imported() if x.source == "darklist")
    assert lab.label == "malicious" and lab.subcategory == "Fake airdrop site"
    txs = tmp_path / "txs.csv"
    txs.write_text(f"tx_hash,label,category\n{TX},malicious,address_poisoning\n0xdead,malicious,x\n")
    rep = import_labels(txs, source="poison-txs")
    assert rep.transactions == 1 and len(rep.errors) == 1


def test_nothing_importable_is_an_error(tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text("address,label\n0xbad,scam\n")
    with pytest.raises(BadInputError, match="nothing to import"):
        import_labels(f)
    r = CliRunner().invoke(cli, ["labels", "import", str(f)])
    assert r.exit_code == 2 and r.output.startswith("error: ") and "line 2" in r.output
    r = CliRunner().invoke(cli, ["labels", "import", str(tmp_path / "missing.csv")])
    assert r.exit_code == 2 and "no such file" in r.output


def test_cli_import_reports_lines_and_strict(tmp_path: Path) -> None:
    f = tmp_path / "l.csv"
    f.write_text(f"address,label\n{GOOD},scam\n0x1,scam\n")
    r = CliRunner().invoke(cli, ["labels", "import", str(f), "--json"])
    assert r.exit_code == 0
    assert json.loads(r.stdout)["errors"] == ["line 3: '0x1' is not an address (0x + 40 hex digits)"]
    r = CliRunner().invoke(cli, ["labels", "import", str(f), "--strict"])
    assert r.exit_code == 1 and "line 3" in r.output
    r = CliRunner().invoke(cli, ["labels", "list", "--json"])
    assert json.loads(r.stdout) == [{"source": "l", "kind": "address", "label": "malicious", "count": 1}]
