"""A corpus with every bad input (binary, odd encodings, a 50 MB file, unreadable files,
broken links, a FIFO, bad .jsonl lines), files changed during a run, and the runs over them.
"""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from tests.support.harness import INDEX_NAME, Inspection, SEARCHKIT, WORDS, as_user, article_text, demoted_user, generate_corpus, inspect_index, searchkit, write_config

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
    argv, env = as_user(argv, user)
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
    ``searchkit.index.run.iter_sources`` (pytest's monkeypatch.setattr, or a plain setattr
    undone by the caller).
    """
    import searchkit.index.run as index_mod
    from searchkit.index.indexer import run_index

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


def bodies_or_empty(index_dir: Path) -> dict[str, str]:
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
