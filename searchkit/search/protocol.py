"""What the library asks of a search engine: the one interface ``SearchKit`` and
``workflow`` use, whichever backend answers (``search.Engine`` over a Whoosh folder,
``backends.engine.BackendEngine`` over OpenSearch). ``runs.open_engine`` returns one.

``tests/test_backend_seam.py`` reads every member the library's callers use from the
code and checks that this protocol declares it and both engines have it.

What it must NOT do: hold code; it only declares.
"""
from __future__ import annotations

from typing import Any, Mapping, Protocol, Sequence

from searchkit.results import IndexStats, Results
from searchkit.search.counts import CoMentions
from searchkit.search.request import SearchRequest

__all__ = ["SearchEngine"]


class SearchEngine(Protocol):
    """A search engine over one index."""

    # Whether it keeps near-duplicate groups (collapsing, counting each group once).
    collapses: bool

    @property
    def groups(self) -> Any:
        """The actor spelling groups (``search.groups.ActorGroups``)."""
        ...

    def search(self, request: SearchRequest | str, filters: Mapping[str, Sequence[str]] | None = None, **options: Any) -> Results:
        ...

    def similar(self, doc_id: str, filters: Mapping[str, Sequence[str]] | None = None, limit: int = 10, offset: int = 0,
                collapse: bool = True, snippet_count: int | None = None) -> Results:
        ...

    def query_match(self, doc_id: str, text: str = "", filters: Mapping[str, Sequence[str]] | None = None) -> Any:
        """One article's stored fields and what ``text`` and ``filters`` match in it (``search.engine.QueryMatch``)."""
        ...

    def co_mentions(self, query: str, filters: Mapping[str, Sequence[str]], displays: set[str], kinds: Sequence[str],
                    collapse: bool = True) -> CoMentions:
        ...

    def date_counts(self, query: str, filters: Mapping[str, Sequence[str]], field: str = "published",
                    collapse: bool = True) -> tuple[int, dict[str, int]]:
        ...

    def stats(self) -> IndexStats:
        ...

    def warm(self) -> None:
        """Build what a first query needs (facet tables, actor groups), once."""
        ...

    def close(self) -> None:
        ...
