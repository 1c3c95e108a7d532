"""One calibrated score from the three scorers, fitted on predictions the scorers made for
rows they were not trained on. Parameters are plain JSON. Without an LLM the "base"
combiner is used.

Candidates are each single scorer (Platt-scaled) and a logistic regression over the log-odds
of the scorers that rank better than chance (stacking). The one with the lowest
cross-validated log loss on the calibration rows wins; the stack (which keeps the rules in)
is kept unless it is clearly worse than the best single scorer (by more than STACK_MARGIN),
so the combined score is no worse than its best part, and near-ties keep the rules: they are
written from the taxonomy, not fitted, and carry over to chains the GBM never saw (trained
on one scenario family, the GBM alone ranked the other family's harm worse than rules+GBM:
ROC-AUC 0.834 vs 0.867 on dev seed 102). With too
few calibration rows nothing is fitted at all: the preferred scorer's (the GBM's) own
probability is used as it is (a few rows cannot calibrate; they once gave a benign transfer
"0.96")."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from chainllm.fraud.result import Reason

EPS = 0.005  # probabilities are clipped here: a rule score of 0 must not dominate the stack
MIN_ROWS = 40  # calibration rows needed before anything is fitted
MIN_CLASS = 8  # ... and rows of the smaller class
MIN_AUC = 0.55  # a scorer that ranks no better than this is left out of the stack
STACK_MARGIN = 0.005  # log loss by which the stack may trail the best single scorer
C = 0.5  # L2 strength of the logistic fits (small data: keep weights modest)


def logit(p: float) -> float:
    p = min(max(p, EPS), 1 - EPS)
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class Combiner:
    inputs: tuple[str, ...]  # e.g. ("rules", "gbm") or ("rules", "gbm", "llm")
    coef: tuple[float, ...]
    intercept: float
    info: dict[str, Any] = field(default_factory=dict, compare=False)  # how it was chosen

    def __call__(self, parts: dict[str, float]) -> float:
        z = self.intercept + sum(
            c * logit(parts[n]) for n, c in zip(self.inputs, self.coef, strict=True) if c
        )
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def batch(self, parts: dict[str, np.ndarray]) -> np.ndarray:
        n = len(next(iter(parts.values())))
        return np.array([self({k: float(v[i]) for k, v in parts.items()}) for i in range(n)])

    def uses(self, name: str) -> bool:
        return any(c for n, c in zip(self.inputs, self.coef, strict=True) if n == name)

    def with_input(self, name: str) -> Combiner:
        """The same combiner taking one more input, with weight 0 (kept for the record)."""
        return Combiner((*self.inputs, name), (*self.coef, 0.0), self.intercept, dict(self.info))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Combiner:
        return cls(
            tuple(d["inputs"]),
            tuple(float(c) for c in d["coef"]),
            float(d["intercept"]),
            dict(d.get("info") or {}),
        )


@dataclass(frozen=True)
class Calibrated:
    combiner: Combiner
    cv_scores: np.ndarray  # the chosen combiner's out-of-fold scores on the calibration rows
    cv_log_loss: float | None  # None: nothing was fitted (too few rows)


def _auc(y: np.ndarray, p: np.ndarray) -> float | None:
    if len(set(y.tolist())) < 2:
        return None
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, p))


def log_loss(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _fit_lr(x: np.ndarray, y: np.ndarray, cols: list[int]) -> tuple[list[int], np.ndarray, float]:
    """Logistic regression on ``cols``; a column that gets a negative weight is noise on these
    rows, not evidence of innocence: it is dropped and the rest refitted."""
    from sklearn.linear_model import LogisticRegression

    cols = list(cols)
    while True:
        lr = LogisticRegression(C=C, max_iter=1000)
        lr.fit(x[:, cols], y)
        coef = lr.coef_[0]
        if min(coef) >= 0 or len(cols) == 1:
            return cols, np.maximum(coef, 0.0), float(lr.intercept_[0])
        cols.pop(int(np.argmin(coef)))


def _predict(x: np.ndarray, cols: list[int], coef: np.ndarray, b: float) -> np.ndarray:
    z = np.clip(x[:, cols] @ coef + b, -50, 50)
    return np.asarray(1.0 / (1.0 + np.exp(-z)))


def _cv(x: np.ndarray, y: np.ndarray, cols: list[int], k: int, seed: int) -> np.ndarray:
    from sklearn.model_selection import StratifiedKFold

    out = np.zeros(len(y))
    for tr, te in StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(x, y):
        used, coef, b = _fit_lr(x[tr], y[tr], cols)
        out[te] = _predict(x[te], used, coef, b)
    return out


def fit(
    inputs: tuple[str, ...],
    parts: dict[str, np.ndarray],
    y: np.ndarray,
    *,
    prefer: str = "gbm",
    seed: int = 0,
) -> Calibrated:
    """Choose and fit the combiner on calibration rows (see the module docstring).
    ``prefer``: the scorer kept when the rows are too few to say, or cannot tell it apart."""
    y = np.asarray(y, dtype=int)
    n, pos = len(y), int(y.sum())
    minority = min(pos, n - pos)
    aucs = {k: _auc(y, np.asarray(parts[k], dtype=float)) for k in inputs}
    fallback = prefer if prefer in inputs else inputs[0]
    best = max(inputs, key=lambda k: (aucs[k] if aucs[k] is not None else -1.0, k == fallback))
    info: dict[str, Any] = {"rows": n, "positives": pos, "auc": {k: _r(v) for k, v in aucs.items()}}
    if n < MIN_ROWS or minority < MIN_CLASS:
        # Too few rows to fit even two numbers, or to rank scorers (an AUC over one benign row
        # is noise): the preferred scorer as it is.
        best = fallback
        one_hot = tuple(1.0 if k == best else 0.0 for k in inputs)
        comb = Combiner(inputs, one_hot, 0.0, {**info, "method": "single", "chosen": [best],
                        "why": f"{n} calibration rows ({minority} in the smaller class): too few to fit"})  # fmt: skip
        # Nothing was fitted, so its scores on these rows are honest out-of-sample scores.
        return Calibrated(comb, np.asarray(parts[best], dtype=float).clip(EPS, 1 - EPS), None)
    x = np.column_stack([[logit(float(p)) for p in parts[k]] for k in inputs])
    k = min(5, minority)
    useful = [i for i, name in enumerate(inputs) if (aucs[name] or 0.0) >= MIN_AUC] or [inputs.index(best)]
    candidates = [[i] for i in useful] + ([useful] if len(useful) > 1 else [])
    scored = []
    for cols in candidates:
        cv = _cv(x, y, cols, k, seed)
        scored.append((log_loss(y, cv), cols, cv))
    # The preferred scorer (the GBM: its features include the rules' evidence) stays unless
    # another single scorer beats it clearly: small folds understate a model that learns more
    # from more rows, so near-ties go to the prior, not to the noise.
    singles = [s for s in scored if len(s[1]) == 1]
    best_single = min(singles, key=lambda s: s[0])
    pref = [s for s in singles if inputs[s[1][0]] == fallback]
    if pref and pref[0][0] <= best_single[0] + STACK_MARGIN * 4:
        best_single = pref[0]
    stack = [s for s in scored if len(s[1]) > 1]
    chosen = stack[0] if stack and stack[0][0] <= best_single[0] + STACK_MARGIN else best_single
    used, coef, b = _fit_lr(x, y, chosen[1])
    full = [0.0] * len(inputs)
    for i, c in zip(used, coef, strict=True):
        full[i] = round(float(c), 6)
    info.update(
        method="stack" if len(used) > 1 else "single",
        chosen=[inputs[i] for i in used],
        cv_log_loss={"+".join(inputs[i] for i in s[1]): round(s[0], 4) for s in scored},
    )
    return Calibrated(Combiner(inputs, tuple(full), round(b, 6), info), chosen[2], chosen[0])


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


def best_threshold(scores: np.ndarray, y: np.ndarray, *, min_rows: int = MIN_ROWS) -> float:
    """The threshold with the best F1 on (out-of-fold) calibration scores, ties: the higher.
    Kept within 0.2-0.8 (the scores are calibrated probabilities); 0.5 when rows are few."""
    if len(y) < min_rows or len(set(np.asarray(y).tolist())) < 2:
        return 0.5
    best, best_f1 = 0.5, -1.0
    for t in sorted(set(np.round(scores, 4).tolist())):
        pred = scores >= t
        tp = float(np.sum(pred & (y == 1)))
        fp = float(np.sum(pred & (y == 0)))
        fn = float(np.sum(~pred & (y == 1)))
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 >= best_f1:
            best, best_f1 = float(t), f1
    return min(max(best, 0.2), 0.8)


def suspicious_threshold(scores: np.ndarray, y: np.ndarray, threshold: float, *, fpr: float = 0.02) -> float:
    """Where "suspicious" starts: the score that at most ``fpr`` of the benign calibration rows
    (out-of-fold) reach, kept within 0.1 and the malicious threshold. 2%: a warning on one
    ordinary transaction in ten gets a wallet's warnings switched off (issue 13)."""
    benign = np.asarray(scores)[np.asarray(y) == 0]
    if len(benign) < MIN_CLASS:
        return max(0.1, threshold / 2)
    return float(min(max(np.quantile(benign, 1 - fpr), 0.1), threshold))


EVIDENCE_SEVERITIES = ("high", "critical")


def verdict(score: float, threshold: float, suspicious: float, reasons: Sequence[Reason]) -> str:
    """The verdict policy (issue 13): "malicious" needs the score *and* evidence of what
    happened, a high or critical reason from the rules (asset diffs, approvals) or a label
    match; a high score from the learnt models alone is thin evidence and says "suspicious",
    with its reasons. Ordinary activity stays "benign" below the suspicious threshold."""
    if score < suspicious:
        return "benign"
    evidence = any(
        r.source in ("rules", "labels") and r.severity in EVIDENCE_SEVERITIES and r.weight > 0
        for r in reasons
    )
    return "malicious" if score >= threshold and evidence else "suspicious"
