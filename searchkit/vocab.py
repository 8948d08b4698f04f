"""The words of searchkit's query language and data model, in one place.

Field names, the French and English names users type for them, facet fields, sort
orders, search modes and operators. Every other module (schema, query parsing,
the CLI, the REPL, backends) takes them from here, so the copies cannot drift.

What it must not do: import anything but the standard library. A backend, the
REPL's completer and a one-shot command all read it, and none should pay for
Whoosh or spaCy to know a field name.
"""
from __future__ import annotations

import unicodedata
from typing import Any, Iterable, Mapping

__all__ = [
    "ACTOR_FIELDS",
    "ACTOR_KINDS",
    "BINARY_OPERATORS",
    "DATE_FIELDS",
    "FACET_FIELDS",
    "FACET_TOP",
    "FIELD_ALIASES",
    "FIELDS_HINT",
    "MAX_QUERY_CHARS",
    "MODES",
    "NOT_OPERATORS",
    "OPERATORS",
    "SORTS",
    "TEXT_FIELDS",
    "UNDATED",
    "canonical_field",
    "clean_filters",
]

# Ranked text fields; each has an unstemmed twin named FIELD + "_exact".
TEXT_FIELDS = ("title", "body")
ACTOR_KINDS = ("person", "org", "place")
ACTOR_FIELDS = ("actor", *ACTOR_KINDS)
DATE_FIELDS = ("published", "mentioned")
FACET_FIELDS = ACTOR_FIELDS + DATE_FIELDS
# Values per facet field in a search's results (the most frequent); ask
# SearchKit.facets(top=None) for all of them.
FACET_TOP = 20
# The date facet's bucket for articles with no publication date: counted, never dropped.
UNDATED = "undated"

SORTS = ("relevance", "date")
# lexical: words (BM25F); semantic: passage vectors; hybrid: both rankings fused.
MODES = ("hybrid", "lexical", "semantic")

# French and English names users may type before a colon.
FIELD_ALIASES: dict[str, str] = {
    "title": "title", "titre": "title",
    "body": "body", "texte": "body", "text": "body", "corps": "body",
    "actor": "actor", "acteur": "actor", "actors": "actor", "acteurs": "actor",
    "person": "person", "personne": "person", "people": "person", "personnes": "person",
    "org": "org", "organisation": "org", "organization": "org", "orga": "org",
    "place": "place", "lieu": "place", "lieux": "place", "loc": "place",
    "published": "published", "date": "published", "publie": "published",
    "mentioned": "mentioned", "mentionne": "mentioned", "mention": "mentioned",
    "id": "id",
}
FIELDS_HINT = "known fields: titre, texte, personne, org, lieu, acteur, date, mentionne"

# Operators: English and French spellings. NOT/SAUF need a word after them only.
BINARY_OPERATORS = frozenset({"AND", "OR", "ET", "OU", "ANDNOT", "ANDMAYBE"})
NOT_OPERATORS = frozenset({"NOT", "SAUF"})
OPERATORS = BINARY_OPERATORS | NOT_OPERATORS

# Longer queries are pasted documents, not questions: each unknown word costs a
# spelling lookup, so a 10,000-character query took 15 s on a 3,000-article index.
MAX_QUERY_CHARS = 1000


def _strip_accents(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")


def canonical_field(name: str) -> str | None:
    """The schema name of a field as typed ("Personne", "publié") or None.

    >>> canonical_field("Publié"), canonical_field("lieu"), canonical_field("Note")
    ('published', 'place', None)
    """
    lower = name.lower()
    return FIELD_ALIASES.get(lower) or FIELD_ALIASES.get(_strip_accents(lower))


def clean_filters(filters: Mapping[str, Iterable[Any]] | None) -> dict[str, list[str]]:
    """Filters (facet -> values) as every search, count and saved search takes them:
    each value as a string, facets given no value left out.

    >>> clean_filters({"published": [2020], "person": []}), clean_filters(None)
    ({'published': ['2020']}, {})
    """
    return {k: [str(v) for v in vs] for k, vs in (filters or {}).items() if vs}
