"""Plain text (.txt, .md): encodings, the ` date YYYY-MM[-DD]` header, titles.

Also the text helpers other readers share: ``decode`` (UTF-8 with or without BOM,
UTF-16 with BOM, a cp1252/latin-1 fallback with a warning), binary detection,
``split_title`` and ``date_prefix``. Pure functions over bytes and strings: no file access.
"""
from __future__ import annotations

import re

from searchkit.corpus.model import Document, Unreadable

__all__ = ["decode", "decode_text", "date_prefix", "parse_text", "read", "split_title"]

# Decoded text with more than this share of control characters (other than tab,
# newline, carriage return, form feed) or U+FFFD is binary that happens to have no NUL.
BINARY_CONTROL_SHARE = 0.05
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")
# " date 2021-07 Les milices..." : the header may share its line with the text.
_HEADER = re.compile(r"\A\ufeff?\s*date\s*[:=]?\s*(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?=\s|$)", re.IGNORECASE)
# A sentence ends after a lowercase letter or digit (so "M. Kazimi" is not cut).
_SENTENCE_END = re.compile(r"(?<=[a-zà-ÿ0-9)»\"”][.!?…])[»\"”]?\s+(?=\S)")
_MD_PREFIX = re.compile(r"^\s{0,3}#{1,6}\s+")
_ISO_PREFIX = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
TITLE_MAX = 200


def decode(data: bytes) -> tuple[str, str | None]:
    """Text of ``data`` and, when it was not clean UTF-8, a warning saying what was done.

    A byte-order mark is trusted; damaged bytes after it become U+FFFD with a
    warning rather than failing the file (or, before, the whole run).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
        return text, "damaged UTF-8: bad bytes replaced by \ufffd" if "\ufffd" in text else None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:  # odd length (truncated) or lone surrogates
            return data.decode("utf-16", errors="replace"), "damaged UTF-16: bad bytes replaced by \ufffd"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "not UTF-8: decoded as cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "not UTF-8: decoded as latin-1"


def looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 has NUL bytes by nature
    return b"\x00" in head


def mostly_control(text: str) -> bool:
    head = text[:8192]
    return bool(head) and len(_CONTROL.findall(head)) > BINARY_CONTROL_SHARE * len(head)


def decode_text(data: bytes) -> tuple[str, str | None]:
    """``decode`` for a file that must be text: binary content raises ``Unreadable``."""
    if looks_binary(data):
        raise Unreadable("binary file (NUL bytes), not text")
    text, warning = decode(data)
    if mostly_control(text):
        raise Unreadable("binary file (control characters), not text")
    return text, warning


def parse_text(text: str) -> tuple[str | None, str, str]:
    """Split raw article text into (header date, title, body).

    The body is the text after the header; the title is its first line, or its
    first sentence when that line is long.
    """
    published = None
    m = _HEADER.match(text)
    if m:
        published = date_prefix(*m.groups())
        text = text[m.end():]
    body = text.strip().replace("\r\n", "\n")
    return published, split_title(body)[0], body


def date_prefix(year: str, month: str | None, day: str | None) -> str | None:
    """"YYYY[-MM[-DD]]" keeping only the parts that are a real month and day:
    a header "date 2020-13-45" gives "2020", never a month 13 in the facets."""
    if not month or not 1 <= int(month) <= 12:
        return year
    if not day or not 1 <= int(day) <= 31:
        return f"{year}-{month}"
    return f"{year}-{month}-{day}"


def iso_date(value: object) -> str | None:
    """The "YYYY[-MM[-DD]]" prefix of a metadata date ("2020-12-20T08:00:00Z"), else None."""
    m = _ISO_PREFIX.match(str(value).strip()) if value is not None else None
    return date_prefix(*m.groups()) if m else None


def split_title(body: str) -> tuple[str, bool]:
    """(title, guessed): the first line, or the first sentence of a long first line."""
    first_line = next((ln.strip() for ln in body.split("\n") if ln.strip()), "")
    title = _MD_PREFIX.sub("", first_line)
    if len(title) <= TITLE_MAX:
        return title, False
    title = _SENTENCE_END.split(title, maxsplit=1)[0]
    if len(title) > TITLE_MAX:
        title = title[:TITLE_MAX].rsplit(" ", 1)[0] + "…"
    return title, True


def read(data: bytes) -> Document:
    """A .txt or .md file: the optional date header, then the article."""
    text, warning = decode_text(data)
    published, _, body = parse_text(text)
    if not body:
        raise Unreadable("only a date header, no text" if published else "empty file")
    return Document(body, published=published, warnings=[warning] if warning else [])
