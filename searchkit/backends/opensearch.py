"""The OpenSearch backend: searchkit's documents, queries and facets on an OpenSearch index.

What it keeps in the cluster: ``INDEX``, one document per article, ``_id`` = the article
id (``opensearch_documents``: mapping and source); ``INDEX-manifest``, the incremental
manifest shared by every indexer process that writes ``INDEX`` (``opensearch_manifest``).
Queries are the backend-neutral tree in OpenSearch's DSL (``opensearch_dsl``); filters are
filter clauses (no score); facets are aggregations, actor spellings merged with the same
``ActorGroups`` as the Whoosh backend (``opensearch_aggs``).

This class is the ``base.Backend`` protocol over those modules, plus what the analyst's
commands ask of it: counts of a keyword field under a query (timelines), the term
statistics of a text (more-like-this) and nearest passage vectors (hybrid search). What
the one ``search.Engine`` asks (a ranked page, similar, counts, stats) it answers from
those primitives through ``operations.ProtocolOperations``.

It must NOT parse query strings (search/parse does), extract anything from articles
(index/documents, in worker processes), or print.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from searchkit.backends import base as T
from searchkit.search.tree import Node
from searchkit.backends.operations import ProtocolOperations
from searchkit.backends.opensearch_aggs import CONTEXT_MAX_ARTICLES, composite_counts, context_postings, count_groups, facet_aggs, read_facets
from searchkit.backends.opensearch_analysis import ANALYSIS_VERSION
from searchkit.backends.opensearch_client import OpenSearchClient
from searchkit.backends.opensearch_documents import STORED_FIELDS, date_buckets, mappings_body, to_source
from searchkit.backends.opensearch_dsl import highlight, marked_spans, to_dsl
from searchkit.backends.opensearch_manifest import ManifestIndex
from searchkit.backends.opensearch_vectors import VectorMembers, create_index, embedding_of, knn
from searchkit.errors import IndexIncompatibleError, IndexMissingError, NotFoundError, OpenSearchError
from searchkit.vocab import ACTOR_KINDS

__all__ = ["OpenSearchBackend", "date_buckets", "to_dsl"]


class OpenSearchBackend(ProtocolOperations, VectorMembers):
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
        vectors: tuple[int, str] | None = None,
        acronyms: bool = True,
    ) -> None:
        """``vectors``: (dimensions, embedding name) of the passage vectors a new index
        holds (semantic: true), None for none."""
        self.client = client or OpenSearchClient(url)
        self.index = index
        self.manifest_store = ManifestIndex(self.client, f"{index}-manifest")
        self.shards, self.replicas = shards, replicas
        self.aliases = dict(aliases or {})
        self.acronyms = acronyms  # merge acronyms with their long forms (config extract.acronyms)
        self.title_boost = title_boost
        self._groups: Any = None
        self._vocab: dict[str, dict[str, int]] = {}
        self.vectors = vectors
        self.embedding: str | None = None  # the index's vectors' embedding, read by check()
        self._meta: dict[str, Any] = {}  # the mapping's _meta.searchkit, read by check()

    # -- the index ----------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        return {"backend": "opensearch", "url": self.client.url, "index": self.index}

    def exists(self) -> bool:
        return self.client.index_exists(self.index)

    def ensure_index(self, rebuild: bool = False) -> None:
        """Create the article and manifest indexes if missing (``rebuild``: start over);
        refuse an index built with another French analysis."""
        self.client.info()
        if rebuild:
            self.client.delete_index(self.index)
            self.manifest_store.delete()
        if not self.client.index_exists(self.index):
            create_index(self.client, self.index, mappings_body(self.shards, self.replicas), self.vectors)
        else:
            self.check()
            # Fields added since the index was made (the mapping is strict): adding one
            # to a mapping is allowed, and a no-op when it is there.
            self.client.request("PUT", f"/{self.index}/_mapping", {"properties": {"acronym": {"type": "keyword"}}})
            if self.vectors and self.embedding != self.vectors[1]:
                self._add_vectors(*self.vectors)
        self.manifest_store.ensure()

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
        self._meta = dict(meta)
        self.embedding = embedding_of(meta)

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
        wrote without recording them in the manifest."""
        _delete_sources(self, list(keys))

    # -- the manifest (opensearch_manifest) -------------------------------------
    def manifest(self, keys: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
        return self.manifest_store.read(keys)

    def save_manifest(self, entries: Mapping[str, dict[str, Any] | None]) -> None:
        self.manifest_store.save(entries)

    # -- vocabulary ---------------------------------------------------------
    def vocabulary(self, field: str) -> dict[str, int]:
        """Every value of a keyword field with its article count (composite aggregation,
        paged: the whole vocabulary, however large)."""
        if field in self._vocab:
            return self._vocab[field]
        out = composite_counts(self.client, self.index, field)
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
            docs, evidence = (context_postings(self.client, self.index, ACTOR_KINDS, self.acronyms)
                              if self.count() <= CONTEXT_MAX_ARTICLES else (None, None))
            definitions = self.vocabulary("acronym") if self.acronyms else None
            self._groups = ActorGroups(counts, self.aliases, docs, definitions, evidence)
        return self._groups

    def count(self) -> int:
        return int(self.client.request("POST", f"/{self.index}/_count", {"query": {"match_all": {}}})["count"])

    # -- searching ----------------------------------------------------------
    def query(self, tree: Node, filters_tree: Node | None) -> dict[str, Any]:
        """The DSL of ``tree`` (scored) AND ``filters_tree`` (a filter clause: no score)."""
        query: dict[str, Any] = {"bool": {"must": [to_dsl(tree, self.title_boost)]}}
        if filters_tree is not None:
            query["bool"]["filter"] = [to_dsl(filters_tree, self.title_boost)]
        return query

    def value_counts(self, field: str, tree: Node, filters_tree: Node | None) -> tuple[int, dict[str, int]]:
        """How many articles ``tree`` and ``filters_tree`` match, and every value of the
        keyword ``field`` among them with its article count (timelines count dates so)."""
        query = self.query(tree, filters_tree)
        total = int(self.client.request("POST", f"/{self.index}/_count", {"query": query})["count"])
        return total, composite_counts(self.client, self.index, field, query)

    def group_counts(self, tree: Node, filters_tree: Node | None, members: Mapping[str, Sequence[tuple[str, str]]]) -> dict[str, int]:
        """The exact article count of each actor group (display -> (field, spelling) pairs)
        among the articles ``tree`` and ``filters_tree`` match."""
        return count_groups(self.client, self.index, self.query(tree, filters_tree), members)

    def term_statistics(self, text: str, field: str = "body") -> tuple[dict[str, tuple[int, int]], int]:
        """Each index term of ``text`` (analysed as ``field`` is) with its frequency in the
        text and in the whole index, and how many articles have the field: what a
        more-like-this weighs terms with. (``_termvectors`` of an artificial document:
        index statistics from one shard, so approximate on an index of several.)"""
        body = {"doc": {field: text}, "fields": [field], "term_statistics": True, "field_statistics": True, "positions": False, "offsets": False}
        vector = self.client.request("POST", f"/{self.index}/_termvectors", body).get("term_vectors", {}).get(field, {})
        terms = {t: (int(s["term_freq"]), int(s.get("ttf") or 0)) for t, s in vector.get("terms", {}).items()}
        return terms, int(vector.get("field_statistics", {}).get("doc_count", 0))

    def search(
        self,
        tree: Node,
        filters_tree: Node | None,
        limit: int,
        offset: int,
        sort: str,
        facet_fields: Sequence[str],
        facet_top: int | None,
        snippets: bool = False,
    ) -> T.BackendResult:
        query = self.query(tree, filters_tree)
        body: dict[str, Any] = {"query": query, "from": offset, "size": limit, "track_total_hits": True, "_source": STORED_FIELDS}
        if sort == "date":
            body["sort"] = [{"date_key": "desc"}, "_score"]
            body["track_scores"] = True
        aggs = facet_aggs(facet_fields, facet_top)
        if aggs:
            body["aggs"] = aggs
        if snippets and limit:
            body["highlight"] = highlight(to_dsl(tree, self.title_boost))
        answer = self.client.request("POST", f"/{self.index}/_search", body)
        hits = answer["hits"]["hits"]
        docs = []
        for h in hits:
            src = dict(h["_source"])
            if "highlight" in h:
                src["_marked"] = marked_spans(h["highlight"])
            docs.append(src)
        facets = read_facets(self.client, self.index, self.groups, answer, facet_fields, query, facet_top)
        return T.BackendResult(
            ids=tuple(h["_id"] for h in hits),
            scores=tuple(float(h.get("_score") or 0.0) for h in hits),
            total=int(answer["hits"]["total"]["value"]),
            facets=facets,
            documents=tuple(docs),
        )

    def knn(self, vector: Sequence[float], k: int, filters_tree: Node | None) -> list[tuple[str, float]]:
        """The ``k`` articles whose passage vectors are nearest ``vector`` (ids, cosine)."""
        return knn(self.client, self.index, vector, k, to_dsl(filters_tree) if filters_tree is not None else None)

    def fetch(self, ids: Sequence[str], tree: Node) -> list[dict[str, Any]]:
        """The stored fields of ``ids``, in that order, the body spans ``tree`` matches in
        each (``"_marked"``), whether or not it matches them all."""
        body = {"size": len(ids), "query": {"ids": {"values": list(ids)}}, "_source": STORED_FIELDS, "highlight": highlight(to_dsl(tree, self.title_boost))}
        found = {h["_id"]: {**h["_source"], "_marked": marked_spans(h.get("highlight", {}))} for h in self.client.request("POST", f"/{self.index}/_search", body)["hits"]["hits"]}
        return [found[i] for i in ids if i in found]

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


def _delete_sources(backend: OpenSearchBackend, keys: list[str]) -> None:
    """A search for their ids then a bulk delete, not ``_delete_by_query``: that one
    lives in the ``reindex`` module, which a cluster may not have (the local test
    node has not)."""
    if not keys:
        return
    backend.client.refresh(backend.index)  # what an earlier run wrote must be found
    for first in range(0, len(keys), 1000):
        chunk = keys[first : first + 1000]
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {"size": 5000, "_source": False, "sort": [{"id": "asc"}], "query": {"terms": {"source": chunk}}}
            if after is not None:
                body["search_after"] = after
            hits = backend.client.request("POST", f"/{backend.index}/_search", body)["hits"]["hits"]
            backend.delete([h["_id"] for h in hits])
            if len(hits) < 5000:
                break
            after = hits[-1]["sort"]


def _quote(doc_id: str) -> str:
    import urllib.parse

    return urllib.parse.quote(doc_id, safe="")
