"""Do two versions of searchkit extract the same dates and actors? Byte for byte, on
the first OrangeSum articles.

What it is for: a change meant to leave extraction alone (a clean-up of its patterns, a
shared constant) must show it on real articles, not only on the suites. Each ROOT is a
checkout (``git worktree add --detach /tmp/old REV``); in a fresh process per root, the
dates of the first ``--dates`` articles (``extract_dates`` with the article's date) and
the actors of the first ``--actors`` (``iter_actors``, spaCy NER) are written one JSON
line per article, then compared.

What it must not do: write anywhere but its temporary folder.
Run: ``.venv/bin/python bench/extract_ab.py ROOT_A ROOT_B [--dates 5000] [--actors 600]``.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = r"""
import json, sys
root, out, n_dates, n_actors = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
sys.path[:0] = [root, root + "/bench"]
from benchlib import orangesum_rows
from searchkit.extract.actors import iter_actors
from searchkit.extract.dates import extract_dates
rows = orangesum_rows(max(n_dates, n_actors))
with open(out, "w", encoding="utf-8") as fh:
    for r in rows[:n_dates]:
        fh.write(json.dumps([str(m) for m in extract_dates(r["title"] + "\n" + r["text"], r["date"])], ensure_ascii=False) + "\n")
    for mentions in iter_actors([r["title"] + "\n" + r["text"] for r in rows[:n_actors]]):
        fh.write(json.dumps([str(m) for m in mentions], ensure_ascii=False) + "\n")
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("roots", nargs=2, type=Path, help="two checkouts of searchkit")
    ap.add_argument("--dates", type=int, default=5000)
    ap.add_argument("--actors", type=int, default=600)
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="searchkit-extract-ab-"))
    outs = []
    for i, root in enumerate(args.roots):
        out = work / f"{i}.jsonl"
        subprocess.run([sys.executable, "-c", _CHILD, str(root), str(out), str(args.dates), str(args.actors)], check=True)
        outs.append(out.read_text("utf-8").splitlines())
    differ = [i for i, (a, b) in enumerate(zip(*outs)) if a != b]
    print(f"Command: `.venv/bin/python bench/extract_ab.py {' '.join(map(str, args.roots))} --dates {args.dates} --actors {args.actors}`\n")
    print(f"{len(outs[0])} lines (dates of {args.dates} articles, actors of {args.actors}); "
          f"{len(differ)} differ" + (f", first at line {differ[0] + 1}" if differ else ": identical"))
    return 1 if differ or len(outs[0]) != len(outs[1]) else 0


if __name__ == "__main__":
    raise SystemExit(main())
