"""Web pages (.html, .htm) read with trafilatura: the article's main text, not the page.

trafilatura is made for news pages: it keeps the main text and drops menus, cookie
banners, footers and "read also" blocks, and reads the title, the author and the
publication date (htmldate) from the page's metadata. Precision is favoured: on the
7 gold pages of ../shared/data/html_fr_dev it keeps as much main text as the default
and half the furniture (see BENCHMARKS.md). The dates the text itself mentions still
come from searchkit's grammar. No network: the page's bytes only.
"""
from __future__ import annotations

import logging

from searchkit.corpus.model import Document, Unreadable
from searchkit.corpus.text import iso_date

__all__ = ["read"]


def read(data: bytes) -> Document:
    """The main text of a saved web page, with its title, author and publication date."""
    import trafilatura

    # trafilatura logs "discarding data" and the like at WARNING: the Problem says it.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    try:
        found = trafilatura.bare_extraction(
            data, favor_precision=True, include_comments=False, include_tables=True, with_metadata=True
        )
    except Exception as exc:  # lxml or its own parsing on a hostile page: one file, one reason
        raise Unreadable(f"cannot parse the page ({type(exc).__name__}: {exc})") from None
    body = _clean(getattr(found, "text", None) or "") if found is not None else ""
    if not body:
        raise Unreadable("no article text found in the page")
    title = " ".join((getattr(found, "title", None) or "").split())
    author = " ".join((getattr(found, "author", None) or "").split()) or None
    return Document(body, title=title, published=iso_date(getattr(found, "date", None)), author=author)


def _clean(text: str) -> str:
    # Blank lines and stray indentation from the markup carry no meaning.
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())
