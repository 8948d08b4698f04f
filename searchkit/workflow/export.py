"""Export: every hit of a search (not one page) as JSON, JSON Lines or CSV.

A row is ``{"id", "title", "published", "score", "path", "actors", "mentioned",
"duplicates"}``; in JSON and JSONL ``actors`` keeps the search contract's
``[{"name", "kind"}]``, in CSV every list column is one cell joined with ``"; "``
(actors as their names). CSV is written with the ``csv`` module (quotes, commas and
newlines inside titles survive a spreadsheet); ``bom`` puts a UTF-8 byte-order mark
first, which Excel needs to read UTF-8 (LibreOffice does not mind it).

What this module must not do: open files itself (the caller passes a text stream, so
the CLI can write to stdout and tests to StringIO), or reach past the public
``SearchKit.search``.
"""
from __future__ import annotations

import csv
import io
import json
from typing import IO, TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

from searchkit.errors import QueryError

if TYPE_CHECKING:  # pragma: no cover
    from searchkit.api import SearchKit
    from searchkit.results import Hit

__all__ = ["COLUMNS", "FORMATS", "export", "export_text", "format_for", "hit_row", "iter_text", "write_rows"]

FORMATS = ("json", "jsonl", "csv")
COLUMNS = ("id", "title", "published", "score", "path", "actors", "mentioned", "duplicates")
LIST_SEP = "; "
PAGE = 500  # hits fetched per search call: memory stays flat on a large export


def format_for(filename: str) -> str:
    """The format a file name asks for by its extension.

    >>> format_for("out.CSV"), format_for("a.jsonl"), format_for("b.json")
    ('csv', 'jsonl', 'json')
    """
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in FORMATS:
        raise QueryError(f"cannot tell the export format of '{filename}'", hint="end the file name with .csv, .jsonl or .json")
    return ext


def hit_row(hit: "Hit") -> dict[str, Any]:
    """One exported row (JSON-ready). ``duplicates`` is empty where the index groups none."""
    return {
        "id": hit.id,
        "title": hit.title,
        "published": hit.published,
        "score": round(hit.score, 4),
        "path": hit.path,
        "actors": [a.to_dict() for a in hit.actors],
        "mentioned": list(hit.mentioned),
        "duplicates": list(getattr(hit, "duplicates", None) or []),
    }


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list):
        return LIST_SEP.join(v["name"] if isinstance(v, dict) else str(v) for v in value)
    return "" if value is None else value


def write_rows(rows: Iterable[Mapping[str, Any]], out: IO[str], fmt: str, bom: bool = False) -> int:
    """Write rows in ``fmt``; returns how many. JSON is one array, streamed row by row."""
    counted = _Counted(rows)
    for chunk in iter_text(counted, fmt, bom):
        out.write(chunk)
    return counted.n


class _Counted:
    """The rows, counting those taken (iter_text is a generator: it cannot return it)."""

    def __init__(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self.rows, self.n = rows, 0

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        for row in self.rows:
            self.n += 1
            yield row


def check_format(fmt: str, bom: bool) -> None:
    """QueryError for a format export does not write, or a byte-order mark outside CSV."""
    if fmt not in FORMATS:
        raise QueryError(f"unknown export format '{fmt}'", hint=f"use one of: {', '.join(FORMATS)}")
    if bom and fmt != "csv":
        raise QueryError("--bom applies to CSV only", hint="JSON readers reject a byte-order mark; drop --bom or use --format csv")


def iter_text(rows: Iterable[Mapping[str, Any]], fmt: str, bom: bool = False) -> Iterator[str]:
    """The export of ``rows`` in ``fmt`` as text pieces, a row (or the header) each: what
    ``write_rows`` writes, and what the web server streams. The format is checked now,
    before the first piece is asked for."""
    check_format(fmt, bom)
    return _pieces(rows, fmt, bom)


def _pieces(rows: Iterable[Mapping[str, Any]], fmt: str, bom: bool) -> Iterator[str]:
    if fmt == "csv":
        if bom:
            yield "\ufeff"
        # lineterminator \r\n is what RFC 4180 and Excel expect; the csv module's default.
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_cell(row.get(k)) for k in COLUMNS})
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
        yield buf.getvalue()
        return
    n = 0
    if fmt == "json":
        yield "["
    for row in rows:
        line = json.dumps(row, ensure_ascii=False)
        if fmt == "json":
            yield (",\n" if n else "\n") + line
        else:
            yield line + "\n"
        n += 1
    if fmt == "json":
        yield "\n]\n" if n else "]\n"


def search_rows(kit: "SearchKit", query: str, filters: Mapping[str, Sequence[str]] | None, limit: int | None, sort: str, collapse: bool = True) -> Iterable[dict[str, Any]]:
    """Every hit's row, best first, up to ``limit`` (None: all), a page at a time."""
    offset = 0
    while limit is None or offset < limit:
        size = PAGE if limit is None else min(PAGE, limit - offset)
        # No snippets: an export has no column for them, and marking matches was 75%
        # of its time (7 s for 954 hits on OrangeSum).
        res = kit.search(query, filters=filters, limit=size, offset=offset, sort=sort, facets=False, snippets=0, collapse=collapse)
        for hit in res.hits:
            yield hit_row(hit)
        offset += len(res.hits)
        if not res.hits or offset >= res.total:
            return


def export(
    kit: "SearchKit",
    out: IO[str],
    fmt: str,
    query: str = "",
    filters: Mapping[str, Sequence[str]] | None = None,
    limit: int | None = None,
    sort: str = "relevance",
    bom: bool = False,
    collapse: bool = True,
) -> int:
    """Search and write every hit (up to ``limit``) to ``out``; returns how many.
    ``collapse=False``: every near-duplicate copy is a row of its own."""
    return write_rows(first_rows(kit, fmt, query, filters, limit, sort, bom, collapse), out, fmt, bom)


def export_text(
    kit: "SearchKit",
    fmt: str,
    query: str = "",
    filters: Mapping[str, Sequence[str]] | None = None,
    limit: int | None = None,
    sort: str = "relevance",
    bom: bool = False,
    collapse: bool = True,
) -> Iterator[str]:
    """``export`` as text pieces to stream, with the same checks made before the first
    piece: a bad query raises here, not half-way through a download."""
    return iter_text(first_rows(kit, fmt, query, filters, limit, sort, bom, collapse), fmt, bom)


def first_rows(kit: "SearchKit", fmt: str, query: str, filters: Mapping[str, Sequence[str]] | None, limit: int | None, sort: str, bom: bool, collapse: bool) -> Iterable[dict[str, Any]]:
    """Every row, with the format checked and the first page searched now."""
    check_format(fmt, bom)
    # Run the first page before writing anything: a bad query is an error, not half a file.
    rows = iter(search_rows(kit, query, filters, limit, sort, collapse))
    first = next(rows, None)
    return [] if first is None else _chain(first, rows)


def _chain(first: dict[str, Any], rest: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    yield first
    yield from rest
