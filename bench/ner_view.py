"""NER on a view of each article (searchkit/extract/nerview.py) against NER on the whole
text: characters kept, NER CPU, and how many actors differ after the rule layer.

Why: the view is a speed-up that must not change what the facets show. Both ways run in
this process on the same articles, alternating, so the CPU ratio holds on a noisy
machine; the actor comparison is exact (start, end, kind, canonical name).

    .venv/bin/python bench/ner_view.py [--articles 600] [--slices 0,3000] [--context 8,12,16]

Writes bench/reports/ner_view.md. Needs ../shared/data/orangesum (skips otherwise).
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchlib import ORANGESUM, cpu_model, orangesum_rows

REPORT = Path(__file__).resolve().parent / "reports" / "ner_view.md"


def _run(texts: list[str], view_fn) -> tuple[list[set[tuple[int, int, str, str]]], float, int]:
    from searchkit.extract import actors

    saved = actors.ner_view
    kept = 0

    def counting(norm: str):
        nonlocal kept
        view = view_fn(norm)
        kept += len(view.text)
        return view

    actors.ner_view = counting
    try:
        cpu = time.process_time()
        found = [{(m.start, m.end, m.kind, m.canonical) for m in ms} for ms in actors.iter_actors(texts)]
        cpu = time.process_time() - cpu
    finally:
        actors.ner_view = saved
    return found, cpu, kept


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=600, help="articles per slice")
    ap.add_argument("--slices", default="0,3000", help="first article of each slice")
    ap.add_argument("--context", default="8,12,16", help="words kept either side (CONTEXT_WORDS), compared")
    args = ap.parse_args()
    if not ORANGESUM.exists():
        print(f"skipped: {ORANGESUM} not found")
        return 0
    from searchkit.extract.actors import load_model
    from searchkit.extract.nerview import NerView, ner_view

    starts = [int(s) for s in args.slices.split(",")]
    rows = orangesum_rows(max(starts) + args.articles)
    texts = [f"{r['title']}\n\n{r['text']}" for s in starts for r in rows[s : s + args.articles]]
    from searchkit.extract.runtime import tune_worker

    tune_worker()  # measured as an indexing worker runs it
    load_model()
    _run(texts[:20], ner_view)  # warm-up

    base, base_cpu, chars = _run(texts, NerView.whole)
    lines = [
        "# NER on a view of the text (searchkit/extract/nerview.py)",
        "",
        f"Command: `.venv/bin/python bench/ner_view.py --articles {args.articles} --slices {args.slices} --context {args.context}`",
        f"Machine: {cpu_model()}; {len(texts)} OrangeSum articles (title + text), slices starting at {args.slices}; "
        "one process; whole-text NER timed again after each view so each ratio is to a neighbouring run.",
        "",
        f"Whole text: {sum(map(len, base)):,} actor mentions, {base_cpu / len(texts) * 1000:.1f} ms of NER CPU per article.",
        "",
        "| words each side | characters kept | NER CPU, view / whole | mentions lost | mentions gained | examples of lost |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    total = sum(map(len, base))
    for context in (int(c) for c in args.context.split(",")):
        found, cpu, kept = _run(texts, lambda t, c=context: ner_view(t, context=c))
        _, whole_cpu, _ = _run(texts, NerView.whole)
        lost = [(m, t) for w, v, t in zip(base, found, texts) for m in w - v]
        gained = sum(len(v - w) for w, v in zip(base, found))
        examples = ", ".join(sorted({f"{m[3]} ({m[2]})" for m, _ in lost})[:6])
        lines.append(
            f"| {context} | {kept / chars:.1%} | {cpu / whole_cpu:.2f} | {len(lost)} ({len(lost) / total:.2%}) | {gained} | {examples} |"
        )
        print(lines[-1], flush=True)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n", "utf-8")
    print(f"wrote {REPORT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
