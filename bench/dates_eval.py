"""Score searchkit's French date grammar, and raw dateparser, on external test suites.

What it is for: a fair, repeatable measurement of ``searchkit.extract.dates`` on data
nobody here wrote (see ../shared/data/dates/*/SOURCE.md):

- Microsoft Recognizers-Text French specs: span precision/recall on DateExtractor and
  DatePeriodExtractor; resolution accuracy on DateParser, DatePeriodParser, DateTimeModel;
- Duckling's French time corpus (467 expressions, reference 2013-02-12);
- dateparser's own French test cases (96);
- speed on real OrangeSum articles, and ``infer_published`` against their real dates.

Only what our output can express is scored for resolution: a single date at day, month
or year grain. Times of day, durations, sets, ranges, weeks, seasons and untranslated
strings are skipped and counted, with the reason. A prediction resolves a gold item when
its span overlaps the gold span and its value, cut to the gold grain, equals the gold
value (Recognizers gives a past and a future reading for partial dates: either counts).
Span precision on those suites leaves out predictions that fall on a skipped gold mention
(a range, a week, a time): they are neither right nor wrong there.

The suites and the scoring live in tests/support/date_suites.py (tests/test_dates_suites.py
checks floors with them); this script runs them, times real articles and writes the report.

What it must not do: read ../shared/holdout, or tune anything -- it only measures.
dateparser is needed for its column (``pip install dateparser``); without it the script
scores searchkit alone. Run: ``.venv/bin/python bench/dates_eval.py``; ``--baseline REV``
adds the grammar of git revision REV as a column (before/after in one run).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
REPORT = ROOT / "bench" / "reports" / "dates.md"

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))  # benchlib
from benchlib import orangesum_rows  # noqa: E402
from searchkit.extract.dates import infer_published  # noqa: E402
from tests.support.date_suites import System, baseline_system, dateparser_system, load_suites, score, searchkit_system  # noqa: E402

# --- real articles: speed and publication-date inference -----------------------------------------


def speed(rows: list[dict], system: System) -> tuple[float, int]:
    """Articles per second and mentions found, anchored on each article's real date."""
    # CPU time of this process: the wall clock is noisy on a shared machine.
    t0 = time.process_time()
    n = 0
    for r in rows:
        n += len(system(r["text"], dt.datetime.fromisoformat(r["date"])))
    return len(rows) / (time.process_time() - t0), n


def inference(rows: list[dict]) -> dict[str, float]:
    """How often infer_published answers on real headerless articles, and how often right."""
    answered = day_ok = year_ok = 0
    for r in rows:
        got = infer_published(r["text"])
        if got is None:
            continue
        answered += 1
        day_ok += got[0] == r["date"]
        year_ok += got[0][:4] == r["date"][:4]
    return {"articles": len(rows), "answered": answered,
            "day_ok": day_ok / answered if answered else 0.0, "year_ok": year_ok / answered if answered else 0.0}


# --- report ----------------------------------------------------------------------------------
def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def run(n_articles: int = 2000, n_dateparser_articles: int = 100, baseline: str | None = None) -> tuple[str, dict]:
    systems: dict[str, System] = {"searchkit": searchkit_system}
    if baseline:
        systems[f"searchkit@{baseline}"] = baseline_system(baseline)
    dp = dateparser_system()
    if dp is not None:
        systems["dateparser"] = dp
    extract, resolve = load_suites()
    figures: dict = {}
    lines = ["## Span detection (Recognizers extractor specs; overlap match, exact in the last column)", "",
             "| suite | system | gold | pred | precision | recall | F1 | exact-span recall |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for suite in extract:
        for name, system in systems.items():
            s = score(suite, system)
            figures[(suite.name, name)] = s
            lines.append(f"| {suite.name} | {name} | {s.gold} | {s.pred} | {_pct(s.precision)} | {_pct(s.recall)} "
                         f"| {_pct(s.f1)} | {_pct(s.exact_recall)} |")
    lines += ["", "## Resolution (day/month/year values only)", "",
              "| suite | system | scored | skipped | span precision | found (span recall) | resolved correctly |",
              "|---|---|---:|---:|---:|---:|---:|"]
    for suite in resolve:
        for name, system in systems.items():
            s = score(suite, system)
            figures[(suite.name, name)] = s
            lines.append(f"| {suite.name} | {name} | {s.gold} | {sum(suite.skipped.values())} | {_pct(s.precision)} "
                         f"| {_pct(s.recall)} | {_pct(s.accuracy)} |")
    lines += ["", "Skipped (not expressible as one day/month/year value):", ""]
    for suite in resolve:
        why = ", ".join(f"{k} {v}" for k, v in suite.skipped.most_common()) or "none"
        lines.append(f"- {suite.name}: {why}")
    if (DATA / "orangesum").exists() and n_articles:
        rows = orangesum_rows(n_articles)
        words = sum(len(r["text"].split()) for r in rows) / len(rows)
        lines += ["", f"## Real articles (OrangeSum, first {len(rows)}, mean {words:.0f} words)", "",
                  "| system | articles/s (CPU time, one core) | CPU ms/article | mentions |", "|---|---:|---:|---:|"]
        # Our grammars run 3 times each, interleaved, and keep their median: the machine is shared.
        ours = [name for name in systems if name.startswith("searchkit")]
        runs: dict[str, list[tuple[float, int]]] = {name: [] for name in ours}
        for _ in range(3):
            for name in ours:
                runs[name].append(speed(rows, systems[name]))
        for name, system in systems.items():
            if name in runs:
                sample = rows
                rate, n = sorted(runs[name])[1]
            else:
                sample = rows[:n_dateparser_articles]
                rate, n = speed(sample, system)
            figures[("speed", name)] = rate
            lines.append(f"| {name} | {rate:,.0f} (on {len(sample)}) | {1000 / rate:.3f} | {n} |")
        inf = inference(rows)
        figures["inference"] = inf
        lines += ["", f"`infer_published` on the same articles (their header dates removed, as they are): answered "
                  f"{inf['answered']}/{inf['articles']}; of those, exact day {_pct(inf['day_ok'])} %, "
                  f"right year {_pct(inf['year_ok'])} %."]
    return "\n".join(lines) + "\n", figures


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="OrangeSum articles for speed (0: skip)")
    parser.add_argument("--no-write", action="store_true", help="print only, do not write bench/reports/dates.md")
    parser.add_argument("--baseline", metavar="REV", help="also score the grammar of this git revision (before/after)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    table, _ = run(args.articles, baseline=args.baseline)
    command = "python bench/dates_eval.py" + (f" --articles {args.articles}" if args.articles != 2000 else "")
    command += f" --baseline {args.baseline}" if args.baseline else ""
    header = (f"# Dates: searchkit grammar vs dateparser\n\nProduced by `{command}` "
              f"on {dt.date.today().isoformat()} (see the module docstring for the method).\n\n")
    print(header + table)
    if not args.no_write:
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(header + table, encoding="utf-8")


if __name__ == "__main__":
    main()
