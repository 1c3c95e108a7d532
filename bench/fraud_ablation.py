"""Feature-group ablation of the fraud GBM across scenario families (issue 13).

Trains LightGBM on every row of one label set (family A, say) with one feature group
removed at a time and scores every row of the other (family B, on its own chain), both
directions. Printed per group: ROC-AUC on the other family, and the false-positive rate on
the other family's benign rows / recall on its scams at the threshold that keeps 2% of the
training family's benign rows (out-of-fold) above it. A group whose removal *raises* the
cross-family AUC or lowers the benign false alarms is a shortcut (it identifies the
simulator, not the behaviour). Peer: the same model with every group kept, same run.

    .venv/bin/python bench/fraud_ablation.py --labels A_DIR --rpc URL_A --labels B_DIR --rpc URL_B
    .venv/bin/python bench/fraud_ablation.py --smoke   # two small simulated chains (minutes)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GROUPS: dict[str, tuple[str, ...]] = {
    "gas": ("gas_used_ratio", "tip_gwei_log", "is_legacy"),
    "code_size": ("to_code_size_log", "tok_code_max_log", "approval_spender_code_log", "created_code_log",
                  "to_selectors"),
    "history": ("sender_history_pairs_log", "first_contact", "recipient_counterparties_log", "recipient_known",
                "recipient_counterparties", "history_available"),
    "ages": ("from_age_log", "to_age_log", "recipient_age_log", "spender_age_log", "age_available",
             "recipient_fresh", "spender_fresh", "from_fresh", "to_fresh", "from_age_known", "to_age_known",
             "recipient_age_known", "spender_age_known", "spender_no_code_fresh"),
    "value": ("value_eth_log", "eth_out_log", "eth_in_log", "has_value"),
    "shape": ("input_bytes_log", "logs", "token_transfers", "token_contracts", "inner_calls", "trace_calls",
              "trace_reverted_frames", "trace_eth_internal"),
    "callee_code": ("to_blacklist", "to_fee", "to_mint", "to_pause", "to_drain", "to_pulls", "to_ownable",
                    "to_erc20", "to_erc721", "to_delegatecall", "to_selfdestruct", "to_origin", "to_proxy",
                    "to_creates", "tok_blacklist", "tok_fee", "tok_mint", "tok_pause", "tok_ownable",
                    "tok_selfdestruct", "tok_delegatecall", "to_is_contract"),
    "fresh": ("from_fresh_tri", "to_fresh_tri", "spender_fresh_tri", "approval_spender_fresh"),
    "flows": ("outflow_to_single_eoa", "nft_out_nothing_back", "fake_token_events", "minted_to_sender",
              "proxy_upgraded", "transfer_tax", "third_party_outflows", "zero_value_transfers", "sender_assets_out",
              "sender_assets_in", "nft_moves", "paid_contract_nothing_back", "eth_out", "eth_in"),
    "approvals": ("approvals", "approval_unlimited", "approval_spender_eoa", "approval_spender_contract",
                  "approval_spender_pulls", "permit_by_third_party", "approval_spender_no_code"),
}  # fmt: skip


def _fit_predict(
    xtr: np.ndarray, ytr: np.ndarray, xte: np.ndarray, names: list[str]
) -> tuple[np.ndarray, float]:
    import lightgbm as lgb
    from sklearn.model_selection import StratifiedKFold

    from chainllm.fraud.gbm import PARAMS, ROUNDS

    def fit(x: np.ndarray, y: np.ndarray) -> lgb.Booster:
        return lgb.train(
            {**PARAMS, "seed": 0}, lgb.Dataset(x, label=y, feature_name=names), num_boost_round=ROUNDS
        )

    oof = np.zeros(len(ytr))
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(xtr, ytr):
        oof[te] = fit(xtr[tr], ytr[tr]).predict(xtr[te])
    thr = float(np.quantile(oof[ytr == 0], 0.98))
    return np.asarray(fit(xtr, ytr).predict(xte)), thr


def ablate(sets: list, out: Path | None) -> dict:  # type: ignore[type-arg]
    from sklearn.metrics import roc_auc_score

    from chainllm.fraud.features import FEATURE_NAMES
    from chainllm.labels.schema import training_rows

    names = list(FEATURE_NAMES)
    report: dict = {"features": len(names), "directions": {}}  # type: ignore[type-arg]
    for a, b in ((0, 1), (1, 0)):
        tr, te = sets[a], sets[b]
        learn = training_rows(tr.rows)  # benign + harm rows, as `train fraud` learns
        xtr, xte = tr.x(learn), te.x(range(len(te.rows)))
        ytr, yte = tr.y(learn), te.y(range(len(te.rows)))
        rows = {}
        for group in ["(none)", *GROUPS]:
            drop = [i for i, n in enumerate(names) if n in GROUPS.get(group, ())]
            if group != "(none)" and not drop:
                continue
            keep = [i for i in range(len(names)) if i not in drop]
            p, thr = _fit_predict(xtr[:, keep], ytr, xte[:, keep], [names[i] for i in keep])
            flag = p >= thr
            rows[group] = {
                "dropped": len(drop),
                "roc_auc": round(float(roc_auc_score(yte, p)), 4),
                "benign_fpr": round(float(np.mean(flag[yte == 0])), 4),
                "recall": round(float(np.mean(flag[yte == 1])), 4),
            }
            r = rows[group]
            print(f"{a}->{b} drop {group:12s} ({len(drop):2d}): AUC {r['roc_auc']:.3f}  "
                  f"benign FPR {r['benign_fpr']:.3f}  recall {r['recall']:.3f}", flush=True)  # fmt: skip
        report["directions"][f"{a}->{b}"] = rows
    # One figure: the best drop-one-group cross-family ROC-AUC over the all-groups one (peer),
    # mean of both directions; above 1 means a group still acts as a shortcut.
    ratios = []
    for rows in report["directions"].values():
        best = max(
            (r["roc_auc"] for g, r in rows.items() if g != "(none)"), default=rows["(none)"]["roc_auc"]
        )
        ratios.append(best / rows["(none)"]["roc_auc"])
    report["ratio_best_drop_vs_all"] = round(float(np.mean(ratios)), 3)
    print(f"ratio: {report['ratio_best_drop_vs_all']:.3f} (best drop-one-group cross-family ROC-AUC / all groups "
          "kept, mean of both directions; > 1: a group still acts as a shortcut)")  # fmt: skip
    if out:
        out.write_text(json.dumps(report, indent=1))
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--labels", action="append", type=Path, default=[])
    ap.add_argument("--rpc", action="append", default=[])
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "fraud_ablation.json")
    args = ap.parse_args()
    from chainllm.fraud.training import load_dataset

    if args.smoke or not args.labels:
        from chainllm.chain.simulate import SimConfig, simulate
        from chainllm.services import manager

        tmp = Path(tempfile.mkdtemp(prefix="chainllm-ablation-"))
        urls, labels = [], []
        try:
            for fam in ("a", "b"):
                d = tmp / fam
                st = manager.start("anvil", data_dir=d, port=manager.free_port())
                assert st.url
                simulate(
                    st.url, SimConfig(seed=4, txs=120 if args.smoke else 600, family=fam), out=d / "labels"
                )
                urls.append(st.url)
                labels.append(d / "labels")
            sets = [load_dataset([labels[i]], [urls[i]]) for i in range(2)]
        finally:
            for fam in ("a", "b"):
                manager.stop("anvil", data_dir=tmp / fam)
    else:
        if len(args.labels) != 2 or len(args.rpc) != 2:
            sys.exit("give two --labels and two --rpc (one per family/chain)")
        sets = [load_dataset([args.labels[i]], [args.rpc[i]]) for i in range(2)]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    ablate(sets, args.out)


if __name__ == "__main__":
    main()
