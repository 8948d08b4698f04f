"""Word order as a ranking signal: how much of a query appears in an article in the
query's own order, and the rescoring of a ranking's first candidates with it.

What it is for: a pasted passage ("12 words copied from an article") must find the
article it came from first. BM25 and the vector side see a bag of words, so common
words spread over many articles can outscore the one article that has them in that
order. This module scores each of the first candidates by the share of the query's
adjacent word pairs that stand side by side, in that order, in the article (a phrase
match with a slop of 0 per pair: the pattern of Lucene's sloppy phrase rescoring,
where "most of the passage in order" still counts), and lifts the candidates holding
most of the pairs (``MIN_SHARE``) by ``LIFT`` spreads of the scores being rescored, in
proportion: an article holding the whole passage goes to the top, one holding a few
common pairs ("de la", or "carte d'identité" in a question) does not move.

What it must not do: read an index or decide which candidates are rescored (the
engines pass the texts of their first ``depth(words)``, and of the matches below them
that hold every word of the query: ``rank.passage_candidates``), or change which
articles match: it reorders the rescored candidates only, all of them still above the
rest.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Mapping, Sequence

from searchkit.text.normalize import fold, normalize_apostrophes
from searchkit.vocab import OPERATORS

__all__ = ["MIN_WORDS", "RESCORE_DEPTH", "article_text", "depth", "order_scores", "query_words", "rescore"]

# Queries of fewer words are left as ranked: the keywords users type (1-3 words, most
# queries) have little order that BM25 has not seen (all the words present), and
# rescoring costs them the reading of the candidates' text (a three-word query: 30
# articles, +4 ms on 36k articles, against a 6 ms search). Pasted passages and
# questions are longer.
MIN_WORDS = 4
# How many of a ranking's first candidates are rescored: ten per query word, at most
# RESCORE_DEPTH. It depends on the query alone, so that the first page never depends on
# the page size (a deeper candidate keeps its place below all of these). A long pasted
# passage needs depth (bench/passages.py: with 50, 292 of 300 passages found their
# source first in lexical mode, some sources of stop-word-heavy passages ranking 50-100;
# with 100, 297); a three-word query's word order moves its first hits, not its 90th.
PER_WORD = 10
RESCORE_DEPTH = 100
# The lift of an article holding every pair, in spreads of the rescored scores: above 1,
# so that it passes the first candidate even when that one holds some pairs (a third
# of them: 2/9 of a spread) -- the last of the rescored candidates then goes first.
LIFT = 2.0
# The share of the query's pairs an article must hold in order to be lifted at all. Below
# it, pairs are the words' business: on the PIAF dev questions every lift of a partial
# holder cost hybrid ranking (MRR@10, spf: 0.944 without word order, 0.904 lifting any
# share, 0.932 from 0.5, 0.942 from 0.7, 0.944 from 0.85); pasted passages lose nothing
# (bench/passages.py: 299 and 298 of 300 first from 0.7 and from 0.85).
MIN_SHARE = 0.85

_WORD = re.compile(r"\w+")
# A field part of a query (``person:Biden``, ``titre:(…)``) or query syntax: such a
# query is not a pasted passage, and its words are not in the article in that order.
_SYNTAX = re.compile(r"\w+:|[\"()*?~^]")


def query_words(text: str) -> tuple[str, ...]:
    """The words of a free-text query, lowercased and folded, in order; empty when the
    query uses field parts or operators, or has fewer than ``MIN_WORDS`` words."""
    if _SYNTAX.search(text):
        return ()
    raw = _WORD.findall(normalize_apostrophes(text))
    if any(w in OPERATORS for w in raw):
        return ()
    words = tuple(fold(w.lower()) for w in raw)
    return words if len(words) >= MIN_WORDS else ()


def article_text(fields: Mapping[str, Any]) -> str:
    """The title and body of an article's stored fields, the text word order is scored on."""
    return f"{fields.get('title') or ''}\n{fields.get('body') or ''}"


def depth(words: Sequence[str]) -> int:
    """How many first candidates a query of ``words`` has rescored (0: none)."""
    return min(RESCORE_DEPTH, PER_WORD * len(words)) if words else 0


# Each folded letter of a query word, as the letters it stands for in running text.
_VARIANTS = {"a": "aàâäáãå", "c": "cç", "e": "eéèêë", "i": "iîïíì", "n": "nñ", "o": "oôöóòõ", "u": "uùûüú", "y": "yÿý"}
_GAP = re.compile(r"\W*")  # what may stand between two adjacent words


def _pattern(word: str) -> str:
    out, i = [], 0
    while i < len(word):
        two = word[i : i + 2]
        if two in ("oe", "ae"):  # œ, æ folded
            out.append(f"(?:{two}|{'œ' if two == 'oe' else 'æ'})")
            i += 2
            continue
        ch = word[i]
        out.append(f"[{_VARIANTS[ch]}]" if ch in _VARIANTS else re.escape(ch))
        i += 1
    return "".join(out)


@lru_cache(maxsize=256)
def _finder(words: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern finding every query word in raw text, whatever its case and accents:
    an article is scanned once, in C, without being folded or split into words."""
    alternatives = sorted(set(words), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(_pattern(w) for w in alternatives) + r")(?!\w)", re.IGNORECASE)


def order_scores(words: Sequence[str], text: str) -> float:
    """The share (0..1) of the adjacent pairs of ``words`` that appear side by side,
    in that order, in ``text``.

    >>> order_scores(("tirs", "de", "roquettes"), "Des tirs de roquettes visaient l'ambassade")
    1.0
    >>> order_scores(("roquettes", "de", "tirs"), "Des tirs de roquettes visaient l'ambassade")
    0.0
    """
    pairs = list(zip(words, words[1:]))
    if not pairs:
        return 0.0
    found: set[tuple[str, str]] = set()
    previous, end = "", -1
    for m in _finder(tuple(words)).finditer(text):
        word = fold(m.group().lower())
        if previous and _GAP.fullmatch(text, end, m.start()):
            found.add((previous, word))
        previous, end = word, m.end()
    return sum(1 for p in pairs if p in found) / len(pairs)


def _strength(share: float) -> float:
    """How much of the lift an order score earns: nothing below ``MIN_SHARE`` (a few
    common pairs, "carte d'identité" in a question, say, are the words' business, not
    evidence of the passage), rising to all of it for the whole query in order."""
    return max(0.0, (share - MIN_SHARE) / (1.0 - MIN_SHARE)) if share < 1.0 else 1.0


def rescore(ranked: Sequence[tuple[int, float]], texts: Sequence[str], words: Sequence[str],
            extra: Sequence[int] = (), extra_texts: Sequence[str] = ()) -> list[tuple[int, float]]:
    """``ranked`` (best first, as (document, score)) with each of the first
    ``len(texts)`` (``depth(words)``, as the engines pass them) lifted by its order score squared times ``LIFT`` spreads of their
    scores, and re-sorted; the rest keep their place after them.

    An article holding the whole query in order goes first from anywhere among the
    rescored, whereas a candidate holding a third of the pairs gains 2/9 of a spread.

    ``extra`` (with their ``extra_texts``): matches ranked below the rescored ones that
    hold every word of the query (``passage_candidates`` in search/rank.py). Those that
    earn a lift are rescored as if each were the last of the rescored candidates (the
    lowest of their scores), and leave their place below; the others keep it."""
    head = list(ranked[: len(texts)])
    if len(head) < 2 or not words:
        return list(ranked)
    scores = [s for _, s in head]
    spread = (max(scores) - min(scores)) or abs(max(scores)) or 1.0
    lifted = [(d, s + LIFT * spread * _strength(order_scores(words, t)) ** 2) for (d, s), t in zip(head, texts)]
    floor = min(scores)
    for d, t in zip(extra, extra_texts):
        strength = _strength(order_scores(words, t))
        if strength > 0:
            lifted.append((d, floor + LIFT * spread * strength ** 2))
    moved = {d for d, _ in lifted[len(head):]}
    lifted.sort(key=lambda ds: -ds[1])  # stable: ties keep the ranking's order
    # Everything below the rescored head stays below it, in its own order.
    return lifted + [ds for ds in ranked[len(texts):] if ds[0] not in moved]
