"""The fraud model folder: what ``chainllm train fraud`` writes and ``chainllm score`` reads.
Flat, so ``chainllm publish`` can pin it and ``chainllm score --adapter CID`` pull it:

    gbm.txt, gbm.json       LightGBM model in its own text format + the array export scoring
                            reads (never pickle)
    combine.json            combiners (with/without LLM), thresholds, feature names, versions
    adapter_config.json,    optional LoRA classifier (PEFT files, safetensors), at top level
    adapter_model.safetensors
    eval.json, eval.md      the evaluation report of this model
    metrics.json            its held-out metrics (recorded in a published manifest)
    train.json              data and settings it was trained with
    training_config.json    name, version and dataset hash (read by the publisher)
    README.md               model card

Older folders kept the LoRA files in ``llm/``; they still load. Written into a temp folder
and renamed, so a folder with combine.json is complete."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chainllm import config
from chainllm.errors import BadInputError
from chainllm.fraud.combine import Combiner
from chainllm.fraud.features import FEATURE_NAMES, FEATURE_VERSION
from chainllm.io import pickle_files, pretty_json

FORMAT_VERSION = 1
LLM_SUFFIXES = (".json", ".safetensors", ".txt")  # PEFT adapter + tokenizer files copied in


def models_root() -> Path:
    return config.data_dir() / "models"


def latest_model() -> Path | None:
    root = models_root()
    found = [p for p in root.glob("fraud-*") if (p / "combine.json").is_file()] if root.is_dir() else []
    return max(found, key=lambda p: (p / "combine.json").stat().st_mtime) if found else None


@dataclass
class FraudModel:
    folder: Path
    booster: Any
    base: Combiner
    with_llm: Combiner | None
    threshold: float
    suspicious: float
    meta: dict[str, Any]
    threshold_llm: float | None = None  # the with-LLM combiner's own threshold
    suspicious_llm: float | None = None

    def describe(self, cid: str | None = None) -> dict[str, str]:
        """name, version and folder of this model (plus the CID it was pulled by)."""
        info: dict[str, str] = {"folder": str(self.folder)}
        cfg_path = self.folder / "training_config.json"
        if cfg_path.is_file():
            try:
                cfg = json.loads(cfg_path.read_text())
            except ValueError:
                cfg = {}
            info.update({k: str(cfg[k]) for k in ("name", "version") if isinstance(cfg, dict) and k in cfg})
        if cid:
            info["cid"] = cid
        return info

    @property
    def llm_dir(self) -> Path | None:
        for d in (self.folder, self.folder / "llm"):  # flat layout, then the older llm/ one
            if (d / "adapter_config.json").is_file():
                return d
        return None

    @classmethod
    def load(cls, folder: Path) -> FraudModel:
        from chainllm.fraud import gbm

        folder = Path(folder)
        found = pickle_files(folder)  # the one pickle rule (chainllm.io), before anything is read
        if found:
            raise BadInputError(
                f"model {folder} contains pickle-format files ({', '.join(p.name for p in found[:3])}); "
                "refusing to load them",
                hint="remove them: a fraud model folder holds only JSON, text and safetensors files",
            )
        cfg_path = folder / "combine.json"
        if not cfg_path.is_file():
            raise BadInputError(
                f"{folder} is not a fraud model folder (no combine.json)",
                hint="train one with `chainllm train fraud` or pass --model DIR",
            )
        try:
            cfg = json.loads(cfg_path.read_text())
        except ValueError as exc:
            raise BadInputError(f"{cfg_path} is not valid JSON: {exc}") from None
        if cfg.get("format_version") != FORMAT_VERSION or cfg.get("feature_version") != FEATURE_VERSION:
            raise BadInputError(
                f"model {folder} was written by another chainllm version (format {cfg.get('format_version')}, "
                f"features {cfg.get('feature_version')})",
                hint="retrain it with `chainllm train fraud`",
            )
        if tuple(cfg.get("features", ())) != FEATURE_NAMES:
            raise BadInputError(
                f"model {folder} expects other features", hint="retrain it with `chainllm train fraud`"
            )
        booster = gbm.load(folder / "gbm.txt")
        with_llm = (
            Combiner.from_json(cfg["combiners"]["with_llm"]) if cfg["combiners"].get("with_llm") else None
        )
        return cls(
            folder, booster, Combiner.from_json(cfg["combiners"]["base"]), with_llm,
            float(cfg["threshold"]), float(cfg["suspicious_threshold"]), cfg,
            float(cfg["threshold_llm"]) if cfg.get("threshold_llm") is not None else None,
            float(cfg["suspicious_threshold_llm"]) if cfg.get("suspicious_threshold_llm") is not None else None,
        )  # fmt: skip


def write_model(
    out: Path,
    *,
    booster: Any,
    combiners: dict[str, Combiner | None],
    threshold: float,
    suspicious: float,
    threshold_llm: float | None = None,
    suspicious_llm: float | None = None,
    llm_dir: Path | None,
    report: dict[str, Any],
    report_md: str,
    train_info: dict[str, Any],
    training_config: dict[str, Any],
    metrics: dict[str, Any],
    card: str,
    overwrite: bool = False,
) -> Path:
    from chainllm.fraud import gbm

    if out.exists() and any(out.iterdir()) and not overwrite:
        raise BadInputError(
            f"model folder {out} already exists", hint="pass --overwrite or another --name/--out"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    gbm.save(booster, tmp / "gbm.txt")
    written = {"gbm.txt", "gbm.json", "eval.json", "eval.md", "train.json", "README.md", "combine.json",
               "training_config.json", "metrics.json"}  # fmt: skip
    if llm_dir is not None:
        # PEFT files at top level; its README.md (a template card) is replaced by ours.
        for f in sorted(llm_dir.iterdir()):
            if f.is_file() and f.suffix in LLM_SUFFIXES and f.name not in written:
                shutil.copy2(f, tmp / f.name)
    (tmp / "eval.json").write_text(pretty_json(report))
    (tmp / "eval.md").write_text(report_md)
    (tmp / "train.json").write_text(pretty_json(train_info))
    (tmp / "training_config.json").write_text(pretty_json(training_config))
    (tmp / "metrics.json").write_text(pretty_json(metrics))
    (tmp / "README.md").write_text(card)
    cfg = {
        "format_version": FORMAT_VERSION,
        "feature_version": FEATURE_VERSION,
        "features": list(FEATURE_NAMES),
        "combiners": {k: (c.to_json() if c else None) for k, c in combiners.items()},
        "threshold": round(threshold, 4),
        "suspicious_threshold": round(suspicious, 4),
        "threshold_llm": round(threshold_llm, 4) if threshold_llm is not None else None,
        "suspicious_threshold_llm": round(suspicious_llm, 4) if suspicious_llm is not None else None,
    }
    (tmp / "combine.json").write_text(pretty_json(cfg))
    if out.exists():
        old = out.with_name(f".{out.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(out)
    return out
