"""The Whoosh schema and the version stamp written beside every index, and the text
field type (``FrenchText``) that takes postings computed by the indexing workers.

Field names are the contract between the indexer and the searcher; the version
numbers let an index built by an incompatible searchkit be refused, never read
into wrong results.
"""
from __future__ import annotations

from pickle import dumps
from typing import Any, Callable, Iterator

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint

from searchkit.text.analysis import ANALYZER_VERSION, exact_analyzer, french_analyzer, index_positions

__all__ = [
    "ACTOR_FIELDS",
    "DATE_FIELDS",
    "FACET_FIELDS",
    "SCHEMA_VERSION",
    "TEXT_FIELDS",
    "FrenchText",
    "Postings",
    "build_schema",
    "text_postings",
    "version_stamp",
]

# Bump when fields change meaning or appear/disappear.
SCHEMA_VERSION = 1

# Field names live in vocab.py (no dependencies); re-exported here for the indexer.
from searchkit.vocab import ACTOR_FIELDS, DATE_FIELDS, FACET_FIELDS, UNDATED  # noqa: E402
# The analysed fields: field name -> True for the exact (unstemmed) analysis.
TEXT_FIELDS = {"title": False, "body": False, "title_exact": True, "body_exact": True}


class Postings:
    """A text field's postings, computed before ``add_document`` (by an indexing worker).

    Whoosh analyses each text field inside ``add_document``, one ``Token`` object per
    word per filter: 40% of the indexing process's CPU, in the one process that cannot
    be parallelised. Workers compute the same postings with ``analysis.index_positions``
    and ``text_postings`` instead, and ``FrenchText.index`` hands them over unchanged.
    """

    __slots__ = ("items",)

    def __init__(self, items: list[tuple[bytes, int, float, bytes]]) -> None:
        self.items = items


class FrenchText(TEXT):
    """Whoosh's TEXT field that also accepts ready-made ``Postings`` as its value."""

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        if isinstance(value, Postings):
            return iter(value.items)
        return super().index(value, **kwargs)


def text_postings(field: Any, positions: dict[str, list[int]]) -> Postings:
    """What ``field.index(text)`` yields, from the text's ``analysis.index_positions``
    (its ranked or its exact half, as ``TEXT_FIELDS`` says), except that the
    frequencies add up to the number of word positions (see below).

    ``field`` is the index schema's field: its format gives the boost and the
    encoding. A test checks the result against Whoosh's own analysis on real articles.
    """
    fmt = field.format
    boost = fmt.field_boost
    encode = _ENCODERS.get(type(fmt))
    if encode is None:
        raise TypeError(f"no postings encoder for {type(fmt).__name__}")
    # The frequency Whoosh sums into the document's field length counts each word
    # position once: the twin terms of one accented word (analysis.stem_forms) are one
    # word, not two, and must not make the article look longer to BM25 (its weight, the
    # term frequency BM25 reads, is untouched). Counted twice, lengths grew with the
    # share of accented words: -0.007 MRR@10 on OrangeSum abstracts (bench/ranking.py).
    claimed: set[int] = set()
    items = []
    for term, found in positions.items():
        before = len(claimed)
        claimed.update(found)
        items.append((term.encode("utf-8"), len(claimed) - before, float(len(found)) * boost, encode(found)))
    return Postings(items)


_ONE_POSITION: dict[int, bytes] = {}
_COUNTS = [pack_uint(n) for n in range(256)]


def _encode_positions(positions: list[int]) -> bytes:
    """Byte for byte ``whoosh.formats.Positions.encode`` (count, then pickled deltas),
    with the encoding of a lone position (most terms of an article) cached."""
    if len(positions) == 1:
        pos = positions[0]
        value = _ONE_POSITION.get(pos)
        if value is None:
            value = _ONE_POSITION[pos] = pack_uint(1) + dumps([pos], 2)
        return value
    deltas = [positions[0]]
    deltas += [b - a for a, b in zip(positions, positions[1:])]
    return pack_uint(len(deltas)) + dumps(deltas, 2)


def _encode_frequency(positions: list[int]) -> bytes:
    """Byte for byte ``whoosh.formats.Frequency``'s value: the count."""
    n = len(positions)
    return _COUNTS[n] if n < 256 else pack_uint(n)


_ENCODERS: dict[type, Callable[[list[int]], bytes]] = {Positions: _encode_positions, Frequency: _encode_frequency}


def build_schema(title_boost: float = 2.0) -> Schema:
    """The schema of a searchkit index; ``title_boost`` weighs title matches in BM25F."""
    return Schema(
        id=ID(stored=True, unique=True),
        source=ID(stored=True),  # the file an article came from: deleting a file deletes its articles
        path=STORED(),
        digest=STORED(),  # content hash of the source file, to rebuild the manifest
        # No positions in the ranked fields: phrases go to the exact fields, and counts
        # are cheaper to write, store and read (indexes made with positions still work).
        title=FrenchText(analyzer=french_analyzer(), stored=True, field_boost=title_boost, phrase=False),
        body=FrenchText(analyzer=french_analyzer(), stored=True, phrase=False),
        title_exact=FrenchText(analyzer=exact_analyzer(), phrase=True),
        body_exact=FrenchText(analyzer=exact_analyzer(), phrase=True),
        # Facets: every prefix of a date ("2020", "2020-12", "2020-12-20") so that
        # filtering by year or month is one term lookup.
        published=KEYWORD(commas=True),
        mentioned=KEYWORD(commas=True),
        date_key=NUMERIC(int, bits=32, sortable=True, stored=False),
        actor=KEYWORD(commas=True),
        person=KEYWORD(commas=True),
        org=KEYWORD(commas=True),
        place=KEYWORD(commas=True),
        # "SHORT=long form" acronym definitions (extract/acronyms): evidence, not a facet.
        acronym=KEYWORD(commas=True),
        # What a hit shows: {"published": .., "precision": .., "mentioned": [..], "actors": [..]}
        meta=STORED(),
    )


def version_stamp() -> dict[str, int]:
    return {"analyzer_version": ANALYZER_VERSION, "schema_version": SCHEMA_VERSION}
