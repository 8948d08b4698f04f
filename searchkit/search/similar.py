"""More like this. Where the index has passage vectors (semantic indexing), the
articles whose vectors are closest to the article's own (cosine, the ``SIMILAR_DEPTH``
nearest count as its matches); otherwise, and for an article without a vector, its
key terms (the stemmed words of its title and body that best set it apart from the
corpus, weighted by Whoosh's Bo1 model, as its ``more_like``) searched as one OR
query. Either way filters apply and the article and its near-duplicate copies are
left out; the key terms mark the snippets. No vector is computed here: the article's
is read from the store.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from whoosh import query as Q

from searchkit.errors import NotFoundError
from searchkit.search.operation import Ranked
from searchkit.search.page import matches
from searchkit.search.hybrid import semantic_top, top_by_score
from searchkit.search.rank import allowed_mask, evaluate, whoosh_page
from searchkit.search.snapshot import Snapshot
from searchkit.search.tables import facet_counts

__all__ = ["SIMILAR_TERMS", "similar"]

SIMILAR_TERMS = 25  # key terms of an article that make its more-like-this query
SIMILAR_DEPTH = 100  # nearest articles by meaning that count as matches (as semantic search's depth)


def _key_terms(snap: Snapshot, doc_id: str) -> tuple[int, list[tuple[str, float]]]:
    docnum = snap.searcher.document_number(id=doc_id)
    if docnum is None:
        raise NotFoundError(f"no article with id '{doc_id}'", hint="ids are file names without extension; see `searchkit search` output")
    fields = snap.searcher.stored_fields(docnum)
    text = f"{fields.get('title', '')}\n{fields.get('body', '')}"
    return docnum, snap.searcher.key_terms_from_text("body", text, numterms=SIMILAR_TERMS)


def _rank(snap: Snapshot, q: Q.Query, fq: Q.Query | None, own: list[int], want: int, collapse: bool) -> tuple[np.ndarray, list[tuple[int, float]]]:
    """(matches, the ``want`` best) without the article's own group."""
    dups, searcher = snap.duplicates, snap.searcher
    mask, scores = evaluate(snap, q, fq)
    mask[own] = False
    if scores is not None:
        if collapse:
            mask = dups.representatives(mask, scores)
        return mask, snap.fast.top(mask, scores, want)
    if collapse:
        mask = dups.representatives(mask, np.zeros(len(mask)))
    if not want:
        return mask, []
    ids = [searcher.stored_fields(d)["id"] for d in own]
    kwargs: dict[str, Any] = {"filter": fq, "mask": Q.Or([Q.Term("id", i) for i in ids])}
    return mask, whoosh_page(searcher, q, kwargs, want, dups if collapse else None)


def _own_vector(semantic: Any, doc_id: str) -> np.ndarray | None:
    """The article's stored passage vector, or None (no vectors, or none for it)."""
    if semantic is None or not semantic.available():
        return None
    ids, matrix = semantic.store.matrix()
    try:
        return np.asarray(matrix[ids.index(doc_id)])
    except ValueError:
        return None


def _rank_by_meaning(snap: Snapshot, semantic: Any, vector: np.ndarray, fq: Q.Query | None, own: list[int], want: int, collapse: bool) -> tuple[np.ndarray, list[tuple[int, float]]]:
    """(the nearest articles, the ``want`` best) by cosine with ``vector``."""
    similarity = semantic.store.aligned_scores(snap.doc_ids(), vector).astype(np.float64)
    allowed = allowed_mask(snap, fq)
    allowed[own] = False
    mask = np.zeros(len(similarity), dtype=bool)
    mask[semantic_top(similarity, allowed, max(SIMILAR_DEPTH, want))] = True
    if collapse:
        mask = snap.duplicates.representatives(mask, similarity)
    return mask, [(int(d), float(similarity[d])) for d in top_by_score(mask, similarity, want)]


def similar(
    snap: Snapshot, doc_id: str, names: frozenset[str], fq: Q.Query | None, limit: int, offset: int,
    collapse: bool, snippet_count: int, semantic: Any = None,
) -> Ranked:
    """Articles like ``doc_id`` within the filter query ``fq``, by meaning when
    ``semantic`` (the index's ``SemanticRanker``) has the article's vector; ``query`` in
    the answer holds the key terms, ``mode`` says which ranking answered; ``names``:
    the actor spellings the filters stand for, marked in snippets."""
    docnum, terms = _key_terms(snap, doc_id)
    vector = _own_vector(semantic, doc_id)
    if not terms and vector is None:
        return Ranked(0)
    own = snap.duplicates.members(docnum).tolist()
    want = offset + limit if limit else 0
    if vector is not None:
        mask, ranked = _rank_by_meaning(snap, semantic, vector, fq, own, want, collapse)
    else:
        q = Q.Or([Q.Term("body", t, boost=w) for t, w in terms])
        mask, ranked = _rank(snap, q, fq, own, want, collapse)
    page = matches(snap, ranked[offset:], ({t for t, _ in terms}, set()), names, snippet_count)
    return Ranked(int(np.count_nonzero(mask)), page, facet_counts(snap.tables, mask), query=" ".join(t for t, _ in terms),
                  mode="semantic" if vector is not None else "lexical")
