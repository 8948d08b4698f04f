"""The query tree (``search/tree.py``) -> the Whoosh query the Whoosh backend runs.

What it is for: the inverse of what the parser's leaves mean, node for node, so that
the compiled query equals the one Whoosh's qparser built before searchkit had its own parser
(same classes, fields, texts, boosts; rankings unchanged): a ``Word`` with one term is a
``Term``, with several a ``DisjunctionMax`` of ``Term``s (its boost on the
DisjunctionMax); a ``FacetTerms`` likewise; a ``Phrase`` has Whoosh's slop (tree slop
+ 1); a ``Wildcard`` whose only glob is a final ``*`` is a ``Prefix``; a ``Fuzzy`` is a
``FuzzyTerm``. ``compile_whoosh`` then calls Whoosh's ``normalize()``.

What it must NOT do: parse text, analyse words or resolve facets.
"""
from __future__ import annotations

from typing import Any

from whoosh import query as Q

from searchkit.search import tree as T

__all__ = ["compile_whoosh", "to_whoosh"]



def compile_whoosh(node: T.Node) -> Any:
    """The normalised Whoosh query of ``node``."""
    return to_whoosh(node).normalize()


def _terms(pairs: list[tuple[str, str]], boost: float, typed: str | None = None) -> Any:
    if len(pairs) == 1:
        q = Q.Term(pairs[0][0], pairs[0][1], boost=boost)
        leaves = [q]
    else:
        leaves = [Q.Term(f, t) for f, t in pairs]
        q = Q.DisjunctionMax(leaves, boost=boost)
    if typed is not None:
        for leaf in leaves:
            leaf.typed = typed
    return q


def _pattern(node: T.Wildcard) -> Any:
    p = node.pattern
    if T.glob_positions(p) == [len(p) - 1] and p.endswith("*"):  # "*" too: Prefix("") ("l'*")
        return Q.Prefix(node.field, T.unescape(p[:-1]), boost=node.boost)
    return Q.Wildcard(node.field, T.unescape(p), boost=node.boost)


def to_whoosh(node: T.Node) -> Any:
    """The Whoosh query of ``node``, one class for one node, not normalised."""
    if isinstance(node, T.Word):
        return _terms([(node.field, t) for t in node.terms], node.boost, node.text)
    if isinstance(node, T.FacetTerms):
        return _terms(list(node.terms), node.boost)
    if isinstance(node, T.Phrase):
        return Q.Phrase(node.field, list(node.words), slop=node.slop + 1, boost=node.boost)
    if isinstance(node, T.Fuzzy):
        return Q.FuzzyTerm(node.field, node.word, boost=node.boost, maxdist=node.distance, prefixlength=node.prefix)
    if isinstance(node, T.Wildcard):
        return _pattern(node)
    if isinstance(node, (T.And, T.Or)):
        cls = Q.And if isinstance(node, T.And) else Q.Or
        return cls([to_whoosh(c) for c in node.children], boost=node.boost)
    if isinstance(node, T.Not):
        return Q.Not(to_whoosh(node.child), boost=node.boost)
    if isinstance(node, T.AndNot):
        return Q.AndNot(to_whoosh(node.positive), to_whoosh(node.negative))
    if isinstance(node, T.AndMaybe):
        return Q.AndMaybe(to_whoosh(node.positive), to_whoosh(node.optional))
    if isinstance(node, T.Require):
        return Q.Require(to_whoosh(node.positive), to_whoosh(node.required))
    if isinstance(node, T.MatchAll):
        return Q.Every(node.field, boost=node.boost)
    if isinstance(node, T.MatchNone):
        return Q.NullQuery
    raise TypeError(f"not a query tree node: {node!r}")
