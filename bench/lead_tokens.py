"""Title + the first 128 tokens against title + the first 256, as searchkit indexes them.

What it is for: deciding whether the vector step may embed a shorter lead (about half the
CPU per article) without losing ranking quality. The same sets as bench/ranking.py (the
PIAF dev questions, OrangeSum titles and abstracts over the text alone, abstracts over
the articles with their titles), the same documents and queries for both; each lead gets
its own index (``run_index(semantic=True, semantic_tokens=N)``, 2 workers) and is searched
through the engine in hybrid mode and in semantic mode (e5 alone), counted by groups as
ranking.py does. The difference (128 minus 256) has a 95% paired bootstrap interval over
the queries of each set (``ranking.paired_interval``), and queries ranked better / worse.

What it must not do: change searchkit's default (that is a decision for a person reading
the figures) or read ../shared/holdout.
Run: ``PYTHONPATH=. .venv/bin/python bench/lead_tokens.py [--n 800] [--q 300]``.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ranking  # noqa: E402 - bench/ is this script's own folder

MODES = {"hybrid": "searchkit hybrid", "semantic": "e5 alone"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=800, help="OrangeSum articles to index (default 800)")
    ap.add_argument("--q", type=int, default=300, help="queries per set (default 300)")
    ap.add_argument("--tokens", default="128,256", help="the two lead lengths to compare (default 128,256)")
    ap.add_argument("--no-piaf", dest="piaf", action="store_false", help="OrangeSum only (a quick check: PIAF's 1,059 pages cost most)")
    args = ap.parse_args(argv)
    short, long = (int(t) for t in args.tokens.split(","))
    if not ranking.ARTICLES.exists():
        print(f"skipped: {ranking.ARTICLES} not found")
        return 0
    sample = ranking.load_sample(args.n, args.q)
    collections = [("spf", ranking.load_piaf("spf")), ("cnil", ranking.load_piaf("cnil"))] if ranking.PIAF.exists() and args.piaf else []
    collections += [("OrangeSum", sample), ("OrangeSum + titles", ranking.with_titles(sample))]
    work = Path(tempfile.mkdtemp(prefix="searchkit-lead-"))
    scores: dict[tuple[int, str, str], ranking.Score] = {}
    builds: dict[tuple[int, str], float] = {}
    try:
        for label, coll in collections:
            for tokens in (short, long):
                cwork = work / f"{label}-{tokens}"
                cwork.mkdir()
                systems = ranking.build_searchkit(coll.docs, cwork, semantic=True, tokens=tokens)
                builds[(tokens, label)] = systems[0].build_seconds
                print(f"built {label} with {tokens} tokens in {systems[0].build_seconds:.1f} s", file=sys.stderr)
                for sysm in systems:
                    if sysm.name not in MODES.values():
                        continue
                    for set_name, queries in coll.queries.items():
                        scores[(tokens, sysm.name, set_name)] = sc = ranking.evaluate_both(sysm, set_name, queries, coll)[1]
                        print(f"  {tokens} / {sysm.name} / {set_name}: MRR@10 {sc.mrr:.3f}", file=sys.stderr)
                for sysm in systems:
                    sysm.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(render(scores, builds, short, long, args))
    return 0


def render(scores: dict[tuple[int, str, str], ranking.Score], builds: dict[tuple[int, str], float], short: int, long: int,
           args: argparse.Namespace) -> str:
    lines = [f"Lead of {short} against {long} tokens (--n {args.n} --q {args.q}), MRR@10 counted by groups; "
             f"difference [95% paired bootstrap interval; queries better / worse]", "",
             f"| system | query set | queries | {long} | {short} | {short} - {long} |", "|---|---|---:|---:|---:|---|"]
    for name in MODES.values():
        for set_name in sorted({s for (_, n, s) in scores if n == name}):
            a, b = scores[(short, name, set_name)], scores[(long, name, set_name)]
            lo, hi = ranking.paired_interval(a.rr, b.rr)
            better = sum(1 for x, y in zip(a.rr, b.rr) if x > y)
            worse = sum(1 for x, y in zip(a.rr, b.rr) if x < y)
            lines.append(f"| {name} | {set_name} | {a.n} | {b.mrr:.3f} | {a.mrr:.3f} | {a.mrr - b.mrr:+.3f} [{lo:+.3f}, {hi:+.3f}; {better}/{worse}] |")
    lines += ["", "Index build (words + vectors, 2 workers, wall s): " + ", ".join(
        f"{label} {builds[(short, label)]:.0f} / {builds[(long, label)]:.0f}" for label in dict.fromkeys(l for _, l in builds)),
        f"(at {time.strftime('%Y-%m-%d %H:%M')}, {ranking.machine()})"]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
