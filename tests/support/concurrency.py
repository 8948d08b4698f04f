"""Searches (CLI, REPL pipe, long-lived library engine) while an indexer commits; two indexers;
a lock left by a killed one.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from tests.support.harness import Inspection, LOCK_FILE, committed_generation, generate_corpus, inspect_index, searchkit, start, wait_for, write_config

# ---------------------------------------------------------------------------
# Concurrency: searching while indexing, a second indexer
# ---------------------------------------------------------------------------


@dataclass
class Concurrency:
    cli_searches: int = 0
    cli_failures: list[str] = field(default_factory=list)
    cli_totals: list[int] = field(default_factory=list)
    repl_queries: int = 0
    repl_totals: list[int] = field(default_factory=list)
    repl_errors: list[str] = field(default_factory=list)
    repl_rc: int = 0
    engine_searches: int = 0
    engine_failures: list[str] = field(default_factory=list)
    engine_totals: list[int] = field(default_factory=list)
    second_runs: int = 0
    second_refused: int = 0  # exit 1 naming the lock file
    second_other: list[str] = field(default_factory=list)
    indexer_rc: int = 0
    final: Inspection = field(default_factory=Inspection)

    @staticmethod
    def monotonic(totals: list[int]) -> bool:
        return all(a <= b for a, b in zip(totals, totals[1:]))

    def ok(self, expected: int) -> bool:
        totals_ok = all(
            self.monotonic(t) and all(0 < x <= expected for x in t)
            for t in (self.cli_totals, self.repl_totals, self.engine_totals)
        )
        return (
            not self.cli_failures and not self.engine_failures and not self.repl_errors and self.repl_rc == 0
            and not self.second_other and totals_ok and self.indexer_rc == 0 and self.final.exact
        )


_TOTAL = re.compile(r"^(\d+) articles? \(")


def run_concurrency(base: Path, corpus: Path, expected: dict[str, str], config: Path, *, rebuild_attempt: bool = False) -> Concurrency:
    """Seed the index with the first .jsonl file, then index the rest while one-shot
    CLI searches, a REPL in pipe mode, a library engine and second indexers run.

    ``rebuild_attempt``: the second indexer asks for ``--rebuild`` (it must not wipe
    the index under the running one)."""
    from searchkit import SearchKit

    out = Concurrency()
    index_dir = base / "index"
    shutil.rmtree(index_dir, ignore_errors=True)
    first_jsonl = sorted(corpus.glob("*.jsonl"))[0]
    seed = searchkit(config, "index", str(first_jsonl))
    if seed.returncode:
        out.cli_failures.append("seeding: " + seed.stderr.strip())
        return out
    seeded = committed_generation(index_dir)
    indexer = start(config, "index", "--json")
    # Second indexers only once the first surely holds the lock (it has committed):
    # started together, either may win, and the loser being the first proves nothing.
    wait_for(lambda: committed_generation(index_dir) > seeded or indexer.poll() is not None, timeout=120)
    repl = start(config, "repl", stdin=subprocess.PIPE)
    stop = threading.Event()
    lock = threading.Lock()

    def engine_loop() -> None:
        kit = SearchKit.open(config)
        try:
            while not stop.is_set():
                try:
                    res = kit.search("Article", limit=3, collapse=False)
                    with lock:
                        out.engine_searches += 1
                        out.engine_totals.append(res.total)
                except Exception as exc:  # counted: a failure is what is measured
                    with lock:
                        out.engine_failures.append(f"{type(exc).__name__}: {exc}")
                time.sleep(0.02)
        finally:
            kit.close()

    def repl_feed() -> None:
        assert repl.stdin is not None
        while not stop.is_set():
            try:
                repl.stdin.write("Article\n:stats\n")
                repl.stdin.flush()
            except (BrokenPipeError, ValueError):
                return
            with lock:
                out.repl_queries += 1
            time.sleep(0.15)
        # stdin is closed by communicate() in the main thread, which then reads the rest.

    threads = [threading.Thread(target=engine_loop), threading.Thread(target=repl_feed)]
    for t in threads:
        t.start()
    try:
        while indexer.poll() is None:
            if out.second_runs < 4:
                second = searchkit(config, "index", *(["--rebuild"] if rebuild_attempt else []), timeout=120)
                msg = second.stderr.strip()
                if second.returncode == 1 and LOCK_FILE in msg and msg.count("\n") == 0:
                    out.second_runs += 1
                    out.second_refused += 1
                elif second.returncode == 0 and indexer.poll() is not None:
                    pass  # the first had finished before this one took the lock: not concurrent
                else:
                    out.second_runs += 1
                    out.second_other.append(f"exit {second.returncode}: {msg[-300:]}")
            r = searchkit(config, "search", "Article", "--json", "--limit", "3", "--no-collapse", timeout=120)
            out.cli_searches += 1
            if r.returncode:
                out.cli_failures.append(r.stderr.strip())
            else:
                out.cli_totals.append(json.loads(r.stdout)["total"])
    finally:
        stop.set()
        for t in threads:
            t.join(60)
        _, err = indexer.communicate(timeout=300)
        out.indexer_rc = indexer.returncode
        if indexer.returncode:
            out.second_other.append(f"indexer exit {indexer.returncode}: {err.strip()[-300:]}")
        rout, rerr = repl.communicate(timeout=120)
        out.repl_rc = repl.returncode
    out.repl_totals = [int(m.group(1)) for ln in rout.splitlines() if (m := _TOTAL.match(ln))]
    out.repl_errors = [ln for ln in rerr.splitlines() if ln.strip()]
    out.final = inspect_index(index_dir, expected)
    return out


@dataclass
class TwoIndexers:
    other_rc: int  # exit code of the indexer started in the window
    other_message: str
    final: Inspection  # the index once both are done


def run_indexer_starting_during_another(base: Path) -> TwoIndexers:
    """Indexer B (this process) has read the index's manifest but not yet taken the
    write lock when indexer A (another process) runs to the end; then B goes on. The
    index must end with each article once: whichever indexer came second must notice
    (be refused, or read what the first committed), never index from a stale view."""
    import searchkit.index.run as index_mod  # the one indexing run lists the files
    from searchkit.index.indexer import run_index

    expected = generate_corpus(base / "corpus", txt=200, jsonl_files=2, per_jsonl=100, seed=14)
    config = write_config(base, base / "corpus", commit_every=50)
    real = index_mod.iter_sources
    other: list[subprocess.CompletedProcess[str]] = []

    def other_runs_first(*args: Any, **kwargs: Any) -> Iterator[Any]:
        other.append(searchkit(config, "index"))
        yield from real(*args, **kwargs)

    index_mod.iter_sources = other_runs_first  # type: ignore[assignment]
    try:
        run_index([base / "corpus"], base / "index", actors=False, workers=1, commit_every=50)
    except Exception:  # refused is a fine outcome; the index is what is judged
        pass
    finally:
        index_mod.iter_sources = real  # type: ignore[assignment]
    o = other[0]
    return TwoIndexers(o.returncode, o.stderr.strip()[-300:], inspect_index(base / "index", expected))


def run_indexer_between_commits(base: Path, *other_args: str) -> TwoIndexers:
    """Indexer A (this process) commits its first batch; right then, before it goes on,
    indexer B (another process: ``searchkit index OTHER_ARGS``, e.g. ``--rebuild``) runs.
    B must be refused (A is not done: exit 1 naming the lock), and the index must end
    with each article once."""
    from whoosh import writing

    from searchkit.index.indexer import run_index

    expected = generate_corpus(base / "corpus", txt=200, jsonl_files=2, per_jsonl=100, seed=15)
    config = write_config(base, base / "corpus", commit_every=50)
    real = writing.SegmentWriter.commit
    other: list[subprocess.CompletedProcess[str]] = []

    def commit_then_other(self: Any, *args: Any, **kwargs: Any) -> Any:
        out = real(self, *args, **kwargs)
        if not other:
            other.append(searchkit(config, "index", *other_args))
        return out

    writing.SegmentWriter.commit = commit_then_other  # type: ignore[method-assign]
    try:
        run_index([base / "corpus"], base / "index", actors=False, workers=1, commit_every=50)
    except Exception:
        pass
    finally:
        writing.SegmentWriter.commit = real  # type: ignore[method-assign]
    o = other[0]
    return TwoIndexers(o.returncode, o.stderr.strip()[-300:], inspect_index(base / "index", expected))


@dataclass
class LongLived:
    before: int  # what a long-lived SearchKit counted before the other process indexed
    after: int  # what the same SearchKit counted after
    truth: int  # articles really in the index


def run_long_lived_search(base: Path, txt: int = 600, per_jsonl: int = 200, commit_every: int = 50) -> LongLived:
    """A library ``SearchKit`` (what the REPL holds) searches; another process indexes
    the rest of the corpus (by default 800 more articles in 16 commits, so Whoosh merges
    segments); the same SearchKit searches again and must count what is committed,
    each article once."""
    from searchkit import SearchKit

    expected = generate_corpus(base / "corpus", txt=txt, jsonl_files=2, per_jsonl=per_jsonl, seed=12)
    config = write_config(base, base / "corpus", commit_every=commit_every)
    searchkit(config, "index", str(base / "corpus" / "bulk00.jsonl"))
    kit = SearchKit.open(config)
    try:
        before = kit.search("Article", limit=1, collapse=False).total
        searchkit(config, "index")
        after = kit.search("Article", limit=1, collapse=False).total
    finally:
        kit.close()
    return LongLived(before, after, inspect_index(base / "index", expected).documents)


@dataclass
class CommitDuringSearch:
    before: int
    error: str  # what the search raised, "" if nothing
    total: int | None  # what the search counted


def run_commit_during_search(base: Path) -> CommitDuringSearch:
    """A commit landing in the middle of a search, made deterministic: the snapshot's
    ``up_to_date`` is wrapped so that, the first time a search asks it (when the search
    starts), another process indexes 200 more articles right after the answer. The
    search must answer from one consistent state (before or after), never fail."""
    from searchkit import SearchKit
    from searchkit.search.snapshot import Snapshot

    generate_corpus(base / "corpus", txt=200, jsonl_files=1, per_jsonl=200, seed=13)
    config = write_config(base, base / "corpus", commit_every=100)
    searchkit(config, "index", str(base / "corpus" / "bulk00.jsonl"))
    kit = SearchKit.open(config)
    real = Snapshot.up_to_date
    fired = False

    def answer_then_commit(self: Any) -> bool:
        nonlocal fired
        answer = real(self)
        if not fired:
            fired = True
            searchkit(config, "index")
        return answer

    try:
        before = kit.search("Article", limit=3, collapse=False).total
        Snapshot.up_to_date = answer_then_commit  # type: ignore[method-assign]
        try:
            total: int | None = kit.search("Article", limit=3, collapse=False).total
            error = ""
        except Exception as exc:
            total, error = None, f"{type(exc).__name__}: {exc}"
    finally:
        Snapshot.up_to_date = real  # type: ignore[method-assign]
        kit.close()
    return CommitDuringSearch(before, error if fired else "the hook never fired", total)


@dataclass
class EmptyIndex:
    index_rc: int
    index_message: str
    stats_rc: int
    stats_message: str
    search_rc: int
    search_message: str

    @property
    def ok(self) -> bool:
        return self.index_rc == 1 and self.index_message.startswith("error: nothing could be indexed") and self.stats_rc == 0 and self.search_rc == 0


def run_empty_index(base: Path, run: Callable[..., subprocess.CompletedProcess[str]] = searchkit) -> EmptyIndex:
    """A corpus with nothing indexable: `index` must say so (exit 1), and the index it
    leaves (no article: the same state as a kill before the first commit) must open:
    `stats` says 0 documents, `search` finds nothing, neither fails."""
    corpus = base / "corpus"
    corpus.mkdir(parents=True)
    (corpus / "empty.txt").write_text("")
    (corpus / "bin.txt").write_bytes(b"\x00\x01")
    config = write_config(base, corpus)
    results = [run(config, *args) for args in (["index"], ["stats", "--json"], ["search", "Article", "--json"])]

    def last(r: subprocess.CompletedProcess[str]) -> str:
        lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
        return lines[-1] if lines else ""

    return EmptyIndex(*(x for r in results for x in (r.returncode, last(r))))
