"""Counts for the analyst's commands (``with``, ``timeline``): what an engine hands
``workflow`` to rank and draw, whichever backend counted it.

``CoMentions`` is the shape of co-mention counts every backend gives; the Whoosh backend
counts with numpy over a snapshot's facet tables and the mask of the articles a query
matches (``match_mask``, ``table_co_mentions``, ``posting_counts``); the OpenSearch
backend counts with aggregations (``backends.analyst``).

What it must NOT do: score or rank actors (``workflow.associate``), draw timelines, or
read stored articles.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

__all__ = ["CoMentions", "counts_from_tables", "match_mask", "posting_counts", "table_co_mentions"]


@dataclass(frozen=True)
class CoMentions:
    """What ranking the actors met with a target needs, however an engine counted it.

    ``universe``: articles the query and filters match; ``articles``: those of them that
    name the target. ``with_target[kind]``: per actor group of that kind (as the facets
    name it), articles naming it and the target; ``together`` and ``totals``: the same
    and over the universe, for the counted field (every actor, or the one kind asked
    for); ``target_groups``: each group the target's name resolved to, with its articles
    among ``articles`` (the most mentioned names the target)."""

    universe: int
    articles: int
    with_target: Mapping[str, Mapping[str, int]]
    together: Mapping[str, int]
    totals: Mapping[str, int]
    target_groups: Mapping[str, int]



def match_mask(snap: Any, q: Any, fq: Any, collapse: bool = False, prefer: np.ndarray | None = None) -> np.ndarray:
    """The live articles the parsed query ``q`` and filter query ``fq`` match, as a
    boolean array over the snapshot's document numbers (the numbering of its tables),
    without ranking or hits.

    ``collapse``: each near-duplicate group keeps one member, the one a search's
    ``total`` and facets count (its best-scoring match; with ``prefer``, document
    numbers, the best-scoring of those among its matches, if any)."""
    from searchkit.search.rank import match_scores

    mask, scores = match_scores(snap, q, fq)
    if not collapse:
        return mask
    if prefer is not None and len(prefer):
        # Preferred members outrank the others: lift their scores past every score.
        scores = scores.astype(np.float64, copy=True)
        scores[prefer] += float(scores.max() - scores.min()) + 1.0
    return snap.duplicates.representatives(mask, scores)


def table_co_mentions(snap: Any, q: Any, fq: Any, displays: set[str], kinds: Sequence[str], collapse: bool = True) -> CoMentions:
    """``CoMentions`` from a snapshot's facet tables and its mask of the articles ``q``
    and ``fq`` match; with ``collapse``, each near-duplicate group counted through the
    member a search filtered on the target shows (see ``associated``)."""
    tables = snap.tables
    whole = tables["actor"]
    idx = [i for i, v in enumerate(whole.values) if v in displays]
    named = np.unique(whole.docs[np.isin(whole.vals, idx)])
    mask = match_mask(snap, q, fq, collapse, prefer=named)
    target = np.zeros(len(mask), dtype=bool)
    target[named[named < len(mask)]] = True
    target &= mask
    return counts_from_tables(tables, displays, mask, target, kinds)


def counts_from_tables(tables: Mapping[str, Any], displays: set[str], mask: np.ndarray, target: np.ndarray, kinds: Sequence[str]) -> CoMentions:
    with_target: dict[str, dict[str, int]] = {}
    for k in kinds:
        table = tables[k]
        counts = table.count(target)
        with_target[k] = {table.values[i]: int(counts[i]) for i in np.flatnonzero(counts)}
    # One kind asked for: that kind's mentions only; else every kind, from the all-kinds table.
    whole = tables[kinds[0]] if len(kinds) == 1 else tables["actor"]
    together = whole.count(target)
    met = np.flatnonzero(together)
    totals = whole.count(mask)
    everyone = tables["actor"]
    per_group = everyone.count(target)
    return CoMentions(
        int(np.count_nonzero(mask)), int(np.count_nonzero(target)), with_target,
        {whole.values[i]: int(together[i]) for i in met}, {whole.values[i]: int(totals[i]) for i in met},
        {v: int(per_group[i]) for i, v in enumerate(everyone.values) if v in displays},
    )


def posting_counts(snap: Any, q: Any, fq: Any, field: str = "published", collapse: bool = True) -> tuple[int, dict[str, int]]:
    """The mask of matched articles (each near-duplicate group through the copy a
    collapsed search shows, with ``collapse``) over each date term's postings of
    ``field``."""
    mask = match_mask(snap, q, fq, collapse)
    terms = {term: int(np.count_nonzero(mask[docs])) for term, docs in snap.postings(field)}
    return int(np.count_nonzero(mask)), {t: n for t, n in terms.items() if n}
