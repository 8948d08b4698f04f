"""Reading an HTTP request's query string into ``SearchKit`` arguments, with limits.

What it is for: one place that turns ``?q=&person=&published=&limit=...`` into the
arguments the library takes, and refuses what a server must not accept (unknown
parameters, oversize text, pages too deep) with a ``QueryError`` whose message and hint
become the JSON error. Excluded facet values (``not_person=...``) become ``SAUF``
clauses of the query, so that an exclusion means what the query language says.

What it must not do: search, or know about HTTP beyond a multi-valued mapping of strings.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from searchkit.errors import QueryError
from searchkit.vocab import FACET_FIELDS, MAX_QUERY_CHARS, MODES, SORTS

__all__ = [
    "EXCLUDE_PREFIX", "MAX_LIMIT", "MAX_OFFSET", "MAX_TOP", "Params", "SearchArgs",
    "compose_query", "search_args",
]

MAX_LIMIT = 100  # hits per page over HTTP (an export streams them all)
MAX_OFFSET = 10_000  # deeper pages are an export's job
MAX_TOP = 1_000  # facet values per field
MAX_VALUE_CHARS = 200  # one filter value
MAX_FILTER_VALUES = 30  # all filters of one request
EXCLUDE_PREFIX = "not_"  # not_person=Joe Biden: articles that do not mention him
ANY = ("token",)  # accepted everywhere: the access token may ride in the URL


class Params:
    """A request's query parameters (several values per name), read once each."""

    def __init__(self, items: Iterable[tuple[str, str]], allowed: Iterable[str]) -> None:
        self._values: dict[str, list[str]] = {}
        for name, value in items:
            self._values.setdefault(name, []).append(value)
        allowed = set(allowed) | set(ANY)
        unknown = sorted(set(self._values) - allowed)
        if unknown:
            raise QueryError(f"unknown parameter '{unknown[0]}'", hint=f"parameters here: {', '.join(sorted(allowed - set(ANY)))}")

    def all(self, name: str) -> list[str]:
        values = [v for v in self._values.get(name, []) if v.strip()]
        for v in values:
            if len(v) > MAX_VALUE_CHARS:
                raise QueryError(f"{name} is {len(v)} characters long; at most {MAX_VALUE_CHARS}", hint="give a shorter value")
        return values

    def text(self, name: str, default: str = "", limit: int = MAX_QUERY_CHARS) -> str:
        values = self._values.get(name, [])
        if len(values) > 1:
            raise QueryError(f"{name} given {len(values)} times", hint=f"give {name} once")
        value = values[0] if values else default
        if len(value) > limit:
            raise QueryError(f"{name} is {len(value)} characters long; at most {limit}", hint="shorten it, or search for its rarest words")
        return value

    def choice(self, name: str, choices: Sequence[str], default: str | None) -> str | None:
        value = self.text(name, "") or default
        if value is not None and value not in choices:
            raise QueryError(f"{name} must be one of {', '.join(choices)}, not '{value}'", hint=f"e.g. {name}={choices[0]}")
        return value

    def integer(self, name: str, default: int | None, low: int, high: int) -> int | None:
        raw = self.text(name, "")
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise QueryError(f"{name} must be a whole number, not '{raw[:40]}'", hint=f"e.g. {name}={low}") from None
        if not low <= value <= high:
            raise QueryError(f"{name} must be between {low} and {high}, not {value}", hint="an export (/api/export) streams every hit" if name in ("limit", "offset") else f"e.g. {name}={low}")
        return value

    def filters(self) -> dict[str, list[str]]:
        """The facet filters to include, ``{field: [values]}``, as ``SearchKit.search`` takes them."""
        out = {f: self.all(f) for f in FACET_FIELDS if self.all(f)}
        excluded = sum(len(self.all(EXCLUDE_PREFIX + f)) for f in FACET_FIELDS)
        if sum(map(len, out.values())) + excluded > MAX_FILTER_VALUES:
            raise QueryError(f"more than {MAX_FILTER_VALUES} filter values", hint="remove some filters")
        return out

    def excluded(self) -> dict[str, list[str]]:
        return {f: self.all(EXCLUDE_PREFIX + f) for f in FACET_FIELDS if self.all(EXCLUDE_PREFIX + f)}


FILTER_PARAMS = tuple(FACET_FIELDS) + tuple(EXCLUDE_PREFIX + f for f in FACET_FIELDS)


def compose_query(query: str, excluded: Mapping[str, Sequence[str]]) -> str:
    """``query`` with each excluded facet value as a ``SAUF field:"value"`` clause: what a
    user would type in the CLI for the same search (the API's ``query`` says it)."""
    clauses = [f'SAUF {name}:"{_unquoted(v)}"' for name, values in excluded.items() for v in values]
    if not clauses:
        return query
    head = f"({query.strip()}) " if query.strip() else ""
    return head + " ".join(clauses)


def _unquoted(value: str) -> str:
    # A quote inside the value would end the phrase; no actor or date name needs one.
    return " ".join(value.replace('"', " ").split())


@dataclass(frozen=True)
class SearchArgs:
    """What ``SearchKit.search`` is called with for one request."""

    query: str
    filters: dict[str, list[str]] = field(default_factory=dict)
    limit: int = 10
    offset: int = 0
    sort: str = "relevance"
    mode: str | None = None


SEARCH_PARAMS = ("q", "sort", "mode", "limit", "offset", *FILTER_PARAMS)


def search_args(params: Params, default_limit: int) -> SearchArgs:
    """The search a request asks for; ``QueryError`` for anything out of bounds."""
    query = compose_query(params.text("q"), params.excluded())
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"the query and its exclusions are {len(query)} characters long; at most {MAX_QUERY_CHARS}", hint="remove some exclusions")
    return SearchArgs(
        query=query,
        filters=params.filters(),
        limit=params.integer("limit", min(default_limit, MAX_LIMIT), 0, MAX_LIMIT) or 0,
        offset=params.integer("offset", 0, 0, MAX_OFFSET) or 0,
        sort=params.choice("sort", SORTS, "relevance") or "relevance",
        mode=params.choice("mode", MODES, None),
    )
