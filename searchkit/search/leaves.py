"""One word, phrase, fuzzy word or wildcard of a query -> its query tree leaf.

What it is for: ``parse.py`` calls these for each text node, with the field it applies
to. Plain words go to the stemmed title/body (each word the best of its index terms at
each position, see text/analysis.py); phrases, fuzzy words and wildcards go to the
unstemmed ``*_exact`` fields; facet fields go to the resolver; ``id`` is a keyword.
The leaves are what the Whoosh-based ``FrenchQueryParser`` made as Whoosh queries, one for
one (tests/support/legacy_qparser.py).

What it must NOT do: import Whoosh or parse syntax.
"""
from __future__ import annotations

import re
from typing import Protocol

from searchkit.errors import QueryError
from searchkit.search.tree import And, FacetTerms, Fuzzy, MatchAll, MatchNone, Node, Phrase, Wildcard, Word
from searchkit.text.normalize import fold, normalize_apostrophes, strip_elision
from searchkit.text.terms import WORD, exact_words, word_terms
from searchkit.vocab import ACTOR_FIELDS, DATE_FIELDS, FIELDS_HINT, TEXT_FIELDS, canonical_field

__all__ = ["FacetResolver", "phrase_leaf", "term_leaf", "word_leaf"]


class FacetResolver(Protocol):
    """Turns a facet value as typed ("Kazimi", "2020-12") into the index's terms."""

    def facet_terms(self, field: str, value: str) -> FacetTerms: ...


def word_leaf(fieldname: str, text: str, boost: float) -> Node | None:
    """One typed word: its terms at each position, ANDed across positions (a hyphenated
    word like "États-Unis" gives two positions). The twin terms of one position (stem as
    written, stem unaccented) are one ``Word``: they combine by maximum, not by sum.
    None for a stop word."""
    positions: list[tuple[str, ...]] = []
    for word in WORD.findall(normalize_apostrophes(text)):
        stems = word_terms(word)[0]
        if stems:
            positions.append(tuple(dict.fromkeys(stems)))
    if not positions:
        return None
    if len(positions) == 1:
        return Word(fieldname, positions[0], boost, text)
    return And(tuple(Word(fieldname, terms, boost) for terms in positions))


def _facet(fieldname: str, text: str, resolver: FacetResolver | None) -> FacetTerms:
    if resolver is None:
        raise QueryError(f"'{fieldname}:' needs an index to resolve", hint="run `searchkit index` first")
    return resolver.facet_terms(fieldname, text)


def term_leaf(fieldname: str, text: str, kind: str, boost: float, resolver: FacetResolver | None,
              maxdist: int = 1, prefixlength: int = 0) -> Node | None:
    """A word (``kind`` "word"), "fuzzy" word, "prefix" or "wildcard" in ``fieldname``."""
    fieldname = canonical_field(fieldname) or fieldname
    if fieldname in ACTOR_FIELDS or fieldname in DATE_FIELDS:
        return _facet(fieldname, text, resolver)
    if fieldname == "id":
        return FacetTerms((("id", text),), boost)
    if fieldname not in TEXT_FIELDS:
        raise QueryError(f"unknown field '{fieldname}:'", hint=FIELDS_HINT)
    if kind == "word":
        return word_leaf(fieldname, text, boost)
    exact = fieldname + "_exact"
    if kind == "fuzzy":
        words = exact_words(text)
        if not words:
            raise QueryError(f"'{text}~' has no word to match approximately", hint="put ~ right after a word, e.g. kadhimi~2")
        return Fuzzy(exact, words[-1], maxdist, prefixlength, boost)
    word = strip_elision(fold(normalize_apostrophes(text).lower()))
    if kind == "wildcard" and word == "*":  # ``titre:*``: Whoosh's Every(field)
        return MatchAll(exact, boost)
    if kind == "prefix":
        return Wildcard(exact, re.sub(r"([\\*?])", r"\\\1", word) + "*", boost)
    return Wildcard(exact, word.replace("\\", "\\\\"), boost)


def phrase_leaf(fieldname: str, text: str, slop: int, boost: float, resolver: FacetResolver | None) -> Node:
    """A quoted phrase (Whoosh's ``slop``: 1 = exact) in ``fieldname``: unstemmed words
    in order; one word is a ``Word`` on the exact field; a facet value goes to the resolver."""
    fieldname = canonical_field(fieldname) or fieldname
    if fieldname in ACTOR_FIELDS or fieldname in DATE_FIELDS:
        return _facet(fieldname, text, resolver)
    if fieldname not in TEXT_FIELDS:
        raise QueryError(f"unknown field '{fieldname}:'", hint=FIELDS_HINT)
    words = exact_words(text)
    if not words:
        return MatchNone()
    if len(words) == 1:
        return Word(fieldname + "_exact", (words[0],), boost)
    return Phrase(fieldname + "_exact", tuple(words), slop - 1, boost)
