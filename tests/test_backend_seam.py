"""The backend-neutral query tree made from the one query parser."""
from __future__ import annotations

import pytest

from searchkit.backends.base import And, AndNot, FacetTerms, Fuzzy, MatchAll, MatchNone, Not, Or, Phrase, Wildcard, Word, from_whoosh, leaves
from searchkit.search.query import build_query
from searchkit.index.schema import build_schema

SCHEMA = build_schema()


def tree(text: str, resolver=None):
    return from_whoosh(build_query(text, SCHEMA, resolver, strict=False).query)


def test_words_keep_their_twin_terms_at_one_position() -> None:
    t = tree("sécurité")
    assert isinstance(t, Or)
    # the stem of the word as written and the stem of it unaccented, one Word each field
    assert {(w.field, w.terms) for w in t.children} == {("title", ("secur", "securit")), ("body", ("secur", "securit"))}
    t = tree("hostilités")
    words = list(leaves(t))
    assert all(isinstance(w, Word) and set(w.terms) >= {"hostil"} for w in words)


def test_phrase_fuzzy_wildcard_go_to_exact_fields() -> None:
    assert set(leaves(tree('"zone verte"'))) == {Phrase("title_exact", ("zone", "verte"), 0), Phrase("body_exact", ("zone", "verte"), 0)}
    assert set(leaves(tree("kadhimi~2"))) == {Fuzzy("title_exact", "kadhimi", 2, 0), Fuzzy("body_exact", "kadhimi", 2, 0)}
    assert set(leaves(tree("aéro*"))) == {Wildcard("title_exact", "aero*"), Wildcard("body_exact", "aero*")}


def test_operators() -> None:
    assert isinstance(tree("roquettes SAUF Soleimani"), AndNot)
    assert isinstance(tree("roquettes ET Katioucha"), And)
    assert isinstance(tree("NOT roquettes"), Not)


class _Resolver:
    def facet_query(self, field, value):
        from whoosh import query as Q

        return Q.Term(field, value.upper())


def test_facet_values_become_facet_terms() -> None:
    t = tree("roquettes personne:Kazimi", _Resolver())
    assert isinstance(t, And) and FacetTerms("person", ("KAZIMI",)) in t.children


def test_null_and_every() -> None:
    from whoosh import query as Q

    assert from_whoosh(Q.NullQuery) == MatchNone()
    assert from_whoosh(Q.Every()) == MatchAll()
    with pytest.raises(TypeError):
        from_whoosh(Q.TermRange("body", "a", "b"))


def test_an_actor_spelt_two_ways_is_one_clause(seeds_kit) -> None:
    """"Bagdad personne:Kadhimi": the two spellings of al-Kazimi are OR-ed, not both required
    (Whoosh's normalize() used to flatten them into the query's top-level clauses)."""
    by_facet = {h.id[:3] for h in seeds_kit.search("personne:Kadhimi").hits}
    assert by_facet == {"001", "004"}
    assert {h.id[:3] for h in seeds_kit.search("Bagdad personne:Kadhimi").hits} == by_facet
    engine = seeds_kit._engine  # the engine itself: what the parser hands a backend
    t = from_whoosh(build_query("Bagdad personne:Kadhimi", SCHEMA, engine).query)
    assert isinstance(t, And) and any(isinstance(c, FacetTerms) and len(c.values) == 2 for c in t.children)


# -- the protocol declares what callers use, and both backends have it -------------------
CALLERS = ("backends/engine.py", "backends/meaning.py", "backends/analyst.py", "backends/ingest.py", "runs.py")


def _attributes_read(paths: list, owner: str) -> set[str]:
    """Every attribute the code of ``paths`` reads on ``owner`` or ``self.owner``."""
    import ast

    used: set[str] = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Attribute):
                value = node.value
                if (isinstance(value, ast.Name) and value.id == owner) or (
                        isinstance(value, ast.Attribute) and value.attr == owner and isinstance(value.value, ast.Name) and value.value.id == "self"):
                    used.add(node.attr)
    return used


def _used_members() -> set[str]:
    """Every attribute the callers read on a backend: ``backend.X`` and ``self.backend.X``."""
    from tests.conftest import ROOT

    return _attributes_read([ROOT / "searchkit" / rel for rel in CALLERS], "backend")


def _declared() -> set[str]:
    from searchkit.backends.base import Backend

    return {n for n in vars(Backend) if not n.startswith("_")} | set(Backend.__annotations__)


def test_the_protocol_declares_every_member_its_callers_use() -> None:
    used = _used_members()
    assert {"search", "fetch", "knn", "count"} <= used  # the scan finds the calls
    assert used - _declared() == set()


@pytest.mark.parametrize("module, name", [("searchkit.backends.opensearch", "OpenSearchBackend"), ("searchkit.backends.whoosh", "WhooshBackend")])
def test_both_backends_have_every_member_of_the_protocol(module: str, name: str) -> None:
    import importlib
    import inspect

    cls = getattr(importlib.import_module(module), name)
    init = inspect.getsource(cls.__init__)
    missing = {m for m in _declared() if not hasattr(cls, m) and f"self.{m} " not in init and f"self.{m}:" not in init}
    assert missing == set()


# -- the same for the engines: what the library asks of one, both have --------------------
def _engine_members_used() -> set[str]:
    """Every attribute the library reads on an engine: ``self._engine.X`` in api.py and
    ``engine.X`` in workflow/."""
    from tests.conftest import ROOT

    workflow = sorted((ROOT / "searchkit" / "workflow").glob("*.py"))
    return _attributes_read([ROOT / "searchkit" / "api.py"], "_engine") | _attributes_read(workflow, "engine")


def test_the_engine_protocol_declares_what_the_library_uses_and_both_engines_have_it() -> None:
    from searchkit.backends.engine import BackendEngine
    from searchkit.search.engine import Engine
    from searchkit.search.protocol import SearchEngine

    declared = {n for n in vars(SearchEngine) if not n.startswith("_")} | set(SearchEngine.__annotations__)
    used = _engine_members_used()
    assert {"search", "co_mentions", "date_counts"} <= used  # the scan finds the calls
    assert used - declared == set()
    for cls in (Engine, BackendEngine):
        assert {m for m in declared if not hasattr(cls, m)} == set(), cls.__name__
