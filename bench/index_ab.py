"""Indexing rate of two versions of searchkit on the same articles, alternated in one run.

What it is for: "no change may slow the indexing rate" on a noisy shared machine, where
only a same-run comparison means anything (the 36k-article run with NER takes hours).
Each ROOT is a checkout of searchkit (e.g. ``git worktree add --detach /tmp/old REV``);
each round indexes, in a fresh process per root (alternating which goes first), the first ``--n`` OrangeSum articles
(title + text, one .jsonl) from scratch into a temporary folder, with dates and actors
(spaCy NER) on and vectors off, ``--workers`` worker processes, and prints articles/s
(the whole ``run_index`` call: reading, extraction, writing, commits, the numpy copy).

What it must not do: write anywhere but its temporary folders, or tune anything.
Run: ``.venv/bin/python bench/index_ab.py ROOT_A ROOT_B [--n 600] [--rounds 3] [--workers 1]``.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchlib import ORANGESUM, orangesum_rows

_CHILD = r"""
import sys, time
from pathlib import Path
root, corpus, index, workers = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sys.path[:0] = [root]
from searchkit.index.indexer import run_index
started = time.perf_counter()
report = run_index(roots=[Path(corpus)], index_dir=Path(index), actors=True, dates=True, workers=workers, semantic=False)
print(report.documents, time.perf_counter() - started)
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("roots", nargs=2, type=Path, help="two checkouts of searchkit")
    ap.add_argument("--n", type=int, default=600, help="OrangeSum articles to index (default 600)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workers", type=int, default=1, help="extraction worker processes (default 1)")
    args = ap.parse_args(argv)
    if not ORANGESUM.exists():
        print(f"skipped: {ORANGESUM} not found (OrangeSum is needed for this benchmark)")
        return 0
    work = Path(tempfile.mkdtemp(prefix="searchkit-index-ab-"))
    corpus = work / "orangesum.jsonl"
    with corpus.open("w", encoding="utf-8") as fh:
        for row in (r for r in orangesum_rows(args.n) if (r.get("text") or "").strip()):
            fh.write(json.dumps({"id": str(row["id"]), "title": row.get("title") or "", "text": row["text"]}, ensure_ascii=False) + "\n")
    print(f"Command: `.venv/bin/python bench/index_ab.py {' '.join(map(str, args.roots))} --n {args.n} --rounds {args.rounds} --workers {args.workers}`\n")
    print("| round | checkout | articles | seconds | articles/s |\n|---:|---|---:|---:|---:|")
    rates: dict[Path, list[float]] = {r: [] for r in args.roots}
    for rnd in range(1, args.rounds + 1):
        # A, B then B, A: a machine whose speed drifts over the run favours neither.
        for root in args.roots if rnd % 2 else args.roots[::-1]:
            index = work / f"index-{rnd}-{root.name}"
            out = subprocess.run([sys.executable, "-c", _CHILD, str(root), str(corpus), str(index), str(args.workers)],
                                 capture_output=True, text=True, check=True).stdout.split()
            shutil.rmtree(index, ignore_errors=True)  # 36k articles' indexes add up
            docs, seconds = int(out[-2]), float(out[-1])
            rates[root].append(docs / seconds)
            print(f"| {rnd} | {root} | {docs} | {seconds:.1f} | {docs / seconds:.1f} |", flush=True)
    a, b = (statistics.median(rates[r]) for r in args.roots)
    print(f"\nMedian articles/s: {args.roots[0]} {a:.1f}, {args.roots[1]} {b:.1f} (ratio {b / a:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
