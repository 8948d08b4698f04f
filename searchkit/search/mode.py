"""Which mode a search runs in: the one policy, on every backend.

Lexical for an empty query or ``*`` (browsing everything: there is no meaning to rank
by) and when asked; hybrid by default where the index has vectors and the embedder can
run, lexical otherwise, with a notice when vectors are there but the embedder is not;
semantic or hybrid when asked, or the one-line error that says why they cannot run.

It must NOT load the model or read vectors: the engine passes its backend's way to learn whether its
index has vectors (asked only when the answer matters: a lexical search or ``*`` never
opens the vector store) and the check that raises the error a semantic search would give.
"""
from __future__ import annotations

from typing import Callable

from searchkit.errors import QueryError, SearchkitError
from searchkit.vocab import MODES

__all__ = ["resolve_mode"]


def resolve_mode(mode: str | None, text: str, has_vectors: Callable[[], bool], check: Callable[[], None]) -> tuple[str, tuple[str, ...]]:
    """The mode a search of ``text`` runs in, and a notice when the default had to fall
    back. ``has_vectors()`` says whether the index has vectors (called only for the
    default mode of a search with words); ``check`` raises the ``SearchkitError`` a
    semantic search would (no vectors, the optional embedder missing).

    >>> yes, no, fine = (lambda: True), (lambda: False), (lambda: None)
    >>> resolve_mode(None, "*", yes, fine), resolve_mode(None, "roquettes", no, fine)
    (('lexical', ()), ('lexical', ()))
    >>> resolve_mode(None, "roquettes", yes, fine)
    ('hybrid', ())
    """
    if mode is not None and mode not in MODES:
        raise QueryError(f"unknown mode '{mode}'", hint="use hybrid, lexical or semantic")
    if text.strip() in ("", "*") or mode == "lexical":
        return "lexical", ()
    if mode is None:
        if not has_vectors():
            return "lexical", ()
        try:
            check()
        except SearchkitError as exc:
            return "lexical", (f"this index has vectors but semantic search is unavailable ({exc}): lexical search",)
        return "hybrid", ()
    check()  # semantic or hybrid asked for: a one-line error if impossible
    return mode, ()
