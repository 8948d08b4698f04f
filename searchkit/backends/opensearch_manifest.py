"""The incremental manifest of an OpenSearch index, kept in the cluster beside it.

``INDEX-manifest`` holds one document per source file (content hash, size, mtime, article
ids, the aliases it was extracted with), so that every indexer process writing ``INDEX``
shares one manifest. ``ingest`` writes an entry only after its file's documents were
accepted by ``_bulk``: a run that dies leaves the old entry or none.

It must NOT write or read articles, or decide what to re-index (``ingest`` does).
"""
from __future__ import annotations

import hashlib
from typing import Any, Iterable, Mapping

from searchkit.backends.opensearch_client import OpenSearchClient
from searchkit.errors import OpenSearchError

__all__ = ["ManifestIndex"]

_MAPPING = {
    "settings": {"index": {"number_of_shards": 1}},
    "mappings": {
        "dynamic": False,
        "properties": {"key": {"type": "keyword"}, "digest": {"type": "keyword"}},
    },
}
_PAGE = 2000


class ManifestIndex:
    """Source key -> {digest, size, mtime_ns, ids, aliases}, in the index ``name``."""

    def __init__(self, client: OpenSearchClient, name: str) -> None:
        self.client = client
        self.name = name

    def ensure(self) -> None:
        if not self.client.index_exists(self.name):
            try:
                self.client.create_index(self.name, _MAPPING)
            except OpenSearchError as exc:
                if "resource_already_exists" not in str(exc):  # another indexer made it meanwhile
                    raise

    def delete(self) -> None:
        self.client.delete_index(self.name)

    def read(self, keys: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
        """Every entry (or those of ``keys``), paged with search_after: however many files."""
        if not self.client.index_exists(self.name):
            return {}
        self.client.refresh(self.name)
        out: dict[str, dict[str, Any]] = {}
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {"size": _PAGE, "sort": [{"key": "asc"}], "query": {"match_all": {}}}
            if after is not None:
                body["search_after"] = after
            hits = self.client.request("POST", f"/{self.name}/_search", body)["hits"]["hits"]
            for h in hits:
                src = h["_source"]
                out[src["key"]] = {k: v for k, v in src.items() if k != "key"}
            if len(hits) < _PAGE:
                break
            after = hits[-1]["sort"]
        if keys is not None:
            wanted = set(keys)
            out = {k: v for k, v in out.items() if k in wanted}
        return out

    def save(self, entries: Mapping[str, dict[str, Any] | None]) -> None:
        """Write entries (None deletes one); a document id per key (its sha1), so that two
        processes writing one key replace each other's entry rather than doubling it."""
        actions = []
        for key, entry in entries.items():
            _id = hashlib.sha1(key.encode("utf-8")).hexdigest()
            if entry is None:
                actions.append(({"delete": {"_id": _id}}, None))
            else:
                actions.append(({"index": {"_id": _id}}, {"key": key, **entry}))
        if actions:
            result = self.client.bulk(actions, index=self.name)
            if result.failed:
                raise OpenSearchError(f"OpenSearch refused a manifest entry: {result.failed[0][1]}")
