"""searchkit: French-aware full-text search over collections of news articles.

>>> from searchkit import SearchKit                  # doctest: +SKIP
>>> kit = SearchKit.open("config.yaml"); kit.index()  # doctest: +SKIP
"""
from __future__ import annotations

from searchkit.api import SearchKit
from searchkit.errors import SearchkitError
from searchkit.results import Hit, Results

__all__ = ["Hit", "Results", "SearchKit", "SearchkitError", "__version__"]
__version__ = "0.1.0"
