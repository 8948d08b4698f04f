"""Ranking the documents of one snapshot: on the numpy postings when the query allows
(terms with AND, OR, AND NOT, scored with Whoosh's own BM25F), with Whoosh otherwise
(phrases, wildcards, fuzzy terms, sorting by date; ``evaluate`` is that one choice for
every caller that needs the matches and their scores), and by meaning for the
semantic and hybrid modes (vectors: semantic/retrieve.py; fusion: hybrid.py); the
first candidates of a several-word query rescored by word order (proximity.py); the
articles related by meaning alone that hybrid offers apart.

Near-duplicate groups (``dups``) collapse to their best match before the top is cut.
Gives document numbers and scores; never builds hits.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query as Q

from searchkit.search.fastpath import Unsupported
from searchkit.search import proximity
from searchkit.search.hybrid import FusionParams, fuse, related as hybrid_related, semantic_top, top_by_score
from searchkit.search.snapshot import Snapshot
from searchkit.text.analysis import WORD, word_terms
from searchkit.text.normalize import normalize_apostrophes

__all__ = ["Meaning", "allowed_mask", "by_meaning", "evaluate", "fast_rank", "fast_search", "match_scores", "meaning_page", "order",
           "passage_candidates", "related", "reorder", "whoosh_mask", "whoosh_page", "whoosh_search"]


def evaluate(snap: Snapshot, q: Q.Query, fq: Q.Query | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """The one choice between the two evaluators: every live document ``q`` matches
    within ``fq``, with its BM25F score, from the numpy postings when they can evaluate
    the query (terms with AND, OR, AND NOT); else Whoosh's matches and no scores (None:
    Whoosh must rank them: phrases, wildcards, fuzzy terms, or no numpy copy)."""
    fast = snap.fast
    if fast is not None:
        try:
            return fast.evaluate_within(q, fq)
        except Unsupported:
            pass
    return whoosh_mask(snap.searcher, q if fq is None else Q.And([q, fq])), None


def allowed_mask(snap: Snapshot, fq: Q.Query | None) -> np.ndarray:
    """Every live document the filters ``fq`` (None: none) let through."""
    if fq is None:
        fast = snap.fast
        return fast.live.copy() if fast is not None else whoosh_mask(snap.searcher, Q.Every())
    return evaluate(snap, fq)[0]


def fast_search(snap: Snapshot, q: Q.Query, fq: Q.Query | None, k: int, dups: Any = None) -> tuple[np.ndarray, list[tuple[int, float]]] | None:
    """All matches and the ``k`` best with Whoosh's own scores, from the numpy copy of
    the postings; None when the query needs Whoosh. With ``dups``, each near-duplicate
    group is reduced to its best match first."""
    found = fast_rank(snap, q, fq, k, dups)
    return None if found is None else (found[0], found[1])


def fast_rank(snap: Snapshot, q: Q.Query, fq: Q.Query | None, k: int, dups: Any = None) -> tuple[np.ndarray, list[tuple[int, float]], np.ndarray] | None:
    """``fast_search``, with every document's score."""
    fast = snap.fast
    if fast is None:
        return None  # not even Whoosh's mask: the caller's Whoosh search makes it
    try:
        mask, scores = fast.evaluate_within(q, fq)
    except Unsupported:
        return None
    if dups is not None:
        mask = dups.representatives(mask, scores)
    return mask, fast.top(mask, scores, k), scores


def match_scores(snap: Snapshot, q: Q.Query, fq: Q.Query | None) -> tuple[np.ndarray, np.ndarray]:
    """Every match of ``q`` within ``fq`` and its score, as the lexical search ranks
    it: from the numpy postings, or, for what only Whoosh evaluates, every score 0 (as a
    search's counts then score them)."""
    mask, scores = evaluate(snap, q, fq)
    return mask, np.zeros(len(mask)) if scores is None else scores


def whoosh_mask(searcher: Any, q: Q.Query) -> np.ndarray:
    """Every live document ``q`` matches, as a boolean array, evaluated by Whoosh."""
    mask = np.zeros(searcher.doc_count_all(), dtype=bool)
    mask[np.fromiter(searcher.docs_for_query(q), dtype=np.int64)] = True
    return mask


def whoosh_search(snap: Snapshot, q: Q.Query, fq: Q.Query | None, sort: str, want: int, limit: int, dups: Any) -> tuple[np.ndarray, list[tuple[int, float]]]:
    """Every match and the ``want`` first, evaluated and ranked (or sorted by date) by
    Whoosh; with ``dups``, each near-duplicate group counted and shown once."""
    mask = whoosh_mask(snap.searcher, q if fq is None else Q.And([q, fq]))
    if dups is not None:  # counts only: each group through one member
        mask = dups.representatives(mask, np.zeros(len(mask)))
    if not limit or np.count_nonzero(mask) <= want - limit:
        return mask, []
    kwargs: dict[str, Any] = {"limit": want, "filter": fq}
    if sort == "date":
        kwargs.update(sortedby="date_key", reverse=True)
    return mask, whoosh_page(snap.searcher, q, kwargs, want, dups)


def whoosh_page(searcher: Any, q: Q.Query, kwargs: dict[str, Any], want: int, dups: Any) -> list[tuple[int, float]]:
    """The ``want`` best (docnum, score) from Whoosh; with ``dups``, one per
    near-duplicate group, asking Whoosh for more until that many are found."""
    n = want if dups is None else want * 2
    while True:
        results = searcher.search(q, **{**kwargs, "limit": n})
        docs = [(r.docnum, float(r.score or 0.0)) for r in results]
        if dups is None:
            return docs
        kept, _ = dups.collapse([d for d, _ in docs], want)
        if len(kept) >= want or len(docs) < n:
            score = dict(docs)
            return [(d, score[d]) for d in kept]
        n *= 4


@dataclass(frozen=True)
class Meaning:
    """A semantic or hybrid ranking: what matches, the scores that order it, each
    article's cosine with the query, the articles the filters allow, and the scores
    that pick each near-duplicate group's member (hybrid: the lexical ones, so that a
    group shows the same copy as in lexical mode)."""

    mask: np.ndarray
    scores: np.ndarray
    similarity: np.ndarray
    allowed: np.ndarray
    members: np.ndarray


def by_meaning(snap: Snapshot, semantic: Any, fusion: FusionParams, q: Q.Query, fq: Q.Query | None, text: str, mode: str, want: int) -> Meaning:
    """The ranking of the semantic and hybrid modes; filters bound both rankings.
    Hybrid matches what the words match, fused at a fixed depth (the first page does not
    depend on ``want``); semantic matches the ``max(depth, want)`` articles nearest by
    meaning."""
    lex_mask, scored = evaluate(snap, q)
    if scored is None:  # phrases, wildcards...: Whoosh ranks the lexical side
        lex_scores = np.zeros(len(lex_mask))
        members = lex_scores.copy()  # as lexical mode counts what Whoosh evaluates
        for r in snap.searcher.search(q, limit=fusion.depth):
            lex_scores[r.docnum] = float(r.score or 0.0)
    else:
        lex_scores = members = scored
    allowed = allowed_mask(snap, fq)
    similarity = semantic.similarity(text, snap.doc_ids())
    if mode == "semantic":
        mask = np.zeros(len(similarity), dtype=bool)
        mask[semantic_top(similarity, allowed, max(fusion.depth, want))] = True
        return Meaning(mask, similarity.astype(np.float64), similarity, allowed, similarity)
    mask, scores = fuse(lex_mask, lex_scores, similarity, allowed, fusion, len(text.split()))
    return Meaning(mask, scores, similarity, allowed, members)


def meaning_page(snap: Snapshot, semantic: Any, fusion: FusionParams, q: Q.Query, fq: Q.Query | None, text: str, mode: str,
                 sort: str, want: int, collapse: bool) -> tuple[np.ndarray, list[tuple[int, float]], list[tuple[int, float]], np.ndarray]:
    """A semantic or hybrid search: (every match, the ``want`` first as (docnum,
    score), the articles related by meaning alone as (docnum, cosine), hybrid only,
    every document's score)."""
    found = by_meaning(snap, semantic, fusion, q, fq, text, mode, want)
    mask = snap.duplicates.representatives(found.mask, found.members) if collapse else found.mask
    near: list[tuple[int, float]] = []
    if mode == "hybrid" and np.count_nonzero(mask) < fusion.related_below:  # the words match less than a page
        near = related(snap, fusion, collapse, found.mask, found.similarity, found.allowed, text)
    return mask, [(d, float(found.scores[d])) for d in order(snap.searcher, mask, found.scores, sort, want)], near, found.scores


def related(snap: Snapshot, fusion: FusionParams, collapse: bool, matched: np.ndarray, similarity: np.ndarray,
            allowed: np.ndarray, text: str) -> list[tuple[int, float]]:
    """Articles found by meaning alone (docnum, cosine), for a search whose words
    ``matched`` fewer than a page: above the threshold for ``text``'s language, never a
    copy of a match, never a near-empty article; with ``collapse``, one per
    near-duplicate group, as the matches are counted."""
    dups = snap.duplicates
    excluded = dups.with_copies(matched) if collapse else matched
    found = hybrid_related(similarity, allowed, excluded, 0, fusion, fusion.related_threshold(text)).tolist()
    if collapse:
        found, _ = dups.collapse(found, len(found))
    out: list[tuple[int, float]] = []
    for d in found:
        if len(out) == fusion.related_below:
            break
        if len((snap.searcher.stored_fields(d).get("body") or "").split()) >= fusion.related_min_words:
            out.append((int(d), float(similarity[d])))
    return out


def reorder(snap: Snapshot, ranked: list[tuple[int, float]], words: tuple[str, ...], text: str = "",
            mask: np.ndarray | None = None, scores: np.ndarray | None = None) -> list[tuple[int, float]]:
    """``ranked`` with its first ``proximity.depth(words)`` rescored by the order of
    ``words`` (a query of several plain words; empty: unchanged). With the query's
    ``text``, its matches (``mask``) and their ``scores``, the matches below those first
    that hold every word of the query are rescored too (``passage_candidates``)."""
    if not words or len(ranked) < 2:
        return ranked
    head = ranked[: proximity.depth(words)]
    texts = [proximity.article_text(snap.searcher.stored_fields(d)) for d, _ in head]
    extra: list[int] = []
    if text and mask is not None and scores is not None:
        extra = passage_candidates(snap, text, mask, scores, [d for d, _ in head], proximity.depth(words))
    extra_texts = [proximity.article_text(snap.searcher.stored_fields(d)) for d in extra]
    return proximity.rescore(ranked, texts, words, extra, extra_texts)


# Postings of the exact (unstemmed) fields are read by Whoosh, in Python (~5 µs each):
# a word in more articles than this is not read to narrow the candidates below.
PASSAGE_MAX_POSTINGS = 2000


def passage_candidates(snap: Snapshot, text: str, mask: np.ndarray, scores: np.ndarray, head: list[int], budget: int) -> list[int]:
    """The matches outside ``head`` (the rescored first candidates) whose body holds
    every word of ``text``: each of its words with index terms (stop words have none)
    through the numpy postings of the body, then, while more than ``budget`` remain,
    the rarest of its words in their exact form (stop words included) through Whoosh's.
    At most ``budget`` of them, best scored first (ties by docnum).

    Why: a pasted passage whose distinctive words are few or common (a run of stop
    words around "fini" and "commencé") can leave its source below the first
    candidates BM25 or the fusion gives; its words all in it, and in that order, are
    the evidence. The set depends on the query alone, not on the page asked for."""
    fast = snap.fast
    if fast is None or not mask.any():
        return []
    cand = mask.copy()
    cand[head] = False
    exact: dict[str, None] = {}
    for word in WORD.findall(normalize_apostrophes(text)):
        stems, folded = word_terms(word)
        exact[folded] = None
        if stems:
            holds = np.zeros(len(cand), dtype=bool)
            for term in stems:
                holds[fast.postings("body", term)[0]] = True
            cand &= holds
            if not cand.any():
                return []
    if np.count_nonzero(cand) > budget:
        reader = snap.searcher.reader()
        field = "body_exact"
        if field in snap.searcher.schema:
            rare = sorted((reader.doc_frequency(field, w), w) for w in exact)
            for df, word in rare:
                if np.count_nonzero(cand) <= budget or df > PASSAGE_MAX_POSTINGS:
                    break
                if df == 0:  # a word no article has (a typo): the rest still count
                    continue
                holds = np.zeros(len(cand), dtype=bool)
                holds[np.fromiter(reader.postings(field, word).all_ids(), dtype=np.int64)] = True
                cand &= holds
    return top_by_score(cand, scores, budget).tolist()


def order(searcher: Any, mask: np.ndarray, scores: np.ndarray, sort: str, want: int) -> list[int]:
    """The ``want`` first candidates, best first or newest first."""
    if sort == "date":
        docs = set(np.flatnonzero(mask).tolist())
        return [r.docnum for r in searcher.search(Q.Every(), filter=docs, sortedby="date_key", reverse=True, limit=want)]
    return top_by_score(mask, scores, want).tolist()
