"""More like this: an article's key terms (the stemmed words of its title and body that
best set it apart from the corpus, weighted by Whoosh's Bo1 model, as its
``more_like``) searched as one OR query; the article and its near-duplicate copies
are left out. Lexical only: vectors are the semantic mode's.
"""
from __future__ import annotations

import time
from typing import Any, Mapping, Sequence

import numpy as np
from whoosh import query as Q

from searchkit.errors import NotFoundError
from searchkit.results import Results
from searchkit.search.hits import make_hit
from searchkit.search.rank import whoosh_mask, whoosh_page
from searchkit.search.snapshot import Snapshot
from searchkit.search.tables import facet_counts

__all__ = ["SIMILAR_TERMS", "similar"]

SIMILAR_TERMS = 25  # key terms of an article that make its more-like-this query


def _key_terms(snap: Snapshot, doc_id: str) -> tuple[int, list[tuple[str, float]]]:
    docnum = snap.searcher.document_number(id=doc_id)
    if docnum is None:
        raise NotFoundError(f"no article with id '{doc_id}'", hint="ids are file names without extension; see `searchkit search` output")
    fields = snap.searcher.stored_fields(docnum)
    text = f"{fields.get('title', '')}\n{fields.get('body', '')}"
    return docnum, snap.searcher.key_terms_from_text("body", text, numterms=SIMILAR_TERMS)


def _rank(snap: Snapshot, q: Q.Query, fq: Q.Query | None, own: list[int], want: int, collapse: bool) -> tuple[np.ndarray, list[tuple[int, float]]]:
    """(matches, the ``want`` best) without the article's own group."""
    dups, fast, searcher = snap.duplicates, snap.fast, snap.searcher
    if fast is not None:
        mask, scores = fast.evaluate(q)
        if fq is not None:
            mask &= fast.evaluate(fq)[0]
        mask[own] = False
        if collapse:
            mask = dups.representatives(mask, scores)
        return mask, fast.top(mask, scores, want)
    mask = whoosh_mask(searcher, q if fq is None else Q.And([q, fq]))
    mask[own] = False
    if collapse:
        mask = dups.representatives(mask, np.zeros(len(mask)))
    if not want:
        return mask, []
    ids = [searcher.stored_fields(d)["id"] for d in own]
    kwargs: dict[str, Any] = {"filter": fq, "mask": Q.Or([Q.Term("id", i) for i in ids])}
    return mask, whoosh_page(searcher, q, kwargs, want, dups if collapse else None)


def similar(
    snap: Snapshot, doc_id: str, filters: Mapping[str, Sequence[str]], fq: Q.Query | None, limit: int, offset: int,
    collapse: bool, snippet_count: int,
) -> Results:
    """Articles like ``doc_id`` within the filter query ``fq``; ``query`` in the result
    holds the key terms used."""
    started = time.perf_counter()
    docnum, terms = _key_terms(snap, doc_id)
    if not terms:
        return Results("", dict(filters), 0, (time.perf_counter() - started) * 1000, None, (), {}, offset)
    dups = snap.duplicates
    q = Q.Or([Q.Term("body", t, boost=w) for t, w in terms])
    mask, ranked = _rank(snap, q, fq, dups.members(docnum).tolist(), offset + limit if limit else 0, collapse)
    marks: tuple[set[str], set[str], set[str]] = ({t for t, _ in terms}, set(), set())
    hits = tuple(
        make_hit(snap.searcher.stored_fields(d), score, rank, marks, snippet_count, snap.groups, tuple(dups.others(d)))
        for rank, (d, score) in enumerate(ranked[offset:], start=offset + 1)
    )
    took = (time.perf_counter() - started) * 1000
    return Results(" ".join(t for t, _ in terms), dict(filters), int(np.count_nonzero(mask)), took, None, hits,
                   facet_counts(snap.tables, mask), offset)
