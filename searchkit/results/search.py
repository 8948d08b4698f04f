"""A search's answer: ``Results`` and its ``Hit``s, facet values (``FacetValue``,
``Facets``), and the ``<mark>`` of matched words in snippets and documents.

What this module must not do: import anything of searchkit's (it is a leaf), hold a
Whoosh object or anything that dies with a searcher (results outlive it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from typing import Any, Iterator

__all__ = ["Actor", "FacetValue", "Facets", "Hit", "MARK_CLOSE", "MARK_OPEN", "Results", "mark"]

# How snippets and documents mark matched words in the contract.
MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"


def mark(text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> str:
    """``text[start:end]`` with every span inside it wrapped in <mark>."""
    end = len(text) if end is None else end
    out, pos = [], start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(text[pos:s])
        out.append(MARK_OPEN + text[s:e] + MARK_CLOSE)
        pos = e
    out.append(text[pos:end])
    return "".join(out)


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
    # Why an acronym and its long form are this one value (extract/acronyms.py), else "".
    because: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "count": self.count, "variants": list(self.variants)}
        if self.because:  # only where an acronym was merged: most values have no story
            out["because"] = self.because
        return out


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
    duplicates: tuple[str, ...] = ()  # ids of the other near-duplicate copies (dedup.py)

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
            "duplicates": list(self.duplicates),
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
    # Hybrid mode, when the words match fewer than a page: articles found by meaning
    # alone, most similar first (score: their cosine). Never counted in ``total`` or facets.
    related: tuple[Hit, ...] = ()

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
            "related": [h.to_dict() for h in self.related],
        }


@dataclass(frozen=True)
class Facets:
    """Facet values with counts over the articles a query and filters match
    (``SearchKit.facets``), most frequent first: one attribute per facet field, in the
    order of ``vocab.FACET_FIELDS``; a field not asked for is None (and absent from
    ``to_dict()``), a field asked for with no value is ``()``."""

    actor: tuple[FacetValue, ...] | None = None
    person: tuple[FacetValue, ...] | None = None
    org: tuple[FacetValue, ...] | None = None
    place: tuple[FacetValue, ...] | None = None
    published: tuple[FacetValue, ...] | None = None
    mentioned: tuple[FacetValue, ...] | None = None

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields asked for, in facet order."""
        return tuple(f.name for f in dataclass_fields(self) if getattr(self, f.name) is not None)

    def get(self, field_name: str) -> tuple[FacetValue, ...]:
        """The values of ``field_name`` (a facet field's English name); ``()`` for a
        field not asked for."""
        if field_name not in {f.name for f in dataclass_fields(self)}:
            raise KeyError(field_name)
        return getattr(self, field_name) or ()

    def items(self) -> Iterator[tuple[str, tuple[FacetValue, ...]]]:
        """(field, values) for each field asked for, in facet order."""
        for name in self.fields:
            yield name, getattr(self, name)

    def to_dict(self) -> dict[str, Any]:
        return {name: [v.to_dict() for v in values] for name, values in self.items()}
