"""What an article is in the OpenSearch index: its mapping and its source document.

``to_source`` turns a ``index/documents.extract_documents`` dict into the document ``_bulk``
sends; ``mappings_body`` is the index mapping that holds it: French text fields with an
``exact`` sub-field (``opensearch_analysis``), keyword arrays for actors and dates (every
date prefix and ``undated``, as the Whoosh schema holds them), ``published_bucket`` /
``mentioned_bucket`` (the value each article counts under in a date facet, so that a date
facet is one terms aggregation), ``date_key`` for sorting, ``meta`` stored only.

It must NOT talk to a cluster, extract anything from articles, or build queries.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from searchkit.backends.opensearch_analysis import index_body
from searchkit.vocab import ACTOR_FIELDS, DATE_FIELDS, UNDATED

__all__ = ["KEYWORD_FIELDS", "STORED_FIELDS", "date_buckets", "mappings_body", "split_values", "to_source"]

KEYWORD_FIELDS = ("id", "source", "digest", *ACTOR_FIELDS, *DATE_FIELDS, "published_bucket", "mentioned_bucket", "acronym")
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


def split_values(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if str(v)]
    return [v for v in str(value or "").split(",") if v]


def to_source(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A ``index/documents.extract_documents`` dict (text not analysed) as an OpenSearch document."""
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
        raise TypeError("OpenSearch takes documents with their text, not Whoosh postings (index.documents.Options(text_fields=()))")
    for f in (*ACTOR_FIELDS, *DATE_FIELDS):
        out[f] = split_values(doc.get(f))
    out["acronym"] = split_values(doc.get("acronym"))
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
