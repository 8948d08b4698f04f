"""Passage vectors in an OpenSearch index: the ``knn_vector`` field and its queries.

The vectors are searchkit's own (``semantic.embed``: e5), computed by the vector step
after the words are written (``backends/vector_fill``: the articles without one, read
back from the index, the same text as the Whoosh backend's vector step embeds, written
as partial updates); OpenSearch stores them in a ``knn_vector`` field of
the k-NN plugin's Lucene engine (HNSW, cosine; pure Java, so it runs in the local node
built from Maven Central jars: ``opensearch/pom.xml``) and answers a filtered approximate
k-NN query. The embedding's name is kept in the mapping's ``_meta`` so that a query is
embedded by the same model, and an index without it says "no vectors". Every index is
created with the k-NN setting on (it cannot be changed later), so that vectors can be
added to an index made without them: the field is added to its mapping.

It must NOT compute vectors or fuse rankings (``hybrid.fuse`` does, for both backends).
"""
from __future__ import annotations

from typing import Any, Iterator, Mapping, Sequence

from searchkit.backends.opensearch_client import OpenSearchClient
from searchkit.errors import IndexIncompatibleError, OpenSearchError

__all__ = ["FIELD", "VectorMembers", "add_vector_field", "clear_vectors", "create_index", "count_missing", "count_vectors", "embedding_of", "knn", "lucene_to_cosine", "missing_vectors", "put_vector_field", "stored_texts", "write_vectors"]

FIELD = "vector"
KNN_HINT = ("the cluster needs the k-NN plugin (opensearch-knn) for semantic: true; "
            "`make opensearch` has it, else set semantic: false in config.yaml")


# Articles read back per request by the vector step.
PAGE = 256


def _field(dim: int) -> dict[str, Any]:
    return {"type": "knn_vector", "dimension": dim, "method": {"name": "hnsw", "engine": "lucene", "space_type": "cosinesimil"}}


def add_vector_field(body: dict[str, Any], dim: int, embedding: str) -> dict[str, Any]:
    """A ``mappings_body`` with a ``knn_vector`` field of ``dim`` dimensions."""
    body["settings"]["index"]["knn"] = True
    body["mappings"]["properties"][FIELD] = _field(dim)
    body["mappings"]["_meta"]["searchkit"]["embedding"] = embedding
    return body


def put_vector_field(client: OpenSearchClient, index: str, dim: int, embedding: str, meta: Mapping[str, Any]) -> None:
    """Add the ``knn_vector`` field to an existing index made with the k-NN setting on
    (``meta``: its ``_meta.searchkit``, which the mapping update replaces whole)."""
    client.request("PUT", f"/{index}/_mapping", {"properties": {FIELD: _field(dim)}, "_meta": {"searchkit": {**meta, "embedding": embedding}}})


_MISSING = {"bool": {"must_not": [{"exists": {"field": FIELD}}]}}


def count_vectors(client: OpenSearchClient, index: str) -> int:
    """How many articles of ``index`` have a passage vector."""
    return int(client.request("POST", f"/{index}/_count", {"query": {"exists": {"field": FIELD}}})["count"])


def count_missing(client: OpenSearchClient, index: str) -> int:
    return int(client.request("POST", f"/{index}/_count", {"query": _MISSING})["count"])


def missing_vectors(client: OpenSearchClient, index: str, page: int = PAGE,
                    fields: Sequence[str] = ("id", "source", "title", "body")) -> Iterator[list[dict[str, Any]]]:
    """The articles without a vector, a page at a time in id order (their ``fields``):
    a cursor on the id, so pages stay right while vectors are written."""
    return _pages(client, index, _MISSING, list(fields), page)


def stored_texts(client: OpenSearchClient, index: str, ids: Sequence[str], page: int = PAGE) -> Iterator[list[dict[str, Any]]]:
    """The id, title and body of the articles ``ids`` still in the index, in ``ids``'
    order, a page at a time."""
    for start in range(0, len(ids), page):
        chunk = list(ids[start:start + page])
        body = {"size": len(chunk), "query": {"ids": {"values": chunk}}, "_source": ["id", "title", "body"]}
        found = {h["_id"]: h["_source"] for h in client.request("POST", f"/{index}/_search", body)["hits"]["hits"]}
        yield [found[i] for i in chunk if i in found]


def clear_vectors(client: OpenSearchClient, index: str) -> None:
    """Remove every article's vector (a null value is not indexed: no ``_update_by_query``,
    which needs the reindex module)."""
    for page in _pages(client, index, {"exists": {"field": FIELD}}, ["id"], PAGE * 4):
        _update(client, index, [src["id"] for src in page], [None] * len(page), refresh=False)
    client.refresh(index)


def _pages(client: OpenSearchClient, index: str, query: Mapping[str, Any], source: list[str], page: int) -> Iterator[list[dict[str, Any]]]:
    after: list[Any] | None = None
    while True:
        body: dict[str, Any] = {"size": page, "query": query, "sort": [{"id": "asc"}], "_source": source}
        if after is not None:
            body["search_after"] = after
        hits = client.request("POST", f"/{index}/_search", body)["hits"]["hits"]
        if not hits:
            return
        yield [h["_source"] for h in hits]
        after = hits[-1]["sort"]


def write_vectors(client: OpenSearchClient, index: str, ids: Sequence[str], vectors: Any) -> None:
    """Set the vectors of ``ids`` (partial updates: the rest of each article stays),
    visible to searches on return."""
    # Refreshed: searches use each write's vectors at once (a write is tens of seconds of
    # embedding, so the refreshes cost nothing beside it).
    _update(client, index, ids, [[float(x) for x in v] for v in vectors], refresh=True)


def _update(client: OpenSearchClient, index: str, ids: Sequence[str], values: Sequence[Any], refresh: bool) -> None:
    """Set the vector field of ``ids`` to ``values`` (None: no vector), as partial updates."""
    result = client.bulk((({"update": {"_id": i}}, {"doc": {FIELD: v}}) for i, v in zip(ids, values)), index=index, refresh=refresh)
    # An article deleted since it was read (another indexer, --part) needs no update.
    failed = [(i, why) for i, why in result.failed if "document_missing" not in why]
    if failed:
        doc_id, reason = failed[0]
        raise OpenSearchError(f"OpenSearch refused {len(failed)} vectors (first: {doc_id}: {reason})",
                              hint="run searchkit index again: the vectors written so far are kept")


def embedding_of(mapping_meta: Mapping[str, Any]) -> str | None:
    """The embedding an index's vectors were made with (None: the index has none)."""
    return mapping_meta.get("embedding")


def lucene_to_cosine(score: float) -> float:
    """The Lucene engine scores cosine similarity as (1 + cos) / 2: back to the cosine."""
    return 2.0 * float(score) - 1.0


def knn(client: OpenSearchClient, index: str, vector: Sequence[float], k: int, filter_dsl: Mapping[str, Any] | None) -> list[tuple[str, float]]:
    """The ``k`` articles whose vectors are nearest ``vector`` among those ``filter_dsl``
    lets through (filtered during the graph search, not after), with their cosine."""
    query: dict[str, Any] = {"vector": [float(x) for x in vector], "k": k}
    if filter_dsl is not None:
        query["filter"] = filter_dsl
    body = {"size": k, "_source": False, "query": {"knn": {FIELD: query}}}
    try:
        hits = client.request("POST", f"/{index}/_search", body)["hits"]["hits"]
    except OpenSearchError as exc:
        if "knn" in str(exc).lower():
            raise OpenSearchError(f"OpenSearch cannot run a k-NN query: {exc}", hint=KNN_HINT) from None
        raise
    return [(h["_id"], lucene_to_cosine(h["_score"])) for h in hits]


def create_index(client: OpenSearchClient, index: str, body: dict[str, Any], vectors: tuple[int, str] | None) -> None:
    """Create the article index from ``body`` (``mappings_body``), with the vector field
    when ``vectors`` (dimensions, embedding name). The k-NN setting is fixed at creation:
    on always, so that vectors can be added later (semantic: true) without a rebuild."""
    body["settings"]["index"]["knn"] = True
    if vectors:
        add_vector_field(body, *vectors)
    try:
        client.create_index(index, body)
    except OpenSearchError as exc:
        if "knn" in str(exc).lower():
            if vectors:
                raise OpenSearchError(f"cannot create an index with vectors: {exc}", hint=KNN_HINT) from None
            del body["settings"]["index"]["knn"]  # a cluster without the k-NN plugin: words only
            client.create_index(index, body)
        elif "resource_already_exists" not in str(exc):  # another indexer made it meanwhile
            raise


class VectorMembers:
    """The OpenSearch backend's members for passage vectors (a mixin: the host has
    ``client``, ``index``, ``embedding`` and ``_meta``, its mapping's ``_meta.searchkit``)."""

    client: OpenSearchClient
    index: str
    embedding: str | None
    _meta: dict[str, Any]

    def vector_count(self) -> int:
        return count_vectors(self.client, self.index) if self.embedding else 0

    def missing_vector_count(self) -> int:
        return count_missing(self.client, self.index)

    def missing_vectors(self, fields: Sequence[str] = ("id", "source", "title", "body")) -> Iterator[list[dict[str, Any]]]:
        return missing_vectors(self.client, self.index, fields=fields)

    def stored_texts(self, ids: Sequence[str]) -> Iterator[list[dict[str, Any]]]:
        return stored_texts(self.client, self.index, ids)

    def write_vectors(self, ids: Sequence[str], vectors: Any) -> None:
        write_vectors(self.client, self.index, ids, vectors)

    def drop_vectors(self) -> None:
        """Remove every article's vector and the index's embedding (semantic: false):
        searches are lexical by default again, and the field can be filled later."""
        clear_vectors(self.client, self.index)
        meta = {k: v for k, v in self._meta.items() if k != "embedding"}
        self.client.request("PUT", f"/{self.index}/_mapping", {"_meta": {"searchkit": meta}})
        self._meta, self.embedding = meta, None

    def _add_vectors(self, dim: int, embedding: str) -> None:
        """Give an index made without vectors their field (the vector step fills it);
        refuse one with another embedding's, or one made without the k-NN setting."""
        settings = self.client.request("GET", f"/{self.index}/_settings")
        knn = str(next(iter(settings.values()), {}).get("settings", {}).get("index", {}).get("knn", "false")).lower() == "true"
        if self.embedding is not None or not knn:
            why = f"{self.embedding} vectors" if self.embedding else "no k-NN setting (made by an older searchkit)"
            raise IndexIncompatibleError(f"the OpenSearch index '{self.index}' has {why}, not {embedding}",
                                         hint="rebuild it: searchkit index --rebuild (or set semantic: false)")
        put_vector_field(self.client, self.index, dim, embedding, self._meta)
        self.embedding = embedding
