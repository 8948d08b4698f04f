"""One-shot start: how long ``searchkit search roquettes --json`` takes, process start
to exit, against ``python -c "import whoosh.index"`` measured in the same run.

What it is for: the figure behind "a one-shot search imports only the read path" (target:
at most 2x the interpreter start plus ``import whoosh.index``). Machines are noisy, so
the figure is a same-run ratio: every command runs ``--runs`` times, the commands
interleaved (one run of each in turn), after one unmeasured warm-up each (OS file cache,
.pyc files written), and the ratio is of the medians.

The commands measured, each a fresh process of this interpreter:

* ``python -c pass``: the interpreter alone;
* ``python -c "import whoosh.index"``: the baseline of the ratio;
* the third-party modules a search cannot do without, imported and nothing else:
  Whoosh's query, parser and searcher; numpy; then those with PyYAML and click, the
  floor of the ratio (what searchkit's own code and the search itself add is above it);
* ``python -m searchkit search roquettes --json`` on the seeds indexed as ``make run``
  indexes them (with passage vectors, so the default mode is hybrid), and the same with
  ``--mode lexical``, for this tree and, with ``--compare REV``, for the tree of git
  revision REV (``git archive``, nothing in the repository changes), in the same run.

Each tree indexes its own copy of ``seeds/`` with its own ``config.yaml`` in a temporary
folder first (``searchkit index --semantic``). ``PYTHONDONTWRITEBYTECODE`` is removed
from the environment so that the runs read .pyc files as an installed searchkit does.

What it must not do: touch the repository's index, or read ../shared/holdout.

Run: ``.venv/bin/python bench/start_speed.py [--runs 15] [--compare main] [--write]``
(``--write`` also writes bench/reports/start_speed.md).
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "bench" / "reports" / "start_speed.md"
QUERY = "roquettes"
BASELINE = "import whoosh.index"
# What a search imports of Whoosh (the parser is searchkit's own: no whoosh.qparser).
WHOOSH = "import whoosh.index, whoosh.query, whoosh.searching"
FLOOR = WHOOSH + ", numpy, yaml, click"


def environment(tree: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "SEARCHKIT_CONFIG", "PYTHONPATH")}
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    return env


def export_tree(rev: str, into: Path) -> Path:
    """The files of git revision ``rev`` in ``into`` (``git archive``: no worktree, no ref)."""
    data = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into


def prepare(tree: Path, work: Path) -> Path:
    """A folder holding ``tree``'s seeds and config.yaml, indexed with vectors as ``make run`` does."""
    work.mkdir(parents=True)
    shutil.copytree(tree / "seeds", work / "seeds")
    shutil.copy(tree / "config.yaml", work / "config.yaml")
    subprocess.run([sys.executable, "-m", "searchkit", "index", "--semantic"], cwd=work, env=environment(tree),
                   check=True, stdout=subprocess.DEVNULL)
    return work


class Command:
    def __init__(self, label: str, argv: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.label, self.argv, self.cwd, self.env = label, argv, cwd, env
        self.times: list[float] = []

    def run(self) -> float:
        started = time.perf_counter()
        done = subprocess.run(self.argv, cwd=self.cwd, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{self.label} failed ({done.returncode}): {done.stderr.decode(errors='replace')[-500:]}")
        return elapsed

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def commands(trees: dict[str, Path], folders: dict[str, Path]) -> list[Command]:
    py = sys.executable
    plain = environment(None)
    out = [
        Command("python -c pass", [py, "-c", "pass"], ROOT, plain),
        Command(f'python -c "{BASELINE}"', [py, "-c", BASELINE], ROOT, plain),
        Command(f'python -c "{WHOOSH}"', [py, "-c", WHOOSH], ROOT, plain),
        Command('python -c "import numpy"', [py, "-c", "import numpy"], ROOT, plain),
        Command("third-party floor: " + FLOOR.replace("import ", ""), [py, "-c", FLOOR], ROOT, plain),
    ]
    for name, tree in trees.items():
        search = [py, "-m", "searchkit", "search", QUERY, "--json"]
        out.append(Command(f"{name}: searchkit search {QUERY} --json (hybrid)", search, folders[name], environment(tree)))
        out.append(Command(f"{name}: searchkit search {QUERY} --json --mode lexical", search + ["--mode", "lexical"],
                           folders[name], environment(tree)))
    return out


def measure(cmds: list[Command], runs: int) -> None:
    for cmd in cmds:
        cmd.run()  # warm-up: .pyc files, OS file cache, the index's pickled tables
    for _ in range(runs):
        for cmd in cmds:
            cmd.times.append(cmd.run())


def report(cmds: list[Command], runs: int, argv: list[str]) -> str:
    base = next(c for c in cmds if c.label == f'python -c "{BASELINE}"').median
    lines = [
        "# One-shot start",
        "",
        f"Wall time of a fresh process, start to exit: median of {runs} runs per command, the commands",
        "interleaved (one run of each in turn) after one warm-up run each; the ratio is each median over",
        f'the median of `python -c "{BASELINE}"` in the same run. The searches run on the 5 seeds',
        "indexed as `make run` indexes them (with passage vectors: the default mode is hybrid).",
        "",
        "| command | median | min | max | ratio to `import whoosh.index` |",
        "|---|---|---|---|---|",
    ]
    for cmd in cmds:
        t = cmd.times
        lines.append(f"| {cmd.label} | {cmd.median * 1000:.0f} ms | {min(t) * 1000:.0f} | {max(t) * 1000:.0f} | "
                     f"{cmd.median / base:.2f}x |")
    load = os.getloadavg()
    lines += [
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average at the end {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}.",
        "",
        "Command:",
        "",
        "```",
        ".venv/bin/python bench/start_speed.py " + " ".join(argv),
        "```",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--compare", metavar="REV", help="also measure the tree of this git revision (before/after)")
    parser.add_argument("--write", action="store_true", help=f"write {REPORT.relative_to(ROOT)}")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="start_speed-") as tmp:
        work = Path(tmp)
        trees = {"this tree": ROOT}
        if args.compare:
            trees[args.compare] = export_tree(args.compare, work / "tree")
        folders = {name: prepare(tree, work / f"corpus{i}") for i, (name, tree) in enumerate(trees.items())}
        cmds = commands(trees, folders)
        measure(cmds, args.runs)
        text = report(cmds, args.runs, sys.argv[1:])
    print(text)
    if args.write:
        REPORT.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
