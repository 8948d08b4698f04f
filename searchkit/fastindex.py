"""A numpy copy of the postings, one per Whoosh segment, for fast queries and facets.

Why: Whoosh reads postings in pure Python, at 1 to 10 µs per posting. A common word
in a 36k-article corpus has tens of thousands of postings, so a query or a facet count
that walks them costs tens to hundreds of milliseconds before any scoring. This module
keeps, beside each segment, the same postings as flat numpy arrays (memory-mapped
``.npy`` files: opening costs nothing, the OS caches what queries touch), and evaluates
the common query shapes (terms combined with AND, OR, AND NOT) with whole-array
operations, scoring with exactly Whoosh's BM25F (same idf, same quantised field
lengths, same boosts), so results and scores are the ones Whoosh would give.

What it is not: an index of record. Whoosh segments are immutable, so a segment's copy
is built once, after the commit that wrote it (``ensure``), and thrown away when a merge
removes the segment. Deleted documents are masked at load time. Any query this module
cannot evaluate (phrases, wildcards, fuzzy terms, ranges) raises ``Unsupported`` and
the caller asks Whoosh. Only ``index.py`` and ``search.py`` call it (DESIGN.md: only
they touch Whoosh readers).
"""
from __future__ import annotations

import json
import os
import shutil
from array import array
from dataclasses import dataclass, field as dc_field
from math import log
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np
from whoosh import query as Q

from searchkit.schema import FACET_FIELDS

__all__ = ["CACHE_DIR", "FastIndex", "Unsupported", "ensure"]

CACHE_DIR = "fast"
FORMAT = 1
TEXT_FIELDS = ("title", "body")
# "id": article ids by document number, to align passage vectors (semantic search)
# without reading every stored document.
FIELDS = TEXT_FIELDS + FACET_FIELDS + ("id",)
# Below this many documents to copy, starting worker processes costs more than it saves.
PARALLEL_MIN_DOCS = 5_000
# Whoosh's BM25F defaults (searchkit does not change them).
B, K1 = 0.75, 1.2


class Unsupported(Exception):
    """The query has a part that only Whoosh can evaluate."""


# --------------------------------------------------------------------------- building

def _segment_dir(index_dir: Path, segid: str) -> Path:
    return index_dir / CACHE_DIR / f"{segid}-v{FORMAT}"


def _leaves(reader: Any) -> list[tuple[Any, int]]:
    return list(reader.leaf_readers())


def _postings(matcher: Any) -> tuple[Sequence[int], Sequence[float]]:
    """All (docnum, weight) of one posting list, read a block at a time.

    Reading whole blocks through the W3 codec's block decoder is 10-50x faster than
    stepping the matcher posting by posting; if the codec ever changes shape, fall
    back to the public (slow) matcher interface.
    """
    ids: list[int] = []
    weights: list[float] = []
    try:
        while not matcher._atend:
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            if matcher._lastblock:
                break
            matcher._goto(matcher._nextoffset)
        return ids, weights
    except AttributeError:
        ids, weights = [], []
        matcher.reset()
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        return ids, weights


def _field_matchers(segreader: Any, field: str) -> Iterator[tuple[bytes, Any]]:
    """(term, matcher) for every term of a field, walking the term file in order.

    ``segreader.postings(field, term)`` looks each term up again in the term index
    (half the build time); the W3 codec can open a matcher from the term info that
    the sequential walk already decoded. Falls back to the public calls otherwise."""
    terms = getattr(segreader, "_terms", None)
    codec, postfile = getattr(terms, "_codec", None), getattr(terms, "_postfile", None)
    if codec is None or postfile is None or not hasattr(codec, "postings_reader"):
        for term in segreader.lexicon(field):
            yield term, segreader.postings(field, term)
        return
    fmt = segreader.schema[field].format
    for term, info in segreader.iter_field(field):
        yield term, codec.postings_reader(postfile, info, fmt, term=(field, term))


def _build_segment(segreader: Any, target: Path) -> None:
    """Write the numpy copy of one segment's postings into ``target`` (atomically)."""
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    n = segreader.doc_count_all()
    schema = segreader.schema
    for field in FIELDS:
        if field not in schema:
            continue
        terms: list[bytes] = []
        indptr = array("q", [0])
        # Typed arrays, not lists: a body field holds millions of postings, and
        # Python ints in a list cost ten times their four bytes.
        ids = array("i")
        weights = array("f")
        for term, matcher in _field_matchers(segreader, field):
            t_ids, t_weights = _postings(matcher)
            terms.append(term)
            ids.extend(t_ids)
            weights.extend(t_weights)
            indptr.append(len(ids))
        width = max((len(t) for t in terms), default=1)
        np.save(tmp / f"{field}.terms.npy", np.array(terms, dtype=f"S{width}"))
        np.save(tmp / f"{field}.indptr.npy", np.frombuffer(indptr, dtype=np.int64))
        np.save(tmp / f"{field}.ids.npy", np.frombuffer(ids, dtype=np.int32))
        np.save(tmp / f"{field}.weights.npy", np.frombuffer(weights, dtype=np.float32))
        if schema[field].scorable:
            lengths = [segreader.doc_field_length(d, field, 0) for d in range(n)]
            np.save(tmp / f"{field}.lengths.npy", np.array(lengths, dtype=np.float32))
    (tmp / "segment.json").write_text(json.dumps({"docs": n, "format": FORMAT}), "utf-8")
    try:
        os.replace(tmp, target)
    except OSError:  # another process built it first: theirs is as good as ours
        shutil.rmtree(tmp, ignore_errors=True)


def ensure(index_dir: Path, reader: Any, workers: int = 1) -> None:
    """Build the numpy copy of every segment of ``reader`` that lacks one, and delete
    the copies of segments that no longer exist. Safe to call from any process; a
    read-only index simply goes without. With ``workers`` > 1, segments are copied in
    that many processes (the indexer's last step: after a full build every segment is
    new, and copying one is a minute of pure-Python reading on a 36k-article index)."""
    root = index_dir / CACHE_DIR
    wanted = set()
    try:
        missing = []
        for segreader, _ in _leaves(reader):
            if segreader.segment() is None:  # an empty index's reader: nothing to copy
                continue
            target = _segment_dir(index_dir, segreader.segment().segid)
            wanted.add(target.name)
            if not (target / "segment.json").exists():
                missing.append((segreader, target))
        if workers > 1 and len(missing) > 1 and sum(r.doc_count_all() for r, _ in missing) >= PARALLEL_MIN_DOCS:
            _build_in_processes(index_dir, [segreader.segment().segid for segreader, _ in missing], workers)
        else:
            for segreader, target in missing:
                _build_segment(segreader, target)
        if root.is_dir():
            for child in root.iterdir():
                if child.name not in wanted and not _being_built(child.name):
                    shutil.rmtree(child, ignore_errors=True)
    except OSError:
        return


def _being_built(name: str) -> bool:
    """True for a ``.tmp<pid>`` copy whose builder is still alive (a killed builder's is
    left over, and removed)."""
    _, sep, pid = name.rpartition(".tmp")
    if not sep or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:  # alive, but another user's
        return True
    return True


def _build_in_processes(index_dir: Path, segids: list[str], workers: int) -> None:
    # Ctrl-C: a half-built copy is a .tmp<pid> folder, removed by the next ensure().
    from searchkit.index import worker_pool  # indexing only: searches never get here

    with worker_pool(min(workers, len(segids))) as pool:
        list(pool.map(_build_by_segid, [str(index_dir)] * len(segids), segids))


def _build_by_segid(index_dir: str, segid: str) -> None:
    """Worker side of ``_build_in_processes``: open the index, copy one segment."""
    from searchkit.index import open_index

    reader = open_index(Path(index_dir)).reader()
    try:
        for segreader, _ in _leaves(reader):
            if segreader.segment().segid == segid:
                _build_segment(segreader, _segment_dir(Path(index_dir), segid))
    finally:
        reader.close()


# --------------------------------------------------------------------------- reading

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
                    return np.load(f"{base}.{kind}.npy", mmap_mode="r")

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
            for segreader, offset in _leaves(searcher.reader()):
                path = _segment_dir(index_dir, segreader.segment().segid)
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
            # One word's twin terms (analysis.py): an article matching both scores
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
