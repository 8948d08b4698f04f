"""Parsing speed: searchkit's own parser (parse + compile to Whoosh) against the Whoosh
qparser it replaced (tests/support/legacy_qparser.py), in one process, on the 300
headline queries of ``bench/query_ab.py``.

What it is for: the parser is on every search's path; this isolates it from the noise of
whole searches. It first checks that both give the same Whoosh query for every query,
then alternates 7 timed passes of each.

What it must not do: write anything.
Run: ``.venv/bin/python bench/parse_speed.py [--index /work/idx36k/index]``.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from benchlib import orangesum_rows  # noqa: E402
from run import sample_queries  # noqa: E402
from searchkit.index.schema import build_schema  # noqa: E402
from searchkit.search.compile_whoosh import compile_whoosh  # noqa: E402
from searchkit.search.engine import Engine  # noqa: E402
from searchkit.search.parse import parse_query  # noqa: E402
from tests.support.legacy_qparser import WhooshFacets, build_query  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, default=Path("/work/idx36k/index"), help="an index to resolve facet values against")
    args = ap.parse_args()
    engine = Engine.open(args.index)
    queries = sample_queries(orangesum_rows(36152), 300, 1)
    schema, facets = build_schema(), WhooshFacets(engine)

    def old(q: str) -> object:
        return build_query(q, schema, facets, strict=False).query

    def new(q: str) -> object:
        return compile_whoosh(parse_query(q, engine, strict=False).tree)

    assert all(old(q) == new(q) for q in queries), "the parsers disagree"
    times: dict[str, list[float]] = {"Whoosh qparser": [], "searchkit parse + compile": []}
    for rnd in range(7):
        order = [("Whoosh qparser", old), ("searchkit parse + compile", new)]
        for name, fn in order if rnd % 2 else order[::-1]:
            started = time.perf_counter()
            for q in queries:
                fn(q)
            times[name].append((time.perf_counter() - started) / len(queries) * 1e6)
    print("Command: `.venv/bin/python bench/parse_speed.py`\n")
    print("| parser | median µs per query | passes |\n|---|---:|---|")
    for name, ts in times.items():
        print(f"| {name} | {statistics.median(ts):.0f} | {', '.join(f'{t:.0f}' for t in ts)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
