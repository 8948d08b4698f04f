"""Reading files and extracting their articles in worker processes, results handed
back file by file in corpus order.

Reading is cheap and stays in the indexer's process; extraction runs on chunks of
articles in the pool (``index.pool``), so one big .jsonl uses every core. This module
decides nothing about the index: what to do with a file's documents is the indexer's.
"""
from __future__ import annotations

from collections import deque
from contextlib import nullcontext
from typing import Any, Iterator

from searchkit.corpus import Article, ReadResult, SourceFile, read_parts
from searchkit.index.documents import Prepared
from searchkit.index.pool import worker_pool

# Above this many bytes to read, worker processes pay for their start-up.
PARALLEL_MIN_BYTES = 2_000_000
# Articles per extraction job: two full batches of 32 for spaCy's pipe() (a batch of 8
# costs 20% more CPU per article than one of 32), small enough
# that two workers stay balanced and Ctrl-C never waits long.
CHUNK_ARTICLES = 64


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
