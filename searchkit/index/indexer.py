"""The indexing run: bring an index in line with the files under some folders.

It plans (which files are gone, which may have changed), applies each file's extracted
documents (deleting what the file had before, its vectors included), and commits every
``commit_every`` articles, writing the manifest and the near-duplicate signatures with
each commit, so an interrupted run keeps everything committed and the next run carries
on. Then, with semantic indexing on, its vector step (``index.vectors``) computes the
passage vectors the index lacks from its stored text: words and facets are searchable
before the first vector is computed. The whole run holds the index's write lock.
Reading and extraction are ``index.workers``'; the files on disk are ``index.store``'s.
Query-time code never imports this module.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Collection, Sequence

from searchkit.corpus import Problem, SourceFile, iter_sources
from searchkit.errors import SearchkitError
from searchkit.index.documents import Options, Prepared, extraction_key
from searchkit.index.store import (
    ALIASES_FILE, MANIFEST_FILE, STAMP_FILE, check_stamp, clear_for_rebuild, create, index_exists, indexed_aliases,
    load_manifest, open_dir, run_lock, write_json,
)
from searchkit.index.workers import prepare_all

__all__ = ["IndexReport", "RunOptions", "run_index"]

# The digest stored with the documents of a collection's parts before its last one.
PARTIAL = "partial"

ProgressFn = Callable[[int, int], None]


@dataclass
class IndexReport:
    """What an indexing run did; ``unchanged`` means it found nothing to do."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    documents: int = 0
    files_seen: int = 0
    files_changed: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False
    embedded: int = 0  # passage vectors computed by the run's vector step

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.updated or self.removed or self.files_changed or self.embedded)

    @property
    def skipped(self) -> list[Problem]:
        return [p for p in self.problems if p.skipped]

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "documents": self.documents,
            "files_seen": self.files_seen,
            "files_changed": self.files_changed,
            "unchanged": self.unchanged,
            "skipped": [str(p) for p in self.skipped],
            "warnings": [str(p) for p in self.problems if not p.skipped],
            "seconds": round(self.seconds, 3),
            "interrupted": self.interrupted,
            "embedded": self.embedded,
        }


@dataclass(frozen=True)
class RunOptions:
    """What a run does, beyond which folders and which index: the one list of the
    indexer's settings (``SearchKit.index``, the OpenSearch ingest and the tests pass
    these, by keyword or as an object).

    ``semantic``: compute and store passage vectors (True), drop them (False), or keep
    doing what the index already does (None: vectors if it has them). Vectors are
    computed after the words, from the index's stored text, and committed every
    ``commit_every`` articles or ``index.vectors.COMMIT_SECONDS``, whichever comes first."""

    rebuild: bool = False
    actors: bool = True
    dates: bool = True
    model: str | None = None
    workers: int = 1
    max_file_mb: float | None = None
    commit_every: int = 2000
    title_boost: float = 2.0
    formats: Collection[str] | None = None
    aliases: Any = None
    semantic: bool | None = None
    dedup: bool = True
    # What of each article the Whoosh index's vector step embeds: title + the first this
    # many tokens (None: the whole text). Part of the vectors' embedding name, so another
    # value recomputes them all. = semantic.embed.DEFAULT_TOKENS (not imported: optional).
    semantic_tokens: int | None = 256

    def extraction(self, text_fields: tuple[tuple[str, Any, bool], ...], semantic: bool) -> Options:
        """The settings the worker processes need."""
        return Options(
            actors=self.actors, dates=self.dates, max_bytes=int(self.max_file_mb * 1e6) if self.max_file_mb else None,
            model=self.model, text_fields=text_fields, aliases=frozen_aliases(self.aliases), semantic=semantic,
            dedup=self.dedup,
        )


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
        run = _Run(roots, index_dir, opts, progress)
        report = run.run()
        if after_words is not None:
            after_words()
        run.fill_vectors(vector_progress)
    finally:
        lock.release()
    report.seconds = time.perf_counter() - started
    return report


def frozen_aliases(aliases: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """config.yaml's aliases for the workers' gazetteer (see extract.actors.Gazetteer)."""
    from searchkit.extract.actors import freeze_aliases

    return freeze_aliases(aliases)


class _Run:
    """One run with the lock held. Its state: the open index and writer, the manifest
    (updated file by file, written with each commit), the ids in use, the collections
    committed in part, and whether anything awaits a commit."""

    def __init__(self, roots: Sequence[Path], index_dir: Path, opts: RunOptions, progress: ProgressFn | None) -> None:
        self.roots, self.index_dir, self.opts, self.progress = roots, index_dir, opts, progress
        self.report = IndexReport()
        self.writer: Any = None
        self.signatures: Any = None
        # A collection read in parts: its manifest entry before this run and its ids so far.
        self.in_parts: dict[str, tuple[dict[str, Any] | None, list[str]]] = {}
        self.pending = 0
        self.dirty = False
        self.added_ids: set[str] = set()  # what the vector step may have to embed (see index/vectors.py)

    def run(self) -> IndexReport:
        self._open()
        gone, candidates = self._plan()
        if not gone and not candidates:
            return self._nothing_to_do()
        from searchkit.index.writer import open_writer  # indexing only: searches never import Whoosh's writer

        self.writer = open_writer(self.ix)
        # Near-duplicate signatures, saved after each commit like the manifest (duplicates.py).
        self.signatures = open_signatures(self.index_dir, self.ix) if self.opts.dedup else None
        self.ids_in_use = {i for k, e in self.manifest.items() if k not in gone for i in e.get("ids", [])}
        try:
            for key in gone:
                self._forget(self.manifest.pop(key), key)
                self.dirty = True
            self._apply_all(candidates)
            self._commit(final=True)
        except BaseException:
            # Ctrl-C or a crash: drop the uncommitted part; what was committed stays. The
            # writer is already closed if the interrupt came during or just after a commit,
            # before the next writer was open: cancelling it again would raise and hide the
            # interrupt.
            if not self.writer.is_closed:
                self.writer.cancel()
            raise
        self._finish()
        return self.report

    def _open(self) -> None:
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
        self.manifest = load_manifest(self.ix, index_dir)
        self.since = self.ix.latest_generation()
        # The gazetteer reads config.yaml's aliases while extracting: with other aliases,
        # or other extraction rules, every file is read again (its digest forgotten).
        self.frozen = extraction_key(frozen_aliases(opts.aliases) if opts.actors else ())
        if indexed_aliases(index_dir) != self.frozen:
            for entry in self.manifest.values():
                entry.update(digest=None, size=-1)
        self.vectors = open_vectors(index_dir, semantic, opts.semantic_tokens)

    def _plan(self) -> tuple[list[str], list[SourceFile]]:
        """The files gone since the last run, and those that may have changed."""
        seen: list[SourceFile] = []
        for item in iter_sources(self.roots, exclude=[self.index_dir], formats=self.opts.formats):
            if isinstance(item, Problem):
                self.report.problems.append(item)
            else:
                seen.append(item)
        self.report.files_seen = len(seen)
        keys = {s.key for s in seen}
        gone = [k for k in self.manifest if k not in keys]
        candidates = [s for s in seen if maybe_changed(s, self.manifest.get(s.key))]
        return gone, candidates

    def _nothing_to_do(self) -> IndexReport:
        # No writer, so no empty segment files left behind.
        from searchkit.duplicates import SIGNATURE_FILE  # numpy: only when indexing

        if self.opts.dedup and not (self.index_dir / SIGNATURE_FILE).exists() and self.ix.doc_count():
            # An index made before near-duplicates: sign its articles once.
            open_signatures(self.index_dir, self.ix).save(self.index_dir, self.ix.latest_generation())
        with self.ix.searcher() as s:
            self.report.documents = s.doc_count()
        return self.report

    def _forget(self, entry: dict[str, Any], key: str | None = None, count: bool = True) -> None:
        """Delete what a file had in the index: its documents, vectors and signatures."""
        ids = entry.get("ids", [])
        if key is not None:
            self.writer.delete_by_term("source", key)
        if self.vectors is not None:
            self.vectors.delete(ids)
        if count:
            self.report.removed += len(ids)
        for i in ids:
            self.ids_in_use.discard(i)
        if self.signatures is not None:
            self.signatures.drop(ids)

    def _apply_all(self, candidates: list[SourceFile]) -> None:
        # No vectors from extraction: the vector step computes them from the stored text.
        options = self.opts.extraction(text_fields(self.ix.schema), semantic=False)
        total, done = len(candidates), 0
        if self.progress:
            self.progress(0, total)
        for prepared in prepare_all(candidates, options, self.opts.workers, self.manifest):
            done += prepared.last
            self._apply(prepared)
            if self.progress:
                self.progress(done, total)
            if self.pending >= self.opts.commit_every:
                self._commit(final=False)

    def _apply(self, prepared: Prepared) -> None:
        key = prepared.source.key
        verdict, old = triage(prepared, self.manifest, self.in_parts)
        self.report.problems.extend(prepared.problems)
        if verdict == "touched":
            self.dirty = True  # the entry's new stat is written with the next manifest
        if verdict != "changed":
            return
        if prepared.part == 0:
            self.report.files_changed += 1
            if old:
                self._forget(old, key, count=False)
            ids: list[str] = []
        else:
            ids = self.in_parts.pop(key)[1]
        self._add(prepared, ids)
        self.pending += len(prepared.docs) or 1
        if prepared.last:
            count_file(self.report, old, ids)
            self.manifest[key] = {"digest": prepared.digest, "size": prepared.source.size, "mtime_ns": prepared.source.mtime_ns, "ids": ids}
        else:
            # Committed in part: a run that stops here reads the whole file again
            # next time (no digest, no stat), replacing these documents.
            self.in_parts[key] = (old, ids)
            self.manifest[key] = {"digest": None, "size": -1, "mtime_ns": -1, "ids": list(ids), "partial": True}
        self.dirty = True

    def _add(self, prepared: Prepared, ids: list[str]) -> None:
        for doc in prepared.docs:
            doc["id"] = unique_id(doc["id"], self.ids_in_use, self.report, doc["path"])
            # Only a whole file's documents carry its hash (see store.load_manifest).
            doc["digest"] = prepared.digest if prepared.last else PARTIAL
            sig = doc.pop("_minhash", None)
            if self.signatures is not None:
                self.signatures.put(doc["id"], doc["digest"], sig)
            if "acronym" not in self.writer.schema:  # an index made before acronyms were kept
                doc.pop("acronym", None)
            self.writer.add_document(**doc)
            ids.append(doc["id"])
            self.ids_in_use.add(doc["id"])
            self.added_ids.add(doc["id"])

    def _commit(self, final: bool) -> None:
        """Commit the writer, then the manifest and signatures that describe it; the last
        commit of a run also records the aliases and cancels an empty writer."""
        from searchkit.index.writer import open_writer

        if final and not (self.dirty or self.pending):
            self.writer.cancel()
        else:
            if self.vectors is not None:
                # The vectors of deleted and changed articles go with this commit; see semantic/store.py.
                self.vectors.commit(self.writer.generation)
            self.writer.commit()
        generation = self.ix.latest_generation()
        write_json(self.index_dir / MANIFEST_FILE, {"generation": generation, "files": self.manifest})
        if final:
            write_json(self.index_dir / ALIASES_FILE, [[k, list(v)] for k, v in self.frozen])
        if self.signatures is not None:
            self.signatures.save(self.index_dir, generation)
        if not final:
            self.writer = open_writer(self.ix)
            self.pending = 0

    def _finish(self) -> None:
        # The numpy copy of the new segments (see index/fastcopy.py), on all workers while
        # the lock is still held: searches would otherwise build it, one segment at a time.
        from searchkit.index.fastcopy import ensure

        reader = self.ix.reader()
        try:
            ensure(self.index_dir, reader, workers=self.opts.workers)
        finally:
            reader.close()
        with self.ix.searcher() as s:
            self.report.documents = s.doc_count()

    def fill_vectors(self, progress: ProgressFn | None) -> None:
        """The vector step, once the words are committed: every article of the index
        without a vector gets one (see index/vectors.py)."""
        if self.vectors is None:
            return
        from searchkit.index.vectors import fill_vectors

        embedded, _ = fill_vectors(self.ix, self.vectors, since=self.since, added=self.added_ids, workers=self.opts.workers,
                                   commit_every=self.opts.commit_every, progress=progress, tokens=self.opts.semantic_tokens)
        self.report.embedded = embedded


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


def triage(prepared: Prepared, manifest: dict[str, dict[str, Any]],
           in_parts: dict[str, tuple[dict[str, Any] | None, list[str]]]) -> tuple[str, dict[str, Any] | None]:
    """What a prepared file (or part of one) asks of a run, on any backend, and the
    file's manifest entry before the run:

    - "unread": not read (unreadable, gone, too big): keep what the index has of it and
      record nothing, so that the next run tries again;
    - "touched": its content hash is the recorded one: only its stat changed, and the
      entry takes the new one here (no work for the index);
    - "changed": its documents replace the file's.
    """
    key = prepared.source.key
    old = manifest.get(key) if prepared.part == 0 else in_parts[key][0]
    if not prepared.digest:
        return "unread", old
    if prepared.part == 0 and old and old.get("digest") == prepared.digest:
        old.update(size=prepared.source.size, mtime_ns=prepared.source.mtime_ns)
        return "touched", old
    return "changed", old


def count_file(report: IndexReport, old: dict[str, Any] | None, ids: list[str]) -> None:
    """Count a file's articles as added, updated or removed."""
    if not old:
        report.added += len(ids)
        return
    before = len(old.get("ids", []))
    if old.get("partial"):
        # Finishing a collection an earlier run stopped in: its new articles are added.
        report.updated += min(before, len(ids))
        report.added += max(0, len(ids) - before)
    else:
        report.updated += len(ids)
    report.removed += max(0, before - len(ids))


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


def maybe_changed(source: SourceFile, entry: dict[str, Any] | None) -> bool:
    if entry is None:
        return True
    return entry.get("size") != source.size or entry.get("mtime_ns") != source.mtime_ns


def unique_id(doc_id: str, in_use: set[str], report: IndexReport, path: str) -> str:
    if doc_id not in in_use:
        return doc_id
    n = 2
    while f"{doc_id}-{n}" in in_use:
        n += 1
    report.problems.append(Problem(path, f"id {doc_id!r} already used by another file: indexed as {doc_id}-{n}", skipped=False))
    return f"{doc_id}-{n}"
