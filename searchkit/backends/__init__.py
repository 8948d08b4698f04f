"""Search backends: how searchkit talks to a search engine other than its embedded
Whoosh index (OpenSearch so far). Nothing here is imported by the Whoosh path."""
