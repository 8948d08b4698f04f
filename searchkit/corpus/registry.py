"""Which reader reads which file: the one table of formats (suffix -> reader module).

Adding a format is one module in this package (a ``read(data: bytes) -> Document``
function, or for a collection read line by line a ``records(...)`` generator like
jsonl.py's) and one line in ``FORMATS``. Reader modules are imported only when a file
of their kind is read, so listing a folder or starting a search loads none of their
libraries. Nothing here reads files.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Collection

__all__ = ["FORMATS", "Format", "format_for", "format_names", "reader_module", "suffixes"]


@dataclass(frozen=True)
class Format:
    """A file format: its name in config.yaml (``formats: {pdf: false}``), its suffixes
    (lowercase, matched at the end of the file name) and its reader module."""

    name: str
    suffixes: tuple[str, ...]
    module: str  # in searchkit.corpus
    streamed: bool = False  # many articles, read line by line with no size limit
    label: str = ""


FORMATS: tuple[Format, ...] = (
    Format("txt", (".txt",), "text", label="plain text"),
    Format("md", (".md",), "text", label="Markdown"),
    Format("jsonl", (".jsonl", ".jsonl.gz"), "jsonl", streamed=True, label="JSON Lines collection"),
    Format("html", (".html", ".htm"), "html", label="web page"),
    Format("pdf", (".pdf",), "pdf", label="PDF"),
    Format("docx", (".docx",), "word", label="Word document"),
    Format("odt", (".odt",), "odt", label="OpenDocument text"),
    Format("eml", (".eml",), "mail", label="e-mail message"),
)


def format_names() -> list[str]:
    return [f.name for f in FORMATS]


def format_for(filename: str, enabled: Collection[str] | None = None) -> Format | None:
    """The format of a file by its name (longest matching suffix), if enabled.

    >>> format_for("archive.JSONL.gz").name
    'jsonl'
    >>> format_for("page.htm", enabled={"txt"}) is None
    True
    """
    name = filename.lower()
    best: tuple[int, Format] | None = None
    for fmt in FORMATS:
        for suffix in fmt.suffixes:
            if name.endswith(suffix) and len(name) > len(suffix) and (best is None or len(suffix) > best[0]):
                best = (len(suffix), fmt)
    if best is None or (enabled is not None and best[1].name not in enabled):
        return None
    return best[1]


def suffixes(enabled: Collection[str] | None = None) -> list[str]:
    """The suffixes read, e.g. for "no .txt, .md or .pdf file in FOLDER"."""
    return [s for f in FORMATS if enabled is None or f.name in enabled for s in f.suffixes]


def reader_module(fmt: Format) -> ModuleType:
    return importlib.import_module(f"searchkit.corpus.{fmt.module}")
