"""The Whoosh indexing run: ``run_index`` and ``WhooshSink``, the Whoosh side of the one
run (``index.run.IndexRun``: plan, apply, commit every N, manifest).

The sink writes through a Whoosh writer and commits every ``commit_every`` articles,
writing the manifest and the near-duplicate signatures with each commit (after the
documents), so an interrupted run keeps everything committed and the next run carries
on; a deleted or changed article's vectors and signatures go with the commit that
deletes it. Then, with semantic indexing on, its vector step (``index.vectors``)
computes the passage vectors the index lacks from its stored text: words and facets are
searchable before the first vector is computed. The whole run holds the index's write
lock. Reading and extraction are ``index.workers'``; the files on disk are
``index.store``'s; deciding what changed is ``index.run``'s.

What it must not do: plan or apply a run itself (one loop, in ``index.run``), or answer
queries (query-time code never imports this module).
"""
from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Sequence

from searchkit.errors import SearchkitError
from searchkit.index.documents import Options
from searchkit.index.run import Entry, IndexReport, IndexRun, ProgressFn, RunOptions
from searchkit.index.store import (
    ALIASES_FILE, MANIFEST_FILE, STAMP_FILE, check_stamp, clear_for_rebuild, create, index_exists, indexed_aliases,
    load_manifest, open_dir, run_lock, write_json,
)

__all__ = ["IndexReport", "ProgressFn", "RunOptions", "WhooshSink", "run_index"]

# The digest stored with the documents of a collection's parts before its last one.
PARTIAL = "partial"


def run_index(
    roots: Sequence[Path], index_dir: Path, options: RunOptions | None = None, *, progress: ProgressFn | None = None,
    vector_progress: ProgressFn | None = None, after_words: Callable[[], None] | None = None, **settings: Any,
) -> IndexReport:
    """Bring the index in ``index_dir`` in line with the files under ``roots``.

    ``settings`` are ``RunOptions`` fields (``workers=2``...), applied over ``options``.
    ``progress(done, total)`` counts files extracted; once the words and facets are
    committed, ``after_words()`` is called (the index is searchable), then
    ``vector_progress(done, total)`` counts the passage vectors computed.

    The whole run holds the index's write lock, from before the manifest is read to
    after the last vector is committed: a second indexer is refused at once, never
    slipped in between two commits with a stale manifest (articles stored twice)."""
    opts = replace(options or RunOptions(), **settings)
    started = time.perf_counter()
    if opts.rebuild and index_dir.exists() and not (index_exists(index_dir) or (index_dir / STAMP_FILE).exists()):
        if any(index_dir.iterdir()):
            raise SearchkitError(f"{index_dir} is not a searchkit index and not empty", hint="choose another index_dir in config.yaml")
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = run_lock(index_dir)
    try:
        sink = WhooshSink(index_dir, opts)
        report = IndexRun(roots, sink, opts, progress).run()
        if after_words is not None:
            after_words()
        report.embedded = sink.fill_vectors(vector_progress)
    finally:
        lock.release()
    report.seconds = time.perf_counter() - started
    return report


class WhooshSink:
    """The Whoosh index folder as a run's sink (see ``index.run.Sink``). Its state: the
    open index and writer, the near-duplicate signatures and passage vectors kept beside
    it, and the ids written (what the vector step may have to embed)."""

    entry_extra: dict[str, Any] = {}  # the extraction record is one file for the whole index (ALIASES_FILE)

    def __init__(self, index_dir: Path, opts: RunOptions) -> None:
        self.index_dir, self.opts = index_dir, opts
        self.exclude: Sequence[Path] = [index_dir]
        self.writer: Any = None
        self.signatures: Any = None
        self.vectors: Any = None
        self.added_ids: set[str] = set()  # what the vector step may have to embed (see index/vectors.py)

    def open(self, record: list[list[Any]]) -> dict[str, Entry]:
        opts, index_dir = self.opts, self.index_dir
        semantic = opts.semantic
        if semantic is None:  # decided before --rebuild empties the folder
            from searchkit.semantic.store import VectorStore

            semantic = VectorStore.exists(index_dir)
        if opts.rebuild and (index_exists(index_dir) or (index_dir / STAMP_FILE).exists()):
            clear_for_rebuild(index_dir)
        if index_exists(index_dir):
            check_stamp(index_dir)
            self.ix = open_dir(index_dir)
        else:
            self.ix = create(index_dir, opts.title_boost)
        manifest = load_manifest(self.ix, index_dir)
        self.since = self.ix.latest_generation()
        # One record for the whole index (ALIASES_FILE), written with the run's last commit.
        self.record = record
        indexed = indexed_aliases(index_dir)
        self.indexed = None if indexed is None else [[k, list(v)] for k, v in indexed]
        self.vectors = open_vectors(index_dir, semantic, opts.semantic_tokens)
        return manifest

    def extracted_with(self, entry: Entry) -> list[list[Any]] | None:
        return self.indexed

    def owns(self, key: str) -> bool:
        return True  # one process writes a Whoosh index: no --part

    def extraction(self) -> Options:
        # No vectors from extraction: the vector step computes them from the stored text.
        return self.opts.extraction(text_fields(self.ix.schema))

    def begin(self, unrecorded: Sequence[str]) -> None:
        # ``unrecorded`` is ignored: the manifest is rebuilt from the documents when it
        # lags behind the index (store.load_manifest), so no file has documents without an entry.
        from searchkit.index.writer import open_writer  # indexing only: searches never import Whoosh's writer

        self.writer = open_writer(self.ix)
        # Near-duplicate signatures, saved after each commit like the manifest (duplicates.py).
        self.signatures = open_signatures(self.index_dir, self.ix) if self.opts.dedup else None

    def delete(self, key: str, ids: Sequence[str]) -> None:
        self.writer.delete_by_term("source", key)
        if self.vectors is not None:
            self.vectors.delete(ids)
        if self.signatures is not None:
            self.signatures.drop(ids)

    def add(self, doc: dict[str, Any], last: bool) -> None:
        if not last:
            doc["digest"] = PARTIAL  # only a whole file's documents carry its hash (see store.load_manifest)
        sig = doc.pop("_minhash", None)
        if self.signatures is not None:
            self.signatures.put(doc["id"], doc["digest"], sig)
        if "acronym" not in self.writer.schema:  # an index made before acronyms were kept
            doc.pop("acronym", None)
        self.writer.add_document(**doc)
        self.added_ids.add(doc["id"])

    def due(self, pending: int, changes: int) -> bool:
        return pending >= self.opts.commit_every

    def commit(self, changes: dict[str, Entry | None], manifest: dict[str, Entry], final: bool) -> None:
        """Commit the writer, then the manifest (whole) and signatures that describe it;
        the last commit of a run also records the aliases and cancels an empty writer."""
        from searchkit.index.writer import open_writer

        if final and not changes:  # nothing written since the last commit (each write records an entry)
            self.writer.cancel()
        else:
            if self.vectors is not None:
                # The vectors of deleted and changed articles go with this commit; see semantic/store.py.
                self.vectors.commit(self.writer.generation)
            self.writer.commit()
        generation = self.ix.latest_generation()
        write_json(self.index_dir / MANIFEST_FILE, {"generation": generation, "files": manifest})
        if final:
            write_json(self.index_dir / ALIASES_FILE, self.record)
        if self.signatures is not None:
            self.signatures.save(self.index_dir, generation)
        if not final:
            self.writer = open_writer(self.ix)

    def abort(self) -> None:
        # The writer is already closed if the interrupt came during or just after a
        # commit, before the next writer was open: cancelling it again would raise and
        # hide the interrupt.
        if self.writer is not None and not self.writer.is_closed:
            self.writer.cancel()

    def finish(self, wrote: bool) -> int:
        if wrote:
            # The numpy copy of the new segments (see index/fastcopy.py), on all workers
            # while the lock is still held: searches would otherwise build it, one segment at a time.
            from searchkit.index.fastcopy import ensure

            reader = self.ix.reader()
            try:
                ensure(self.index_dir, reader, workers=self.opts.workers)
            finally:
                reader.close()
        else:
            # No writer was opened, so no empty segment files are left behind.
            from searchkit.duplicates import SIGNATURE_FILE  # numpy: only when indexing

            if self.opts.dedup and not (self.index_dir / SIGNATURE_FILE).exists() and self.ix.doc_count():
                # An index made before near-duplicates: sign its articles once.
                open_signatures(self.index_dir, self.ix).save(self.index_dir, self.ix.latest_generation())
        with self.ix.searcher() as s:
            return int(s.doc_count())

    def fill_vectors(self, progress: ProgressFn | None) -> int:
        """The vector step, once the words are committed: every article of the index
        without a vector gets one (see index/vectors.py). Returns how many were computed."""
        if self.vectors is None:
            return 0
        from searchkit.index.vectors import fill_vectors

        embedded, _ = fill_vectors(self.ix, self.vectors, since=self.since, added=self.added_ids, workers=self.opts.workers,
                                   commit_every=self.opts.commit_every, progress=progress, tokens=self.opts.semantic_tokens)
        return int(embedded)


def open_vectors(index_dir: Path, semantic: bool, tokens: int | None = 256) -> Any:
    """The vector store for this run (None when semantic indexing is off, which also
    drops any vectors). Vectors of another embedding are dropped when it opens; the
    run's vector step computes whatever is missing, extraction never does."""
    from searchkit.semantic.store import VectorStore

    if not semantic:
        VectorStore.remove(index_dir)
        return None
    from searchkit.semantic.embed import check_available, embedding_name

    check_available()  # one line with the install hint, before any work
    return VectorStore.for_indexing(index_dir, embedding_name(tokens))


def open_signatures(index_dir: Path, ix: Any) -> Any:
    """The signature store, made to agree with the committed index if a kill came
    between a commit and its save (or the index predates it)."""
    from searchkit.duplicates import SignatureStore

    store = SignatureStore.load(index_dir)
    if store.generation != ix.latest_generation():
        with ix.reader() as reader:
            store.reconcile(reader)
    return store


def text_fields(schema: Any) -> tuple[tuple[str, Any, bool], ...]:
    """The analysed fields whose postings the workers may compute (see pipeline.Options):
    all of them in an index made with ``FrenchText`` fields, none in an older one."""
    from searchkit.index.schema import TEXT_FIELDS, FrenchText

    fields = tuple((name, schema[name], exact) for name, exact in TEXT_FIELDS.items() if name in schema)
    return fields if all(isinstance(f, FrenchText) for _, f, _ in fields) else ()
