"""Search results as frozen dataclasses; ``to_dict()`` is the JSON contract of DESIGN.md.

No Whoosh objects here: results outlive the searcher that made them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Actor", "ActorMatch", "Document", "DocumentActor", "Explanation", "FilterMatch",
    "FacetValue", "Hit", "MARK_CLOSE", "MARK_OPEN", "ResolvedActor", "Results", "TermMatch", "WordMatch", "mark",
]

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


# -- one article, why it matched, who a name is (SearchKit.document / explain / resolve_actor)


@dataclass(frozen=True)
class DocumentActor:
    """An actor of one article: canonical ``name``, ``kind`` and the spellings (``forms``)
    this article uses for it."""

    name: str
    kind: str
    forms: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "forms": list(self.forms)}


@dataclass(frozen=True)
class Document:
    """An article as stored, with the body ranges (``spans``, end exclusive) a query marks."""

    id: str
    path: str
    title: str
    body: str
    source: str = ""
    published: str | None = None
    precision: str | None = None  # "day" | "month" | "year" | None
    mentioned: tuple[str, ...] = ()
    actors: tuple[DocumentActor, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()
    pages: tuple[int, ...] = ()  # where each page starts in ``body`` (PDFs); empty otherwise
    format: str | None = None  # the reader's format ("pdf", "html"...), when the index stored it
    author: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "path": self.path,
            "title": self.title,
            "body": self.body,
            "meta": {
                "published": self.published,
                "precision": self.precision,
                "mentioned": list(self.mentioned),
                "actors": [a.to_dict() for a in self.actors],
                # Set only where the reader found them, as the index stores them.
                **{k: v for k, v in (("format", self.format), ("author", self.author), ("pages", list(self.pages))) if v},
            },
            "spans": [list(s) for s in self.spans],
        }


@dataclass(frozen=True)
class ResolvedActor:
    """One actor a typed name stands for: its canonical name, kind, and every spelling
    of it in the index (the canonical name included)."""

    name: str
    kind: str
    variants: tuple[str, ...]
    because: str = ""  # why an acronym is among the variants (extract/acronyms.py)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "variants": list(self.variants)}
        if self.because:
            out["because"] = self.because
        return out


@dataclass(frozen=True)
class ActorMatch:
    """What a typed actor name resolves to in the index (any spelling, case or accent;
    a single word also finds the actors whose name ends with it): none, one, or several
    (an ambiguous surname)."""

    query: str
    kind: str | None  # the kind asked for; None: any
    actors: tuple[ResolvedActor, ...] = ()

    @property
    def found(self) -> bool:
        return bool(self.actors)

    @property
    def names(self) -> tuple[str, ...]:
        """Canonical names, each once."""
        return tuple(dict.fromkeys(a.name for a in self.actors))

    @property
    def name(self) -> str | None:
        """The one canonical name the query stands for; None if none or ambiguous."""
        names = self.names
        return names[0] if len(names) == 1 else None

    @property
    def variants(self) -> tuple[str, ...]:
        """Every spelling of every actor found, sorted."""
        return tuple(sorted({v for a in self.actors for v in a.variants}))

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "kind": self.kind, "actors": [a.to_dict() for a in self.actors]}


@dataclass(frozen=True)
class TermMatch:
    """An index term found in the article: where, the words as written (with counts),
    and how the spelling typed differs from the one written, if it does."""

    term: str
    where: str  # "title" | "body"
    forms: tuple[tuple[str, int], ...]  # (word as written, count), most frequent first
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.term, "where": self.where, "forms": [{"word": w, "count": n} for w, n in self.forms], "note": self.note}


@dataclass(frozen=True)
class WordMatch:
    """A word of the query, the ranked-field terms it became and where they are found."""

    word: str
    terms: tuple[str, ...]
    found: tuple[TermMatch, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"word": self.word, "terms": list(self.terms), "found": [t.to_dict() for t in self.found]}


@dataclass(frozen=True)
class FilterMatch:
    """How the article passed one filter: for an actor, the canonical names the value
    resolves to, their spellings and those this article uses; for a date, its dates
    that fall in the filter."""

    field: str
    value: str
    matched: tuple[str, ...]  # canonical actor names, or the article's matching dates
    variants: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    because: str = ""  # why an acronym and its long form count as one actor

    def to_dict(self) -> dict[str, Any]:
        out = {"field": self.field, "value": self.value, "matched": list(self.matched), "variants": list(self.variants), "forms": list(self.forms)}
        if self.because:
            out["because"] = self.because
        return out


@dataclass(frozen=True)
class Explanation:
    """Why an article matches a query and filters, from the query the engine parsed."""

    id: str
    title: str
    query: str
    words: tuple[WordMatch, ...] = ()
    exact: tuple[TermMatch, ...] = ()  # phrase, fuzzy and wildcard terms (unstemmed fields)
    other_terms: tuple[str, ...] = ()  # expanded terms found here that no typed word explains
    filters: tuple[FilterMatch, ...] = ()
    query_actors: tuple[DocumentActor, ...] = ()  # actors named by field parts of the query

    @property
    def matches_all(self) -> bool:
        """An empty query and no filter: every article matches."""
        return not self.query.strip() or self.query.strip() == "*"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "query": self.query,
            "words": [w.to_dict() for w in self.words],
            "exact": [t.to_dict() for t in self.exact],
            "other_terms": list(self.other_terms),
            "filters": [f.to_dict() for f in self.filters],
            "query_actors": [a.to_dict() for a in self.query_actors],
        }
