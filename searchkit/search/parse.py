"""Query strings -> the query tree (``search/tree.py``), with French operators, field
names, checks and the lenient reading of pasted text.

What it is for: searchkit's query language read by our own parser, for every backend.
The language is the one searchkit read with Whoosh's qparser before (AND/OR/NOT and
ET/OU/SAUF, "phrases"~N, field:value with French field names, wildcards, fuzzy ``~N``,
``^boost``, parentheses; any word may match): ``syntax.py`` tokenises and groups,
``leaves.py`` analyses each word, and this module adds the rest of the language:
the syntax checks and their hints, ``a SAUF b`` as AND NOT, facet clauses that narrow,
the fuzzy limits, the lenient reading (relax.py) and the stop-word fallback. The tree it
gives compiles (``compile_whoosh.py``) to exactly the Whoosh query the Whoosh qparser gave
(tests/support/legacy_qparser.py; bench/parser_equivalence.py checks it on every
realistic query, tests/test_parse_tree.py on a few).

What it must NOT do: import Whoosh, or search.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Collection

from searchkit.errors import QueryError, QuerySyntaxError
from searchkit.search import syntax as S
from searchkit.search.leaves import FacetResolver, phrase_leaf, term_leaf
from searchkit.search.relax import plain_words, relax
from searchkit.search.tree import (
    And, AndMaybe, AndNot, Fuzzy, MatchAll, MatchNone, Node, Not, Or, Phrase, Require, Word, children, leaf_fields,
    leaves, normalize,
)
from searchkit.text.normalize import normalize_apostrophes
from searchkit.text.terms import exact_words
from searchkit.vocab import (
    ACTOR_FIELDS, BINARY_OPERATORS, DATE_FIELDS, FIELDS_HINT, MAX_QUERY_CHARS, OPERATORS, TEXT_FIELDS, canonical_field,
)

__all__ = ["SCHEMA_FIELDS", "ParsedTree", "check_syntax", "parse_query", "rewrite_fields"]

FACET_NAMES = frozenset(ACTOR_FIELDS + DATE_FIELDS)
# The fields of a searchkit index (index/schema.py): ``name:`` for another name is text.
SCHEMA_FIELDS = frozenset({
    "id", "source", "path", "digest", "title", "body", "title_exact", "body_exact", "published", "mentioned",
    "date_key", "actor", "person", "org", "place", "acronym", "meta",
})
# A Levenshtein automaton's size explodes with the distance; beyond 2 nothing useful matches.
MAX_FUZZY_DISTANCE = 2
_FIELD_REF = re.compile(r"(?<![\w\"])([^\W\d_][\w-]*):(?=(\S)?)")
_READ_ERRORS = (AssertionError, AttributeError, IndexError, KeyError, TypeError, ValueError, RecursionError)


@dataclass(frozen=True)
class ParsedTree:
    """A parsed query and how a lenient reading changed the text (empty when strict)."""

    tree: Node
    notices: tuple[str, ...] = ()


def check_syntax(text: str) -> None:
    """Raise ``QueryError`` for what the parser would silently misread."""
    if not text.strip():
        raise QueryError("empty query", hint='type some words, e.g.  searchkit search "roquettes Bagdad"')
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is too long ({len(text)} characters, at most {MAX_QUERY_CHARS})",
                         hint="keep the words that matter most")
    if text.count('"') % 2:
        raise QuerySyntaxError('unclosed quote in the query', hint='close the phrase with a second "  (e.g. "zone verte")')
    # A quoted phrase stands as one word; "0", not a letter: a phrase followed by a colon
    # must not read as a field name.
    outside = re.sub(r'"[^"]*"', "0", text)
    depth = 0
    for ch in outside:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            raise QuerySyntaxError("a ')' closes nothing", hint="remove it or add the matching '('")
    if depth:
        raise QuerySyntaxError("unbalanced parentheses: a '(' is not closed", hint="add the matching ')'")
    _check_fields(outside)
    words = [w for w in re.split(r"[\s()]+", outside) if w]
    if not [w for w in words if w not in OPERATORS] and not re.search(r'"[^"]*\w[^"]*"', text):
        raise QuerySyntaxError("the query has operators but nothing to search", hint="put words around AND/OR/NOT, e.g.  roquettes AND Bagdad")
    if words and words[-1] in OPERATORS or (words and words[0] in BINARY_OPERATORS):
        raise QuerySyntaxError(f"'{words[-1] if words[-1] in OPERATORS else words[0]}' needs a word on each side", hint="e.g.  roquettes AND Bagdad")


def _check_fields(outside: str) -> None:
    for m in _FIELD_REF.finditer(outside):
        name, following = m.group(1), m.group(2)
        if canonical_field(name) is None:
            if name.lower() in ("http", "https"):
                continue
            raise QueryError(f"unknown field '{name}:'", hint=f"{FIELDS_HINT} (or quote the text)")
        if following is None or following in ")":
            raise QuerySyntaxError(f"'{name}:' needs a value", hint=f"e.g. {name}:Bagdad or {name}:\"zone verte\"")


def rewrite_fields(text: str) -> str:
    """French field names -> schema names, outside quotes; drop lone ``?``/``*``
    (a question mark ends natural questions, it is not a wildcard)."""
    parts = re.split(r'("[^"]*")', text)
    for i in range(0, len(parts), 2):
        seg = _FIELD_REF.sub(lambda m: (canonical_field(m.group(1)) or m.group(1)) + ":", parts[i])
        parts[i] = re.sub(r"(?<!\S)[?*]+(?!\S)", " ", seg)
    return "".join(parts)


def parse_query(text: str, resolver: FacetResolver | None, *, strict: bool = True,
                fields: Collection[str] = SCHEMA_FIELDS) -> ParsedTree:
    """Parse ``text``; words rank by relevance, any of them may match.

    ``strict=False`` reads free text the way a person means it: syntax that cannot be
    meant becomes plain words, and a query of stop words alone is searched as written on
    the unstemmed fields; each reinterpretation is a notice. Real errors (an unknown
    field with a value, an invalid date, ``~9``) raise in both modes.
    """
    notices: list[str] = []
    if not strict:
        relaxed = relax(text)
        text, notices = relaxed.text, relaxed.notices
    if not strict and not plain_words(text).strip():
        return ParsedTree(MatchNone(), (*notices, "nothing left to search: the query has no word"))
    try:
        tree = _build(text, resolver, fields)
    except QuerySyntaxError:
        if strict:
            raise
        text = plain_words(text)  # last resort: every syntax character as a space
        notices.append("the query's punctuation could not be read as syntax: searched as plain words")
        tree = _build(text, resolver, fields) if text.strip() else MatchNone()
    if isinstance(tree, MatchNone):
        if strict:
            raise QueryError("nothing to search: the query has only stop words",
                             hint="add a content word (stop words such as 'le', 'de', 'les' are ignored)")
        tree = stop_word_tree(text)
        notices.append("only stop words: searched as written, on the unstemmed text" if not isinstance(tree, MatchNone)
                       else "nothing left to search: the query has no word")
    return ParsedTree(tree, tuple(notices))


def _build(text: str, resolver: FacetResolver | None, fields: Collection[str]) -> Node:
    check_syntax(text)
    text = rewrite_fields(normalize_apostrophes(text))
    try:
        group = S.syntax_tree(text, fields, TEXT_FIELDS)
        q = _query(group, resolver)
        tree = normalize(q if _truthy(q) else MatchNone())  # type: ignore[arg-type]
    except QueryError:
        raise
    except _READ_ERRORS as exc:
        raise QuerySyntaxError(f"cannot read the query ({type(exc).__name__})",
                               hint="check quotes, parentheses, operators and field:value pairs") from None
    return _check_fuzzy(_require_facets(_lift_nots(tree)))


def _truthy(q: Node | None) -> bool:
    """Whoosh's truth value of a query: None and an empty And/Or are false."""
    return q is not None and not (isinstance(q, (And, Or)) and not q.children)


def _query(node: S.Node, resolver: FacetResolver | None) -> Node | None:
    """The tree of one syntax node, before normalisation (None: nothing to search).
    One stack frame per level of nesting (no generators), as Whoosh's."""
    if isinstance(node, S.Text):
        field = node.fieldname
        if node.kind == "phrase":
            return phrase_leaf(field, node.text, node.slop, node.boost, resolver)  # type: ignore[attr-defined, arg-type]
        return term_leaf(field, node.text, node.kind, node.boost, resolver,  # type: ignore[arg-type]
                         getattr(node, "maxdist", 1), getattr(node, "prefixlength", 0))
    if isinstance(node, S.Marker) and node.kind == "every":
        return MatchAll()
    if isinstance(node, S.NotGroup):
        q = _query(node.nodes[0], resolver)  # IndexError when an operator left it empty
        return Not(q) if _truthy(q) else None  # type: ignore[arg-type]
    if isinstance(node, S.BinaryGroup):
        if len(node.nodes) != 2:
            raise AssertionError("a binary operator needs two sides")
        a = _query(node.nodes[0], resolver)
        b = _query(node.nodes[1], resolver)
        return _binary(node, a, b)
    if isinstance(node, S.Group):
        subs: list[Node] = []
        for n in node.nodes:
            q = _query(n, resolver)
            if q is not None:
                subs.append(q)
        return (And if isinstance(node, S.AndGroup) else Or)(tuple(subs), node.boost)
    raise NotImplementedError(type(node).__name__)


def _binary(node: S.Group, a: Node | None, b: Node | None) -> Node:
    if a is None or b is None:
        return b if a is None and b is not None else a if a is not None else MatchNone()
    cls = {S.AndNotGroup: AndNot, S.AndMaybeGroup: AndMaybe, S.RequireGroup: Require}[type(node)]
    return cls(a, b)  # type: ignore[abstract]


def _lift_nots(q: Node) -> Node:
    """``a OR NOT b`` as the OR group reads ``a SAUF b`` -> ``a ANDNOT b``."""
    if isinstance(q, Or):
        subs = [_lift_nots(s) for s in q.children]
        negs = [s.child for s in subs if isinstance(s, Not)]
        pos = [s for s in subs if not isinstance(s, Not)]
        if negs and pos:
            base = pos[0] if len(pos) == 1 else Or(tuple(pos), q.boost)
            return AndNot(base, negs[0] if len(negs) == 1 else Or(tuple(negs)))
        return Or(tuple(subs), q.boost)
    if isinstance(q, And):
        return And(tuple(_lift_nots(s) for s in q.children), q.boost)
    return q


def _require_facets(q: Node) -> Node:
    """``roquettes date:2020-11``: a facet clause narrows, it is not one more OR-ed word."""
    if not isinstance(q, Or):
        return q
    facet = [s for s in q.children if all(f in FACET_NAMES for leaf in leaves(s) for f in leaf_fields(leaf))]
    rest = [s for s in q.children if s not in facet]
    if not facet or not rest:
        return q
    words = rest[0] if len(rest) == 1 else Or(tuple(rest))
    return And((words, *facet), q.boost)


def _check_fuzzy(q: Node) -> Node:
    """Refuse a fuzzy distance over the limit (the first one, in tree order); a required
    prefix longer than the word is cut to the word (Whoosh's automaton fails past it)."""
    if isinstance(q, Fuzzy):
        if q.distance > MAX_FUZZY_DISTANCE:
            raise QueryError(f"fuzzy distance ~{q.distance} is too large (at most ~{MAX_FUZZY_DISTANCE})",
                             hint=f"e.g. {q.word}~2")
        return replace(q, prefix=min(q.prefix, len(q.word)))
    subs = children(q)
    if not subs:
        return q
    fixed = []
    for s in subs:
        fixed.append(_check_fuzzy(s))
    if isinstance(q, (And, Or)):
        return replace(q, children=tuple(fixed))
    if isinstance(q, Not):
        return replace(q, child=fixed[0])
    return type(q)(*fixed)  # type: ignore[call-arg]


def stop_word_tree(text: str) -> Node:
    """``être ou ne pas être``: the unstemmed fields keep stop words. The phrase ranks
    first; articles with all the words follow."""
    words = exact_words(plain_words(text))
    if not words:
        return MatchNone()
    per_word = [Or(tuple(Word(f + "_exact", (w,)) for f in TEXT_FIELDS)) for w in dict.fromkeys(words)]
    if len(words) == 1:
        return per_word[0]
    phrases = [Phrase(f + "_exact", tuple(words), 0, 10.0) for f in TEXT_FIELDS]
    return Or((*phrases, And(tuple(per_word))))
