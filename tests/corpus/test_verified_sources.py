"""Etherscan v2 and Sourcify v2 crawlers against stand-ins serving their documented shapes."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from chainllm.crawl.base import parse_spec
from chainllm.errors import BadInputError, ServiceError
from tests.corpus.standin import Answer, StandIn, json_answer, sol

ADDR = "0x" + "ab" * 20


def _etherscan_item(source_code: str, name: str = "Token") -> dict[str, Any]:
    return {
        "SourceCode": source_code,
        "ABI": "[]",
        "ContractName": name,
        "CompilerVersion": "v0.8.20+commit.a1b79de6",
        "OptimizationUsed": "1",
        "Runs": "200",
        "ConstructorArguments": "",
        "EVMVersion": "Default",
        "Library": "",
        "LicenseType": "MIT",
        "Proxy": "0",
        "Implementation": "",
        "SwarmSource": "",
    }


def _ok(item: dict[str, Any]) -> Answer:
    return json_answer({"status": "1", "message": "OK", "result": [item]})


def _notok(result: str) -> Answer:
    return json_answer({"status": "0", "message": "NOTOK", "result": result})


@pytest.fixture
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ETHERSCAN_API_KEY", "TESTKEY")


@pytest.mark.usefixtures("api_key")
@pytest.mark.parametrize("shape", ["single", "multi", "standard-json"])
def test_etherscan_source_shapes(standin: StandIn, shape: str) -> None:
    files = {"contracts/Token.sol": sol("Token").decode(), "contracts/Base.sol": sol("Base").decode()}
    if shape == "single":
        code = files["contracts/Token.sol"]
    elif shape == "multi":
        code = json.dumps({k: {"content": v} for k, v in files.items()})
    else:
        code = (
            "{"
            + json.dumps(
                {
                    "language": "Solidity",
                    "sources": {k: {"content": v} for k, v in files.items()},
                    "settings": {},
                }
            )
            + "}"
        )
    seen: list[dict[str, str]] = []

    def route(q: dict[str, str]) -> Answer:
        seen.append(q)
        return _ok(_etherscan_item(code))

    standin.routes["/v2/api"] = route
    fetched = parse_spec(f"etherscan:1:{ADDR}").fetch()
    assert fetched.origin == f"etherscan:1:{ADDR}"
    expected = ["Token.sol"] if shape == "single" else ["contracts/Base.sol", "contracts/Token.sol"]
    assert [f.path for f in fetched.files] == expected
    assert seen[0] == {
        "chainid": "1",
        "module": "contract",
        "action": "getsourcecode",
        "address": ADDR,
        "apikey": "TESTKEY",
    }
    assert fetched.meta["license"] == "MIT"


@pytest.mark.usefixtures("api_key")
def test_etherscan_errors(standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    standin.routes["/v2/api"] = _notok("Invalid API Key (#err2)|x")
    with pytest.raises(BadInputError, match=r"rejected the API key.*ETHERSCAN_API_KEY"):
        parse_spec(f"etherscan:1:{ADDR}").fetch()
    standin.routes["/v2/api"] = _ok(_etherscan_item("") | {"ABI": "Contract source code not verified"})
    with pytest.raises(BadInputError, match="not verified"):
        parse_spec(f"etherscan:{ADDR}").fetch()
    standin.routes["/v2/api"] = _notok("Max calls per sec rate limit reached (3/sec)")
    with pytest.raises(ServiceError, match=r"rate limit reached.*after 3 tries"):
        parse_spec(f"etherscan:1:{ADDR}").fetch()
    monkeypatch.delenv("ETHERSCAN_API_KEY")
    with pytest.raises(BadInputError, match="no Etherscan API key"):
        parse_spec(f"etherscan:1:{ADDR}").fetch()
    with pytest.raises(BadInputError, match="not a 20-byte hex address"):
        parse_spec("etherscan:1:0x1234")


@pytest.mark.usefixtures("api_key")
def test_etherscan_retries_rate_limit_answers_and_paces_calls(standin: StandIn) -> None:
    answers = [_notok("Max rate limit reached"), _ok(_etherscan_item(sol("Token").decode()))]
    times: list[float] = []

    def route(q: dict[str, str]) -> Answer:
        times.append(time.monotonic())
        return answers.pop(0) if len(answers) > 1 else answers[0]

    standin.routes["/v2/api"] = route
    assert [f.path for f in parse_spec(f"etherscan:1:{ADDR}").fetch().files] == ["Token.sol"]
    assert len(times) == 2
    for _ in range(3):
        parse_spec(f"etherscan:1:{ADDR}").fetch()
    # Free tier: 3 calls/s, so any 4 consecutive calls span at least a second.
    spans = [times[i + 3] - times[i] for i in range(len(times) - 3)]
    assert min(spans) >= 1.0, spans


@pytest.mark.parametrize(("match", "recorded"), [("exact_match", "exact"), ("match", "partial")])
def test_sourcify_records_match_kind(standin: StandIn, match: str, recorded: str) -> None:
    doc = {
        "match": match,
        "creationMatch": match,
        "runtimeMatch": match,
        "chainId": "1",
        "address": ADDR,
        "verifiedAt": "2024-07-24T12:00:00Z",
        "matchId": "3208",
        "sources": {"contracts/Token.sol": {"content": sol("Token").decode()}},
        "compilation": {
            "language": "Solidity",
            "compiler": "solc",
            "compilerVersion": "0.8.20+commit.a1b79de6",
            "name": "Token",
        },
    }
    standin.routes[f"/server/v2/contract/1/{ADDR}"] = json_answer(doc)
    fetched = parse_spec(f"sourcify:1:{ADDR}").fetch()
    assert fetched.meta["match"] == recorded
    assert [f.path for f in fetched.files] == ["contracts/Token.sol"]
    assert any("fields=sources" in r for r in standin.requests)


def test_sourcify_not_found(standin: StandIn) -> None:
    standin.routes[f"/server/v2/contract/1/{ADDR}"] = json_answer(
        {
            "customCode": "not_found",
            "message": f"Contract {ADDR} on chain 1 not found or not verified",
            "errorId": "e1",
        },
        404,
    )
    with pytest.raises(BadInputError, match="not verified on Sourcify"):
        parse_spec(f"sourcify:1:{ADDR}").fetch()
