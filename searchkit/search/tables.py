"""Facet tables: each facet field as (document, value) pairs, so that a query's facet
counts are one ``bincount`` over the documents it matched instead of a walk over term
lists. Actor values are counted under their group's display name (one count per
article even when it spells the actor two ways); dates count by month, a year-only
date under its year.

Built from postings handed in by the caller; this module opens no index.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dataclass_field
from typing import Callable, Iterable, Sequence

import numpy as np

from searchkit.results import FacetValue
from searchkit.search.groups import ActorGroups
from searchkit.vocab import ACTOR_FIELDS, FACET_FIELDS, FACET_TOP, UNDATED

__all__ = ["FacetTable", "build_table", "facet_counts", "link_kinds"]

PostingsFn = Callable[[str], Iterable[tuple[str, np.ndarray]]]


@dataclass
class FacetTable:
    """One facet field as (document, value) pairs: counted with one bincount."""

    values: list[str]
    variants: list[tuple[str, ...]]
    docs: np.ndarray
    vals: np.ndarray
    # For person, org and place: each value's place in the actor table, when every
    # value has exactly the documents of its actor value (``link_kinds``); their counts
    # are then read off the actor table's instead of counted again.
    in_actor: np.ndarray | None = None
    # Why a value holds an acronym and its long form, per value ("" for most).
    because: list[str] = dataclass_field(default_factory=list)

    def __post_init__(self) -> None:
        # Each value's place in alphabetical order: the tie-break of facet_counts.
        self.alpha_rank = np.empty(len(self.values), dtype=np.int64)
        self.alpha_rank[sorted(range(len(self.values)), key=self.values.__getitem__)] = np.arange(len(self.values))

    def count(self, mask: np.ndarray) -> np.ndarray:
        """How many documents of ``mask`` have each value."""
        if not len(self.docs):
            return np.zeros(len(self.values), dtype=np.int64)
        matched = np.flatnonzero(mask)
        if len(matched) * 4 < len(mask):
            # Few matches: only their pairs, found through the documents' offsets (docs
            # are sorted), so a query that matches 5% of the corpus reads 5% of the pairs.
            return self._count_of(matched, len(mask))
        if len(matched) * 4 > len(mask) * 3:
            # Most documents match: every value's total less what the others have.
            return self._totals() - self._count_of(np.flatnonzero(~mask), len(mask))
        return np.bincount(self.vals[mask[self.docs]], minlength=len(self.values))

    def _count_of(self, documents: np.ndarray, size: int) -> np.ndarray:
        offsets = self._offsets(size)
        starts, ends = offsets[documents], offsets[documents + 1]
        sizes = ends - starts
        total = int(sizes.sum())
        if not total:
            return np.zeros(len(self.values), dtype=np.int64)
        first = np.cumsum(sizes) - sizes  # where each document's pairs start in the selection
        positions = np.arange(total) + np.repeat(starts - first, sizes)
        return np.bincount(self.vals[positions], minlength=len(self.values))

    def _totals(self) -> np.ndarray:
        totals = getattr(self, "totals", None)
        if totals is None:
            totals = self.totals = np.bincount(self.vals, minlength=len(self.values))
        return totals

    def _offsets(self, size: int) -> np.ndarray:
        """Where each document's pairs start in ``docs`` (``size`` + 1 entries)."""
        offsets = getattr(self, "offsets", None)
        if offsets is None or len(offsets) != size + 1:
            offsets = self.offsets = np.searchsorted(self.docs, np.arange(size + 1))
        return offsets

    def top(self, counts: np.ndarray, k: int | None) -> np.ndarray:
        """The values with a count, most frequent first, ties alphabetical; ``k`` of them
        (None: all). One partition and a sort of the ``k``, not a sort of them all."""
        nz = np.flatnonzero(counts)
        # One integer key: higher count first, then alphabetical rank.
        key = -counts[nz] * (len(self.values) + 1) + self.alpha_rank[nz]
        if k is not None and k < len(nz):
            part = np.argpartition(key, k)[:k]
            nz, key = nz[part], key[part]
        return nz[np.argsort(key, kind="stable")]


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
        because = [groups.because(v) for v in pairs.values]
    else:
        _add_dates(pairs, field, postings)
        variants = [() for _ in pairs.values]
        because = []
    docs, vals = pairs.arrays()
    return FacetTable(pairs.values, variants, docs, vals, because=because)


def link_kinds(tables: dict[str, FacetTable]) -> None:
    """Set ``in_actor`` on the person, org and place tables whose values each have the
    same documents as the actor value of the same name. A kind's documents for a name
    are a subset of the actor's (the actor table adds every kind), so equal pair counts
    mean equal documents; a table with any value that differs keeps its own count."""
    actor = tables.get("actor")
    if actor is None:
        return
    where = {v: i for i, v in enumerate(actor.values)}
    per_actor = np.bincount(actor.vals, minlength=len(actor.values))
    for kind in ("person", "org", "place"):
        table = tables.get(kind)
        if table is None or any(v not in where for v in table.values):
            continue
        index = np.array([where[v] for v in table.values], dtype=np.int64)
        if np.array_equal(per_actor[index], np.bincount(table.vals, minlength=len(table.values))):
            table.in_actor = index


def facet_counts(
    tables: dict[str, FacetTable], mask: np.ndarray, fields: Sequence[str] = FACET_FIELDS, top: int | None = FACET_TOP
) -> dict[str, tuple[FacetValue, ...]]:
    """The values of each of ``fields`` among the documents of ``mask``, most frequent
    first, ties alphabetical; ``top`` values each (None: all)."""
    out: dict[str, tuple[FacetValue, ...]] = {}
    actor_counts: np.ndarray | None = None
    for f in sorted(fields, key=lambda f: f != "actor"):  # the actor table first: the kinds may read it
        table = tables[f]
        if table.in_actor is not None:
            if actor_counts is None:
                actor_counts = tables["actor"].count(mask)
            counts = actor_counts[table.in_actor]
        else:
            counts = table.count(mask)
            if f == "actor":
                actor_counts = counts
        order = table.top(counts, top)
        out[f] = tuple(FacetValue(table.values[i], int(counts[i]), table.variants[i], table.because[i] if table.because else "") for i in order)
    return {f: out[f] for f in fields}
