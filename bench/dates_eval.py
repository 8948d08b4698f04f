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

What it must not do: read ../shared/holdout, or tune anything -- it only measures.
dateparser is needed for its column (``pip install dateparser``); without it the script
scores searchkit alone. Run: ``.venv/bin/python bench/dates_eval.py``; ``--baseline REV``
adds the grammar of git revision REV as a column (before/after in one run).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
import time
import types
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
DATES = DATA / "dates"
RECOG = DATES / "recognizers_text_fr_datetime" / "Specs_DateTime_French"
REPORT = ROOT / "bench" / "reports" / "dates.md"

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))  # benchlib, also when a test loads this file
from benchlib import orangesum_rows  # noqa: E402
from searchkit.extract.dates import extract_dates, infer_published  # noqa: E402

# (start, end, value "YYYY[-MM[-DD]]") found by a system in a text.
Pred = tuple[int, int, str]
System = Callable[[str, dt.datetime], list[Pred]]


# --- systems ---------------------------------------------------------------------------------
def searchkit_system(text: str, ref: dt.datetime) -> list[Pred]:
    return [(m.start, m.end, m.value) for m in extract_dates(text, ref.date())]


def baseline_system(rev: str) -> System:
    """searchkit's date grammar as committed at git revision ``rev``, run in this process
    next to the working copy's, so that quality and speed compare in one run."""
    src = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:searchkit/extract/dates.py"],
                         capture_output=True, text=True, check=True).stdout
    mod = types.ModuleType(f"dates_at_{rev}")
    exec(compile(src, f"{rev}:searchkit/extract/dates.py", "exec"), mod.__dict__)  # our own code, at rev

    def run(text: str, ref: dt.datetime) -> list[Pred]:
        return [(m.start, m.end, m.value) for m in mod.extract_dates(text, ref.date())]

    return run


def dateparser_system() -> System | None:
    try:
        from dateparser.search import search_dates
    except ImportError:
        return None

    def run(text: str, ref: dt.datetime) -> list[Pred]:
        found = search_dates(text, languages=["fr"], settings={"RELATIVE_BASE": ref}) or []
        out: list[Pred] = []
        cursor = 0
        for sub, when in found:
            # search_dates gives substrings, not offsets: find them in order.
            i = text.find(sub, cursor)
            if i < 0:
                i = text.find(sub)
            if i < 0:
                continue
            cursor = i + len(sub)
            out.append((i, i + len(sub), when.date().isoformat()))
        return out

    return run


# --- gold items ------------------------------------------------------------------------------
@dataclass
class Item:
    """One gold mention: span (end exclusive) and the values accepted for it."""

    text: str
    ref: dt.datetime
    start: int
    end: int
    values: set[str] = field(default_factory=set)  # empty for span-only items
    # False for a gold mention the suite skips (a time, a range...): not scored, and a
    # prediction on it is neither right nor wrong (it does not count against precision).
    scored: bool = True
    # True when a prediction must be one of ``values`` exactly (weeks and seasons below),
    # not merely equal to one of them once cut to its grain.
    exact: bool = False


@dataclass
class Suite:
    name: str
    cases: list[tuple[str, dt.datetime, list[Item]]]  # text, reference, gold items
    skipped: Counter[str] = field(default_factory=Counter)
    spans_only: bool = False


def _load_recog(name: str) -> list[dict]:
    return json.loads((RECOG / f"{name}.json").read_text(encoding="utf-8-sig"))


def _ref(case: dict) -> dt.datetime:
    raw = (case.get("Context") or {}).get("ReferenceDateTime", "2016-11-07T00:00:00")
    return dt.datetime.fromisoformat(raw)


def _span(case: dict, r: dict) -> tuple[int, int]:
    start = r.get("Start", r.get("start"))
    if start is None:
        start = case["Input"].lower().find(r["Text"].lower())
    if "Length" in r:
        return start, start + r["Length"]
    if "End" in r:
        return start, r["End"] + 1  # inclusive in the specs
    return start, start + len(r["Text"])


_DAY_TIMEX = re.compile(r"^(?:XXXX|\d{4})-(?:XX|\d\d)-\d\d$|^XXXX-WXX-\d$")
_PERIOD_TIMEX = re.compile(r"^(?:XXXX|\d{4})(?:-\d\d)?$")


def _timex_reason(timex: str) -> str | None:
    """None when a timex is a single day, month or year; else why it is skipped."""
    if _DAY_TIMEX.match(timex) or _PERIOD_TIMEX.match(timex):
        return None
    if timex.startswith("("):
        return "range"
    if "T" in timex:
        return "time of day"
    if timex.startswith("P"):
        return "duration"
    if "W" in timex:
        return "week"
    if re.search(r"(SP|SU|FA|WI)$", timex):
        return "season"
    return "other timex"


def _grain_cut(date: str, timex: str) -> str:
    """A gold date cut to the grain of its timex: 2016-12-01 for '2016-12' -> '2016-12'."""
    if _PERIOD_TIMEX.match(timex):
        return date[: len(timex)]
    return date[:10]


def recognizers_extractor(name: str) -> Suite:
    suite = Suite(f"Recognizers {name}", [], spans_only=True)
    for case in _load_recog(name):
        ref = _ref(case)
        items = [Item(case["Input"], ref, *_span(case, r)) for r in case["Results"]]
        suite.cases.append((case["Input"], ref, items))
    return suite


def recognizers_parser(name: str) -> Suite:
    suite = Suite(f"Recognizers {name}", [])
    for case in _load_recog(name):
        ref = _ref(case)
        items: list[Item] = []
        for r in case["Results"]:
            value = r["Value"]
            reason = _timex_reason(value.get("Timex", ""))
            if reason:
                suite.skipped[reason] += 1
                items.append(Item(case["Input"], ref, *_span(case, r), scored=False))
                continue
            timex = value["Timex"]
            values = set()
            for side in ("FutureResolution", "PastResolution"):
                res = value.get(side) or {}
                date = res.get("date") or res.get("startDate")
                if date:
                    values.add(_grain_cut(date, timex))
            if not values:
                suite.skipped["not resolved"] += 1
                items.append(Item(case["Input"], ref, *_span(case, r), scored=False))
                continue
            items.append(Item(case["Input"], ref, *_span(case, r), values))
        suite.cases.append((case["Input"], ref, items))
    return suite


def recognizers_model(name: str) -> Suite:
    suite = Suite(f"Recognizers {name}", [])
    for case in _load_recog(name):
        ref = _ref(case)
        items: list[Item] = []
        for r in case["Results"]:
            kind = (r.get("TypeName") or r.get("Typename") or "").removeprefix("datetimeV2.")
            if kind not in ("date", "daterange"):
                suite.skipped[kind or "untyped"] += 1
                items.append(Item(case["Input"], ref, *_span(case, r), scored=False))
                continue
            res_values = r["Resolution"]["values"]
            reason = _timex_reason(res_values[0].get("timex", ""))
            if reason:
                suite.skipped[reason] += 1
                items.append(Item(case["Input"], ref, *_span(case, r), scored=False))
                continue
            values = set()
            for v in res_values:
                date = v.get("value") if kind == "date" else v.get("start")
                if date and date != "not resolved":
                    values.add(_grain_cut(date, v["timex"]))
            if not values:
                suite.skipped["not resolved"] += 1
                items.append(Item(case["Input"], ref, *_span(case, r), scored=False))
                continue
            items.append(Item(case["Input"], ref, *_span(case, r), values))
        suite.cases.append((case["Input"], ref, items))
    return suite


def duckling() -> Suite:
    suite = Suite("Duckling FR corpus", [])
    for line in (DATES / "duckling_fr_time" / "duckling_fr_time_examples.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        # The reference is 04:30 at UTC-2: its local date is what the values are in.
        ref = dt.datetime.fromisoformat(row["reference_time"]).replace(tzinfo=None)
        grain = row["grain"]
        if row["kind"] != "datetime":
            suite.skipped[{"datetimeInterval": "range", "datetimeOpenInterval": "open range"}[row["kind"]]] += 1
            continue
        if grain not in ("Day", "Month", "Year"):
            suite.skipped["week" if grain == "Week" else "time of day"] += 1
            continue
        y, m, d = row["value"][:3]
        value = {"Day": f"{y:04d}-{m:02d}-{d:02d}", "Month": f"{y:04d}-{m:02d}", "Year": f"{y:04d}"}[grain]
        text = row["text"]
        suite.cases.append((text, ref, [Item(text, ref, 0, len(text), {value})]))
    return suite


# --- weeks and seasons: scored apart, as no single day/month/year is their gold value ---------
_ISO_WEEK = re.compile(r"^(\d{4})-W(\d\d)(-WE)?$")
_SEASON_TIMEX = re.compile(r"^(\d{4})-(SP|SU|FA|WI)$")
_SEASON_MONTHS = {"SP": (3, 4, 5), "SU": (6, 7, 8), "FA": (9, 10, 11), "WI": (12, 13, 14)}


def _days(first: dt.date, n: int) -> set[str]:
    return {(first + dt.timedelta(days=i)).isoformat() for i in range(n)}


def week_values(monday: dt.date, weekend: bool = False) -> set[str]:
    """What may stand for a week: any of its days, or the month holding most of it (that
    of its Thursday; of its Saturday for a weekend) -- searchkit's mapping, see dates.py."""
    if weekend:
        sat = monday + dt.timedelta(days=5)
        return _days(sat, 2) | {sat.isoformat()[:7]}
    return _days(monday, 7) | {(monday + dt.timedelta(days=3)).isoformat()[:7]}


def season_values(year: int, season: str) -> set[str]:
    """What may stand for a season: any of its days or months (meteorological seasons), or
    its year -- for winter either year it spans (searchkit says the year of its January)."""
    out: set[str] = set()
    for k in _SEASON_MONTHS[season]:
        y, m = year + (k - 1) // 12, (k - 1) % 12 + 1
        first = dt.date(y, m, 1)
        nxt = dt.date(y + m // 12, m % 12 + 1, 1)
        out |= _days(first, (nxt - first).days) | {f"{y:04d}-{m:02d}"}
    return out | ({str(year), str(year + 1)} if season == "WI" else {str(year)})


def _week_or_season_values(timex: str) -> set[str] | None:
    w = _ISO_WEEK.match(timex)
    if w:
        return week_values(dt.date.fromisocalendar(int(w.group(1)), int(w.group(2)), 1), bool(w.group(3)))
    se = _SEASON_TIMEX.match(timex)
    if se:
        return season_values(int(se.group(1)), se.group(2))
    return None


def weeks_and_seasons() -> Suite:
    """Week and season mentions of the Recognizers parser/model specs and Duckling (the
    items the suites above skip as "week" or "season"), with an absolute ISO week or year.
    Only Recognizers cases that state their reference time: the others were resolved
    against a date the spec does not give (their "cette semaine" is in 2017, 2018 or 2019)."""
    suite = Suite("Weeks and seasons", [])
    for name in ("DateParser", "DatePeriodParser", "DateTimeModel"):
        for case in _load_recog(name):
            if not (case.get("Context") or {}).get("ReferenceDateTime"):
                suite.skipped["Recognizers case without a reference time"] += sum(
                    _timex_reason((r.get("Value") or {}).get("Timex") or ((r.get("Resolution") or {}).get("values") or [{}])[0].get("timex", "")) in ("week", "season")
                    for r in case["Results"])
                continue
            ref = _ref(case)
            items: list[Item] = []
            for r in case["Results"]:
                timex = (r.get("Value") or {}).get("Timex") or ((r.get("Resolution") or {}).get("values") or [{}])[0].get("timex", "")
                values = _week_or_season_values(timex)
                if values is None:
                    if _timex_reason(timex) in ("week", "season"):
                        suite.skipped["week or season without an absolute year"] += 1
                    items.append(Item(case["Input"], ref, *_span(case, r), scored=False))
                else:
                    items.append(Item(case["Input"], ref, *_span(case, r), values, exact=True))
            suite.cases.append((case["Input"], ref, items))
    for line in (DATES / "duckling_fr_time" / "duckling_fr_time_examples.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        if row["kind"] == "datetime" and row["grain"] == "Week":
            ref = dt.datetime.fromisoformat(row["reference_time"]).replace(tzinfo=None)
            y, m, d = row["value"][:3]
            text = row["text"]
            suite.cases.append((text, ref, [Item(text, ref, 0, len(text), week_values(dt.date(y, m, d)), exact=True)]))
    return suite


# dateparser's tests fix "now" per file (see raw/): these are their RELATIVE_BASE values.
_DP_NOW = {"test_date_parser.py": dt.datetime(2012, 11, 13), "test_freshness_date_parser.py": dt.datetime(2014, 9, 1, 10, 30)}


def _shift(now: dt.datetime, delta: dict[str, int], sign: int) -> dt.datetime:
    months = sign * (12 * delta.get("years", 0) + delta.get("months", 0))
    total = now.year * 12 + now.month - 1 + months
    y, m = divmod(total, 12)
    out = now.replace(year=y, month=m + 1, day=min(now.day, 28))
    return out + sign * dt.timedelta(weeks=delta.get("weeks", 0), days=delta.get("days", 0))


def dateparser_cases() -> Suite:
    suite = Suite("dateparser FR tests", [])
    for line in (DATES / "dateparser_fr_tests" / "dateparser_fr_cases.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        args, kwargs = row["args"], row["kwargs"]
        settings = {k.strip("'"): v for k, v in (kwargs.get("settings") or {}).items()}
        base = settings.get("RELATIVE_BASE")
        ref = dt.datetime.fromisoformat(base["__datetime__"]) if base else _DP_NOW.get(row["file"], dt.datetime(2020, 1, 1))
        test = row["test"]
        if "expected" in kwargs and isinstance(kwargs["expected"], list):  # search: [(substring, datetime)]
            text = kwargs.get("text") or args[1]
            items = []
            for sub, when in kwargs["expected"]:
                i = text.find(sub)
                items.append(Item(text, ref, i, i + len(sub), {when["__datetime__"][:10]}))
            suite.cases.append((text, ref, items))
        elif test == "test_search_and_parse":
            text = args[1]
            items = []
            for sub, when in args[2]:
                i = text.find(sub)
                items.append(Item(text, ref, i, i + len(sub), {when["__datetime__"][:10]}))
            suite.cases.append((text, ref, items))
        elif args and len(args) >= 2 and isinstance(args[1], dict):  # (text, datetime)
            text = args[0]
            suite.cases.append((text, ref, [Item(text, ref, 0, len(text), {args[1]["__datetime__"][:10]})]))
        elif "expected" in kwargs:  # kwargs form: date_string / args[0] + expected datetime
            text = kwargs.get("date_string") or args[0]
            suite.cases.append((text, ref, [Item(text, ref, 0, len(text), {kwargs["expected"]["__datetime__"][:10]})]))
        elif "ago" in kwargs or "in_future" in kwargs:
            delta = {k.strip("'"): v for k, v in (kwargs.get("ago") or kwargs.get("in_future")).items()}
            if set(delta) & {"hours", "minutes", "seconds"}:
                suite.skipped["time of day"] += 1
                continue
            when = _shift(ref, delta, -1 if "ago" in kwargs else 1)
            grain = kwargs.get("period", "day")
            if grain == "week":
                suite.skipped["week"] += 1
                continue
            value = when.date().isoformat()[: {"day": 10, "month": 7, "year": 4}[grain]]
            text = args[0]
            suite.cases.append((text, ref, [Item(text, ref, 0, len(text), {value})]))
        else:
            suite.skipped["no resolved date (translation/split/detection test)"] += 1
    return suite


# --- scoring ---------------------------------------------------------------------------------
def _overlaps(a0: int, a1: int, b0: int, b1: int) -> bool:
    return a0 < b1 and b0 < a1


def _matches(pred_value: str, gold: set[str]) -> bool:
    # Our value may be finer than the gold grain (dateparser's always is): cut it.
    return any(len(pred_value) >= len(g) and pred_value[: len(g)] == g for g in gold)


@dataclass
class Score:
    gold: int = 0
    pred: int = 0
    pred_hit: int = 0  # predictions overlapping a gold span
    gold_hit: int = 0  # gold spans overlapped by a prediction
    exact: int = 0  # gold spans matched exactly
    resolved: int = 0  # gold items with an overlapping prediction of the right value
    seconds: float = 0.0

    @property
    def precision(self) -> float:
        return self.pred_hit / self.pred if self.pred else 0.0

    @property
    def recall(self) -> float:
        return self.gold_hit / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def exact_recall(self) -> float:
        return self.exact / self.gold if self.gold else 0.0

    @property
    def accuracy(self) -> float:
        return self.resolved / self.gold if self.gold else 0.0


def score(suite: Suite, system: System) -> Score:
    s = Score()
    t0 = time.perf_counter()
    for text, ref, all_items in suite.cases:
        items = [g for g in all_items if g.scored]
        if not items and not suite.spans_only:
            continue  # a parser case whose gold was all skipped: nothing to resolve
        neutral = [g for g in all_items if not g.scored]
        preds = system(text, ref)
        s.gold += len(items)
        for p0, p1, _ in preds:
            if any(_overlaps(p0, p1, g.start, g.end) for g in items):
                s.pred += 1
                s.pred_hit += 1
            elif not any(_overlaps(p0, p1, g.start, g.end) for g in neutral):
                s.pred += 1  # a prediction on a skipped gold mention (a range, a time) is left out
        for g in items:
            hits = [p for p in preds if _overlaps(p[0], p[1], g.start, g.end)]
            s.gold_hit += bool(hits)
            s.exact += any(p[0] == g.start and p[1] == g.end for p in hits)
            s.resolved += any(p[2] in g.values if g.exact else _matches(p[2], g.values) for p in hits)
    s.seconds = time.perf_counter() - t0
    return s


def load_suites() -> tuple[list[Suite], list[Suite]]:
    extract = [recognizers_extractor(n) for n in ("DateExtractor", "DatePeriodExtractor")]
    resolve = [recognizers_parser(n) for n in ("DateParser", "DatePeriodParser")]
    resolve += [recognizers_model("DateTimeModel"), duckling(), dateparser_cases(), weeks_and_seasons()]
    return extract, resolve


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
