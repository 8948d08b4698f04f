"""The one indexing run, on any backend: plan, apply, commit every N, finish.

It plans (which files are gone, which may have changed: ``maybe_changed`` against the
manifest, and every file whose sink says it was extracted with another record of rules
and aliases than this run's: ``extraction_record``), applies each file's extracted documents (``triage``: a changed file's old
documents are deleted before its new ones are added, with ids unique in the index) and
commits whenever the sink says a batch is due, handing it the manifest entries that
describe what it wrote since the last commit: a sink writes the documents first and
those entries after, so a run killed anywhere leaves each file's previous entry or none,
and the next run reads that file again. The run also fills the ``IndexReport``.

Where the documents go is a ``Sink``'s business: ``index.indexer.WhooshSink`` (a Whoosh
writer, near-duplicate signatures, then the vector step) and
``backends.ingest.OpenSearchSink`` (bulk writes, delete by source, the manifest index,
``--part``). This module must NOT know either backend: no Whoosh, no wire protocol, no
lock or folder of its own (the sink and the entry points hold those). Query-time code
never imports it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Collection, Protocol, Sequence

from searchkit.corpus import Problem, SourceFile, iter_sources
from searchkit.index.documents import Options, Prepared, extraction_key
from searchkit.index.workers import prepare_all

__all__ = [
    "Entry", "IndexReport", "IndexRun", "ProgressFn", "RunOptions", "Sink", "count_file", "frozen_aliases", "maybe_changed",
    "triage", "unique_id",
]

ProgressFn = Callable[[int, int], None]
Entry = dict[str, Any]  # a file's manifest entry: digest, size, mtime_ns, ids (and partial)


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
    # What of each article the vector step embeds: title + the first this
    # many tokens (None: the whole text). Part of the vectors' embedding name, so another
    # value recomputes them all. = semantic.embed.DEFAULT_TOKENS (not imported: optional).
    semantic_tokens: int | None = 256

    def extraction(self, text_fields: tuple[tuple[str, Any, bool], ...]) -> Options:
        """The settings the worker processes need (never vectors: each backend's vector
        step computes them from the stored text, after the words)."""
        return Options(
            actors=self.actors, dates=self.dates, max_bytes=int(self.max_file_mb * 1e6) if self.max_file_mb else None,
            model=self.model, text_fields=text_fields, aliases=frozen_aliases(self.aliases), dedup=self.dedup,
        )


def frozen_aliases(aliases: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """config.yaml's aliases for the workers' gazetteer (see extract.actors.Gazetteer)."""
    from searchkit.extract.actors import freeze_aliases

    return freeze_aliases(aliases)


def extraction_record(opts: RunOptions) -> list[list[Any]]:
    """How this run extracts, as a sink records it (JSON): the extraction rules' version
    and config.yaml's aliases, which the gazetteer reads (none without actors)."""
    return [[k, list(v)] for k, v in extraction_key(frozen_aliases(opts.aliases) if opts.actors else ())]


class Sink(Protocol):
    """Where a run's documents and manifest go: what each backend implements.

    Deletes and adds take effect, in the order made, with the next ``commit``, which
    writes the documents first and then the manifest ``changes`` (an entry, or None for
    a file that is gone)."""

    exclude: Sequence[Path]  # folders never listed as corpus (the Whoosh index's own)
    entry_extra: dict[str, Any]  # stored in every manifest entry (OpenSearch: the extraction record)

    def open(self, record: list[list[Any]]) -> dict[str, Entry]:
        """Ready the index; its manifest. ``record`` (``extraction_record``): how this run
        extracts, which the sink keeps with what it writes."""

    def extracted_with(self, entry: Entry) -> list[list[Any]] | None:
        """The extraction record the file of ``entry`` was indexed with (None: unknown)."""

    def owns(self, key: str) -> bool:
        """Whether this run handles the file ``key`` (``--part``)."""

    def extraction(self) -> Options:
        """What the worker processes extract for this sink."""

    def begin(self, unrecorded: Sequence[str]) -> None:
        """Ready to write; ``unrecorded``: files to read that the manifest does not know."""

    def delete(self, key: str, ids: Sequence[str]) -> None:
        """Delete what the file ``key`` (articles ``ids``) has in the index."""

    def add(self, doc: dict[str, Any], last: bool) -> None:
        """Add one document (``last``: of a file's last part)."""

    def due(self, pending: int, changes: int) -> bool:
        """Whether to commit now (``pending`` documents, ``changes`` entries waiting)."""

    def commit(self, changes: dict[str, Entry | None], manifest: dict[str, Entry], final: bool) -> None:
        """Make the writes durable, then the manifest ``changes``."""

    def abort(self) -> None:
        """Drop what was not committed (Ctrl-C or a crash)."""

    def finish(self, wrote: bool) -> int:
        """After the last commit (``wrote``: anything to write at all); the index's count."""


class IndexRun:
    """One run over a sink. Its state: the manifest (updated file by file), the entries
    changed since the last commit, the ids in use, the collections being read in parts,
    and how many documents await a commit."""

    def __init__(self, roots: Sequence[Path], sink: Sink, opts: RunOptions, progress: ProgressFn | None) -> None:
        self.roots, self.sink, self.opts, self.progress = roots, sink, opts, progress
        self.report = IndexReport()
        self.manifest: dict[str, Entry] = {}
        self.changes: dict[str, Entry | None] = {}
        self.ids_in_use: set[str] = set()
        # A collection read in parts: its manifest entry before this run and its ids so far.
        self.in_parts: dict[str, tuple[Entry | None, list[str]]] = {}
        self.pending = 0

    def run(self) -> IndexReport:
        record = extraction_record(self.opts)
        self.manifest = self.sink.open(record)
        for entry in self.manifest.values():
            # Extracted with other aliases or other rules: read again (its digest forgotten).
            if self.sink.extracted_with(entry) != record:
                entry.update(digest=None, size=-1)
        gone, candidates = self._plan()
        if not gone and not candidates:
            self.report.documents = self.sink.finish(wrote=False)
            return self.report
        self.ids_in_use = {i for k, e in self.manifest.items() if k not in gone for i in e.get("ids", [])}
        # Files the manifest does not know may have been half-written by a run that died.
        self.sink.begin([s.key for s in candidates if s.key not in self.manifest])
        try:
            for key in gone:
                ids = self.manifest.pop(key).get("ids", [])
                self.sink.delete(key, ids)
                self.report.removed += len(ids)
                self.changes[key] = None
            self._apply_all(candidates)
            self._commit(final=True)
        except BaseException:
            self.sink.abort()  # what was committed stays
            raise
        self.report.documents = self.sink.finish(wrote=True)
        return self.report

    def _plan(self) -> tuple[list[str], list[SourceFile]]:
        """The files gone since the last run, and those that may have changed."""
        seen: list[SourceFile] = []
        for item in iter_sources(self.roots, exclude=list(self.sink.exclude), formats=self.opts.formats):
            if isinstance(item, Problem):
                self.report.problems.append(item)
            elif self.sink.owns(item.key):
                seen.append(item)
        self.report.files_seen = len(seen)
        keys = {s.key for s in seen}
        gone = [k for k in self.manifest if k not in keys]
        candidates = [s for s in seen if maybe_changed(s, self.manifest.get(s.key))]
        return gone, candidates

    def _apply_all(self, candidates: list[SourceFile]) -> None:
        total, done = len(candidates), 0
        if self.progress:
            self.progress(0, total)
        for prepared in prepare_all(candidates, self.sink.extraction(), self.opts.workers, self.manifest):
            done += prepared.last
            self._apply(prepared)
            if self.progress:
                self.progress(done, total)
            if self.sink.due(self.pending, len(self.changes)):
                self._commit(final=False)

    def _apply(self, prepared: Prepared) -> None:
        key = prepared.source.key
        verdict, old = triage(prepared, self.manifest, self.in_parts)
        self.report.problems.extend(prepared.problems)
        if verdict == "touched":
            self.changes[key] = old  # the entry's new stat is written with the next commit
        if verdict != "changed":
            return
        if prepared.part == 0:
            self.report.files_changed += 1
            ids: list[str] = []
            if old:
                self.sink.delete(key, old.get("ids", []))
                self.ids_in_use.difference_update(old.get("ids", []))
        else:
            ids = self.in_parts.pop(key)[1]
        for doc in prepared.docs:
            doc["id"] = unique_id(doc["id"], self.ids_in_use, self.report, doc["path"])
            doc["digest"] = prepared.digest
            self.sink.add(doc, prepared.last)
            ids.append(doc["id"])
            self.ids_in_use.add(doc["id"])
        self.pending += len(prepared.docs) or 1
        if prepared.last:
            count_file(self.report, old, ids)
            entry = {"digest": prepared.digest, "size": prepared.source.size, "mtime_ns": prepared.source.mtime_ns, "ids": ids}
        else:
            # Committed in part: a run that stops here reads the whole file again next
            # time (no digest, no stat), replacing these documents.
            self.in_parts[key] = (old, ids)
            entry = {"digest": None, "size": -1, "mtime_ns": -1, "ids": list(ids), "partial": True}
        self.manifest[key] = self.changes[key] = {**entry, **self.sink.entry_extra}

    def _commit(self, final: bool) -> None:
        self.sink.commit(self.changes, self.manifest, final)
        self.changes = {}
        self.pending = 0


def triage(prepared: Prepared, manifest: dict[str, Entry],
           in_parts: dict[str, tuple[Entry | None, list[str]]]) -> tuple[str, Entry | None]:
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


def count_file(report: IndexReport, old: Entry | None, ids: list[str]) -> None:
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


def maybe_changed(source: SourceFile, entry: Entry | None) -> bool:
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
