"""External French NER suites, and entity-level scoring of ours and raw spaCy on them.

What it is for: rebuild the first N sentences of Europeana BnF newspapers (gold, OCR;
no sentence breaks: a pseudo-sentence ends at . ! ? or after 60 tokens) and WikiNEuRal fr
(silver) from ../shared/data/ner as text, tokens joined by one space, with gold entities
from the tags (IOB1 and IOB2 read alike); score predictions by exact character span and
type (PER/ORG/LOC; MISC is not scored). "ours" is extract_actors (rule layer), "raw" the
same spaCy model with its labels as they come. tests/test_ner_suites.py checks floors
with it; bench/ner_eval.py writes the report.

What it must not do: read ../shared/holdout, or tune anything (it only measures).
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from searchkit.extract.actors import iter_actors, load_model

ROOT = Path(__file__).resolve().parents[2]
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
