"""The gradient-boosted scorer (LightGBM): training, prediction, and per-feature
contributions (SHAP values from ``pred_contrib``) rendered as reasons. Saved in LightGBM's
text format (no pickle)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from chainllm.fraud.features import FEATURE_NAMES
from chainllm.fraud.result import Reason

PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 5,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 1,  # tiny data sets: threads only contend on a busy machine
    "verbose": -1,
}
ROUNDS = 200
SMALL_BATCH = 8  # rows up to which the pure-Python tree walk is faster than numpy


def train(x: np.ndarray, y: np.ndarray, *, seed: int = 0, rounds: int = ROUNDS) -> Any:
    import lightgbm as lgb

    params = {**PARAMS, "seed": seed}
    if len(set(y.tolist())) < 2:
        # One class only: LightGBM would learn a constant anyway; say it plainly.
        params["boost_from_average"] = True
    ds = lgb.Dataset(x, label=y, feature_name=list(FEATURE_NAMES), free_raw_data=False)
    return lgb.train(params, ds, num_boost_round=rounds)


class TreeModel:
    """The trained ensemble as plain arrays (exported from LightGBM's own dump), evaluated
    with numpy. Scoring needs no LightGBM import (it pulls in scikit-learn: seconds of start-up
    for a one-hash CLI call). Contributions are path attributions (Saabas): per split, the
    change in node value is credited to the split feature; they sum to the raw score."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.n_features = int(data["n_features"])
        self.trees: list[tuple[int, dict[str, np.ndarray]]] = [
            (int(t["root"]), {k: np.asarray(t[k], dtype=float if k in ("t", "v", "leaves") else np.int64)
                              for k in t if k != "root"})
            for t in data["trees"]
        ]  # fmt: skip

        # Plain lists for one-row scoring: a Python walk beats thousands of tiny numpy calls.
        self._lists = [(root, {k: v.tolist() for k, v in t.items()}) for root, t in self.trees]

    def _walk_one(self, row: list[float], contrib: list[float] | None) -> float:
        raw = 0.0
        for root, t in self._lists:
            leaves = t["leaves"]
            if root < 0:
                raw += leaves[~root]
                if contrib is not None:
                    contrib[-1] += leaves[~root]
                continue
            f, thr, dl, left, right, val = t["f"], t["t"], t["dl"], t["l"], t["r"], t["v"]
            node = root
            if contrib is not None:
                contrib[-1] += val[root]
            while node >= 0:
                xv = row[f[node]]
                go_left = dl[node] == 1 if xv != xv else xv <= thr[node]  # xv != xv: NaN
                child = left[node] if go_left else right[node]
                if contrib is not None:
                    contrib[f[node]] += (val[child] if child >= 0 else leaves[~child]) - val[node]
                node = child
            raw += leaves[~node]
        return raw

    @classmethod
    def from_booster(cls, booster: Any) -> TreeModel:
        return cls(export(booster))

    def _walk(self, x: np.ndarray, contrib: np.ndarray | None) -> np.ndarray:
        n = x.shape[0]
        raw = np.zeros(n)
        for root, t in self.trees:
            leaves = t["leaves"]
            if root < 0:
                raw += leaves[~root]
                if contrib is not None:
                    contrib[:, -1] += leaves[~root]
                continue
            f, thr, dl, left, right, val = t["f"], t["t"], t["dl"], t["l"], t["r"], t["v"]
            node = np.full(n, root, dtype=np.int64)
            if contrib is not None:
                contrib[:, -1] += val[root]
            active = np.arange(n)
            while active.size:
                nd = node[active]
                feat = f[nd]
                xv = x[active, feat]
                go_left = np.where(np.isnan(xv), dl[nd] == 1, xv <= thr[nd])
                child = np.where(go_left, left[nd], right[nd])
                if contrib is not None:
                    cval = np.where(child >= 0, val[np.maximum(child, 0)], leaves[np.maximum(~child, 0)])
                    contrib[active, feat] += cval - val[nd]
                node[active] = child
                active = active[child >= 0]
            raw += leaves[~node]
        return raw

    def predict(self, x: np.ndarray) -> np.ndarray:
        if x.shape[0] <= SMALL_BATCH:
            raw = np.array([self._walk_one(row, None) for row in x.tolist()])
        else:
            raw = self._walk(x, None)
        return np.asarray(1.0 / (1.0 + np.exp(-raw)))

    def contributions(self, x: np.ndarray) -> np.ndarray:
        if x.shape[0] <= SMALL_BATCH:
            rows = []
            for row in x.tolist():
                c = [0.0] * (self.n_features + 1)
                self._walk_one(row, c)
                rows.append(c)
            return np.array(rows, dtype=float).reshape(x.shape[0], self.n_features + 1)
        contrib = np.zeros((x.shape[0], self.n_features + 1))
        self._walk(x, contrib)
        return contrib


def export(booster: Any) -> dict[str, Any]:
    """LightGBM trees as flat arrays: per node feature ``f``, threshold ``t``, default-left
    ``dl``, children ``l``/``r`` (a negative child ``~k`` is leaf ``k``), value ``v``."""
    dump = booster.dump_model()
    if not str(dump.get("objective", "")).startswith("binary"):
        raise ValueError(f"only binary objectives are exported, not {dump.get('objective')}")
    trees = []
    for info in dump["tree_info"]:
        t: dict[str, list[Any]] = {k: [] for k in ("f", "t", "dl", "l", "r", "v", "leaves")}

        def walk(n: dict[str, Any], t: dict[str, list[Any]] = t) -> int:
            if "leaf_value" in n:
                t["leaves"].append(float(n["leaf_value"]))
                return ~(len(t["leaves"]) - 1)
            if n.get("decision_type") != "<=":
                raise ValueError(
                    f"unsupported split {n.get('decision_type')} (categorical features are not used)"
                )
            i = len(t["f"])
            t["f"].append(int(n["split_feature"]))
            t["t"].append(float(n["threshold"]))
            t["dl"].append(int(bool(n.get("default_left", True))))
            t["v"].append(float(n["internal_value"]))
            t["l"].append(0)
            t["r"].append(0)
            t["l"][i] = walk(n["left_child"])
            t["r"][i] = walk(n["right_child"])
            return i

        root = walk(info["tree_structure"])
        trees.append({**t, "root": root})
    return {"format": "chainllm-trees-1", "n_features": len(FEATURE_NAMES), "trees": trees}


def predict(model: Any, x: np.ndarray) -> np.ndarray:
    if isinstance(model, TreeModel):
        return model.predict(x)
    return np.asarray(model.predict(x, num_threads=1), dtype=float)


def contributions(model: Any, x: np.ndarray) -> np.ndarray:
    """Per-row, per-feature log-odds contributions; last column is the bias."""
    if isinstance(model, TreeModel):
        return model.contributions(x)
    return np.asarray(model.predict(x, pred_contrib=True, num_threads=1), dtype=float)


def save(booster: Any, path: Path) -> None:
    """LightGBM's own text format (for LightGBM users) plus the array export scoring reads."""
    tmp = path.with_name(f".{path.name}.tmp")
    booster.save_model(str(tmp))
    tmp.replace(path)
    arrays = path.with_suffix(".json")
    tmp = arrays.with_name(f".{arrays.name}.tmp")
    tmp.write_text(json.dumps(export(booster), separators=(",", ":"), sort_keys=True))
    tmp.replace(arrays)


def load(path: Path) -> TreeModel:
    return TreeModel(json.loads(path.with_suffix(".json").read_text()))


def reasons(contrib_row: np.ndarray, values: dict[str, float], top: int = 3) -> list[Reason]:
    """The features that pushed this score up the most, as reasons."""
    pairs = sorted(zip(FEATURE_NAMES, contrib_row[:-1], strict=True), key=lambda p: -p[1])
    out = []
    for name, c in pairs[:top]:
        if c < 0.25:
            break
        sev = "high" if c >= 2 else "medium" if c >= 1 else "low"
        out.append(
            Reason(
                f"GBM_{name.upper()}",
                sev,
                f"model: feature {name} = {values[name]:.3g} raised the risk by {c:.2f} log-odds",
                source="gbm",
                weight=round(float(c), 4),
            )
        )
    return out
