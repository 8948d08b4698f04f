"""What near-duplicate detection costs: indexing speed with and without it, and query
p50 with collapsing against without, all in one run on the same OrangeSum articles.

Indexing: the first ``--articles`` OrangeSum articles (``all``: the 36,152) as one
.jsonl, indexed from scratch by ``SearchKit.index`` (workers, NER and dates as
config.yaml says, warm-up of facets and groups included), alternately with
``extract.duplicates`` off and on, ``--reps`` times each; the median run counts.
Each run is a fresh child process (``--arm``), so that its CPU time (its own and its
workers') and its peak memory are its own, and neither arm inherits the other's
imports. In the runs with duplicates, the dedup steps are timed where they run:
MinHash signing in the worker processes (``dedup.signature``, summed over workers),
saving the signature file after each commit, and grouping (``duplicates.build_groups``,
of which ``dedup.find_groups`` is the LSH banding and the components).

Queries: 3 words of ``--queries`` random titles of the indexed articles, plus ``*``,
each run on the index with duplicates with ``collapse=True`` and ``collapse=False``
(the lexical baseline), and on the index without duplicates, in turn (order
rotating) after one warm-up pass; p50 and p95 in ms.

    python bench/dedup_speed.py --articles 2000 --reps 2
    python bench/dedup_speed.py --articles all --reps 2 --no-actors --keep /tmp/dd  # 36k, no NER
    python bench/dedup_speed.py --articles all --keep /tmp/dd --reuse                # queries only
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchlib import cpu_model, orangesum_rows  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def cpu_seconds() -> float:
    """CPU of this process and of its finished children (the worker pool's)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _timed(fn: Callable[..., Any], into: dict[str, float], key: str) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            into[key] = into.get(key, 0.0) + time.perf_counter() - started

    return wrapper


def run_arm(corpus: Path, index_dir: Path, dedup: bool, actors: bool, workers: int) -> dict[str, Any]:
    """One indexing run from scratch in this (fresh) process; the dedup steps timed."""
    import searchkit.dedup as dedup_mod
    import searchkit.duplicates as dup_mod

    # Shared with the workers: the pool forks after this (Linux's default start method).
    sign_cpu, sign_n = multiprocessing.Value("d", 0.0), multiprocessing.Value("l", 0)
    signature = dedup_mod.signature

    def timed_signature(text: str, params: Any = dedup_mod.DEFAULT) -> Any:
        started = time.process_time()
        try:
            return signature(text, params)
        finally:
            spent = time.process_time() - started
            with sign_cpu.get_lock():
                sign_cpu.value += spent
                sign_n.value += 1

    # pipeline imports dedup.signature when it runs, search.py imports build_groups
    # when it groups: patching the module attributes reaches both.
    dedup_mod.signature = timed_signature
    parent: dict[str, float] = {}
    dup_mod.find_groups = _timed(dup_mod.find_groups, parent, "find_groups")
    dup_mod.build_groups = _timed(dup_mod.build_groups, parent, "build_groups")
    dup_mod.SignatureStore.save = _timed(dup_mod.SignatureStore.save, parent, "save")

    from searchkit import SearchKit

    kit = SearchKit.open(ROOT / "config.yaml", index_dir=index_dir, corpus=corpus)
    kit.config.duplicates, kit.config.actors, kit.config.workers = dedup, actors, workers
    own = resource.getrusage(resource.RUSAGE_SELF)
    started, cpu = time.perf_counter(), cpu_seconds()
    report = kit.index(rebuild=True)
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    after = resource.getrusage(resource.RUSAGE_SELF)
    # The indexer's own share (reading, writing, committing, grouping): the serial part.
    cpu_parent = after.ru_utime + after.ru_stime - own.ru_utime - own.ru_stime
    groups = len(kit._engine.backend.duplicates) if dedup else 0
    kit.close()
    return {
        "dedup": dedup, "wall": wall, "cpu": cpu, "cpu_parent": cpu_parent, "documents": report.documents, "groups": groups,
        # ru_maxrss is in KiB on Linux; children: the largest worker.
        "rss_parent_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "sign_cpu": sign_cpu.value, "signed": sign_n.value,
        "save_s": parent.get("save", 0.0), "group_s": parent.get("build_groups", 0.0), "lsh_s": parent.get("find_groups", 0.0),
    }


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def write_corpus(rows: list[dict[str, Any]], corpus: Path) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    with open(corpus / "orangesum.jsonl", "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps({"id": str(r["id"]), "title": r["title"], "text": r["text"], "date": r["date"]}, ensure_ascii=False) + "\n")


def index_runs(work: Path, n: int, reps: int, actors: bool, workers: int) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = []
    for rep in range(reps):
        for dedup in ((False, True) if rep % 2 == 0 else (True, False)):
            cmd = [sys.executable, __file__, "--arm", "on" if dedup else "off", "--keep", str(work), "--workers", str(workers)]
            out = subprocess.run(cmd + ([] if actors else ["--no-actors"]), check=True, capture_output=True, text=True).stdout
            run = json.loads(out.strip().splitlines()[-1])
            runs.append(run)
            extra = f", signing {run['sign_cpu']:.1f} s CPU, save {run['save_s']:.1f} s, grouping {run['group_s']:.2f} s (LSH {run['lsh_s']:.2f} s)" if dedup else ""
            print(f"rep {rep} dedup={dedup}: {run['wall']:.1f} s, {n / run['wall']:.1f} articles/s, CPU {run['cpu']:.1f} s "
                  f"(indexer {run['cpu_parent']:.1f} s, workers {run['cpu'] - run['cpu_parent']:.1f} s), "
                  f"peak RSS {run['rss_parent_mb']:.0f} MB + worker {run['rss_worker_mb']:.0f} MB{extra}", flush=True)
    return runs


def time_queries(work: Path, rows: list[dict[str, Any]], count: int) -> tuple[dict[str, list[float]], int, int]:
    from searchkit import SearchKit
    from searchkit.errors import QueryError

    kits = {}
    for name, dedup in (("on", True), ("off", False)):
        kits[name] = SearchKit.open(ROOT / "config.yaml", index_dir=work / f"index-{name}", corpus=work / "corpus")
        kits[name].config.duplicates = dedup
    # Three ways to ask: the index with duplicates, collapsed and not; the index without.
    ways: dict[str, Callable[[str], Any]] = {
        "collapse=True": lambda q: kits["on"].search(q, collapse=True),
        "collapse=False": lambda q: kits["on"].search(q, collapse=False),
        "no dedup index": lambda q: kits["off"].search(q),
    }
    rng = random.Random(1)
    # Words only: a title's "Orages:" would read as a field name.
    queries = ["*"] + [" ".join(re.findall(r"[^\W\d_]{3,}", r["title"])[:3]) for r in rng.sample(rows, min(count, len(rows)))]
    usable = []
    for q in queries:  # warm-up: caches, fast postings, groups
        try:
            for ask in ways.values():
                ask(q)
        except QueryError:  # a title of stop words only
            continue
        usable.append(q)
    lat: dict[str, list[float]] = {w: [] for w in ways}
    names = list(ways)
    for i, q in enumerate(usable):
        # Rotate which goes first: a later run of a query finds its stored fields cached.
        for w in names[i % 3:] + names[: i % 3]:
            started = time.perf_counter()
            ways[w](q)
            lat[w].append((time.perf_counter() - started) * 1000)
    collapsed = kits["on"].search("*", limit=0).total
    for kit in kits.values():
        kit.close()
    return lat, len(usable), collapsed


def report(runs: list[dict[str, Any]], n: int, args: argparse.Namespace, lat: dict[str, list[float]] | None, nq: int, collapsed: int) -> None:
    by = {d: [r for r in runs if r["dedup"] == d] for d in (False, True)}
    med = {d: statistics.median(r["wall"] for r in by[d]) for d in by if by[d]}
    cpu = {d: statistics.median(r["cpu"] for r in by[d]) for d in by if by[d]}
    print(f"\n{n} OrangeSum articles, {args.reps} run(s) each, workers={args.workers}, NER={'off' if args.no_actors else 'on'}; CPU {cpu_model()}")
    if runs:
        on = by[True]
        print(f"{on[0]['groups']} near-duplicate groups; '*' gives {collapsed} hits collapsed of {n}")
        print("| indexing | median wall s | articles/s | median CPU s (all processes) | of which indexer | peak RSS indexer / largest worker MB | runs (wall s) |")
        print("|---|---:|---:|---:|---:|---:|---|")
        for d in (False, True):
            runs_s = ", ".join(f"{r['wall']:.1f}" for r in by[d])
            rss = f"{max(r['rss_parent_mb'] for r in by[d]):.0f} / {max(r['rss_worker_mb'] for r in by[d]):.0f}"
            own = statistics.median(r["cpu_parent"] for r in by[d])
            print(f"| duplicates {'on' if d else 'off'} | {med[d]:.1f} | {n / med[d]:.1f} | {cpu[d]:.1f} | {own:.1f} | {rss} | {runs_s} |")
        print(f"cost of dedup: {100 * (med[True] / med[False] - 1):+.1f}% wall time (articles/s ratio on/off {med[False] / med[True]:.3f}), "
              f"{100 * (cpu[True] / cpu[False] - 1):+.1f}% CPU ({cpu[True] - cpu[False]:+.1f} s)")
        m = {k: statistics.median(r[k] for r in on) for k in ("sign_cpu", "save_s", "group_s", "lsh_s")}
        print(f"dedup steps (median of the runs with duplicates): MinHash signing {m['sign_cpu']:.1f} s CPU in the workers "
              f"({1000 * m['sign_cpu'] / max(1, on[0]['signed']):.2f} ms per article, {on[0]['signed']} signed); "
              f"signature file saved at each commit {m['save_s']:.1f} s; grouping {m['group_s']:.2f} s, of which LSH banding + components {m['lsh_s']:.2f} s")
    if lat:
        print(f"{nq} queries")
        print("| query (same run) | p50 ms | p95 ms |")
        print("|---|---:|---:|")
        for w, values in lat.items():
            print(f"| {w} | {pct(values, 0.5):.1f} | {pct(values, 0.95):.1f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", default="2000", help="how many OrangeSum articles, or 'all'")
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--no-actors", action="store_true", help="index without NER (dedup's share then shows larger)")
    ap.add_argument("--keep", type=Path, help="build the corpus and indexes in this folder and keep them")
    ap.add_argument("--reuse", action="store_true", help="with --keep: time queries on the indexes already there")
    ap.add_argument("--arm", choices=["on", "off"], help=argparse.SUPPRESS)  # one indexing run (a child)
    args = ap.parse_args()

    if args.arm:
        work = args.keep
        print(json.dumps(run_arm(work / "corpus", work / f"index-{args.arm}", args.arm == "on", not args.no_actors, args.workers)))
        return
    limit = 10**9 if args.articles == "all" else int(args.articles)
    rows = [r for r in orangesum_rows(limit) if r.get("text")]
    with tempfile.TemporaryDirectory(prefix="sk-dedup-speed-") as tmp:
        work = args.keep or Path(tmp)
        runs: list[dict[str, Any]] = []
        if not args.reuse:
            write_corpus(rows, work / "corpus")
            runs = index_runs(work, len(rows), args.reps, not args.no_actors, args.workers)
        lat, nq, collapsed = time_queries(work, rows, args.queries) if args.queries else (None, 0, 0)
        report(runs, len(rows), args, lat, nq, collapsed)


if __name__ == "__main__":
    main()
