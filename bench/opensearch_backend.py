"""OpenSearch backend against the Whoosh backend on the same OrangeSum articles.

Measures, in one run on one machine:
  - indexing time of both backends (dates extracted, actors off: NER costs the same on
    both, it runs in searchkit's workers before either backend sees a document);
  - bulk ingest alone: already-extracted documents sent to ``_bulk`` (articles/s);
  - query p50/p90 with facets (all six) for title queries and short word queries;
  - top-10 overlap and total differences between the backends;
  - the analyst's commands (similar, timeline, with), p50 on both backends;
  - the node's JVM heap in use after the run.

    PYTHONPATH=. python bench/opensearch_backend.py --url http://127.0.0.1:9251 --n 2000

``--actors --ingest-only``: indexing WITH extraction (NER and dates) on both backends in
one run, articles/s and their ratio, nothing else (the NER ingest of issue 16):

    PYTHONPATH=. nice python bench/opensearch_backend.py --url http://127.0.0.1:9250 --n 5000 --actors --ingest-only
"""
from __future__ import annotations

import argparse
import gzip
import json
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "orangesum" / "orangesum_articles.jsonl.gz"
WORDS = ["gouvernement", "santé", "élection", "police", "économie", "climat", "football", "justice", "école", "impôts",
         "hôpital", "chômage", "Macron", "Trump", "vaccin", "grève", "retraites", "incendie", "tribunal", "budget"]


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--actors", action="store_true", help="extract actors (NER) too, on both backends")
    ap.add_argument("--ingest-only", action="store_true", help="measure indexing only")
    args = ap.parse_args()
    from searchkit import SearchKit
    from searchkit.backends.opensearch import OpenSearchBackend
    from searchkit.corpus import SourceFile  # noqa: F401 - the reader is used through run_index
    from searchkit.index.documents import Options, extract_documents

    base = Path(tempfile.mkdtemp(prefix="osbench"))
    corpus = base / "corpus"
    corpus.mkdir()
    titles: list[str] = []
    with gzip.open(DATA, "rt", encoding="utf-8") as fh, open(corpus / "orangesum.jsonl", "w", encoding="utf-8") as out:
        for i, line in enumerate(fh):
            if i >= args.n:
                break
            row = json.loads(line)
            out.write(json.dumps({"id": f"os{row['id']}", "title": row["title"], "text": row["text"], "date": row.get("date")}, ensure_ascii=False) + "\n")
            titles.append(row["title"])
    report: dict[str, object] = {"articles": args.n, "workers": args.workers}

    whoosh = SearchKit.open(ROOT / "config.yaml", index_dir=base / "index", corpus=corpus)
    whoosh.config.actors, whoosh.config.workers = args.actors, args.workers
    report["actors"] = args.actors
    t = time.perf_counter()
    whoosh.index()
    report["whoosh_index_s"] = round(time.perf_counter() - t, 2)

    name = "searchkit-bench"
    kit = SearchKit.open(ROOT / "config.yaml", index_dir=base / "unused", corpus=corpus)
    kit.config.actors, kit.config.workers = args.actors, args.workers
    kit.config.backend, kit.config.opensearch_url, kit.config.opensearch_index = "opensearch", args.url, name
    t = time.perf_counter()
    kit.index(rebuild=True)
    report["opensearch_index_s"] = round(time.perf_counter() - t, 2)
    report["whoosh_articles_per_s"] = round(args.n / report["whoosh_index_s"], 1)
    report["opensearch_articles_per_s"] = round(args.n / report["opensearch_index_s"], 1)
    report["opensearch_over_whoosh"] = round(report["whoosh_index_s"] / report["opensearch_index_s"], 2)
    if args.ingest_only:
        kit.close()
        with OpenSearchBackend(args.url, name).client as client:
            client.delete_index(name)
            client.delete_index(name + "-manifest")
        print(json.dumps(report, indent=2))
        return

    # Bulk ingest alone: the same documents, extracted beforehand.
    from searchkit.corpus import Article

    rows = [json.loads(line) for line in open(corpus / "orangesum.jsonl", encoding="utf-8")]
    articles = [Article(id=r["id"], title=r["title"], body=r["text"], published=r.get("date"), source="bench", path="bench") for r in rows]
    t = time.perf_counter()
    docs = extract_documents(articles, Options(actors=False, dates=True))
    report["extract_dates_s"] = round(time.perf_counter() - t, 2)
    backend = OpenSearchBackend(args.url, name + "-bulk")
    backend.ensure_index(rebuild=True)
    t = time.perf_counter()
    backend.index_documents(docs)
    backend.refresh()
    bulk_s = time.perf_counter() - t
    report["bulk_only_s"] = round(bulk_s, 2)
    report["bulk_only_articles_per_s"] = round(len(docs) / bulk_s)
    backend.client.delete_index(name + "-bulk")
    backend.client.delete_index(name + "-bulk-manifest")

    queries = {"titles": titles[::max(1, len(titles) // 50)][:50], "words": WORDS}
    for label, qs in queries.items():
        for kit_name, k in (("whoosh", whoosh), ("opensearch", kit)):
            k.search(qs[0])  # warm: facet tables, actor groups, connections
            times = []
            for q in qs:
                t = time.perf_counter()
                k.search(q, limit=10)
                times.append((time.perf_counter() - t) * 1000)
            report[f"{label}_{kit_name}_p50_ms"] = round(statistics.median(times), 1)
            report[f"{label}_{kit_name}_p90_ms"] = round(p(times, 0.9), 1)
        overlaps, diffs = [], []
        for q in qs:
            # collapse=False: near-duplicate groups are a Whoosh-backend feature so far.
            w, o = whoosh.search(q, limit=10, facets=False, snippets=0, collapse=False), kit.search(q, limit=10, facets=False, snippets=0)
            overlaps.append(len({h.id for h in w.hits} & {h.id for h in o.hits}) / max(1, len(w.hits)))
            diffs.append(abs(o.total - w.total) / max(1, w.total))
        report[f"{label}_top10_overlap"] = round(statistics.mean(overlaps), 3)
        report[f"{label}_total_max_rel_diff"] = round(max(diffs), 4)
    # The analyst's commands, warm, on both backends (similar: 20 articles; timeline by
    # week: the words; with: the 10 most mentioned actors, when actors were extracted).
    ids = [h.id for h in whoosh.search("", limit=args.n, facets=False, snippets=0, collapse=False).hits][:: max(1, args.n // 20)][:20]
    actors = [v.value for v in whoosh.facets("actor", top=10).actor] if args.actors else []
    calls = {"similar": [lambda k, i=i: k.similar(i, collapse=False) if k is whoosh else k.similar(i) for i in ids],
             "timeline_week": [lambda k, w=w: k.timeline(w, by="week") for w in WORDS],
             "with": [lambda k, a=a: k.associated(a) for a in actors]}
    for label, fns in calls.items():
        for kit_name, k in (("whoosh", whoosh), ("opensearch", kit)):
            times = []
            for fn in fns:
                t = time.perf_counter()
                fn(k)
                times.append((time.perf_counter() - t) * 1000)
            if times:
                report[f"{label}_{kit_name}_p50_ms"] = round(statistics.median(times), 1)
    stats = kit._engine.backend.client.request("GET", "/_nodes/stats/jvm")
    node = next(iter(stats["nodes"].values()))
    report["node_heap_used_mb"] = round(node["jvm"]["mem"]["heap_used_in_bytes"] / 2**20)
    report["node_heap_max_mb"] = round(node["jvm"]["mem"]["heap_max_in_bytes"] / 2**20)
    kit._engine.backend.client.delete_index(name)
    kit._engine.backend.client.delete_index(name + "-manifest")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
