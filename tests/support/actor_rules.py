"""The actor rule layer run over hand-placed model entities, for the facet tests.

What it is for: one helper that test_facet_trust and test_facet_evidence both use to
ask "what does the rule layer make of these spaCy labels in this text", without
loading spaCy. What it must not do: decide anything itself (it only calls the rules).
"""
from __future__ import annotations

from searchkit.extract.actors import _apply_rules, normalize_text


def rules(text: str, *ents: tuple[str, str]) -> list[tuple[str, str]]:
    """The rule layer over ``ents`` (surface, model label), each at its first occurrence."""
    found = []
    for surface, label in ents:
        start = text.index(surface)
        found.append((start, start + len(surface), label))
    return [(m.kind, m.canonical) for m in _apply_rules(text, normalize_text(text), found)]
