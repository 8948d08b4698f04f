"""OpenDocument text (.odt) read with odfpy: headings and paragraphs in order.

The title is the document's dc:title, else the first line. No publication date
(see word.py for why). Tables, lists and sections are walked for their paragraphs.
"""
from __future__ import annotations

import io
import zipfile

from searchkit.corpus.model import Document, Unreadable

__all__ = ["read"]


def read(data: bytes) -> Document:
    from odf import teletype
    from odf.namespaces import TEXTNS
    from odf.opendocument import load

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise Unreadable("not an .odt file (no zip container: damaged or encrypted)")
    try:
        doc = load(io.BytesIO(data))
        lines: list[str] = []

        def walk(node: object) -> None:
            for child in getattr(node, "childNodes", []):
                if getattr(child, "qname", None) in ((TEXTNS, "p"), (TEXTNS, "h")):
                    text = teletype.extractText(child).strip()
                    if text:
                        lines.append(text)
                else:
                    walk(child)

        walk(doc.text)
        title = _meta(doc, "title")
        author = _meta(doc, "creator") or _meta(doc, "initial-creator") or None
    except Exception as exc:  # odfpy raises KeyError, XML errors... on a damaged file
        raise Unreadable(f"damaged OpenDocument file ({type(exc).__name__})") from None
    body = "\n".join(lines).strip()
    if not body:
        raise Unreadable("empty OpenDocument file")
    return Document(body, title=title, author=author)


def _meta(doc: object, name: str) -> str:
    from odf import teletype
    from odf.namespaces import DCNS, METANS

    for ns in (DCNS, METANS):
        for node in getattr(doc, "meta").childNodes:
            if getattr(node, "qname", None) == (ns, name):
                return " ".join(teletype.extractText(node).split())
    return ""
