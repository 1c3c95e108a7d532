"""Each batch stage cut into partitions for an executor (local pool or Ray).

- score: hash batches; each worker keeps a loaded scorer warm; one JSONL file per batch.
- crawl txs: aligned block ranges; each worker crawls its range with the crawl library into a
  staging folder, then renames the Parquet files into place; the driver records the range.
- crawl sources: one source spec per partition; each worker fetches and processes it into a
  shard (idempotent name) in the output's crawl cache; the driver builds the dataset.
- audit goes through ``audit_paths(..., executor=...)`` (the engine's task pool seam).

Outputs equal the local run's: the same partitions, written by the same library code.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from chainllm import config
from chainllm.errors import BadInputError, ChainLLMError, ServiceError
from chainllm.executor.base import ActorSpec, Executor, Partition, PartitionOutcome, Progress
from chainllm.executor.store import PartitionStore
from chainllm.io import canonical_json, sha256_bytes

STAGING = ".ray-staging"


def _failures(outcomes: Sequence[PartitionOutcome]) -> list[PartitionOutcome]:
    return sorted((o for o in outcomes if not o.ok), key=lambda o: o.index)


class PartitionsFailedError(ServiceError):
    """Some partitions failed after their retries; the others finished and were kept."""

    def __init__(self, what: str, failed: Sequence[PartitionOutcome], total: int) -> None:
        first = failed[0]
        super().__init__(
            f"{len(failed)} of {total} {what} partitions failed after {first.attempts} attempt(s); "
            f"first: {first.id}: {first.error}",
            hint="finished partitions are kept: rerun the same command to retry only the failed ones",
        )
        self.failed = list(failed)


# =========================================================================== score
def _make_scorer(
    urls: tuple[str, ...],
    model_dir: str | None,
    labels: tuple[str, ...],
    options: dict[str, Any],
    cid: str | None,
    chain_data: str | None = None,
) -> Any:
    """Warm state of a score worker: the model loaded once, the fetcher's connections kept."""
    from chainllm.fraud.model import FraudModel
    from chainllm.fraud.scorer import LabelIndex, ScoreOptions, Scorer

    model = FraudModel.load(Path(model_dir)) if model_dir else None
    cache_path = Path(options["cache_path"]) if options.get("cache_path") else None
    opts = ScoreOptions(**{**options, "cache_path": cache_path})
    extra: dict[str, Any] = {}
    if chain_data:  # bundles from a crawl's Parquet instead of the node
        from chainllm.fraud.chain_data import ChainData

        extra["source"] = ChainData(Path(chain_data), history_blocks=opts.history_blocks)
    labs = LabelIndex([Path(p) for p in labels])
    return _ScoreWorker(Scorer(urls, model, labels=labs, options=opts, model_cid=cid, **extra), opts.cache)


class _ScoreWorker:
    """A score worker's warm state: the scorer, kept across commands on a joined cluster."""

    def __init__(self, scorer: Any, cache: bool) -> None:
        self.scorer = scorer
        self.fetcher = scorer.fetcher
        self.cache = cache

    def begin_run(self) -> None:
        # --no-cache means no fetched data is reused: not from disk, and not from the memory of
        # a worker an earlier command left warm (with the cache on, reuse is the point).
        if not self.cache and hasattr(self.fetcher, "cache"):
            from chainllm.fraud.cache import RpcCache

            self.fetcher.cache = RpcCache(enabled=False)


def score_partition(worker: _ScoreWorker, payload: tuple[str, str, list[str]]) -> list[str]:
    """Score one hash batch and write its JSONL partition (once); the fetcher's coverage notes."""
    url, pid, hashes = payload
    scorer = worker.scorer
    store = PartitionStore(url)
    if not store.done(pid):  # else a retry of a batch whose first attempt finished writing
        results = scorer.score(hashes)
        lines = "".join(json.dumps(r.to_json(), sort_keys=True) + "\n" for r in results)
        store.write(pid, lines.encode())
    notes = getattr(scorer.fetcher, "coverage_notes", None)
    return list(notes()) if callable(notes) else []


def risk_from_json(d: dict[str, Any]) -> Any:
    from chainllm.fraud.result import AssetMovement, LabelMatch, Reason, RiskScore

    return RiskScore(
        **{
            **d,
            "reasons": tuple(Reason(**r) for r in d.get("reasons", [])),
            "movements": tuple(AssetMovement(**m) for m in d.get("movements", [])),
            "labels": tuple(LabelMatch(**m) for m in d.get("labels", [])),
        }
    )


def score_run_url(key: dict[str, Any]) -> str:
    return str(config.data_dir() / "ray" / "score" / sha256_bytes(canonical_json(key))[:16])


MIN_SCORE_PARTITION = 25  # hashes: below this a partition's fixed cost (a task, a file) dominates


def score_partition_size(n: int, workers: int, batch: int, finished: Collection[str] = ()) -> int:
    """Hashes per partition: about four partitions per worker, so every worker stays busy to
    the end (five batches of 200 on two workers would leave one idle for the last fifth),
    never more than the scorer's fetch round (``batch``), never tiny. A rerun keeps the size
    its first run chose (it is in the partition names) so finished partitions are skipped
    whatever the cluster's size is now."""
    for pid in finished:
        head = pid.split("-", 1)[0]
        if head.startswith("s") and head[1:].isdigit():
            return int(head[1:])
    return max(1, min(batch, max(MIN_SCORE_PARTITION, -(-n // (4 * max(1, workers))))))


def score_on_executor(
    hashes: Sequence[str],
    urls: tuple[str, ...],
    model_dir: Path | None,
    labels: Sequence[Path],
    options: Any,
    executor: Executor,
    *,
    model_cid: str | None = None,
    chain_data: Path | None = None,
    out: str | None = None,
    progress: Progress | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Score ``hashes`` in partitions (``score_partition_size``: at most the local scorer's own
    batch of ``options.batch``): every result's JSON in input order, and the workers' coverage
    notes. Re-running skips partitions already written (``out``: a folder or fsspec URL;
    default under the data dir, keyed by the inputs)."""
    from chainllm.fraud.fetch import parse_hash

    norm = [parse_hash(h) for h in hashes]  # all-or-nothing validation before any RPC
    opts = asdict(options)
    opts["cache_path"] = str(opts["cache_path"]) if opts.get("cache_path") else None
    model = str(Path(model_dir).resolve()) if model_dir else None
    labs = tuple(str(Path(p).resolve()) for p in labels)
    data = str(Path(chain_data).resolve()) if chain_data else None
    key = {"rpc": list(urls), "model": model, "labels": list(labs), "options": opts, "chain_data": data}
    url = out or score_run_url(key)
    executor.check_writable(url)
    store = PartitionStore(url)
    have = store.finished()
    size = score_partition_size(len(norm), executor.workers(), options.batch, have)
    parts: list[Partition[Any]] = []
    ids: list[str] = []
    for k in range(0, len(norm), size):
        batch = norm[k : k + size]
        digest = sha256_bytes("\n".join(batch).encode())[:16]
        pid = f"s{size}-{k // size:06d}-{digest}"
        ids.append(pid)
        if pid not in have:
            parts.append(Partition(pid, (url, pid, batch)))
    skipped = len(ids) - len(parts)

    def step(done: int, total: int) -> None:
        if progress:
            progress(done + skipped, total + skipped)

    inputs = tuple(p for p in (model, *labs, data) if p)
    actor = ActorSpec(
        "chainllm.executor.stages:_make_scorer", (urls, model, labs, opts, model_cid, data), inputs
    )
    fn = "chainllm.executor.stages:score_partition"
    outcomes = list(executor.map_partitions(fn, parts, actor=actor, progress=step))
    failed = _failures(outcomes)
    if failed:
        raise PartitionsFailedError("score", failed, len(ids))
    rows: list[dict[str, Any]] = []
    for pid in ids:
        rows += [json.loads(line) for line in store.read(pid).decode().splitlines() if line]
    notes = sorted({n for o in outcomes for n in o.value})
    return rows, notes


# =========================================================================== crawl txs
def crawl_txs_partition(payload: tuple[dict[str, Any], int, int]) -> dict[str, Any]:
    """Crawl one aligned block range into staging, then rename its files into place."""
    from chainllm.crawl.txs import STATE_FILE, CrawlConfig, crawl

    fields, first, last = payload
    cfg = CrawlConfig(**{**fields, "out": Path(fields["out"])})
    out = cfg.out
    staging = out / STAGING / f"{first:012d}-{last:012d}-{uuid.uuid4().hex[:8]}"
    try:
        stats = crawl(replace(cfg, out=staging, from_block=first, to_block=last, follow=False))
        state = json.loads((staging / STATE_FILE).read_text())
        name = f"{first:012d}-{last:012d}.parquet"
        for table_dir in sorted(p for p in staging.iterdir() if p.is_dir()):
            (out / table_dir.name).mkdir(parents=True, exist_ok=True)
            os.replace(table_dir / name, out / table_dir.name / name)  # same name on a retry: no duplicate
        return {"state": state, **stats.to_dict()}
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _chain_head(urls: Sequence[str], timeout: float) -> tuple[int, str, int, str]:
    """Chain id, genesis hash and head from the first URL that answers (the workers fail over
    between all of them on their own)."""
    from chainllm.chain.transport import rpc_call

    error: ChainLLMError | None = None
    for url in urls:
        try:
            chain_id = int(rpc_call(url, "eth_chainId", timeout=timeout), 16)
            genesis = str(rpc_call(url, "eth_getBlockByNumber", ["0x0", False], timeout=timeout)["hash"])
            return chain_id, genesis, int(rpc_call(url, "eth_blockNumber", timeout=timeout), 16), url
        except (TypeError, KeyError, ValueError):
            error = ServiceError(f"{url} does not answer like an Ethereum node")
        except ChainLLMError as exc:
            error = exc
    assert error is not None, "no --rpc URL"
    raise error


def crawl_txs_on_executor(
    cfg: Any, executor: Executor, *, progress: Progress | None = None
) -> dict[str, Any]:
    """``crawl txs`` over an executor: the same files and state as ``crawl(cfg)``."""
    started = time.perf_counter()
    from chainllm.crawl import txs

    if cfg.follow:
        raise BadInputError(
            "--follow cannot run on --ray", hint="crawl a fixed range with --to-block, or drop --ray"
        )
    chain_id, genesis, head, url = _chain_head(cfg.rpc_urls, cfg.timeout)
    last = head if cfg.to_block is None else cfg.to_block
    if last > head or cfg.from_block > head:
        raise BadInputError(
            f"--to-block {last} is beyond the chain head {head} of {url}", hint="lower --to-block"
        )
    out: Path = cfg.out
    out.mkdir(parents=True, exist_ok=True)
    executor.check_writable(str(out))
    state = txs._load_state(out)
    if state and (state.get("chain_id") != chain_id or state.get("genesis_hash") != genesis):
        raise BadInputError(
            f"{out} holds a crawl of chain {state.get('chain_id')}, not of {url} (chain {chain_id})",
            hint="use another --out folder",
        )
    state = state or {"chain_id": chain_id, "genesis_hash": genesis, "partitions": []}
    done = txs._done(state)
    txs._clean_orphans(out, done)
    ranges = txs.plan_partitions(cfg.from_block, last, cfg.partition_size, done)
    fields = {k: v for k, v in asdict(cfg).items()}
    fields["out"] = str(out)
    parts = [Partition(f"{a:012d}-{b:012d}", (fields, a, b)) for a, b in ranges]
    total_blocks = last - cfg.from_block + 1
    finished_blocks = total_blocks - sum(b - a + 1 for a, b in ranges)
    totals = {"blocks": 0, "transactions": 0, "logs": 0, "token_transfers": 0, "contracts": 0, "traces": 0}
    outcomes = []
    for o in executor.map_partitions("chainllm.executor.stages:crawl_txs_partition", parts):
        outcomes.append(o)
        if not o.ok:
            continue
        sub = o.value["state"]
        if (sub.get("chain_id"), sub.get("genesis_hash")) != (chain_id, genesis):
            raise ServiceError(
                f"partition {o.id} was crawled from another chain (chain {sub.get('chain_id')})"
            )
        a, b = parts[o.index].payload[1:]
        done.add((a, b))
        state["partitions"] = sorted([list(p) for p in done])
        _merge_state(state, sub)
        txs._save_state(out, state)  # recorded only once its files are in place
        for k in totals:
            totals[k] += int(o.value[k])
        finished_blocks += b - a + 1
        if progress:
            progress(finished_blocks, total_blocks)
    shutil.rmtree(out / STAGING, ignore_errors=True)
    failed = _failures(outcomes)
    if failed:
        raise PartitionsFailedError("crawl txs", failed, len(parts))
    return {
        **totals,
        "partitions_written": len(parts),
        "partitions_skipped": len({p for p in done if p[1] >= cfg.from_block and p[0] <= last}) - len(parts),
        "retried": list(executor.report.retried),
        "seconds": round(time.perf_counter() - started, 3),
    }


def _merge_state(state: dict[str, Any], sub: dict[str, Any]) -> None:
    """Fold a one-partition crawl state into the run's: per-partition maps ("first-last" keys,
    e.g. what each partition holds) merged in block order, as a sequential crawl writes them."""
    for k, v in sub.items():
        if k in ("chain_id", "genesis_hash", "partitions"):
            continue
        if isinstance(v, dict) and isinstance(state.get(k, {}), dict):
            merged = {**state.get(k, {}), **v}
            state[k] = dict(sorted(merged.items(), key=lambda kv: _range_key(kv[0])))
        else:
            state[k] = v


def _range_key(name: str) -> tuple[int, str]:
    head = name.split("-", 1)[0]
    return (int(head), name) if head.isdigit() else (-1, name)


# =========================================================================== crawl sources
def crawl_source_partition(payload: tuple[str, str, Any]) -> tuple[Any, dict[str, Any] | None]:
    """Fetch and process one source into a shard, renamed into the output's crawl cache."""
    from chainllm.corpus.build import _crawl_one
    from chainllm.corpus.store import CRAWL_DIR, CrawlStore
    from chainllm.crawl.base import parse_spec

    spec, out_s, options = payload
    out = Path(out_s)
    staging = out / CRAWL_DIR / STAGING / uuid.uuid4().hex
    try:
        store = CrawlStore(staging)
        outcome = _crawl_one(parse_spec(spec), store, options)
        st = store.sources.get(spec)
        if outcome.status != "crawled" or st is None:
            return outcome, None
        os.replace(store.dir / st.shard, out / CRAWL_DIR / st.shard)  # name = hash(origin, revision)
        return outcome, st.to_json()
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def crawl_sources_on_executor(
    specs: Sequence[str],
    out: Path,
    options: Any,
    executor: Executor,
    *,
    on_source: Callable[[Any], None] | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> Any:
    """``crawl_and_build`` with the per-source crawl on an executor; the build (global dedup
    and splits over the cached MinHash signatures) runs here, as in the local run."""
    from chainllm.corpus.build import CorpusResult, SourceOutcome, build
    from chainllm.corpus.store import CRAWL_DIR, CrawlStore, SourceState
    from chainllm.crawl.base import parse_spec

    if not specs:
        raise BadInputError("no sources given", hint="pass SPEC arguments or --sources-file")
    sources = [parse_spec(s) for s in dict.fromkeys(specs)]  # syntax errors before any work
    store = CrawlStore(out)
    store.dir.mkdir(parents=True, exist_ok=True)
    executor.check_writable(str(store.dir))
    outcomes: dict[str, SourceOutcome] = {}
    parts: list[Partition[Any]] = []
    for src in sources:
        done = store.done(src.spec)
        try:
            fresh = (
                done is not None
                and not options.refresh
                and (not src.mutable or done.revision == src.revision())
            )
        except ChainLLMError:
            fresh = False  # the worker reports the error
        if fresh and done is not None:
            outcomes[src.spec] = SourceOutcome(src.spec, "cached", done.origin, done.files, len(done.skipped))
            if on_source:
                on_source(outcomes[src.spec])
        else:
            parts.append(Partition(sha256_bytes(src.spec.encode())[:16], (src.spec, str(out), options)))
    for o in executor.map_partitions("chainllm.executor.stages:crawl_source_partition", parts):
        spec = parts[o.index].payload[0]
        if not o.ok:
            outcome = SourceOutcome(spec, "failed", error=f"{spec}: {o.error}")
            store.fail(spec, outcome.error or "failed")
        else:
            outcome, st = o.value
            if st is not None:
                new = SourceState.from_json(st)
                old = store.sources.get(spec)
                store.sources[spec] = new
                store.failed.pop(spec, None)
                store._save()
                if (
                    old is not None
                    and old.shard != new.shard
                    and not any(s.shard == old.shard for s in store.sources.values())
                ):
                    (store.dir / old.shard).unlink(missing_ok=True)
            elif outcome.status == "failed":
                store.fail(spec, outcome.error or "failed")
        outcomes[spec] = outcome
        if on_source:
            on_source(outcome)
    shutil.rmtree(out / CRAWL_DIR / STAGING, ignore_errors=True)
    card = build(list(specs), out, options, on_stage=on_stage)
    return CorpusResult(out, tuple(outcomes[s.spec] for s in sources), card)
