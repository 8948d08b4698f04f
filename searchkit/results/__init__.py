"""Every answer of the library, as frozen dataclasses whose ``to_dict()`` is the JSON
contract (what each command's ``--json`` prints and the web API answers): one module per
family, each re-exported here, so ``from searchkit.results import Results`` is the one
import a caller needs.

- ``search``: ``Results``, ``Hit``, ``Actor``, ``FacetValue``, ``Facets``, ``mark``;
- ``document``: ``Document``, ``Explanation`` and its parts, ``ActorMatch``;
- ``stats``: ``IndexStats``;
- ``extraction``: ``DateMention``, ``ActorMention``, ``ArticleExtraction``, ``Token``;
- ``workflow``: ``Association``, ``Timeline``, the saved searches' answers.

What this package must not do: import anything of searchkit's outside it (it is a leaf:
everything else may import it), or hold a Whoosh object or anything that dies with a
searcher (results outlive it).
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from searchkit.results.document import (
    ActorMatch,
    Document,
    DocumentActor,
    Explanation,
    FilterMatch,
    ResolvedActor,
    TermMatch,
    WordMatch,
)
from searchkit.results.search import MARK_CLOSE, MARK_OPEN, Actor, FacetValue, Facets, Hit, Results, mark

if TYPE_CHECKING:  # pragma: no cover
    from searchkit.results.extraction import ActorKind, ActorMention, ArticleExtraction, DateMention, Precision, Token
    from searchkit.results.stats import IndexStats
    from searchkit.results.workflow import Associate, Association, Period, SavedRun, SavedRuns, SavedSearch, SavedSearchList, Timeline

# The answers no search needs are loaded on first use: defining a frozen dataclass costs
# about a millisecond, and a one-shot search would pay for each one imported.
LAZY = {
    **dict.fromkeys(("ActorKind", "ActorMention", "ArticleExtraction", "DateMention", "Precision", "Token"), "extraction"),
    "IndexStats": "stats",
    **dict.fromkeys(("Associate", "Association", "Period", "SavedRun", "SavedRuns", "SavedSearch", "SavedSearchList", "Timeline"), "workflow"),
}

__all__ = [
    "MARK_CLOSE", "MARK_OPEN", "Actor", "ActorKind", "ActorMatch", "ActorMention", "ArticleExtraction", "Associate",
    "Association", "DateMention", "Document", "DocumentActor", "Explanation", "FacetValue", "Facets", "FilterMatch",
    "Hit", "IndexStats", "Period", "Precision", "ResolvedActor", "Results", "SavedRun", "SavedRuns", "SavedSearch",
    "SavedSearchList", "TermMatch", "Timeline", "Token", "WordMatch", "mark",
]


def __getattr__(name: str) -> Any:
    """``from searchkit.results import Timeline`` loads ``results.workflow`` then."""
    module = LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"searchkit.results.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
