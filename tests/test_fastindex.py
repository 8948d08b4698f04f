"""The numpy copy of the postings answers like Whoosh: same matches, same BM25F scores,
across several segments and deletions; what it cannot do goes back to Whoosh; the
facet cache survives a restart and is dropped when the index changes."""
from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from searchkit import SearchKit
from searchkit.index.fastcopy import CACHE_DIR
from searchkit.search import fastpath as fastindex
from searchkit.text.analysis import french_analyzer
from searchkit.search.compile_whoosh import compile_whoosh
from searchkit.search.engine import Engine
from searchkit.search.tables import facet_counts

WORDS = ("gouvernement ministre réforme retraites police manifestation économie école santé "
         "élections président budget grève hôpital européenne sanctions pétrole frontière "
         "l'armée d'Irak qu'il œuvre États-Unis").split()


def _articles(seed: int, n: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 60)))
        out.append({"id": f"s{seed}-{i}", "title": " ".join(rng.sample(WORDS, 3)), "text": body})
    return out


@pytest.fixture(scope="module")
def multi(tmp_path_factory: pytest.TempPathFactory) -> SearchKit:
    """An index of three segments (three runs) with deleted documents."""
    base = tmp_path_factory.mktemp("multi")
    corpus = base / "corpus"
    corpus.mkdir()
    (base / "config.yaml").write_text("corpus: corpus\nindex_dir: index\nextract: {actors: false}\nindex: {workers: 1}\n")
    kit = SearchKit.open(base / "config.yaml")
    for run in range(3):
        with open(corpus / f"part{run}.jsonl", "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(a, ensure_ascii=False) + "\n" for a in _articles(run, 150))
        kit.index()
    (corpus / "part1.jsonl").write_text("\n".join(json.dumps(a) for a in _articles(9, 20)) + "\n", encoding="utf-8")
    kit.index()  # part1 replaced: its old documents are deleted, not yet merged away
    return kit


QUERIES = ["gouvernement", "réforme retraites", "police OU grève", "ministre ET budget",
           "hopital sante ecole", "etats unis", "armee irak", "oeuvre", "titre:sanctions pétrole"]


def _query(engine: Engine, text: str):  # type: ignore[no-untyped-def]
    """The Whoosh query the Whoosh backend runs for ``text``."""
    return compile_whoosh(engine.parse(text).tree)


def _whoosh_all(engine: Engine, text: str) -> tuple[set[int], list[float]]:
    results = engine.backend.searcher.search(_query(engine, text), limit=None)
    return {h.docnum for h in results}, sorted((h.score for h in results), reverse=True)


@pytest.mark.parametrize("text", QUERIES)
def test_same_matches_and_scores_as_whoosh(multi: SearchKit, text: str) -> None:
    engine = multi._engine
    fast = engine.backend.fast
    assert fast is not None and len(fast.segments) >= 2 and not fast.live.all()  # the case under test
    q = _query(engine, text)
    mask, scores = fast.evaluate(q)
    docs, whoosh_scores = _whoosh_all(engine, text)
    assert set(np.flatnonzero(mask).tolist()) == docs
    ours = sorted(scores[mask].tolist(), reverse=True)
    assert np.allclose(ours, whoosh_scores, rtol=1e-9)
    top = fast.top(mask, scores, 10)
    assert [s for _, s in top] == ours[:10]


def test_sauf_excludes_every_article_with_the_word(multi: SearchKit) -> None:
    # Whoosh 2.7.5's AndNot matcher lets some excluded documents through; ours must not.
    res = multi.search("réforme SAUF police", limit=1000)
    analyzer = french_analyzer()
    assert res.total > 0
    for hit in res.hits:
        fields = multi._engine.document(hit.id)
        terms = {t.text for t in analyzer(fields["title"] + " " + fields["body"])}
        assert "polic" not in terms and "reform" in terms


def test_phrases_and_wildcards_go_to_whoosh(multi: SearchKit) -> None:
    engine = multi._engine
    for text in ['"réforme retraites"', "gouv*", "gouvernemant~"]:
        with pytest.raises(fastindex.Unsupported):
            engine.backend.fast.evaluate(_query(engine, text))
        assert multi.search(text).total > 0


def test_facet_cache_is_reused_and_invalidated(multi: SearchKit, monkeypatch: pytest.MonkeyPatch) -> None:
    index_dir = Path(multi.config.index_dir)
    multi._engine.warm()
    assert len(list((index_dir / CACHE_DIR).glob("facets-*.pickle"))) == 1
    before = facet_counts(Engine.open(index_dir).backend.tables, np.ones(multi._engine.backend.searcher.doc_count_all(), bool))

    def no_grouping(*args, **kwargs):
        raise AssertionError("groups were rebuilt instead of read from the cache")

    monkeypatch.setattr("searchkit.extract.names.group_variants", no_grouping)
    fresh = Engine.open(index_dir)
    assert facet_counts(fresh.backend.tables, np.ones(fresh.backend.searcher.doc_count_all(), bool)) == before
    monkeypatch.undo()
    # A change to the index (a new segment) means a new cache, and the old one goes.
    corpus = Path(multi.config.corpus[0])
    (corpus / "extra.txt").write_text(" date 2021-03\nGrève\n\nUne grève à l'hôpital.", encoding="utf-8")
    old = {p.name for p in (index_dir / CACHE_DIR).iterdir()}
    multi.index()
    new = {p.name for p in (index_dir / CACHE_DIR).iterdir()}
    assert new != old and len([n for n in new if n.startswith("facets-")]) == 1
    assert multi.search("grève", filters={"published": ["2021-03"]}).total == 1


def test_engine_without_fast_copy_gives_the_same_results(multi: SearchKit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_fast = multi.search("réforme retraites", limit=10)
    monkeypatch.setattr(fastindex.FastIndex, "open", classmethod(lambda cls, d, s: None))
    monkeypatch.setattr("searchkit.search.snapshot.ensure", lambda d, r: None)
    slow = Engine.open(Path(multi.config.index_dir))
    assert slow.backend.fast is None
    without = slow.search("réforme retraites", limit=10)
    assert without.total == with_fast.total
    assert without.facets == with_fast.facets
