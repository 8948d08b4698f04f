"""The hand judgments of acronym merges on OrangeSum (bench/judgments/acronyms.tsv, read by
bench/acronyms.py) stay whole: every row judged, every error says why, no pair twice."""
from __future__ import annotations

import csv
from pathlib import Path

JUDGMENTS = Path(__file__).resolve().parents[1] / "bench" / "judgments" / "acronyms.tsv"


def test_the_acronym_judgments_are_whole() -> None:
    with JUDGMENTS.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert len(rows) >= 150
    assert all(list(r) == ["short", "long", "articles", "verdict", "note"] for r in rows)
    assert {r["verdict"] for r in rows} <= {"correct", "incorrect"}
    assert all(r["short"] and r["long"] and r["articles"].isdigit() for r in rows)
    # every error says why
    assert all(r["note"] for r in rows if r["verdict"] == "incorrect")
    pairs = [(r["short"], r["long"]) for r in rows]
    assert len(pairs) == len(set(pairs))
