"""Our own parser (search/parse.py) compiles to exactly the Whoosh query the Whoosh
qparser built before it (tests/support/legacy_qparser.py): rankings do not move.

bench/parser_equivalence.py checks it on thousands of real and generated queries against
a real index; these few run without one (a stub resolver stands for the facet vocabulary).
"""
from __future__ import annotations

import subprocess
import sys

import pytest
from whoosh import query as Q

from searchkit.errors import SearchkitError
from searchkit.index.schema import build_schema
from searchkit.search.compile_whoosh import compile_whoosh, to_whoosh
from searchkit.search.parse import parse_query
from tests.support.legacy_qparser import build_query
from searchkit.search.tree import FacetTerms

SCHEMA = build_schema()
SPELLINGS = {"person": [("person", "Kazimi"), ("person", "Mustafa al-Kazimi"), ("org", "KAZIMI")], "place": [("place", "Bagdad")]}


class Stub:
    """Both resolvers' faces over one small vocabulary."""

    def _pairs(self, field: str, value: str) -> list[tuple[str, str]]:
        if field in ("published", "mentioned"):
            return [(field, value)]
        return SPELLINGS.get(field, [(field, "\x00nothing")])

    def facet_query(self, field: str, value: str) -> Q.Query:
        pairs = self._pairs(field, value)
        return Q.Or([Q.Term(f, v) for f, v in pairs]) if len(pairs) > 1 else Q.Term(*pairs[0])

    def facet_terms(self, field: str, value: str) -> FacetTerms:
        return FacetTerms(tuple(self._pairs(field, value)))


QUERIES = [
    "roquettes Bagdad", "Qu'est-ce que la médiation familiale ?", "L’État-major d'Irak", "États-Unis^2 roquettes",
    '"zone verte"~3 titre:roquettes', "personne:Kazimi SAUF lieu:Bagdad", "roquettes date:2020-11", "roquettes OR NOT bagdad",
    "(roquettes OR bagdad) ET NOT zone", "kadhimi~2 aéro* l'avi*", "x~1/5 x~1/6", "titre:* a (*) b", "*:* roquettes",
    "a ANDMAYBE b", "a REQUIRE b", "NOT NOT a", "le la les", "être ou ne pas être", "titr:Bagdad", "mot~9", "roquettes ET",
    '"Monde', "(((", "déclaré:Le président", "(roquettes bagdad)^2 OR zone", "'zone verte' l’", "a\\*b ab\\*",
    "(" * 400 + "roquettes" + ")" * 400,
]


def _outcome(fn):  # type: ignore[no-untyped-def]
    try:
        return "ok", fn()
    except SearchkitError as exc:
        return type(exc).__name__, (exc.message, exc.hint)


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("text", QUERIES)
def test_the_tree_compiles_to_the_whoosh_query_of_build_query(text: str, strict: bool) -> None:
    kind_old, old = _outcome(lambda: build_query(text, SCHEMA, Stub(), strict=strict))
    kind_new, new = _outcome(lambda: parse_query(text, Stub(), strict=strict))
    assert kind_new == kind_old
    if kind_old != "ok":
        assert new == old
        return
    assert compile_whoosh(new.tree) == old.query.normalize()
    assert to_whoosh(new.tree) == old.query  # not even normalisation is needed
    assert new.notices == old.notices


def test_the_parser_does_not_import_whoosh() -> None:
    code = ("import sys, searchkit.search.parse, searchkit.search.resolve; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'whoosh'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_brackets_are_text_not_term_ranges() -> None:
    """The one deliberate difference: Whoosh read "[photos]" as the term range pho..s."""
    tree = parse_query("[photos] x", None, strict=False).tree
    assert compile_whoosh(tree) == Q.Or([Q.Term("title", "photos"), Q.Term("body", "photos"), Q.Term("title", "x"), Q.Term("body", "x")])


def test_the_parser_knows_the_index_fields() -> None:
    """``name:`` is a field only if the index has it (else it is text, as Whoosh read it):
    the parser's list, kept without importing Whoosh, is the schema's."""
    from searchkit.search.parse import SCHEMA_FIELDS

    assert SCHEMA_FIELDS == frozenset(SCHEMA.names())
