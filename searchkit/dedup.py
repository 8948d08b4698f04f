"""Near-duplicate articles: MinHash signatures of word shingles, grouped with LSH.

News corpora hold many copies of one story (a wire dispatch run by several outlets,
an article re-published with a new headline). This module finds them:

- ``signature(text)``: the MinHash of the text's word ``shingle``-grams
  (datasketch, ``num_perm`` 32-bit values). Pure and deterministic across processes,
  so the indexing workers compute it beside NER and the serial writer only stores it.
- ``find_groups(signatures)``: articles whose estimated Jaccard similarity of
  shingles reaches ``threshold``, joined transitively (connected components of the
  pairs that LSH banding proposes and the signatures confirm).
- ``DuplicateGroups``: the groups over an index's document numbers, and the
  collapsing of a ranked list to one hit per group.

What it must NOT do: touch Whoosh, files or the index (``duplicates.py`` keeps the
signatures and groups beside the index), or import datasketch at query time
(only ``signature`` and ``find_groups`` need it; a search loads ready groups).
The parameters were tuned on OrangeSum's same-title groups (bench/dedup_eval.py,
BENCHMARKS.md "Near-duplicates").
"""
from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Sequence

import numpy as np

__all__ = ["DEFAULT", "DedupParams", "DuplicateGroups", "find_groups", "shingle_hashes", "shingles", "signature"]

_WORD = re.compile(r"\w+")
MAX_BUCKET_STEP = 64


@dataclass(frozen=True)
class DedupParams:
    """How near-duplicates are detected. Signatures are stored under ``key()``: a
    change of shingle, num_perm or seed makes them all again; the threshold applies
    only when grouping."""

    shingle: int = 3  # words per shingle
    num_perm: int = 128  # MinHash values per signature
    threshold: float = 0.7  # estimated Jaccard similarity of shingles to call two texts copies
    seed: int = 1

    def key(self) -> str:
        # "h2": the k-gram hashing of shingle_hashes (signatures made otherwise differ).
        return f"w{self.shingle}-p{self.num_perm}-s{self.seed}-h2"


DEFAULT = DedupParams()


def shingles(text: str, k: int) -> set[bytes]:
    """The text's word ``k``-grams, lower-cased (``\\w+`` words: a paragraph join
    like ``fin.Le`` still splits). A text shorter than ``k`` words is one shingle.

    >>> sorted(shingles("Le chat dort. Le chat", 2))
    [b'chat dort', b'dort le', b'le chat']
    """
    words = _WORD.findall(text.lower())
    if not words:
        return set()
    if len(words) <= k:
        return {" ".join(words).encode("utf-8")}
    return {" ".join(words[i : i + k]).encode("utf-8") for i in range(len(words) - k + 1)}


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, on a whole array (uint32 arithmetic wraps)."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def shingle_hashes(text: str, k: int) -> np.ndarray:
    """One 32-bit hash per distinct word ``k``-gram of ``text`` (as ``shingles``).

    Each word is hashed once (CRC-32 of its UTF-8) and a k-gram's hash mixes its
    words' hashes in order with MurmurHash3's finaliser, all in numpy: joining and
    SHA-1-hashing every k-gram string (datasketch's default) took 1.1 of the 1.3 ms
    an OrangeSum article cost to sign, in the indexing workers.
    """
    words = _WORD.findall(text.lower())
    if not words:
        return np.zeros(0, dtype=np.uint32)
    codes = {w: zlib.crc32(w.encode("utf-8")) for w in set(words)}
    c = np.fromiter((codes[w] for w in words), dtype=np.uint32, count=len(words))
    n = max(1, len(c) - k + 1)
    h = np.zeros(n, dtype=np.uint32)
    for j in range(min(k, len(c))):
        h = _fmix32((h * np.uint32(0x9E3779B1)) ^ c[j : j + n])
    return np.unique(h)


@lru_cache(maxsize=4)
def _template(num_perm: int, seed: int) -> Any:
    # Building the permutations costs more than hashing one article: once per process.
    from datasketch import MinHash

    return MinHash(num_perm=num_perm, seed=seed)


def _as_int(value: Any) -> int:
    return int(value)


def signature(text: str, params: DedupParams = DEFAULT) -> np.ndarray | None:
    """The MinHash signature (``num_perm`` uint32) of ``text``'s word ``shingle``-grams;
    None without words. datasketch applies its permutations to the k-gram hashes
    (``shingle_hashes``) and keeps each permutation's minimum."""
    hashes = shingle_hashes(text, params.shingle)
    if not len(hashes):
        return None
    from datasketch import MinHash

    t = _template(params.num_perm, params.seed)
    m = MinHash(num_perm=params.num_perm, seed=params.seed, hashfunc=_as_int, permutations=t.permutations, scheme=t.scheme)
    m.update_batch(hashes)
    return np.asarray(m.hashvalues, dtype=np.uint32)


def find_groups(signatures: np.ndarray, params: DedupParams = DEFAULT) -> np.ndarray:
    """Group rows of ``signatures`` (n x num_perm) that are near-duplicates.

    Returns one label per row: the index of the group's first row, or -1 for a row
    with no copy. Rows of all zeros (articles without a signature) stay alone.

    LSH banding proposes candidate pairs (rows equal on one whole band of ``r``
    values; ``b`` bands, chosen by datasketch for ``threshold``); a pair counts only
    if the signatures agree on at least ``threshold`` of their values, so banding's
    false positives never merge groups; groups are the connected components.
    The banding is done with whole-array numpy operations rather than with
    datasketch's ``MinHashLSH`` (same bands, same candidates: bench/dedup_eval.py
    checks that the groups are identical), whose per-article Python calls took
    6 to 13 s for OrangeSum's 36k articles, against well under a second here.
    """
    n, num_perm = signatures.shape if signatures.ndim == 2 else (len(signatures), params.num_perm)
    labels = np.full(n, -1, dtype=np.int64)
    if n < 2:
        return labels
    from datasketch.lsh import _optimal_param
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    bands, rows = _optimal_param(params.threshold, num_perm, 0.5, 0.5)
    valid = np.flatnonzero(signatures.any(axis=1))
    sigs = np.ascontiguousarray(signatures[valid])
    pairs: list[np.ndarray] = []
    for band in range(bands):
        block = np.ascontiguousarray(sigs[:, band * rows : (band + 1) * rows])
        keys = block.view(np.dtype((np.void, block.dtype.itemsize * rows))).ravel()
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        bucket = np.cumsum(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        # Every pair inside a bucket, as MinHashLSH.query would give, up to
        # MAX_BUCKET_STEP apart in a bucket (a bigger bucket is a mass of copies
        # that its neighbours already link).
        for step in range(1, MAX_BUCKET_STEP + 1):
            same = np.flatnonzero(bucket[step:] == bucket[:-step])
            if not len(same):
                break
            pairs.append(np.stack([order[same], order[same + step]], axis=1))
    if not pairs:
        return labels
    cand = np.unique(np.concatenate(pairs), axis=0)
    cand = cand[cand[:, 0] != cand[:, 1]]
    need = int(np.ceil(params.threshold * num_perm))
    agree = np.count_nonzero(sigs[cand[:, 0]] == sigs[cand[:, 1]], axis=1)
    ok = cand[agree >= need]
    m = len(valid)
    graph = coo_matrix((np.ones(len(ok)), (ok[:, 0], ok[:, 1])), shape=(m, m))
    _, comp = connected_components(graph, directed=False)
    sizes = np.bincount(comp)
    # Label = the group's first row (lowest index), in the caller's numbering.
    first_row = np.full(len(sizes), -1, dtype=np.int64)
    first_row[comp[::-1]] = valid[::-1]
    grouped = sizes[comp] > 1
    labels[valid[grouped]] = first_row[comp[grouped]]
    return labels


class DuplicateGroups:
    """Near-duplicate groups over an index's document numbers.

    ``labels[d]`` is the group of document ``d`` (-1: no copy); ``ids`` gives the
    article id of each grouped document. Picklable; holds no index objects.
    """

    def __init__(self, labels: np.ndarray, ids: Sequence[str]) -> None:
        self.labels = np.asarray(labels, dtype=np.int64)
        order = np.argsort(self.labels, kind="stable")
        grouped = order[self.labels[order] >= 0]
        # docnum -> article id, for grouped documents only: a one-shot search loads
        # this with the labels, and most articles have no copy.
        self.ids = {int(d): ids[d] for d in grouped.tolist()}
        self._members: dict[int, np.ndarray] = {}
        if len(grouped):
            cuts = np.flatnonzero(np.diff(self.labels[grouped])) + 1
            for part in np.split(grouped, cuts):
                self._members[int(self.labels[part[0]])] = part

    def __len__(self) -> int:
        return len(self._members)

    def members(self, docnum: int) -> np.ndarray:
        """Every document of ``docnum``'s group, itself included (sorted)."""
        if docnum >= len(self.labels) or self.labels[docnum] < 0:
            return np.array([docnum], dtype=np.int64)
        return self._members[int(self.labels[docnum])]

    def others(self, docnum: int, live: np.ndarray | None = None) -> list[str]:
        """The ids of the other copies of ``docnum`` (live ones only, if ``live`` given)."""
        return [self.ids[d] for d in self.members(docnum).tolist() if d != docnum and (live is None or live[d])]

    def groups(self) -> Iterable[np.ndarray]:
        return self._members.values()

    def with_copies(self, mask: np.ndarray) -> np.ndarray:
        """``mask`` plus every copy of the documents it holds."""
        out = mask.copy()
        n = min(len(self.labels), len(mask))
        lab = self.labels[:n]
        grouped = lab >= 0
        taken = lab[mask[:n] & grouped]
        if len(taken):
            # A table of the groups taken, read at each document's group (a lookup, not
            # np.unique + np.isin: no sort, and np.unique loads numpy.ma on first use).
            table = np.zeros(int(lab.max()) + 1, dtype=bool)
            table[taken] = True
            out[:n] |= grouped & table[np.where(grouped, lab, 0)]
        return out

    def collapse(self, ranked: Iterable[int], want: int) -> tuple[list[int], bool]:
        """The first ``want`` documents of ``ranked`` keeping one per group (the first
        seen, i.e. the best ranked); and whether ``ranked`` ran out before that."""
        seen: set[int] = set()
        kept: list[int] = []
        for d in ranked:
            label = int(self.labels[d]) if d < len(self.labels) else -1
            if label >= 0:
                if label in seen:
                    continue
                seen.add(label)
            kept.append(d)
            if len(kept) >= want:
                return kept, False
        return kept, True

    def representatives(self, mask: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """``mask`` with every group reduced to its best-scoring match (ties: lowest
        docnum), for ranking whole result lists with numpy."""
        out = mask.copy()
        n = min(len(self.labels), len(mask))
        lab = self.labels[:n]
        hit = np.flatnonzero(mask[:n] & (lab >= 0))
        if not len(hit):
            return out
        order = hit[np.lexsort((hit, -scores[hit]))]
        _, first = np.unique(lab[order], return_index=True)
        out[hit] = False
        out[order[first]] = True
        return out
