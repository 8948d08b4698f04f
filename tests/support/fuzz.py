"""Random and hostile queries (unicode, quotes, operators, fields, regex characters, date
ranges, 10,000 characters) through the library and the CLI, and what each did.
"""
from __future__ import annotations

import json
import random
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# ---------------------------------------------------------------------------
# Queries: random and hostile input
# ---------------------------------------------------------------------------

FRAGMENTS = [
    '"', "'", "(", ")", "((", "))", "AND", "OR", "NOT", "ET", "OU", "SAUF", "ANDNOT", "ANDMAYBE", "TO",
    "*", "?", "~", "~2", "~9", "~/3", "^", "^2", ":", "::", "titre:", "title:", "personne:", "person:", "org:",
    "lieu:", "acteur:", "date:", "published:", "mentionne:", "id:", "texte:", "foo:", "Inconnu:", "http://x.fr/a?b=c",
    "\\", "$", "[", "]", "{", "}", "|", "||", "&&", "+", "-", "!", ".*", "a{2,}", "(?i)", "[a TO z]", "{a TO z}", "<", ">",
    "roquette", "roquettes", "Bagdad", "l'été", "aujourd'hui", "États-Unis", "œuvre", "Article", "le", "de", "les",
    "2020", "2020-12", "2020-13", "2020-12-32", "2021..2020", "..", "2020-11..", "..2021", "0000-00", "99999",
    "décembre 2020", "30 février", "date:2020-13", 'date:"décembre 2020"', "date:2021..2020", "mentionne:..",
    "\x00", "\u200b", "\u2028", "’", "🙂", "\ufeff", "\t", "\n", "é*", "*é", "~~", '"zone verte"~2', '""', "' '",
]
# Values for the date filters (--published / --mentioned): good, bad and absurd.
DATE_VALUES = ["2020", "2020-12", "2020-12-20", "2020-11..2021-01", "2021..2020", "2020-13", "2020-02-30", "..", "x..y",
               "décembre 2020", "undated", "", " ", "9999-99-99", "0000", "2020-1", "hier", "🙂", "2020..", "..2020"]


def random_query(rng: random.Random) -> str:
    """A hostile query: fragments of the query language, random unicode, repeats."""
    r = rng.random()
    if r < 0.02:
        return rng.choice(["x", "roquette ", "(", '"', "é", "a OR "]) * (10_000 // 2)
    parts = []
    for _ in range(rng.randint(1, 8)):
        x = rng.random()
        if x < 0.65:
            parts.append(rng.choice(FRAGMENTS))
        elif x < 0.85:
            parts.append("".join(chr(rng.choice([rng.randint(1, 0x7F), rng.randint(0x80, 0x2FFF), rng.randint(0x1F300, 0x1F64F)])) for _ in range(rng.randint(1, 6))))
        else:
            parts.append(rng.choice(FRAGMENTS) * rng.randint(2, 60))
    return rng.choice([" ", "", " ", " "]).join(parts)


@dataclass
class FuzzOutcome:
    kind: str  # "results", "error" (a one-line SearchkitError) or "crash"
    detail: str = ""
    seconds: float = 0.0


def fuzz_library(kit: Any, query: str, filters: dict[str, list[str]] | None = None) -> FuzzOutcome:
    """One query through the library: results, a one-line SearchkitError, or a crash."""
    from searchkit.errors import SearchkitError

    started = time.perf_counter()
    try:
        kit.search(query, filters=filters, limit=5)
        kind, detail = "results", ""
    except SearchkitError as exc:
        one_line = len(exc.message.splitlines()) <= 1 and len((exc.hint or "").splitlines()) <= 1
        kind, detail = ("error", exc.message) if one_line else ("crash", f"multi-line message: {exc.message!r}")
    except Exception as exc:  # what the fuzz is looking for
        kind, detail = "crash", f"{type(exc).__name__}: {exc} :: {traceback.format_exc().splitlines()[-3].strip()}"
    return FuzzOutcome(kind, detail, time.perf_counter() - started)


def fuzz_cli(config: Path, args: list[str]) -> FuzzOutcome:
    """One `searchkit` command line through click's runner: exit 0 with JSON, or exit
    1/2 with exactly one line on stderr; never a traceback."""
    from click.testing import CliRunner

    from searchkit.ui.cli import cli

    started = time.perf_counter()
    res = CliRunner().invoke(cli, ["--config", str(config), *args])
    took = time.perf_counter() - started
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        return FuzzOutcome("crash", f"{type(res.exception).__name__}: {res.exception}", took)
    err = res.stderr
    if res.exit_code == 0:
        try:
            json.loads(res.stdout)
        except ValueError:
            return FuzzOutcome("crash", f"exit 0 but not JSON: {res.stdout[:200]!r}", took)
        return FuzzOutcome("results", "", took)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    bad = res.exit_code not in (1, 2) or len(lines) != 1 or not lines[0].startswith("error: ") or "Traceback" in err or "unexpected" in err
    return FuzzOutcome("crash" if bad else "error", err.strip()[:300], took)
