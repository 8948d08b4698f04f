"""searchkit's French analysis as OpenSearch index settings (analysis-common only).

The same chain as ``searchkit.text.analysis`` for the Whoosh index, built from the filters
that every OpenSearch node ships (the ``analysis-common`` module), so that both
backends index a text under the same terms:

    char filter   typographic apostrophes (’ ʼ ‘ ′ ` ´) -> '
    tokenizer     searchkit's own word pattern: letters and digits, apostrophes kept
                  inside words, hyphens and every other punctuation split
    elision       searchkit's articles (l m t qu n s j d c jusqu quoiqu lorsqu puisqu),
                  in any case
    lowercase
    stop          searchkit's 164 stop words, plus their unaccented spellings
    multiplexer   two branches at the same position, duplicates removed:
                  stem then fold (the good stem: Snowball reads accents) and
                  fold then stem (what a query typed without accents gives), exactly
                  like ``analysis.stem_forms``
    exact field   the same tokens, elided, lowercased and folded, neither stemmed nor
                  stopped: phrases, fuzzy terms, wildcards and "did you mean"

Which stemmer: ``STEMMER`` below, chosen by measurement over the Snowball French
vocabulary (BENCHMARKS.md, "OpenSearch French analysis"); ``index_body`` takes any of
``STEMMERS`` to measure the others.

This module only builds JSON bodies (and reads ``_analyze`` answers for measurement
and tests). It must NOT send anything on its own, know the rest of the mapping (facets,
dates, vectors: the backend's job) or change a term the Whoosh backend would not: any
change here bumps ``ANALYSIS_VERSION`` together with ``analysis.ANALYZER_VERSION``.
"""
from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Any, Sequence

from searchkit.text.analysis import ANALYZER_VERSION, APOSTROPHES, ELISION_ARTICLES, STOP_WORDS, fold

if TYPE_CHECKING:
    from searchkit.backends.opensearch_client import OpenSearchClient

__all__ = [
    "ANALYSIS_VERSION",
    "EXACT_ANALYZER",
    "FRENCH_ANALYZER",
    "STEMMER",
    "STEMMERS",
    "analysis_settings",
    "analyze_words",
    "index_body",
    "text_field",
]

# Stored in the index's _meta: an index analysed by another version is refused, as the
# Whoosh index is (the Whoosh analyzer and this one change together).
ANALYSIS_VERSION = ANALYZER_VERSION

FRENCH_ANALYZER = "searchkit_french"
EXACT_ANALYZER = "searchkit_exact"

# OpenSearch's French stemmers: Lucene's Snowball French ("french"), Savoy's light and
# minimal stemmers. "french" gives PyStemmer's stem for 99.8% of the Snowball vocabulary,
# the light one for 12.4%: see BENCHMARKS.md.
STEMMERS = ("french", "light_french", "minimal_french")
STEMMER = "french"

# searchkit's tokenizer regex (analysis._WORD, ``[^\W_]``: what Python calls alphanumeric)
# in Java syntax: letters and numbers of any script. Java's \w, even Unicode-aware, would
# differ: it drops numbers like "²" (km²) and keeps combining marks.
_WORD_PATTERN = r"[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*"


def _stop_words() -> list[str]:
    # Typed without accents, "etaient" is still a stop word; an accented spelling can
    # never equal a folded one, so the union keeps "sûr" (not "sur") a content word.
    return sorted(STOP_WORDS | {fold(w) for w in STOP_WORDS})


def analysis_settings(stemmer: str = STEMMER) -> dict[str, Any]:
    """The ``settings.analysis`` object defining ``FRENCH_ANALYZER`` and ``EXACT_ANALYZER``."""
    if stemmer not in STEMMERS:
        raise ValueError(f"unknown stemmer {stemmer!r}: one of {', '.join(STEMMERS)}")
    return {
        "char_filter": {
            "searchkit_apostrophes": {
                "type": "mapping",
                "mappings": [f"{c}=>'" for c in APOSTROPHES],
            },
        },
        "tokenizer": {
            "searchkit_words": {
                "type": "pattern",
                "pattern": _WORD_PATTERN,
                "group": 0,
            },
        },
        "filter": {
            "searchkit_elision": {
                "type": "elision",
                "articles": sorted(ELISION_ARTICLES),
                "articles_case": True,
            },
            "searchkit_stop": {"type": "stop", "stopwords": _stop_words()},
            "searchkit_stemmer": {"type": "stemmer", "language": stemmer},
            # Stem before folding gives the good stem; folding first gives the stem of
            # the word typed without accents. Both, at one position, deduplicated.
            "searchkit_stem_fold": {
                "type": "multiplexer",
                "filters": ["searchkit_stemmer, asciifolding", "asciifolding, searchkit_stemmer"],
                "preserve_original": False,
            },
        },
        "analyzer": {
            FRENCH_ANALYZER: {
                "type": "custom",
                "char_filter": ["searchkit_apostrophes"],
                "tokenizer": "searchkit_words",
                "filter": ["searchkit_elision", "lowercase", "searchkit_stop", "searchkit_stem_fold"],
            },
            EXACT_ANALYZER: {
                "type": "custom",
                "char_filter": ["searchkit_apostrophes"],
                "tokenizer": "searchkit_words",
                "filter": ["searchkit_elision", "lowercase", "asciifolding"],
            },
        },
    }


def text_field() -> dict[str, Any]:
    """The mapping of a ranked French text field with its ``exact`` sub-field.

    Offsets are stored so that the highlighter can mark words without re-analysing.
    """
    return {
        "type": "text",
        "analyzer": FRENCH_ANALYZER,
        "index_options": "offsets",
        "fields": {
            "exact": {"type": "text", "analyzer": EXACT_ANALYZER, "index_options": "offsets"},
        },
    }


def index_body(
    text_fields: Sequence[str] = ("title", "body"),
    *,
    shards: int = 1,
    replicas: int = 0,
    stemmer: str = STEMMER,
) -> dict[str, Any]:
    """A ``PUT /INDEX`` body: the analysis settings and the French text fields.

    The backend adds its other fields to ``mappings.properties``.

    >>> body = index_body(("title",))
    >>> body["mappings"]["properties"]["title"]["fields"]["exact"]["analyzer"]
    'searchkit_exact'
    """
    return {
        "settings": {
            "index": {"number_of_shards": shards, "number_of_replicas": replicas},
            "analysis": analysis_settings(stemmer),
        },
        "mappings": {
            "_meta": {"searchkit": {"analysis_version": ANALYSIS_VERSION, "stemmer": stemmer}},
            "properties": {name: text_field() for name in text_fields},
        },
    }


def analyze_words(
    client: OpenSearchClient,
    index: str,
    analyzer: str,
    words: Sequence[str],
    batch: int = 1500,
) -> list[set[str]]:
    """The terms ``analyzer`` gives each of ``words`` (one set per word), asking the
    node's ``_analyze`` for many words at once (joined by newlines; each token is given
    back to its word by its start offset, counted in UTF-16 units as Java does)."""
    out: list[set[str]] = []
    for first in range(0, len(words), batch):
        chunk = words[first : first + batch]
        starts: list[int] = []
        pos = 0
        for word in chunk:
            starts.append(pos)
            pos += len(word.encode("utf-16-le")) // 2 + 1
        terms: list[set[str]] = [set() for _ in chunk]
        for token in client.analyze(index, "\n".join(chunk), analyzer):
            terms[bisect.bisect_right(starts, int(token["start_offset"])) - 1].add(token["token"])
        out.extend(terms)
    return out
