"""The Whoosh index folder as a backend of the one ``search.Engine``: snapshots pinned
per operation, ranking on the numpy postings (else Whoosh) and by meaning over the
passage vectors beside the index, near-duplicate groups, facet tables, actor groups.

What it is for: everything the engine asks that depends on how a Whoosh index is
stored (document numbers, segments, the vector store) answered here, in one snapshot
per operation, so that the engine itself knows no backend. The engine's query trees
are compiled into Whoosh queries at its door (``search/compile_whoosh``). Its operations are thin:
the work is ``search/page`` (a search's ranking and page), ``search/similar``,
``search/counts`` (``with``, ``timeline``), ``search/hits`` (the terms to mark). The
tree primitives the OpenSearch backend's generic operations use are not needed here
(``backends/whoosh_tree`` adds them, for the tests that hold those operations to
account); writes through the protocol are one Whoosh transaction per call (the indexer
writes with its own sink, ``index/indexer``).

What it must NOT do: parse query text (``search/parse``), pick the search mode
(``search/mode``), make hits (the engine does), or import the OpenSearch modules.
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from searchkit.errors import NotFoundError
from searchkit.index.store import MANIFEST_FILE, create, index_exists, load_manifest, open_index, write_json
from searchkit.search.compile_whoosh import compile_whoosh
from searchkit.search.counts import CoMentions, match_mask, posting_counts, table_co_mentions
from searchkit.search.hits import body_spans, query_names, query_terms
from searchkit.search.hybrid import FusionParams
from searchkit.search.operation import Plan, QueryMatch, Ranked
from searchkit.search.page import rank_plan
from searchkit.search.similar import similar
from searchkit.search.snapshot import Snapshot, SnapshotManager, term_text
from searchkit.search.suggest import nearest_word
from searchkit.search.tables import FacetTable
from searchkit.search.tree import Node
from searchkit.semantic.retrieve import SemanticRanker
from searchkit.vocab import UNDATED

__all__ = ["WhooshBackend"]


class WhooshBackend:
    """A searchkit index folder (see the module docstring)."""

    # Near-duplicate groups are kept: ``with`` and ``timeline`` can count each group once.
    collapses = True

    def __init__(self, index_dir: Path, aliases: Mapping[str, Sequence[str]] | None = None, title_boost: float = 2.0,
                 dedup: bool = True, acronyms: bool = True) -> None:
        self.index_dir = Path(index_dir)
        self.aliases = dict(aliases or {})
        self.title_boost = title_boost
        self.dedup = dedup  # False: no near-duplicate groups (config extract.duplicates)
        self.acronyms = acronyms
        self._ix: Any = None
        self._snapshots = SnapshotManager(lambda: Snapshot(self.ix, self.index_dir, self.aliases, self.dedup, self.acronyms))
        self.semantic = SemanticRanker(self.index_dir)
        self.fusion = FusionParams()  # how hybrid fuses the two rankings (bench/ranking.py tunes it)
        # What an indexing run through this protocol embeds: nothing, the vector step
        # (index/vectors) computes passage vectors from the stored text.
        self.vectors: tuple[int, str] | None = None
        self.embedding: str | None = None

    def describe(self) -> dict[str, Any]:
        return {"backend": "whoosh", "index_dir": str(self.index_dir)}

    # -- the index and its snapshots -------------------------------------------
    @property
    def ix(self) -> Any:
        if self._ix is None:
            self._ix = open_index(self.index_dir)  # a missing or incompatible index raises with a hint
        return self._ix

    def check(self) -> None:
        self.ix  # noqa: B018 - opens the index

    def pinned(self) -> AbstractContextManager[Snapshot]:
        """One snapshot for a whole operation (``SnapshotManager.pinned``)."""
        return self._snapshots.pinned()

    @property
    def snapshot(self) -> Snapshot:
        """The snapshot this thread's operation pinned, else the newest; a newer commit
        is picked up between operations, never in the middle of one."""
        return self._snapshots.current()

    searcher = property(lambda self: self.snapshot.searcher, doc="The current Whoosh searcher.")
    fast = property(lambda self: self.snapshot.fast, doc="The numpy postings (None: Whoosh only).")
    groups = property(lambda self: self.snapshot.groups, doc="Actor spelling groups (``ActorGroups``).")
    tables = property(lambda self: self.snapshot.tables, doc="Facet tables by field.")
    duplicates = property(lambda self: self.snapshot.duplicates, doc="Near-duplicate groups.")

    def doc_ids(self) -> list[str | None]:
        return self.snapshot.doc_ids()

    def terms(self, field: str) -> Iterable[str]:
        """Every indexed value of ``field`` (facet values and date ranges resolve against them)."""
        return map(term_text, self.snapshot.searcher.reader().lexicon(field))

    def warm(self) -> None:
        """Build (or load) everything a first query needs, and keep it on disk: the
        indexer calls this so that a one-shot search never pays for it."""
        snap = self.snapshot
        snap.tables  # noqa: B018 - builds the fast postings, groups and tables, saves all
        snap.duplicates  # noqa: B018 - near-duplicate groups, saved beside the facets

    def refresh(self) -> None:
        """Whoosh commits are visible to the next snapshot: nothing to wait for."""

    def close(self) -> None:
        self._snapshots.close()

    # -- what the engine asks --------------------------------------------------
    def has_vectors(self) -> bool:
        return self.semantic.available()

    def check_vectors(self) -> None:
        self.semantic.check()

    # The engine's query trees are compiled into Whoosh queries here, at the door:
    # everything below (numpy fast path, Whoosh's matchers, counts) runs on those.
    def rank(self, plan: Plan) -> Ranked:
        return rank_plan(self.snapshot, self.semantic, self.fusion, replace(plan, query=compile_whoosh(plan.query), fq=_compiled(plan.fq)))

    def similar(self, doc_id: str, names: frozenset[str], ftree: Node | None, limit: int, offset: int, collapse: bool, snippets: int) -> Ranked:
        semantic = self.semantic if self.semantic.available() else None
        return similar(self.snapshot, doc_id, names, _compiled(ftree), limit, offset, collapse, snippets, semantic)

    def query_match(self, doc_id: str, tree: Node, ftree: Node | None, names: frozenset[str], marked: bool) -> QueryMatch:
        fields = self.document(doc_id)
        stemmed, exact = query_terms(self.snapshot.searcher.reader(), compile_whoosh(tree))
        spans = body_spans(fields, stemmed, exact, set(names)) if marked else []
        return QueryMatch(fields, frozenset(stemmed), frozenset(exact), query_names(tree), tuple(spans))

    def match_mask(self, tree: Node, ftree: Node | None = None, collapse: bool = False, prefer: np.ndarray | None = None) -> np.ndarray:
        """The live articles ``tree`` and ``ftree`` match over the snapshot's document
        numbers (``search.counts.match_mask``)."""
        return match_mask(self.snapshot, compile_whoosh(tree), _compiled(ftree), collapse, prefer)

    def co_mentions(self, tree: Node, ftree: Node | None, displays: set[str], kinds: Sequence[str], collapse: bool = True) -> CoMentions:
        return table_co_mentions(self.snapshot, compile_whoosh(tree), _compiled(ftree), displays, kinds, collapse)

    def date_counts(self, tree: Node, ftree: Node | None, field: str = "published", collapse: bool = True) -> tuple[int, dict[str, int]]:
        return posting_counts(self.snapshot, compile_whoosh(tree), _compiled(ftree), field, collapse)

    def stats(self) -> dict[str, Any]:
        """What ``IndexStats`` holds of this index, but the actor groups' (the engine's)."""
        snap = self.snapshot
        return {
            "documents": snap.searcher.doc_count(),
            "actors": len(snap.tables["actor"].values),
            "undated": _undated_count(snap.tables["published"]),
            "index_dir": str(self.index_dir),
            "size_bytes": sum(p.stat().st_size for p in self.index_dir.iterdir() if p.is_file()),
            "segments": len(self.ix._segments()) if hasattr(self.ix, "_segments") else None,
            "generation": self.ix.latest_generation(),
            "vectors": self.vector_count(),
        }

    def count(self) -> int:
        return int(self.snapshot.searcher.doc_count())

    def vector_count(self) -> int:
        return self.semantic.count()

    def drop_vectors(self) -> None:
        """Remove the passage vectors beside the index (semantic: false)."""
        from searchkit.semantic.store import VectorStore

        VectorStore.remove(self.index_dir)

    def suggest(self, words: Sequence[str]) -> dict[str, str]:
        """For each word not in the unstemmed fields, its nearest indexed word."""
        searcher = self.snapshot.searcher
        reader, corrector = searcher.reader(), searcher.corrector("body_exact")
        near = {w: nearest_word(reader, corrector, w) for w in words}
        return {w: n for w, n in near.items() if n is not None}

    def document(self, doc_id: str) -> dict[str, Any]:
        fields = self.snapshot.searcher.document(id=doc_id)
        if fields is None:
            raise NotFoundError(f"no article with id '{doc_id}'", hint="ids are file names without extension; see `searchkit search` output")
        return dict(fields)

    # -- writing through the protocol (one Whoosh transaction per call) ----------
    def ensure_index(self, rebuild: bool = False) -> None:
        if rebuild or not index_exists(self.index_dir):
            self.close()
            self._ix = create(self.index_dir, self.title_boost)

    def _write(self, work: Any) -> None:
        from searchkit.index.writer import open_writer

        writer = open_writer(self.ix)
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
        files = load_manifest(self.ix, self.index_dir)
        return files if keys is None else {k: files[k] for k in keys if k in files}

    def save_manifest(self, entries: Mapping[str, dict[str, Any] | None]) -> None:
        files = load_manifest(self.ix, self.index_dir)
        for key, entry in entries.items():
            if entry is None:
                files.pop(key, None)
            else:
                files[key] = entry
        write_json(self.index_dir / MANIFEST_FILE, {"generation": self.ix.latest_generation(), "files": files})


def _compiled(ftree: Node | None) -> Any:
    """The Whoosh query of a filters' tree (None: no filters)."""
    return None if ftree is None else compile_whoosh(ftree)


def _undated_count(table: FacetTable) -> int:
    if UNDATED not in table.values:
        return 0
    return int(np.count_nonzero(table.vals == table.values.index(UNDATED)))
