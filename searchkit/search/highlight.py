"""Highlighted, sentence-aware snippets and whole-article highlighting.

Given an article's text and the set of index terms a query matched, finds the
words that produced those terms (through the same analyzers as the index, so
"l’aéroport" is marked on "aéroport", accents as written) and cuts the text into
sentence fragments around them. Output marks words as ``<mark>…</mark>``;
renderers turn that into colour. Pure functions over strings.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from typing import Iterable, Iterator

from searchkit.results import mark
from searchkit.text.analysis import WORD, word_terms
from searchkit.text.normalize import fold, normalize_apostrophes, strip_elision

__all__ = ["closest_sentences", "match_spans", "merge_spans", "snippets"]

_SENTENCE = re.compile(r"[^.!?…\n]+(?:[.!?…]+[»\"”)]*|\n|$)")
MAX_FRAGMENT = 240


@lru_cache(maxsize=50_000)
def _heads(word: str) -> frozenset[str]:
    """The first two letters a term of ``word`` can start with: at its start or after
    any apostrophe (elision may strip "d'" and keep "aujourd'hui" whole)."""
    parts = word.lower().split("'")
    return frozenset(fold("'".join(parts[i:])[:2])[:2] for i in range(len(parts)))


def _shift_if_match(word: str, heads: frozenset[str], stemmed: set[str], exact: set[str]) -> int | None:
    """How many leading characters (an elided article) of ``word`` not to mark, if one
    of its index terms is asked for; None otherwise. Stemming and folding keep a word's
    first two letters (after any elided "l'", "qu'"...), so words starting otherwise
    are not analysed."""
    if heads.isdisjoint(_heads(word)):
        return None
    ranked, folded = word_terms(word)
    if folded in exact or not stemmed.isdisjoint(ranked):
        return len(word) - len(strip_elision(word))
    return None


def _either_case(chars: Iterable[str]) -> str:
    return "".join(sorted({re.escape(x) for c in chars for x in (c, c.upper())}))


# A letter or digit that is not ASCII (accents and ligatures fold to ASCII letters).
_NON_ASCII = r"[^\W_\x00-\x7f]"


@lru_cache(maxsize=256)
def _part_heads(heads: frozenset[str]) -> re.Pattern[str] | None:
    """A regex for the places where a word part (a word's start, or what follows an
    apostrophe inside it) may begin with one of ``heads``: its two ASCII characters in
    any case, or a non-ASCII character among the first two (accents and ligatures fold
    to ASCII, so those parts are left to ``_heads`` to decide); a one-character head is
    a one-character last part. It only skips words that cannot match, so that an
    article's words are looked at by the regex engine, in C, not one by one in Python.

    The pattern starts with a character class (the heads' first characters, and any
    non-ASCII letter), which Python's regex engine skips to directly; the word-start
    check comes after it, as a lookbehind. None (look at every word) for a head that is
    not ASCII."""
    if not heads or not all(h.isascii() for h in heads):
        return None
    by_first: dict[str, set[str]] = {}
    for h in heads:
        by_first.setdefault(h[0], set()).add(h[1:])
    seconds = []
    for first, rest in sorted(by_first.items()):
        after = f"(?<=[{_either_case(first)}])"
        two = sorted(r for r in rest if r)
        if two:
            seconds.append(f"{after}(?:[{_either_case(two)}]|{_NON_ASCII})")
        else:
            seconds.append(f"{after}{_NON_ASCII}")
        if "" in rest:  # a one-character head: a one-character last part
            seconds.append(f"{after}(?![^\\W_]|'[^\\W_])")
    seconds.append(f"(?<={_NON_ASCII})")
    return re.compile(f"(?:[{_either_case(by_first)}]|{_NON_ASCII})(?<![^\\W_].)(?:{'|'.join(seconds)})")


def _candidate_words(norm: str, heads: frozenset[str]) -> Iterator[re.Match[str]]:
    """The tokenizer's words (``analysis.WORD`` matches) of ``norm`` that may have a
    part starting with one of ``heads``, each once, in order."""
    finder = _part_heads(heads)
    if finder is None:
        yield from WORD.finditer(norm)
        return
    last_end = -1
    for hit in finder.finditer(norm):
        if hit.start() < last_end:  # another part of the word already found
            continue
        start = hit.start()
        # Back to the word's start: over letters and digits, and over an apostrophe
        # that has a letter or digit before it (the tokenizer keeps those inside words).
        while start and (norm[start - 1].isalnum() or (norm[start - 1] == "'" and start > 1 and norm[start - 2].isalnum())):
            start -= 1
        word = WORD.match(norm, start)
        if word is None:  # not a word start after all (a stray apostrophe)
            continue
        last_end = word.end()
        yield word


def match_spans(
    text: str,
    stemmed: Iterable[str] = (),
    exact: Iterable[str] = (),
    phrases: Iterable[str] = (),
) -> list[tuple[int, int]]:
    """Character spans of ``text`` whose index terms are in ``stemmed`` or ``exact``,
    plus literal occurrences of ``phrases`` (actor spellings), merged and sorted."""
    stemmed, exact = set(stemmed), set(exact)
    spans: set[tuple[int, int]] = set()
    if stemmed or exact:
        # Over the apostrophe-normalised text (offsets hold); each distinct word is
        # analysed once (analysis.word_terms, the indexer's own per-word analysis), and
        # its occurrences are marked without the elided article ("d'" of "d'être"), as
        # the analyzers' character spans have it.
        norm = normalize_apostrophes(text)
        heads = frozenset(t[:2] for t in stemmed | exact if t)  # an empty term marks nothing
        verdict: dict[str, int | None] = {}  # word -> chars of elided article to skip, None: no match
        for m in _candidate_words(norm, heads):
            word = m.group(0)
            shift = verdict.get(word, -1)
            if shift == -1:
                shift = verdict[word] = _shift_if_match(word, heads, stemmed, exact)
            if shift is not None:
                spans.add((m.start() + shift, m.end()))
    for phrase in phrases:
        if len(phrase) > 1:
            for m in re.finditer(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", text):
                spans.add((m.start(), m.end()))
    return merge_spans(spans)


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping or touching ones joined."""
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def snippets(text: str, spans: list[tuple[int, int]], count: int = 2) -> list[str]:
    """Up to ``count`` sentence fragments with the most distinct matched words,
    in text order; without any match, the opening of the text."""
    if count <= 0:
        return []
    sentences = [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group().strip()]
    scored = []
    for i, (s, e) in enumerate(sentences):
        inside = [text[a:b].lower() for a, b in spans if a >= s and b <= e]
        if inside:
            scored.append((-len(set(inside)), -len(inside), i))
    if not scored:
        s, e = sentences[0] if sentences else (0, len(text))
        return [_trim(text, spans, s, e)]
    chosen = sorted(i for _, _, i in sorted(scored)[:count])
    return [_trim(text, spans, *sentences[i]) for i in chosen]


# Words compared by their first letters, folded: "vaccins" meets "vaccination",
# "énergétique" meets "energie". Short enough to reach across derivations, long enough
# that unrelated words rarely share it.
_PREFIX = 5


def _prefixes(text: str) -> set[str]:
    out = set()
    for word in WORD.findall(normalize_apostrophes(text)):
        stems, folded = word_terms(word)
        if stems and len(folded) >= 3:  # stop words and two-letter words say little
            out.add(folded[:_PREFIX])
    return out


def closest_sentences(text: str, query: str, count: int = 1) -> list[str]:
    """For a hit found by meaning, not by its words: the ``count`` sentences that share
    the most word beginnings with ``query`` (no vector is computed at query time but the
    query's, so closeness is read from the words), or the opening sentence when none does.
    Nothing is marked: no word of the query is in the text as written."""
    if count <= 0:
        return []
    sentences = [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group().strip()]
    wanted = _prefixes(query)
    shared: dict[int, set[str]] = {}
    if wanted:
        # One scan of the whole text for the words that may share a beginning with the
        # query (see _candidate_words), each then filed under its sentence; words never
        # straddle sentences (the sentence ends are not word characters).
        starts = [s for s, _ in sentences]
        for m in _candidate_words(normalize_apostrophes(text), frozenset(p[:2] for p in wanted)):
            stems, folded = word_terms(m.group(0))
            if stems and len(folded) >= 3 and folded[:_PREFIX] in wanted:
                i = bisect_right(starts, m.start()) - 1
                if i >= 0 and m.start() < sentences[i][1]:
                    shared.setdefault(i, set()).add(folded[:_PREFIX])
    scored = [(-len(found), i) for i, found in shared.items()]
    if not scored:
        s, e = sentences[0] if sentences else (0, len(text))
        return [_trim(text, [], s, e)]
    chosen = sorted(i for _, i in sorted(scored)[:count])
    return [_trim(text, [], *sentences[i]) for i in chosen]


def _trim(text: str, spans: list[tuple[int, int]], s: int, e: int) -> str:
    """One sentence, cut to about MAX_FRAGMENT characters around its first match."""
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    prefix = suffix = ""
    if e - s > MAX_FRAGMENT:
        first = next((a for a, b in spans if a >= s and b <= e), s)
        lo = max(s, first - MAX_FRAGMENT // 3)
        if lo > s:
            lo = text.find(" ", lo, first) + 1 or lo
            prefix = "…"
        hi = min(e, lo + MAX_FRAGMENT)
        if hi < e:
            cut = text.rfind(" ", lo, hi)
            hi = cut if cut > lo else hi
            suffix = "…"
        s, e = lo, hi
    return prefix + mark(text, spans, s, e) + suffix
