"""Passage search on real French news: does a pasted passage find its source first?

What it is for: a repeatable measurement of the "I have a sentence, where does it come
from?" use: a reader pastes a dozen words copied from an article and expects that article
at rank 1. Data nobody here wrote (OrangeSum, see ../shared/data/orangesum/SOURCE.md): the
first N articles with a non-empty text are indexed as ``{"id", "title", "text"}`` records
(their real titles, as real collections have), and passages of 12 words (whitespace tokens),
copied verbatim from the article text, are the queries. Three kinds, ``--per-kind`` each
(default 100), each kind drawn with a fixed seed from distinct articles (and distinct groups
of list_of_duplicates.txt):

- ``quotes``: a quotation of the text (between « » or straight or curly double quotes) of
  at least 8 words: its first 12 words (all of them if it has 8 to 12);
- ``random runs``: 12 consecutive words from a random position of the text;
- ``stop-word runs near the start``: of the 12-word windows within the first 80 words,
  the one with the largest share of French stop words (searchkit/data/french_stop.txt; a
  word counts when, lowercased and stripped of surrounding punctuation, it is in the list;
  ties: the earliest window). The hard case: the words that tell the article apart are few.

Before querying, the characters ``"():*~?«»`` are replaced by spaces, for every system alike
(query syntax, as in bench/ranking.py's ``clean``). Relevant: every article of the sample whose
text contains the passage's words in order (lowercased, punctuation aside: copies exist), plus the other
members of the source's group in list_of_duplicates.txt. Scores per kind: first (a relevant
article at rank 1), top 10, MRR@10, and the latency of each query.

Systems, on the same docs: searchkit lexical and hybrid (one index, built with passage
vectors; ``Engine.search(..., collapse=False)``), and raw Whoosh (``LanguageAnalyzer("fr")``,
one body field of title + text, ``OrGroup``), built as bench/ranking.py builds them.

``--index-dir DIR`` keeps the indexes (DIR/searchkit, DIR/whoosh, the corpus in DIR/corpus and
what they were built from in DIR/built.json): absent, they are built; present, they are reused,
so a change to query-time code is measured in seconds. An index built from another sample
(other ``--n``) or without the vectors hybrid needs is refused, never overwritten.

What it must not do: read ../shared/holdout, or tune anything -- it only measures; and never
delete or rebuild an index it did not build (a reused one is only read).
With ``--opensearch URL``, searchkit lexical on the OpenSearch backend too (same records).

Run: ``.venv/bin/python bench/passages.py [--n 3000] [--per-kind 100] [--index-dir DIR] [--no-semantic] [--opensearch URL]``.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import platform
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "orangesum"
ARTICLES = DATA / "orangesum_articles.jsonl.gz"
DUPLICATES = DATA / "list_of_duplicates.txt"
STOP_WORDS = ROOT / "searchkit" / "data" / "french_stop.txt"
REPORT = ROOT / "bench" / "reports" / "passages.md"

sys.path.insert(0, str(ROOT))
from benchlib import cpu_model  # noqa: E402 - bench/ is this script's own folder

K = 10
WORDS = 12  # words of a passage
MIN_QUOTE = 8  # words of the shortest quotation taken
LEAD = 80  # stop-word runs: windows within the first LEAD words
SEED = 20240611
KINDS = ("quotes", "random runs", "stop-word runs near the start")
FAILURES_SHOWN = 10
_SYNTAX = re.compile(r'["():*~?«»]')
# A quotation: « ... », “ ... ”, or "..." whose opening quote does not close a word and whose
# closing one does not open one (straight quotes pair up in order, so a stray one would
# otherwise turn the text between two quotations into one).
_QUOTES = (
    re.compile(r"«\s*([^«»]+?)\s*»"),
    re.compile(r"“\s*([^“”]+?)\s*”"),
    re.compile(r'(?<!\w)"([^"]+?)"(?!\w)'),
)
_PUNCT = "\"'’«»“”.,;:!?()[]…-–—/"


def clean(query: str) -> str:
    return re.sub(r"\s+", " ", _SYNTAX.sub(" ", query)).strip()


def norm(text: str) -> str:
    """The form passages are looked up in: its words, lowercased, in order. An article
    holds a passage when it has the passage's words in that order, whatever the
    punctuation between them ("la Constitution et" and "la Constitution, et" are the
    same words; OrangeSum's paragraph joins ".Le" are a word boundary)."""
    return " " + " ".join(re.findall(r"\w+", text.lower())) + " "


# --- data ---------------------------------------------------------------------------------------
@dataclass
class Passage:
    kind: str
    source: str  # id of the article it was copied from
    text: str  # the 12 (or 8-12) words as they are in the article
    query: str  # clean(text): what every system is asked
    relevant: set[str]


@dataclass
class Sample:
    docs: list[dict]  # {"id", "title", "text"}
    passages: dict[str, list[Passage]]  # kind -> passages
    candidates: dict[str, int]  # kind -> articles that could give one
    digest: str  # of the indexed records: an index built from another sample is refused


def load_docs(n: int) -> list[dict]:
    """The first ``n`` articles with a non-empty text (file order = id order)."""
    docs: list[dict] = []
    with gzip.open(ARTICLES, "rt", encoding="utf-8") as fh:
        for line in fh:
            obj = json.loads(line)
            if not (obj.get("text") or "").strip():
                continue
            docs.append({"id": str(obj["id"]), "title": (obj.get("title") or "").strip(), "text": obj["text"]})
            if len(docs) >= n:
                break
    return docs


def duplicate_groups() -> dict[str, int]:
    """Article id -> its group's line number in list_of_duplicates.txt."""
    group_of: dict[str, int] = {}
    if DUPLICATES.exists():
        for gi, line in enumerate(DUPLICATES.read_text("utf-8").splitlines()):
            for name in line.split(","):
                name = name.strip().removesuffix(".json")
                if name:
                    group_of[name] = gi
    return group_of


def stop_words() -> frozenset[str]:
    return frozenset(w.strip().lower() for w in STOP_WORDS.read_text("utf-8").splitlines() if w.strip() and not w.startswith("#"))


def quote_passage(text: str, rng: random.Random) -> str | None:
    """The first 12 words of one quotation (drawn) of at least 8 words, or None."""
    found = []
    for pattern in _QUOTES:
        for m in pattern.finditer(text):
            words = m.group(1).split()
            if len(words) >= MIN_QUOTE:
                found.append((m.start(), words[:WORDS]))
    if not found:
        return None
    found.sort(key=lambda x: x[0])
    return " ".join(rng.choice(found)[1])


def random_run(text: str, rng: random.Random) -> str | None:
    words = text.split()
    if len(words) < WORDS:
        return None
    start = rng.randrange(len(words) - WORDS + 1)
    return " ".join(words[start:start + WORDS])


def stop_word_run(text: str, stops: frozenset[str]) -> str | None:
    """Of the 12-word windows within the first 80 words, the one with most stop words."""
    words = text.split()[:LEAD]
    if len(words) < WORDS:
        return None
    is_stop = [w.lower().strip(_PUNCT) in stops for w in words]
    best = max(range(len(words) - WORDS + 1), key=lambda s: (sum(is_stop[s:s + WORDS]), -s))
    return " ".join(words[best:best + WORDS])


def load_sample(n: int, per_kind: int) -> Sample:
    docs = load_docs(n)
    group_of = duplicate_groups()
    stops = stop_words()
    in_sample = {d["id"] for d in docs}
    members: dict[int, set[str]] = {}
    for rid, gi in group_of.items():
        if rid in in_sample:
            members.setdefault(gi, set()).add(rid)
    normed = [(d["id"], norm(d["text"])) for d in docs]
    makers: dict[str, Callable[[str, random.Random], str | None]] = {
        "quotes": quote_passage,
        "random runs": random_run,
        "stop-word runs near the start": lambda text, rng: stop_word_run(text, stops),
    }
    passages: dict[str, list[Passage]] = {}
    candidates: dict[str, int] = {}
    for i, kind in enumerate(KINDS):
        rng = random.Random(SEED + i)
        order = list(range(len(docs)))
        rng.shuffle(order)
        got: list[Passage] = []
        used: set[str] = set()  # articles and duplicate groups already drawn from
        count = 0
        for j in order:
            doc = docs[j]
            text = makers[kind](doc["text"], rng)
            if text is None:
                continue
            count += 1
            keys = {doc["id"]} | ({f"g:{group_of[doc['id']]}"} if doc["id"] in group_of else set())
            if len(got) >= per_kind or keys & used:
                continue
            used |= keys
            needle = norm(text)
            relevant = {rid for rid, body in normed if needle in body}
            assert doc["id"] in relevant, (doc["id"], text)
            if doc["id"] in group_of:
                relevant |= members.get(group_of[doc["id"]], set())
            got.append(Passage(kind, doc["id"], text, clean(text), relevant))
        passages[kind] = got
        candidates[kind] = count
    h = hashlib.blake2b(digest_size=12)
    for d in docs:
        h.update(json.dumps(d, ensure_ascii=False, sort_keys=True).encode())
    return Sample(docs, passages, candidates, h.hexdigest())


# --- systems ------------------------------------------------------------------------------------
SearchFn = Callable[[str], list[str]]


class QueryFailed(Exception):
    pass


@dataclass
class System:
    name: str
    search: SearchFn
    close: Callable[[], None] = lambda: None


@dataclass
class Built:
    """How an index came to be: built now (seconds) or reused (when it was built, in how long)."""

    name: str
    seconds: float
    reused: bool
    when: str = ""


class Store:
    """The folder the indexes live in, and the record of what they were built from."""

    def __init__(self, root: Path, sample: Sample, n: int) -> None:
        self.root = root
        self.file = root / "built.json"
        self.sample = sample
        self.n = n
        self.record: dict = json.loads(self.file.read_text("utf-8")) if self.file.exists() else {}

    def check(self, part: str) -> dict | None:
        """The record of ``part`` if it is there and from this sample; refuses another sample's."""
        rec = self.record.get(part)
        if rec and (rec.get("digest") != self.sample.digest or rec.get("n") != self.n):
            raise SystemExit(
                f"{self.root / part} was built from another sample (--n {rec.get('n')}); "
                f"use another --index-dir, or delete {self.root} to rebuild it"
            )
        return rec

    def save(self, part: str, **info: object) -> None:
        self.record[part] = {"n": self.n, "docs": len(self.sample.docs), "digest": self.sample.digest,
                             "built": time.strftime("%Y-%m-%d %H:%M"), **info}
        self.root.mkdir(parents=True, exist_ok=True)
        self.file.write_text(json.dumps(self.record, indent=1) + "\n", "utf-8")


def build_searchkit(docs: list[dict], store: Store, semantic: bool) -> tuple[list[System], Built]:
    """searchkit lexical and, with ``semantic``, hybrid, from one index with passage vectors."""
    from searchkit.errors import SearchkitError
    from searchkit.index.indexer import run_index
    from searchkit.search.engine import Engine

    index_dir = store.root / "searchkit"
    rec = store.check("searchkit")
    if rec and semantic and not rec.get("semantic"):
        raise SystemExit(f"{index_dir} has no passage vectors (built with --no-semantic): run with --no-semantic, or use another --index-dir")
    if rec:
        built = Built("searchkit", rec["seconds"], True, rec["built"])
    else:
        # Absent, or a build that did not finish: run_index brings it in line with the corpus.
        src = store.root / "corpus"
        src.mkdir(parents=True, exist_ok=True)
        jsonl = src / "orangesum_sample.jsonl"
        with jsonl.open("w", encoding="utf-8") as fh:
            for d in docs:
                fh.write(json.dumps({"id": d["id"], "title": d["title"], "text": d["text"]}, ensure_ascii=False) + "\n")
        t0 = time.perf_counter()
        report = run_index(roots=[jsonl], index_dir=index_dir, actors=False, dates=False, workers=2 if semantic else 1, semantic=semantic)
        seconds = time.perf_counter() - t0
        if report.documents != len(docs):
            print(f"warning: searchkit indexed {report.documents} of {len(docs)} docs; problems: {report.problems[:5]}", file=sys.stderr)
        store.save("searchkit", seconds=round(seconds, 1), semantic=semantic, documents=report.documents)
        built = Built("searchkit", seconds, False)
    engine = Engine.open(index_dir)

    def run(text: str, mode: str) -> list[str]:
        try:
            # collapse=False: this measures ranking, not grouping (a near-duplicate copy
            # shown in place of the relevant page would count as a miss here).
            res = engine.search(text, limit=K, facets=False, snippet_count=0, mode=mode, collapse=False)
        except SearchkitError as exc:  # QueryError: a miss, reported
            raise QueryFailed(f"{type(exc).__name__}: {exc}") from None
        return [h.id for h in res.hits]

    systems = [System("searchkit lexical", lambda text: run(text, "lexical"))]
    if semantic:
        systems.append(System("searchkit hybrid", lambda text: run(text, "hybrid")))
    systems[-1].close = engine.close
    return systems, built


def build_opensearch(docs: list[dict], store: Store, url: str) -> tuple[list[System], Built]:
    """searchkit lexical on the OpenSearch backend: the same records (the corpus
    build_searchkit wrote) in the index ``searchkit-bench-passages`` of the node at
    ``url``, rebuilt each run (OpenSearch keeps no record in ``--index-dir``)."""
    from searchkit import SearchKit
    from searchkit.errors import SearchkitError

    corpus = store.root / "corpus"
    kit = SearchKit.open(ROOT / "config.yaml", index_dir=store.root / "unused", corpus=corpus)
    kit.config.backend, kit.config.opensearch_url, kit.config.opensearch_index = "opensearch", url, "searchkit-bench-passages"
    kit.config.actors = kit.config.dates = kit.config.semantic = False
    kit.config.workers = 1
    t0 = time.perf_counter()
    kit.index(rebuild=True)
    seconds = time.perf_counter() - t0

    def run(text: str) -> list[str]:
        try:
            res = kit.search(text, limit=K, facets=False, snippets=0, mode="lexical", collapse=False)
        except SearchkitError as exc:
            raise QueryFailed(f"{type(exc).__name__}: {exc}") from None
        return [h.id for h in res.hits]

    system = System("searchkit lexical on OpenSearch", run)
    system.close = kit.close
    return [system], Built("searchkit on OpenSearch", seconds, False)


def build_whoosh(docs: list[dict], store: Store) -> tuple[list[System], Built]:
    """Raw Whoosh as bench/ranking.py's build_whoosh, on one body field of title + text."""
    from whoosh import index as windex
    from whoosh.analysis import LanguageAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import OrGroup, QueryParser

    index_dir = store.root / "whoosh"
    rec = store.check("whoosh")
    if rec and windex.exists_in(str(index_dir)):
        built = Built("raw Whoosh", rec["seconds"], True, rec["built"])
        ix = windex.open_dir(str(index_dir))
    else:
        if index_dir.exists():  # our own subfolder, from a build that did not finish
            shutil.rmtree(index_dir)
        index_dir.mkdir(parents=True)
        schema = Schema(id=ID(stored=True, unique=True), body=TEXT(analyzer=LanguageAnalyzer("fr")))
        t0 = time.perf_counter()
        ix = windex.create_in(str(index_dir), schema)
        writer = ix.writer()
        for d in docs:
            writer.add_document(id=d["id"], body=f"{d['title']}\n{d['text']}")
        writer.commit()
        seconds = time.perf_counter() - t0
        store.save("whoosh", seconds=round(seconds, 1))
        built = Built("raw Whoosh", seconds, False)
    parser = QueryParser("body", ix.schema, group=OrGroup)
    searcher = ix.searcher()

    def search(text: str) -> list[str]:
        try:
            q = parser.parse(text)
            return [r["id"] for r in searcher.search(q, limit=K)]
        except Exception as exc:  # noqa: BLE001 - raw Whoosh has no error contract
            raise QueryFailed(f"{type(exc).__name__}: {exc}") from None

    return [System("raw Whoosh LanguageAnalyzer('fr')", search, searcher.close)], built


# --- scoring ------------------------------------------------------------------------------------
@dataclass
class Outcome:
    passage: Passage
    rank: int | None  # of the first relevant article in the top 10
    top: str | None  # id at rank 1
    seconds: float
    error: str = ""


@dataclass
class Score:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.outcomes)

    @property
    def first(self) -> int:
        return sum(1 for o in self.outcomes if o.rank == 1)

    @property
    def top10(self) -> int:
        return sum(1 for o in self.outcomes if o.rank)

    @property
    def mrr(self) -> float:
        return sum(1 / o.rank for o in self.outcomes if o.rank) / self.n if self.n else 0.0

    def latency(self) -> tuple[float, float]:
        """Median and 95th percentile, in ms."""
        ms = sorted(1000 * o.seconds for o in self.outcomes)
        if not ms:
            return 0.0, 0.0
        return statistics.median(ms), ms[min(len(ms) - 1, int(0.95 * len(ms)))]


def evaluate(system: System, passages: list[Passage]) -> Score:
    score = Score()
    for p in passages:
        t0 = time.perf_counter()
        try:
            ranked = system.search(p.query)
            error = ""
        except QueryFailed as exc:
            ranked, error = [], str(exc)
        seconds = time.perf_counter() - t0
        rank = next((r for r, doc_id in enumerate(ranked[:K], start=1) if doc_id in p.relevant), None)
        score.outcomes.append(Outcome(p, rank, ranked[0] if ranked else None, seconds, error))
    return score


# --- report -------------------------------------------------------------------------------------
def machine() -> str:
    return f"{os.cpu_count()} cores ({cpu_model()}), Python {platform.python_version()}, {platform.system()} {platform.release()}"


def command(args: argparse.Namespace) -> str:
    return (".venv/bin/python bench/passages.py" + ("" if args.n == 3000 else f" --n {args.n}")
            + ("" if args.per_kind == 100 else f" --per-kind {args.per_kind}")
            + (f" --index-dir {args.index_dir}" if args.index_dir else "") + ("" if args.semantic else " --no-semantic")
            + (f" --opensearch {args.opensearch}" if args.opensearch else ""))


def render(args: argparse.Namespace, sample: Sample, systems: list[System], scores: dict[tuple[str, str], Score],
           builds: list[Built], total_seconds: float) -> str:
    import whoosh

    docs = sample.docs
    words = sum(len(d["text"].split()) for d in docs)
    titles = {d["id"]: d["title"] for d in docs}
    names = [s.name for s in systems]
    out: list[str] = []
    out.append("# Passage search: does a pasted passage find its source first?\n")
    out.append(
        f"Generated by `bench/passages.py`. **OrangeSum**: the first {len(docs):,} articles with a non-empty text "
        f"(ids {docs[0]['id']}..{docs[-1]['id']}, {words:,} words), indexed as `{{\"id\", \"title\", \"text\"}}`. "
        f"Queries: passages of {WORDS} words copied verbatim from the text of one article, drawn with a fixed seed "
        f"(each kind from distinct articles and duplicate groups):\n"
    )
    what = {
        "quotes": f"a quotation (« », “ ” or \"\") of at least {MIN_QUOTE} words, its first {WORDS} words",
        "random runs": f"{WORDS} consecutive words from a random position",
        "stop-word runs near the start": f"of the {WORDS}-word windows within the first {LEAD} words, the one with the most stop words",
    }
    for kind in KINDS:
        ps = sample.passages[kind]
        multi = sum(1 for p in ps if len(p.relevant) > 1)
        share = ""
        if kind == "stop-word runs near the start" and ps:
            stops = stop_words()
            ratio = [sum(w.lower().strip(_PUNCT) in stops for w in p.text.split()) / len(p.text.split()) for p in ps]
            share = f"; stop words {100 * statistics.mean(ratio):.0f}% of their words on average"
        length = f"; {statistics.mean(len(p.text.split()) for p in ps):.1f} words on average" if kind == "quotes" and ps else ""
        out.append(f"- **{kind}**: {what[kind]}. {len(ps)} passages (of {sample.candidates[kind]:,} articles that have one{length}{share}); "
                   f"{multi} with more than one relevant article.")
    out.append("")
    out.append(
        f"Relevant: every article of the sample whose text contains the passage's words in order (lowercased, punctuation aside), plus the "
        f"other members of the source's group in list_of_duplicates.txt.\n"
    )
    built = "; ".join(f"{b.name} reused (built {b.when} in {b.seconds:.0f} s)" if b.reused else f"{b.name} built in {b.seconds:.1f} s" for b in builds)
    out.append(f"Command: `{command(args)}`  \nMachine: {machine()}; Whoosh {whoosh.versionstring()}; total run {total_seconds:.0f} s "
               f"({built}).\n")
    out.append(f"## Source at rank 1 / in the top {K} (out of {args.per_kind}) / MRR@{K}\n")
    out.append("| passages | " + " | ".join(names) + " |")
    out.append("|---|" + "---:|" * len(names))
    rows = list(KINDS) + ["all"]
    for kind in rows:
        cells = [kind if kind != "all" else "**all kinds**"]
        for name in names:
            sc = scores[(name, kind)]
            fail = sum(1 for o in sc.outcomes if o.error)
            cells.append(f"{sc.first} / {sc.top10} / {sc.mrr:.3f}" + (f" ({fail} failed)" if fail else ""))
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    out.append("Latency per query, median / 95th percentile (ms, one process, after one warm-up query per system):\n")
    out.append("| passages | " + " | ".join(names) + " |")
    out.append("|---|" + "---:|" * len(names))
    for kind in rows:
        cells = [kind if kind != "all" else "**all kinds**"]
        for name in names:
            med, p95 = scores[(name, kind)].latency()
            cells.append(f"{med:.0f} / {p95:.0f}")
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    out.append("## How it is measured\n")
    out.append(
        "- Every passage has the characters `\"():*~?«»` replaced by spaces, identically for every system (query syntax). "
        "A query a system rejects counts as a miss (listed below with its error).\n"
        "- searchkit lexical / hybrid: one index, `searchkit.index.indexer.run_index` over a `.jsonl` of "
        "`{\"id\", \"title\", \"text\"}` (actors and dates off, 2 workers, `semantic=True`: a passage vector per article "
        "from multilingual-e5-small), then `Engine.search(q, limit=10, facets=False, snippet_count=0, collapse=False, "
        "mode=...)` with mode `lexical` and `hybrid`.\n"
        "- raw Whoosh: `Schema(id=ID, body=TEXT(analyzer=LanguageAnalyzer(\"fr\")))`, body = title + newline + text, "
        "`QueryParser(\"body\", schema, group=OrGroup)`, default BM25F, `searcher.search(q, limit=10)`.\n"
        "- first: passages with a relevant article at rank 1; top 10: in the first 10; MRR@10: mean of 1/rank of the "
        "first relevant article (0 past 10).\n"
        "- With `--index-dir`, indexes found there (built from the same sample) are reused: the build time above is then "
        "that of their first run.\n"
    )
    out.append(f"## Passages not found first (at most {FAILURES_SHOWN} per kind and system)\n")
    out.append("Rank of the first relevant article (– : not in the top 10), the passage as queried, its source, "
               "and the article ranked first instead.\n")
    for name in names:
        for kind in KINDS:
            misses = [o for o in scores[(name, kind)].outcomes if o.rank != 1]
            out.append(f"### {name} / {kind}: {len(misses)} not first\n")
            if not misses:
                continue
            for o in misses[:FAILURES_SHOWN]:
                rank = "–" if o.rank is None else str(o.rank)
                instead = f"error: {o.error}" if o.error else (f"first: {o.top} «{titles.get(o.top or '', '')}»" if o.top else "no hit")
                out.append(f"- {rank}: `{o.passage.query}` (source {o.passage.source}; {instead})")
            if len(misses) > FAILURES_SHOWN:
                out.append(f"- ... and {len(misses) - FAILURES_SHOWN} more")
            out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=3000, help="articles to index (default 3000)")
    ap.add_argument("--per-kind", type=int, default=100, help="passages of each kind (default 100)")
    ap.add_argument("--index-dir", type=Path, help="keep the indexes here: built if absent, reused if present")
    ap.add_argument("--out", type=Path, default=REPORT)
    ap.add_argument("--no-semantic", dest="semantic", action="store_false", help="skip hybrid (no passage vectors: much faster to build)")
    ap.add_argument("--opensearch", metavar="URL", help="also searchkit lexical on the OpenSearch node at URL (e.g. `make -s opensearch`)")
    args = ap.parse_args(argv)
    if not ARTICLES.exists():
        print(f"skipped: {ARTICLES} not found (OrangeSum is needed for this benchmark)")
        return 0
    started = time.perf_counter()
    sample = load_sample(args.n, args.per_kind)
    print(f"{len(sample.docs)} docs; passages: " + ", ".join(f"{k} {len(v)}" for k, v in sample.passages.items()), file=sys.stderr)
    work = args.index_dir.resolve() if args.index_dir else Path(tempfile.mkdtemp(prefix="searchkit-passages-"))
    store = Store(work, sample, args.n)
    systems: list[System] = []
    builds: list[Built] = []
    scores: dict[tuple[str, str], Score] = {}
    try:
        builders = [lambda: build_searchkit(sample.docs, store, args.semantic), lambda: build_whoosh(sample.docs, store)]
        if args.opensearch:
            builders.append(lambda: build_opensearch(sample.docs, store, args.opensearch))
        for build in builders:
            built_systems, built = build()
            builds.append(built)
            print(f"{built.name}: " + (f"reused (built {built.when})" if built.reused else f"built in {built.seconds:.1f} s"), file=sys.stderr)
            for sysm in built_systems:
                systems.append(sysm)
                try:
                    sysm.search("le gouvernement a annoncé une réforme")  # warm-up: models, caches
                except QueryFailed:
                    pass
                everything = Score()
                for kind in KINDS:
                    sc = evaluate(sysm, sample.passages[kind])
                    scores[(sysm.name, kind)] = sc
                    everything.outcomes += sc.outcomes
                    print(f"  {sysm.name} / {kind}: first {sc.first}/{sc.n} top{K} {sc.top10} MRR@{K} {sc.mrr:.3f} "
                          f"(median {sc.latency()[0]:.0f} ms)", file=sys.stderr)
                scores[(sysm.name, "all")] = everything
            for sysm in built_systems:
                sysm.close()
    finally:
        if not args.index_dir:
            shutil.rmtree(work, ignore_errors=True)
    text = render(args, sample, systems, scores, builds, time.perf_counter() - started)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", "utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
