"""The index on disk: creation, version check, manifest, incremental writing.

Only this module (with ``writer.py``, its Whoosh writer) and ``search.py`` (with
``fastindex.py``) touch Whoosh readers and writers. An indexing
run commits every ``commit_every`` articles and writes the manifest (which files,
with which content hash, are in the index) after each commit, so an interrupted
run keeps everything committed and the next run carries on. The manifest names
the Whoosh generation it describes; when they disagree (a kill between the two
writes) it is rebuilt from the index's own stored fields.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from collections import deque
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Collection, Iterator, Sequence

from searchkit.corpus import Article, Problem, ReadResult, SourceFile, iter_sources, read_parts
from searchkit.errors import IndexIncompatibleError, IndexLockedError, IndexMissingError, SearchkitError
from searchkit.index.documents import Prepared
from searchkit.index.schema import build_schema, version_stamp

__all__ = ["IndexReport", "open_index", "run_index", "index_exists"]

STAMP_FILE = "searchkit.json"
MANIFEST_FILE = "manifest.json"
ALIASES_FILE = "aliases.json"  # the config aliases the articles were extracted with
INDEX_NAME = "MAIN"
# Above this many bytes to read, worker processes pay for their start-up.
PARALLEL_MIN_BYTES = 2_000_000
# The digest stored with the documents of a collection's parts before its last one.
PARTIAL = "partial"
# Articles per extraction job: two full batches of 32 for spaCy's pipe() (a batch of 8
# costs 20% more CPU per article than one of 32), small enough
# that two workers stay balanced and Ctrl-C never waits long.
CHUNK_ARTICLES = 64


@dataclass
class IndexReport:
    """What an indexing run did; ``unchanged`` means it found nothing to do."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    documents: int = 0
    files_seen: int = 0
    files_changed: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.updated or self.removed or self.files_changed)

    @property
    def skipped(self) -> list[Problem]:
        return [p for p in self.problems if p.skipped]

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "documents": self.documents,
            "files_seen": self.files_seen,
            "files_changed": self.files_changed,
            "unchanged": self.unchanged,
            "skipped": [str(p) for p in self.skipped],
            "warnings": [str(p) for p in self.problems if not p.skipped],
            "seconds": round(self.seconds, 3),
            "interrupted": self.interrupted,
        }


def index_exists(index_dir: Path) -> bool:
    """True if ``index_dir`` holds a Whoosh index, readable or not: a damaged table of
    contents still counts (opening it then says to rebuild, rather than 'no index')."""
    return index_dir.is_dir() and any(index_dir.glob(f"_{INDEX_NAME}_*.toc"))


def open_index(index_dir: Path) -> Any:
    """Open an existing index for reading, refusing missing or incompatible ones."""
    if not index_exists(index_dir):
        raise IndexMissingError(f"no index in {index_dir}", hint="run `searchkit index` first (or `make run`)")
    _check_stamp(index_dir)
    return _open_dir(index_dir)


def _open_dir(index_dir: Path) -> Any:
    from whoosh import index as windex

    try:
        return windex.open_dir(str(index_dir), indexname=INDEX_NAME)
    except Exception as exc:  # a damaged TOC (Whoosh raises IndexError…) or an unpicklable schema
        raise IndexIncompatibleError(
            f"cannot open the index in {index_dir} ({type(exc).__name__}: {exc})",
            hint="run `searchkit index --rebuild`",
        ) from None


def _clear_for_rebuild(index_dir: Path) -> None:
    """Empty ``index_dir`` for ``--rebuild``. The caller holds the write lock (deleting
    first and locking after would wipe the index under a running indexer), so the lock
    file itself stays."""
    for child in index_dir.iterdir():
        if child.name == f"{INDEX_NAME}_WRITELOCK":
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def _check_stamp(index_dir: Path) -> None:
    try:
        stamp = json.loads((index_dir / STAMP_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        stamp = {}
    expected = version_stamp()
    found = {k: stamp.get(k) for k in expected}
    if found != expected:
        raise IndexIncompatibleError(
            f"the index in {index_dir} was built by an incompatible searchkit ({found}, need {expected})",
            hint="run `searchkit index --rebuild`",
        )


def _create(index_dir: Path, title_boost: float) -> Any:
    from whoosh import index as windex

    index_dir.mkdir(parents=True, exist_ok=True)
    ix = windex.create_in(str(index_dir), build_schema(title_boost), indexname=INDEX_NAME)
    _write_json(index_dir / STAMP_FILE, version_stamp())
    _write_json(index_dir / MANIFEST_FILE, {"generation": ix.latest_generation(), "files": {}})
    return ix


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    os.replace(tmp, path)  # atomic: a reader never sees half a file


def _load_manifest(ix: Any, index_dir: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((index_dir / MANIFEST_FILE).read_text("utf-8"))
        if data.get("generation") == ix.latest_generation():
            return dict(data["files"])
    except (OSError, ValueError, KeyError, AttributeError):
        pass
    # Out of step with the index (killed between commit and manifest write):
    # trust the index. Sizes are unknown, so every file is re-hashed once.
    files: dict[str, dict[str, Any]] = {}
    with ix.searcher() as s:
        for fields in s.all_stored_fields():
            entry = files.setdefault(fields["source"], {"digest": fields.get("digest"), "size": -1, "mtime_ns": -1, "ids": []})
            entry["ids"].append(fields["id"])
            if entry["digest"] != fields.get("digest"):
                entry["digest"] = None  # a collection committed in part (see PARTIAL): read it again
    return files


ProgressFn = Callable[[int, int], None]


def run_index(
    roots: Sequence[Path],
    index_dir: Path,
    *,
    rebuild: bool = False,
    actors: bool = True,
    dates: bool = True,
    model: str | None = None,
    workers: int = 1,
    max_file_mb: float | None = None,
    commit_every: int = 2000,
    title_boost: float = 2.0,
    progress: ProgressFn | None = None,
    formats: Collection[str] | None = None,
    aliases: Any = None,
    semantic: bool | None = None,
    dedup: bool = True,
) -> IndexReport:
    """Bring the index in ``index_dir`` in line with the files under ``roots``.

    ``semantic``: compute and store passage vectors (True), drop them (False), or keep
    doing what the index already does (None: vectors if it has them).

    The whole run holds the index's write lock, from before the manifest is read to
    after the last manifest write: a second indexer is refused at once, never slipped
    in between two commits with a stale manifest (articles stored twice)."""
    started = time.perf_counter()
    if rebuild and index_dir.exists() and not (index_exists(index_dir) or (index_dir / STAMP_FILE).exists()):
        if any(index_dir.iterdir()):
            raise SearchkitError(f"{index_dir} is not a searchkit index and not empty", hint="choose another index_dir in config.yaml")
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = _run_lock(index_dir)
    try:
        report = _run_index_locked(
            roots, index_dir, rebuild=rebuild, actors=actors, dates=dates, model=model, workers=workers,
            max_file_mb=max_file_mb, commit_every=commit_every, title_boost=title_boost, progress=progress, formats=formats,
            aliases=aliases,
            semantic=semantic,
            dedup=dedup,
        )
    finally:
        lock.release()
    report.seconds = time.perf_counter() - started
    return report


def _indexed_aliases(index_dir: Path) -> tuple[tuple[str, tuple[str, ...]], ...] | None:
    """The aliases the index's articles were extracted with (None: unknown)."""
    try:
        data = json.loads((index_dir / ALIASES_FILE).read_text("utf-8"))
        return tuple((str(k), tuple(str(v) for v in vs)) for k, vs in data)
    except (OSError, ValueError, TypeError):
        return None


def _frozen_aliases(aliases: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """config.yaml's aliases for the workers' gazetteer (see extract.actors.Gazetteer)."""
    from searchkit.extract.actors import freeze_aliases

    return freeze_aliases(aliases)


def _run_lock(index_dir: Path) -> Any:
    """Whoosh's own write-lock file, held by searchkit for a whole run (its writers are
    then opened with ``_lk=False``). An flock: a killed holder releases it."""
    from whoosh.util.filelock import FileLock

    path = index_dir / f"{INDEX_NAME}_WRITELOCK"
    lock = FileLock(str(path))
    if not lock.acquire(blocking=False):
        raise IndexLockedError(
            f"another indexer is writing to {index_dir} (lock {path})",
            hint="wait for it to finish; a lock left by a killed process is released automatically",
        )
    return lock


def _run_index_locked(
    roots: Sequence[Path],
    index_dir: Path,
    *,
    rebuild: bool,
    actors: bool,
    dates: bool,
    model: str | None,
    workers: int,
    max_file_mb: float | None,
    commit_every: int,
    title_boost: float,
    progress: ProgressFn | None,
    formats: Collection[str] | None = None,
    aliases: Any = None,
    semantic: bool | None = None,
    dedup: bool = True,
) -> IndexReport:
    from searchkit.index.documents import Options
    from searchkit.index.writer import open_writer  # indexing only: searches never import Whoosh's writer

    report = IndexReport()
    if semantic is None:  # decided before --rebuild empties the folder
        from searchkit.semantic.store import VectorStore

        semantic = VectorStore.exists(index_dir)
    if rebuild and (index_exists(index_dir) or (index_dir / STAMP_FILE).exists()):
        _clear_for_rebuild(index_dir)
    if index_exists(index_dir):
        _check_stamp(index_dir)
        ix = _open_dir(index_dir)
    else:
        ix = _create(index_dir, title_boost)
    manifest = _load_manifest(ix, index_dir)
    # The gazetteer reads config.yaml's aliases while extracting: with other aliases,
    # every file is read again (its digest forgotten), not only the changed ones.
    frozen = _frozen_aliases(aliases) if actors else ()
    if _indexed_aliases(index_dir) != frozen:
        for entry in manifest.values():
            entry.update(digest=None, size=-1)
    vectors = _open_vectors(index_dir, semantic, manifest)

    seen: list[SourceFile] = []
    for item in iter_sources(roots, exclude=[index_dir], formats=formats):
        if isinstance(item, Problem):
            report.problems.append(item)
        else:
            seen.append(item)
    report.files_seen = len(seen)
    keys = {s.key for s in seen}
    gone = [k for k in manifest if k not in keys]
    candidates = [s for s in seen if maybe_changed(s, manifest.get(s.key))]

    if vectors is not None:  # files with articles lacking a vector are extracted again
        queued = {s.key for s in candidates}
        candidates += [s for s in seen if s.key not in queued and manifest.get(s.key, {}).get("digest") is None]
    if not gone and not candidates:
        # Nothing to do: no writer, so no empty segment files left behind.
        from searchkit.duplicates import SIGNATURE_FILE  # numpy: only when indexing

        if dedup and not (index_dir / SIGNATURE_FILE).exists() and ix.doc_count():
            # An index made before near-duplicates: sign its articles once.
            _open_signatures(index_dir, ix).save(index_dir, ix.latest_generation())
        with ix.searcher() as s:
            report.documents = s.doc_count()
        return report
    writer = open_writer(ix)
    # Near-duplicate signatures, saved after each commit like the manifest (duplicates.py).
    signatures = _open_signatures(index_dir, ix) if dedup else None
    ids_in_use = {i for k, e in manifest.items() if k not in gone for i in e.get("ids", [])}
    # A collection read in parts: its manifest entry before this run and its ids so far.
    in_parts: dict[str, tuple[dict[str, Any] | None, list[str]]] = {}
    pending = 0
    dirty = False
    try:
        for key in gone:
            writer.delete_by_term("source", key)
            if vectors is not None:
                vectors.delete(manifest[key].get("ids", []))
            report.removed += len(manifest[key].get("ids", []))
            for i in manifest[key].get("ids", []):
                ids_in_use.discard(i)
            if signatures is not None:
                signatures.drop(manifest[key].get("ids", []))
            del manifest[key]
            dirty = True
        options = Options(
            actors=actors, dates=dates, max_bytes=int(max_file_mb * 1e6) if max_file_mb else None, model=model,
            text_fields=_text_fields(ix.schema), aliases=_frozen_aliases(aliases), semantic=vectors is not None, dedup=dedup,
        )
        total = len(candidates)
        done = 0
        if progress:
            progress(0, total)
        for prepared in prepare_all(candidates, options, workers, manifest):
            key = prepared.source.key
            done += prepared.last
            old = manifest.get(key) if prepared.part == 0 else in_parts[key][0]
            report.problems.extend(prepared.problems)
            if not prepared.digest:
                # Not read (unreadable, gone, too big): keep what the index has of it
                # and record nothing, so the next run tries again.
                pass
            elif prepared.part == 0 and old and old.get("digest") == prepared.digest:
                # Touched but not changed: remember the new stat, do no work.
                old.update(size=prepared.source.size, mtime_ns=prepared.source.mtime_ns)
                dirty = True
            else:
                if prepared.part == 0:
                    report.files_changed += 1
                    if old:
                        writer.delete_by_term("source", key)
                        if vectors is not None:
                            vectors.delete(old.get("ids", []))
                        for i in old.get("ids", []):
                            ids_in_use.discard(i)
                        if signatures is not None:
                            signatures.drop(old.get("ids", []))
                    ids: list[str] = []
                else:
                    ids = in_parts.pop(key)[1]
                for doc in prepared.docs:
                    doc["id"] = unique_id(doc["id"], ids_in_use, report, doc["path"])
                    # Only a whole file's documents carry its hash (see _load_manifest).
                    doc["digest"] = prepared.digest if prepared.last else PARTIAL
                    vector = doc.pop("_vector", None)
                    sig = doc.pop("_minhash", None)
                    if signatures is not None:
                        signatures.put(doc["id"], doc["digest"], sig)
                    writer.add_document(**doc)
                    if vectors is not None and vector is not None:
                        vectors.add([doc["id"]], vector[None, :])
                    ids.append(doc["id"])
                    ids_in_use.add(doc["id"])
                pending += len(prepared.docs) or 1
                if prepared.last:
                    count_file(report, old, ids)
                    manifest[key] = {
                        "digest": prepared.digest,
                        "size": prepared.source.size,
                        "mtime_ns": prepared.source.mtime_ns,
                        "ids": ids,
                    }
                else:
                    # Committed in part: a run that stops here reads the whole file again
                    # next time (no digest, no stat), replacing these documents.
                    in_parts[key] = (old, ids)
                    manifest[key] = {"digest": None, "size": -1, "mtime_ns": -1, "ids": list(ids), "partial": True}
                dirty = True
            if progress:
                progress(done, total)
            if pending >= commit_every:
                if vectors is not None:
                    vectors.commit(writer.generation)  # before Whoosh's: see semantic/store.py
                writer.commit()
                _write_json(index_dir / MANIFEST_FILE, {"generation": ix.latest_generation(), "files": manifest})
                if signatures is not None:
                    signatures.save(index_dir, ix.latest_generation())
                writer = open_writer(ix)
                pending = 0
        if dirty or pending:
            if vectors is not None:
                vectors.commit(writer.generation)
            writer.commit()
        else:
            writer.cancel()
        _write_json(index_dir / MANIFEST_FILE, {"generation": ix.latest_generation(), "files": manifest})
        _write_json(index_dir / ALIASES_FILE, [[k, list(v)] for k, v in frozen])
        if signatures is not None:
            signatures.save(index_dir, ix.latest_generation())
    except BaseException:
        # Ctrl-C or a crash: drop the uncommitted part; what was committed stays. The
        # writer is already closed if the interrupt came during or just after a commit,
        # before the next writer was open: cancelling it again would raise and hide the
        # interrupt.
        if not writer.is_closed:
            writer.cancel()
        raise
    # The numpy copy of the new segments (see fastindex.py), on all workers while the
    # lock is still held: searches would otherwise build it, one segment at a time.
    from searchkit.search.fastpath import ensure

    reader = ix.reader()
    try:
        ensure(index_dir, reader, workers=workers)
    finally:
        reader.close()
    if vectors is not None:
        vectors.compact()  # one file for searches to memory-map
    with ix.searcher() as s:
        report.documents = s.doc_count()
    return report


def _open_vectors(index_dir: Path, semantic: bool, manifest: dict[str, dict[str, Any]]) -> Any:
    """The vector store for this run (None when semantic indexing is off, which also
    drops any vectors). A file whose articles are not all in the store (semantic indexing
    just turned on, another model) loses its recorded digest, so it is extracted and
    embedded again (its articles count as updated)."""
    from searchkit.semantic.store import VectorStore

    if not semantic:
        VectorStore.remove(index_dir)
        return None
    from searchkit.semantic.embed import check_available, embedding_name

    check_available()  # one line with the install hint, before any work
    store = VectorStore.for_indexing(index_dir, embedding_name())
    have = store.ids()
    for key, entry in manifest.items():
        if any(i not in have for i in entry.get("ids", [])):
            manifest[key] = {**entry, "digest": None}
    return store


def count_file(report: IndexReport, old: dict[str, Any] | None, ids: list[str]) -> None:
    """Count a file's articles as added, updated or removed."""
    if not old:
        report.added += len(ids)
        return
    before = len(old.get("ids", []))
    if old.get("partial"):
        # Finishing a collection an earlier run stopped in: its new articles are added.
        report.updated += min(before, len(ids))
        report.added += max(0, len(ids) - before)
    else:
        report.updated += len(ids)
    report.removed += max(0, before - len(ids))


def _open_signatures(index_dir: Path, ix: Any) -> Any:
    """The signature store, made to agree with the committed index if a kill came
    between a commit and its save (or the index predates it)."""
    from searchkit.duplicates import SignatureStore

    store = SignatureStore.load(index_dir)
    if store.generation != ix.latest_generation():
        with ix.reader() as reader:
            store.reconcile(reader)
    return store


def _text_fields(schema: Any) -> tuple[tuple[str, Any, bool], ...]:
    """The analysed fields whose postings the workers may compute (see pipeline.Options):
    all of them in an index made with ``FrenchText`` fields, none in an older one."""
    from searchkit.index.schema import TEXT_FIELDS, FrenchText

    fields = tuple((name, schema[name], exact) for name, exact in TEXT_FIELDS.items() if name in schema)
    return fields if all(isinstance(f, FrenchText) for _, f, _ in fields) else ()


def maybe_changed(source: SourceFile, entry: dict[str, Any] | None) -> bool:
    if entry is None:
        return True
    return entry.get("size") != source.size or entry.get("mtime_ns") != source.mtime_ns


def unique_id(doc_id: str, in_use: set[str], report: IndexReport, path: str) -> str:
    if doc_id not in in_use:
        return doc_id
    n = 2
    while f"{doc_id}-{n}" in in_use:
        n += 1
    report.problems.append(Problem(path, f"id {doc_id!r} already used by another file: indexed as {doc_id}-{n}", skipped=False))
    return f"{doc_id}-{n}"


class _Done:
    """A finished job for the in-process path (the same interface as a Future)."""

    def __init__(self, value: list[dict[str, Any]]) -> None:
        self._value = value

    def result(self) -> list[dict[str, Any]]:
        return self._value


def _jobs(reads: Iterator[ReadResult], size: int) -> Iterator[tuple[list[ReadResult], list[Article]]]:
    """Group articles into chunks of ``size``, across file boundaries, keeping file order.

    Each job carries the files whose first article (or, for a file with none, whose
    reading) falls in it, so ``_Assembler`` can hand results back in corpus order. Files with nothing to extract (unreadable,
    unchanged) ride along with the next job and cost nothing.
    """
    files: list[ReadResult] = []
    chunk: list[Article] = []
    for read in reads:
        files.append(read)
        for article in read.articles:
            chunk.append(article)
            if len(chunk) >= size:
                yield files, chunk
                files, chunk = [], []
    if files or chunk:
        yield files, chunk


def _worker_init() -> None:
    """Start-up of every indexing worker process (extraction, fast-postings copies)."""
    # Ctrl-C goes to the whole process group: only the parent decides what to do
    # with it, so workers never print a KeyboardInterrupt traceback of their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A kill -9 of the indexer leaves its workers blocked on the task queue forever:
    # a watcher thread ends a worker whose parent is gone.
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="searchkit-parent-watch", daemon=True).start()
    # This process only extracts: one BLAS thread, malloc that keeps freed blocks.
    from searchkit.extract.runtime import tune_worker

    tune_worker()


def prepare_all(
    sources: list[SourceFile], options: Any, workers: int, manifest: dict[str, dict[str, Any]]
) -> Iterator[Prepared]:
    """Read the files here and extract their articles in ``workers`` processes.

    Reading is cheap and stays in this process; extraction (NER above all) runs on
    chunks of articles, so a single 36k-article .jsonl is spread over the cores too.
    A file whose content hash is unchanged is not extracted again. Results come back
    in submission order, with a bounded number of chunks in flight (flat memory).
    """
    from searchkit.index.documents import extract_documents

    def reads() -> Iterator[ReadResult]:
        for source in sources:
            old = manifest.get(source.key)
            for read in read_parts(source, options.max_bytes, known_digest=old.get("digest") if old else None):
                if old and read.digest and old.get("digest") == read.digest:
                    read.articles = []  # touched, not changed: nothing to extract
                yield read

    parallel = workers > 1 and sum(s.size for s in sources) >= PARALLEL_MIN_BYTES
    in_flight: deque[tuple[list[ReadResult], Any]] = deque()
    # Chunks in flight: enough queued work (about 10 s per worker) that the workers keep
    # going while this process commits (9 s of CPU for 2,000 articles); at 3 per
    # worker they ran dry at every commit, a seventh of the run on 36k articles.
    window = workers * 8
    assembler = _Assembler()
    from searchkit.extract.runtime import one_blas_thread

    # Extracting here (no pool): one BLAS thread for this run only (see extract/runtime.py).
    with worker_pool(workers) if parallel else nullcontext() as pool, nullcontext() if parallel else one_blas_thread():
        for files, chunk in _jobs(reads(), CHUNK_ARTICLES):
            if pool is None:
                in_flight.append((files, _Done(extract_documents(chunk, options) if chunk else [])))
            else:
                in_flight.append((files, pool.submit(extract_documents, chunk, options) if chunk else _Done([])))
            while in_flight and (pool is None or len(in_flight) >= window):
                yield from assembler.add(*in_flight.popleft())
        while in_flight:
            yield from assembler.add(*in_flight.popleft())


@contextmanager
def worker_pool(workers: int) -> Iterator[Any]:
    """A pool of ``workers`` indexing processes (see ``_worker_init``). On Ctrl-C or an
    error the busy ones are stopped at once rather than waited for (the executor has
    no public way to do that); either way the pool is shut down on exit."""
    from concurrent.futures import ProcessPoolExecutor  # only when indexing: searches skip it

    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_init)
    try:
        yield pool
    except BaseException:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class _Assembler:
    """Hands results back file by file: a file may span several chunks, and a chunk
    may hold many files."""

    def __init__(self) -> None:
        self.files: deque[ReadResult] = deque()
        self.docs: deque[dict[str, Any]] = deque()

    def add(self, files: list[ReadResult], job: Any) -> Iterator[Prepared]:
        self.files.extend(files)
        self.docs.extend(job.result())
        while self.files and len(self.docs) >= len(self.files[0].articles):
            read = self.files.popleft()
            docs = [self.docs.popleft() for _ in read.articles]
            yield Prepared(read.source, read.digest, docs=docs, problems=list(read.problems), part=read.part, last=read.last)
