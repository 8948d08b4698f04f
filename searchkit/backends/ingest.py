"""Incremental indexing into a ``Backend`` (OpenSearch): the files, the workers, the manifest.

The same run as ``index.run_index`` for Whoosh, with the index and its manifest in the
backend: files are read here, articles are extracted in searchkit's worker processes
(``index.prepare_all``), and documents go to the backend in batches. A file's
manifest entry is written only after all its documents were accepted, so an indexer
killed (or a node lost) mid-run leaves the previous entry or none: the next run reads
that file again, first deleting whatever of it reached the index (by source), so
nothing is lost and nothing is stored twice.

``part=(i, n)`` makes this process handle only the files whose path hash falls in part
``i`` of ``n``: n processes on n machines share one corpus and one index.

It must NOT know a backend's wire protocol (the backend does) or parse queries.
"""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence

from searchkit.corpus import Problem, SourceFile, iter_sources
from searchkit.errors import SearchkitError
from searchkit.index.indexer import IndexReport, ProgressFn, RunOptions, count_file, maybe_changed, triage, unique_id
from searchkit.index.documents import extraction_key
from searchkit.index.workers import prepare_all

__all__ = ["in_part", "parse_part", "run_backend_index"]

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
    **settings: Any,
) -> IndexReport:
    """Index ``roots`` into ``backend`` (see the module docstring), with the indexer's
    ``RunOptions`` (``settings``: its fields, applied over ``options``); ``commit_every``,
    ``title_boost`` and ``dedup`` are the Whoosh index's and are not used here.
    ``semantic``: store passage vectors (True), not (False), or as the index already
    does (None)."""
    from searchkit.extract.actors import freeze_aliases

    opts = replace(options or RunOptions(), **settings)
    rebuild, actors, workers, formats, aliases = opts.rebuild, opts.actors, opts.workers, opts.formats, opts.aliases
    started = time.perf_counter()
    report = IndexReport()
    if rebuild and part is not None:
        raise SearchkitError("--rebuild with --part would delete the other parts' articles",
                             hint="rebuild once without --part (or delete the index), then run the parts")
    semantic = _with_vectors(backend, opts.semantic)
    backend.ensure_index(rebuild=rebuild)
    seen: list[SourceFile] = []
    for item in iter_sources(roots, exclude=list(exclude), formats=formats):
        if isinstance(item, Problem):
            report.problems.append(item)
        elif in_part(item.key, part):
            seen.append(item)
    report.files_seen = len(seen)
    frozen = freeze_aliases(aliases) if actors else ()
    frozen_key = [[k, list(v)] for k, v in extraction_key(frozen)]
    manifest = {k: v for k, v in backend.manifest().items() if in_part(k, part)}
    candidates = _plan(backend, seen, manifest, frozen_key, report)
    extraction = replace(opts, dedup=False).extraction((), semantic)
    total, done = len(candidates), 0
    if progress:
        progress(0, total)
    writer = _Writer(backend)
    apply = _Apply(backend, manifest, report, frozen_key, writer)
    for prepared in prepare_all(candidates, extraction, workers, manifest):
        done += prepared.last
        apply.take(prepared)
        if progress:
            progress(done, total)
        if writer.full():
            writer.flush()
    writer.flush()
    backend.refresh()
    report.documents = backend.count()
    report.seconds = time.perf_counter() - started
    return report


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


def _plan(backend: Any, seen: Sequence[SourceFile], manifest: dict[str, dict[str, Any]], frozen_key: list[Any], report: IndexReport) -> list[SourceFile]:
    """The files to read, once the files gone since the last run are deleted (articles
    then manifest entries) and whatever a dead run left of the new files is cleared."""
    for entry in manifest.values():
        if entry.get("aliases", frozen_key) != frozen_key:
            entry.update(digest=None, size=-1)  # extracted with other aliases: read again
    keys = {s.key for s in seen}
    gone = [k for k in manifest if k not in keys]
    candidates = [s for s in seen if maybe_changed(s, manifest.get(s.key))]
    if gone:
        backend.delete_sources(gone)
        report.removed += sum(len(manifest[k].get("ids", [])) for k in gone)
        backend.save_manifest({k: None for k in gone})
        for k in gone:
            del manifest[k]
    # Files with no manifest entry may have been half-written by a run that died: clear them.
    fresh = [s.key for s in candidates if s.key not in manifest]
    if fresh:
        backend.delete_sources(fresh)
    return candidates


class _Writer:
    """Documents and manifest entries on their way to the backend, in batches: documents
    first, then the entries of the files they complete (never an entry before its
    documents, so a crash between the two leaves the file to read again)."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.docs: list[dict[str, Any]] = []
        self.entries: dict[str, dict[str, Any]] = {}

    def full(self) -> bool:
        return len(self.docs) >= BATCH_DOCS or len(self.entries) >= BATCH_DOCS

    def flush(self) -> None:
        if self.docs:
            self.backend.index_documents(self.docs)
            self.docs.clear()
        if self.entries:
            self.backend.save_manifest(dict(self.entries))
            self.entries.clear()


class _Apply:
    """What each prepared file (or part of a big file) changes: its documents, with ids
    unique in the index, and its manifest entry once its last part is in."""

    def __init__(self, backend: Any, manifest: dict[str, dict[str, Any]], report: IndexReport, frozen_key: list[Any], writer: _Writer) -> None:
        self.backend, self.manifest, self.report, self.frozen_key, self.writer = backend, manifest, report, frozen_key, writer
        self.ids_in_use = {i for e in manifest.values() for i in e.get("ids", [])}
        self.in_parts: dict[str, tuple[dict[str, Any] | None, list[str]]] = {}

    def take(self, prepared: Any) -> None:
        key = prepared.source.key
        verdict, old = triage(prepared, self.manifest, self.in_parts)
        self.report.problems.extend(prepared.problems)
        if verdict == "touched":
            self.writer.entries[key] = old  # saved with the next batch
        if verdict != "changed":
            return
        ids = self._start(key, old) if prepared.part == 0 else self.in_parts.pop(key)[1]
        for doc in prepared.docs:
            doc["id"] = unique_id(doc["id"], self.ids_in_use, self.report, doc["path"])
            doc["digest"] = prepared.digest
            self.ids_in_use.add(doc["id"])
            ids.append(doc["id"])
            self.writer.docs.append(doc)
        if prepared.last:
            count_file(self.report, old, ids)
            entry = {"digest": prepared.digest, "size": prepared.source.size, "mtime_ns": prepared.source.mtime_ns, "ids": ids, "aliases": self.frozen_key}
            self.manifest[key] = entry
            self.writer.entries[key] = entry
        else:
            self.in_parts[key] = (old, ids)

    def _start(self, key: str, old: dict[str, Any] | None) -> list[str]:
        """A changed file's first part: its old documents go before the new ones come."""
        self.report.files_changed += 1
        if old:
            self.writer.flush()
            self.backend.delete_sources([key])
            for i in old.get("ids", []):
                self.ids_in_use.discard(i)
        return []
