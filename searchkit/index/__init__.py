"""Writing the index: the on-disk store (open, create, stamp, manifest), the documents
built from articles, the worker processes, the bulk segment writer and the indexer run.
Query-time code imports only ``index.store`` and ``index.schema`` from here; nothing in
this package imports ``searchkit.search``'s engine."""
