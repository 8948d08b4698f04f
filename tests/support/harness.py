"""Generated corpora, running ``searchkit`` as a user would, and inspecting an index.

What it is for: the pieces every fault test and the reliability bench share: French-looking
articles with known bodies, a config.yaml, the real command in a subprocess (optionally
without root's permission override), process groups, and a check that an index holds
exactly the expected articles.

What it must not do: read ../shared (every corpus is generated) or touch a user's index.
"""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

ROOT = Path(__file__).resolve().parents[2]
SEARCHKIT = [sys.executable, "-m", "searchkit"]
INDEX_NAME = "MAIN"  # Whoosh's index name in searchkit (index/store.py)
LOCK_FILE = f"{INDEX_NAME}_WRITELOCK"
# What root loses for the permission faults: the capabilities that let it read and
# search anything whatever its mode bits.
DAC_CAPS = "-dac_override,-dac_read_search"

# ---------------------------------------------------------------------------
# Generated corpora
# ---------------------------------------------------------------------------

WORDS = (
    "roquette ambassade Bagdad milices attaque drone sécurité gouvernement ministre élection "
    "Téhéran réfugiés été hôpital accord négociation frontière armée président économie "
    "inflation grève syndicat école université tribunal enquête police incendie tempête récolte "
    "aujourd'hui l'État œuvre prud'homme États-Unis Mossoul déclaration conférence"
).split()


def article_text(rng: random.Random, number: int, sentences: tuple[int, int] = (3, 8)) -> str:
    """A French-looking article whose first words name it: "Article 17 : …".

    Every article contains the word "Article", so a search for it counts them all.
    """
    out = []
    for _ in range(rng.randint(*sentences)):
        words = [rng.choice(WORDS) for _ in range(rng.randint(6, 14))]
        out.append(" ".join(words).capitalize() + ".")
    return f"Article {number} : " + " ".join(out)


def generate_corpus(
    root: Path,
    *,
    txt: int = 1000,
    jsonl_files: int = 4,
    per_jsonl: int = 500,
    seed: int = 0,
    sentences: tuple[int, int] = (3, 8),
) -> dict[str, str]:
    """Write ``jsonl_files`` .jsonl files and ``txt`` .txt files (in folders of 250,
    every third with a date header) under ``root``; return {article id: body}."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    expected: dict[str, str] = {}
    n = 0
    for f in range(jsonl_files):
        with open(root / f"bulk{f:02d}.jsonl", "w", encoding="utf-8") as fh:
            for _ in range(per_jsonl):
                doc_id, body = f"j{n:06d}", article_text(rng, n, sentences)
                fh.write(json.dumps({"id": doc_id, "text": body}, ensure_ascii=False) + "\n")
                expected[doc_id] = body
                n += 1
    for i in range(txt):
        folder = root / f"part{i // 250:02d}"
        folder.mkdir(exist_ok=True)
        doc_id, body = f"t{n:06d}", article_text(rng, n, sentences)
        header = f" date 2020-{i % 12 + 1:02d}\n" if i % 3 == 0 else ""
        (folder / f"{doc_id}.txt").write_text(header + body, encoding="utf-8")
        expected[doc_id] = body
        n += 1
    return expected


def write_config(
    base: Path,
    corpus: Path | Sequence[Path],
    *,
    index_dir: Path | None = None,
    commit_every: int = 200,
    workers: int = 1,
    max_file_mb: float | None = None,
    actors: bool = False,
    name: str = "config.yaml",
) -> Path:
    """A config.yaml in ``base``; actors off by default (NER is not what is tested)."""
    roots = [corpus] if isinstance(corpus, Path) else list(corpus)
    lines = [
        "corpus: " + json.dumps([str(r) for r in roots]),
        f"index_dir: {json.dumps(str(index_dir or base / 'index'))}",
        f"extract: {{actors: {'true' if actors else 'false'}}}",
        f"index: {{workers: {workers}, commit_every: {commit_every}"
        + (f", max_file_mb: {max_file_mb}" if max_file_mb is not None else "")
        + "}",
    ]
    path = base / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# Running searchkit
# ---------------------------------------------------------------------------


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SEARCHKIT_CONFIG"}
    env["NO_COLOR"] = "1"
    return env


def demoted_user() -> int | None:
    """The uid to run permission faults as, stripped of root's permission override:
    0 when we are root (root reads a chmod 000 file anyway), else None (our own uid is
    already subject to permissions). Staying uid 0 but without CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH, rather than becoming ``nobody``, keeps a clone in a 0700 folder
    (``mktemp -d``) and its venv reachable, while chmod 000 files still refuse."""
    return 0 if os.geteuid() == 0 and shutil.which("setpriv") else None


def as_user(argv: list[str], user: int | None) -> tuple[list[str], dict[str, str]]:
    """``argv`` and its environment; with a ``user`` (see demoted_user), under setpriv
    without root's capabilities to bypass file permissions."""
    env = _env()
    if user is None:
        return argv, env
    return ["setpriv", "--bounding-set", DAC_CAPS, *argv], env


def searchkit(config: Path, *args: str, timeout: float = 600, user: int | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``searchkit --config CONFIG ARGS`` to completion."""
    argv, env = as_user([*SEARCHKIT, "--config", str(config), *args], user)
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, input=stdin, cwd=config.parent, env=env)


def cli_runner(config: Path, *args: str, **_: Any) -> subprocess.CompletedProcess[str]:
    """What ``searchkit()`` gives, but in this process through click's runner (fast:
    for tests that need no real process)."""
    from click.testing import CliRunner

    from searchkit.ui.cli import cli

    res = CliRunner().invoke(cli, ["--config", str(config), *args])
    stderr = res.stderr
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        stderr += "".join(traceback.format_exception(res.exception))
    return subprocess.CompletedProcess(list(args), res.exit_code, res.stdout, stderr)


def start(config: Path, *args: str, stdin: Any = subprocess.DEVNULL) -> subprocess.Popen[str]:
    """``searchkit --config CONFIG ARGS`` in the background, in its own process group
    (so that worker processes it leaves behind can be found and cleaned up)."""
    # Started from a background job (nohup, CI), this process may have SIGINT ignored,
    # and an ignored signal stays ignored across exec: the Ctrl-C trials would then
    # test nothing. Give the child the default disposition a terminal user has.
    reset = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    return subprocess.Popen(
        [*SEARCHKIT, "--config", str(config), *args],
        stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=_env(), cwd=config.parent, start_new_session=True,
        preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)) if reset else None,
    )


def group_members(pgid: int) -> list[int]:
    """Live processes (zombies excluded) in process group ``pgid``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(entry.name))
    return pids


def reap_group(proc: subprocess.Popen[str], grace: float = 1.0) -> int:
    """After ``proc`` ended: how many processes of its group outlived it by ``grace``
    seconds (orphaned workers); those are then killed."""
    deadline = time.monotonic() + grace
    left = group_members(proc.pid)
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = group_members(proc.pid)
    if left:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return len(left)


def committed_generation(index_dir: Path) -> int:
    """The newest Whoosh TOC generation on disk (-1: no index yet)."""
    gens = [int(m.group(1)) for p in index_dir.glob(f"_{INDEX_NAME}_*.toc") if (m := re.search(r"_(\d+)\.toc$", p.name))]
    return max(gens, default=-1)


def wait_for(predicate: Callable[[], bool], timeout: float, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


# ---------------------------------------------------------------------------
# Looking inside an index
# ---------------------------------------------------------------------------


@dataclass
class Inspection:
    """The stored articles of an index against the corpus they came from."""

    documents: int = 0
    duplicates: int = 0  # ids stored more than once
    unknown: int = 0  # ids that are no article of the corpus
    incomplete: int = 0  # stored body differs from the article's text
    missing: int = 0  # articles of the corpus absent from the index
    error: str = ""  # the index could not be read at all

    @property
    def clean(self) -> bool:
        """Only whole, known articles, each once (what a search may show)."""
        return not (self.error or self.duplicates or self.unknown or self.incomplete)

    @property
    def exact(self) -> bool:
        """Clean and complete: exactly the corpus."""
        return self.clean and not self.missing


def inspect_index(index_dir: Path, expected: dict[str, str]) -> Inspection:
    """Read every stored article with Whoosh itself (not searchkit's code under test)."""
    from whoosh import index as windex

    out = Inspection()
    if committed_generation(index_dir) < 0:
        out.missing = len(expected)
        return out
    try:
        ix = windex.open_dir(str(index_dir), indexname=INDEX_NAME)
        with ix.searcher() as s:
            stored = [(f.get("id"), f.get("body")) for f in s.all_stored_fields()]
    except Exception as exc:  # reported, not raised: this is what is being measured
        out.error = f"{type(exc).__name__}: {exc}"
        return out
    counts = Counter(i for i, _ in stored)
    out.documents = len(stored)
    out.duplicates = sum(n - 1 for n in counts.values() if n > 1)
    out.unknown = sum(1 for i in counts if i not in expected)
    out.incomplete = sum(1 for i, body in stored if i in expected and body != expected[i])
    out.missing = sum(1 for i in expected if i not in counts)
    return out


@dataclass
class Opened:
    """What a user sees right after a fault: do `stats` and `search` work?"""

    stats_rc: int
    documents: int | None
    search_rc: int
    total: int | None
    foreign_hits: int  # hits whose id is no article of the corpus
    error: str

    @property
    def ok(self) -> bool:
        return self.stats_rc == 0 and self.search_rc == 0 and self.foreign_hits == 0 and self.documents == self.total


def open_and_search(config: Path, expected: dict[str, str]) -> Opened:
    st = searchkit(config, "stats", "--json", timeout=120)
    docs = json.loads(st.stdout)["documents"] if st.returncode == 0 else None
    # --no-collapse: `stats` counts articles, and so must the search it is checked against.
    se = searchkit(config, "search", "Article", "--json", "--limit", "200", "--no-collapse", timeout=120)
    total, foreign = None, 0
    if se.returncode == 0:
        data = json.loads(se.stdout)
        total = data["total"]
        foreign = sum(1 for h in data["hits"] if h["id"] not in expected)
    error = (st.stderr.strip() or se.stderr.strip()).splitlines()[-1:] if (st.returncode or se.returncode) else []
    return Opened(st.returncode, docs, se.returncode, total, foreign, error[0] if error else "")
