"""The Whoosh index behind the ``Backend`` protocol: the same folder ``search.Engine``
searches, reached through the backend-neutral tree instead of Whoosh queries.

What it is for: the seam is honest only if both backends implement it. This backend
answers a tree by turning it back into the Whoosh query the parser would have built
(``to_whoosh``) and ranking it with the engine's own pieces (numpy fast path, Whoosh
fallback, facet tables, actor groups), so ``BackendEngine`` over it gives what
``search.Engine`` gives; ``tests/test_whoosh_backend.py`` holds that to account. Writes
go through Whoosh's writer, one transaction per call, with the manifest in the index
folder as the indexer keeps it. It has every member of the protocol: the counts of the
analyst's commands (value and group counts, term statistics) from the snapshot's
postings, so ``with`` and ``timeline`` through it equal the Whoosh engine's; k-NN
raises, the Whoosh engine keeping the vectors.

What it must not do: parse query text (the one parser is ``search/query``), or become
a second search path for users: ``backend: whoosh`` still searches through
``search.Engine``, which also has what the protocol does not carry (hybrid and
semantic modes, near-duplicate collapsing, explanations).
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
from whoosh import query as Q

from searchkit.backends import base as T
from searchkit.errors import NotFoundError
from searchkit.index.store import MANIFEST_FILE, create, index_exists, load_manifest, open_index, write_json
from searchkit.search import rank
from searchkit.search.hits import body_spans, query_terms
from searchkit.search.snapshot import Snapshot
from searchkit.search.suggest import nearest_word
from searchkit.search.tables import facet_counts

__all__ = ["WhooshBackend", "to_whoosh"]

_UNESCAPED_WILDCARD = re.compile(r"(?<!\\)[*?]")


def to_whoosh(node: T.Node) -> Any:
    """The Whoosh query ``query.build_query`` would have made for ``node``: the inverse
    of ``base.from_whoosh`` (twin terms combine by maximum, as the parser combines them)."""
    if isinstance(node, T.Word):
        if len(node.terms) == 1:
            return Q.Term(node.field, node.terms[0], boost=node.boost)
        return Q.DisjunctionMax([Q.Term(node.field, t) for t in node.terms], boost=node.boost)
    if isinstance(node, T.FacetTerms):
        if len(node.values) == 1:
            return Q.Term(node.field, node.values[0])
        return Q.DisjunctionMax([Q.Term(node.field, v) for v in node.values])
    if isinstance(node, T.Phrase):
        return Q.Phrase(node.field, list(node.words), slop=node.slop + 1, boost=node.boost)
    if isinstance(node, T.Fuzzy):
        return Q.FuzzyTerm(node.field, node.word, maxdist=node.distance, prefixlength=node.prefix)
    if isinstance(node, T.Wildcard):
        head = node.pattern[:-1]
        if node.pattern.endswith("*") and not node.pattern.endswith("\\*") and not _UNESCAPED_WILDCARD.search(head):
            return Q.Prefix(node.field, re.sub(r"\\(.)", r"\1", head))
        return Q.Wildcard(node.field, node.pattern)
    if isinstance(node, T.And):
        return Q.And([to_whoosh(c) for c in node.children])
    if isinstance(node, T.Or):
        return Q.Or([to_whoosh(c) for c in node.children], boost=node.boost)
    if isinstance(node, T.Not):
        return Q.Not(to_whoosh(node.child))
    if isinstance(node, T.AndNot):
        return Q.AndNot(to_whoosh(node.positive), to_whoosh(node.negative))
    if isinstance(node, T.MatchAll):
        return Q.Every()
    if isinstance(node, T.MatchNone):
        return Q.NullQuery
    raise TypeError(f"not a query tree node: {node!r}")


class WhooshBackend:
    """``Backend`` over a searchkit Whoosh index folder (see the module docstring)."""

    def __init__(self, index_dir: Path, aliases: Mapping[str, Sequence[str]] | None = None, title_boost: float = 2.0) -> None:
        self.index_dir = Path(index_dir)
        self.aliases = dict(aliases or {})
        self.title_boost = title_boost
        self._ix: Any = None
        self._snap: Snapshot | None = None
        # Passage vectors are the Whoosh engine's (semantic/): none through this seam.
        self.vectors: tuple[int, str] | None = None
        self.embedding: str | None = None

    def describe(self) -> dict[str, Any]:
        return {"backend": "whoosh", "index_dir": str(self.index_dir)}

    # -- the index and its current snapshot --------------------------------
    def ensure_index(self, rebuild: bool = False) -> None:
        if rebuild or not index_exists(self.index_dir):
            self.close()
            self._ix = create(self.index_dir, self.title_boost)

    def check(self) -> None:
        self.snapshot  # noqa: B018 - opens the index: a missing or incompatible one raises with a hint

    @property
    def snapshot(self) -> Snapshot:
        if self._ix is None:
            self._ix = open_index(self.index_dir)
        if self._snap is None or not self._snap.up_to_date():
            if self._snap is not None:
                self._snap.close()
            self._snap = Snapshot(self._ix, self.index_dir, self.aliases, dedup=False)
        return self._snap

    def refresh(self) -> None:
        """Whoosh commits are visible to the next searcher: nothing to wait for."""

    def close(self) -> None:
        if self._snap is not None:
            self._snap.close()
            self._snap = None

    # -- writing (one Whoosh transaction per call) ---------------------------
    def _write(self, work: Any) -> None:
        from searchkit.index.writer import open_writer

        if self._ix is None:
            self._ix = open_index(self.index_dir)
        writer = open_writer(self._ix)
        try:
            work(writer)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def index_documents(self, docs: Sequence[Mapping[str, Any]]) -> int:
        def add(writer: Any) -> None:
            for doc in docs:
                fields = {k: v for k, v in doc.items() if not k.startswith("_")}  # vectors and signatures are not fields
                writer.delete_by_term("id", fields["id"])
                writer.add_document(**fields)

        self._write(add)
        return len(docs)

    def delete(self, ids: Sequence[str]) -> None:
        self._write(lambda writer: [writer.delete_by_term("id", i) for i in ids])

    def delete_sources(self, keys: Sequence[str]) -> None:
        self._write(lambda writer: [writer.delete_by_term("source", k) for k in keys])

    def manifest(self, keys: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
        files = load_manifest(self.snapshot.ix, self.index_dir)
        return files if keys is None else {k: files[k] for k in keys if k in files}

    def save_manifest(self, entries: Mapping[str, dict[str, Any] | None]) -> None:
        files = load_manifest(self.snapshot.ix, self.index_dir)
        for key, entry in entries.items():
            if entry is None:
                files.pop(key, None)
            else:
                files[key] = entry
        write_json(self.index_dir / MANIFEST_FILE, {"generation": self.snapshot.ix.latest_generation(), "files": files})

    # -- vocabulary ------------------------------------------------------------
    def vocabulary(self, field: str) -> dict[str, int]:
        return {term: len(ids) for term, ids in self.snapshot.postings(field)}

    def actor_vocabulary(self, kind: str) -> dict[str, int]:
        return self.vocabulary(kind)

    @property
    def groups(self) -> Any:
        return self.snapshot.groups

    def count(self) -> int:
        return int(self.snapshot.searcher.doc_count())

    # -- searching ---------------------------------------------------------------
    def search(
        self, tree: T.Node, filters_tree: T.Node | None, limit: int, offset: int, sort: str,
        facet_fields: Sequence[str], facet_top: int | None, snippets: bool = False,
    ) -> T.BackendResult:
        snap = self.snapshot
        q = to_whoosh(tree)
        fq = to_whoosh(filters_tree) if filters_tree is not None else None
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
        return T.BackendResult(tuple(d["id"] for d in docs), tuple(s for _, s in page), int(mask.sum()), facets, tuple(docs))

    # -- counts and statistics (the analyst's commands) -------------------------
    def _mask(self, tree: T.Node, filters_tree: T.Node | None) -> Any:
        fq = to_whoosh(filters_tree) if filters_tree is not None else None
        return rank.match_scores(self.snapshot, to_whoosh(tree), fq)[0]

    def value_counts(self, field: str, tree: T.Node, filters_tree: T.Node | None) -> tuple[int, dict[str, int]]:
        mask = self._mask(tree, filters_tree)
        counts = {term: int(mask[docs].sum()) for term, docs in self.snapshot.postings(field)}
        return int(mask.sum()), {t: n for t, n in counts.items() if n}

    def group_counts(self, tree: T.Node, filters_tree: T.Node | None, members: Mapping[str, Sequence[tuple[str, str]]]) -> dict[str, int]:
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

    def knn(self, vector: Sequence[float], k: int, filters_tree: T.Node | None) -> list[tuple[str, float]]:
        from searchkit.semantic.store import VectorsMissingError

        raise VectorsMissingError("passage vectors are searched by the Whoosh engine, not through this backend",
                                  hint="use SearchKit (search.Engine) for semantic and hybrid search on a Whoosh index")

    def fetch(self, ids: Sequence[str], tree: T.Node) -> list[dict[str, Any]]:
        """The stored fields of ``ids``, in that order, with the body spans ``tree`` matches."""
        snap = self.snapshot
        stemmed, exact = query_terms(snap.searcher.reader(), to_whoosh(tree))
        docs = [dict(f) for f in (snap.searcher.document(id=i) for i in ids) if f is not None]
        for doc in docs:
            doc["_marked"] = body_spans(doc, stemmed, exact, set())
        return docs

    def suggest(self, words: Sequence[str]) -> dict[str, str]:
        """For each word not in the unstemmed fields, its nearest indexed word."""
        reader = self.snapshot.searcher.reader()
        corrector = self.snapshot.searcher.corrector("body_exact")
        near = {w: nearest_word(reader, corrector, w) for w in words}
        return {w: n for w, n in near.items() if n is not None}

    def document(self, doc_id: str) -> dict[str, Any]:
        fields = self.snapshot.searcher.document(id=doc_id)
        if fields is None:
            raise NotFoundError(f"no article with id '{doc_id}'", hint="ids are file names without extension; see `searchkit search` output")
        return dict(fields)

