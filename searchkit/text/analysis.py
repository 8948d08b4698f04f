"""French text analysis shared by indexing and querying.

Two Whoosh analyzers, each a chain of small module-level filters (Whoosh pickles
the schema, so every piece must be importable by name):

* ``french_analyzer()`` for the ranked fields: apostrophes normalised, words split
  on hyphens, elision, lowercase, French stop words, Snowball stemming, then accent
  and ligature folding. Each word yields the folded stem of the word *as written*
  and, when it differs, the stem of the word *with its accents removed*, at the same
  position: "sécurité" gives ``secur`` and ``securit``. A query typed without
  accents ("securite" -> ``securit``) therefore meets the document's second term,
  while stems of accented words stay the good ones (Snowball reads accents).
* ``exact_analyzer()`` for the unstemmed fields: the same tokens folded but not
  stemmed and without stop-word removal, for exact phrases, fuzzy terms, wildcards
  and spelling suggestions.

Pure functions over strings; this module never touches an index.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

from whoosh.analysis import Composable, Filter, LowercaseFilter, Token, Tokenizer

from searchkit.text.normalize import (
    APOSTROPHES, ELISION_ARTICLES, ELISION_EXCEPTIONS, fold, normalize_apostrophes, strip_elision,
)
# The whoosh-free half (stop words, word pattern, stems), re-exported: see terms.py.
from searchkit.text.terms import FOLDED_STOP_WORDS, STOP_WORDS, WORD, stem_forms, word_terms  # noqa: F401

__all__ = [
    "ANALYZER_VERSION",
    "APOSTROPHES",
    "ELISION_ARTICLES",
    "ELISION_EXCEPTIONS",
    "STOP_WORDS",
    "WORD",
    "analyze",
    "exact_analyzer",
    "fold",
    "french_analyzer",
    "index_positions",
    "normalize_apostrophes",
    "strip_elision",
    "word_terms",
]

# Bump when the tokens produced for the same text change: an index built with a
# different version is refused rather than silently searched with other terms.
ANALYZER_VERSION = 1



class FrenchTokenizer(Tokenizer):
    """Words of letters and digits, apostrophes normalised and kept inside words.

    >>> [t.text for t in FrenchTokenizer()("L’État-major d'Irak")]
    ["L'État", 'major', "d'Irak"]
    """

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        text = normalize_apostrophes(value)
        if not tokenize:
            t.original = t.text = text
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(text)
            yield t
            return
        for pos, match in enumerate(WORD.finditer(text)):
            t.text = match.group(0)
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = t.text
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + match.start()
                t.endchar = start_char + match.end()
            yield t


class ElisionFilter(Filter):
    """Strip elided articles (l' d' qu' jusqu' ...) in any case, except in fixed words.

    >>> [t.text for t in ElisionFilter()(FrenchTokenizer()("L'avion QU'IL aujourd'hui"))]
    ['avion', 'IL', "aujourd'hui"]
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            text = strip_elision(t.text)
            if t.chars:
                t.startchar += len(t.text) - len(text)
            t.text = text
            yield t


class FrenchStopFilter(Filter):
    """Drop (or, in ``removestops=False`` mode, mark) French stop words.

    >>> [t.text for t in FrenchStopFilter()(LowercaseFilter()(FrenchTokenizer()("Les chats et etaient sûr")))]
    ['chats', 'sûr']
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            text = t.text
            is_stop = text in STOP_WORDS or (text.isascii() and text in FOLDED_STOP_WORDS)
            if not is_stop:
                yield t
            elif not t.removestops:
                t.stopped = True
                yield t




class StemFoldFilter(Filter):
    """Snowball French stem, then fold; a second term at the same position for the
    unaccented spelling when its stem differs (see module docstring).

    >>> [t.text for t in StemFoldFilter()(iter([Token(text="hostilités")]))]
    ['hostil', 'hostilit']
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if t.stopped:
                yield t
                continue
            for form in stem_forms(t.text):
                t.text = form
                yield t


class FoldFilter(Filter):
    """Fold accents and ligatures (œ -> oe, æ -> ae) without stemming.

    >>> [t.text for t in FoldFilter()(iter([Token(text="œuvre")]))]
    ['oeuvre']
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = fold(t.text)
            yield t


def french_analyzer() -> Composable:
    """The analyzer of the ranked (stemmed) fields."""
    return FrenchTokenizer() | ElisionFilter() | LowercaseFilter() | FrenchStopFilter() | StemFoldFilter()


def exact_analyzer() -> Composable:
    """The analyzer of the unstemmed fields: phrases, fuzzy terms, spelling."""
    return FrenchTokenizer() | ElisionFilter() | LowercaseFilter() | FoldFilter()




def index_positions(text: str) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Each index term of ``text`` with its word positions, for the ranked analyzer and
    for the exact one, in one pass: what the analyzers yield, grouped by term, without
    a ``Token``.

    >>> index_positions("Les roquettes, les roquettes")
    ({'roquet': [1, 3]}, {'les': [0, 2], 'roquettes': [1, 3]})
    """
    ranked: dict[str, list[int]] = {}
    exact: dict[str, list[int]] = {}
    for pos, word in enumerate(WORD.findall(normalize_apostrophes(text))):
        stems, folded = word_terms(word)
        for term in stems:
            found = ranked.get(term)
            if found is None:
                ranked[term] = [pos]
            elif found[-1] != pos:  # two stems of one word may fold alike
                found.append(pos)
        found = exact.get(folded)
        if found is None:
            exact[folded] = [pos]
        else:
            found.append(pos)
    return ranked, exact


_FRENCH = french_analyzer()
_EXACT = exact_analyzer()


def analyze(text: str, exact: bool = False) -> list[dict[str, Any]]:
    """Tokens of ``text`` as the index sees them: term, position and character span.

    >>> [d["term"] for d in analyze("L’aéroport des États-Unis")]
    ['aeroport', 'etat', 'unis']
    """
    analyzer = _EXACT if exact else _FRENCH
    return [
        {"term": t.text, "pos": t.pos, "start": t.startchar, "end": t.endchar, "word": text[t.startchar : t.endchar]}
        for t in analyzer(text, positions=True, chars=True)
    ]
