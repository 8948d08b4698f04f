"""French text handling shared by indexing, querying and extraction: one normaliser
(apostrophes, accent folding, elision) and the Whoosh analyzers built on it. Nothing here
reads files, opens an index or loads a model."""
