"""What near-duplicate detection costs: indexing speed with and without it, and query
p50 with collapsing against without, all in one run on the same OrangeSum articles.

Indexing: the first ``--articles`` OrangeSum articles as one .jsonl, indexed from
scratch by ``SearchKit.index`` (workers, NER and dates as config.yaml says, warm-up of
facets and groups included), alternately with ``extract.duplicates`` off and on,
``--reps`` times each; the median run counts. Queries: 3 words of ``--queries``
random titles of the indexed articles, plus ``*``, each run with ``collapse=True``
and ``collapse=False`` in turn on the index that has duplicates, after one warm-up
pass; p50 and p95 in ms.

    python bench/dedup_speed.py --articles 2000 --reps 2
    python bench/dedup_speed.py --articles 2000 --reps 2 --no-actors   # without NER
"""
from __future__ import annotations

import argparse
import json
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchlib import cpu_model, orangesum_rows  # noqa: E402

from searchkit import SearchKit  # noqa: E402
from searchkit.dedup import signature  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def cpu_seconds() -> float:
    """CPU of this process and of its finished children (the worker pool's)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def index_once(corpus: Path, index_dir: Path, dedup: bool, actors: bool, workers: int) -> tuple[float, float, SearchKit]:
    kit = SearchKit.open(ROOT / "config.yaml", index_dir=index_dir, corpus=corpus)
    kit.config.duplicates = dedup
    kit.config.actors = actors
    kit.config.workers = workers
    started, cpu = time.perf_counter(), cpu_seconds()
    kit.index(rebuild=True)
    return time.perf_counter() - started, cpu_seconds() - cpu, kit


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--no-actors", action="store_true", help="index without NER (dedup's share then shows larger)")
    args = ap.parse_args()

    rows = [r for r in orangesum_rows(args.articles) if r.get("text")]
    with tempfile.TemporaryDirectory(prefix="sk-dedup-speed-") as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        with open(corpus / "orangesum.jsonl", "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps({"id": str(r["id"]), "title": r["title"], "text": r["text"], "date": r["date"]}, ensure_ascii=False) + "\n")
        times: dict[bool, list[float]] = {False: [], True: []}
        cpus: dict[bool, list[float]] = {False: [], True: []}
        kit = None
        for rep in range(args.reps):
            for dedup in ((False, True) if rep % 2 == 0 else (True, False)):
                took, cpu, k = index_once(corpus, Path(tmp) / f"index-{dedup}", dedup, not args.no_actors, args.workers)
                times[dedup].append(took)
                cpus[dedup].append(cpu)
                print(f"rep {rep} dedup={dedup}: {took:.1f} s, {len(rows) / took:.1f} articles/s, CPU {cpu:.1f} s", flush=True)
                if dedup:
                    if kit is not None:
                        kit.close()
                    kit = k
                else:
                    k.close()
        assert kit is not None
        rng = random.Random(1)
        # Words only: a title's "Orages:" would read as a field name.
        queries = ["*"] + [" ".join(re.findall(r"[^\W\d_]{3,}", r["title"])[:3]) for r in rng.sample(rows, args.queries)]
        lat: dict[bool, list[float]] = {True: [], False: []}
        from searchkit.errors import QueryError

        usable = []
        for q in queries:  # warm-up: caches, fast postings, groups
            try:
                kit.search(q, collapse=True)
            except QueryError:  # a title of stop words only
                continue
            kit.search(q, collapse=False)
            usable.append(q)
        queries = usable
        for i, q in enumerate(queries):
            # Alternate which goes first: the second run of a query finds its
            # stored fields cached.
            for collapse in ((True, False) if i % 2 else (False, True)):
                started = time.perf_counter()
                kit.search(q, collapse=collapse)
                lat[collapse].append((time.perf_counter() - started) * 1000)
        groups = len(kit.engine.duplicates)
        # The parts dedup adds, timed alone: signing (in the workers) and grouping.
        sample = [r["text"] for r in rows[:500]]
        started = time.perf_counter()
        for t in sample:
            signature(t)
        sign_ms = (time.perf_counter() - started) * 1000 / len(sample)
        from searchkit.duplicates import build_groups

        started = time.perf_counter()
        build_groups(kit.config.index_dir, kit.engine.searcher.reader())
        group_s = time.perf_counter() - started
        collapsed = kit.search("*", limit=0).total
        kit.close()

    med = {d: statistics.median(times[d]) for d in times}
    cpu_med = {d: statistics.median(cpus[d]) for d in cpus}
    print(f"\n{len(rows)} OrangeSum articles, {args.reps} runs each, workers={args.workers}, NER={'off' if args.no_actors else 'on'}; CPU {cpu_model()}")
    print(f"{groups} near-duplicate groups; '*' gives {collapsed} hits collapsed of {len(rows)}")
    print("| indexing | median wall s | articles/s | median CPU s (all processes) | runs (wall) |")
    print("|---|---:|---:|---:|---|")
    for d in (False, True):
        runs = ", ".join(f"{t:.1f}" for t in times[d])
        print(f"| duplicates {'on' if d else 'off'} | {med[d]:.1f} | {len(rows) / med[d]:.1f} | {cpu_med[d]:.1f} | {runs} |")
    print(f"cost of dedup: {100 * (med[True] / med[False] - 1):+.1f}% wall time, {100 * (cpu_med[True] / cpu_med[False] - 1):+.1f}% CPU")
    print(f"alone: signing {sign_ms:.2f} ms per article; grouping the index {group_s:.2f} s")
    print(f"{len(queries)} queries")
    print("| query (same index, same run) | p50 ms | p95 ms |")
    print("|---|---:|---:|")
    for c in (False, True):
        print(f"| collapse={c} | {pct(lat[c], 0.5):.1f} | {pct(lat[c], 0.95):.1f} |")


if __name__ == "__main__":
    main()
