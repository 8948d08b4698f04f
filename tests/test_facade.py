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


def _answer_types(cls: type, localns: dict[str, object]) -> dict[str, object]:
    """Each public method's (or property's) return annotation, resolved."""
    import typing

    out: dict[str, object] = {}
    for name, member in vars(cls).items():
        if name.startswith("_"):
            continue
        fn = member.fget if isinstance(member, property) else getattr(member, "__func__", member)
        if callable(fn):
            out[name] = typing.get_type_hints(fn, localns=localns).get("return")
    return out


def test_every_answer_is_a_frozen_dataclass_of_results() -> None:
    """What ``SearchKit`` (and its saved searches) answer is a frozen dataclass of
    ``searchkit.results`` with ``to_dict()``, or a list of them; the exceptions are
    listed: what is not an answer (the kit itself, the store of saved searches, an
    export's count or text) and ``IndexReport``, which an indexing run fills as it goes."""
    import typing

    from searchkit.index.indexer import IndexReport, ProgressFn
    from searchkit.workflow.saved import SavedSearches

    # What api.py imports for type checking only (a search never loads the indexer run
    # nor the answers it does not give).
    import searchkit.results

    localns = {"SavedSearches": SavedSearches, "SearchKit": SearchKit, "IndexReport": IndexReport, "ProgressFn": ProgressFn,
               **{name: getattr(searchkit.results, name) for name in searchkit.results.__all__}}
    answers = {f"SearchKit.{k}": v for k, v in _answer_types(SearchKit, localns).items()}
    answers |= {f"SavedSearches.{k}": v for k, v in _answer_types(SavedSearches, localns).items()}
    not_results = {
        "SearchKit.open": SearchKit, "SearchKit.saved": SavedSearches, "SearchKit.close": type(None),
        "SearchKit.export": int, "SearchKit.export_text": typing.Iterator[str], "SearchKit.index": IndexReport,
    }
    checked = []
    for name, answer in answers.items():
        if name in not_results:
            assert answer == not_results[name], name
            continue
        if typing.get_origin(answer) is list:
            (answer,) = typing.get_args(answer)
        assert isinstance(answer, type) and dataclasses.is_dataclass(answer), name
        assert answer.__dataclass_params__.frozen and callable(getattr(answer, "to_dict", None)), name  # type: ignore[attr-defined]
        assert answer.__module__.startswith("searchkit.results."), name
        checked.append(name)
    assert {"SearchKit.facets", "SearchKit.stats", "SearchKit.timeline", "SearchKit.associated", "SearchKit.extract",
            "SearchKit.analyze", "SavedSearches.list", "SavedSearches.run_all"} <= set(checked)


def test_facets_stats_and_tokens_are_typed_answers(seeds_kit: SearchKit) -> None:
    from searchkit.results import Facets, IndexStats
    from searchkit.vocab import FACET_FIELDS

    assert [f.name for f in dataclasses.fields(Facets)] == list(FACET_FIELDS)
    every = seeds_kit.facets()
    assert every.fields == tuple(FACET_FIELDS) and list(every.to_dict()) == list(FACET_FIELDS)
    people = seeds_kit.facets("personne", top=2)  # a French name asks for the same field
    assert people.fields == ("person",) and people.org is None and people.get("org") == ()
    assert people.person == every.person[:2] and people.to_dict() == {"person": [v.to_dict() for v in every.person[:2]]}
    with pytest.raises(KeyError):
        people.get("colour")
    stats = seeds_kit.stats()
    assert isinstance(stats, IndexStats) and stats.documents == seeds_kit.search("", limit=0, collapse=False).total
    assert list(stats.to_dict()) == ["documents", "index_dir", "size_bytes", "segments", "generation", "actors", "acronyms", "undated", "vectors"]
    assert stats.undated == sum(v.count for v in seeds_kit.facets("published", top=0).published if v.value == "undated")
    (token,) = seeds_kit.analyze("L’aéroport")
    assert (token.term, token.word, token.pos) == ("aeroport", "aéroport", 0)
