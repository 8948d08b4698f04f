"""searchkit: French-aware full-text search over collections of news articles.

>>> from searchkit import SearchKit                  # doctest: +SKIP
>>> kit = SearchKit.open("config.yaml"); kit.index()  # doctest: +SKIP

The names below are loaded on first use (PEP 562): ``import searchkit.errors`` or the
``searchkit`` command does not pay for the library's facade and what it imports.
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from searchkit.api import SearchKit
    from searchkit.errors import SearchkitError
    from searchkit.results import Hit, Results

__all__ = ["Hit", "Results", "SearchKit", "SearchkitError", "__version__"]
__version__ = "0.1.0"

# Public name -> the module that defines it.
_HOMES = {"SearchKit": "searchkit.api", "SearchkitError": "searchkit.errors", "Hit": "searchkit.results", "Results": "searchkit.results"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'searchkit' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
