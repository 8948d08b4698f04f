"""The query tree of searchkit's own parser (``search/parse.py``), and its normalisation.

What it is for: the parser reads query text into these nodes; each backend compiles
them into its own language (``compile_whoosh.py`` for Whoosh). The nodes can say
exactly what today's Whoosh queries say, boosts included, so that the Whoosh backend's
compiled query is the one Whoosh's qparser used to build (rankings do not move):

    Word(field, terms)            one typed word: the best of its index terms at one
                                  position (Whoosh: Term, or DisjunctionMax of Terms)
    Phrase(field, words, slop)    words in order, ``slop`` extra words allowed (Lucene's
                                  slop: Whoosh's slop minus 1)
    Fuzzy(field, word, distance, prefix)   edit distance on the unstemmed field
    Wildcard(field, pattern)      ``*`` and ``?`` globs; a final ``*`` alone is a prefix
                                  (``"*"``: any term of the field, Whoosh's Prefix(""))
    FacetTerms(terms)             any of these (index field, keyword value) pairs: one
                                  facet value as the resolver found it in the index (an
                                  actor's spellings may sit under several kinds)
    MatchAll(field)               every document (field None: ``*:*``), or every one
                                  with a term in ``field`` (``titre:*``)
    And, Or, Not, AndNot, AndMaybe, Require, MatchNone

``normalize`` mirrors Whoosh's ``Query.normalize`` (compound.py, wrappers.py, terms.py,
positional.py) for these nodes: nested And/Or flattened with their boosts multiplied
into the children, MatchNone dropped, duplicates removed, single children collapsed,
and the Not/AndNot/AndMaybe/Require rules.

What it must NOT do: import Whoosh, analyse text or know a backend's language.
``Wildcard.pattern`` is a glob where ``\\`` escapes the next character.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Iterable, Iterator, Union

__all__ = [
    "And", "AndMaybe", "AndNot", "FacetTerms", "Fuzzy", "MatchAll", "MatchNone", "Node", "Not", "Or",
    "Phrase", "Require", "Wildcard", "Word", "children", "facet", "field_of", "glob_positions", "leaf_fields", "leaves",
    "normalize", "unescape", "with_boost",
]


@dataclass(frozen=True)
class Word:
    field: str
    terms: tuple[str, ...]
    boost: float = 1.0
    # The word as typed, when its terms make one position (a backend with its own
    # stemmer may look it up through its analyzer too).
    text: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Phrase:
    field: str
    words: tuple[str, ...]
    slop: int = 0
    boost: float = 1.0


@dataclass(frozen=True)
class Fuzzy:
    field: str
    word: str
    distance: int = 1
    prefix: int = 0
    boost: float = 1.0


@dataclass(frozen=True)
class Wildcard:
    field: str
    pattern: str
    boost: float = 1.0


@dataclass(frozen=True)
class FacetTerms:
    terms: tuple[tuple[str, str], ...]  # (index field, value), no duplicates
    boost: float = 1.0


@dataclass(frozen=True)
class MatchAll:
    field: str | None = None  # a field: every document with a term in it
    boost: float = 1.0


@dataclass(frozen=True)
class MatchNone:
    pass


@dataclass(frozen=True)
class And:
    children: tuple["Node", ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Or:
    children: tuple["Node", ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Not:
    child: "Node"
    boost: float = 1.0  # meaningless, kept because Whoosh keeps it (and hashes it)


@dataclass(frozen=True)
class AndNot:
    positive: "Node"
    negative: "Node"


@dataclass(frozen=True)
class AndMaybe:
    positive: "Node"
    optional: "Node"


@dataclass(frozen=True)
class Require:
    positive: "Node"
    required: "Node"


Node = Union[Word, Phrase, Fuzzy, Wildcard, FacetTerms, MatchAll, MatchNone, And, Or, Not, AndNot, AndMaybe, Require]
_BINARY = (AndNot, AndMaybe, Require)


def facet(field: str, values: Iterable[str]) -> FacetTerms:
    """Any of ``values`` in the keyword ``field`` (e.g. a set of article ids)."""
    return FacetTerms(tuple((field, v) for v in dict.fromkeys(values)))


def children(node: Node) -> tuple[Node, ...]:
    """The sub-queries of ``node``, in Whoosh's ``children()`` order (leaves: none)."""
    if isinstance(node, (And, Or)):
        return node.children
    if isinstance(node, Not):
        return (node.child,)
    if isinstance(node, AndNot):
        return (node.positive, node.negative)
    if isinstance(node, AndMaybe):
        return (node.positive, node.optional)
    if isinstance(node, Require):
        return (node.positive, node.required)
    return ()


def leaves(node: Node) -> Iterator[Node]:
    """The leaves of ``node`` in order (a leaf: itself)."""
    subs = children(node)
    if not subs and not isinstance(node, (And, Or)):
        yield node
    for sub in subs:
        yield from leaves(sub)


def leaf_fields(leaf: Node) -> tuple[str | None, ...]:
    """The index fields a leaf searches (FacetTerms: one per term), as Whoosh's leaves say."""
    if isinstance(leaf, FacetTerms):
        return tuple(f for f, _ in leaf.terms)
    return (getattr(leaf, "field", None),)


def field_of(node: Node) -> str | None:
    """Whoosh's ``Query.field()``: the one field ``node`` searches, or None."""
    if isinstance(node, FacetTerms):
        fields = {f for f, _ in node.terms}
        return node.terms[0][0] if len(fields) == 1 else None
    if isinstance(node, (And, Or)):
        if not node.children:
            return None
        first = field_of(node.children[0])
        return first if all(field_of(c) == first for c in node.children[1:]) else None
    if isinstance(node, _BINARY):
        a, b = children(node)
        return field_of(a) if field_of(b) == field_of(a) else None
    if isinstance(node, (Not, MatchNone)):
        return None
    return node.field  # type: ignore[union-attr]


def boost_of(node: Node) -> float:
    return getattr(node, "boost", 1.0)


def with_boost(node: Node, boost: float) -> Node:
    """Whoosh's ``with_boost``: a copy with that boost; AndNot and Require boost their
    positive side (set, not multiplied), AndMaybe both sides."""
    if isinstance(node, AndNot):
        return AndNot(with_boost(node.positive, boost), node.negative)
    if isinstance(node, Require):
        return Require(with_boost(node.positive, boost), node.required)
    if isinstance(node, AndMaybe):
        return AndMaybe(with_boost(node.positive, boost), with_boost(node.optional, boost))
    if isinstance(node, MatchNone):
        return node
    return replace(node, boost=boost)  # type: ignore[type-var]


def glob_positions(pattern: str) -> list[int]:
    """Where ``pattern``'s unescaped ``*`` and ``?`` are (``\\`` escapes the next character)."""
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] in "*?":
            out.append(i)
        i += 1
    return out


def unescape(pattern: str) -> str:
    """``pattern`` without its escapes (Whoosh's globs have none: ``\\*`` becomes a live ``*``)."""
    return re.sub(r"\\(.)", r"\1", pattern, flags=re.S)


def normalize(node: Node) -> Node:
    """``node`` as Whoosh's ``normalize()`` would leave the query it compiles to.
    (One stack frame per level of nesting, as Whoosh's: a query of 495 nested
    parentheses must not exhaust the stack.)"""
    if isinstance(node, (And, Or)):
        subs: list[Node] = []
        for s in node.children:
            s = normalize(s)
            if type(s) is type(node):
                subs += [with_boost(ss, boost_of(ss) * s.boost) for ss in s.children]  # type: ignore[union-attr]
            else:
                subs.append(s)
        return _compound(node, subs)
    if isinstance(node, Not):
        child = normalize(node.child)
        return child if isinstance(child, MatchNone) else Not(child, node.boost)
    if isinstance(node, _BINARY):
        return _binary(node, *(normalize(c) for c in children(node)))
    if isinstance(node, Phrase):
        if not node.words:
            return MatchNone()
        if len(node.words) == 1:  # Whoosh drops the phrase's boost here
            return Word(node.field, node.words)
        return node
    if isinstance(node, Wildcard):
        return _normalize_wildcard(node)
    return node


def _normalize_wildcard(node: Wildcard) -> Node:
    if not glob_positions(node.pattern):
        return Word(node.field, (unescape(node.pattern),), node.boost)
    return node


def _binary(node: Node, a: Node, b: Node) -> Node:
    none_a, none_b = isinstance(a, MatchNone), isinstance(b, MatchNone)
    if none_a or (none_b and isinstance(node, Require)):
        return MatchNone()
    if none_b:  # AndNot, AndMaybe: nothing to remove or to add
        return a
    return type(node)(a, b)  # type: ignore[call-arg]


def _compound(node: And | Or, subs: list[Node]) -> Node:
    """The rest of Whoosh's ``CompoundQuery.normalize`` once the children are normalised
    and nested ones of the same kind flattened into ``subs``."""
    kind = type(node)
    if all(isinstance(s, MatchNone) for s in subs):
        return MatchNone()
    if any(isinstance(s, MatchAll) and s.field is None for s in subs):
        return MatchAll()
    every_fields: set[str | None] = set()
    kept: list[Node] = []
    for s in subs:
        if field_of(s) in every_fields:
            continue
        if isinstance(s, MatchAll):
            every_fields.add(s.field)
        kept.append(s)
    unique: list[Node] = []
    seen: set[Node] = set()
    for s in kept:
        if not isinstance(s, MatchAll) and field_of(s) in every_fields or s in seen:
            continue
        seen.add(s)
        unique.append(s)
    unique = [s for s in unique if not isinstance(s, MatchNone)]
    if not unique:
        return MatchNone()
    if len(unique) == 1:
        sub = unique[0]
        if not (node.boost == 1.0 and boost_of(sub) == 1.0):
            sub = with_boost(sub, boost_of(sub) * node.boost)
        return sub
    return kind(tuple(unique), node.boost)
