"""The OpenSearch query DSL of searchkit's query tree (``search/tree``), and back from
the highlighter's marks to body spans.

Word -> term / dis_max of terms (already analysed by searchkit's analyzer, which the
index's analyzer matches), Phrase -> match_phrase, Fuzzy -> fuzzy, Wildcard -> wildcard,
FacetTerms -> terms, And/Or/Not/AndNot/AndMaybe/Require -> bool, MatchAll -> match_all
(with a field: exists), MatchNone -> match_none. A boost other than 1 goes with its clause.

It must NOT parse query strings (search/parse does) or talk to a cluster.
"""
from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

from searchkit.search import tree as T
from searchkit.text.analysis import ELISION_ARTICLES
from searchkit.text.normalize import APOSTROPHE_CLASS

__all__ = ["field_name", "highlight", "marked_spans", "to_dsl"]


def field_name(name: str) -> str:
    return name[: -len("_exact")] + ".exact" if name.endswith("_exact") else name


def _boosted(clause: dict[str, Any], boost: float) -> dict[str, Any]:
    """``clause`` with ``boost`` when it is not 1 (a bool query's own boost)."""
    return clause if boost == 1.0 else {"bool": {"must": [clause], "boost": boost}}


def _word(node: T.Word, title_boost: float) -> dict[str, Any]:
    boost = node.boost * (title_boost if node.field == "title" else 1.0)
    f = field_name(node.field)
    queries: list[dict[str, Any]] = [{"term": {f: t}} for t in node.terms]
    if node.text and node.field in ("title", "body"):
        # The index's own analysis of the typed word: where Lucene's stemmer differs
        # from PyStemmer (0.19% of words), the articles it indexed are found too.
        queries.append({"match": {f: {"query": node.text}}})
    if len(queries) == 1:
        return {"term": {f: {"value": node.terms[0], "boost": boost}}}
    return {"dis_max": {"queries": queries, "boost": boost}}


def _facet(pairs: Sequence[tuple[str, str]], boost: float) -> dict[str, Any]:
    """Keyword values: one ``terms`` per field when they share one; else any of them."""
    fields = list(dict.fromkeys(f for f, _ in pairs))
    if len(fields) == 1:
        return _boosted({"terms": {fields[0]: [v for _, v in pairs]}}, boost)
    return {"bool": {"should": [{"terms": {f: [v]}} for f, v in pairs], "minimum_should_match": 1, "boost": boost}}


def _or(node: T.Or, title_boost: float) -> dict[str, Any]:
    if node.children and all(isinstance(c, T.FacetTerms) for c in node.children):
        pairs = [p for c in node.children for p in c.terms]  # type: ignore[union-attr]
        if len({f for f, _ in pairs}) == 1:  # date:2020 OR date:2021: one terms query
            return _facet(list(dict.fromkeys(pairs)), node.boost)
    return {"bool": {"should": [to_dsl(c, title_boost) for c in node.children], "minimum_should_match": 1, "boost": node.boost}}


def to_dsl(node: T.Node, title_boost: float = 2.0) -> dict[str, Any]:
    """The OpenSearch query of a query tree."""
    if isinstance(node, T.Word):
        return _word(node, title_boost)
    if isinstance(node, T.Phrase):
        return {"match_phrase": {field_name(node.field): {"query": " ".join(node.words), "slop": node.slop, "boost": node.boost}}}
    if isinstance(node, T.Fuzzy):
        return _boosted({"fuzzy": {field_name(node.field): {
            "value": node.word, "fuzziness": node.distance, "prefix_length": node.prefix,
            # Whoosh's automaton is plain Levenshtein: a swap of two letters is 2 edits.
            "transpositions": False, "max_expansions": 1000,
        }}}, node.boost)
    if isinstance(node, T.Wildcard):
        return _boosted({"wildcard": {field_name(node.field): {"value": node.pattern}}}, node.boost)
    if isinstance(node, T.FacetTerms):
        return _facet(node.terms, node.boost)
    if isinstance(node, (T.And, T.Or)) and len(node.children) == 1 and node.boost == 1.0:
        return to_dsl(node.children[0], title_boost)  # a group of one (the stop-word query's)
    if isinstance(node, T.And):
        return _boosted({"bool": {"must": [to_dsl(c, title_boost) for c in node.children]}}, node.boost)
    if isinstance(node, T.Or):
        return _or(node, title_boost)
    if isinstance(node, T.Not):
        return {"bool": {"must": [{"match_all": {}}], "must_not": [to_dsl(node.child, title_boost)]}}
    if isinstance(node, T.AndNot):
        return {"bool": {"must": [to_dsl(node.positive, title_boost)], "must_not": [to_dsl(node.negative, title_boost)]}}
    if isinstance(node, T.AndMaybe):  # the positive side matches; the optional one adds to its score
        return {"bool": {"must": [to_dsl(node.positive, title_boost)], "should": [to_dsl(node.optional, title_boost)]}}
    if isinstance(node, T.Require):  # both must match; only the positive side scores
        return {"bool": {"must": [to_dsl(node.positive, title_boost)], "filter": [to_dsl(node.required, title_boost)]}}
    if isinstance(node, T.MatchAll):
        if node.field is not None:  # ``titre:*``: the articles with a term in the field
            return _boosted({"exists": {"field": field_name(node.field)}}, node.boost)
        return {"match_all": {}} if node.boost == 1.0 else {"match_all": {"boost": node.boost}}
    if isinstance(node, T.MatchNone):
        return {"match_none": {}}
    raise TypeError(f"not a query tree node: {node!r}")


_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
_ELIDED = re.compile(rf"^(\w+){APOSTROPHE_CLASS}")


def highlight(query: Mapping[str, Any]) -> dict[str, Any]:
    """The highlighter request that marks what ``query`` matches in the whole body."""
    return {
        "pre_tags": ["<mark>"], "post_tags": ["</mark>"], "type": "unified", "highlight_query": query,
        "fields": {"body": {"number_of_fragments": 0}, "body.exact": {"number_of_fragments": 0}},
    }


def marked_spans(highlight: Mapping[str, Sequence[str]]) -> list[tuple[int, int]]:
    """Spans of the body the highlighter marked (the whole field, tags removed)."""
    spans: list[tuple[int, int]] = []
    for fragments in highlight.values():
        for text in fragments[:1]:
            removed = 0
            for m in _MARK.finditer(text):
                start = m.start() - removed
                word = m.group(1)
                # The token keeps its elided article ("l’aéroport"); mark the word alone,
                # as the Whoosh backend does.
                elided = _ELIDED.match(word)
                skip = len(elided.group(0)) if elided and elided.group(1).lower() in ELISION_ARTICLES else 0
                spans.append((start + skip, start + len(word)))
                removed += len("<mark>") + len("</mark>")
    return sorted(set(spans))
