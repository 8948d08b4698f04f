"""Pure extraction of dates and actors from article text.

``extract_dates`` is a hand-written French date grammar (no model); ``extract_actors``
loads spaCy's French pipeline on first use. Importing this package loads neither:
query-time code may import the types without paying for the model.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from searchkit.extract.types import ActorMention, DateMention

if TYPE_CHECKING:  # pragma: no cover
    import datetime

__all__ = ["ActorMention", "DateMention", "extract_actors", "extract_dates"]


def extract_dates(
    text: str, published: "datetime.date | str | None" = None
) -> list[DateMention]:
    """Dates mentioned in ``text``, partial and relative ones resolved against ``published``."""
    from searchkit.extract.dates import extract_dates as _impl

    return _impl(text, published)


def extract_actors(text: str, **kwargs: Any) -> list[ActorMention]:
    """People, organisations and places in ``text``, each with a canonical name."""
    from searchkit.extract.actors import extract_actors as _impl

    return _impl(text, **kwargs)
