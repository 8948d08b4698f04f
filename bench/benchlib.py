"""What several benchmark scripts share: the OrangeSum corpus and the machine's CPU name.

Imported as ``benchlib`` by scripts run as ``python bench/NAME.py`` (their own folder is
first on ``sys.path``). Standard library only, so importing it never pulls in searchkit.
"""
from __future__ import annotations

import gzip
import json
import platform
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ORANGESUM = ROOT.parent / "shared" / "data" / "orangesum" / "orangesum_articles.jsonl.gz"


def orangesum_rows(limit: int) -> list[dict[str, Any]]:
    """The first ``limit`` OrangeSum lines as dicts ({"id", "date", "title", "abstract",
    "text"}), as they are: 165 of the 36,152 have an empty text."""
    rows: list[dict[str, Any]] = []
    with gzip.open(ORANGESUM, "rt", encoding="utf-8") as fh:
        for line in fh:
            if len(rows) >= limit:
                break
            rows.append(json.loads(line))
    return rows


def cpu_model() -> str:
    """The CPU's marketing name from /proc/cpuinfo ("AMD EPYC"), else what platform says."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
