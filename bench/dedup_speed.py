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
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchlib import cpu_model, orangesum_rows  # noqa: E402

from searchkit import SearchKit  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def index_once(corpus: Path, index_dir: Path, dedup: bool, actors: bool, workers: int) -> tuple[float, SearchKit]:
    kit = SearchKit.open(ROOT / "config.yaml", index_dir=index_dir, corpus=corpus)
    kit.config.duplicates = dedup
    kit.config.actors = actors
    kit.config.workers = workers
    started = time.perf_counter()
    kit.index(rebuild=True)
    return time.perf_counter() - started, kit


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
        kit = None
        for rep in range(args.reps):
            for dedup in ((False, True) if rep % 2 == 0 else (True, False)):
                took, k = index_once(corpus, Path(tmp) / f"index-{dedup}", dedup, not args.no_actors, args.workers)
                times[dedup].append(took)
                print(f"rep {rep} dedup={dedup}: {took:.1f} s, {len(rows) / took:.1f} articles/s", flush=True)
                if dedup:
                    if kit is not None:
                        kit.close()
                    kit = k
                else:
                    k.close()
        assert kit is not None
        rng = random.Random(1)
        queries = ["*"] + [" ".join(r["title"].split()[:3]) for r in rng.sample(rows, args.queries)]
        lat: dict[bool, list[float]] = {True: [], False: []}
        for q in queries:  # warm-up: caches, fast postings, groups
            kit.search(q, collapse=True)
            kit.search(q, collapse=False)
        for q in queries:
            for collapse in (True, False):
                started = time.perf_counter()
                kit.search(q, collapse=collapse)
                lat[collapse].append((time.perf_counter() - started) * 1000)
        groups = len(kit.engine.duplicates)
        collapsed = kit.search("*", limit=0).total
        kit.close()

    med = {d: statistics.median(times[d]) for d in times}
    print(f"\n{len(rows)} OrangeSum articles, {args.reps} runs each, workers={args.workers}, NER={'off' if args.no_actors else 'on'}; CPU {cpu_model()}")
    print(f"{groups} near-duplicate groups; '*' gives {collapsed} hits collapsed of {len(rows)}")
    print("| indexing | median s | articles/s |")
    print("|---|---:|---:|")
    for d in (False, True):
        print(f"| duplicates {'on' if d else 'off'} | {med[d]:.1f} | {len(rows) / med[d]:.1f} |")
    print(f"cost of dedup: {100 * (med[True] / med[False] - 1):+.1f}% time")
    print("| query (same index, same run) | p50 ms | p95 ms |")
    print("|---|---:|---:|")
    for c in (False, True):
        print(f"| collapse={c} | {pct(lat[c], 0.5):.1f} | {pct(lat[c], 0.95):.1f} |")


if __name__ == "__main__":
    main()
