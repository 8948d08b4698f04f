""""Did you mean": each unknown word of a query replaced by its nearest indexed word,
from Whoosh's corrector over the exact (unstemmed, folded) body field.

Bounded on purpose: the corrector's edit-distance walk grows with the word, so long
words and long queries are left alone. Never changes field names, values, fuzzy or
wildcard terms, or operators.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Mapping, Sequence

from searchkit.text.normalize import fold
from searchkit.vocab import OPERATORS

__all__ = ["nearest_word", "suggest"]

SUGGEST_MAX_LEN = 30  # longer words get no "did you mean"
SUGGEST_MAX_WORDS = 8  # words looked up in the corrector, per query


def nearest_word(reader: Any, corrector: Any, folded: str) -> str | None:
    """The indexed word nearest the folded word ``folded`` (unstemmed fields, edit
    distance 2 at most), or None when ``folded`` is indexed itself or nothing is near."""
    if reader.doc_frequency("body_exact", folded) or reader.doc_frequency("title_exact", folded):
        return None
    found = corrector.suggest(folded, limit=1, maxdist=2)
    return found[0] if found and found[0] != folded else None


def suggest(text: str, nearest: Callable[[Sequence[str]], Mapping[str, str]]) -> str | None:
    """``text`` with its misspelt words corrected, or None if nothing changed.
    ``nearest``: for folded words, the backend's nearest indexed word of those it
    does not hold (``Backend.suggest``)."""
    words: list[str] = []
    for m in _WORD.finditer(text):
        word = m.group(0)
        # A 339-letter "word" took 5 s. No French word needs correcting past 30 letters.
        if len(word) < 3 or len(word) > SUGGEST_MAX_LEN or word in OPERATORS:
            continue
        folded = fold(word.lower())
        if folded not in words and len(words) < SUGGEST_MAX_WORDS:
            words.append(folded)
    fixes = {w: s for w, s in nearest(words).items() if s != w} if words else {}
    if not fixes:
        return None
    return _WORD.sub(lambda m: fixes.get(fold(m.group(0).lower()), m.group(0)), text)


# Words next to ":", "~" or "*" (field names, field values, fuzzy and wildcard terms)
# are left as typed.
_WORD = re.compile(r"(?<![\w:~*])[^\W\d_]+(?![\w:~*])")
