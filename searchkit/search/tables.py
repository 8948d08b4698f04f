"""Facet tables: each facet field as (document, value) pairs, so that a query's facet
counts are one ``bincount`` over the documents it matched instead of a walk over term
lists. Actor values are counted under their group's display name (one count per
article even when it spells the actor two ways); dates count by month, a year-only
date under its year.

Built from postings handed in by the caller; this module opens no index.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np

from searchkit.results import FacetValue
from searchkit.search.groups import ActorGroups
from searchkit.vocab import ACTOR_FIELDS, FACET_FIELDS, FACET_TOP, UNDATED

__all__ = ["FacetTable", "build_table", "facet_counts"]

PostingsFn = Callable[[str], Iterable[tuple[str, np.ndarray]]]


@dataclass
class FacetTable:
    """One facet field as (document, value) pairs: counted with one bincount."""

    values: list[str]
    variants: list[tuple[str, ...]]
    docs: np.ndarray
    vals: np.ndarray

    def __post_init__(self) -> None:
        # Each value's place in alphabetical order: the tie-break of facet_counts.
        self.alpha_rank = np.empty(len(self.values), dtype=np.int64)
        self.alpha_rank[sorted(range(len(self.values)), key=self.values.__getitem__)] = np.arange(len(self.values))

    def count(self, mask: np.ndarray) -> np.ndarray:
        if not len(self.docs):
            return np.zeros(len(self.values), dtype=np.int64)
        return np.bincount(self.vals[mask[self.docs]], minlength=len(self.values))


class _Pairs:
    """(document, value) pairs as they are collected, values numbered on first sight."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self.index: dict[str, int] = {}
        self.docs: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []

    def add(self, value: str, ids: np.ndarray) -> None:
        if value not in self.index:
            self.index[value] = len(self.values)
            self.values.append(value)
        self.docs.append(ids)
        self.vals.append(np.full(len(ids), self.index[value], dtype=np.int64))

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        if not self.docs:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        docs, vals = np.concatenate(self.docs), np.concatenate(self.vals)
        # A document with two spellings of one actor counts once.
        pairs = np.unique(np.stack([docs, vals], axis=1), axis=0)
        return pairs[:, 0].copy(), pairs[:, 1].copy()


def _add_actors(pairs: _Pairs, field: str, postings: PostingsFn, groups: ActorGroups) -> None:
    for kind in ("person", "org", "place"):
        for name, ids in postings(kind):
            if field == "actor" or groups.kind.get((kind, name), kind) == field:
                pairs.add(groups.display.get((kind, name), name), ids)


def _add_dates(pairs: _Pairs, field: str, postings: PostingsFn) -> None:
    # Dates count by month; a year-only date counts under its year.
    months: dict[str, np.ndarray] = {}
    years: dict[str, np.ndarray] = {}
    for term, ids in postings(field):
        if term == UNDATED:
            pairs.add(UNDATED, ids)
        elif len(term) == 7:
            months[term] = ids
        elif len(term) == 4:
            years[term] = ids
    for month, ids in sorted(months.items()):
        pairs.add(month, ids)
    for year, ids in sorted(years.items()):
        covered = [ids_m for m, ids_m in months.items() if m.startswith(year)]
        rest = np.setdiff1d(ids, np.concatenate(covered)) if covered else ids
        if len(rest):
            pairs.add(year, rest)


def build_table(field: str, postings: PostingsFn, groups: ActorGroups) -> FacetTable:
    """The table of ``field`` from ``postings(field) -> (term, document numbers)``."""
    pairs = _Pairs()
    if field in ACTOR_FIELDS:
        _add_actors(pairs, field, postings, groups)
        variants = [tuple(sorted(groups.variants([v], None) - {v})) for v in pairs.values]
    else:
        _add_dates(pairs, field, postings)
        variants = [() for _ in pairs.values]
    docs, vals = pairs.arrays()
    return FacetTable(pairs.values, variants, docs, vals)


def facet_counts(
    tables: dict[str, FacetTable], mask: np.ndarray, fields: Sequence[str] = FACET_FIELDS, top: int | None = FACET_TOP
) -> dict[str, tuple[FacetValue, ...]]:
    """The values of each of ``fields`` among the documents of ``mask``, most frequent
    first, ties alphabetical; ``top`` values each (None: all)."""
    out: dict[str, tuple[FacetValue, ...]] = {}
    for f in fields:
        table = tables[f]
        counts = table.count(mask)
        nz = np.flatnonzero(counts)
        # One lexsort, no Python key per value.
        order = nz[np.lexsort((table.alpha_rank[nz], -counts[nz]))]
        if top is not None:
            order = order[:top]
        out[f] = tuple(FacetValue(table.values[i], int(counts[i]), table.variants[i]) for i in order)
    return out
