"""What an index holds: ``IndexStats``, the answer of ``SearchKit.stats`` (``searchkit
stats --json``), for the Whoosh index and for an OpenSearch one.

What this module must not do: import anything of searchkit's (it is a leaf), open or
measure an index (the engines fill it in).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["IndexStats"]


@dataclass(frozen=True)
class IndexStats:
    """Counts over the whole index, and where it lives.

    ``actors``: actor groups (spellings merged, as the facets count them); ``acronyms``:
    acronyms merged with their long forms; ``undated``: articles without a publication
    date; ``vectors``: articles with a passage vector. The Whoosh backend fills ``index_dir``, ``size_bytes``, ``segments`` and
    ``generation``; the OpenSearch backend what it says of where the index is:
    ``url`` and ``index``."""

    documents: int
    actors: int
    acronyms: int
    undated: int
    vectors: int = 0  # articles with a passage vector (hybrid ranks those by meaning)
    backend: str = "whoosh"  # "whoosh" | "opensearch"
    index_dir: str | None = None
    size_bytes: int | None = None
    segments: int | None = None
    generation: int | None = None
    url: str | None = None
    index: str | None = None

    def to_dict(self) -> dict[str, Any]:
        # The keys, in the order `searchkit stats` has always printed them: the Whoosh
        # engine's (it alone knows the generation), or an engine over a Backend's, where
        # the backend says where it is (``Backend.describe``).
        if self.generation is not None:
            return {
                "documents": self.documents,
                "index_dir": self.index_dir,
                "size_bytes": self.size_bytes,
                "segments": self.segments,
                "generation": self.generation,
                "actors": self.actors,
                "acronyms": self.acronyms,
                "undated": self.undated,
                "vectors": self.vectors,
            }
        where = (("backend", self.backend), ("url", self.url), ("index", self.index), ("index_dir", self.index_dir))
        return {
            "documents": self.documents,
            **{k: v for k, v in where if v is not None},
            "actors": self.actors,
            "undated": self.undated,
            "acronyms": self.acronyms,
            "vectors": self.vectors,
        }
