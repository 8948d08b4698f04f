"""The vector step on a backend (OpenSearch): a passage vector for every article of the
index that lacks one, computed from the text the index stores, once the run's words are
written, and written back as partial updates every few articles.

Why apart from extraction, as on the Whoosh backend (``index/vectors``): a vector costs
~0.4 s of CPU per article, 11 times the NER. Computed from what the index stores,
vectors never make a run extract again: turning ``semantic: true`` on for an index made
without vectors only adds the field and fills it; a run interrupted (Ctrl-C, kill -9)
keeps every vector it wrote, and the next run computes only the missing ones (the
index itself says which: the articles without the field). Searches meanwhile use the
vectors written so far (``stats`` counts them).

The text embedded is the Whoosh backend's: ``passage_text`` of the indexed title (empty
when it was guessed) and the body. With ``--part i/n``, a process fills only its own
files' articles, reading only their text.

What it must NOT do: read the corpus, extract, speak the wire protocol (the backend's
``missing_vectors`` / ``write_vectors`` do), or compute a vector an article has.
"""
from __future__ import annotations

import time
from typing import Any, Callable, Iterable, Iterator

from searchkit.index.vectors import COMMIT_SECONDS, EMBED_CHUNK, embedded

__all__ = ["fill_backend_vectors"]

# Vectors sent per write: small enough that a kill loses seconds of work, large enough
# that the requests do not cost more than the embedding.
WRITE_EVERY = 64


def fill_backend_vectors(backend: Any, *, workers: int = 1, tokens: int | None = 256, owns: Callable[[str], bool] | None = None,
                         progress: Callable[[int, int], None] | None = None, commit_every: int | None = None) -> int:
    """Compute and write the vectors ``backend``'s index lacks (of the articles whose
    source ``owns`` accepts: a ``--part``'s); returns how many. ``progress(done, total)``
    as they go (``total``: the vectors this call will compute); written every
    ``commit_every`` vectors (default ``WRITE_EVERY``) or ``COMMIT_SECONDS``."""
    from searchkit.semantic.embed import passage_text

    commit_every = commit_every or WRITE_EVERY
    total, pages = _missing(backend, owns)
    if progress:
        progress(0, total)
    if not total:
        return 0

    def chunks() -> Iterator[tuple[list[str], list[str]]]:
        ids: list[str] = []
        texts: list[str] = []
        for page in pages:
            for src in page:
                ids.append(src["id"])
                texts.append(passage_text(src.get("title") or "", src.get("body") or ""))
                if len(ids) == EMBED_CHUNK:
                    yield ids, texts
                    ids, texts = [], []
        if ids:
            yield ids, texts

    done, last = 0, time.monotonic()
    pending_ids: list[str] = []
    pending: list[Any] = []
    for ids, vectors in embedded(chunks(), total, workers, tokens):
        pending_ids.extend(ids)
        pending.extend(vectors)
        done += len(ids)
        if len(pending_ids) >= commit_every or time.monotonic() - last >= COMMIT_SECONDS:
            backend.write_vectors(pending_ids, pending)
            pending_ids, pending, last = [], [], time.monotonic()
        if progress:
            progress(done, total)
    if pending_ids:
        backend.write_vectors(pending_ids, pending)
    backend.refresh()
    return done


def _missing(backend: Any, owns: Callable[[str], bool] | None) -> tuple[int, Iterable[list[dict[str, Any]]]]:
    """How many articles to embed, and their id, title and body a page at a time.

    A part (``owns``) first lists the ids and sources of every article without a vector,
    no text, keeps its own, then reads only their text: n processes read the index's
    bodies once between them, and each one's progress bar counts its own work."""
    if owns is None:
        return backend.missing_vector_count(), backend.missing_vectors()
    mine = [src["id"] for page in backend.missing_vectors(fields=("id", "source")) for src in page if owns(src.get("source", ""))]
    return len(mine), backend.stored_texts(mine)
