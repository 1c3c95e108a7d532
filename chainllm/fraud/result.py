"""What scoring returns for one transaction. Field names are a public contract
(``chainllm score --json``): keep ``tx_hash``, ``score``, ``verdict``, ``confidence``,
``reasons`` (``code``, ``severity``, ``message``) stable."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SEVERITIES = ("info", "low", "medium", "high", "critical")
VERDICTS = ("benign", "suspicious", "malicious", "not_analysed")


@dataclass(frozen=True)
class Reason:
    code: str
    severity: str
    message: str
    source: str = "rules"  # rules | gbm | labels | llm | coverage
    weight: float = 0.0  # contribution to the rule score (rules) or log-odds (gbm)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity {self.severity!r} is not one of {SEVERITIES}")


@dataclass(frozen=True)
class AssetMovement:
    """Net change of one asset for one address in this transaction."""

    address: str
    asset: str  # "ETH" or the token contract address
    standard: str  # "native" | "erc20" | "erc721" | "erc1155"
    amount: str  # signed decimal string (wei / token base units / NFT count)
    token_id: str = ""


@dataclass(frozen=True)
class LabelMatch:
    address: str
    label: str
    category: str
    source: str
    role: str  # where the address appears: from | to | spender | recipient | log | callee


@dataclass(frozen=True)
class RiskScore:
    tx_hash: str
    score: float | None  # None: not analysed
    verdict: str
    confidence: float  # share of the evidence that could be fetched and scored (0-1)
    reasons: tuple[Reason, ...] = ()
    movements: tuple[AssetMovement, ...] = ()
    labels: tuple[LabelMatch, ...] = ()
    coverage: dict[str, bool] = field(default_factory=dict)
    components: dict[str, float | None] = field(default_factory=dict)  # rules/gbm/llm scores
    block_number: int | None = None
    error: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    # Which trained model scored it (name, version, folder; cid when pulled by reference).
    model: dict[str, str] = field(default_factory=dict)

    @property
    def analysed(self) -> bool:
        return self.score is not None

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["reasons"] = [asdict(r) for r in self.reasons]
        d["movements"] = [asdict(m) for m in self.movements]
        d["labels"] = [asdict(m) for m in self.labels]
        return d


def not_analysed(tx_hash: str, code: str, message: str) -> RiskScore:
    """A hash that could not be scored: never "safe", always said why."""
    return RiskScore(
        tx_hash=tx_hash,
        score=None,
        verdict="not_analysed",
        confidence=0.0,
        reasons=(Reason(code, "info", message, source="coverage"),),
        error=message,
    )
