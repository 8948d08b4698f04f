"""Ranking quality on real French news: searchkit vs raw Whoosh, known-item retrieval.

What it is for: a repeatable measurement of how well searchkit *ranks*, on data nobody
here wrote (OrangeSum, see ../shared/data/orangesum/SOURCE.md). Known-item task: index
the article **text only** (no title, no abstract) of a fixed sample of N articles, then
query with the title (or the abstract) of Q of them; the relevant document is the
article the title belongs to (plus its exact duplicates: same text, or same group in
OrangeSum's list_of_duplicates.txt). Scores: MRR@10 and Recall@10, each counted two ways:
by groups (searchkit searched with ``collapse=True``, its default: a near-duplicate group is
one hit; relevant = the target and its exact copies, ``with_copies``) and by ids
(``collapse=False``; relevant = the qrel page alone on PIAF, as before).

Query sets, identical for every system:
- ``titles``: the article title;
- ``titles (no accents)``: the title passed through unidecode, as typed on a keyboard
  without accents ("Sécurité routière" -> "Securite routiere");
- ``abstracts``: the article's abstract ("heading");
- ``abstracts, titles indexed``: the same abstracts over the same articles indexed with
  their titles (searchkit: ``{"id", "title", "text"}`` records; raw Whoosh: title and text
  in its one field): real articles have titles.
Before querying, the characters ``"():*~?`` are replaced by spaces in every query, for
every system alike (they are query syntax in Whoosh and in searchkit, and titles are
natural language). A query a system still rejects counts as a miss and is reported.

Systems, on the same docs:
1. searchkit: ``searchkit.index.indexer.run_index`` over a temporary .jsonl of ``{"id", "text"}``
   (actors and dates off), queried through ``searchkit.search.engine.Engine.search``. A
   record with no ``title`` has none indexed (its first line is shown, not indexed).
2. raw Whoosh: one TEXT ``body`` field with ``LanguageAnalyzer("fr")``,
   ``QueryParser("body", schema, group=OrGroup)``, default BM25F.
3. raw Whoosh + accent folding (``| CharsetFilter(accent_map)``): the obvious cheap fix,
   shown for reference.

What it must not do: read ../shared/holdout, or tune anything -- it only measures.
Also, first: the PIAF question sets (``load_piaf``), and with ``semantic`` (the default) the
hybrid ranking and e5 alone from the same index, and the fusion grid: every fusion tried
on the PIAF dev questions (which choose) and the news titles and abstracts (a floor: never
below lexical search alone).
Run: ``.venv/bin/python bench/ranking.py [--n 5000] [--q 300] [--no-semantic]``.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "orangesum"
ARTICLES = DATA / "orangesum_articles.jsonl.gz"
DUPLICATES = DATA / "list_of_duplicates.txt"
REPORT = ROOT / "bench" / "reports" / "ranking.md"

sys.path.insert(0, str(ROOT))
from benchlib import cpu_model  # noqa: E402 - bench/ is this script's own folder

K = 10
_SYNTAX = re.compile(r'["():*~?]')


def clean(query: str) -> str:
    return re.sub(r"\s+", " ", _SYNTAX.sub(" ", query)).strip()


def copy_key(text: str) -> str:
    """Two pages are exact copies when this is equal: the text NFC-normalised, case-folded,
    its whitespace runs made one space."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def with_copies(relevant: dict[str, set[str]], docs: list[dict]) -> dict[str, set[str]]:
    """``relevant`` counted by groups: each set plus every exact copy (``copy_key``) of its
    members in ``docs``."""
    by_key: dict[str, set[str]] = {}
    key_of: dict[str, str] = {}
    for d in docs:
        key_of[d["id"]] = k = copy_key(d["text"])
        by_key.setdefault(k, set()).add(d["id"])
    return {t: set().union(rel, *(by_key.get(key_of.get(x, ""), set()) for x in rel)) for t, rel in relevant.items()}


# --- data ---------------------------------------------------------------------------------------
@dataclass
class Sample:
    docs: list[dict]  # {"id": str, "text": str}
    queries: dict[str, list[tuple[str, str]]]  # set name -> [(target id, query)]
    relevant: dict[str, set[str]]  # target id -> relevant ids, counted by ids (the target [+ duplicates])
    groups: dict[str, set[str]] = field(default_factory=dict)  # target id -> relevant ids, counted by groups
    multi_relevant: int = 0
    step: int = 1
    eligible: int = 0
    titles: dict[str, str] = field(default_factory=dict)  # id -> the article's title (OrangeSum)


def load_sample(n: int, q: int) -> Sample:
    """The first ``n`` articles with a non-empty text (file order = id order); the
    queries are every (n // q)-th of them with a non-empty title and abstract."""
    rows: list[dict] = []
    with gzip.open(ARTICLES, "rt", encoding="utf-8") as fh:
        for line in fh:
            obj = json.loads(line)
            if not (obj.get("text") or "").strip():
                continue
            rows.append(obj)
            if len(rows) >= n:
                break
    docs = [{"id": str(r["id"]), "text": r["text"]} for r in rows]
    # Duplicates: identical text, or one group of list_of_duplicates.txt.
    group_of: dict[str, int] = {}
    if DUPLICATES.exists():
        for gi, line in enumerate(DUPLICATES.read_text("utf-8").splitlines()):
            for name in line.split(","):
                name = name.strip().removesuffix(".json")
                if name:
                    group_of[name] = gi
    by_key: dict[str, set[str]] = {}
    for r in rows:
        rid = str(r["id"])
        keys = ["t:" + hashlib.blake2b(r["text"].strip().encode(), digest_size=12).hexdigest()]
        if rid in group_of:
            keys.append(f"g:{group_of[rid]}")
        for key in keys:
            by_key.setdefault(key, set()).add(rid)
    eligible = [r for r in rows if (r.get("title") or "").strip() and (r.get("abstract") or "").strip()]
    step = max(1, len(eligible) // q)
    picked = eligible[::step][:q]
    relevant: dict[str, set[str]] = {}
    for r in picked:
        rid = str(r["id"])
        rel = {rid}
        keys = ["t:" + hashlib.blake2b(r["text"].strip().encode(), digest_size=12).hexdigest()]
        if rid in group_of:
            keys.append(f"g:{group_of[rid]}")
        for key in keys:
            rel |= by_key.get(key, set())
        relevant[rid] = rel
    from unidecode import unidecode

    queries = {
        "titles": [(str(r["id"]), clean(r["title"])) for r in picked],
        "titles, no accents": [(str(r["id"]), clean(unidecode(r["title"]))) for r in picked],
        "abstracts": [(str(r["id"]), clean(r["abstract"])) for r in picked],
    }
    multi = sum(1 for v in relevant.values() if len(v) > 1)
    titles = {str(r["id"]): (r.get("title") or "").strip() for r in rows}
    return Sample(docs, queries, relevant, with_copies(relevant, docs), multi, step, len(eligible), titles)


TITLED = "abstracts, titles indexed"


def with_titles(sample: Sample) -> Sample:
    """The same articles indexed with their titles (``{"id", "title", "text"}``), queried by
    the same abstracts, with the same relevant docs."""
    docs = [{**d, "title": sample.titles.get(d["id"], "")} for d in sample.docs]
    return Sample(docs, {TITLED: sample.queries["abstracts"]}, sample.relevant, sample.groups, sample.multi_relevant, sample.step, sample.eligible, sample.titles)


PIAF = ROOT.parent / "shared" / "data" / "piaf_ir_dev"


def load_piaf(name: str) -> Sample:
    """A PIAF question set: the whole corpus, the dev questions (one qrel page each; counted
    by groups, that page's exact copies too), asked as written and without accents."""
    from unidecode import unidecode

    docs = []
    with (PIAF / f"{name}_corpus.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            obj = json.loads(line)
            docs.append({"id": str(obj["doc_id"]), "text": obj["text"]})
    target: dict[str, str] = {}
    for line in (PIAF / f"{name}_dev_qrels.txt").read_text("utf-8").splitlines():
        qid, _, doc_id, _ = line.split()
        target[qid] = doc_id
    asked: list[tuple[str, str]] = []
    for line in (PIAF / f"{name}_dev_queries.tsv").read_text("utf-8").splitlines():
        qid, _, question = line.partition("\t")
        asked.append((target[qid], clean(question)))
    queries = {f"{name} questions": asked, f"{name}, no accents": [(t, unidecode(q)) for t, q in asked]}
    relevant = {t: {t} for t, _ in asked}
    groups = with_copies(relevant, docs)
    return Sample(docs, queries, relevant, groups, sum(1 for v in groups.values() if len(v) > 1), 1, len(asked))


# --- systems ------------------------------------------------------------------------------------
SearchFn = Callable[[str], list[str]]


@dataclass
class System:
    name: str
    build_seconds: float
    search: SearchFn  # the ranking counted by ids (searchkit: collapse=False)
    close: Callable[[], None] = lambda: None
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (set, query, error)
    grouped: SearchFn | None = None  # the ranking counted by groups (searchkit: collapse=True); None: ``search``


def build_searchkit(docs: list[dict], work: Path, semantic: bool = False, tokens: int | None = 256) -> list[System]:
    """searchkit's lexical ranking; with ``semantic``, the same index with passage vectors
    also gives the hybrid ranking and e5 alone (searchkit's semantic mode: the query's
    vector against each article's title + lead vector, nothing lexical); ``tokens``: the
    lead's length (``RunOptions.semantic_tokens``)."""
    from searchkit.errors import SearchkitError
    from searchkit.index.indexer import run_index
    from searchkit.search.engine import Engine

    src = work / "sk_corpus"
    src.mkdir(exist_ok=True)
    jsonl = src / "orangesum_sample.jsonl"
    with jsonl.open("w", encoding="utf-8") as fh:
        for d in docs:
            record = {"id": d["id"], "title": d["title"], "text": d["text"]} if d.get("title") else {"id": d["id"], "text": d["text"]}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    index_dir = work / f"sk_index_{tokens}"
    t0 = time.perf_counter()
    report = run_index(roots=[jsonl], index_dir=index_dir, actors=False, dates=False, workers=2 if semantic else 1, semantic=semantic,
                       semantic_tokens=tokens)
    seconds = time.perf_counter() - t0
    if report.documents != len(docs):
        print(f"warning: searchkit indexed {report.documents} of {len(docs)} docs; problems: {report.problems[:5]}", file=sys.stderr)
    engine = Engine.open(index_dir)
    if semantic:
        # One query vector per question, whatever the mode or fusion tried.
        similarity, memo = engine.backend.semantic.similarity, {}
        engine.backend.semantic.similarity = lambda text, order: memo[text] if text in memo else memo.setdefault(text, similarity(text, order))

    def run(text: str, mode: str = "lexical", collapse: bool = False) -> list[str]:
        try:
            # collapse=False for the figures counted by ids (a near-duplicate copy shown in
            # place of the relevant page would count as a miss there); collapse=True, the
            # default of a search, for the figures counted by groups.
            res = engine.search(text, limit=K, facets=False, snippet_count=0, mode=mode, collapse=collapse)
        except SearchkitError as exc:  # QueryError: a miss, reported
            raise QueryFailed(f"{type(exc).__name__}: {exc}") from None
        return [h.id for h in res.hits]

    def system(name: str, mode: str) -> System:
        return System(name, seconds, lambda text: run(text, mode), grouped=lambda text: run(text, mode, collapse=True))

    systems = [system("searchkit lexical", "lexical")]
    if semantic:
        systems.append(system("searchkit hybrid", "hybrid"))
        systems.append(system("e5 alone", "semantic"))
    systems[-1].close = engine.close
    systems[0].engine = engine  # type: ignore[attr-defined] - for the fusion grid
    return systems


def build_whoosh(docs: list[dict], work: Path, fold: bool) -> System:
    from whoosh import index as windex
    from whoosh.analysis import CharsetFilter, LanguageAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import OrGroup, QueryParser
    from whoosh.support.charset import accent_map

    analyzer = LanguageAnalyzer("fr")
    if fold:
        analyzer = analyzer | CharsetFilter(accent_map)
    schema = Schema(id=ID(stored=True, unique=True), body=TEXT(analyzer=analyzer))
    index_dir = work / ("wh_fold" if fold else "wh_index")
    index_dir.mkdir()
    t0 = time.perf_counter()
    ix = windex.create_in(str(index_dir), schema)
    writer = ix.writer()
    for d in docs:
        # A title (the titled collection) goes in the one field, before the text.
        writer.add_document(id=d["id"], body=f"{d['title']}\n{d['text']}" if d.get("title") else d["text"])
    writer.commit()
    seconds = time.perf_counter() - t0
    parser = QueryParser("body", ix.schema, group=OrGroup)
    searcher = ix.searcher()

    def search(text: str) -> list[str]:
        try:
            q = parser.parse(text)
            return [r["id"] for r in searcher.search(q, limit=K)]
        except Exception as exc:  # noqa: BLE001 - raw Whoosh has no error contract
            raise QueryFailed(f"{type(exc).__name__}: {exc}") from None

    name = "raw Whoosh fr + accent folding" if fold else "raw Whoosh LanguageAnalyzer('fr')"
    return [System(name, seconds, search, searcher.close)]


class QueryFailed(Exception):
    pass


def extra_builders(docs: list[dict], work: Path) -> list[Callable[[], list[System]]]:
    """Room for more peers."""
    return []


FUSIONS = {
    **{f"RRF k={k}, semantic weight {w}": {"method": "rrf", "k": k, "semantic_weight": w, "long_query": 0} for k in (10, 30, 60, 100) for w in (0.5, 1.0, 1.5)},
    **{f"min-max, semantic weight {w}": {"method": "minmax", "semantic_weight": w, "long_query": 0} for w in (0.5, 1.0, 1.5, 2.0)},
    **{f"z-score, semantic weight {w}": {"method": "zscore", "semantic_weight": w, "long_query": 0} for w in (0.5, 0.75, 1.0, 1.5, 2.0)},
    **{f"{m}, semantic weight {w}, shrinking past {n} words": {"method": k, "semantic_weight": w, "long_query": n}
       for k, m, w in (("minmax", "min-max", 1.5), ("zscore", "z-score", 1.0)) for n in (16, 20, 24)},
}
# The question sets the fusion is chosen on, and the news sets it is checked on.
GRID_SETS = {"spf": ["spf questions"], "cnil": ["cnil questions"], "OrangeSum": ["titles", "abstracts"], "OrangeSum + titles": [TITLED]}
QUESTION_SETS = ("spf", "cnil")


def fusion_grid(engine: object, coll: Sample, set_names: list[str]) -> dict[str, dict[str, float]]:
    """MRR@10 of hybrid search on each of ``set_names`` for each fusion tried."""
    from dataclasses import replace

    base = engine.backend.fusion  # type: ignore[attr-defined]
    out: dict[str, dict[str, float]] = {}
    for set_name in set_names:
        out[set_name] = {}
        for name, params in FUSIONS.items():
            engine.backend.fusion = replace(base, **params)  # type: ignore[attr-defined]
            system = System(name, 0.0, lambda text: [h.id for h in engine.search(text, limit=K, facets=False, snippet_count=0, mode="hybrid", collapse=False).hits])  # type: ignore[attr-defined]
            out[set_name][name] = evaluate(system, set_name, coll.queries[set_name], coll.relevant).mrr
    engine.backend.fusion = base  # type: ignore[attr-defined]
    return out


def render_grid(grid: dict[str, dict[str, float]], scores: dict[tuple[str, str], Score]) -> str:
    chosen = [l for coll in QUESTION_SETS for l in GRID_SETS[coll] if l in grid]
    labels = list(grid)
    lines = ["## Fusion\n", f"Hybrid MRR@{K} for each fusion tried. The questions (left) choose; the news sets (right) check that a fusion "
             "is never below lexical search alone, whose MRR is in the last row. Mean: of the question sets.\n",
             "| fusion | " + " | ".join(labels) + " | mean of questions |", "|---|" + "---:|" * (len(labels) + 1)]
    means = {name: sum(grid[l][name] for l in chosen) / max(1, len(chosen)) for name in FUSIONS}
    best = max(means.values())
    for name in FUSIONS:
        cells = [f"{grid[l][name]:.3f}" for l in labels]
        mean = f"{means[name]:.3f}"
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {'**' + mean + '**' if means[name] == best else mean} |")
    lines.append("| *lexical alone* | " + " | ".join(f"{scores[('searchkit lexical', l)].mrr:.3f}" if ("searchkit lexical", l) in scores else "–" for l in labels) + " | |")
    return "\n".join(lines) + "\n"


# --- scoring ------------------------------------------------------------------------------------
@dataclass
class Score:
    mrr: float
    recall: float
    n: int
    failed: int
    seconds: float
    rr: list[float] = field(default_factory=list)  # reciprocal rank of each query, in order


def paired_interval(a: list[float], b: list[float], rounds: int = 2000) -> tuple[float, float]:
    """95% paired bootstrap interval of mean(a) - mean(b) over the same queries: how far
    a difference of MRR could move with another draw of queries (fixed seed)."""
    import numpy as np

    d = np.asarray(a) - np.asarray(b)
    if not len(d):
        return 0.0, 0.0
    means = d[np.random.default_rng(0).integers(0, len(d), (rounds, len(d)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


@dataclass
class Run:
    """One system's ranked ids for each query of a set (None: the query failed)."""

    ranked: list[list[str] | None]
    seconds: float


def run_set(system: System, set_name: str, queries: list[tuple[str, str]], search: SearchFn | None = None) -> Run:
    search = search or system.search
    ranked: list[list[str] | None] = []
    t0 = time.perf_counter()
    for _, text in queries:
        try:
            ranked.append(search(text))
        except QueryFailed as exc:
            system.errors.append((set_name, text, str(exc)))
            ranked.append(None)
    return Run(ranked, time.perf_counter() - t0)


def score(run: Run, queries: list[tuple[str, str]], relevant: dict[str, set[str]]) -> Score:
    rr: list[float] = []
    for (target, _), ranked in zip(queries, run.ranked):
        rel = relevant[target]
        rr.append(next((1.0 / rank for rank, doc_id in enumerate((ranked or [])[:K], start=1) if doc_id in rel), 0.0))
    n = len(queries)
    hits = sum(1 for x in rr if x)
    failed = sum(1 for x in run.ranked if x is None)
    return Score(sum(rr) / n if n else 0.0, hits / n if n else 0.0, n, failed, run.seconds, rr)


def evaluate(system: System, set_name: str, queries: list[tuple[str, str]], relevant: dict[str, set[str]]) -> Score:
    """``system.search`` on ``queries``, counted against ``relevant``."""
    return score(run_set(system, set_name, queries), queries, relevant)


def evaluate_both(system: System, set_name: str, queries: list[tuple[str, str]], coll: "Sample") -> tuple[Score, Score]:
    """(counted by ids, counted by groups): ``search`` against the ids of ``coll.relevant``,
    ``grouped`` (or the same ranking when the system has none) against ``coll.groups``."""
    by_ids = run_set(system, set_name, queries)
    if system.grouped is None:
        return score(by_ids, queries, coll.relevant), score(by_ids, queries, coll.groups)
    errors = len(system.errors)
    by_groups = run_set(system, set_name, queries, system.grouped)
    del system.errors[errors:]  # the same query text fails alike in both runs: listed once
    return score(by_ids, queries, coll.relevant), score(by_groups, queries, coll.groups)


# --- report -------------------------------------------------------------------------------------
def machine() -> str:
    return f"{os.cpu_count()} cores ({cpu_model()}), Python {platform.python_version()}, {platform.system()} {platform.release()}"


def _table(scores: dict[tuple[str, str], Score], names: list[str], sets: list[str]) -> list[str]:
    out = ["| query set | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for s in sets:
        cells = [s]
        best = max((scores[(n, s)].mrr for n in names if (n, s) in scores), default=0.0)
        for n in names:
            sc = scores.get((n, s))
            if sc is None:
                cells.append("–")
                continue
            fail = f" ({sc.failed} failed)" if sc.failed else ""
            mrr = f"{sc.mrr:.3f}"
            cells.append((f"**{mrr}**" if sc.mrr == best else mrr) + f" / {sc.recall:.3f}{fail}")
        out.append("| " + " | ".join(cells) + " |")
    return out


def _differences(scores: dict[tuple[str, str], Score], names: list[str], sets: list[str], counted: str) -> list[str]:
    out = []
    base = next((x for x in names if x.startswith("raw Whoosh LanguageAnalyzer")), None)
    if base:
        for other in names:
            if other == base:
                continue
            diffs = ", ".join(_difference(scores[(other, s)], scores[(base, s)], s) for s in sets if (other, s) in scores and (base, s) in scores)
            out.append(f"- {other} minus raw Whoosh, MRR@{K} {counted} [95% paired bootstrap interval; queries ranked better / worse]: {diffs}.")
    return out


def _copies_line(collections: list[tuple[str, "Sample"]]) -> str:
    parts = []
    for label, c in collections:
        targets = {t for qs in c.queries.values() for t, _ in qs}
        parts.append(f"{label} {sum(1 for t in targets if len(c.groups[t]) > len(c.relevant[t]))} of {len(targets)}")
    return "Targets that gain relevant copies when counted by groups: " + ", ".join(parts) + "."


def render(args: argparse.Namespace, sample: Sample, systems: list[System], scores: dict[tuple[str, str], Score], scores_ids: dict[tuple[str, str], Score], total_seconds: float, sets: list[str] | None = None, builds: dict[tuple[str, str], float] | None = None, collections: list[tuple[str, "Sample"]] | None = None) -> str:
    import whoosh

    sets = sets or list(sample.queries)
    collections = collections or [("OrangeSum", sample)]
    words = sum(len(d["text"].split()) for d in sample.docs)
    cmd = (".venv/bin/python bench/ranking.py" + ("" if args.n == 5000 else f" --n {args.n}") + ("" if args.q == 300 else f" --q {args.q}")
           + ("" if args.semantic else " --no-semantic") + (" --no-fold-baseline" if args.no_fold_baseline else ""))
    out: list[str] = []
    out.append("# Ranking quality: French questions (PIAF) and known-item news search (OrangeSum)\n")
    out.append(
        "Generated by `bench/ranking.py`. **PIAF** (`../shared/data/piaf_ir_dev/`, dev questions only): `spf`, 535 "
        "service-public.fr pages and 271 questions; `cnil`, 524 CNIL help pages and 262 questions; one qrel page "
        "per question (counted by groups, its exact copies in the corpus too); each corpus indexed whole, as `{\"id\", \"text\"}` records. Questions asked as written and "
        "without accents (unidecode).\n"
    )
    out.append(
        f"**OrangeSum**: the first {len(sample.docs):,} articles with a non-empty "
        f"text (ids {sample.docs[0]['id']}..{sample.docs[-1]['id']}, {words:,} words), indexed on their **text only**. "
        f"Queries: {len(sample.queries['titles'])} of those articles (every {sample.step}th of the "
        f"{sample.eligible:,} that have a title and an abstract), "
        f"queried by title, by title without accents (unidecode), and by abstract. Relevant: the article itself "
        f"(+ its duplicates in the sample: same text or same group in list_of_duplicates.txt; "
        f"{sample.multi_relevant} queries have more than one relevant doc).\n"
    )
    if any(label == "OrangeSum + titles" for label, _ in collections):
        out.append(
            f"**OrangeSum + titles** (set `{TITLED}`): the same {len(sample.docs):,} articles indexed **with their titles** "
            f"({sum(1 for d in sample.docs if sample.titles.get(d['id']))} have one), the same abstract queries and relevant "
            "docs. searchkit indexes `{\"id\", \"title\", \"text\"}` records (title field boosted 2x); raw Whoosh puts "
            "the title and the text in its one `body` field.\n"
        )
    out.append(f"Command: `{cmd}`  \nMachine: {machine()}; Whoosh {whoosh.versionstring()}; total run {total_seconds:.0f} s.\n")
    names = [x.name for x in systems]
    out.append(f"## MRR@{K} / Recall@{K}, counted by groups\n")
    out.append("A near-duplicate group searchkit collapses is one hit, relevant when it or one of its members is: "
               "relevant = the target page and its exact copies in the corpus (see *How it is measured*); searchkit "
               "searched as it ships (`collapse=True`).\n")
    out += _table(scores, names, sets)
    out.append("")
    out.append(f"## MRR@{K} / Recall@{K}, counted by ids\n")
    out.append("The previous measure: relevant = the qrel page alone on PIAF (its exact copies count as misses), the "
               "article and its duplicates on OrangeSum; searchkit searched with `collapse=False`.\n")
    out += _table(scores_ids, names, sets)
    if builds:
        out.append("")
        out.append("Index build (seconds): " + "; ".join(f"{n} on {c}: {t:.1f}" for (n, c), t in builds.items()) + ".")
    out.append("")
    out.append("Query time (all queries of a set, one process; searchkit as counted by groups, `collapse=True`):\n")
    out.append("| system | " + " | ".join(sets) + " |")
    out.append("|---|" + "---:|" * len(sets))
    for sysm in systems:
        out.append("| " + sysm.name + " | " + " | ".join(
            f"{scores[(sysm.name, s)].seconds:.1f} s ({1000 * scores[(sysm.name, s)].seconds / max(1, scores[(sysm.name, s)].n):.0f} ms/q)" if (sysm.name, s) in scores else "–" for s in sets
        ) + " |")
    out.append("")
    out.append("## Reading the tables\n")
    out += _differences(scores, names, sets, "by groups")
    out += _differences(scores_ids, names, sets, "by ids")
    if "titles" in sets and "titles, no accents" in sets:
        drops = ", ".join(f"{x} {scores[(x, 'titles, no accents')].mrr - scores[(x, 'titles')].mrr:+.3f}" for x in names if (x, "titles") in scores)
        out.append(f"- Typing titles without accents changes MRR@{K} by: {drops}.")
    out.append("")
    out.append("## How it is measured\n")
    out.append(
        "- Every query has the characters `\"():*~?` replaced by spaces, identically for every system "
        "(they are query syntax; titles and abstracts are natural language). A query a system still rejects counts "
        "as a miss (listed below).\n"
        "- searchkit lexical / hybrid, e5 alone: one index per collection, `searchkit.index.indexer.run_index` over a temporary "
        "`.jsonl` of `{\"id\", \"text\"}` (`{\"id\", \"title\", \"text\"}` on OrangeSum + titles; actors and dates off, 2 workers, `semantic=True`: a passage vector per "
        "article from multilingual-e5-small, title + first 256 tokens), then `Engine.search(q, limit=10, facets=False, "
        "snippet_count=0, collapse=..., mode=...)` with mode `lexical`, `hybrid` and `semantic` (= e5 alone: the "
        "query's vector against the passage vectors, nothing lexical). Build times include embedding. A record with "
        "no `title` has none indexed (its first line is shown, not indexed).\n"
        "- raw Whoosh: `Schema(id=ID, body=TEXT(analyzer=LanguageAnalyzer(\"fr\")))` (on OrangeSum + titles, "
        "`body` = title, newline, text), "
        "`QueryParser(\"body\", schema, group=OrGroup)`, default BM25F, `searcher.search(q, limit=10)`.\n"
        "- raw Whoosh + accent folding (when not run with --no-fold-baseline): the same with "
        "`| CharsetFilter(accent_map)` (folds after stemming), for reference.\n"
        f"- MRR@{K}: mean of 1/rank of the first relevant doc in the top {K} (0 if absent). "
        f"R@{K}: share of queries with a relevant doc in the top {K}.\n"
        "- Counted by groups (the first table): searchkit collapses near-duplicates by default (MinHash groups, "
        "`collapse=True`): a group is one hit, shown as its best-ranked member, which need not be the page a qrel "
        "names. So a hit is relevant when it is the target page or one of its exact copies in that corpus (same "
        "text once NFC-normalised, case-folded and its whitespace collapsed; on OrangeSum also the duplicates "
        "counted by ids below), for every system alike; searchkit is searched with `collapse=True`, the other "
        "systems have no collapsing and rank as they do. "
        f"{_copies_line(collections)}\n"
        "- Counted by ids (the second table, the previous measure): relevant = the qrel page alone on PIAF; on "
        "OrangeSum the article plus its duplicates (same stripped text, or same group of list_of_duplicates.txt); "
        "searchkit searched with `collapse=False`, so no copy hides the target.\n"
        "- The fusion grid below is counted by ids, with `collapse=False` (it compares fusions, not grouping).\n"
    )
    errs = [(sysm.name, e) for sysm in systems for e in sysm.errors]
    out.append("## Rejected queries\n")
    if not errs:
        out.append("None: every query ran on every system.\n")
    else:
        for name, (s, q, e) in errs[:40]:
            out.append(f"- {name} / {s}: `{q}` -> {e}")
        if len(errs) > 40:
            out.append(f"- ... and {len(errs) - 40} more")
        out.append("")
    return "\n".join(out)


def _difference(a: Score, b: Score, set_name: str) -> str:
    lo, hi = paired_interval(a.rr, b.rr)
    better = sum(1 for x, y in zip(a.rr, b.rr) if x > y)
    worse = sum(1 for x, y in zip(a.rr, b.rr) if x < y)
    return f"{set_name} {a.mrr - b.mrr:+.3f} [{lo:+.3f}, {hi:+.3f}; {better}/{worse}]"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=5000, help="articles to index (default 5000)")
    ap.add_argument("--q", type=int, default=300, help="queries per set (default 300; 500 takes > 10 min on 2 cores)")
    ap.add_argument("--no-fold-baseline", action="store_true", help="skip the raw Whoosh + accent folding row")
    ap.add_argument("--out", type=Path, default=REPORT)
    ap.add_argument("--no-semantic", dest="semantic", action="store_false", help="skip e5 and hybrid (no passage vectors: much faster)")
    args = ap.parse_args(argv)
    if not ARTICLES.exists():
        print(f"skipped: {ARTICLES} not found (OrangeSum is needed for this benchmark)")
        return 0
    started = time.perf_counter()
    sample = load_sample(args.n, args.q)
    print(f"{len(sample.docs)} docs, {len(sample.queries['titles'])} queries per set", file=sys.stderr)
    collections: list[tuple[str, Sample]] = []
    if PIAF.exists():
        collections += [("spf", load_piaf("spf")), ("cnil", load_piaf("cnil"))]
    collections.append(("OrangeSum", sample))
    collections.append(("OrangeSum + titles", with_titles(sample)))
    work = Path(tempfile.mkdtemp(prefix="searchkit-ranking-"))
    systems: list[System] = []
    scores: dict[tuple[str, str], Score] = {}  # counted by groups
    scores_ids: dict[tuple[str, str], Score] = {}  # counted by ids
    builds: dict[tuple[str, str], float] = {}
    grid: dict[str, dict[str, float]] = {}
    sets: list[str] = []
    try:
        for label, coll in collections:
            sets += list(coll.queries)
            cwork = work / label
            cwork.mkdir()
            builders = [lambda: build_searchkit(coll.docs, cwork, semantic=args.semantic), lambda: build_whoosh(coll.docs, cwork, fold=False)]
            if not args.no_fold_baseline:
                builders.append(lambda: build_whoosh(coll.docs, cwork, fold=True))
            builders += extra_builders(coll.docs, cwork)
            for build in builders:
                built = build()
                print(f"built {built[0].name} on {label} in {built[0].build_seconds:.1f} s", file=sys.stderr)
                builds[(built[0].name, label)] = built[0].build_seconds
                for sysm in built:
                    if sysm.name not in [x.name for x in systems]:
                        systems.append(sysm)
                    for set_name, queries in coll.queries.items():
                        by_ids, by_groups = evaluate_both(sysm, set_name, queries, coll)
                        scores_ids[(sysm.name, set_name)] = by_ids
                        scores[(sysm.name, set_name)] = sc = by_groups
                        print(f"  {sysm.name} / {set_name}: MRR@{K} by groups {sc.mrr:.3f}, by ids {by_ids.mrr:.3f}; R@{K} {sc.recall:.3f} failed {sc.failed} ({sc.seconds:.1f} s)", file=sys.stderr)
                if args.semantic and label in GRID_SETS and hasattr(built[0], "engine"):
                    grid.update(fusion_grid(built[0].engine, coll, GRID_SETS[label]))
                for sysm in built:
                    sysm.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = render(args, sample, systems, scores, scores_ids, time.perf_counter() - started, sets, builds, collections)
    if grid:
        text += "\n" + render_grid(grid, scores_ids)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", "utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
