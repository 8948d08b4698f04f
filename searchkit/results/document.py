"""One article, why it matched a query, who a typed name is: the answers of
``SearchKit.document``, ``explain`` and ``resolve_actor``.

What this module must not do: import anything of searchkit's (it is a leaf), hold a
Whoosh object or anything that dies with a searcher.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["ActorMatch", "Document", "DocumentActor", "Explanation", "FilterMatch", "ResolvedActor", "TermMatch", "WordMatch"]


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
