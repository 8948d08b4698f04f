"""Which association measure ranks co-mentioned actors best on real news.

Usage: python bench/associate.py CONFIG_OR_INDEX_DIR [--targets 40] [--seed 14]

The index should hold real articles with actors (e.g. 2,000 OrangeSum articles). For
each of the most mentioned actors (the targets), the articles are split at random in
two halves; each measure ranks the target's co-mentioned actors on one half, and its
top 10 is judged on the other half, which it never saw:

* replicated@10: share of the top 10 that, in the held-out half, meet the target at
  least twice and at least twice as often as chance (lift >= 2). A pair that is real
  news (a minister and her ministry) replicates; a coincidence of one article, or an
  actor found everywhere (lift near 1), does not.
* ubiquitous@1: share of the lists topped by one of those 10.
* ubiquitous@10: share of the top 10 taken by the corpus's 10 most mentioned actors:
  what "Emmanuel Macron must not top everyone's list" asks to keep low.

Both halves swap roles and the figures are averaged over both and over the targets.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from searchkit import SearchKit
from searchkit.workflow.associate import KINDS, MEASURES, rank


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("where", help="config.yaml or an index directory")
    ap.add_argument("--targets", type=int, default=40)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--show", default="", help="comma-separated targets whose top 5 to print")
    args = ap.parse_args()
    where = Path(args.where)
    kit = SearchKit.open(where) if where.is_file() else SearchKit.open(index_dir=where)
    engine = kit._engine
    tables = engine.backend.tables
    whole = tables["actor"]
    live = engine.backend.match_mask(engine.parse("").tree)
    counts = whole.count(live)
    order = np.argsort(-counts, kind="stable")
    ubiquitous = {whole.values[i] for i in order[:10]}
    targets = [whole.values[i] for i in order[: args.targets]]
    rng = np.random.default_rng(args.seed)
    half = rng.random(len(live)) < 0.5
    halves = [live & half, live & ~half]
    settings = [(m, c) for m in MEASURES for c in (1, 2, 3)]
    rep = {s: [] for s in settings}
    ubi = {s: [] for s in settings}
    first = {s: [] for s in settings}
    for name in targets:
        vi = whole.values.index(name)
        in_target = np.zeros(len(live), dtype=bool)
        in_target[whole.docs[whole.vals == vi]] = True
        for a, b in ((0, 1), (1, 0)):
            train, test = halves[a], halves[b]
            t_train, t_test = in_target & train, in_target & test
            n_test, nt_test = int(test.sum()), int(t_test.sum())
            if not nt_test or not t_train.any():
                continue
            for s in settings:
                top = rank(tables, {name}, train, t_train, KINDS, s[0], s[1])[:10]
                if not top:
                    continue
                ok = 0
                for assoc in top:
                    table = tables[assoc.kind]
                    j = table.values.index(assoc.value)
                    docs = table.docs[table.vals == j]
                    tog = int(t_test[docs].sum())
                    tot = int(test[docs].sum())
                    ok += tog >= 2 and tog * n_test >= 2 * nt_test * tot
                rep[s].append(ok / len(top))
                ubi[s].append(sum(x.value in ubiquitous for x in top) / len(top))
                first[s].append(top[0].value in ubiquitous)
    print(f"{int(live.sum())} articles, {len(targets)} targets (most mentioned actors), 10 most mentioned: {', '.join(sorted(ubiquitous))}")
    print(f"{'measure':<8} {'min_count':>9} {'replicated@10':>14} {'ubiquitous@10':>14} {'ubiquitous@1':>13}")
    for s in settings:
        print(f"{s[0]:<8} {s[1]:>9} {np.mean(rep[s]):>14.3f} {np.mean(ubi[s]):>14.3f} {np.mean(first[s]):>13.3f}")
    for name in filter(None, args.show.split(",")):
        (disp,) = list(engine.groups.resolve(name, None))[:1] or [name]
        vi = whole.values.index(disp)
        t = np.zeros(len(live), dtype=bool)
        t[whole.docs[whole.vals == vi]] = True
        print(f"\n{disp} ({int((t & live).sum())} articles)")
        for m in MEASURES:
            top = rank(tables, {disp}, live, t & live, KINDS, m, 2)[:6]
            print(f"  {m:<6} " + "; ".join(f"{x.value} ({x.count})" for x in top))


if __name__ == "__main__":
    sys.exit(main())
