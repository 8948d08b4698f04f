"""The one search engine: query text in, ``results`` out, on any backend.

It parses the query (``query``/``relax``), resolves facet filters against the
backend's vocabulary and actor groups (``resolve``), picks the mode (``search/mode``),
asks the backend to rank, count and fetch one ``Plan`` (``search/operation``), and
makes the hits and the answer (``hits``, ``request.answer``); ``similar``, the
articles of ``show`` and ``explain``, ``with``'s and ``timeline``'s counts and
``stats`` go the same way. Every operation runs on one pinned state of the index (a
Whoosh snapshot; a cluster has nothing to pin), even while an indexer commits.

The backends (``backends/whoosh``: numpy postings, vectors and near-duplicate groups
beside a Whoosh index; ``backends/opensearch``: queries and aggregations over the
cluster, through ``backends/operations``) rank and count in their own ways; the
policy the user sees (parsing, filters, mode, "did you mean", hits and snippets) is
written here once. It never writes the index and never loads the NER model.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, ContextManager, Mapping, Sequence

from searchkit.errors import QueryError
from searchkit.results import Results
from searchkit.search.counts import CoMentions
from searchkit.search.hits import filtered_names, make_hit
from searchkit.search.mode import resolve_mode
from searchkit.search.operation import Match, Plan, QueryMatch
from searchkit.search.parse import ParsedTree, parse_query
from searchkit.search.request import SearchRequest, answer
from searchkit.search.resolve import date_end, date_start, facet_terms, filter_tree, parse_date_value
from searchkit.search.suggest import suggest as did_you_mean
from searchkit.search.tree import FacetTerms, MatchAll, Node
from searchkit.vocab import DATE_FIELDS, FACET_FIELDS, UNDATED, clean_filters

if TYPE_CHECKING:  # pragma: no cover
    from searchkit.results import IndexStats  # loaded by stats() alone: a search never needs it

__all__ = ["Engine", "QueryMatch", "date_in", "parse_date_value"]

_start, _end = date_start, date_end


def date_in(date: str | None, value: str) -> bool:
    """Whether an article's date (``YYYY[-MM[-DD]]``, None: undated) passes the date
    filter ``value``, read exactly as ``facet_terms`` reads it.

    >>> date_in("2020-12-20", "décembre 2020"), date_in("2021-01-05", "2020-11..2020-12")
    (True, False)
    """
    lo, hi = parse_date_value(value)
    if not date:
        return lo == UNDATED
    parts = date.split("-")
    prefixes = ["-".join(parts[: i + 1]) for i in range(len(parts))]  # the terms it is indexed under
    if lo == hi:
        return lo in prefixes
    return any(_start(p) >= _start(lo) and _end(p) <= _end(hi) for p in prefixes)


class Engine:
    """Searches over one ``backend`` (see the module docstring)."""

    def __init__(self, backend: Any, snippet_count: int = 2) -> None:
        self.backend = backend
        self.snippet_count = snippet_count
        self._checked = False

    @classmethod
    def open(cls, index_dir: Path, aliases: Mapping[str, Sequence[str]] | None = None, snippet_count: int = 2, dedup: bool = True,
             acronyms: bool = True) -> "Engine":
        """The engine over a Whoosh index folder (a missing or incompatible index raises
        its one-line error here)."""
        from searchkit.backends.whoosh import WhooshBackend

        engine = cls(WhooshBackend(Path(index_dir), aliases, dedup=dedup, acronyms=acronyms), snippet_count)
        engine.check()
        return engine

    @property
    def groups(self) -> Any:
        """The actor spelling groups (``search.groups.ActorGroups``)."""
        return self.backend.groups

    @property
    def collapses(self) -> bool:
        """Whether the backend keeps near-duplicate groups (``with`` and ``timeline``
        then count each group once)."""
        return bool(self.backend.collapses)

    def check(self) -> None:
        """Raise the one-line error (with its hint) if the index is missing or
        incompatible; asked of the backend once, before the first operation."""
        if not self._checked:
            self.backend.check()
            self._checked = True

    def _pinned(self) -> ContextManager[Any]:
        """One state of the index for a whole operation (the index checked first)."""
        self.check()
        return self.backend.pinned()

    def warm(self) -> None:
        """Build (or load) what a first query needs, once."""
        with self._pinned():
            self.backend.warm()

    def close(self) -> None:
        self.backend.close()

    # -- the resolver the query parser calls -------------------------------
    def facet_terms(self, field: str, value: str) -> FacetTerms:
        return facet_terms(field, value, self.groups, self.backend.terms)

    def filter_tree(self, filters: Mapping[str, Sequence[str]]) -> Node | None:
        """Different fields AND; several actors AND (both mentioned); several dates OR."""
        return filter_tree(filters, self.facet_terms)

    def parse(self, text: str, strict: bool = False) -> ParsedTree:
        """The query tree of ``text`` (everything when empty or ``*``), which the backend
        compiles into its own language."""
        stripped = text.strip()
        return ParsedTree(MatchAll()) if stripped in ("", "*") else parse_query(stripped, self, strict=strict)

    # -- search ------------------------------------------------------------
    def search(self, request: SearchRequest | str, filters: Mapping[str, Sequence[str]] | None = None, **options: Any) -> Results:
        """Hits, total and facet counts for ``request`` (a ``SearchRequest``, or its text,
        filters and other fields by name: ``search("roquettes", limit=5)``), all from one
        state of the index.

        Lenient by default: odd free text is read as a person means it (see
        parse.parse_query) and each reinterpretation is reported in ``Results.notices``.
        With ``collapse``, near-duplicate copies of one article (dedup.py) make one hit,
        the best ranked, whose ``duplicates`` names the others; ``total`` and facets then
        count each group once (see docs/duplicates.md)."""
        started = time.perf_counter()
        req = request if isinstance(request, SearchRequest) else SearchRequest.of(request, filters, **options)
        backend = self.backend
        with self._pinned():
            mode, notices = resolve_mode(req.mode, req.text, backend.has_vectors, backend.check_vectors)
            parsed = self.parse(req.text, req.strict)
            count = self.snippet_count if req.snippet_count is None else req.snippet_count
            plan = Plan(req.stripped, parsed.tree, self.filter_tree(req.filters), mode, req.sort, req.limit, req.offset, req.collapse,
                        FACET_FIELDS if req.facets else (), req.facet_top, count, frozenset(filtered_names(parsed.tree, req.filters, self.groups)))
            found = backend.rank(plan)
            meaning = req.stripped if mode != "lexical" else None
            hits = self._hits(found.page, req.offset, count, meaning)
            related = self._hits(found.related, 0, count, meaning)
            return answer(req, started, found.total, hits, found.facets, (*parsed.notices, *notices), mode, related, self.suggest)

    def _hits(self, page: Sequence[Match], offset: int, count: int, meaning: str | None = None) -> tuple[Any, ...]:
        groups = self.groups
        return tuple(make_hit(m, rank, count, groups, meaning) for rank, m in enumerate(page, start=offset + 1))

    def similar(
        self,
        doc_id: str,
        filters: Mapping[str, Sequence[str]] | None = None,
        limit: int = 10,
        offset: int = 0,
        collapse: bool = True,
        snippet_count: int | None = None,
    ) -> Results:
        """Articles like ``doc_id`` with ``filters``: by meaning where the index has the
        article's vector, by its key terms otherwise (``query`` in the answer)."""
        started = time.perf_counter()
        if limit < 0 or offset < 0:
            raise QueryError("limit and offset must be 0 or more", hint="e.g. -n 10")
        with self._pinned():
            clean = clean_filters(filters)
            count = self.snippet_count if snippet_count is None else snippet_count
            names = frozenset(self.groups.names_in_filters(clean))
            found = self.backend.similar(doc_id, names, self.filter_tree(clean), limit, offset, collapse, count)
            hits = self._hits(found.page, offset, count)
            took = (time.perf_counter() - started) * 1000
            return Results(found.query, clean, found.total, took, None, hits, dict(found.facets), offset, mode=found.mode)

    def suggest(self, text: str) -> str | None:
        """"Did you mean": each unknown word replaced by its nearest indexed word."""
        with self._pinned():
            return did_you_mean(text, self.backend.suggest)

    # -- one article ----------------------------------------------------------
    def document(self, doc_id: str) -> dict[str, Any]:
        """The stored fields of one article (``NotFoundError`` with a hint if absent)."""
        return self.query_match(doc_id).fields

    def query_match(self, doc_id: str, text: str = "", filters: Mapping[str, Sequence[str]] | None = None) -> QueryMatch:
        """What ``text`` and ``filters`` match in one article, from the query this engine
        parses (for SearchKit.document and explain)."""
        with self._pinned():
            tree = self.parse(text).tree
            clean = clean_filters(filters)
            names = frozenset(filtered_names(tree, clean, self.groups))
            return self.backend.query_match(doc_id, tree, self.filter_tree(clean), names, bool(text.strip() or clean))

    # -- for searchkit.workflow: co-mentions, timelines ------------------------------
    def co_mentions(self, query: str, filters: Mapping[str, Sequence[str]], displays: set[str], kinds: Sequence[str],
                    collapse: bool = True) -> CoMentions:
        """For ``searchkit with``: the counts ``workflow.associate`` ranks."""
        with self._pinned():
            return self.backend.co_mentions(self.parse(query).tree, self.filter_tree(clean_filters(filters)), displays, kinds, collapse)

    def date_counts(self, query: str, filters: Mapping[str, Sequence[str]], field: str = "published",
                    collapse: bool = True) -> tuple[int, dict[str, int]]:
        """For ``searchkit timeline``: how many articles match, and each date term's count
        among them (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` prefixes and ``undated``)."""
        if field not in DATE_FIELDS:
            raise QueryError(f"'{field}' is not a date field", hint=f"date fields: {', '.join(DATE_FIELDS)}")
        with self._pinned():
            return self.backend.date_counts(self.parse(query).tree, self.filter_tree(clean_filters(filters)), field, collapse)

    def stats(self) -> IndexStats:
        from searchkit.results import IndexStats

        with self._pinned():
            return IndexStats(acronyms=len(self.groups.acronyms), **self.backend.stats())  # acronyms: merged with their long forms
