"""Facet precision on real news: the judged sample of tests/data/facet_judgements.jsonl.

What it is for: say how far an analyst can trust the person/org/place facets. The first
2,000 OrangeSum articles are indexed (a fresh index unless ``--index`` names one to reuse,
brought up to date incrementally), every value of the three actor facets is listed with its
merged variants, and the values are looked up in the judgements a human annotator made:

- ``ok``           the right entity, of the right type, variants all of that entity;
- ``wrong_type``   a real entity filed under the wrong facet (a demonym as a place);
- ``not_entity``   no name at all (a role, a compass point, a unit, a fragment);
- ``false_merge``  the variants hold names of different entities (Chine + Seine).

A judgement holds for a (kind, value, variants) triple: when a change merges or splits
differently, the value is unjudged again and is listed (``--todo`` writes them with a few
lines of context each, to judge by hand and append to the judgements).

Printed: precision among the top 50 of each type, precision over every judged value present
(the top 50 plus values drawn at random further down), false merges, and how many judged
values the facets lost since (by judgement: losing junk is the point, losing ``ok`` is not).

What it must not do: judge anything itself, or tune anything (it only measures).

    .venv/bin/python bench/facets_eval.py [--index DIR] [--todo FILE] [--draw N]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from benchlib import orangesum_rows  # noqa: E402

JUDGEMENTS = ROOT / "tests" / "data" / "facet_judgements.jsonl"
KINDS = ("person", "org", "place")
LABELS = ("ok", "wrong_type", "not_entity", "false_merge")
ARTICLES = 2000
TOP = 50
SEED = 12


def load_judgements(path: Path = JUDGEMENTS) -> dict[tuple[str, str, tuple[str, ...]], dict[str, Any]]:
    """(kind, value, sorted variants) -> the judgement record (the last one wins)."""
    out: dict[tuple[str, str, tuple[str, ...]], dict[str, Any]] = {}
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            assert rec["judgement"] in LABELS, rec
            out[(rec["kind"], rec["value"], tuple(sorted(rec["variants"])))] = rec
    return out


def build_index(index_dir: Path, corpus: Path | None = None) -> Any:
    """The 2,000-article index in ``index_dir`` (created, or updated incrementally) of
    the sample written to ``corpus`` (default: a folder beside the index)."""
    from searchkit import SearchKit

    corpus = corpus or index_dir.parent / (index_dir.name + "-corpus")
    corpus.mkdir(parents=True, exist_ok=True)
    sample = corpus / "orangesum2000.jsonl"
    if not sample.exists():
        with sample.open("w", encoding="utf-8") as fh:
            for row in orangesum_rows(ARTICLES):
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    kit = SearchKit.open(ROOT / "config.yaml", index_dir=index_dir, corpus=corpus)
    kit.index()
    return kit


def facet_values(kit: Any) -> dict[str, list[tuple[str, int, tuple[str, ...]]]]:
    """Every value of each actor facet over the whole index, most frequent first."""
    counts = kit.facets(None, top=None)  # every value, over every article
    return {k: [(v.value, v.count, tuple(sorted(v.variants))) for v in counts.get(k)] for k in KINDS}


def contexts(kit: Any, kind: str, value: str, variants: tuple[str, ...], n: int = 3) -> list[str]:
    """A few lines of text around the value's mentions, to judge by."""
    res = kit.search("", filters={kind: [value]}, limit=n, facets=False)
    out = []
    forms = {value, *variants}
    for hit in res.hits:
        doc = kit.document(hit.id)
        body = doc.body
        for actor in doc.actors:
            if actor.name in forms:
                forms.update(actor.forms)
        for form in sorted(forms, key=len, reverse=True):
            i = body.find(form)
            if i >= 0:
                out.append(f"{hit.id}: …{body[max(0, i - 70):i + len(form) + 70]}…".replace("\n", " "))
                break
    return out


def evaluate(values: dict[str, list[tuple[str, int, tuple[str, ...]]]],
             judged: dict[tuple[str, str, tuple[str, ...]], dict[str, Any]],
             draw: int) -> dict[str, Any]:
    rng = random.Random(SEED)
    report: dict[str, Any] = {"kinds": {}, "unjudged": [], "false_merges": []}
    present = set()
    for kind in KINDS:
        vals = values[kind]
        keys = [(kind, v, var) for v, _, var in vals]
        present.update(keys)
        top = keys[:TOP]
        rest = keys[TOP:]
        sample = list(top) + [k for k in rest if k in judged]
        # Values further down that nobody judged yet: drawn at random, for --todo.
        unjudged_rest = [k for k in rest if k not in judged]
        drawn = rng.sample(unjudged_rest, min(draw, len(unjudged_rest))) if draw else []
        report["unjudged"] += [k for k in top if k not in judged] + drawn
        lab_top = Counter(judged[k]["judgement"] for k in top if k in judged)
        lab_all = Counter(judged[k]["judgement"] for k in sample if k in judged)
        report["false_merges"] += [k for k in sample if k in judged and judged[k]["judgement"] == "false_merge"]
        report["kinds"][kind] = {
            "values": len(vals),
            "top": lab_top, "top_unjudged": sum(1 for k in top if k not in judged),
            "all": lab_all,
        }
    gone = [k for k in judged if k not in present]
    report["lost"] = Counter(judged[k]["judgement"] for k in gone)
    # A judged value gone with a merge undone or a name dropped: right ones lost matter.
    report["lost_ok"] = [k for k in gone if judged[k]["judgement"] == "ok"]
    return report


def _p(c: Counter) -> str:
    n = sum(c.values())
    return f"{c['ok'] / n:.1%} ({c['ok']}/{n})" if n else "-"


def print_report(r: dict[str, Any]) -> None:
    print(f"| type | values | top {TOP} precision | top {TOP} unjudged | sample precision | "
          "wrong type | not entity | false merge |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    total_top: Counter = Counter()
    total_all: Counter = Counter()
    for kind, k in r["kinds"].items():
        total_top += k["top"]
        total_all += k["all"]
        a = k["all"]
        print(f"| {kind} | {k['values']} | {_p(k['top'])} | {k['top_unjudged']} | {_p(a)} | "
              f"{a['wrong_type']} | {a['not_entity']} | {a['false_merge']} |")
    print(f"| all | | {_p(total_top)} | | {_p(total_all)} | {total_all['wrong_type']} | "
          f"{total_all['not_entity']} | {total_all['false_merge']} |")
    print(f"\nfalse merges in the sample: {len(r['false_merges'])}"
          + "".join(f"\n  {k[0]}: {k[1]} ({', '.join(k[2])})" for k in r["false_merges"]))
    lost = r["lost"]
    print(f"judged values no longer in the facets: {sum(lost.values())} "
          f"({', '.join(f'{n} {lab}' for lab, n in sorted(lost.items())) or 'none'})")
    if r["lost_ok"]:
        print("  of which ok: " + "; ".join(f"{k}: {v}" + (f" ({', '.join(var)})" if var else "")
                                            for k, v, var in r["lost_ok"]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, help="index folder to reuse (created if absent); default: a fresh temporary one")
    ap.add_argument("--corpus", type=Path, help="folder for the 2,000-article sample (written if absent); default: beside the index")
    ap.add_argument("--todo", type=Path, help="write the unjudged values, with context, to this .jsonl")
    ap.add_argument("--draw", type=int, default=0, help="also draw this many unjudged values per type below the top 50 (for --todo)")
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        kit = build_index(args.index or Path(tmp) / "index", args.corpus)
        values = facet_values(kit)
        report = evaluate(values, load_judgements(), args.draw)
        if args.todo:
            by_key = {(k, v, var): n for k in KINDS for v, n, var in values[k]}
            with args.todo.open("w", encoding="utf-8") as fh:
                for kind, value, variants in report["unjudged"]:
                    rank = [v for v, _, _ in values[kind]].index(value) + 1
                    fh.write(json.dumps({"value": value, "kind": kind, "variants": list(variants),
                                         "count": by_key[(kind, value, variants)], "rank": rank,
                                         "context": contexts(kit, kind, value, variants)},
                                        ensure_ascii=False) + "\n")
        kit.close()
    if args.json:
        print(json.dumps(report, default=lambda o: dict(o) if isinstance(o, Counter) else list(o),
                         ensure_ascii=False, indent=1))
    else:
        print_report(report)
        if report["unjudged"]:
            print(f"unjudged: {len(report['unjudged'])} (write them with --todo FILE)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
