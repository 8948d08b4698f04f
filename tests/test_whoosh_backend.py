"""The generic operations over a backend's primitives (backends/operations.py, what the
OpenSearch backend runs) held to account without a cluster: on a Whoosh index, the
engine over them -- each query tree compiled into Whoosh by the primitives
(backends/whoosh_tree.py) -- gives what the engine over the Whoosh backend's own
operations gives: same hits in the same order, same scores, same totals and facets,
on the seeds and on real OrangeSum articles."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from searchkit import SearchKit
from searchkit.backends.operations import ProtocolOperations
from searchkit.backends.whoosh_tree import WhooshTreeBackend as WhooshBackend
from searchkit.search.engine import Engine

from .conftest import shared_data

QUERIES = [
    "roquettes", "roquettes ambassade", "Qu'est-ce que les roquettes Katioucha ?", "roquettes ET Katioucha",
    "roquettes SAUF Soleimani", "Katioucha OU Pezeshkian", "securite", "sécurité", "hostilites", "teheran",
    "oeuvre", "aéro*", "kadhimi~2", "titre:roquettes", "personne:Kazimi", "roquettes date:2020-11",
    '"premier ministre"', "", "ambassadde",
]


class ThroughTheTree(ProtocolOperations, WhooshBackend):
    """A Whoosh index answering the engine through the generic operations, as OpenSearch does."""


def _seam(index_dir: Path, aliases: dict | None = None) -> Engine:
    return Engine(ThroughTheTree(index_dir, aliases))


def _same(engine: Engine, seam: Engine, text: str, filters: dict[str, list[str]] | None = None, sort: str = "relevance") -> None:
    want = engine.search(text, filters, limit=10, sort=sort, collapse=False, mode="lexical")
    got = seam.search(text, filters, limit=10, sort=sort)
    assert [h.id for h in got.hits] == [h.id for h in want.hits], text
    assert [round(h.score, 6) for h in got.hits] == [round(h.score, 6) for h in want.hits], text
    assert got.total == want.total, text
    assert got.facets == want.facets, text
    assert [h.snippets for h in got.hits] == [h.snippets for h in want.hits], text
    assert got.suggestion == want.suggestion, text


@pytest.fixture(scope="module")
def engines(seeds_kit: SearchKit):
    index_dir = seeds_kit.config.index_dir
    engine = Engine.open(index_dir, seeds_kit.config.aliases)
    seam = _seam(index_dir, seeds_kit.config.aliases)
    yield engine, seam
    engine.close()
    seam.close()


@pytest.mark.parametrize("text", QUERIES)
def test_seeds_answer_the_same_through_the_seam(engines, text: str) -> None:
    engine, seam = engines
    _same(engine, seam, text)


def test_filters_and_date_sort_answer_the_same(engines) -> None:
    engine, seam = engines
    _same(engine, seam, "roquettes", {"person": ["Kadhimi"]})
    _same(engine, seam, "*", {"published": ["décembre 2020"]}, sort="date")
    _same(engine, seam, "Bagdad", {"org": ["Kataib Hezbollah"], "published": ["2020"]})


def test_the_analysts_commands_answer_the_same_through_the_seam(engines) -> None:
    """``with`` and ``timeline`` counted by the backend (value and group counts) equal the
    Whoosh backend's counts from its tables, near-duplicates not collapsed on either side."""
    from searchkit.workflow.associate import associated
    from searchkit.workflow.timeline import timeline

    engine, seam = engines
    for query in ("", "roquettes", "ambassade"):
        assert timeline(seam, query) == timeline(engine, query, collapse=False), query
        for actor in ("Moustafa al-Kazimi", "Joe Biden"):
            assert associated(seam, actor, query=query, min_count=1) == associated(engine, actor, query=query, min_count=1, collapse=False), (actor, query)
    terms, articles = seam.backend.term_statistics("Des roquettes, des roquettes et l'ambassade")
    assert articles == engine.search("", limit=0, facets=False).total
    assert terms["roquet"][0] == 2 and terms["roquet"][1] >= 2  # in the text twice; in the index at least as often


def test_an_escaped_star_stays_a_character() -> None:
    from searchkit.search.compile_whoosh import compile_whoosh
    from searchkit.search.tree import Wildcard

    assert compile_whoosh(Wildcard("body_exact", "a\\*b*")).text == "a*b"


def test_writes_through_the_seam(tmp_path: Path, engines) -> None:
    """index_documents / delete / manifest on a fresh Whoosh index."""
    engine, _ = engines
    backend = WhooshBackend(tmp_path / "ix")
    backend.ensure_index()
    src = engine.backend.searcher.stored_fields(0)
    doc = {k: src[k] for k in ("id", "source", "path", "title", "body", "meta", "digest") if k in src}
    assert backend.index_documents([doc]) == 1 and backend.count() == 1
    assert backend.index_documents([doc]) == 1 and backend.count() == 1  # replaced, not added
    backend.save_manifest({doc["source"]: {"digest": "x", "ids": [doc["id"]]}})
    assert backend.manifest([doc["source"]])[doc["source"]]["ids"] == [doc["id"]]
    backend.delete([doc["id"]])
    backend.save_manifest({doc["source"]: None})
    assert backend.count() == 0 and backend.manifest() == {}
    backend.close()


def test_orangesum_titles_answer_the_same(tmp_path: Path) -> None:
    """300 real articles, 40 of their titles as queries (plain OR questions)."""
    import gzip

    path = shared_data("orangesum", "orangesum_articles.jsonl.gz")
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rows.append(json.loads(line))
            if len(rows) == 300:
                break
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with (corpus / "orangesum.jsonl").open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps({"id": str(r["id"]), "date": r.get("date"), "title": r["title"], "text": r["text"]}, ensure_ascii=False) + "\n")
    kit = SearchKit.open(index_dir=tmp_path / "index", corpus=corpus)
    kit.config.actors = False
    kit.index()
    engine = Engine.open(tmp_path / "index")
    seam = _seam(tmp_path / "index")
    for row in random.Random(7).sample(rows, 40):
        _same(engine, seam, row["title"])
    engine.close()
    seam.close()
