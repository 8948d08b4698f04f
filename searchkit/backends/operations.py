"""What the one ``search.Engine`` asks a backend, built from the backend's primitives
(``base.Backend``: search a tree, k-NN, fetch, value and group counts, term
statistics, vocabulary): the OpenSearch backend's way, and any backend's that answers
the query tree.

A mixin: ``OpenSearchBackend`` inherits it. The engine's query trees (``search/tree``)
go to the primitives as they are; a search's ranking
is the backend's lexical ranking, its first candidates rescored by word order, or the
fusion with k-NN (``backends/meaning``); ``similar``, ``with`` and ``timeline`` are
``backends/analyst``'s queries and aggregations. Near-duplicate groups are not kept
(``collapses`` is False: every copy is a hit and is counted).

What it must NOT do: speak a wire protocol (the primitives do), parse query text, pick
the search mode, or make hits (the engine does).
"""
from __future__ import annotations

from contextlib import nullcontext
from typing import Any, AbstractSet, ContextManager, Iterable, Mapping, Sequence

from searchkit.backends.base import BackendResult
from searchkit.results import FacetValue
from searchkit.search import proximity
from searchkit.search.counts import CoMentions
from searchkit.search.highlight import merge_spans
from searchkit.search.hits import body_spans, query_names
from searchkit.search.operation import Match, Plan, QueryMatch, Ranked
from searchkit.search.tree import MatchAll, Node, facet
from searchkit.vocab import ACTOR_FIELDS, UNDATED

__all__ = ["ProtocolOperations"]


class ProtocolOperations:
    """The engine's operations over the ``Backend`` primitives of the host class."""

    # No near-duplicate groups: ``with`` and ``timeline`` count every copy.
    collapses = False
    embedding: str | None
    groups: Any
    search: Any
    vocabulary: Any
    document: Any
    count: Any
    actor_vocabulary: Any
    value_counts: Any
    describe: Any
    vector_count: Any

    def pinned(self) -> ContextManager[Any]:
        """Each request sees the index as the cluster has it: nothing to pin."""
        return nullcontext()

    def terms(self, field: str) -> Iterable[str]:
        return self.vocabulary(field)

    def warm(self) -> None:
        self.groups  # noqa: B018 - reads the actor vocabulary once

    def has_vectors(self) -> bool:
        return self.embedding is not None

    def check_vectors(self) -> None:
        from searchkit.backends.meaning import check_vectors

        check_vectors(self)

    # -- a search --------------------------------------------------------------
    def rank(self, plan: Plan) -> Ranked:
        from searchkit.backends.meaning import by_meaning, page_of

        tree, ftree = plan.query, plan.fq
        words = proximity.query_words(plan.text) if plan.sort == "relevance" and plan.limit else ()
        fields, top = plan.facet_fields, plan.facet_top
        if plan.mode != "lexical":
            found = by_meaning(self, plan.text, tree, ftree, plan.mode, plan.sort, plan.limit, plan.offset, bool(fields), top)
        elif words:  # its first candidates rescored by word order, as the Whoosh backend does
            first = self.search(tree, ftree, max(plan.want, proximity.depth(words)), 0, plan.sort, fields, top)
            found = page_of(self, tree, tree, ftree, list(zip(first.ids, first.scores)), first, plan.sort, plan.limit, plan.offset, words, plan.text)
        else:
            found = self.search(tree, ftree, plan.limit, plan.offset, plan.sort, fields, top, snippets=bool(plan.snippets))
        return self.ranked(found, plan.names, plan.snippets)

    def ranked(self, found: BackendResult, names: AbstractSet[str], snippets: int, query: str = "", mode: str = "lexical") -> Ranked:
        """A primitive search's answer as the engine takes it: facet values with their
        acronym evidence, each document with its spans (the backend's marks and the
        spellings of ``names`` the article uses)."""
        page = tuple(self._match(d, s, names, snippets) for d, s in zip(found.documents, found.scores))
        related = tuple(self._match(d, c, names, snippets) for d, c in found.related)
        return Ranked(found.total, page, self._facets(found.facets), related, query, mode)

    def _match(self, doc: Mapping[str, Any], score: float, names: AbstractSet[str], snippets: int) -> Match:
        spans = merge_spans([*doc.get("_marked", []), *body_spans(doc, set(), set(), set(names))]) if snippets else []
        return Match(doc, score, tuple(spans))

    def _facets(self, facets: Mapping[str, Sequence[tuple[str, int, tuple[str, ...]]]]) -> dict[str, tuple[FacetValue, ...]]:
        groups = self.groups
        return {f: tuple(FacetValue(v, n, var, groups.because(v) if f in ACTOR_FIELDS else "") for v, n, var in vals) for f, vals in facets.items()}

    # -- one article -----------------------------------------------------------
    def query_match(self, doc_id: str, tree: Node, ftree: Node | None, names: frozenset[str], marked: bool) -> QueryMatch:
        """The stored fields and the spans the query marks (from the backend's
        highlighter). The index terms a query expands to are Whoosh's notion: they stay
        empty here, so ``explain`` shows the words without their terms."""
        src = dict(self.document(doc_id))
        src["title"] = src.pop("display_title", None) or src.get("title", "")
        # The stored fields of the Whoosh backend, no more: `show --json` is one contract.
        fields = {k: src.get(k) for k in ("id", "source", "path", "digest", "title", "body", "meta")}
        spans: list[tuple[int, int]] = []
        if marked:
            found = self.search(tree, facet("id", (doc_id,)), 1, 0, "relevance", (), None, snippets=True)
            hits = list(found.documents[0].get("_marked", [])) if found.documents and not isinstance(tree, MatchAll) else []
            spans = merge_spans([*hits, *body_spans(fields, set(), set(), set(names))])
        return QueryMatch(fields, frozenset(), frozenset(), query_names(tree), tuple(spans))

    def similar(self, doc_id: str, names: frozenset[str], ftree: Node | None, limit: int, offset: int, collapse: bool, snippets: int) -> Ranked:
        """More like this (``analyst.similar``); ``collapse`` has no effect here."""
        from searchkit.backends.analyst import similar

        return similar(self, doc_id, names, ftree, limit, offset, snippets)

    # -- the analyst's counts ------------------------------------------------------
    def co_mentions(self, tree: Node, ftree: Node | None, displays: set[str], kinds: Sequence[str], collapse: bool = False) -> CoMentions:
        from searchkit.backends.analyst import co_mentions

        return co_mentions(self, tree, ftree, displays, kinds)

    def date_counts(self, tree: Node, ftree: Node | None, field: str = "published", collapse: bool = False) -> tuple[int, dict[str, int]]:
        return self.value_counts(field, tree, ftree)

    def stats(self) -> dict[str, Any]:
        """What ``IndexStats`` holds of this index, but the acronyms (the engine's)."""
        where = self.describe()  # {"backend": name, "url", "index"}
        documents = self.count()  # one request: the vectors below are counted by it too
        groups = self.groups
        return {
            "documents": documents,
            "actors": len({groups.display.get((k, n), n) for k in ("person", "org", "place") for n in self.actor_vocabulary(k)}),
            "undated": self.vocabulary("published_bucket").get(UNDATED, 0),
            "backend": str(where["backend"]),
            "url": where.get("url"),
            "index": where.get("index"),
            # Fewer than documents while the vector step fills them.
            "vectors": self.vector_count(),
        }
