"""A watched folder: new, changed and deleted files indexed as they appear (watchdog).

File events only say *that* something changed; the work is the ordinary incremental
``SearchKit.index`` (content hashes, manifest, commits), so a watched folder ends in
exactly the state a `searchkit index` would give. A burst of events (a copy of 500
files, an editor's save dance) is batched: a run starts once the watched folders have
been quiet for ``settle`` seconds. A file still being written keeps sending events and
so waits; one read half-written (a pause longer than ``settle``) is re-indexed when its
writer's next change arrives. Searches (the REPL, another process) see each batch as
soon as it is committed.

Only the library side: no printing, no signal handling (the CLI stops it through
``stop``). Must not index in the observer's thread: watchdog's callbacks only record.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from searchkit.corpus import format_for
from searchkit.errors import CorpusError, NothingIndexedError

__all__ = ["Watcher"]


@dataclass
class _Pending:
    """What the observer thread tells the indexing loop (under ``lock``)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    last_event: float = 0.0
    dirty: bool = False
    wake: threading.Event = field(default_factory=threading.Event)


class Watcher:
    """Index ``paths`` (default: the configured corpus), then again after each quiet burst of changes.

    >>> Watcher(kit).run(stop)                       # doctest: +SKIP
    """

    def __init__(
        self,
        kit: Any,
        paths: Sequence[str | Path] | None = None,
        *,
        settle: float = 1.0,
        on_report: Callable[[Any], None] | None = None,
        polling: bool = False,
    ) -> None:
        self.kit = kit
        self.roots = [Path(p) for p in paths] if paths else list(kit.config.corpus)
        missing = [str(r) for r in self.roots if not r.is_dir()]
        if missing:
            raise CorpusError(f"cannot watch {', '.join(missing)}: not a folder", hint="give folders to watch: searchkit watch FOLDER...")
        self.settle = settle
        self.on_report = on_report
        self.polling = polling  # inotify is not on every file system (network shares): poll there
        self.index_dir = Path(kit.config.index_dir).resolve()
        self._pending = _Pending()
        self.batches = 0

    def _relevant(self, path: str, is_dir: bool) -> bool:
        p = Path(path)
        if p == self.index_dir or self.index_dir in p.parents:
            return False  # our own commits are not news
        if p.name.startswith("."):
            return False  # hidden, as `index` skips them (editors' swap files too)
        if is_dir:
            return True  # a folder created, moved or deleted may carry many files
        from searchkit.config import enabled_formats

        return format_for(p.name, enabled_formats(self.kit.config)) is not None

    def _on_event(self, event: Any) -> None:
        kind = getattr(event, "event_type", "")
        is_dir = bool(getattr(event, "is_directory", False))
        if kind in ("opened", "closed_no_write") or (is_dir and kind == "modified"):
            return  # reads (our own too), and a folder "modified" by any file in it: its files say what
        paths = [getattr(event, "src_path", ""), getattr(event, "dest_path", "")]
        if any(self._relevant(str(p), is_dir) for p in paths if p):
            with self._pending.lock:
                self._pending.last_event = time.monotonic()
                self._pending.dirty = True
            self._pending.wake.set()

    def _index_once(self) -> Any:
        try:
            report = self.kit.index(self.roots)
        except NothingIndexedError as exc:  # an empty watched folder is a normal start
            report = exc.report
        self.batches += 1
        if self.on_report:
            self.on_report(report)
        return report

    def run(self, stop: threading.Event) -> None:
        """Index now, then after every quiet burst, until ``stop`` is set.

        ``stop`` is only looked at between batches: a batch always ends committed.
        """
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver

        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: Any) -> None:
                watcher._on_event(event)

        observer = PollingObserver(timeout=self.settle / 2) if self.polling else Observer()
        for root in self.roots:
            observer.schedule(Handler(), str(root), recursive=True)
        observer.start()
        try:
            self._index_once()  # what changed while nobody watched
            while not stop.is_set():
                self._pending.wake.wait(timeout=0.2)
                with self._pending.lock:
                    quiet_for = time.monotonic() - self._pending.last_event
                    ready = self._pending.dirty and quiet_for >= self.settle
                    if not self._pending.dirty:
                        self._pending.wake.clear()
                    if ready:
                        self._pending.dirty = False
                if ready and not stop.is_set():
                    self._index_once()
                elif self._pending.dirty:
                    stop.wait(min(0.2, max(0.01, self.settle - quiet_for)))
        finally:
            observer.stop()
            observer.join(timeout=5)
