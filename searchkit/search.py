"""Searching an open index: queries, filters, facet counts, snippets, suggestions.

Only this module and ``index.py`` touch Whoosh readers. Plain queries (words with
AND, OR, SAUF, facet fields) are matched and scored on the numpy copy of the postings
(fastindex.py), with Whoosh's BM25F; the rest goes to Whoosh. Facet counts do not
walk term lists per query: when a searcher opens, each facet field becomes two numpy
arrays (document, value); a query's facets are then one ``bincount`` over the
documents it matched. Actor spelling variants are
grouped here too, from the index's own actor vocabulary (see extract/names.py),
so incremental indexing never has to rewrite old documents.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import numpy as np
from whoosh import query as Q

from searchkit.analysis import fold
from searchkit.errors import NotFoundError, QueryError, SearchkitError
from searchkit.fastindex import CACHE_DIR, FastIndex, Unsupported, ensure
from searchkit.index import open_index
from searchkit.query import ParsedQuery, build_query, canonical_field
from searchkit.resolve import check_page, date_end, date_start, facet_query, filter_query, parse_date_value
from searchkit.results import Actor, FacetValue, Hit, Results
from searchkit.schema import ACTOR_FIELDS, DATE_FIELDS, FACET_FIELDS, UNDATED
from searchkit.hybrid import FusionParams, fuse, semantic_top, top_by_score
from searchkit.semantic.retrieve import SemanticRanker
from searchkit.vocab import FACET_TOP, MODES, OPERATORS
from searchkit.snippets import closest_sentences, match_spans, snippets as make_snippets

__all__ = ["Engine", "QueryMatch", "date_in", "parse_date_value"]

SUGGEST_MAX_LEN = 30  # longer words get no "did you mean"
SUGGEST_MAX_WORDS = 8  # words looked up in the corrector, per query
SIMILAR_TERMS = 25  # key terms of an article that make its more-like-this query


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


@dataclass
class FacetTable:
    """One facet field as (document, value) pairs: counted with one bincount."""

    values: list[str]
    variants: list[tuple[str, ...]]
    docs: np.ndarray
    vals: np.ndarray

    def __post_init__(self) -> None:
        # Each value's place in alphabetical order: the tie-break of facet_counts.
        self.alpha_rank = np.empty(len(self.values), dtype=np.int64)
        self.alpha_rank[sorted(range(len(self.values)), key=self.values.__getitem__)] = np.arange(len(self.values))

    def count(self, mask: np.ndarray) -> np.ndarray:
        if not len(self.docs):
            return np.zeros(len(self.values), dtype=np.int64)
        return np.bincount(self.vals[mask[self.docs]], minlength=len(self.values))


class ActorGroups:
    """Spelling variants of the same actor, grouped from the index vocabulary.

    The lookup tables behind ``resolve`` and ``variants`` are built on first use (a
    plain search needs neither) and pickled with the facet cache once built."""

    def __init__(self, counts: Mapping[tuple[str, str], int], aliases: Mapping[str, Sequence[str]],
                 docs: Mapping[tuple[str, str], Any] | None = None) -> None:
        from searchkit.extract.names import group_actors

        grouped = group_actors(counts, aliases, docs)
        self.display: dict[tuple[str, str], str] = {k: name for k, (_, name) in grouped.items()}
        # The facet each name is counted under: its group's majority kind.
        self.kind: dict[tuple[str, str], str] = {k: kind for k, (kind, _) in grouped.items()}
        self.aliases = {str(k): [str(v) for v in vs or ()] for k, vs in dict(aliases or {}).items()}
        self._members: dict[str, set[tuple[str, str]]] | None = None
        # folded spelling / transliteration key / last word -> {(kind, display)}
        self._lookup: tuple[dict[str, set[tuple[str, str]]], ...] | None = None
        self.extra: Path | None = None  # where the two above were saved, if they were

    def __getstate__(self) -> dict[str, Any]:
        # Pickled without the lookup tables: they go to their own file (``extra``).
        return {**self.__dict__, "_members": None, "_lookup": None, "extra": None}

    def _load_extra(self) -> None:
        if self.extra is not None and (self._lookup is None or self._members is None):
            loaded = _load_pickle(self.extra)
            self.extra = None
            if loaded is not None:
                self._lookup, self._members = loaded

    @property
    def members(self) -> dict[str, set[tuple[str, str]]]:
        """Display name -> its (kind, spelling) variants."""
        self._load_extra()
        if self._members is None:
            self._members = {}
            for key, disp in self.display.items():
                self._members.setdefault(disp, set()).add(key)
        return self._members

    def lookup(self) -> tuple[dict[str, set[tuple[str, str]]], ...]:
        self._load_extra()
        if self._lookup is None:
            from searchkit.extract.names import name_key

            by_fold: dict[str, set[tuple[str, str]]] = {}
            by_key: dict[str, set[tuple[str, str]]] = {}
            by_last: dict[str, set[tuple[str, str]]] = {}
            for (stored, name), disp in self.display.items():
                k = self.kind.get((stored, name), stored)
                fn = fold(name.lower())
                for form in (fn, fold(disp.lower())):
                    by_fold.setdefault(form, set()).add((k, disp))
                by_key.setdefault(name_key(name), set()).add((k, disp))
                for last in {*fn.split()[-1:], *fn.replace("-", " ").split()[-1:]}:
                    by_last.setdefault(last, set()).add((k, disp))
            # An alias names its group even when no article spells it that way.
            groups_of: dict[str, set[tuple[str, str]]] = {}
            for (stored, name), disp in self.display.items():
                groups_of.setdefault(disp, set()).add((self.kind.get((stored, name), stored), disp))
            for pref, others in self.aliases.items():
                for other in others:
                    by_fold.setdefault(fold(other.lower()), set()).update(groups_of.get(pref, ()))
            self._lookup = (by_fold, by_key, by_last)
        return self._lookup

    def resolve(self, value: str, kind: str | None) -> set[str]:
        """Display names of the groups that ``value`` names (any variant, any case or
        accent); a single word also finds the actors whose name ends with it."""
        from searchkit.extract.names import name_key

        by_fold, by_key, by_last = self.lookup()
        v = fold(value.strip().lower())
        key = name_key(value)
        # A spelling the index knows wins; the transliteration key only finds the
        # others (a filter on OMS must not bring AMS).
        exact = by_fold.get(v, set()) or (by_key.get(key, set()) if key else set())
        loose = by_last.get(v, set()) if " " not in v else set()
        pick = exact or loose
        return {d for k, d in pick if not kind or k == kind} or (
            {d for k, d in loose if not kind or k == kind} if exact else set()
        )

    def variants(self, displays: Iterable[str], kind: str | None) -> set[str]:
        return {name for _, name in self.members_of(displays, kind)}

    def members_of(self, displays: Iterable[str], kind: str | None) -> set[tuple[str, str]]:
        """The (field stored under, spelling) of the groups ``displays`` whose kind is ``kind``."""
        return {m for d in displays for m in self.members.get(d, ()) if not kind or self.kind.get(m, m[0]) == kind}

    def names_in_filters(self, filters: Mapping[str, Sequence[str]]) -> set[str]:
        """Every spelling the actor filters stand for (marked in snippets as the query's words are)."""
        names: set[str] = set()
        for field, values in filters.items():
            f = canonical_field(field)
            if f in ACTOR_FIELDS:
                kind = None if f == "actor" else f
                for v in values:
                    names |= self.variants(self.resolve(v, kind), kind)
        return names

    def hit_actors(self, stored: Iterable[Mapping[str, Any]]) -> tuple[Actor, ...]:
        """An article's stored actors as a hit shows them: each group once, by its display name."""
        seen: set[str] = set()
        actors: list[Actor] = []
        for a in stored:
            disp = self.display.get((a["kind"], a["name"]), a["name"])
            if disp not in seen:
                seen.add(disp)
                actors.append(Actor(disp, a["kind"]))
        return tuple(actors)


class Engine:
    """A searcher over one index, refreshed when the index changes on disk."""

    def __init__(self, index_dir: Path, aliases: Mapping[str, Sequence[str]] | None = None, snippet_count: int = 2, dedup: bool = True) -> None:
        self.index_dir = index_dir
        self.dedup = dedup  # False: no near-duplicate groups (config extract.duplicates)
        self.aliases = dict(aliases or {})
        self.snippet_count = snippet_count
        self.ix = open_index(index_dir)
        self._searcher: Any = None
        self._tables: dict[str, FacetTable] | None = None
        self._groups: ActorGroups | None = None
        self._fast: FastIndex | None = None
        self._fast_tried = False
        self._pins = 0
        self._doc_ids: list[str | None] | None = None  # article id by document number
        self.semantic = SemanticRanker(index_dir)
        self.fusion = FusionParams()  # how hybrid fuses the two rankings (bench/ranking.py tunes it)
        self._dups: Any = None  # dedup.DuplicateGroups of the current searcher

    # -- lifecycle ---------------------------------------------------------
    @property
    def searcher(self) -> Any:
        """The current searcher; a newer commit is picked up between operations, never
        in the middle of one (see ``_pinned``)."""
        if self._searcher is None:
            self._searcher = self.ix.searcher()
        elif not self._pins and not self._searcher.up_to_date():
            # Reopen, not Searcher.refresh(): in whoosh-reloaded 2.7.5 refresh keeps the
            # segments a merge replaced (articles counted twice) and raises TypeError
            # on an index with no segment yet.
            self._searcher.close()
            self._searcher = self.ix.searcher()
            self._tables = None
            self._groups = None
            self._fast, self._fast_tried = None, False
            self._doc_ids = None
            self._dups = None
        return self._searcher

    def _indexer_running(self) -> bool:
        lock = self.ix.lock("WRITELOCK")
        if not lock.acquire(blocking=False):
            return True
        lock.release()
        return False

    @contextmanager
    def _pinned(self) -> Iterator[Any]:
        """One searcher for a whole operation: facet arrays, masks and stored fields
        then all describe the same commit even if the indexer commits meanwhile."""
        searcher = self.searcher
        self._pins += 1
        try:
            yield searcher
        finally:
            self._pins -= 1

    @property
    def fast(self) -> FastIndex | None:
        """The numpy copy of the postings (see fastindex.py), built here if the indexer
        did not (an index from an older searchkit); None if it cannot be had."""
        searcher = self.searcher
        if not self._fast_tried:
            self._fast_tried = True
            if not searcher.doc_count_all():  # no segment yet: nothing to copy
                return None
            self._fast = FastIndex.open(self.index_dir, searcher)
            if self._fast is None and not self._indexer_running():
                # An index from an older searchkit: build the copy once. While an
                # indexer runs, its own warm-up will; searches use Whoosh meanwhile.
                ensure(self.index_dir, searcher.reader())
                self._fast = FastIndex.open(self.index_dir, searcher)
        return self._fast

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    # -- facets ------------------------------------------------------------
    @property
    def groups(self) -> ActorGroups:
        if self._groups is None:
            self._load_facets()
        if self._groups is None:
            # Live articles per name, from the numpy postings when there are: asking
            # Whoosh's multi-segment reader for each name's frequency looks the name up
            # in every segment (40 s for the 36k-article corpus).
            docs = {(kind, name): ids for kind in ("person", "org", "place") for name, ids in self._postings(kind)}
            self._groups = ActorGroups({k: len(ids) for k, ids in docs.items()}, self.aliases, docs)
        return self._groups

    @property
    def tables(self) -> dict[str, FacetTable]:
        if self._tables is None:
            self._load_facets()
        if self._tables is None:
            self._tables = {f: self._build_table(f) for f in FACET_FIELDS}
            self._save_facets()
        return self._tables

    def warm(self) -> None:
        """Build (or load) everything a first query needs, and keep it on disk: the
        indexer calls this so that a one-shot search never pays for it."""
        if self._tables is None:
            self._load_facets()
        if self._tables is None:
            self.tables  # noqa: B018 - builds the fast postings, groups and tables, saves all
        self.duplicates  # noqa: B018 - near-duplicate groups, saved beside the facets

    # Facet tables and actor groups cost seconds to build on a large index (grouping
    # spelling variants is Python work over every actor name), so they are kept on
    # disk beside the fast postings, keyed by the live segments and the aliases.
    def _facets_path(self) -> Path:
        reader = self.searcher.reader()
        state = [(getattr(r.segment(), "segid", ""), r.doc_count_all() - r.doc_count()) for r, _ in reader.leaf_readers()]
        key = hashlib.blake2b(json.dumps([state, sorted(self.aliases.items()), _GROUPING], sort_keys=True).encode(), digest_size=8)
        return self.index_dir / CACHE_DIR / f"facets-{key.hexdigest()}.pickle"

    def _load_facets(self) -> None:
        path = self._facets_path()
        loaded = _load_pickle(path)
        if loaded is None:
            return
        self._tables, self._groups = loaded
        # The actor lookup tables (only filters by actor need them) are a second
        # file, read on first use: a plain one-shot search does not pay for them.
        self._groups.extra = _actors_path(path)

    def _save_facets(self) -> None:
        path = self._facets_path()
        groups = self.groups
        try:
            for old in [*path.parent.glob("facets-*.pickle"), *path.parent.glob("actors-*.pickle")]:
                old.unlink()
            _save_pickle(_actors_path(path), (groups.lookup(), groups.members))
            _save_pickle(path, (self._tables, groups))
        except OSError:  # a read-only index: build in memory every time
            pass

    @property
    def duplicates(self) -> Any:
        """The near-duplicate groups (dedup.DuplicateGroups) of the current searcher,
        kept on disk beside the facet tables, keyed by the same index state."""
        if self._dups is None and not self.dedup:
            from searchkit.dedup import DuplicateGroups

            self._dups = DuplicateGroups(np.full(0, -1), [])
        if self._dups is None:
            from searchkit.duplicates import SIGNATURE_FILE

            # Keyed by the index state and by the signature file (an index run with
            # nothing else to do may sign an older index's articles without a commit).
            try:
                signed = (self.index_dir / SIGNATURE_FILE).stat().st_mtime_ns
            except OSError:
                signed = 0
            path = self._facets_path().with_name(self._facets_path().name.replace("facets-", "dups-").replace(".pickle", f"-{signed}.pickle"))
            self._dups = _load_pickle(path)
            if self._dups is None:
                from searchkit.duplicates import build_groups

                self._dups = build_groups(self.index_dir, self.searcher.reader())
                try:
                    for old in path.parent.glob("dups-*.pickle"):
                        old.unlink()
                    _save_pickle(path, self._dups)
                except OSError:  # a read-only index: grouped in memory every time
                    pass
        return self._dups

    def _postings(self, field: str) -> Iterable[tuple[str, np.ndarray]]:
        fast = self.fast
        if fast is not None:
            yield from fast.terms(field)
            return
        reader = self.searcher.reader()
        for term in list(reader.lexicon(field)):
            ids = np.fromiter(reader.postings(field, term).all_ids(), dtype=np.int64)
            yield _text(term), ids

    def _build_table(self, field: str) -> FacetTable:
        values: list[str] = []
        index: dict[str, int] = {}
        pairs_d: list[np.ndarray] = []
        pairs_v: list[np.ndarray] = []

        def add(value: str, ids: np.ndarray) -> None:
            if value not in index:
                index[value] = len(values)
                values.append(value)
            pairs_d.append(ids)
            pairs_v.append(np.full(len(ids), index[value], dtype=np.int64))

        if field in ACTOR_FIELDS:
            groups = self.groups
            for kind in ("person", "org", "place"):
                for name, ids in self._postings(kind):
                    if field == "actor" or groups.kind.get((kind, name), kind) == field:
                        add(groups.display.get((kind, name), name), ids)
        else:
            # Dates count by month; a year-only date counts under its year.
            months: dict[str, np.ndarray] = {}
            years: dict[str, np.ndarray] = {}
            for term, ids in self._postings(field):
                if term == UNDATED:
                    add(UNDATED, ids)
                elif len(term) == 7:
                    months[term] = ids
                elif len(term) == 4:
                    years[term] = ids
            for month, ids in sorted(months.items()):
                add(month, ids)
            for year, ids in sorted(years.items()):
                covered = [ids_m for m, ids_m in months.items() if m.startswith(year)]
                rest = np.setdiff1d(ids, np.concatenate(covered)) if covered else ids
                if len(rest):
                    add(year, rest)
        if pairs_d:
            docs, vals = np.concatenate(pairs_d), np.concatenate(pairs_v)
            # A document with two spellings of one actor counts once.
            pairs = np.unique(np.stack([docs, vals], axis=1), axis=0)
            docs, vals = pairs[:, 0].copy(), pairs[:, 1].copy()
        else:
            docs = vals = np.zeros(0, dtype=np.int64)
        variants = [tuple() for _ in values]
        if field in ACTOR_FIELDS:
            groups = self.groups
            variants = [tuple(sorted(groups.variants([v], None) - {v})) for v in values]
        return FacetTable(values, variants, docs, vals)

    def facet_counts(self, mask: np.ndarray, fields: Sequence[str] = FACET_FIELDS, top: int | None = FACET_TOP) -> dict[str, tuple[FacetValue, ...]]:
        out: dict[str, tuple[FacetValue, ...]] = {}
        for f in fields:
            table = self.tables[f]
            counts = table.count(mask)
            nz = np.flatnonzero(counts)
            # Most frequent first, ties alphabetical: one lexsort, no Python key per value.
            order = nz[np.lexsort((table.alpha_rank[nz], -counts[nz]))]
            if top is not None:
                order = order[:top]
            out[f] = tuple(FacetValue(table.values[i], int(counts[i]), table.variants[i]) for i in order)
        return out

    # -- resolver (used by the query parser) -------------------------------
    def facet_query(self, field: str, value: str) -> Q.Query:
        return facet_query(field, value, self.groups, lambda f: map(_text, self.searcher.reader().lexicon(f)))

    def filter_query(self, filters: Mapping[str, Sequence[str]]) -> Q.Query | None:
        """Different fields AND; several actors AND (both mentioned); several dates OR."""
        return filter_query(filters, self.facet_query)

    # -- search ------------------------------------------------------------
    def search(
        self,
        text: str,
        filters: Mapping[str, Sequence[str]] | None = None,
        limit: int = 10,
        offset: int = 0,
        sort: str = "relevance",
        facets: bool = True,
        snippet_count: int | None = None,
        strict: bool = False,
        mode: str | None = None,
        facet_top: int | None = FACET_TOP,
        collapse: bool = True,
    ) -> Results:
        """Hits, total and facet counts for ``text`` and ``filters``, all from one searcher;
        ``facet_top`` values per facet (None: all).

        ``strict=False`` reads odd free text leniently (see query.build_query) and
        reports each reinterpretation in ``Results.notices``.
        ``collapse``: near-duplicate copies of one article (dedup.py) make one hit,
        the best ranked, whose ``duplicates`` names the others; ``total`` and facets
        then count each group once (see README, "Near-duplicates")."""
        with self._pinned():
            mode, notices = self._mode(mode, text)
            res = self._search(text, filters, limit, offset, sort, facets, snippet_count, strict, facet_top, mode, collapse)
            return replace(res, notices=res.notices + notices) if notices else res

    def _mode(self, mode: str | None, text: str) -> tuple[str, tuple[str, ...]]:
        """The mode a search runs in, and a notice when the default had to fall back."""
        if mode is not None and mode not in MODES:
            raise QueryError(f"unknown mode '{mode}'", hint="use hybrid, lexical or semantic")
        if text.strip() in ("", "*") or mode == "lexical":
            return "lexical", ()  # browsing everything: there is no meaning to rank by
        if mode is None:
            if not self.semantic.available():
                return "lexical", ()
            try:
                self.semantic.check()
            except SearchkitError as exc:
                return "lexical", (f"this index has vectors but semantic search is unavailable ({exc}): lexical search",)
            return "hybrid", ()
        self.semantic.check()  # semantic or hybrid asked for: a one-line error if impossible
        return mode, ()

    def _search(
        self,
        text: str,
        filters: Mapping[str, Sequence[str]] | None,
        limit: int,
        offset: int,
        sort: str,
        facets: bool,
        snippet_count: int | None,
        strict: bool = False,
        facet_top: int | None = FACET_TOP,
        mode: str = "lexical",
        collapse: bool = True,
    ) -> Results:
        started = time.perf_counter()
        check_page(sort, limit, offset)
        filters = {k: [str(v) for v in vs] for k, vs in (filters or {}).items() if vs}
        searcher = self.searcher
        stripped = text.strip()
        parsed = ParsedQuery(Q.Every()) if stripped in ("", "*") else build_query(stripped, searcher.schema, self, strict=strict)
        q = parsed.query
        fq = self.filter_query(filters)
        combined = q if fq is None else Q.And([q, fq])
        count = self.snippet_count if snippet_count is None else snippet_count
        dups = self.duplicates
        found = self._fast_search(q, fq, offset + limit, dups if collapse else None) if sort == "relevance" and mode == "lexical" else None
        if mode != "lexical":
            mask, scores = self._by_meaning(q, fq, stripped, mode, offset + limit)
            if collapse:
                mask = dups.representatives(mask, scores)
            total = int(np.count_nonzero(mask))
            ranked = [(searcher.stored_fields(d), float(scores[d]), d) for d in self._order(mask, scores, sort, offset + limit)[offset:]]
        elif found is not None:
            mask, top = found
            total = int(np.count_nonzero(mask))
            ranked = [(searcher.stored_fields(d), score, d) for d, score in top[offset:]]
        else:
            # Whoosh evaluates what the numpy copy cannot (phrases, wildcards, fuzzy
            # terms, ranges) and sorts by date.
            mask = np.zeros(searcher.doc_count_all(), dtype=bool)
            mask[np.fromiter(searcher.docs_for_query(combined), dtype=np.int64)] = True
            if collapse:  # counts only: each group through one member
                mask = dups.representatives(mask, np.zeros(len(mask)))
            total = int(np.count_nonzero(mask))
            ranked = []
            if limit and total > offset:
                kwargs: dict[str, Any] = {"limit": offset + limit, "filter": fq}
                if sort == "date":
                    kwargs.update(sortedby="date_key", reverse=True)
                page = self._whoosh_page(q, kwargs, offset + limit, dups if collapse else None)
                ranked = [(searcher.stored_fields(d), score, d) for d, score in page[offset:]]
        hits: list[Hit] = []
        if ranked:
            stemmed, exact = self._query_terms(q)
            names = self._filtered_names(q, filters)
            for rank, (fields, score, docnum) in enumerate(ranked, start=offset + 1):
                meaning = stripped if mode != "lexical" else None
                hits.append(self._hit(fields, score, rank, stemmed, exact, names, count, tuple(dups.others(docnum)), meaning))
        facet_values: dict[str, tuple[FacetValue, ...]] = {}
        if facets:
            facet_values = self.facet_counts(mask, top=facet_top)
        suggestion = self.suggest(stripped) if total < 3 and stripped not in ("", "*") else None
        took = (time.perf_counter() - started) * 1000
        return Results(text, filters, total, took, suggestion, tuple(hits), facet_values, offset, parsed.notices, mode)

    # -- semantic and hybrid modes (vectors: semantic/retrieve.py; fusion: hybrid.py) --
    def _by_meaning(self, q: Q.Query, fq: Q.Query | None, text: str, mode: str, want: int) -> tuple[np.ndarray, np.ndarray]:
        """(candidate mask, scores) for the semantic and hybrid modes; filters bound both
        rankings, and hybrid keeps every lexical match."""
        params = replace(self.fusion, depth=max(self.fusion.depth, want))
        searcher = self.searcher
        fast = self.fast
        try:
            if fast is None:
                raise Unsupported("no numpy copy")
            lex_mask, lex_scores = fast.evaluate(q)
            allowed = fast.live.copy() if fq is None else fast.evaluate(fq)[0]
        except Unsupported:  # phrases, wildcards...: Whoosh ranks the lexical side
            size = searcher.doc_count_all()
            lex_mask, lex_scores = np.zeros(size, dtype=bool), np.zeros(size)
            lex_mask[np.fromiter(searcher.docs_for_query(q), dtype=np.int64)] = True
            for r in searcher.search(q, limit=params.depth):
                lex_scores[r.docnum] = float(r.score or 0.0)
            allowed = np.zeros(size, dtype=bool)
            allowed[np.fromiter(searcher.docs_for_query(fq if fq is not None else Q.Every()), dtype=np.int64)] = True
        similarity = self.semantic.similarity(text, self.doc_ids())
        if mode == "semantic":
            mask = np.zeros(len(similarity), dtype=bool)
            mask[semantic_top(similarity, allowed, params.depth)] = True
            return mask, similarity.astype(np.float64)
        return fuse(lex_mask, lex_scores, similarity, allowed, params)

    def _order(self, mask: np.ndarray, scores: np.ndarray, sort: str, want: int) -> list[int]:
        """The ``want`` first candidates, best first or newest first."""
        if sort == "date":
            docs = set(np.flatnonzero(mask).tolist())
            return [r.docnum for r in self.searcher.search(Q.Every(), filter=docs, sortedby="date_key", reverse=True, limit=want)]
        return top_by_score(mask, scores, want).tolist()

    def doc_ids(self) -> list[str | None]:
        """The article id of each document number (None: deleted), for aligning vectors."""
        if self._doc_ids is None:
            searcher = self.searcher
            reader = searcher.reader()
            order: list[str | None] = [None] * searcher.doc_count_all()
            if self.fast is not None:
                for doc_id, docs in self.fast.terms("id"):
                    for d in docs.tolist():
                        order[d] = doc_id
            for d, have in enumerate(order):  # segments copied before ids were kept
                if have is None and not reader.is_deleted(d):
                    order[d] = searcher.stored_fields(d).get("id")
            self._doc_ids = order
        return self._doc_ids

    def _whoosh_page(self, q: Q.Query, kwargs: dict[str, Any], want: int, dups: Any) -> list[tuple[int, float]]:
        """The ``want`` best (docnum, score) from Whoosh; with ``dups``, one per
        near-duplicate group, asking Whoosh for more until that many are found."""
        n = want if dups is None else want * 2
        while True:
            results = self.searcher.search(q, **{**kwargs, "limit": n})
            docs = [(r.docnum, float(r.score or 0.0)) for r in results]
            if dups is None:
                return docs
            kept, _ = dups.collapse([d for d, _ in docs], want)
            if len(kept) >= want or len(docs) < n:
                score = dict(docs)
                return [(d, score[d]) for d in kept]
            n *= 4

    def _fast_search(self, q: Q.Query, fq: Q.Query | None, k: int, dups: Any = None) -> tuple[np.ndarray, list[tuple[int, float]]] | None:
        """All matches and the ``k`` best with Whoosh's own scores, from the numpy
        copy of the postings; None when the query needs Whoosh. With ``dups``, each
        near-duplicate group is reduced to its best match first."""
        fast = self.fast
        if fast is None:
            return None
        try:
            mask, scores = fast.evaluate(q)
            if fq is not None:
                mask &= fast.evaluate(fq)[0]
        except Unsupported:
            return None
        if dups is not None:
            mask = dups.representatives(mask, scores)
        return mask, fast.top(mask, scores, k)

    def _query_terms(self, q: Q.Query) -> tuple[set[str], set[str]]:
        stemmed: set[str] = set()
        exact: set[str] = set()
        # Not Query.existing_terms(): in Whoosh 2.7.5 its loop variable shadows its
        # ``fieldname`` argument and drops the terms of every field but the first.
        reader = self.searcher.reader()
        terms: list[tuple[str, Any]] = []
        for leaf in q.leaves():
            try:
                terms.extend(leaf.expanded_terms(reader, phrases=True))
            except Exception:  # an expansion Whoosh cannot do: mark less rather than fail
                continue
        for field, term in terms:
            if field in ("title", "body"):
                stemmed.add(_text(term))
            elif field in ("title_exact", "body_exact"):
                exact.add(_text(term))
        return stemmed, exact

    def _filtered_names(self, q: Q.Query, filters: Mapping[str, Sequence[str]]) -> set[str]:
        return {_text(t) for f, t in q.all_terms() if f in ACTOR_FIELDS} | self.groups.names_in_filters(filters)

    def _hit(
        self, fields: Mapping[str, Any], score: float, rank: int, stemmed: set[str], exact: set[str], names: set[str], count: int,
        duplicates: tuple[str, ...] = (), meaning: str | None = None,
    ) -> Hit:
        """``meaning``: the query of a semantic or hybrid search, for the snippet of a hit
        that none of its words matched (the closest sentence instead of the opening)."""
        meta = fields.get("meta") or {}
        body = fields.get("body", "")
        spans = _body_spans(fields, stemmed, exact, names) if count else []  # no snippets: no marking
        if meaning and count and not spans:
            snippets_ = tuple(closest_sentences(body, meaning, count))
        else:
            snippets_ = tuple(make_snippets(body, spans, count))
        return Hit(
            id=fields["id"],
            path=fields.get("path", ""),
            title=fields.get("title", ""),
            score=score,
            published=meta.get("published"),
            snippets=snippets_,
            actors=self.groups.hit_actors(meta.get("actors", [])),
            mentioned=tuple(meta.get("mentioned", [])),
            rank=rank,
            duplicates=duplicates,
        )

    # -- more like this ---------------------------------------------------------
    def similar(
        self,
        doc_id: str,
        filters: Mapping[str, Sequence[str]] | None = None,
        limit: int = 10,
        offset: int = 0,
        collapse: bool = True,
        snippet_count: int | None = None,
    ) -> Results:
        """Articles like ``doc_id``: its ``SIMILAR_TERMS`` key terms (the stemmed
        words of its title and body that best set it apart from the corpus, weighted
        by Whoosh's Bo1 model, as its ``more_like``) searched as one OR query, with
        ``filters``; the article and its near-duplicate copies are left out.
        ``query`` in the result holds the key terms used."""
        with self._pinned():
            return self._similar(doc_id, filters, limit, offset, collapse, snippet_count)

    def _similar(
        self, doc_id: str, filters: Mapping[str, Sequence[str]] | None, limit: int, offset: int, collapse: bool, snippet_count: int | None
    ) -> Results:
        started = time.perf_counter()
        if limit < 0 or offset < 0:
            raise QueryError("limit and offset must be 0 or more", hint="e.g. -n 10")
        filters = {k: [str(v) for v in vs] for k, vs in (filters or {}).items() if vs}
        searcher = self.searcher
        docnum = searcher.document_number(id=doc_id)
        if docnum is None:
            raise NotFoundError(f"no article with id '{doc_id}'", hint="ids are file names without extension; see `searchkit search` output")
        fields = searcher.stored_fields(docnum)
        text = f"{fields.get('title', '')}\n{fields.get('body', '')}"
        terms = searcher.key_terms_from_text("body", text, numterms=SIMILAR_TERMS)
        dups = self.duplicates
        own = dups.members(docnum).tolist()
        if not terms:
            return Results("", filters, 0, (time.perf_counter() - started) * 1000, None, (), {}, offset)
        q = Q.Or([Q.Term("body", t, boost=w) for t, w in terms])
        fq = self.filter_query(filters)
        fast = self.fast
        ranked: list[tuple[int, float]] = []
        if fast is not None:
            mask, scores = fast.evaluate(q)
            if fq is not None:
                mask &= fast.evaluate(fq)[0]
            mask[own] = False
            if collapse:
                mask = dups.representatives(mask, scores)
            ranked = fast.top(mask, scores, offset + limit)
        else:
            mask = np.zeros(searcher.doc_count_all(), dtype=bool)
            mask[np.fromiter(searcher.docs_for_query(q if fq is None else Q.And([q, fq])), dtype=np.int64)] = True
            mask[own] = False
            if collapse:
                mask = dups.representatives(mask, np.zeros(len(mask)))
            if limit:
                ids = [searcher.stored_fields(d)["id"] for d in own]
                kwargs: dict[str, Any] = {"filter": fq, "mask": Q.Or([Q.Term("id", i) for i in ids])}
                ranked = self._whoosh_page(q, kwargs, offset + limit, dups if collapse else None)
        count = self.snippet_count if snippet_count is None else snippet_count
        stemmed = {t for t, _ in terms}
        hits = tuple(
            self._hit(searcher.stored_fields(d), score, rank, stemmed, set(), set(), count, tuple(dups.others(d)))
            for rank, (d, score) in enumerate(ranked[offset:], start=offset + 1)
        )
        took = (time.perf_counter() - started) * 1000
        return Results(" ".join(t for t, _ in terms), filters, int(np.count_nonzero(mask)), took, None, hits, self.facet_counts(mask), offset)

    def suggest(self, text: str) -> str | None:
        """"Did you mean": each unknown word replaced by its nearest indexed word."""
        reader = self.searcher.reader()
        corrector = self.searcher.corrector("body_exact")
        changed = False
        budget = [SUGGEST_MAX_WORDS]

        def fix(m: re.Match[str]) -> str:
            nonlocal changed
            word = m.group(0)
            if len(word) < 3 or word in OPERATORS:
                return word
            # The corrector's edit-distance walk grows with the word: a 339-letter
            # "word" took 5 s. No French word needs correcting past 30 letters.
            if len(word) > SUGGEST_MAX_LEN or budget[0] <= 0:
                return word
            budget[0] -= 1
            folded = fold(word.lower())
            if reader.doc_frequency("body_exact", folded) or reader.doc_frequency("title_exact", folded):
                return word
            found = corrector.suggest(folded, limit=1, maxdist=2)
            if found and found[0] != folded:
                changed = True
                return found[0]
            return word

        # Words next to ":", "~" or "*" (field names, field values, fuzzy and
        # wildcard terms) are left as typed.
        fixed = re.sub(r"(?<![\w:~*])[^\W\d_]+(?![\w:~*])", fix, text)
        return fixed if changed else None

    # -- documents and stats ------------------------------------------------
    def document(self, doc_id: str) -> dict[str, Any]:
        fields = self.searcher.document(id=doc_id)
        if fields is None:
            raise NotFoundError(f"no article with id '{doc_id}'", hint="ids are file names without extension; see `searchkit search` output")
        return fields

    def query_match(self, doc_id: str, text: str = "", filters: Mapping[str, Sequence[str]] | None = None) -> "QueryMatch":
        """What ``text`` and ``filters`` match in one article, from the query this engine
        parses and the index terms it expands to (for SearchKit.document and explain)."""
        with self._pinned() as searcher:
            fields = self.document(doc_id)
            stripped = text.strip()
            q = Q.Every() if stripped in ("", "*") else build_query(stripped, searcher.schema, self, strict=False).query
            stemmed, exact = self._query_terms(q)
            names = self._filtered_names(q, filters or {})
            spans = _body_spans(fields, stemmed, exact, names) if stripped or filters else []
            query_names = frozenset(_text(t) for f, t in q.all_terms() if f in ACTOR_FIELDS)
            return QueryMatch(dict(fields), frozenset(stemmed), frozenset(exact), query_names, tuple(spans))

    # -- for searchkit.workflow: co-mentions, timelines (numpy, no Whoosh there) --
    def match_mask(self, text: str, filters: Mapping[str, Sequence[str]] | None = None,
                   collapse: bool = False, prefer: np.ndarray | None = None) -> np.ndarray:
        """The live articles ``text`` and ``filters`` match, as a boolean array over
        document numbers (the numbering of ``tables``), without ranking or hits.

        ``collapse``: each near-duplicate group keeps one member, the one a search's
        ``total`` and facets count (its best-scoring match; with ``prefer``, document
        numbers, the best-scoring of those among its matches, if any)."""
        with self._pinned() as searcher:
            stripped = text.strip()
            q = Q.Every() if stripped in ("", "*") else build_query(stripped, searcher.schema, self, strict=False).query
            fq = self.filter_query({k: [str(v) for v in vs] for k, vs in (filters or {}).items() if vs})
            mask, scores = None, None
            if self.fast is not None:
                try:  # what _fast_search matches and scores
                    mask, scores = self.fast.evaluate(q)
                    if fq is not None:
                        mask = mask & self.fast.evaluate(fq)[0]
                except Unsupported:
                    mask = None
            if mask is None or scores is None:
                # Whoosh evaluates it; a search's counts then score every match 0 too.
                mask = np.zeros(searcher.doc_count_all(), dtype=bool)
                mask[np.fromiter(searcher.docs_for_query(q if fq is None else Q.And([q, fq])), dtype=np.int64)] = True
                scores = np.zeros(len(mask))
            if not collapse:
                return mask
            if prefer is not None and len(prefer):
                # Preferred members outrank the others: lift their scores past every score.
                scores = scores.astype(np.float64, copy=True)
                scores[prefer] += float(scores.max() - scores.min()) + 1.0
            return self.duplicates.representatives(mask, scores)

    def date_postings(self, field: str = "published") -> list[tuple[str, np.ndarray]]:
        """Every value of a date field (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` prefixes and
        ``undated``) with its live documents: the day-level dates the tables leave out."""
        if field not in DATE_FIELDS:
            raise QueryError(f"'{field}' is not a date field", hint=f"date fields: {', '.join(DATE_FIELDS)}")
        with self._pinned():
            return list(self._postings(field))

    def _undated_count(self) -> int:
        table = self.tables["published"]
        if UNDATED not in table.values:
            return 0
        return int(np.count_nonzero(table.vals == table.values.index(UNDATED)))

    def stats(self) -> dict[str, Any]:
        with self._pinned():
            return self._stats()

    def _stats(self) -> dict[str, Any]:
        size = sum(p.stat().st_size for p in self.index_dir.iterdir() if p.is_file())
        s = self.searcher
        return {
            "documents": s.doc_count(),
            "index_dir": str(self.index_dir),
            "size_bytes": size,
            "segments": len(self.ix._segments()) if hasattr(self.ix, "_segments") else None,
            "generation": self.ix.latest_generation(),
            "actors": len(self.tables["actor"].values),
            "undated": self._undated_count(),
        }


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


# Bumped when actor grouping changes, so that facet tables cached by older code are rebuilt.
_GROUPING = 3


def _actors_path(facets_path: Path) -> Path:
    """The actor lookup tables' file, beside the facet tables' (same index state)."""
    return facets_path.with_name(facets_path.name.replace("facets-", "actors-"))


def _load_pickle(path: Path) -> Any:
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except (OSError, ValueError, EOFError, pickle.UnpicklingError, AttributeError):
        return None


def _save_pickle(path: Path, obj: Any) -> None:
    """Write atomically: a reader sees the old file or the new one, never half."""
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _body_spans(fields: Mapping[str, Any], stemmed: set[str], exact: set[str], names: set[str]) -> list[tuple[int, int]]:
    """What to mark in an article's body: query terms, and the spellings this
    article uses for the actors in ``names``."""
    actors = (fields.get("meta") or {}).get("actors", [])
    forms = [f for a in actors if a["name"] in names for f in a.get("forms", [])]
    return match_spans(fields.get("body", ""), stemmed, exact, forms)


def _text(term: Any) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else str(term)
