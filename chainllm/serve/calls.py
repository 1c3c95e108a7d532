"""The library calls behind each endpoint: the same functions the CLI commands call, held
ready (model loaded once, scorers pooled) so a request does no start-up work."""

from __future__ import annotations

import json
import queue
import re
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from chainllm.errors import BadInputError
from chainllm.serve.settings import Limits, ServeConfig
from chainllm.types import Severity

FAIL_ON = ("none", "low", "medium", "high")
_NAME_RE = re.compile(r"^[A-Za-z0-9_@][A-Za-z0-9_.@-]*$")


class _LockedLlm:
    """One LoRA classifier shared by the pooled scorers, used by one thread at a time."""

    def __init__(self, llm: Any) -> None:
        self._llm = llm
        self._lock = threading.Lock()

    def predict(self, texts: list[str]) -> Any:
        with self._lock:
            return self._llm.predict(texts)


class ScoreService:
    """`chainllm score`'s Scorer, one per concurrent request (each has its own RPC pool)."""

    def __init__(self, cfg: ServeConfig, *, llm: bool = True) -> None:
        from chainllm.fraud.model import FraudModel
        from chainllm.fraud.scorer import ScoreOptions

        self.cfg = cfg
        self.model = FraudModel.load(cfg.model_dir) if cfg.model_dir else None
        self.options = ScoreOptions(
            timeout=cfg.score_timeout_s, trace=cfg.score_trace, cache=cfg.score_cache, llm=llm
        )
        self._free: queue.LifoQueue[Any] = queue.LifoQueue()
        self._llm: _LockedLlm | None = None
        self._first = self._make()  # fail at start-up, not on the first request
        self._free.put(self._first)
        self.model_info: dict[str, str] = dict(self._first.model_info)

    def _make(self) -> Any:
        from dataclasses import replace

        from chainllm.fraud.scorer import LabelIndex, Scorer

        opts = self.options if self._llm is None else replace(self.options, llm=False)
        s = Scorer(self.cfg.rpc, self.model, labels=LabelIndex(), options=opts, model_cid=self.cfg.model_cid)
        if self._llm is None and s.llm is not None:
            self._llm = _LockedLlm(s.llm)
        if self._llm is not None:
            s.llm = self._llm
        return s

    @property
    def uses_llm(self) -> bool:
        return self._llm is not None

    def score(self, hashes: Sequence[str]) -> list[dict[str, Any]]:
        from chainllm.fraud.fetch import parse_hash

        for h in hashes:
            parse_hash(h)  # a typo is a 422 before any RPC traffic
        try:
            scorer = self._free.get_nowait()
        except queue.Empty:
            scorer = self._make()
        try:
            return [r.to_json() for r in scorer.score(list(hashes))]
        finally:
            self._free.put(scorer)

    def close(self) -> None:
        while True:
            try:
                self._free.get_nowait().close()
            except queue.Empty:
                return


def check_sources(files: Mapping[str, str], limits: Limits) -> None:
    """Names are relative POSIX paths inside the project (no ``..``, no absolute paths)."""
    if not files:
        raise BadInputError("no Solidity source given", hint='send {"files": {"Token.sol": "pragma ..."}}')
    if len(files) > limits.max_files:
        raise BadInputError(f"{len(files)} files is over the limit of {limits.max_files}")
    for name in files:
        p = PurePosixPath(name)
        if p.is_absolute() or ".." in p.parts or "\\" in name or not all(_NAME_RE.match(x) for x in p.parts):
            raise BadInputError(
                f"file name {name!r} must be a relative path inside the project", hint="e.g. src/Token.sol"
            )


def audit_sources(
    files: Mapping[str, str],
    entries: Sequence[str] | None,
    *,
    fail_on: str,
    exclude: Sequence[str],
    limits: Limits,
    timeout_s: float,
) -> tuple[bool, dict[str, Any]]:
    """`chainllm audit --format json` on ``files`` written to a fresh folder (the project root,
    so imports may not leave it). Paths in the answer are relative to that folder."""
    from chainllm.audit.engine import AuditOptions, audit_paths
    from chainllm.audit.report import to_json

    check_sources(files, limits)
    wanted = list(entries) if entries else sorted(n for n in files if n.endswith(".sol"))
    missing = [e for e in wanted if e not in files]
    if missing or not wanted:
        raise BadInputError(f"entry {missing[0] if missing else '(none)'} is not among the files sent")
    with tempfile.TemporaryDirectory(prefix="chainllm-serve-audit-") as tmp:
        root = Path(tmp).resolve()
        for name, text in files.items():
            dest = root / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(text, encoding="utf-8")
        opts = AuditOptions(
            fail_on=None if fail_on == "none" else Severity.parse(fail_on),
            root=root,
            jobs=1,
            timeout=timeout_s,
            use_cache=False,  # each request has its own folder: results keyed by it never hit again
            exclude_detectors=tuple(exclude),
            max_file_bytes=limits.max_source_bytes,
        )
        report = audit_paths([root / e for e in wanted], opts)
        text = json.dumps(to_json(report)).replace(str(root) + "/", "").replace(str(root), ".")
    envelope: dict[str, Any] = json.loads(text)
    return report.exit_code() != 2 and not report.failed_inputs, envelope


class GenerateService:
    """`chainllm generate`'s backend, built once; jobs call :meth:`run`."""

    def __init__(self, cfg: ServeConfig) -> None:
        from chainllm.generate.backends import make_backend, resolve_adapter

        adapter = resolve_adapter(cfg.generate_adapter) if cfg.generate_backend == "local" else None
        self.backend = make_backend(
            cfg.generate_backend, base=cfg.generate_base, adapter=adapter, base_url=cfg.generate_base_url,
            model=cfg.generate_model, timeout=120.0, threads=None,
        )  # fmt: skip
        self.model_info = {
            "kind": "generator",
            "backend": cfg.generate_backend,
            "detail": self.backend.describe(),
            "base": cfg.generate_base if cfg.generate_backend == "local" else None,
            "adapter": cfg.generate_adapter,
            "model": cfg.generate_model,
        }
        self._lock = threading.Lock()  # one model, one generation at a time through it

    def run(self, prompt: str, params: Mapping[str, Any]) -> dict[str, Any]:
        from chainllm.generate.loop import GenerateOptions
        from chainllm.generate.loop import generate as run_generate

        fail_on = str(params.get("fail_on", "medium"))
        opts = GenerateOptions(
            k=int(params.get("k", 3)), rounds=int(params.get("rounds", 2)),
            fail_on=None if fail_on == "none" else Severity.parse(fail_on), mode=str(params.get("mode", "structured")),
            temperature=float(params.get("temperature", 0.7)), seed=int(params.get("seed", 0)),
        )  # fmt: skip
        with self._lock:
            result = run_generate(prompt, self.backend, opts)
        payload = {"path": None, **result.to_dict()}
        if result.source is not None and result.status == "ok":
            payload["source"] = result.source
        payload["model"] = self.model_info
        return payload
