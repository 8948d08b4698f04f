"""Counts you can trust, measured: hybrid against lexical search on real articles.

What it is for: the figures behind "the words decide what matches" (BENCHMARKS.md,
"Search you can count on"): on the first N OrangeSum articles (title + text, dates and
actors extracted, passage vectors), for Q title-word queries (1-3 consecutive content
words of real titles), how many queries give a hybrid total, facets (every value and
count) or hit set different from lexical mode's, how many have a first page that changes
with the page size or with paging (hybrid, lexical, semantic), and how many offer
related articles. The checks are tests/support/trust.py's, the ones the tests run.

What it must not do: tune anything, or read ../shared/holdout.
Run: ``.venv/bin/python bench/trust.py [--n 1000] [--q 100] [--work DIR]`` (the index is
kept in DIR and reused when present).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
ARTICLES = ROOT.parent / "shared" / "data" / "orangesum" / "orangesum_articles.jsonl.gz"
REPORT = ROOT / "bench" / "reports" / "trust.md"

from benchlib import cpu_model  # noqa: E402
from tests.support.trust import first_page_differences, hybrid_differences, news_rows, title_queries, write_news  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--q", type=int, default=100)
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=REPORT)
    args = ap.parse_args(argv)
    if not ARTICLES.exists():
        print(f"skipped: {ARTICLES} not found")
        return 0
    from searchkit import SearchKit

    work = args.work or Path(tempfile.mkdtemp(prefix="searchkit-trust-"))
    rows = news_rows(ARTICLES, args.n)
    corpus = work / "corpus"
    if not corpus.exists():
        write_news(rows, corpus)
    kit = SearchKit.open(index_dir=work / "index", corpus=corpus, semantic=True)
    t0 = time.perf_counter()
    kit.index()
    built = time.perf_counter() - t0
    queries = title_queries((r["title"] for r in rows[:: max(1, len(rows) // args.q)]), args.q)
    t0 = time.perf_counter()
    hybrid = {q: hybrid_differences(kit, q) for q in queries}
    pages = {mode: {q: first_page_differences(kit, q, mode) for q in queries} for mode in ("hybrid", "lexical", "semantic")}
    related = [q for q in queries if kit.search(q, facets=False, snippets=0).related]
    totals = [kit.search(q, mode="lexical", limit=0).total for q in queries]
    seconds = time.perf_counter() - t0
    kit.close()
    lines = [
        "# Search you can count on: hybrid against lexical on real articles\n",
        f"Command: `.venv/bin/python bench/trust.py --n {args.n} --q {args.q}`  ",
        f"Machine: {cpu_model()}; index of {len(rows):,} OrangeSum articles (title + text, dates, actors, passage vectors) built in {built:.0f} s; checks {seconds:.0f} s.\n",
        f"Queries: {len(queries)} of 1-3 consecutive content words of real titles (every {max(1, len(rows) // args.q)}th article); "
        f"lexical totals from {min(totals)} to {max(totals)} (median {sorted(totals)[len(totals) // 2]}).\n",
        "| check | queries that differ |",
        "|---|---:|",
        f"| hybrid vs lexical: total, every facet value and count, the set of hits (limit 1000) | {sum(1 for v in hybrid.values() if v)} of {len(queries)} |",
    ]
    for mode, found in pages.items():
        lines.append(f"| {mode}: first 10 hits with limit 10 vs limit 1000 vs pages of 3 | {sum(1 for v in found.values() if v)} of {len(queries)} |")
    lines.append(f"\nQueries offering related articles (words matching < 10): {len(related)} of {len(queries)}.\n")
    problems = [p for v in hybrid.values() for p in v] + [p for f in pages.values() for v in f.values() for p in v]
    if problems:
        lines.append("Differences:\n")
        lines += [f"- {p}" for p in problems[:40]]
    text = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, "utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
