"""Who goes with whom: the actors mentioned in the same articles as one actor, scored
so that actors found everywhere do not top every list.

Counting gives ``CoMentions`` (``search.counts``): how many articles a query and filters
match, how many of them name the target, and per actor group how many of each. The
engine's backend counts (``co_mentions``): the Whoosh backend with numpy over its facet
tables, the OpenSearch backend with terms aggregations. Either way the same ``rank_co_mentions`` scores
them: how often an actor appears with the target against how often it would by chance
(``scores``; the measure was chosen on real news: see bench/associate.py and BENCHMARKS.md).

What this module must not do: touch Whoosh, read stored articles, or load the NER
model; it reads only counts, the facet tables and the actor groups.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from searchkit.errors import NotFoundError, QueryError
from searchkit.results.workflow import Associate, Association
from searchkit.search.counts import CoMentions, counts_from_tables
from searchkit.vocab import clean_filters

if TYPE_CHECKING:  # pragma: no cover
    from searchkit.search.engine import Engine

__all__ = ["KINDS", "MEASURES", "Associate", "Association", "CoMentions", "associated", "rank", "rank_co_mentions", "scores"]

KINDS = ("person", "org", "place")
# llr: Dunning's log-likelihood ratio G², signed (negative when the pair meets less
# often than chance); pmi: pointwise mutual information, log2 of the lift; npmi: PMI
# scaled to [-1, 1]; count: raw co-mentions (what a facet count gives, for comparison).
MEASURES = ("llr", "pmi", "npmi", "count")
DEFAULT_MEASURE = "llr"


def scores(measure: str, n: int, n_target: int, together: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Association of the target (in ``n_target`` of ``n`` articles) with each actor
    (in ``totals`` articles, ``together`` of them with the target).

    >>> t, tot = np.array([10, 10]), np.array([10, 500])
    >>> [round(float(x), 2) for x in scores("pmi", 1000, 20, t, tot)]
    [5.64, 0.0]
    >>> bool(scores("llr", 1000, 20, t, tot)[0] > scores("llr", 1000, 20, t, tot)[1])
    True
    """
    k11 = together.astype(np.float64)
    tot = totals.astype(np.float64)
    if measure == "count":
        return k11
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure in ("pmi", "npmi"):
            pmi = np.log2(k11 * n / (n_target * tot))
            if measure == "pmi":
                return pmi
            joint = -np.log2(k11 / n)
            return np.where(joint > 0, pmi / np.where(joint > 0, joint, 1), 1.0)
        if measure == "llr":
            # The 2x2 table: with/without the target x with/without the actor.
            k12, k21 = n_target - k11, tot - k11
            k22 = n - n_target - tot + k11
            cells = (k11, k12, k21, k22)
            rows = (n_target, n_target, n - n_target, n - n_target)
            cols = (tot, n - tot, tot, n - tot)
            g2 = np.zeros_like(k11)
            for k, r, c in zip(cells, rows, cols):
                # 0 * log 0 counts as 0.
                g2 += np.where(k > 0, k * np.log(np.where(k > 0, k * n, 1) / np.maximum(r * c, 1e-300)), 0.0)
            g2 = 2 * np.maximum(g2, 0.0)
            expected = n_target * tot / n
            return np.where(k11 >= expected, g2, -g2)
    raise QueryError(f"unknown association measure '{measure}'", hint=f"use one of: {', '.join(MEASURES)}")


def associated(
    engine: "Engine",
    actor: str,
    kind: str | None = None,
    query: str = "",
    filters: Mapping[str, Sequence[str]] | None = None,
    top: int = 20,
    measure: str = DEFAULT_MEASURE,
    min_count: int = 2,
    collapse: bool = True,
) -> Association:
    """The actors co-mentioned with ``actor`` (any spelling) in the articles ``query``
    and ``filters`` match, best associated first; ``kind`` lists only people,
    organisations or places. Actors met with the target fewer than ``min_count``
    times are left out: one shared article says little.

    ``collapse`` (default): each near-duplicate group counts once, as in a collapsed
    search, so that one dispatch copied five times is one co-mention, not five. The
    group is counted through the member a search filtered on the target would show
    (its best match among the copies naming the target, if any does), so ``count``
    is the facet count of a search for the query with the target as a filter."""
    if kind is not None and kind not in KINDS:
        raise QueryError(f"unknown kind '{kind}'", hint="use person, org or place")
    if measure not in MEASURES:
        raise QueryError(f"unknown association measure '{measure}'", hint=f"use one of: {', '.join(MEASURES)}")
    if not actor.strip():
        raise QueryError("no actor given", hint='name one, e.g. searchkit with "Joe Biden"')
    filters = clean_filters(filters)
    displays = engine.groups.resolve(actor, None)
    if not displays:
        raise NotFoundError(f"no actor named '{actor}' in the index", hint="`searchkit facets actor` lists them (any spelling of a name works)")
    kinds = (kind,) if kind else KINDS
    # Each engine counts its own way (facet tables, or the backend's aggregations); an
    # engine that keeps no near-duplicate groups counts every copy.
    collapse = collapse and engine.collapses
    counts = engine.co_mentions(query, filters, displays, kinds, collapse)
    # The target's name: its most mentioned group among the matched articles.
    main = max(sorted(displays), key=lambda d: counts.target_groups.get(d, -1))
    found = rank_co_mentions(counts, displays, measure, min_count)
    return Association(main, tuple(sorted(displays)), query, filters, measure, counts.articles, counts.universe,
                       tuple(found[:top] if top else found), collapse)


def rank_co_mentions(counts: CoMentions, displays: set[str], measure: str = DEFAULT_MEASURE, min_count: int = 2) -> list[Associate]:
    """Every actor met with the target, scored against the universe, best first; the
    target's own groups (``displays``) and actors met fewer than ``min_count`` times
    with it are left out."""
    n, n_target = counts.universe, counts.articles
    if not n_target:
        return []
    # One row per name: a name tagged as two kinds ("RN" as org and as person) is
    # counted once, from the all-kinds counts, and shown with its most frequent kind.
    kind_of: dict[str, tuple[int, str]] = {}
    for k, met in counts.with_target.items():
        for value, c in met.items():
            if value not in displays and c > kind_of.get(value, (0, ""))[0]:
                kind_of[value] = (c, k)
    keep = sorted(v for v in kind_of if counts.together.get(v, 0) >= max(1, min_count))
    if not keep:
        return []
    together = np.array([counts.together[v] for v in keep], dtype=np.int64)
    totals = np.array([counts.totals[v] for v in keep], dtype=np.int64)
    s = scores(measure, n, n_target, together, totals)
    found = [Associate(v, kind_of[v][1], int(t), float(x)) for v, t, x in zip(keep, together, s)]
    found.sort(key=lambda a: (-a.score, -a.count, a.value))
    return found


def rank(
    tables: Mapping[str, Any],
    displays: set[str],
    mask: np.ndarray,
    target: np.ndarray,
    kinds: Sequence[str] = KINDS,
    measure: str = DEFAULT_MEASURE,
    min_count: int = 2,
) -> list[Associate]:
    """Every actor of ``kinds`` met in ``target`` articles (a subset of ``mask``),
    scored against ``mask`` as the universe, best first; the target's own groups
    (``displays``) are left out. Pure numpy over facet tables (bench/associate.py
    evaluates the measures with it)."""
    return rank_co_mentions(counts_from_tables(tables, displays, mask, target, kinds), displays, measure, min_count)
