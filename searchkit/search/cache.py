"""What searches keep on disk beside the numpy postings (``index_dir/fast/``): facet
tables, actor groups and near-duplicate groups, each costing seconds to build on a large
index, pickled under a key of the index state (live segments, deletions, aliases and
the grouping version), so that any change of those builds them afresh.

Writes are atomic and failures are silent (a read-only index builds in memory every
time); nothing here knows what the pickled objects are.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path
from typing import Any, Mapping, Sequence

from searchkit.index.fastcopy import CACHE_DIR

__all__ = ["GROUPING", "actors_path", "dups_path", "facets_path", "load_pickle", "save_pickle"]

# Bumped when actor grouping or the facet tables change, so that caches written by older code are rebuilt.
GROUPING = 9


def actors_path(facets_path: Path) -> Path:
    """The actor lookup tables' file, beside the facet tables' (same index state)."""
    return facets_path.with_name(facets_path.name.replace("facets-", "actors-"))


def load_pickle(path: Path) -> Any:
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except (OSError, ValueError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        # Unreadable, or written by code whose classes have moved: built again.
        return None


def save_pickle(path: Path, obj: Any) -> None:
    """Write atomically: a reader sees the old file or the new one, never half."""
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def facets_path(index_dir: Path, reader: Any, aliases: Mapping[str, Sequence[str]], acronyms: bool = True) -> Path:
    """The facet tables' file for the state ``reader`` sees, grouped with ``aliases``
    (and acronyms merged or not)."""
    state = [(getattr(r.segment(), "segid", ""), r.doc_count_all() - r.doc_count()) for r, _ in reader.leaf_readers()]
    key = hashlib.blake2b(json.dumps([state, sorted(aliases.items()), GROUPING, acronyms], sort_keys=True).encode(), digest_size=8)
    return index_dir / CACHE_DIR / f"facets-{key.hexdigest()}.pickle"


def dups_path(facets: Path, signed: int) -> Path:
    """The near-duplicate groups' file: the facets' key and the signature file's mtime
    (an index run with nothing else to do may sign an older index's articles without a
    commit)."""
    return facets.with_name(facets.name.replace("facets-", "dups-").replace(".pickle", f"-{signed}.pickle"))
