"""From a ranked article to a ``Hit``: which words of the query it matches (the
index terms the parsed query expands to), which actor spellings to mark, its
snippets, and its actors by their group's display name (``make_hit``: one for every
backend, from the ``Match`` a backend returns).

Reads stored fields and a reader's term expansions; never ranks or counts.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from searchkit.results import Hit
from searchkit.search.groups import ActorGroups
from searchkit.search.highlight import closest_sentences, match_spans, snippets as make_snippets
from searchkit.search.operation import Match
from searchkit.search.snapshot import term_text
from searchkit.search.tree import FacetTerms, Node, leaves
from searchkit.vocab import ACTOR_FIELDS

__all__ = ["body_spans", "filtered_names", "make_hit", "query_names", "query_terms"]


def query_terms(reader: Any, q: Any) -> tuple[set[str], set[str]]:
    """The stemmed and exact index terms the Whoosh query ``q`` matches (fuzzy and
    wildcards expanded)."""
    stemmed: set[str] = set()
    exact: set[str] = set()
    # Not Query.existing_terms(): in Whoosh 2.7.5 its loop variable shadows its
    # ``fieldname`` argument and drops the terms of every field but the first.
    terms: list[tuple[str, Any]] = []
    for leaf in q.leaves():
        try:
            terms.extend(leaf.expanded_terms(reader, phrases=True))
        except Exception:  # an expansion Whoosh cannot do: mark less rather than fail
            continue
    for field, term in terms:
        if field in ("title", "body"):
            stemmed.add(term_text(term))
        elif field in ("title_exact", "body_exact"):
            exact.add(term_text(term))
    return stemmed, exact


def query_names(tree: Node) -> frozenset[str]:
    """The actor spellings the query's field parts name."""
    return frozenset(v for leaf in leaves(tree) if isinstance(leaf, FacetTerms) for f, v in leaf.terms if f in ACTOR_FIELDS)


def filtered_names(tree: Node, filters: Mapping[str, Sequence[str]], groups: ActorGroups) -> set[str]:
    """Every actor spelling the query and the filters stand for, to mark in snippets."""
    return set(query_names(tree)) | groups.names_in_filters(filters)


def body_spans(fields: Mapping[str, Any], stemmed: set[str], exact: set[str], names: set[str]) -> list[tuple[int, int]]:
    """What to mark in an article's body: query terms, and the spellings this
    article uses for the actors in ``names``."""
    actors = (fields.get("meta") or {}).get("actors", [])
    forms = [f for a in actors if a["name"] in names for f in a.get("forms", [])]
    return match_spans(fields.get("body", ""), stemmed, exact, forms)


def make_hit(match: Match, rank: int, count: int, groups: ActorGroups, meaning: str | None = None) -> Hit:
    """A ranked article as a ``Hit``: ``count`` snippets around its marked spans (0:
    none). ``meaning``: the query of a semantic or hybrid search, for the snippet of a
    hit that none of its words matched (the closest sentence instead of the opening)."""
    fields = match.fields
    meta = fields.get("meta") or {}
    body = fields.get("body", "")
    spans = list(match.spans) if count else []
    if meaning and count and not spans:
        snippets = tuple(closest_sentences(body, meaning, count))
    else:
        snippets = tuple(make_snippets(body, spans, count))
    return Hit(
        id=fields["id"],
        path=fields.get("path", ""),
        # OpenSearch keeps the title as shown apart from the one it analyses.
        title=fields.get("display_title") or fields.get("title", ""),
        score=match.score,
        published=meta.get("published"),
        snippets=snippets,
        actors=groups.hit_actors(meta.get("actors", [])),
        mentioned=tuple(meta.get("mentioned", [])),
        rank=rank,
        duplicates=match.duplicates,
    )
