"""Query strings -> Whoosh queries, with French operators, field names and checks.

The user language is Whoosh's (AND/OR/NOT, "phrases", field:value, wildcards,
fuzzy ``~``) plus French operators ET/OU/SAUF and French field names
(titre, personne, lieu, date...). Plain words go to the stemmed title and body,
each word an OR of its index terms (the stem as written and the stem without
accents, see analysis.py); phrases, fuzzy terms and wildcards go to the unstemmed
``*_exact`` fields. Facet fields (actors, dates) are resolved by a ``FacetResolver``
against the index's own values. Malformed input raises ``QueryError`` with a hint.
"""
from __future__ import annotations

import re
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

from searchkit.analysis import exact_analyzer, fold, french_analyzer, normalize_apostrophes
from searchkit.errors import QueryError
from searchkit.schema import ACTOR_FIELDS, DATE_FIELDS

__all__ = ["FIELD_ALIASES", "FacetResolver", "build_query", "check_syntax", "canonical_field"]

TEXT_FIELDS = ("title", "body")
FACET_NAMES = frozenset(ACTOR_FIELDS + DATE_FIELDS)
# French and English names users may type before a colon.
FIELD_ALIASES: dict[str, str] = {
    "title": "title", "titre": "title",
    "body": "body", "texte": "body", "text": "body", "corps": "body",
    "actor": "actor", "acteur": "actor", "actors": "actor", "acteurs": "actor",
    "person": "person", "personne": "person", "people": "person", "personnes": "person",
    "org": "org", "organisation": "org", "organization": "org", "orga": "org",
    "place": "place", "lieu": "place", "lieux": "place", "loc": "place",
    "published": "published", "date": "published", "publie": "published", "publié": "published",
    "mentioned": "mentioned", "mentionne": "mentioned", "mentionné": "mentioned", "mention": "mentioned",
    "id": "id",
}
_FIELDS_HINT = "known fields: titre, texte, personne, org, lieu, acteur, date, mentionne"
# AND boost: articles with every word come first, the others still follow.
ALL_WORDS_BOOST = 1000.0
# Whoosh builds a Levenshtein automaton per fuzzy term: its size explodes with the
# distance (``mot~9`` never finishes), and beyond 2 edits nothing useful matches.
MAX_FUZZY_DISTANCE = 2
# Longer queries are pasted documents, not questions: each unknown word costs a
# spelling lookup, so a 10,000-character query took 15 s on a 3,000-article index.
MAX_QUERY_CHARS = 1000

_FRENCH = french_analyzer()
_EXACT = exact_analyzer()


class FacetResolver(Protocol):
    """Turns a facet value as typed ("Kazimi", "2020-12") into index terms."""

    def facet_query(self, field: str, value: str) -> Q.Query: ...


def canonical_field(name: str) -> str | None:
    return FIELD_ALIASES.get(name.lower()) or FIELD_ALIASES.get(fold(name.lower()))


_FIELD_REF = re.compile(r"(?<![\w\"])([^\W\d_][\w-]*):(?=(\S)?)")
_OPERATOR = re.compile(r"^(AND|OR|NOT|ET|OU|SAUF|ANDNOT|ANDMAYBE)$")


def check_syntax(text: str) -> None:
    """Raise ``QueryError`` for what Whoosh would silently misread."""
    if not text.strip():
        raise QueryError("empty query", hint='type some words, e.g.  searchkit search "roquettes Bagdad"')
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the query is too long ({len(text)} characters, at most {MAX_QUERY_CHARS})",
            hint="keep the words that matter most",
        )
    if text.count('"') % 2:
        raise QueryError('unclosed quote in the query', hint='close the phrase with a second "  (e.g. "zone verte")')
    # A quoted phrase stands as one word: `date:"décembre 2020"` has its value.
    outside = re.sub(r'"[^"]*"', "Q", text)
    depth = 0
    for ch in outside:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            raise QueryError("a ')' closes nothing", hint="remove it or add the matching '('")
    if depth:
        raise QueryError("unbalanced parentheses: a '(' is not closed", hint="add the matching ')'")
    for m in _FIELD_REF.finditer(outside):
        name, following = m.group(1), m.group(2)
        if canonical_field(name) is None:
            if name.lower() in ("http", "https"):
                continue
            raise QueryError(f"unknown field '{name}:'", hint=f"{_FIELDS_HINT} (or quote the text)")
        if following is None or following in ")":
            raise QueryError(f"'{name}:' needs a value", hint=f"e.g. {name}:Bagdad or {name}:\"zone verte\"")
    words = [w for w in re.split(r"[\s()]+", outside) if w]
    plain = [w for w in words if not _OPERATOR.match(w)]
    if not plain and not re.search(r'"[^"]*\w[^"]*"', text):
        raise QueryError("the query has operators but nothing to search", hint="put words around AND/OR/NOT, e.g.  roquettes AND Bagdad")
    if words and _OPERATOR.match(words[-1]) or (words and words[0] in ("AND", "OR", "ET", "OU", "ANDNOT", "ANDMAYBE")):
        raise QueryError(f"'{words[-1] if _OPERATOR.match(words[-1]) else words[0]}' needs a word on each side", hint="e.g.  roquettes AND Bagdad")


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
        return self.resolver.facet_query(fieldname, text)

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
            word = re.sub(r"^(?:[lmtnsjdc]|qu|jusqu|quoiqu|lorsqu|puisqu)'", "", word)
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
    """One typed word: an OR of the terms at each position, ANDed across positions
    (a hyphenated word like "États-Unis" gives two positions)."""
    positions: dict[int, list[str]] = {}
    for t in _FRENCH(text, positions=True):
        positions.setdefault(t.pos, [])
        if t.text not in positions[t.pos]:
            positions[t.pos].append(t.text)
    if not positions:
        return None
    parts = [
        Q.Term(fieldname, terms[0], boost=boost) if len(terms) == 1 else Q.Or([Q.Term(fieldname, x) for x in terms], boost=boost)
        for _, terms in sorted(positions.items())
    ]
    return parts[0] if len(parts) == 1 else Q.And(parts)


def _rewrite_fields(text: str) -> str:
    """French field names -> schema names, outside quotes; drop lone ``?``/``*``
    (a question mark ends natural questions, it is not a wildcard)."""
    parts = re.split(r'("[^"]*")', text)
    for i in range(0, len(parts), 2):
        seg = _FIELD_REF.sub(lambda m: (canonical_field(m.group(1)) or m.group(1)) + ":", parts[i])
        parts[i] = re.sub(r"(?<!\S)[?*]+(?!\S)", " ", seg)
    return "".join(parts)


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


def build_query(text: str, schema: Any, resolver: FacetResolver | None) -> Q.Query:
    """Parse ``text``; several plain words rank articles with all of them first."""
    from whoosh.qparser import AndGroup

    check_syntax(text)
    text = _rewrite_fields(normalize_apostrophes(text))
    q_any = _require_facets(_lift_nots(_parse(FrenchQueryParser(schema, resolver, group=OrGroup), text)))
    _raise_parse_errors(q_any)
    if q_any is Q.NullQuery:
        raise QueryError("nothing to search: the query has only stop words", hint="add a content word (stop words such as 'le', 'de', 'les' are ignored)")
    q_all = _parse(FrenchQueryParser(schema, resolver, group=AndGroup), text)
    _raise_parse_errors(q_all)
    if q_all == q_any or q_all is Q.NullQuery:
        return q_any
    q_all = q_all.copy()
    q_all.boost = ALL_WORDS_BOOST
    return Q.Or([q_all, q_any])


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
        raise QueryError(
            f"cannot read the query ({type(exc).__name__})",
            hint="check quotes, parentheses, operators and field:value pairs",
        ) from None


def _raise_parse_errors(q: Q.Query) -> None:
    for sub in _walk(q):
        error = getattr(sub, "error", None)
        if error:
            raise QueryError(f"cannot read the query ({error})", hint="check quotes, parentheses and field:value pairs")
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
