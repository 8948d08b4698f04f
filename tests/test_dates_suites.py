"""The date grammar keeps the levels it reached on external suites (bench/dates_eval.py).

Floors sit about 2 points under the measured figures (bench/reports/dates.md): a drop
means a regression, not noise. Skipped when ../shared/data is absent.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BENCH = Path(__file__).resolve().parents[1] / "bench" / "dates_eval.py"

if not (DATA / "dates").is_dir():
    pytest.skip("../shared/data/dates is absent", allow_module_level=True)


@pytest.fixture(scope="module")
def bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("dates_eval", BENCH)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["dates_eval"] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def scores(bench):  # type: ignore[no-untyped-def]
    extract, resolve = bench.load_suites()
    return {s.name: bench.score(s, bench.searchkit_system) for s in extract + resolve}


# suite -> (min precision, min recall) on spans, overlap match
SPAN_FLOORS = {
    "Recognizers DateExtractor": (0.97, 0.78),
    "Recognizers DatePeriodExtractor": (0.97, 0.71),
}
# suite -> (min span recall, min resolution accuracy) on day/month/year items
RESOLUTION_FLOORS = {
    "Recognizers DateParser": (0.78, 0.55),
    "Recognizers DatePeriodParser": (0.71, 0.49),
    "Recognizers DateTimeModel": (0.72, 0.23),
    "Duckling FR corpus": (0.73, 0.48),
    "dateparser FR tests": (0.89, 0.82),
    # 25 items: one item is 4 points, so the floor sits two items under the measure.
    "Weeks and seasons": (0.72, 0.60),
}


@pytest.mark.parametrize("suite", sorted(SPAN_FLOORS))
def test_span_levels(scores, suite: str) -> None:  # type: ignore[no-untyped-def]
    p, r = SPAN_FLOORS[suite]
    s = scores[suite]
    assert (s.precision >= p, s.recall >= r) == (True, True), (suite, s.precision, s.recall)


@pytest.mark.parametrize("suite", sorted(RESOLUTION_FLOORS))
def test_resolution_levels(scores, suite: str) -> None:  # type: ignore[no-untyped-def]
    r, acc = RESOLUTION_FLOORS[suite]
    s = scores[suite]
    assert (s.recall >= r, s.accuracy >= acc, s.precision >= 0.97) == (True, True, True), (
        suite, s.recall, s.accuracy, s.precision)


def test_suites_are_the_expected_size(scores) -> None:  # type: ignore[no-untyped-def]
    # If the data or the gold conversion changes, the floors above mean something else.
    assert {name: s.gold for name, s in scores.items()} == {
        "Recognizers DateExtractor": 227,
        "Recognizers DatePeriodExtractor": 509,
        "Recognizers DateParser": 177,
        "Recognizers DatePeriodParser": 95,
        "Recognizers DateTimeModel": 305,
        "Duckling FR corpus": 174,
        "dateparser FR tests": 58,
        "Weeks and seasons": 25,
    }


def test_week_and_season_gold_values(bench) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    # ISO week 10 of 2020: Mon 2 - Sun 8 March; its Thursday is in March.
    week = bench.week_values(dt.date(2020, 3, 2))
    assert week == {f"2020-03-0{d}" for d in range(2, 9)} | {"2020-03"}
    # A week astride two months stands for the month of its Thursday only (Thu 2 April).
    assert "2020-04" in bench.week_values(dt.date(2020, 3, 30)) and "2020-03" not in bench.week_values(dt.date(2020, 3, 30))
    assert bench.week_values(dt.date(2020, 3, 2), weekend=True) == {"2020-03-07", "2020-03-08", "2020-03"}
    winter = bench.season_values(2016, "WI")
    assert {"2016", "2017", "2016-12", "2017-02", "2017-02-28"} <= winter and "2017-03" not in winter
    assert "2016" in bench.season_values(2016, "SU") and "2017" not in bench.season_values(2016, "SU")
