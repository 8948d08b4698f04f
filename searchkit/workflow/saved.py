"""Saved searches that report only what is new since they last ran.

A saved search is a query and its filters under a name. Each run records the ids of
the articles it matched; the next run reports only the matching articles whose ids
were not among them (new articles, or old ones that were changed and now match).
Saving a search records what it matches at once, so its first run reports what
arrived after it was saved.

They are kept per index in one JSON file under the XDG data directory,
``$XDG_DATA_HOME/searchkit/saved/<key>.json`` (``~/.local/share`` by default), the key
derived from the index's absolute path (on ``backend: opensearch``, from the cluster URL
and the index name): two indexes never share saved searches, and deleting an index's
folder does not lose them.

What this module must not do: print, or read past the public ``SearchKit.search``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from searchkit.errors import SavedSearchError
from searchkit.results.workflow import SavedRun, SavedRuns, SavedSearch, SavedSearchList
from searchkit.vocab import clean_filters

if TYPE_CHECKING:  # pragma: no cover
    from searchkit.api import SearchKit
    from searchkit.results import Hit

__all__ = ["SavedRun", "SavedRuns", "SavedSearch", "SavedSearchList", "SavedSearches", "data_dir", "index_identity", "store_path"]

FORMAT = 1
PAGE = 500
FETCH_ONE_BY_ONE = 20  # new hits fetched one search each (with snippets) up to this many
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f]")


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_DATA_HOME/searchkit``, or ``~/.local/share/searchkit``."""
    env = os.environ if env is None else env
    base = env.get("XDG_DATA_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".local", "share")
    return Path(base) / "searchkit"


def store_path(index_dir: str | Path, env: Mapping[str, str] | None = None) -> Path:
    """The file holding the saved searches of the index at ``index_dir``."""
    return _store_file(str(Path(index_dir).resolve()), env)


def index_identity(config: Any) -> str:
    """What names a kit's index for its saved searches: the index folder's absolute path,
    or, on ``backend: opensearch``, the cluster URL and the index name."""
    if getattr(config, "backend", "whoosh") == "opensearch":
        return f"opensearch:{str(config.opensearch_url).rstrip('/')}/{config.opensearch_index}"
    return str(Path(config.index_dir).resolve())


def _store_file(identity: str, env: Mapping[str, str] | None) -> Path:
    key = hashlib.blake2b(identity.encode("utf-8"), digest_size=8).hexdigest()
    return data_dir(env) / "saved" / f"{key}.json"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


class SavedSearches:
    """The saved searches of one ``SearchKit``'s index."""

    def __init__(self, kit: "SearchKit", env: Mapping[str, str] | None = None) -> None:
        self.kit = kit
        self.identity = index_identity(kit.config)
        self.path = _store_file(self.identity, env)

    # -- storage --------------------------------------------------------------
    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"format": FORMAT, "index_dir": self.identity, "searches": {}}
        except (OSError, ValueError) as exc:
            raise SavedSearchError(f"cannot read the saved searches in {self.path}: {exc}", hint="fix or delete that file") from None
        if not isinstance(data, dict) or not isinstance(data.get("searches"), dict):
            raise SavedSearchError(f"{self.path} is not a saved-searches file", hint="fix or delete that file")
        return data

    def _save(self, data: dict[str, Any]) -> None:
        tmp = self.path.with_name(self.path.name + f".tmp{os.getpid()}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(tmp, self.path)  # a reader sees the old file or the new one
        except OSError as exc:
            raise SavedSearchError(f"cannot write {self.path}: {exc.strerror}", hint="check that XDG_DATA_HOME (or ~/.local/share) is writable") from None
        finally:
            tmp.unlink(missing_ok=True)

    @staticmethod
    def _entry(name: str, e: Mapping[str, Any]) -> SavedSearch:
        return SavedSearch(name, e["query"], {k: list(v) for k, v in e.get("filters", {}).items()}, e["created"], e["last_run"], len(e.get("seen", [])))

    def _get(self, data: Mapping[str, Any], name: str) -> dict[str, Any]:
        entry = data["searches"].get(name)
        if entry is None:
            known = ", ".join(sorted(data["searches"])) or "none yet"
            raise SavedSearchError(f"no saved search named '{name}'", hint=f"saved searches: {known}; `searchkit saved list` shows them")
        return entry

    # -- matching -------------------------------------------------------------
    def _matches(self, query: str, filters: Mapping[str, Sequence[str]]) -> list["Hit"]:
        """Every hit, a page at a time, without snippets (a saved search is rerun in
        full each time; marking matches in every hit would cost most of it)."""
        hits: list["Hit"] = []
        while True:
            res = self.kit.search(query, filters=filters, limit=PAGE, offset=len(hits), facets=False, snippets=0)
            hits.extend(res.hits)
            if not res.hits or len(hits) >= res.total:
                return hits

    def _with_snippets(self, query: str, filters: Mapping[str, Sequence[str]], new: Sequence["Hit"]) -> tuple["Hit", ...]:
        """The new hits again, with their snippets: each fetched at its rank when they
        are few, else the ranks down to the last of them in one search."""
        if not new:
            return ()
        ids = {h.id for h in new}
        if len(new) <= FETCH_ONE_BY_ONE:
            out = []
            for h in new:
                res = self.kit.search(query, filters=filters, limit=1, offset=h.rank - 1, facets=False)
                out.append(res.hits[0] if res.hits and res.hits[0].id == h.id else h)
            return tuple(out)
        res = self.kit.search(query, filters=filters, limit=max(h.rank for h in new), facets=False)
        got = {h.id: h for h in res.hits if h.id in ids}
        return tuple(got.get(h.id, h) for h in new)

    @staticmethod
    def _ids(hits: Sequence["Hit"]) -> list[str]:
        # A copy collapsed under a hit (Hit.duplicates) was matched too.
        return sorted({h.id for h in hits} | {d for h in hits for d in (getattr(h, "duplicates", None) or [])})

    # -- the operations -------------------------------------------------------
    def list(self) -> SavedSearchList:
        """Every saved search, by name."""
        data = self._load()
        return SavedSearchList(tuple(self._entry(n, e) for n, e in sorted(data["searches"].items())))

    def add(self, name: str, query: str, filters: Mapping[str, Sequence[str]] | None = None, replace: bool = False) -> SavedSearch:
        """Save ``query`` and ``filters`` as ``name`` and record what they match now."""
        name = name.strip()
        if not name or _BAD_NAME.search(name) or len(name) > 100:
            raise SavedSearchError(f"'{name}' cannot name a saved search", hint="use a short name on one line, e.g. attaques-bagdad")
        filters = clean_filters(filters)
        data = self._load()
        if name in data["searches"] and not replace:
            raise SavedSearchError(f"a saved search named '{name}' exists", hint=f"choose another name, or `searchkit saved rm {name}` first")
        hits = self._matches(query, filters)  # a bad query fails here, before saving
        now = _now()
        data["searches"][name] = {"query": query, "filters": filters, "created": now, "last_run": now, "seen": self._ids(hits)}
        self._save(data)
        return self._entry(name, data["searches"][name])

    def remove(self, name: str) -> SavedSearch:
        data = self._load()
        entry = self._get(data, name)
        del data["searches"][name]
        self._save(data)
        return self._entry(name, entry)

    def run(self, name: str, record: bool = True) -> SavedRun:
        """The articles ``name`` matches that it had not matched when it last ran;
        ``record`` makes this run the new reference."""
        data = self._load()
        entry = self._get(data, name)
        return self._run(data, name, entry, record)

    def run_all(self, record: bool = True) -> SavedRuns:
        """``run`` for every saved search, by name."""
        data = self._load()
        return SavedRuns(tuple(self._run(data, n, e, record) for n, e in sorted(data["searches"].items())))

    def _run(self, data: dict[str, Any], name: str, entry: dict[str, Any], record: bool) -> SavedRun:
        hits = self._matches(entry["query"], entry.get("filters", {}))
        seen = set(entry.get("seen", []))
        new = self._with_snippets(entry["query"], entry.get("filters", {}), [h for h in hits if h.id not in seen])
        since = entry["last_run"]
        if record:
            entry["seen"] = self._ids(hits)
            entry["last_run"] = _now()
            self._save(data)
        return SavedRun(name, entry["query"], dict(entry.get("filters", {})), since, len(hits), new)
