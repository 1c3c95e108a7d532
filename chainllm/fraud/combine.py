"""One calibrated score from the three scorers: a logistic regression over the scorers'
log-odds (stacking), fitted on predictions the scorers made for rows they were not trained
on. Parameters are plain JSON. Without an LLM the "base" combiner is used."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

EPS = 0.005  # probabilities are clipped here: a rule score of 0 must not dominate the stack


def logit(p: float) -> float:
    p = min(max(p, EPS), 1 - EPS)
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class Combiner:
    inputs: tuple[str, ...]  # e.g. ("rules", "gbm") or ("rules", "gbm", "llm")
    coef: tuple[float, ...]
    intercept: float

    def __call__(self, parts: dict[str, float]) -> float:
        z = self.intercept + sum(c * logit(parts[n]) for n, c in zip(self.inputs, self.coef, strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Combiner:
        return cls(tuple(d["inputs"]), tuple(float(c) for c in d["coef"]), float(d["intercept"]))


def fit(inputs: tuple[str, ...], parts: dict[str, np.ndarray], y: np.ndarray) -> Combiner:
    """Platt-style calibration of the stacked log-odds. Falls back to averaging when the
    calibration rows hold one class only."""
    x = np.column_stack([[logit(float(p)) for p in parts[n]] for n in inputs])
    if len(set(y.tolist())) < 2:
        return Combiner(inputs, tuple(1.0 / len(inputs) for _ in inputs), 0.0)
    from sklearn.linear_model import LogisticRegression

    use = list(range(len(inputs)))
    while True:
        lr = LogisticRegression(C=1.0, max_iter=1000)
        lr.fit(x[:, use], y)
        coef = lr.coef_[0]
        # A scorer that gets a negative weight is noise on these rows, not evidence of
        # innocence: drop it and refit rather than let it invert the ranking.
        if min(coef) >= 0 or len(use) == 1:
            break
        use.pop(int(np.argmin(coef)))
    full = [0.0] * len(inputs)
    for k, c in zip(use, coef, strict=True):
        full[k] = round(max(float(c), 0.0), 6)
    return Combiner(inputs, tuple(full), round(float(lr.intercept_[0]), 6))


def best_threshold(scores: np.ndarray, y: np.ndarray) -> float:
    """The threshold with the best F1 on calibration rows (ties: the higher threshold)."""
    best, best_f1 = 0.5, -1.0
    for t in sorted(set(np.round(scores, 4).tolist())):
        pred = scores >= t
        tp = float(np.sum(pred & (y == 1)))
        fp = float(np.sum(pred & (y == 0)))
        fn = float(np.sum(~pred & (y == 1)))
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 >= best_f1:
            best, best_f1 = float(t), f1
    return min(max(best, 0.05), 0.95)
