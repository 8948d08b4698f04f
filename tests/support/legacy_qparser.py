"""The query parser searchkit had before its own (``search/parse.py``): Whoosh's qparser
with our French plugins, building Whoosh queries. Kept here, unchanged but for this
docstring and ``WhooshFacets``, as the reference the new parser is held to: on every
realistic query, ``compile_whoosh(parse_query(...).tree)`` must equal what this gave,
so that rankings do not move (tests/test_parse_tree.py, bench/parser_equivalence.py).
The one deliberate difference: brackets are text, not Whoosh term ranges.

Its original docstring:

Query strings -> Whoosh queries, with French operators, field names and checks.
The user language is Whoosh's (AND/OR/NOT, "phrases", field:value, wildcards,
fuzzy ``~``) plus French operators ET/OU/SAUF and French field names
(titre, personne, lieu, date...). Plain words go to the stemmed title and body,
each word the best of its index terms (the stem as written and the stem without
accents, see text/analysis.py); phrases, fuzzy terms and wildcards go to the unstemmed
``*_exact`` fields. Facet fields (actors, dates) are resolved by a ``FacetResolver``
against the index's own values. Malformed input raises ``QueryError`` with a hint;
a lenient parse (``strict=False``, the default of searches) first reads what cannot
be syntax as plain words (relax.py) and reports it as notices.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Protocol

from whoosh import query as Q
from whoosh.qparser import (
    FuzzyTermPlugin,
    GtLtPlugin,
    MultifieldPlugin,
    OperatorsPlugin,
    QueryParser,
    OrGroup,
    PhrasePlugin,
)

from searchkit.text.analysis import exact_analyzer, fold, french_analyzer, normalize_apostrophes
from searchkit.text.normalize import strip_elision
from searchkit.errors import QueryError, QuerySyntaxError
from searchkit.search.parse import check_syntax, rewrite_fields  # shared: they read the text before either parser
from searchkit.search.relax import plain_words, relax
from searchkit.vocab import (
    ACTOR_FIELDS,
    DATE_FIELDS,
    FIELD_ALIASES,
    FIELDS_HINT as _FIELDS_HINT,
    TEXT_FIELDS,
    canonical_field,
)

__all__ = ["FIELD_ALIASES", "FacetResolver", "ParsedQuery", "WhooshFacets", "build_query", "check_syntax", "canonical_field"]

FACET_NAMES = frozenset(ACTOR_FIELDS + DATE_FIELDS)
# Whoosh builds a Levenshtein automaton per fuzzy term: its size explodes with the
# distance (``mot~9`` never finishes), and beyond 2 edits nothing useful matches.
MAX_FUZZY_DISTANCE = 2

_FRENCH = french_analyzer()
_EXACT = exact_analyzer()


class FacetResolver(Protocol):
    """Turns a facet value as typed ("Kazimi", "2020-12") into index terms."""

    def facet_query(self, field: str, value: str) -> Q.Query: ...


class WhooshFacets:
    """A tree resolver (``facet_terms``) as this parser's ``FacetResolver``: the Whoosh
    query the engine's resolver gave before (a Term, or an Or of Terms)."""

    def __init__(self, resolver: Any) -> None:
        self.resolver = resolver

    def facet_query(self, field: str, value: str) -> Q.Query:
        pairs = self.resolver.facet_terms(field, value).terms
        return Q.Term(*pairs[0]) if len(pairs) == 1 else Q.Or([Q.Term(f, v) for f, v in pairs])





class _FrenchPhrasePlugin(PhrasePlugin):
    """Phrases on the unstemmed fields; a quoted facet value goes to the resolver."""

    class PhraseNode(PhrasePlugin.PhraseNode):
        def query(self, parser: Any) -> Q.Query:
            fieldname = self.fieldname or parser.fieldname
            return parser.phrase_query(fieldname, self.text, self.slop, self.boost)

    class PhraseTagger(PhrasePlugin.PhraseTagger):
        def create(self, parser: Any, match: Any) -> Any:
            slopstr = match.group("slop")
            return _FrenchPhrasePlugin.PhraseNode(match.group("text"), match.start("text"), int(slopstr) if slopstr else 1)

    def taggers(self, parser: Any) -> list[Any]:
        return [(self.PhraseTagger(self.expr), 0)]


class FrenchQueryParser(QueryParser):
    """A MultifieldParser that knows our analyzers, fields and facet resolver."""

    def __init__(self, schema: Any, resolver: FacetResolver | None, group: Any = OrGroup) -> None:
        super().__init__(None, schema, group=group)
        self.add_plugin(MultifieldPlugin(list(TEXT_FIELDS)))
        self.resolver = resolver
        self.remove_plugin_class(PhrasePlugin)
        self.add_plugin(_FrenchPhrasePlugin())
        self.add_plugin(FuzzyTermPlugin())
        self.remove_plugin_class(GtLtPlugin)
        self.replace_plugin(
            OperatorsPlugin(
                And=r"(?<=\s)(?:AND|ET)(?=\s)",
                Or=r"(?<=\s)(?:OR|OU)(?=\s)",
                Not=r"(^|(?<=(\s|[()])))(?:NOT|SAUF)(?=\s)",
                AndNot=r"(?<=\s)ANDNOT(?=\s)",
            )
        )

    def _facet(self, fieldname: str, text: str) -> Q.Query:
        if self.resolver is None:
            raise QueryError(f"'{fieldname}:' needs an index to resolve", hint="run `searchkit index` first")
        q = self.resolver.facet_query(fieldname, text)
        # The spellings of one actor (or the days of one range) are one clause: a plain
        # Or would be flattened into the query's top-level Or by Whoosh's normalize(),
        # and _require_facets would then demand every spelling at once.
        return Q.DisjunctionMax(list(q.subqueries), boost=q.boost) if type(q) is Q.Or else q

    def term_query(self, fieldname: str, text: str, termclass: Any, boost: float = 1.0, tokenize: bool = True, removestops: bool = True) -> Q.Query | None:  # type: ignore[override]
        fieldname = canonical_field(fieldname) or fieldname
        if fieldname in ACTOR_FIELDS or fieldname in DATE_FIELDS:
            return self._facet(fieldname, text)
        if fieldname == "id":
            return Q.Term("id", text, boost=boost)
        if fieldname not in TEXT_FIELDS:
            raise QueryError(f"unknown field '{fieldname}:'", hint=_FIELDS_HINT)
        if termclass is Q.Term:
            return _word_query(fieldname, text, boost)
        # Fuzzy terms, wildcards, prefixes: on the unstemmed, folded field.
        exact = fieldname + "_exact"
        word = fold(normalize_apostrophes(text).lower())
        if termclass is Q.FuzzyTerm:
            toks = [t.text for t in _EXACT(text)]
            if not toks:
                # Whoosh sets ``maxdist`` on what we return: None would crash it.
                raise QueryError(f"'{text}~' has no word to match approximately", hint="put ~ right after a word, e.g. kadhimi~2")
            word = toks[-1]
        else:
            word = strip_elision(word)
        return termclass(exact, word, boost=boost)

    def phrase_query(self, fieldname: str, text: str, slop: int, boost: float) -> Q.Query:
        fieldname = canonical_field(fieldname) or fieldname
        if fieldname in ACTOR_FIELDS or fieldname in DATE_FIELDS:
            return self._facet(fieldname, text)
        if fieldname not in TEXT_FIELDS:
            raise QueryError(f"unknown field '{fieldname}:'", hint=_FIELDS_HINT)
        words = [t.text for t in _EXACT(text)]
        if not words:
            return Q.NullQuery
        if len(words) == 1:
            return Q.Term(fieldname + "_exact", words[0], boost=boost)
        return Q.Phrase(fieldname + "_exact", words, slop=slop, boost=boost)


def _word_query(fieldname: str, text: str, boost: float) -> Q.Query | None:
    """One typed word: its terms at each position, ANDed across positions (a
    hyphenated word like "États-Unis" gives two positions).

    The twin terms of one position (the stem as written and the stem without
    accents, see text/analysis.py) are one word, not two: an article that has both must
    not score twice, so they combine by maximum (DisjunctionMax), not by sum. Summed,
    accented words weighed double against plain ones, which cost 0.01 MRR@10 on the
    PIAF question sets (bench/ranking.py)."""
    positions: dict[int, list[str]] = {}
    for t in _FRENCH(text, positions=True):
        positions.setdefault(t.pos, [])
        if t.text not in positions[t.pos]:
            positions[t.pos].append(t.text)
    if not positions:
        return None
    parts = [
        Q.Term(fieldname, terms[0], boost=boost) if len(terms) == 1 else Q.DisjunctionMax([Q.Term(fieldname, x) for x in terms], boost=boost)
        for _, terms in sorted(positions.items())
    ]
    if len(parts) == 1:
        # The word as typed, for a backend whose index has its own stemmer (OpenSearch:
        # Lucene's Snowball differs from PyStemmer on 0.19% of words, see backends/base.py).
        for leaf in parts[0].leaves():
            leaf.typed = text
    return parts[0] if len(parts) == 1 else Q.And(parts)


def _lift_nots(q: Q.Query) -> Q.Query:
    """``a OR NOT b`` as the OR group reads ``a SAUF b`` -> ``a ANDNOT b``."""
    if isinstance(q, Q.Or):
        subs = [_lift_nots(s) for s in q.subqueries]
        negs = [s.query for s in subs if isinstance(s, Q.Not)]
        pos = [s for s in subs if not isinstance(s, Q.Not)]
        if negs and pos:
            base = pos[0] if len(pos) == 1 else Q.Or(pos, boost=q.boost)
            return Q.AndNot(base, negs[0] if len(negs) == 1 else Q.Or(negs))
        return Q.Or(subs, boost=q.boost)
    if isinstance(q, Q.And):
        return Q.And([_lift_nots(s) for s in q.subqueries], boost=q.boost)
    return q


def _require_facets(q: Q.Query) -> Q.Query:
    """``roquettes date:2020-11``: a facet clause narrows, it is not one more OR-ed word."""
    if not isinstance(q, Q.Or):
        return q
    facet = [s for s in q.subqueries if s.leaves() and all(leaf.field() in FACET_NAMES for leaf in s.leaves())]
    rest = [s for s in q.subqueries if s not in facet]
    if not facet or not rest:
        return q
    words = rest[0] if len(rest) == 1 else Q.Or(rest)
    return Q.And([words, *facet], boost=q.boost)


@dataclass(frozen=True)
class ParsedQuery:
    """A parsed query and how a lenient reading changed the text (empty when strict)."""

    query: Q.Query
    notices: tuple[str, ...] = ()


def build_query(text: str, schema: Any, resolver: FacetResolver | None, *, strict: bool = True) -> ParsedQuery:
    """Parse ``text``; words rank by BM25F relevance, any of them may match.

    ``strict=False`` reads free text the way a person means it: syntax that cannot
    be meant (an unclosed quote, a stray operator or parenthesis) becomes plain words,
    and a query of stop words alone is searched as written on the unstemmed fields.
    Each reinterpretation is a notice. Real errors (an unknown field with a value, an
    invalid date, ``~9``) raise in both modes.

    There is no "every word first" boost: on natural questions it ranked worse
    (PIAF dev sets, -0.033 MRR@10 on service-public) -- BM25 already prefers articles
    with more of the words, and a question must not demand all of them.
    """
    notices: list[str] = []
    if not strict:
        relaxed = relax(text)
        text, notices = relaxed.text, relaxed.notices
    if not strict and not plain_words(text).strip():
        # "(((" or "??": nothing a person could mean is left. No hits, not an error.
        return ParsedQuery(Q.NullQuery, (*notices, "nothing left to search: the query has no word"))
    try:
        q = _build(text, schema, resolver)
    except QuerySyntaxError:
        if strict:
            raise
        # Last resort: every syntax character and operator as a plain word.
        text = plain_words(text)
        notices.append("the query's punctuation could not be read as syntax: searched as plain words")
        q = _build(text, schema, resolver) if text.strip() else Q.NullQuery
    if q is Q.NullQuery:
        if strict:
            raise QueryError("nothing to search: the query has only stop words", hint="add a content word (stop words such as 'le', 'de', 'les' are ignored)")
        q = _stop_word_query(text)
        notices.append("only stop words: searched as written, on the unstemmed text" if q is not Q.NullQuery else "nothing left to search: the query has no word")
    return ParsedQuery(q, tuple(notices))


# One parser per thread and schema, reused: building Whoosh's parser and its plugins
# cost about a third of parsing a short query. Only ``resolver`` changes between uses.
_PARSERS = threading.local()


def _parser(schema: Any, resolver: FacetResolver | None) -> FrenchQueryParser:
    cached = getattr(_PARSERS, "by_schema", None)
    if cached is None:
        cached = _PARSERS.by_schema = {}
    entry = cached.get(id(schema))
    if entry is None or entry[0] is not schema:  # an id reused by a new schema
        cached.clear()  # one index at a time, usually: do not keep old schemas alive
        entry = cached[id(schema)] = (schema, FrenchQueryParser(schema, None, group=OrGroup))
    parser = entry[1]
    parser.resolver = resolver
    return parser


def _build(text: str, schema: Any, resolver: FacetResolver | None) -> Q.Query:
    check_syntax(text)
    text = rewrite_fields(normalize_apostrophes(text))
    q = _require_facets(_lift_nots(_parse(_parser(schema, resolver), text)))
    _raise_parse_errors(q)
    return q


def _stop_word_query(text: str) -> Q.Query:
    """``être ou ne pas être``: the unstemmed fields keep stop words. The phrase ranks
    first; articles with all the words follow."""
    words = [t.text for t in _EXACT(plain_words(text))]
    if not words:
        return Q.NullQuery
    per_word = [Q.Or([Q.Term(f + "_exact", w) for f in TEXT_FIELDS]) for w in dict.fromkeys(words)]
    if len(words) == 1:
        return per_word[0]
    phrases = [Q.Phrase(f + "_exact", words, slop=1, boost=10.0) for f in TEXT_FIELDS]
    return Q.Or([*phrases, Q.And(per_word)])


def _parse(parser: FrenchQueryParser, text: str) -> Q.Query:
    """``parser.parse(text)``, with Whoosh's own failures turned into a ``QueryError``.

    Whoosh's parser has corner cases that raise instead of returning an error node
    (an operator group left with nothing in it raises IndexError, found by fuzzing):
    to the user these are malformed queries, not crashes.
    """
    try:
        return parser.parse(text)
    except QueryError:
        raise
    except (AssertionError, AttributeError, IndexError, KeyError, TypeError, ValueError, RecursionError) as exc:
        raise QuerySyntaxError(
            f"cannot read the query ({type(exc).__name__})",
            hint="check quotes, parentheses, operators and field:value pairs",
        ) from None


def _raise_parse_errors(q: Q.Query) -> None:
    for sub in _walk(q):
        error = getattr(sub, "error", None)
        if error:
            raise QuerySyntaxError(f"cannot read the query ({error})", hint="check quotes, parentheses and field:value pairs")
        if isinstance(sub, Q.FuzzyTerm):
            if sub.maxdist > MAX_FUZZY_DISTANCE:
                raise QueryError(
                    f"fuzzy distance ~{sub.maxdist} is too large (at most ~{MAX_FUZZY_DISTANCE})",
                    hint=f"e.g. {sub.text}~2",
                )
            # ``mot~/9``: a required prefix longer than the word makes Whoosh's
            # automaton index past its end (IndexError, found by fuzzing).
            sub.prefixlength = min(sub.prefixlength, len(sub.text))


def _walk(q: Q.Query) -> Any:
    yield q
    for child in q.children():
        yield from _walk(child)
