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

Each definition keeps a fingerprint of its sentence (``source``): copies of one story
(news republishes) define an acronym in the same sentence and count as one source. The
short form written in parentheses after a name its letters do not spell ("la Station
spatiale internationale (ISS)") is kept too (``find_other_uses``): the evidence of
another meaning, weighed against the definitions with the articles' context
(``_Weigh``). Both are terms of the index's ``acronym`` field (``evidence_terms``), so
that the Whoosh and OpenSearch backends decide from the same evidence.

What it must not do: know any acronym, or merge anything itself (it returns evidence).
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Collection, Iterable, Mapping, Sequence

from searchkit.text.normalize import fold, normalize_apostrophes

__all__ = ["Decision", "Definition", "Merge", "REFUSALS", "OtherUse", "acronym_aliases", "decisions", "evidence_terms",
           "find_definitions", "find_other_uses", "parse_other", "parse_term", "source_of", "term"]

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
SOURCE = "#"  # before the defining sentence's fingerprint, at the end of the term
OTHER = "~"  # between the short form and a phrase it does not abbreviate ("ISS~station spatiale internationale")
_SOURCE_RE = re.compile(r"#([0-9a-f]{8})$")
# The sentence around a definition (its fingerprint tells copies of one story apart from
# independent definitions).
_SENTENCE_END = ".!?\n"


@dataclass(frozen=True)
class Definition:
    """One definition found in a text: ``short`` as written, ``long`` as written (from the
    word its first letter starts), and ``start``-``end`` of the whole definition."""

    short: str
    long: str
    start: int
    end: int
    source: str = ""  # fingerprint of the sentence around it: copies of one story share it


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
    return sorted((Definition(d.short, d.long, d.start, d.end, _fingerprint(text, d.start, d.end)) for d in found),
                  key=lambda d: d.start)


def _fingerprint(text: str, start: int, end: int) -> str:
    """A short hash of the sentence around ``start``-``end``, its letters only (folded,
    lower-cased): two copies of one story define an acronym in the same sentence, two
    articles that each define it write different ones (digits and punctuation, which
    re-edited copies change, do not count)."""
    begin = max(text.rfind(c, 0, start) for c in _SENTENCE_END) + 1
    stops = [i for i in (text.find(c, end) for c in _SENTENCE_END) if i >= 0]
    sentence = text[begin:min(stops) if stops else len(text)]
    letters_only = " ".join(re.findall(r"[a-z]+", fold(sentence).lower()))
    return hashlib.blake2b(letters_only.encode(), digest_size=4).hexdigest()


@dataclass(frozen=True)
class OtherUse:
    """A short form in parentheses after a name its letters do not spell: "la Station
    spatiale internationale (ISS)" (a translation, maybe of another meaning), "l'agence
    américaine du médicament (FDA)" (a translation of the same one). ``phrase`` is the name,
    folded and lower-cased; ``start``-``end`` run from the clause before the parenthesis
    through it. Evidence only, weighed by ``decisions`` against the definitions."""

    short: str
    phrase: str
    start: int
    end: int


MAX_PHRASE = 12  # words: a name written before a parenthesis is no longer


def find_other_uses(text: str, definitions: Sequence[Definition] | None = None) -> list[OtherUse]:
    """The "name (SHORT)" uses of ``text`` that are no definition, where the name is
    written as French writes an organisation: a capitalised word, then lower-case words
    only, two of them or more that are not small words ("Station spatiale internationale",
    "Centres de prévention et de lutte contre les maladies"). A person ("Fabien Roussel
    (PCF)", two capitals), a role after a comma ("Eric Ciotti, député (LR)") or a single
    word ("Quotidien (TMC)") is none: they say where an actor belongs, not what the letters
    stand for."""
    text = normalize_apostrophes(text)
    spans = [(d.start, d.end) for d in (find_definitions(text) if definitions is None else definitions)]
    out: list[OtherUse] = []
    for m in SHORT_AFTER.finditer(text):
        if letters(m.group(1)) is None or any(a <= m.start() < b for a, b in spans):
            continue
        clause_start = max(text.rfind(c, 0, m.start()) for c in ".;:!?()[]\n«»\",") + 1
        phrase = _name_before(_words(text[clause_start:m.start()])[-MAX_PHRASE:])
        if phrase:
            out.append(OtherUse(m.group(1).replace(".", ""), phrase, clause_start, m.end()))
    return out


def _name_before(words: Sequence[tuple[str, int, bool]]) -> str:
    """The name that ``words`` end with, from their last capitalised word that is not a
    small word, if every word after it is lower-case and two of them or more are not
    small words; "" if none."""
    for i in range(len(words) - 1, -1, -1):
        word, _, capital = words[i]
        if capital and word not in SMALL:
            tail = [w for w, _, _ in words[i:]]
            return " ".join(tail) if sum(w not in SMALL for w in tail) >= 2 else ""
        if capital:
            return ""
    return ""


def evidence_terms(text: str) -> list[str]:
    """What the index keeps of ``text`` about acronyms (its ``acronym`` field): each
    definition as ``SHORT=long form#source`` (``term``, with the fingerprint of its
    sentence) and each other use as ``SHORT~phrase``, once per article."""
    found = find_definitions(text)
    # One term per definition and article, with its first sentence: the field's article
    # counts stay the articles defining it so.
    first: dict[str, str] = {}
    for d in found:
        first.setdefault(term(d), d.source)
    terms = {f"{t}{SOURCE}{source}" if source else t for t, source in first.items()}
    terms |= {f"{u.short}{OTHER}{u.phrase}" for u in find_other_uses(text, found)}
    return sorted(terms)


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
    """(short, long) of a definition term, without its source; None for any other term
    (an other use). An index made before sources were kept has terms without one."""
    short, sep, long = value.partition(SEP)
    long = _SOURCE_RE.sub("", long)
    return (short, long) if sep and short and long else None


def source_of(value: str) -> str:
    """The fingerprint of the sentence a definition term comes from ("" if it has none)."""
    m = _SOURCE_RE.search(value)
    return m.group(1) if m and SEP in value else ""


def parse_other(value: str) -> tuple[str, str] | None:
    """(short, phrase) of an other-use term ("ISS~station spatiale internationale"), else None."""
    if SEP in value:
        return None
    short, sep, phrase = value.partition(OTHER)
    return (short, phrase) if sep and short and phrase else None


# -- from the collection's evidence to merged facet values -------------------------------

MIN_ARTICLES = 2  # one article's definition could be a slip; two are a convention
MIN_SHARE = 0.75  # the long form the short form stands for in at least 3 of 4 definitions
# The name merges only if most of its articles write it as an acronym: as the definitions
# write the short form (case kept, dots dropped) or with two capitals or more. "SETE" is
# defined, but "Sète" (the town, same folded letters) carries most of the name's
# articles; "Cnav", "Opep", "Codis" are defined so, "SpF" has two capitals: they merge.
MIN_WRITTEN = 0.5
# Copies of one story (one defining sentence) rename the short form's other articles only
# if at least this share of them is related to the defining ones (share an actor with
# them); a phrase written before "(SHORT)" is another meaning if under this share of its
# articles is (``_Weigh``). Actors in COMMON_SHARE of the articles (at least COMMON_MIN)
# relate nothing: they are everywhere (names.py's surname context uses the same bounds).
MIN_RELATED = 0.5
COMMON_SHARE = 0.02
COMMON_MIN = 20


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
    sources: int = 0  # distinct sentences among the articles giving that long form (copies once)
    others: Mapping[str, int] = field(default_factory=dict)  # another meaning's phrase -> articles, if weighed


REFUSALS = {
    "not_actor": "the short form is no actor name of the index",
    "too_few": f"fewer than {MIN_ARTICLES} articles define it so",
    "ambiguous": f"its most common long form has under {MIN_SHARE:.0%} of its definitions",
    "configured": "config.yaml's aliases name it (they win)",
    "person": "the short or the long form is mostly a person in the index",
    "written_otherwise": f"under {MIN_WRITTEN:.0%} of the name's articles write it as the definitions do "
                         "(a same-letters word or name: Sète for SETE)",
    "one_story": "its definitions are copies of one sentence, and the short form's other articles outnumber them and are "
                 f"mostly unrelated to them (under {MIN_RELATED:.0%} share an actor with them)",
    "other_meaning": f"another name is written before (SHORT) in enough unrelated articles that the long form has under "
                     f"{MIN_SHARE:.0%} of the uses",
}


@dataclass
class _Tally:
    """The collection's acronym evidence, read from the index terms."""

    longs: dict[str, dict[str, int]]  # short -> long key -> definitions (articles)
    as_defined: dict[str, set[str]]  # short -> its writings in definitions
    terms: dict[tuple[str, str], list[str]]  # (short, long key) -> its definition terms
    others: dict[str, dict[str, list[str]]]  # short -> phrase -> its other-use terms


def _tally(definitions: Mapping[str, int]) -> _Tally:
    t = _Tally(defaultdict(lambda: defaultdict(int)), defaultdict(set), defaultdict(list),
               defaultdict(lambda: defaultdict(list)))
    for value, n in definitions.items():
        parsed = parse_term(value)
        if parsed is None:
            other = parse_other(value)
            if other is not None:
                t.others[other[0].replace(".", "").upper()][other[1]].append(value)
            continue
        short, long = parsed
        t.longs[short.upper()][_key(long)] += n
        t.as_defined[short.upper()].add(short)
        t.terms[(short.upper(), _key(long))].append(value)
    return t


def decisions(definitions: Mapping[str, int], kinds: Mapping[str, Mapping[str, int]],
              aliases: Mapping[str, Sequence[str]] | None = None,
              docs: Mapping[tuple[str, str], Collection[int]] | None = None,
              evidence: Mapping[str, Collection[int]] | None = None) -> dict[str, Decision]:
    """Every defined short form (upper-cased) and whether it merges; see ``acronym_aliases``.
    ``docs`` ((kind, name) -> articles) and ``evidence`` (index term -> articles) let the
    last two rules read context; without them they count articles only."""
    configured = {_key(n) for pref, others in (aliases or {}).items() for n in (pref, *others)}
    by_key: dict[str, list[str]] = defaultdict(list)  # name key -> index spellings
    votes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for name, by_kind in kinds.items():
        by_key[_key(name)].append(name)
        for kind, n in by_kind.items():
            votes[_key(name)][kind] += n
    tally = _tally(definitions)
    weigh = _Weigh(definitions, kinds, by_key, tally, docs, evidence)
    out: dict[str, Decision] = {}
    for short, options in sorted(tally.longs.items()):
        long_key, n = max(options.items(), key=lambda kv: (kv[1], kv[0]))
        s_key, total = _key(short), sum(options.values())
        others: dict[str, int] = {}
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
        elif _written_share(by_key[s_key], kinds, tally.as_defined[short]) < MIN_WRITTEN:
            refused = "written_otherwise"
        elif weigh.one_story(short, long_key, n):
            refused = "one_story"
        else:
            others = weigh.other_meanings(short, long_key)
            refused = "other_meaning" if n < MIN_SHARE * (n + sum(others.values())) else ""
        out[short] = Decision(short, refused, long_key, n, total, dict(options), weigh.sources(short, long_key), others)
    return out


class _Weigh:
    """The two rules that read more than counts of definitions: copies of one story
    (``one_story``) and another meaning written in parentheses (``other_meanings``).

    Both ask whether some articles are *related* to the defining ones: whether they
    mention an actor that an article defining the short form, or naming its long form,
    also mentions, other than the short and long forms themselves and the actors found
    everywhere (in COMMON_SHARE of the articles or more, and at least COMMON_MIN: France,
    AFP). A short form whose articles are about the same things as its definitions is the
    defined thing; a cluster of its articles about other things is another meaning. Without
    ``docs`` (an OpenSearch index too large to read them) the rules count articles only."""

    def __init__(self, definitions: Mapping[str, int], kinds: Mapping[str, Mapping[str, int]],
                 by_key: Mapping[str, Sequence[str]], tally: _Tally,
                 docs: Mapping[tuple[str, str], Collection[int]] | None,
                 evidence: Mapping[str, Collection[int]] | None) -> None:
        self.definitions, self.kinds, self.by_key, self.tally = definitions, kinds, by_key, tally
        self.docs = docs if evidence is not None else None
        self.evidence = evidence or {}
        self._of: dict[str, set[int]] | None = None  # name key -> articles (built on first use)
        self._by_doc: dict[int, set[str]] = {}  # article -> the not-common name keys it mentions

    def sources(self, short: str, long_key: str) -> int:
        """Independent definitions of ``short`` as ``long_key``: distinct sentences, and every
        article of a term without a source (an index made before sources were kept)."""
        terms = self.tally.terms.get((short, long_key), ())
        return len({source_of(t) for t in terms if source_of(t)}) + sum(self.definitions[t] for t in terms if not source_of(t))

    def one_story(self, short: str, long_key: str, n: int) -> bool:
        """Whether the definitions are copies of one sentence that cannot speak for the
        short form's other articles: those (neither defining it nor naming the long form)
        outnumber the defining ones and under MIN_RELATED of them are related to them.
        One story's definition speaks for its own articles; SDAT, defined in one story,
        merges because its other articles are about the same terrorism cases."""
        if self.sources(short, long_key) >= MIN_ARTICLES:
            return False
        if self.docs is None:  # counts only: the short form's articles beyond the defining ones
            beyond = sum(sum(self.kinds[name].values()) for name in self.by_key.get(_key(short), ())) - n
            return beyond > n
        anchor, own = self._anchor(short, long_key), {_key(short), long_key}
        rest = self._articles(_key(short)) - anchor
        return len(rest) > n and self._related(rest, anchor, own) < MIN_RELATED * len(rest)

    def other_meanings(self, short: str, long_key: str) -> dict[str, int]:
        """Phrases written before "(SHORT)" that name another meaning: no word of the long
        form (a paraphrase shares one: "agence du médicament (ANSM)"), at least MIN_ARTICLES
        articles besides the defining ones, and under MIN_RELATED of those related to the
        defining ones (a translation of the same name is about the same things: "agence
        américaine du médicament (FDA)"; "Station spatiale internationale (ISS)" is not
        about the Italian health institute ISS is also defined as) -> their articles."""
        out: dict[str, int] = {}
        words = _content(long_key)
        for phrase, terms in self.tally.others.get(short, {}).items():
            if _content(phrase) & words:
                continue
            if self.docs is None:
                count = sum(self.definitions[t] for t in terms)
            else:
                anchor, own = self._anchor(short, long_key), {_key(short), long_key}
                uses = {int(d) for t in terms for d in self.evidence.get(t, ())} - anchor
                count = len(uses) if self._related(uses, anchor, own) < MIN_RELATED * len(uses) else 0
            if count >= MIN_ARTICLES:
                out[phrase] = count
        return out

    def _anchor(self, short: str, long_key: str) -> set[int]:
        """The articles where the short form surely means the long form: defining it so, or naming it."""
        defining = {int(d) for t in self.tally.terms.get((short, long_key), ()) for d in self.evidence.get(t, ())}
        return defining | self._articles(long_key)

    def _articles(self, key: str) -> set[int]:
        if self._of is None:
            self._index()
        return (self._of or {}).get(key, set())

    def _index(self) -> None:
        of: dict[str, set[int]] = defaultdict(set)
        for (_, name), ids in (self.docs or {}).items():
            of[_key(name)].update(int(d) for d in ids)
        every = len(set().union(*of.values())) if of else 0
        limit = max(COMMON_MIN, COMMON_SHARE * every)
        by_doc: dict[int, set[str]] = defaultdict(set)
        for key, ids in of.items():
            if len(ids) < limit:
                for d in ids:
                    by_doc[d].add(key)
        self._of, self._by_doc = dict(of), by_doc

    def _related(self, articles: Collection[int], anchor: Collection[int], own: set[str]) -> int:
        """How many of ``articles`` mention a not-common actor that ``anchor`` mentions (``own`` aside)."""
        if self._of is None:
            self._index()
        around = set().union(*(self._by_doc.get(d, set()) for d in anchor)) - own if anchor else set()
        return sum(1 for d in articles if (self._by_doc.get(d, set()) - own) & around)


def _bare(name: str) -> str:
    """A name as a short form is compared with the definitions' writing: no dots, no
    leading article ("La DGS", "l'OMS." -> "DGS", "OMS"), case kept."""
    name = re.sub(r"^(?:l'|la\s|le\s|les\s)", "", normalize_apostrophes(name).strip(), flags=re.IGNORECASE)
    return name.replace(".", "").strip()


def _content(name: str) -> set[str]:
    """The words of a name that are not small words, folded."""
    return {w for w, _, _ in _words(name) if w not in SMALL}


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
                    aliases: Mapping[str, Sequence[str]] | None = None,
                    docs: Mapping[tuple[str, str], Collection[int]] | None = None,
                    evidence: Mapping[str, Collection[int]] | None = None,
                    ) -> tuple[dict[str, list[str]], dict[str, Merge]]:
    """From the collection's evidence (the ``acronym`` field's terms -> articles: the
    definitions ``SHORT=long#source`` and the other uses ``SHORT~phrase``) and the actor
    names in the index (``kinds``: name -> {kind: articles}), the aliases that merge each
    acronym with its long form (long form -> [short form, other writings]) and why.
    ``docs`` ((kind, name) -> articles) and ``evidence`` (term -> articles), when the
    backend can read them, give the last two rules their context.

    A short form merges when it is an actor name of the index, at least MIN_ARTICLES
    define it, MIN_SHARE of its definitions give the same long form, neither it nor the
    long form is a person, neither appears in config.yaml's ``aliases`` (those win),
    MIN_WRITTEN of its name's articles write it as the definitions do, copies of one
    story do not rename other articles unrelated to them (``one_story``), and no other
    meaning written in parentheses outweighs the definitions (``other_meaning``; see
    ``decisions`` and ``_Weigh``)."""
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
    for short, d in decisions(definitions, kinds, aliases, docs, evidence).items():
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
