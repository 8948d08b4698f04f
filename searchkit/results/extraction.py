"""What indexing makes of a text or a file, no index needed: the dates and actors the
extractors find (``DateMention``, ``ActorMention``: the answers of ``extract_dates`` and
``extract_actors``), one article's extraction (``ArticleExtraction``: ``SearchKit.extract``,
``searchkit extract --json``) and the analyzer's tokens (``Token``: ``SearchKit.analyze``).

What this module must not do: import anything of searchkit's (it is a leaf, and
``extract/types`` re-exports the mentions from here), or extract anything itself.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = ["ActorKind", "ActorMention", "ArticleExtraction", "DateMention", "Precision", "Token"]

Precision = Literal["day", "month", "year"]
ActorKind = Literal["person", "org", "place"]


@dataclass(frozen=True)
class DateMention:
    """A date found in text: ``text[start:end]`` resolved to ``value`` (YYYY[-MM[-DD]])."""

    text: str
    start: int
    end: int
    value: str
    precision: Precision

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ActorMention:
    """A person, organisation or place: ``text[start:end]`` with its canonical name."""

    text: str
    start: int
    end: int
    kind: ActorKind
    canonical: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ArticleExtraction:
    """One article of a file: its publication date (header or guessed), the dates its
    body mentions and the actors of its title and body, with character offsets: into
    the body for dates, into title + body (as indexing reads it) for actors."""

    id: str
    published: str | None
    published_precision: str | None
    dates: tuple[DateMention, ...]
    actors: tuple[ActorMention, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "published": self.published,
            "published_precision": self.published_precision,
            "dates": [d.to_dict() for d in self.dates],
            "actors": [a.to_dict() for a in self.actors],
        }


@dataclass(frozen=True)
class Token:
    """A token as the index sees it: the index ``term``, its position ``pos``, and the
    ``word`` it comes from, ``text[start:end]``."""

    term: str
    pos: int
    start: int
    end: int
    word: str

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.term, "pos": self.pos, "start": self.start, "end": self.end, "word": self.word}
