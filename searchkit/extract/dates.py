"""A hand-written French date grammar for news articles.

What it is for: find the dates an article mentions (``extract_dates``) and, when an
article has no header, guess its publication date from the text (``infer_published``).
Every mention is resolved to ``YYYY[-MM[-DD]]`` with a precision (day, month or year);
partial ("le 17 novembre") and relative ("mardi soir", "l'an dernier") expressions are
anchored on the publication date and skipped when there is none.

What it must not do: no I/O, no model, no spaCy, no dateparser -- it runs on every
article at index time, so it is pure string work with regexes compiled once at import.
It must never turn a count into a year: a bare number is a year only in a year context
("en 2014", "depuis 2003", "fin 2023", "(2019)", after a month...) and within 1800..2100,
and never when a count noun or a unit follows ("en 2000 exemplaires").

Choices (documented because they are policy, not grammar):
- bare or "ce"/"soir" weekdays ("mardi soir", "ce mardi") -> the most recent such day on
  or before publication (news reports the past); "mardi dernier" -> strictly before;
  "mardi prochain" -> strictly after;
- a day and month without a year -> the year putting it nearest the publication date
  (ties go to the past); a weekday in front picks, among the neighbouring years, the one
  where the weekday matches;
- "la semaine dernière/prochaine", "la veille", "le lendemain", seasons, decades
  ("les années 90") and bare day numbers ("le 27") are skipped: no honest day/month/year.
"""
from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterator

from searchkit.extract.types import DateMention, Precision

__all__ = ["extract_dates", "infer_published"]

# A candidate before overlap resolution: (start, end, value, precision).
_Cand = tuple[int, int, str, Precision]
# A publication anchor, or None when the caller gave none.
_Pub = _dt.date | None

_YEAR_MIN, _YEAR_MAX = 1800, 2100

# --- vocabulary -------------------------------------------------------------------------
# Apostrophes as typed in the wild: ASCII, typographic, modifier letters.
_APOS = r"['’ʼ‘`´]"

# Full month names, accents optional ("fevrier", "aout", "decembre").
_MONTH_FULL = (
    r"(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre"
    r"|novembre|d[ée]cembre)"
)
# Full names plus the usual abbreviations, the dot optional. Longest first so the
# alternation does not stop at "sept" inside "septembre".
_MONTH_ANY = (
    r"(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre"
    r"|novembre|d[ée]cembre|(?:janv|f[ée]vr|f[ée]v|avr|juil|sept|sep|oct|nov|d[ée]c|jan|jun|jul"
    r"|mar)\.?)"
)
_NOT_LETTER = r"(?![^\W\d_])"  # word end that also works after an optional dot

_WEEKDAY_FULL = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
_WEEKDAY_ANY = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lun|mar|mer|jeu|ven|sam|dim)\.?"

_FOLD = str.maketrans("éèêëûùüôîïàâç", "eeeeuuuoiiaac")
_MONTH_BY_PREFIX = {
    "jan": 1, "fev": 2, "mar": 3, "avr": 4, "mai": 5, "juin": 6, "jun": 6,
    "juil": 7, "jul": 7, "aou": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_WEEKDAY_BY_PREFIX = {"lun": 0, "mar": 1, "mer": 2, "jeu": 3, "ven": 4, "sam": 5, "dim": 6}


def _month_number(word: str) -> int:
    w = word.lower().translate(_FOLD).rstrip(".")
    for size in (4, 3):
        if w[:size] in _MONTH_BY_PREFIX:
            return _MONTH_BY_PREFIX[w[:size]]
    raise ValueError(word)


def _weekday_number(word: str) -> int:
    return _WEEKDAY_BY_PREFIX[word.lower()[:3]]


# A count follows the number: then it is not a year ("en 2000 exemplaires").
_COUNT_AFTER = (
    r"(?!\s*(?:%|€|\$|[.,]\d|\d|pour\s*cent|euros?|dollars?|francs?|livres?|km|kilom|m[èe]tres?|kg|tonnes?"
    r"|personnes?|habitants?|soldats?|militaires?|morts?|victimes?|bless[ée]s?|hommes?|femmes?"
    r"|enfants?|[ée]l[èe]ves?|salari[ée]s?|emplois?|postes?|exemplaires?|voix|si[èe]ges?|logements?"
    r"|ans?\b|jours?\b|mois\b|heures?\b|minutes?\b|fois\b|m[²2]|places?|points?|dans\s+le))"
)
# 4-digit year in range, not part of a digit group ("2 500", "12 2014 000").
_YEAR = r"(?<![\d.,])(?<!\d )(?<!\d\u00a0)((?:18|19|20)\d\d|2100)(?!\d)(?![.,]\d)(?![ \u00a0]\d\d\d)"
# 2-digit year: only when punctuation or a small word follows, so "le 3 mars 15 personnes"
# is not 2015 while "octobre 98," is 1998.
_YY = (
    rf"{_APOS}?(\d\d)(?=\s*(?:$|[,.;:!?)\]»\"]|et\b|à\b|au\b|le\b|la\b|les\b|l{_APOS}|o[uù]\b|quand\b|lors))"
)

_DAY = r"(1er|premier|0?[1-9]|[12]\d|3[01])(?:er|e|ème|eme)?(?!\d)"

# The text is lower-cased once (same length, same offsets) and the patterns are written in
# lower case: re.IGNORECASE defeats the regex engine's literal-prefix scanning and made
# the grammar ten times slower.
_FLAGS = 0

# --- grammar rules ------------------------------------------------------------------------
# Each rule: one compiled regex and a builder that turns a match into a candidate (or None
# when the match is not a valid date or cannot be resolved without a publication date).

# 2020-01-03, 2015/08/12, 2015.5.13 (year first: unambiguous).
_RE_ISO = re.compile(r"(?<![\d/.-])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d/.-]|[.,]\d)")
# 3/01/2020, 13.5.2015, 21/04/16 (French order: day first).
_RE_DMY = re.compile(r"(?<![\d/.,-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d\d)(?![\d/]|[.,-]\d)")
# le 17/02, du 3/4: partial numeric dates, only after a determiner so fractions are safe.
_RE_DM = re.compile(
    rf"(?:\b(?:le|du|au|depuis\s+le|ce|{_WEEKDAY_FULL})\s+)(\d{{1,2}})/(\d{{1,2}})(?![\d/]|[.,]\d)", _FLAGS
)
# [ce] [dimanche,] [le] 20 décembre [2020] [dernier|prochain]
_RE_DAY_MONTH = re.compile(
    rf"(?:\b(?P<ce>ce|cette)\s+)?(?:\b(?P<wd>{_WEEKDAY_ANY}){_NOT_LETTER},?\s*(?:le\s+)?\(?)?"
    rf"\b{_DAY}[\s\u00a0]*-?[\s\u00a0]*(?P<month>{_MONTH_ANY}){_NOT_LETTER}\)?"
    rf"(?:[\s\u00a0]*,?[\s\u00a0]*(?:{_YEAR}{_COUNT_AFTER}|{_YY}))?"
    rf"(?:\s+(?P<rel>dernier|derni[èe]re|pass[ée]e?|prochain|prochaine))?",
    _FLAGS,
)
# décembre 5 2014, fév 15, 2013 (English order, only with a year).
_RE_MONTH_DAY_YEAR = re.compile(
    rf"\b(?P<month>{_MONTH_ANY}){_NOT_LETTER}\s+(?P<day>[12]?\d|3[01])(?!\d),?\s+{_YEAR}{_COUNT_AFTER}", _FLAGS
)
# [mi-|début|fin] octobre [de l'année] 2019 / octobre 98
_RE_MONTH_YEAR = re.compile(
    rf"(?:\b(?:mi|d[ée]but|fin|courant)[\s-]+)?\b(?P<month>{_MONTH_ANY}){_NOT_LETTER}"
    rf"[\s\u00a0]*,?[\s\u00a0]*(?:de\s+l{_APOS}ann[ée]e\s+)?(?:{_YEAR}{_COUNT_AFTER}|{_YY})",
    _FLAGS,
)
# ISO-like month: 2016-11, 11/2016 (month first only with a 4-digit year).
_RE_NUM_MONTH_YEAR = re.compile(
    r"(?<![\d/.-])(?:(\d{4})\s*[-/]\s*(0?[1-9]|1[0-2])|(0?[1-9]|1[0-2])\s*[-/]\s*(\d{4}))(?![\d/.-])"
)
# Bare month with a cue: en octobre, mi-octobre, fin octobre, au mois de mars, janvier dernier.
_RE_MONTH_CUE = re.compile(
    rf"(?:\b(?P<cue>en|d[èe]s|depuis|jusqu{_APOS}en|d{_APOS}ici|courant|d[ée]but|fin|mi|au\s+mois\s+de"
    rf"|le\s+mois\s+de|(?:plus\s+)?t[ôo]t\s+en|tard\s+en|avant|apr[èe]s)[\s-]+)?"
    rf"\b(?P<month>{_MONTH_FULL})\b(?:\s+(?P<rel>dernier|pass[ée]|prochain))?",
    _FLAGS,
)
# Year in a year context: en 2014, depuis 2003, fin 2023, l'année 2019, mi-2019.
_RE_YEAR_CUE = re.compile(
    rf"\b(?P<cue>en|depuis|d[èe]s|jusqu{_APOS}en|jusqu{_APOS}à|avant|apr[èe]s|vers|d{_APOS}ici|pour|fin"
    rf"|d[ée]but|mi|courant|ann[ée]e|an|printemps|[ée]t[ée]|automne|hiver)"
    rf"(?:\s+|-)(?:de\s+l{_APOS}ann[ée]e\s+|l{_APOS}an(?:n[ée]e)?\s+)?{_YEAR}{_COUNT_AFTER}",
    _FLAGS,
)
# (2019), [2019]
_RE_YEAR_PAREN = re.compile(rf"[(\[]{_YEAR}[)\]]")
# de 2010 à 2015, entre 2010 et 2015, 2010-2015: both ends are years.
_RE_YEAR_RANGE = re.compile(
    rf"(?:\b(?:de|entre|des\s+ann[ée]es|du)\s+)?{_YEAR}\s*(?:-|–|à|au|et|ou)\s*{_YEAR}{_COUNT_AFTER}", _FLAGS
)
# aujourd'hui, hier, avant-hier, demain, après-demain
_RE_DEICTIC_DAY = re.compile(
    rf"\b(?:aujourd{_APOS}\s?hui|avant[\s-]hier|apr[èe]s[\s-]demain|hier|demain)\b", _FLAGS
)
_DEICTIC_OFFSET = {"aujourd": 0, "avant": -2, "apres": 2, "hier": -1, "demain": 1}
# [ce] mardi [soir|matin|midi|après-midi] [dernier|prochain|de la semaine prochaine|cette semaine]
_RE_WEEKDAY = re.compile(
    rf"(?:\b(?P<ce>ce|cette)\s+)?\b(?P<wd>{_WEEKDAY_FULL})\b(?!s)"
    rf"(?:\s+(?P<part>soir|matin|midi|apr[èe]s[\s-]midi|après-midi))?"
    rf"(?:\s+(?P<rel>dernier|derni[èe]re|pass[ée]|prochain|suivant"
    rf"|(?:de\s+)?(?:la\s+)?semaine\s+(?:prochaine|suivante|derni[èe]re|pass[ée]e)|(?:de\s+)?cette\s+semaine))?"
    rf"(?!\s*,?\s*(?:le\s+)?\d)",  # "mardi 3 mars" belongs to the day-month rule
    _FLAGS,
)
# mercredi 13 (weekday + day-of-month without month): nearest matching date.
_RE_WEEKDAY_DAY = re.compile(
    rf"\b(?P<wd>{_WEEKDAY_FULL})\s+(?:le\s+)?(?P<day>[12]?\d|3[01])(?:er)?(?![\d/.,:h])(?!\s*(?:{_MONTH_ANY}){_NOT_LETTER})",
    _FLAGS,
)
# l'an dernier, l'année prochaine, cette année, le mois dernier, ce mois-ci ...
_RE_REL_PERIOD = re.compile(
    rf"\b(?:(?P<this>cette\s+ann[ée]e|cet\s+an|ce\s+mois(?:-ci)?)"
    rf"|(?:l{_APOS}|le\s+|la\s+)(?P<unit>an|ann[ée]e|mois)\s+(?P<rel>dernier|derni[èe]re|pass[ée]e?|prochaine?|suivante?|pr[ée]c[ée]dente?))\b",
    _FLAGS,
)
# il y a 3 jours / deux ans, dans 2 semaines
_NUM_WORDS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "quinze": 15, "vingt": 20,
    "trente": 30, "quelques": None,
}
_RE_AGO = re.compile(
    r"\b(?P<dir>il\s+y\s+a|il\s+ya|dans)\s+(?:environ\s+|pr[èe]s\s+de\s+)?(?P<n>\d{1,3}|un|une|deux|trois|quatre"
    r"|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt|trente)\s+(?P<unit>jours?|semaines?|mois|ans?|ann[ée]es?)\b",
    _FLAGS,
)
# Fixed-date holidays, only in forms that are not names ("Noël Mamère").
_RE_HOLIDAY = re.compile(
    rf"(?:\b(?:à|a|pour|avant|apr[èe]s|depuis|jusqu{_APOS}à|le\s+jour\s+de|la\s+nuit\s+de|veille\s+de)\s+)"
    rf"(?P<h>no[ëe]l|la\s+toussaint|la\s+saint[\s-]sylvestre|l{_APOS}armistice)\b"
    rf"|\b(?P<h2>jour\s+de\s+l{_APOS}an|nouvel\s+an|f[êe]te\s+du\s+travail|f[êe]te\s+nationale)\b",
    _FLAGS,
)
_HOLIDAYS = {"noel": (12, 25), "toussaint": (11, 1), "sylvestre": (12, 31), "armistice": (11, 11),
             "an": (1, 1), "travail": (5, 1), "nationale": (7, 14)}


# --- resolution helpers ------------------------------------------------------------------
def _iso(y: int, m: int | None = None, d: int | None = None) -> str:
    if m is None:
        return f"{y:04d}"
    if d is None:
        return f"{y:04d}-{m:02d}"
    return f"{y:04d}-{m:02d}-{d:02d}"


def _valid(y: int, m: int, d: int) -> bool:
    try:
        _dt.date(y, m, d)
    except ValueError:
        return False
    return True


def _two_digit_year(yy: int) -> int:
    # News talks about the recent past: '98 is 1998, '14 is 2014.
    return 2000 + yy if yy < 50 else 1900 + yy


def _day_of(word: str) -> int:
    w = word.lower()
    if w in ("1er", "premier"):
        return 1
    return int(re.match(r"\d+", w).group())  # type: ignore[union-attr]


def _nearest_day(m: int, d: int, pub: _dt.date, weekday: int | None = None, rel: str | None = None) -> _dt.date | None:
    """The date d/m nearest to ``pub`` (ties -> past); 'dernier' / 'prochain' force a side."""
    cands = [_dt.date(y, m, d) for y in (pub.year - 1, pub.year, pub.year + 1) if _valid(y, m, d)]
    if rel == "past":
        cands = [c for c in cands if c < pub]
    elif rel == "next":
        cands = [c for c in cands if c > pub]
    if weekday is not None:
        matching = [c for c in cands if c.weekday() == weekday]
        cands = matching or cands
    if not cands:
        return None
    return min(cands, key=lambda c: (abs((c - pub).days), c > pub))


def _nearest_month(m: int, pub: _dt.date, rel: str | None = None) -> tuple[int, int]:
    if rel == "past":
        return (pub.year if m < pub.month else pub.year - 1, m)
    if rel == "next":
        return (pub.year if m > pub.month else pub.year + 1, m)
    cands = [(y, m) for y in (pub.year - 1, pub.year, pub.year + 1)]
    here = pub.year * 12 + pub.month
    return min(cands, key=lambda ym: (abs(ym[0] * 12 + ym[1] - here), ym[0] * 12 + ym[1] > here))


def _rel_side(word: str | None) -> str | None:
    if not word:
        return None
    w = word.lower().translate(_FOLD)
    if w.startswith(("dernier", "derniere", "pass", "prec")):
        return "past"
    if w.startswith(("prochain", "suivant")):
        return "next"
    return None


def _add_months(d: _dt.date, months: int) -> _dt.date:
    total = d.year * 12 + d.month - 1 + months
    y, m = divmod(total, 12)
    m += 1
    day = min(d.day, 28 if m == 2 else 30 if m in (4, 6, 9, 11) else 31)
    if m == 2 and day == 28 and _valid(y, 2, 29) and d.day >= 29:
        day = 29
    return _dt.date(y, m, day)


# --- rule builders -----------------------------------------------------------------------
def _in_range(y: int) -> bool:
    return _YEAR_MIN <= y <= _YEAR_MAX


def _b_iso(m: re.Match[str], pub: _Pub) -> _Cand | None:
    y, mo, d = int(m.group(1)), int(m.group(3)), int(m.group(4))
    if not (_in_range(y) and _valid(y, mo, d)):
        return None
    return (m.start(), m.end(), _iso(y, mo, d), "day")


def _b_dmy(m: re.Match[str], pub: _Pub) -> _Cand | None:
    d, mo, ys = int(m.group(1)), int(m.group(3)), m.group(4)
    y = int(ys) if len(ys) == 4 else _two_digit_year(int(ys))
    if len(ys) == 2 and m.group(2) == ".":
        return None  # 3.5.12 is more often a version or a score than a date
    if not (_in_range(y) and _valid(y, mo, d)):
        return None
    return (m.start(), m.end(), _iso(y, mo, d), "day")


def _b_dm(m: re.Match[str], pub: _Pub) -> _Cand | None:
    d, mo = int(m.group(1)), int(m.group(2))
    if pub is None or not (1 <= mo <= 12) or not _valid(2000, mo, d):
        return None
    date = _nearest_day(mo, d, pub)
    if date is None:
        return None
    return (m.start(1), m.end(), date.isoformat(), "day")


def _b_day_month(m: re.Match[str], pub: _Pub) -> _Cand | None:
    day_word = m.group(3)
    d, mo = _day_of(day_word), _month_number(m.group("month"))
    start = m.start("ce") if m.group("ce") and m.group("wd") else (m.start("wd") if m.group("wd") else m.start(3))
    end = m.end()
    y4, yy = m.group(5), m.group(6)
    rel = _rel_side(m.group("rel"))
    if y4 or yy:
        y = int(y4) if y4 else _two_digit_year(int(yy))
        if not _valid(y, mo, d) or not (1000 <= y <= _YEAR_MAX):
            return None
        if rel and m.group("rel"):
            end = m.start("rel") - 1
            end = len(m.string[:end].rstrip())
        return (start, end, _iso(y, mo, d), "day")
    # A bare "mar"/"sam" abbreviation is a weekday only in front of a date; a bare "mar"
    # month ("5 mar") is rare enough to accept.
    if pub is None or not _valid(2000, mo, d):
        return None
    wd = _weekday_number(m.group("wd")) if m.group("wd") else None
    date = _nearest_day(mo, d, pub, wd, rel)
    if date is None:
        return None
    return (start, end, date.isoformat(), "day")


def _b_month_day_year(m: re.Match[str], pub: _Pub) -> _Cand | None:
    mo, d, y = _month_number(m.group("month")), int(m.group("day")), int(m.group(3))
    if not _valid(y, mo, d):
        return None
    return (m.start(), m.end(), _iso(y, mo, d), "day")


def _b_month_year(m: re.Match[str], pub: _Pub) -> _Cand | None:
    word = m.group("month")
    mo = _month_number(word)
    y = int(m.group(2)) if m.group(2) else _two_digit_year(int(m.group(3)))
    if not _in_range(y):
        return None
    if m.group(3) and not re.fullmatch(_MONTH_FULL, word, _FLAGS):
        return None  # "oct 98" is too weak; "octobre 98" is fine
    return (m.start(), m.end(), _iso(y, mo), "month")


def _b_num_month_year(m: re.Match[str], pub: _Pub) -> _Cand | None:
    y, mo = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
    if not _in_range(int(y)):
        return None
    return (m.start(), m.end(), _iso(int(y), int(mo)), "month")


def _b_month_cue(m: re.Match[str], pub: _Pub) -> _Cand | None:
    cue, rel = m.group("cue"), _rel_side(m.group("rel"))
    word = m.group("month")
    if not cue and not rel:
        return None  # a bare month name is too weak ("Mars", "Mai 68" the film...)
    if pub is None:
        return None
    # "mars" needs lower case or a cue that is not also a preposition before a planet name.
    y, mo = _nearest_month(_month_number(word), pub, rel)
    start = m.start("month")
    if cue and cue.lower().translate(_FOLD).split()[0] in ("debut", "fin", "mi", "courant"):
        start = m.start()
    return (start, m.end(), _iso(y, mo), "month")


def _b_year_cue(m: re.Match[str], pub: _Pub) -> _Cand | None:
    y = int(m.group(2))
    cue = m.group("cue").lower().translate(_FOLD)
    # "fin 2023", "mi-2019": the cue is part of what is said; "en 2014": the year alone.
    start = m.start() if cue in ("fin", "debut", "mi", "courant") else m.start(2)
    return (start, m.end(), _iso(y), "year")


def _b_year_paren(m: re.Match[str], pub: _Pub) -> _Cand | None:
    return (m.start(1), m.end(1), m.group(1), "year")


def _iter_year_range(m: re.Match[str], pub: _Pub) -> Iterator[_Cand]:
    a, b = int(m.group(1)), int(m.group(2))
    if not a < b < a + 100:
        return  # "2010 à 2015" is a span of years; "1900 et 2000" euros is not
    yield (m.start(1), m.end(1), str(a), "year")
    yield (m.start(2), m.end(2), str(b), "year")


def _b_deictic(m: re.Match[str], pub: _Pub) -> _Cand | None:
    if pub is None:
        return None
    key = re.split(r"[\s\-'’ʼ‘`´]", m.group().lower().translate(_FOLD))[0]
    return (m.start(), m.end(), (pub + _dt.timedelta(days=_DEICTIC_OFFSET[key])).isoformat(), "day")


def _b_weekday(m: re.Match[str], pub: _Pub) -> _Cand | None:
    if pub is None:
        return None
    s = m.string
    # "le lundi" / "chaque lundi" is a habit, not a date.
    before = s[max(0, m.start() - 8):m.start()].lower()
    if not m.group("ce") and re.search(r"(?:\ble|chaque|tous\s+les|les)\s*$", before):
        if not m.group("rel"):
            return None
    w = _weekday_number(m.group("wd"))
    rel = (m.group("rel") or "").lower().translate(_FOLD)
    pw = pub.weekday()
    if "semaine" in rel:
        monday = pub - _dt.timedelta(days=pw)
        if "cette" not in rel:
            monday += _dt.timedelta(days=7 if _rel_side(rel.split()[-1]) == "next" else -7)
        date = monday + _dt.timedelta(days=w)
    elif _rel_side(rel) == "next":
        date = pub + _dt.timedelta(days=(w - pw) % 7 or 7)
    elif _rel_side(rel) == "past":
        date = pub - _dt.timedelta(days=(pw - w) % 7 or 7)
    else:
        date = pub - _dt.timedelta(days=(pw - w) % 7)
    start = m.start("ce") if m.group("ce") else m.start("wd")
    return (start, m.end(), date.isoformat(), "day")


def _b_weekday_day(m: re.Match[str], pub: _Pub) -> _Cand | None:
    if pub is None:
        return None
    w, d = _weekday_number(m.group("wd")), int(m.group("day"))
    if d == 0:
        return None
    # Nearest date within ~3 months whose day-of-month and weekday both match.
    best: _dt.date | None = None
    for k in range(-3, 4):
        first = _add_months(pub.replace(day=1), k)
        if _valid(first.year, first.month, d):
            c = first.replace(day=d)
            if c.weekday() == w and (best is None or abs((c - pub).days) < abs((best - pub).days)):
                best = c
    if best is None:
        return None
    return (m.start(), m.end(), best.isoformat(), "day")


def _b_rel_period(m: re.Match[str], pub: _Pub) -> _Cand | None:
    if pub is None:
        return None
    if m.group("this"):
        if "mois" in m.group("this").lower():
            return (m.start(), m.end(), _iso(pub.year, pub.month), "month")
        return (m.start(), m.end(), _iso(pub.year), "year")
    step = -1 if _rel_side(m.group("rel")) == "past" else 1
    if m.group("unit").lower() == "mois":
        d = _add_months(pub.replace(day=1), step)
        return (m.start(), m.end(), _iso(d.year, d.month), "month")
    return (m.start(), m.end(), _iso(pub.year + step), "year")


def _b_ago(m: re.Match[str], pub: _Pub) -> _Cand | None:
    if pub is None:
        return None
    n_word = m.group("n").lower()
    n = int(n_word) if n_word.isdigit() else _NUM_WORDS.get(n_word)
    if not n:
        return None
    sign = 1 if m.group("dir").lower() == "dans" else -1
    unit = m.group("unit").lower().translate(_FOLD)
    if unit.startswith("jour"):
        return (m.start(), m.end(), (pub + _dt.timedelta(days=sign * n)).isoformat(), "day")
    if unit.startswith("semaine"):
        return (m.start(), m.end(), (pub + _dt.timedelta(weeks=sign * n)).isoformat(), "day")
    if unit == "mois":
        d = _add_months(pub.replace(day=1), sign * n)
        return (m.start(), m.end(), _iso(d.year, d.month), "month")
    return (m.start(), m.end(), _iso(pub.year + sign * n), "year")


def _b_holiday(m: re.Match[str], pub: _Pub) -> _Cand | None:
    if pub is None:
        return None
    name = (m.group("h") or m.group("h2")).lower().translate(_FOLD)
    key = re.split(r"[\s\-'’ʼ‘`´]", name)[-1]
    mo, d = _HOLIDAYS[key]
    date = _nearest_day(mo, d, pub)
    if date is None:
        return None
    start = m.start("h") if m.group("h") else m.start("h2")
    return (start, m.end(), date.isoformat(), "day")


def _single(builder: Callable[[re.Match[str], _Pub], _Cand | None]) -> Callable[[re.Match[str], _Pub], Iterator[_Cand]]:
    def run(m: re.Match[str], pub: _Pub) -> Iterator[_Cand]:
        c = builder(m, pub)
        if c is not None:
            yield c
    return run


# Order does not matter for correctness (overlaps are settled by length). The third
# field is how fine a rule's answer is *relative to the anchor*: None for absolute and
# explicit day+month rules, "day" for "hier"/"mardi", "month" for "le mois dernier".
# Relative rules need a publication date and are skipped cheaply without one.
_Builder = Callable[[re.Match[str], _Pub], Iterator[_Cand]]
# Rules are grouped by the anchor every one of their matches contains (a digit, a month
# name, a weekday, a keyword): a cheap scan finds anchors, and the rules run only in small
# windows around them. Most of an article has no anchor, so most of it is never parsed.
_RULES: dict[str, list[tuple[re.Pattern[str], _Builder, bool, Precision | None]]] = {
    "digit": [
        (_RE_ISO, _single(_b_iso), False, None),
        (_RE_DMY, _single(_b_dmy), False, None),
        (_RE_NUM_MONTH_YEAR, _single(_b_num_month_year), False, None),
        (_RE_YEAR_CUE, _single(_b_year_cue), False, None),
        (_RE_YEAR_PAREN, _single(_b_year_paren), False, None),
        (_RE_YEAR_RANGE, _iter_year_range, False, None),
        (_RE_DM, _single(_b_dm), True, None),
    ],
    "month": [
        (_RE_DAY_MONTH, _single(_b_day_month), False, None),
        (_RE_MONTH_DAY_YEAR, _single(_b_month_day_year), False, None),
        (_RE_MONTH_YEAR, _single(_b_month_year), False, None),
        (_RE_MONTH_CUE, _single(_b_month_cue), True, None),
    ],
    "weekday": [
        (_RE_WEEKDAY, _single(_b_weekday), True, "day"),
        (_RE_WEEKDAY_DAY, _single(_b_weekday_day), True, "day"),
    ],
    "keyword": [
        (_RE_DEICTIC_DAY, _single(_b_deictic), True, "day"),
        (_RE_REL_PERIOD, _single(_b_rel_period), True, "month"),
        (_RE_AGO, _single(_b_ago), True, "day"),
        (_RE_HOLIDAY, _single(_b_holiday), True, None),
    ],
}
# Every digit rule holds four digits in a row (a year) or digit, separator, digit.
_DIGIT_ANCHOR = re.compile(r"\d\d\d\d|\d[/.-]\d")
# Word anchors are found with str.find, twice as fast as one regex alternation here.
# (words, must the word end there too?) -- keyword anchors are prefixes ("aujourd").
_WORD_ANCHORS: dict[str, tuple[tuple[str, ...], bool]] = {
    # Month prefixes; each hit is then confirmed by _MONTH_AT (so "mardi" is not a month).
    "month": (("jan", "fév", "fev", "mar", "avr", "mai", "juin", "juil", "jun", "jul", "aoû", "aou", "sep",
               "oct", "nov", "déc", "dec"), False),
    "weekday": (("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"), False),
    "keyword": (("aujourd", "hier", "demain", "mois", "il y a", "il ya", "toussaint", "sylvestre", "armistice",
                 "nouvel an", "noël", "noel", "fête", "fete", "année", "annee", "cet an", "l'an", "l’an", "dans "),
                False),
}
# How far a rule's match may reach before and after its anchor, per kind: "jusqu'en 2014
# soldats" around a year, "ce dimanche, le 20 décembre 2020 dernier" around a month. The
# count-noun check looks ~20 characters past a year, so the windows leave room for it.
_EXTENT: dict[str, tuple[int, int]] = {"digit": (16, 30), "month": (32, 45), "weekday": (8, 48), "keyword": (26, 36)}
_RANK: dict[str, int] = {"day": 0, "month": 1, "year": 2}


# --- public API ----------------------------------------------------------------------------
def _parse_published(published: _dt.date | str | None) -> tuple[_Pub, Precision]:
    """The anchor date (first day of a partial period) and the anchor's precision."""
    if published is None:
        return None, "day"
    if isinstance(published, _dt.datetime):
        return published.date(), "day"
    if isinstance(published, _dt.date):
        return published, "day"
    parts = str(published).strip()[:10].split("-")
    try:
        y = int(parts[0])
        mo = int(parts[1]) if len(parts) > 1 else 1
        d = int(parts[2]) if len(parts) > 2 else 1
        anchor = _dt.date(y, mo, d)
    except (ValueError, IndexError) as exc:
        raise ValueError(f"published must be YYYY, YYYY-MM or YYYY-MM-DD, got {published!r}") from exc
    precision: Precision = ("year", "month", "day")[min(len(parts), 3) - 1]  # type: ignore[assignment]
    return anchor, precision


def _coarsen(pub: _dt.date, pub_precision: Precision) -> tuple[str, Precision]:
    """A relative answer cannot be finer than its anchor: "hier" in an article dated only
    2020-11 is somewhere in 2020-11, not 2020-10-31 (the day before the anchor's 1st)."""
    if pub_precision == "month":
        return _iso(pub.year, pub.month), "month"
    return _iso(pub.year), "year"


def _lower(text: str) -> str:
    """Lower-cased text with the same length (so offsets stay valid)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    # A few characters lower-case to two ("İ"): keep those as they are.
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


# A prefix hit becomes an anchor only if the whole word is right ("dans" only before a number).
_ANCHOR_CONFIRM: dict[str, re.Pattern[str]] = {
    "month": re.compile(rf"{_MONTH_ANY}{_NOT_LETTER}"),
    "keyword": re.compile(
        r"(?!dans )|dans (?:\d|une?\b|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt|trente)"
    ),
}


def _anchor_spans(kind: str, low: str) -> list[tuple[int, int]]:
    if kind == "digit":
        return [m.span() for m in _DIGIT_ANCHOR.finditer(low)]
    words, _ = _WORD_ANCHORS[kind]
    confirm = _ANCHOR_CONFIRM.get(kind)
    spans = []
    for w in words:
        i = low.find(w)
        while i >= 0:
            j = i + len(w)
            if (i == 0 or not low[i - 1].isalpha()) and (confirm is None or confirm.match(low, i)):
                spans.append((i, j))
            i = low.find(w, j)
    spans.sort()
    return spans


def _windows(kind: str, low: str, n: int) -> list[tuple[int, int]]:
    """Merged [start, end) windows around each anchor of ``kind``."""
    back, ahead = _EXTENT[kind]
    out: list[tuple[int, int]] = []
    for a0, a1 in _anchor_spans(kind, low):
        ws, we = max(0, a0 - back), min(n, a1 + ahead)
        if out and ws <= out[-1][1]:
            out[-1] = (out[-1][0], max(we, out[-1][1]))
        else:
            out.append((ws, we))
    return out


def _select(cands: list[_Cand]) -> list[_Cand]:
    """Keep the longest candidates that do not overlap (earlier start wins a tie)."""
    kept: list[_Cand] = []
    for c in sorted(cands, key=lambda c: (c[0] - c[1], c[0])):
        if all(c[1] <= k[0] or c[0] >= k[1] for k in kept):
            kept.append(c)
    kept.sort()
    return kept


def extract_dates(text: str, published: _dt.date | str | None = None) -> list[DateMention]:
    """Dates mentioned in ``text``, partial and relative ones resolved against ``published``.

    >>> [m.value for m in extract_dates("Le 3 janvier 2020, puis hier.", "2021-07-14")]
    ['2020-01-03', '2021-07-13']
    """
    pub, pub_precision = _parse_published(published)
    low = _lower(text)
    n = len(low)
    cands: set[_Cand] = set()
    for kind, rules in _RULES.items():
        if pub is None and all(needs_pub for _, _, needs_pub, _ in rules):
            continue
        for ws, we in _windows(kind, low, n):
            for regex, build, needs_pub, grain in rules:
                if needs_pub and pub is None:
                    continue
                coarsen = pub is not None and grain is not None and _RANK[grain] < _RANK[pub_precision]
                for m in regex.finditer(low, ws, we):
                    for c in build(m, pub):
                        if coarsen and _RANK[c[3]] < _RANK[pub_precision]:
                            c = (c[0], c[1], *_coarsen(pub, pub_precision))
                        cands.add(c)
    out = []
    for start, end, value, precision in _select(list(cands)):
        # Trim trailing spaces/punctuation a rule may have swallowed (")", ",").
        while end > start and text[end - 1] in " \u00a0,)":
            end -= 1
        out.append(DateMention(text[start:end], start, end, value, precision))
    return out


_HEAD_CHARS = 400


def infer_published(text: str, today: _dt.date | None = None) -> tuple[str, str] | None:
    """Publication date guessed from an article without a header, or None.

    1. a full date (day, month, year) in the first ~400 characters;
    2. else the first weekday + day + month ("dimanche 20 décembre"): the year in which
       that day falls on that weekday, nearest to the years the text mentions (ties -> the
       later year), else the most recent such year not after ``today``.
    """
    today = today or _dt.date.today()
    absolute = extract_dates(text)
    for m in absolute:
        if m.start < _HEAD_CHARS and m.precision == "day" and m.value <= today.isoformat():
            return (m.value, "day")
    years = sorted({int(m.value[:4]) for m in absolute})
    for m in _RE_DAY_MONTH.finditer(_lower(text)):
        if not m.group("wd") or m.group(5) or m.group(6):
            continue
        try:
            w = _weekday_number(m.group("wd"))
        except KeyError:
            continue
        d, mo = _day_of(m.group(3)), _month_number(m.group("month"))
        cands = [y for y in range(_YEAR_MIN, today.year + 1)
                 if _valid(y, mo, d) and _dt.date(y, mo, d).weekday() == w and _dt.date(y, mo, d) <= today]
        if not cands:
            continue
        if years:
            best = min(cands, key=lambda y: (min(abs(y - ym) for ym in years), -y))
        else:
            best = max(cands)
        return (_iso(best, mo, d), "day")
    return None
