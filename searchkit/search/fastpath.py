"""A numpy copy of the postings, one per Whoosh segment, for fast queries and facets.

Why: Whoosh reads postings in pure Python, at 1 to 10 µs per posting. A common word
in a 36k-article corpus has tens of thousands of postings, so a query or a facet count
that walks them costs tens to hundreds of milliseconds before any scoring. This module
keeps, beside each segment, the same postings as flat numpy arrays (memory-mapped
``.npy`` files: opening costs nothing, the OS caches what queries touch), and evaluates
the common query shapes (terms combined with AND, OR, AND NOT) with whole-array
operations, scoring with exactly Whoosh's BM25F (same idf, same quantised field
lengths, same boosts), so results and scores are the ones Whoosh would give.

What it is not: an index of record, nor the code that writes the copies
(``index.fastcopy`` builds them after each commit). Deleted documents are masked at
load time. Any query this module cannot evaluate (phrases, wildcards, fuzzy terms,
ranges) raises ``Unsupported`` and the caller asks Whoosh.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field as dc_field
from math import log
from pathlib import Path
from typing import Any, Iterator

import numpy as np
from whoosh import query as Q

from searchkit.index.fastcopy import FIELDS, leaves, segment_dir

__all__ = ["FastIndex", "Unsupported"]

# Whoosh's BM25F defaults (searchkit does not change them).
B, K1 = 0.75, 1.2


class Unsupported(Exception):
    """The query has a part that only Whoosh can evaluate."""


@dataclass
class _FieldArrays:
    terms: np.ndarray
    indptr: np.ndarray
    ids: np.ndarray
    weights: np.ndarray
    lengths: np.ndarray | None

    def find(self, term: bytes) -> int:
        i = int(np.searchsorted(self.terms, term))
        return i if i < len(self.terms) and self.terms[i] == term else -1


@dataclass
class _Segment:
    offset: int
    docs: int
    path: Path
    live: np.ndarray | None  # None: no deletions
    _fields: dict[str, _FieldArrays | None] = dc_field(default_factory=dict)

    def field(self, name: str) -> _FieldArrays | None:
        """One field's arrays, memory-mapped on first use: a query touches two or
        three of the eight fields, and a one-shot search should open only those."""
        if name not in self._fields:
            base = self.path / name
            if not Path(f"{base}.terms.npy").exists():
                self._fields[name] = None
            else:

                def arr(kind: str) -> np.ndarray:
                    # Mapped, then seen as a plain array: slicing an np.memmap goes
                    # through Python code (its __getitem__ and __array_finalize__) on
                    # every posting list a query reads; the plain view shares the map.
                    return np.asarray(np.load(f"{base}.{kind}.npy", mmap_mode="r"))

                lengths = arr("lengths") if Path(f"{base}.lengths.npy").exists() else None
                self._fields[name] = _FieldArrays(arr("terms"), arr("indptr"), arr("ids"), arr("weights"), lengths)
        return self._fields[name]


def _load_segment(path: Path, offset: int, segreader: Any) -> _Segment:
    info = json.loads((path / "segment.json").read_text("utf-8"))
    live = None
    if segreader.has_deletions():
        live = np.array([not segreader.is_deleted(d) for d in range(info["docs"])], dtype=bool)
    return _Segment(offset, info["docs"], path, live)


class FastIndex:
    """The numpy postings of one searcher's segments, with Whoosh's global statistics."""

    def __init__(self, segments: list[_Segment], searcher: Any) -> None:
        self.segments = segments
        self.size = searcher.doc_count_all()
        self._searcher = searcher
        self._avgfl: dict[str, float] = {}
        self._lengths: dict[str, np.ndarray] = {}
        self.live = np.ones(self.size, dtype=bool)
        for seg in segments:
            if seg.live is not None:
                self.live[seg.offset : seg.offset + seg.docs] = seg.live

    @classmethod
    def open(cls, index_dir: Path, searcher: Any) -> "FastIndex | None":
        """The fast copy for ``searcher``'s segments, or None if any is missing."""
        segments: list[_Segment] = []
        try:
            for segreader, offset in leaves(searcher.reader()):
                path = segment_dir(index_dir, segreader.segment().segid)
                if not (path / "segment.json").exists():
                    return None
                segments.append(_load_segment(path, offset, segreader))
        except (OSError, ValueError, KeyError, AttributeError):
            return None
        return cls(segments, searcher)

    # -- postings -------------------------------------------------------------
    def postings(self, field: str, term: str | bytes) -> tuple[np.ndarray, np.ndarray]:
        """(global docnums, weights) of ``term`` in ``field``, deleted documents included
        (as in Whoosh's statistics; callers mask with ``live``)."""
        # surrogatepass: a lone surrogate (a fuzzed or badly decoded query) names no term.
        key = term.encode("utf-8", "surrogatepass") if isinstance(term, str) else term
        ids_parts, w_parts = [], []
        for seg in self.segments:
            fa = seg.field(field)
            if fa is None:
                continue
            i = fa.find(key)
            if i < 0:
                continue
            a, b = int(fa.indptr[i]), int(fa.indptr[i + 1])
            ids_parts.append(np.asarray(fa.ids[a:b], dtype=np.int64) + seg.offset)
            w_parts.append(np.asarray(fa.weights[a:b], dtype=np.float64))
        if not ids_parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        if len(ids_parts) == 1:
            return ids_parts[0], w_parts[0]
        return np.concatenate(ids_parts), np.concatenate(w_parts)

    def terms(self, field: str) -> Iterator[tuple[str, np.ndarray]]:
        """Every term of a field with its live documents (facet tables are built from this)."""
        per_term: dict[bytes, list[np.ndarray]] = {}
        for seg in self.segments:
            fa = seg.field(field)
            if fa is None:
                continue
            indptr = np.asarray(fa.indptr)
            ids = np.asarray(fa.ids, dtype=np.int64) + seg.offset
            for i, term in enumerate(fa.terms.tolist()):
                per_term.setdefault(term, []).append(ids[indptr[i] : indptr[i + 1]])
        for term in sorted(per_term):
            parts = per_term[term]
            docs = parts[0] if len(parts) == 1 else np.concatenate(parts)
            docs = docs[self.live[docs]]
            if len(docs):
                yield term.decode("utf-8"), docs

    def _field_lengths(self, field: str) -> np.ndarray:
        """Every document's stored length of ``field`` (0 where a segment lacks it)."""
        if field not in self._lengths:
            parts = []
            for seg in self.segments:
                fa = seg.field(field)
                parts.append(np.zeros(seg.docs) if fa is None or fa.lengths is None else np.asarray(fa.lengths))
            self._lengths[field] = np.concatenate(parts).astype(np.float64) if parts else np.zeros(0)
        return self._lengths[field]

    # -- evaluation -----------------------------------------------------------
    def evaluate(self, q: Q.Query) -> tuple[np.ndarray, np.ndarray]:
        """(match mask, scores) over all documents, as Whoosh would score ``q``.

        Raises ``Unsupported`` for any part other than terms of the cached fields
        combined with And, Or, DisjunctionMax, Not, AndNot and Every."""
        mask, scores = self._eval(q)
        return mask & self.live, scores

    def evaluate_within(self, q: Q.Query, fq: Q.Query | None) -> tuple[np.ndarray, np.ndarray]:
        """``evaluate(q)`` restricted to the matches of the filter query ``fq`` (which
        does not score); ``Unsupported`` as ``evaluate``."""
        mask, scores = self.evaluate(q)
        if fq is not None:
            mask &= self.evaluate(fq)[0]
        return mask, scores

    def _eval(self, q: Q.Query) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(q, Q.Term):
            return self._term(q)
        if isinstance(q, Q.Every) and not q.fieldname:
            return np.ones(self.size, dtype=bool), np.ones(self.size, dtype=np.float64)
        if isinstance(q, Q.Not):
            # Whoosh's InverseMatcher: every live document the child misses, score 1.
            other, _ = self._eval(q.query)
            return ~other, np.full(self.size, q.boost, dtype=np.float64)
        if isinstance(q, Q.AndNot):
            mask, scores = self._eval(q.a)
            other, _ = self._eval(q.b)
            return mask & ~other, scores * q.boost
        if type(q) is Q.DisjunctionMax and not q.tiebreak and q.subqueries:
            # One word's twin terms (text/analysis.py): an article matching both scores
            # the better one, as Whoosh's DisjunctionMaxMatcher does.
            parts = [self._eval(s) for s in q.subqueries]
            mask = np.logical_or.reduce([m for m, _ in parts])
            scores = np.max([s * m for m, s in parts], axis=0)
            return mask, scores * q.boost
        if isinstance(q, (Q.And, Q.Or)) and type(q) in (Q.And, Q.Or) and not getattr(q, "scale", None):
            if not q.subqueries:
                return np.zeros(self.size, dtype=bool), np.zeros(self.size)
            if len(q.subqueries) == 1:  # Whoosh drops the boost of a one-child group
                return self._eval(q.subqueries[0])
            parts = [self._eval(s) for s in q.subqueries]
            combine = np.logical_and if isinstance(q, Q.And) else np.logical_or
            mask = parts[0][0].copy()
            scores = parts[0][1] * parts[0][0]
            for m, s in parts[1:]:
                combine(mask, m, out=mask)
                scores = scores + s * m
            return mask, scores * q.boost
        raise Unsupported(type(q).__name__)

    def _term(self, q: Q.Term) -> tuple[np.ndarray, np.ndarray]:
        field = q.fieldname
        if field not in FIELDS or field not in self._searcher.schema:
            raise Unsupported(field)
        text = q.text
        if not isinstance(text, (str, bytes)):
            raise Unsupported("non-text term")
        ids, weights = self.postings(field, text)
        mask = np.zeros(self.size, dtype=bool)
        scores = np.zeros(self.size, dtype=np.float64)
        if not len(ids):
            return mask, scores
        mask[ids] = True
        if self._searcher.schema[field].scorable:
            # Whoosh: idf = log(N / (df + 1)) + 1 over all documents, deleted included;
            # avgfl = total field length / N; fl = the byte-quantised stored length.
            idf = log(self.size / (len(ids) + 1)) + 1
            avgfl = self._avg(field)
            fl = self._field_lengths(field)[ids]
            s = idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * fl / avgfl)))
        else:
            s = weights
        scores[ids] = s * q.boost
        return mask, scores

    def _avg(self, field: str) -> float:
        if field not in self._avgfl:
            self._avgfl[field] = self._searcher.avg_field_length(field) or 1
        return self._avgfl[field]

    def top(self, mask: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The ``k`` best (docnum, score), by score then docnum, like Whoosh's collector."""
        cand = np.flatnonzero(mask)
        if not len(cand) or k <= 0:
            return []
        s = scores[cand]
        if len(cand) > k:
            # Keep every candidate tied with the k-th score so the docnum tie-break is exact.
            kth = np.partition(-s, k - 1)[k - 1]
            keep = -s <= kth
            cand, s = cand[keep], s[keep]
        order = np.lexsort((cand, -s))[:k]
        return [(int(cand[i]), float(s[i])) for i in order]
