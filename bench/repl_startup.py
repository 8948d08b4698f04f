"""Time to the first REPL prompt, and to the index being open, on a real terminal.

What it is for: a repeatable figure for "the first prompt appears fast" (target
< 1 s on the seeds). Each run spawns the REPL in a pseudo-terminal (pexpect, 120x40),
starts the clock just before the spawn and stops it when the prompt string
``searchkit>`` is drawn; a second clock stops when the bottom toolbar shows the
index size (the index opens in a background thread behind the prompt). Then it sends
Ctrl-D and checks the exit code. Median (and min/max) over ``--runs`` runs, after one
unmeasured warm-up run so that every measured run sees a warm OS file cache.

What it must not do: read ../shared/holdout, touch the user's history (HOME and
XDG_DATA_HOME point into a temp dir), or build the index (run `searchkit index` first).

Run: ``.venv/bin/python bench/repl_startup.py [--runs 5] [--write]``
(``--write`` also writes bench/reports/repl.md).
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "bench" / "reports" / "repl.md"
PROMPT = "searchkit>"
# The toolbar redraw is incremental: only "N articles" replaces "opening…".
TOOLBAR = r"\d+ articles"


def commands() -> dict[str, list[str]]:
    venv_bin = Path(sys.executable).parent
    return {
        "searchkit (bare, console script)": [str(venv_bin / "searchkit")],
        "python -m searchkit repl": [sys.executable, "-m", "searchkit", "repl"],
    }


def one_run(argv: list[str], home: str) -> tuple[float, float]:
    import pexpect

    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "SEARCHKIT_CONFIG")}
    env.update(HOME=home, XDG_DATA_HOME=os.path.join(home, "data"), TERM="xterm-256color")
    started = time.perf_counter()
    child = pexpect.spawn(argv[0], argv[1:], cwd=str(ROOT), env=env, dimensions=(40, 120), encoding="utf-8", timeout=30)
    try:
        prompt = _until(child, PROMPT, started)
        ready = _until(child, TOOLBAR, started)
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    if child.exitstatus != 0:
        raise SystemExit(f"{' '.join(argv)} exited with {child.exitstatus}")
    return prompt, ready


def _until(child: object, pattern: str, started: float) -> float:
    """Seconds until ``pattern`` is drawn, answering the terminal's cursor-position
    requests on the way as a real terminal does (prompt_toolkit waits for them)."""
    import pexpect

    while True:
        i = child.expect([r"\x1b\[6n", pattern])  # type: ignore[attr-defined]
        if i == 0:
            child.send("\x1b[1;1R")  # type: ignore[attr-defined]
            continue
        return time.perf_counter() - started


def measure(argv: list[str], runs: int) -> tuple[list[float], list[float]]:
    with tempfile.TemporaryDirectory() as home:
        one_run(argv, home)  # warm-up: OS file cache, .pyc files
        results = [one_run(argv, home) for _ in range(runs)]
    return [p for p, _ in results], [r for _, r in results]


def report(rows: list[tuple[str, list[float], list[float]]], runs: int) -> str:
    def ms(xs: list[float]) -> str:
        return f"{statistics.median(xs) * 1000:.0f} ms (min {min(xs) * 1000:.0f}, max {max(xs) * 1000:.0f})"

    lines = [
        "# REPL startup",
        "",
        "Time from spawning the REPL in a pseudo-terminal (pexpect, 120x40) until the prompt",
        f"`{PROMPT}` is drawn, and until the bottom toolbar shows the index size (the index",
        f"opens in a background thread behind the prompt). Median of {runs} runs after one warm-up run,",
        "on the 5 sample articles (`seeds/`, index built with `searchkit index`).",
        "",
        "| command | first prompt | index open (toolbar count) |",
        "|---|---|---|",
    ]
    for name, prompt, ready in rows:
        lines.append(f"| `{name}` | {ms(prompt)} | {ms(ready)} |")
    lines += [
        "",
        f"Target: first prompt < 1 s. Machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}.",
        "",
        "Reproduce:",
        "",
        "```",
        "cd /work/main && .venv/bin/searchkit index",
        f".venv/bin/python bench/repl_startup.py --runs {runs} --write",
        "```",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--write", action="store_true", help=f"write {REPORT.relative_to(ROOT)}")
    args = ap.parse_args()
    rows = []
    for name, argv in commands().items():
        prompt, ready = measure(argv, args.runs)
        rows.append((name, prompt, ready))
    text = report(rows, args.runs)
    print(text)
    if args.write:
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
