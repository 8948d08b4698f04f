"""The Whoosh index answering the ``base.Backend`` primitives over query trees
(``search/tree``): each tree compiled into its Whoosh query (``search/compile_whoosh``)
and ranked, counted and fetched on the backend's snapshot, as the OpenSearch backend
answers it with its DSL.

What it is for: the generic operations over a backend's primitives
(``backends/operations``, what the OpenSearch backend runs) can run on a Whoosh index
too, so ``tests/test_whoosh_backend.py`` holds them to account against the Whoosh
backend's own operations without a cluster. The one engine never uses these members
on Whoosh: its searches go to ``WhooshBackend.rank``, and ``WhooshTreeBackend`` adds them
to the Whoosh backend only where they are wanted.

What it must NOT do: parse query text, hold a snapshot of its own (``TreeQueries``
reads its host's ``snapshot``), or be imported by the search path.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Mapping, Sequence

import numpy as np
from whoosh import query as Q

from searchkit.backends.base import BackendResult
from searchkit.backends.whoosh import WhooshBackend
from searchkit.search import rank
from searchkit.search.compile_whoosh import compile_whoosh
from searchkit.search.hits import body_spans, query_terms
from searchkit.search.tables import facet_counts
from searchkit.search.tree import Node

__all__ = ["TreeQueries", "WhooshTreeBackend"]

class TreeQueries:
    """The tree primitives of the ``Backend`` protocol on a Whoosh snapshot (a mixin:
    the host class gives ``snapshot``)."""

    snapshot: Any

    # -- vocabulary ------------------------------------------------------------
    def vocabulary(self, field: str) -> dict[str, int]:
        return {term: len(ids) for term, ids in self.snapshot.postings(field)}

    def actor_vocabulary(self, kind: str) -> dict[str, int]:
        return self.vocabulary(kind)

    # -- searching ---------------------------------------------------------------
    def search(
        self, tree: Node, filters_tree: Node | None, limit: int, offset: int, sort: str,
        facet_fields: Sequence[str], facet_top: int | None, snippets: bool = False,
    ) -> BackendResult:
        snap = self.snapshot
        q = compile_whoosh(tree)
        fq = compile_whoosh(filters_tree) if filters_tree is not None else None
        want = offset + limit
        found = rank.fast_search(snap, q, fq, want) if sort == "relevance" else None
        if found is not None:
            mask, ranked = found
        else:
            mask = rank.whoosh_mask(snap.searcher, q if fq is None else Q.And([q, fq]))
            kwargs: dict[str, Any] = {"filter": fq}
            if sort == "date":
                kwargs.update(sortedby="date_key", reverse=True)
            ranked = rank.whoosh_page(snap.searcher, q, kwargs, want, None) if limit else []
        page = ranked[offset:want]
        docs = [dict(snap.searcher.stored_fields(d)) for d, _ in page]
        if snippets and docs:
            stemmed, exact = query_terms(snap.searcher.reader(), q)
            for doc in docs:
                doc["_marked"] = body_spans(doc, stemmed, exact, set())
        counts = facet_counts(snap.tables, mask, tuple(facet_fields), facet_top) if facet_fields else {}
        facets = {f: tuple((v.value, v.count, v.variants) for v in values) for f, values in counts.items()}
        return BackendResult(tuple(d["id"] for d in docs), tuple(s for _, s in page), int(mask.sum()), facets, tuple(docs))

    # -- counts and statistics (the analyst's commands) -------------------------
    def _mask(self, tree: Node, filters_tree: Node | None) -> Any:
        fq = compile_whoosh(filters_tree) if filters_tree is not None else None
        return rank.match_scores(self.snapshot, compile_whoosh(tree), fq)[0]

    def value_counts(self, field: str, tree: Node, filters_tree: Node | None) -> tuple[int, dict[str, int]]:
        mask = self._mask(tree, filters_tree)
        counts = {term: int(mask[docs].sum()) for term, docs in self.snapshot.postings(field)}
        return int(mask.sum()), {t: n for t, n in counts.items() if n}

    def group_counts(self, tree: Node, filters_tree: Node | None, members: Mapping[str, Sequence[tuple[str, str]]]) -> dict[str, int]:
        mask = self._mask(tree, filters_tree)
        fields = {f for pairs in members.values() for f, _ in pairs}
        postings = {f: dict(self.snapshot.postings(f)) for f in fields}
        out: dict[str, int] = {}
        for display, pairs in members.items():
            held = np.zeros(len(mask), dtype=bool)
            for f, spelling in pairs:
                if spelling in postings[f]:
                    held[postings[f][spelling]] = True
            out[display] = int((held & mask).sum())
        return out

    def term_statistics(self, text: str, field: str = "body") -> tuple[dict[str, tuple[int, int]], int]:
        searcher = self.snapshot.searcher
        in_text = Counter(t.text for t in searcher.schema[field].analyzer(text))
        reader = searcher.reader()
        return {t: (n, int(reader.frequency(field, t))) for t, n in in_text.items()}, int(searcher.doc_count())

    def knn(self, vector: Sequence[float], k: int, filters_tree: Node | None) -> list[tuple[str, float]]:
        from searchkit.semantic.store import VectorsMissingError

        raise VectorsMissingError("passage vectors are searched by the Whoosh backend's own ranking, not through the tree",
                                  hint="use SearchKit (search.Engine) for semantic and hybrid search on a Whoosh index")

    def fetch(self, ids: Sequence[str], tree: Node) -> list[dict[str, Any]]:
        """The stored fields of ``ids``, in that order, with the body spans ``tree`` matches."""
        snap = self.snapshot
        stemmed, exact = query_terms(snap.searcher.reader(), compile_whoosh(tree))
        docs = [dict(f) for f in (snap.searcher.document(id=i) for i in ids) if f is not None]
        for doc in docs:
            doc["_marked"] = body_spans(doc, stemmed, exact, set())
        return docs



class WhooshTreeBackend(TreeQueries, WhooshBackend):
    """The Whoosh index with every primitive of the ``base.Backend`` protocol: the
    Whoosh backend plus ``TreeQueries`` (kept off the search path: a one-shot search
    never imports the tree)."""
