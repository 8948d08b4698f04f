"""Speed at scale (issue 5): indexing, re-run, queries, one-shot CLI and REPL start-up on OrangeSum.

What it is for: one command that measures every speed figure of issue 5 on real French
news (OrangeSum, 36,152 articles, see ../shared/data/orangesum/SOURCE.md) and compares
query speed with a raw-Whoosh baseline built **in the same run**, so that the ratio
stays meaningful on a shared, noisy 2-core machine. Writes ``bench/reports/speed.md``
(printed too) and the raw numbers to ``bench/reports/speed.json``.

Steps, in order:
1. Corpus: the first ``--limit`` articles written as .jsonl files of ``--per-file``
   articles each (``{"id", "date", "title", "text"}``, what searchkit's reader uses) in
   the work folder. (Until 9bb233f the indexer gave its workers batches of 64 *files*,
   so a corpus of few files never ran in parallel; it now sends chunks of articles.
   The report says which applied.)
2. Indexing: the real ``searchkit index --json`` as a subprocess (a config.yaml per run
   in the work folder: ``index.workers: 2``, then ``1``; actors and dates on, the shipped
   model), timed from spawn to exit (interpreter start, reading, extraction, analysis,
   writing); peak memory two ways: psutil samples the RSS of the process *tree* every
   0.2 s (the sum over the indexer and its workers, the headline), and ``os.wait4``
   gives the largest single process's ``ru_maxrss`` (a lower bound on the tree's peak).
   Index size is the sum of the index folder's file sizes. ``--one-proc-limit N`` runs
   the one-process indexing on the first N articles only (its own corpus folder).
3. Re-run: ``searchkit index --json`` again over the unchanged corpus (2-process config).
4. Raw-Whoosh baseline, same documents: ``LanguageAnalyzer('fr')`` on title and body
   (body stored), six KEYWORD facet fields (actor, person, org, place, published,
   mentioned) whose values are copied from the stored ``meta`` of searchkit's index (no
   second NER run); dates by month as searchkit counts them. The multi-valued facet
   fields keep term vectors, which is what Whoosh's docs advise for
   ``FieldFacet(..., allow_overlap=True)``.
5. Queries: ``--queries`` queries of 1-3 content words drawn from real titles (lowercased,
   split on punctuation, French stop words and bare numbers dropped; seeded). searchkit:
   ``SearchKit.open(config).search(q, limit=10)`` (snippets and all six facets are on by
   default). Baseline: ``MultifieldParser(["title", "body"], group=OrGroup)`` (searchkit
   also matches any word), ``searcher.search(q, limit=10, groupedby=<six facets>)``,
   ``results.groups(f)`` sorted into the top 20 values per facet as searchkit returns,
   and ``hit.highlights("body")`` (default highlighter) for each of the top 10. One
   warm-up query each, then the queries *interleaved* (searchkit, baseline, alternating
   which goes first) so that load from other work hits both alike; the first pass is
   the headline, a second pass shows warm caches. A third system, the baseline with
   plain ``groupedby=[names]`` (one value per document for multi-valued fields, so it
   undercounts them), is timed once for reference.
6. One-shot CLI: median wall time of ``searchkit --config … search WORD --json`` as a
   fresh process (a different one-word query per run, one unmeasured warm-up), next to
   ``python -c "import whoosh"``.
7. REPL: time to the first prompt with ``bench/repl_startup.py``'s measurement (imported,
   not copied), against the bench index.

What it must not do: read ../shared/holdout, change anything under searchkit/, or tune
anything -- it only measures. The work folder holds corpus and indexes (~1-2 GB for the
whole corpus); a temporary one is deleted at the end unless ``--keep``.

Run: ``.venv/bin/python bench/run.py [--limit N] [--one-proc-limit N] [--workdir DIR]
[--reuse] [--queries 300] [--seed 5]`` (``make bench`` runs it with the defaults: the whole
corpus indexed with 2 processes, the first 5,000 articles with 1; ``--one-proc-limit 0``
indexes the whole corpus with 1 process too, about an hour more).
Re-run only the query part against an already built work folder:
``.venv/bin/python bench/run.py --workdir DIR --reuse``.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from benchlib import ORANGESUM as ARTICLES, cpu_model, orangesum_rows  # this script's own folder

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "bench" / "reports"
REPORT_MD = REPORTS / "speed.md"
REPORT_JSON = REPORTS / "speed.json"
BIN = Path(sys.executable).parent
SEARCHKIT = BIN / "searchkit"
FULL = 36_152
FACETS = ("actor", "person", "org", "place", "published", "mentioned")
K = 10
BASELINE_VERSION = 2  # bump when the baseline's schema or contents change (--reuse rebuilds it)
EMPTY = "-"  # the baseline's value for an empty facet field, never counted

sys.path.insert(0, str(ROOT / "bench"))  # repl_startup; searchkit comes from use_code()

# Issue 5's targets: (key, description, limit, "max" = measured must be <= limit).
TARGETS: dict[str, tuple[str, float]] = {
    "query_p50_ms": ("≤ 20 ms", 20.0),
    "query_p95_ms": ("≤ 80 ms", 80.0),
    "baseline_ratio_p50": ("≥ 5×", 5.0),
    "oneshot_median_s": ("≤ 0.5 s", 0.5),
    "index_full_2proc_s": ("≤ 600 s (10 min)", 600.0),
    "rerun_s": ("≤ 5 s", 5.0),
    "peak_rss_gib": ("≤ 2 GiB", 2.0),
    "repl_first_prompt_s": ("≤ 1 s", 1.0),
}


def use_code(mode: str, work: Path) -> dict[str, Any]:
    """Make every import of searchkit, here and in the subprocesses, see one version.

    Others edit searchkit/ in this working tree while the run lasts (an hour): with
    ``head`` the committed package (``git archive HEAD``) is unpacked in the work folder
    and put first on PYTHONPATH, ahead of the editable install, so the figures belong
    to one known commit. ``worktree`` measures the files as they are, edits included.
    """
    def git(*a: str) -> str:
        return subprocess.run(["git", "-C", str(ROOT), *a], capture_output=True, text=True, check=True).stdout.strip()

    head = git("rev-parse", "--short", "HEAD")
    info: dict[str, Any] = {"mode": mode, "commit": head, "subject": git("log", "-1", "--format=%s")}
    # HEAD is often a bench or docs commit: name the last one that changed the package.
    info["package_commit"] = git("log", "-1", "--format=%h %s", "HEAD", "--", "searchkit")
    if mode == "head":
        code = work / "code"
        if code.exists():
            shutil.rmtree(code)
        code.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", "HEAD", "searchkit"], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)
        sys.path.insert(0, str(code))
        os.environ["PYTHONPATH"] = os.pathsep.join([str(code), *filter(None, [os.environ.get("PYTHONPATH")])])
    else:
        sys.path.insert(0, str(ROOT))
        info["uncommitted"] = git("status", "--porcelain", "--", "searchkit").splitlines()
    import searchkit

    info["package"] = str(Path(searchkit.__file__).parent)
    return info


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --- corpus -------------------------------------------------------------------------------------
def load_articles(limit: int) -> list[dict[str, Any]]:
    """The first ``limit`` lines of OrangeSum, as they are (165 have an empty text:
    searchkit skips those and says so, which is part of what a user would see)."""
    return orangesum_rows(limit)


def write_corpus(articles: list[dict[str, Any]], folder: Path, per_file: int, reuse: bool) -> dict[str, Any]:
    """Write ``articles`` as numbered .jsonl files; with ``reuse``, keep an identical layout."""
    layout = {"articles": len(articles), "per_file": per_file, "files": -(-len(articles) // per_file)}
    stamp = folder / ".layout.json"  # hidden: searchkit's reader skips dot files
    if reuse and stamp.exists() and json.loads(stamp.read_text("utf-8")) == layout:
        layout["bytes"] = sum(p.stat().st_size for p in folder.glob("*.jsonl"))
        return layout
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for n, i in enumerate(range(0, len(articles), per_file)):
        with (folder / f"orangesum_{n:04d}.jsonl").open("w", encoding="utf-8") as fh:
            for a in articles[i : i + per_file]:
                row = {"id": str(a["id"]), "date": a.get("date"), "title": a.get("title") or "", "text": a.get("text") or ""}
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    stamp.write_text(json.dumps(layout), "utf-8")
    layout["bytes"] = sum(p.stat().st_size for p in folder.glob("*.jsonl"))
    return layout


def write_config(path: Path, corpus: Path, index_dir: Path, workers: int) -> Path:
    # Everything else at the shipped defaults (actors and dates on, fr_core_news_md,
    # commit_every 2000), spelled out so that the report says what ran.
    path.write_text(
        "\n".join(
            [
                f"corpus: {corpus}",
                f"index_dir: {index_dir}",
                "extract:",
                "  actors: true",
                "  dates: true",
                "  model: fr_core_news_md",
                "search:",
                "  limit: 10",
                "  snippets: 2",
                "index:",
                f"  workers: {workers}",
                "  commit_every: 2000",
                "",
            ]
        ),
        "utf-8",
    )
    return path


def dir_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


# --- measured subprocesses ----------------------------------------------------------------------
@dataclass
class Proc:
    argv: list[str]
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    tree_peak_rss: int | None  # bytes, sampled sum of VmRSS over the process tree (None without psutil)
    max_rss: int | None  # bytes, largest VmHWM of one process of the tree
    cpu_s: float  # user + system CPU seconds of the process and the workers it waited for
    wait4_maxrss: int  # ru_maxrss: includes the bench's own pages before exec, JSON only
    # CPU seconds of the descendants (the extraction workers), as last sampled: up to
    # 0.2 s short per worker; the rest of cpu_s is the main process (reading, writing).
    workers_cpu_s: float | None = None


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SEARCHKIT_CONFIG"}
    env["NO_COLOR"] = "1"
    return env


def _proc_status(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of ``pid`` in bytes, from /proc (Linux)."""
    rss = hwm = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) * 1024
        elif line.startswith("VmHWM:"):
            hwm = int(line.split()[1]) * 1024
    return rss, hwm


def run_measured(argv: list[str], cwd: Path) -> Proc:
    """Run ``argv`` to completion: wall time, CPU time, peak memory of the process tree.

    Memory is sampled every 0.2 s from /proc: the sum of VmRSS over the process and its
    descendants (the tree's peak), and the largest VmHWM (one process's own high-water
    mark, exact between samples). A process still showing this bench's command line is
    forked but not yet exec'd: its pages are the bench's, so it is skipped. (wait4's
    ru_maxrss is kept in the JSON only: it counts those pre-exec pages of the bench.)
    """
    try:
        import psutil
    except ImportError:  # the bench extra is missing: no memory figures
        psutil = None
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=_env(), stdout=out, stderr=err)
        tree_peak = hwm_peak = 0
        worker_cpu: dict[int, float] = {}  # last CPU seconds seen per descendant
        done = threading.Event()

        def sample() -> None:
            nonlocal tree_peak, hwm_peak
            own = psutil.Process().cmdline()
            try:
                root = psutil.Process(proc.pid)
            except psutil.Error:
                return
            while not done.is_set():
                try:
                    total = 0
                    for p in [root, *root.children(recursive=True)]:
                        try:
                            if p.cmdline() == own:
                                continue
                            rss, hwm = _proc_status(p.pid)
                        except (psutil.Error, OSError):  # a worker that just exited
                            continue
                        total += rss
                        hwm_peak = max(hwm_peak, hwm)
                        if p.pid != proc.pid:
                            try:
                                t = p.cpu_times()
                                worker_cpu[p.pid] = t.user + t.system
                            except psutil.Error:
                                pass
                    tree_peak = max(tree_peak, total)
                except psutil.Error:
                    return
                done.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True) if psutil else None
        if sampler:
            sampler.start()
        # wait4, not Popen.wait: this child's own rusage (CPU of the child and of the
        # workers it waited for), not a total over every earlier run.
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        if sampler:
            sampler.join()
        out.seek(0)
        err.seek(0)
        return Proc(
            argv, seconds, proc.returncode, out.read(), err.read(),
            tree_peak if psutil else None, hwm_peak if psutil else None,
            usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024,
            sum(worker_cpu.values()) if psutil else None,
        )


def index_run(config: Path, label: str, cwd: Path) -> dict[str, Any]:
    argv = [str(SEARCHKIT), "--config", str(config), "index", "--json"]
    log(f"{label}: {' '.join(argv)}")
    p = run_measured(argv, cwd)
    if p.returncode != 0:
        raise SystemExit(f"{label} failed (exit {p.returncode}):\n{p.stderr[-3000:]}")
    rep = json.loads(p.stdout)
    docs = rep["added"] + rep["updated"]
    out = {
        "label": label,
        "command": " ".join(argv),
        "wall_s": p.seconds,
        "in_process_s": rep["seconds"],
        "documents_written": docs,
        "documents_in_index": rep["documents"],
        "files_seen": rep["files_seen"],
        "skipped": len(rep["skipped"]),
        "unchanged": rep["unchanged"],
        "articles_per_s": docs / p.seconds if docs else None,
        "tree_peak_rss": p.tree_peak_rss,
        "max_rss": p.max_rss,
        "wait4_maxrss": p.wait4_maxrss,
        "cpu_s": p.cpu_s,
        "workers_cpu_s": p.workers_cpu_s,
        # CPU seconds do not grow when other work competes for the cores, wall time does:
        # CPU / 2 is what two idle cores would need if the work split perfectly.
        "articles_per_cpu_s": docs / p.cpu_s if docs and p.cpu_s else None,
    }
    rate = f", {out['articles_per_s']:.1f} articles/s" if docs else ""
    log(f"{label}: {p.seconds:.1f} s{rate}, {p.cpu_s:.0f} CPU s, tree peak {_gib(p.tree_peak_rss)}, largest process {_gib(p.max_rss)}")
    return out


def _gib(n: int | None) -> str:
    return "n/a" if n is None else f"{n / 2**30:.2f} GiB"


# --- queries ------------------------------------------------------------------------------------
def sample_queries(articles: list[dict[str, Any]], n: int, seed: int) -> list[str]:
    """``n`` distinct queries of 1-3 consecutive content words of real titles."""
    from searchkit.text.analysis import ELISION_ARTICLES, STOP_WORDS, normalize_apostrophes

    def words(title: str) -> list[str]:
        # Apostrophes and hyphens split words, as a user typing a few words would;
        # the elided article before an apostrophe is dropped with the stop words.
        toks = re.findall(r"[^\W_]+", normalize_apostrophes(title.lower()))
        return [t for t in toks if len(t) > 1 and not t.isdigit() and t not in STOP_WORDS and t not in ELISION_ARTICLES]

    pool = [w for a in articles if (a.get("text") or "").strip() and (w := words(a.get("title") or ""))]
    rng = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()
    tries = 0
    while len(out) < n and tries < n * 50:
        tries += 1
        ws = rng.choice(pool)
        k = min(rng.randint(1, 3), len(ws))
        start = rng.randrange(len(ws) - k + 1)
        q = " ".join(ws[start : start + k])
        if q not in seen:
            seen.add(q)
            out.append(q)
    return out


def pct(xs: list[float], p: float) -> float:
    import numpy as np

    return float(np.percentile(np.asarray(xs), p))


def summary(ms: list[float]) -> dict[str, float]:
    return {"n": len(ms), "p50": pct(ms, 50), "p95": pct(ms, 95), "mean": statistics.fmean(ms), "max": max(ms)}


def build_baseline(sk_index: Path, out_dir: Path, reuse: bool) -> dict[str, Any]:
    """A plain Whoosh index of the documents in ``sk_index``, facets copied from its meta."""
    from whoosh import index as windex
    from whoosh.analysis import LanguageAnalyzer
    from whoosh.fields import ID, KEYWORD, TEXT, Schema

    stamp = out_dir / "bench_baseline.json"
    if reuse and windex.exists_in(str(out_dir)) and stamp.exists() and json.loads(stamp.read_text("utf-8")) == {"version": BASELINE_VERSION}:
        ix = windex.open_dir(str(out_dir))
        return {"seconds": None, "documents": ix.doc_count(), "bytes": dir_bytes(out_dir), "segments": len(ix._segments()), "reused": True}
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    analyzer = LanguageAnalyzer("fr")
    schema = Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer, stored=True),
        body=TEXT(analyzer=analyzer, stored=True),
        # vector=True: FieldFacet(allow_overlap=True) reads a document's values from its
        # term vector; without one it re-reads the whole field's postings on every query.
        actor=KEYWORD(commas=True, vector=True),
        person=KEYWORD(commas=True, vector=True),
        org=KEYWORD(commas=True, vector=True),
        place=KEYWORD(commas=True, vector=True),
        published=KEYWORD(commas=True),  # one value per document: no overlap
        mentioned=KEYWORD(commas=True, vector=True),
    )
    sk = windex.open_dir(str(sk_index), indexname="MAIN")

    def values(names: set[str] | list[str]) -> str:
        # Whoosh 2.7.5's overlap categorizer catches KeyError for a document without a
        # term vector, but the codec raises a bare Exception: give every document a
        # value, the placeholder is dropped when counting (like Whoosh's None group).
        return ",".join(sorted(names)) or EMPTY

    t0 = time.perf_counter()
    ix = windex.create_in(str(out_dir), schema)
    writer = ix.writer(limitmb=256)
    n = 0
    with sk.searcher() as s:
        for f in s.all_stored_fields():
            meta = f.get("meta") or {}
            acts = meta.get("actors") or []
            pub = meta.get("published")
            writer.add_document(
                id=f["id"],
                title=f.get("title") or "",
                body=f.get("body") or "",
                actor=values({a["name"] for a in acts}),
                person=values({a["name"] for a in acts if a["kind"] == "person"}),
                org=values({a["name"] for a in acts if a["kind"] == "org"}),
                place=values({a["name"] for a in acts if a["kind"] == "place"}),
                # searchkit counts dates by month (a year-only date under its year).
                published=(pub[:7] if pub else "undated"),
                mentioned=values({m[:7] for m in meta.get("mentioned") or []}),
            )
            n += 1
    writer.commit()
    seconds = time.perf_counter() - t0
    stamp.write_text(json.dumps({"version": BASELINE_VERSION}), "utf-8")
    return {"seconds": seconds, "documents": n, "bytes": dir_bytes(out_dir), "segments": len(ix._segments()), "reused": False}


class Baseline:
    """Raw Whoosh: parse, search with groupedby facets, top-20 counts, default highlights."""

    def __init__(self, index_dir: Path, overlap: bool = True) -> None:
        from whoosh import index as windex
        from whoosh import sorting
        from whoosh.qparser import MultifieldParser, OrGroup

        self.ix = windex.open_dir(str(index_dir))
        self.searcher = self.ix.searcher()
        self.parser = MultifieldParser(["title", "body"], self.ix.schema, group=OrGroup)
        if overlap:
            self.groupedby: Any = {f: sorting.FieldFacet(f, allow_overlap=f != "published") for f in FACETS}
        else:
            self.groupedby = list(FACETS)

    def search(self, text: str) -> tuple[int, int]:
        q = self.parser.parse(text)
        results = self.searcher.search(q, limit=K, groupedby=self.groupedby)
        facets = {}
        for f in FACETS:
            groups = results.groups(f)
            facets[f] = sorted(((v, len(ids)) for v, ids in groups.items() if v is not None and v != EMPTY), key=lambda x: (-x[1], str(x[0])))[:20]
        snippets = 0
        for hit in results[:K]:
            _ = (hit["id"], hit["title"])
            snippets += bool(hit.highlights("body"))
        return len(results), snippets

    def close(self) -> None:
        self.searcher.close()


def time_queries(queries: list[str], systems: dict[str, Callable[[str], Any]], passes: int) -> dict[str, Any]:
    """Per system, ms per query for each pass; the systems take turns on each query."""
    names = list(systems)
    times: dict[str, list[list[float]]] = {n: [] for n in names}
    cpu: dict[str, list[list[float]]] = {n: [] for n in names}
    failures: dict[str, list[str]] = {n: [] for n in names}
    for p in range(passes):
        for n in names:
            times[n].append([])
            cpu[n].append([])
        for i, q in enumerate(queries):
            order = names if i % 2 == 0 else names[::-1]
            for n in order:
                t0, c0 = time.perf_counter(), time.process_time()
                try:
                    systems[n](q)
                except Exception as exc:  # noqa: BLE001 - reported, never hidden
                    if p == 0:
                        failures[n].append(f"{q!r}: {type(exc).__name__}: {exc}")
                    continue
                times[n][p].append((time.perf_counter() - t0) * 1000)
                # CPU time of this process: the part of the query other work cannot inflate.
                cpu[n][p].append((time.process_time() - c0) * 1000)
        log(f"query pass {p + 1}: " + ", ".join(f"{n} p50 {pct(times[n][p], 50):.1f} ms" for n in names if times[n][p]))
    return {"times": times, "cpu": cpu, "failures": failures}


def run_queries(config: Path, baseline_dir: Path, queries: list[str], passes: int) -> dict[str, Any]:
    from searchkit import SearchKit

    # Cold start in this process: open the index and answer the first query, which
    # builds searchkit's facet tables; not part of the per-query figures.
    t0 = time.perf_counter()
    kit = SearchKit.open(config)
    first = kit.search(queries[0], limit=K)
    sk_first_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    base = Baseline(baseline_dir, overlap=True)
    base.search(queries[0])
    wh_first_ms = (time.perf_counter() - t0) * 1000
    naive = Baseline(baseline_dir, overlap=False)
    naive.search(queries[0])
    log(f"first query: searchkit {sk_first_ms:.0f} ms (open + facet tables), baseline {wh_first_ms:.0f} ms")

    stats: dict[str, list[int]] = {"total": [], "snippets": [], "facet_fields": []}

    def sk(q: str) -> None:
        res = kit.search(q, limit=K)
        if len(stats["total"]) < len(queries):  # the first pass only
            stats["total"].append(res.total)
            stats["snippets"].append(sum(1 for h in res.hits if h.snippets))
            stats["facet_fields"].append(len(res.facets))

    systems: dict[str, Callable[[str], Any]] = {"searchkit": sk, "whoosh": base.search}
    timed = time_queries(queries, systems, max(1, passes))
    naive_timed = time_queries(queries, {"whoosh_naive": naive.search}, 1)
    base_totals = [base.search(q)[0] for q in queries[:50]]
    kit.close()
    base.close()
    naive.close()
    return {
        "first_query_ms": {"searchkit": sk_first_ms, "whoosh": wh_first_ms},
        "first_results": {"total": first.total, "facets": {f: len(v) for f, v in first.facets.items()}},
        "pass1": {n: summary(timed["times"][n][0]) for n in systems},
        "pass1_cpu": {n: summary(timed["cpu"][n][0]) for n in systems},
        "pass2": {n: summary(timed["times"][n][1]) for n in systems if len(timed["times"][n]) > 1},
        "naive": summary(naive_timed["times"]["whoosh_naive"][0]),
        "failures": {**timed["failures"], **naive_timed["failures"]},
        "raw_ms": {"searchkit": timed["times"]["searchkit"][0], "whoosh": timed["times"]["whoosh"][0]},
        "searchkit_totals_median": statistics.median(stats["total"]) if stats["total"] else None,
        "searchkit_hits_with_snippets_mean": statistics.fmean(stats["snippets"]) if stats["snippets"] else None,
        "searchkit_facet_fields": sorted(set(stats["facet_fields"])),
        "whoosh_totals_median_first50": statistics.median(base_totals) if base_totals else None,
        "by_words": _by_words(queries, timed["times"]["searchkit"][0], timed["times"]["whoosh"][0]),
    }


def _by_words(queries: list[str], sk: list[float], wh: list[float]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if len(sk) != len(queries) or len(wh) != len(queries):
        return out  # a failed query shifts the lists: no breakdown rather than a wrong one
    for k in (1, 2, 3):
        idx = [i for i, q in enumerate(queries) if len(q.split()) == k]
        if idx:
            out[str(k)] = {"n": len(idx), "searchkit_p50": pct([sk[i] for i in idx], 50), "whoosh_p50": pct([wh[i] for i in idx], 50)}
    return out


# --- one-shot and REPL --------------------------------------------------------------------------
def oneshot(config: Path, words: list[str], cwd: Path) -> dict[str, Any]:
    """Median wall time of fresh ``searchkit search WORD --json`` processes vs ``import whoosh``."""

    def wall(argv: list[str]) -> tuple[float, int]:
        p = run_measured(argv, cwd)
        if p.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed (exit {p.returncode}): {p.stderr[-2000:]}")
        if "search" in argv:
            json.loads(p.stdout)  # the JSON contract holds
        return p.seconds, p.max_rss

    sk_argv = lambda w: [str(SEARCHKIT), "--config", str(config), "search", w, "--json"]  # noqa: E731
    imp_argv = [sys.executable, "-c", "import whoosh"]
    wall(sk_argv(words[0]))  # warm-up: OS file cache, .pyc files
    wall(imp_argv)
    sk_t, imp_t, rss = [], [], []
    for w in words:
        s, r = wall(sk_argv(w))
        sk_t.append(s)
        rss.append(r)
        imp_t.append(wall(imp_argv)[0])
    res = {
        "words": words,
        "searchkit_s": sk_t,
        "import_whoosh_s": imp_t,
        "searchkit_median_s": statistics.median(sk_t),
        "import_whoosh_median_s": statistics.median(imp_t),
        "searchkit_max_rss": max((x or 0) for x in rss) or None,
        "command": f"{SEARCHKIT} --config {config} search WORD --json",
    }
    log(f"one-shot: searchkit {res['searchkit_median_s']:.3f} s, import whoosh {res['import_whoosh_median_s']:.3f} s (medians of {len(words)})")
    return res


def repl_first_prompt(config: Path, runs: int) -> dict[str, Any]:
    import repl_startup

    argv = [str(SEARCHKIT), "--config", str(config)]
    prompt, ready = repl_startup.measure(argv, runs)
    res = {
        "command": " ".join(argv) + "  (bare searchkit in a pexpect terminal, bench/repl_startup.py's measure())",
        "runs": runs,
        "first_prompt_s": prompt,
        "index_open_s": ready,
        "first_prompt_median_s": statistics.median(prompt),
        "index_open_median_s": statistics.median(ready),
    }
    log(f"REPL: first prompt {res['first_prompt_median_s']:.3f} s, toolbar count {res['index_open_median_s']:.3f} s")
    return res


# --- machine and report -------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    import whoosh

    return {
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": cpu_model(),
        "memory_bytes": mem,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "whoosh": whoosh.versionstring(),
    }


def parallelism() -> str:
    """How the indexer under test spreads work over processes (it decides what the layout means)."""
    import searchkit.index.indexer as sk_index

    chunk = getattr(sk_index, "CHUNK_ARTICLES", None)
    if chunk:
        return f"The indexer hands its workers chunks of {chunk} articles, so the file layout does not limit parallelism."
    batch = getattr(sk_index, "BATCH_FILES", 64)
    return f"The indexer hands its workers batches of {batch} files: {batch} files or fewer are indexed by one process."


def verdict(key: str, value: float | None) -> tuple[str, str]:
    """(met/missed text, margin text) against issue 5's target for ``key``."""
    if value is None:
        return "not measured", ""
    text, limit = TARGETS[key]
    if key == "baseline_ratio_p50":
        ok = value >= limit
        return ("met" if ok else "**missed**"), f"{value / limit:.2f}× the target"
    ok = value <= limit
    return ("met" if ok else "**missed**"), (f"{limit / value:.1f}× under" if ok else f"{value / limit:.1f}× over")


def _cpu_split(x: dict[str, Any]) -> str:
    w = x.get("workers_cpu_s")
    if not w:
        return fmt_s(x["cpu_s"])
    return f"{fmt_s(x['cpu_s'])} ({x['cpu_s'] - w:.0f} + {w:.0f})"


def fmt_s(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1f} s" if x >= 10 else f"{x:.2f} s"


def build_report(r: dict[str, Any]) -> str:
    m, a = r["machine"], r["args"]
    lines = [
        "# Speed at scale (issue 5)",
        "",
        f"Command: `{r['command']}` — {r['started']} to {r['finished']} ({r['wall_min']:.0f} min).",
        f"Code: searchkit at commit {r['code']['commit']} (last change to searchkit/: {r['code'].get('package_commit', '?')[:110]})"
        + (", committed files only (`git archive HEAD`, first on PYTHONPATH)." if r["code"]["mode"] == "head" else
           f", working tree{' with uncommitted changes: ' + ', '.join(x.split()[-1] for x in r['code']['uncommitted']) if r['code'].get('uncommitted') else ''}."),
        f"Machine: {m['cpus_usable']} of {m['cpus']} CPUs ({m['cpu_model']}), {(m['memory_bytes'] or 0) / 2**30:.0f} GiB RAM, "
        f"Python {m['python']}, {m['system']}, Whoosh {m['whoosh']}; load average {r['load_before']} before, "
        f"{r['load_after']} after (other work shared the machine: absolute figures are noisy, the ratio to the "
        "baseline is measured query by query, interleaved, in the same run).",
        "",
    ]
    c = r["corpus"]
    lines += [
        f"Corpus: the first {c['articles']:,} articles of OrangeSum (`../shared/data/orangesum`), written as "
        f"{c['files']} .jsonl files of {c['per_file']} articles (`{{\"id\", \"date\", \"title\", \"text\"}}`, "
        f"{c['bytes'] / 1e6:.0f} MB). {r['parallelism']}",
    ]
    if r.get("corpus_1proc"):
        c1 = r["corpus_1proc"]
        lines.append(f"The one-process indexing ran on the first {c1['articles']:,} articles only ({c1['files']} files, `--one-proc-limit`).")
    lines.append("")

    rows: list[tuple[str, str, str, str, str, str]] = []  # figure, value, target, verdict, margin, baseline
    ix2, ix1, rerun = r.get("index_2proc"), r.get("index_1proc"), r.get("rerun")
    q, one, repl = r.get("queries"), r.get("oneshot"), r.get("repl")
    if ix2:
        full_s = ix2["wall_s"] * (FULL / max(1, c["articles"]))
        key_note = "" if c["articles"] >= FULL else f" (extrapolated from {c['articles']:,} articles: {fmt_s(ix2['wall_s'])})"
        v, mg = verdict("index_full_2proc_s", full_s)
        idle = ix2["cpu_s"] / 2 * (FULL / max(1, c["articles"]))
        rows.append(("Index, 2 processes: time for 36,152 articles" + key_note, fmt_s(full_s), TARGETS["index_full_2proc_s"][0], v, mg, f"CPU time / 2 (two idle cores, perfect split): {fmt_s(idle)}"))
        rows.append(("Index, 2 processes: articles/s (whole pipeline, process start to exit)", f"{ix2['articles_per_s']:.1f}", "≥ 60.3 (= 36,152 in 10 min)", "", "", ""))
    if ix1:
        rows.append((f"Index, 1 process: articles/s ({ix1['documents_written']:,} articles)", f"{ix1['articles_per_s']:.1f}", "", "", "", ""))
    if "index_bytes" in r:
        rows.append(("Index size on disk", f"{r['index_bytes'] / 2**20:.0f} MiB", "", "", "", f"raw Whoosh {r['baseline']['bytes'] / 2**20:.0f} MiB" if r.get("baseline") else ""))
    if ix2:
        peaks = [x for x in (ix2, ix1) if x]
        tree = max((x["tree_peak_rss"] or 0) for x in peaks)
        single = max((x["max_rss"] or 0) for x in peaks)
        v, mg = verdict("peak_rss_gib", tree / 2**30 if tree else single / 2**30)
        rows.append(("Peak memory while indexing (RSS sum over the process tree; largest single process)", f"{_gib(tree or None)}; {_gib(single)}", TARGETS["peak_rss_gib"][0], v, mg, ""))
    if rerun:
        v, mg = verdict("rerun_s", rerun["wall_s"])
        rows.append(("Re-run over the unchanged corpus (process start to exit)", fmt_s(rerun["wall_s"]), TARGETS["rerun_s"][0], v, mg, f"in-process {fmt_s(rerun['in_process_s'])}"))
    if q:
        s1, w1 = q["pass1"]["searchkit"], q["pass1"]["whoosh"]
        ratio50, ratio95 = w1["p50"] / s1["p50"], w1["p95"] / s1["p95"]
        v, mg = verdict("query_p50_ms", s1["p50"])
        rows.append((f"Query p50 ({s1['n']} queries, top 10 + snippets + 6 facets)", f"{s1['p50']:.1f} ms", TARGETS["query_p50_ms"][0], v, mg, f"raw Whoosh {w1['p50']:.1f} ms"))
        v, mg = verdict("query_p95_ms", s1["p95"])
        rows.append(("Query p95", f"{s1['p95']:.1f} ms", TARGETS["query_p95_ms"][0], v, mg, f"raw Whoosh {w1['p95']:.1f} ms"))
        v, mg = verdict("baseline_ratio_p50", ratio50)
        sc, wc = q["pass1_cpu"]["searchkit"], q["pass1_cpu"]["whoosh"]
        rows.append(("Speed-up over raw Whoosh at p50 (baseline p50 / searchkit p50)", f"{ratio50:.2f}×", TARGETS["baseline_ratio_p50"][0], v, mg, f"p95: {ratio95:.2f}×; CPU-time p50: {wc['p50'] / sc['p50']:.2f}×; vs plain `groupedby`: {q['naive']['p50'] / s1['p50']:.2f}×"))
    if one:
        v, mg = verdict("oneshot_median_s", one["searchkit_median_s"])
        rows.append((f"One-shot `searchkit search WORD --json`, median of {len(one['words'])}", fmt_s(one["searchkit_median_s"]), TARGETS["oneshot_median_s"][0], v, mg, f"`python -c \"import whoosh\"` {fmt_s(one['import_whoosh_median_s'])} ({one['searchkit_median_s'] / one['import_whoosh_median_s']:.1f}×)"))
    if repl:
        v, mg = verdict("repl_first_prompt_s", repl["first_prompt_median_s"])
        rows.append((f"REPL: first prompt, median of {repl['runs']}", fmt_s(repl["first_prompt_median_s"]), TARGETS["repl_first_prompt_s"][0], v, mg, f"index open (toolbar count) {fmt_s(repl['index_open_median_s'])}"))
    lines += ["| figure | measured | target | verdict | margin | same-run comparison |", "|---|---:|---|---|---|---|"]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    lines.append("")

    if ix2 or ix1:
        lines += ["## Indexing", "", "| run | articles written | wall | in-process | articles/s | CPU (main + workers) | articles per CPU-s | tree peak RSS | largest process | skipped lines |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for x in (ix2, ix1, rerun):
            if x:
                rate = f"{x['articles_per_s']:.1f}" if x["articles_per_s"] else "—"
                per_cpu = f"{x['articles_per_cpu_s']:.1f}" if x.get("articles_per_cpu_s") else "—"
                lines.append(f"| {x['label']} | {x['documents_written']:,} | {fmt_s(x['wall_s'])} | {fmt_s(x['in_process_s'])} | {rate} | {_cpu_split(x)} | {per_cpu} | {_gib(x['tree_peak_rss'])} | {_gib(x['max_rss'])} | {x['skipped']} |")
        lines += [
            "",
            f"Index: {r['index_documents']:,} articles, {r['index_bytes'] / 2**20:.0f} MiB, {r['index_segments']} Whoosh segment(s). "
            "Wall time runs from spawning `searchkit index --json` to its exit; in-process is the `seconds` of its own report "
            "(without interpreter start and imports). CPU is user + system time of the indexer and its workers (`os.wait4`): "
            "unlike wall time it does not grow when other work competes for the cores. Skipped lines are OrangeSum articles with an empty text. Tree peak RSS is "
            "sampled every 0.2 s from /proc and sums VmRSS over the indexer and its workers (pages shared between processes "
            "count in each, so it can overstate); largest process is the highest VmHWM (one process's own peak RSS) seen, "
            "a lower bound on the tree's peak.",
            "",
        ]
    if q:
        s1, w1, s2, w2, nv = q["pass1"]["searchkit"], q["pass1"]["whoosh"], q["pass2"].get("searchkit"), q["pass2"].get("whoosh"), q["naive"]
        sc, wc = q["pass1_cpu"]["searchkit"], q["pass1_cpu"]["whoosh"]
        lines += [
            "## Queries",
            "",
            f"{s1['n']} queries (seed {a['seed']}) of 1-3 content words from real titles: "
            + ", ".join(f"{v['n']} of {k} word(s)" for k, v in q["by_words"].items())
            + f"; e.g. {', '.join('`' + x + '`' for x in r['query_examples'])}. searchkit matched a median of "
            f"{q['searchkit_totals_median']:,.0f} articles per query (raw Whoosh, same OR semantics: {q['whoosh_totals_median_first50']:,.0f} over the first 50), "
            f"showed {q['searchkit_hits_with_snippets_mean']:.1f} hits with snippets on average and {q['searchkit_facet_fields']} facet fields.",
            "",
            "| system | pass | p50 | p95 | mean | max | CPU-time p50 / p95 |",
            "|---|---|---:|---:|---:|---:|---:|",
            f"| searchkit `kit.search(q, limit=10)` | 1 (headline) | {s1['p50']:.1f} ms | {s1['p95']:.1f} ms | {s1['mean']:.1f} ms | {s1['max']:.0f} ms | {sc['p50']:.1f} / {sc['p95']:.1f} ms |",
            f"| raw Whoosh, `groupedby` six `FieldFacet`s (overlap on multi-valued), `highlights('body')` | 1 | {w1['p50']:.1f} ms | {w1['p95']:.1f} ms | {w1['mean']:.1f} ms | {w1['max']:.0f} ms | {wc['p50']:.1f} / {wc['p95']:.1f} ms |",
        ]
        if s2 and w2:
            lines += [
                f"| searchkit | 2 (warm) | {s2['p50']:.1f} ms | {s2['p95']:.1f} ms | {s2['mean']:.1f} ms | {s2['max']:.0f} ms | |",
                f"| raw Whoosh | 2 (warm) | {w2['p50']:.1f} ms | {w2['p95']:.1f} ms | {w2['mean']:.1f} ms | {w2['max']:.0f} ms | |",
            ]
        lines += [
            f"| raw Whoosh, plain `groupedby=[six names]` (undercounts multi-valued facets) | 1 | {nv['p50']:.1f} ms | {nv['p95']:.1f} ms | {nv['mean']:.1f} ms | {nv['max']:.0f} ms | |",
            "",
            "p50 by query length: "
            + "; ".join(f"{k} word(s): searchkit {v['searchkit_p50']:.1f} ms, raw Whoosh {v['whoosh_p50']:.1f} ms" for k, v in q["by_words"].items())
            + ".",
            "",
            f"First query in a fresh process (open the index, build the facet tables, answer): searchkit "
            f"{q['first_query_ms']['searchkit']:.0f} ms, raw Whoosh {q['first_query_ms']['whoosh']:.0f} ms; not in the figures above "
            "(the headline is the first full pass after that one warm-up query).",
            "",
            f"Raw-Whoosh baseline index: built in this run from the same {r['baseline']['documents']:,} documents "
            + (f"in {fmt_s(r['baseline']['seconds'])} " if r["baseline"]["seconds"] else "(reused from the work folder) ")
            + f"({r['baseline']['segments']} segment(s), {r['baseline']['bytes'] / 2**20:.0f} MiB): `LanguageAnalyzer('fr')` on title and body, "
            "six KEYWORD facet fields with values copied from searchkit's stored `meta` (dates by month, as searchkit counts "
            "them), term vectors on the multi-valued ones; queries parsed by `MultifieldParser(['title', 'body'], group=OrGroup)`.",
            "",
        ]
        fails = {k: v for k, v in q["failures"].items() if v}
        if fails:
            lines += ["Failed queries: " + "; ".join(f"{k}: {len(v)} (e.g. {v[0]})" for k, v in fails.items()), ""]
    if one:
        lines += [
            "## One-shot CLI and REPL",
            "",
            f"One-shot: `{one['command']}` as a fresh process, {len(one['words'])} runs with a different one-word query each "
            f"({', '.join(one['words'])}) after one unmeasured warm-up: median {fmt_s(one['searchkit_median_s'])} "
            f"(min {fmt_s(min(one['searchkit_s']))}, max {fmt_s(max(one['searchkit_s']))}), peak RSS {_gib(one['searchkit_max_rss'])}; "
            f"`{sys.executable} -c \"import whoosh\"` alternating with it: median {fmt_s(one['import_whoosh_median_s'])}.",
            "",
        ]
    if repl:
        lines += [
            f"REPL: `{repl['command']}`; first prompt median {fmt_s(repl['first_prompt_median_s'])} "
            f"(min {fmt_s(min(repl['first_prompt_s']))}, max {fmt_s(max(repl['first_prompt_s']))}), toolbar shows the index size after "
            f"{fmt_s(repl['index_open_median_s'])}.",
            "",
        ]
    for e in r.get("errors", []):
        lines += [f"**Failed stage** {e}", ""]
    lines += ["Raw numbers: `bench/reports/speed.json`.", ""]
    return "\n".join(lines)


# --- main ---------------------------------------------------------------------------------------
def checkpoint(r: dict[str, Any], work: Path) -> None:
    """The figures so far, in the work folder: a crash late in the run keeps them."""
    (work / "speed.partial.json").write_text(json.dumps(r, indent=1, ensure_ascii=False, default=str), "utf-8")


def stage(r: dict[str, Any], key: str, fn: Callable[[], dict[str, Any]]) -> None:
    try:
        r[key] = fn()
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - reported in the report
        log(f"{key} failed: {type(exc).__name__}: {exc}")
        r.setdefault("errors", []).append(f"{key}: {type(exc).__name__}: {str(exc)[:500]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=FULL, help="articles to index (default: all 36,152)")
    # 5,000 by default: at the ~11-18 articles/s measured so far, a full 1-process run
    # alone would take about an hour; 5,000 articles give its rate in a few minutes.
    ap.add_argument("--one-proc-limit", type=int, default=5000, help="articles for the 1-process indexing run (default 5,000; 0: as --limit)")
    ap.add_argument("--per-file", type=int, default=1000, help="articles per .jsonl file of the corpus (default 1,000: 37 files)")
    ap.add_argument("--workdir", type=Path, default=None, help="where corpus and indexes go (default: a temp dir, deleted unless --keep)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    ap.add_argument("--reuse", action="store_true", help="reuse the corpus and indexes already in --workdir: no indexing, queries etc. only")
    ap.add_argument("--skip-index-1proc", action="store_true", help="no 1-process indexing run")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--passes", type=int, default=2, help="query passes (the first is the headline)")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--oneshot-runs", type=int, default=9)
    ap.add_argument("--repl-runs", type=int, default=5)
    ap.add_argument("--skip-oneshot", action="store_true")
    ap.add_argument("--skip-repl", action="store_true")
    ap.add_argument("--code", choices=["head", "worktree"], default="head", help="measure the committed searchkit (default) or the working tree as it is")
    ap.add_argument("--no-write", action="store_true", help=f"print the report, do not write {REPORT_MD.relative_to(ROOT)}")
    args = ap.parse_args()

    if not ARTICLES.exists():
        print(f"bench/run.py: skipped: the OrangeSum corpus is not at {ARTICLES} (see ../shared/data/README)", file=sys.stderr)
        return 0
    if args.reuse and args.workdir is None:
        ap.error("--reuse needs --workdir (the folder of an earlier run)")
    if not SEARCHKIT.exists():
        ap.error(f"{SEARCHKIT} not found: run `make install` first")

    started = time.time()
    argv_text = " ".join([".venv/bin/python", "bench/run.py", *sys.argv[1:]])
    temp = args.workdir is None
    work = Path(tempfile.mkdtemp(prefix="searchkit-bench-")) if temp else args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    log(f"work folder {work}")
    code = use_code(args.code, work)
    log(f"searchkit from {code['package']} ({code['mode']}, HEAD {code['commit']})")
    r: dict[str, Any] = {
        "code": code,
        "command": argv_text,
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "started": time.strftime("%Y-%m-%d %H:%M", time.localtime(started)),
        "machine": machine(),
        "load_before": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "targets": {k: v[0] for k, v in TARGETS.items()},
        "parallelism": parallelism(),
    }
    try:
        limit = min(args.limit, FULL)
        one_limit = min(args.one_proc_limit or limit, limit)  # 0 or None: the whole --limit
        articles = load_articles(limit)
        log(f"{len(articles):,} articles read from {ARTICLES.name}")
        r["corpus"] = write_corpus(articles, work / "corpus", args.per_file, args.reuse)
        if one_limit < limit and not args.reuse and not args.skip_index_1proc:
            r["corpus_1proc"] = write_corpus(articles[:one_limit], work / "corpus_1proc", args.per_file, False)
        queries = sample_queries(articles, args.queries, args.seed)
        # The articles (~0.7 GB here) are on disk now; a smaller bench process also
        # keeps the memory figures of what it spawns clean.
        del articles
        gc.collect()
        cfg2 = write_config(work / "config_2proc.yaml", work / "corpus", work / "index_2proc", 2)
        index2 = work / "index_2proc"
        if not args.reuse:
            if index2.exists():
                shutil.rmtree(index2)
            r["index_2proc"] = index_run(cfg2, "searchkit index, 2 processes", work)
            if not args.skip_index_1proc:
                corpus1 = work / ("corpus_1proc" if one_limit < limit else "corpus")
                cfg1 = write_config(work / "config_1proc.yaml", corpus1, work / "index_1proc", 1)
                if (work / "index_1proc").exists():
                    shutil.rmtree(work / "index_1proc")
                r["index_1proc"] = index_run(cfg1, "searchkit index, 1 process", work)
                shutil.rmtree(work / "index_1proc")  # only its timing is needed; saves disk
            r["rerun"] = index_run(cfg2, "searchkit index again, unchanged corpus", work)
            checkpoint(r, work)
            if not r["rerun"]["unchanged"]:
                log("warning: the re-run over the unchanged corpus did some work")
        from whoosh import index as windex

        ix = windex.open_dir(str(index2), indexname="MAIN")
        r["index_documents"], r["index_bytes"], r["index_segments"] = ix.doc_count(), dir_bytes(index2), len(ix._segments())
        ix.close()

        log("raw-Whoosh baseline index")
        r["baseline"] = build_baseline(index2, work / "whoosh_baseline", args.reuse)
        log(f"baseline: {r['baseline']['documents']:,} documents" + (f" in {r['baseline']['seconds']:.0f} s" if r["baseline"]["seconds"] else " (reused)"))

        r["query_examples"] = queries[:5]
        r["query_list"] = queries
        log(f"{len(queries)} queries, e.g. {queries[:5]}")
        r["queries"] = run_queries(cfg2, work / "whoosh_baseline", queries, args.passes)

        checkpoint(r, work)
        # The last two stages must not cost the hour of figures above if they fail.
        if not args.skip_oneshot:
            words = [q for q in queries if " " not in q][: args.oneshot_runs]
            stage(r, "oneshot", lambda: oneshot(cfg2, words, work))
        if not args.skip_repl:
            stage(r, "repl", lambda: repl_first_prompt(cfg2, args.repl_runs))
    finally:
        if temp and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    r["finished"] = time.strftime("%Y-%m-%d %H:%M")
    r["wall_min"] = (time.time() - started) / 60
    r["load_after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    text = build_report(r)
    print(text)
    if not args.no_write:
        REPORTS.mkdir(parents=True, exist_ok=True)
        REPORT_MD.write_text(text, encoding="utf-8")
        REPORT_JSON.write_text(json.dumps(r, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
        log(f"wrote {REPORT_MD.relative_to(ROOT)} and {REPORT_JSON.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
