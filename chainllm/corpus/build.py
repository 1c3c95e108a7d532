"""The corpus pipeline: crawl sources into the cache, then build the dataset from it.

crawl: spec -> source -> fetched files -> processed rows (scrubbed, normalised, hashed,
MinHash-signed) -> one cached shard per source. build: cached shards -> licence policy ->
exact dedup -> near-duplicate clusters -> per-cluster splits -> Parquet shards + card,
swapped into place atomically.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from chainllm import __version__
from chainllm.corpus import SPLITS
from chainllm.corpus.extract import Processed, process
from chainllm.corpus.licenses import LicensePolicy
from chainllm.corpus.minhash import BANDS, DEFAULT_THRESHOLD, NUM_PERM, SHINGLE, MinHasher, cluster
from chainllm.corpus.split import DEFAULT_RATIOS, DEFAULT_SEED, assign
from chainllm.corpus.store import (
    FILE_META_FIELDS,
    CrawlStore,
    SourceState,
    shard_name,
)
from chainllm.crawl.base import Source, parse_spec
from chainllm.errors import BadInputError, ChainLLMError
from chainllm.io import atomic_path, atomic_write, writing

DATASET_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("content", pa.string()),
        ("path", pa.string()),
        ("origin", pa.string()),
        *FILE_META_FIELDS,
        ("cluster_id", pa.string()),
        ("split", pa.string()),
        ("compiles", pa.bool_()),
        ("sha256", pa.string()),
    ]
)
HASH_METHOD = (
    "sha256 over splits train, validation, test in that order; rows sorted by id; "
    "each row as canonical JSON (sorted keys, no spaces) plus a newline"
)


@dataclass(frozen=True)
class BuildOptions:
    licenses: LicensePolicy = field(default_factory=lambda: LicensePolicy.parse(None))
    threshold: float = DEFAULT_THRESHOLD
    ratios: tuple[float, float, float] = DEFAULT_RATIOS
    seed: str = DEFAULT_SEED
    compile_check: bool = False
    compile_mode: str = "package"  # "package": one solc run per compiler group; "file": one per file
    refresh: bool = False
    workers: int = 4
    rows_per_shard: int = 5000

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise BadInputError(f"--threshold {self.threshold}: must be in (0, 1]", hint="e.g. 0.8")
        if self.compile_mode not in ("package", "file"):
            raise BadInputError(f"compile check mode {self.compile_mode!r}", hint="use package or file")
        if self.rows_per_shard < 1:
            raise BadInputError("rows_per_shard must be >= 1")


Status = Literal["crawled", "cached", "failed"]


@dataclass(frozen=True)
class SourceOutcome:
    spec: str
    status: Status
    origin: str | None = None
    files: int = 0
    skipped: int = 0
    error: str | None = None
    bad_input: bool = False  # the failure is the user's input (unknown package...), not the network


@dataclass(frozen=True)
class CorpusResult:
    out: Path
    outcomes: tuple[SourceOutcome, ...]
    card: dict[str, Any] | None  # None when nothing could be built

    @property
    def failed(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]


OnSource = Callable[[SourceOutcome], None]
OnStage = Callable[[str], None]


def _crawl_one(src: Source, store: CrawlStore, options: BuildOptions) -> SourceOutcome:
    done = store.done(src.spec)
    if done is not None and not options.refresh and (not src.mutable or done.revision == src.revision()):
        return SourceOutcome(src.spec, "cached", done.origin, done.files, len(done.skipped))
    try:
        origin = src.resolve()
        revision = src.revision()
        fetched = src.fetch()
    except ChainLLMError as exc:
        store.fail(src.spec, str(exc))
        return SourceOutcome(src.spec, "failed", error=str(exc), bad_input=isinstance(exc, BadInputError))
    hasher = MinHasher()
    rows: list[Processed] = []
    sigs: list[bytes] = []
    skipped = list(fetched.skipped)
    for f in fetched.files:
        result = process(f.path, fetched.origin, f.data)
        if isinstance(result, str):
            skipped.append((f.path, result))
            continue
        rows.append(result)
        sigs.append(hasher.signature(result.normalized).astype("<u4").tobytes())
    state = SourceState(
        spec=src.spec,
        origin=origin,
        revision=revision,
        shard=shard_name(origin, revision),
        files=len(rows),
        skipped=skipped,
        meta=dict(fetched.meta),
    )
    store.record(state, rows, sigs)
    return SourceOutcome(src.spec, "crawled", origin, len(rows), len(skipped))


def crawl(
    specs: Sequence[str], out: Path, options: BuildOptions, *, on_source: OnSource | None = None
) -> list[SourceOutcome]:
    """Fetch every spec not already in ``out``'s crawl cache. Spec syntax errors raise before
    any download; a source that fails is recorded and the others carry on."""
    if not specs:
        raise BadInputError("no sources given", hint="pass SPEC arguments or --sources-file")
    sources = [parse_spec(s) for s in dict.fromkeys(specs)]
    store = CrawlStore(out)
    outcomes: dict[str, SourceOutcome] = {}
    pool = ThreadPoolExecutor(max_workers=max(1, options.workers))
    try:
        for outcome in pool.map(lambda s: _crawl_one(s, store, options), sources):
            outcomes[outcome.spec] = outcome
            if on_source:
                on_source(outcome)
    except BaseException:
        # Ctrl-C: start nothing new; sources in flight finish and are kept (each shard and
        # state update is atomic), so the next run resumes from here.
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return [outcomes[s.spec] for s in sources]


def _row_json(row: dict[str, Any]) -> str:
    return json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(by_split: dict[str, list[dict[str, Any]]]) -> str:
    h = hashlib.sha256()
    for split in SPLITS:
        for row in by_split.get(split, []):
            h.update(_row_json(row).encode("utf-8"))
            h.update(b"\n")
    return h.hexdigest()


def build(
    specs: Sequence[str],
    out: Path,
    options: BuildOptions,
    *,
    on_stage: OnStage | None = None,
) -> dict[str, Any] | None:
    """Build the dataset in ``out`` from the crawl cache of ``specs``; the card, or None if
    none of them has been crawled yet."""
    stage = on_stage or (lambda _msg: None)
    store = CrawlStore(out)
    states = [st for st in (store.done(s) for s in dict.fromkeys(specs)) if st is not None]
    if not states:
        return None
    stage("reading crawled sources")
    rows: list[dict[str, Any]] = []
    spec_of: dict[str, str] = {}
    unreadable: Counter[str] = Counter()
    for st in states:
        for r in store.read(st).to_pylist():
            r["_spec"] = st.spec
            rows.append(r)
        for _path, reason in st.skipped:
            unreadable[reason] += 1
        spec_of[st.origin] = st.spec
    files_seen = len(rows) + sum(unreadable.values())

    stage("applying the licence policy")
    excluded: Counter[str] = Counter()
    kept_rows = []
    for r in rows:
        ok, lic = options.licenses.classify(r["license"])
        if ok:
            r["license"] = lic
            kept_rows.append(r)
        else:
            excluded[lic] += 1

    stage("exact dedup")
    kept_rows.sort(key=lambda r: (r["id"], r["origin"], r["path"]))
    unique: list[dict[str, Any]] = []
    for r in kept_rows:
        if not unique or unique[-1]["id"] != r["id"]:
            unique.append(r)
    exact_dups = len(kept_rows) - len(unique)

    stage("near-duplicate clustering")
    sigs = (
        np.stack([np.frombuffer(r["minhash"], dtype="<u4") for r in unique])
        if unique
        else np.zeros((0, NUM_PERM), dtype=np.uint32)
    )
    clusters = cluster(sigs, threshold=options.threshold)
    members: dict[int, list[int]] = {}
    for i, root in enumerate(clusters.labels):
        members.setdefault(root, []).append(i)
    cluster_of: list[str] = [""] * len(unique)
    for idxs in members.values():
        cid = min(unique[i]["id"] for i in idxs)
        for i in idxs:
            cluster_of[i] = cid
    sizes = [len(v) for v in members.values()]

    compiles: dict[tuple[str, str], bool | None] = {}
    if options.compile_check and unique:
        from chainllm.corpus import compile_check

        wanted: dict[str, dict[str, str]] = {}
        for r in unique:
            wanted.setdefault(r["_spec"], {})[r["path"]] = r["sha256"]
        stage(f"compile check of {len(unique)} files")
        compiles = compile_check.check(
            store,
            wanted,
            workers=min(2, options.workers),
            mode=options.compile_mode,
        )

    stage("writing shards")
    by_split: dict[str, list[dict[str, Any]]] = {s: [] for s in SPLITS}
    scrubbed: Counter[str] = Counter()
    for i, r in enumerate(unique):
        split = assign(cluster_of[i], options.ratios, options.seed)
        scrubbed.update(json.loads(r["scrubbed"] or "{}"))
        by_split[split].append(
            {
                "id": r["id"],
                "content": r["content"],
                "path": r["path"],
                "origin": r["origin"],
                "license": r["license"],
                "pragma": r["pragma"],
                "names": r["names"],
                "kinds": r["kinds"],
                "natspec": r["natspec"],
                "functions": r["functions"],
                "cluster_id": cluster_of[i],
                "split": split,
                "compiles": compiles.get((r["origin"], r["path"])) if options.compile_check else None,
                "sha256": r["sha256"],
            }
        )
    # Leak check: a cluster must live in exactly one split.
    split_of_cluster: dict[str, str] = {}
    for split, items in by_split.items():
        for row in items:
            assert split_of_cluster.setdefault(row["cluster_id"], split) == split

    card = _card(
        out=out,
        states=states,
        pending={s: e for s, e in store.failed.items() if s in specs},
        by_split=by_split,
        files_seen=files_seen,
        unreadable=unreadable,
        excluded=excluded,
        exact_dups=exact_dups,
        sizes=sizes,
        clusters_checked=(clusters.pairs_checked, clusters.pairs_matched),
        scrubbed=scrubbed,
        options=options,
    )
    _write(out, by_split, card, options.rows_per_shard)
    return card


def _card(
    *,
    out: Path,
    states: list[SourceState],
    pending: dict[str, str],
    by_split: dict[str, list[dict[str, Any]]],
    files_seen: int,
    unreadable: Counter[str],
    excluded: Counter[str],
    exact_dups: int,
    sizes: list[int],
    clusters_checked: tuple[int, int],
    scrubbed: Counter[str],
    options: BuildOptions,
) -> dict[str, Any]:
    all_rows = [r for s in SPLITS for r in by_split[s]]
    kept_by_origin = Counter(r["origin"] for r in all_rows)
    licenses = Counter(r["license"] for r in all_rows)
    kinds = Counter(k for r in all_rows for k in r["kinds"])
    pragmas = Counter(r["pragma"] or "none" for r in all_rows)
    compiled = [r["compiles"] for r in all_rows]
    multi = [n for n in sizes if n > 1]
    return {
        "name": out.name,
        "generator": f"chainllm {__version__}",
        "format": "parquet",
        "schema": [f.name for f in DATASET_SCHEMA],
        "content_sha256": content_hash(by_split),
        "content_sha256_method": HASH_METHOD,
        "rows": len(all_rows),
        "bytes": sum(len(r["content"].encode("utf-8")) for r in all_rows),
        "splits": {s: len(by_split[s]) for s in SPLITS},
        "sources": [
            {
                "spec": st.spec,
                "origin": st.origin,
                "files": st.files,
                "kept": kept_by_origin.get(st.origin, 0),
                "skipped": len(st.skipped),
                **({"match": st.meta["match"]} if "match" in st.meta else {}),
                **({"package_license": st.meta["license"]} if st.meta.get("license") else {}),
            }
            for st in states
        ],
        "pending_sources": [{"spec": s, "error": e} for s, e in sorted(pending.items())],
        "counts": {
            "files_seen": files_seen,
            "unreadable": dict(sorted(unreadable.items())),
            "license_excluded": dict(sorted(excluded.items())),
            "license_excluded_total": sum(excluded.values()),
            "exact_duplicates": exact_dups,
            "kept": len(all_rows),
        },
        "licenses": dict(licenses.most_common()),
        "license_policy": {
            "allowed": sorted(options.licenses.allowed),
            "allow_none": options.licenses.allow_none,
            "allow_unknown": options.licenses.allow_unknown,
        },
        "dedup": {
            "exact": "sha256 of the source without comments, whitespace collapsed",
            "near": "MinHash over token shingles, banded LSH, verified on the full signature",
            "num_perm": NUM_PERM,
            "bands": BANDS,
            "shingle_tokens": SHINGLE,
            "threshold": options.threshold,
            "clusters": len(sizes),
            "multi_file_clusters": len(multi),
            "files_in_multi_file_clusters": sum(multi),
            "largest_cluster": max(sizes, default=0),
            "candidate_pairs_checked": clusters_checked[0],
            "pairs_matched": clusters_checked[1],
        },
        "split": {
            "unit": "near-duplicate cluster",
            "seed": options.seed,
            "ratios": dict(zip(SPLITS, options.ratios, strict=True)),
        },
        "scrubbed": dict(sorted(scrubbed.items())),
        "compile_check": (
            {
                "checked": sum(c is not None for c in compiled),
                "compiles": sum(c is True for c in compiled),
                "fails": sum(c is False for c in compiled),
                "no_compiler": sum(c is None for c in compiled),
                "mode": options.compile_mode,
            }
            if options.compile_check
            else None
        ),
        "kinds": dict(sorted(kinds.items())),
        "pragmas": dict(pragmas.most_common(10)),
    }


def _write(
    out: Path, by_split: dict[str, list[dict[str, Any]]], card: dict[str, Any], per_shard: int
) -> None:
    """Shards into a fresh folder, swapped in with renames; then the cards."""
    from chainllm.corpus.card import render_readme

    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out, prefix=".tmp-build-"))
    try:
        data = tmp / "data"
        data.mkdir()
        for split in SPLITS:
            items = by_split[split]
            # `datasets` cannot load an empty split (no shard, no split); the card still says 0.
            n = math.ceil(len(items) / per_shard)
            for i in range(n):
                chunk = items[i * per_shard : (i + 1) * per_shard]
                table = pa.Table.from_pylist(chunk, schema=DATASET_SCHEMA)
                shard = data / f"{split}-{i:05d}-of-{n:05d}.parquet"
                with writing(shard):
                    pq.write_table(table, shard, compression="zstd")
        # The card marks a complete build: it goes before the data is swapped and comes back
        # last, so a failure in between (a full disk) never leaves a card over other data.
        (out / "dataset_card.json").unlink(missing_ok=True)
        final = out / "data"
        old = out / f".old-data-{tmp.name[-8:]}"
        if final.exists():
            final.rename(old)
        data.rename(final)
        shutil.rmtree(old, ignore_errors=True)
        atomic_write(out / "dataset_card.json", json.dumps(card, indent=1, sort_keys=False) + "\n")
        with atomic_path(out / "README.md") as readme:
            readme.write_text(render_readme(card), encoding="utf-8")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def crawl_and_build(
    specs: Sequence[str],
    out: Path,
    options: BuildOptions,
    *,
    on_source: OnSource | None = None,
    on_stage: OnStage | None = None,
) -> CorpusResult:
    outcomes = crawl(specs, out, options, on_source=on_source)
    card = build(specs, out, options, on_stage=on_stage)
    return CorpusResult(out, tuple(outcomes), card)


def read_card(path: Path) -> dict[str, Any]:
    card_path = path / "dataset_card.json" if path.is_dir() else path
    try:
        card: dict[str, Any] = json.loads(card_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInputError(
            f"{card_path}: no dataset card", hint="build the corpus first: chainllm crawl sources --out DIR"
        ) from None
    except ValueError:
        raise BadInputError(f"{card_path}: not valid JSON", hint="rebuild the corpus") from None
    return card
