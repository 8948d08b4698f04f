"""Facet values as typed -> the index terms they name, as a query tree node.

What it is for: ``personne:Kazimi`` or ``date:"décembre 2020"`` in a query become a
``tree.FacetTerms`` of every (field, term) the index holds for them: every spelling of
the actor's group, under the kind its group counts it as; every date term inside the
range. The same terms, in the same order, as ``resolve.facet_query`` gives as Whoosh
queries (the parser's old currency). Also the date helpers both share.

What it must NOT do: import Whoosh, open an index or search: the caller passes the
actor groups and the date vocabulary (``date_terms(field)``).
"""
from __future__ import annotations

import re
from typing import Any, Callable, Iterable

from searchkit.errors import QueryError
from searchkit.search.tree import FacetTerms
from searchkit.vocab import ACTOR_FIELDS, DATE_FIELDS, FACET_FIELDS, UNDATED, canonical_field

__all__ = ["NOTHING", "date_end", "date_start", "facet_terms", "parse_date_value"]

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
    """The index terms of ``value`` in facet ``field`` (``resolve.facet_query``'s terms)."""
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
