"""Facet values as typed -> index terms: the one resolver both search backends use.

What it is for: ``personne:Kazimi`` or ``--published "décembre 2020"`` become a
``tree.FacetTerms`` of every (field, term) the index holds for them (every spelling of
the actor's group, under the kind its group counts it as; every date term inside the
range), and a ``filters`` mapping becomes one query tree. The backends differ only in
where the vocabulary comes from (``terms``), which the engine passes in.

What it must not do: import Whoosh, open an index or search.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Mapping, Sequence

from searchkit.errors import QueryError
from searchkit.search.tree import And, FacetTerms, Node, Or
from searchkit.vocab import ACTOR_FIELDS, DATE_FIELDS, FACET_FIELDS, SORTS, UNDATED, canonical_field

__all__ = ["NOTHING", "check_page", "date_end", "date_start", "facet_terms", "filter_tree", "parse_date_value"]

_ISO = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
# A term no index holds: a facet value that resolves to nothing matches nothing.
NOTHING = "\x00nothing"


def date_start(v: str) -> str:
    """The first day an ISO prefix covers ("2020-12" -> "2020-12-01")."""
    return (v + "-01-01")[:10] if v != UNDATED else v


def date_end(v: str) -> str:
    """The last day an ISO prefix covers, as a comparable string ("2020-02" -> "2020-02-31")."""
    return (v + "-12-31")[:10] if len(v) == 4 else (v + "-31")[:10]


def parse_date_value(value: str) -> tuple[str, str]:
    """A date filter as typed -> (first, last) as ISO prefixes.

    >>> parse_date_value("2020-11..2021-01"), parse_date_value("2020")
    (('2020-11', '2021-01'), ('2020', '2020'))
    """
    value = value.strip()
    if ".." in value:
        lo, _, hi = value.partition("..")
        lo_v = parse_date_value(lo)[0] if lo.strip() else "0000"
        hi_v = parse_date_value(hi)[1] if hi.strip() else "9999"
        if date_start(lo_v) > date_end(hi_v):
            raise QueryError(f"date range '{value}' ends before it starts", hint="write FIRST..LAST, e.g. 2020-11..2021-01")
        return lo_v, hi_v
    if _ISO.match(value):
        _validate_iso(value)
        return value, value
    if value.lower() in (UNDATED, "sans date", "non daté", "non date"):
        return UNDATED, UNDATED
    from searchkit.extract.dates import extract_dates

    found = extract_dates(value)
    if not found:
        raise QueryError(
            f"cannot read the date '{value}'",
            hint='use 2020, 2020-12, 2020-12-20, a range 2020-11..2021-01, or words like "décembre 2020"',
        )
    return found[0].value, found[-1].value


def _validate_iso(value: str) -> None:
    parts = [int(p) for p in value.split("-")]
    if len(parts) > 1 and not 1 <= parts[1] <= 12 or len(parts) > 2 and not 1 <= parts[2] <= 31:
        raise QueryError(f"'{value}' is not a valid date", hint="months go from 01 to 12, days from 01 to 31")


def facet_terms(field: str, value: str, groups: Any, date_terms: Callable[[str], Iterable[str]]) -> FacetTerms:
    """The index terms of ``value`` in facet ``field``; ``date_terms(field)`` lists the
    date terms the index holds (for ranges)."""
    field = canonical_field(field) or field
    if field in ACTOR_FIELDS:
        kind = None if field == "actor" else field
        members = groups.members_of(groups.resolve(value, kind), kind)
        if not members:
            return FacetTerms(((field, NOTHING),))
        # A name is stored under the kind NER gave it in each article; the facet
        # counts it under its group's kind, and so does the filter.
        return FacetTerms(tuple(dict.fromkeys((field if kind is None else k, n) for k, n in sorted(members))))
    if field in DATE_FIELDS:
        lo, hi = parse_date_value(value)
        if lo == hi:
            return FacetTerms(((field, lo),))
        s, e = date_start(lo), date_end(hi)
        terms = sorted(t for t in date_terms(field) if t != UNDATED and date_start(t) >= s and date_end(t) <= e)
        return FacetTerms(tuple((field, t) for t in dict.fromkeys(terms)) or ((field, NOTHING),))
    raise QueryError(f"'{field}' is not a facet", hint=f"facets: {', '.join(FACET_FIELDS)}")


def filter_tree(filters: Mapping[str, Sequence[str]], resolve: Callable[[str, str], FacetTerms]) -> Node | None:
    """Different fields AND; several actors AND (both mentioned); several dates OR."""
    parts: list[Node] = []
    for raw_field, values in filters.items():
        field = canonical_field(raw_field)
        if field not in FACET_FIELDS:
            raise QueryError(f"unknown filter field '{raw_field}'", hint=f"filter on: {', '.join(FACET_FIELDS)}")
        qs = tuple(resolve(field, v) for v in values if str(v).strip())
        if qs:
            parts.append(qs[0] if len(qs) == 1 else And(qs) if field in ACTOR_FIELDS else Or(qs))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def check_page(sort: str, limit: int, offset: int) -> None:
    """The sort and paging every engine's search accepts, or a one-line ``QueryError``."""
    if sort not in SORTS:
        raise QueryError(f"unknown sort '{sort}'", hint="use relevance or date")
    if limit < 0 or offset < 0:
        raise QueryError("limit and offset must be 0 or more", hint="e.g. --limit 10")
