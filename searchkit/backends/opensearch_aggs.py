"""Facet counts on OpenSearch: terms and composite aggregations, actor spellings merged.

Date facets are one terms aggregation on ``published_bucket`` / ``mentioned_bucket``.
Actor facets read every raw spelling of the three actor fields (terms aggregations) and
merge them into the groups of ``search/groups.ActorGroups``, built from the index's own actor
vocabulary, so both backends name and count actors alike; a group of several spellings
is recounted exactly (an article that uses two spellings counts once), one ``filters``
bucket per group (``count_groups``). ``composite_counts`` pages through every value of a keyword field
under a query (the vocabulary, and the date terms a timeline counts).

It must NOT build the query itself (``opensearch_dsl``) or decide which facets to show.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from searchkit.backends.opensearch_client import OpenSearchClient
from searchkit.vocab import ACTOR_FIELDS, ACTOR_KINDS, DATE_FIELDS

__all__ = ["CONTEXT_MAX_ARTICLES", "MAX_FACET_TERMS", "RECOUNT_CHUNK", "actor_facet", "actor_postings", "composite_counts",
           "context_postings", "count_groups", "facet_aggs", "read_facets"]

# Terms aggregations return at most this many raw values per actor field: past it,
# the rarest spellings of a huge vocabulary are left out of the counts.
MAX_FACET_TERMS = 20_000
# Groups recounted exactly per request (one filter each).
RECOUNT_CHUNK = 500
_COMPOSITE_PAGE = 5000
# Actor grouping reads which articles mention each actor (the evidence that a surname
# alone is the person named in full elsewhere) up to this many articles; past it the
# groups come from the vocabulary alone (ARCHITECTURE.md says what that changes).
CONTEXT_MAX_ARTICLES = 200_000

FacetRows = tuple[tuple[str, int, tuple[str, ...]], ...]


def composite_counts(client: OpenSearchClient, index: str, field: str, query: Mapping[str, Any] | None = None) -> dict[str, int]:
    """Every value of the keyword ``field`` among the articles ``query`` matches (all by
    default), with its article count: a composite aggregation, paged, however many."""
    out: dict[str, int] = {}
    after: dict[str, Any] | None = None
    while True:
        comp: dict[str, Any] = {"size": _COMPOSITE_PAGE, "sources": [{"v": {"terms": {"field": field}}}]}
        if after:
            comp["after"] = after
        body: dict[str, Any] = {"size": 0, "aggs": {"c": {"composite": comp}}}
        if query is not None:
            body["query"] = query
        agg = client.request("POST", f"/{index}/_search", body)["aggregations"]["c"]
        for b in agg["buckets"]:
            out[b["key"]["v"]] = b["doc_count"]
        after = agg.get("after_key")
        if not after or len(agg["buckets"]) < _COMPOSITE_PAGE:
            return out


def actor_postings(client: OpenSearchClient, index: str, kinds: Sequence[str]) -> dict[tuple[str, str], list[int]]:
    """(kind, name) -> the articles that mention it, numbered in id order: what
    ``search/groups.ActorGroups`` takes as ``docs`` (any keyword fields of the source may be
    ``kinds``: the ``acronym`` terms come so, numbered alike). Reads every article's actor fields (pages of
    5,000 by id): a second or two for 36k articles."""
    out: dict[tuple[str, str], list[int]] = {}
    after: list[Any] | None = None
    number = 0
    while True:
        body: dict[str, Any] = {"size": _COMPOSITE_PAGE, "_source": list(kinds), "sort": [{"id": "asc"}], "query": {"match_all": {}}}
        if after is not None:
            body["search_after"] = after
        hits = client.request("POST", f"/{index}/_search", body)["hits"]["hits"]
        for h in hits:
            for kind in kinds:
                for name in h["_source"].get(kind) or ():
                    out.setdefault((kind, name), []).append(number)
            number += 1
        if len(hits) < _COMPOSITE_PAGE:
            return out
        after = hits[-1]["sort"]


def context_postings(client: OpenSearchClient, index: str, kinds: Sequence[str], acronyms: bool,
                     ) -> tuple[dict[tuple[str, str], list[int]], dict[str, list[int]] | None]:
    """What ``search/groups.ActorGroups`` reads as context: (kind, name) -> articles
    (``docs``), and, when acronyms are merged, each ``acronym`` term -> articles
    (``evidence``), read in the same pass so that both number the articles alike, as the
    Whoosh backend's postings do."""
    postings = actor_postings(client, index, (*kinds, "acronym") if acronyms else kinds)
    docs = {k: v for k, v in postings.items() if k[0] != "acronym"}
    evidence = {value: ids for (f, value), ids in postings.items() if f == "acronym"} if acronyms else None
    return docs, evidence


def facet_aggs(facet_fields: Sequence[str], top: int | None) -> dict[str, Any]:
    """The aggregations that count ``facet_fields`` (raw actor spellings for actor facets)."""
    aggs: dict[str, Any] = {}
    for f in facet_fields:
        if f in DATE_FIELDS:
            aggs[f] = {"terms": {"field": f"{f}_bucket", "size": top or 10_000, "order": [{"_count": "desc"}, {"_key": "asc"}]}}
    if any(f in ACTOR_FIELDS for f in facet_fields):
        for kind in ACTOR_KINDS:
            aggs[f"raw_{kind}"] = {"terms": {"field": kind, "size": MAX_FACET_TERMS}}
    return aggs


def read_facets(client: OpenSearchClient, index: str, groups: Any, answer: Mapping[str, Any], facet_fields: Sequence[str],
                query: Mapping[str, Any], top: int | None) -> dict[str, FacetRows]:
    """The facet rows of a search ``answer`` made with ``facet_aggs``."""
    facets: dict[str, FacetRows] = {}
    for f in facet_fields:
        if f in DATE_FIELDS:
            facets[f] = tuple((b["key"], int(b["doc_count"]), ()) for b in answer["aggregations"][f]["buckets"])
    actor_fields = [f for f in facet_fields if f in ACTOR_FIELDS]
    if actor_fields:
        raw = {kind: {b["key"]: int(b["doc_count"]) for b in answer["aggregations"][f"raw_{kind}"]["buckets"]} for kind in ACTOR_KINDS}
        for f in actor_fields:
            facets[f] = actor_facet(client, index, groups, f, raw, query, top)
    return facets


def actor_facet(client: OpenSearchClient, index: str, groups: Any, field: str, raw: Mapping[str, Mapping[str, int]],
                query: Mapping[str, Any], top: int | None) -> FacetRows:
    """Raw spellings' counts merged into their groups. A group's counts summed over
    its spellings count an article that uses two spellings twice: groups of several
    spellings are recounted exactly (``count_groups``), all of them when every value is
    asked for, else those that can reach the ``top`` (their sum is at least the
    ``top``-th best sure count)."""
    summed: dict[str, int] = {}
    members: dict[str, list[tuple[str, str]]] = {}
    for kind, counts in raw.items():
        for name, n in counts.items():
            if field != "actor" and groups.kind.get((kind, name), kind) != field:
                continue
            disp = groups.display.get((kind, name), name)
            summed[disp] = summed.get(disp, 0) + n
            members.setdefault(disp, []).append((kind, name))
    several = {d: m for d, m in members.items() if len(m) > 1}
    if top and several:
        # A group counts at least as many articles as its most used spelling.
        sure = sorted((max(raw[k][n] for k, n in m) for m in members.values()), reverse=True)
        floor = sure[top - 1] if len(sure) >= top else 0
        several = {d: m for d, m in several.items() if summed[d] >= floor}
    summed.update(count_groups(client, index, query, several))
    order = sorted((d for d, n in summed.items() if n), key=lambda d: (-summed[d], d))
    if top:
        order = order[:top]
    return tuple((d, summed[d], tuple(sorted(groups.variants([d], None) - {d}))) for d in order)


def count_groups(client: OpenSearchClient, index: str, query: Mapping[str, Any], members: Mapping[str, Sequence[tuple[str, str]]]) -> dict[str, int]:
    """The exact article count of each group (display -> its (field, spelling) members)
    among the articles ``query`` matches: one ``filters`` bucket per group, in requests of
    ``RECOUNT_CHUNK`` groups."""
    out: dict[str, int] = {}
    items = list(members.items())
    for first in range(0, len(items), RECOUNT_CHUNK):
        chunk = items[first : first + RECOUNT_CHUNK]
        filters = {str(i): _any_spelling(m) for i, (_, m) in enumerate(chunk)}
        answer = client.request("POST", f"/{index}/_search", {"size": 0, "query": query, "aggs": {"g": {"filters": {"filters": filters}}}})
        buckets = answer["aggregations"]["g"]["buckets"]
        out.update((d, int(buckets[str(i)]["doc_count"])) for i, (d, _) in enumerate(chunk))
    return out


def _any_spelling(members: Sequence[tuple[str, str]]) -> dict[str, Any]:
    by_kind = {k: [n for kk, n in members if kk == k] for k in ACTOR_KINDS}
    return {"bool": {"should": [{"terms": {k: names}} for k, names in by_kind.items() if names], "minimum_should_match": 1}}
