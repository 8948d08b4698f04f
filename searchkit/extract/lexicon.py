"""Word lists the actor rules read: small text files in ``extract/lexicons/``.

What it is for: the rule layer of ``actors.py`` and the merge guard of ``names.py`` need
general knowledge of French (first names, demonyms, compass points, units, news outlets,
roles). Kept as data, one entry a line, so that they can be read, reviewed and extended
without touching code. Entries are folded (accents and case) when read; ``#`` starts a
comment.

What it must not do: hold the names of the sample articles (every list is general
knowledge), or import anything slow (``names.py`` runs at query time).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from searchkit.text.normalize import fold, normalize_apostrophes

__all__ = ["fold_entry", "load_lexicon", "load_table"]

_DIR = Path(__file__).with_name("lexicons")


def fold_entry(s: str) -> str:
    """Lowercase, accents removed, typographic apostrophes plain, spaces single."""
    return " ".join(fold(normalize_apostrophes(s)).lower().split())


@lru_cache(maxsize=None)
def load_lexicon(name: str) -> frozenset[str]:
    """The folded entries of ``lexicons/NAME.txt``.

    >>> "francais" in load_lexicon("demonyms")
    True
    """
    entries: set[str] = set()
    for line in (_DIR / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            entries.add(fold_entry(line))
    return frozenset(entries)


@lru_cache(maxsize=None)
def load_table(name: str) -> dict[str, str]:
    """``lexicons/NAME.txt`` read as "Shown name | other spelling | …" lines: every
    folded spelling -> the shown name.

    >>> load_table("media")["bfm tv"]
    'BFMTV'
    """
    table: dict[str, str] = {}
    for line in (_DIR / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        names = [n.strip() for n in line.split("|") if n.strip()]
        for n in names:
            table.setdefault(fold_entry(n), names[0])
    return table
