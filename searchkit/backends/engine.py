"""Searches on a ``Backend``: query text in, ``results.Results`` out, as ``search.Engine`` does.

Parses with the one query parser (``query.build_query``), resolving facet values
(actor spellings, dates) against the backend's own vocabulary with the same
``ActorGroups`` as the Whoosh backend, converts the parse into the backend-neutral
tree (``base.from_whoosh``), and assembles hits, snippets, facets and "did you mean"
into the same dataclasses, so the CLI, the REPL and the JSON contract do not know
which backend answered.

It must NOT speak a backend's wire protocol or hold an index of its own.
"""
from __future__ import annotations

import re
import time
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from whoosh import query as Q

from searchkit.search import proximity
from searchkit.search.request import SearchRequest, answer
from searchkit.search.resolve import facet_query, filter_query
from searchkit.search.suggest import SUGGEST_MAX_LEN, SUGGEST_MAX_WORDS  # one limit for both engines' "did you mean"
from searchkit.text.analysis import fold
from searchkit.backends.base import FacetTerms, MatchAll, Node, from_whoosh, leaves
from searchkit.search.query import ParsedQuery, build_query
from searchkit.results import FacetValue, Hit, Results
from searchkit.search.highlight import closest_sentences, match_spans, merge_spans, snippets as make_snippets
from searchkit.vocab import ACTOR_FIELDS, FACET_FIELDS, OPERATORS, UNDATED

if TYPE_CHECKING:  # pragma: no cover
    from searchkit.results import IndexStats  # loaded by stats() alone: a search never needs it

__all__ = ["BackendEngine"]



@lru_cache(maxsize=1)
def _schema() -> Any:
    """The Whoosh schema the parser reads field types from (nothing is opened)."""
    from searchkit.index.schema import build_schema

    return build_schema()




class BackendEngine:
    """The ``search.Engine`` interface (search, document, stats) over a ``Backend``."""

    def __init__(self, backend: Any, snippet_count: int = 2) -> None:
        self.backend = backend
        self.snippet_count = snippet_count
        self._checked = False

    # -- the resolver the query parser calls --------------------------------
    @property
    def groups(self) -> Any:
        return self.backend.groups

    def facet_query(self, field: str, value: str) -> Q.Query:
        return facet_query(field, value, self.groups, self.backend.vocabulary)

    def filter_query(self, filters: Mapping[str, Sequence[str]]) -> Q.Query | None:
        """Different fields AND; several actors AND (both mentioned); several dates OR."""
        return filter_query(filters, self.facet_query)

    # -- search ---------------------------------------------------------------
    def _check(self) -> None:
        if not self._checked:
            self.backend.check()
            self._checked = True

    def search(self, request: SearchRequest | str, filters: Mapping[str, Sequence[str]] | None = None, **options: Any) -> Results:
        """As the Whoosh engine's search (semantic and hybrid modes: ``backends.meaning``).
        ``collapse`` has no effect yet: near-duplicate groups are not kept on OpenSearch
        (every copy is a hit)."""
        from searchkit.backends.meaning import by_meaning, page_of, resolve_mode

        started = time.perf_counter()
        req = request if isinstance(request, SearchRequest) else SearchRequest.of(request, filters, **options)
        self._check()
        stripped, limit, offset, sort = req.stripped, req.limit, req.offset, req.sort
        mode, fallback = resolve_mode(self.backend, req.mode, stripped)
        parsed, tree, ftree = self.trees(stripped, req.filters, req.strict)
        count = self.snippet_count if req.snippet_count is None else req.snippet_count
        words = proximity.query_words(stripped) if sort == "relevance" and limit else ()
        fields = FACET_FIELDS if req.facets else ()
        if mode != "lexical":
            found = by_meaning(self.backend, stripped, tree, ftree, mode, sort, limit, offset, req.facets, req.facet_top)
        elif words:  # its first candidates rescored by word order, as the Whoosh engine does
            first = self.backend.search(tree, ftree, max(req.want, proximity.depth(words)), 0, sort, fields, req.facet_top)
            found = page_of(self.backend, tree, tree, ftree, list(zip(first.ids, first.scores)), first, sort, limit, offset, words, stripped)
        else:
            found = self.backend.search(tree, ftree, limit, offset, sort, fields, req.facet_top, snippets=bool(count))
        names = self._filtered_names(tree, req.filters)
        meaning = stripped if mode != "lexical" else None
        hits = [self.hit(doc, score, rank, names, count, meaning) for rank, (doc, score) in enumerate(zip(found.documents, found.scores), start=offset + 1)]
        related = [self.hit(doc, score, rank, names, count, meaning) for rank, (doc, score) in enumerate(found.related, start=1)]
        facet_values = {f: tuple(FacetValue(v, n, var, self.groups.because(v) if f in ACTOR_FIELDS else "") for v, n, var in vals) for f, vals in found.facets.items()}
        return answer(req, started, found.total, hits, facet_values, (*parsed.notices, *fallback), mode, related, self.suggest)

    def trees(self, text: str, filters: Mapping[str, Sequence[str]], strict: bool = False) -> tuple[ParsedQuery, Node, Node | None]:
        """The parse of ``text`` (everything when empty), its tree and the filters' tree."""
        self._check()
        stripped = text.strip()
        parsed = ParsedQuery(Q.Every()) if stripped in ("", "*") else build_query(stripped, _schema(), self, strict=strict)
        fq = self.filter_query(filters)
        return parsed, from_whoosh(parsed.query), from_whoosh(fq) if fq is not None else None

    def _filtered_names(self, tree: Any, filters: Mapping[str, Sequence[str]]) -> set[str]:
        names = {v for leaf in leaves(tree) if isinstance(leaf, FacetTerms) and leaf.field in ACTOR_FIELDS for v in leaf.values}
        return names | self.groups.names_in_filters(filters)

    def hit(self, doc: Mapping[str, Any], score: float, rank: int, names: set[str], count: int, meaning: str | None = None) -> Hit:
        """``meaning``: the query of a semantic or hybrid search, for the snippet of a hit
        that none of its words matched (the closest sentence instead of the opening)."""
        meta = doc.get("meta") or {}
        body = doc.get("body", "")
        snippets: list[str] = []
        if count:
            forms = [f for a in meta.get("actors", []) if a["name"] in names for f in a.get("forms", [])]
            spans = merge_spans([*doc.get("_marked", []), *match_spans(body, (), (), forms)])
            snippets = closest_sentences(body, meaning, count) if meaning and not spans else make_snippets(body, spans, count)
        return Hit(
            id=doc["id"], path=doc.get("path", ""), title=doc.get("display_title") or doc.get("title", ""), score=score,
            published=meta.get("published"), snippets=tuple(snippets), actors=self.groups.hit_actors(meta.get("actors", [])),
            mentioned=tuple(meta.get("mentioned", [])), rank=rank,
        )

    def suggest(self, text: str) -> str | None:
        """"Did you mean": each unknown word replaced by the backend's nearest indexed word."""
        words: list[str] = []
        pattern = re.compile(r"(?<![\w:~*])[^\W\d_]+(?![\w:~*])")
        for m in pattern.finditer(text):
            w = m.group(0)
            if len(w) < 3 or len(w) > SUGGEST_MAX_LEN or w in OPERATORS:
                continue
            folded = fold(w.lower())
            if folded not in words and len(words) < SUGGEST_MAX_WORDS:
                words.append(folded)
        fixes = {w: s for w, s in self.backend.suggest(words).items() if s != w}
        if not fixes:
            return None
        return pattern.sub(lambda m: fixes.get(fold(m.group(0).lower()), m.group(0)), text)

    # -- documents and stats ------------------------------------------------
    def document(self, doc_id: str) -> dict[str, Any]:
        src = dict(self.backend.document(doc_id))
        src["title"] = src.pop("display_title", None) or src.get("title", "")
        # The stored fields of the Whoosh backend, no more: `show --json` is one contract.
        return {k: src.get(k) for k in ("id", "source", "path", "digest", "title", "body", "meta")}

    def highlight_document(self, doc_id: str, text: str = "", filters: Mapping[str, Sequence[str]] | None = None) -> tuple[dict[str, Any], list[tuple[int, int]]]:
        fields = self.document(doc_id)
        if not text.strip() and not filters:
            return fields, []
        q = Q.Every() if text.strip() in ("", "*") else build_query(text, _schema(), self, strict=False).query
        tree = from_whoosh(q)
        found = self.backend.search(tree, FacetTerms("id", (doc_id,)), 1, 0, "relevance", (), None, snippets=True)
        marked = list(found.documents[0].get("_marked", [])) if found.documents and not isinstance(tree, MatchAll) else []
        forms = [f for a in (fields.get("meta") or {}).get("actors", []) if a["name"] in self._filtered_names(tree, filters or {}) for f in a.get("forms", [])]
        return fields, merge_spans([*marked, *match_spans(fields.get("body", ""), (), (), forms)])

    def query_match(self, doc_id: str, text: str = "", filters: Mapping[str, Sequence[str]] | None = None) -> Any:
        """For SearchKit.document: the stored fields and the spans the query marks (from
        OpenSearch's highlighter). The index terms a query expanded to are Whoosh's notion:
        they stay empty here, so `explain` shows the words without their terms."""
        from searchkit.search.engine import QueryMatch

        fields, spans = self.highlight_document(doc_id, text, filters)
        return QueryMatch(dict(fields), frozenset(), frozenset(), frozenset(), tuple(spans))

    def stats(self) -> IndexStats:
        from searchkit.results import IndexStats

        self._check()
        where = self.backend.describe()  # {"backend": name, "url", "index"} or {"backend", "index_dir"}
        documents = self.backend.count()  # one request: the vectors below are counted by it too
        return IndexStats(
            documents=documents,
            actors=len({self.groups.display.get((k, n), n) for k in ("person", "org", "place") for n in self.backend.actor_vocabulary(k)}),
            acronyms=len(self.groups.acronyms),  # merged with their long forms
            undated=self.backend.vocabulary("published_bucket").get(UNDATED, 0),
            backend=str(where["backend"]),
            url=where.get("url"),
            index=where.get("index"),
            index_dir=where.get("index_dir"),
            # The ingest embeds every article of an index made with vectors (its workers do).
            vectors=documents if self.backend.embedding else 0,
        )

    # -- the analyst's commands (backends/analyst.py) --------------------------
    def similar(self, doc_id: str, filters: Mapping[str, Sequence[str]] | None = None, limit: int = 10, offset: int = 0,
                collapse: bool = True, snippet_count: int | None = None) -> Results:
        """As the Whoosh engine's ``similar``; ``collapse`` has no effect (no duplicate groups here)."""
        from searchkit.backends.analyst import similar

        return similar(self, doc_id, filters, limit, offset, snippet_count)

    # No near-duplicate groups on a backend: ``with`` and ``timeline`` count every copy.
    collapses = False

    def co_mentions(self, text: str, filters: Mapping[str, Sequence[str]], displays: set[str], kinds: Sequence[str],
                    collapse: bool = False) -> Any:
        """For ``searchkit with`` (workflow.associate): counts from the backend's
        aggregations (``collapse`` has no effect: see ``collapses``)."""
        from searchkit.backends.analyst import co_mentions

        return co_mentions(self, text, filters, displays, kinds)

    def date_counts(self, text: str, filters: Mapping[str, Sequence[str]], field: str = "published",
                    collapse: bool = False) -> tuple[int, dict[str, int]]:
        """For ``searchkit timeline`` (workflow.timeline): each date term's matched
        articles (``collapse`` has no effect: see ``collapses``)."""
        from searchkit.backends.analyst import date_counts

        return date_counts(self, text, filters, field)

    def warm(self) -> None:
        self.groups  # noqa: B018 - reads the actor vocabulary once

    def close(self) -> None:
        self.backend.close()
