"""Facet values as typed -> index terms: the one resolver both search backends use.

What it is for: ``personne:Kazimi`` or ``--published "décembre 2020"`` become the terms
the index holds (every spelling of the actor's group, under the kind its group counts
it as; every date term inside the range), and a ``filters`` mapping becomes one query.
The backends differ only in where the vocabulary comes from (``terms``), which the
engine passes in.

What it must not do: open an index or search: it builds Whoosh query objects (the
parser's currency; backends/base.py converts them for other engines).
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Sequence

from whoosh import query as Q

from searchkit.errors import QueryError
# The date and "nothing" helpers are whoosh-free: they live with the tree resolver.
from searchkit.search.facet_terms import NOTHING, date_end, date_start, parse_date_value
from searchkit.vocab import ACTOR_FIELDS, DATE_FIELDS, FACET_FIELDS, SORTS, UNDATED, canonical_field

__all__ = ["NOTHING", "check_page", "date_end", "date_start", "facet_query", "filter_query", "parse_date_value"]


def facet_query(field: str, value: str, groups: Any, date_terms: Callable[[str], Iterable[str]]) -> Q.Query:
    """The index terms of ``value`` in facet ``field``; ``date_terms(field)`` lists the
    date terms the index holds (for ranges)."""
    field = canonical_field(field) or field
    if field in ACTOR_FIELDS:
        kind = None if field == "actor" else field
        members = groups.members_of(groups.resolve(value, kind), kind)
        if not members:
            return Q.Term(field, NOTHING)
        # A name is stored under the kind NER gave it in each article; the facet
        # counts it under its group's kind, and so does the filter.
        return Q.Or([Q.Term(field if kind is None else k, n) for k, n in sorted(members)])
    if field in DATE_FIELDS:
        lo, hi = parse_date_value(value)
        if lo == hi:
            return Q.Term(field, lo)
        s, e = date_start(lo), date_end(hi)
        terms = sorted(t for t in date_terms(field) if t != UNDATED and date_start(t) >= s and date_end(t) <= e)
        return Q.Or([Q.Term(field, t) for t in terms]) if terms else Q.Term(field, NOTHING)
    raise QueryError(f"'{field}' is not a facet", hint=f"facets: {', '.join(FACET_FIELDS)}")


def filter_query(filters: Mapping[str, Sequence[str]], resolve: Callable[[str, str], Q.Query]) -> Q.Query | None:
    """Different fields AND; several actors AND (both mentioned); several dates OR."""
    parts: list[Q.Query] = []
    for raw_field, values in filters.items():
        field = canonical_field(raw_field)
        if field not in FACET_FIELDS:
            raise QueryError(f"unknown filter field '{raw_field}'", hint=f"filter on: {', '.join(FACET_FIELDS)}")
        qs = [resolve(field, v) for v in values if str(v).strip()]
        if qs:
            parts.append(Q.And(qs) if field in ACTOR_FIELDS else Q.Or(qs))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Q.And(parts)


def check_page(sort: str, limit: int, offset: int) -> None:
    """The sort and paging every engine's search accepts, or a one-line ``QueryError``."""
    if sort not in SORTS:
        raise QueryError(f"unknown sort '{sort}'", hint="use relevance or date")
    if limit < 0 or offset < 0:
        raise QueryError("limit and offset must be 0 or more", hint="e.g. --limit 10")
