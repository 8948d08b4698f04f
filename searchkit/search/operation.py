"""What the one ``Engine`` asks a backend for one operation, and what comes back.

The engine parses, resolves filters, picks the mode and makes the hits; a backend
ranks and counts in its own way (the Whoosh backend on numpy postings and whole-index
vector arrays, the OpenSearch backend with queries and aggregations) and returns the
stored fields of the page, with the body spans to mark. These types are the contract
between the two sides, so that neither knows how the other works.

What it must NOT do: hold logic, or any object that dies with a searcher (fields are
plain dicts, spans plain offsets).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from searchkit.results import FacetValue

__all__ = ["Match", "Plan", "QueryMatch", "Ranked"]


@dataclass(frozen=True)
class Plan:
    """One search as a backend ranks it: the parsed query and the filters as query
    trees (``search/tree``; each backend compiles them into its own language), the
    settings the steps share, and what to bring back with the page."""

    text: str  # the query as typed, stripped ("" or "*": everything)
    query: Any  # the parsed query's tree (``ParsedTree.tree``; compiled, on the Whoosh backend's side)
    fq: Any  # the filters' tree, or None
    mode: str  # "lexical", "semantic" or "hybrid" (``search/mode`` decided)
    sort: str  # "relevance" or "date"
    limit: int
    offset: int
    collapse: bool  # near-duplicate groups count once (where the backend keeps them)
    facet_fields: tuple[str, ...] = ()
    facet_top: int | None = None
    snippets: int = 0  # snippets per hit: 0, no spans to compute
    names: frozenset[str] = frozenset()  # actor spellings to mark (query's fields and filters)

    @property
    def want(self) -> int:
        """How many ranked articles the page needs."""
        return self.offset + self.limit


@dataclass(frozen=True)
class Match:
    """One ranked article: its stored fields, its score, the body spans to mark
    (query words and the actors of ``Plan.names``), and its near-duplicate copies."""

    fields: Mapping[str, Any]
    score: float
    spans: tuple[tuple[int, int], ...] = ()
    duplicates: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ranked:
    """A backend's answer to a ``Plan``: how many articles match (each near-duplicate
    group once with ``collapse``), the page, the facet counts over every match, and,
    in hybrid mode, the articles related by meaning alone (score = cosine)."""

    total: int
    page: tuple[Match, ...] = ()
    facets: Mapping[str, tuple[FacetValue, ...]] = field(default_factory=dict)
    related: tuple[Match, ...] = ()
    query: str = ""  # ``similar``: the key terms that stand for the article
    mode: str = "lexical"  # ``similar``: which ranking answered


@dataclass(frozen=True)
class QueryMatch:
    """One article and what a query matches in it: ``stemmed`` and ``exact`` are the
    index terms the parsed query expanded to (fuzzy and wildcards included; empty
    where the backend does not expand them), ``query_names`` the actor spellings its
    field parts name, ``spans`` the body ranges to mark."""

    fields: dict[str, Any]
    stemmed: frozenset[str]
    exact: frozenset[str]
    query_names: frozenset[str]
    spans: tuple[tuple[int, int], ...]
