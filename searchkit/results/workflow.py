"""The analyst's answers after a search: who goes with whom (``Association`` of
``Associate``s: ``SearchKit.associated``, ``searchkit with --json``), hits per period
(``Timeline`` of ``Period``s: ``SearchKit.timeline``), saved searches (``SavedSearch``,
``SavedSearchList``, ``SavedRun``, ``SavedRuns``: ``SearchKit.saved``).

What this module must not do: import anything of searchkit's but the other result
modules (it is a leaf), count, rank or store anything (``workflow/`` does).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from searchkit.results.search import Hit

__all__ = ["Associate", "Association", "Period", "SavedRun", "SavedRuns", "SavedSearch", "SavedSearchList", "Timeline"]


def _filters(filters: dict[str, list[str]]) -> dict[str, list[str]]:
    return {k: list(v) for k, v in filters.items()}


# -- searchkit with: actors co-mentioned with one actor ---------------------------------


@dataclass(frozen=True)
class Associate:
    """An actor mentioned with the target: in ``count`` articles, scored by the measure."""

    value: str
    kind: str
    count: int  # articles mentioning both
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "kind": self.kind, "count": self.count, "score": round(self.score, 3)}


@dataclass(frozen=True)
class Association:
    """The actors co-mentioned with a target actor in the articles a query and filters
    match, best associated first."""

    actor: str  # the target as the facets name it
    matched: tuple[str, ...]  # every actor group the typed name resolved to
    query: str
    filters: dict[str, list[str]]
    measure: str
    articles: int  # articles (among those the query and filters match) naming the target
    universe: int  # articles the query and filters match
    actors: tuple[Associate, ...]
    # True: each near-duplicate group counts once (articles, universe and counts are
    # the hits a collapsed search shows); False: every copy counts.
    collapse: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "actor": self.actor,
            "matched": list(self.matched),
            "query": self.query,
            "filters": _filters(self.filters),
            "measure": self.measure,
            "articles": self.articles,
            "universe": self.universe,
            "collapse": self.collapse,
            "actors": [a.to_dict() for a in self.actors],
        }


# -- searchkit timeline: hits per period ----------------------------------------------


@dataclass(frozen=True)
class Period:
    """One bar of a timeline: ``2020``, ``2020-12`` or the ISO week ``2020-W51``, and
    how many matched articles were published in it."""

    period: str
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "count": self.count}


@dataclass(frozen=True)
class Timeline:
    """Articles a query and filters match per year, month or ISO week (``by``), every
    period from the first to the last listed (empty ones at 0); ``undated`` and
    ``imprecise`` (dated more coarsely than ``by``) are counted apart."""

    query: str
    filters: dict[str, list[str]]
    by: str
    total: int
    undated: int
    imprecise: int
    periods: tuple[Period, ...]
    # True: each near-duplicate group counts once, through the hit a collapsed search
    # shows for it (so ``total`` is that search's total); False: every copy counts.
    collapse: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "filters": _filters(self.filters),
            "by": self.by,
            "total": self.total,
            "undated": self.undated,
            "imprecise": self.imprecise,
            "collapse": self.collapse,
            "periods": [p.to_dict() for p in self.periods],
        }


# -- searchkit saved: searches that report what is new --------------------------------


@dataclass(frozen=True)
class SavedSearch:
    """A query and its filters saved under a name."""

    name: str
    query: str
    filters: dict[str, list[str]]
    created: str
    last_run: str
    matched: int  # articles matched at the last run

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "query": self.query,
            "filters": _filters(self.filters),
            "created": self.created,
            "last_run": self.last_run,
            "matched": self.matched,
        }


@dataclass(frozen=True)
class SavedSearchList:
    """The saved searches of one index, by name (``searchkit saved list --json``);
    iterating gives the ``SavedSearch``es."""

    searches: tuple[SavedSearch, ...] = ()

    def __iter__(self) -> Iterator[SavedSearch]:
        return iter(self.searches)

    def __len__(self) -> int:
        return len(self.searches)

    def to_dict(self) -> dict[str, Any]:
        return {"saved": [s.to_dict() for s in self.searches]}


@dataclass(frozen=True)
class SavedRun:
    """One run of a saved search: the articles it matches now that it had not matched
    when it last ran (``since``)."""

    name: str
    query: str
    filters: dict[str, list[str]]
    since: str  # when the search had last run
    total: int  # articles it matches now
    hits: tuple[Hit, ...]  # only the new ones, best first

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "query": self.query,
            "filters": _filters(self.filters),
            "since": self.since,
            "total": self.total,
            "hits": [h.to_dict() for h in self.hits],
        }


@dataclass(frozen=True)
class SavedRuns:
    """A run of every saved search, by name (``searchkit saved run --all --json``);
    iterating gives the ``SavedRun``s."""

    runs: tuple[SavedRun, ...] = ()

    def __iter__(self) -> Iterator[SavedRun]:
        return iter(self.runs)

    def __len__(self) -> int:
        return len(self.runs)

    def to_dict(self) -> dict[str, Any]:
        return {"runs": [r.to_dict() for r in self.runs]}
