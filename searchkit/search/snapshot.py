"""One Whoosh searcher and everything derived from the index state it sees: the numpy
postings, actor groups, facet tables, near-duplicate groups and the article id of
each document number. A snapshot never changes; when the index does, the engine
opens a new one (see ``engine.Engine.searcher``) and this one is closed.

Derived data is built on first use and kept on disk (``search.cache``) for the next
process; nothing here parses queries or makes hits.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from searchkit.index.fastcopy import ensure
from searchkit.search.cache import actors_path, dups_path, facets_path, load_pickle, save_pickle
from searchkit.search.fastpath import FastIndex
from searchkit.search.groups import ActorGroups
from searchkit.search.tables import FacetTable, build_table, link_kinds
from searchkit.vocab import FACET_FIELDS

__all__ = ["Snapshot", "term_text"]


def term_text(term: Any) -> str:
    """A Whoosh term as text (readers give bytes)."""
    return term.decode("utf-8") if isinstance(term, bytes) else str(term)


class Snapshot:
    """A searcher over ``ix`` and its derived data, for one index state."""

    def __init__(self, ix: Any, index_dir: Path, aliases: Mapping[str, Sequence[str]], dedup: bool) -> None:
        self.ix, self.index_dir, self.aliases, self.dedup = ix, index_dir, aliases, dedup
        self.searcher = ix.searcher()
        self._fast: FastIndex | None = None
        self._fast_tried = False
        self._tables: dict[str, FacetTable] | None = None
        self._groups: ActorGroups | None = None
        self._dups: Any = None
        self._doc_ids: list[str | None] | None = None

    def up_to_date(self) -> bool:
        return self.searcher.up_to_date()

    def close(self) -> None:
        self.searcher.close()

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
            self._fast_tried = True
            if not self.searcher.doc_count_all():  # no segment yet: nothing to copy
                return None
            self._fast = FastIndex.open(self.index_dir, self.searcher)
            if self._fast is None and not self._indexer_running():
                # An index from an older searchkit: build the copy once. While an
                # indexer runs, its own warm-up will; searches use Whoosh meanwhile.
                ensure(self.index_dir, self.searcher.reader())
                self._fast = FastIndex.open(self.index_dir, self.searcher)
        return self._fast

    def postings(self, field: str) -> Iterable[tuple[str, np.ndarray]]:
        """Every term of ``field`` with its live document numbers."""
        fast = self.fast
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
            self._load_facets()
        if self._groups is None:
            # Live articles per name, from the numpy postings when there are: asking
            # Whoosh's multi-segment reader for each name's frequency looks the name up
            # in every segment (40 s for the 36k-article corpus).
            docs = {(kind, name): ids for kind in ("person", "org", "place") for name, ids in self.postings(kind)}
            self._groups = ActorGroups({k: len(ids) for k, ids in docs.items()}, self.aliases, docs)
        return self._groups

    @property
    def tables(self) -> dict[str, FacetTable]:
        if self._tables is None:
            self._load_facets()
        if self._tables is None:
            self._tables = {f: build_table(f, self.postings, self.groups) for f in FACET_FIELDS}
            link_kinds(self._tables)
            self._save_facets()
        return self._tables

    def _facets_path(self) -> Path:
        return facets_path(self.index_dir, self.searcher.reader(), self.aliases)

    def _load_facets(self) -> None:
        path = self._facets_path()
        loaded = load_pickle(path)
        if loaded is None:
            return
        self._tables, self._groups = loaded
        # The actor lookup tables (only filters by actor need them) are a second
        # file, read on first use: a plain one-shot search does not pay for them.
        self._groups.extra = actors_path(path)

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
            self._doc_ids = order
        return self._doc_ids
