"""Word order as a ranking signal: how much of a query appears in an article in the
query's own order, and the rescoring of a ranking's first candidates with it.

What it is for: a pasted passage ("12 words copied from an article") must find the
article it came from first. BM25 and the vector side see a bag of words, so common
words spread over many articles can outscore the one article that has them in that
order. This module scores each of the first candidates by the share of the query's
adjacent word pairs that stand side by side, in that order, in the article (a phrase
match with a slop of 0 per pair: the pattern of Lucene's sloppy phrase rescoring,
where "most of the passage in order" still counts), and lifts the candidates by that
share, squared, times the spread of the scores being rescored: an article holding the
whole passage goes to the top, one holding a stray "de la" barely moves.

What it must not do: read an index or decide which candidates are rescored (the
engines pass the texts of their first ``RESCORE_DEPTH``), or change which articles
match: it reorders the rescored candidates only, all of them still above the rest.
"""
from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

from searchkit.text.normalize import fold, normalize_apostrophes
from searchkit.vocab import OPERATORS

__all__ = ["MIN_WORDS", "RESCORE_DEPTH", "article_text", "order_scores", "query_words", "rescore"]

# Queries of fewer words are left as ranked: one or two words have no order worth
# scoring that BM25 has not seen (both words present), and short queries are most of
# what users type, so they pay nothing for this.
MIN_WORDS = 3
# How many of a ranking's first candidates are rescored. Fixed, so that the first page
# never depends on the page size (a deeper candidate keeps its place below all of these).
# bench/passages.py: with 50, 292 of 300 pasted passages found their source first
# (lexical), some sources of stop-word-heavy passages ranking 50-100; with 100, 297.
RESCORE_DEPTH = 100
# The lift of an article holding every pair, in spreads of the rescored scores: above 1,
# so that it passes the first candidate even when that one holds some pairs (a third
# of them: 2/9 of a spread) -- the last of the rescored candidates then goes first.
LIFT = 2.0

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


def _pairs(text: str) -> set[tuple[str, str]]:
    words = [fold(w) for w in _WORD.findall(normalize_apostrophes(text).lower())]
    return set(zip(words, words[1:]))


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
    found = _pairs(text)
    return sum(1 for p in pairs if p in found) / len(pairs)


def rescore(ranked: Sequence[tuple[int, float]], texts: Sequence[str], words: Sequence[str]) -> list[tuple[int, float]]:
    """``ranked`` (best first, as (document, score)) with each of the first
    ``len(texts)`` lifted by its order score squared times ``LIFT`` spreads of their
    scores, and re-sorted; the rest keep their place after them.

    An article holding the whole query in order goes first from anywhere among the
    rescored, whereas a candidate holding a third of the pairs gains 2/9 of a spread."""
    head = list(ranked[: len(texts)])
    if len(head) < 2 or not words:
        return list(ranked)
    scores = [s for _, s in head]
    spread = (max(scores) - min(scores)) or abs(max(scores)) or 1.0
    lifted = [(d, s + LIFT * spread * order_scores(words, t) ** 2) for (d, s), t in zip(head, texts)]
    lifted.sort(key=lambda ds: -ds[1])  # stable: ties keep the ranking's order
    # Everything below the rescored head stays below it, in its own order.
    return lifted + list(ranked[len(texts):])
