"""Speed of the analyst-workflow calls against a plain search, in the same process.

Usage: python bench/workflow_speed.py CONFIG [--queries 20]

Warm medians (tables loaded) over the most mentioned actors as targets and queries:
``kit.search(q)`` (page of 10, facets) as the baseline, ``kit.associated(actor)``,
``kit.timeline(q, by="week")``, and ``kit.export`` of every hit of ``q`` to CSV (per hit).
"""
from __future__ import annotations

import argparse
import io
import statistics
import time

import numpy as np

from searchkit import SearchKit


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("config")
    ap.add_argument("--queries", type=int, default=20)
    args = ap.parse_args()
    kit = SearchKit.open(args.config)
    eng = kit._engine
    table = eng.backend.tables["actor"]
    counts = table.count(eng.backend.match_mask(eng.parse("").tree))
    actors = [table.values[i] for i in np.argsort(-counts, kind="stable")[: args.queries]]
    queries = [a.split()[-1] for a in actors]
    kit.search(queries[0])  # warm

    def med(fn, items):
        out = []
        for x in items:
            t = time.perf_counter()
            fn(x)
            out.append((time.perf_counter() - t) * 1000)
        return statistics.median(out)

    base = med(lambda q: kit.search(q), queries)
    assoc = med(lambda a: kit.associated(a), actors)
    tl = med(lambda q: kit.timeline(q, by="week"), queries)
    n_hits, secs = 0, 0.0
    for q in queries[:5]:
        t = time.perf_counter()
        n_hits += kit.export(io.StringIO(), "csv", q)
        secs += time.perf_counter() - t
    print(f"{kit.stats().documents} articles, {len(queries)} queries/actors")
    print(f"search p50 {base:.1f} ms (baseline); associated p50 {assoc:.1f} ms ({assoc / base:.2f}x); "
          f"timeline by week p50 {tl:.1f} ms ({tl / base:.2f}x); export {n_hits / secs:.0f} hits/s ({n_hits} hits)")


if __name__ == "__main__":
    main()
