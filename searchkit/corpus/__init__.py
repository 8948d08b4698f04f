"""Reading a corpus: files of every supported format -> ``Article``.

One reader module per format (text, jsonl, html, pdf, word, odt, mail) behind the
one ``Article`` interface; ``registry.FORMATS`` says which suffix goes to which.
Every file that cannot be read becomes a ``Problem`` with a reason: one bad file
never stops the run. No extraction and no index here.
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from searchkit.corpus.model import Article, Document, Problem, ReadResult, SourceFile, Unreadable, display_path
    from searchkit.corpus.read import PART_ARTICLES, iter_sources, read_parts, read_source
    from searchkit.corpus.registry import FORMATS, Format, format_for, format_names, suffixes
    from searchkit.corpus.text import decode, parse_text, split_title

# Each public name and the module that defines it, loaded on first use (PEP 562): the
# configuration imports ``corpus.registry`` for the format names, and that must not load
# the readers (a search never reads a file).
_HOMES = {
    **dict.fromkeys(("Article", "Document", "Problem", "ReadResult", "SourceFile", "Unreadable", "display_path"), "model"),
    **dict.fromkeys(("PART_ARTICLES", "iter_sources", "read_parts", "read_source"), "read"),
    **dict.fromkeys(("FORMATS", "Format", "format_for", "format_names", "suffixes"), "registry"),
    **dict.fromkeys(("decode", "parse_text", "split_title"), "text"),
}

__all__ = sorted(_HOMES, key=lambda n: (n.lower(), n))


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'searchkit.corpus' has no attribute {name!r}")
    value = getattr(import_module(f"searchkit.corpus.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
