"""The parts of an article that NER must read: the words around capitalised words.

Why: NER is most of the indexing time (spaCy's French pipeline, ~25 ms of CPU per news
article here), and most of an article is text no actor can come from. The actors we
keep are people, organisations and places, and the rule layer drops entities that do
not start with a capital. spaCy's model only looks near a word: its token encoder is
four convolution layers of one word each side, and the entity parser's features are a
few tokens around its position. So the model is run on a *view* of the text: every
window of ``CONTEXT_WORDS`` words either side of a capitalised word (that is not a
capitalised stop word such as "Le" or "Il"), windows that touch merged, the rest left
out, the pieces joined by blank lines. Entities found in the view are mapped back to
the text's own offsets.

Measured on 1,200 OrangeSum articles (two slices of 600; bench/ner_view.py, report in
bench/reports/ner_view.md): the view keeps 71% of the characters and NER takes 0.73 of
its whole-text CPU (0.70 in a second run); after the rule layer 12 of 21,642 actor
mentions differ, all lost, all non-actors ("chutes de grêle", "T-shirt", "S tronic");
none gained. With 8 or 10 words each side wrong actors appear and, at 8, real
organisations with long names are lost; 16 keeps 80% of the text.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from searchkit.text.analysis import STOP_WORDS

__all__ = ["CONTEXT_WORDS", "NerView", "ner_view"]

# Words kept either side of a capitalised word; see the measurements above.
CONTEXT_WORDS = 12
SEPARATOR = "\n\n"
# Finer than spaCy's tokens (l' and al-Sadr are two and three words here), so a window
# of N of these words never holds more than N of spaCy's.
_WORD = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class NerView:
    """A text's view for NER and the map back: piece i of the view starts at
    ``view_starts[i]`` and is the text from ``text_starts[i]``, ``lengths[i]`` long."""

    text: str
    view_starts: tuple[int, ...]
    text_starts: tuple[int, ...]
    lengths: tuple[int, ...]

    @classmethod
    def whole(cls, text: str) -> NerView:
        """The view that is the text itself (what NER read before views; tests and
        bench/ner_view.py compare against it)."""
        return cls(text, (0,), (0,), (len(text),))

    def to_text(self, start: int, end: int) -> tuple[int, int] | None:
        """Offsets in the view -> offsets in the text; None for a span across two pieces."""
        i = bisect_right(self.view_starts, start) - 1
        if i < 0 or end > self.view_starts[i] + self.lengths[i]:
            return None
        shift = self.text_starts[i] - self.view_starts[i]
        return start + shift, end + shift


def _is_cue(word: str) -> bool:
    return word[0].isupper() and word.lower() not in STOP_WORDS


def ner_view(text: str, context: int = CONTEXT_WORDS) -> NerView:
    """The view of ``text`` (see the module docstring); the text itself when nothing
    would be left out.

    >>> v = ner_view("il pleut " * 20 + "à Bagdad, dit-il " + "et il pleut " * 20, context=2)
    >>> v.text
    'pleut à Bagdad, dit'
    >>> v.to_text(8, 14)
    (182, 188)
    """
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    ranges: list[list[int]] = []
    for i, (start, end) in enumerate(words):
        if not _is_cue(text[start:end]):
            continue
        first, last = max(0, i - context), min(len(words) - 1, i + context)
        if ranges and first <= ranges[-1][1] + 1:
            ranges[-1][1] = last
        else:
            ranges.append([first, last])
    pieces = [(words[a][0], words[b][1]) for a, b in ranges]
    if len(pieces) == 1 and pieces[0] == (words[0][0], words[-1][1]):
        return NerView.whole(text)  # everything kept: NER reads the text as it is
    view_starts, parts, at = [], [], 0
    for start, end in pieces:
        view_starts.append(at)
        parts.append(text[start:end])
        at += end - start + len(SEPARATOR)
    return NerView(
        SEPARATOR.join(parts),
        tuple(view_starts),
        tuple(s for s, _ in pieces),
        tuple(e - s for s, e in pieces),
    )
