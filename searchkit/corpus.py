"""Reading a corpus: folders of .txt/.md files and .jsonl collections -> ``Article``.

Handles encodings (UTF-8 with or without BOM, UTF-16 with BOM, a cp1252/latin-1
fallback with a warning), the optional ` date YYYY-MM[-DD]` header, titles and
document ids. Every file that cannot be read becomes a ``Problem`` with a reason:
one bad file never stops the run. No extraction and no index here.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

__all__ = ["Article", "Problem", "ReadResult", "SourceFile", "iter_sources", "parse_text", "read_source"]

SUFFIXES = (".txt", ".md", ".jsonl")
# Decoded text with more than this share of control characters (other than tab,
# newline, carriage return, form feed) or U+FFFD is binary that happens to have no NUL.
BINARY_CONTROL_SHARE = 0.05
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")
# A JSON "\ud800" escape decodes to a lone surrogate, which no UTF-8 writer (the
# index, the manifest, the terminal) accepts.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# " date 2021-07 Les milices..." : the header may share its line with the text.
_HEADER = re.compile(r"\A\ufeff?\s*date\s*[:=]?\s*(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?=\s|$)", re.IGNORECASE)
# A sentence ends after a lowercase letter or digit (so "M. Kazimi" is not cut).
_SENTENCE_END = re.compile(r"(?<=[a-zà-ÿ0-9)»\"”][.!?…])[»\"”]?\s+(?=\S)")
_MD_PREFIX = re.compile(r"^\s{0,3}#{1,6}\s+")
TITLE_MAX = 200


@dataclass(frozen=True)
class SourceFile:
    """A file of the corpus as seen on disk, before reading it."""

    path: Path
    key: str  # stable identity in the manifest: the resolved path as a string
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Article:
    """One article ready for extraction and indexing."""

    id: str
    path: str
    source: str
    title: str
    body: str
    published: str | None = None  # from the header or the .jsonl "date"
    line: int | None = None  # line number in a .jsonl
    # True when the title is only the first sentence of a long opening paragraph:
    # shown, but not indexed as a title (boosting it would favour whatever the first
    # sentence says, which measurably hurt ranking on OrangeSum).
    title_guessed: bool = False


@dataclass(frozen=True)
class Problem:
    """Something skipped or worth a warning, with where and why."""

    path: str
    reason: str
    line: int | None = None
    skipped: bool = True  # False: a warning only, the article was indexed

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"

    @property
    def kind(self) -> str:
        """The reason without its particulars, to count problems by kind in a summary.

        >>> Problem("a.jsonl", "malformed JSON (Expecting value)", line=3).kind
        'malformed JSON'
        >>> Problem("b.txt", "cannot read: Permission denied").kind
        'cannot read: Permission denied'
        """
        kind = re.split(r" \(|; |: indexed as ", self.reason, maxsplit=1)[0]
        return re.sub(r"'[^']*'", "'…'", kind)


@dataclass
class ReadResult:
    """What reading one source file gave."""

    source: SourceFile
    digest: str = ""
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def display_path(path: Path | str) -> str:
    """``path`` as text that can always be printed and stored.

    Linux file names are bytes: one that is not UTF-8 (a latin-1 name copied from an
    old disk) reaches Python with surrogate escapes, which no UTF-8 writer accepts.
    They are shown as ``\\xe9``.
    """
    text = str(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", errors="backslashreplace")


def iter_sources(roots: Iterable[Path], exclude: Iterable[Path] = ()) -> Iterator[SourceFile | Problem]:
    """Every readable-looking corpus file under ``roots``, sorted, hidden entries skipped.

    What cannot be a source becomes a ``Problem``: broken links, pipes and devices
    (reading a FIFO would block the run forever), folders that cannot be listed.
    """
    excluded = {p.resolve() for p in exclude}
    for root in roots:
        folder_errors: list[Problem] = []
        if root.is_file():
            candidates: Iterable[Path] = [root]
        elif root.is_dir():
            candidates = sorted(_walk(root, excluded, folder_errors))
        else:
            yield Problem(display_path(root), "no such file or folder")
            continue
        yield from folder_errors
        for path in candidates:
            if path.suffix.lower() not in SUFFIXES:
                continue
            where = display_path(path)
            try:
                st = path.stat()
            except OSError as exc:
                if path.is_symlink():
                    yield Problem(where, "broken symbolic link (its target does not exist)")
                else:  # vanished between listing and stat, or a folder we may not enter
                    yield Problem(where, f"cannot read: {exc.strerror or exc}")
                continue
            if not stat.S_ISREG(st.st_mode):
                if not stat.S_ISDIR(st.st_mode):
                    yield Problem(where, "not a regular file (a pipe, socket or device)")
                continue
            key = display_path(path.resolve())
            yield SourceFile(path, key, st.st_size, st.st_mtime_ns)


def _walk(root: Path, excluded: set[Path], errors: list[Problem]) -> Iterator[Path]:
    def unreadable(exc: OSError) -> None:
        # os.walk skips a folder it cannot list without a word unless told: say so.
        errors.append(Problem(display_path(exc.filename or root), f"cannot read folder: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and (here / d).resolve() not in excluded]
        for name in filenames:
            if not name.startswith("."):
                yield here / name


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


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 has NUL bytes by nature
    return b"\x00" in head


def parse_text(text: str) -> tuple[str | None, str, str]:
    """Split raw article text into (header date, title, body).

    The body is the text after the header; the title is its first line, or its
    first sentence when that line is long.
    """
    published = None
    m = _HEADER.match(text)
    if m:
        published = _date_prefix(*m.groups())
        text = text[m.end():]
    body = text.strip().replace("\r\n", "\n")
    return published, split_title(body)[0], body


def _date_prefix(year: str, month: str | None, day: str | None) -> str | None:
    """"YYYY[-MM[-DD]]" keeping only the parts that are a real month and day:
    a header "date 2020-13-45" gives "2020", never a month 13 in the facets."""
    if not month or not 1 <= int(month) <= 12:
        return year
    if not day or not 1 <= int(day) <= 31:
        return f"{year}-{month}"
    return f"{year}-{month}-{day}"


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


def _too_big(where: str, size: int, max_bytes: int) -> Problem:
    return Problem(
        where,
        f"larger than max_file_mb ({size / 1e6:.1f} MB, limit {max_bytes / 1e6:g} MB); raise index.max_file_mb in config.yaml to index it",
    )


def read_source(source: SourceFile, max_bytes: int | None = None) -> ReadResult:
    """Read one file into articles, turning every failure into a ``Problem``.

    Never reads more than ``max_bytes`` (+1) bytes, even when the file grew after
    it was listed: memory stays bounded by ``max_file_mb``.
    """
    result = ReadResult(source)
    where = display_path(source.path)
    if max_bytes is not None and source.size > max_bytes:
        result.problems.append(_too_big(where, source.size, max_bytes))
        return result
    try:
        with open(source.path, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                # Replaced by a pipe or device since it was listed: reading could block.
                result.problems.append(Problem(where, "not a regular file (a pipe, socket or device)"))
                return result
            data = fh.read() if max_bytes is None else fh.read(max_bytes + 1)
    except FileNotFoundError:
        result.problems.append(Problem(where, "disappeared before it could be read (deleted or renamed during the run)"))
        return result
    except OSError as exc:
        result.problems.append(Problem(where, f"cannot read: {exc.strerror or exc}"))
        return result
    if max_bytes is not None and len(data) > max_bytes:
        result.problems.append(_too_big(where, max(len(data), source.size), max_bytes))
        return result
    result.digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    if _looks_binary(data):
        result.problems.append(Problem(where, "binary file (NUL bytes), not text"))
        return result
    text, warning = decode(data)
    if _mostly_control(text):
        result.problems.append(Problem(where, "binary file (control characters), not text"))
        return result
    if warning:
        result.problems.append(Problem(where, warning, skipped=False))
    if source.path.suffix.lower() == ".jsonl":
        _read_jsonl(source, text, result)
    else:
        published, title, body = parse_text(text)
        guessed = split_title(body)[1]
        if not body:
            reason = "only a date header, no text" if published else "empty file"
            result.problems.append(Problem(where, reason))
        else:
            doc_id = display_path(source.path.stem)
            result.articles.append(Article(doc_id, where, source.key, title, body, published, title_guessed=guessed))
    return result


def _mostly_control(text: str) -> bool:
    head = text[:8192]
    return bool(head) and len(_CONTROL.findall(head)) > BINARY_CONTROL_SHARE * len(head)


def _read_jsonl(source: SourceFile, text: str, result: ReadResult) -> None:
    where = display_path(source.path)
    # Not str.splitlines(): it also splits on U+2028, U+0085 and friends, which JSON
    # allows raw inside strings, and would cut a good line in two.
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            result.problems.append(Problem(where, f"malformed JSON ({exc.msg})", line=lineno))
            continue
        except (ValueError, RecursionError) as exc:  # 100,000 nested brackets; a 5,000-digit number
            result.problems.append(Problem(where, f"malformed JSON ({type(exc).__name__})", line=lineno))
            continue
        if not isinstance(obj, dict) or "text" not in obj or "id" not in obj:
            result.problems.append(Problem(where, "a line needs at least \"id\" and \"text\"", line=lineno))
            continue
        doc_id, raw = str(obj["id"]).strip(), obj["text"]
        if not doc_id or not isinstance(raw, str) or not raw.strip():
            result.problems.append(Problem(where, "empty \"id\" or \"text\"", line=lineno))
            continue
        given = str(obj.get("title") or "").strip()
        if _SURROGATE.search(doc_id + raw + given):
            doc_id, raw, given = (_SURROGATE.sub("\ufffd", v) for v in (doc_id, raw, given))
            result.problems.append(Problem(where, "lone surrogate escapes replaced by \ufffd", line=lineno, skipped=False))
        header_date, first, body = parse_text(raw)
        title = given or first
        # A record that names its fields and gives no title has none: its first line
        # is shown as one but not indexed as one (boosted, it outweighed the body on
        # the PIAF question sets, whose pages start with a paragraph: -0.07 MRR@10).
        guessed = not given
        published = obj.get("date") or header_date
        if published is not None:
            m = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", str(published))
            published = _date_prefix(*m.groups()) if m else None
        result.articles.append(Article(doc_id, where, source.key, title, body, published, line=lineno, title_guessed=guessed))
