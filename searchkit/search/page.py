"""The Whoosh backend's answer to a ``Plan``: rank one snapshot (by meaning, on the
numpy fast path, else with Whoosh; the first candidates of a several-word query
rescored by word order), count its facets, and bring back the page's stored fields
with the body spans to mark and each hit's near-duplicate copies.

What it is for: the policy between the ranking steps of ``search/rank`` (which one
runs, to what depth) in one place, for ``backends/whoosh``. What it must NOT do: parse
queries, pick the mode, make ``Hit``s (the engine does), or write the index.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from searchkit.search import proximity, rank
from searchkit.search.hits import body_spans, query_terms
from searchkit.search.hybrid import FusionParams
from searchkit.search.operation import Match, Plan, Ranked
from searchkit.search.snapshot import Snapshot
from searchkit.search.tables import facet_counts

__all__ = ["matches", "rank_plan"]


def rank_plan(snap: Snapshot, semantic: Any, fusion: FusionParams, plan: Plan) -> Ranked:
    """Every match counted, the page ranked and fetched, facets over every match."""
    mask, ranked, near = _rank(snap, semantic, fusion, plan)
    ranked, near = ranked[plan.offset:], near if plan.limit else []
    # The index terms the query expands to (fuzzy, wildcards), once for the page and the related.
    terms = query_terms(snap.searcher.reader(), plan.query) if plan.snippets and (ranked or near) else (set(), set())
    page = matches(snap, ranked, terms, plan.names, plan.snippets)
    related = matches(snap, near, terms, plan.names, plan.snippets)
    facets = facet_counts(snap.tables, mask, plan.facet_fields, plan.facet_top) if plan.facet_fields else {}
    return Ranked(int(np.count_nonzero(mask)), page, facets, related)


def _rank(snap: Snapshot, semantic: Any, fusion: FusionParams, plan: Plan) -> tuple[np.ndarray, list[tuple[int, float]], list[tuple[int, float]]]:
    """(every match, the ``plan.want`` first as (docnum, score), the articles related
    by meaning alone as (docnum, cosine): hybrid mode only)."""
    q, fq, dups = plan.query, plan.fq, snap.duplicates
    # A query of several plain words: its first candidates are rescored by word
    # order (search/proximity.py), always the same number of them, whatever the page.
    words = proximity.query_words(plan.text) if plan.sort == "relevance" and plan.limit and plan.mode != "semantic" else ()
    want = max(plan.want, proximity.depth(words))
    if plan.mode != "lexical":
        mask, ranked, near, scores = rank.meaning_page(snap, semantic, fusion, q, fq, plan.text, plan.mode, plan.sort, want, plan.collapse)
        return mask, rank.reorder(snap, ranked, words, plan.text, mask, scores)[: plan.want], near
    found = rank.fast_rank(snap, q, fq, want, dups if plan.collapse else None) if plan.sort == "relevance" else None
    if found is not None:
        return found[0], rank.reorder(snap, found[1], words, plan.text, found[0], found[2])[: plan.want], []
    # Whoosh evaluates what the numpy copy cannot (phrases, wildcards, fuzzy
    # terms, ranges) and sorts by date.
    mask, ranked = rank.whoosh_search(snap, q, fq, plan.sort, plan.want, plan.limit, dups if plan.collapse else None)
    return mask, ranked, []


def matches(snap: Snapshot, ranked: Sequence[tuple[int, float]], terms: tuple[set[str], set[str]], names: frozenset[str],
            snippets: int) -> tuple[Match, ...]:
    """The stored fields of ``ranked`` (docnum, score), with the body spans of ``terms``
    (stemmed, exact index terms) and of the actor spellings ``names`` (none without
    ``snippets``), and each one's near-duplicate copies."""
    stemmed, exact = terms
    wanted, dups, out = set(names), snap.duplicates, []
    for d, score in ranked:
        fields = snap.searcher.stored_fields(d)
        spans = tuple(body_spans(fields, stemmed, exact, wanted)) if snippets else ()
        out.append(Match(fields, score, spans, tuple(dups.others(d))))
    return tuple(out)
