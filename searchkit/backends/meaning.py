"""Semantic and hybrid search on a ``Backend`` whose index holds passage vectors.

The same modes as the Whoosh backend (``search/rank``, by meaning), with the backend's
own rankings: the query's vector (embedded here, the one vector computed at query time)
against the index's nearest passage vectors (a filtered k-NN query), and the lexical
ranking of the same query; ``hybrid.fuse`` fuses them exactly as for the Whoosh backend
(each ranking's top ``depth``, a fixed depth), over a local numbering of the candidates.
Hybrid's total and facets count what the words match, as the Whoosh backend's do; the
nearest articles the words do not match are offered apart (``related``) when the words
match fewer than a page. Semantic mode counts the nearest vectors alone.

It must NOT compute passage vectors, fuse rankings its own way, or speak the backend's
wire protocol.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Sequence

import numpy as np

from searchkit.backends.base import BackendResult
from searchkit.search.tree import And, MatchNone, Node, Phrase, facet
from searchkit.search import proximity
from searchkit.search.hybrid import FusionParams, fuse, top_by_score
from searchkit.text.terms import exact_words
from searchkit.vocab import FACET_FIELDS

__all__ = ["by_meaning", "check_vectors", "page_of", "passage_candidates"]

_embedder: Any = None


def check_vectors(backend: Any) -> None:
    """The error a semantic search on ``backend`` would give: no vectors in its index,
    or the optional embedder missing."""
    from searchkit.semantic.embed import check_available

    if getattr(backend, "embedding", None) is None:
        from searchkit.semantic.store import VectorsMissingError

        where = backend.describe()
        raise VectorsMissingError(f"the index '{where.get('index') or where.get('index_dir')}' has no vectors",
                                  hint="set semantic: true in config.yaml, then searchkit index --rebuild")
    check_available()


def _query_vector(text: str) -> np.ndarray:
    global _embedder
    if _embedder is None:
        from searchkit.semantic.embed import query_embedder

        _embedder = query_embedder()
    return _embedder.embed_query(text)


def by_meaning(backend: Any, text: str, tree: Node, ftree: Node | None, mode: str, sort: str, limit: int, offset: int,
               facets: bool, facet_top: int | None, params: FusionParams = FusionParams()) -> BackendResult:
    """One page of a semantic or hybrid search, its total, its facets and (hybrid) the
    articles related by meaning alone."""
    fields = FACET_FIELDS if facets else ()
    if mode == "semantic":
        near = backend.knn(_query_vector(text), max(params.depth, offset + limit), ftree)
        pool: Node = facet("id", (i for i, _ in near)) if near else MatchNone()
        found = backend.search(pool, ftree, 0, 0, "relevance", fields, facet_top)
        return page_of(backend, tree, pool, ftree, near, found, sort, limit, offset)
    near = backend.knn(_query_vector(text), params.depth, ftree)
    lexical = backend.search(tree, ftree, params.depth, 0, "relevance", fields, facet_top)
    near_ids = tuple(i for i, _ in near)
    matched = dict(zip(lexical.ids, lexical.scores))
    if near_ids:  # which of the nearest articles the words match, deeper than their top too
        also = backend.search(And((tree, facet("id", near_ids))), ftree, len(near_ids), 0, "relevance", (), None)
        matched.update((i, s) for i, s in zip(also.ids, also.scores) if i not in matched)
    ranked = _fused(matched, near, params, len(text.split()))
    want = max(offset + limit, proximity.depth(proximity.query_words(text)))
    if len(ranked) < want and lexical.total > len(ranked):
        # Deeper than the fused candidates: the words' own order, below every fused one.
        deeper = backend.search(tree, ftree, want + len(matched), 0, "relevance", (), None)
        rest = [(i, sc) for i, sc in zip(deeper.ids, deeper.scores) if i not in matched][: want - len(ranked)]
        ranked += rest_scores(rest, min((sc for _, sc in ranked), default=0.0))
    threshold = params.related_threshold(text)
    candidates = [(i, c) for i, c in near if i not in matched and c >= threshold] if lexical.total < params.related_below and limit else []
    page = page_of(backend, tree, tree, ftree, ranked, lexical, sort, limit, offset, proximity.query_words(text), text)
    cosine = dict(candidates)
    docs = [d for d in backend.fetch(list(cosine), tree) if len((d.get("body") or "").split()) >= params.related_min_words] if cosine else []
    return replace(page, related=tuple((d, cosine[d["id"]]) for d in docs[: params.related_below]))


def page_of(backend: Any, tree: Node, pool: Node, ftree: Node | None, ranked: Sequence[tuple[str, float]], found: BackendResult,
            sort: str, limit: int, offset: int, words: tuple[str, ...] = (), text: str = "") -> BackendResult:
    """The page asked for of ``ranked`` (best first; with ``words``, its first
    ``proximity.depth(words)`` rescored by their order, and with the query's ``text`` the
    matches below them holding every word too, as the Whoosh backend does), or by date of
    every article ``pool`` matches; ``found``'s total and facets."""
    if sort == "date":
        by_date = backend.search(pool, ftree, limit, offset, "date", (), None)
        score = dict(ranked)
        return BackendResult(by_date.ids, tuple(score.get(i, 0.0) for i in by_date.ids), found.total, found.facets,
                             tuple(backend.fetch(by_date.ids, tree)) if by_date.ids else ())
    docs: dict[str, dict[str, Any]] = {}
    if words and limit and len(ranked) > 1:
        head = [i for i, _ in ranked[: proximity.depth(words)]]
        extra = passage_candidates(backend, text, tree, ftree, head, proximity.depth(words)) if text else []
        docs = {d["id"]: d for d in backend.fetch([*head, *extra], tree)}
        texts = [proximity.article_text(docs.get(i, {})) for i in head]
        extra_texts = [proximity.article_text(docs.get(i, {})) for i in extra]
        ranked = proximity.rescore(list(ranked), texts, words, extra, extra_texts)
    chosen = list(ranked[offset : offset + limit])
    missing = [i for i, _ in chosen if i not in docs]
    if missing:
        docs.update((d["id"], d) for d in backend.fetch(missing, tree))
    chosen = [(i, sc) for i, sc in chosen if i in docs]
    return BackendResult(tuple(i for i, _ in chosen), tuple(sc for _, sc in chosen), found.total, found.facets,
                         tuple(docs[i] for i, _ in chosen))


def passage_candidates(backend: Any, text: str, tree: Node, ftree: Node | None, head: Sequence[str], budget: int) -> list[str]:
    """The matches outside ``head`` (the rescored first candidates) whose body holds
    every word of ``text`` in its exact form (stop words included): at most ``budget``,
    best scored first, as ``search.rank.passage_candidates`` gives the Whoosh backend.

    Why: a pasted passage of common words can leave its source below the first
    candidates; holding every word, it is rescored by their order like them. The words
    filter (they do not score), so the order among these is the query's own."""
    exact = tuple(dict.fromkeys(exact_words(text)))
    if not exact or budget <= 0:
        return []
    holds = And(tuple(Phrase("body_exact", (w,)) for w in exact))
    found = backend.search(tree, holds if ftree is None else And((ftree, holds)), budget + len(head), 0, "relevance", (), None)
    seen = set(head)
    return [i for i in found.ids if i not in seen][:budget]


def rest_scores(rest: Sequence[tuple[str, float]], floor: float) -> list[tuple[str, float]]:
    """Matches deeper than the fused candidates, as ``hybrid.fuse`` scores them: strictly
    below the lowest fused score, in their lexical order."""
    top = max((sc for _, sc in rest), default=0.0) or 1.0
    return [(i, min(floor, 0.0) - 1.0 + 0.5 * sc / top) for i, sc in rest]


def _fused(matched: dict[str, float], near: Sequence[tuple[str, float]], params: FusionParams, words: int) -> list[tuple[str, float]]:
    """``hybrid.fuse`` over the words' matches and the nearest articles, numbered
    locally: the matches, fused, best first."""
    ids = list(dict.fromkeys([*matched, *(i for i, _ in near)]))
    if not ids:
        return []
    at = {i: n for n, i in enumerate(ids)}
    lex_mask = np.zeros(len(ids), dtype=bool)
    lex_scores = np.zeros(len(ids))
    similarity = np.full(len(ids), -np.inf)
    for i, s in matched.items():
        lex_mask[at[i]], lex_scores[at[i]] = True, s
    for i, s in near:
        similarity[at[i]] = s
    mask, scores = fuse(lex_mask, lex_scores, similarity, np.ones(len(ids), dtype=bool), params, words)
    return [(ids[k], float(scores[k])) for k in top_by_score(mask, scores, len(ids))]
