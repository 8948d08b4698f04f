"""Value types returned by the extractors (see DESIGN.md, "Library").

Kept in their own module so that the index, the search side and the tests can
use them without importing an extractor (and never the NER model).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

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
