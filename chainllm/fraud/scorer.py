"""Score transaction hashes: fetch (batched, cached) → features → rules + LightGBM (+ LLM)
→ calibrated combination → verdict, confidence, reasons, movements, label matches."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from chainllm.fraud import gbm
from chainllm.fraud.cache import RpcCache
from chainllm.fraud.combine import verdict as verdict_for
from chainllm.fraud.features import Extracted, extract
from chainllm.fraud.fetch import BundleSource, Fetcher, FetchFailure, TxBundle, parse_hash
from chainllm.fraud.model import FraudModel
from chainllm.fraud.result import LabelMatch, Reason, RiskScore, not_analysed
from chainllm.fraud.rules import apply_rules
from chainllm.labels.schema import AddressLabel, read_address_labels

# How much of the evidence each part carries; confidence is the share that was analysed.
COVERAGE_WEIGHTS = {"transaction": 0.4, "code": 0.15, "trace": 0.15, "history": 0.1, "gbm": 0.1, "llm": 0.1}
LABEL_WEIGHT = 0.8  # a "malicious" label from a list the user trusts


@dataclass(frozen=True)
class ScoreOptions:
    timeout: float = 10.0
    trace: bool = True
    history_blocks: int = 32
    cache: bool = True
    cache_path: Path | None = None  # default: <cache dir>/fraud/rpc-cache.sqlite
    llm: bool = True  # use the model's LLM adapter when it has one
    batch: int = 200  # hashes per fetch round


class LabelIndex:
    def __init__(self, folders: Sequence[Path] = ()) -> None:
        self.by_address: dict[str, list[AddressLabel]] = defaultdict(list)
        for folder in folders:
            if not (Path(folder) / "address_labels.parquet").is_file():
                from chainllm.errors import BadInputError

                raise BadInputError(
                    f"{folder} has no address_labels.parquet",
                    hint="pass a label set folder (chainllm simulate / labels import)",
                )
            for lab in read_address_labels(Path(folder)):
                self.by_address[lab.address.lower()].append(lab)

    def matches(self, roles: dict[str, str]) -> list[LabelMatch]:
        out = []
        for addr, role in roles.items():
            for lab in self.by_address.get(addr, ()):
                out.append(LabelMatch(addr, lab.label, lab.category, lab.source, role))
        return out


def _roles(ex: Extracted) -> dict[str, str]:
    f = ex.facts
    roles: dict[str, str] = {}
    for a, r in [(f.sender, "from"), (f.to, "to"), (f.created, "created")]:
        if a:
            roles.setdefault(a, r)
    for ap in f.approvals:
        roles.setdefault(ap.spender, "spender")
    for tok, a, b, *_ in f.transfers:
        roles.setdefault(tok, "token")
        roles.setdefault(a, "sender_of_tokens")
        roles.setdefault(b, "recipient")
    for _, b, _ in f.eth:
        roles.setdefault(b, "recipient")
    for t in f.tokens:
        roles.setdefault(t, "callee")
    return roles


def component_scores(
    exs: Sequence[Extracted], booster: Any, llm: Any | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
    """rules, gbm, llm (or None) probabilities and the GBM contributions, per row."""
    rules = np.array([apply_rules(e)[0] for e in exs], dtype=float)
    x = np.array([e.vector() for e in exs], dtype=float) if exs else np.zeros((0, 1))
    contrib = gbm.contributions(booster, x) if len(exs) else np.zeros((0, 1))
    g = 1.0 / (1.0 + np.exp(-contrib.sum(axis=1))) if len(exs) else np.zeros(0)
    llm_p = None
    if llm is not None:
        from chainllm.fraud.llm import serialise

        llm_p = np.array(llm.predict([serialise(e) for e in exs]), dtype=float)
    return rules, g, llm_p, contrib


@dataclass
class Timings:
    fetch_s: float = 0.0
    features_s: float = 0.0
    models_s: float = 0.0
    llm_s: float = 0.0
    hashes: int = 0
    per_hash_ms: list[float] = field(default_factory=list)


class Scorer:
    def __init__(
        self,
        rpc_urls: Sequence[str],
        model: FraudModel | None,
        *,
        labels: LabelIndex | None = None,
        options: ScoreOptions | None = None,
        model_cid: str | None = None,
        source: BundleSource | None = None,
    ) -> None:
        """Bundles come from ``source`` when given (e.g. ``chain_data.ChainData``, a crawl's
        Parquet tables), else from a ``Fetcher`` over ``rpc_urls``."""
        self.options = options or ScoreOptions()
        o = self.options
        self.fetcher: BundleSource = source or Fetcher(
            rpc_urls,
            timeout=o.timeout,
            cache=RpcCache(o.cache_path, enabled=o.cache),
            trace=o.trace,
            history_blocks=o.history_blocks,
        )
        self.model = model
        self.model_info = model.describe(model_cid) if model is not None else {}
        self.labels = labels or LabelIndex()
        self.llm: Any | None = None
        if model is not None and o.llm and model.llm_dir is not None and model.with_llm is not None:
            from chainllm.fraud.llm import LlmScorer

            self.llm = LlmScorer(model.llm_dir)
        self.timings = Timings()

    def close(self) -> None:
        self.fetcher.close()

    def score(
        self, hashes: Sequence[str], *, progress: Callable[[int], None] | None = None
    ) -> list[RiskScore]:
        norm = [parse_hash(h) for h in hashes]  # all-or-nothing validation before any RPC
        out: list[RiskScore] = []
        for i in range(0, len(norm), self.options.batch):
            out.extend(self._score_batch(norm[i : i + self.options.batch]))
            if progress:
                progress(len(out))
        return out

    def _score_batch(self, hashes: list[str]) -> list[RiskScore]:
        t0 = time.perf_counter()
        fetched = self.fetcher.fetch(hashes)
        t1 = time.perf_counter()
        bundles: list[TxBundle] = [b for b in fetched.values() if isinstance(b, TxBundle)]
        exs = [extract(b) for b in bundles]
        t2 = time.perf_counter()
        rules_p = np.array([apply_rules(e)[0] for e in exs]) if exs else np.zeros(0)
        g = c = None
        if self.model is not None and exs:
            x = np.array([e.vector() for e in exs], dtype=float)
            c = gbm.contributions(self.model.booster, x)
            g = 1.0 / (1.0 + np.exp(-c.sum(axis=1)))  # contributions sum to the raw score
        t3 = time.perf_counter()
        llm_p = None
        if self.llm is not None and exs:
            from chainllm.fraud.llm import serialise

            llm_p = self.llm.predict([serialise(e) for e in exs])
        t4 = time.perf_counter()
        tm = self.timings
        tm.fetch_s += t1 - t0
        tm.features_s += t2 - t1
        tm.models_s += t3 - t2
        tm.llm_s += t4 - t3
        tm.hashes += len(hashes)
        per = {"fetch": (t1 - t0) * 1e3 / len(hashes), "features": (t2 - t1) * 1e3 / max(len(exs), 1),
               "models": (t3 - t2) * 1e3 / max(len(exs), 1), "llm": (t4 - t3) * 1e3 / max(len(exs), 1)}  # fmt: skip
        scored: dict[str, RiskScore] = {}
        for j, (b, e) in enumerate(zip(bundles, exs, strict=True)):
            scored[b.tx_hash] = self._result(
                b, e, float(rules_p[j]), None if g is None else float(g[j]),
                None if c is None else c[j], None if llm_p is None else float(llm_p[j]), per,
            )  # fmt: skip
        results = []
        for h in hashes:
            f = fetched[h]
            results.append(
                scored[h]
                if h in scored
                else not_analysed(
                    h,
                    (f.code if isinstance(f, FetchFailure) else "ERROR"),
                    f.message if isinstance(f, FetchFailure) else "not fetched",
                )
            )
        return results

    def _result(
        self, b: TxBundle, e: Extracted, rules_p: float, gbm_p: float | None, contrib: Any, llm_p: float | None,
        per: dict[str, float],
    ) -> RiskScore:  # fmt: skip
        _, reasons = apply_rules(e)
        m = self.model
        parts: dict[str, float] = {"rules": rules_p}
        if gbm_p is not None:
            parts["gbm"] = gbm_p
        if llm_p is not None:
            parts["llm"] = llm_p
        if m is not None and gbm_p is not None:
            if llm_p is not None and m.with_llm is not None:
                score = m.with_llm(parts)
                threshold = m.threshold_llm or m.threshold
                suspicious = m.suspicious_llm if m.suspicious_llm is not None else max(0.1, threshold / 2)
            else:
                score = m.base(parts)
                threshold, suspicious = m.threshold, m.suspicious
            reasons += gbm.reasons(contrib, e.values)
        else:
            score, threshold, suspicious = rules_p, 0.5, 0.25
            reasons.append(
                Reason(
                    "NO_MODEL",
                    "info",
                    "no trained model: rules only (train one with `chainllm train fraud`)",
                    source="coverage",
                )
            )
        if self.llm is None:
            reasons.append(
                Reason(
                    "NO_LLM",
                    "info",
                    "LLM scorer not used (the model has no adapter or --no-llm)",
                    source="coverage",
                )
            )
        labels = self.labels.matches(_roles(e))
        for lm in labels:
            if lm.label == "malicious":
                reasons.append(Reason(
                    "KNOWN_MALICIOUS_ADDRESS", "critical",
                    f"{lm.role} {lm.address} is labelled {lm.category} by {lm.source}", source="labels", weight=LABEL_WEIGHT,
                ))  # fmt: skip
                score = 1 - (1 - score) * (1 - LABEL_WEIGHT)
        cov = {
            "transaction": True,
            "code": bool(b.codes),
            "trace": b.trace is not None,
            "history": b.history is not None,
            "gbm": gbm_p is not None,
            "llm": llm_p is not None,
        }
        confidence = sum(w for k, w in COVERAGE_WEIGHTS.items() if cov[k])
        verdict = verdict_for(score, threshold, suspicious, reasons)  # evidence needed for "malicious"
        order = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
        reasons.sort(key=lambda r: (order[r.severity], -r.weight))
        return RiskScore(
            tx_hash=b.tx_hash, score=round(score, 4), verdict=verdict, confidence=round(confidence, 2),
            reasons=tuple(reasons), movements=tuple(e.facts.movements), labels=tuple(labels), coverage=cov,
            components={k: round(v, 4) for k, v in parts.items()}, block_number=b.block_number,
            timings_ms={k: round(v, 2) for k, v in per.items()}, model=self.model_info,
        )  # fmt: skip
