"""The Whoosh schema and the version stamp written beside every index.

Field names are the contract between the indexer and the searcher; the version
numbers let an index built by an incompatible searchkit be refused, never read
into wrong results.
"""
from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from searchkit.analysis import ANALYZER_VERSION, exact_analyzer, french_analyzer

__all__ = ["ACTOR_FIELDS", "DATE_FIELDS", "FACET_FIELDS", "SCHEMA_VERSION", "build_schema", "version_stamp"]

# Bump when fields change meaning or appear/disappear.
SCHEMA_VERSION = 1

ACTOR_FIELDS = ("actor", "person", "org", "place")
DATE_FIELDS = ("published", "mentioned")
FACET_FIELDS = ACTOR_FIELDS + DATE_FIELDS
UNDATED = "undated"


def build_schema(title_boost: float = 2.0) -> Schema:
    """The schema of a searchkit index; ``title_boost`` weighs title matches in BM25F."""
    return Schema(
        id=ID(stored=True, unique=True),
        source=ID(stored=True),  # the file an article came from: deleting a file deletes its articles
        path=STORED(),
        digest=STORED(),  # content hash of the source file, to rebuild the manifest
        title=TEXT(analyzer=french_analyzer(), stored=True, field_boost=title_boost),
        body=TEXT(analyzer=french_analyzer(), stored=True),
        title_exact=TEXT(analyzer=exact_analyzer(), phrase=True),
        body_exact=TEXT(analyzer=exact_analyzer(), phrase=True),
        # Facets: every prefix of a date ("2020", "2020-12", "2020-12-20") so that
        # filtering by year or month is one term lookup.
        published=KEYWORD(commas=True),
        mentioned=KEYWORD(commas=True),
        date_key=NUMERIC(int, bits=32, sortable=True, stored=False),
        actor=KEYWORD(commas=True),
        person=KEYWORD(commas=True),
        org=KEYWORD(commas=True),
        place=KEYWORD(commas=True),
        # What a hit shows: {"published": .., "precision": .., "mentioned": [..], "actors": [..]}
        meta=STORED(),
    )


def version_stamp() -> dict[str, int]:
    return {"analyzer_version": ANALYZER_VERSION, "schema_version": SCHEMA_VERSION}
