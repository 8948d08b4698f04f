"""Spelling variants of one actor, grouped from the index's own actor vocabulary.

The grouping itself is ``extract.names.group_actors``; this module keeps its result for
queries: display names for facets and hits, and a lookup that resolves what a user
types (any spelling, case or accent, a surname alone) to the groups it names. It reads
no index: the engine hands it the vocabulary with its counts.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from searchkit.results import Actor
from searchkit.search.cache import load_pickle
from searchkit.text.normalize import fold
from searchkit.vocab import ACTOR_FIELDS, canonical_field

__all__ = ["ActorGroups"]


class ActorGroups:
    """Spelling variants of the same actor, grouped from the index vocabulary.

    The lookup tables behind ``resolve`` and ``variants`` are built on first use (a
    plain search needs neither) and pickled with the facet cache once built."""

    def __init__(self, counts: Mapping[tuple[str, str], int], aliases: Mapping[str, Sequence[str]],
                 docs: Mapping[tuple[str, str], Any] | None = None, definitions: Mapping[str, int] | None = None,
                 evidence: Mapping[str, Any] | None = None) -> None:
        from searchkit.extract.names import group_actors

        # Acronyms the collection defines ("OMS" = "Organisation mondiale de la santé")
        # become aliases of their long form; config.yaml's aliases come after, so they win.
        # ``definitions`` are the index's acronym terms with their article counts;
        # ``evidence``, the same terms' articles (numbered as in ``docs``), gives the rules
        # on copies and other meanings their context.
        self.acronyms: dict[str, Any] = {}
        if definitions:
            from searchkit.extract.acronyms import acronym_aliases

            kinds: dict[str, dict[str, int]] = {}
            for (kind, name), n in counts.items():
                kinds.setdefault(name, {})[kind] = n
            learned, self.acronyms = acronym_aliases(definitions, kinds, aliases, docs, evidence)
            aliases = {**learned, **dict(aliases or {})}
        grouped = group_actors(counts, aliases, docs)
        self.display: dict[tuple[str, str], str] = {k: name for k, (_, name) in grouped.items()}
        # The facet each name is counted under: its group's majority kind.
        self.kind: dict[tuple[str, str], str] = {k: kind for k, (kind, _) in grouped.items()}
        self.aliases = {str(k): [str(v) for v in vs or ()] for k, vs in dict(aliases or {}).items()}
        self._members: dict[str, set[tuple[str, str]]] | None = None
        # folded spelling / transliteration key / last word -> {(kind, display)}
        self._lookup: tuple[dict[str, set[tuple[str, str]]], ...] | None = None
        self.extra: Path | None = None  # where the two above were saved, if they were

    def __getstate__(self) -> dict[str, Any]:
        # Pickled without the lookup tables: they go to their own file (``extra``).
        return {**self.__dict__, "_members": None, "_lookup": None, "extra": None}

    def _load_extra(self) -> None:
        if self.extra is not None and (self._lookup is None or self._members is None):
            loaded = load_pickle(self.extra)
            self.extra = None
            if loaded is not None:
                self._lookup, self._members = loaded

    def because(self, display: str) -> str:
        """Why ``display`` holds an acronym and its long form ("" if it does not)."""
        merge = self.acronyms.get(display)
        return merge.because() if merge is not None else ""

    @property
    def members(self) -> dict[str, set[tuple[str, str]]]:
        """Display name -> its (kind, spelling) variants."""
        self._load_extra()
        if self._members is None:
            self._members = {}
            for key, disp in self.display.items():
                self._members.setdefault(disp, set()).add(key)
        return self._members

    def lookup(self) -> tuple[dict[str, set[tuple[str, str]]], ...]:
        self._load_extra()
        if self._lookup is None:
            from searchkit.extract.names import name_key

            by_fold: dict[str, set[tuple[str, str]]] = {}
            by_key: dict[str, set[tuple[str, str, str]]] = {}  # key -> (kind, display, spelling)
            by_last: dict[str, set[tuple[str, str]]] = {}
            for (stored, name), disp in self.display.items():
                k = self.kind.get((stored, name), stored)
                fn = fold(name.lower())
                for form in (fn, fold(disp.lower())):
                    by_fold.setdefault(form, set()).add((k, disp))
                by_key.setdefault(name_key(name), set()).add((k, disp, name))
                for last in {*fn.split()[-1:], *fn.replace("-", " ").split()[-1:]}:
                    by_last.setdefault(last, set()).add((k, disp))
            # An alias names its group even when no article spells it that way.
            groups_of: dict[str, set[tuple[str, str]]] = {}
            for (stored, name), disp in self.display.items():
                groups_of.setdefault(disp, set()).add((self.kind.get((stored, name), stored), disp))
            for pref, others in self.aliases.items():
                for other in others:
                    by_fold.setdefault(fold(other.lower()), set()).update(groups_of.get(pref, ()))
            self._lookup = (by_fold, by_key, by_last)
        return self._lookup

    def resolve(self, value: str, kind: str | None) -> set[str]:
        """Display names of the groups that ``value`` names (any variant, any case or
        accent); a single word also finds the actors whose name ends with it."""
        from searchkit.extract.names import may_merge, name_key

        by_fold, by_key, by_last = self.lookup()
        v = fold(value.strip().lower())
        key = name_key(value)
        # A spelling the index knows wins; the transliteration key only finds the
        # others, and only spellings the merge rules accept (a filter on OMS must not
        # bring AMS, nor "Le Pen" Leo Poon).
        exact = by_fold.get(v, set()) or {(k, d) for k, d, name in (by_key.get(key, ()) if key else ())
                                           if may_merge(value, name, k == "person")}
        # A word, or words ("Le Pen"), also find the names that end with them.
        loose = {(k, d) for k, d in by_last.get(v.split()[-1], ()) if " " not in v or d.lower().endswith(" " + v)} if v else set()
        pick = exact or loose
        return {d for k, d in pick if not kind or k == kind} or (
            {d for k, d in loose if not kind or k == kind} if exact else set()
        )

    def variants(self, displays: Iterable[str], kind: str | None) -> set[str]:
        return {name for _, name in self.members_of(displays, kind)}

    def members_of(self, displays: Iterable[str], kind: str | None) -> set[tuple[str, str]]:
        """The (field stored under, spelling) of the groups ``displays`` whose kind is ``kind``."""
        return {m for d in displays for m in self.members.get(d, ()) if not kind or self.kind.get(m, m[0]) == kind}

    def names_in_filters(self, filters: Mapping[str, Sequence[str]]) -> set[str]:
        """Every spelling the actor filters stand for (marked in snippets as the query's words are)."""
        names: set[str] = set()
        for field, values in filters.items():
            f = canonical_field(field)
            if f in ACTOR_FIELDS:
                kind = None if f == "actor" else f
                for v in values:
                    names |= self.variants(self.resolve(v, kind), kind)
        return names

    def hit_actors(self, stored: Iterable[Mapping[str, Any]]) -> tuple[Actor, ...]:
        """An article's stored actors as a hit shows them: each group once, by its display name."""
        seen: set[str] = set()
        actors: list[Actor] = []
        for a in stored:
            disp = self.display.get((a["kind"], a["name"]), a["name"])
            if disp not in seen:
                seen.add(disp)
                actors.append(Actor(disp, a["kind"]))
        return tuple(actors)
