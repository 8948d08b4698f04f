"""One index state, its Whoosh searchers and everything derived from it: the numpy
postings, actor groups, facet tables, near-duplicate groups and the article id of
each document number. A snapshot never changes; when the index does, the engine
opens a new one (see ``engine.Engine.snapshot``) and closes this one once the last
operation that pinned it ends (``acquire``/``release``, as Lucene's SearcherManager).

Many threads may share a snapshot. Whoosh's readers read through file objects with one
position each, so a reader must not be shared between threads (two threads reading
stored fields through one file decompress each other's bytes): each thread gets its own
searcher over the snapshot's segments, opened on first use. Derived data is built once,
under a lock, and is read-only afterwards. Derived data is built on first use and kept
on disk (``search.cache``) for the next process; nothing here parses queries or makes
hits.
"""
from __future__ import annotations

import threading
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from searchkit.index.fastcopy import FIELDS as FAST_FIELDS, ensure
from searchkit.search.cache import actors_path, dups_path, facets_path, load_pickle, save_pickle
from searchkit.search.fastpath import FastIndex
from searchkit.search.groups import ActorGroups
from searchkit.search.tables import FacetTable, build_table, link_kinds
from searchkit.vocab import FACET_FIELDS

__all__ = ["Snapshot", "SnapshotManager", "StaleSnapshot", "term_text"]

_ATTEMPTS = 10  # opening a commit that a newer commit removed meanwhile: try the newer one


def term_text(term: Any) -> str:
    """A Whoosh term as text (readers give bytes)."""
    return term.decode("utf-8") if isinstance(term, bytes) else str(term)


class StaleSnapshot(OSError):
    """A thread's searcher could not be opened: a commit since removed the segment
    files of this snapshot. The engine pins a newer one."""


class Snapshot:
    """Searchers over one index state of ``ix`` (one per thread) and its derived data."""

    def __init__(self, ix: Any, index_dir: Path, aliases: Mapping[str, Sequence[str]], dedup: bool, acronyms: bool = True) -> None:
        self.ix, self.index_dir, self.aliases, self.dedup = ix, index_dir, aliases, dedup
        self.acronyms = acronyms  # merge acronyms with their long forms (config extract.acronyms)
        self._toc = ix._read_toc()  # the state every thread's searcher opens: one commit
        self._local = threading.local()
        self._searchers: list[Any] = []
        self._lock = threading.RLock()  # searchers list, pins and derived data
        self._pins = 0
        self._retired = self._closed = False
        self._fast: FastIndex | None = None
        self._fast_tried = False
        self._tables: dict[str, FacetTable] | None = None
        self._groups: ActorGroups | None = None
        self._dups: Any = None
        self._doc_ids: list[str | None] | None = None
        self.searcher  # noqa: B018 - opens the creating thread's searcher while the files are there

    @property
    def searcher(self) -> Any:
        """This thread's Whoosh searcher over the snapshot's segments."""
        found = getattr(self._local, "searcher", None)
        if found is None:
            from whoosh.index import FileIndex
            from whoosh.searching import Searcher

            toc = self._toc
            try:
                reader = FileIndex._reader(self.ix.storage, toc.schema, list(toc.segments), toc.generation)
            except OSError as exc:
                raise StaleSnapshot(str(exc)) from exc
            found = self._local.searcher = Searcher(reader, fromindex=self.ix)
            with self._lock:
                self._searchers.append(found)
        return found

    @property
    def generation(self) -> int:
        return int(self._toc.generation)

    def up_to_date(self) -> bool:
        return self.ix.latest_generation() == self._toc.generation

    def acquire(self) -> None:
        """Pin: the snapshot stays open until the matching ``release``."""
        with self._lock:
            if self._closed:
                raise StaleSnapshot("snapshot closed")
            self._pins += 1

    def release(self) -> None:
        with self._lock:
            self._pins -= 1
            if self._retired and not self._pins:
                self._close()

    def retire(self) -> None:
        """A newer snapshot replaces this one: close it once no operation pins it."""
        with self._lock:
            self._retired = True
            if not self._pins:
                self._close()

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        self._closed = True
        for searcher in self._searchers:
            searcher.close()
        self._searchers = []

    def _indexer_running(self) -> bool:
        lock = self.ix.lock("WRITELOCK")
        if not lock.acquire(blocking=False):
            return True
        lock.release()
        return False

    @property
    def fast(self) -> FastIndex | None:
        """The numpy copy of the postings (see index/fastcopy.py), built here if the
        indexer did not (an index from an older searchkit); None if it cannot be had."""
        if not self._fast_tried:
            with self._lock:
                if not self._fast_tried:
                    self._fast = self._open_fast()
                    self._fast_tried = True
        return self._fast

    def _open_fast(self) -> FastIndex | None:
        if not self.searcher.doc_count_all():  # no segment yet: nothing to copy
            return None
        fast = FastIndex.open(self.index_dir, self.searcher)
        if fast is None and not self._indexer_running():
            # An index from an older searchkit: build the copy once. While an
            # indexer runs, its own warm-up will; searches use Whoosh meanwhile.
            ensure(self.index_dir, self.searcher.reader())
            fast = FastIndex.open(self.index_dir, self.searcher)
        return fast

    def postings(self, field: str) -> Iterable[tuple[str, np.ndarray]]:
        """Every term of ``field`` with its live document numbers."""
        fast = self.fast if field in FAST_FIELDS else None  # the numpy copy holds the ranked and facet fields
        if fast is not None:
            yield from fast.terms(field)
            return
        reader = self.searcher.reader()
        for term in list(reader.lexicon(field)):
            ids = np.fromiter(reader.postings(field, term).all_ids(), dtype=np.int64)
            yield term_text(term), ids

    # -- facets and actor groups (kept on disk: seconds to build on a large index) --
    @property
    def groups(self) -> ActorGroups:
        if self._groups is None:
            with self._lock:
                return self._build_groups()
        return self._groups

    def _build_groups(self) -> ActorGroups:
        if self._groups is None:
            self._load_facets()
        if self._groups is None:
            # Live articles per name, from the numpy postings when there are: asking
            # Whoosh's multi-segment reader for each name's frequency looks the name up
            # in every segment (40 s for the 36k-article corpus).
            docs = {(kind, name): ids for kind in ("person", "org", "place") for name, ids in self.postings(kind)}
            definitions, evidence = None, None
            if self.acronyms and "acronym" in self.ix.schema:  # an older index has no evidence
                evidence = dict(self.postings("acronym"))
                definitions = {value: len(ids) for value, ids in evidence.items()}
            self._groups = ActorGroups({k: len(ids) for k, ids in docs.items()}, self.aliases, docs, definitions, evidence)
        return self._groups

    @property
    def tables(self) -> dict[str, FacetTable]:
        if self._tables is None:
            with self._lock:
                if self._tables is None:
                    self._load_facets()
                if self._tables is None:
                    tables = {f: build_table(f, self.postings, self.groups) for f in FACET_FIELDS}
                    link_kinds(tables)
                    self._tables = tables
                    self._save_facets()
        return self._tables

    def _facets_path(self) -> Path:
        return facets_path(self.index_dir, self.searcher.reader(), self.aliases, self.acronyms)

    def _load_facets(self) -> None:
        path = self._facets_path()
        loaded = load_pickle(path)
        if loaded is None:
            return
        tables, groups = loaded
        # The actor lookup tables (only filters by actor need them) are a second
        # file, read on first use: a plain one-shot search does not pay for them.
        groups.extra = actors_path(path)
        self._groups, self._tables = groups, tables  # complete before another thread sees them

    def _save_facets(self) -> None:
        path = self._facets_path()
        groups = self.groups
        try:
            for old in [*path.parent.glob("facets-*.pickle"), *path.parent.glob("actors-*.pickle")]:
                old.unlink()
            save_pickle(actors_path(path), (groups.lookup(), groups.members))
            save_pickle(path, (self._tables, groups))
        except OSError:  # a read-only index: build in memory every time
            pass

    @property
    def duplicates(self) -> Any:
        """The near-duplicate groups (dedup.DuplicateGroups), kept on disk beside the
        facet tables, keyed by the same index state."""
        if self._dups is None:
            with self._lock:
                return self._build_duplicates()
        return self._dups

    def _build_duplicates(self) -> Any:
        if self._dups is None and not self.dedup:
            from searchkit.dedup import DuplicateGroups

            self._dups = DuplicateGroups(np.full(0, -1), [])
        if self._dups is None:
            from searchkit.duplicates import SIGNATURE_FILE, build_groups

            try:
                signed = (self.index_dir / SIGNATURE_FILE).stat().st_mtime_ns
            except OSError:
                signed = 0
            path = dups_path(self._facets_path(), signed)
            self._dups = load_pickle(path)
            if self._dups is None:
                self._dups = build_groups(self.index_dir, self.searcher.reader())
                try:
                    for old in path.parent.glob("dups-*.pickle"):
                        old.unlink()
                    save_pickle(path, self._dups)
                except OSError:  # a read-only index: grouped in memory every time
                    pass
        return self._dups

    def doc_ids(self) -> list[str | None]:
        """The article id of each document number (None: deleted), for aligning vectors."""
        if self._doc_ids is None:
            with self._lock:
                if self._doc_ids is None:
                    self._doc_ids = self._read_doc_ids()
        return self._doc_ids

    def _read_doc_ids(self) -> list[str | None]:
        searcher = self.searcher
        reader = searcher.reader()
        order: list[str | None] = [None] * searcher.doc_count_all()
        if self.fast is not None:
            for doc_id, docs in self.fast.terms("id"):
                for d in docs.tolist():
                    order[d] = doc_id
        for d, have in enumerate(order):  # segments copied before ids were kept
            if have is None and not reader.is_deleted(d):
                order[d] = searcher.stored_fields(d).get("id")
        return order


class SnapshotManager:
    """The current snapshot of one index and the pins on it, for many threads (as
    Lucene's SearcherManager): an operation pins the newest snapshot for its whole
    length (its nested calls, in the same thread, share it); a commit makes the next
    operation open a new one, and the one it replaces closes when its last pin goes."""

    def __init__(self, open_snapshot: Callable[[], Snapshot]) -> None:
        self._open = open_snapshot
        self._snap: Snapshot | None = None
        self._lock = threading.Lock()  # replacing the current snapshot
        self._local = threading.local()  # the snapshot this thread's operation pinned

    def current(self) -> Snapshot:
        """The snapshot this thread's operation pinned, else the newest."""
        pinned = getattr(self._local, "snap", None)
        if pinned is not None:
            return pinned
        with self._lock:
            return self._newest()

    def _newest(self, stale: Snapshot | None = None) -> Snapshot:
        """(caller holds ``_lock``)"""
        snap = self._snap
        if snap is None or snap is stale or not snap.up_to_date():
            # Reopen, not Searcher.refresh(): in whoosh-reloaded 2.7.5 refresh keeps the
            # segments a merge replaced (articles counted twice) and raises TypeError
            # on an index with no segment yet.
            self._snap = self._open_retrying()
            if snap is not None:
                snap.retire()
        return self._snap

    def _open_retrying(self) -> Snapshot:
        """Open the newest commit. Whoosh reads the latest generation's number, then
        its files: a commit in between removes them (FileNotFoundError on the TOC, or
        StaleSnapshot on a segment), and the next attempt finds the newer one."""
        for _ in range(_ATTEMPTS - 1):
            try:
                return self._open()
            except OSError:
                continue
        return self._open()  # the last attempt's error is the caller's

    @contextmanager
    def pinned(self) -> Iterator[Snapshot]:
        """One snapshot for a whole operation: facet arrays, masks and stored fields
        then all describe the same commit even if the indexer commits meanwhile, and
        the snapshot stays open until the operation ends, whatever other threads do."""
        outer = getattr(self._local, "snap", None)
        if outer is not None:  # nested in an operation of this thread: the same snapshot
            yield outer
            return
        snap = self._acquire()
        self._local.snap = snap
        try:
            yield snap
        finally:
            self._local.snap = None
            snap.release()

    def _acquire(self) -> Snapshot:
        stale: Snapshot | None = None
        for _ in range(_ATTEMPTS):
            with self._lock:
                snap = self._newest(stale)
                snap.acquire()
            try:
                snap.searcher  # noqa: B018 - this thread's searcher, while the snapshot's files exist
                return snap
            except StaleSnapshot:  # a commit removed its files before this thread opened them
                snap.release()
                stale = snap
        raise StaleSnapshot("the index changed under every attempt to open it")

    def close(self) -> None:
        with self._lock:
            if self._snap is not None:
                self._snap.retire()
                self._snap = None
