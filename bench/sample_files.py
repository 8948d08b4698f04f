"""Real files of every format searchkit reads, made here from article text: PDFs
(reportlab), Word (python-docx), OpenDocument (odfpy) and e-mail (the standard library).

Used by bench/ingest_speed.py and by the tests (tests/test_ingest.py): the files are
made by the same libraries that make such files in the wild, never hand-written bytes,
except for the deliberately broken ones.
"""
from __future__ import annotations

import io
import os
import re
from email.message import EmailMessage
from email.utils import format_datetime
from datetime import datetime, timezone

__all__ = [
    "damaged_pdf", "encrypted_pdf", "make_docx", "make_eml", "make_odt", "make_pdf", "scanned_pdf", "small_pdf",
    "split_paragraphs",
]


def split_paragraphs(text: str) -> list[str]:
    """OrangeSum joins paragraphs without a space ("fin.Début"): split them there."""
    return [p for p in re.split(r"(?<=[a-zà-ÿ0-9»\"]\.)(?=[A-ZÀ-Ý])", text) if p.strip()]


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def make_pdf(title: str, paragraphs: list[str], columns: int = 1, *, metadata_title: bool = True, encrypt: object = None) -> bytes:
    """A justified article PDF as a word processor makes one (reportlab platypus)."""
    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    body.alignment = TA_JUSTIFY
    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=A4, title=title if metadata_title else "", encrypt=encrypt)
    width = (doc.width - 20 * (columns - 1)) / columns
    frames = [Frame(doc.leftMargin + i * (width + 20), doc.bottomMargin, width, doc.height) for i in range(columns)]
    doc.addPageTemplates([PageTemplate(frames=frames)])
    doc.build([Paragraph(_esc(title), styles["Title"])] + [Paragraph(_esc(p), body) for p in paragraphs])
    return buf.getvalue()


def small_pdf(lines: list[tuple[float, float, str]], font: str = "Helvetica") -> bytes:
    """One page with each (x, y, text) drawn in that order: the order of the content stream."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    if font != "Helvetica":  # a TrueType font shipped with reportlab (Vera has the fi/fl glyphs)
        import reportlab
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        pdfmetrics.registerFont(TTFont(font, os.path.join(os.path.dirname(reportlab.__file__), "fonts", f"{font}.ttf")))
    c.setFont(font, 10)
    for x, y, text in lines:
        c.drawString(x, y, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def scanned_pdf(pages: int = 2) -> bytes:
    """What a scanner makes: each page one picture, no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for n in range(pages):
        img = Image.new("L", (600, 800), 255)
        draw = ImageDraw.Draw(img)
        for y in range(60, 760, 24):  # lines of "text" as a scanner sees them: pixels
            draw.rectangle([40, y, 40 + (y * 7 + n * 13) % 500, y + 10], fill=30)
        c.drawImage(ImageReader(img), 0, 0, width=595, height=842)
        c.showPage()
    c.save()
    return buf.getvalue()


def encrypted_pdf(title: str, paragraphs: list[str], user_password: str) -> bytes:
    """An encrypted PDF; with an empty user password it opens for reading (print/copy limits)."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    return make_pdf(title, paragraphs, encrypt=StandardEncryption(user_password, ownerPassword="owner-secret", strength=128))


def damaged_pdf(good: bytes) -> bytes:
    """A PDF cut in the middle (an interrupted download)."""
    return good[: len(good) // 3]


def make_docx(title: str, paragraphs: list[str], *, table: list[list[str]] | None = None) -> bytes:
    import docx

    doc = docx.Document()
    doc.add_heading(title, level=0)  # the "Title" style
    for p in paragraphs:
        doc.add_paragraph(p)
    if table:
        t = doc.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                t.cell(r, c).text = cell
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def make_odt(title: str, paragraphs: list[str]) -> bytes:
    from odf import dc, text
    from odf.opendocument import OpenDocumentText

    doc = OpenDocumentText()
    doc.meta.addElement(dc.Title(text=title))
    doc.text.addElement(text.H(outlinelevel=1, text=title))
    for p in paragraphs:
        doc.text.addElement(text.P(text=p))
    buf = io.BytesIO()
    doc.write(buf)
    return buf.getvalue()


def make_eml(subject: str, body: str, *, date: datetime | None = None, html: bool = False, charset: str = "utf-8",
             sender: str = "Service de presse <presse@example.fr>") -> bytes:
    """A message as a mail client saves it, its body quoted-printable."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = "redaction@example.fr"
    msg["Date"] = format_datetime(date or datetime(2020, 12, 21, 9, 30, tzinfo=timezone.utc))
    if html:
        paras = "".join(f"<p>{_esc(p)}</p>" for p in body.split("\n\n"))
        msg.set_content(f"<html><body>{paras}</body></html>", subtype="html", charset=charset, cte="quoted-printable")
    else:
        msg.set_content(body, charset=charset, cte="quoted-printable")
    return bytes(msg)
