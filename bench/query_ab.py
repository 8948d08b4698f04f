"""Query p50 of two versions of searchkit on one index, alternated in one run.

What it is for: "no change may slow the query p50" on a noisy shared machine, where
only a same-run comparison means anything. Each ROOT is a checkout of searchkit (e.g.
``git worktree add --detach /tmp/old REV``); each round runs, in a fresh process per
root, the 300 headline title queries of 1-3 words (bench/run.py's ``sample_queries``,
seed 1) through ``Engine.search`` on a warm engine: p50 with snippets and all six
facets, and p50 of the ranking alone. A checkout from before the index/ and search/
packages (commit 2f4faf9 and older) reads an index written by newer code through
module aliases.

What it must not do: change the index beyond the engines' own caches.
``--mode lexical|hybrid|semantic`` searches in that mode (default: the engine's default, hybrid
where the index has vectors).
Run: ``.venv/bin/python bench/query_ab.py INDEX ROOT_A ROOT_B [--rounds 3] [--mode M]``.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

_CHILD = r"""
import statistics, sys, time
from pathlib import Path
root, index, mode = sys.argv[1], sys.argv[2], (sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] != "default" else None)
sys.path[:0] = [root, root + "/bench"]
try:
    from searchkit.search.engine import Engine
except ImportError:  # before the package moves: let it read an index naming the new modules
    import searchkit.analysis, searchkit.schema
    sys.modules["searchkit.index.schema"] = searchkit.schema
    sys.modules["searchkit.text.analysis"] = searchkit.analysis
    from searchkit.search import Engine
from benchlib import orangesum_rows
from run import sample_queries
engine = Engine.open(Path(index)) if hasattr(Engine, "open") else Engine(Path(index))  # before the one engine: Engine(folder)
engine.warm()
queries = sample_queries(orangesum_rows(36152), 300, 1)
def p50(**kw):
    ts = []
    for q in queries:
        t = time.perf_counter(); engine.search(q, mode=mode, **kw); ts.append((time.perf_counter() - t) * 1000)
    return statistics.median(ts)
p50()
print(f"{p50():.1f} {p50(facets=False, snippet_count=0):.1f}")
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("index", type=Path)
    ap.add_argument("roots", type=Path, nargs=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--mode", default="default", choices=["default", "lexical", "hybrid", "semantic"])
    args = ap.parse_args(argv)
    print(f"Command: `.venv/bin/python bench/query_ab.py {args.index} {args.roots[0]} {args.roots[1]} --rounds {args.rounds}{'' if args.mode == 'default' else ' --mode ' + args.mode}`\n")
    print("| round | checkout | p50 ms, snippets + 6 facets | p50 ms, ranking alone |\n|---:|---|---:|---:|")
    for n in range(1, args.rounds + 1):
        for root in args.roots:
            out = subprocess.run([sys.executable, "-c", _CHILD, str(root.resolve()), str(args.index), args.mode],
                                 capture_output=True, text=True, check=True, env={"PYTHONPATH": str(root.resolve()), "PATH": "/usr/bin:/bin"})
            full, ranking = out.stdout.split()[-2:]
            print(f"| {n} | {root} | {full} | {ranking} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
