"""Group spelling variants of actor names across a corpus (pure Python, no spaCy).

What it is for: the indexer counts canonical names per article (``extract_actors``), then
``group_variants`` maps each (kind, name) to one display name, so that transliterations of
one person (Mustafa Kadhimi / Moustafa al-Kazimi / Kazimi) are one facet value, and the
search side can expand a query name to all its variants with ``name_key``.

How: a transliteration-aware key (accents and case folded, al-/el-/ad-/ash- particles and
hyphens dropped, Abou -> Abu, ou -> u, dh -> z, kh/q/c -> k, sh/ch one sound apart from s,
runs of vowels collapsed, doubled letters single) puts candidates in one bucket. A merge
then needs evidence, never the key alone (the key put Chine with Seine, OMS with AMS):

- spelling (``may_merge``): every word matches its counterpart. Acronyms only whole, to
  case and dots; words under five letters only to spelling variants (Irak / Iraq, not
  Iran / Oran); longer words of a person's name may also differ by a substituted vowel
  (Mahdi / Mehdi, Soleimani / Suleimani), never by an inserted one (Raoult / Réault) nor
  in the last vowel (Claudia / Claudio); places and organisations by no vowel at all
  (Bologne / Boulogne); two different first names never (Louis / Louise).
- context (``_Context``, when the caller gives each name's articles): a surname alone
  (Macron, Le Pen) joins the full name ending with it, spelt the same, when that name is
  the only one with this surname or outweighs the others five to one (Emmanuel beside
  Brigitte Macron), never a first name nor the end of a compound (Guyot / Kesse-Guyot),
  and only when the articles of both mention a third actor that is not everywhere; a
  one-word name spelt two ways likewise.
- user aliases merge what no rule can.

Kinds: persons only merge with persons (orgs with orgs, places with places), but the model
sometimes gives one name two kinds (Kataib Hezbollah as PER in one article, ORG in
another). Before grouping, each exact (folded) name is moved to its majority kind by article
count; ties go to the first of org, person, place (org first because the model's most
common confusion on news is an organisation named like a person). Person votes count only
for a name with a person's evidence in the corpus (``_person_evidence``): the model calls
towns and brands people (Woking, Tesla) far more often than it calls people places. ``group_actors`` returns
the reconciled kind with the display name; ``group_variants`` only the display name.

What it must not do: import spaCy or anything slow (it runs at query time), or merge
different people who share a first name or a surname (Joe / Hunter Biden, Donald Trump /
Donald Tusk, Ali Khamenei / Ali Sistani).
"""
from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from collections.abc import Collection, Iterable, Mapping, Sequence

from searchkit.extract.lexicon import load_lexicon, load_table
from searchkit.text.normalize import fold, normalize_apostrophes

__all__ = ["fold_name", "group_actors", "group_variants", "may_merge", "name_key"]

_KIND_ORDER = ("org", "person", "place")
_PARTICLES = {"al", "el", "ad", "ed", "ash", "as", "ach", "an", "ar", "at", "az", "ul"}
_SPLIT_RE = re.compile(r"[\s\-_'.,]+")
_VOWELS_RE = re.compile(r"[aeiouy]+")
_DOUBLE_RE = re.compile(r"(.)\1+")


def _ascii(s: str) -> str:
    return fold(normalize_apostrophes(s)).lower()


def _tokens(name: str) -> list[str]:
    return [t for t in _SPLIT_RE.split(_ascii(name)) if t]


def _surname(word: str) -> str:
    """A folded last word without its particle (al-Kazimi -> kazimi)."""
    toks = [t for t in _SPLIT_RE.split(word) if t]
    while len(toks) > 1 and toks[0] in _PARTICLES:
        toks.pop(0)
    return "-".join(toks)


def fold_name(name: str) -> str:
    """Accents and case folded, particles and hyphens dropped: the edit-distance basis.

    >>> fold_name("Moustafa al-Kazimi")
    'moustafa kazimi'
    """
    toks = [t for t in _tokens(name) if t not in _PARTICLES]
    return " ".join(toks) or " ".join(_tokens(name))


def _token_key(tok: str) -> str:
    if tok in ("abou", "abo", "abu"):
        return "ab"
    t = tok.replace("ou", "u")
    # Only the correspondences of transliteration: Arabic dh/z/th (Kadhimi / Kazimi),
    # kh, gh, q/k, English sh / French ch (one sound, written "S" here so that it never
    # meets a plain s: Chine and Seine are two names), ph/f, w/u, j/y.
    for a, b in (("dh", "z"), ("th", "t"), ("kh", "k"), ("gh", "g"),
                 ("sh", "S"), ("ch", "S"), ("ph", "f"), ("q", "k"), ("ck", "k"), ("c", "k"),
                 ("w", "u"), ("j", "y")):
        t = t.replace(a, b)
    t = _DOUBLE_RE.sub(r"\1", t)
    # French spelling adds a mute final e (Salmane / Salman, Othmane / Othman).
    if len(t) > 3 and t.endswith("e") and t[-2] not in "aeiouy":
        t = t[:-1]
    # Vowel variants (Mahdi/Mehdi, Muhandis/Mouhandis, Soleimani/Suleimani) collapse.
    t = _VOWELS_RE.sub("a", t)
    # An "h" between letters is often dropped in transliteration (Mohamed/Muhamad is kept,
    # but Ahmad/Amad folds): only drop it after a vowel and before a consonant.
    t = re.sub(r"(?<=a)h(?=[^a]|$)", "", t)
    return _DOUBLE_RE.sub(r"\1", t)


def _light_key(tok: str, doubles: bool = True) -> str:
    """A word with the spelling variants of one name made equal, vowels kept: the
    consonant correspondences of transliteration (Kadhimi / Kazimi, Qassem / Kassem,
    Cheikh / Sheikh), ou/u, y/i, doubled letters (only those the folding made unless
    ``doubles``), a mute e after -an (Salmane / Salman)."""
    t = tok.replace("ou", "u")
    for x, y in (("dh", "z"), ("th", "t"), ("kh", "k"), ("gh", "g"), ("sh", "S"), ("ch", "S"),
                 ("ph", "f"), ("q", "k"), ("ck", "k"), ("y", "i")):
        t = t.replace(x, y)
    # Without ``doubles``, only the doubled letters the folding made fold (Riyad / Ryad:
    # y -> i makes "ii"); those of the word itself stay (Pen / Penn, Brock / Brook).
    t = _DOUBLE_RE.sub(r"\1", t) if doubles else _DOUBLE_RE.sub(
        lambda m: m.group(0) if m.group(0) in tok else m.group(1), t)
    if tok.endswith("ane") and not tok.endswith("anne"):
        t = t[:-1]
    return t


@lru_cache(maxsize=500_000)  # grouping and the facet lookup ask for the same names
def name_key(name: str) -> str:
    """Transliteration-aware key: variants of one name share it.

    >>> name_key("Mustafa Kadhimi") == name_key("Moustafa al-Kazimi")
    True
    >>> name_key("Abu Mahdi al-Muhandis") == name_key("Abou Mehdi al-Mouhandis")
    True
    """
    return " ".join(_token_key(t) for t in fold_name(name).split())


# Below this length a word is too short for a vowel change to be a spelling variant:
# Iran / Oran, Mali / Male, Adam / Edem are different names.
_SHORT = 5
_GROUPS_RE = re.compile(r"[aeiou]+|[^aeiou]+")
_FIRST_NAMES = load_lexicon("first_names")
_MAKERS = load_table("makers")


def _acronym(name: str) -> bool:
    letters = [ch for ch in name if ch.isalpha()]
    return 0 < len(letters) <= 6 and all(ch.isupper() for ch in letters)


def _same_word(a: str, b: str, alone: bool, vowels: bool = True) -> bool:
    """Two folded words that may spell one name.

    Identical after the spelling variants of ``_light_key``; or, for words of five
    letters or more, the same consonants in the same places and vowels that differ only
    by substitution (Mahdi / Mehdi, Soleimani / Suleimani): never an inserted vowel
    (Raoult / Réault), never the last vowel (Claudia / Claudio, Julien / Julian, the
    mark of gender in many languages), one vowel change for a name alone, two in a name
    of several words (the other words are evidence)."""
    la, lb = _light_key(a), _light_key(b)
    if la == lb:
        # A doubled letter is a spelling variant of a long word (Mohamed / Mohammed), not
        # of a short one (Pen / Penn, Brock / Brook).
        return min(len(la), len(lb)) >= _SHORT or _light_key(a, False) == _light_key(b, False)
    if not vowels or min(len(la), len(lb)) < _SHORT:
        return False
    ga, gb = _GROUPS_RE.findall(la), _GROUPS_RE.findall(lb)
    if len(ga) != len(gb):
        return False
    vowel_diffs = 0
    for x, y in zip(ga, gb):
        if x == y:
            continue
        if x[0] not in "aeiou" or y[0] not in "aeiou" or len(x) != len(y):
            return False  # a consonant differs, or a vowel is inserted
        vowel_diffs += 1
    last_a = [g for g in ga if g[0] in "aeiou"][-1:]
    last_b = [g for g in gb if g[0] in "aeiou"][-1:]
    return last_a == last_b and vowel_diffs <= (1 if alone else 2)


def may_merge(a: str, b: str, person: bool = True) -> bool:
    """Whether two names may be spellings of one actor, on spelling evidence alone.

    Every word must match its counterpart (``_same_word``); acronyms only as a whole,
    to case and dots. Vowel changes are a transliteration of a person's name (Mahdi /
    Mehdi); between places or organisations they make another name (Bologne / Boulogne).

    >>> may_merge("Mustafa Kadhimi", "Moustafa al-Kazimi"), may_merge("Chine", "Seine")
    (True, False)
    >>> may_merge("OMS", "AMS"), may_merge("Irak", "Iraq"), may_merge("Iran", "Oran")
    (False, True, False)
    """
    fa, fb = fold_name(a).split(), fold_name(b).split()
    if len(fa) != len(fb) or not fa:
        return False
    if _acronym(a) or _acronym(b):
        return fa == fb
    alone = len(fa) == 1
    if alone and {fa[0], fb[0]} & _FIRST_NAMES and fa != fb:
        return False  # Louis / Louise, Jean / Jeanne: first names are not variants
    return all(_same_word(x, y, alone, person) for x, y in zip(fa, fb))


class _Context:
    """Which actors each actor's articles mention besides it: the evidence that a
    surname alone in some articles is the person named in full in others.

    Two names share context when the articles of one and of the other both mention
    some third actor that is not everywhere: France, AFP and the like (in 2% of the
    articles or more, and at least 20) prove nothing."""

    def __init__(self, docs: Mapping[tuple[str, str], Collection[int]]) -> None:
        self.docs = {k: frozenset(int(d) for d in v) for k, v in docs.items()}
        articles = len({d for ids in self.docs.values() for d in ids})
        limit = max(20, 0.02 * articles)
        self.common = {k for k, ids in self.docs.items() if len(ids) >= limit}
        self.by_doc: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for k, ids in self.docs.items():
            if k not in self.common:
                for d in ids:
                    self.by_doc[d].append(k)

    def around(self, names: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        names = set(names)
        return {k for n in names for d in self.docs.get(n, ()) for k in self.by_doc[d]} - names

    def shared(self, node: tuple[str, str], group: Iterable[tuple[str, str]]) -> bool:
        group = set(group)
        return bool(self.around([node]) & self.around(group) - group - {node})


class _UF:
    def __init__(self) -> None:
        self.parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(self, x: tuple[str, str]) -> tuple[str, str]:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: tuple[str, str], b: tuple[str, str]) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


Node = tuple[str, str]
# A surname alone joins the most frequent of several full names ending with it only when
# that one has this many times the articles of the others together: "Macron" is
# Emmanuel Macron beside Brigitte Macron, "Fillon" is not François beside Penelope Fillon.
_DOMINANT = 5


def _top_kind(votes: Mapping[str, int]) -> str:
    """The kind with most votes; ties go to the first of ``_KIND_ORDER``."""
    return max(votes, key=lambda k: (votes[k], -_KIND_ORDER.index(k) if k in _KIND_ORDER else -9))


def _person_evidence(folded: str, names: Iterable[str], surnames: Collection[str]) -> bool:
    """Whether a name the model calls a person in some articles and something else in
    others has a person's mark of its own. One word: a first name, or the first name or
    surname of someone named in full somewhere in the corpus (Imran, Trump); a town or a
    brand called PER by the model has neither (Woking, Modène, Tesla). Several words: not led
    by an acronym (RM Sotheby, BNP Paribas are firms). A spelling all in capitals says
    nothing either way: "DONALD TRUMP" in one headline is shouting, not a firm (it made the
    36k index's org facet list Donald Trump and Marine Le Pen, bench/reports/acronyms.md)."""
    words = folded.split()
    if len(words) == 1:
        return words[0] in _FIRST_NAMES or _surname(words[0]) in surnames
    return not any(_acronym(name.split()[0]) and len(name.split()[0]) > 1 and not name.isupper() for name in names)


def _majority_kinds(counts: Mapping[Node, int]) -> dict[Node, str]:
    """Each (kind, name) -> the kind its folded name gets by article votes, person votes
    set aside when the name has no person evidence (``_person_evidence``)."""
    votes_of: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    names_of: dict[str, set[str]] = defaultdict(set)
    surnames: set[str] = set()  # and first names: the words that begin or end a full name
    for (kind, name), n in counts.items():
        folded = fold_name(name)
        votes_of[folded][kind] += n
        names_of[folded].add(name)
        words = _ascii(name).split()
        if kind == "person" and len(words) >= 2:
            surnames.add(_surname(words[-1]))
            if words[0] not in _MAKERS:  # "Tesla Semi" is a truck, not a Tesla's first name
                surnames.add(words[0])  # a first name the lexicon lacks (Imran Khan)
    decided: dict[str, str] = {}
    for folded, votes in votes_of.items():
        if "person" in votes and len(votes) > 1 and not _person_evidence(folded, names_of[folded], surnames):
            votes = {k: v for k, v in votes.items() if k != "person"}
        decided[folded] = _top_kind(votes)
    return {(kind, name): decided[fold_name(name)] for kind, name in counts}


def _merge_spellings(uf: _UF, nodes: Iterable[Node], context: _Context | None) -> None:
    """Same kind, same transliteration key, and ``may_merge``: one actor spelt two ways.
    One word spelt two ways is two names as often as one (Iliass / Elias): their
    articles must share context too."""
    buckets: dict[tuple[str, str], list[Node]] = defaultdict(list)
    for node in nodes:
        buckets[(node[0], name_key(node[1]))].append(node)
    for members in buckets.values():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if not may_merge(a[1], b[1], a[0] == "person"):
                    continue
                if (context is not None and " " not in fold_name(a[1])
                        and _light_key(fold_name(a[1])) != _light_key(fold_name(b[1]))
                        and not context.shared(a, [b])):
                    continue
                uf.union(a, b)


# Lowercase words that begin a surname in European names: "Le Pen", "de Gaulle" and
# "van der Bellen" are surnames alone, whose full names end with them.
_SURNAME_PARTICLES = {"le", "la", "de", "du", "des", "van", "von", "der", "den", "da", "di",
                      "del", "della", "dos", "das", "ter", "ten"}


def _surname_phrase(name: str) -> tuple[str, bool]:
    """(folded surname with its particles, whether the name is that surname alone).

    >>> _surname_phrase("Marine Le Pen"), _surname_phrase("Le Pen"), _surname_phrase("al-Kazimi")
    (('le pen', False), ('le pen', True), ('kazimi', True))
    """
    words = _ascii(name).split()
    i = len(words) - 1
    while i > 0 and words[i - 1] in _SURNAME_PARTICLES:
        i -= 1
    return " ".join([*words[i:-1], _surname(words[-1])]) if words else "", i == 0


def _join_surnames(uf: _UF, nodes: Mapping[Node, int], context: _Context | None) -> None:
    """A surname alone (Macron, Le Pen) joins the person named in full with it, spelt
    the same: a guess across articles, so no spelling latitude (Marion is no Maurin),
    never a first name (Charles, Franck), never the end of a compound (Guyot is not
    Kesse-Guyot); a particle surname joins the full names that end with it (Le Pen),
    and a surname whose "de" French drops joins them without it (Villepin). The full name must be the only one with that surname or outweigh the others
    (``_DOMINANT``), and (given the articles) share context with the surname."""
    by_last: dict[str, set[Node]] = defaultdict(set)
    bare: list[tuple[Node, str]] = []
    for node in nodes:
        if node[0] != "person":
            continue
        phrase, alone = _surname_phrase(node[1])
        if not alone:
            by_last[phrase].add(node)
            # French drops "de" before a surname alone (Villepin for Dominique de
            # Villepin), never "Le" (Pen is not Le Pen).
            if phrase.split()[0] in ("de", "du", "des"):
                by_last[phrase.split()[-1]].add(node)
        elif "-" not in _ascii(node[1]).split()[-1] and phrase not in _FIRST_NAMES and len(phrase) >= 3:
            bare.append((node, phrase))
    for node, phrase in bare:
        full = _dominant(uf, by_last[phrase], nodes) if by_last.get(phrase) else []
        if full and (context is None or context.shared(node, full)):
            uf.union(full[0], node)


def _dominant(uf: _UF, fulls: Iterable[Node], nodes: Mapping[Node, int]) -> list[Node]:
    """The members of the group that outweighs the other groups of ``fulls`` (all of them
    when they are one group), or [] when none does."""
    groups: dict[Node, list[Node]] = defaultdict(list)
    for f in fulls:
        groups[uf.find(f)].append(f)
    weight = {root: sum(nodes[m] for m in members) for root, members in groups.items()}
    best = max(weight, key=lambda r: (weight[r], r))
    rest = sum(weight.values()) - weight[best]
    return sorted(groups[best]) if weight[best] >= _DOMINANT * rest else []


def _apply_aliases(uf: _UF, nodes: Mapping[Node, int],
                   aliases: Mapping[str, Sequence[str]]) -> dict[Node, str]:
    """Aliases, matched on folded names whatever the kind, re-home every hit (and its
    whole group) under one root of their majority kind. Returns root -> shown name."""
    preferred: dict[Node, str] = {}
    folded_nodes: dict[str, list[Node]] = defaultdict(list)
    for node in nodes:
        folded_nodes[fold_name(node[1])].append(node)
    for pref, others in aliases.items():
        hit = [n for name in (pref, *others) for n in folded_nodes.get(fold_name(name), ())]
        if not hit:
            continue
        votes: dict[str, int] = defaultdict(int)
        for n in hit:
            votes[n[0]] += nodes[n]
        kind = _top_kind(votes)
        root = next(n for n in hit if n[0] == kind)
        for n in hit:
            uf.union(root, n)
        preferred[uf.find(root)] = pref
    return preferred


def _display(uf: _UF, nodes: Mapping[Node, int], preferred: Mapping[Node, str]) -> dict[Node, Node]:
    """Node -> its group's (majority kind, shown name): the alias key, else the most
    frequent variant (ties: the longest, then alphabetical)."""
    groups: dict[Node, list[Node]] = defaultdict(list)
    for node in nodes:
        groups[uf.find(node)].append(node)
    display: dict[Node, Node] = {}
    for root, members in groups.items():
        kinds: dict[str, int] = defaultdict(int)
        names: dict[str, int] = defaultdict(int)
        for m in members:
            kinds[m[0]] += nodes[m]
            names[m[1]] += nodes[m]
        name = preferred.get(root) or min(names, key=lambda s: (-names[s], -len(s), s))
        for m in members:
            display[m] = (_top_kind(kinds), name)
    return display


def group_actors(counts: Mapping[Node, int],
                 aliases: Mapping[str, Sequence[str]] | None = None,
                 docs: Mapping[Node, Collection[int]] | None = None,
                 ) -> dict[Node, Node]:
    """Map every (kind, name) of ``counts`` to its group's (kind, display name).

    ``counts``: (kind, canonical name) -> number of articles. ``aliases``: preferred
    display name -> other names of the same actor (config.yaml). ``docs``: (kind, name)
    -> the articles that mention it; given, a one-word name joins another only when
    their articles share context (``_Context``). The display name is the alias key if
    the group has one, else the most frequent variant (ties: the longest, then
    alphabetical).
    """
    kind_of = _majority_kinds(counts)
    # Work on (reconciled kind, name) nodes; several inputs can share a node.
    nodes: dict[Node, int] = defaultdict(int)
    for item, n in counts.items():
        nodes[(kind_of[item], item[1])] += n
    uf = _UF()
    for node in nodes:
        uf.find(node)
    context = _Context(docs) if docs is not None else None
    _merge_spellings(uf, nodes, context)
    _join_surnames(uf, nodes, context)
    display = _display(uf, nodes, _apply_aliases(uf, nodes, aliases or {}))
    return {item: display[(kind_of[item], item[1])] for item in counts}


def group_variants(counts: Mapping[tuple[str, str], int],
                   aliases: Mapping[str, Sequence[str]] | None = None,
                   docs: Mapping[tuple[str, str], Collection[int]] | None = None,
                   ) -> dict[tuple[str, str], str]:
    """Map every (kind, name) of ``counts`` to the display name of its group.

    >>> g = group_variants({("person", "Mustafa Kadhimi"): 1, ("person", "Moustafa al-Kazimi"): 2,
    ...                     ("person", "Kazimi"): 1})
    >>> sorted(set(g.values()))
    ['Moustafa al-Kazimi']
    """
    return {item: name for item, (_, name) in group_actors(counts, aliases, docs).items()}
