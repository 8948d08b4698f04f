"""Benchmark of actor extraction: entity-level P/R/F1 and throughput, ours vs raw spaCy.

What it is for: decide which spaCy French pipeline the project pins and show what the
rule layer in ``searchkit.extract.actors`` buys over the bare model, on data nobody here
wrote (../shared/data/ner: Europeana BnF newspapers, gold, OCR; WikiNEuRal fr, silver).
Throughput is measured on the first articles of OrangeSum.

What it must not do: read ../shared/holdout, or tune anything (it only measures).

Method: the first N sentences of each corpus (Europeana has no sentence breaks: a
pseudo-sentence ends at . ! ? or after 60 tokens) are rebuilt as text, tokens joined by
one space, with each token's character offsets; gold entities come from the tags (IOB1 and
IOB2 read alike: an entity starts at B-, at a type change or after O). A prediction is
right when its character span and type (PER/ORG/LOC; MISC is not scored) equal a gold
entity's. "raw" is the same model and components, spaCy's labels as they come (MISC
dropped), no text normalisation and no rules.

    .venv/bin/python bench/ner_eval.py [--models fr_core_news_sm fr_core_news_md]
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))  # benchlib, also when a test loads this file
from benchlib import orangesum_rows  # noqa: E402

from searchkit.extract.actors import iter_actors, load_model  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
KIND_TO_TYPE = {"person": "PER", "org": "ORG", "place": "LOC"}
TYPES = ("PER", "ORG", "LOC")

Entity = tuple[int, int, str]


def _sentences_europeana(path: Path, n: int) -> Iterator[list[tuple[str, str]]]:
    sent: list[tuple[str, str]] = []
    count = 0
    with path.open(encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split(" ")
            if len(parts) < 2 or not parts[0]:
                continue
            sent.append((" ".join(parts[:-1]), parts[-1]))
            if parts[0] in (".", "!", "?") or len(sent) >= 60:
                yield sent
                sent, count = [], count + 1
                if count >= n:
                    return
    if sent:
        yield sent


def _sentences_conll(path: Path, n: int) -> Iterator[list[tuple[str, str]]]:
    sent: list[tuple[str, str]] = []
    count = 0
    with path.open(encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                if sent:
                    yield sent
                    sent, count = [], count + 1
                    if count >= n:
                        return
                continue
            cols = line.split("\t")
            sent.append((cols[1], cols[-1]))
    if sent:
        yield sent


def to_text(sent: list[tuple[str, str]]) -> tuple[str, list[Entity]]:
    """Tokens joined by spaces, and the gold (start, end, type) entities in it."""
    text_parts: list[str] = []
    ents: list[Entity] = []
    pos = 0
    cur: list[int | str] | None = None  # [start, end, type]
    prev_type = "O"
    for tok, tag in sent:
        start, end = pos, pos + len(tok)
        text_parts.append(tok)
        pos = end + 1
        typ = tag[2:] if len(tag) > 2 and tag[1] == "-" else "O"
        if typ == "O":
            if cur:
                ents.append((int(cur[0]), int(cur[1]), str(cur[2])))
            cur = None
        elif cur is None or tag.startswith("B-") or typ != prev_type:
            if cur:
                ents.append((int(cur[0]), int(cur[1]), str(cur[2])))
            cur = [start, end, typ]
        else:
            cur[1] = end
        prev_type = typ
    if cur:
        ents.append((int(cur[0]), int(cur[1]), str(cur[2])))
    return " ".join(text_parts), [e for e in ents if e[2] in TYPES]


def score(gold: list[set[Entity]], pred: list[set[Entity]]) -> dict[str, tuple[float, float, float, int]]:
    """Per type and "all": (precision, recall, F1, gold count)."""
    out: dict[str, tuple[float, float, float, int]] = {}
    for typ in (*TYPES, "all"):
        tp = fp = fn = 0
        for g, p in zip(gold, pred):
            g2 = {e for e in g if typ in ("all", e[2])}
            p2 = {e for e in p if typ in ("all", e[2])}
            tp += len(g2 & p2)
            fp += len(p2 - g2)
            fn += len(g2 - p2)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[typ] = (prec, rec, f1, tp + fn)
    return out


def predict_ours(texts: list[str], model: str) -> list[set[Entity]]:
    return [{(m.start, m.end, KIND_TO_TYPE[m.kind]) for m in ms}
            for ms in iter_actors(texts, batch_size=64, model=model)]


def predict_raw(texts: list[str], model: str) -> list[set[Entity]]:
    nlp = load_model(model)
    return [{(e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ in TYPES}
            for doc in nlp.pipe(texts, batch_size=64)]


def load_suite(name: str, n: int) -> tuple[list[str], list[set[Entity]]]:
    if name == "europeana":
        sents = _sentences_europeana(DATA / "ner/europeana_fr_ner/enp_FR.bnf.bio", n)
    else:
        sents = _sentences_conll(DATA / "ner/wikineural_fr_ner/test.conllu", n)
    texts, gold = [], []
    for s in sents:
        t, g = to_text(s)
        texts.append(t)
        gold.append(set(g))
    return texts, gold


def load_articles(n: int) -> list[str]:
    return [f"{d['title']}\n\n{d['text']}" for d in orangesum_rows(n)]


def throughput(texts: list[str], model: str, n_process: int) -> float:
    """Articles per second through ``iter_actors`` (model already loaded; for 2 processes
    the time includes starting the workers, which load their own copy)."""
    load_model(model)
    t0 = time.perf_counter()
    for _ in iter_actors(texts, batch_size=32, model=model, n_process=n_process):
        pass
    return len(texts) / (time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", nargs="+", default=["fr_core_news_sm", "fr_core_news_md"])
    ap.add_argument("--sentences", type=int, default=2000)
    ap.add_argument("--articles", type=int, default=1000, help="OrangeSum articles timed (0: no timing)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench/reports/ner.md")
    args = ap.parse_args(argv)
    command = "python bench/ner_eval.py " + " ".join(argv if argv is not None else sys.argv[1:])

    suites = {name: load_suite(name, args.sentences) for name in ("europeana", "wikineural")}
    articles = load_articles(args.articles)
    lines = [
        "# Actor extraction benchmark", "",
        f"Command: `{command.strip()}` (from the repository root, venv Python)", "",
        f"Entity-level exact-span P/R/F1 on the first {args.sentences} sentences of each "
        "suite (Europeana BnF: gold, OCR, pseudo-sentences; WikiNEuRal fr test: silver). "
        "`ours` = extract_actors (rule layer); `raw` = the same spaCy model and components, "
        "labels as they come, MISC dropped.", "",
        "| model | suite | system | PER P/R/F1 | ORG P/R/F1 | LOC P/R/F1 | all P/R/F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    speed_lines = [
        "", f"Throughput on the first {len(articles)} OrangeSum articles (title + text), "
        "articles/s, model loaded before timing:", "",
        "| model | 1 process | 2 processes (nlp.pipe n_process=2) |", "|---|---|---|",
    ]
    for model in args.models:
        for suite, (texts, gold) in suites.items():
            for system, fn in (("ours", predict_ours), ("raw", predict_raw)):
                s = score(gold, fn(texts, model))
                cells = [f"{p:.3f} / {r:.3f} / **{f:.3f}**" for p, r, f, _ in
                         (s[t] for t in (*TYPES, "all"))]
                row = f"| {model} | {suite} | {system} | " + " | ".join(cells) + " |"
                lines.append(row)
                print(row, flush=True)
        if not articles:  # --articles 0: quality only
            continue
        one = throughput(articles, model, 1)
        two = throughput(articles, model, 2)
        speed_lines.append(f"| {model} | {one:.1f} | {two:.1f} |")
        print(speed_lines[-1], flush=True)
    counts = {name: sum(len(g) for g in suite[1]) for name, suite in suites.items()}
    lines.append("")
    lines.append("Gold entities scored: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    report = "\n".join(lines + (speed_lines if articles else [])) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
