"""Near-duplicate detection: MinHash signatures over token shingles, banded LSH, union-find.

Vectorised with numpy: a document's shingles are hashed once into a uint64 array and all
permutations are applied as one (shingles x permutations) multiply-shift, instead of one
Python call per shingle per permutation. Hashes are stable across runs and machines
(crc32 of tokens, fixed seeds), so cluster ids and splits are reproducible.
"""

from __future__ import annotations

import string
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

NUM_PERM = 128
BANDS = 16  # 16 bands x 8 rows: candidate threshold ~ (1/16)^(1/8) ~ 0.71
SHINGLE = 5
DEFAULT_THRESHOLD = 0.8
# Punctuation becomes its own token; str.translate + str.split tokenise at C speed.
_SPACED = str.maketrans({c: f" {c} " for c in string.punctuation if c not in "_$"})
_SEED = 0xC0A1_11A5
# Fixed odd multipliers that combine a shingle's token hashes position by position.
_POS = np.array(
    [0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 0xD6E8FEB86659FD93, 0xA0761D6478BD642F][
        :SHINGLE
    ],
    dtype=np.uint64,
)

Signature = npt.NDArray[np.uint32]


def _perm_params(num_perm: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    rng = np.random.default_rng(_SEED)
    a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    return a, b


class MinHasher:
    """Signatures for documents given as normalised source text."""

    def __init__(self, num_perm: int = NUM_PERM, shingle: int = SHINGLE) -> None:
        if shingle > len(_POS):
            raise ValueError(f"shingle size {shingle} > {len(_POS)}")
        self.num_perm = num_perm
        self.shingle = shingle
        self.a, self.b = _perm_params(num_perm)
        self._tok: dict[str, int] = {}

    def tokens(self, text: str) -> npt.NDArray[np.uint64]:
        toks = text.translate(_SPACED).split()
        cache = self._tok
        for t in set(toks).difference(cache):
            cache[t] = zlib.crc32(t.encode("utf-8"))
        return np.fromiter(map(cache.__getitem__, toks), dtype=np.uint64, count=len(toks))

    def shingles(self, text: str) -> npt.NDArray[np.uint64]:
        toks = self.tokens(text)
        k = self.shingle
        if len(toks) < k:
            pos = _POS[: len(toks)]
            return np.unique(np.asarray([np.sum(toks * pos)], dtype=np.uint64)) if len(toks) else toks
        n = len(toks) - k + 1
        h = np.zeros(n, dtype=np.uint64)
        for j in range(k):
            h ^= toks[j : j + n] * _POS[j]
        return np.unique(h)

    def signature(self, text: str) -> Signature:
        sh = self.shingles(text)
        if len(sh) == 0:
            return np.full(self.num_perm, 0xFFFFFFFF, dtype=np.uint32)
        sig = np.full(self.num_perm, np.iinfo(np.uint64).max, dtype=np.uint64)
        # Chunks keep the (shingles x perms) matrix in cache for very long files.
        for start in range(0, len(sh), 4096):
            block = sh[start : start + 4096, None] * self.a[None, :] + self.b[None, :]
            np.minimum(sig, (block >> np.uint64(32)).min(axis=0), out=sig)
        return sig.astype(np.uint32)


def jaccard_estimate(a: Signature, b: Signature) -> float:
    return float(np.mean(a == b))


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        p = self.parent
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return x

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if ra < rb:
            ra, rb = rb, ra
        self.parent[ra] = rb
        return True


@dataclass(frozen=True)
class Clusters:
    labels: tuple[int, ...]  # per document: the index of its cluster's representative
    pairs_checked: int
    pairs_matched: int


def cluster(
    signatures: npt.NDArray[np.uint32], *, threshold: float = DEFAULT_THRESHOLD, bands: int = BANDS
) -> Clusters:
    """Connected components of documents whose estimated Jaccard similarity >= threshold.

    LSH buckets propose candidate pairs; each candidate is verified on the full signature.
    ``labels[i]`` is the smallest document index of i's component.
    """
    n, num_perm = signatures.shape if signatures.ndim == 2 else (0, NUM_PERM)
    uf = _UnionFind(n)
    if n < 2:
        return Clusters(tuple(range(n)), 0, 0)
    rows = num_perm // bands
    need = int(np.ceil(threshold * num_perm - 1e-9))
    checked = matched = 0
    sigs = np.ascontiguousarray(signatures)
    for band in range(bands):
        keys = np.ascontiguousarray(sigs[:, band * rows : (band + 1) * rows])
        view = keys.view(np.dtype((np.void, keys.dtype.itemsize * rows))).ravel()
        _, inverse, counts = np.unique(view, return_inverse=True, return_counts=True)
        multi = np.nonzero(counts > 1)[0]
        if len(multi) == 0:
            continue
        order = np.argsort(inverse, kind="stable")
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        for bucket in multi:
            members = order[starts[bucket] : starts[bucket] + counts[bucket]]
            # Members already in one component need no comparison.
            roots = {uf.find(int(m)) for m in members}
            if len(roots) == 1:
                continue
            block = sigs[members]
            for i in range(len(members) - 1):
                eq = (block[i + 1 :] == block[i]).sum(axis=1)
                checked += len(eq)
                for j in np.nonzero(eq >= need)[0]:
                    matched += 1
                    uf.union(int(members[i]), int(members[i + 1 + j]))
    return Clusters(tuple(uf.find(i) for i in range(n)), checked, matched)


def signatures_of(texts: Sequence[str], hasher: MinHasher | None = None) -> npt.NDArray[np.uint32]:
    hasher = hasher or MinHasher()
    if not texts:
        return np.zeros((0, hasher.num_perm), dtype=np.uint32)
    return np.stack([hasher.signature(t) for t in texts])
