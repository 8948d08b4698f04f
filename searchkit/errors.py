"""The exceptions the library raises for things a user can fix.

Every error carries a one-line message and a hint; the CLI and REPL print them
and choose the exit code. Nothing here prints or exits.
"""
from __future__ import annotations


class SearchkitError(Exception):
    """Base class: a problem the user can act on. ``exit_code`` follows DESIGN.md."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


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


class NotFoundError(SearchkitError):
    """A document id that is not in the index."""
