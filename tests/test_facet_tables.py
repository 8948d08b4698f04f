"""Facet counting (search/tables.py): the fast ways -- only the matched documents'
pairs for a small match, the kinds read off the actor table, one partition for the
top values -- count exactly what one pass over every pair counts."""
from __future__ import annotations

import dataclasses

import numpy as np

from searchkit import SearchKit
from searchkit.search.engine import Engine
from searchkit.search.tables import FacetTable, facet_counts, link_kinds


def _direct(tables: dict[str, FacetTable], mask: np.ndarray, top: int | None) -> dict[str, list[tuple[str, int]]]:
    out = {}
    for f, t in tables.items():
        counts = np.bincount(t.vals[mask[t.docs]], minlength=len(t.values)) if len(t.docs) else np.zeros(len(t.values), int)
        order = sorted(np.flatnonzero(counts), key=lambda i: (-counts[i], t.values[i]))
        out[f] = [(t.values[i], int(counts[i])) for i in (order if top is None else order[:top])]
    return out


def test_fast_counts_equal_one_pass_over_every_pair(seeds_kit: SearchKit) -> None:
    engine = Engine.open(seeds_kit.config.index_dir, seeds_kit.config.aliases)
    tables = engine.backend.tables
    assert all(tables[k].in_actor is not None for k in ("person", "org", "place"))  # the seeds' kinds are linked
    rng = np.random.default_rng(5)
    size = engine.backend.searcher.doc_count_all()
    for density in (0.0, 0.1, 0.3, 0.6, 0.8, 0.95, 1.0):
        mask = rng.random(size) < density
        for top in (None, 1, 3, 20):
            got = {f: [(v.value, v.count) for v in vs] for f, vs in facet_counts(tables, mask, top=top).items()}
            assert got == _direct(tables, mask, top), (density, top)
    engine.close()


def test_a_kind_whose_documents_differ_from_the_actor_is_counted_apart() -> None:
    # Doc 0 names "Paris" as a place, doc 1 as an organisation: the place table's
    # "Paris" has one document, the actor table's two.
    actor = FacetTable(["Paris"], [()], np.array([0, 1]), np.array([0, 0]))
    place = FacetTable(["Paris"], [()], np.array([0]), np.array([0]))
    org = FacetTable(["Paris"], [()], np.array([1]), np.array([0]))
    person = FacetTable(["Hidalgo"], [()], np.array([1]), np.array([0]))
    tables = {"actor": actor, "person": person, "org": org, "place": place}
    link_kinds(tables)
    assert place.in_actor is None and org.in_actor is None and person.in_actor is None
    mask = np.array([True, False])
    assert {f: [(v.value, v.count) for v in vs] for f, vs in facet_counts(tables, mask, tuple(tables)).items()} == {
        "actor": [("Paris", 1)], "person": [], "org": [], "place": [("Paris", 1)]}
    linked = {k: dataclasses.replace(t) for k, t in tables.items()}
    linked["place"] = FacetTable(["Paris"], [()], np.array([0, 1]), np.array([0, 0]))
    link_kinds(linked)
    assert linked["place"].in_actor is not None
