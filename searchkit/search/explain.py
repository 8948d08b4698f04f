"""Why an article matches: the library side of ``SearchKit.explain`` and ``document``.

What it is for: turn the engine's view of one article under a query (``Engine.query_match``:
the query the engine itself parsed, the index terms it expanded to, the actor spellings
it named) into plain result values: ``Document`` and ``Explanation`` (results.py).
Typed words are mapped to their index terms with the same analyzer the index uses, and
each term to the words of the article that carry it.

What it must not do: parse or rebuild the query itself (the engine's parse is the one
that ranked the hit), touch Whoosh, format text (ui/render does), or print.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Mapping, Sequence

from searchkit.text.analysis import analyze, fold, stem_forms
from searchkit.results import (
    ActorMatch,
    Document,
    DocumentActor,
    Explanation,
    FilterMatch,
    TermMatch,
    WordMatch,
)
from searchkit.vocab import ACTOR_FIELDS, OPERATORS, canonical_field

__all__ = ["document_from", "explanation_from"]

Resolve = Callable[[str, "str | None"], ActorMatch]
DateIn = Callable[["str | None", str], bool]


def document_from(fields: Mapping[str, Any], spans: Sequence[tuple[int, int]] = ()) -> Document:
    """A stored article (the index's fields) as a ``Document``."""
    meta = fields.get("meta") or {}
    actors = tuple(DocumentActor(a["name"], a["kind"], tuple(a.get("forms", ()))) for a in meta.get("actors", []))
    return Document(
        id=fields["id"],
        path=fields.get("path", ""),
        title=fields.get("title", ""),
        body=fields.get("body", ""),
        source=fields.get("source", ""),
        published=meta.get("published"),
        precision=meta.get("precision"),
        mentioned=tuple(meta.get("mentioned", ())),
        actors=actors,
        spans=tuple((int(s), int(e)) for s, e in spans),
        pages=tuple(int(p) for p in meta.get("pages") or ()),
        format=meta.get("format"),
        author=meta.get("author"),
    )


def explanation_from(
    doc: Document,
    query: str,
    stemmed: frozenset[str],
    exact: frozenset[str],
    query_names: frozenset[str],
    filters: Mapping[str, Sequence[str]],
    resolve: Resolve,
    date_in: DateIn,
) -> Explanation:
    """Each typed word, the index terms it became (those the engine's query expanded to,
    when any), and the words of the article that carry them; the exact terms of
    phrases, fuzzy terms and wildcards; then how the article passed each filter."""
    words: list[WordMatch] = []
    exact_found: list[TermMatch] = []
    other: tuple[str, ...] = ()
    stripped = query.strip()
    if stripped and stripped != "*":
        doc_stemmed = _term_forms(doc.title, doc.body, exact=False)
        doc_exact = _term_forms(doc.title, doc.body, exact=True)
        explained: set[str] = set()
        for word, terms in _query_words(stripped):
            terms = [t for t in terms if t in stemmed] or terms
            explained.update(terms)
            found = [
                TermMatch(term, where, _ranked(forms), _spelling_note(word, forms, term))
                for term in terms
                for where, forms in doc_stemmed.get(term, {}).items()
            ]
            words.append(WordMatch(word, tuple(terms), tuple(found)))
        for term in sorted(exact):
            for where, forms in doc_exact.get(term, {}).items():
                exact_found.append(TermMatch(term, where, _ranked(forms)))
        other = tuple(sorted(t for t in stemmed - explained if t in doc_stemmed))
    return Explanation(
        id=doc.id,
        title=doc.title,
        query=query,
        words=tuple(words),
        exact=tuple(exact_found),
        other_terms=other,
        filters=tuple(_filter_matches(doc, filters, resolve, date_in)),
        query_actors=tuple(a for a in doc.actors if a.name in query_names),
    )


def _filter_matches(doc: Document, filters: Mapping[str, Sequence[str]], resolve: Resolve, date_in: DateIn) -> list[FilterMatch]:
    out: list[FilterMatch] = []
    for raw, values in filters.items():
        name = canonical_field(raw) or raw
        for value in values:
            if name in ACTOR_FIELDS:
                match = resolve(value, None if name == "actor" else name)
                variants = set(match.variants)
                forms = sorted({f for a in doc.actors if a.name in variants for f in (a.forms or (a.name,))})
                because = "; ".join(dict.fromkeys(a.because for a in match.actors if a.because))
                out.append(FilterMatch(name, value, tuple(sorted(match.names)), tuple(sorted(variants)), tuple(forms), because))
            else:
                dates = [doc.published] if name == "published" else list(doc.mentioned)
                got = tuple(d or "undated" for d in dates if date_in(d, value))
                out.append(FilterMatch(name, value, got))
    return out


def _query_words(query: str) -> list[tuple[str, list[str]]]:
    """Typed words (outside field:value parts and operators) and their stemmed terms."""
    plain = re.sub(r'[^\W\d_][\w-]*:("[^"]*"|\S+)', " ", query)
    plain = re.sub(r"(?<!\S)(?:%s)(?!\S)" % "|".join(sorted(OPERATORS)), " ", plain)
    # Phrases, fuzzy terms and wildcards use the unstemmed field: reported as exact terms.
    plain = re.sub(r'"[^"]*"?(?:~\d+)?', " ", plain)
    plain = re.sub(r"\S+[~*?]\S*", " ", plain)
    words: dict[int, tuple[str, list[str]]] = {}
    for t in analyze(plain):
        words.setdefault(t["pos"], (t["word"], []))[1].append(t["term"])
    return [words[p] for p in sorted(words)]


def _term_forms(title: str, body: str, exact: bool) -> dict[str, dict[str, dict[str, int]]]:
    """term -> {"title"|"body": {word as written: count}}."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for where, text in (("title", title), ("body", body)):
        for t in analyze(text, exact=exact):
            forms = out.setdefault(t["term"], {}).setdefault(where, {})
            forms[t["word"]] = forms.get(t["word"], 0) + 1
    return out


def _ranked(forms: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(forms.items(), key=lambda kv: -kv[1]))


def _spelling_note(word: str, forms: Mapping[str, int], term: str) -> str:
    typed = word.lower()
    notes = []
    seen: set[str] = set()
    for form in forms:
        f = form.lower()
        if f == typed or f in seen:
            continue
        seen.add(f)
        if fold(f) == fold(typed) and f != fold(f) and typed == fold(typed):
            notes.append(f'accents restored: typed "{word}", written "{form}"')
        elif fold(f) == fold(typed) and typed != fold(typed) and f == fold(f):
            notes.append(f'written without accents: "{form}"')
        elif len(stem_forms(f)) > 1 and stem_forms(f)[1] == term:
            notes.append(f'via the accent-free stem of "{form}"')
    return "; ".join(dict.fromkeys(notes))
