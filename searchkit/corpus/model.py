"""The values every reader produces: ``SourceFile``, ``Article``, ``Problem``, ``ReadResult``,
and ``Document``/``Unreadable``, the small contract between a format's reader and the rest.

Plain dataclasses only: no reading, no format knowledge, no imports of parsing libraries.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Article", "Document", "Problem", "ReadResult", "SourceFile", "Unreadable", "display_path"]


@dataclass(frozen=True)
class SourceFile:
    """A file of the corpus as seen on disk, before reading it."""

    path: Path
    key: str  # stable identity in the manifest: the resolved path as a string
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Article:
    """One article ready for extraction and indexing."""

    id: str
    path: str
    source: str
    title: str
    body: str
    published: str | None = None  # from the header, the .jsonl "date" or the file's own metadata
    line: int | None = None  # line number in a .jsonl
    # True when the title is only the first sentence of a long opening paragraph:
    # shown, but not indexed as a title (boosting it would favour whatever the first
    # sentence says, which measurably hurt ranking on OrangeSum).
    title_guessed: bool = False
    author: str | None = None  # from the file's metadata (HTML, PDF, Word, e-mail From)
    # Character offset in ``body`` where each page starts (PDF): `show` gives page numbers.
    pages: tuple[int, ...] = ()
    format: str = ""  # the reader that made it ("txt", "pdf", ...): see registry.FORMATS


@dataclass(frozen=True)
class Problem:
    """Something skipped or worth a warning, with where and why."""

    path: str
    reason: str
    line: int | None = None
    skipped: bool = True  # False: a warning only, the article was indexed

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"

    @property
    def kind(self) -> str:
        """The reason without its particulars, to count problems by kind in a summary.

        >>> Problem("a.jsonl", "malformed JSON (Expecting value)", line=3).kind
        'malformed JSON'
        >>> Problem("b.txt", "cannot read: Permission denied").kind
        'cannot read: Permission denied'
        """
        kind = re.split(r" \(|; |: indexed as ", self.reason, maxsplit=1)[0]
        return re.sub(r"'[^']*'", "'…'", kind)


@dataclass
class ReadResult:
    """What reading one source file gave; a big collection comes in several parts
    (``part`` 0, 1, ...; ``last`` on the final one) so that memory stays bounded."""

    source: SourceFile
    digest: str = ""
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    part: int = 0
    last: bool = True


@dataclass
class Document:
    """What a single-article reader (HTML, PDF, Word, e-mail, text) returns from a file's bytes.

    An empty ``title`` means "use the body's first line or sentence", as for .txt files.
    """

    body: str
    title: str = ""
    published: str | None = None  # "YYYY[-MM[-DD]]"
    author: str | None = None
    pages: tuple[int, ...] = ()
    warnings: list[str] = field(default_factory=list)  # indexed anyway, but worth saying


class Unreadable(Exception):
    """A reader's way to say why a file gives no article ("no text layer (scanned?)")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def display_path(path: Path | str) -> str:
    """``path`` as text that can always be printed and stored.

    Linux file names are bytes: one that is not UTF-8 (a latin-1 name copied from an
    old disk) reaches Python with surrogate escapes, which no UTF-8 writer accepts.
    They are shown as ``\\xe9``.
    """
    text = str(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", errors="backslashreplace")
