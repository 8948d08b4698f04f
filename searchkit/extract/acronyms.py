"""Acronym definitions in news text: "l'Organisation mondiale de la santé (OMS)" and
"l'OMS (Organisation mondiale de la santé)".

What it is for: at indexing time, each article's definitions (short form, long form);
counted across the collection, they let the facets show an acronym and its long form as
one actor (``acronym_aliases``). The method is Schwartz & Hearst's (2003): a short form in
parentheses after its long form, or the reverse, the short form's letters found in order
in the long form. News French needs it stricter than biomedical English, because news
also writes "Marine Le Pen (RN)" and "Anne Hidalgo (PS)": here every letter of the short
form must start a word of the long form (words split at spaces, hyphens and
apostrophes), the words in between may only be small words (de, la, des, et...), and at
most one word after the last letter may go unmatched ("Société nationale des chemins de
fer français (SNCF)"), unless a comma cuts it off ("Agence régionale de santé, ndlr");
a long form never starts inside a hyphenated name ("Jean-Pierre Sueur (PS)" is no
"Pierre Sueur"). Which definitions merge facet values, and which never do (a person
before a party, a town spelt like an acronym), is ``acronym_aliases``'s decision, made on
the whole collection.

What it must not do: know any acronym, or merge anything itself (it returns evidence).
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from searchkit.text.normalize import fold, normalize_apostrophes

__all__ = ["Decision", "Definition", "Merge", "REFUSALS", "acronym_aliases", "decisions", "find_definitions",
           "parse_term", "term"]

# Words that may sit between the words an acronym's letters start (or open a long form
# when the short form starts with their letter: "La France insoumise (LFI)").
SMALL = frozenset(
    "de du des d la le les l et en pour à a au aux sur un une dans par contre sans sous of the and for on in to".split()
)
MAX_SHORT = 10
WORD = re.compile(r"[^\W\d_]+")
# "long form (SHORT)": the short form alone in the parentheses.
SHORT_AFTER = re.compile(r"\(\s*([^\W\d_][\w&.-]{1,12}?)\s*\)")
# "SHORT (long form)": an upper-case short form, then a parenthesis of words.
SHORT_BEFORE = re.compile(r"\b([A-ZÉÈ][^\W_]?[A-ZÉÈa-zé&.-]{0,10})\s*\(([^()]{3,120})\)")
SEP = "="  # between the short and the long form in the index's term


@dataclass(frozen=True)
class Definition:
    """One definition found in a text: ``short`` as written, ``long`` as written (from the
    word its first letter starts), and ``start``-``end`` of the whole definition."""

    short: str
    long: str
    start: int
    end: int


def letters(short: str) -> str | None:
    """The letters a short form spells, lower-cased and folded: all of them ("OMS",
    "Cese"), or only the capitals of a mixed form ("MoDem" -> "md"); None if it is not a
    plausible acronym (one letter, digits, too long, no capital)."""
    core = short.replace(".", "").replace("-", "").replace("&", "")
    if not core.isalpha() or not 2 <= len(core) <= MAX_SHORT or not core[0].isupper():
        return None
    caps = [c for c in core if c.isupper()]
    if len(caps) == len(core) or len(caps) == 1:
        chosen = core  # "OMS", or a title-cased acronym ("Cese", "Ipam")
    else:
        chosen = "".join(caps)  # "MoDem"
    if len(chosen) < 2:
        return None
    return fold(chosen).lower()


def _words(text: str) -> list[tuple[str, int, bool]]:
    """(word lower-cased and folded, start offset, capitalised) of ``text``'s words."""
    return [(fold(m.group()).lower(), m.start(), m.group()[0].isupper()) for m in WORD.finditer(text)]


def _align(spell: str, words: Sequence[tuple[str, int, bool]], tail: int) -> int | None:
    """Index of the word where a long form spelling ``spell`` starts, when ``words``
    (those before the parenthesis) end with it; None if they do not.

    Walks back from the last word: an ordinary word whose initial is the letter wanted
    takes it; a small word is skipped, or takes its letter when it is capitalised ("La
    France insoumise (LFI)", not "des" in "Direction des affaires criminelles (DACG)");
    ``tail`` ordinary words may be skipped before the last letter."""

    def walk(i: int, j: int, tail_left: int, matched: bool) -> int | None:
        if j < 0:
            return i + 1
        if i < 0:
            return None
        word, _, capital = words[i]
        small = word in SMALL
        options = []
        if word[0] == spell[j] and (not small or capital):
            options.append((i - 1, j - 1, tail_left, True))
        if small:
            options.append((i - 1, j, tail_left, matched))
        elif not matched and tail_left:
            options.append((i - 1, j, tail_left - 1, False))
        for args in options:
            found = walk(*args)
            if found is not None:
                return found
        return None

    return walk(len(words) - 1, len(spell) - 1, tail, False)


def find_definitions(text: str) -> list[Definition]:
    """Every acronym definition of ``text``, in order (see the module docstring)."""
    text = normalize_apostrophes(text)
    found: list[Definition] = []
    for m in SHORT_AFTER.finditer(text):
        spell = letters(m.group(1))
        if spell is None:
            continue
        # The long form is within the clause before the parenthesis (S&H's window).
        clause_start = max(text.rfind(c, 0, m.start()) for c in ".;:!?()[]\n«»\"") + 1
        before = _words(text[clause_start:m.start()])[-(min(len(spell) + 5, 2 * len(spell)) + 1):]
        if not before:
            continue
        at = _align(spell, before, tail=1)
        if at is None:
            continue
        start = clause_start + before[at][1]
        if _inside_name(text, start):
            continue
        long = _cut(text[start:m.start()], spell)
        if _plausible(long, m.group(1)):
            found.append(Definition(m.group(1), long, start, m.end()))
    for m in SHORT_BEFORE.finditer(text):
        spell = letters(m.group(1))
        inside = m.group(2).strip()
        if spell is None:
            continue
        words = _words(inside)
        at = _align(spell, words, tail=1)
        # The parenthesis must be the long form and nothing else: it starts at its first
        # word (after small words) and ends at its last.
        if at is None or any(w not in SMALL for w, _, _ in words[:at]) or _inside_name(inside, words[at][1]):
            continue
        long = _cut(inside[words[at][1]:], spell)
        if _plausible(long, m.group(1)):
            found.append(Definition(m.group(1), long, m.start(), m.end()))
    return sorted(found, key=lambda d: d.start)


def _inside_name(text: str, start: int) -> bool:
    """Whether ``start`` follows a hyphen that ends a capitalised word: the long form would
    begin inside a hyphenated name ("Jean-Pierre Sueur (PS)"), not after "l'ex-" ("l'ex-Front
    national (FN)")."""
    if start < 2 or text[start - 1] != "-":
        return False
    before = WORD.findall(text[max(0, start - 40):start - 1])
    return bool(before) and before[-1][0].isupper()


def _cut(long: str, spell: str) -> str:
    """``long`` without quotes around it and without a last word that a comma separates
    from the rest, when the rest still spells the short form ("Agence régionale de santé,
    ndlr" -> "Agence régionale de santé"; "Google, Amazon, Facebook, Apple" keeps Apple)."""
    long = long.strip(" ,\"«»“”")
    head, comma, last = long.rpartition(",")
    if comma and len(last.split()) == 1 and _align(spell, _words(head), tail=0) is not None:
        long = head.strip(" ,\"«»“”")
    return long


def _plausible(long: str, short: str) -> bool:
    # A long form is longer than its short form by words, and starts with a capital or a
    # lower-case word (news writes "procréation médicalement assistée (PMA)"), never a digit.
    return len(long.split()) >= 2 and len(long) <= 150 and "," not in long.split()[-1] and long.lower() != short.lower()


def term(d: Definition) -> str:
    """The index term of a definition: ``SHORT=long form``, both as written (the short form
    without dots: "Cnav", "OMS"; commas, the keyword field's separator, become spaces).
    Facets show the most common writing of the long form; ``acronym_aliases`` compares
    short forms upper-cased, and keeps their case to know how the collection writes them."""
    return f"{d.short.replace('.', '')}{SEP}{' '.join(d.long.replace(',', ' ').split())}"


def parse_term(value: str) -> tuple[str, str] | None:
    short, sep, long = value.partition(SEP)
    return (short, long) if sep and short and long else None


# -- from the collection's evidence to merged facet values -------------------------------

MIN_ARTICLES = 2  # one article's definition could be a slip; two are a convention
MIN_SHARE = 0.75  # the long form the short form stands for in at least 3 of 4 definitions
# The name merges only if most of its articles write it as an acronym: as the definitions
# write the short form (case kept, dots dropped) or with two capitals or more. "SETE" is
# defined, but "Sète" (the town, same folded letters) carries most of the name's
# articles; "Cnav", "Opep", "Codis" are defined so, "SpF" has two capitals: they merge.
MIN_WRITTEN = 0.5


@dataclass(frozen=True)
class Merge:
    """An acronym merged with its long form: what the facets show and why."""

    display: str  # the long form, as the facets show it
    short: str
    articles: int  # articles defining it this way
    example: str  # the definition as written, e.g. "Organisation mondiale de la santé (OMS)"

    def because(self) -> str:
        return f"{self.short} = {self.display}: defined so in {self.articles} article{'s' if self.articles != 1 else ''}, e.g. « {self.example} »"


def _key(name: str) -> str:
    """A name compared as a facet value: folded, lower-cased, leading article dropped."""
    words = [w for w, _, _ in _words(name)]
    while len(words) > 1 and words[0] in ("la", "le", "les", "l"):
        words.pop(0)
    return " ".join(words)


@dataclass(frozen=True)
class Decision:
    """What ``acronym_aliases`` does with one defined short form, and why."""

    short: str  # upper-cased, without dots
    refused: str  # "" when it merges, else the first rule that refuses it (REFUSALS)
    long_key: str  # the long form it stands for most often (its name key)
    articles: int  # articles giving that long form
    total: int  # definitions giving any long form
    options: Mapping[str, int]  # long key -> definitions


REFUSALS = {
    "not_actor": "the short form is no actor name of the index",
    "too_few": f"fewer than {MIN_ARTICLES} articles define it so",
    "ambiguous": f"its most common long form has under {MIN_SHARE:.0%} of its definitions",
    "configured": "config.yaml's aliases name it (they win)",
    "person": "the short or the long form is mostly a person in the index",
    "written_otherwise": f"under {MIN_WRITTEN:.0%} of the name's articles write it as the definitions do "
                         "(a same-letters word or name: Sète for SETE)",
}


def _bare(name: str) -> str:
    """A name as a short form is compared with the definitions' writing: no dots, no
    leading article ("La DGS", "l'OMS." -> "DGS", "OMS"), case kept."""
    name = re.sub(r"^(?:l'|la\s|le\s|les\s)", "", normalize_apostrophes(name).strip(), flags=re.IGNORECASE)
    return name.replace(".", "").strip()


def decisions(definitions: Mapping[str, int], kinds: Mapping[str, Mapping[str, int]],
              aliases: Mapping[str, Sequence[str]] | None = None) -> dict[str, Decision]:
    """Every defined short form (upper-cased) and whether it merges; see ``acronym_aliases``."""
    configured = {_key(n) for pref, others in (aliases or {}).items() for n in (pref, *others)}
    by_key: dict[str, list[str]] = defaultdict(list)  # name key -> index spellings
    votes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for name, by_kind in kinds.items():
        by_key[_key(name)].append(name)
        for kind, n in by_kind.items():
            votes[_key(name)][kind] += n
    longs: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))  # short -> long key -> definitions
    as_defined: dict[str, set[str]] = defaultdict(set)  # short -> its writings in definitions
    for value, n in definitions.items():
        parsed = parse_term(value)
        if parsed is None:
            continue
        short, long = parsed
        longs[short.upper()][_key(long)] += n
        as_defined[short.upper()].add(short)
    out: dict[str, Decision] = {}
    for short, options in sorted(longs.items()):
        long_key, n = max(options.items(), key=lambda kv: (kv[1], kv[0]))
        s_key, total = _key(short), sum(options.values())
        if s_key not in by_key:
            refused = "not_actor"
        elif n < MIN_ARTICLES:
            refused = "too_few"
        elif n < MIN_SHARE * total:
            refused = "ambiguous"
        elif s_key in configured or long_key in configured:
            refused = "configured"
        elif _person(votes.get(s_key)) or _person(votes.get(long_key)):
            refused = "person"
        elif _written_share(by_key[s_key], kinds, as_defined[short]) < MIN_WRITTEN:
            refused = "written_otherwise"
        else:
            refused = ""
        out[short] = Decision(short, refused, long_key, n, total, dict(options))
    return out


def _written_share(names: Sequence[str], kinds: Mapping[str, Mapping[str, int]], defined: set[str]) -> float:
    """The share of the articles of ``names`` (one name's spellings) written as an acronym:
    as the definitions write it, or with two capitals or more ("SpF", "DGFiP"); "Sète" or
    "Gao", a word with one capital that no definition writes, is not."""
    defined = {_bare(d) for d in defined}

    def as_acronym(name: str) -> bool:
        bare = _bare(name)
        return bare in defined or sum(c.isupper() for c in bare) >= 2

    every = sum(sum(kinds[n].values()) for n in names)
    return sum(sum(kinds[n].values()) for n in names if as_acronym(n)) / every if every else 0.0


def acronym_aliases(definitions: Mapping[str, int], kinds: Mapping[str, Mapping[str, int]],
                    aliases: Mapping[str, Sequence[str]] | None = None) -> tuple[dict[str, list[str]], dict[str, Merge]]:
    """From the collection's definitions (``SHORT=long`` term -> articles) and the actor
    names in the index (``kinds``: name -> {kind: articles}), the aliases that merge each
    acronym with its long form (long form -> [short form, other writings]) and why.

    A short form merges when it is an actor name of the index, at least MIN_ARTICLES
    define it, MIN_SHARE of its definitions give the same long form, neither it nor the
    long form is a person, neither appears in config.yaml's ``aliases`` (those win), and
    MIN_WRITTEN of its name's articles write it as the definitions do (``decisions``)."""
    by_key: dict[str, list[str]] = defaultdict(list)  # name key -> index spellings
    for name in kinds:
        by_key[_key(name)].append(name)
    written: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for value, n in definitions.items():
        parsed = parse_term(value)
        if parsed is not None:
            written[(parsed[0].upper(), _key(parsed[1]))][parsed[1]] += n
    out: dict[str, list[str]] = {}
    why: dict[str, Merge] = {}
    for short, d in decisions(definitions, kinds, aliases).items():
        if d.refused:
            continue
        long_key, n, s_key = d.long_key, d.articles, _key(short)
        spellings = by_key.get(long_key, [])
        as_written = max(written[(short, long_key)].items(), key=lambda kv: (kv[1], kv[0]))[0]
        display = max(spellings, key=lambda s: (sum(kinds[s].values()), s)) if spellings else as_written
        out.setdefault(display, []).extend([*by_key[s_key], *(s for s in spellings if s != display)])
        why[display] = Merge(display, short, n, f"{as_written} ({short})")
    return out, why


def _person(votes: Mapping[str, int] | None) -> bool:
    """Whether the index mostly tags this name as a person."""
    return bool(votes) and max(votes.items(), key=lambda kv: kv[1])[0] == "person"  # type: ignore[union-attr]
