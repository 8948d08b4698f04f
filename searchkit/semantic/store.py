"""The vector store: one passage vector per indexed article, kept beside the Whoosh index.

What it is for: storing the vectors the indexer's vector step computes (index/vectors.py),
dropping those of deleted or changed articles in step with the index's commits, and
handing searches a memory-mapped ``(n, dim)`` float32 matrix to take dot products with.
Query time computes only the query's vector.

Layout, in ``index_dir/vectors/``:

- ``complete.json``: the index generation at which the vector step last finished, so a
  run that changed nothing since reads none of the index's ids;
- ``info.json``: the embedding name (model and what of each article it read: vectors of
  another are not comparable, so the store is emptied when it changes) and ``dim``;
- ``delta-G.npz``: what one index commit changed (ids deleted: their articles went or
  changed), ``G`` being the Whoosh generation that commit creates;
- ``delta-G-S.npz`` (``S`` = 1, 2...): vectors added by the vector step after the words
  of generation ``G`` were committed, in the order written;
- ``base-G[-S].npy`` + ``base-G[-S].ids.json``: the whole set as of that point (written
  by ``compact``), memory-mapped by readers.

Every file is written atomically (temporary file, then rename) and ordered by its key
``(G, S)`` (``S`` = 0 without a suffix). Why it survives kill -9 with nothing lost and
nothing orphaned: the indexer writes ``delta-G`` *before* Whoosh writes its table of
contents for generation ``G``; the vector step writes ``delta-W-S`` for the committed
generation ``W`` only. A reader replays the latest base and the deltas of generations up
to the committed ``W``. Killed before Whoosh's commit: ``delta-G`` has ``G > W`` and is
ignored (and deleted by the next indexer), exactly as Whoosh ignores the segment it was
writing. Killed in the vector step: every delta renamed so far counts, the next run
computes the rest. A base is used only once its ``.npy`` (renamed last) exists, and it
supersedes the deltas at or below its key.

What it must not do: open Whoosh (it reads only the generation numbers in the names
of the index's ``.toc`` files), compute vectors, or write anything unless opened by the
indexer, which holds the index's write lock.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import threading
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from searchkit.errors import SearchkitError

__all__ = ["VectorStore", "VectorsMissingError", "committed_generation", "VECTORS_DIR"]

VECTORS_DIR = "vectors"
INFO_FILE = "info.json"
COMPLETE_FILE = "complete.json"  # the generation at which every article had its vector (index/vectors.py)
FORMAT = 1
_DELTA = re.compile(r"^delta-(\d+)(?:-(\d+))?\.npz$")
_BASE = re.compile(r"^base-(\d+)(?:-(\d+))?\.npy$")
Key = tuple[int, int]  # (Whoosh generation, step within it): the order files are replayed in
_TOC = re.compile(r"^_MAIN_(\d+)\.toc$")


class VectorsMissingError(SearchkitError):
    """Semantic search on an index that was built without vectors."""


def committed_generation(index_dir: Path) -> int:
    """The Whoosh index's committed generation: the highest ``_MAIN_G.toc`` on disk
    (Whoosh writes a table of contents under a temporary name and renames it, so one
    that exists is complete). -1 without any."""
    gens = [int(m.group(1)) for name in _listdir(index_dir) if (m := _TOC.match(name))]
    return max(gens, default=-1)


def _listdir(path: Path) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


class VectorStore:
    """The vectors of one index.

    Reading: ``VectorStore.open(index_dir)``, then ``matrix()`` (fresh after every index
    commit and every commit of the vector step), ``scores(query_vector)`` or
    ``aligned_scores(ids_by_docnum, query_vector)``.
    Writing (the indexer only, under the index's write lock):
    ``VectorStore.for_indexing(index_dir, embedding_name)``, then ``delete`` as articles go
    or change and ``commit(G)`` just before Whoosh's commit of generation ``G``; after the
    run's last commit of words, ``add`` and ``commit()`` (no generation: the committed
    one) as the vector step computes vectors, and ``compact()``.
    """

    def __init__(self, index_dir: Path, info: dict, writable: bool = False) -> None:
        self.index_dir = Path(index_dir)
        self.dir = self.index_dir / VECTORS_DIR
        self.model_name: str = info["model"]
        self.dim: int = int(info.get("dim") or 0)
        self._writable = writable
        self._loaded: tuple[Key | None, tuple[Key, ...]] | None = None  # the files the matrix was read from
        self._ids: list[str] = []
        self._matrix: np.ndarray = np.zeros((0, self.dim), dtype=np.float32)
        # Uncommitted changes (indexer only): id -> vector, and ids to delete.
        self._adds: dict[str, np.ndarray] = {}
        self._dels: set[str] = set()
        # Readers in several threads: the loaded matrix and the row map change together.
        self._lock = threading.RLock()
        self._align: tuple[Any, np.ndarray, Any] | None = None  # (key, rows, the order list)

    # -- opening ------------------------------------------------------------------------------
    @staticmethod
    def exists(index_dir: Path) -> bool:
        """True if ``index_dir`` has a vector store (built with semantic indexing on)."""
        return (Path(index_dir) / VECTORS_DIR / INFO_FILE).is_file()

    @classmethod
    def open(cls, index_dir: Path) -> "VectorStore":
        """Open for reading; ``VectorsMissingError`` if the index has no vectors."""
        info = _read_info(Path(index_dir))
        if info is None:
            raise VectorsMissingError(
                f"the index in {index_dir} has no vectors", hint="run `searchkit index --semantic` (or set semantic: true in config.yaml)"
            )
        return cls(Path(index_dir), info)

    @classmethod
    def for_indexing(cls, index_dir: Path, model_name: str) -> "VectorStore":
        """Open (or create) for the indexer. Vectors of another embedding are dropped
        (they cannot be compared with the new ones); the vector step then computes every
        article's again. Deltas of a commit that never happened (a killed run) are deleted."""
        index_dir = Path(index_dir)
        info = _read_info(index_dir)
        if info is None or info.get("model") != model_name or info.get("format") != FORMAT:
            VectorStore.remove(index_dir)
            info = {"model": model_name, "dim": 0, "format": FORMAT}
            (index_dir / VECTORS_DIR).mkdir(parents=True, exist_ok=True)
            _write_json(index_dir / VECTORS_DIR / INFO_FILE, info)
        store = cls(index_dir, info, writable=True)
        committed = committed_generation(index_dir)
        for name in _listdir(store.dir):
            m = _DELTA.match(name) or _BASE.match(name)
            stale = m is not None and int(m.group(1)) > committed
            if stale or name.endswith(".tmp") or (name.endswith(".ids.json") and not (store.dir / name.replace(".ids.json", ".npy")).exists()):
                (store.dir / name).unlink(missing_ok=True)
        return store

    def complete_at(self) -> int | None:
        """The index generation at which the vector step last left every article with a
        vector (None: unknown, e.g. it was interrupted)."""
        try:
            return int(json.loads((self.dir / COMPLETE_FILE).read_text("utf-8"))["generation"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def mark_complete(self, generation: int) -> None:
        """Record that every article of the index's ``generation`` has its vector."""
        self._check_writable()
        _write_json(self.dir / COMPLETE_FILE, {"generation": generation})

    @staticmethod
    def remove(index_dir: Path) -> None:
        """Delete the store (semantic indexing turned off, or another model)."""
        shutil.rmtree(Path(index_dir) / VECTORS_DIR, ignore_errors=True)

    # -- reading ------------------------------------------------------------------------------
    def matrix(self, generation: int | None = None) -> tuple[list[str], np.ndarray]:
        """``(ids, M)``: ``M[i]`` is the L2-normalised vector of article ``ids[i]``, float32
        ``(n, dim)``, read-only (memory-mapped when the store is compacted). It reflects
        the index's commit ``generation`` (default: the latest on disk) and every vector
        the vector step committed since; the same objects come back while the files to
        read do not change."""
        gen = committed_generation(self.index_dir) if generation is None else generation
        with self._lock:
            for _ in range(3):
                files = self._files(gen)
                if files == self._loaded:
                    return self._ids, self._matrix
                try:
                    self._ids, self._matrix = _replay(self.dir, self.dim, *files)
                except (OSError, ValueError):
                    continue  # compacted away since the listing: list again
                self._loaded = files
                return self._ids, self._matrix
        raise SearchkitError(f"cannot read the vectors in {self.dir}", hint="run `searchkit index --rebuild`")

    def scores(self, query: np.ndarray) -> tuple[list[str], np.ndarray]:
        """Cosine similarity of every stored vector with ``query`` (an L2-normalised
        ``(dim,)`` vector): ``(ids, scores)``, in store order."""
        ids, m = self.matrix()
        if not ids:
            return ids, np.zeros(0, dtype=np.float32)
        return ids, m @ np.asarray(query, dtype=np.float32)

    def aligned_scores(self, order: Sequence[str | None], query: np.ndarray) -> np.ndarray:
        """Cosine similarity with ``query`` for each position of ``order`` (e.g. the ids of
        the index's document numbers, None for a deleted one): float32, ``-inf`` where
        there is no vector. The row map is built once per ``order`` object and state of
        the store, so a search pays one matrix-vector product and one gather."""
        with self._lock:
            ids, m = self.matrix()
            key = (self._loaded, id(order), len(order))
            if self._align is None or self._align[0] != key:
                row = {doc_id: i for i, doc_id in enumerate(ids)}
                rows = np.fromiter((row.get(d, -1) if d is not None else -1 for d in order), dtype=np.int64, count=len(order))
                # The cache holds ``order`` itself, so its id() cannot be reused by another list.
                self._align = (key, rows, order)
            rows = self._align[1]
        out = np.full(len(order), -np.inf, dtype=np.float32)
        if ids:
            sims = m @ np.asarray(query, dtype=np.float32)
            have = rows >= 0
            out[have] = sims[rows[have]]
        return out

    def ids(self) -> set[str]:
        """The committed ids (as of the latest generation) plus uncommitted adds, minus
        uncommitted deletes."""
        have = set(self.matrix()[0])
        return (have - self._dels) | set(self._adds)

    def __len__(self) -> int:
        return len(self.matrix()[0])

    def _files(self, gen: int) -> tuple[Key | None, tuple[Key, ...]]:
        """What a reader at generation ``gen`` reads: the newest complete base, and the
        deltas after it, in order."""
        names = _listdir(self.dir)
        bases = [k for n in names if (m := _BASE.match(n)) and (k := _key(m))[0] <= gen]
        base = max(bases, default=None)
        deltas = sorted(k for n in names if (m := _DELTA.match(n)) and (k := _key(m))[0] <= gen and (base is None or k > base))
        return base, tuple(deltas)

    # -- writing (the indexer) ----------------------------------------------------------------
    def add(self, ids: Sequence[str], vecs: np.ndarray) -> None:
        """Add or replace the vectors of ``ids`` (rows of ``vecs``), from the next commit on."""
        self._check_writable()
        vecs = np.asarray(vecs, dtype=np.float32).reshape(len(ids), -1)
        if len(ids) and not self.dim:
            self.dim = int(vecs.shape[1])
            _write_json(self.dir / INFO_FILE, {"model": self.model_name, "dim": self.dim, "format": FORMAT})
        if len(ids) and vecs.shape[1] != self.dim:
            raise SearchkitError(f"vectors of dimension {vecs.shape[1]} for a store of dimension {self.dim}", hint="run `searchkit index --rebuild`")
        for doc_id, v in zip(ids, vecs):
            self._adds[str(doc_id)] = v

    def delete(self, ids: Iterable[str]) -> None:
        """Remove the vectors of ``ids`` (with their articles), from the next commit on."""
        self._check_writable()
        for doc_id in ids:
            self._adds.pop(doc_id, None)
            self._dels.add(doc_id)

    @property
    def pending(self) -> int:
        return len(self._adds) + len(self._dels)

    def commit(self, generation: int | None = None) -> None:
        """Write the pending changes. With ``generation``: as ``delta-<generation>``, just
        *before* the Whoosh commit that creates it (``writer.generation``); until that
        commit lands, readers ignore the file. Without: as the next delta of the committed
        generation (the vector step, between Whoosh commits), which readers see at once."""
        self._check_writable()
        if not self._adds and not self._dels:
            return
        key = (generation, 0) if generation is not None else self._next_key()
        ids = list(self._adds)
        vecs = np.vstack([self._adds[i] for i in ids]).astype(np.float32) if ids else np.zeros((0, self.dim), np.float32)
        name = f"{_name('delta', key)}.npz"
        with open(self.dir / f"{name}.tmp", "wb") as fh:
            np.savez(fh, ids=np.array(ids, dtype=str), deleted=np.array(sorted(self._dels), dtype=str), vecs=vecs)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(self.dir / f"{name}.tmp", self.dir / name)
        self._adds.clear()
        self._dels.clear()

    def _next_key(self) -> Key:
        """The key after every file of the committed generation (deltas and bases alike:
        a delta keyed at or below a base would never be read)."""
        gen = committed_generation(self.index_dir)
        steps = [k[1] for n in _listdir(self.dir) if (m := _DELTA.match(n) or _BASE.match(n)) and (k := _key(m))[0] == gen]
        return gen, max(steps, default=0) + 1

    def deltas(self) -> int:
        """How many deltas a reader replays over the base (the vector step compacts when
        they pile up: each new one makes readers replay them all)."""
        return len(self._files(committed_generation(self.index_dir))[1])

    def discard(self) -> None:
        """Forget the pending changes (the Whoosh writer was cancelled)."""
        self._adds.clear()
        self._dels.clear()

    def compact(self) -> None:
        """Fold the latest base and its deltas into one base at the key of the last one,
        so that searches memory-map a single file; then delete what it replaces."""
        self._check_writable()
        names = _listdir(self.dir)
        base, deltas = self._files(committed_generation(self.index_dir))
        if not deltas and sum(1 for n in names if _BASE.match(n)) <= 1:
            return
        key = deltas[-1] if deltas else base
        if key is None:
            return
        ids, mat = _replay(self.dir, self.dim, base, deltas)
        self._loaded = None
        stem = _name("base", key)
        (self.dir / f"{stem}.ids.json.tmp").write_text(json.dumps(ids, ensure_ascii=False), "utf-8")
        os.replace(self.dir / f"{stem}.ids.json.tmp", self.dir / f"{stem}.ids.json")
        with open(self.dir / f"{stem}.npy.tmp", "wb") as fh:
            np.save(fh, np.ascontiguousarray(mat, dtype=np.float32).reshape(len(ids), mat.shape[1] if mat.ndim == 2 else self.dim))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(self.dir / f"{stem}.npy.tmp", self.dir / f"{stem}.npy")  # from here on, the new base is the one read
        for name in names:
            m = _DELTA.match(name) or _BASE.match(name)
            if m and _key(m) <= key and name != f"{stem}.npy":
                (self.dir / name).unlink(missing_ok=True)
                if _BASE.match(name):
                    (self.dir / name.replace(".npy", ".ids.json")).unlink(missing_ok=True)

    def _check_writable(self) -> None:
        if not self._writable:
            raise RuntimeError("this VectorStore was opened for reading")


def _replay(folder: Path, dim: int, base: Key | None, deltas: Sequence[Key]) -> tuple[list[str], np.ndarray]:
    """The ids and vectors of ``base`` with ``deltas`` applied in order."""
    ids: list[str] = []
    mat: np.ndarray = np.zeros((0, dim), dtype=np.float32)
    if base is not None:
        ids = json.loads((folder / f"{_name('base', base)}.ids.json").read_text("utf-8"))
        mat = np.load(folder / f"{_name('base', base)}.npy", mmap_mode="r")
    if not deltas:
        return ids, mat
    # Replay in order: deletes, then adds (an update deletes and re-adds an id).
    extra: dict[str, np.ndarray] = {}
    dropped: set[str] = set()
    for key in deltas:
        with np.load(folder / f"{_name('delta', key)}.npz") as data:
            dels, add_ids, add_vecs = list(data["deleted"]), list(data["ids"]), data["vecs"]
        for d in map(str, dels):
            extra.pop(d, None)
            dropped.add(d)
        for d, v in zip(map(str, add_ids), add_vecs):
            extra[d] = np.asarray(v, dtype=np.float32)
            dropped.discard(d)
    keep = [i for i, d in enumerate(ids) if d not in dropped and d not in extra]
    out_ids = [ids[i] for i in keep] + list(extra)
    dim = mat.shape[1] if mat.size else (next(iter(extra.values())).shape[0] if extra else dim)
    parts = [np.asarray(mat[keep], dtype=np.float32).reshape(len(keep), dim)]
    if extra:
        parts.append(np.vstack(list(extra.values())).astype(np.float32))
    out = np.vstack(parts)
    out.flags.writeable = False
    return out_ids, out


def _key(match: re.Match[str]) -> Key:
    return int(match.group(1)), int(match.group(2) or 0)


def _name(kind: str, key: Key) -> str:
    """``delta-7`` for an index commit's changes (the names of the first format), ``delta-7-3``
    for the vector step's third commit after it; the same for bases."""
    return f"{kind}-{key[0]}" + (f"-{key[1]}" if key[1] else "")


def _read_info(index_dir: Path) -> dict | None:
    try:
        info = json.loads((index_dir / VECTORS_DIR / INFO_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and "model" in info else None


def _write_json(path: Path, data: object) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data), "utf-8")
    os.replace(tmp, path)
