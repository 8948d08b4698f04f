"""Semantic and hybrid search on a ``Backend`` whose index holds passage vectors.

The same modes as the Whoosh backend (``search/rank``, by meaning), with the backend's
own rankings: the query's vector (embedded here, the one vector computed at query time)
against the index's nearest passage vectors (a filtered k-NN query), and the lexical
ranking of the same query; ``hybrid.fuse`` fuses them exactly as for the Whoosh backend
(min-max, vector side weighted 1.5, each ranking's top ``depth``), over a local
numbering of the candidates. Total and facets count every lexical match plus the
nearest vectors (semantic mode: the nearest vectors alone), as the Whoosh backend does.

It must NOT compute passage vectors, fuse rankings its own way, or speak the backend's
wire protocol.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Sequence

import numpy as np

from searchkit.backends.base import BackendResult, FacetTerms, MatchNone, Node, Or
from searchkit.errors import QueryError, SearchkitError
from searchkit.search.hybrid import FusionParams, fuse, top_by_score
from searchkit.vocab import FACET_FIELDS, MODES

__all__ = ["by_meaning", "resolve_mode"]

_embedder: Any = None


def resolve_mode(backend: Any, mode: str | None, text: str) -> tuple[str, tuple[str, ...]]:
    """The mode a search runs in, and a notice when the default had to fall back: hybrid
    by default where the index has vectors, lexical where it has none."""
    from searchkit.semantic.embed import check_available

    if mode is not None and mode not in MODES:
        raise QueryError(f"unknown mode '{mode}'", hint="use hybrid, lexical or semantic")
    if text.strip() in ("", "*") or mode == "lexical":
        return "lexical", ()  # browsing everything: there is no meaning to rank by
    if getattr(backend, "embedding", None) is None:  # a backend without vectors (backends.whoosh: search.Engine has them)
        if mode is None:
            return "lexical", ()
        from searchkit.semantic.store import VectorsMissingError

        raise VectorsMissingError(f"the OpenSearch index '{backend.index}' has no vectors",
                                  hint="set semantic: true in config.yaml, then searchkit index --rebuild")
    try:
        check_available()
    except SearchkitError as exc:
        if mode is not None:
            raise
        return "lexical", (f"this index has vectors but semantic search is unavailable ({exc}): lexical search",)
    return mode or "hybrid", ()


def _query_vector(text: str) -> np.ndarray:
    global _embedder
    if _embedder is None:
        from searchkit.semantic.embed import query_embedder

        _embedder = query_embedder()
    return _embedder.embed_query(text)


def by_meaning(backend: Any, text: str, tree: Node, ftree: Node | None, mode: str, sort: str, limit: int, offset: int,
               facets: bool, facet_top: int | None, params: FusionParams = FusionParams()) -> BackendResult:
    """One page of a semantic or hybrid search, its total and its facets."""
    params = replace(params, depth=max(params.depth, offset + limit))
    near = backend.knn(_query_vector(text), params.depth, ftree)
    near_ids = tuple(i for i, _ in near)
    if mode == "semantic":
        ranked = near
        pool: Node = FacetTerms("id", near_ids) if near_ids else MatchNone()
    else:
        lexical = backend.search(tree, ftree, params.depth, 0, "relevance", (), None)
        ranked = _fused(lexical, near, params, len(text.split()))
        pool = Or((tree, FacetTerms("id", near_ids))) if near_ids else tree
    fields = FACET_FIELDS if facets else ()
    if sort == "date":  # the candidates, newest first
        found = backend.search(pool, ftree, limit, offset, "date", fields, facet_top)
        score = dict(ranked)
        page: Sequence[str] = found.ids
        scores = tuple(score.get(i, 0.0) for i in page)
    else:
        found = backend.search(pool, ftree, 0, 0, "relevance", fields, facet_top)
        page = tuple(i for i, _ in ranked[offset : offset + limit])
        scores = tuple(s for _, s in ranked[offset : offset + limit])
    docs = backend.fetch(page, tree) if page else []
    return BackendResult(tuple(page), scores, found.total, found.facets, tuple(docs))


def _fused(lexical: BackendResult, near: Sequence[tuple[str, float]], params: FusionParams, words: int) -> list[tuple[str, float]]:
    """``hybrid.fuse`` over the union of the two top lists, numbered locally."""
    ids = list(dict.fromkeys([*lexical.ids, *(i for i, _ in near)]))
    if not ids:
        return []
    at = {i: n for n, i in enumerate(ids)}
    lex_mask = np.zeros(len(ids), dtype=bool)
    lex_scores = np.zeros(len(ids))
    similarity = np.full(len(ids), -np.inf)
    for i, s in zip(lexical.ids, lexical.scores):
        lex_mask[at[i]], lex_scores[at[i]] = True, s
    for i, s in near:
        similarity[at[i]] = s
    mask, scores = fuse(lex_mask, lex_scores, similarity, np.ones(len(ids), dtype=bool), params, words)
    return [(ids[k], float(scores[k])) for k in top_by_score(mask, scores, len(ids))]
