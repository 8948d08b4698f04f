"""The analyst's commands on a ``Backend``: more-like-this, co-mentions, date counts.

``similar``, ``searchkit with`` and ``searchkit timeline`` on the Whoosh backend read numpy
tables over Whoosh document numbers; here the same questions go to the backend as
queries and aggregations, and the answers come back in the shapes the workflow modules
rank and draw (``search.counts.CoMentions``, the date-term counts of
``workflow.timeline.from_counts``), so both backends share the scoring and the periods.

- ``similar``: where the index has passage vectors, the articles nearest the article's
  own stored vector (k-NN, the ``SIMILAR_DEPTH`` nearest count as matches); otherwise its
  key terms weighed as the Whoosh backend weighs them (Whoosh's own ``Bo1Model`` over the
  backend's term statistics), searched as one OR of boosted terms. Either way the article
  itself is left out and filters apply.
- ``co_mentions``: the actor facets (every value) of the articles the query and filters
  match that name the target, then the exact count of each group met over all the
  articles the query and filters match.

It must NOT speak a backend's wire protocol (the backend does) or rank co-mentions
itself (``workflow.associate`` does).
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from whoosh.classify import Bo1Model

from searchkit.backends.base import BackendResult
from searchkit.search.tree import And, MatchNone, Node, Not, Or, Word, facet
from searchkit.search.operation import Ranked
from searchkit.search.similar import SIMILAR_DEPTH, SIMILAR_TERMS  # the same numbers on both backends
from searchkit.vocab import ACTOR_KINDS, FACET_FIELDS, FACET_TOP
from searchkit.search.counts import CoMentions

__all__ = ["co_mentions", "key_terms", "similar"]


def key_terms(stats: Mapping[str, tuple[int, int]], articles: int, n: int = SIMILAR_TERMS) -> list[tuple[str, float]]:
    """The ``n`` terms that best set a text apart, weighted as Whoosh's
    ``key_terms_from_text`` weighs them (Bo1, normalised): ``stats`` maps each term to
    (its frequency in the text, its frequency in the index); terms not in the index are
    skipped.

    >>> [t for t, _ in key_terms({"le": (9, 90000), "roquet": (3, 40), "zzz": (1, 0)}, 1000, 2)]
    ['roquet', 'le']
    """
    model = Bo1Model(max(articles, 1), 0)
    top_total = sum(tf for tf, _ in stats.values())
    scored = [(model.score(tf, cf, top_total), t) for t, (tf, cf) in stats.items() if cf > 0]
    if not scored:
        return []
    norm = model.normalizer(max(s for s, _ in scored), top_total) or 1.0
    scored.sort(key=lambda x: (-x[0], x[1]))
    return [(t, s / norm) for s, t in scored[:n]]


def similar(backend: Any, doc_id: str, names: frozenset[str], ftree: Node | None, limit: int, offset: int, snippets: int) -> Ranked:
    """Articles like ``doc_id`` (see the module docstring) within ``ftree``; ``query``
    holds the key terms, ``mode`` which ranking answered."""
    doc = backend.document(doc_id)  # NotFoundError for an unknown id
    stats, articles = backend.term_statistics(f"{doc.get('display_title') or doc.get('title', '')}\n{doc.get('body', '')}")
    terms = key_terms(stats, articles)
    vector = doc.get("vector") if getattr(backend, "embedding", None) else None
    if not terms and vector is None:
        return Ranked(0)
    tree = Or(tuple(Word("body", (t,), w) for t, w in terms))
    # Near-duplicate copies are not grouped on this backend (ARCHITECTURE.md): only the
    # article itself is left out.
    own = Not(facet("id", (doc_id,)))
    allowed = own if ftree is None else And((ftree, own))
    if vector is not None:
        found = _nearest(backend, vector, tree, allowed, limit, offset)
    else:
        found = backend.search(tree, allowed, limit, offset, "relevance", FACET_FIELDS, FACET_TOP, snippets=bool(snippets))
    return backend.ranked(found, names, snippets, " ".join(t for t, _ in terms), "semantic" if vector is not None else "lexical")


def _nearest(backend: Any, vector: Sequence[float], tree: Node, allowed: Node, limit: int, offset: int) -> BackendResult:
    """By meaning, as the Whoosh backend's ``similar`` where the index has vectors: the
    ``SIMILAR_DEPTH`` articles nearest the article's own stored vector are its matches
    (total and facets), ranked by cosine; the key terms mark the snippets."""
    near = backend.knn(vector, max(SIMILAR_DEPTH, offset + limit), allowed)
    ids = tuple(i for i, _ in near)
    counted = backend.search(facet("id", ids) if ids else MatchNone(), None, 0, 0, "relevance", FACET_FIELDS, FACET_TOP)
    page = near[offset : offset + limit]
    docs = backend.fetch([i for i, _ in page], tree) if page else []
    return BackendResult(tuple(i for i, _ in page), tuple(s for _, s in page), counted.total, counted.facets, tuple(docs))


def co_mentions(backend: Any, tree: Node, ftree: Node | None, displays: set[str], kinds: Sequence[str]) -> CoMentions:
    """``CoMentions`` of the target groups ``displays`` from the backend's actor facets."""
    whole = kinds[0] if len(kinds) == 1 else "actor"
    groups = backend.groups
    spellings = groups.members_of(displays, None)
    named = Or(tuple(facet(k, sorted(n for kk, n in spellings if kk == k)) for k in ACTOR_KINDS if any(kk == k for kk, _ in spellings)))
    target = backend.search(tree, named if ftree is None else And((ftree, named)), 0, 0, "relevance", tuple(dict.fromkeys((*kinds, whole, "actor"))), None)
    universe = backend.search(tree, ftree, 0, 0, "relevance", (), None)

    def counts(field: str) -> dict[str, int]:
        return {value: n for value, n, _ in target.facets[field]}

    together = counts(whole)
    # Over the universe, only the groups met with the target are counted (exactly).
    kind = None if whole == "actor" else whole
    totals = backend.group_counts(tree, ftree, {v: sorted(groups.members_of([v], kind)) for v in together})
    in_target = {v: n for v, n in counts("actor").items() if v in displays}
    return CoMentions(universe.total, target.total, {k: counts(k) for k in kinds}, together, totals, in_target)
