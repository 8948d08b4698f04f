"""The vector step of an indexing run: a passage vector for every article of the index
that lacks one, computed from the index's stored text once the run's words and facets are
committed (and searchable), and committed to the vector store every few articles.

Why apart from extraction: a vector costs ~0.4 s of CPU per article, 11 times the NER.
Computed from what the index stores, vectors never make a run extract again: turning
semantic search on for an existing index, or another embedding, only fills vectors; a
run interrupted (Ctrl-C, kill -9) keeps every vector it committed and the next run
computes only the missing ones. Searches meanwhile use the vectors committed so far.

The text embedded is the one extraction used to embed (so ranking figures do not move):
``passage_text`` of the title and the body, with no title where it was guessed (a
guessed title is stored for display but not indexed: both its fields are empty).

What it must not do: read the corpus or extract, write the Whoosh index, or run without
the index's write lock (the indexer calls it inside its run, after its last commit).
"""
from __future__ import annotations

import time
from collections import deque
from contextlib import closing
from typing import Any, Callable, Collection, Iterable, Iterator, Sequence

import numpy as np

__all__ = ["COMMIT_SECONDS", "EMBED_CHUNK", "embedded", "fill_vectors", "live_ids", "stored_passage"]

# Articles per embedding job: ~6 s of CPU, so that Ctrl-C, the progress bar and the
# worker processes' balance never wait long.
EMBED_CHUNK = 16
# The step commits every ``commit_every`` articles and at least this often: at ~5
# articles/s, 2,000 articles would be minutes of work for a kill to throw away.
COMMIT_SECONDS = 30.0
# A reader replays every delta written since the last base: past this many, they are
# folded into a new base (each fold rewrites the whole set, 55 MB at 36k articles).
COMPACT_DELTAS = 16
# Below this many articles to embed, worker processes (each loading the model) cost
# more than they save.
PARALLEL_MIN = 64

ProgressFn = Callable[[int, int], None]


def fill_vectors(ix: Any, store: Any, *, since: int | None = None, added: Collection[str] = (), workers: int = 1,
                 commit_every: int = 2000, progress: ProgressFn | None = None, tokens: int | None = 256) -> tuple[int, int]:
    """Bring ``store`` (a ``VectorStore`` opened for indexing) in line with the committed
    index ``ix``: vectors of articles it no longer holds are dropped, those it lacks are
    computed (title + the first ``tokens`` tokens: the store's embedding name says the
    same). Returns (vectors computed, vectors dropped). ``progress(done, total)`` is
    called as vectors are computed.

    ``since``: the generation the run started from, ``added``: the ids it wrote. When the
    store was complete at ``since`` (``complete_at``), only those can lack a vector, and
    the index's every id is not read (2.5 s for 20,000 articles on a loaded machine)."""
    generation = ix.latest_generation()
    known = since is not None and store.complete_at() == since
    if known and generation == since:
        return 0, 0  # nothing committed since every article had its vector
    reader = ix.reader()
    try:
        missing, orphans = _changed(reader, store, added) if known else _all(reader, store)
        store.delete(orphans)
        if progress:
            progress(0, len(missing))
        done, last = 0, time.monotonic()
        with closing(_embedded(reader, missing, workers, tokens)) as batches:
            for ids, vecs in batches:
                store.add(ids, vecs)
                done += len(ids)
                if progress:
                    progress(done, len(missing))
                if store.pending >= commit_every or time.monotonic() - last >= COMMIT_SECONDS:
                    _commit(store)
                    last = time.monotonic()
        _commit(store)
    finally:
        reader.close()
    store.compact()  # one file for searches to memory-map
    store.mark_complete(generation)  # not reached when interrupted: the next run checks every id
    return len(missing), len(orphans)


def _all(reader: Any, store: Any) -> tuple[list[int], set[str]]:
    """(document numbers without a vector, ids with a vector but no article), from every
    id of the index: a store whose state is unknown (a new one, an interrupted step)."""
    live = live_ids(reader)
    have = store.ids()
    # Articles deleted or changed had their vectors dropped with the index's commit:
    # anything left over (a store written by another route) goes now.
    orphans = have - live.keys()
    return sorted(d for doc_id, d in live.items() if doc_id not in have), orphans  # index order: stored fields read in sequence


def _changed(reader: Any, store: Any, added: Collection[str]) -> tuple[list[int], set[str]]:
    """The same as ``_all`` for a store complete before this run: only the articles the
    run wrote can lack a vector (the deleted ones lost theirs with the index's commit)."""
    have = store.ids()
    docnums = [int(d) for doc_id in set(added) - have for d in reader.postings("id", doc_id).all_ids()] if added else []
    return sorted(docnums), set()


def _commit(store: Any) -> None:
    store.commit()  # readers see these vectors from now on
    if store.deltas() >= COMPACT_DELTAS:
        store.compact()


def live_ids(reader: Any) -> dict[str, int]:
    """The document number of each article id the index holds (deleted ones left out):
    from the id field's postings, which reads no stored text."""
    out: dict[str, int] = {}
    for doc_id in reader.field_terms("id"):
        for d in reader.postings("id", doc_id).all_ids():  # deleted documents filtered out
            out[doc_id] = int(d)
    return out


def stored_passage(reader: Any, docnum: int) -> tuple[str, str]:
    """(id, text to embed) of one document, from its stored fields."""
    from searchkit.semantic.embed import passage_text

    fields = reader.stored_fields(docnum)
    # A guessed title is stored but indexed as "" in both title fields: its lengths are 0.
    indexed = any(reader.doc_field_length(docnum, name, 0) for name in ("title", "title_exact") if name in reader.schema)
    return fields["id"], passage_text((fields.get("title") or "") if indexed else "", fields.get("body") or "")


def _embedded(reader: Any, docnums: Sequence[int], workers: int, tokens: int | None) -> Iterator[tuple[list[str], np.ndarray]]:
    """(ids, vectors) of ``docnums``, chunk by chunk in order (see ``embedded``)."""

    def chunks() -> Iterator[tuple[list[str], list[str]]]:
        for start in range(0, len(docnums), EMBED_CHUNK):
            pairs = [stored_passage(reader, d) for d in docnums[start : start + EMBED_CHUNK]]
            yield [i for i, _ in pairs], [t for _, t in pairs]

    return embedded(chunks(), len(docnums), workers, tokens)


def embedded(chunks: Iterable[tuple[list[str], list[str]]], size: int, workers: int, tokens: int | None) -> Iterator[tuple[list[str], np.ndarray]]:
    """(ids, vectors) of ``chunks`` of (ids, passage texts), chunk by chunk in order: in
    this process, or in ``workers`` processes (one OpenMP thread each) when ``size``
    articles are enough work for them. Any backend's vector step embeds through here."""
    from searchkit.semantic.embed import embed_here

    if workers <= 1 or size < PARALLEL_MIN:
        for ids, texts in chunks:
            yield ids, embed_here(texts, tokens)
        return
    from searchkit.index.pool import worker_pool

    with worker_pool(workers) as pool:
        in_flight: deque[tuple[list[str], Any]] = deque()
        for ids, texts in chunks:
            in_flight.append((ids, pool.submit(embed_here, texts, tokens)))
            # A few chunks queued per worker: they never wait on this process, and a kill
            # throws away little computed-but-uncommitted work.
            while len(in_flight) >= workers * 3:
                ids_done, job = in_flight.popleft()
                yield ids_done, job.result()
        while in_flight:
            ids_done, job = in_flight.popleft()
            yield ids_done, job.result()
