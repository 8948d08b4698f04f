"""E-mail messages (.eml) read with the standard library: subject, date, sender, body.

The Subject is the title, the Date header the publication date and the From name the
author. The body is the text/plain part, else the text/html part reduced to its text
(trafilatura's html2txt: an e-mail has no page furniture to drop). Transfer encodings
(quoted-printable, base64) and charsets are undone by ``email``. Attachments are not read.
"""
from __future__ import annotations

import email
import email.policy
import email.utils
from email.message import EmailMessage

from searchkit.corpus.model import Document, Unreadable

__all__ = ["read"]


def read(data: bytes) -> Document:
    try:
        msg = email.message_from_bytes(data, policy=email.policy.default)
    except Exception as exc:  # the parser is lenient; this is for the truly odd
        raise Unreadable(f"cannot parse the message ({type(exc).__name__})") from None
    if not isinstance(msg, EmailMessage) or not (msg.keys() or msg.get_payload()):
        raise Unreadable("not an e-mail message")
    body = _body(msg)
    if not body:
        raise Unreadable("e-mail without a text body")
    title = _header(msg, "subject")
    published = None
    date = _header(msg, "date")
    if date:
        try:
            published = email.utils.parsedate_to_datetime(date).date().isoformat()
        except (TypeError, ValueError, IndexError):
            published = None
    sender = _header(msg, "from")
    name, address = email.utils.parseaddr(sender)
    return Document(body, title=title, published=published, author=name or address or None)


def _header(msg: EmailMessage, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # a header the policy cannot parse (bad encoded-word)
        value = msg.get_all(name, failobj=[""])[0] if hasattr(msg, "get_all") else ""
    return " ".join(str(value or "").split())


def _body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):  # unknown charset, bad base64
        raw = part.get_payload(decode=True) or b""
        content = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else str(raw)
    if not isinstance(content, str):
        return ""
    if part.get_content_subtype() == "html":
        import trafilatura

        content = trafilatura.html2txt(content) or ""
    lines = [ln.rstrip() for ln in content.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()
