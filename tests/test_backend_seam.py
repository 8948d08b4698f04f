"""The query tree our parser makes (search/parse, search/tree), as the backends take it;
and the backend protocols declare what their callers use."""
from __future__ import annotations

import pytest

from searchkit.search.parse import parse_query
from searchkit.search.tree import And, AndNot, FacetTerms, Fuzzy, MatchAll, MatchNone, Not, Or, Phrase, Wildcard, Word, leaves


def tree(text: str, resolver=None):
    return parse_query(text, resolver, strict=False).tree


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
    def facet_terms(self, field, value):
        return FacetTerms(((field, value.upper()),))


def test_facet_values_become_facet_terms() -> None:
    t = tree("roquettes personne:Kazimi", _Resolver())
    assert isinstance(t, And) and FacetTerms((("person", "KAZIMI"),)) in t.children


def test_nothing_and_everything(seeds_kit) -> None:
    assert tree("le la les") != MatchNone()  # stop words alone: searched as written
    assert tree("((( ") == MatchNone()
    assert seeds_kit._engine.parse("*").tree == seeds_kit._engine.parse("").tree == MatchAll()


def test_an_actor_spelt_two_ways_is_one_clause(seeds_kit) -> None:
    """"Bagdad personne:Kadhimi": the two spellings of al-Kazimi are OR-ed, not both required
    (Whoosh's normalize() used to flatten them into the query's top-level clauses)."""
    by_facet = {h.id[:3] for h in seeds_kit.search("personne:Kadhimi").hits}
    assert by_facet == {"001", "004"}
    assert {h.id[:3] for h in seeds_kit.search("Bagdad personne:Kadhimi").hits} == by_facet
    t = seeds_kit._engine.parse("Bagdad personne:Kadhimi").tree  # what the engine hands a backend
    assert isinstance(t, And) and any(isinstance(c, FacetTerms) and len(c.terms) == 2 for c in t.children)


# -- the protocol declares what callers use, and both backends have it -------------------
# Who uses the primitives: the generic operations (on ``self``), the semantic modes, the
# analyst's queries, the ingest and the runs (on ``backend``).
CALLERS = ("backends/meaning.py", "backends/analyst.py", "backends/ingest.py", "runs.py")


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
    """Every primitive the callers read on a backend: ``backend.X`` and ``self.backend.X``,
    and ``self.X`` in the generic operations that they do not define themselves."""
    from searchkit.backends.operations import ProtocolOperations
    from tests.conftest import ROOT

    own = {n for n in vars(ProtocolOperations) if not n.startswith("__")} - set(ProtocolOperations.__annotations__)
    on_self = _attributes_read([ROOT / "searchkit" / "backends" / "operations.py"], "self") - own
    return (_attributes_read([ROOT / "searchkit" / rel for rel in CALLERS], "backend") | on_self) - own


def _declared() -> set[str]:
    from searchkit.backends.base import Backend

    return {n for n in vars(Backend) if not n.startswith("_")} | set(Backend.__annotations__)


def test_the_protocol_declares_every_member_its_callers_use() -> None:
    used = _used_members()
    assert {"search", "fetch", "knn", "count", "vocabulary", "value_counts"} <= used  # the scan finds the calls
    assert used - _declared() == set()


def _has(cls: type, members: set[str]) -> set[str]:
    """The members ``cls`` lacks (an attribute set in ``__init__`` counts)."""
    import inspect

    init = inspect.getsource(cls.__init__)
    return {m for m in members if not hasattr(cls, m) and f"self.{m} " not in init and f"self.{m}:" not in init}


BACKENDS = [("searchkit.backends.opensearch", "OpenSearchBackend"), ("searchkit.backends.whoosh", "WhooshBackend")]


# The Whoosh backend gets the tree primitives only with ``TreeQueries`` (off the search path).
@pytest.mark.parametrize("module, name", [BACKENDS[0], ("searchkit.backends.whoosh_tree", "WhooshTreeBackend")])
def test_both_backends_have_every_member_of_the_protocol(module: str, name: str) -> None:
    import importlib

    assert _has(getattr(importlib.import_module(module), name), _declared()) == set()


# -- the one engine: what it asks of a backend, both have ------------------------------
def _engine_asks() -> set[str]:
    """Every attribute the engine reads on its backend: ``self.backend.X`` and ``backend.X``."""
    from tests.conftest import ROOT

    return _attributes_read([ROOT / "searchkit" / "search" / "engine.py"], "backend")


@pytest.mark.parametrize("module, name", BACKENDS)
def test_the_search_backend_protocol_declares_what_the_engine_asks_and_both_backends_have_it(module: str, name: str) -> None:
    import importlib

    from searchkit.search.protocol import SearchBackend

    declared = {n for n in vars(SearchBackend) if not n.startswith("_")} | set(SearchBackend.__annotations__)
    asked = _engine_asks()
    assert {"rank", "similar", "co_mentions", "date_counts", "pinned"} <= asked  # the scan finds the calls
    assert asked - declared == set()
    assert _has(getattr(importlib.import_module(module), name), declared) == set()


def test_there_is_one_engine() -> None:
    """No second engine class: the runs open ``search.Engine`` on either backend."""
    import importlib
    import pkgutil

    import searchkit

    engines = []
    for info in pkgutil.walk_packages(searchkit.__path__, "searchkit."):
        if info.name.startswith(("searchkit.ui", "searchkit.web", "searchkit.testing")) or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        engines += [f"{info.name}.{n}" for n, v in vars(module).items()
                    if isinstance(v, type) and v.__module__ == info.name and n.endswith("Engine")]
    assert engines == ["searchkit.search.engine.Engine"]
