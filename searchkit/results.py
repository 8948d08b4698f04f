"""Search results as frozen dataclasses; ``to_dict()`` is the JSON contract of DESIGN.md.

No Whoosh objects here: results outlive the searcher that made them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Actor", "FacetValue", "Hit", "Results"]


@dataclass(frozen=True)
class Actor:
    name: str
    kind: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind}


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    variants: tuple[str, ...] = ()  # other spellings merged into this actor

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "count": self.count, "variants": list(self.variants)}


@dataclass(frozen=True)
class Hit:
    id: str
    path: str
    title: str
    score: float
    published: str | None
    snippets: tuple[str, ...]
    actors: tuple[Actor, ...]
    mentioned: tuple[str, ...]
    rank: int = 0  # 1-based position in the whole result list

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "title": self.title,
            "score": round(self.score, 4),
            "published": self.published,
            "snippets": list(self.snippets),
            "actors": [a.to_dict() for a in self.actors],
            "mentioned": list(self.mentioned),
        }


@dataclass(frozen=True)
class Results:
    query: str
    filters: dict[str, list[str]]
    total: int
    took_ms: float
    suggestion: str | None
    hits: tuple[Hit, ...]
    facets: dict[str, tuple[FacetValue, ...]] = field(default_factory=dict)
    offset: int = 0
    # How a lenient parse read the query ("an unclosed \" was read as a space").
    notices: tuple[str, ...] = ()
    mode: str = "lexical"

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "filters": {k: list(v) for k, v in self.filters.items()},
            "total": self.total,
            "took_ms": round(self.took_ms, 2),
            "mode": self.mode,
            "suggestion": self.suggestion,
            "notices": list(self.notices),
            "hits": [h.to_dict() for h in self.hits],
            "facets": {k: [v.to_dict() for v in vals] for k, vals in self.facets.items()},
        }
