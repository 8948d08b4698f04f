"""Passage vectors in an OpenSearch index: the ``knn_vector`` field and its queries.

The vectors are searchkit's own (``semantic.embed``: e5, computed in the indexing
workers as they extract, from the text the Whoosh backend's vector step embeds); OpenSearch stores them in a ``knn_vector`` field of
the k-NN plugin's Lucene engine (HNSW, cosine; pure Java, so it runs in the local node
built from Maven Central jars: ``opensearch/pom.xml``) and answers a filtered approximate
k-NN query. The embedding's name is kept in the mapping's ``_meta`` so that a query is
embedded by the same model, and an index without it says "no vectors".

It must NOT compute vectors or fuse rankings (``hybrid.fuse`` does, for both backends).
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from searchkit.backends.opensearch_client import OpenSearchClient
from searchkit.errors import OpenSearchError

__all__ = ["FIELD", "add_vector_field", "embedding_of", "knn", "lucene_to_cosine"]

FIELD = "vector"
KNN_HINT = ("the cluster needs the k-NN plugin (opensearch-knn) for semantic: true; "
            "`make opensearch` has it, else set semantic: false in config.yaml")


def add_vector_field(body: dict[str, Any], dim: int, embedding: str) -> dict[str, Any]:
    """A ``mappings_body`` with a ``knn_vector`` field of ``dim`` dimensions."""
    body["settings"]["index"]["knn"] = True
    body["mappings"]["properties"][FIELD] = {
        "type": "knn_vector", "dimension": dim,
        "method": {"name": "hnsw", "engine": "lucene", "space_type": "cosinesimil"},
    }
    body["mappings"]["_meta"]["searchkit"]["embedding"] = embedding
    return body


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
