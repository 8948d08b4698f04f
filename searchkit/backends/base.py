"""The backend seam: the ``Backend`` protocol, what a search engine must do for searchkit.

searchkit parses its query language once, with its own parser (``search/parse``), into
the query tree of ``search/tree``; a backend translates the tree into its own language
(the OpenSearch backend into bool / match_phrase / fuzzy / wildcard DSL,
``opensearch_dsl``; the Whoosh backend compiles it with ``search/compile_whoosh``).
Field names are searchkit's (vocab.py): ``title``/``body`` are the stemmed fields,
``title_exact``/``body_exact`` the unstemmed ones; facets and ``id`` are keywords.
Terms in a ``Word`` are already analysed by searchkit's French analyzer, so a backend
looks them up as they are (OpenSearch's analysis gives the same terms: see
``opensearch_analysis``); ``Word.text`` keeps the word as typed when it makes one
position, so that a backend whose stemmer differs on a few words (Lucene's Snowball
keeps "française" as ``français`` where PyStemmer gives ``franc``) also looks it up
through its own analyzer.

The ``Backend`` protocol is what a search engine must do for searchkit: write and
delete documents (the dicts of ``pipeline.extract_documents``), answer a tree with
ranked ids, scores, total and facet counts, give its facet vocabulary (actor grouping
and date ranges need it) and keep the incremental manifest; for the analyst's commands
and the semantic modes, counts under a query, term statistics and nearest vectors.

This module must NOT import Whoosh, talk to any engine, or know a backend's query
language: it only describes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Protocol, Sequence

from searchkit.search.tree import Node

__all__ = ["Backend", "BackendResult"]


@dataclass(frozen=True)
class BackendResult:
    """One page of ranked documents and the facet counts over all matches.

    ``documents`` are the stored fields of ``ids`` (id, path, title, body, meta), and,
    when snippets were asked for, ``"_marked"``: the body's spans the engine matched.
    ``facets`` maps a facet field to (value, count, variants) tuples, most frequent
    first, ties alphabetical, actor spelling variants already merged.
    """

    ids: tuple[str, ...]
    scores: tuple[float, ...]
    total: int
    facets: dict[str, tuple[tuple[str, int, tuple[str, ...]], ...]] = field(default_factory=dict)
    documents: tuple[dict[str, Any], ...] = ()
    # Hybrid mode: (stored fields, cosine) of the articles related by meaning alone.
    related: tuple[tuple[dict[str, Any], float], ...] = ()


class Backend(Protocol):
    """What searchkit needs from a search engine (Whoosh, OpenSearch): every member its
    callers use (``tests/test_backend_seam.py`` reads them from the code and checks
    that both backends have each one)."""

    # -- the index ------------------------------------------------------------------
    # (dimensions, embedding name) of the passage vectors an indexing run writes; None: none.
    vectors: tuple[int, str] | None

    def ensure_index(self, rebuild: bool = False) -> None:
        """Create the index if missing (``rebuild``: start over); refuse an incompatible one."""
        ...

    def check(self) -> None:
        """Raise the one-line error (with a hint) when the index is missing or incompatible."""
        ...

    def refresh(self) -> None:
        """Make what was written visible to the next search."""
        ...

    def close(self) -> None:
        ...

    def describe(self) -> dict[str, Any]:
        """Where the index is, for ``stats``: ``{"backend": name, ...}`` (url, index name, folder)."""
        ...

    def count(self) -> int:
        """How many articles the index holds."""
        ...

    def vector_count(self) -> int:
        """How many articles have a passage vector (0: the index has none)."""
        ...

    def drop_vectors(self) -> None:
        """Remove every passage vector and the index's record of their embedding."""
        ...

    def delete_sources(self, keys: Sequence[str]) -> None:
        """Remove every article read from these source files (manifest keys)."""
        ...

    def index_documents(self, docs: Sequence[Mapping[str, Any]]) -> int:
        """Add or replace ``docs`` (``pipeline.extract_documents`` dicts, text not
        analysed); returns how many were written. Raises if any was refused."""
        ...

    def delete(self, ids: Sequence[str]) -> None:
        """Remove these article ids; an id not in the index is not an error."""
        ...

    def search(
        self,
        tree: Node,
        filters_tree: Node | None,
        limit: int,
        offset: int,
        sort: str,
        facet_fields: Sequence[str],
        facet_top: int | None,
        snippets: bool = False,
    ) -> BackendResult:
        """Matches of ``tree`` AND ``filters_tree`` (filters do not score), ranked by
        ``sort`` ("relevance" or "date"), the page ``offset:offset+limit``, and the
        counts of ``facet_fields`` over every match (``facet_top`` values each)."""
        ...

    def actor_vocabulary(self, kind: str) -> dict[str, int]:
        """Every value of an actor (or date) keyword field with its article count."""
        ...

    def vocabulary(self, field: str) -> dict[str, int]:
        """Every value of a keyword field (facets, dates, ``published_bucket``) with its
        article count: what facet values and date ranges resolve against."""
        ...

    @property
    def groups(self) -> Any:
        """The actor spelling groups (``search.groups.ActorGroups``) of the index's vocabulary."""
        ...

    def suggest(self, words: Sequence[str]) -> dict[str, str]:
        """For each word not in the unstemmed fields, its nearest indexed word."""
        ...

    def document(self, doc_id: str) -> dict[str, Any]:
        """The stored fields of one article; ``NotFoundError`` with a hint if absent."""
        ...

    def manifest(self, keys: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
        """The incremental manifest: source key -> {digest, size, mtime_ns, ids}."""
        ...

    def save_manifest(self, entries: Mapping[str, dict[str, Any] | None]) -> None:
        """Write manifest entries (None deletes one). Called only once the entry's
        documents are durably written, so a crash leaves the old entry or none."""
        ...

    # -- what the analyst's commands and the semantic modes ask (backends/analyst.py,
    # backends/meaning.py): counts and statistics, never Whoosh document numbers.
    embedding: str | None  # the name of the index's passage vectors' embedding; None: no vectors

    def value_counts(self, field: str, tree: Node, filters_tree: Node | None) -> tuple[int, dict[str, int]]:
        """How many articles match, and each value of the keyword ``field`` among them
        with its article count (timelines count date terms so)."""
        ...

    def group_counts(self, tree: Node, filters_tree: Node | None, members: Mapping[str, Sequence[tuple[str, str]]]) -> dict[str, int]:
        """The exact article count of each actor group (display -> (field, spelling) pairs)."""
        ...

    def term_statistics(self, text: str, field: str = "body") -> tuple[dict[str, tuple[int, int]], int]:
        """Each index term of ``text`` -> (frequency in it, frequency in the index); and
        the number of articles (a more-like-this weighs key terms with them)."""
        ...

    def knn(self, vector: Sequence[float], k: int, filters_tree: Node | None) -> list[tuple[str, float]]:
        """The ``k`` articles whose passage vectors are nearest ``vector``: (id, cosine)."""
        ...

    def fetch(self, ids: Sequence[str], tree: Node) -> list[dict[str, Any]]:
        """The stored fields of ``ids`` in that order, with the body spans ``tree`` marks."""
        ...
