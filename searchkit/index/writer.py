"""Whoosh's segment writer, set up for bulk indexing in one process.

The indexer's main process writes every article into Whoosh, serially, while the
workers extract; whatever it spends per article bounds the whole run. Three things
in Whoosh's writer cost it most of that time on news articles (measured on 2,000
OrangeSum articles, about 440 postings each):

* the posting pool's memory limit: at Whoosh's default of 128 MB a commit of 2,000
  articles spills every posting to a temporary run file, pickled one by one, then
  merges the runs back (17.4 ms of CPU per article in all; 10.2 ms with the limit
  below, which keeps a commit's postings in memory, about 200 MB);
* at commit, the field writer asks the new segment for the document's field length
  once per posting, each time through Whoosh's column file reader (a quarter of the
  commit). ``_LengthCache`` reads each field's lengths once per segment instead;
* the pool's ``add``, called for every posting, checks each one's types (``_BulkPool``
  keeps the size estimate and drops the checks).

Only ``index/indexer`` (and the Whoosh backend's writes) open writers, through ``open_writer``.
"""
from __future__ import annotations

from typing import Any

from whoosh.writing import PostingPool, SegmentWriter

__all__ = ["POOL_MB", "open_writer"]

# Whoosh counts about 200 bytes per posting; a 2,000-article commit of news needs
# ~180 MB of its estimate. Longer commits spill to disk as before, only slower.
POOL_MB = 512


class _LengthCache:
    """``doc_field_length`` of a per-document reader, one column read per field."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._count = reader.doc_count_all()
        self._lengths: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            field_length = self._reader.doc_field_length
            lengths = self._lengths[fieldname] = [field_length(d, fieldname, 0) for d in range(self._count)]
        return lengths[docnum] if 0 <= docnum < self._count else default


class _BulkPool(PostingPool):
    """Whoosh's posting pool without its per-posting type assertions (half the cost of
    ``add``, called for every posting of every article); the same size estimate."""

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        self.fieldnames.add(item[0])
        self.currentsize += 150 + len(item[0]) + 2 * len(item[1]) + len(item[4] or b"")
        if self.currentsize > self.limit:
            self.save()
        self.current.append(item)


class BulkSegmentWriter(SegmentWriter):
    """``SegmentWriter`` whose segment flush reads field lengths through ``_LengthCache``.

    ``_flush_segment`` is Whoosh 2.7.5's own (pinned in pyproject.toml), with the
    per-document reader wrapped, and the pool is ``_BulkPool``; the postings and
    statistics written are the same (tests/test_bulk_write.py compares segments
    written both ways).
    """

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        # SegmentWriter ignores its poolclass argument: swap the (still empty) pool.
        self.pool = _BulkPool(self._tempstorage, self.newsegment, limitmb=kwargs.get("limitmb", POOL_MB))

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        reader = self.per_document_reader() if self.codec.length_stats else None
        postings = self.pool.iter_postings()
        self.fieldwriter.add_postings(self.schema, _LengthCache(reader) if reader else None, postings)
        self.fieldwriter.close()
        if reader:
            reader.close()


def open_writer(ix: Any) -> SegmentWriter:
    """A writer for ``ix``: separate segment files, no lock of its own (the indexer holds
    the index's write lock for the whole run), the larger posting pool."""
    # Separate files, not Whoosh's compound file: opening a compound segment copies
    # each of its parts into memory (0.5 s for a 36k-article index, paid by every
    # one-shot search); separate files are opened, not read.
    return BulkSegmentWriter(ix, compound=False, _lk=False, limitmb=POOL_MB)
