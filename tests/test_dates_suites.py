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
    "Recognizers DateExtractor": (0.97, 0.67),
    "Recognizers DatePeriodExtractor": (0.96, 0.51),
}
# suite -> min resolution accuracy (day/month/year items only)
RESOLUTION_FLOORS = {
    "Recognizers DateParser": 0.48,
    "Recognizers DatePeriodParser": 0.42,
    "Recognizers DateTimeModel": 0.19,
    "Duckling FR corpus": 0.45,
    "dateparser FR tests": 0.53,
}


@pytest.mark.parametrize("suite", sorted(SPAN_FLOORS))
def test_span_levels(scores, suite: str) -> None:  # type: ignore[no-untyped-def]
    p, r = SPAN_FLOORS[suite]
    s = scores[suite]
    assert (s.precision >= p, s.recall >= r) == (True, True), (suite, s.precision, s.recall)


@pytest.mark.parametrize("suite", sorted(RESOLUTION_FLOORS))
def test_resolution_levels(scores, suite: str) -> None:  # type: ignore[no-untyped-def]
    s = scores[suite]
    assert s.accuracy >= RESOLUTION_FLOORS[suite], (suite, s.accuracy)


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
    }
