"""OpenSearch's French stemmers against searchkit's Snowball (PyStemmer), on a real node.

What it is for: choosing the stemmer of the OpenSearch backend's French analyzer
(``searchkit.backends.opensearch_analysis``) by measurement, and checking that the
whole OpenSearch chain indexes words under the same terms as the Whoosh backend.
Vocabulary: the Snowball project's French test vocabulary (../shared/data/snowball_french/
head/voc.txt, 21,655 words) with its reference stems (output.txt).

For each OpenSearch stemmer (``french`` = Lucene's Snowball French, ``light_french``,
``minimal_french``), through the node's ``_analyze``:
1. stem only (lowercase + stemmer, one-word entries): the share of words stemmed exactly
   as PyStemmer does, and as the Snowball reference output does;
2. grouping: do the stems put the same words together as PyStemmer's? Pairs of words
   sharing a PyStemmer stem that also share this stemmer's (recall), and the converse
   (precision): a stemmer may give other stems and still group alike;
3. whole chain: the words whose ranked-field terms equal the Whoosh backend's
   (``analysis.index_positions``) exactly; and the exact sub-field likewise;
4. typing without accents works: accented, non-stop words whose unaccented spelling
   shares a ranked term with them (as tests/test_analysis.py measures for Whoosh), with
   the Whoosh backend's figure and the naive chain (stem, then fold; no second branch).

And on real text, the first ``--articles`` OrangeSum articles (../shared/data/orangesum):
the word positions whose terms differ between the two backends, ranked and exact fields.

It must not tune anything: it measures. It creates and deletes its own scratch indices.
Run: ``make opensearch`` then
``.venv/bin/python bench/opensearch_analysis.py [--url URL]`` (default: the local node).
"""
from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import sys
import time
from collections import Counter
from math import comb
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from unidecode import unidecode  # noqa: E402

from searchkit.text.analysis import STOP_WORDS, analyze, index_positions  # noqa: E402
from searchkit.backends import opensearch_analysis as osa  # noqa: E402
from searchkit.backends.opensearch_client import OpenSearchClient  # noqa: E402

VOC_DIR = ROOT.parent / "shared" / "data" / "snowball_french" / "head"
ARTICLES = ROOT.parent / "shared" / "data" / "orangesum" / "orangesum_articles.jsonl.gz"
REPORT = ROOT / "bench" / "reports" / "opensearch_analysis.md"


def bench_body(stemmer: str) -> dict:
    """``index_body`` plus two analyzers used only here: the bare stemmer, and the
    naive chain (stem then fold, no unaccented branch)."""
    body = osa.index_body((), stemmer=stemmer)
    analysis = body["settings"]["analysis"]
    analysis["analyzer"]["bench_stem_only"] = {
        "type": "custom", "tokenizer": "searchkit_words", "filter": ["lowercase", "searchkit_stemmer"],
    }
    analysis["analyzer"]["bench_naive"] = {
        "type": "custom",
        "char_filter": ["searchkit_apostrophes"],
        "tokenizer": "searchkit_words",
        "filter": ["searchkit_elision", "lowercase", "searchkit_stop", "searchkit_stemmer", "asciifolding"],
    }
    return body


def pair_agreement(reference: list[str], other: list[str]) -> tuple[float, float]:
    """(recall, precision) of ``other``'s grouping of words against ``reference``'s:
    pairs of words with one stem in both, over the pairs with one stem in each."""
    joint = sum(comb(n, 2) for n in Counter(zip(reference, other)).values())
    ref_pairs = sum(comb(n, 2) for n in Counter(reference).values())
    other_pairs = sum(comb(n, 2) for n in Counter(other).values())
    return joint / ref_pairs, joint / other_pairs


def accentless_rate(terms_of: dict[str, set[str]], accented: list[str]) -> float:
    return sum(1 for w in accented if terms_of[unidecode(w)] & terms_of[w]) / len(accented)


def measure(client: OpenSearchClient, voc: list[str], reference: list[str]) -> dict[str, dict[str, float]]:
    import Stemmer

    py = Stemmer.Stemmer("french")
    single = [i for i, w in enumerate(voc) if w.isalpha()]
    py_stems = [py.stemWord(voc[i]) for i in single]
    accented = [w for w in voc if unidecode(w) != w and w not in STOP_WORDS]
    queries = sorted(set(voc) | {unidecode(w) for w in accented})
    whoosh_ranked = {w: set(index_positions(w)[0]) for w in queries}
    whoosh_exact = [set(index_positions(w)[1]) for w in voc]
    out: dict[str, dict[str, float]] = {}
    for stemmer in osa.STEMMERS:
        index = f"searchkit-bench-analysis-{stemmer.replace('_', '-')}"
        client.delete_index(index)
        client.create_index(index, bench_body(stemmer))
        try:
            stems = [min(t) if t else "" for t in osa.analyze_words(client, index, "bench_stem_only", [voc[i] for i in single])]
            ranked = dict(zip(queries, osa.analyze_words(client, index, osa.FRENCH_ANALYZER, queries)))
            naive = dict(zip(queries, osa.analyze_words(client, index, "bench_naive", queries)))
            exact = osa.analyze_words(client, index, osa.EXACT_ANALYZER, voc)
        finally:
            client.delete_index(index)
        recall, precision = pair_agreement(py_stems, stems)
        out[stemmer] = {
            "same_stem_as_pystemmer": sum(a == b for a, b in zip(stems, py_stems)) / len(single),
            "same_stem_as_reference": sum(stems[k] == reference[i] for k, i in enumerate(single)) / len(single),
            "pair_recall": recall,
            "pair_precision": precision,
            "chain_parity": sum(ranked[w] == whoosh_ranked[w] for w in voc) / len(voc),
            "exact_parity": sum(a == b for a, b in zip(exact, whoosh_exact)) / len(voc),
            "accentless": accentless_rate(ranked, accented),
            "accentless_naive": accentless_rate(naive, accented),
        }
    out["whoosh (searchkit today)"] = {
        "accentless": accentless_rate(whoosh_ranked, accented),
        "words": len(voc),
        "single_words": len(single),
        "accented": len(accented),
    }
    return out


def text_parity(client: OpenSearchClient, texts: list[str]) -> dict[str, tuple[int, int]]:
    """Per field kind, (word positions, positions whose terms differ from the Whoosh
    backend's) over ``texts``, with the chosen stemmer."""
    index = "searchkit-bench-analysis-text"
    client.delete_index(index)
    client.create_index(index, osa.index_body(()))
    out: dict[str, tuple[int, int]] = {}
    try:
        for kind, exact, analyzer in (("ranked", False, osa.FRENCH_ANALYZER), ("exact", True, osa.EXACT_ANALYZER)):
            positions = differ = 0
            for text in texts:
                ours: dict[int, set[str]] = {}
                for tok in analyze(text, exact=exact):
                    ours.setdefault(tok["pos"], set()).add(tok["term"])
                theirs: dict[int, set[str]] = {}
                for tok in client.analyze(index, text, analyzer):
                    theirs.setdefault(tok["position"], set()).add(tok["token"])
                keys = ours.keys() | theirs.keys()
                positions += len(keys)
                differ += sum(ours.get(k) != theirs.get(k) for k in keys)
            out[kind] = (positions, differ)
    finally:
        client.delete_index(index)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("SEARCHKIT_OPENSEARCH_URL"))
    parser.add_argument("--articles", type=int, default=300, help="OrangeSum articles for the real-text parity")
    args = parser.parse_args()
    url = args.url
    if not url:
        from searchkit.testing.opensearch_node import start

        url = start()
    voc = (VOC_DIR / "voc.txt").read_text("utf-8").split()
    reference = (VOC_DIR / "output.txt").read_text("utf-8").split()
    started = time.perf_counter()
    with OpenSearchClient(url) as client:
        version = client.info()["version"]["number"]
        figures = measure(client, voc, reference)
        with gzip.open(ARTICLES, "rt", encoding="utf-8") as lines:
            texts = [json.loads(line)["text"] for line in itertools.islice(lines, args.articles)]
        parity = text_parity(client, texts)
    took = time.perf_counter() - started
    whoosh = figures.pop("whoosh (searchkit today)")
    lines = [
        f"# OpenSearch French analysis vs searchkit's Snowball (OpenSearch {version}, {took:.0f} s)",
        "",
        f"Vocabulary: snowball_french/head, {int(whoosh['words'])} words ({int(whoosh['single_words'])} one-word entries "
        f"for the stem columns, {int(whoosh['accented'])} accented non-stop words for the accent columns).",
        "",
        "| stemmer | same stem as PyStemmer | same stem as Snowball reference | grouping recall / precision vs PyStemmer "
        "| ranked terms = Whoosh backend | exact terms = Whoosh backend | typing without accents works | naive chain (stem, fold) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, f in figures.items():
        lines.append(
            f"| `{name}` | {f['same_stem_as_pystemmer']:.2%} | {f['same_stem_as_reference']:.2%} "
            f"| {f['pair_recall']:.3f} / {f['pair_precision']:.3f} | {f['chain_parity']:.2%} | {f['exact_parity']:.2%} "
            f"| {f['accentless']:.2%} | {f['accentless_naive']:.2%} |"
        )
    lines.append(f"| Whoosh backend (PyStemmer, peer) | 100% (itself) | | 1 / 1 | | | {whoosh['accentless']:.2%} | |")
    lines += [
        "",
        f"Real text, the first {len(texts)} OrangeSum articles, stemmer `{osa.STEMMER}`: word positions whose terms differ "
        "from the Whoosh backend's:",
        "",
        "| field | positions | differing | share |",
        "| --- | --- | --- | --- |",
    ]
    for kind, (positions, differ) in parity.items():
        lines.append(f"| {kind} | {positions} | {differ} | {differ / positions:.3%} |")
    text = "\n".join(lines) + "\n"
    print(text)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
