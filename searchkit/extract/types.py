"""The value types the extractors return, under the name the extractors use.

They live with every other answer of the library in ``searchkit.results.extraction``;
this module re-exports them so that the index, the search side and the tests can name
them without importing an extractor (and never the NER model).

What this module must not do: define types of its own (one home for results), import
an extractor.
"""
from __future__ import annotations

from searchkit.results.extraction import ActorKind, ActorMention, DateMention, Precision

__all__ = ["ActorKind", "ActorMention", "DateMention", "Precision"]
