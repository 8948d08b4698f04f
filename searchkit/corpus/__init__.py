"""Reading a corpus: files of every supported format -> ``Article``.

One reader module per format (text, jsonl, html, pdf, word, odt, mail) behind the
one ``Article`` interface; ``registry.FORMATS`` says which suffix goes to which.
Every file that cannot be read becomes a ``Problem`` with a reason: one bad file
never stops the run. No extraction and no index here.
"""
from __future__ import annotations

from searchkit.corpus.model import Article, Document, Problem, ReadResult, SourceFile, Unreadable, display_path
from searchkit.corpus.read import PART_ARTICLES, iter_sources, read_parts, read_source
from searchkit.corpus.registry import FORMATS, Format, format_for, format_names, suffixes
from searchkit.corpus.text import decode, parse_text, split_title

__all__ = [
    "Article", "Document", "FORMATS", "Format", "PART_ARTICLES", "Problem", "ReadResult", "SourceFile", "Unreadable",
    "decode", "display_path", "format_for", "format_names", "iter_sources", "parse_text", "read_parts", "read_source",
    "split_title", "suffixes",
]
