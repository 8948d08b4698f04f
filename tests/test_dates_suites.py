"""The date grammar keeps the levels it reached on external suites (tests/support/date_suites.py).

Floors sit about 2 points under the measured figures (bench/reports/dates.md): a drop
means a regression, not noise. Skipped when ../shared/data is absent.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import date_suites

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

if not (DATA / "dates").is_dir():
    pytest.skip("../shared/data/dates is absent", allow_module_level=True)


@pytest.fixture(scope="module")
def scores():  # type: ignore[no-untyped-def]
    extract, resolve = date_suites.load_suites()
    return {s.name: date_suites.score(s, date_suites.searchkit_system) for s in extract + resolve}


# suite -> (min precision, min recall) on spans, overlap match
SPAN_FLOORS = {
    "Recognizers DateExtractor": (0.97, 0.83),
    "Recognizers DatePeriodExtractor": (0.97, 0.73),
}
# suite -> (min span recall, min resolution accuracy) on day/month/year items
RESOLUTION_FLOORS = {
    "Recognizers DateParser": (0.82, 0.57),
    "Recognizers DatePeriodParser": (0.74, 0.49),
    "Recognizers DateTimeModel": (0.79, 0.26),
    "Duckling FR corpus": (0.80, 0.52),
    "dateparser FR tests": (0.89, 0.82),
    # 25 items: one item is 4 points, so the floor sits two items under the measure.
    "Weeks and seasons": (0.80, 0.68),
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


def test_week_and_season_gold_values() -> None:
    import datetime as dt

    # ISO week 10 of 2020: Mon 2 - Sun 8 March; its Thursday is in March.
    week = date_suites.week_values(dt.date(2020, 3, 2))
    assert week == {f"2020-03-0{d}" for d in range(2, 9)} | {"2020-03"}
    # A week astride two months stands for the month of its Thursday only (Thu 2 April).
    assert "2020-04" in date_suites.week_values(dt.date(2020, 3, 30)) and "2020-03" not in date_suites.week_values(dt.date(2020, 3, 30))
    assert date_suites.week_values(dt.date(2020, 3, 2), weekend=True) == {"2020-03-07", "2020-03-08", "2020-03"}
    winter = date_suites.season_values(2016, "WI")
    assert {"2016", "2017", "2016-12", "2017-02", "2017-02-28"} <= winter and "2017-03" not in winter
    assert "2016" in date_suites.season_values(2016, "SU") and "2017" not in date_suites.season_values(2016, "SU")
