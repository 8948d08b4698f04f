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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

__all__ = ["Article", "Problem", "ReadResult", "SourceFile", "iter_sources", "parse_text", "read_source"]

SUFFIXES = (".txt", ".md", ".jsonl")
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


@dataclass
class ReadResult:
    """What reading one source file gave."""

    source: SourceFile
    digest: str = ""
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def iter_sources(roots: Iterable[Path], exclude: Iterable[Path] = ()) -> Iterator[SourceFile | Problem]:
    """Every readable-looking corpus file under ``roots``, sorted, hidden entries skipped."""
    excluded = {p.resolve() for p in exclude}
    for root in roots:
        if root.is_file():
            candidates: Iterable[Path] = [root]
        elif root.is_dir():
            candidates = sorted(_walk(root, excluded))
        else:
            yield Problem(str(root), "no such file or folder")
            continue
        for path in candidates:
            if path.suffix.lower() not in SUFFIXES:
                continue
            try:
                st = path.stat()
            except OSError as exc:  # broken symlink, vanished file
                yield Problem(str(path), f"cannot read: {exc.strerror or exc}")
                continue
            yield SourceFile(path, str(path.resolve()), st.st_size, st.st_mtime_ns)


def _walk(root: Path, excluded: set[Path]) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and (here / d).resolve() not in excluded]
        for name in filenames:
            if not name.startswith("."):
                yield here / name


def decode(data: bytes) -> tuple[str, str | None]:
    """Text of ``data`` and, when it was not UTF-8, a warning naming the encoding used."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), None
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
        published = "-".join(p for p in m.groups() if p)
        text = text[m.end():]
    body = text.strip().replace("\r\n", "\n")
    return published, split_title(body)[0], body


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


def read_source(source: SourceFile, max_bytes: int | None = None) -> ReadResult:
    """Read one file into articles, turning every failure into a ``Problem``."""
    result = ReadResult(source)
    where = str(source.path)
    if max_bytes is not None and source.size > max_bytes:
        result.problems.append(
            Problem(where, f"larger than max_file_mb ({source.size / 1e6:.0f} MB); raise max_file_mb in config.yaml to index it")
        )
        return result
    try:
        data = source.path.read_bytes()
    except OSError as exc:
        result.problems.append(Problem(where, f"cannot read: {exc.strerror or exc}"))
        return result
    result.digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    if _looks_binary(data):
        result.problems.append(Problem(where, "binary file (NUL bytes), not text"))
        return result
    text, warning = decode(data)
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
            doc_id = source.path.stem
            result.articles.append(Article(doc_id, where, source.key, title, body, published, title_guessed=guessed))
    return result


def _read_jsonl(source: SourceFile, text: str, result: ReadResult) -> None:
    where = str(source.path)
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            result.problems.append(Problem(where, f"malformed JSON ({exc.msg})", line=lineno))
            continue
        if not isinstance(obj, dict) or "text" not in obj or "id" not in obj:
            result.problems.append(Problem(where, "a line needs at least \"id\" and \"text\"", line=lineno))
            continue
        doc_id, raw = str(obj["id"]).strip(), obj["text"]
        if not doc_id or not isinstance(raw, str) or not raw.strip():
            result.problems.append(Problem(where, "empty \"id\" or \"text\"", line=lineno))
            continue
        header_date, first, body = parse_text(raw)
        given = str(obj.get("title") or "").strip()
        title = given or first
        guessed = not given and split_title(body)[1]
        published = obj.get("date") or header_date
        if published is not None:
            m = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", str(published))
            published = "-".join(p for p in m.groups() if p) if m else None
        result.articles.append(Article(doc_id, where, source.key, title, body, published, line=lineno, title_guessed=guessed))
