"""Ranking the documents of one snapshot: on the numpy postings when the query allows
(terms with AND, OR, AND NOT, scored with Whoosh's own BM25F), with Whoosh otherwise
(phrases, wildcards, fuzzy terms, ranges, sorting by date), and by meaning for the
semantic and hybrid modes (vectors: semantic/retrieve.py; fusion: hybrid.py).

Near-duplicate groups (``dups``) collapse to their best match before the top is cut.
Gives document numbers and scores; never builds hits.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from whoosh import query as Q

from searchkit.search.fastpath import Unsupported
from searchkit.search.hybrid import FusionParams, fuse, semantic_top, top_by_score
from searchkit.search.snapshot import Snapshot

__all__ = ["by_meaning", "fast_search", "match_scores", "order", "whoosh_mask", "whoosh_page"]


def fast_search(snap: Snapshot, q: Q.Query, fq: Q.Query | None, k: int, dups: Any = None) -> tuple[np.ndarray, list[tuple[int, float]]] | None:
    """All matches and the ``k`` best with Whoosh's own scores, from the numpy copy of
    the postings; None when the query needs Whoosh. With ``dups``, each near-duplicate
    group is reduced to its best match first."""
    fast = snap.fast
    if fast is None:
        return None
    try:
        mask, scores = fast.evaluate_within(q, fq)
    except Unsupported:
        return None
    if dups is not None:
        mask = dups.representatives(mask, scores)
    return mask, fast.top(mask, scores, k)


def match_scores(snap: Snapshot, q: Q.Query, fq: Q.Query | None) -> tuple[np.ndarray, np.ndarray]:
    """Every match of ``q`` within ``fq`` and its score, as the lexical search ranks
    it: from the numpy postings, or, for what only Whoosh evaluates, every score 0 (as a
    search's counts then score them)."""
    fast = snap.fast
    if fast is not None:
        try:
            return fast.evaluate_within(q, fq)
        except Unsupported:
            pass
    mask = whoosh_mask(snap.searcher, q if fq is None else Q.And([q, fq]))
    return mask, np.zeros(len(mask))


def whoosh_mask(searcher: Any, q: Q.Query) -> np.ndarray:
    """Every live document ``q`` matches, as a boolean array, evaluated by Whoosh."""
    mask = np.zeros(searcher.doc_count_all(), dtype=bool)
    mask[np.fromiter(searcher.docs_for_query(q), dtype=np.int64)] = True
    return mask


def whoosh_page(searcher: Any, q: Q.Query, kwargs: dict[str, Any], want: int, dups: Any) -> list[tuple[int, float]]:
    """The ``want`` best (docnum, score) from Whoosh; with ``dups``, one per
    near-duplicate group, asking Whoosh for more until that many are found."""
    n = want if dups is None else want * 2
    while True:
        results = searcher.search(q, **{**kwargs, "limit": n})
        docs = [(r.docnum, float(r.score or 0.0)) for r in results]
        if dups is None:
            return docs
        kept, _ = dups.collapse([d for d, _ in docs], want)
        if len(kept) >= want or len(docs) < n:
            score = dict(docs)
            return [(d, score[d]) for d in kept]
        n *= 4


def by_meaning(
    snap: Snapshot, semantic: Any, fusion: FusionParams, q: Q.Query, fq: Q.Query | None, text: str, mode: str, want: int
) -> tuple[np.ndarray, np.ndarray]:
    """(candidate mask, scores) for the semantic and hybrid modes; filters bound both
    rankings, and hybrid keeps every lexical match."""
    params = replace(fusion, depth=max(fusion.depth, want))
    searcher = snap.searcher
    fast = snap.fast
    try:
        if fast is None:
            raise Unsupported("no numpy copy")
        lex_mask, lex_scores = fast.evaluate(q)
        allowed = fast.live.copy() if fq is None else fast.evaluate(fq)[0]
    except Unsupported:  # phrases, wildcards...: Whoosh ranks the lexical side
        lex_mask = whoosh_mask(searcher, q)
        lex_scores = np.zeros(len(lex_mask))
        for r in searcher.search(q, limit=params.depth):
            lex_scores[r.docnum] = float(r.score or 0.0)
        allowed = whoosh_mask(searcher, fq if fq is not None else Q.Every())
    similarity = semantic.similarity(text, snap.doc_ids())
    if mode == "semantic":
        mask = np.zeros(len(similarity), dtype=bool)
        mask[semantic_top(similarity, allowed, params.depth)] = True
        return mask, similarity.astype(np.float64)
    return fuse(lex_mask, lex_scores, similarity, allowed, params, len(text.split()))


def order(searcher: Any, mask: np.ndarray, scores: np.ndarray, sort: str, want: int) -> list[int]:
    """The ``want`` first candidates, best first or newest first."""
    if sort == "date":
        docs = set(np.flatnonzero(mask).tolist())
        return [r.docnum for r in searcher.search(Q.Every(), filter=docs, sortedby="date_key", reverse=True, limit=want)]
    return top_by_score(mask, scores, want).tolist()
