"""One search: the parameters of ``SearchKit.search``, checked and normalised once
(``SearchRequest``), and the ``Results`` the engine answers with.

What it is for: the parameters, their defaults and their checks are written here and
nowhere else (the library's documented signature is ``SearchKit.search``'s, which
builds a request; ``search.engine`` takes it, on any backend).

What it must NOT do: parse the query, rank, or know which backend answers.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from searchkit.results import Results
from searchkit.search.resolve import check_page
from searchkit.vocab import FACET_TOP, clean_filters

__all__ = ["SearchRequest", "answer"]

# Fewer hits than this, and the search proposes a "did you mean".
SUGGEST_BELOW = 3


@dataclass(frozen=True)
class SearchRequest:
    """``text`` and ``filters`` (facet -> values; empty lists dropped, values as strings),
    the page (``limit`` from ``offset``, by ``sort``), facet counts (``facet_top`` values
    each, None: all), snippets per hit (None: the engine's default), lenient or
    ``strict`` reading, the ``mode`` (None: the engine's default) and near-duplicate
    ``collapse``. ``of`` checks them."""

    text: str
    filters: dict[str, list[str]] = field(default_factory=dict)
    limit: int = 10
    offset: int = 0
    sort: str = "relevance"
    facets: bool = True
    snippet_count: int | None = None
    strict: bool = False
    mode: str | None = None
    facet_top: int | None = FACET_TOP
    collapse: bool = True

    @classmethod
    def of(cls, text: str, filters: Mapping[str, Sequence[Any]] | None = None, **options: Any) -> "SearchRequest":
        """The request for ``text``, ``filters`` and ``options`` (the other fields by
        name), or a one-line ``QueryError`` for a bad sort or page."""
        clean = clean_filters(filters)
        request = cls(text, clean, **options)
        check_page(request.sort, request.limit, request.offset)
        return request

    @property
    def stripped(self) -> str:
        return self.text.strip()

    @property
    def browsing(self) -> bool:
        """Everything asked for: no words, or ``*``."""
        return self.stripped in ("", "*")

    @property
    def want(self) -> int:
        """How many ranked hits the page needs."""
        return self.offset + self.limit


def answer(request: SearchRequest, started: float, total: int, hits: Sequence[Any], facets: Mapping[str, Any], notices: Sequence[str],
           mode: str, related: Sequence[Any], suggest: Callable[[str], str | None]) -> Results:
    """The ``Results`` of ``request``: "did you mean" (``suggest``) when it found fewer
    than ``SUGGEST_BELOW`` articles for some words, and the time since ``started``."""
    suggestion = suggest(request.stripped) if total < SUGGEST_BELOW and not request.browsing else None
    took = (time.perf_counter() - started) * 1000
    return Results(request.text, request.filters, total, took, suggestion, tuple(hits), dict(facets), request.offset,
                   tuple(notices), mode, tuple(related))
