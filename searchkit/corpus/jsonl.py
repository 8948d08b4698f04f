"""JSON Lines collections (.jsonl, .jsonl.gz): one article per line, streamed.

A collection may be far larger than memory: it is read one line at a time (through
gzip when the name ends in .gz), and a bad line is a ``Problem`` with its line number
while the rest goes on. Only a single line longer than ``max_line`` bytes (the
``max_file_mb`` limit of one article) is refused; the file as a whole has no limit.
Nothing here writes or keeps the whole file.
"""
from __future__ import annotations

import gzip
import io
import json
import re
import zlib
from pathlib import Path
from typing import BinaryIO, Iterator

from searchkit.corpus.model import Article, Problem
from searchkit.corpus.text import decode, iso_date, looks_binary, mostly_control, parse_text, split_title

__all__ = ["records"]

# A JSON "\ud800" escape decodes to a lone surrogate, which no UTF-8 writer (the
# index, the manifest, the terminal) accepts.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error)


def records(raw: BinaryIO, path: Path, where: str, key: str, max_line: int | None) -> Iterator[Article | Problem]:
    """Every article and every problem of the collection open in ``raw``, in file order."""
    fh: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb") if path.name.lower().endswith(".gz") else raw  # type: ignore[assignment]
    try:
        head = fh.read(8192)
        fh.seek(0)
    except _GZIP_ERRORS + (OSError,) as exc:
        yield Problem(where, f"not a readable gzip file ({_why(exc)})")
        return
    if looks_binary(head):
        yield Problem(where, "binary file (NUL bytes), not text")
        return
    # Whole lines only: a UTF-8 character cut at 8192 bytes would read as cp1252 noise.
    if mostly_control(decode(head[: head.rfind(b"\n") + 1] or head)[0]):
        yield Problem(where, "binary file (control characters), not text")
        return
    lineno = 0
    try:
        for lineno, line, warning in _lines(fh, head, max_line):
            if warning:
                yield Problem(where, warning, line=lineno if warning.startswith("line longer") else None, skipped=warning.startswith("line longer"))
            if line is not None and line.strip():
                yield from _article(line, lineno, where, key)
    except _GZIP_ERRORS as exc:
        yield Problem(where, f"damaged gzip after line {lineno} ({_why(exc)}); the lines before it are indexed")


def _why(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _lines(fh: BinaryIO, head: bytes, max_line: int | None) -> Iterator[tuple[int, str | None, str | None]]:
    """(line number, text or None when refused, warning) for each line.

    Not str.splitlines(): it also splits on U+2028, U+0085 and friends, which JSON
    allows raw inside strings, and would cut a good line in two.
    """
    limit = max_line + 1 if max_line else -1
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = io.TextIOWrapper(fh, encoding="utf-16", errors="replace", newline="\n")
        for lineno, line in enumerate(iter(lambda: text.readline(limit), ""), start=1):
            if max_line and len(line) > max_line and not line.endswith("\n"):
                _skip_rest(text)
                yield lineno, None, _too_long(max_line)
                continue
            yield lineno, line, "damaged UTF-16: bad bytes replaced by \ufffd" if "\ufffd" in line else None
        return
    warned = False
    lineno = 0
    while True:
        data = fh.readline(limit)
        if not data:
            return
        lineno += 1
        if max_line and len(data) > max_line and not data.endswith(b"\n"):
            _skip_rest(fh)
            yield lineno, None, _too_long(max_line)
            continue
        if lineno == 1 and data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            yield lineno, data.decode("utf-8"), None
        except UnicodeDecodeError:
            try:
                line, how = data.decode("cp1252"), "not UTF-8: decoded as cp1252"
            except UnicodeDecodeError:
                line, how = data.decode("latin-1"), "not UTF-8: decoded as latin-1"
            # Once per file: a legacy export is not worth one warning a line.
            yield lineno, line, None if warned else how
            warned = True


def _skip_rest(fh: BinaryIO | io.TextIOWrapper) -> None:
    """Read past the rest of an over-long line without keeping it."""
    while True:
        chunk = fh.readline(1 << 20)
        if not chunk or chunk[-1:] in ("\n", b"\n"):
            return


def _too_long(max_line: int) -> str:
    return f"line longer than max_file_mb (limit {max_line / 1e6:g} MB); raise index.max_file_mb in config.yaml to index it"


def _article(line: str, lineno: int, where: str, key: str) -> list[Article | Problem]:
    """The line's article (after its warning, if any), or why it was skipped."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return [Problem(where, f"malformed JSON ({exc.msg})", line=lineno)]
    except (ValueError, RecursionError) as exc:  # 100,000 nested brackets; a 5,000-digit number
        return [Problem(where, f"malformed JSON ({type(exc).__name__})", line=lineno)]
    if not isinstance(obj, dict) or "text" not in obj or "id" not in obj:
        return [Problem(where, "a line needs at least \"id\" and \"text\"", line=lineno)]
    doc_id, raw = str(obj["id"]).strip(), obj["text"]
    if not doc_id or not isinstance(raw, str) or not raw.strip():
        return [Problem(where, "empty \"id\" or \"text\"", line=lineno)]
    given = str(obj.get("title") or "").strip()
    surrogates = bool(_SURROGATE.search(doc_id + raw + given))
    if surrogates:
        doc_id, raw, given = (_SURROGATE.sub("\ufffd", v) for v in (doc_id, raw, given))
    header_date, first, body = parse_text(raw)
    title = given or first
    # A record that names its fields and gives no title has none: its first line is
    # shown as one but not indexed as one (boosted, it outweighed the body on the PIAF
    # question sets, whose pages start with a paragraph: -0.07 MRR@10).
    guessed = not given
    published = obj.get("date") or header_date
    published = iso_date(published) if published is not None else None
    article = Article(doc_id, where, key, title, body, published, line=lineno, title_guessed=guessed, format="jsonl")
    if surrogates:
        return [Problem(where, "lone surrogate escapes replaced by \ufffd", line=lineno, skipped=False), article]
    return [article]
