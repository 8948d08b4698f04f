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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import numpy as np
from whoosh import query as Q

from searchkit.analysis import fold
from searchkit.errors import NotFoundError, QueryError
from searchkit.fastindex import CACHE_DIR, FastIndex, Unsupported, ensure
from searchkit.index import open_index
from searchkit.query import ParsedQuery, build_query, canonical_field
from searchkit.results import Actor, FacetValue, Hit, Results
from searchkit.schema import ACTOR_FIELDS, DATE_FIELDS, FACET_FIELDS, UNDATED
from searchkit.vocab import MODES
from searchkit.snippets import match_spans, snippets as make_snippets

__all__ = ["Engine", "parse_date_value"]

_NOTHING = "\x00nothing"
_ISO = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
SORTS = ("relevance", "date")
SUGGEST_MAX_LEN = 30  # longer words get no "did you mean"
SUGGEST_MAX_WORDS = 8  # words looked up in the corrector, per query


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
        if _start(lo_v) > _end(hi_v):
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


def _start(v: str) -> str:
    return (v + "-01-01")[:10] if v != UNDATED else v


def _end(v: str) -> str:
    return (v + "-12-31")[:10] if len(v) == 4 else (v + "-31")[:10]


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


class Engine:
    """A searcher over one index, refreshed when the index changes on disk."""

    def __init__(self, index_dir: Path, aliases: Mapping[str, Sequence[str]] | None = None, snippet_count: int = 2) -> None:
        self.index_dir = index_dir
        self.aliases = dict(aliases or {})
        self.snippet_count = snippet_count
        self.ix = open_index(index_dir)
        self._searcher: Any = None
        self._tables: dict[str, FacetTable] | None = None
        self._groups: ActorGroups | None = None
        self._fast: FastIndex | None = None
        self._fast_tried = False
        self._pins = 0

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

    def facet_counts(self, mask: np.ndarray, fields: Sequence[str] = FACET_FIELDS, top: int | None = 20) -> dict[str, tuple[FacetValue, ...]]:
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
        field = canonical_field(field) or field
        if field in ACTOR_FIELDS:
            kind = None if field == "actor" else field
            members = self.groups.members_of(self.groups.resolve(value, kind), kind)
            if not members:
                return Q.Term(field, _NOTHING)
            # A name is stored under the kind NER gave it in each article; the facet
            # counts it under its group's kind, and so does the filter.
            return Q.Or([Q.Term(field if kind is None else k, n) for k, n in sorted(members)])
        if field in DATE_FIELDS:
            lo, hi = parse_date_value(value)
            if lo == hi:
                return Q.Term(field, lo)
            s, e = _start(lo), _end(hi)
            reader = self.searcher.reader()
            terms = [t for t in map(_text, reader.lexicon(field)) if t != UNDATED and _start(t) >= s and _end(t) <= e]
            return Q.Or([Q.Term(field, t) for t in terms]) if terms else Q.Term(field, _NOTHING)
        raise QueryError(f"'{field}' is not a facet", hint=f"facets: {', '.join(FACET_FIELDS)}")

    def filter_query(self, filters: Mapping[str, Sequence[str]]) -> Q.Query | None:
        """Different fields AND; several actors AND (both mentioned); several dates OR."""
        parts: list[Q.Query] = []
        for raw_field, values in filters.items():
            field = canonical_field(raw_field)
            if field not in FACET_FIELDS:
                raise QueryError(f"unknown filter field '{raw_field}'", hint=f"filter on: {', '.join(FACET_FIELDS)}")
            qs = [self.facet_query(field, v) for v in values if str(v).strip()]
            if not qs:
                continue
            parts.append(Q.And(qs) if field in ACTOR_FIELDS else Q.Or(qs))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else Q.And(parts)

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
        facet_top: int | None = 20,
    ) -> Results:
        """Hits, total and facet counts for ``text`` and ``filters``, all from one searcher;
        ``facet_top`` values per facet (None: all).

        ``strict=False`` reads odd free text leniently (see query.build_query) and
        reports each reinterpretation in ``Results.notices``."""
        with self._pinned():
            mode = self._mode(mode)
            return self._search(text, filters, limit, offset, sort, facets, snippet_count, strict, facet_top)

    def _mode(self, mode: str | None) -> str:
        if mode is None:
            return "lexical"
        if mode not in MODES:
            raise QueryError(f"unknown mode '{mode}'", hint="use hybrid, lexical or semantic")
        if mode != "lexical":
            raise QueryError(f"the index in {self.index_dir} has no vectors for {mode} search", hint="run `searchkit index --semantic` (or set semantic: true in config.yaml)")
        return mode

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
        facet_top: int | None = 20,
    ) -> Results:
        started = time.perf_counter()
        if sort not in SORTS:
            raise QueryError(f"unknown sort '{sort}'", hint="use relevance or date")
        if limit < 0 or offset < 0:
            raise QueryError("limit and offset must be 0 or more", hint="e.g. --limit 10")
        filters = {k: [str(v) for v in vs] for k, vs in (filters or {}).items() if vs}
        searcher = self.searcher
        stripped = text.strip()
        parsed = ParsedQuery(Q.Every()) if stripped in ("", "*") else build_query(stripped, searcher.schema, self, strict=strict)
        q = parsed.query
        fq = self.filter_query(filters)
        combined = q if fq is None else Q.And([q, fq])
        count = self.snippet_count if snippet_count is None else snippet_count
        found = self._fast_search(q, fq, offset + limit) if sort == "relevance" else None
        if found is not None:
            mask, top = found
            total = int(np.count_nonzero(mask))
            ranked = [(searcher.stored_fields(d), score) for d, score in top[offset:]]
        else:
            # Whoosh evaluates what the numpy copy cannot (phrases, wildcards, fuzzy
            # terms, ranges) and sorts by date.
            mask = np.zeros(searcher.doc_count_all(), dtype=bool)
            mask[np.fromiter(searcher.docs_for_query(combined), dtype=np.int64)] = True
            total = int(np.count_nonzero(mask))
            ranked = []
            if limit and total > offset:
                kwargs: dict[str, Any] = {"limit": offset + limit, "filter": fq}
                if sort == "date":
                    kwargs.update(sortedby="date_key", reverse=True)
                results = searcher.search(q, **kwargs)
                ranked = [(r.fields(), float(r.score or 0.0)) for r in results[offset : offset + limit]]
        hits: list[Hit] = []
        if ranked:
            stemmed, exact = self._query_terms(q)
            names = self._filtered_names(q, filters)
            for rank, (fields, score) in enumerate(ranked, start=offset + 1):
                hits.append(self._hit(fields, score, rank, stemmed, exact, names, count))
        facet_values: dict[str, tuple[FacetValue, ...]] = {}
        if facets:
            facet_values = self.facet_counts(mask, top=facet_top)
        suggestion = self.suggest(stripped) if total < 3 and stripped not in ("", "*") else None
        took = (time.perf_counter() - started) * 1000
        return Results(text, filters, total, took, suggestion, tuple(hits), facet_values, offset, parsed.notices)

    def _fast_search(self, q: Q.Query, fq: Q.Query | None, k: int) -> tuple[np.ndarray, list[tuple[int, float]]] | None:
        """All matches and the ``k`` best with Whoosh's own scores, from the numpy
        copy of the postings; None when the query needs Whoosh."""
        fast = self.fast
        if fast is None:
            return None
        try:
            mask, scores = fast.evaluate(q)
            if fq is not None:
                mask &= fast.evaluate(fq)[0]
        except Unsupported:
            return None
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
        names = {_text(t) for f, t in q.all_terms() if f in ACTOR_FIELDS}
        for field, values in filters.items():
            f = canonical_field(field)
            if f in ACTOR_FIELDS:
                kind = None if f == "actor" else f
                for v in values:
                    names |= self.groups.variants(self.groups.resolve(v, kind), kind)
        return names

    def _hit(self, fields: Mapping[str, Any], score: float, rank: int, stemmed: set[str], exact: set[str], names: set[str], count: int) -> Hit:
        meta = fields.get("meta") or {}
        body = fields.get("body", "")
        spans = _body_spans(fields, stemmed, exact, names) if count else []  # no snippets: no marking
        groups = self.groups
        seen: set[str] = set()
        actors: list[Actor] = []
        for a in meta.get("actors", []):
            disp = groups.display.get((a["kind"], a["name"]), a["name"])
            if disp not in seen:
                seen.add(disp)
                actors.append(Actor(disp, a["kind"]))
        return Hit(
            id=fields["id"],
            path=fields.get("path", ""),
            title=fields.get("title", ""),
            score=score,
            published=meta.get("published"),
            snippets=tuple(make_snippets(body, spans, count)),
            actors=tuple(actors),
            mentioned=tuple(meta.get("mentioned", [])),
            rank=rank,
        )

    def suggest(self, text: str) -> str | None:
        """"Did you mean": each unknown word replaced by its nearest indexed word."""
        reader = self.searcher.reader()
        corrector = self.searcher.corrector("body_exact")
        changed = False
        budget = [SUGGEST_MAX_WORDS]

        def fix(m: re.Match[str]) -> str:
            nonlocal changed
            word = m.group(0)
            if len(word) < 3 or word.isupper() and word in ("AND", "OR", "NOT", "ET", "OU", "SAUF"):
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

    def highlight_document(self, doc_id: str, text: str = "", filters: Mapping[str, Sequence[str]] | None = None) -> tuple[dict[str, Any], list[tuple[int, int]]]:
        """An article's stored fields and the spans a query matches in its body."""
        with self._pinned():
            return self._highlight_document(doc_id, text, filters)

    def _highlight_document(self, doc_id: str, text: str = "", filters: Mapping[str, Sequence[str]] | None = None) -> tuple[dict[str, Any], list[tuple[int, int]]]:
        """An article's stored fields and the spans a query matches in its body."""
        fields = self.document(doc_id)
        if not text.strip() and not filters:
            return fields, []
        q = Q.Every() if text.strip() in ("", "*") else build_query(text, self.searcher.schema, self, strict=False).query
        stemmed, exact = self._query_terms(q)
        return fields, _body_spans(fields, stemmed, exact, self._filtered_names(q, filters or {}))

    # -- for searchkit.workflow: co-mentions, timelines (numpy, no Whoosh there) --
    def match_mask(self, text: str, filters: Mapping[str, Sequence[str]] | None = None) -> np.ndarray:
        """The live articles ``text`` and ``filters`` match, as a boolean array over
        document numbers (the numbering of ``tables``), without ranking or hits."""
        with self._pinned() as searcher:
            stripped = text.strip()
            q = Q.Every() if stripped in ("", "*") else build_query(stripped, searcher.schema, self, strict=False).query
            fq = self.filter_query({k: [str(v) for v in vs] for k, vs in (filters or {}).items() if vs})
            found = self._fast_search(q, fq, 0)
            if found is not None:
                return found[0]
            mask = np.zeros(searcher.doc_count_all(), dtype=bool)
            mask[np.fromiter(searcher.docs_for_query(q if fq is None else Q.And([q, fq])), dtype=np.int64)] = True
            return mask

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
