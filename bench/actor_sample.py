"""Hit-level precision of the actor lists on a judged random sample of ALL values (issue 24).

What it is for: a search hit shows each article's actors (one line per kind). This draws
(article, actor, kind) triples uniformly from the hit-level lists of a range of OrangeSum
articles the rules were not written on, writes them with their context for judging by
hand, and scores a judged file: correct actor of that kind / wrong kind / not an actor.

    draw:  python bench/actor_sample.py draw --lines 24000-27999 --seed 24 --n 300 --articles 600 \
               --sample A --out tests/data/actor_sample_judgements.jsonl
    score: python bench/actor_sample.py score tests/data/actor_sample_judgements.jsonl [--recheck]

Draw: ``--articles`` articles are drawn at random (``random.seed(seed)``) from the line
range of orangesum_articles.jsonl.gz (0-based line numbers, both ends included), their
actors extracted (title + text, config.yaml's aliases, as the indexer reads them), each article's distinct
(canonical, kind) pairs pooled, and ``--n`` of the pool drawn with the same seed: every
pair of every drawn article is equally likely. A line's context is the first mention with
[[ ]] around it. Judgements (field ``judgement``): ``ok`` (right actor, right kind),
``wrong_kind``, ``not_actor``; ``junk`` names what a not_actor is (common_noun, role,
fragment, product, work, event, other).

``--recheck`` re-extracts the sampled articles with the code as it is now and says which
judged triples it still produces (what a change removed, right or wrong).

What it must not do: read ../shared/holdout, or tune anything (it only measures).
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ORANGESUM = ROOT.parent / "shared" / "data" / "orangesum" / "orangesum_articles.jsonl.gz"


def _rows(lo: int, hi: int) -> dict[int, dict]:
    out = {}
    with gzip.open(ORANGESUM, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i > hi:
                break
            if i >= lo:
                out[i] = json.loads(line)
    return out


def _text(d: dict) -> str:
    return f"{d['title']}\n\n{d['text']}"


def _extract(texts: list[str]) -> list[list]:
    import yaml

    from searchkit.extract.actors import iter_actors

    aliases = (yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8")) or {}).get("aliases")
    return list(iter_actors(texts, batch_size=32, aliases=aliases))


def _commit() -> str:
    import subprocess

    return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()


def draw(args: argparse.Namespace) -> None:
    lo, hi = (int(x) for x in args.lines.split("-"))
    rows = _rows(lo, hi)
    rng = random.Random(args.seed)
    lines = sorted(i for i, d in rows.items() if d.get("text", "").strip())
    picked = sorted(rng.sample(lines, min(args.articles, len(lines))))
    texts = [_text(rows[i]) for i in picked]
    pool = []
    for line, text, mentions in zip(picked, texts, _extract(texts)):
        first: dict[tuple[str, str], object] = {}
        for m in mentions:
            first.setdefault((m.canonical, m.kind), m)
        for (value, kind), m in first.items():
            ctx = (text[max(0, m.start - 110):m.start] + "[[" + text[m.start:m.end] + "]]"
                   + text[m.end:m.end + 90]).replace("\n", " ")
            pool.append({"article": line, "value": value, "kind": kind, "context": ctx})
    sample = rng.sample(pool, min(args.n, len(pool)))
    sample.sort(key=lambda r: (r["article"], r["value"]))
    meta = {"sample": args.sample, "code": _commit(),
            "drawn_from": f"OrangeSum lines {lo}-{hi}, random.seed({args.seed}), "
                          f"{len(picked)} articles, {len(pool)} (article, value, kind) triples"}
    with open(args.out, "a", encoding="utf-8") as f:
        for i, r in enumerate(sample):
            f.write(json.dumps({**meta, "i": i, **r, "judgement": "", "junk": "", "note": ""},
                               ensure_ascii=False) + "\n")
    print(f"{len(sample)} of {len(pool)} triples from {len(picked)} articles -> {args.out}")


def score(args: argparse.Namespace) -> None:
    recs = [json.loads(line) for line in open(args.file, encoding="utf-8") if line.strip()]
    present: set[tuple[int, str, str]] | None = None
    if args.recheck:
        arts = sorted({r["article"] for r in recs})
        rows = _rows(min(arts), max(arts))
        present = set()
        for line, ms in zip(arts, _extract([_text(rows[a]) for a in arts])):
            present |= {(line, m.canonical, m.kind) for m in ms}
    for sample in sorted({r["sample"] for r in recs}):
        rs = [r for r in recs if r["sample"] == sample]
        judged = [r for r in rs if r["judgement"]]
        c = Counter(r["judgement"] for r in judged)
        n = len(judged)
        print(f"sample {sample} ({rs[0]['drawn_from']}; code {rs[0]['code']}): {n} judged")
        for k in ("ok", "wrong_kind", "not_actor"):
            print(f"  {k:11s} {c[k]:4d}  {100 * c[k] / n:5.1f}%")
        by_kind = Counter((r["kind"], r["judgement"] == "ok") for r in judged)
        for kind in ("person", "org", "place"):
            t = by_kind[(kind, True)] + by_kind[(kind, False)]
            if t:
                print(f"  {kind:7s} precision {100 * by_kind[(kind, True)] / t:5.1f}% ({by_kind[(kind, True)]}/{t})")
        junk = Counter(r["junk"] or "?" for r in judged if r["judgement"] == "not_actor")
        print("  not_actor by junk:", dict(junk.most_common()))
        if present is not None:
            gone = Counter(r["judgement"] for r in judged
                           if (r["article"], r["value"], r["kind"]) not in present)
            kept = [r for r in judged if (r["article"], r["value"], r["kind"]) in present]
            ok = sum(r["judgement"] == "ok" for r in kept)
            print(f"  with the code now: {len(kept)} still produced ({ok} ok, "
                  f"{100 * ok / max(1, len(kept)):.1f}%); gone: {dict(gone)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("draw")
    d.add_argument("--lines", required=True)
    d.add_argument("--seed", type=int, default=24)
    d.add_argument("--n", type=int, default=300)
    d.add_argument("--articles", type=int, default=600)
    d.add_argument("--sample", required=True)
    d.add_argument("--out", type=Path, required=True)
    s = sub.add_parser("score")
    s.add_argument("file", type=Path)
    s.add_argument("--recheck", action="store_true")
    args = ap.parse_args(argv)
    draw(args) if args.cmd == "draw" else score(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
