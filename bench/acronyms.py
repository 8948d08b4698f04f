"""Acronyms merged with their long forms, measured on the whole OrangeSum collection.

What it is for: the evidence of issue 24 (item 2). The facets show an acronym and its long
form as one value ("OMS" and "Organisation mondiale de la santé") when the collection
defines it (``searchkit.extract.acronyms``); this script says how many such groups the
36,152 OrangeSum articles give, how right they are, and what they miss:

- definitions: ``evidence_terms`` over every article (title + "\\n" + text, as the
  indexer does: the definitions with their sentence's fingerprint, and the other uses),
  counted per article as the index's ``acronym`` field would;
- actor names with their article counts per kind (person, org, place) from an existing
  index built by searchkit with NER (default /work/idx36k/index, made before the
  ``acronym`` field existed, which is why definitions come from the raw text), read from
  searchkit's numpy postings (live documents, as the facets count them);
- ``acronym_aliases`` on both, as ``search.groups.ActorGroups`` calls it, and the facets
  grouped with and without it (``ActorGroups``);
- the merges (short, long form, articles), the judged sample's precision and false merges
  (judgments made by hand in ``bench/judgments/acronyms.tsv``), the acronyms among the top
  100 organisation values (before merging) and why each unmerged one was missed, every
  defined acronym left apart and why, and the person guard ("Marine Le Pen (RN)").

The judged sample is every merge if there are at most 150, else 150 drawn at random with a
fixed seed (ranked by a hash of seed and short form, so that a rule change keeps the rest of
the sample), plus every merge that involves one of the top 100 organisation values. A
judgment holds for a (short, long) pair: a merge whose long form changes (more than its case
or spacing) is unjudged again, listed, and ``--todo FILE`` writes the unjudged ones with a few
lines of context each, to judge by hand and append to the TSV (verdict ``correct`` or
``incorrect``, a note when incorrect; the script stops on a malformed file).

The rules on copies of one story and on another meaning written in parentheses read the
articles' context (the index's actor postings and the articles of each evidence term, as the
engine does); ``--no-context`` decides them on counts only, as the OpenSearch backend does on
an index too large to read its postings, and ``--without one_story|other_meaning`` switches
one off, to measure what each does.

Why a short form was not merged comes from ``acronyms.decisions`` (or, for the module as
first shipped, the same tests in the same order here, ``decide``); the script checks that
the merges agree with ``acronym_aliases``. ``--by-story`` counts definitions by story
(near-duplicate copies once) to measure that proposed rule; the engine counts articles.

What it must not do: judge anything itself, tune anything, or write to the index it reads
(it opens it read-only and builds no cache there).

    PYTHONPATH=. nice -n 10 .venv/bin/python bench/acronyms.py [--index /work/idx36k/index] \\
        [--report bench/reports/acronyms.md] [--todo FILE] [--by-story] [--no-context] [--without RULE]
"""
from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from benchlib import ORANGESUM, cpu_model  # noqa: E402

from searchkit.extract import acronyms as A  # noqa: E402

INDEX = Path("/work/idx36k/index")
JUDGMENTS = ROOT / "bench" / "judgments" / "acronyms.tsv"
REPORT = ROOT / "bench" / "reports" / "acronyms.md"
KINDS = ("person", "org", "place")
VERDICTS = ("correct", "incorrect")
SAMPLE = 150
SEED = 24  # issue 24
TOP = 100
# The pairs issue 24 found split in the top 50 organisations of a 2,000-article sample.
ISSUE_ACRONYMS = ("OMS", "UE", "FN", "RN", "PS", "ARS", "LR")
# Why a defined short form is not merged, in the order acronym_aliases tests it: the
# module's own list when it has one (``decisions``), else the tests as it first shipped.
REASONS = dict(getattr(A, "REFUSALS", None) or {
    "not_actor": "the short form is no actor name of the index",
    "too_few": f"fewer than {A.MIN_ARTICLES} articles define it so",
    "ambiguous": f"its most common long form has under {A.MIN_SHARE:.0%} of its definitions",
    "configured": "config.yaml's aliases name it (they win)",
    "person": "the short or the long form is mostly a person in the index",
})
# Definitions reach acronym_aliases counted by article, as the engine counts them, or with
# ``--by-story`` by story (near-duplicate copies once): a proposed rule, measured here.
BY_STORY = False
# ``--no-context``: the acronym rules without the articles' context (counts only), as the
# OpenSearch backend decides on an index too large to read its postings.
CONTEXT = True
WITHOUT: list[str] = []  # ``--without RULE``: rules switched off for the measure
VOTE = getattr(A, "_vote", A._key)
Docs = dict[tuple[str, str], np.ndarray]


# -- the collection ----------------------------------------------------------------------

def articles(path: Path = ORANGESUM) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def text_of(row: Mapping[str, Any]) -> str:
    return f"{row.get('title') or ''}\n{row.get('text') or ''}"


@dataclass
class Evidence:
    """The collection's definitions: term -> articles, and the article ids per term."""

    articles: int = 0
    counts: Counter = field(default_factory=Counter)
    where: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    # "Marine Le Pen (RN)" written as such: (name, short, article id, the long form of the
    # definition found there, "" if none)
    person_parens: list[tuple[str, str, str, str]] = field(default_factory=list)


# "Firstname Name (SHORT)": a capitalised name of 2 to 4 words right before a parenthesised
# upper-case short form; whether the words are a person is decided with the index's kinds.
NAME_PAREN = re.compile(r"((?:[A-ZÀ-Ý][\w'’-]+\s+){1,3}[A-ZÀ-Ý][\w'’-]+)\s*\(\s*([A-ZÀ-Ý][A-Za-zÀ-ÿ-]{1,9})\s*\)")


def collect(persons: set[str]) -> Evidence:
    """Run ``find_definitions`` over every article; note "person (SHORT)" occurrences."""
    ev = Evidence()
    for row in articles():
        ev.articles += 1
        text = text_of(row)
        found = A.find_definitions(text)
        # What the index's ``acronym`` field holds: definitions with their sentence's
        # fingerprint and the other uses (``evidence_terms``), or, for the module as first
        # shipped, the bare definitions.
        terms = A.evidence_terms(text) if hasattr(A, "evidence_terms") else {A.term(d) for d in found}
        for t in sorted(terms):
            ev.counts[t] += 1
            ev.where[t].append(str(row["id"]))
        norm = A.normalize_apostrophes(text)
        spans = [(d.start, d.end, d.long) for d in found]
        for m in NAME_PAREN.finditer(norm):
            words = m.group(1).split()
            # the longest tail of the words that the index mostly tags as a person
            name = next((" ".join(words[i:]) for i in range(len(words) - 1) if A._key(" ".join(words[i:])) in persons), None)
            if name is not None:
                defined = next((long for s, e, long in spans if s <= m.start(2) < e), "")
                ev.person_parens.append((name, m.group(2), str(row["id"]), defined))
    return ev


# -- the index ---------------------------------------------------------------------------

def stories(index_dir: Path) -> dict[str, str]:
    """Article id -> the id of its story: the first article of its near-duplicate group
    (the index's MinHash signatures grouped as ``searchkit.dedup`` groups them), or itself."""
    from searchkit.dedup import find_groups
    from searchkit.duplicates import SignatureStore

    store = SignatureStore.load(index_dir)
    ids = list(store.entries)
    if not ids:
        return {}
    labels = find_groups(np.stack([store.entries[i][1] for i in ids]))
    return {i: ids[int(g)] if g >= 0 else i for i, g in zip(ids, labels)}


def index_actors(index_dir: Path) -> tuple[Docs, dict[int, str]]:
    """(kind, name) -> live document numbers, and document number -> article id, from
    searchkit's numpy postings of ``index_dir`` (Whoosh's own postings if it has none)."""
    from whoosh.index import open_dir

    from searchkit.search.fastpath import FastIndex
    from searchkit.search.snapshot import term_text

    ix = open_dir(str(index_dir), readonly=True)
    searcher = ix.searcher()
    fast = FastIndex.open(index_dir, searcher)

    def postings(fieldname: str) -> Iterable[tuple[str, np.ndarray]]:
        if fast is not None:
            yield from fast.terms(fieldname)
            return
        reader = searcher.reader()
        for t in list(reader.lexicon(fieldname)):
            ids = np.fromiter((d for d in reader.postings(fieldname, t).all_ids() if not reader.is_deleted(d)), dtype=np.int64)
            if len(ids):
                yield term_text(t), ids

    docs = {(kind, name): ids for kind in KINDS for name, ids in postings(kind)}
    ids = {int(d): article for article, nums in postings("id") for d in nums}
    searcher.close()
    return docs, ids


# -- the decision, reason by reason --------------------------------------------------------

@dataclass
class Decision:
    short: str
    status: str  # "merged" or a key of REASONS
    long_key: str
    articles: int  # articles giving the most common long form
    total: int  # articles giving any long form
    options: dict[str, int]  # long key -> articles
    sources: int = 0  # distinct defining sentences of the most common long form
    others: dict[str, int] = field(default_factory=dict)  # other meanings' phrases weighed against it -> articles


def decide(definitions: Mapping[str, int], kinds: Mapping[str, Mapping[str, int]],
           aliases: Mapping[str, Iterable[str]], context: tuple[Any, Any] | None = None) -> dict[str, Decision]:
    """Every defined short form and what ``acronym_aliases`` does with it: the module's
    ``decisions`` when it has them, else the same tests in the same order as it first
    shipped (``run`` checks that the merged ones are the ones it merges)."""
    if hasattr(A, "decisions"):
        made = A.decisions(definitions, kinds, aliases, *context) if context else A.decisions(definitions, kinds, aliases)
        return {s: Decision(s, d.refused or "merged", d.long_key, d.articles, d.total, dict(d.options),
                            getattr(d, "sources", 0), dict(getattr(d, "others", {}))) for s, d in made.items()}
    configured = {A._key(n) for pref, others in aliases.items() for n in (pref, *others)}
    names: set[str] = set()
    votes: dict[str, Counter] = defaultdict(Counter)
    for name, by_kind in kinds.items():
        names.add(A._key(name))
        votes[A._key(name)].update(by_kind)
    longs: dict[str, Counter] = defaultdict(Counter)
    for value, n in definitions.items():
        parsed = A.parse_term(value)
        if parsed:
            longs[parsed[0]][A._key(parsed[1])] += n
    out = {}
    for short, options in sorted(longs.items()):
        long_key, n = max(options.items(), key=lambda kv: (kv[1], kv[0]))
        s_key, total = A._key(short), sum(options.values())
        if s_key not in names:
            status = "not_actor"
        elif n < A.MIN_ARTICLES:
            status = "too_few"
        elif n < A.MIN_SHARE * total:
            status = "ambiguous"
        elif s_key in configured or long_key in configured:
            status = "configured"
        elif A._person(votes.get(s_key)) or A._person(votes.get(long_key)):
            status = "person"
        else:
            status = "merged"
        out[short] = Decision(short, status, long_key, n, total, dict(options))
    return out


# -- facets ------------------------------------------------------------------------------

def facet_counts(groups: Any, docs: Docs, kind: str = "org") -> dict[str, np.ndarray]:
    """The ``kind`` facet's values -> their articles, as search/tables.py counts them."""
    parts: dict[str, list[np.ndarray]] = defaultdict(list)
    for key, ids in docs.items():
        if groups.kind.get(key, key[0]) == kind:
            parts[groups.display.get(key, key[1])].append(ids)
    return {v: np.unique(np.concatenate(p)) for v, p in parts.items()}


def is_acronym(value: str) -> bool:
    """An all-capitals single token of 2+ letters (digits allowed: TF1), or an issue pair."""
    letters = [c for c in value if c.isalpha()]
    return value in ISSUE_ACRONYMS or (" " not in value and len(letters) >= 2 and all(c.isupper() for c in letters))


# -- judgments ---------------------------------------------------------------------------

def pair_key(short: str, long: str) -> tuple[str, str]:
    """A merge as judgments are looked up: the short form upper-cased, the long form's
    display case-folded and its spaces collapsed (a display that only changes case or
    spacing keeps its judgment)."""
    return short.upper(), " ".join(long.split()).casefold()


class Judgments(dict):
    """pair_key -> the judgment row (the last one wins); ``judged[(short, long)]`` looks
    the pair up through ``pair_key``."""

    def __contains__(self, pair: object) -> bool:
        return isinstance(pair, tuple) and super().__contains__(pair_key(*pair))

    def __getitem__(self, pair: tuple[str, str]) -> dict[str, str]:
        return super().__getitem__(pair_key(*pair))

    def get(self, pair: tuple[str, str], default: Any = None) -> Any:  # type: ignore[override]
        return super().get(pair_key(*pair), default)


def load_judgments(path: Path = JUDGMENTS) -> Judgments:
    out = Judgments()
    if not path.exists():
        return out
    # The file is whole or the run stops: every row judged, every error says why, no pair
    # twice (the facet judgments' rules; tests/ may not read bench/, so they are checked here).
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        assert reader.fieldnames == ["short", "long", "articles", "verdict", "note"], reader.fieldnames
        for row in reader:
            assert row["verdict"] in VERDICTS and row["short"] and row["long"] and row["articles"].isdigit(), row
            assert row["note"] or row["verdict"] == "correct", f"an incorrect merge needs a note: {row}"
            key = pair_key(row["short"], row["long"])
            assert key not in out, f"judged twice: {row}"
            dict.__setitem__(out, key, row)
    return out


def sample_merges(merges: list[tuple[str, str]], involved: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """Every merge if few, else SAMPLE drawn at random with SEED; plus every top-organisation
    merge. The draw ranks each short form by a hash of SEED and itself, so that a rule
    change that adds or drops a few merges leaves the rest of the sample as it was (and
    its judgments valid)."""
    def rank(pair: tuple[str, str]) -> bytes:
        return hashlib.blake2b(f"{SEED}:{pair[0]}".encode(), digest_size=8).digest()

    drawn = merges if len(merges) <= SAMPLE else sorted(merges, key=rank)[:SAMPLE]
    return sorted(set(drawn) | involved)


# -- the run -----------------------------------------------------------------------------

def run(index_dir: Path, aliases: Mapping[str, list[str]]) -> dict[str, Any]:
    from searchkit.search.groups import ActorGroups

    t0 = time.perf_counter()
    docs, doc_ids = index_actors(index_dir)
    counts = {k: len(v) for k, v in docs.items()}
    kinds: dict[str, dict[str, int]] = defaultdict(dict)
    for (kind, name), n in counts.items():
        kinds[name][kind] = n
    votes: dict[str, Counter] = defaultdict(Counter)
    for name, by_kind in kinds.items():
        votes[A._key(name)].update(by_kind)
    persons = {k for k, v in votes.items() if A._person(v)}
    t1 = time.perf_counter()
    ev = collect(persons)
    story_of = stories(index_dir)
    t2 = time.perf_counter()
    articles_defining = dict(ev.counts)
    definitions = ({t: len({story_of.get(a, a) for a in arts}) for t, arts in ev.where.items()}
                   if BY_STORY else articles_defining)
    # The articles of each acronym term, numbered as the index numbers them (``docs``):
    # what the engine reads from the index's ``acronym`` postings.
    number = {a: d for d, a in doc_ids.items()}
    evidence = {t: np.array(sorted(number[a] for a in arts if a in number), dtype=np.int64) for t, arts in ev.where.items()}
    context = (docs, evidence) if CONTEXT and hasattr(A, "evidence_terms") else None
    learned, why = A.acronym_aliases(definitions, kinds, aliases, *context) if context else A.acronym_aliases(definitions, kinds, aliases)
    decisions = decide(definitions, kinds, aliases, context)
    before = ActorGroups(counts, aliases, docs, None)
    # Without ``evidence`` the acronym rules count articles only (the names keep their context).
    after = (ActorGroups(counts, aliases, docs, definitions, evidence) if context
             else ActorGroups(counts, aliases, docs, definitions))
    t3 = time.perf_counter()

    by_key: dict[str, list[str]] = defaultdict(list)  # name key -> index spellings
    for name in kinds:
        by_key[A._key(name)].append(name)
    cache: dict[str, np.ndarray] = {}

    def articles_of(key: str) -> np.ndarray:
        """Articles where a name with this key is an actor, any kind."""
        if key not in cache:
            parts = [docs[(k, name)] for name in by_key.get(key, ()) for k in kinds[name]]
            cache[key] = np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
        return cache[key]

    # The tests of ``decide`` are those of acronym_aliases: the same short forms merge.
    display_of = {n: display for display, names in learned.items() for n in names}
    merged = {s: d for s, d in decisions.items() if d.status == "merged"}
    assert {m.short for m in why.values()} <= set(merged), "decide() merges less than acronym_aliases"
    assert all(by_key[A._key(s)][0] in display_of for s in merged), "decide() merges more than acronym_aliases"
    written: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for value, n in definitions.items():
        short, long = A.parse_term(value) or ("", "")
        written[(short.upper(), A._key(long))][long] += n

    f_before, f_after = facet_counts(before, docs), facet_counts(after, docs)
    top = sorted(f_before.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:TOP]
    top_values = {v for v, _ in top}

    merges = []
    for short, d in sorted(merged.items(), key=lambda kv: (-kv[1].articles, kv[0])):
        display = display_of[by_key[A._key(short)][0]]
        short_docs, long_docs = articles_of(A._key(short)), articles_of(d.long_key)
        members = {key for key, disp in after.display.items() if disp == display}
        before_values = {before.display.get(key, key[1]) for key in members if before.kind.get(key) == "org"}
        as_written = max(written[(short, d.long_key)].items(), key=lambda kv: (kv[1], kv[0]))[0]
        # The definitions voting for the long form: the module's vote key (``_vote``: writings
        # that differ by small words or a plural are one) if it has one, else the name key.
        win = max(d.options.items(), key=lambda kv: (kv[1], kv[0]))[0]
        defining = {a for t, arts in ev.where.items() if (A.parse_term(t) or ("", ""))[0].upper() == short
                    and VOTE(A.parse_term(t)[1]) == win for a in arts}
        before_group = {before.display.get(key) for key in members if A._key(key[1]) == A._key(short)}
        # Spellings the index mostly tags as a person, in the merged value: joined by the
        # spelling grouping before acronyms (``before``) or by this merge.
        people = sorted((name, len(docs[(k, name)]), "before" if before.display.get((k, name)) in before_group else "merge")
                        for k, name in members if A._person(kinds[name]))
        merges.append({
            "short": short, "long": display, "articles": len(defining), "example": f"{as_written} ({short})",
            "share": d.articles / d.total, "competing": {k: n for k, n in d.options.items() if k != win},
            "short_articles": len(short_docs), "long_articles": len(long_docs),
            "both": len(np.intersect1d(short_docs, long_docs)),
            "value_articles": len(f_after.get(display, ())),
            "kind": after.kind.get(next(iter(members)), "") if members else "",
            "top100": sorted(before_values & top_values), "people": people,
            "short_docs": short_docs, "long_docs": long_docs,
            "stories": len({story_of.get(a, a) for a in defining}),
            "sources": d.sources,  # distinct defining sentences, as the engine counts them (0: the module has none)
        })

    # The acronyms among the top 100 organisations, before merging.
    top_rows = []
    for rank, (value, ids) in enumerate(top, 1):
        if not is_acronym(value):
            continue
        after_value = after.display.get(("org", value), value)
        d = decisions.get(value.replace(".", "").upper())
        if d is not None and d.status == "merged":
            status, why_not = "merged", ""
        elif d is None:
            status = "no_definition"
            why_not = REASONS_NO_DEF
        else:
            status, why_not = d.status, REASONS.get(d.status, "")
        top_rows.append({"rank": rank, "value": value, "articles": len(ids), "status": status, "why": why_not,
                         "after": after_value, "after_articles": len(f_after.get(after_value, ())),
                         "decision": d})
    return {
        "ev": ev, "definitions": definitions, "articles_defining": articles_defining, "decisions": decisions, "merges": merges, "top": top,
        "top_rows": top_rows, "learned": learned, "aliases": aliases, "persons": persons,
        "doc_ids": doc_ids, "kinds": kinds, "votes": votes, "before": before, "after": after,
        "actor_articles": lambda short: len(articles_of(A._key(short))),
        "f_before": f_before, "f_after": f_after,
        "times": {"index": t1 - t0, "definitions": t2 - t1, "groups": t3 - t2},
    }


REASONS_NO_DEF = "the collection never defines it (no 'long form (SHORT)' nor 'SHORT (long form)')"


def raw_mentions(shorts: Iterable[str]) -> dict[str, Counter]:
    """For short forms: articles that write them at all, and in parentheses "(SHORT)"."""
    shorts = set(shorts)
    out: dict[str, Counter] = {s: Counter() for s in shorts}
    word = re.compile(r"[A-Za-zÀ-ÿ0-9&-]+")
    for row in articles():
        text = text_of(row)
        seen = set(word.findall(text)) & shorts
        for s in seen:
            out[s]["articles"] += 1
            if f"({s})" in text or f"( {s} )" in text:
                out[s]["in_parentheses"] += 1
            if re.search(rf"\b{re.escape(s)}\s*\(", text):
                out[s]["before_parenthesis"] += 1
    return out


def context_docs(merge: Mapping[str, Any], n: int = 4) -> list[tuple[str, int]]:
    """Up to ``n`` articles where the short form is an actor and the long form is not
    (where a different meaning would show), spread over them, then one with both."""
    apart = np.setdiff1d(merge["short_docs"], merge["long_docs"])
    both = np.intersect1d(merge["short_docs"], merge["long_docs"])
    picked = [("without long form", int(d)) for d in apart[np.linspace(0, len(apart) - 1, min(n, len(apart))).astype(int)]] if len(apart) else []
    return picked + [("with long form", int(d)) for d in both[:1]]


def contexts(merge: Mapping[str, Any], doc_ids: Mapping[int, str], texts: Mapping[str, str]) -> list[str]:
    """Lines around the short form in the articles of ``context_docs``."""
    out = []
    pat = re.compile(rf"(?<![\w-]){re.escape(merge['short'])}(?![\w-])")
    for label, d in context_docs(merge):
        art = doc_ids.get(d)
        text = texts.get(art or "", "")
        m = pat.search(text)
        if m:
            out.append(f"[{label}] {art}: …{text[max(0, m.start() - 90):m.end() + 90]}…".replace("\n", " "))
    return out


# -- the report --------------------------------------------------------------------------

def pct(a: int, b: int) -> str:
    return f"{a / b:.1%} ({a}/{b})" if b else "-"


def report(r: Mapping[str, Any], judged: Judgments, sample: list[tuple[str, str]],
           command: str, wall: float, raw: Mapping[str, Counter]) -> str:
    merges, decisions, ev = r["merges"], r["decisions"], r["ev"]
    by_pair = {(m["short"], m["long"]): m for m in merges}
    status = Counter(d.status for d in decisions.values())
    judged_here = [p for p in sample if p in judged]
    wrong = [p for p in judged_here if judged[p]["verdict"] == "incorrect"]
    wrong_all = [p for p in by_pair if p in judged and judged[p]["verdict"] == "incorrect"]
    outside = [p for p in by_pair if p in judged and p not in set(sample)]
    wrong_out = [p for p in outside if judged[p]["verdict"] == "incorrect"]
    unjudged = [p for p in sample if p not in judged]
    people = [m for m in merges if m["people"]]
    joined = [m for m in merges if m["long_articles"]]
    top_rows = r["top_rows"]
    defined = [t for t in top_rows if t["decision"] is not None]
    merged_top = [t for t in top_rows if t["status"] == "merged"]
    parens = ev.person_parens
    L: list[str] = []
    add = L.append
    add("# Acronyms merged with their long forms: the whole OrangeSum collection\n")
    add(f"Produced by `{command}` in {wall:.0f} s wall ({', '.join(f'{k} {v:.0f} s' for k, v in r['times'].items())}; "
        f"niced, on the shared 2-core {cpu_model()}). Definitions: `evidence_terms` (the definitions, with their sentence, and the other uses) over all {ev.articles:,} articles of "
        "`../shared/data/orangesum/orangesum_articles.jsonl.gz` (title + text), counted per article. Actor names and "
        f"their article counts per kind: the 36k index at `{r['index']}` (searchkit NER, live documents, "
        "read-only). Definitions reach `acronym_aliases` counted "
        + ("by story (`--by-story`: near-duplicate copies once, the index's MinHash groups; a proposed rule, the "
           "engine counts articles). " if BY_STORY else "by article, as the engine counts them. ")
        + "Merging: `acronym_aliases` (MIN_ARTICLES "
        f"{A.MIN_ARTICLES}, MIN_SHARE {A.MIN_SHARE}"
        + (f", MIN_RELATED {A.MIN_RELATED}, the copies and other-meaning rules "
           + ("with the articles' context" if CONTEXT else "on counts only (`--no-context`)")
           + (f", switched off: {', '.join(WITHOUT)}" if WITHOUT else "") if hasattr(A, "MIN_RELATED") else "")
        + ") and the facets grouped by `ActorGroups` with and without "
        "it; config.yaml's aliases. Judgments: `bench/judgments/acronyms.tsv`, made by hand (see the end).\n")
    add("## Figures\n")
    defs = {t: n for t, n in r["articles_defining"].items() if A.parse_term(t)}
    others = {t: n for t, n in r["articles_defining"].items() if not A.parse_term(t)}
    source = getattr(A, "source_of", lambda t: "")
    add(f"- Definitions found: {sum(defs.values()):,} article-level definitions"
        + (f" ({sum(n for t, n in r['definitions'].items() if A.parse_term(t)):,} with near-duplicate copies counted once)" if BY_STORY else "")
        + f", {len({A.parse_term(t) for t in defs}):,} distinct (short, long) terms"
        + (f" in {len({(A.parse_term(t), source(t)) for t in defs}):,} distinct (short, long, sentence) ones" if any(map(source, defs)) else "")
        + f", {len(decisions):,} distinct short forms"
        + (f"; other uses (a name the letters do not spell before '(SHORT)', `find_other_uses`): {sum(others.values()):,} "
           f"in articles, {len(others):,} distinct (short, phrase)" if others else "") + ".")
    add(f"- **Acronym groups merged: {len(merges)}** ({len(joined)} join a short-form value with a long-form value "
        f"that is itself an actor name; {len(merges) - len(joined)} only show the short form's value under its long form).")
    add(f"- **Judged sample: {len(sample)} merges** ({min(SAMPLE, len(merges))} drawn with seed {SEED}, plus every merge "
        f"involving a top-{TOP} organisation); judged {len(judged_here)}, unjudged {len(unjudged)}.")
    add(f"- **Precision on the judged sample: {pct(len(judged_here) - len(wrong), len(judged_here))}**; "
        f"**false merges in the sample: {len(wrong)}**"
        + ".")
    add(f"- Judged outside the sample ({len(outside)} merges: drawn in an earlier sample, read after a rule change, or "
        "flagged by a screening: the short form an actor in many more articles than define it, a same-letters name of "
        f"another kind, a person-tagged spelling): {len(wrong_out)} false "
        f"({', '.join(p[0] for p in wrong_out) or 'none'}). All judged merges: {pct(len(wrong_all), len(judged_here) + len(outside))} false.")
    by_merge = [p for m in people for p in m["people"] if p[2] == "merge"]
    add(f"- Person guard: no short or long form the index mostly tags as a person is merged. Spellings the index mostly "
        f"tags as a person (name-level votes) inside merged values: {sum(len(m['people']) for m in people)}; brought by "
        f"the acronym merge: {len(by_merge)}; the others were in the short form's value before acronyms (the spelling "
        "grouping put them there). Whether they are people is read in the judgments' notes. Name (articles, joined by): "
        + "; ".join(f"{m['short']}: " + ", ".join(f"{n} ({c}, {how})" for n, c, how in m["people"]) for m in people) + ".")
    # A definition read off a person's name: its long form lies within the name ("Jean-Pierre Sueur (PS)").
    from_names = [(n, sh, a, lg) for n, sh, a, lg in parens if lg and A._key(lg) in A._key(n)]
    merged_longs = {(m["short"], A._key(m["long"])) for m in merges}
    add(f"- \"Person (SHORT)\" in the text (a name the index mostly tags as a person right before a parenthesised short "
        f"form, e.g. \"Marine Le Pen (RN)\"): {len(parens)} occurrences in {len({a for _, _, a, _ in parens})} articles; "
        f"read as a definition whose long form is (part of) the name: {len(from_names)} ("
        + ", ".join(f"{n} ({sh}) -> {lg} x{c}" for (n, sh, lg), c in Counter((n, sh, lg) for n, sh, _, lg in from_names).most_common())
        + f"); merged: {sum(1 for n, sh, _, lg in from_names if (sh, A._key(lg)) in merged_longs)}.")
    acr_top = len(top_rows)
    add(f"- **Top {TOP} organisations (before merging): {acr_top} acronyms; {len(defined)} have a definition in the "
        f"collection; {len(merged_top)} merged.** Recall {pct(len(merged_top), len(defined))} of the defined ones, "
        f"{pct(len(merged_top), acr_top)} of all. The issue's pairs ({', '.join(ISSUE_ACRONYMS)}): "
        + ", ".join(f"{t['value']} {'merged' if t['status'] == 'merged' else 'MISSED'}" for t in top_rows if t["value"] in ISSUE_ACRONYMS) + ".")
    add(f"- Defined short forms not merged: {len(decisions) - status['merged']} "
        f"({', '.join(f'{status[k]} {k}' for k in REASONS)}).\n")

    add(f"## Acronyms among the top {TOP} organisations\n")
    add("Values of the org facet before merging, by articles; an acronym is an all-capitals single token of 2+ letters "
        "(digits allowed) or one of the issue's. *after*: the value it is counted under once acronyms merge. "
        "*raw*: articles writing the short form at all / with \"(SHORT)\" / with \"SHORT (\" in the text.\n")
    add("| rank | value | articles | status | after | articles after | long forms defined (articles) | raw |")
    add("|---:|---|---:|---|---|---:|---|---|")
    for t in top_rows:
        d = t["decision"]
        longs = "; ".join(f"{k} ({n})" for k, n in sorted(d.options.items(), key=lambda kv: -kv[1])[:4]) if d else ""
        rw = raw.get(t["value"], Counter())
        add(f"| {t['rank']} | {t['value']} | {t['articles']} | {t['status']} | {t['after'] if t['after'] != t['value'] else ''} | "
            f"{t['after_articles'] if t['after'] != t['value'] else ''} | {longs} | "
            f"{rw['articles']} / {rw['in_parentheses']} / {rw['before_parenthesis']} |")
    missed = [t for t in top_rows if t["status"] != "merged"]
    add(f"\nMissed ({len(missed)}), by cause:\n")
    for cause, rows in sorted(_group(missed, "status").items(), key=lambda kv: -len(kv[1])):
        reason = REASONS.get(cause, REASONS_NO_DEF)
        add(f"- **{cause}** ({len(rows)}): {reason}: " + ", ".join(t["value"] for t in rows) + ".")
    add("")

    add("## False merges (judged incorrect)\n")
    if not wrong_all:
        add("None among the judged merges.\n")
    for p in wrong_all:
        m = by_pair[p]
        add(f"- {'' if p in set(sample) else '(outside the sample) '}{m['short']} → {m['long']} ({m['articles']} articles define it; the short form is an actor in "
            f"{m['short_articles']}, {m['both']} of them also name the long form): {judged[p]['note']}")
    add("")

    add(f"## Every merge ({len(merges)})\n")
    add("*defining*: articles defining the short form with this long form (share of its definitions); *stories*: the same "
        "articles with near-duplicate copies counted once (MinHash groups); *sentences*: distinct defining sentences, the "
        "sources the engine counts (copies once, from the terms' fingerprints); *short* / *long*: "
        "articles where each is an actor name (any kind), *both*: articles with both; *value*: articles of the merged "
        "facet value; *judged*: the hand judgment (blank: not in the sample).\n")
    add("| short | long form (display) | defining | stories | sentences | short | long | both | value | kind | top 100 | judged |")
    add("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|")
    for m in merges:
        j = judged.get((m["short"], m["long"]))
        add(f"| {m['short']} | {m['long']} | {m['articles']} ({m['share']:.0%}) | {m['stories']} | {m['sources']} | {m['short_articles']} | "
            f"{m['long_articles']} | {m['both']} | {m['value_articles']} | {m['kind']} | {'yes' if m['top100'] else ''} | "
            f"{j['verdict'] if j else ''} |")
    add("")

    add(f"## Defined but not merged ({len(decisions) - status['merged']})\n")
    for cause in REASONS:
        rows = [d for d in decisions.values() if d.status == cause]
        add(f"### {cause}: {REASONS[cause]} ({len(rows)})\n")
        if cause in ("too_few", "not_actor"):
            shown = sorted(rows, key=lambda d: (-_actor_articles(r, d.short), d.short))
            actors = [d for d in shown if _actor_articles(r, d.short)]
            add(f"{len(actors)} of them are actor names of the index; the 40 most frequent as actors "
                "(short form: articles as an actor; long forms defined, articles):\n" if cause == "too_few" else
                "Short forms the NER never tags as an actor; the 40 defined by most articles:\n")
            if cause == "not_actor":
                shown = sorted(rows, key=lambda d: (-d.total, d.short))
            for d in (actors if cause == "too_few" else shown)[:40]:
                add(f"- {d.short} ({_actor_articles(r, d.short)}): " + "; ".join(f"{k} ({n})" for k, n in sorted(d.options.items(), key=lambda kv: -kv[1])[:3]))
        else:
            for d in sorted(rows, key=lambda d: (-d.total, d.short)):
                add(f"- {d.short} ({_actor_articles(r, d.short)} articles as an actor; "
                    + ("; ".join(f"{k} ({n})" for k, n in sorted(d.options.items(), key=lambda kv: -kv[1])[:5]) + ")")
                    + (f"; defining sentences: {d.sources}" if cause == "one_story" else "")
                    + (f"; other meanings written before '({d.short})', articles unrelated to the definitions: "
                       + "; ".join(f"{k} ({n})" for k, n in sorted(d.others.items(), key=lambda kv: -kv[1])) if d.others else ""))
        add("")

    add("## Person (SHORT) occurrences\n")
    add("The most frequent names written before a parenthesised short form (occurrences); none may become a definition "
        "whose long form is the name.\n")
    pairs = Counter((name, short) for name, short, _, _ in parens)
    add(", ".join(f"{name} ({short}) {n}" for (name, short), n in pairs.most_common(25)) + ".\n")

    add("## How the judging was done\n")
    add("Each merge of the sample was read with its definitions (all long forms the collection gives the short form, "
        "with article counts) and lines around the short form in articles that do not name the long form, where another "
        "meaning of the same letters shows (`--todo`). *correct*: in this collection the short form, as the facet counts "
        "it, stands for that long form in at least half of its articles (other meanings, noted, are a minority); "
        "*incorrect*: the value's articles mostly mean something else (a false merge: another organisation, a town, a "
        "brand), or the long form is not what the letters abbreviate. The note says which, and notes the minority "
        "meanings of correct ones. Judged by the assistant session that wrote this script, reading the contexts; not "
        "a second annotator. The last rows (FIPN, FDA) were judged so by the session that added the copies and "
        "other-meaning rules, which also had to make them pass: the rules' own author, a conflict the reader should weigh.")
    return "\n".join(L) + "\n"


def _group(rows: list[dict[str, Any]], key: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        out[row[key]].append(row)
    return out


def _actor_articles(r: Mapping[str, Any], short: str) -> int:
    return int(r["actor_articles"](short))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, default=INDEX, help=f"searchkit index with NER to read actor names from (default {INDEX})")
    ap.add_argument("--report", type=Path, default=REPORT, help=f"markdown report to write (default {REPORT.relative_to(ROOT)})")
    ap.add_argument("--todo", type=Path, help="write the unjudged merges of the sample, with context, to this .jsonl")
    ap.add_argument("--by-story", action="store_true",
                    help="count definitions by story, near-duplicate copies once (a proposed rule; the engine counts articles)")
    ap.add_argument("--no-context", action="store_true",
                    help="decide the copies and other-meaning rules on counts only, as the OpenSearch backend does on an "
                         "index too large to read its postings")
    ap.add_argument("--without", choices=("one_story", "other_meaning"), action="append", default=[],
                    help="switch a rule of extract/acronyms.py off, to measure what it does (repeatable)")
    args = ap.parse_args(argv)
    global BY_STORY, CONTEXT
    BY_STORY, CONTEXT = args.by_story, not args.no_context
    WITHOUT[:] = args.without
    # A rule switched off for the measure: its test never refuses.
    if "one_story" in args.without:
        A._Weigh.one_story = lambda self, *a: False  # type: ignore[method-assign]
    if "other_meaning" in args.without:
        A._Weigh.other_meanings = lambda self, *a: {}  # type: ignore[method-assign]
    started = time.perf_counter()
    from searchkit.config import load_config

    aliases = load_config(ROOT / "config.yaml").aliases
    r = run(args.index, aliases)
    r["index"] = args.index
    merges = r["merges"]
    pairs = [(m["short"], m["long"]) for m in merges]
    involved = {(m["short"], m["long"]) for m in merges if m["top100"]}
    sample = sample_merges(pairs, involved)
    judged = load_judgments()
    raw = raw_mentions({t["value"] for t in r["top_rows"]})
    if args.todo:
        todo = [m for m in merges if (m["short"], m["long"]) in set(sample) and (m["short"], m["long"]) not in judged]
        need = {r["doc_ids"].get(d) for m in todo for _, d in context_docs(m)}
        texts = {str(row["id"]): text_of(row) for row in articles() if str(row["id"]) in need}
        with args.todo.open("w", encoding="utf-8") as fh:
            for m in todo:
                d = r["decisions"][m["short"]]
                fh.write(json.dumps({
                    "short": m["short"], "long": m["long"], "articles": m["articles"], "example": m["example"],
                    "long_forms": dict(sorted(d.options.items(), key=lambda kv: -kv[1])),
                    "short_articles": m["short_articles"], "long_articles": m["long_articles"], "both": m["both"],
                    "context": contexts(m, r["doc_ids"], texts)}, ensure_ascii=False) + "\n")
        print(f"{len(todo)} unjudged merges written to {args.todo}")
    wall = time.perf_counter() - started
    command = "PYTHONPATH=. nice -n 10 .venv/bin/python bench/acronyms.py" + "".join(f" {a}" for a in (argv if argv is not None else sys.argv[1:]))
    text = report(r, judged, sample, command, wall, raw)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(text, encoding="utf-8")
    print(text.split("## Acronyms among")[0])
    print(f"report: {args.report}  ({wall:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
