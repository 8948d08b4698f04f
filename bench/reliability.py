"""Reliability (issue 6): every fault tried on purpose, counted, and written to RELIABILITY.md.

What it is for: one command that runs each fault of issue 6 against the real
``searchkit`` command (subprocesses, as a user would run it) and the library, many
times where chance matters (kill -9 at random points, random queries), counts the
outcomes and writes a table to ``RELIABILITY.md`` at the repository root:

* corpus faults: empty, binary, latin-1/cp1252/UTF-16 files, a 50 MB file, unreadable
  files and folders, broken links, a FIFO, odd file names, bad .jsonl lines, files
  deleted or changed between listing and reading;
* interruption: ``kill -9`` of the indexer at random points (one and two processes),
  then the index must open, hold only complete articles, and the next run must end
  with exactly the corpus's articles; Ctrl-C (SIGINT) must exit 130 and keep commits;
* concurrency: searches (one-shot CLI, a REPL in pipe mode, a long-lived library
  engine) while an indexer commits; a second indexer; a lock left by a killed one;
* queries: random queries (unicode, quotes, parentheses, operators, fields, regex
  characters, date ranges, 10,000 characters) against the library and the CLI;
* config.yaml: a bad value for every key, unknown keys;
* index compatibility: an index stamped by another analyzer or schema version.

Every scenario works on corpora it generates in a temporary folder: it never reads
../shared/holdout (nor ../shared at all) and never touches the user's index.
``tests/test_reliability.py`` imports the generators, runners and checks from here
and runs each with fewer repetitions, so the test and the report measure the same thing.

When run as root, the permission faults run the indexer without root's permission
override (setpriv drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH; root reads a
chmod 000 file without complaint, which would test nothing).

Run: ``.venv/bin/python bench/reliability.py [--kills 26] [--fuzz 2000] [--seed 6]
[--out RELIABILITY.md]`` (about 6-9 minutes on 2 cores).
"""
from __future__ import annotations

import argparse
import atexit
import datetime as dt
import json
import os
import platform
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "RELIABILITY.md"
SEARCHKIT = [sys.executable, "-m", "searchkit"]
INDEX_NAME = "MAIN"  # Whoosh's index name in searchkit (index.py)
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


def _as_user(argv: list[str], user: int | None) -> tuple[list[str], dict[str, str]]:
    """``argv`` and its environment; with a ``user`` (see demoted_user), under setpriv
    without root's capabilities to bypass file permissions."""
    env = _env()
    if user is None:
        return argv, env
    return ["setpriv", "--bounding-set", DAC_CAPS, *argv], env


def searchkit(config: Path, *args: str, timeout: float = 600, user: int | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``searchkit --config CONFIG ARGS`` to completion."""
    argv, env = _as_user([*SEARCHKIT, "--config", str(config), *args], user)
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, input=stdin, cwd=config.parent, env=env)


def cli_runner(config: Path, *args: str, **_: Any) -> subprocess.CompletedProcess[str]:
    """What ``searchkit()`` gives, but in this process through click's runner (fast:
    for tests that need no real process)."""
    from click.testing import CliRunner

    from searchkit.cli import cli

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


# ---------------------------------------------------------------------------
# Interruption: kill -9 and Ctrl-C
# ---------------------------------------------------------------------------


@dataclass
class KillTrial:
    """One indexer run killed at ``delay`` seconds, then checked, then finished."""

    signal: str
    delay: float
    landed: bool = False  # False: the run had finished before the signal
    returncode: int = 0
    stderr: str = ""
    orphans: int = 0  # worker processes still alive a second after the parent died
    lock_left: bool = False  # the lock file was on disk after the kill
    committed: int = -1  # Whoosh generation on disk after the kill
    after: Inspection = field(default_factory=Inspection)
    opened: Opened | None = None
    resume_rc: int = 0
    resume_error: str = ""
    resume_added: int = 0
    final: Inspection = field(default_factory=Inspection)

    @property
    def lost(self) -> int:
        return self.final.missing

    @property
    def open_ok(self) -> bool:
        """`stats` and `search` worked and agreed after the kill; killed before the
        index even existed, the right answer is a one-line "no index" error."""
        if self.opened is None:
            return True
        if self.committed < 0:
            return self.opened.stats_rc == 1 and "no index" in self.opened.error
        return self.opened.ok


def kill_trial(
    config: Path,
    index_dir: Path,
    expected: dict[str, str],
    delay: float,
    *,
    sig: int = signal.SIGKILL,
    fresh: bool = True,
    after_first_commit: bool = False,
    check_open: bool = True,
    resume: bool = True,
) -> KillTrial:
    """Start ``searchkit index``, send ``sig`` after ``delay`` s (counted from the first
    commit when ``after_first_commit``), inspect the index, then run ``searchkit index``
    to the end and inspect again."""
    if fresh and index_dir.exists():
        shutil.rmtree(index_dir)
    trial = KillTrial(signal.Signals(sig).name, delay)
    proc = start(config, "index", "--json")
    try:
        if after_first_commit:
            wait_for(lambda: committed_generation(index_dir) >= 1 or proc.poll() is not None, timeout=120)
        time.sleep(delay)
        trial.landed = proc.poll() is None
        if trial.landed:
            proc.send_signal(sig)
        # Not communicate(): worker processes orphaned by a kill -9 keep the pipes open.
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        trial.orphans = reap_group(proc)
    _, err = proc.communicate(timeout=60)
    trial.returncode, trial.stderr = proc.returncode, err
    trial.lock_left = (index_dir / LOCK_FILE).exists()
    trial.committed = committed_generation(index_dir)
    trial.after = inspect_index(index_dir, expected)
    if check_open:
        trial.opened = open_and_search(config, expected)
    if not resume:
        return trial
    again = searchkit(config, "index", "--json")
    trial.resume_rc = again.returncode
    trial.resume_error = again.stderr.strip().splitlines()[-1] if again.returncode and again.stderr.strip() else ""
    if again.returncode == 0:
        trial.resume_added = json.loads(again.stdout)["added"]
    trial.final = inspect_index(index_dir, expected)
    return trial


def one_line_interrupt(trial: KillTrial) -> bool:
    """Ctrl-C: exit 130 and exactly one line on stderr, no traceback."""
    lines = [ln for ln in trial.stderr.splitlines() if ln.strip()]
    return trial.returncode == 130 and len(lines) == 1 and lines[0].startswith("interrupted") and "Traceback" not in trial.stderr


# ---------------------------------------------------------------------------
# Corpus faults
# ---------------------------------------------------------------------------


@dataclass
class Fault:
    """One bad input: what it is, and what the index run must say or do about it."""

    name: str
    how: str
    paths: list[str]  # relative to the corpus: where a problem must be reported
    expect: str  # "skipped", "warning", "indexed" or "ignored"
    reason: str = ""  # a fragment of the reported reason
    articles: dict[str, str] = field(default_factory=dict)  # must be indexed with these bodies
    line: int | None = None  # the .jsonl line a problem must name
    needs_unprivileged: bool = False  # only meaningful when not run as root


@dataclass
class FaultCorpus:
    root: Path
    good: dict[str, str]  # plain articles that must all be indexed
    faults: list[Fault]

    @property
    def expected(self) -> dict[str, str]:
        out = dict(self.good)
        for f in self.faults:
            out.update(f.articles)
        return out


BIG_FILE_MB = 50


def build_fault_corpus(root: Path, *, big_mb: int = BIG_FILE_MB, seed: int = 1) -> FaultCorpus:
    """A corpus of 12 good articles and every kind of bad input of issue 6."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    good: dict[str, str] = {}
    for i in range(12):
        body = article_text(rng, i)
        (root / f"good{i:02d}.txt").write_text(body, encoding="utf-8")
        good[f"good{i:02d}"] = body
    faults: list[Fault] = []

    def fault(name: str, how: str, rel: str, data: bytes | None, expect: str, reason: str = "", **kw: Any) -> None:
        if data is not None:
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        faults.append(Fault(name, how, [rel], expect, reason, **kw))

    fault("empty file", "0-byte .txt", "empty.txt", b"", "skipped", "empty file")
    fault("blank file", "only spaces and newlines (.md)", "blank.md", b"  \n\t\n\n", "skipped", "empty file")
    fault("date header only", '" date 2020-01" and nothing else', "header.txt", b" date 2020-01\n", "skipped", "only a date header")
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(4000))
    fault("binary (NUL bytes)", "a PNG image renamed .txt", "photo.txt", png, "skipped", "binary file")
    noisy = bytes(rng.choice([b for b in range(1, 256) if b not in (10, 13)]) for _ in range(4000))
    fault("binary without NUL", "4 kB of random bytes 1-255 (.md)", "noise.md", noisy, "skipped", "binary file")
    (root / "picture.png").write_bytes(png)
    (root / "scan.jpg").write_bytes(b"\xff\xd8\xff\xe0" + png)
    faults.append(Fault("images beside the articles", ".png and .jpg files in the folder", ["picture.png", "scan.jpg"], "ignored"))

    latin = "Les réfugiés de Mossoul à l'été ; où est-il ? Ça dépend."
    fault("latin-1", "a .txt encoded ISO-8859-1", "latin1.txt", latin.encode("latin-1"), "warning", "not UTF-8", articles={"latin1": latin})
    cp = "L’été – 5 € pour l’œuvre « citée » … à Téhéran."
    fault("cp1252", "a .txt encoded Windows-1252 (’ – € œ « »)", "cp1252.txt", cp.encode("cp1252"), "warning", "not UTF-8", articles={"cp1252": cp})
    u16 = "Texte en UTF-16 : l’été à Bagdad, œuvre."
    fault("UTF-16 LE with BOM", "a .txt in UTF-16 little-endian", "utf16le.txt", u16.encode("utf-16"), "indexed", articles={"utf16le": u16})
    fault("UTF-16 BE with BOM", "a .txt in UTF-16 big-endian", "utf16be.txt", b"\xfe\xff" + u16.encode("utf-16-be"), "indexed", articles={"utf16be": u16})
    fault("UTF-16 truncated", "UTF-16 with an odd last byte", "utf16cut.txt", u16.encode("utf-16") + b"A", "warning", "damaged UTF-16",
          articles={"utf16cut": u16 + "\ufffd"})
    fault("UTF-8 with BOM", "a .md starting with EF BB BF", "bom.md", b"\xef\xbb\xbf" + "# Titre\n\nCorps à l’été.".encode("utf-8"), "indexed",
          articles={"bom": "# Titre\n\nCorps à l’été."})
    big = root / "huge.txt"
    chunk = ("Article énorme : " + " ".join(WORDS) + ".\n").encode("utf-8")
    with open(big, "wb") as fh:
        for _ in range(big_mb * 1_000_000 // len(chunk) + 1):
            fh.write(chunk)
    faults.append(Fault(f"{big_mb} MB text file", f"a {big_mb} MB .txt, max_file_mb at its default (20)", ["huge.txt"], "skipped", "larger than max_file_mb"))

    secret = root / "secret.txt"
    secret.write_text("Un article que personne ne peut lire.", encoding="utf-8")
    secret.chmod(0)
    faults.append(Fault("unreadable file", "chmod 000", ["secret.txt"], "skipped", "Permission denied", needs_unprivileged=True))
    locked = root / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text("Caché dans un dossier fermé.", encoding="utf-8")
    locked.chmod(0)
    faults.append(Fault("unreadable folder", "chmod 000 on a sub-folder", ["locked"], "skipped", "cannot read folder", needs_unprivileged=True))
    (root / "dangling.txt").symlink_to(root / "nowhere.txt")
    faults.append(Fault("broken symlink", "a .txt link to a missing file", ["dangling.txt"], "skipped", "broken symbolic link"))
    os.mkfifo(root / "pipe.txt")
    faults.append(Fault("named pipe (FIFO)", "mkfifo pipe.txt (reading it would block)", ["pipe.txt"], "skipped", "not a regular file"))

    names = {
        "Réfugiés à Mossoul": "Article aux accents dans le nom.",
        "東京 報道 2020": "Article au nom japonais.",
        "e\u0301te\u0301 nfd": "Article au nom décomposé (NFD).",
        "it's (a) [test] & more": "Article au nom plein de ponctuation.",
    }
    for stem, body in names.items():
        (root / "noms" / f"{stem}.txt").parent.mkdir(exist_ok=True)
        (root / "noms" / f"{stem}.txt").write_text(body, encoding="utf-8")
    faults.append(Fault("names with spaces and non-ASCII", "accents, Japanese, NFD, punctuation in file names", [], "indexed", articles=dict(names)))
    bad_name = os.path.join(os.fsencode(root / "noms"), b"caf\xe9 latin1.txt")
    with open(bad_name, "wb") as fh:
        fh.write("Article au nom de fichier en latin-1.".encode("utf-8"))
    faults.append(Fault("file name not UTF-8", "a name with byte 0xE9 (latin-1 é)", [], "indexed",
                        articles={"caf\\xe9 latin1": "Article au nom de fichier en latin-1."}))

    lines = [json.dumps({"id": f"l{i}", "text": f"Ligne {i} : une dépêche de Bagdad."}, ensure_ascii=False) for i in range(1, 8)]
    lines[2] = '{"id": "l3", "text": "sans fin'  # line 3
    lines[5] = "[" * 100_000 + "]" * 100_000  # line 6: deep nesting
    (root / "bulk.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ok_lines = {f"l{i}": f"Ligne {i} : une dépêche de Bagdad." for i in (1, 2, 4, 5, 7)}
    faults.append(Fault("malformed .jsonl line", "line 3 cut short; the other lines fine", ["bulk.jsonl"], "skipped", "malformed JSON", line=3,
                        articles=ok_lines))
    faults.append(Fault(".jsonl line nested 100,000 deep", "line 6 is [[[…]]]", ["bulk.jsonl"], "skipped", "malformed JSON", line=6))
    odd = [
        json.dumps({"id": "o1", "text": "Bonne ligne."}),
        json.dumps([1, 2]),
        json.dumps({"id": "o3"}),
        json.dumps({"id": "o4", "text": "   "}),
        '{"id": "o5", "text": "lone \\ud800 surrogate"}',
    ]
    (root / "odd.jsonl").write_text("\n".join(odd) + "\n", encoding="utf-8")
    faults.append(Fault(".jsonl lines without id/text", "an array, no text, blank text", ["odd.jsonl"], "skipped", 'needs at least "id" and "text"', line=2,
                        articles={"o1": "Bonne ligne."}))
    faults.append(Fault(".jsonl lone surrogate escape", '"\\ud800" inside a text', ["odd.jsonl"], "warning", "surrogate", line=5,
                        articles={"o5": "lone \ufffd surrogate"}))
    legacy = "\n".join(json.dumps({"id": f"w{i}", "text": f"Dépêche n°{i} – l’été."}, ensure_ascii=False) for i in range(3))
    (root / "legacy.jsonl").write_bytes(legacy.encode("cp1252"))
    faults.append(Fault(".jsonl in cp1252", "a whole .jsonl encoded Windows-1252", ["legacy.jsonl"], "warning", "not UTF-8",
                        articles={f"w{i}": f"Dépêche n°{i} – l’été." for i in range(3)}))
    return FaultCorpus(root, good, faults)


def restore_permissions(root: Path) -> None:
    """Let the temp folder be deleted again."""
    for p in (root / "secret.txt", root / "locked"):
        if p.exists():
            p.chmod(0o755)


@contextmanager
def shared_tempdir(prefix: str) -> Iterator[Path]:
    """A temp folder that any user may enter and write (pytest's tmp_path is 0700)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o777)
    try:
        yield path
    finally:
        restore_permissions(path / "corpus")
        shutil.rmtree(path, ignore_errors=True)


@dataclass
class FaultOutcome:
    fault: Fault
    ok: bool
    seen: str  # what the run said about it


@dataclass
class FaultRun:
    returncode: int
    report: dict[str, Any]
    stderr: str
    verbose_stderr: str
    peak_rss_mb: float
    inspection: Inspection
    outcomes: list[FaultOutcome]
    user: int | None


def run_measured(argv: list[str], *, user: int | None = None, cwd: Path | None = None, timeout: float = 600) -> tuple[int, str, str, float]:
    """Run ``argv``; return code, stdout, stderr and its peak resident memory in MB.

    The peak is the process's own ``VmHWM`` (/proc/PID/status), sampled until it
    exits: ``wait4``'s ``ru_maxrss`` would also count the pages it shared with this
    process between fork and exec (400 MB once pytest had loaded spaCy).
    """
    argv, env = _as_user(argv, user)
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd, env=env)
    peak_kb = 0

    def sample() -> None:
        nonlocal peak_kb
        status = Path(f"/proc/{proc.pid}/status")
        while proc.returncode is None:
            try:
                m = re.search(r"^VmHWM:\s+(\d+) kB", status.read_text(), re.MULTILINE)
            except OSError:
                return
            if m:
                peak_kb = max(peak_kb, int(m.group(1)))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate(timeout=timeout)
    sampler.join(5)
    return proc.returncode, out, err, peak_kb / 1024


def run_fault_corpus(base: Path, fc: FaultCorpus) -> FaultRun:
    """Index the fault corpus as a user would (without root's permission override when we are root), then
    check each fault was reported as it should and every good article is indexed."""
    user = demoted_user()
    config = write_config(base, fc.root, commit_every=50)
    rc, out, err, rss = run_measured([*SEARCHKIT, "--config", str(config), "index", "--json"], user=user, cwd=base)
    report = json.loads(out) if out.strip().startswith("{") else {}
    # The same corpus once more from scratch, in text mode with -v (what a user reads).
    shutil.rmtree(base / "index", ignore_errors=True)
    plain = searchkit(config, "index", user=user)
    verbose = searchkit(config, "index", "--rebuild", "-v", user=user)
    inspection = inspect_index(base / "index", fc.expected)
    problems = [(s, True) for s in report.get("skipped", [])] + [(w, False) for w in report.get("warnings", [])]
    outcomes = []
    for f in fc.faults:
        if f.needs_unprivileged and os.geteuid() == 0 and user is None:
            outcomes.append(FaultOutcome(f, False, "not tried: running as root"))
            continue
        hits = [
            s for s, skipped in problems
            if any(_problem_path(s, fc.root / p, f.line) for p in f.paths)
            and f.reason in s
            and skipped == (f.expect == "skipped")
        ]
        indexed = _articles_ok(base / "index", f.articles)
        if f.expect in ("skipped", "warning"):
            ok = bool(hits) and indexed
            seen = hits[0].split(": ", 1)[1] if hits else "not reported"
        elif f.expect == "indexed":
            silent = not any(any(str(fc.root / p) in s for p in f.paths) for s, _ in problems)
            ok = indexed and silent
            seen = "indexed" if indexed else "not indexed"
        else:  # ignored: neither read nor reported
            ok = not any(any(p in s for p in f.paths) for s, _ in problems)
            seen = "ignored (not .txt, .md or .jsonl)" if ok else "reported"
        if f.articles:
            seen += f"; {len(f.articles)} article(s) indexed intact" if indexed else "; articles missing or altered"
        outcomes.append(FaultOutcome(f, ok, seen))
    return FaultRun(rc, report, plain.stderr, verbose.stderr, rss, inspection, outcomes, user)


def _problem_path(problem: str, path: Path, line: int | None) -> bool:
    where = f"{path}:{line}: " if line else f"{path}: "
    return problem.startswith(where)


def _articles_ok(index_dir: Path, articles: dict[str, str]) -> bool:
    if not articles:
        return True
    found = inspect_index(index_dir, articles)
    return found.error == "" and found.missing == 0 and found.incomplete == 0


# ---------------------------------------------------------------------------
# Files deleted or changed during a run (in-process, at exact moments)
# ---------------------------------------------------------------------------


@dataclass
class ChangeRun:
    problems_first: list[str]
    bodies_first: dict[str, str | None]
    second_updated: int
    second_removed: int
    final: Inspection


def run_changes_during_index(base: Path, monkeypatch_setattr: Callable[[Any, str, Any], None]) -> ChangeRun:
    """Index 200 files; right after the listing, delete one file and rewrite another
    (so they change between listing and reading); while the run goes on, rewrite and
    delete two files it has already read. Then index again.

    ``monkeypatch_setattr(obj, name, value)`` installs the hook on
    ``searchkit.index.iter_sources`` (pytest's monkeypatch.setattr, or a plain setattr
    undone by the caller).
    """
    import searchkit.index as index_mod
    from searchkit.index import run_index

    corpus = base / "corpus"
    expected = generate_corpus(corpus, txt=200, jsonl_files=0, seed=3)
    files = sorted(corpus.rglob("*.txt"))
    vanish_early, change_early = files[150], files[160]
    change_late, vanish_late = files[0], files[1]
    real = index_mod.iter_sources

    def listing_then_change(*args: Any, **kwargs: Any) -> Iterator[Any]:
        yield from real(*args, **kwargs)
        vanish_early.unlink()
        change_early.write_text("Article modifié entre la liste et la lecture.", encoding="utf-8")

    fired = False

    def progress(done: int, total: int) -> None:
        nonlocal fired
        if not fired and done >= total // 2 and done > 2:
            fired = True
            change_late.write_text("Article modifié après sa lecture.", encoding="utf-8")
            vanish_late.unlink()

    monkeypatch_setattr(index_mod, "iter_sources", listing_then_change)
    first = run_index([corpus], base / "index", actors=False, workers=1, commit_every=50, progress=progress)
    monkeypatch_setattr(index_mod, "iter_sources", real)
    bodies = _bodies(base / "index")
    second = run_index([corpus], base / "index", actors=False, workers=1, commit_every=50)
    final_expected = dict(expected)
    del final_expected[vanish_early.stem], final_expected[vanish_late.stem]
    final_expected[change_early.stem] = "Article modifié entre la liste et la lecture."
    final_expected[change_late.stem] = "Article modifié après sa lecture."
    return ChangeRun(
        [str(p) for p in first.problems],
        {k: bodies.get(k) for k in (vanish_early.stem, change_early.stem, change_late.stem, vanish_late.stem)},
        second.updated,
        second.removed,
        inspect_index(base / "index", final_expected),
    )


def _bodies(index_dir: Path) -> dict[str, str]:
    from whoosh import index as windex

    ix = windex.open_dir(str(index_dir), indexname=INDEX_NAME)
    with ix.searcher() as s:
        return {f["id"]: f["body"] for f in s.all_stored_fields()}


# ---------------------------------------------------------------------------
# Concurrency: searching while indexing, a second indexer
# ---------------------------------------------------------------------------


@dataclass
class Concurrency:
    cli_searches: int = 0
    cli_failures: list[str] = field(default_factory=list)
    cli_totals: list[int] = field(default_factory=list)
    repl_queries: int = 0
    repl_totals: list[int] = field(default_factory=list)
    repl_errors: list[str] = field(default_factory=list)
    repl_rc: int = 0
    engine_searches: int = 0
    engine_failures: list[str] = field(default_factory=list)
    engine_totals: list[int] = field(default_factory=list)
    second_runs: int = 0
    second_refused: int = 0  # exit 1 naming the lock file
    second_other: list[str] = field(default_factory=list)
    indexer_rc: int = 0
    final: Inspection = field(default_factory=Inspection)

    @staticmethod
    def monotonic(totals: list[int]) -> bool:
        return all(a <= b for a, b in zip(totals, totals[1:]))

    def ok(self, expected: int) -> bool:
        totals_ok = all(
            self.monotonic(t) and all(0 < x <= expected for x in t)
            for t in (self.cli_totals, self.repl_totals, self.engine_totals)
        )
        return (
            not self.cli_failures and not self.engine_failures and not self.repl_errors and self.repl_rc == 0
            and not self.second_other and totals_ok and self.indexer_rc == 0 and self.final.exact
        )


_TOTAL = re.compile(r"^(\d+) articles? \(")


def run_concurrency(base: Path, corpus: Path, expected: dict[str, str], config: Path, *, rebuild_attempt: bool = False) -> Concurrency:
    """Seed the index with the first .jsonl file, then index the rest while one-shot
    CLI searches, a REPL in pipe mode, a library engine and second indexers run.

    ``rebuild_attempt``: the second indexer asks for ``--rebuild`` (it must not wipe
    the index under the running one)."""
    from searchkit import SearchKit

    out = Concurrency()
    index_dir = base / "index"
    shutil.rmtree(index_dir, ignore_errors=True)
    first_jsonl = sorted(corpus.glob("*.jsonl"))[0]
    seed = searchkit(config, "index", str(first_jsonl))
    if seed.returncode:
        out.cli_failures.append("seeding: " + seed.stderr.strip())
        return out
    seeded = committed_generation(index_dir)
    indexer = start(config, "index", "--json")
    # Second indexers only once the first surely holds the lock (it has committed):
    # started together, either may win, and the loser being the first proves nothing.
    wait_for(lambda: committed_generation(index_dir) > seeded or indexer.poll() is not None, timeout=120)
    repl = start(config, "repl", stdin=subprocess.PIPE)
    stop = threading.Event()
    lock = threading.Lock()

    def engine_loop() -> None:
        kit = SearchKit.open(config)
        try:
            while not stop.is_set():
                try:
                    res = kit.search("Article", limit=3, collapse=False)
                    with lock:
                        out.engine_searches += 1
                        out.engine_totals.append(res.total)
                except Exception as exc:  # counted: a failure is what is measured
                    with lock:
                        out.engine_failures.append(f"{type(exc).__name__}: {exc}")
                time.sleep(0.02)
        finally:
            kit.close()

    def repl_feed() -> None:
        assert repl.stdin is not None
        while not stop.is_set():
            try:
                repl.stdin.write("Article\n:stats\n")
                repl.stdin.flush()
            except (BrokenPipeError, ValueError):
                return
            with lock:
                out.repl_queries += 1
            time.sleep(0.15)
        # stdin is closed by communicate() in the main thread, which then reads the rest.

    threads = [threading.Thread(target=engine_loop), threading.Thread(target=repl_feed)]
    for t in threads:
        t.start()
    try:
        while indexer.poll() is None:
            if out.second_runs < 4:
                second = searchkit(config, "index", *(["--rebuild"] if rebuild_attempt else []), timeout=120)
                msg = second.stderr.strip()
                if second.returncode == 1 and LOCK_FILE in msg and msg.count("\n") == 0:
                    out.second_runs += 1
                    out.second_refused += 1
                elif second.returncode == 0 and indexer.poll() is not None:
                    pass  # the first had finished before this one took the lock: not concurrent
                else:
                    out.second_runs += 1
                    out.second_other.append(f"exit {second.returncode}: {msg[-300:]}")
            r = searchkit(config, "search", "Article", "--json", "--limit", "3", "--no-collapse", timeout=120)
            out.cli_searches += 1
            if r.returncode:
                out.cli_failures.append(r.stderr.strip())
            else:
                out.cli_totals.append(json.loads(r.stdout)["total"])
    finally:
        stop.set()
        for t in threads:
            t.join(60)
        _, err = indexer.communicate(timeout=300)
        out.indexer_rc = indexer.returncode
        if indexer.returncode:
            out.second_other.append(f"indexer exit {indexer.returncode}: {err.strip()[-300:]}")
        rout, rerr = repl.communicate(timeout=120)
        out.repl_rc = repl.returncode
    out.repl_totals = [int(m.group(1)) for ln in rout.splitlines() if (m := _TOTAL.match(ln))]
    out.repl_errors = [ln for ln in rerr.splitlines() if ln.strip()]
    out.final = inspect_index(index_dir, expected)
    return out


@dataclass
class TwoIndexers:
    other_rc: int  # exit code of the indexer started in the window
    other_message: str
    final: Inspection  # the index once both are done


def run_indexer_starting_during_another(base: Path) -> TwoIndexers:
    """Indexer B (this process) has read the index's manifest but not yet taken the
    write lock when indexer A (another process) runs to the end; then B goes on. The
    index must end with each article once: whichever indexer came second must notice
    (be refused, or read what the first committed), never index from a stale view."""
    import searchkit.index as index_mod
    from searchkit.index import run_index

    expected = generate_corpus(base / "corpus", txt=200, jsonl_files=2, per_jsonl=100, seed=14)
    config = write_config(base, base / "corpus", commit_every=50)
    real = index_mod.iter_sources
    other: list[subprocess.CompletedProcess[str]] = []

    def other_runs_first(*args: Any, **kwargs: Any) -> Iterator[Any]:
        other.append(searchkit(config, "index"))
        yield from real(*args, **kwargs)

    index_mod.iter_sources = other_runs_first  # type: ignore[assignment]
    try:
        run_index([base / "corpus"], base / "index", actors=False, workers=1, commit_every=50)
    except Exception:  # refused is a fine outcome; the index is what is judged
        pass
    finally:
        index_mod.iter_sources = real  # type: ignore[assignment]
    o = other[0]
    return TwoIndexers(o.returncode, o.stderr.strip()[-300:], inspect_index(base / "index", expected))


def run_indexer_between_commits(base: Path, *other_args: str) -> TwoIndexers:
    """Indexer A (this process) commits its first batch; right then, before it goes on,
    indexer B (another process: ``searchkit index OTHER_ARGS``, e.g. ``--rebuild``) runs.
    B must be refused (A is not done: exit 1 naming the lock), and the index must end
    with each article once."""
    from whoosh import writing

    from searchkit.index import run_index

    expected = generate_corpus(base / "corpus", txt=200, jsonl_files=2, per_jsonl=100, seed=15)
    config = write_config(base, base / "corpus", commit_every=50)
    real = writing.SegmentWriter.commit
    other: list[subprocess.CompletedProcess[str]] = []

    def commit_then_other(self: Any, *args: Any, **kwargs: Any) -> Any:
        out = real(self, *args, **kwargs)
        if not other:
            other.append(searchkit(config, "index", *other_args))
        return out

    writing.SegmentWriter.commit = commit_then_other  # type: ignore[method-assign]
    try:
        run_index([base / "corpus"], base / "index", actors=False, workers=1, commit_every=50)
    except Exception:
        pass
    finally:
        writing.SegmentWriter.commit = real  # type: ignore[method-assign]
    o = other[0]
    return TwoIndexers(o.returncode, o.stderr.strip()[-300:], inspect_index(base / "index", expected))


@dataclass
class LongLived:
    before: int  # what a long-lived SearchKit counted before the other process indexed
    after: int  # what the same SearchKit counted after
    truth: int  # articles really in the index


def run_long_lived_search(base: Path, txt: int = 600, per_jsonl: int = 200, commit_every: int = 50) -> LongLived:
    """A library ``SearchKit`` (what the REPL holds) searches; another process indexes
    the rest of the corpus (by default 800 more articles in 16 commits, so Whoosh merges
    segments); the same SearchKit searches again and must count what is committed,
    each article once."""
    from searchkit import SearchKit

    expected = generate_corpus(base / "corpus", txt=txt, jsonl_files=2, per_jsonl=per_jsonl, seed=12)
    config = write_config(base, base / "corpus", commit_every=commit_every)
    searchkit(config, "index", str(base / "corpus" / "bulk00.jsonl"))
    kit = SearchKit.open(config)
    try:
        before = kit.search("Article", limit=1, collapse=False).total
        searchkit(config, "index")
        after = kit.search("Article", limit=1, collapse=False).total
    finally:
        kit.close()
    return LongLived(before, after, inspect_index(base / "index", expected).documents)


@dataclass
class CommitDuringSearch:
    before: int
    error: str  # what the search raised, "" if nothing
    total: int | None  # what the search counted


def run_commit_during_search(base: Path) -> CommitDuringSearch:
    """A commit landing in the middle of a search, made deterministic: Whoosh's
    ``Searcher.up_to_date`` is wrapped so that, the first time a search asks it
    (when the search starts), another process indexes 200 more articles right after
    the answer. The search must answer from one consistent state (before or after),
    never fail."""
    from whoosh import searching

    from searchkit import SearchKit

    generate_corpus(base / "corpus", txt=200, jsonl_files=1, per_jsonl=200, seed=13)
    config = write_config(base, base / "corpus", commit_every=100)
    searchkit(config, "index", str(base / "corpus" / "bulk00.jsonl"))
    kit = SearchKit.open(config)
    real = searching.Searcher.up_to_date
    fired = False

    def answer_then_commit(self: Any) -> bool:
        nonlocal fired
        answer = real(self)
        if not fired:
            fired = True
            searchkit(config, "index")
        return answer

    try:
        before = kit.search("Article", limit=3, collapse=False).total
        searching.Searcher.up_to_date = answer_then_commit  # type: ignore[method-assign]
        try:
            total: int | None = kit.search("Article", limit=3, collapse=False).total
            error = ""
        except Exception as exc:
            total, error = None, f"{type(exc).__name__}: {exc}"
    finally:
        searching.Searcher.up_to_date = real  # type: ignore[method-assign]
        kit.close()
    return CommitDuringSearch(before, error if fired else "the hook never fired", total)


@dataclass
class EmptyIndex:
    index_rc: int
    index_message: str
    stats_rc: int
    stats_message: str
    search_rc: int
    search_message: str

    @property
    def ok(self) -> bool:
        return self.index_rc == 1 and self.index_message.startswith("error: nothing could be indexed") and self.stats_rc == 0 and self.search_rc == 0


def run_empty_index(base: Path, run: Callable[..., subprocess.CompletedProcess[str]] = searchkit) -> EmptyIndex:
    """A corpus with nothing indexable: `index` must say so (exit 1), and the index it
    leaves (no article: the same state as a kill before the first commit) must open:
    `stats` says 0 documents, `search` finds nothing, neither fails."""
    corpus = base / "corpus"
    corpus.mkdir(parents=True)
    (corpus / "empty.txt").write_text("")
    (corpus / "bin.txt").write_bytes(b"\x00\x01")
    config = write_config(base, corpus)
    results = [run(config, *args) for args in (["index"], ["stats", "--json"], ["search", "Article", "--json"])]

    def last(r: subprocess.CompletedProcess[str]) -> str:
        lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
        return lines[-1] if lines else ""

    return EmptyIndex(*(x for r in results for x in (r.returncode, last(r))))


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

    from searchkit.cli import cli

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


# ---------------------------------------------------------------------------
# config.yaml
# ---------------------------------------------------------------------------


def config_cases() -> list[tuple[str, str, str]]:
    """(yaml text, dotted key, what-is-allowed text) with a bad value for every key."""
    from searchkit import config as cfg_mod

    cases: list[tuple[str, str, str]] = []
    for section, keys in cfg_mod._SCHEMA.items():
        for key, (attr, typ, allowed) in keys.items():
            types = typ if isinstance(typ, tuple) else (typ,)
            bad_values: list[str] = []
            if bool in types:
                bad_values += ['"maybe"', "3"]
            elif int in types or float in types:
                bad_values += ['"lots"', "true", "[1]"]
                if int in types and float not in types:
                    bad_values.append("2.5")
                lo, hi = cfg_mod._RANGES.get(attr, (None, None))
                if lo is not None:
                    bad_values += [repr(lo - 1), repr(hi * 10 + 1)]
            elif dict in types:
                bad_values += ["[1, 2]", '"text"']
            else:  # str / list of folders
                bad_values += ["[1, 2]" if list not in types else "{a: 1}", '""', "7"]
            for value in bad_values:
                text = f"{key}: {value}\n" if not section else f"{section}:\n  {key}: {value}\n"
                cases.append((text, f"{section}.{key}" if section else key, allowed))
    return cases


def check_config_case(tmp: Path, text: str, dotted: str, allowed: str) -> str | None:
    """None when the error names the file, the key and what is allowed, else why not."""
    from searchkit.config import load_config
    from searchkit.errors import ConfigError

    path = tmp / "config.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_config(path)
    except ConfigError as exc:
        msg = exc.message
        if str(path) in msg and f"'{dotted}'" in msg and (allowed in msg or allowed in (exc.hint or "")) and "\n" not in msg:
            return None
        return f"{text.strip()!r}: unclear error {msg!r}"
    except Exception as exc:
        return f"{text.strip()!r}: crash {type(exc).__name__}: {exc}"
    return f"{text.strip()!r}: accepted"


def unknown_key_cases() -> list[tuple[str, str]]:
    from searchkit import config as cfg_mod

    cases = [("colour: red\n", "colour")]
    for section in cfg_mod._SCHEMA:
        if section:
            cases.append((f"{section}:\n  bogus_key: 1\n", f"{section}.bogus_key"))
    return cases


# ---------------------------------------------------------------------------
# Index compatibility
# ---------------------------------------------------------------------------

STAMP_FILE = "searchkit.json"


def tamper(index_dir: Path, how: str) -> None:
    """Make the index look built by another searchkit (or damaged)."""
    stamp = index_dir / STAMP_FILE
    if how == "analyzer_version":
        data = json.loads(stamp.read_text())
        data["analyzer_version"] = data.get("analyzer_version", 0) + 100
        stamp.write_text(json.dumps(data))
    elif how == "schema_version":
        data = json.loads(stamp.read_text())
        data["schema_version"] = data.get("schema_version", 0) + 100
        stamp.write_text(json.dumps(data))
    elif how == "no stamp":
        stamp.unlink()
    elif how == "stamp not JSON":
        stamp.write_text("{not json")
    elif how == "damaged TOC":
        toc = max(index_dir.glob(f"_{INDEX_NAME}_*.toc"), key=lambda p: p.stat().st_mtime_ns)
        toc.write_bytes(b"\x00garbage" * 10)
    else:
        raise ValueError(how)


COMPAT_CASES = ("analyzer_version", "schema_version", "no stamp", "stamp not JSON", "damaged TOC")


@dataclass
class CompatOutcome:
    case: str
    refused: dict[str, bool]  # command -> refused with a one-line --rebuild message, nothing on stdout
    messages: dict[str, str]
    rebuilt: bool  # `index --rebuild` then gives the exact corpus


def run_compat(
    base: Path, config: Path, expected: dict[str, str], case: str, run: Callable[..., subprocess.CompletedProcess[str]] = searchkit
) -> CompatOutcome:
    """Index, ``tamper`` with the index, then `search`, `stats` and `index` must each
    refuse it in one line pointing to ``--rebuild``, and ``index --rebuild`` must work.
    ``run``: ``searchkit`` (a real process) or ``cli_runner`` (in this process)."""
    index_dir = base / "index"
    shutil.rmtree(index_dir, ignore_errors=True)
    run(config, "index")
    tamper(index_dir, case)
    refused, messages = {}, {}
    for cmd in (["search", "Article", "--json"], ["stats", "--json"], ["index"]):
        r = run(config, *cmd, timeout=120)
        lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
        messages[cmd[0]] = lines[-1] if lines else f"exit {r.returncode}, no message"
        refused[cmd[0]] = r.returncode == 1 and len(lines) == 1 and "--rebuild" in r.stderr and not r.stdout.strip()
    r = run(config, "index", "--rebuild")
    return CompatOutcome(case, refused, messages, r.returncode == 0 and inspect_index(index_dir, expected).exact)


# ---------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------


@dataclass
class Row:
    fault: str
    how: str
    times: int
    outcome: str
    lost: int | None  # articles lost; None where no article is at stake
    ok: bool


def _fmt_lost(lost: int | None) -> str:
    return "–" if lost is None else str(lost)


def use_code(which: str) -> str:
    """Make this process and every ``searchkit`` it starts import the committed code
    (``head``: ``git archive HEAD`` into a temp folder first on PYTHONPATH), or the
    working tree. Returns a description for the report."""
    rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    if which == "worktree":
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "searchkit"], capture_output=True, text=True).stdout
        return f"working tree at {rev}" + (" with uncommitted changes in searchkit/" if dirty.strip() else "")
    if "searchkit" in sys.modules:
        raise RuntimeError("use_code() must run before searchkit is imported")
    dest = Path(tempfile.mkdtemp(prefix="sk-head-"))
    dest.chmod(0o755)  # readable by any user
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "HEAD", "searchkit"], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    for d in dest.rglob("*"):
        d.chmod(0o755 if d.is_dir() else 0o644)
    atexit.register(shutil.rmtree, dest, True)
    sys.path.insert(0, str(dest))
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(dest), os.environ.get("PYTHONPATH", "")]))
    return f"commit {rev} (git archive HEAD)"


# What these scenarios found when first run (searchkit at 901d32d), and where it was
# fixed. History, not a measurement: the table above is what the code does now.
FOUND = [
    ("a FIFO named .txt", "the run hung forever", "corpus.py f17fd80"),
    ("a non-UTF-8 file name, a truncated UTF-16 file, a .jsonl line nested 100,000 deep",
     "each stopped the whole run with a traceback", "corpus.py f17fd80"),
    ("a folder that cannot be listed", "its files were skipped without a word", "corpus.py f17fd80"),
    ("`mot~9`", "the query never finished", "query.py 0455229"),
    ("`~~`, `ab~/3`, `+ ANDMAYBE ANDNOT &&`", "tracebacks (AttributeError, IndexError, AssertionError)", "query.py 0455229"),
    ("a 10,000-character query", "15 s in spelling suggestions", "query.py 0455229 (at most 1,000 characters)"),
    ("a query starting with -", "click's three-line usage block", "cli.py 674443e"),
    ("a date filter holding a newline", "a two-line error", "errors.py fd1761e"),
    ("an index with no article (nothing indexable, or killed before its first commit)",
     "`stats`, `search` and even `index` failed with TypeError", "search.py 086ec86"),
    ("a REPL or library SearchKit open while another process indexed", "merged articles counted twice", "search.py 086ec86"),
    ("a commit in the middle of a search", "IndexError", "search.py 086ec86"),
    ("a file unreadable for one run", "its article lost for good", "index.py 086ec86"),
    ("kill -9 with two processes", "the workers lived on forever", "index.py 086ec86"),
    ("a damaged index TOC", "no command, not even `index --rebuild`, could get past it", "index.py 086ec86"),
    ("a second indexer, or `--rebuild`, in the gap between two commits of a running one",
     "articles stored twice (300-400 duplicates); `--rebuild` lost 400 committed articles", "index.py 6d6358d"),
]


def write_report(rows: list[Row], path: Path, argv: list[str], seconds: float, notes: list[str], code: str = "") -> str:
    ok = sum(r.ok for r in rows)
    lines = [
        "# Reliability",
        "",
        "Every fault of issue 6, tried on purpose against the real `searchkit` command and library,",
        "with the outcome counted. Produced by `bench/reliability.py` (re-run it to check; the same",
        "scenarios run with fewer repetitions in `tests/test_reliability.py`).",
        "",
        f"- command: `{' '.join(['.venv/bin/python', 'bench/reliability.py', *argv])}`",
        f"- machine: {os.cpu_count()} CPUs (nproc), Python {platform.python_version()}, {platform.system()} {platform.release()}, "
        f"run as {'root (permission faults run without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH)' if os.geteuid() == 0 else 'a normal user'}",
        f"- code measured: {code or 'working tree'}",
        f"- date: {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}, {seconds / 60:.1f} minutes",
        f"- result: {ok} of {len(rows)} faults handled as required; articles lost in total: "
        f"{sum(r.lost or 0 for r in rows)}",
        "",
        "| fault | how it was tried | times | outcome | articles lost |",
        "|---|---|---:|---|---:|",
    ]
    for r in rows:
        mark = "" if r.ok else "**FAIL** "
        lines.append(f"| {r.fault} | {r.how} | {r.times} | {mark}{r.outcome} | {_fmt_lost(r.lost)} |")
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    lines += ["", "## Found by these scenarios, and fixed", "",
              "When first run (on 901d32d), the scenarios above found these; each fix is named by file and commit.", "",
              "| input | what happened | fixed in |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in FOUND]
    text = "\n".join(lines) + "\n"
    path.write_text(text, encoding="utf-8")
    return text


# ---------------------------------------------------------------------------
# The scenarios, as the report runs them
# ---------------------------------------------------------------------------


def scenario_corpus_faults(work: Path, notes: list[str]) -> list[Row]:
    rows: list[Row] = []
    with shared_tempdir("sk-faults-") as base:
        fc = build_fault_corpus(base / "corpus")
        run = run_fault_corpus(base, fc)
        summary = next((ln for ln in run.stderr.splitlines() if ln.startswith("Skipped")), "(no summary line)")
        for o in run.outcomes:
            lost = sum(1 for i in o.fault.articles if i not in _bodies_or_empty(base / "index"))
            rows.append(Row(o.fault.name, o.fault.how, 1, o.seen, lost if o.fault.articles else None, o.ok))
        listed = sum(1 for ln in run.verbose_stderr.splitlines() if ln.startswith(("  skipped: ", "  warning: ")))
        problems = len(run.report.get("skipped", [])) + len(run.report.get("warnings", []))
        good_ok = run.inspection.clean and all(i in _bodies_or_empty(base / "index") for i in fc.good)
        rows.append(Row(
            "the whole messy folder", "all of the above in one folder, `searchkit index` then `index --rebuild -v`", 1,
            f"exit {run.returncode}; all {len(fc.expected)} articles that should be indexed are, intact: {'yes' if good_ok else 'no'}; "
            f"summary `{summary}`; `-v` listed {listed} of {problems} problems; peak memory {run.peak_rss_mb:.0f} MB",
            run.inspection.missing, run.returncode == 0 and good_ok and run.inspection.exact and listed == problems,
        ))
        notes.append(f"Messy folder summary line, as printed: `{summary}`")
    with tempfile.TemporaryDirectory(prefix="sk-nothing-") as tmp:
        e = run_empty_index(Path(tmp))
        rows.append(Row("nothing indexable", "a folder with only an empty and a binary file: `index`, then `stats` and `search`", 1,
                        f"index exit {e.index_rc}: `{e.index_message}`; stats exit {e.stats_rc}"
                        + (f" `{e.stats_message}`" if e.stats_rc else "") + f"; search exit {e.search_rc}"
                        + (f" `{e.search_message}`" if e.search_rc else ""), None, e.ok))
    with tempfile.TemporaryDirectory(prefix="sk-changes-") as tmp:
        patched: list[tuple[Any, str, Any]] = []

        def setattr_undo(obj: Any, name: str, value: Any) -> None:
            patched.append((obj, name, getattr(obj, name)))
            setattr(obj, name, value)

        try:
            ch = run_changes_during_index(Path(tmp), setattr_undo)
        finally:
            for obj, name, value in reversed(patched):
                setattr(obj, name, value)
        vanished = any("disappeared" in p for p in ch.problems_first)
        rows.append(Row("file deleted during the run", "deleted between listing and reading; another deleted after it was read", 1,
                        f"reported as `disappeared…`: {'yes' if vanished else 'no'}; run went on; next run removed the other",
                        ch.final.missing, vanished and ch.final.exact))
        rows.append(Row("file changed during the run", "rewritten between listing and reading; another rewritten after it was read", 1,
                        f"next run re-indexed {ch.second_updated}; final bodies are the new texts: {'yes' if ch.final.exact else 'no'}",
                        ch.final.missing, ch.final.exact))
    return rows


def _bodies_or_empty(index_dir: Path) -> dict[str, str]:
    try:
        return _bodies(index_dir)
    except Exception:
        return {}


@dataclass
class UnreadableRun:
    returncodes: list[int]
    reported: bool  # the run during which it was unreadable said so
    final: Inspection


def run_unreadable_for_one_run(base: Path, user: int | None) -> UnreadableRun:
    """Index 20 files; edit one and make it unreadable (chmod 000) for one run (the
    edit makes the indexer try to read it again); make it readable again and index
    once more: its new text must be in the index at the end.
    ``base`` must be enterable by ``user`` (see shared_tempdir)."""
    expected = generate_corpus(base / "corpus", txt=20, jsonl_files=0, seed=4)
    config = write_config(base, base / "corpus")
    victim = sorted((base / "corpus").rglob("*.txt"))[5]
    first = searchkit(config, "index", user=user)
    expected[victim.stem] = "Article 5 : modifié puis illisible pendant une exécution."
    victim.write_text(expected[victim.stem], encoding="utf-8")
    victim.chmod(0)
    try:
        during = searchkit(config, "index", "--json", user=user)
    finally:
        victim.chmod(0o644)
    after = searchkit(config, "index", user=user)
    report = json.loads(during.stdout) if during.returncode == 0 else {}
    reported = any(s.startswith(f"{victim}: ") and "Permission denied" in s for s in report.get("skipped", []))
    return UnreadableRun([first.returncode, during.returncode, after.returncode], reported, inspect_index(base / "index", expected))


def scenario_unreadable_later(work: Path) -> Row:
    user = demoted_user()
    with shared_tempdir("sk-perm-") as base:
        r = run_unreadable_for_one_run(base, user)
    ok = r.returncodes == [0, 0, 0] and r.reported and r.final.exact
    return Row("file unreadable for one run", "indexed; edited and chmod 000; `index`; chmod 644; `index`", 1,
               f"reported while unreadable: {'yes' if r.reported else 'no'}; "
               + ("back in the index afterwards: yes" if r.final.exact else f"still missing once readable again ({r.final.missing} article)"),
               r.final.missing, ok)


def scenario_kills(work: Path, kills: int, rng: random.Random, workers: int, notes: list[str]) -> list[Row]:
    """``kills`` kill -9s at uniform random points: in pairs, the first on a run from
    scratch, the second on the next run (which resumes from what the first committed,
    through the manifest's recovery), then a run to the end."""
    base = work / f"kill-w{workers}"
    base.mkdir()
    sentences = (3, 8) if workers == 1 else (8, 14)  # > 2 MB so that the worker pool runs
    expected = generate_corpus(base / "corpus", txt=1200, jsonl_files=4, per_jsonl=300, seed=7, sentences=sentences)
    config = write_config(base, base / "corpus", commit_every=150, workers=workers)
    started = time.perf_counter()
    calib = searchkit(config, "index")
    full = time.perf_counter() - started
    if calib.returncode:
        return [Row(f"kill -9 (workers {workers})", "calibration run", 1, f"calibration failed: {calib.stderr.strip()[-200:]}", None, False)]
    trials: list[KillTrial] = []  # every kill
    finals: list[KillTrial] = []  # the kills followed by a run to the end
    while len(trials) < kills:
        first = kill_trial(config, base / "index", expected, rng.uniform(0.05, full), resume=len(trials) + 1 >= kills)
        trials.append(first)
        if len(trials) >= kills:
            finals.append(first)
            break
        # The resumed run only has what the first left to do: aim within that.
        left = 1 - first.after.documents / len(expected)
        second = kill_trial(config, base / "index", expected, rng.uniform(0.05, 0.6 + full * left), fresh=False)
        trials.append(second)
        finals.append(second)
    landed = [t for t in trials if t.landed]
    opened = sum(1 for t in landed if t.open_ok)
    not_opened = [t for t in landed if not t.open_ok]
    before_index = sum(1 for t in landed if t.committed < 0)
    clean_after = sum(1 for t in landed if t.after.clean)
    exact = sum(1 for t in finals if t.final.exact and t.resume_rc == 0)
    blocked = sum(1 for t in finals if t.resume_rc != 0)
    orphans = sum(t.orphans for t in landed)
    lost = sum(t.lost for t in finals)
    empty_fail = sum(1 for t in not_opened if t.after.documents == 0)
    outcome = (
        f"{len(landed)} of {len(trials)} kills landed mid-run (articles committed at the kill: "
        f"{min((t.after.documents for t in landed), default=0)}–{max((t.after.documents for t in landed), default=0)} of {len(expected)}); "
        f"the index held only whole, known, unique articles after {clean_after}/{len(landed)}; "
        f"`stats` and `search` worked and agreed after {opened}/{len(landed)}"
        + (f" ({before_index} killed before the index existed: `no index`, as they should)" if before_index else "")
        + (f" (the {len(not_opened)} others: {empty_fail} killed before the first commit left an index with no article)" if not_opened else "")
        + f"; the next `searchkit index` gave exactly {len(expected)} articles, no duplicates, {exact}/{len(finals)} times; "
        f"the lock file left by the killed process blocked the next run {blocked} times"
        + (f"; {orphans} worker processes outlived their killed parent" if workers > 1 else "")
    )
    ok = clean_after == len(landed) and exact == len(finals) and opened == len(landed) and orphans == 0
    if not_opened:
        notes.append(
            f"kill -9 (workers {workers}): after {len(not_opened)} kill(s) `searchkit stats`/`search` failed: "
            + "; ".join(sorted({t.opened.error for t in not_opened if t.opened}))[:400]
        )
    return [Row(f"kill -9 while indexing ({workers} process{'es' if workers > 1 else ''})",
                f"{len(expected)} generated articles (4 .jsonl + 1,200 .txt{', 2.6 MB: worker pool on' if workers > 1 else ''}), "
                f"commit_every 150; SIGKILL at a uniform random point of a {full:.1f} s run, in pairs (a run from scratch, then the "
                "run that resumes it); after each: `stats`, `search`, Whoosh's stored fields; then `searchkit index` to the end",
                len(trials), outcome, lost, ok)]


def scenario_sigint(work: Path, n: int, rng: random.Random) -> Row:
    base = work / "sigint"
    base.mkdir()
    expected = generate_corpus(base / "corpus", txt=1200, jsonl_files=4, per_jsonl=300, seed=8)
    config = write_config(base, base / "corpus", commit_every=150)
    trials = [kill_trial(config, base / "index", expected, rng.uniform(0.0, 2.0), sig=signal.SIGINT, after_first_commit=True) for _ in range(n)]
    landed = [t for t in trials if t.landed]
    clean_exit = sum(1 for t in landed if one_line_interrupt(t))
    kept = sum(1 for t in landed if t.after.clean and t.after.documents > 0)
    exact = sum(1 for t in trials if t.final.exact)
    not_redone = sum(1 for t in landed if t.resume_added == len(expected) - t.after.documents)
    msg = next((t.stderr.strip() for t in landed if t.stderr.strip()), "")
    ok = clean_exit == len(landed) and kept == len(landed) and exact == len(trials) and not_redone == len(landed)
    return Row("Ctrl-C while indexing", "SIGINT at a random point after the first commit; then `searchkit index` again", len(trials),
               f"exit 130 with one line (`{msg}`) {clean_exit}/{len(landed)}; committed articles kept {kept}/{len(landed)}, "
               f"and not indexed twice by the next run {not_redone}/{len(landed)}; exact count after the next run {exact}/{len(trials)}",
               sum(t.lost for t in trials), ok)


def scenario_concurrency(work: Path, notes: list[str]) -> list[Row]:
    base = work / "concurrency"
    base.mkdir()
    expected = generate_corpus(base / "corpus", txt=1500, jsonl_files=4, per_jsonl=400, seed=9)
    config = write_config(base, base / "corpus", commit_every=100)
    c = run_concurrency(base, base / "corpus", expected, config)
    rows = [
        Row("search while indexing (CLI)", "one-shot `searchkit search --json` in a loop during a 3,100-article run", c.cli_searches,
            f"{len(c.cli_failures)} failures; totals {_span(c.cli_totals)}, never decreasing: {Concurrency.monotonic(c.cli_totals)}",
            None, not c.cli_failures and Concurrency.monotonic(c.cli_totals)),
        Row("search while indexing (REPL)", "`searchkit repl` in a pipe, a query and `:stats` every 0.15 s", c.repl_queries,
            f"exit {c.repl_rc}, {len(c.repl_errors)} error lines; totals {_span(c.repl_totals)}, never decreasing: {Concurrency.monotonic(c.repl_totals)}",
            None, c.repl_rc == 0 and not c.repl_errors and Concurrency.monotonic(c.repl_totals)),
        Row("search while indexing (library)", "one long-lived `SearchKit` searching every 20 ms (refreshes after each commit)", c.engine_searches,
            f"{len(c.engine_failures)} failures; totals {_span(c.engine_totals)}, never decreasing: {Concurrency.monotonic(c.engine_totals)}",
            None, not c.engine_failures and Concurrency.monotonic(c.engine_totals)),
        Row("second indexer", "`searchkit index` while another runs", c.second_runs,
            f"exit 1 naming {LOCK_FILE} {c.second_refused}/{c.second_runs}; the first finished with exactly {len(expected)}: {c.final.exact}",
            c.final.missing, c.second_refused == c.second_runs and not c.second_other and c.final.exact),
    ]
    for what, errs in (("CLI", c.cli_failures), ("library", c.engine_failures), ("REPL", c.repl_errors), ("second indexer", c.second_other)):
        if errs:
            notes.append(f"search while indexing ({what}): " + "; ".join(sorted(set(errs)))[:500])
    r = run_concurrency(base, base / "corpus", expected, config, rebuild_attempt=True)
    rows.append(Row("second indexer with --rebuild", "`searchkit index --rebuild` while another runs", r.second_runs,
                    f"exit 1 naming the lock {r.second_refused}/{r.second_runs}; first run ended exit {r.indexer_rc} with exactly "
                    f"{len(expected)} articles: {r.final.exact}" + (f"; {r.second_other[0][:160]}" if r.second_other else ""),
                    r.final.missing, r.second_refused == r.second_runs and r.final.exact and r.indexer_rc == 0))
    # Two indexers started at the same instant on an empty folder.
    shutil.rmtree(base / "index", ignore_errors=True)
    a, b = start(config, "index"), start(config, "index")
    ea, eb = a.communicate(timeout=600)[1], b.communicate(timeout=600)[1]
    got = inspect_index(base / "index", expected)
    codes = sorted([a.returncode, b.returncode])
    loser = ea if a.returncode else eb
    rows.append(Row("two indexers at once on an empty folder", "two `searchkit index` started together", 1,
                    f"exit codes {codes}; the loser said `{loser.strip()[-150:]}`; exact afterwards: {got.exact}",
                    got.missing, codes == [0, 1] and LOCK_FILE in loser and got.exact))
    sd = run_indexer_starting_during_another(work / "two-start")
    rows.append(Row("indexer started while another ran", "indexer B has read the manifest, not yet locked; indexer A runs "
                    "to the end; B goes on", 1,
                    f"A exit {sd.other_rc}; the index then held {sd.final.documents} articles "
                    f"({sd.final.duplicates} duplicates, {sd.final.missing} missing)", sd.final.missing, sd.final.exact))
    bc = run_indexer_between_commits(work / "two-commit")
    rows.append(Row("second indexer between two commits", "indexer A commits its first batch; right then indexer B runs", 1,
                    f"B exit {bc.other_rc}{' naming the lock' if LOCK_FILE in bc.other_message else ''}; the index then held "
                    f"{bc.final.documents} articles ({bc.final.duplicates} duplicates, {bc.final.missing} missing)",
                    bc.final.missing, bc.final.exact and bc.other_rc == 1 and LOCK_FILE in bc.other_message))
    br = run_indexer_between_commits(work / "two-rebuild", "--rebuild")
    rows.append(Row("`--rebuild` between two commits", "indexer A commits its first batch; right then `searchkit index --rebuild` runs", 1,
                    f"B exit {br.other_rc}{' naming the lock' if LOCK_FILE in br.other_message else ''}; the index then held "
                    f"{br.final.documents} articles ({br.final.duplicates} duplicates, {br.final.missing} missing)",
                    br.final.missing, br.final.exact and br.other_rc == 1 and LOCK_FILE in br.other_message))
    ll = run_long_lived_search(work / "long-lived")
    rows.append(Row("REPL/library open across an index run", "a `SearchKit` searches, another process indexes 800 more articles "
                    "(16 commits, segments merge), the same `SearchKit` searches again", 1,
                    f"counted {ll.before}, then {ll.after}; the index holds {ll.truth}", None, ll.after == ll.truth))
    cd = run_commit_during_search(work / "commit-during")
    rows.append(Row("commit in the middle of a search", "Whoosh's Searcher.up_to_date wrapped so that, once a search has "
                    "started, another process commits 200 articles", 1,
                    f"search {'failed: ' + cd.error if cd.error else f'counted {cd.total} (before: {cd.before})'}", None, not cd.error))
    # A stale lock: the lock file of a killed indexer is on disk; does it block?
    t = kill_trial(config, base / "index", expected, 1.0, check_open=False)
    rows.append(Row("stale lock", f"kill -9 an indexer (lock file left on disk: {t.lock_left}), then `searchkit index`", 1,
                    f"next run exit {t.resume_rc}{(': ' + t.resume_error) if t.resume_error else ''}; exact: {t.final.exact}",
                    t.lost, t.resume_rc == 0 and t.final.exact))
    return rows


def _span(values: list[int]) -> str:
    return f"{min(values)}→{max(values)}" if values else "none seen"


def scenario_query_fuzz(work: Path, n: int, rng: random.Random, notes: list[str]) -> list[Row]:
    from searchkit import SearchKit

    base = work / "fuzz"
    base.mkdir()
    expected = generate_corpus(base / "corpus", txt=300, jsonl_files=1, per_jsonl=200, seed=10)
    config = write_config(base, base / "corpus")
    searchkit(config, "index")
    kit = SearchKit.open(config)
    lib: Counter[str] = Counter()
    crashes: list[str] = []
    slow: list[tuple[float, str]] = []
    for _ in range(n):
        q = random_query(rng)
        filters = {rng.choice(["published", "mentioned"]): [rng.choice(DATE_VALUES)]} if rng.random() < 0.2 else None
        o = fuzz_library(kit, q, filters)
        lib[o.kind] += 1
        if o.kind == "crash":
            crashes.append(f"{q[:80]!r}: {o.detail}")
        slow.append((o.seconds, q))
    for q in ("x" * 10_000, ("roquette " * 1200)[:10_000], "(" * 5000 + ")" * 5000, "a OR " * 2000):
        o = fuzz_library(kit, q)
        lib[o.kind] += 1
        if o.kind == "crash":
            crashes.append(f"{q[:40]!r}…: {o.detail}")
    kit.close()
    slow.sort(reverse=True)
    rows = [Row("random queries (library)", "`SearchKit.search` with random unicode, quotes, parentheses, lone operators, "
                "unknown fields, regex characters, date filters and 10,000-character queries", sum(lib.values()),
                f"{lib['results']} results, {lib['error']} one-line errors, {lib['crash']} crashes; slowest {slow[0][0]:.1f} s",
                None, lib["crash"] == 0)]
    cli_n = max(50, n // 10)
    cli: Counter[str] = Counter()
    for i in range(cli_n):
        args = ["search", random_query(rng), "--json"]
        if i % 4 == 0:
            args += [f"--{rng.choice(['published', 'mentioned'])}", rng.choice(DATE_VALUES)]
        if i % 7 == 0:
            args += ["--person", random_query(rng)[:50]]
        o = fuzz_cli(config, args)
        cli[o.kind] += 1
        if o.kind == "crash":
            crashes.append(f"CLI {args[1][:60]!r}: {o.detail}")
    rows.append(Row("random queries (CLI)", "`searchkit search Q --json [--published D] [--person P]` through click", cli_n,
                    f"{cli['results']} JSON results, {cli['error']} one-line errors (exit 1/2), {cli['crash']} tracebacks or bad output",
                    None, cli["crash"] == 0))
    if crashes:
        notes.append("query crashes: " + " | ".join(crashes[:8]))
    notes.append("slowest random queries (library): " + "; ".join(f"{t:.1f} s for {q[:60]!r}{'…' if len(q) > 60 else ''} ({len(q)} chars)" for t, q in slow[:3]))
    return rows


def scenario_config(work: Path) -> list[Row]:
    from searchkit.config import load_config

    base = work / "config"
    base.mkdir()
    cases = config_cases()
    failures = [f for f in (check_config_case(base, *c) for c in cases) if f]
    keys = {c[1] for c in cases}
    unknown = unknown_key_cases()
    missed = []
    for text, dotted in unknown:
        p = base / "config.yaml"
        p.write_text(text)
        cfg = load_config(p)
        if not any(f"'{dotted}'" in w and str(p) in w for w in cfg.warnings):
            missed.append(dotted)
    return [
        Row("bad config values", f"a wrong type or out-of-range value for each of the {len(keys)} keys of config.yaml", len(cases),
            f"{len(cases) - len(failures)}/{len(cases)} refused with the file, the key and what is allowed"
            + (f"; {failures[0]}" if failures else ""), None, not failures),
        Row("unknown config keys", "an unknown key at the top and in each section", len(unknown),
            f"{len(unknown) - len(missed)}/{len(unknown)} warned about (file and key named), the rest of the file used", None, not missed),
    ]


def scenario_compat(work: Path) -> list[Row]:
    base = work / "compat"
    base.mkdir()
    expected = generate_corpus(base / "corpus", txt=40, jsonl_files=0, seed=11)
    config = write_config(base, base / "corpus")
    rows = []
    for case in COMPAT_CASES:
        o = run_compat(base, config, expected, case)
        refused = [c for c, ok in o.refused.items() if ok]
        rows.append(Row(f"index: {case}", "`search`, `stats`, `index` on it, then `index --rebuild`", len(o.refused) + 1,
                        f"refused with a --rebuild hint by {', '.join(refused) or 'none'} of search, stats, index"
                        + "".join(f"; {c}: `{m[:140]}`" for c, m in o.messages.items() if not o.refused[c])
                        + f"; rebuild gave the exact corpus: {o.rebuilt}",
                        None, all(o.refused.values()) and o.rebuilt))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=26, help="kill -9s with one indexing process (default 26; half as many with two)")
    ap.add_argument("--interrupts", type=int, default=8, help="Ctrl-C trials (default 8)")
    ap.add_argument("--fuzz", type=int, default=2000, help="random queries through the library (default 2000; a tenth through the CLI)")
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--code", choices=["head", "worktree"], default="head",
                    help="measure the committed searchkit (git archive HEAD, default: what the report's commit contains) "
                    "or the working tree with its uncommitted changes")
    ap.add_argument("--out", type=Path, default=REPORT)
    args = ap.parse_args(argv)
    shown_argv = sys.argv[1:] if argv is None else argv
    code = use_code(args.code)
    rng = random.Random(args.seed)
    started = time.perf_counter()
    rows: list[Row] = []
    notes: list[str] = []
    steps: list[tuple[str, Callable[[Path], list[Row]]]] = [
        ("corpus faults", lambda w: scenario_corpus_faults(w, notes)),
        ("unreadable for one run", lambda w: [scenario_unreadable_later(w)]),
        ("kill -9, 1 process", lambda w: scenario_kills(w, args.kills, rng, 1, notes)),
        ("kill -9, 2 processes", lambda w: scenario_kills(w, max(1, args.kills // 2), rng, 2, notes)),
        ("Ctrl-C", lambda w: [scenario_sigint(w, args.interrupts, rng)]),
        ("concurrency", lambda w: scenario_concurrency(w, notes)),
        ("query fuzz", lambda w: scenario_query_fuzz(w, args.fuzz, rng, notes)),
        ("config", scenario_config),
        ("index compatibility", scenario_compat),
    ]
    with tempfile.TemporaryDirectory(prefix="sk-reliability-") as tmp:
        work = Path(tmp)
        for name, step in steps:
            t0 = time.perf_counter()
            print(f"[{time.perf_counter() - started:6.0f} s] {name} …", file=sys.stderr, flush=True)
            try:
                got = step(work)
            except Exception as exc:  # one broken scenario must not hide the others
                got = [Row(name, "scenario", 0, f"the scenario itself failed: {type(exc).__name__}: {exc}", None, False)]
                traceback.print_exc()
            rows.extend(got)
            for r in got:
                print(f"    {'ok  ' if r.ok else 'FAIL'} {r.fault}: {r.outcome[:160]}", file=sys.stderr, flush=True)
            print(f"    ({time.perf_counter() - t0:.0f} s)", file=sys.stderr, flush=True)
    text = write_report(rows, args.out, shown_argv, time.perf_counter() - started, notes, code)
    print(text)
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
