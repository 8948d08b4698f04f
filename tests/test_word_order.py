"""Word order as a ranking signal (search/proximity.py): a pasted passage finds the
article it was copied from first, in lexical and hybrid mode, whatever the page size."""
from __future__ import annotations

import random
import re

import pytest

from searchkit.search.proximity import MIN_WORDS, RESCORE_DEPTH, order_scores, query_words, rescore
from tests.conftest import SHARED_DATA
from tests.support.trust import news_rows, write_news


def test_query_words_are_folded_in_order_and_only_for_plain_text() -> None:
    assert query_words("Sept roquettes ont visé l’ambassade") == ("sept", "roquettes", "ont", "vise", "l", "ambassade")
    assert query_words("roquettes à Bagdad") == ()  # fewer than MIN_WORDS: left as ranked
    assert MIN_WORDS == 4
    # Query syntax: not a pasted passage.
    for text in ('"zone verte" de Bagdad', "person:Biden attaque ambassade", "roquettes OR missiles ambassade", "ambassa* de Bagdad"):
        assert query_words(text) == (), text


def test_order_scores_count_adjacent_pairs_in_order() -> None:
    text = "Des tirs de roquettes visaient l'ambassade américaine mardi soir."
    assert order_scores(("tirs", "de", "roquettes"), text) == 1.0
    assert order_scores(("roquettes", "de", "tirs"), text) == 0.0
    # Accents and case do not matter; one word changed keeps most pairs.
    assert order_scores(query_words("visaient l'ambassade americaine MARDI"), text) == 1.0
    assert order_scores(query_words("visaient l'ambassade russe mardi soir"), text) == pytest.approx(3 / 5)


def test_rescore_lifts_the_article_holding_the_passage_and_keeps_the_rest_below() -> None:
    words = query_words("le ministre a annoncé mardi une réforme des retraites")
    ranked = [(10, 9.0), (11, 8.0), (12, 7.0), (13, 1.0), (14, 0.5)]
    texts = ["le ministre de la santé", "la réforme des retraites et le ministre", "Le ministre a annoncé mardi une réforme des retraites contestée."]
    out = rescore(ranked, texts, words)
    assert [d for d, _ in out][:1] == [12]
    # A few pairs in order (2 of 8 here) are no evidence of the passage: no lift.
    assert dict(out)[10] == 9.0 and dict(out)[11] == 8.0
    assert [d for d, _ in out][3:] == [13, 14]  # not rescored: same order, still below
    assert min(s for _, s in out[:3]) >= max(s for _, s in out[3:])
    assert rescore(ranked, texts, ()) == ranked


def test_rescore_lifts_an_extra_candidate_holding_the_passage_and_leaves_the_others_in_place() -> None:
    words = query_words("le ministre a annoncé mardi une réforme des retraites")
    ranked = [(10, 9.0), (11, 8.0), (12, 7.0), (13, 1.0), (14, 0.5), (15, 0.2)]
    texts = ["le ministre de la santé", "la réforme des retraites et le ministre"]
    extra = [14, 15]
    extra_texts = ["Le ministre a annoncé mardi une réforme des retraites contestée.", "une réforme, le ministre"]
    out = rescore(ranked, texts, words, extra, extra_texts)
    assert [d for d, _ in out] == [14, 10, 11, 12, 13, 15]  # 15 earns no lift: it keeps its place
    assert len(out) == len(ranked)


def _decoys_and_source(corpus) -> tuple[str, int]:
    """More decoys than rescored candidates, each scoring above the source, and the
    source holding the passage: (the passage, how many articles match it)."""
    corpus.mkdir()
    query = "que ce serait fini. Cela n'a même pas commencé"
    depth = min(RESCORE_DEPTH, 10 * len(query_words(query)))
    for i in range(depth + 20):
        (corpus / f"decoy{i:03d}.txt").write_text(f"Fin de partie {i}. La fin, enfin la fin: tout a commencé et fini.", "utf-8")
    source = ("Les habitants de la vallée racontent l'hiver, les routes coupées et la neige tombée en abondance. "
              "On pensait en été que ce serait fini. Cela n'a même pas commencé à changer, disent les maires, "
              "qui attendent toujours les crédits promis par la région pour les travaux.")
    (corpus / "source.txt").write_text(source, "utf-8")
    return query, depth + 21


def _source_first(kit, query: str, matches: int) -> None:
    every = [h.id for h in kit.search(query, mode="lexical", limit=1000, facets=False, snippets=0, collapse=False).hits]
    assert len(every) == matches  # what matches does not change
    assert every[0] == "source"
    assert [h.id for h in kit.search(query, mode="lexical", limit=10, facets=False, snippets=0, collapse=False).hits] == every[:10]
    assert [h.id for off in range(0, 10, 5) for h in kit.search(query, mode="lexical", limit=5, offset=off, facets=False, snippets=0).hits] == every[:10]


def test_a_passage_whose_source_ranks_below_the_rescored_candidates_finds_it(tmp_path) -> None:
    """Stop words around two common words: BM25 ranks the source below the ``depth``
    first candidates (shorter articles repeating "fin" score higher); holding every word
    of the passage, in order, it is rescored and goes first."""
    from searchkit import SearchKit

    query, matches = _decoys_and_source(tmp_path / "corpus")
    kit = SearchKit.open(index_dir=tmp_path / "index", corpus=tmp_path / "corpus", semantic=False)
    kit.config.actors = False
    kit.config.workers = 1
    kit.index()
    try:
        _source_first(kit, query, matches)
    finally:
        kit.close()


def test_the_same_passage_finds_its_source_on_opensearch(opensearch_url: str, tmp_path) -> None:
    """The OpenSearch backend rescores the same candidates (``backends.meaning``)."""
    from tests.conftest import drop_opensearch_index, opensearch_kit

    query, matches = _decoys_and_source(tmp_path / "corpus")
    index = "searchkit-test-passage-source"
    kit = opensearch_kit(tmp_path / "corpus", index, opensearch_url, actors=False, semantic=False)
    try:
        kit.index(rebuild=True)
        _source_first(kit, query, matches)
    finally:
        kit.close()
        drop_opensearch_index(opensearch_url, index)


# -- on real articles -----------------------------------------------------------------
ORANGESUM = SHARED_DATA / "orangesum" / "orangesum_articles.jsonl.gz"  # the fixture skips when absent


def _passages(rows: list[dict], n: int, seed: int = 7) -> list[tuple[str, str]]:
    """(article id, 12 consecutive words of its text) for ``n`` articles, fixed seed."""
    rng = random.Random(seed)
    out = []
    for row in rng.sample(rows, len(rows)):
        words = re.sub(r'["():*~?«»]', " ", row["text"]).split()
        if len(words) < 40:
            continue
        start = rng.randrange(0, len(words) - 12)
        out.append((str(row["id"]), " ".join(words[start : start + 12])))
        if len(out) == n:
            break
    return out


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"\w+", text.lower())) + " "


@pytest.fixture(scope="module")
def news(tmp_path_factory):
    if not ORANGESUM.exists():
        pytest.skip("OrangeSum (../shared/data/orangesum) is not here")
    from searchkit import SearchKit

    rows = news_rows(ORANGESUM, 400, titled=False)
    base = tmp_path_factory.mktemp("order")
    write_news(rows, base / "corpus")
    kit = SearchKit.open(index_dir=base / "index", corpus=base / "corpus", semantic=False)
    kit.config.actors = False
    kit.config.workers = 1
    kit.index()
    yield kit, rows
    kit.close()


def test_a_pasted_passage_finds_its_source_first(news) -> None:
    kit, rows = news
    # Holding the passage: its words in that order (punctuation between them aside).
    texts = {str(r["id"]): _words(r["text"]) for r in rows}
    missed = []
    for source, passage in _passages(rows, 40):
        holders = {i for i, t in texts.items() if _words(passage) in t}
        res = kit.search(passage, mode="lexical", limit=10, facets=False, snippets=0)
        if not res.hits or res.hits[0].id not in holders | {source}:
            missed.append((passage, [h.id for h in res.hits[:3]], source))
    assert not missed, missed


def test_the_first_page_does_not_depend_on_the_page_size(news) -> None:
    kit, rows = news
    for _, passage in _passages(rows, 5, seed=11):
        for text in (passage, " ".join(passage.split()[:4]), passage.split()[3]):
            ten = [h.id for h in kit.search(text, limit=10, facets=False, snippets=0).hits]
            many = kit.search(text, limit=RESCORE_DEPTH + 100, facets=False, snippets=0)
            paged = [h.id for off in range(0, 10, 3) for h in kit.search(text, limit=3, offset=off, facets=False, snippets=0).hits][:10]
            assert [h.id for h in many.hits][:10] == ten == paged, text
