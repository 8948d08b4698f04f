"""French text normalisation: the one copy of the apostrophe signs, accent folding
and elision, shared by the analyzers, actor names, dates and completion.

Each function maps text to text and keeps what callers rely on: ``normalize_apostrophes``
keeps the length (character offsets hold), ``fold`` keeps ``'``. Nothing here imports
Whoosh, spaCy or the index, so any module may use it.
"""
from __future__ import annotations

import re
from functools import lru_cache

from unidecode import unidecode

__all__ = [
    "APOSTROPHES", "APOSTROPHE_CLASS", "ELISION_ARTICLES", "ELISION_EXCEPTIONS", "ELISION_PREFIX", "fold", "fold_chars",
    "normalize_apostrophes", "strip_elision",
]

# The signs typed for an apostrophe in French text besides ASCII ': ’ ʼ ‘ ` ´ ′. Changing
# this set changes the index's tokens: bump analysis.ANALYZER_VERSION with it.
APOSTROPHES = "\u2019\u02bc\u2018\u0060\u00b4\u2032"
_APOS_RE = re.compile("[" + re.escape(APOSTROPHES) + "]")
# A regex character class matching ASCII ' and every one of APOSTROPHES.
APOSTROPHE_CLASS = "['" + re.escape(APOSTROPHES) + "]"

# Lucene FrenchAnalyzer.DEFAULT_ARTICLES.
ELISION_ARTICLES = frozenset(
    "l m t qu n s j d c jusqu quoiqu lorsqu puisqu".split()
)
# An elided article opening a word before a letter ("l'État", "Jusqu'au"), any case, after
# normalize_apostrophes: match.end() is where the word itself starts.
ELISION_PREFIX = re.compile(
    r"^(?:" + "|".join(sorted(ELISION_ARTICLES, key=len, reverse=True)) + r")'(?=\w)", re.IGNORECASE
)
# Words whose apostrophe is part of the word, not an elision.
ELISION_EXCEPTIONS = frozenset(
    [
        "aujourd'hui",
        "quelqu'un",
        "quelqu'une",
        "quelqu'uns",
        "quelqu'unes",
        "presqu'île",
        "presqu'îles",
        "prud'homme",
        "prud'hommes",
        "prud'homal",
        "prud'homale",
        "prud'homales",
        "prud'homaux",
        "entr'acte",
        "entr'actes",
    ]
)


def normalize_apostrophes(text: str) -> str:
    """Map typographic apostrophes to ASCII ``'`` (one character for one: offsets hold).

    >>> normalize_apostrophes("l’aéroport")
    "l'aéroport"
    """
    # str.translate looks every character up in a dict (0.4 ms for an article);
    # a regex substitution scans in C and usually finds nothing to replace.
    return _APOS_RE.sub("'", text)


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Remove accents and expand ligatures (œ -> oe, æ -> ae); keeps ``'``.

    >>> fold("œuvre"), fold("Téhéran")
    ('oeuvre', 'Teheran')
    """
    if word.isascii():
        return word
    return unidecode(word)


def fold_chars(text: str) -> str:
    """``text`` lowercased and folded one character for one, so that offsets found in it
    hold for ``text``: a character whose fold is one letter becomes it ("É" -> "e",
    "ø" -> "o"), one that folds to more ("œ" -> "oe") stays as it is.

    >>> fold_chars("Œuvre d'Éloïse")
    "œuvre d'eloise"
    """
    if text.isascii():
        return text.lower()
    return "".join(_fold_char(ch) for ch in text)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    folded = fold(ch).lower()
    if len(folded) == 1:
        return folded
    lower = ch.lower()
    return lower if len(lower) == 1 else ch


def strip_elision(text: str) -> str:
    """``text`` without its elided articles (any case), fixed words kept whole.

    >>> strip_elision("QU'L'avion"), strip_elision("aujourd'hui")
    ('avion', "aujourd'hui")
    """
    while "'" in text:
        if text.lower() in ELISION_EXCEPTIONS:
            break
        head, _, rest = text.partition("'")
        if head.lower() not in ELISION_ARTICLES or not rest:
            break
        text = rest
    return text
