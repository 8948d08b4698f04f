"""The analyst's commands on the OpenSearch backend (similar, with, timeline, saved),
against a real node, compared with the Whoosh backend on the same articles.

What is expected to be equal, and why: ``with`` and ``timeline`` count (terms and
composite aggregations against numpy tables over the same facet values), so their
answers are the same object on both backends. ``similar`` picks the same key terms
(Whoosh's Bo1 weights over each engine's term statistics) and so matches the same
articles; only the order may differ a little, as for any query (Lucene's BM25 against
Whoosh's BM25F: BENCHMARKS.md), and on real text a key term may differ where Lucene's
stemmer does (0.065% of positions).
"""
from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT, SEEDS, drop_opensearch_index, opensearch_kit, shared_data

ACTORS = ["Soleimani", "Kazimi", "Joe Biden", "Bagdad", "Trump", "Irak"]
ORANGESUM_N = 400


@pytest.fixture(scope="module")
def pair(opensearch_url: str, tmp_path_factory: pytest.TempPathFactory):
    """The seeds in both backends (actors and dates), from one copy of the files."""
    from searchkit import SearchKit

    base = tmp_path_factory.mktemp("os_workflow")
    corpus = base / "seeds"
    shutil.copytree(SEEDS, corpus)
    whoosh = SearchKit.open(ROOT / "config.yaml", index_dir=base / "index", corpus=corpus)
    whoosh.config.workers = 1
    whoosh.index()
    name = f"searchkit-test-{os.getpid()}-workflow"
    drop_opensearch_index(opensearch_url, name)
    kit = opensearch_kit(corpus, name, opensearch_url)
    kit.index()
    yield whoosh, kit
    whoosh.close()
    kit.close()
    drop_opensearch_index(opensearch_url, name)


def _seed_ids() -> list[str]:
    return [p.stem for p in sorted(SEEDS.glob("*.txt"))]


@pytest.mark.parametrize("doc_id", _seed_ids())
def test_similar_same_key_terms_and_articles(pair, doc_id: str) -> None:
    whoosh, kit = pair
    w, o = whoosh.similar(doc_id, limit=10, collapse=False), kit.similar(doc_id, limit=10)
    assert o.query == w.query and o.query  # the same key terms, in the same order
    assert o.total == w.total and {h.id for h in o.hits} == {h.id for h in w.hits}
    assert doc_id not in {h.id for h in o.hits}
    scores = [h.score for h in o.hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert {f: [(v.value, v.count) for v in vs] for f, vs in o.facets.items()} == {f: [(v.value, v.count) for v in vs] for f, vs in w.facets.items()}
    assert o.to_dict().keys() == w.to_dict().keys()


def test_similar_filters_paging_and_errors(pair) -> None:
    from searchkit.errors import NotFoundError

    whoosh, kit = pair
    first = _seed_ids()[0]
    for filters in ({"published": ["2020"]}, {"person": ["Joe Biden"]}, {"published": ["undated"]}):
        assert {h.id for h in kit.similar(first, filters=filters).hits} == {h.id for h in whoosh.similar(first, filters=filters, collapse=False).hits}
    every = [h.id for h in kit.similar(first, limit=10).hits]
    assert [h.id for h in kit.similar(first, limit=2, offset=1).hits] == every[1:3]
    with pytest.raises(NotFoundError) as info:
        kit.similar("no-such-article")
    assert info.value.hint
    assert any("<mark>" in s for h in kit.similar(first).hits for s in h.snippets)


@pytest.mark.parametrize("actor", ACTORS)
def test_with_same_answer(pair, actor: str) -> None:
    whoosh, kit = pair
    assert kit.associated(actor).to_dict() == whoosh.associated(actor, collapse=False).to_dict()
    for kind in ("person", "org", "place"):
        assert kit.associated(actor, kind=kind).to_dict() == whoosh.associated(actor, kind=kind, collapse=False).to_dict()
    for measure in ("pmi", "npmi", "count"):
        assert kit.associated(actor, measure=measure).to_dict() == whoosh.associated(actor, measure=measure, collapse=False).to_dict()
    assert kit.associated(actor, query="roquettes", filters={"published": ["2020"]}).to_dict() == \
        whoosh.associated(actor, query="roquettes", filters={"published": ["2020"]}, collapse=False).to_dict()


def test_with_finds_something_and_errors_alike(pair) -> None:
    from searchkit.errors import NotFoundError, QueryError

    whoosh, kit = pair
    res = kit.associated("Soleimani")
    assert res.articles == 4 and res.actors and res.actors[0].value == "Donald Trump"
    for bad, error in (("Personne Inconnue", NotFoundError), ("", QueryError)):
        with pytest.raises(error):
            kit.associated(bad)


@pytest.mark.parametrize("by", ["year", "month", "week"])
@pytest.mark.parametrize("query,filters", [("", None), ("roquettes", None), ("", {"person": ["Soleimani"]}), ("zzyzx", None)])
def test_timeline_same_counts(pair, by: str, query: str, filters: Any) -> None:
    whoosh, kit = pair
    o = kit.timeline(query, filters, by=by)
    assert o.to_dict() == whoosh.timeline(query, filters, by=by, collapse=False).to_dict()
    assert o.total == sum(p.count for p in o.periods) + o.undated + o.imprecise


def test_saved_searches_report_new_articles(pair, opensearch_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    for p in seeds[:3]:
        shutil.copy(p, corpus / p.name)
    name = f"searchkit-test-{os.getpid()}-saved"
    drop_opensearch_index(opensearch_url, name)
    kit = opensearch_kit(corpus, name, opensearch_url)
    try:
        kit.index()
        saved = kit.saved.add("roquettes", "roquettes")
        assert saved.matched == kit.search("roquettes").total
        assert kit.saved.run("roquettes").hits == ()
        for p in seeds[3:]:
            shutil.copy(p, corpus / p.name)
        kit.index()
        run = kit.saved.run("roquettes")
        assert {h.id for h in run.hits} == {p.stem for p in seeds[3:]} & {h.id for h in kit.search("roquettes").hits}
        assert run.hits and all(h.snippets for h in run.hits)
        assert kit.saved.run("roquettes").hits == ()
        # Another index (the Whoosh one, another OpenSearch index) has its own list.
        assert kit.saved.path != pair[0].saved.path != pair[1].saved.path != kit.saved.path
    finally:
        kit.close()
        drop_opensearch_index(opensearch_url, name)


def test_cli_commands_unchanged_on_opensearch(pair, opensearch_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from searchkit.ui.cli import cli

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    whoosh, kit = pair
    config = tmp_path / "config.yaml"
    config.write_text(
        f"corpus: {kit.config.corpus[0]}\nbackend: opensearch\nopensearch:\n  url: {opensearch_url}\n  index: {kit.config.opensearch_index}\n", "utf-8")
    runner = CliRunner()

    def run(*args: str) -> Any:
        out = runner.invoke(cli, ["--config", str(config), *args, "--json"])
        assert out.exit_code == 0, out.output
        return json.loads(out.output)

    first = _seed_ids()[0]
    assert run("similar", first, "-n", "3")["query"] == whoosh.similar(first).query
    assert run("with", "Soleimani") == whoosh.associated("Soleimani", collapse=False).to_dict()
    assert run("timeline", "roquettes") == whoosh.timeline("roquettes", collapse=False).to_dict()
    assert run("saved", "add", "katioucha", "Katioucha")["name"] == "katioucha"
    assert run("saved", "run", "katioucha")["hits"] == []
    bad = runner.invoke(cli, ["--config", str(config), "similar", "nope"])
    assert bad.exit_code == 1 and "no article with id 'nope'" in bad.output and "Traceback" not in bad.output


@pytest.fixture(scope="module")
def orangesum(opensearch_url: str, tmp_path_factory: pytest.TempPathFactory):
    """ORANGESUM_N real articles nobody wrote these tests for, in both backends, with NER."""
    from searchkit import SearchKit

    source = shared_data("orangesum", "orangesum_articles.jsonl.gz")
    base = tmp_path_factory.mktemp("os_workflow_orangesum")
    corpus = base / "corpus"
    corpus.mkdir()
    with gzip.open(source, "rt", encoding="utf-8") as fh, open(corpus / "orangesum.jsonl", "w", encoding="utf-8") as out:
        for i, line in enumerate(fh):
            if i >= ORANGESUM_N:
                break
            row = json.loads(line)
            out.write(json.dumps({"id": f"os{row['id']}", "title": row["title"], "text": row["text"], "date": row.get("date")}, ensure_ascii=False) + "\n")
    whoosh = SearchKit.open(ROOT / "config.yaml", index_dir=base / "index", corpus=corpus)
    whoosh.config.workers = 1
    whoosh.index()
    name = f"searchkit-test-{os.getpid()}-workflow-orangesum"
    drop_opensearch_index(opensearch_url, name)
    kit = opensearch_kit(corpus, name, opensearch_url)
    kit.index()
    yield whoosh, kit
    whoosh.close()
    kit.close()
    drop_opensearch_index(opensearch_url, name)


def test_orangesum_timeline_and_with_same(orangesum) -> None:
    whoosh, kit = orangesum
    for by in ("year", "month", "week"):
        for query in ("", "gouvernement", "football"):
            assert kit.timeline(query, by=by).to_dict() == whoosh.timeline(query, by=by, collapse=False).to_dict()
    top = [v.value for v in whoosh.facets("actor", top=8).actor]
    assert len(top) == 8
    for actor in top:
        assert kit.associated(actor, top=0).to_dict() == whoosh.associated(actor, top=0, collapse=False).to_dict(), actor
    # The same actor groups (both backends weigh a surname alone by the articles that
    # share its context): every facet value and count, article for article.
    for field in ("actor", "person", "org", "place", "published", "mentioned"):
        w = whoosh.search("", limit=0, facet_top=0, collapse=False).facets[field]
        assert kit.search("", limit=0, facet_top=0).facets[field] == w and w, field


def test_orangesum_similar_close(orangesum) -> None:
    whoosh, kit = orangesum
    ids = [h.id for h in whoosh.search("", limit=ORANGESUM_N, facets=False, snippets=0, collapse=False).hits][::40]
    overlaps, same_terms, ratios = [], [], []
    for doc_id in ids:
        w, o = whoosh.similar(doc_id, limit=10, collapse=False), kit.similar(doc_id, limit=10)
        wt, ot = set(w.query.split()), set(o.query.split())
        same_terms.append(len(wt & ot) / max(1, len(wt)))
        overlaps.append(len({h.id for h in w.hits} & {h.id for h in o.hits}) / max(1, len(w.hits)))
        ratios.append(abs(o.total - w.total) / max(1, w.total))
    print(f"similar on {len(ids)} OrangeSum articles: key terms shared {sum(same_terms) / len(ids):.3f}, "
          f"top-10 overlap {sum(overlaps) / len(ids):.3f} (min {min(overlaps):.2f}), totals max rel diff {max(ratios):.4f}")
    assert sum(same_terms) / len(ids) >= 0.95
    assert sum(overlaps) / len(ids) >= 0.7
    assert max(ratios) <= 0.05
