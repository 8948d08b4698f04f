"""The numpy copy of the postings, one per Whoosh segment: building it.

Whoosh segments are immutable, so a segment's copy is built once, after the commit
that wrote it (``ensure``, the indexer's last step; a search builds what is missing),
and thrown away when a merge removes the segment. ``search.fastpath`` reads the copies
and evaluates queries on them; this module only writes them and must not score.
"""
from __future__ import annotations

import json
import os
import shutil
from array import array
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

from searchkit.vocab import FACET_FIELDS

__all__ = ["CACHE_DIR", "FIELDS", "ensure", "leaves", "segment_dir"]

CACHE_DIR = "fast"
FORMAT = 1
TEXT_FIELDS = ("title", "body")
# "id": article ids by document number, to align passage vectors (semantic search)
# without reading every stored document.
FIELDS = TEXT_FIELDS + FACET_FIELDS + ("id",)
# Below this many documents to copy, starting worker processes costs more than it saves.
PARALLEL_MIN_DOCS = 5_000


def segment_dir(index_dir: Path, segid: str) -> Path:
    return index_dir / CACHE_DIR / f"{segid}-v{FORMAT}"


def leaves(reader: Any) -> list[tuple[Any, int]]:
    return list(reader.leaf_readers())


def _postings(matcher: Any) -> tuple[Sequence[int], Sequence[float]]:
    """All (docnum, weight) of one posting list, read a block at a time.

    Reading whole blocks through the W3 codec's block decoder is 10-50x faster than
    stepping the matcher posting by posting; if the codec ever changes shape, fall
    back to the public (slow) matcher interface.
    """
    ids: list[int] = []
    weights: list[float] = []
    try:
        while not matcher._atend:
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            if matcher._lastblock:
                break
            matcher._goto(matcher._nextoffset)
        return ids, weights
    except AttributeError:
        ids, weights = [], []
        matcher.reset()
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        return ids, weights


def _field_matchers(segreader: Any, field: str) -> Iterator[tuple[bytes, Any]]:
    """(term, matcher) for every term of a field, walking the term file in order.

    ``segreader.postings(field, term)`` looks each term up again in the term index
    (half the build time); the W3 codec can open a matcher from the term info that
    the sequential walk already decoded. Falls back to the public calls otherwise."""
    terms = getattr(segreader, "_terms", None)
    codec, postfile = getattr(terms, "_codec", None), getattr(terms, "_postfile", None)
    if codec is None or postfile is None or not hasattr(codec, "postings_reader"):
        for term in segreader.lexicon(field):
            yield term, segreader.postings(field, term)
        return
    fmt = segreader.schema[field].format
    for term, info in segreader.iter_field(field):
        yield term, codec.postings_reader(postfile, info, fmt, term=(field, term))


def _build_segment(segreader: Any, target: Path) -> None:
    """Write the numpy copy of one segment's postings into ``target`` (atomically)."""
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    n = segreader.doc_count_all()
    schema = segreader.schema
    for field in FIELDS:
        if field not in schema:
            continue
        terms: list[bytes] = []
        indptr = array("q", [0])
        # Typed arrays, not lists: a body field holds millions of postings, and
        # Python ints in a list cost ten times their four bytes.
        ids = array("i")
        weights = array("f")
        for term, matcher in _field_matchers(segreader, field):
            t_ids, t_weights = _postings(matcher)
            terms.append(term)
            ids.extend(t_ids)
            weights.extend(t_weights)
            indptr.append(len(ids))
        width = max((len(t) for t in terms), default=1)
        np.save(tmp / f"{field}.terms.npy", np.array(terms, dtype=f"S{width}"))
        np.save(tmp / f"{field}.indptr.npy", np.frombuffer(indptr, dtype=np.int64))
        np.save(tmp / f"{field}.ids.npy", np.frombuffer(ids, dtype=np.int32))
        np.save(tmp / f"{field}.weights.npy", np.frombuffer(weights, dtype=np.float32))
        if schema[field].scorable:
            lengths = [segreader.doc_field_length(d, field, 0) for d in range(n)]
            np.save(tmp / f"{field}.lengths.npy", np.array(lengths, dtype=np.float32))
    (tmp / "segment.json").write_text(json.dumps({"docs": n, "format": FORMAT}), "utf-8")
    try:
        os.replace(tmp, target)
    except OSError:  # another process built it first: theirs is as good as ours
        shutil.rmtree(tmp, ignore_errors=True)


def ensure(index_dir: Path, reader: Any, workers: int = 1) -> None:
    """Build the numpy copy of every segment of ``reader`` that lacks one, and delete
    the copies of segments that no longer exist. Safe to call from any process; a
    read-only index simply goes without. With ``workers`` > 1, segments are copied in
    that many processes (the indexer's last step: after a full build every segment is
    new, and copying one is a minute of pure-Python reading on a 36k-article index)."""
    root = index_dir / CACHE_DIR
    wanted = set()
    try:
        missing = []
        for segreader, _ in leaves(reader):
            if segreader.segment() is None:  # an empty index's reader: nothing to copy
                continue
            target = segment_dir(index_dir, segreader.segment().segid)
            wanted.add(target.name)
            if not (target / "segment.json").exists():
                missing.append((segreader, target))
        if workers > 1 and len(missing) > 1 and sum(r.doc_count_all() for r, _ in missing) >= PARALLEL_MIN_DOCS:
            _build_in_processes(index_dir, [segreader.segment().segid for segreader, _ in missing], workers)
        else:
            for segreader, target in missing:
                _build_segment(segreader, target)
        if root.is_dir():
            for child in root.iterdir():
                if child.name not in wanted and not _being_built(child.name):
                    shutil.rmtree(child, ignore_errors=True)
    except OSError:
        return


def _being_built(name: str) -> bool:
    """True for a ``.tmp<pid>`` copy whose builder is still alive (a killed builder's is
    left over, and removed)."""
    _, sep, pid = name.rpartition(".tmp")
    if not sep or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:  # alive, but another user's
        return True
    return True


def _build_in_processes(index_dir: Path, segids: list[str], workers: int) -> None:
    # Ctrl-C: a half-built copy is a .tmp<pid> folder, removed by the next ensure().
    from searchkit.index.pool import worker_pool  # process pools only when a copy is big

    with worker_pool(min(workers, len(segids))) as pool:
        list(pool.map(_build_by_segid, [str(index_dir)] * len(segids), segids))


def _build_by_segid(index_dir: str, segid: str) -> None:
    """Worker side of ``_build_in_processes``: open the index, copy one segment."""
    from searchkit.index.store import open_index

    reader = open_index(Path(index_dir)).reader()
    try:
        for segreader, _ in leaves(reader):
            if segreader.segment().segid == segid:
                _build_segment(segreader, segment_dir(Path(index_dir), segid))
    finally:
        reader.close()
