"""PDF files read with pypdf: the text layer, page by page.

pypdf was chosen over pdfminer.six by measurement (bench/ingest_speed.py, BENCHMARKS.md):
on justified one- and two-column French articles it kept every 6-word passage against
92.4% (pdfminer's layout analysis reorders words of justified lines), and it is about
4 times faster; accents and ligature glyphs come out alike. pdfminer is better
only when a generator interleaves the lines of two columns in the content stream.
PyMuPDF is faster still but AGPL.

A scan (no text layer), an encrypted file that needs a password and a damaged file
each raise ``Unreadable`` with their own reason: never a traceback. Line-end
hyphenation is undone and the fi/fl ligature characters are spelled out, so that
phrase search finds the words. No OCR here.
"""
from __future__ import annotations

import io
import logging
import re
import unicodedata

from searchkit.corpus.model import Document, Unreadable

__all__ = ["read", "dehyphenate"]

# Fewer letters than this in the whole file: there is no text layer worth indexing.
MIN_LETTERS = 20
# "récupé-\nration": a word cut at a line end (lowercase on both sides).
_CUT = re.compile(r"(\w*[a-zà-ÿœæ])-[ \t]*\n[ \t]*([a-zà-ÿœæ]\w*)")
_LIGATURES = re.compile("[\ufb00-\ufb06]")
_FILE_TITLE = re.compile(r"(?i)^(untitled|sans titre|microsoft word - .*|.*\.(docx?|odt|pdf|txt|indd|qxp))$")


def read(data: bytes) -> Document:
    """The text of every page, with each page's start offset (for `show`)."""
    import pypdf
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # its warnings on odd files become our Problems
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many PDFs are encrypted with an empty user password (printing or copying
            # restricted): they open for reading.
            try:
                opened = reader.decrypt("")
            except (NotImplementedError, DependencyError) as exc:
                raise Unreadable(f"encrypted PDF (cannot decrypt: {exc})") from None
            if not opened:
                raise Unreadable("encrypted PDF (password required)")
        pages = list(reader.pages)
    except Unreadable:
        raise
    except FileNotDecryptedError:
        raise Unreadable("encrypted PDF (password required)") from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError, AssertionError) as exc:
        raise Unreadable(f"damaged PDF ({type(exc).__name__}: {_short(exc)})") from None
    texts: list[str] = []
    failed = 0
    runs: list[tuple[str, float]] = []  # (text, font size) on the first page, for the title
    for n, page in enumerate(pages):
        try:
            if n == 0:
                texts.append(_normalise(page.extract_text(visitor_text=_sizes(runs)) or ""))
            else:
                texts.append(_normalise(page.extract_text() or ""))
        except Exception:  # one broken page (bad font, bad stream) must not lose the others
            failed += 1
            texts.append("")
    letters = sum(ch.isalpha() for t in texts for ch in t)
    if letters < MIN_LETTERS:
        if failed == len(pages) and pages:
            raise Unreadable("damaged PDF (no page could be read)")
        raise Unreadable("no text layer (scanned?)")
    body, offsets = _join_pages(texts)
    title, author = _metadata(reader)
    title = title or _largest_first_run(runs)
    warnings = [f"{failed} of {len(pages)} pages could not be read"] if failed else []
    return Document(body, title=title, author=author, pages=offsets, warnings=warnings)


def _sizes(runs: list[tuple[str, float]]) -> object:
    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            runs.append((text, abs(size * tm[3] * cm[3]) or size))

    return visit


def _largest_first_run(runs: list[tuple[str, float]]) -> str:
    """With no Title property, the title is the first text set in the first page's
    largest type, when that type stands out from the body's (a headline over several
    lines is then whole, where the first line would cut it)."""
    if not runs:
        return ""
    sizes = sorted(size for _, size in runs)
    body, top = sizes[len(sizes) // 2], sizes[-1]
    if top < body * 1.15:
        return ""
    start = next(i for i, (_, size) in enumerate(runs) if size >= top * 0.95)
    parts: list[str] = []
    for text, size in runs[start:]:
        if size < top * 0.95:
            break
        parts.append(text)
    title = " ".join(_normalise("".join(parts)).split())
    return title if 3 <= len(title) <= 300 else ""


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _normalise(text: str) -> str:
    text = _LIGATURES.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)
    return dehyphenate(text.replace("\u00ad", ""))


def dehyphenate(text: str) -> str:
    """Join words cut at line ends, keeping real compounds.

    A hyphen before a line break is dropped when both sides are lowercase, unless the
    hyphenated form is written elsewhere in the text (then "porte-\\nparole" stays
    "porte-parole").

    >>> dehyphenate("la récupé-\\nration, le porte-\\nparole et le porte-parole")
    'la récupération, le porte-parole et le porte-parole'
    """
    def join(m: re.Match[str]) -> str:
        compound = f"{m.group(1)}-{m.group(2)}"
        return compound if compound in text else m.group(1) + m.group(2)

    return _CUT.sub(join, text)


def _join_pages(texts: list[str]) -> tuple[str, tuple[int, ...]]:
    parts: list[str] = []
    offsets: list[int] = []
    at = 0
    for text in texts:
        text = text.strip()
        offsets.append(at)
        if text:
            parts.append(text)
            at += len(text) + 2  # the "\n\n" between pages
    return "\n\n".join(parts), tuple(offsets)


def _metadata(reader: object) -> tuple[str, str | None]:
    try:
        meta = getattr(reader, "metadata", None) or {}
        title = " ".join(str(getattr(meta, "title", None) or "").split())
        author = " ".join(str(getattr(meta, "author", None) or "").split()) or None
    except Exception:  # a damaged Info dictionary: the text is still good
        return "", None
    if _FILE_TITLE.match(title) or len(title) < 3:
        title = ""  # "untitled", "Microsoft Word - note.docx": not a title
    return title, author
