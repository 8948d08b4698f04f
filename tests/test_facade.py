"""The public library answers everything the CLI and REPL show: one article with its
marks (``SearchKit.document``), why it matched (``explain``), who a name is
(``resolve_actor``), what indexing extracts from a file (``extract``); all frozen
values with ``to_dict()``. Expected names and dates come from the index, never from
knowledge of the sample articles."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from searchkit import SearchKit
from searchkit.text.analysis import fold
from searchkit.errors import ExitStatus, NotFoundError, QueryError, QuerySyntaxError, SearchkitError
from searchkit.results import ActorMatch, Document, Explanation
from searchkit.search.engine import date_in

ROOT = Path(__file__).resolve().parents[1]


def test_exit_status_values_are_the_documented_contract() -> None:
    assert [int(s) for s in ExitStatus] == [0, 1, 2, 130]
    assert SearchkitError("x").exit_code is ExitStatus.ERROR
    assert QuerySyntaxError("x").exit_code is ExitStatus.USAGE


@pytest.mark.parametrize(
    ("date", "value", "expected"),
    [
        ("2020-12-20", "décembre 2020", True),  # the REPL's old _date_in said False
        ("2020-12-20", "2020-12", True),
        ("2020-12-20", "2020", True),
        ("2020-12-20", "2020-11..2021-01", True),
        ("2021-01-05", "2020-11..2020-12", False),
        ("2020-12", "2020-12-20", False),  # a month-precise date is not that day
        ("2020", "2020-12", False),
        (None, "undated", True),
        (None, "2020", False),
    ],
)
def test_date_in_reads_filters_as_the_engine_does(date: str | None, value: str, expected: bool) -> None:
    assert date_in(date, value) is expected


def test_document_has_the_stored_fields_and_the_query_marks(seeds_kit: SearchKit) -> None:
    hit = seeds_kit.search("roquettes", limit=1).hits[0]
    doc = seeds_kit.document(hit.id, "roquettes")
    assert isinstance(doc, Document) and doc.id == hit.id and doc.title == hit.title
    assert doc.published == hit.published and doc.mentioned == hit.mentioned
    assert doc.spans and all(fold(doc.body[s:e].lower()).startswith("roquet") for s, e in doc.spans)
    assert seeds_kit.document(hit.id).spans == ()  # no query: nothing marked
    data = json.loads(json.dumps(doc.to_dict()))
    assert data["body"] == doc.body and data["spans"] == [list(s) for s in doc.spans]
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.title = "x"  # type: ignore[misc]
    with pytest.raises(NotFoundError):
        seeds_kit.document("no-such-article")


def test_resolve_actor_gives_canonical_name_kind_and_spellings(seeds_kit: SearchKit) -> None:
    top = seeds_kit.facets("person", top=1).person[0]
    match = seeds_kit.resolve_actor(top.value.upper(), "person")  # any case
    assert isinstance(match, ActorMatch) and match.found and match.name == top.value
    assert {a.kind for a in match.actors} == {"person"}
    assert set(top.variants) <= set(match.variants) and top.value in match.variants
    # Any spelling of the group finds the same actor.
    for spelling in match.variants:
        assert seeds_kit.resolve_actor(spelling, "person").name == top.value
    assert not seeds_kit.resolve_actor("Zyxwvut Qwertyuiop").found
    assert json.loads(json.dumps(match.to_dict()))["actors"][0]["name"] == top.value
    with pytest.raises(QueryError):
        seeds_kit.resolve_actor("x", "planet")


def test_explain_words_terms_and_spellings(seeds_kit: SearchKit) -> None:
    hit = seeds_kit.search("securite", limit=1).hits[0]
    ex = seeds_kit.explain(hit.id, "securite")
    assert isinstance(ex, Explanation) and ex.id == hit.id
    (word,) = ex.words
    assert word.word == "securite" and word.found
    assert any("accents restored" in t.note for t in word.found)  # the articles write "sécurité"
    assert json.loads(json.dumps(ex.to_dict()))["words"][0]["word"] == "securite"


def test_explain_uses_the_engines_expansion_of_fuzzy_terms(seeds_kit: SearchKit) -> None:
    hit = seeds_kit.search("roquetes~", limit=1).hits[0]
    ex = seeds_kit.explain(hit.id, "roquetes~")
    # The engine expanded the fuzzy term to words of the index; explain reports those.
    assert ex.exact and all(fold(w.lower()).startswith("roquet") for t in ex.exact for w, _ in t.forms)


def test_explain_filters_actor_spellings_and_dates(seeds_kit: SearchKit) -> None:
    months = [v.value for v in seeds_kit.facets("published").published if len(v.value) == 7]
    month = months[0]
    words = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]
    spoken = f"{words[int(month[5:]) - 1]} {month[:4]}"  # "décembre 2020": how a user types it
    res = seeds_kit.search("", filters={"published": [spoken]}, limit=1)
    hit = res.hits[0]
    ex = seeds_kit.explain(hit.id, "", {"published": [spoken]})
    assert [(f.field, f.matched) for f in ex.filters] == [("published", (hit.published,))]
    person = seeds_kit.facets("person", query="", filters={"published": [spoken]}, top=1).person[0].value
    hit = seeds_kit.search("", filters={"person": [person]}, limit=1).hits[0]
    (f,) = seeds_kit.explain(hit.id, "", {"person": [person]}).filters
    assert f.matched == (person,) and person in f.variants and f.forms


def test_extract_is_what_indexing_stored(seeds_kit: SearchKit, tmp_path: Path) -> None:
    """Same publication date (header or guessed) and the same actors (title + body)."""
    src = sorted((ROOT / "seeds").glob("*.txt"))[0]
    (art,) = seeds_kit.extract(src)
    stored = seeds_kit.document(art.id)
    assert (art.published, art.published_precision) == (stored.published, stored.precision)
    assert {(a.kind, a.canonical.replace(",", " ").strip()) for a in art.actors} == {(a.kind, a.name) for a in stored.actors}
    # An actor named in the title only is found, as indexing finds it.
    title_only = tmp_path / "t.txt"
    title_only.write_text("Emmanuel Macron reçoit Angela Merkel à Paris\n\n" + "Le sommet a duré deux heures. " * 3, encoding="utf-8")
    (t,) = seeds_kit.extract(title_only)
    assert {a.canonical for a in t.actors} >= {"Emmanuel Macron"}
    (d,) = seeds_kit.extract(title_only, actors=False)
    assert d.actors == () and json.loads(json.dumps(d.to_dict()))["id"] == d.id


def test_ui_modules_use_the_facade_only() -> None:
    for name in ("cli.py", "repl.py", "render.py"):
        text = (ROOT / "searchkit" / "ui" / name).read_text(encoding="utf-8")
        assert ".engine" not in text and "_query_terms" not in text, name

