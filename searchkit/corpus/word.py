"""Word documents (.docx) read with python-docx: paragraphs and tables, in order.

The title is the document's title property, else its first paragraph in the Title
style, else (as for a .txt) its first line. The author comes from the properties. No
publication date: a .docx's "created" is when the file was made, so dates come from
the text (searchkit's grammar). Old binary .doc files are not read.
"""
from __future__ import annotations

import io
import zipfile

from searchkit.corpus.model import Document, Unreadable

__all__ = ["read"]


def read(data: bytes) -> Document:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise Unreadable("not a .docx file (no zip container: an old .doc, or an encrypted or damaged file)")
    try:
        doc = docx.Document(io.BytesIO(data))
        lines, styled_title = _paragraphs(doc)
        props = doc.core_properties
        title = " ".join((props.title or "").split()) or styled_title
        author = " ".join((props.author or "").split()) or None
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, OSError) as exc:
        raise Unreadable(f"damaged Word file ({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # lxml.etree.XMLSyntaxError and friends inside a damaged part
        raise Unreadable(f"damaged Word file ({type(exc).__name__})") from None
    body = "\n".join(lines).strip()
    if not body:
        raise Unreadable("empty Word document")
    return Document(body, title=title, author=author)


def _paragraphs(doc: object) -> tuple[list[str], str]:
    """Text of the body's paragraphs and table cells in document order, and the
    first Title-styled paragraph."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    lines: list[str] = []
    title = ""
    for block in doc.iter_inner_content():  # type: ignore[attr-defined]
        if isinstance(block, Paragraph):
            text = block.text.strip()
            if text and not title and (block.style is not None and (block.style.name or "").lower() == "title"):
                title = text
            if text:
                lines.append(text)
        elif isinstance(block, Table):
            for row in block.rows:
                cells = [c.text.strip() for c in row.cells]
                # A merged cell repeats its text in each grid cell it spans.
                seen = [c for i, c in enumerate(cells) if c and c not in cells[:i]]
                if seen:
                    lines.append(" | ".join(seen))
    return lines, title
