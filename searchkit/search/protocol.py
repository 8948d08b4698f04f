"""What the one ``search.Engine`` asks of a backend: ``SearchBackend``.

Two backends implement it: ``backends.whoosh.WhooshBackend`` (a Whoosh index folder,
numpy postings, vectors and near-duplicate groups beside it) and
``backends.opensearch.OpenSearchBackend`` (a cluster; these members come from
``backends.operations`` over its primitives, the ``backends.base.Backend`` protocol).
``tests/test_backend_seam.py`` reads every member the engine uses on its backend from
the code and checks that this protocol declares it and both backends have it.

What it must NOT do: hold code; it only declares.
"""
from __future__ import annotations

from typing import Any, ContextManager, Iterable, Mapping, Protocol, Sequence

from searchkit.search.counts import CoMentions
from searchkit.search.operation import Plan, QueryMatch, Ranked
from searchkit.search.tree import Node

__all__ = ["SearchBackend"]


class SearchBackend(Protocol):
    """A backend as the engine sees it. ``tree`` and ``ftree`` are query trees
    (``search/tree``): the parsed query and the filters (None: no filters), which each
    backend compiles into its own language."""

    # Whether it keeps near-duplicate groups (collapsing, counting each group once).
    collapses: bool

    @property
    def groups(self) -> Any:
        """The actor spelling groups (``search.groups.ActorGroups``) of the index."""
        ...

    def check(self) -> None:
        """Raise the one-line error (with a hint) when the index is missing or incompatible."""
        ...

    def pinned(self) -> ContextManager[Any]:
        """One state of the index for a whole operation (nested calls share it)."""
        ...

    def terms(self, field: str) -> Iterable[str]:
        """Every indexed value of a keyword field (what facet values resolve against)."""
        ...

    def has_vectors(self) -> bool:
        """Whether the index has passage vectors (hybrid is then the default mode)."""
        ...

    def check_vectors(self) -> None:
        """Raise the one-line error a semantic search would give (no vectors, no embedder)."""
        ...

    def rank(self, plan: Plan) -> Ranked:
        """Every match counted, the page ranked and fetched, facets over every match."""
        ...

    def similar(self, doc_id: str, names: frozenset[str], ftree: Node | None, limit: int, offset: int, collapse: bool, snippets: int) -> Ranked:
        """Articles like ``doc_id`` (``NotFoundError`` for an unknown id)."""
        ...

    def query_match(self, doc_id: str, tree: Node, ftree: Node | None, names: frozenset[str], marked: bool) -> QueryMatch:
        """One article's stored fields and, with ``marked``, the spans ``tree`` and ``names`` mark."""
        ...

    def co_mentions(self, tree: Node, ftree: Node | None, displays: set[str], kinds: Sequence[str], collapse: bool = True) -> CoMentions:
        ...

    def date_counts(self, tree: Node, ftree: Node | None, field: str = "published", collapse: bool = True) -> tuple[int, dict[str, int]]:
        ...

    def stats(self) -> Mapping[str, Any]:
        """The fields of ``results.IndexStats`` but ``acronyms``."""
        ...

    def suggest(self, words: Sequence[str]) -> dict[str, str]:
        """For each folded word not in the unstemmed fields, its nearest indexed word."""
        ...

    def warm(self) -> None:
        """Build what a first query needs (facet tables, actor groups), once."""
        ...

    def close(self) -> None:
        ...
