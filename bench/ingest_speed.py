"""Ingestion benchmark (issue 13): HTML and PDF extraction speed and quality, and the
peak memory of reading (and optionally indexing) one 79 MB .jsonl collection.

    .venv/bin/python bench/ingest_speed.py [--pdfs 40] [--rounds 5] [--full] [--out bench/reports/ingest.md]

* HTML: searchkit's reader (trafilatura, precision mode) against trafilatura's default
  settings on the 7 gold pages of ../shared/data/html_fr_dev: pages/s, and the share of
  gold main-text and furniture snippets in the extracted text.
* PDF: pypdf (searchkit's reader) against pdfminer.six on PDFs made here with reportlab
  from OrangeSum articles (justified, one and two columns): pages/s and the share of
  6-word passages of the article found in the text; plus four small French cases
  (accents, ligature glyphs, line-end hyphenation, two columns interleaved line by line).
* Memory: the OrangeSum collection decompressed to one .jsonl (79 MB); peak resident
  memory (VmHWM) of a process that reads it with searchkit's streaming reader, against
  the same process reading it whole (this branch's ``read_source``, which gathers every
  part as the old reader did). ``--full`` also indexes it (dates on, actors off, 1 worker).
"""
from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from benchlib import ORANGESUM, ROOT, cpu_model, orangesum_rows

sys.path.insert(0, str(ROOT))  # the file makers live in the tests' harness
from tests.support.sample_files import make_pdf, small_pdf, split_paragraphs  # noqa: E402

HTML_DIR = ROOT.parent / "shared" / "data" / "html_fr_dev"
_SPACES = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


# -- HTML ------------------------------------------------------------------------


def bench_html(rounds: int) -> dict[str, Any]:
    import trafilatura

    from searchkit.corpus import html as reader

    gold = json.loads((HTML_DIR / "gold.json").read_text("utf-8"))
    pages = {name: (HTML_DIR / name).read_bytes() for name in gold}
    systems: dict[str, Callable[[bytes], str]] = {
        "searchkit (trafilatura, favor_precision)": lambda d: reader.read(d).body,
        "trafilatura defaults": lambda d: (trafilatura.bare_extraction(d, with_metadata=True).text or ""),
    }
    out: dict[str, Any] = {}
    for name, fn in systems.items():
        texts = {p: fn(d) for p, d in pages.items()}  # warm-up and quality
        start = time.perf_counter()
        for _ in range(rounds):
            for d in pages.values():
                fn(d)
        seconds = time.perf_counter() - start
        kept = sum(_norm(s) in _norm(texts[p]) for p, g in gold.items() for s in g["with"])
        furniture = sum(_norm(s) in _norm(texts[p]) for p, g in gold.items() for s in g["without"])
        out[name] = {
            "pages_per_s": rounds * len(pages) / seconds,
            "main_text": f"{kept}/{sum(len(g['with']) for g in gold.values())}",
            "furniture": f"{furniture}/{sum(len(g['without']) for g in gold.values())}",
        }
    return out


# -- PDF -------------------------------------------------------------------------


# (name, pdf, a passage that must come out, as a search would need it)
def pdf_cases() -> list[tuple[str, bytes, str]]:
    return [
        ("accents and French punctuation", small_pdf([(50, 800, "L’été à Téhéran, l’œuvre « citée » coûte 5 € ; Ça dépend, Noël.")]),
         "L’été à Téhéran, l’œuvre « citée » coûte 5 € ; Ça dépend, Noël."),
        ("ligature glyphs (fi, fl)", small_pdf([(50, 800, "Le ﬁnancement ﬂottant des ﬁlières.")], font="Vera"),
         "Le financement flottant des filières."),
        ("hyphenation at line end", small_pdf([(50, 800, "Le ministère annonce la récupé-"), (50, 786, "ration des fonds.")]),
         "annonce la récupération des fonds."),
        ("two columns, lines interleaved", small_pdf([(50, 800, "Colonne gauche première ligne"), (310, 800, "Colonne droite première ligne"),
                                                      (50, 786, "suite de la gauche."), (310, 786, "suite de la droite.")]),
         "Colonne gauche première ligne suite de la gauche."),
    ]


def _pypdf_text(data: bytes) -> str:
    from searchkit.corpus import pdf as reader

    return reader.read(data).body


def _pdfminer_text(data: bytes) -> str:
    from pdfminer.high_level import extract_text

    from searchkit.corpus.pdf import _normalise

    return _normalise(extract_text(io.BytesIO(data)))  # the same ligature and hyphen clean-up


def bench_pdf(n: int) -> dict[str, Any]:
    import pypdf

    rows = [r for r in orangesum_rows(n * 2) if len(r["text"]) > 500][:n]
    pdfs = [make_pdf(r["title"], split_paragraphs(r["text"]), columns=1 + i % 2) for i, r in enumerate(rows)]
    pages = sum(len(pypdf.PdfReader(io.BytesIO(d)).pages) for d in pdfs)
    cases = pdf_cases()
    out: dict[str, Any] = {"documents": len(pdfs), "pages": pages}
    for name, fn in [("pypdf (searchkit)", _pypdf_text), ("pdfminer.six", _pdfminer_text)]:
        start = time.perf_counter()
        texts = [fn(d) for d in pdfs]
        seconds = time.perf_counter() - start
        found = total = 0
        for r, text in zip(rows, texts):
            words = " ".join(split_paragraphs(r["text"])).split()
            flat = _norm(text)
            for i in range(0, len(words) - 6, 6):
                total += 1
                found += " ".join(words[i : i + 6]) in flat
        small = {case: _norm(expected) in _norm(fn(pdf)) for case, pdf, expected in cases}
        out[name] = {"pages_per_s": pages / seconds, "passages": found / total, "passages_n": f"{found}/{total}", "cases": small}
    return out


# -- memory ------------------------------------------------------------------------

_READ_CHILD = """
import re, sys, time
from pathlib import Path
from searchkit.corpus import SourceFile, read_parts, read_source
p = Path(sys.argv[1]); st = p.stat()
src = SourceFile(p, str(p), st.st_size, st.st_mtime_ns)
t = time.perf_counter()
if sys.argv[2] == "stream":
    n = sum(len(part.articles) for part in read_parts(src, 20_000_000))
else:
    n = len(read_source(src, 20_000_000).articles)
secs = time.perf_counter() - t
hwm = int(re.search(r"VmHWM:\\s+(\\d+)", Path("/proc/self/status").read_text()).group(1))
print(n, round(secs, 2), hwm // 1024)
"""

_INDEX_CHILD = """
import re, sys, time
from pathlib import Path
from searchkit.index.indexer import run_index
t = time.perf_counter()
r = run_index([Path(sys.argv[1])], Path(sys.argv[2]), actors=False, workers=1, max_file_mb=20, commit_every=2000)
secs = time.perf_counter() - t
hwm = int(re.search(r"VmHWM:\\s+(\\d+)", Path("/proc/self/status").read_text()).group(1))
print(r.documents, round(secs, 1), hwm // 1024, len(r.skipped))
"""

_BASELINE_CHILD = """
import re, sys
from pathlib import Path
import searchkit.corpus
print(int(re.search(r"VmHWM:\\s+(\\d+)", Path("/proc/self/status").read_text()).group(1)) // 1024)
"""


# The reader before this work (searchkit/corpus.py at the commit the ingest branch
# started from): it only imports the standard library, so it runs from a copy.
BEFORE_COMMIT = "ecfe5d6"
_BEFORE_CHILD = """
import re, sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
import time
from corpus_before import SourceFile, read_source
p = Path(sys.argv[1]); st = p.stat()
t = time.perf_counter()
n = len(read_source(SourceFile(p, str(p), st.st_size, st.st_mtime_ns), None).articles)
secs = time.perf_counter() - t
print(n, round(secs, 2), int(re.search(r"VmHWM:\\s+(\\d+)", Path("/proc/self/status").read_text()).group(1)) // 1024)
"""


def bench_memory(full: bool) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="sk-ingest-") as tmp:
        big = Path(tmp) / "orangesum.jsonl"
        with gzip.open(ORANGESUM, "rb") as src, open(big, "wb") as dst:
            shutil.copyfileobj(src, dst)
        out["file_mb"] = big.stat().st_size / 2**20
        out["python_alone_mb"] = int(subprocess.run([sys.executable, "-c", _BASELINE_CHILD], capture_output=True, text=True, env=env).stdout)
        for how in ("stream", "whole"):
            res = subprocess.run([sys.executable, "-c", _READ_CHILD, str(big), how], capture_output=True, text=True, env=env)
            n, secs, mb = res.stdout.split() if res.returncode == 0 else ("0", "0", res.stderr[-200:])
            out[how] = {"articles": int(n), "seconds": float(secs), "peak_mb": mb}
        before = subprocess.run(["git", "-C", str(ROOT), "show", f"{BEFORE_COMMIT}:searchkit/corpus.py"], capture_output=True, text=True)
        if before.returncode == 0:
            (Path(tmp) / "corpus_before.py").write_text(before.stdout, "utf-8")
            res = subprocess.run([sys.executable, "-c", _BEFORE_CHILD, str(big), tmp], capture_output=True, text=True, env=env)
            n, secs, mb = res.stdout.split() if res.returncode == 0 else ("0", "0", res.stderr[-200:])
            out["before"] = {"articles": int(n), "seconds": float(secs), "peak_mb": mb}
        if full:
            out["index"] = index_peak(big, Path(tmp) / "index", env)
            # A quarter of the collection: the peak must not grow with the file's size.
            quarter = Path(tmp) / "quarter.jsonl"
            with open(big, "rb") as src, open(quarter, "wb") as dst:
                for n, line in enumerate(src):
                    if n >= 9000:
                        break
                    dst.write(line)
            out["index_quarter"] = index_peak(quarter, Path(tmp) / "index-quarter", env)
    return out


def index_peak(path: Path, index_dir: Path, env: dict[str, str]) -> dict[str, Any]:
    """Index ``path`` in a fresh process; its article count, seconds and peak memory."""
    res = subprocess.run([sys.executable, "-c", _INDEX_CHILD, str(path), str(index_dir)], capture_output=True, text=True, env=env)
    docs, secs, mb, skipped = res.stdout.split() if res.returncode == 0 else ("0", "0", res.stderr[-300:], "0")
    return {"documents": int(docs), "seconds": float(secs), "peak_mb": mb, "skipped": int(skipped)}


# -- report --------------------------------------------------------------------------


def report(html: dict[str, Any], pdf: dict[str, Any], mem: dict[str, Any], argv: list[str]) -> str:
    lines = [
        "# Ingestion (issue 13)",
        "",
        f"Command: `.venv/bin/python bench/ingest_speed.py {' '.join(argv)}`; CPU {cpu_model()}, shared 2 cores.",
        "",
        "## HTML: the 7 gold pages of html_fr_dev",
        "",
        "| extractor | pages/s | gold main-text snippets kept | furniture snippets kept |",
        "|---|---:|---:|---:|",
    ]
    for name, r in html.items():
        lines.append(f"| {name} | {r['pages_per_s']:.1f} | {r['main_text']} | {r['furniture']} |")
    lines += [
        "",
        f"## PDF: {pdf['documents']} OrangeSum articles as justified PDFs (1 and 2 columns, {pdf['pages']} pages)",
        "",
        "| extractor | pages/s | 6-word passages found | " + " | ".join(c for c, _, _ in pdf_cases()) + " |",
        "|---|---:|---:|" + "---|" * len(pdf_cases()),
    ]
    for name in ("pypdf (searchkit)", "pdfminer.six"):
        r = pdf[name]
        cells = " | ".join("yes" if ok else "no" for ok in r["cases"].values())
        lines.append(f"| {name} | {r['pages_per_s']:.1f} | {r['passages']:.3f} ({r['passages_n']}) | {cells} |")
    lines += [
        "",
        f"## Memory: one {mem['file_mb']:.0f} MiB .jsonl (OrangeSum, decompressed)",
        "",
        f"Peak resident memory (VmHWM) of the process; Python with searchkit's corpus imported and nothing read: {mem['python_alone_mb']} MB.",
        "",
        "| stage | articles | seconds | peak MB |",
        "|---|---:|---:|---:|",
        f"| read, streamed in parts of 500 (`read_parts`, what `index` does) | {mem['stream']['articles']} | {mem['stream']['seconds']} | {mem['stream']['peak_mb']} |",
        f"| read whole (`read_source`: every article in one list, as before) | {mem['whole']['articles']} | {mem['whole']['seconds']} | {mem['whole']['peak_mb']} |",
    ]
    if "before" in mem:
        b = mem["before"]
        lines.append(f"| read whole with the reader before issue 13 (corpus.py at {BEFORE_COMMIT}, no size limit) | {b['articles']} | {b['seconds']} | {b['peak_mb']} |")
    if "index" in mem:
        i = mem["index"]
        lines.append(f"| full `run_index` (dates on, actors off, 1 worker) | {i['documents']} | {i['seconds']} | {i['peak_mb']} |")
    if "index_quarter" in mem:
        q = mem["index_quarter"]
        lines.append(f"| the same on its first 9,000 lines (23 MB) | {q['documents']} | {q['seconds']} | {q['peak_mb']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pdfs", type=int, default=40, help="OrangeSum articles made into PDFs")
    ap.add_argument("--rounds", type=int, default=5, help="passes over the 7 HTML pages for the speed")
    ap.add_argument("--full", action="store_true", help="also index the 79 MB .jsonl (minutes)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "reports" / "ingest.md")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    html = bench_html(args.rounds)
    pdf = bench_pdf(args.pdfs)
    mem = bench_memory(args.full)
    text = report(html, pdf, mem, sys.argv[1:])
    args.out.write_text(text, "utf-8")
    print(text)


if __name__ == "__main__":
    main()
