"""The index terms of a word, without Whoosh: stop words, the tokenizer's word pattern,
stems and folded forms.

What it is for: the query parser (``search/parse.py``), the indexer, the snippets and
the ranking fast path analyse one word at a time with ``word_terms``; the Whoosh
analyzers of ``analysis.py`` are built on the same pieces, so the terms cannot drift.
What it must NOT do: import Whoosh (a parser or backend that never touches a Whoosh
index must not pay for it).
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

from unidecode import unidecode

from searchkit.text.normalize import fold, normalize_apostrophes, strip_elision

__all__ = ["FOLDED_STOP_WORDS", "STOP_WORDS", "WORD", "exact_words", "stem_forms", "word_terms"]


def _load_stop_words() -> frozenset[str]:
    text = resources.files("searchkit").joinpath("data/french_stop.txt").read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip())


# Lucene's 164 Snowball stop words (which, unlike Whoosh's list, include "les").
STOP_WORDS = _load_stop_words()
# Typed without accents, "etre" or "deja" must still be a stop word, but only for
# words typed without any accent: "sûr" must not become the stop word "sur".
FOLDED_STOP_WORDS = frozenset(unidecode(w) for w in STOP_WORDS)

# Letters and digits; apostrophes inside a word are kept so that elision can look
# at the article; hyphens, like every other punctuation, split words. Public: the
# snippet marker must cut words exactly as the tokenizer does.
WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    # Created lazily and never pickled: PyStemmer objects are C objects.
    import Stemmer

    stemmer = Stemmer.Stemmer("french")
    stemmer.maxCacheSize = 50_000
    return stemmer


@lru_cache(maxsize=300_000)
def stem_forms(word: str) -> tuple[str, ...]:
    """The folded index terms of one lowercase word: stem as written, then stem unaccented.

    >>> stem_forms("sécurité"), stem_forms("securite"), stem_forms("roquettes")
    (('secur', 'securit'), ('securit',), ('roquet',))
    """
    stem = _stemmer().stemWord
    as_written = fold(stem(word))
    folded = fold(word)
    if folded == word:
        return (as_written,)
    unaccented = stem(folded)
    if unaccented == as_written:
        return (as_written,)
    return (as_written, unaccented)


@lru_cache(maxsize=300_000)
def word_terms(word: str) -> tuple[tuple[str, ...], str]:
    """The index terms of one tokenizer word: (ranked-field terms, exact-field term).

    The two analyzer chains above, for one word at a time: every filter after the
    tokenizer looks at one word alone, so the indexer (``index_positions``) and the
    snippets (``snippets.match_spans``) analyse each distinct word once, with a cache,
    instead of one Whoosh ``Token`` per filter per occurrence. The ranked terms are
    empty for a stop word.

    >>> word_terms("L'Élysée"), word_terms("les")
    ((('elys', 'elyse'), 'elysee'), ((), 'les'))
    """
    lower = strip_elision(word).lower()
    exact = fold(lower)
    if lower in STOP_WORDS or (lower.isascii() and lower in FOLDED_STOP_WORDS):
        return (), exact
    return stem_forms(lower), exact


def exact_words(text: str) -> list[str]:
    """The unstemmed, folded words of ``text``, in order (the ``*_exact`` fields' terms,
    stop words included)."""
    return [word_terms(w)[1] for w in WORD.findall(normalize_apostrophes(text))]
