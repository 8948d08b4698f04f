"""Fusing a lexical and a semantic ranking into one: numpy over document numbers.

What it is for: given the lexical scores of the articles a query matched and the
cosine similarities of every article's passage vector with the query vector,
return the fused scores of the articles the words matched, for the ``hybrid`` mode,
the articles found by meaning alone that clear the related-article threshold
(``related``), and the nearest articles for the ``semantic`` mode. Three fusions are
implemented and were measured with bench/ranking.py (BENCHMARKS.md, "Fusion"): each
ranking's top 100 scores standardised (minus the 100th, over their standard deviation)
and summed, the default; min-max scaling of the same scores; reciprocal rank fusion.
Standardising keeps what min-max throws away, how far a ranking's best matches stand
out from the rest, so a confident ranking is not flattened to the same 0..1 as a
hesitant one.

The words decide what a hybrid search matches, meaning only the order: an article the
words do not match is never a hit (it would count in ``total``, facets, timelines and
exports without containing the words); it can only be offered apart, as related.

What it must not do: compute vectors, read an index or know about Whoosh: the engine
hands it arrays and gets arrays back.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

__all__ = ["FusionParams", "fuse", "is_english", "related", "semantic_top", "top_by_score"]


@dataclass(frozen=True)
class FusionParams:
    """How the two rankings combine. ``depth``: how many of each ranking take part;
    ``method``: "zscore" (each ranking's top ``depth`` scores, minus the lowest of them,
    over their standard deviation, then summed, the vector side times the weight),
    "minmax" (the same scores scaled to 0..1) or "rrf" (reciprocal rank fusion with
    offset ``k``). ``long_query``: past this many words the vector side's weight shrinks
    in proportion (20 words: weight/2 at 40), because e5 was trained on short queries and
    a long query gives BM25 more evidence (on 30-word news abstracts e5 alone ranks 0.10
    MRR below lexical search, on questions and titles it ranks level or above); 0 keeps
    the weight whatever the length. The choice of these values is in BENCHMARKS.md.

    ``depth`` is fixed whatever the page asked for, so that the first page of a search
    is the same with ``limit=10`` as with ``limit=1000``. ``related_below``: the words
    matching fewer articles than this (a page), articles found by meaning alone are
    offered apart (``related``), at most ``related_below`` of them, only those whose
    cosine with the query is at least ``related_cosine`` (``related_cosine_english`` for
    a query in English: e5's cosines across languages sit in a lower band) and whose
    text has at least ``related_min_words`` words (a near-empty page is close to every
    query). The thresholds are the best cosine of the highest off-topic question plus a
    hair, measured in BENCHMARKS.md ("Related by meaning")."""

    depth: int = 100
    k: float = 60.0
    semantic_weight: float = 1.0
    method: str = "zscore"
    long_query: int = 20
    related_below: int = 10
    related_cosine: float = 0.88
    related_cosine_english: float = 0.83
    related_min_words: int = 20

    def related_threshold(self, text: str) -> float:
        """The cosine an article found by meaning alone must reach for ``text``."""
        return self.related_cosine_english if is_english(text) else self.related_cosine

    def weight(self, words: int) -> float:
        """The vector side's weight for a query of ``words`` words."""
        if self.long_query and words > self.long_query:
            return self.semantic_weight * self.long_query / words
        return self.semantic_weight


# English function words that are not French words: a query with more of them than of
# French stop words is read as English (for the related-article threshold only).
_ENGLISH = frozenset(
    "the of and to is are was were what how who whom which where when why do does did can could should would "
    "my your his her their our this that these those with from for at by an be been being it its you we they "
    "have has had not will about after before into than there any some".split()
)
_FRENCH = frozenset(
    "le la les de des du un une et est sont que qui quoi comment quel quelle quels quelles où pour par dans sur "
    "avec au aux ce cette ces mon ma mes son sa ses leur il elle ils elles je nous vous pas ne en se".split()
)


def is_english(text: str) -> bool:
    """Whether ``text`` reads as English rather than French: more English function
    words than French ones (``"rocket attack on the embassy"``), at least one."""
    words = [w.lower() for w in re.findall(r"[^\W\d_]+", text)]
    english = sum(1 for w in words if w in _ENGLISH)
    return english > 0 and english > sum(1 for w in words if w in _FRENCH)


def top_by_score(mask: np.ndarray, scores: np.ndarray, n: int) -> np.ndarray:
    """Document numbers of the ``n`` best scores among ``mask``, best first (ties by docnum)."""
    cand = np.flatnonzero(mask)
    if not len(cand) or n <= 0:
        return cand[:0]
    s = scores[cand]
    if len(cand) > n:
        # Keep every candidate tied with the n-th score, so that ties go by docnum
        # whatever ``n`` is: the first page must not depend on the page size.
        kth = np.partition(-s, n - 1)[n - 1]
        keep = -s <= kth
        cand, s = cand[keep], s[keep]
    return cand[np.lexsort((cand, -s))][:n]


def semantic_top(similarity: np.ndarray, allowed: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` articles most similar to the query among ``allowed`` (live and
    passing the filters), best first. Articles without a vector have -inf."""
    return top_by_score(allowed & np.isfinite(similarity), similarity, n)


def fuse(
    lexical_mask: np.ndarray,
    lexical_scores: np.ndarray,
    similarity: np.ndarray,
    allowed: np.ndarray,
    params: FusionParams = FusionParams(),
    words: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """(match mask, fused scores) for hybrid search of a ``words``-word query.

    Matches: exactly the articles the words matched within ``allowed`` (live articles
    that pass the filters). Scores: the fusion of the two top-``depth`` rankings (the
    vector side's top is over every allowed article, so a match the words rank low but
    meaning ranks high rises); a match in neither top keeps a small score below every
    fused one, in its lexical order.
    """
    size = len(lexical_scores)
    lex_mask = lexical_mask & allowed
    lex_top = top_by_score(lex_mask, lexical_scores, params.depth)
    sem_top = semantic_top(similarity, allowed, params.depth)
    weight = params.weight(words)
    fused = np.zeros(size, dtype=np.float64)
    if params.method == "zscore":
        # Fewer lexical matches than ``depth``: the rest of that top are articles the
        # words score 0, so a lone match of a rare name stands out as it should (alone,
        # its spread would be 0). Cosines have no such floor: the vector side is not padded.
        _add_zscore(fused, lex_top, lexical_scores, 1.0, pad_to=params.depth)
        _add_zscore(fused, sem_top, similarity, weight)
    elif params.method == "minmax":
        _add_minmax(fused, lex_top, lexical_scores, 1.0)
        _add_minmax(fused, sem_top, similarity, weight)
    else:
        fused[lex_top] += 1.0 / (params.k + np.arange(1, len(lex_top) + 1))
        fused[sem_top] += weight / (params.k + np.arange(1, len(sem_top) + 1))
    mask = lex_mask
    # Matches in neither top: after every fused match, in lexical order.
    rest = lex_mask.copy()
    rest[lex_top] = False
    rest[sem_top] = False
    if rest.any():
        floor = fused[mask & ~rest].min() if (mask & ~rest).any() else 0.0
        lex = lexical_scores[rest]
        top = float(lex.max()) or 1.0
        # Strictly below the lowest fused candidate (both normalisations give that one 0).
        fused[rest] = min(floor, 0.0) - 1.0 + 0.5 * (lex / top)
    return mask, fused


def related(similarity: np.ndarray, allowed: np.ndarray, excluded: np.ndarray, matched: int,
            params: FusionParams = FusionParams(), threshold: float | None = None) -> np.ndarray:
    """Document numbers of the articles found by meaning alone, most similar first:
    allowed, not ``excluded`` (the words' matches and their copies), cosine at least
    ``threshold`` (default ``params.related_cosine``); none when the words ``matched`` a page
    (``params.related_below``) or more. The caller cuts the list (after collapsing
    near-duplicates)."""
    if matched >= params.related_below:
        return np.zeros(0, dtype=np.int64)
    pool = allowed & ~excluded & (similarity >= (params.related_cosine if threshold is None else threshold))
    return top_by_score(pool, similarity, int(np.count_nonzero(pool)))


def _add_minmax(fused: np.ndarray, docs: np.ndarray, scores: np.ndarray, weight: float) -> None:
    if not len(docs):
        return
    s = scores[docs].astype(np.float64)
    lo, hi = float(s.min()), float(s.max())
    fused[docs] += weight * ((s - lo) / (hi - lo) if hi > lo else np.ones_like(s))


def _add_zscore(fused: np.ndarray, docs: np.ndarray, scores: np.ndarray, weight: float, pad_to: int = 0) -> None:
    """Standardise over the top, counting ``pad_to - len(docs)`` more scores of 0."""
    # Minus the lowest rather than the mean: an article outside this ranking's top
    # gets 0 from it, as the lowest of the top does (the mean would give it a negative).
    if not len(docs):
        return
    s = scores[docs].astype(np.float64)
    top = np.concatenate([s, np.zeros(pad_to - len(s))]) if pad_to > len(s) else s
    spread = float(top.std())
    fused[docs] += weight * ((s - top.min()) / spread if spread > 0 else np.ones_like(s))
