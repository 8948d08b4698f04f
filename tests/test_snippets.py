"""Marking query words in a text: the fast scan (each distinct word analysed once,
words that cannot match skipped) marks exactly what the full analyzer would."""
from __future__ import annotations

import json

import pytest

from searchkit.text.analysis import exact_analyzer, french_analyzer
from searchkit.search.highlight import match_spans, merge_spans

from .conftest import shared_data

TEXTS = [
    "L’aéroport de Bagdad a été visé. D'après l'armée, qu'il s'agisse d'être prudent…",
    "Les États-Unis et l'Irak : l’œuvre des ÉTATS-UNIS, Œuvres complètes, AEROPORT fermé.",
    "Æther, cœur, aujourd'hui, presqu'île ; le président Macron et les présidents.",
]


def _reference(text: str, stemmed: set[str], exact: set[str]) -> list[tuple[int, int]]:
    spans = {(t.startchar, t.endchar) for t in french_analyzer()(text, chars=True) if t.text in stemmed}
    spans |= {(t.startchar, t.endchar) for t in exact_analyzer()(text, chars=True) if t.text in exact}
    return merge_spans(spans)  # joining spans is not what this test is about


def _all_terms(text: str) -> tuple[set[str], set[str]]:
    return ({t.text for t in french_analyzer()(text)}, {t.text for t in exact_analyzer()(text)})


@pytest.mark.parametrize("text", TEXTS)
def test_every_term_marks_like_the_analyzer(text: str) -> None:
    stemmed, exact = _all_terms(text)
    for term in sorted(stemmed):
        assert match_spans(text, {term}) == _reference(text, {term}, set()), term
    for term in sorted(exact):
        assert match_spans(text, (), {term}) == _reference(text, set(), {term}), term


def test_orangesum_sample_marks_like_the_analyzer() -> None:
    import gzip
    import random

    path = shared_data("orangesum", "orangesum_articles.jsonl.gz")
    rng = random.Random(7)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        texts = [json.loads(next(fh))["text"] for _ in range(60)]
    for text in texts:
        stemmed, exact = _all_terms(text)
        s = set(rng.sample(sorted(stemmed), min(4, len(stemmed))))
        e = set(rng.sample(sorted(exact), min(3, len(exact))))
        assert match_spans(text, s, e) == _reference(text, s, e)


def test_odd_terms_mark_nothing_and_never_raise() -> None:
    """Found by the query fuzzer: an empty term (and one-letter or non-ASCII ones)."""
    text = "L'avion a décollé à 5 h, x et Œuvre."
    assert match_spans(text, {""}, {""}) == []
    assert match_spans(text, {"", "avion"}) == _reference(text, {"avion"}, set())
    for term in ("a", "5", "x", "h", "œuvr", "oeuvr"):
        assert match_spans(text, {term}, {term}) == _reference(text, {term}, {term}), term
