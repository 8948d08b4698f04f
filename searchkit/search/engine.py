"""Searching an open index: the engine that puts the search package together.

Plain queries (words with AND, OR, SAUF, facet fields) are matched and scored on the
numpy copy of the postings with Whoosh's BM25F (``rank``); the rest goes to Whoosh.
Facet counts are one ``bincount`` per field over the matched documents (``tables``).
Actor spelling variants are grouped from the index's own actor vocabulary
(``groups``), so incremental indexing never rewrites old documents. Everything one
operation reads comes from one ``Snapshot`` of the index, even while an indexer commits.

This module assembles the steps and holds the policy between them (the search mode,
which ranking runs and how deep, when to suggest): parsing is ``query``/``relax``,
filters ``resolve``, ranking ``rank``, hits ``hits``; it never writes the index.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ContextManager, Mapping, Sequence

import numpy as np
from whoosh import query as Q

from searchkit.errors import NotFoundError, QueryError
from searchkit.index.store import open_index
from searchkit.results import FacetValue, Results
from searchkit.search import rank
from searchkit.search.counts import CoMentions, posting_counts, table_co_mentions
from searchkit.search.hits import body_spans, filtered_names, make_hit, query_names, query_terms
from searchkit.search import proximity
from searchkit.search.hybrid import FusionParams
from searchkit.search.mode import resolve_mode
from searchkit.search.query import ParsedQuery, build_query
from searchkit.search.request import SearchRequest, answer
from searchkit.search.resolve import date_end, date_start, facet_query, filter_query, parse_date_value
from searchkit.search.similar import similar as similar_articles
from searchkit.search.snapshot import Snapshot, SnapshotManager, term_text
from searchkit.search.suggest import suggest as did_you_mean
from searchkit.search.tables import FacetTable, facet_counts
from searchkit.semantic.retrieve import SemanticRanker
from searchkit.vocab import DATE_FIELDS, FACET_FIELDS, FACET_TOP, UNDATED, clean_filters

if TYPE_CHECKING:  # pragma: no cover
    from searchkit.results import IndexStats  # loaded by stats() alone: a search never needs it

__all__ = ["Engine", "QueryMatch", "date_in", "parse_date_value"]

_start, _end = date_start, date_end


def date_in(date: str | None, value: str) -> bool:
    """Whether an article's date (``YYYY[-MM[-DD]]``, None: undated) passes the date
    filter ``value``, read exactly as ``facet_query`` reads it.

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


@dataclass(frozen=True)
class _Plan:
    """A search's parsed query, filter query and the settings its steps share."""

    text: str
    parsed: ParsedQuery
    fq: Q.Query | None
    filters: dict[str, list[str]]
    mode: str
    sort: str
    want: int
    collapse: bool


class Engine:
    """A searcher over one index, refreshed when the index changes on disk."""

    def __init__(self, index_dir: Path, aliases: Mapping[str, Sequence[str]] | None = None, snippet_count: int = 2, dedup: bool = True,
                 acronyms: bool = True) -> None:
        self.index_dir = index_dir
        self.dedup = dedup  # False: no near-duplicate groups (config extract.duplicates)
        self.aliases = dict(aliases or {})
        self.snippet_count = snippet_count
        self.ix = open_index(index_dir)
        self._snapshots = SnapshotManager(lambda: Snapshot(self.ix, self.index_dir, self.aliases, self.dedup, acronyms))
        self.semantic = SemanticRanker(index_dir)
        self.fusion = FusionParams()  # how hybrid fuses the two rankings (bench/ranking.py tunes it)

    @property
    def snapshot(self) -> Snapshot:
        """The snapshot this thread's operation pinned, else the current one; a newer
        commit is picked up between operations, never in the middle of one."""
        return self._snapshots.current()

    def _pinned(self) -> ContextManager[Snapshot]:
        """One snapshot for a whole operation (see ``SnapshotManager.pinned``)."""
        return self._snapshots.pinned()

    searcher = property(lambda self: self.snapshot.searcher, doc="The current Whoosh searcher.")
    fast = property(lambda self: self.snapshot.fast, doc="The numpy postings (None: Whoosh only).")
    groups = property(lambda self: self.snapshot.groups, doc="Actor spelling groups (``ActorGroups``).")
    tables = property(lambda self: self.snapshot.tables, doc="Facet tables by field.")
    duplicates = property(lambda self: self.snapshot.duplicates, doc="Near-duplicate groups.")

    def doc_ids(self) -> list[str | None]:
        return self.snapshot.doc_ids()

    def close(self) -> None:
        self._snapshots.close()

    def warm(self) -> None:
        """Build (or load) everything a first query needs, and keep it on disk: the
        indexer calls this so that a one-shot search never pays for it."""
        snap = self.snapshot
        snap.tables  # noqa: B018 - builds the fast postings, groups and tables, saves all
        snap.duplicates  # noqa: B018 - near-duplicate groups, saved beside the facets

    def facet_counts(self, mask: np.ndarray, fields: Sequence[str] = FACET_FIELDS, top: int | None = FACET_TOP) -> dict[str, tuple[FacetValue, ...]]:
        return facet_counts(self.tables, mask, fields, top)

    # -- resolver (used by the query parser) -------------------------------
    def facet_query(self, field: str, value: str) -> Q.Query:
        return facet_query(field, value, self.groups, lambda f: map(term_text, self.searcher.reader().lexicon(f)))

    def filter_query(self, filters: Mapping[str, Sequence[str]]) -> Q.Query | None:
        """Different fields AND; several actors AND (both mentioned); several dates OR."""
        return filter_query(filters, self.facet_query)

    def _parse(self, text: str, strict: bool = False) -> ParsedQuery:
        stripped = text.strip()
        return ParsedQuery(Q.Every()) if stripped in ("", "*") else build_query(stripped, self.searcher.schema, self, strict=strict)

    # -- search ------------------------------------------------------------
    def search(self, request: SearchRequest | str, filters: Mapping[str, Sequence[str]] | None = None, **options: Any) -> Results:
        """Hits, total and facet counts for ``request`` (a ``SearchRequest``, or its text,
        filters and other fields by name: ``search("roquettes", limit=5)``), all from one
        snapshot.

        Lenient by default: odd free text is read as a person means it (see
        query.build_query) and each reinterpretation is reported in ``Results.notices``.
        With ``collapse``, near-duplicate copies of one article (dedup.py) make one hit,
        the best ranked, whose ``duplicates`` names the others; ``total`` and facets then
        count each group once (see docs/duplicates.md)."""
        started = time.perf_counter()
        req = request if isinstance(request, SearchRequest) else SearchRequest.of(request, filters, **options)
        with self._pinned() as snap:
            mode, notices = resolve_mode(req.mode, req.text, self.semantic.available, self.semantic.check)
            plan = _Plan(req.stripped, self._parse(req.text, req.strict), self.filter_query(req.filters), req.filters, mode, req.sort, req.want, req.collapse)
            mask, ranked, near = self._rank(snap, plan, req.limit)
            count = self.snippet_count if req.snippet_count is None else req.snippet_count
            hits = self._hits(snap, plan, ranked[req.offset:], req.offset, count)
            related = self._hits(snap, plan, near, 0, count) if req.limit else ()
            facet_values = self.facet_counts(mask, top=req.facet_top) if req.facets else {}
            return answer(req, started, int(np.count_nonzero(mask)), hits, facet_values, (*plan.parsed.notices, *notices), mode, related,
                          lambda text: did_you_mean(snap.searcher, text))

    def _rank(self, snap: Snapshot, plan: _Plan, limit: int) -> tuple[np.ndarray, list[tuple[int, float]], list[tuple[int, float]]]:
        """(every match, the ``plan.want`` first as (docnum, score), the articles
        related by meaning alone as (docnum, cosine): hybrid mode only)."""
        q, fq, dups = plan.parsed.query, plan.fq, snap.duplicates
        # A query of several plain words: its first candidates are rescored by word
        # order (search/proximity.py), always the same number of them, whatever the page.
        words = proximity.query_words(plan.text) if plan.sort == "relevance" and limit and plan.mode != "semantic" else ()
        want = max(plan.want, proximity.depth(words))
        if plan.mode != "lexical":
            mask, ranked, near, scores = rank.meaning_page(snap, self.semantic, self.fusion, q, fq, plan.text, plan.mode, plan.sort, want, plan.collapse)
            return mask, rank.reorder(snap, ranked, words, plan.text, mask, scores)[: plan.want], near
        found = rank.fast_rank(snap, q, fq, want, dups if plan.collapse else None) if plan.sort == "relevance" else None
        if found is not None:
            return found[0], rank.reorder(snap, found[1], words, plan.text, found[0], found[2])[: plan.want], []
        # Whoosh evaluates what the numpy copy cannot (phrases, wildcards, fuzzy
        # terms, ranges) and sorts by date.
        mask, ranked = rank.whoosh_search(snap, q, fq, plan.sort, plan.want, limit, dups if plan.collapse else None)
        return mask, ranked, []

    def _hits(self, snap: Snapshot, plan: _Plan, ranked: list[tuple[int, float]], offset: int, count: int) -> tuple[Any, ...]:
        if not ranked:
            return ()
        q = plan.parsed.query
        stemmed, exact = query_terms(snap.searcher.reader(), q)
        marks = (stemmed, exact, filtered_names(q, plan.filters, snap.groups))
        meaning = plan.text if plan.mode != "lexical" else None
        dups = snap.duplicates
        return tuple(
            make_hit(snap.searcher.stored_fields(d), score, n, marks, count, snap.groups, tuple(dups.others(d)), meaning)
            for n, (d, score) in enumerate(ranked, start=offset + 1)
        )

    def similar(
        self,
        doc_id: str,
        filters: Mapping[str, Sequence[str]] | None = None,
        limit: int = 10,
        offset: int = 0,
        collapse: bool = True,
        snippet_count: int | None = None,
    ) -> Results:
        """Articles like ``doc_id`` (see search/similar.py), with ``filters``: by meaning
        where the index has vectors, by key terms otherwise."""
        if limit < 0 or offset < 0:
            raise QueryError("limit and offset must be 0 or more", hint="e.g. -n 10")
        with self._pinned() as snap:
            clean = clean_filters(filters)
            count = self.snippet_count if snippet_count is None else snippet_count
            semantic = self.semantic if self.semantic.available() else None
            return similar_articles(snap, doc_id, clean, self.filter_query(clean), limit, offset, collapse, count, semantic)

    def suggest(self, text: str) -> str | None:
        """"Did you mean": each unknown word replaced by its nearest indexed word."""
        with self._pinned() as snap:
            return did_you_mean(snap.searcher, text)

    # -- documents and stats ------------------------------------------------
    def document(self, doc_id: str) -> dict[str, Any]:
        with self._pinned() as snap:
            fields = snap.searcher.document(id=doc_id)
        if fields is None:
            raise NotFoundError(f"no article with id '{doc_id}'", hint="ids are file names without extension; see `searchkit search` output")
        return fields

    def query_match(self, doc_id: str, text: str = "", filters: Mapping[str, Sequence[str]] | None = None) -> "QueryMatch":
        """What ``text`` and ``filters`` match in one article, from the query this engine
        parses and the index terms it expands to (for SearchKit.document and explain)."""
        with self._pinned() as snap:
            fields = self.document(doc_id)
            q = self._parse(text).query
            stemmed, exact = query_terms(snap.searcher.reader(), q)
            names = filtered_names(q, filters or {}, snap.groups)
            spans = body_spans(fields, stemmed, exact, names) if text.strip() or filters else []
            return QueryMatch(dict(fields), frozenset(stemmed), frozenset(exact), query_names(q), tuple(spans))

    # -- for searchkit.workflow: co-mentions, timelines (numpy, no Whoosh there) --
    def match_mask(self, text: str, filters: Mapping[str, Sequence[str]] | None = None,
                   collapse: bool = False, prefer: np.ndarray | None = None) -> np.ndarray:
        """The live articles ``text`` and ``filters`` match, as a boolean array over
        document numbers (the numbering of ``tables``), without ranking or hits.

        ``collapse``: each near-duplicate group keeps one member, the one a search's
        ``total`` and facets count (its best-scoring match; with ``prefer``, document
        numbers, the best-scoring of those among its matches, if any)."""
        with self._pinned() as snap:
            q = self._parse(text).query
            fq = self.filter_query(clean_filters(filters))
            mask, scores = rank.match_scores(snap, q, fq)
            if not collapse:
                return mask
            if prefer is not None and len(prefer):
                # Preferred members outrank the others: lift their scores past every score.
                scores = scores.astype(np.float64, copy=True)
                scores[prefer] += float(scores.max() - scores.min()) + 1.0
            return snap.duplicates.representatives(mask, scores)

    # Near-duplicate groups are kept: ``with`` and ``timeline`` can count each group once.
    collapses = True

    def co_mentions(self, query: str, filters: Mapping[str, Sequence[str]], displays: set[str], kinds: Sequence[str],
                    collapse: bool = True) -> CoMentions:
        """For ``searchkit with``: counts from the facet tables (``search.counts``)."""
        with self._pinned():
            return table_co_mentions(self, query, filters, displays, kinds, collapse)

    def date_counts(self, query: str, filters: Mapping[str, Sequence[str]], field: str = "published",
                    collapse: bool = True) -> tuple[int, dict[str, int]]:
        """For ``searchkit timeline``: each date term's matched articles."""
        with self._pinned():
            return posting_counts(self, query, filters, field, collapse)

    def date_postings(self, field: str = "published") -> list[tuple[str, np.ndarray]]:
        """Every value of a date field (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` prefixes and
        ``undated``) with its live documents: the day-level dates the tables leave out."""
        if field not in DATE_FIELDS:
            raise QueryError(f"'{field}' is not a date field", hint=f"date fields: {', '.join(DATE_FIELDS)}")
        with self._pinned() as snap:
            return list(snap.postings(field))

    def stats(self) -> IndexStats:
        from searchkit.results import IndexStats

        with self._pinned() as snap:
            size = sum(p.stat().st_size for p in self.index_dir.iterdir() if p.is_file())
            return IndexStats(
                documents=snap.searcher.doc_count(),
                actors=len(snap.tables["actor"].values),
                acronyms=len(snap.groups.acronyms),  # merged with their long forms
                undated=_undated_count(snap.tables["published"]),
                index_dir=str(self.index_dir),
                size_bytes=size,
                segments=len(self.ix._segments()) if hasattr(self.ix, "_segments") else None,
                generation=self.ix.latest_generation(),
                vectors=self.semantic.count(),
            )


def _undated_count(table: FacetTable) -> int:
    if UNDATED not in table.values:
        return 0
    return int(np.count_nonzero(table.vals == table.values.index(UNDATED)))


@dataclass(frozen=True)
class QueryMatch:
    """One article and what a query matches in it: ``stemmed`` and ``exact`` are the
    index terms the parsed query expanded to (fuzzy and wildcards included),
    ``query_names`` the actor spellings its field parts name, ``spans`` the body
    ranges to mark."""

    fields: dict[str, Any]
    stemmed: frozenset[str]
    exact: frozenset[str]
    query_names: frozenset[str]
    spans: tuple[tuple[int, int], ...]

