"""The exceptions the library raises for things a user can fix.

Every error carries a one-line message and a hint; the CLI and REPL print them
and choose the exit code. Nothing here prints or exits.
"""
from __future__ import annotations

import re


class SearchkitError(Exception):
    """Base class: a problem the user can act on. ``exit_code`` follows DESIGN.md."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        # Messages quote what the user typed, which may hold a newline (a filter value
        # from a script, found by fuzzing): escape it, so an error stays one line.
        message, hint = _one_line(message), _one_line(hint) if hint is not None else None
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


# Everything str.splitlines() breaks on: a terminal may too.
_BREAKS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _one_line(text: str) -> str:
    """``text`` with line breaks shown escaped (``\\n``, ``\\x0c``…), never broken.

    >>> _one_line("cannot read the date '0\\n0'")
    "cannot read the date '0\\\\n0'"
    """
    return _BREAKS.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


class ConfigError(SearchkitError):
    """config.yaml is missing, unreadable, not YAML, or has a bad value."""


class CorpusError(SearchkitError):
    """The corpus path does not exist or holds nothing we can read."""


class IndexMissingError(SearchkitError):
    """No index where one was expected."""


class IndexIncompatibleError(SearchkitError):
    """The index was built by an incompatible analyzer or schema version."""


class IndexLockedError(SearchkitError):
    """Another indexer holds the write lock."""


class QueryError(SearchkitError):
    """The query cannot be parsed or names an unknown field or bad value."""

    exit_code = 2


class QuerySyntaxError(QueryError):
    """Quotes, parentheses or operators that do not parse. A lenient search reads
    such text as plain words (with a notice) instead of raising; ``strict=True`` raises."""


class NotFoundError(SearchkitError):
    """A document id that is not in the index."""


class SavedSearchError(SearchkitError):
    """A saved search that does not exist, or a name already taken or unusable."""


class MissingExtraError(SearchkitError):
    """An optional feature whose extra package is not installed (e.g. charts: matplotlib)."""


class OpenSearchError(SearchkitError):
    """An OpenSearch node refused a request, or the URL is not an OpenSearch node."""


class OpenSearchUnavailableError(OpenSearchError):
    """No OpenSearch node answers at the configured URL (down, wrong host or port)."""


class NothingIndexedError(CorpusError):
    """An indexing run left the index empty: every file was skipped, or there was none.

    ``report`` (an ``IndexReport``) says what was skipped and why, so that a caller can
    show the reasons before the error.
    """

    def __init__(self, message: str, hint: str | None = None, report: object = None) -> None:
        super().__init__(message, hint)
        self.report = report
