"""Finding corpus files and reading them into ``Article``s through their format's reader.

Every file that cannot be read becomes a ``Problem`` with a reason: one bad file (or
a reader's bug on a hostile file) never stops the run. Single-article files are read
whole, up to ``max_file_mb``; collections (.jsonl, .jsonl.gz) are streamed in parts
of ``PART_ARTICLES`` with no size limit. No extraction and no index here.
"""
from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import BinaryIO, Collection, Iterable, Iterator

from searchkit.corpus.model import Article, Document, Problem, ReadResult, SourceFile, Unreadable, display_path
from searchkit.corpus.registry import Format, format_for, reader_module
from searchkit.corpus.text import split_title

__all__ = ["PART_ARTICLES", "iter_sources", "read_parts", "read_source"]

# Articles per part of a streamed collection: what is in memory at once, and how often
# a 36k-article file can be committed (index/run commits between parts).
PART_ARTICLES = 500
_HASH_CHUNK = 1 << 20


def iter_sources(
    roots: Iterable[Path], exclude: Iterable[Path] = (), formats: Collection[str] | None = None
) -> Iterator[SourceFile | Problem]:
    """Every readable-looking corpus file under ``roots``, sorted, hidden entries skipped.

    Only files of an enabled format (all when ``formats`` is None) are listed. What
    cannot be a source becomes a ``Problem``: broken links, pipes and devices
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
            if format_for(path.name, formats) is None:
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


def read_source(source: SourceFile, max_bytes: int | None = None) -> ReadResult:
    """Read one file whole into articles, turning every failure into a ``Problem``.

    For a collection this gathers all its parts: fine for a tool or a test, but the
    indexer uses ``read_parts`` so that a big collection never sits in memory.
    """
    whole: ReadResult | None = None
    for part in read_parts(source, max_bytes):
        if whole is None:
            whole = part
        else:
            whole.articles.extend(part.articles)
            whole.problems.extend(part.problems)
            whole.digest = part.digest
    assert whole is not None
    whole.part, whole.last = 0, True
    return whole


def read_parts(
    source: SourceFile, max_bytes: int | None = None, known_digest: str | None = None, part_size: int = PART_ARTICLES
) -> Iterator[ReadResult]:
    """The file's articles in one or more parts (``last`` set on the final one).

    ``max_bytes`` limits a single-article file, or one line of a collection, never a
    whole collection: memory stays bounded either way. A collection whose content
    hash is ``known_digest`` (indexed already, only touched) is not parsed at all.
    """
    fmt = format_for(source.path.name)
    where = display_path(source.path)
    if fmt is None:  # a path given by hand with an unknown suffix
        yield ReadResult(source, problems=[Problem(where, "not a format searchkit reads")])
    elif fmt.streamed:
        yield from _read_stream(source, fmt, where, max_bytes, known_digest, part_size)
    else:
        yield _read_single(source, fmt, where, max_bytes)


def _too_big(where: str, size: int, max_bytes: int) -> Problem:
    return Problem(
        where,
        f"larger than max_file_mb ({size / 1e6:.1f} MB, limit {max_bytes / 1e6:g} MB); raise index.max_file_mb in config.yaml to index it",
    )


def _open(source: SourceFile, where: str, result: ReadResult) -> BinaryIO | None:
    """The file open for reading, or None with the reason in ``result``."""
    try:
        fh = open(source.path, "rb")
    except FileNotFoundError:
        result.problems.append(Problem(where, "disappeared before it could be read (deleted or renamed during the run)"))
        return None
    except OSError as exc:
        result.problems.append(Problem(where, f"cannot read: {exc.strerror or exc}"))
        return None
    if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
        # Replaced by a pipe or device since it was listed: reading could block.
        fh.close()
        result.problems.append(Problem(where, "not a regular file (a pipe, socket or device)"))
        return None
    return fh


def _read_single(source: SourceFile, fmt: Format, where: str, max_bytes: int | None) -> ReadResult:
    """A single-article file. Never reads more than ``max_bytes`` (+1) bytes, even when
    the file grew after it was listed."""
    result = ReadResult(source)
    if max_bytes is not None and source.size > max_bytes:
        result.problems.append(_too_big(where, source.size, max_bytes))
        return result
    fh = _open(source, where, result)
    if fh is None:
        return result
    try:
        with fh:
            data = fh.read() if max_bytes is None else fh.read(max_bytes + 1)
    except OSError as exc:
        result.problems.append(Problem(where, f"cannot read: {exc.strerror or exc}"))
        return result
    if max_bytes is not None and len(data) > max_bytes:
        result.problems.append(_too_big(where, max(len(data), source.size), max_bytes))
        return result
    result.digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    try:
        doc: Document = reader_module(fmt).read(data)
    except Unreadable as exc:
        result.problems.append(Problem(where, exc.reason))
        return result
    except Exception as exc:  # a parsing library's bug on a hostile file: skip the file, go on
        result.problems.append(Problem(where, f"cannot read this {fmt.label or fmt.name} ({type(exc).__name__}: {str(exc)[:120]})"))
        return result
    result.problems.extend(Problem(where, w, skipped=False) for w in doc.warnings)
    guess, guessed = split_title(doc.body)
    title = doc.title or guess
    result.articles.append(
        Article(
            display_path(source.path.stem), where, source.key, title, doc.body, doc.published,
            title_guessed=guessed and not doc.title, author=doc.author, pages=doc.pages, format=fmt.name,
        )
    )
    return result


def _digest_file(source: SourceFile, where: str, result: ReadResult) -> str:
    fh = _open(source, where, result)
    if fh is None:
        return ""
    h = hashlib.blake2b(digest_size=16)
    try:
        with fh:
            for chunk in iter(lambda: fh.read(_HASH_CHUNK), b""):
                h.update(chunk)
    except OSError as exc:
        result.problems.append(Problem(where, f"cannot read: {exc.strerror or exc}"))
        return ""
    return h.hexdigest()


def _read_stream(
    source: SourceFile, fmt: Format, where: str, max_bytes: int | None, known_digest: str | None, part_size: int
) -> Iterator[ReadResult]:
    """A collection, part by part. Its content hash is taken first, in a cheap pass
    over the bytes, so an unchanged collection costs no parsing and every part
    carries the hash of the whole file."""
    first = ReadResult(source)
    digest = _digest_file(source, where, first)
    if not digest or digest == known_digest:
        first.digest = digest
        yield first
        return
    fh = _open(source, where, first)
    if fh is None:
        yield first
        return
    part = ReadResult(source, digest, problems=first.problems)
    n = 0
    with fh:
        for item in reader_module(fmt).records(fh, source.path, where, source.key, max_bytes):
            if isinstance(item, Article):
                part.articles.append(item)
                if len(part.articles) >= part_size:
                    part.last = False
                    yield part
                    n += 1
                    part = ReadResult(source, digest, part=n)
            else:
                part.problems.append(item)
    yield part
