"""The vector store: one passage vector per indexed article, kept beside the Whoosh index.

What it is for: storing the vectors the indexer computes, in step with the index's
commits, and handing searches a memory-mapped ``(n, dim)`` float32 matrix to take dot
products with. Query time computes only the query's vector.

Layout, in ``index_dir/vectors/``:

- ``info.json``: the model name (vectors of another model are not comparable) and ``dim``;
- ``delta-G.npz``: what one index commit changed (ids added or replaced with their
  vectors, ids deleted), ``G`` being the Whoosh generation that commit creates;
- ``base-G.npy`` + ``base-G.ids.json``: the whole set as of generation ``G`` (written by
  ``compact`` at the end of an indexing run), memory-mapped by readers.

Why it survives kill -9 with nothing lost and nothing orphaned: the indexer writes
``delta-G`` (atomically: temporary file, then rename) *before* Whoosh writes its table of
contents for generation ``G``. A reader replays the latest base and the deltas up to the
index's committed generation ``W`` only. Killed before Whoosh's commit: ``delta-G`` has
``G > W`` and is ignored (and deleted by the next indexer), exactly as Whoosh ignores the
segment it was writing. Killed after: both are there. A base is used only once its
``.npy`` (renamed last) exists, and it supersedes the deltas at or below its generation.

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
FORMAT = 1
_DELTA = re.compile(r"^delta-(\d+)\.npz$")
_BASE = re.compile(r"^base-(\d+)\.npy$")
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
    commit), ``scores(query_vector)`` or ``aligned_scores(ids_by_docnum, query_vector)``.
    Writing (the indexer only, under the index's write lock):
    ``VectorStore.for_indexing(index_dir, model_name, generation)``, then ``add``/``delete``
    as the index changes, ``commit(G)`` just before Whoosh's commit of generation ``G``,
    and ``compact()`` once the run's last commit is done.
    """

    def __init__(self, index_dir: Path, info: dict, writable: bool = False) -> None:
        self.index_dir = Path(index_dir)
        self.dir = self.index_dir / VECTORS_DIR
        self.model_name: str = info["model"]
        self.dim: int = int(info.get("dim") or 0)
        self._writable = writable
        self._loaded_gen: int | None = None
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
        """Open (or create) for the indexer. Vectors of another model are dropped (they
        cannot be compared with the new ones); the indexer then embeds every article
        again. Deltas of a commit that never happened (a killed run) are deleted."""
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

    @staticmethod
    def remove(index_dir: Path) -> None:
        """Delete the store (semantic indexing turned off, or another model)."""
        shutil.rmtree(Path(index_dir) / VECTORS_DIR, ignore_errors=True)

    # -- reading ------------------------------------------------------------------------------
    def matrix(self, generation: int | None = None) -> tuple[list[str], np.ndarray]:
        """``(ids, M)``: ``M[i]`` is the L2-normalised vector of article ``ids[i]``, float32
        ``(n, dim)``, read-only (memory-mapped when the store is compacted). It reflects
        the index's commit ``generation`` (default: the latest on disk); the same
        objects come back while that does not change."""
        gen = committed_generation(self.index_dir) if generation is None else generation
        with self._lock:
            if gen != self._loaded_gen:
                self._ids, self._matrix = self._load(gen)
                self._loaded_gen = gen
            return self._ids, self._matrix

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
        there is no vector. The row map is built once per ``order`` object and index
        generation, so a search pays one matrix-vector product and one gather."""
        with self._lock:
            ids, m = self.matrix()
            key = (self._loaded_gen, id(order), len(order))
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

    def _load(self, gen: int, attempt: int = 0) -> tuple[list[str], np.ndarray]:
        if attempt >= 3:
            raise SearchkitError(f"cannot read the vectors in {self.dir}", hint="run `searchkit index --rebuild`")
        names = _listdir(self.dir)
        bases = sorted(int(m.group(1)) for n in names if (m := _BASE.match(n)) and int(m.group(1)) <= gen)
        base_gen = -1
        ids: list[str] = []
        mat = np.zeros((0, self.dim), dtype=np.float32)
        for b in reversed(bases):  # the newest complete base
            try:
                ids = json.loads((self.dir / f"base-{b}.ids.json").read_text("utf-8"))
                mat = np.load(self.dir / f"base-{b}.npy", mmap_mode="r")
                base_gen = b
                break
            except (OSError, ValueError):
                # Deleted by a compaction that ran since the listing: an older one is
                # gone too, so start again from the listing.
                return self._load(gen, attempt + 1)
        deltas = sorted(int(m.group(1)) for n in names if (m := _DELTA.match(n)) and base_gen < int(m.group(1)) <= gen)
        if not deltas:
            return ids, mat
        # Replay in commit order: deletes, then adds (an update deletes and re-adds an id).
        rows = {doc_id: i for i, doc_id in enumerate(ids)}
        extra: dict[str, np.ndarray] = {}
        dropped: set[str] = set()
        for g in deltas:
            try:
                with np.load(self.dir / f"delta-{g}.npz") as data:
                    dels, add_ids, add_vecs = list(data["deleted"]), list(data["ids"]), data["vecs"]
            except (OSError, ValueError):
                return self._load(gen, attempt + 1)  # compacted away meanwhile: read the new base
            for d in map(str, dels):
                extra.pop(d, None)
                dropped.add(d)
            for d, v in zip(map(str, add_ids), add_vecs):
                extra[d] = np.asarray(v, dtype=np.float32)
                dropped.discard(d)
        keep = [i for i, d in enumerate(ids) if d not in dropped and d not in extra]
        out_ids = [ids[i] for i in keep] + list(extra)
        dim = mat.shape[1] if mat.size else (next(iter(extra.values())).shape[0] if extra else self.dim)
        parts = [np.asarray(mat[keep], dtype=np.float32).reshape(len(keep), dim)]
        if extra:
            parts.append(np.vstack(list(extra.values())).astype(np.float32))
        out = np.vstack(parts) if parts else np.zeros((0, dim), dtype=np.float32)
        out.flags.writeable = False
        return out_ids, out

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

    def commit(self, generation: int) -> None:
        """Write the pending changes as ``delta-<generation>``. Call it just *before* the
        Whoosh commit that creates ``generation`` (``writer.generation``): until that
        commit lands, readers ignore the file."""
        self._check_writable()
        if not self._adds and not self._dels:
            return
        ids = list(self._adds)
        vecs = np.vstack([self._adds[i] for i in ids]).astype(np.float32) if ids else np.zeros((0, self.dim), np.float32)
        tmp = self.dir / f"delta-{generation}.npz.tmp"
        with open(tmp, "wb") as fh:
            np.savez(fh, ids=np.array(ids, dtype=str), deleted=np.array(sorted(self._dels), dtype=str), vecs=vecs)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.dir / f"delta-{generation}.npz")
        self._adds.clear()
        self._dels.clear()

    def discard(self) -> None:
        """Forget the pending changes (the Whoosh writer was cancelled)."""
        self._adds.clear()
        self._dels.clear()

    def compact(self) -> None:
        """Fold the latest base and its deltas into one base at the committed generation,
        so that searches memory-map a single file; then delete what it replaces."""
        self._check_writable()
        gen = committed_generation(self.index_dir)
        names = _listdir(self.dir)
        if not any(_DELTA.match(n) for n in names) and sum(1 for n in names if _BASE.match(n)) <= 1:
            return
        ids, mat = self._load(gen)
        self._loaded_gen = None
        ids_tmp = self.dir / f"base-{gen}.ids.json.tmp"
        ids_tmp.write_text(json.dumps(ids, ensure_ascii=False), "utf-8")
        os.replace(ids_tmp, self.dir / f"base-{gen}.ids.json")
        npy_tmp = self.dir / f"base-{gen}.npy.tmp"
        with open(npy_tmp, "wb") as fh:
            np.save(fh, np.ascontiguousarray(mat, dtype=np.float32).reshape(len(ids), mat.shape[1] if mat.ndim == 2 else self.dim))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(npy_tmp, self.dir / f"base-{gen}.npy")  # from here on, the new base is the one read
        for name in names:
            m = _DELTA.match(name) or _BASE.match(name)
            if m and int(m.group(1)) <= gen and name != f"base-{gen}.npy":
                (self.dir / name).unlink(missing_ok=True)
                if _BASE.match(name):
                    (self.dir / name.replace(".npy", ".ids.json")).unlink(missing_ok=True)

    def _check_writable(self) -> None:
        if not self._writable:
            raise RuntimeError("this VectorStore was opened for reading")


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
