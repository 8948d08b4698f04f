"""Incremental indexing into a ``Backend`` (OpenSearch): ``run_backend_index`` and
``OpenSearchSink``, the backend side of the one run (``index.run.IndexRun``).

The run plans and applies as on Whoosh; this sink writes in batches of ``BATCH_DOCS``:
first the deletes by source (of changed and gone files, and of files the manifest does
not know, which a dead run may have half-written), then the documents (``_bulk``), then
the manifest entries of the files they complete, in the backend's manifest index. So an
indexer killed (or a node lost) mid-run leaves each file's previous entry or none: the
next run reads that file again, first deleting whatever of it reached the index (by
source), so nothing is lost and nothing is stored twice.

``part=(i, n)`` makes this process handle only the files whose path hash falls in part
``i`` of ``n``: n processes on n machines share one corpus and one index.

With ``semantic``, the passage vectors are the run's last step (``vector_fill``): the
articles of the index without one, read back from it, embedded and written as partial
updates, so turning vectors on never extracts again and an interrupted step resumes.

It must NOT know a backend's wire protocol (the backend does) or parse queries.
"""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence

from searchkit.errors import SearchkitError
from searchkit.index.documents import Options
from searchkit.index.run import Entry, IndexReport, IndexRun, ProgressFn, RunOptions

__all__ = ["OpenSearchSink", "in_part", "parse_part", "run_backend_index"]

# Documents per _bulk flush (and manifest write); the environment may lower it (tests).
BATCH_DOCS = int(os.environ.get("SEARCHKIT_BULK_DOCS") or 500)


def parse_part(text: str) -> tuple[int, int]:
    """``"1/3"`` -> (1, 3); parts count from 1."""
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise SearchkitError(f"not a part: {text!r}", hint="write --part I/N, e.g. --part 1/2") from None
    if not 1 <= i <= n:
        raise SearchkitError(f"part {i}/{n} does not exist", hint="I goes from 1 to N, e.g. --part 2/2")
    return i, n


def in_part(key: str, part: tuple[int, int] | None) -> bool:
    """Whether the file ``key`` belongs to ``part`` (by a stable hash of its key)."""
    if part is None:
        return True
    digest = int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big")
    return digest % part[1] == part[0] - 1


def run_backend_index(
    roots: Sequence[Path],
    backend: Any,
    options: RunOptions | None = None,
    *,
    progress: ProgressFn | None = None,
    part: tuple[int, int] | None = None,
    exclude: Sequence[Path] = (),
    vector_progress: ProgressFn | None = None,
    **settings: Any,
) -> IndexReport:
    """Index ``roots`` into ``backend`` (see the module docstring), with the indexer's
    ``RunOptions`` (``settings``: its fields, applied over ``options``); ``commit_every``,
    ``title_boost`` and ``dedup`` are the Whoosh index's and are not used here.
    ``semantic``: store passage vectors (True), not (False), or as the index already
    does (None); they are computed after the words (``vector_fill``, ``vector_progress``
    as they go)."""
    opts = replace(options or RunOptions(), **settings)
    started = time.perf_counter()
    if opts.rebuild and part is not None:
        raise SearchkitError("--rebuild with --part would delete the other parts' articles",
                             hint="rebuild once without --part (or delete the index), then run the parts")
    sink = OpenSearchSink(backend, opts, part, exclude)
    report = IndexRun(roots, sink, opts, progress).run()
    if sink.semantic:  # the words are written and searchable: now the vectors they lack
        from searchkit.backends.vector_fill import fill_backend_vectors

        report.embedded = fill_backend_vectors(backend, workers=opts.workers, tokens=opts.semantic_tokens,
                                               owns=None if part is None else lambda key: in_part(key, part),
                                               progress=vector_progress)
    report.seconds = time.perf_counter() - started
    return report


class OpenSearchSink:
    """A ``Backend`` as a run's sink (see ``index.run.Sink``): deletes, documents and
    manifest entries buffered, and written in that order at each commit."""

    def __init__(self, backend: Any, opts: RunOptions, part: tuple[int, int] | None, exclude: Sequence[Path]) -> None:
        self.backend, self.opts, self.part = backend, opts, part
        self.exclude: Sequence[Path] = list(exclude)
        self.semantic = False
        self.record: list[list[Any]] = []
        self.entry_extra: dict[str, Any] = {}
        self.deletes: list[str] = []
        self.docs: list[dict[str, Any]] = []

    def open(self, record: list[list[Any]]) -> dict[str, Entry]:
        self.semantic = _with_vectors(self.backend, self.opts.semantic)
        self.backend.ensure_index(rebuild=self.opts.rebuild)
        if self.opts.semantic is False and self.backend.embedding is not None:
            self.backend.drop_vectors()  # semantic: false drops them, as on Whoosh
        # Each entry keeps the record its file was extracted with: n processes (--part)
        # write one manifest, so no index-wide record could say which run wrote what.
        self.record = record
        self.entry_extra = {"aliases": record}
        return {k: v for k, v in self.backend.manifest().items() if in_part(k, self.part)}

    def extracted_with(self, entry: Entry) -> list[list[Any]] | None:
        # An entry written before records were kept counts as extracted like this run.
        return entry.get("aliases", self.record)  # type: ignore[no-any-return]

    def owns(self, key: str) -> bool:
        return in_part(key, self.part)

    def extraction(self) -> Options:
        # The cluster analyses the text itself (no postings); vectors come after the
        # words, from the stored text (vector_fill), never from the workers.
        return replace(self.opts, dedup=False).extraction(())

    def begin(self, unrecorded: Sequence[str]) -> None:
        self.deletes.extend(unrecorded)

    def delete(self, key: str, ids: Sequence[str]) -> None:
        self.deletes.append(key)

    def add(self, doc: dict[str, Any], last: bool) -> None:
        self.docs.append(doc)

    def due(self, pending: int, changes: int) -> bool:
        return len(self.docs) >= BATCH_DOCS or changes >= BATCH_DOCS

    def commit(self, changes: dict[str, Entry | None], manifest: dict[str, Entry], final: bool) -> None:
        """Deletes, documents, then the entries they complete: never an entry before its
        documents, so a crash between the two leaves the file to read again."""
        if self.deletes:
            self.backend.delete_sources(self.deletes)
            self.deletes = []
        if self.docs:
            self.backend.index_documents(self.docs)
            self.docs = []
        if changes:
            self.backend.save_manifest(dict(changes))

    def abort(self) -> None:
        self.deletes, self.docs = [], []

    def finish(self, wrote: bool) -> int:
        self.backend.refresh()
        return int(self.backend.count())


def _with_vectors(backend: Any, semantic: bool | None) -> bool:
    """Whether this run embeds passages; when it does, the backend learns the vectors'
    size and name before it creates an index (the model is loaded here for its size)."""
    if semantic is None:
        try:
            backend.check()
            semantic = backend.embedding is not None
        except SearchkitError:  # no index yet, or one to rebuild
            semantic = False
    if semantic:
        from searchkit.semantic.embed import check_available, embedding_name, get_embedder

        check_available()
        backend.vectors = (get_embedder().dim, embedding_name())
    return semantic
