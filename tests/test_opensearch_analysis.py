"""searchkit's French analysis as OpenSearch settings, checked on a real node against
the Whoosh backend's analysis (``searchkit.text.analysis``), word for word.

The vocabulary figures are the ones in BENCHMARKS.md ("OpenSearch French analysis",
``bench/opensearch_analysis.py``), asserted with a small margin."""
from __future__ import annotations

from collections import Counter
from math import comb

import pytest
from unidecode import unidecode

from searchkit.text.analysis import STOP_WORDS, analyze, index_positions
from searchkit.backends import opensearch_analysis as osa
from searchkit.backends.opensearch_client import OpenSearchClient
from tests.conftest import SEEDS, shared_data


@pytest.fixture()
def client(opensearch_url: str):
    with OpenSearchClient(opensearch_url) as c:
        yield c


def _positions(tokens: list[dict], term: str, pos: str) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for tok in tokens:
        out.setdefault(tok[pos], set()).add(tok[term])
    return out


def test_the_settings_need_only_analysis_common() -> None:
    body = osa.index_body(("title", "body"), shards=3, replicas=1)
    assert body["settings"]["index"] == {"number_of_shards": 3, "number_of_replicas": 1}
    filters = body["settings"]["analysis"]["filter"]
    assert {f["type"] for f in filters.values()} == {"elision", "stop", "stemmer", "multiplexer"}
    assert filters["searchkit_elision"]["articles_case"] is True
    assert body["mappings"]["_meta"]["searchkit"]["analysis_version"] == osa.ANALYSIS_VERSION
    assert set(body["mappings"]["properties"]) == {"title", "body"}
    with pytest.raises(ValueError):
        osa.analysis_settings("porter")


@pytest.mark.parametrize(
    "text",
    [
        "L’aéroport des États-Unis",
        "l’aéroport L'AÉROPORT l'aéroport lʼaéroport",
        "jusqu'au QU'IL lorsqu'elle puisqu'on quoiqu'il d'Irak",
        "aujourd'hui quelqu'un presqu'île prud'homme",
        "les chats et ete etant etaient sûr",
        "œuvre Œuvres cæcum",
        "sécurité securite hostilités roquettes",
        "km² 3,5 % COVID-19 l'Élysée",
    ],
)
def test_terms_and_positions_equal_the_whoosh_backends(client, opensearch_index: str, text: str) -> None:
    client.create_index(opensearch_index, osa.index_body())
    for exact, analyzer in ((False, osa.FRENCH_ANALYZER), (True, osa.EXACT_ANALYZER)):
        ours = _positions(analyze(text, exact=exact), "term", "pos")
        theirs = _positions(client.analyze(opensearch_index, text, analyzer), "token", "position")
        assert theirs == ours, (exact, text)


def test_seed_articles_are_analysed_alike(client, opensearch_index: str) -> None:
    client.create_index(opensearch_index, osa.index_body())
    counts = Counter()
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text("utf-8")
        for exact, analyzer in ((False, osa.FRENCH_ANALYZER), (True, osa.EXACT_ANALYZER)):
            ours = _positions(analyze(text, exact=exact), "term", "pos")
            theirs = _positions(client.analyze(opensearch_index, text, analyzer), "token", "position")
            keys = ours.keys() | theirs.keys()
            counts[exact, "positions"] += len(keys)
            counts[exact, "differ"] += sum(ours.get(k) != theirs.get(k) for k in keys)
    assert counts[False, "positions"] > 1000
    # Only where Lucene's older Snowball stems differently (BENCHMARKS.md: 0.065% on OrangeSum).
    assert counts[False, "differ"] / counts[False, "positions"] <= 0.003
    assert counts[True, "differ"] / counts[True, "positions"] <= 0.001


def test_a_query_without_accents_finds_the_accented_title(client, opensearch_index: str) -> None:
    client.create_index(opensearch_index, osa.index_body(("title",)))
    titles = {"a": "Sécurité routière : l’État durcit les contrôles", "b": "Les œuvres d'Hergé exposées", "c": "Securite sociale"}
    client.bulk([({"index": {"_id": k}}, {"title": v}) for k, v in titles.items()], index=opensearch_index, refresh=True)

    def ids(query: dict) -> set[str]:
        hits = client.request("POST", f"/{opensearch_index}/_search", {"query": query})["hits"]["hits"]
        return {h["_id"] for h in hits}

    assert ids({"match": {"title": "securite"}}) == {"a", "c"}
    assert ids({"match": {"title": "sécurité"}}) == {"a", "c"}
    assert ids({"match": {"title": "etat"}}) == {"a"}
    assert ids({"match": {"title": "oeuvre"}}) == {"b"}
    assert ids({"match": {"title": "les"}}) == set()  # a stop word on the ranked field...
    assert ids({"match_phrase": {"title.exact": "les oeuvres d'herge"}}) == {"b"}  # ...kept on the exact one
    assert ids({"fuzzy": {"title.exact": {"value": "routiere", "fuzziness": 1}}}) == {"a"}


# -- the vocabulary measurements (BENCHMARKS.md) ------------------------------------


@pytest.fixture(scope="module")
def vocabulary_figures(opensearch_url: str) -> dict[str, dict[str, float]]:
    """For each OpenSearch stemmer: stems equal to PyStemmer's, word grouping, whole
    chain equal to the Whoosh backend, and typing without accents."""
    import Stemmer

    voc = shared_data("snowball_french", "head", "voc.txt").read_text("utf-8").split()
    single = [w for w in voc if w.isalpha()]
    py = Stemmer.Stemmer("french").stemWords(single)
    accented = [w for w in voc if unidecode(w) != w and w not in STOP_WORDS]
    queries = sorted(set(voc) | {unidecode(w) for w in accented})
    whoosh = {w: set(index_positions(w)[0]) for w in queries}
    figures: dict[str, dict[str, float]] = {
        "whoosh": {"accentless": sum(1 for w in accented if whoosh[unidecode(w)] & whoosh[w]) / len(accented)}
    }
    with OpenSearchClient(opensearch_url) as client:
        for stemmer in osa.STEMMERS:
            index = f"searchkit-test-vocabulary-{stemmer.replace('_', '-')}"
            body = osa.index_body((), stemmer=stemmer)
            body["settings"]["analysis"]["analyzer"]["stem_only"] = {
                "type": "custom", "tokenizer": "searchkit_words", "filter": ["lowercase", "searchkit_stemmer"]
            }
            client.delete_index(index)
            client.create_index(index, body)
            try:
                stems = [min(t) for t in osa.analyze_words(client, index, "stem_only", single)]
                ranked = dict(zip(queries, osa.analyze_words(client, index, osa.FRENCH_ANALYZER, queries)))
            finally:
                client.delete_index(index)
            joint = sum(comb(n, 2) for n in Counter(zip(py, stems)).values())
            figures[stemmer] = {
                "same_stem": sum(a == b for a, b in zip(stems, py)) / len(single),
                "pair_recall": joint / sum(comb(n, 2) for n in Counter(py).values()),
                "chain_parity": sum(ranked[w] == whoosh[w] for w in voc) / len(voc),
                "accentless": sum(1 for w in accented if ranked[unidecode(w)] & ranked[w]) / len(accented),
            }
    return figures


def test_the_chosen_stemmer_is_the_closest_to_pystemmer(vocabulary_figures) -> None:
    f = vocabulary_figures
    assert osa.STEMMER == max(osa.STEMMERS, key=lambda s: f[s]["same_stem"]) == "french"
    assert f["french"]["same_stem"] >= 0.997 and f["french"]["pair_recall"] >= 0.995
    assert f["french"]["chain_parity"] >= 0.997
    # Savoy's light and minimal stemmers are other algorithms, not other Snowball versions.
    assert f["light_french"]["same_stem"] < 0.6 and f["minimal_french"]["same_stem"] < 0.6


def test_typing_without_accents_works_as_on_the_whoosh_backend(vocabulary_figures) -> None:
    f = vocabulary_figures
    assert f["whoosh"]["accentless"] >= 0.995
    for stemmer in osa.STEMMERS:
        assert f[stemmer]["accentless"] >= f["whoosh"]["accentless"] - 0.001, stemmer
