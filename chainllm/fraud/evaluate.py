"""Evaluation that cannot flatter itself: splits by scam implementation (a contract variant
in test never appears in training) and by time (train on earlier blocks, test on later), and
the metrics reported for each: ROC-AUC, PR-AUC, F1/precision/recall at the chosen threshold,
recall per malicious category and false-positive rate per benign category."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from chainllm.labels.schema import TxLabel


@dataclass(frozen=True)
class Split:
    name: str
    train: list[int]
    test: list[int]
    held_out: tuple[str, ...]  # implementations only in test (implementation split)
    note: str


def scam_implementations(rows: Sequence[TxLabel]) -> dict[str, list[str]]:
    """category -> contract variants that only ever appear in malicious rows."""
    benign_impls = {r.implementation for r in rows if r.label != "malicious"}
    out: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if r.label == "malicious" and r.implementation and r.implementation not in benign_impls:
            out[r.category].add(r.implementation)
    return {k: sorted(v) for k, v in sorted(out.items())}


def time_cut(rows: Sequence[TxLabel], frac: float) -> int:
    blocks = sorted(r.block_number for r in rows)
    return blocks[min(int(len(blocks) * frac), len(blocks) - 1)] if blocks else 0


def split_by_implementation(rows: Sequence[TxLabel], *, seed: int = 0, time_frac: float = 0.7) -> Split:
    """Per malicious category, one scam implementation (chosen by ``seed``) goes to test
    entirely; rows not tied to a scam implementation split by time."""
    impls = scam_implementations(rows)
    held = sorted(v[seed % len(v)] for v in impls.values() if len(v) >= 2)
    single = sorted(k for k, v in impls.items() if len(v) < 2)
    scam_impls = {i for v in impls.values() for i in v}
    cut = time_cut(rows, time_frac)
    train, test = [], []
    for i, r in enumerate(rows):
        if r.implementation in held:
            test.append(i)
        elif r.implementation in scam_impls:
            train.append(i)
        elif r.block_number >= cut:
            test.append(i)
        else:
            train.append(i)
    note = f"held-out implementations: {', '.join(held) or 'none'}; rows without a scam implementation split at block {cut}"
    if single:
        note += f"; categories with one implementation (seen in training): {', '.join(single)}"
    return Split("implementation", train, test, tuple(held), note)


def split_by_time(rows: Sequence[TxLabel], *, frac: float = 0.7) -> Split:
    cut = time_cut(rows, frac)
    train = [i for i, r in enumerate(rows) if r.block_number < cut]
    test = [i for i, r in enumerate(rows) if r.block_number >= cut]
    return Split("time", train, test, (), f"train blocks < {cut} <= test blocks")


def _auc(y: np.ndarray, s: np.ndarray) -> tuple[float | None, float | None]:
    if len(set(y.tolist())) < 2:
        return None, None
    from sklearn.metrics import average_precision_score, roc_auc_score

    return round(float(roc_auc_score(y, s)), 4), round(float(average_precision_score(y, s)), 4)


def split_by_chain(n_first: int, n_second: int, names: tuple[str, str]) -> Split:
    """Rows ``0..n_first`` (one scenario family / chain) train, the rest test."""
    return Split(
        f"chain:{names[0]}->{names[1]}",
        list(range(n_first)),
        list(range(n_first, n_first + n_second)),
        (),
        f"trained on every row of {names[0]}, tested on every row of {names[1]} (another scenario "
        "family on another chain: other contracts, accounts, funding, gas habits and block times)",
    )


def _rate(hits: int, n: int) -> float | None:
    return round(hits / n, 4) if n else None


def metrics(
    rows: Sequence[TxLabel],
    scores: Sequence[float],
    threshold: float,
    flag_threshold: float | None = None,
    evidence: Sequence[bool] | None = None,
    some_evidence: Sequence[bool] | None = None,
) -> dict[str, Any]:
    """Metrics at ``threshold`` and, given ``flag_threshold`` (where "suspicious" starts), at
    verdict != benign: recall, false-positive rate on benign rows, and recall per malicious
    subtype (category/subcategory). With ``evidence`` (per row: a rule gave high/critical
    evidence), also at verdict "malicious" under the verdict policy (score >= threshold and
    evidence). With ``some_evidence`` (per row: a rule gave medium or worse evidence), also the
    stricter operating point "flagged only with a rule's reason" (score >= flag_threshold and
    that evidence): the learnt models alone never raise a warning there."""
    y = np.array([1 if r.label == "malicious" else 0 for r in rows])
    s = np.array(scores, dtype=float)
    stage = np.array([r.with_stage().stage for r in rows])
    pred = s >= threshold
    tp = int(np.sum(pred & (y == 1)))
    fp = int(np.sum(pred & (y == 0)))
    fn = int(np.sum(~pred & (y == 1)))
    roc, pr = _auc(y, s)
    # The headline: the transactions that cause or are the loss against benign ones; set-up
    # steps (deploys, funding, launch liquidity) are reported apart, never dropped.
    harm_or_benign = (y == 0) | (stage == "harm")
    roc_harm, pr_harm = _auc(y[harm_or_benign], s[harm_or_benign])
    per_cat: dict[str, dict[str, Any]] = {}
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        groups[(r.label, r.category)].append(i)
    for (label, cat), idx in sorted(groups.items()):
        hits = int(np.sum(pred[idx]))
        key = "recall" if label == "malicious" else "false_positive_rate"
        per_cat[f"{label}/{cat}"] = {"n": len(idx), key: round(hits / len(idx), 4)}
    flagged: dict[str, Any] | None = None
    if flag_threshold is not None:
        flag = s >= flag_threshold
        subtypes: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(rows):
            if r.label == "malicious":
                subtypes[f"{r.category}/{r.subcategory}"].append(i)

        def by_stage(idx: list[int]) -> dict[str, Any]:
            out: dict[str, Any] = {"n": len(idx), "recall": _rate(int(np.sum(flag[idx])), len(idx))}
            for st in ("harm", "setup"):
                sub = [i for i in idx if stage[i] == st]
                if sub:
                    out[st] = {"n": len(sub), "recall": _rate(int(np.sum(flag[sub])), len(sub))}
            return out

        if evidence is not None:
            mal = pred & np.array(list(evidence), dtype=bool)
            verdict_malicious = {
                "recall": _rate(int(np.sum(mal & (y == 1))), int(y.sum())),
                "recall_harm": _rate(int(np.sum(mal & (stage == "harm"))), int(np.sum(stage == "harm"))),
                "false_positive_rate": _rate(int(np.sum(mal & (y == 0))), int(np.sum(y == 0))),
            }
        gated: dict[str, Any] | None = None
        if some_evidence is not None:
            g = flag & np.array(list(some_evidence), dtype=bool)
            gated = {
                "recall_harm": _rate(int(np.sum(g & (stage == "harm"))), int(np.sum(stage == "harm"))),
                "recall_setup": _rate(int(np.sum(g & (stage == "setup"))), int(np.sum(stage == "setup"))),
                "recall": _rate(int(np.sum(g & (y == 1))), int(y.sum())),
                "false_positive_rate": _rate(int(np.sum(g & (y == 0))), int(np.sum(y == 0))),
            }
        flagged = {
            "threshold": round(flag_threshold, 4),
            **({"with_rule_reason": gated} if gated is not None else {}),
            "recall": _rate(int(np.sum(flag & (y == 1))), int(y.sum())),
            "recall_harm": _rate(int(np.sum(flag & (stage == "harm"))), int(np.sum(stage == "harm"))),
            "recall_setup": _rate(int(np.sum(flag & (stage == "setup"))), int(np.sum(stage == "setup"))),
            "harm_rows": int(np.sum(stage == "harm")),
            "setup_rows": int(np.sum(stage == "setup")),
            "false_positive_rate": _rate(int(np.sum(flag & (y == 0))), int(np.sum(y == 0))),
            **({"verdict_malicious": verdict_malicious} if evidence is not None else {}),
            "recall_per_subtype": {k: by_stage(v) for k, v in sorted(subtypes.items())},
        }
    return {
        "n": len(rows),
        "positives": int(y.sum()),
        "threshold": round(threshold, 4),
        "false_positive_rate": _rate(fp, int(np.sum(y == 0))),
        **({"flagged": flagged} if flagged is not None else {}),
        "roc_auc": roc,
        "pr_auc": pr,
        "roc_auc_harm": roc_harm,
        "pr_auc_harm": pr_harm,
        "precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "recall": round(tp / (tp + fn), 4) if tp + fn else None,
        "f1": round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0,
        "per_category": per_cat,
    }


def markdown(report: dict[str, Any]) -> str:
    """The evaluation report as a markdown page (written next to the model)."""
    lines = ["# Fraud scorer evaluation", ""]
    for split in report["splits"]:
        lines += [f"## Split by {split['name']}", "", split["note"], "",
                  f"train rows: {split['train_rows']}, test rows: {split['test_rows']}", "",
                  "| scorer | ROC-AUC (harm vs benign) | ROC-AUC (all malicious) | PR-AUC | F1 | precision | recall | threshold |",
                  "|---|---|---|---|---|---|---|---|"]  # fmt: skip
        for name, m in split["scorers"].items():
            lines.append(
                f"| {name} | {m.get('roc_auc_harm')} | {m['roc_auc']} | {m['pr_auc']} | {m['f1']} | {m['precision']} "
                f"| {m['recall']} | {m['threshold']} |"
            )
        for name, info in (split.get("combiners") or {}).items():
            why = "; ".join(w for w in (info.get("why"), info.get("why_llm_0")) if w)
            lines.append(f"- {name}: {info.get('method')} of {', '.join(info.get('chosen', []))}, "
                         f"fitted on {info.get('rows')} out-of-fold rows" + (f" ({why})" if why else ""))  # fmt: skip
        main = split["scorers"].get("combined") or next(iter(split["scorers"].values()))
        fl = main.get("flagged")
        if fl:
            lines += ["", f"At verdict != benign (score >= {fl['threshold']}): **recall on harm transactions "
                      f"{fl.get('recall_harm')}** ({fl.get('harm_rows')} rows), recall on set-up transactions "
                      f"{fl.get('recall_setup')} ({fl.get('setup_rows')} rows), all malicious {fl['recall']}, "
                      f"false-positive rate on benign rows {fl['false_positive_rate']}; at verdict malicious: "
                      f"recall {main['recall']}, false-positive rate {main.get('false_positive_rate')}"
                      + (f"; at verdict malicious with rule evidence (the verdict policy): recall "
                         f"{fl['verdict_malicious']['recall']}, false-positive rate "
                         f"{fl['verdict_malicious']['false_positive_rate']}" if "verdict_malicious" in fl else "")
                      + (f"; flagged only with a rule's reason (medium or worse): recall on harm "
                         f"{fl['with_rule_reason']['recall_harm']}, false-positive rate "
                         f"{fl['with_rule_reason']['false_positive_rate']}" if "with_rule_reason" in fl else "")
                      + ".", "",
                      "| malicious subtype | n | recall (verdict != benign) | harm: n, recall | set-up: n, recall |",
                      "|---|---|---|---|---|"]  # fmt: skip
            for sub, m in fl["recall_per_subtype"].items():
                h, st = m.get("harm") or {}, m.get("setup") or {}
                lines.append(f"| {sub} | {m['n']} | {m['recall']} | {h.get('n', 0)}, {h.get('recall', '-')} "
                             f"| {st.get('n', 0)}, {st.get('recall', '-')} |")  # fmt: skip
        lines += ["", "| category | n | recall / false-positive rate |", "|---|---|---|"]
        for cat, m in main["per_category"].items():
            val = m.get("recall", m.get("false_positive_rate"))
            lines.append(f"| {cat} | {m['n']} | {val} |")
        lines.append("")
    return "\n".join(lines) + "\n"
