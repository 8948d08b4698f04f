"""The OpenSearch backend: searchkit's documents, queries and facets on an OpenSearch index.

What it keeps in the cluster:

- ``INDEX``: one document per article, ``_id`` = the article id. ``title`` and ``body``
  are French text fields with an ``exact`` sub-field (``opensearch_analysis``); actor and
  date facets are keyword arrays holding what the Whoosh schema holds (every date prefix,
  ``undated``), plus ``published_bucket``/``mentioned_bucket``: the value each article is
  counted under in the date facets (its months; a year only where no month of it is
  known; ``undated``), so that a date facet is one terms aggregation. ``date_key`` is
  numeric for sorting; ``meta`` and the display title are stored, not indexed.
- ``INDEX-manifest``: the incremental manifest, one document per source file (content
  hash, size, mtime, article ids), shared by every indexer process that writes ``INDEX``.
  An entry is written only after its file's documents were accepted by ``_bulk``.

Translation of the backend-neutral tree (``base``): Word -> term / dis_max of terms (the
terms are already analysed by searchkit's analyzer, which the index's analyzer matches),
Phrase -> match_phrase, Fuzzy -> fuzzy, Wildcard -> wildcard, FacetTerms -> terms,
And/Or/Not/AndNot -> bool. Filters are filter clauses (no score). Facets are terms
aggregations; actor spelling variants are merged with the same ``ActorGroups`` as the
Whoosh backend, built from this index's actor vocabulary.

It must NOT parse query strings (query.py does), extract anything from articles
(pipeline.py, in worker processes), or print.
"""
from __future__ import annotations

import hashlib
import re
from typing import Any, Iterable, Mapping, Sequence

from searchkit.text.analysis import ELISION_ARTICLES
from searchkit.backends import base as T
from searchkit.backends.opensearch_analysis import ANALYSIS_VERSION, index_body
from searchkit.backends.opensearch_client import OpenSearchClient
from searchkit.errors import IndexIncompatibleError, IndexMissingError, NotFoundError, OpenSearchError
from searchkit.vocab import ACTOR_FIELDS, ACTOR_KINDS, DATE_FIELDS, UNDATED

__all__ = ["OpenSearchBackend", "date_buckets", "to_dsl"]

KEYWORD_FIELDS = ("id", "source", "digest", *ACTOR_FIELDS, *DATE_FIELDS, "published_bucket", "mentioned_bucket")
# Terms aggregations return at most this many raw values per actor field: past it,
# the rarest spellings of a huge vocabulary are left out of the counts.
MAX_FACET_TERMS = 20_000
# Groups of several spellings whose counts are recounted exactly (one filter each).
MAX_RECOUNTED_GROUPS = 300
STORED_FIELDS = ["id", "path", "title", "display_title", "body", "meta"]


def date_buckets(prefixes: Iterable[str]) -> list[str]:
    """The date-facet values of one article from its date terms: each month, a year
    with no month of it known, ``undated``. The Whoosh backend counts the same way.

    >>> date_buckets(["2020", "2020-12", "2020-12-20", "2021"])
    ['2020-12', '2021']
    """
    terms = set(prefixes)
    months = {t for t in terms if len(t) == 7}
    years = {t for t in terms if len(t) == 4 and not any(m.startswith(t) for m in months)}
    out = sorted(months | years)
    return out + [UNDATED] if UNDATED in terms else out


def _split(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if str(v)]
    return [v for v in str(value or "").split(",") if v]


def to_source(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A ``pipeline.extract_documents`` dict (text not analysed) as an OpenSearch document."""
    out: dict[str, Any] = {
        "id": doc["id"],
        "source": doc.get("source", ""),
        "path": doc.get("path", ""),
        "digest": doc.get("digest"),
        "title": doc.get("title", ""),
        "display_title": doc.get("_stored_title", doc.get("title", "")),
        "body": doc.get("_stored_body", doc.get("body", "")),
        "date_key": int(doc.get("date_key") or 0),
        "meta": doc.get("meta") or {},
    }
    if not isinstance(out["body"], str) or not isinstance(out["title"], str):
        raise TypeError("OpenSearch takes documents with their text, not Whoosh postings (pipeline.Options(text_fields=()))")
    for f in (*ACTOR_FIELDS, *DATE_FIELDS):
        out[f] = _split(doc.get(f))
    out["published_bucket"] = date_buckets(out["published"])
    out["mentioned_bucket"] = date_buckets(out["mentioned"])
    return out


def mappings_body(shards: int, replicas: int) -> dict[str, Any]:
    body = index_body(("title", "body"), shards=shards, replicas=replicas)
    props = body["mappings"]["properties"]
    for f in KEYWORD_FIELDS:
        props[f] = {"type": "keyword"}
    props["path"] = {"type": "keyword", "index": False}
    props["display_title"] = {"type": "text", "index": False}
    props["date_key"] = {"type": "integer"}
    props["meta"] = {"type": "object", "enabled": False}
    body["mappings"]["dynamic"] = "strict"
    return body


_MANIFEST_MAPPING = {
    "settings": {"index": {"number_of_shards": 1}},
    "mappings": {
        "dynamic": False,
        "properties": {"key": {"type": "keyword"}, "digest": {"type": "keyword"}},
    },
}


def _field(name: str) -> str:
    return name[: -len("_exact")] + ".exact" if name.endswith("_exact") else name


def to_dsl(node: T.Node, title_boost: float = 2.0) -> dict[str, Any]:
    """The OpenSearch query of a backend-neutral tree."""
    if isinstance(node, T.Word):
        boost = node.boost * (title_boost if node.field == "title" else 1.0)
        f = _field(node.field)
        queries: list[dict[str, Any]] = [{"term": {f: t}} for t in node.terms]
        if node.text and node.field in ("title", "body"):
            # The index's own analysis of the typed word: where Lucene's stemmer differs
            # from PyStemmer (0.19% of words), the articles it indexed are found too.
            queries.append({"match": {f: {"query": node.text}}})
        if len(queries) == 1:
            return {"term": {f: {"value": node.terms[0], "boost": boost}}}
        return {"dis_max": {"queries": queries, "boost": boost}}
    if isinstance(node, T.Phrase):
        return {"match_phrase": {_field(node.field): {"query": " ".join(node.words), "slop": node.slop, "boost": node.boost}}}
    if isinstance(node, T.Fuzzy):
        return {"fuzzy": {_field(node.field): {
            "value": node.word, "fuzziness": node.distance, "prefix_length": node.prefix,
            # Whoosh's automaton is plain Levenshtein: a swap of two letters is 2 edits.
            "transpositions": False, "max_expansions": 1000,
        }}}
    if isinstance(node, T.Wildcard):
        return {"wildcard": {_field(node.field): {"value": node.pattern}}}
    if isinstance(node, T.FacetTerms):
        return {"terms": {node.field: list(node.values)}}
    if isinstance(node, T.And):
        return {"bool": {"must": [to_dsl(c, title_boost) for c in node.children]}}
    if isinstance(node, T.Or):
        return {"bool": {"should": [to_dsl(c, title_boost) for c in node.children], "minimum_should_match": 1, "boost": node.boost}}
    if isinstance(node, T.Not):
        return {"bool": {"must": [{"match_all": {}}], "must_not": [to_dsl(node.child, title_boost)]}}
    if isinstance(node, T.AndNot):
        return {"bool": {"must": [to_dsl(node.positive, title_boost)], "must_not": [to_dsl(node.negative, title_boost)]}}
    if isinstance(node, T.MatchAll):
        return {"match_all": {}}
    if isinstance(node, T.MatchNone):
        return {"match_none": {}}
    raise TypeError(f"not a query tree node: {node!r}")


class OpenSearchBackend:
    """One searchkit index on an OpenSearch cluster (see the module docstring)."""

    def __init__(
        self,
        url: str,
        index: str = "searchkit",
        *,
        shards: int = 1,
        replicas: int = 0,
        aliases: Mapping[str, Sequence[str]] | None = None,
        title_boost: float = 2.0,
        client: OpenSearchClient | None = None,
    ) -> None:
        self.client = client or OpenSearchClient(url)
        self.index = index
        self.manifest_index = f"{index}-manifest"
        self.shards, self.replicas = shards, replicas
        self.aliases = dict(aliases or {})
        self.title_boost = title_boost
        self._groups: Any = None
        self._vocab: dict[str, dict[str, int]] = {}

    # -- the index ----------------------------------------------------------
    def exists(self) -> bool:
        return self.client.index_exists(self.index)

    def ensure_index(self, rebuild: bool = False) -> None:
        """Create the article and manifest indexes if missing (``rebuild``: start over);
        refuse an index built with another French analysis."""
        self.client.info()
        if rebuild:
            self.client.delete_index(self.index)
            self.client.delete_index(self.manifest_index)
        if not self.client.index_exists(self.index):
            try:
                self.client.create_index(self.index, mappings_body(self.shards, self.replicas))
            except OpenSearchError as exc:
                if "resource_already_exists" not in str(exc):  # another indexer made it meanwhile
                    raise
        else:
            self.check()
        if not self.client.index_exists(self.manifest_index):
            try:
                self.client.create_index(self.manifest_index, _MANIFEST_MAPPING)
            except OpenSearchError as exc:
                if "resource_already_exists" not in str(exc):
                    raise

    def check(self) -> None:
        answer = self.client.request("GET", f"/{self.index}/_mapping", ok_missing=True)
        if answer is None:
            raise IndexMissingError(
                f"no searchkit index '{self.index}' at {self.client.url}",
                hint="run `searchkit index` first (opensearch.index in config.yaml names it)",
            )
        meta = next(iter(answer.values()), {}).get("mappings", {}).get("_meta", {}).get("searchkit", {})
        if meta.get("analysis_version") != ANALYSIS_VERSION:
            raise IndexIncompatibleError(
                f"the OpenSearch index '{self.index}' was built by another searchkit (analysis {meta.get('analysis_version')})",
                hint="rebuild it: searchkit index --rebuild",
            )

    def refresh(self) -> None:
        self.client.refresh(self.index)
        self._groups = None
        self._vocab = {}

    # -- writing ------------------------------------------------------------
    def index_documents(self, docs: Sequence[Mapping[str, Any]]) -> int:
        actions = ((({"index": {"_id": d["id"]}}), to_source(d)) for d in docs)
        result = self.client.bulk(actions, index=self.index)
        if result.failed:
            doc_id, reason = result.failed[0]
            raise OpenSearchError(
                f"OpenSearch refused {len(result.failed)} documents (first: {doc_id}: {reason})",
                hint="the index's mapping may come from another searchkit: searchkit index --rebuild",
            )
        return result.succeeded

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            result = self.client.bulk((({"delete": {"_id": i}}, None) for i in ids), index=self.index)
            if result.failed:
                raise OpenSearchError(f"OpenSearch refused to delete {result.failed[0][0]}: {result.failed[0][1]}")

    def delete_sources(self, keys: Sequence[str]) -> None:
        """Delete every article of these source files, including ones an interrupted run
        wrote without recording them in the manifest.

        A search for their ids then a bulk delete, not ``_delete_by_query``: that one
        lives in the ``reindex`` module, which a cluster may not have (the local test
        node has not)."""
        keys = list(keys)
        if not keys:
            return
        self.client.refresh(self.index)  # what an earlier run wrote must be found
        for first in range(0, len(keys), 1000):
            chunk = keys[first : first + 1000]
            after: list[Any] | None = None
            while True:
                body: dict[str, Any] = {"size": 5000, "_source": False, "sort": [{"id": "asc"}], "query": {"terms": {"source": chunk}}}
                if after is not None:
                    body["search_after"] = after
                hits = self.client.request("POST", f"/{self.index}/_search", body)["hits"]["hits"]
                self.delete([h["_id"] for h in hits])
                if len(hits) < 5000:
                    break
                after = hits[-1]["sort"]

    # -- the manifest -------------------------------------------------------
    def manifest(self, keys: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
        if not self.client.index_exists(self.manifest_index):
            return {}
        self.client.refresh(self.manifest_index)
        out: dict[str, dict[str, Any]] = {}
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {"size": 2000, "sort": [{"key": "asc"}], "query": {"match_all": {}}}
            if after is not None:
                body["search_after"] = after
            hits = self.client.request("POST", f"/{self.manifest_index}/_search", body)["hits"]["hits"]
            for h in hits:
                src = h["_source"]
                out[src["key"]] = {k: v for k, v in src.items() if k != "key"}
            if len(hits) < 2000:
                break
            after = hits[-1]["sort"]
        if keys is not None:
            wanted = set(keys)
            out = {k: v for k, v in out.items() if k in wanted}
        return out

    def save_manifest(self, entries: Mapping[str, dict[str, Any] | None]) -> None:
        actions = []
        for key, entry in entries.items():
            _id = hashlib.sha1(key.encode("utf-8")).hexdigest()
            if entry is None:
                actions.append(({"delete": {"_id": _id}}, None))
            else:
                actions.append(({"index": {"_id": _id}}, {"key": key, **entry}))
        if actions:
            result = self.client.bulk(actions, index=self.manifest_index)
            if result.failed:
                raise OpenSearchError(f"OpenSearch refused a manifest entry: {result.failed[0][1]}")

    # -- vocabulary ---------------------------------------------------------
    def vocabulary(self, field: str) -> dict[str, int]:
        """Every value of a keyword field with its article count (composite aggregation,
        paged: the whole vocabulary, however large)."""
        if field in self._vocab:
            return self._vocab[field]
        out: dict[str, int] = {}
        after: dict[str, Any] | None = None
        while True:
            comp: dict[str, Any] = {"size": 5000, "sources": [{"v": {"terms": {"field": field}}}]}
            if after:
                comp["after"] = after
            answer = self.client.request("POST", f"/{self.index}/_search", {"size": 0, "aggs": {"c": {"composite": comp}}})
            agg = answer["aggregations"]["c"]
            for b in agg["buckets"]:
                out[b["key"]["v"]] = b["doc_count"]
            after = agg.get("after_key")
            if not after or len(agg["buckets"]) < 5000:
                break
        self._vocab[field] = out
        return out

    def actor_vocabulary(self, kind: str) -> dict[str, int]:
        return self.vocabulary(kind)

    @property
    def groups(self) -> Any:
        """Actor spelling variants, grouped exactly as the Whoosh backend groups its own."""
        if self._groups is None:
            from searchkit.search.groups import ActorGroups

            counts = {(kind, name): n for kind in ACTOR_KINDS for name, n in self.actor_vocabulary(kind).items()}
            self._groups = ActorGroups(counts, self.aliases)
        return self._groups

    def count(self) -> int:
        return int(self.client.request("POST", f"/{self.index}/_count", {"query": {"match_all": {}}})["count"])

    # -- searching ----------------------------------------------------------
    def search(
        self,
        tree: T.Node,
        filters_tree: T.Node | None,
        limit: int,
        offset: int,
        sort: str,
        facet_fields: Sequence[str],
        facet_top: int | None,
        snippets: bool = False,
    ) -> T.BackendResult:
        query: dict[str, Any] = {"bool": {"must": [to_dsl(tree, self.title_boost)]}}
        if filters_tree is not None:
            query["bool"]["filter"] = [to_dsl(filters_tree, self.title_boost)]
        body: dict[str, Any] = {"query": query, "from": offset, "size": limit, "track_total_hits": True, "_source": STORED_FIELDS}
        if sort == "date":
            body["sort"] = [{"date_key": "desc"}, "_score"]
            body["track_scores"] = True
        aggs: dict[str, Any] = {}
        for f in facet_fields:
            if f in DATE_FIELDS:
                aggs[f] = {"terms": {"field": f"{f}_bucket", "size": facet_top or 10_000, "order": [{"_count": "desc"}, {"_key": "asc"}]}}
        if any(f in ACTOR_FIELDS for f in facet_fields):
            for kind in ACTOR_KINDS:
                aggs[f"raw_{kind}"] = {"terms": {"field": kind, "size": MAX_FACET_TERMS}}
        if aggs:
            body["aggs"] = aggs
        if snippets and limit:
            body["highlight"] = {
                "pre_tags": ["<mark>"], "post_tags": ["</mark>"], "type": "unified",
                "highlight_query": to_dsl(tree, self.title_boost),
                "fields": {"body": {"number_of_fragments": 0}, "body.exact": {"number_of_fragments": 0}},
            }
        answer = self.client.request("POST", f"/{self.index}/_search", body)
        hits = answer["hits"]["hits"]
        docs = []
        for h in hits:
            src = dict(h["_source"])
            if "highlight" in h:
                src["_marked"] = _marked_spans(h["highlight"])
            docs.append(src)
        facets: dict[str, tuple[tuple[str, int, tuple[str, ...]], ...]] = {}
        for f in facet_fields:
            if f in DATE_FIELDS:
                facets[f] = tuple((b["key"], int(b["doc_count"]), ()) for b in answer["aggregations"][f]["buckets"])
        actor_fields = [f for f in facet_fields if f in ACTOR_FIELDS]
        if actor_fields:
            raw = {kind: {b["key"]: int(b["doc_count"]) for b in answer["aggregations"][f"raw_{kind}"]["buckets"]} for kind in ACTOR_KINDS}
            for f in actor_fields:
                facets[f] = self._actor_facet(f, raw, query, facet_top)
        return T.BackendResult(
            ids=tuple(h["_id"] for h in hits),
            scores=tuple(float(h.get("_score") or 0.0) for h in hits),
            total=int(answer["hits"]["total"]["value"]),
            facets=facets,
            documents=tuple(docs),
        )

    def _actor_facet(self, field: str, raw: Mapping[str, Mapping[str, int]], query: Mapping[str, Any], top: int | None) -> tuple[tuple[str, int, tuple[str, ...]], ...]:
        """Raw spellings' counts merged into their groups. A group's counts summed over
        its spellings count an article that uses two spellings twice: groups of several
        spellings are recounted exactly, one filter each, in a second request."""
        groups = self.groups
        summed: dict[str, int] = {}
        members: dict[str, list[tuple[str, str]]] = {}
        for kind, counts in raw.items():
            for name, n in counts.items():
                if field != "actor" and groups.kind.get((kind, name), kind) != field:
                    continue
                disp = groups.display.get((kind, name), name)
                summed[disp] = summed.get(disp, 0) + n
                members.setdefault(disp, []).append((kind, name))
        several = sorted((d for d, m in members.items() if len(m) > 1), key=lambda d: -summed[d])[:MAX_RECOUNTED_GROUPS]
        if several:
            filters = {
                str(i): {"bool": {"should": [{"terms": {k: [n for kk, n in members[d] if kk == k]}} for k in ACTOR_KINDS if any(kk == k for kk, _ in members[d])], "minimum_should_match": 1}}
                for i, d in enumerate(several)
            }
            answer = self.client.request("POST", f"/{self.index}/_search", {"size": 0, "query": query, "aggs": {"g": {"filters": {"filters": filters}}}})
            for i, d in enumerate(several):
                summed[d] = int(answer["aggregations"]["g"]["buckets"][str(i)]["doc_count"])
        order = sorted((d for d, n in summed.items() if n), key=lambda d: (-summed[d], d))
        if top:
            order = order[:top]
        return tuple((d, summed[d], tuple(sorted(groups.variants([d], None) - {d}))) for d in order)

    def suggest(self, words: Sequence[str]) -> dict[str, str]:
        """For each word not in the index (unstemmed fields), its nearest indexed word."""
        if not words:
            return {}
        body = {"size": 0, "suggest": {
            str(i): {"text": w, "term": {"field": "body.exact", "suggest_mode": "missing", "max_edits": 2, "size": 1, "sort": "score"}}
            for i, w in enumerate(words)
        }}
        answer = self.client.request("POST", f"/{self.index}/_search", body)
        out: dict[str, str] = {}
        for i, w in enumerate(words):
            entries = answer.get("suggest", {}).get(str(i), [])
            if len(entries) == 1 and entries[0].get("options"):
                out[w] = entries[0]["options"][0]["text"]
        return out

    def has_term(self, word: str) -> bool:
        q = {"bool": {"should": [{"term": {"body.exact": word}}, {"term": {"title.exact": word}}]}}
        return bool(self.client.request("POST", f"/{self.index}/_count", {"query": q})["count"])

    def document(self, doc_id: str) -> dict[str, Any]:
        answer = self.client.request("GET", f"/{self.index}/_doc/{_quote(doc_id)}", ok_missing=True)
        if not answer or not answer.get("found"):
            raise NotFoundError(f"no article with id '{doc_id}'", hint="ids are file names without extension; see `searchkit search` output")
        return answer["_source"]

    def close(self) -> None:
        self.client.close()


_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
_ELIDED = re.compile(r"^(\w+)['’ʼ‘′`´]")


def _marked_spans(highlight: Mapping[str, Sequence[str]]) -> list[tuple[int, int]]:
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


def _quote(doc_id: str) -> str:
    import urllib.parse

    return urllib.parse.quote(doc_id, safe="")
