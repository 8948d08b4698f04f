"""The index on disk: where it is, whether it exists and is compatible, its manifest
(which files, with which content hash, are in it) and its write lock.

Query-time code opens the index through here (``open_index``); this module imports
nothing from the indexer run, the corpus readers or extraction, so searching never loads
them. The manifest names the Whoosh generation it describes; when they disagree (a kill
between a commit and the manifest write) it is rebuilt from the index's stored fields.
"""
from __future__ import annotations

import importlib
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from searchkit.errors import IndexIncompatibleError, IndexLockedError, IndexMissingError
from searchkit.index.schema import build_schema, version_stamp

STAMP_FILE = "searchkit.json"
MANIFEST_FILE = "manifest.json"
ALIASES_FILE = "aliases.json"  # the config aliases the articles were extracted with
INDEX_NAME = "MAIN"
# Whoosh pickles the schema (field types, analyzers) into the index's table of contents
# by module path. Indexes written before the index/ and text/ packages name these
# modules: they stay importable under those names, as aliases of the modules that hold
# the same classes now, so an existing index opens without a rebuild.
PICKLED_MODULES = {"searchkit.schema": "searchkit.index.schema", "searchkit.analysis": "searchkit.text.analysis"}


def index_exists(index_dir: Path) -> bool:
    """True if ``index_dir`` holds a Whoosh index, readable or not: a damaged table of
    contents still counts (opening it then says to rebuild, rather than 'no index')."""
    return index_dir.is_dir() and any(index_dir.glob(f"_{INDEX_NAME}_*.toc"))


def open_index(index_dir: Path) -> Any:
    """Open an existing index for reading, refusing missing or incompatible ones."""
    if not index_exists(index_dir):
        raise IndexMissingError(f"no index in {index_dir}", hint="run `searchkit index` first (or `make run`)")
    check_stamp(index_dir)
    return open_dir(index_dir)


def open_dir(index_dir: Path) -> Any:
    from whoosh import index as windex

    for old, new in PICKLED_MODULES.items():
        if old not in sys.modules:
            sys.modules[old] = importlib.import_module(new)
    try:
        return windex.open_dir(str(index_dir), indexname=INDEX_NAME)
    except Exception as exc:  # a damaged TOC (Whoosh raises IndexError…) or an unpicklable schema
        raise IndexIncompatibleError(
            f"cannot open the index in {index_dir} ({type(exc).__name__}: {exc})",
            hint="run `searchkit index --rebuild`",
        ) from None


def clear_for_rebuild(index_dir: Path) -> None:
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


def check_stamp(index_dir: Path) -> None:
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


def create(index_dir: Path, title_boost: float) -> Any:
    from whoosh import index as windex

    index_dir.mkdir(parents=True, exist_ok=True)
    ix = windex.create_in(str(index_dir), build_schema(title_boost), indexname=INDEX_NAME)
    write_json(index_dir / STAMP_FILE, version_stamp())
    write_json(index_dir / MANIFEST_FILE, {"generation": ix.latest_generation(), "files": {}})
    return ix


def write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    os.replace(tmp, path)  # atomic: a reader never sees half a file


def load_manifest(ix: Any, index_dir: Path) -> dict[str, dict[str, Any]]:
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


def indexed_aliases(index_dir: Path) -> tuple[tuple[str, tuple[str, ...]], ...] | None:
    """The aliases the index's articles were extracted with (None: unknown)."""
    try:
        data = json.loads((index_dir / ALIASES_FILE).read_text("utf-8"))
        return tuple((str(k), tuple(str(v) for v in vs)) for k, vs in data)
    except (OSError, ValueError, TypeError):
        return None


def run_lock(index_dir: Path) -> Any:
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
