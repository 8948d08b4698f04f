"""`searchkit watch` (issue 13): a folder that indexes itself, for real (inotify, files
written by another thread or process, Ctrl-C)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from searchkit import SearchKit
from searchkit.watch import Watcher

ROOT = Path(__file__).resolve().parents[1]


def wait_for(cond: Callable[[], bool], timeout: float = 60) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.1)
    return cond()


def make_kit(base: Path) -> SearchKit:
    (base / "corpus").mkdir()
    (base / "config.yaml").write_text(
        f"corpus: {json.dumps(str(base / 'corpus'))}\nindex_dir: {json.dumps(str(base / 'index'))}\n"
        "extract: {actors: false}\nindex: {workers: 1}\n", "utf-8")
    return SearchKit.open(base / "config.yaml")


def ids(kit: SearchKit, query: str) -> list[str]:
    try:
        return sorted(h.id for h in kit.search(query, limit=100, facets=False).hits)
    except Exception:  # no index yet
        return []


def test_watch_indexes_new_changed_and_deleted_files_in_batches(tmp_path: Path) -> None:
    # The watcher indexes with its own SearchKit; searches use another, as the REPL
    # (another process) would: it must see each batch without a restart.
    watched = make_kit(tmp_path)
    kit = SearchKit.open(tmp_path / "config.yaml")
    corpus = tmp_path / "corpus"
    reports = []
    watcher = Watcher(watched, settle=0.5, on_report=reports.append)
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: watcher.batches >= 1)  # the first run, on an empty folder
        # A burst: 40 files written at once are one or two batches, not forty.
        before = watcher.batches
        for i in range(40):
            (corpus / f"depeche{i:02d}.txt").write_text(f"Dépêche {i} : la crue de la Loire atteint Orléans.", "utf-8")
        assert wait_for(lambda: len(ids(kit, "Orléans")) == 40), ids(kit, "Orléans")
        assert watcher.batches - before <= 3
        # A file written slowly, in pieces: whatever was read half-written, the end is the whole text.
        with open(corpus / "lent.txt", "w", encoding="utf-8") as fh:
            for word in "Le tramway de Montpellier prolonge sa ligne quatre jusqu'à la gare".split():
                fh.write(word + " ")
                fh.flush()
                time.sleep(0.1)
        assert wait_for(lambda: ids(kit, '"jusqu\'à la gare"') == ["lent"])
        # Changed and deleted.
        (corpus / "depeche00.txt").write_text("Dépêche 0 : la Garonne déborde à Toulouse.", "utf-8")
        (corpus / "depeche01.txt").unlink()
        assert wait_for(lambda: ids(kit, "Toulouse") == ["depeche00"] and len(ids(kit, "Orléans")) == 38), ids(kit, "Orléans")
        # Files of other kinds, hidden files and the index's own writes start no batch.
        settled = -1
        while settled != watcher.batches:  # let any batch still pending run first
            settled = watcher.batches
            time.sleep(1.5)
        (corpus / "photo.png").write_bytes(b"\x89PNG")
        (corpus / ".brouillon.txt").write_text("caché", "utf-8")
        time.sleep(1.5)
        assert watcher.batches == settled
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not thread.is_alive()
    assert all(not r.interrupted for r in reports)
    kit.close()
    watched.close()


def test_watch_command_ctrl_c_commits_and_exits_130(tmp_path: Path) -> None:
    make_kit(tmp_path).close()
    corpus = tmp_path / "corpus"
    (corpus / "a.txt").write_text("Un premier article sur le port de Brest.", "utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "searchkit", "--config", str(tmp_path / "config.yaml"), "watch", "--settle", "0.3", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert wait_for(lambda: (tmp_path / "index" / "manifest.json").exists(), 120)
        time.sleep(1.0)
        (corpus / "b.txt").write_text("Un second article sur le port de Lorient.", "utf-8")
        kit = SearchKit.open(tmp_path / "config.yaml")
        assert wait_for(lambda: ids(kit, "port") == ["a", "b"], 120)
        kit.close()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("stopped")
    reports = [json.loads(line) for line in out.splitlines()]
    assert sum(r["added"] for r in reports) == 2


def test_watch_refuses_a_missing_folder(tmp_path: Path) -> None:
    kit = make_kit(tmp_path)
    try:
        Watcher(kit, [tmp_path / "nope"])
    except Exception as exc:
        assert type(exc).__name__ == "CorpusError" and "not a folder" in str(exc)
    else:
        raise AssertionError("no error")
