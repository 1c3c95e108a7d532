"""``chainllm train fraud``: labelled hashes → features (from a crawl's Parquet tables, or
fetched by RPC and cached) → rules,
LightGBM, optional LoRA classifier → stacked, calibrated combiner → honest evaluation →
model folder. The model saved is the one the implementation-split report describes."""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from chainllm.errors import BadInputError
from chainllm.fraud import gbm
from chainllm.fraud.cache import RpcCache
from chainllm.fraud.combine import (
    EVIDENCE_SEVERITIES,
    STACK_MARGIN,
    Combiner,
    best_threshold,
    fit,
    log_loss,
    suspicious_threshold,
)
from chainllm.fraud.evaluate import (
    Split,
    markdown,
    metrics,
    split_by_chain,
    split_by_implementation,
    split_by_time,
)
from chainllm.fraud.features import FEATURE_NAMES, FEATURE_VERSION, Extracted, extract, without_sell
from chainllm.fraud.fetch import BundleSource, Fetcher, FetchFailure, TxBundle
from chainllm.fraud.model import models_root, write_model
from chainllm.fraud.rules import apply_rules
from chainllm.labels.schema import TxLabel, read_tx_labels, training_rows

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class FraudTrainConfig:
    labels: tuple[Path, ...]
    rpc: tuple[str, ...]
    name: str = "default"
    chain_data: Path | None = None  # a `crawl txs` folder: features from Parquet, no RPC
    out: Path | None = None
    seed: int = 0
    llm: bool = True
    llm_base: str = "smollm2-135m"
    llm_epochs: int = 2
    llm_max_rows: int | None = 1500
    history_blocks: int = 32
    timeout: float = 30.0
    overwrite: bool = False
    # Learn set-up rows (stage "setup": deploys, funding, launch liquidity) as malicious too.
    # Off: they are ordinary at the moment they happen (chainllm.labels.schema, docs/fraud.md).
    learn_setup: bool = False

    def __post_init__(self) -> None:
        problems = []
        if not self.labels:
            problems.append("no --labels folder given")
        for d in self.labels:
            if not (Path(d) / "tx_labels.parquet").is_file():
                problems.append(
                    f"--labels {d} has no tx_labels.parquet (run `chainllm simulate` or `chainllm labels import`)"
                )
        if self.llm_epochs < 1:
            problems.append(f"--llm-epochs must be >= 1 (got {self.llm_epochs})")
        if self.chain_data is not None and not (Path(self.chain_data) / "_crawl_state.json").is_file():
            problems.append(
                f"--chain-data {self.chain_data} is not a crawl (no _crawl_state.json; run `chainllm crawl txs --traces`)"
            )
        if self.chain_data is None and not self.rpc:
            problems.append("give --chain-data DIR (a crawl) or --rpc URL")
        if self.history_blocks < 0:
            problems.append(f"--history-blocks must be >= 0 (got {self.history_blocks})")
        if not self.name.replace("-", "").replace("_", "").isalnum():
            problems.append(f"--name {self.name!r} may hold letters, digits, - and _ only")
        if problems:
            raise BadInputError("; ".join(problems))

    @property
    def target(self) -> Path:
        return self.out or models_root() / f"fraud-{self.name}"


@dataclass(frozen=True)
class Dataset:
    rows: list[TxLabel]
    exs: list[Extracted]
    missing: int
    # What the labels and the source did not agree on, for the report and the CLI.
    missing_examples: tuple[str, ...] = ()  # up to 5 labelled hashes the source lacks
    conflicts: int = 0  # hashes labelled both malicious and benign (left out)
    conflict_examples: tuple[str, ...] = ()
    duplicates: int = 0  # hashes labelled twice the same way (kept once)
    notes: tuple[str, ...] = ()  # coverage notes from the source (traces, gaps, state)
    source: str = "rpc"

    def y(self, idx: Sequence[int]) -> np.ndarray:
        return np.array([1 if self.rows[i].label == "malicious" else 0 for i in idx])

    def x(self, idx: Sequence[int]) -> np.ndarray:
        return np.array([self.exs[i].vector() for i in idx], dtype=float).reshape(
            len(idx), len(FEATURE_NAMES)
        )

    def problems(self) -> list[str]:
        """One line each for what was left out or is thin, for stderr and the report."""
        out = []
        if self.missing:
            out.append(
                f"{self.missing} labelled transaction(s) not found in the {self.source} source, left out "
                f"(e.g. {', '.join(self.missing_examples)})"
            )
        if self.conflicts:
            out.append(
                f"{self.conflicts} transaction(s) labelled both malicious and benign by the label sets, "
                f"left out (e.g. {', '.join(self.conflict_examples)})"
            )
        if self.duplicates:
            out.append(f"{self.duplicates} transaction(s) labelled more than once the same way, kept once")
        return [*out, *self.notes]


def _label_chain_ids(labels: Sequence[Path]) -> dict[Path, int]:
    out = {}
    for d in labels:
        try:
            m = json.loads((Path(d) / "manifest.json").read_text())
        except (OSError, ValueError):
            continue
        if isinstance(m, dict) and isinstance(m.get("chain_id"), int):
            out[Path(d)] = int(m["chain_id"])
    return out


def merge_labels(labels: Sequence[Path]) -> tuple[list[TxLabel], int, list[str], int]:
    """Rows of every label set, one per hash: (rows, conflicts, conflicting hashes, duplicates).
    A hash labelled malicious by one set and benign by another cannot be trained on: it is
    left out and reported, never resolved silently."""
    by_hash: dict[str, list[TxLabel]] = {}
    for d in labels:
        for r in read_tx_labels(Path(d)):
            by_hash.setdefault(r.tx_hash.lower(), []).append(r)
    rows, conflicting, dups = [], [], 0
    for h, rs in by_hash.items():
        if len({r.label for r in rs}) > 1:
            conflicting.append(h)
            continue
        dups += len(rs) - 1
        rows.append(rs[0])
    return rows, len(conflicting), conflicting, dups


def open_source(
    labels: Sequence[Path],
    rpc: Sequence[str],
    chain_data: Path | None,
    *,
    history_blocks: int,
    timeout: float,
    sell_check: bool = True,
) -> BundleSource:
    """The Parquet crawl when given (no RPC), else the RPC fetcher. Refuses a source of
    another chain than the label sets name in their manifests."""
    ids = _label_chain_ids(labels)
    src: BundleSource
    if chain_data is not None:
        from chainllm.fraud.chain_data import ChainData

        src = ChainData(Path(chain_data), history_blocks=history_blocks, sell_check=sell_check)
        where = f"--chain-data {chain_data}"
    else:
        src = Fetcher(
            rpc, timeout=timeout, cache=RpcCache(), history_blocks=history_blocks, sell_check=sell_check
        )
        where = f"--rpc {rpc[0]}"
    got = src.chain_id()
    wrong = {d: c for d, c in ids.items() if c != got}
    if wrong:
        src.close()
        d, c = next(iter(wrong.items()))
        raise BadInputError(
            f"label set {d} is for chain {c}, but {where} is chain {got}",
            hint="train on a crawl (or node) of the chain the labels were made on",
        )
    return src


def load_dataset(
    labels: Sequence[Path], rpc: Sequence[str] = (), *, chain_data: Path | None = None, history_blocks: int = 32,
    timeout: float = 30.0, progress: Progress | None = None, sell_check: bool = True,
) -> Dataset:  # fmt: skip
    """Labelled rows with their features. ``sell_check``: simulate the sell of bought tokens
    (RPC only; a crawl reports it not analysed). `train fraud` turns it off: its model and its
    held-out figures must not depend on whether the source was a node or a crawl."""
    rows_all, conflicts, conflicting, dups = merge_labels(labels)
    if not rows_all:
        raise BadInputError(
            f"label set(s) {', '.join(map(str, labels))} hold no transactions"
            + (f" without contradicting labels ({conflicts} contradict)" if conflicts else "")
        )
    src = open_source(
        labels, rpc, chain_data, history_blocks=history_blocks, timeout=timeout, sell_check=sell_check
    )
    rows: list[TxLabel] = []
    exs: list[Extracted] = []
    missing: list[str] = []
    try:
        step = 200
        for i in range(0, len(rows_all), step):
            chunk = rows_all[i : i + step]
            got = src.fetch([r.tx_hash.lower() for r in chunk])
            for r in chunk:
                b = got[r.tx_hash.lower()]
                if isinstance(b, TxBundle):
                    rows.append(r)
                    exs.append(extract(b))
                elif isinstance(b, FetchFailure):
                    missing.append(r.tx_hash.lower())
            if progress:
                progress("fetch", min(i + step, len(rows_all)), len(rows_all))
        notes = tuple(src.coverage_notes())
    finally:
        src.close()
    where = f"the crawl {chain_data}" if chain_data is not None else str(rpc[0])
    if not rows:
        raise BadInputError(
            f"none of the {len(rows_all)} labelled transactions exist in {where}",
            hint="point --chain-data/--rpc at the chain the labels were made on (or crawl the blocks they are in)",
        )
    return Dataset(
        rows, exs, len(missing), tuple(missing[:5]), conflicts, tuple(conflicting[:5]), dups, notes,
        "parquet" if chain_data is not None else "rpc",
    )  # fmt: skip


def labels_sha256(labels: Sequence[Path]) -> str:
    """The hash a published model records for its data: the label set's manifest.json (or
    its tx_labels.parquet when there is none); several sets hash the list of their hashes."""
    digests = []
    for d in labels:
        f = Path(d) / "manifest.json"
        f = f if f.is_file() else Path(d) / "tx_labels.parquet"
        digests.append(hashlib.sha256(f.read_bytes()).hexdigest())
    if len(digests) == 1:
        return digests[0]
    return hashlib.sha256(json.dumps(digests).encode()).hexdigest()


def _groups(rows: Sequence[TxLabel], idx: Sequence[int]) -> list[str]:
    """Fold groups for out-of-fold predictions: a block's transactions stay together (a
    story's steps in one block stay on one side), except in blocks holding more than 5 % of
    the rows: those are batches of independent transactions (the simulator's set-up funding
    and token distribution). Held out whole, such a block is unlike anything the fold trained
    on: on a 150-transaction chain that made out-of-fold GBM scores worse than chance and the
    combiner dropped the GBM (a benign transfer then scored "malicious 0.96"). Not by
    implementation: the training split often holds one variant per scam category."""
    from collections import Counter

    per_block = Counter(rows[i].block_number for i in idx)
    big = max(8, len(idx) // 20)
    return [
        f"tx-{i}" if per_block[rows[i].block_number] > big else f"block-{rows[i].block_number}" for i in idx
    ]


def _folds(y: np.ndarray, groups: list[str], k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Class-balanced folds of whole groups (empty when the rows cannot make two)."""
    from sklearn.model_selection import StratifiedGroupKFold

    k = min(k, len(set(groups)), int(y.sum()), int(len(y) - y.sum()))
    if k < 2:
        return []
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y)), y, groups))


def oof_gbm(ds: Dataset, idx: list[int], seed: int) -> np.ndarray:
    """Out-of-fold LightGBM predictions for ``idx``. Ten folds: each model sees 90 % of the
    rows, so its scores resemble the final model's (fewer rows make a weaker GBM)."""
    out = np.full(len(idx), 0.5)
    x, y = ds.x(idx), ds.y(idx)
    for tr, te in _folds(y, _groups(ds.rows, idx), 10, seed):
        out[te] = gbm.predict(gbm.train(x[tr], y[tr], seed=seed), x[te])
    return out


@dataclass
class Fitted:
    booster: Any
    base: Combiner
    with_llm: Combiner | None
    threshold: float
    llm_dir: Path | None
    llm_info: dict[str, Any] | None
    threshold_llm: float | None = None
    suspicious: float = 0.25
    suspicious_llm: float | None = None


def _evidence(ds: Dataset, idx: Sequence[int]) -> list[bool]:
    """Per row: does a rule give the evidence the verdict policy needs for "malicious"?"""
    return [
        any(r.severity in EVIDENCE_SEVERITIES and r.weight > 0 for r in apply_rules(ds.exs[i])[1])
        for i in idx
    ]


def _some_evidence(ds: Dataset, idx: Sequence[int]) -> list[bool]:
    """Per row: does a rule give medium or worse evidence (what happened, not a hint)?"""
    return [
        any(
            r.severity in ("medium", *EVIDENCE_SEVERITIES) and r.weight > 0 for r in apply_rules(ds.exs[i])[1]
        )
        for i in idx
    ]


def _rules(ds: Dataset, idx: Sequence[int]) -> np.ndarray:
    return np.array([apply_rules(ds.exs[i])[0] for i in idx], dtype=float)


def _llm_combiner(
    base: Combiner,
    threshold: float,
    suspicious: float,
    cal: dict[str, np.ndarray],
    y_cal: np.ndarray,
    seed: int,
) -> tuple[Combiner, float, float]:
    """The combiner with the LLM, fitted on the rows held back from LoRA training. It is kept
    only when it beats the base combiner on those same rows; otherwise the LLM gets weight 0
    (a few dozen rows once gave every transaction 0.96 through a fitted intercept)."""
    got = fit(("rules", "gbm", "llm"), cal, y_cal, seed=seed)
    base_ll = log_loss(y_cal, base.batch({"rules": cal["rules"], "gbm": cal["gbm"]}))
    if got.combiner.uses("llm") and got.cv_log_loss is not None and got.cv_log_loss < base_ll - STACK_MARGIN:
        # Its own threshold: the stacked score with the LLM is calibrated differently.
        t = best_threshold(got.cv_scores, y_cal)
        return got.combiner, t, suspicious_threshold(got.cv_scores, y_cal, t)
    kept = base.with_input("llm")
    fitted = got.combiner.info.get("why") or f"log loss {got.cv_log_loss:.4f} vs {base_ll:.4f}"
    why = f"LLM not better than rules+gbm on {len(y_cal)} held-back rows ({fitted})"
    info = {**kept.info, "llm": got.combiner.info, "why_llm_0": why}
    return Combiner(kept.inputs, kept.coef, kept.intercept, info), threshold, suspicious


def fit_split(
    ds: Dataset, split: Split, cfg: FraudTrainConfig, *, llm_out: Path | None, progress: Progress | None
) -> tuple[Fitted, dict[str, Any]]:
    te = split.test
    # Training rows never see the simulated sell (a crawl cannot run it; the same labels give
    # the same model from Parquet and from RPC). Test rows keep it where the source ran it:
    # that is what `score` does with a node.
    te_set = set(te)
    ds = replace(ds, exs=[ex if i in te_set else without_sell(ex) for i, ex in enumerate(ds.exs)])
    keep = set(range(len(ds.rows))) if cfg.learn_setup else set(training_rows(ds.rows))
    tr = [i for i in split.train if i in keep]
    if not tr or not te:
        raise BadInputError(f"split by {split.name} left an empty train or test set ({len(tr)}/{len(te)} rows)",
                            hint="simulate more transactions (chainllm simulate --txs 300 or more)")  # fmt: skip
    y_tr, y_te = ds.y(tr), ds.y(te)
    r_tr, r_te = _rules(ds, tr), _rules(ds, te)
    g_oof = oof_gbm(ds, tr, cfg.seed)
    base_fit = fit(("rules", "gbm"), {"rules": r_tr, "gbm": g_oof}, y_tr, seed=cfg.seed)
    base = base_fit.combiner
    # The threshold comes from out-of-fold scores: in-sample ones flatter the stack.
    threshold = best_threshold(base_fit.cv_scores, y_tr)
    suspicious = suspicious_threshold(base_fit.cv_scores, y_tr, threshold)
    booster = gbm.train(ds.x(tr), y_tr, seed=cfg.seed)
    g_te = gbm.predict(booster, ds.x(te))
    comb_te = base.batch({"rules": r_te, "gbm": g_te})
    test_rows = [ds.rows[i] for i in te]
    scorers = {
        "rules": metrics(test_rows, r_te.tolist(), 0.5),
        "gbm": metrics(test_rows, g_te.tolist(), 0.5),
        "combined": metrics(
            test_rows, comb_te.tolist(), threshold, suspicious, _evidence(ds, te), _some_evidence(ds, te)
        ),
    }
    with_llm = None
    threshold_llm: float | None = None
    suspicious_llm: float | None = None
    llm_info = None
    if llm_out is not None:
        from chainllm.fraud.llm import LlmScorer, LlmSettings, serialise
        from chainllm.fraud.llm import train as train_llm

        # The LLM trains on part of the training rows; the rest (whole blocks, both classes)
        # calibrate it.
        folds = _folds(y_tr, _groups(ds.rows, tr), 5, cfg.seed)
        cal_pos = sorted(folds[0][1].tolist()) if folds else []
        cal_set = set(cal_pos)
        fit_i = [i for k, i in enumerate(tr) if k not in cal_set]
        settings = LlmSettings(
            base=cfg.llm_base, epochs=cfg.llm_epochs, seed=cfg.seed, max_rows=cfg.llm_max_rows
        )
        t0 = time.perf_counter()
        llm_info = train_llm(
            [serialise(ds.exs[i]) for i in fit_i], ds.y(fit_i).tolist(), llm_out, settings,
            progress=(lambda d, n: progress("llm", d, n)) if progress else None,
        )  # fmt: skip
        llm_info["train_s"] = round(time.perf_counter() - t0, 1)
        scorer = LlmScorer(llm_out)
        cal_idx = [tr[k] for k in cal_pos]
        l_cal = np.array(scorer.predict([serialise(ds.exs[i]) for i in cal_idx]))
        l_te = np.array(scorer.predict([serialise(ds.exs[i]) for i in te]))
        with_llm, threshold_llm, suspicious_llm = _llm_combiner(
            base,
            threshold,
            suspicious,
            {"rules": r_tr[cal_pos], "gbm": g_oof[cal_pos], "llm": l_cal},
            y_tr[cal_pos],
            cfg.seed,
        )
        comb_llm = with_llm.batch({"rules": r_te, "gbm": g_te, "llm": l_te})
        scorers["llm"] = metrics(test_rows, l_te.tolist(), 0.5)
        scorers["combined_llm"] = metrics(test_rows, comb_llm.tolist(), threshold_llm, suspicious_llm)
    report = {
        "name": split.name, "note": split.note, "held_out": list(split.held_out),
        "train_rows": len(tr), "test_rows": len(te), "setup_rows_not_learnt": len(split.train) - len(tr),
        "train_positives": int(y_tr.sum()), "test_positives": int(y_te.sum()), "scorers": scorers,
        "combiners": {"combined": base.info, **({"combined_llm": with_llm.info} if with_llm else {})},
    }  # fmt: skip
    fitted = Fitted(
        booster, base, with_llm, threshold, llm_out, llm_info, threshold_llm, suspicious, suspicious_llm
    )
    return fitted, report


def card(cfg: FraudTrainConfig, ds: Dataset, report: dict[str, Any]) -> str:
    imp = report["splits"][0]["scorers"]
    best = imp.get("combined_llm") or imp["combined"]
    return "\n".join([
        f"# fraud-{cfg.name}: transaction risk scorer", "",
        "Scores one Ethereum transaction 0-1 from explainable rules, a LightGBM model over",
        f"{len(FEATURE_NAMES)} features (calldata, logs, trace, bytecode, account history)"
        + (f" and a LoRA sequence classifier on {cfg.llm_base}" if cfg.llm else "") + ",",
        "combined into one calibrated score on out-of-fold predictions: the best single scorer,",
        "or a logistic-regression stack when it beats that scorer in cross-validation "
        f"(here: {report['splits'][0]['combiners']['combined'].get('method')} of "
        f"{', '.join(report['splits'][0]['combiners']['combined'].get('chosen', []))}).", "",
        f"- labelled transactions: {len(ds.rows)} ({int(ds.y(range(len(ds.rows))).sum())} malicious), "
        f"from {', '.join(str(p) for p in cfg.labels)}",
        f"- feature version {FEATURE_VERSION}; seed {cfg.seed}",
        f"- held-out test (split by scam implementation): ROC-AUC {best['roc_auc']}, PR-AUC {best['pr_auc']}, "
        f"F1 {best['f1']} at threshold {best['threshold']}", "",
        "See eval.md / eval.json for every split, scorer and category.", "",
        "## Limits", "",
        "Trained on simulated scenarios (chainllm simulate): real scams use other code and names.",
        "Rules were written knowing the scenario categories; treat the rules' own numbers as optimistic.",
        "Only safetensors/JSON/LightGBM text are stored; nothing here is a pickle.", "",
    ]) + "\n"  # fmt: skip


@dataclass(frozen=True)
class TrainOutcome:
    folder: Path
    report: dict[str, Any]
    rows: int
    missing: int
    dataset: Dataset | None = None


def train_fraud(cfg: FraudTrainConfig, *, progress: Progress | None = None) -> TrainOutcome:
    target = cfg.target
    if target.exists() and any(target.iterdir()) and not cfg.overwrite:
        raise BadInputError(
            f"model folder {target} already exists", hint="pass --overwrite or another --name"
        )
    t0 = time.perf_counter()
    ds = load_dataset(
        cfg.labels, cfg.rpc, chain_data=cfg.chain_data, history_blocks=cfg.history_blocks, timeout=cfg.timeout,
        progress=progress, sell_check=False,
    )  # fmt: skip
    t_fetch = time.perf_counter() - t0
    with tempfile.TemporaryDirectory(prefix="chainllm-fraud-") as tmp:
        llm_out = Path(tmp) / "llm" if cfg.llm else None
        fitted, imp_report = fit_split(
            ds, split_by_implementation(ds.rows, seed=cfg.seed), cfg, llm_out=llm_out, progress=progress
        )
        _, time_report = fit_split(ds, split_by_time(ds.rows), cfg, llm_out=None, progress=progress)
        report = {"feature_version": FEATURE_VERSION, "rows": len(ds.rows), "missing_hashes": ds.missing,
                  "label_conflicts": ds.conflicts, "source": ds.source, "data_notes": ds.problems(),
                  "splits": [imp_report, time_report]}  # fmt: skip
        info = {
            **{k: (list(map(str, v)) if isinstance(v, tuple) else str(v) if isinstance(v, Path) else v)
               for k, v in asdict(cfg).items()},
            "rows": len(ds.rows), "missing_hashes": ds.missing, "fetch_s": round(t_fetch, 1),
            "llm": fitted.llm_info,
        }  # fmt: skip
        info.pop("rpc", None)  # URLs may carry API keys
        imp = imp_report["scorers"]
        best = "combined_llm" if "combined_llm" in imp else "combined"
        metrics = {"split": "implementation", "scorer": best, "test_rows": imp_report["test_rows"],
                   **{k: imp[best][k] for k in ("roc_auc", "pr_auc", "f1", "precision", "recall", "threshold")},
                   "time_split_roc_auc": time_report["scorers"]["combined"]["roc_auc"]}  # fmt: skip
        training_config = {
            "name": f"fraud-{cfg.name}", "version": "1", "kind": "fraud-model", "seed": cfg.seed,
            "feature_version": FEATURE_VERSION, "llm_base": cfg.llm_base if cfg.llm else None,
            "dataset": {"card_sha256": labels_sha256(cfg.labels), "rows": len(ds.rows)},
        }  # fmt: skip
        folder = write_model(
            target, booster=fitted.booster, combiners={"base": fitted.base, "with_llm": fitted.with_llm},
            threshold=fitted.threshold, threshold_llm=fitted.threshold_llm, suspicious=fitted.suspicious, suspicious_llm=fitted.suspicious_llm, llm_dir=fitted.llm_dir, report=report,
            report_md=markdown(report), train_info=info, training_config=training_config, metrics=metrics,
            card=card(cfg, ds, report), overwrite=cfg.overwrite,
        )  # fmt: skip
    return TrainOutcome(folder, report, len(ds.rows), ds.missing, ds)


def evaluate_model(
    model_dir: Path, labels: Sequence[Path], rpc: Sequence[str], *, use_llm: bool = True, history_blocks: int = 32,
    timeout: float = 30.0, progress: Progress | None = None, chain_data: Path | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Score a labelled set with a trained model (no refitting) and report the metrics."""
    from chainllm.fraud.model import FraudModel
    from chainllm.fraud.scorer import component_scores

    model = FraudModel.load(model_dir)
    ds = load_dataset(
        labels, rpc, chain_data=chain_data, history_blocks=history_blocks, timeout=timeout, progress=progress
    )
    llm = None
    if use_llm and model.llm_dir is not None and model.with_llm is not None:
        from chainllm.fraud.llm import LlmScorer

        llm = LlmScorer(model.llm_dir)
    r, g, lp, _ = component_scores(ds.exs, model.booster, llm)
    comb = model.base.batch({"rules": r, "gbm": g}).tolist()
    scorers = {
        "rules": metrics(ds.rows, r.tolist(), 0.5),
        "gbm": metrics(ds.rows, g.tolist(), 0.5),
        "combined": metrics(
            ds.rows,
            comb,
            model.threshold,
            model.suspicious,
            _evidence(ds, range(len(ds.rows))),
            _some_evidence(ds, range(len(ds.rows))),
        ),
    }
    if lp is not None and model.with_llm is not None:
        scorers["llm"] = metrics(ds.rows, lp.tolist(), 0.5)
        cl = model.with_llm.batch({"rules": r, "gbm": g, "llm": lp}).tolist()
        scorers["combined_llm"] = metrics(
            ds.rows, cl, model.threshold_llm or model.threshold, model.suspicious_llm or model.suspicious
        )
    return {
        "model": str(model_dir),
        "rows": len(ds.rows),
        "missing_hashes": ds.missing,
        "splits": [{
            "name": "external", "note": f"every row of {', '.join(map(str, labels))} scored by the trained model",
            "held_out": [], "train_rows": 0, "test_rows": len(ds.rows), "train_positives": 0,
            "test_positives": int(ds.y(range(len(ds.rows))).sum()), "scorers": scorers,
        }],
    }  # fmt: skip


EVAL_MODES = ("implementation", "time", "chain")


def _merged(sets: Sequence[Dataset]) -> Dataset:
    return Dataset(
        [r for d in sets for r in d.rows], [e for d in sets for e in d.exs], sum(d.missing for d in sets)
    )


def _set_name(d: Path) -> str:
    """A label set's name in reports: its simulator family and seed, else its folder name."""
    try:
        m = json.loads((d / "manifest.json").read_text())
        if "simulator_version" in m:
            return f"family-{m.get('family', 'a')}-seed{m.get('seed')}"
    except (OSError, ValueError):
        pass
    return d.name


def evaluate_by(
    by: str, labels: Sequence[Path], rpcs: Sequence[Sequence[str]], *, seed: int = 0, history_blocks: int = 32,
    timeout: float = 30.0, progress: Progress | None = None, chain_data: Sequence[Path] = (),
    holdout: Sequence[int] = (), learn_setup: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """Fit fresh scorers (rules + LightGBM + combiner, no LLM) and test them on rows they never
    saw. ``implementation`` / ``time``: one dataset (every label set, on ``rpcs[0]`` or
    ``chain_data[0]``) split inside. ``chain``: two or more label sets (scenario families, each
    on its own chain, served by ``rpcs[i]`` or the crawl ``chain_data[i]``): each set in turn
    (or only the 0-based indices in ``holdout``) is tested on scorers trained on all the others
    (two sets: A->B then B->A; three: (A+B)->C, (A+C)->B, (B+C)->A). Set-up rows are not
    learnt unless ``learn_setup`` (chainllm.labels.schema.training_rows); all rows are tested."""
    if by not in EVAL_MODES:
        raise BadInputError(f"--by {by!r} is not one of {', '.join(EVAL_MODES)}")
    n_src = len(chain_data) or len(rpcs)
    cfg = FraudTrainConfig(
        labels=tuple(labels), rpc=tuple(rpcs[0]) if rpcs else (), seed=seed, llm=False,
        chain_data=Path(chain_data[0]) if chain_data else None, learn_setup=learn_setup,
    )  # fmt: skip

    def load(sets: Sequence[Path], i: int) -> Dataset:
        j = min(i, n_src - 1)
        return load_dataset(
            sets, rpcs[j] if not chain_data else (), chain_data=Path(chain_data[j]) if chain_data else None,
            history_blocks=history_blocks, timeout=timeout, progress=progress,
        )  # fmt: skip

    if by != "chain":
        ds = load(labels, 0)
        split = (
            split_by_implementation(ds.rows, seed=seed) if by == "implementation" else split_by_time(ds.rows)
        )
        _, rep = fit_split(ds, split, cfg, llm_out=None, progress=progress)
        return {"by": by, "feature_version": FEATURE_VERSION, "rows": len(ds.rows), "missing_hashes": ds.missing,
                "splits": [rep]}  # fmt: skip
    if len(labels) < 2:
        raise BadInputError(
            f"--by chain needs two or more --labels (one per scenario family or chain), got {len(labels)}",
            hint="e.g. --labels sim-a --rpc URL_A --labels sim-b --rpc URL_B",
        )
    if n_src not in (1, len(labels)):
        what = "--chain-data" if chain_data else "--rpc"
        raise BadInputError(
            f"--by chain takes one {what} per label set (or one for all), got {n_src} for {len(labels)} sets"
        )
    bad = [h for h in holdout if not 0 <= h < len(labels)]
    if bad:
        raise BadInputError(
            f"--holdout {bad[0] + 1} names no label set (give 1..{len(labels)}, the order of --labels)"
        )
    sets = [load([labels[i]], i) for i in range(len(labels))]
    names = [_set_name(Path(d)) for d in labels]
    splits = []
    # Last set first: with two sets A->B then B->A; with three (A+B)->C first.
    for t in sorted(set(holdout) if holdout else range(len(labels)), reverse=True):
        train = [i for i in range(len(labels)) if i != t]
        merged = _merged([sets[i] for i in train] + [sets[t]])
        n_train = sum(len(sets[i].rows) for i in train)
        split = split_by_chain(n_train, len(sets[t].rows), ("+".join(names[i] for i in train), names[t]))
        _, rep = fit_split(merged, split, cfg, llm_out=None, progress=progress)
        splits.append(rep)
    return {"by": "chain", "feature_version": FEATURE_VERSION, "rows": sum(len(d.rows) for d in sets),
            "missing_hashes": sum(d.missing for d in sets), "sets": names, "splits": splits}  # fmt: skip
