"""The near-duplicate store beside an index: one MinHash signature per article, and
the groups they make for one state of the index.

- ``SignatureStore``: article id -> (source digest, signature), in
  ``duplicates.npz`` next to the Whoosh files. The indexer keeps it in memory and
  writes it (atomically, tagged with the Whoosh generation) right after each commit,
  like the manifest. A signature is a pure function of the article's text, and an
  (id, source digest) pair names one text, so a stored signature is never stale for
  the pair it is filed under.
- ``live_signatures``: the signatures of the live documents of a searcher, by
  document number. When the file describes another generation (a kill between a
  commit and the file's write, or a search while the indexer runs), it is reconciled
  with the index's own stored fields: missing or changed articles are signed again
  from their stored text, removed ones ignored. The store can therefore never
  disagree with the committed index for long: it is a cache of it.
- ``build_groups``: ``dedup.find_groups`` over those signatures, as a
  ``dedup.DuplicateGroups`` over document numbers.

What it must NOT do: write to the index (only ``index/indexer`` does) or decide how
results are collapsed (``search/rank``). Only the indexer and ``search/snapshot`` call it.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from searchkit.dedup import DEFAULT, DedupParams, DuplicateGroups, find_groups, signature

__all__ = ["SIGNATURE_FILE", "SignatureStore", "build_groups", "live_signatures"]

SIGNATURE_FILE = "duplicates.npz"
_UNTRUSTED = {"", "partial"}  # digests that do not name one text (see index.PARTIAL)


class SignatureStore:
    """Article id -> (source digest, signature); what ``duplicates.npz`` holds."""

    def __init__(self, params: DedupParams = DEFAULT) -> None:
        self.params = params
        self.entries: dict[str, tuple[str, np.ndarray]] = {}
        self.generation = -1

    @classmethod
    def load(cls, index_dir: Path, params: DedupParams = DEFAULT) -> "SignatureStore":
        """The file as written (empty if missing, unreadable or made with other parameters)."""
        store = cls(params)
        try:
            with np.load(index_dir / SIGNATURE_FILE, allow_pickle=False) as data:
                if str(data["params"]) != params.key():
                    return store
                sigs = data["sigs"]
                store.entries = {i: (d, sigs[n]) for n, (i, d) in enumerate(zip(data["ids"].tolist(), data["digests"].tolist()))}
                store.generation = int(data["generation"])
        except (OSError, ValueError, KeyError):
            pass
        return store

    def put(self, doc_id: str, digest: str, sig: np.ndarray | None) -> None:
        if sig is None:  # no words: never anyone's copy
            self.entries.pop(doc_id, None)
        else:
            self.entries[doc_id] = (digest, np.asarray(sig, dtype=np.uint32))

    def drop(self, ids: Iterable[str]) -> None:
        for i in ids:
            self.entries.pop(i, None)

    def get(self, doc_id: str, digest: str | None = None) -> np.ndarray | None:
        entry = self.entries.get(doc_id)
        if entry is None or (digest is not None and entry[0] != digest):
            return None
        return entry[1]

    def save(self, index_dir: Path, generation: int) -> None:
        """Write the file atomically: a reader sees the old one or the new one."""
        ids = list(self.entries)
        sigs = np.stack([self.entries[i][1] for i in ids]) if ids else np.zeros((0, self.params.num_perm), dtype=np.uint32)
        tmp = index_dir / f"{SIGNATURE_FILE}.tmp{os.getpid()}.npz"
        try:
            np.savez(
                tmp,
                ids=np.array(ids, dtype=str),
                digests=np.array([self.entries[i][0] for i in ids], dtype=str),
                sigs=sigs,
                generation=np.int64(generation),
                params=np.array(self.params.key()),
            )
            os.replace(tmp, index_dir / SIGNATURE_FILE)
        finally:
            tmp.unlink(missing_ok=True)
        self.generation = generation

    def reconcile(self, reader: Any) -> int:
        """Make the store describe ``reader``'s live documents exactly; returns how
        many were signed again. Reads every stored document: only when the file was
        written for another generation."""
        live: set[str] = set()
        signed = 0
        for _docnum, fields in reader.iter_docs():
            doc_id, digest = fields["id"], fields.get("digest") or ""
            live.add(doc_id)
            # A collection committed in part carries no file hash (index.PARTIAL): its
            # articles' texts can change under the same (id, digest), so sign them again.
            if digest in _UNTRUSTED or self.get(doc_id, digest) is None:
                self.put(doc_id, digest, signature(fields.get("body", ""), self.params))
                signed += 1
        self.drop([i for i in self.entries if i not in live])
        return signed


def _docnums(reader: Any) -> dict[str, int]:
    """Article id -> live document number, from the id field's term list (no stored
    fields read: each id is one posting, and its term info holds the document)."""
    out: dict[str, int] = {}
    for segreader, offset in reader.leaf_readers():
        for term, info in segreader.iter_field("id"):
            d = info.min_id()
            if info.doc_frequency() == 1 and not segreader.is_deleted(d):
                out[term.decode("utf-8") if isinstance(term, bytes) else term] = d + offset
            elif info.doc_frequency() > 1:  # not expected (unique ids); read the postings
                for d in segreader.postings("id", term).all_ids():
                    if not segreader.is_deleted(d):
                        out[term.decode("utf-8") if isinstance(term, bytes) else term] = d + offset
    return out


def live_signatures(index_dir: Path, reader: Any, params: DedupParams = DEFAULT) -> tuple[list[str], np.ndarray]:
    """(id per document number, "" where deleted; signatures, zeros where none) for
    ``reader``'s documents, reconciling the stored file if it is out of step."""
    store = SignatureStore.load(index_dir, params)
    if store.generation != reader.generation():
        store.reconcile(reader)
    where = _docnums(reader)
    n = reader.doc_count_all()
    ids = [""] * n
    sigs = np.zeros((n, params.num_perm), dtype=np.uint32)
    missing: list[int] = []
    for doc_id, d in where.items():
        ids[d] = doc_id
        sig = store.get(doc_id)
        if sig is None:
            missing.append(d)
        else:
            sigs[d] = sig
    for d in missing:  # a text without words, or a store written mid-commit: sign it here
        sig = signature(reader.stored_fields(d).get("body", ""), params)
        if sig is not None:
            sigs[d] = sig
    return ids, sigs


def build_groups(index_dir: Path, reader: Any, params: DedupParams = DEFAULT) -> DuplicateGroups:
    """The near-duplicate groups of ``reader``'s live documents; none for an index
    that has no signature file yet (made before near-duplicates, or killed before its
    first commit was filed): signing a whole corpus is the next ``searchkit index``'s
    job, not a search's."""
    if not (index_dir / SIGNATURE_FILE).exists():
        return DuplicateGroups(np.full(0, -1), [])
    ids, sigs = live_signatures(index_dir, reader, params)
    return DuplicateGroups(find_groups(sigs, params), ids)
