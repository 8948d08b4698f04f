"""A hand-written French date grammar for news articles.

What it is for: find the dates an article mentions (``extract_dates``) and, when an
article has no header, guess its publication date from the text (``infer_published``).
Every mention is resolved to ``YYYY[-MM[-DD]]`` with a precision (day, month or year);
partial ("le 17 novembre") and relative ("mardi soir", "l'an dernier") expressions are
anchored on the publication date and skipped when there is none.

What it must not do: no I/O, no model, no spaCy, no dateparser -- it runs on every
article at index time, so it is pure string work with regexes compiled once at import.
It must never turn a count into a year: a bare number is a year only in a year context
("en 2014", "depuis 2003", "fin 2023", "(2019)", after a month, after a noun naming a yearly
thing or event: "l'édition 2020", "les municipales 2020"; "de 2012" closing a phrase, not
after a quantity word: "la présidentielle de 2012" but not "plus de 2000"; listed with such
a year: "en 2010 et 2011") and within 1800..2100, and never when a count noun or a unit
follows ("en 2000 exemplaires"). Nor into a day: a
bare day number needs "le"/"jusqu'au" before it and the end of the phrase after it.

Choices (documented because they are policy, not grammar):
- bare or "ce"/"soir" weekdays ("mardi soir", "ce mardi") -> the most recent such day on
  or before publication (news reports the past); "mardi dernier" -> strictly before;
  "mardi prochain" -> strictly after;
- "14/03" without a determiner is a date only with two digits on each side and a day
  above 12 or a zero-led month ("9/10", "10/10", "2/3" are scores and fractions);
- a day and month without a year -> the year putting it nearest the publication date
  (ties go to the past); a weekday in front picks, among the neighbouring years, the one
  where the weekday matches;
- a bare day number ("le 27", "jusqu'au 15", "le vingt-deux") -> the month of the last
  date named in the ~250 characters before it ("le 12 septembre ... le 22"), else the
  publication's month when it is dated by month only, else, among the neighbouring months,
  the nearest date (ties go to the past); skipped when nothing gives a month, or when the
  date before it has a later day ("le 28 mai ... le 3": June or a flashback?);
- ranges and lists ("du 4 au 22 mars", "les 9 et 10 juin") -> one day mention per day
  said, all in the month (and year) said at the end; the days in between are not invented
  and there is no range type (the DateMention contract has none, and facets count days);
- months listed or spanned ("de juin à octobre", "entre décembre et avril", "en mars et
  avril 2019") -> one month mention per month said, in the order said (a month not after the
  one before it is in the next year), the year said at the end, else the years putting the
  span nearest the publication date (ties go to the past);
- a week ("la semaine dernière", "cette semaine", "ce week-end") -> the month holding its
  Thursday (a weekend: its Saturday), month precision: the day facet must not count a day
  nobody named, and the month is right for most of the week's days (the ISO 8601 rule);
- a season ("cet été", "l'hiver dernier", "l'été 2019") -> its year, year precision;
  winter counts in the year of its January and February; "ce"/"cet" + season is the one
  holding publication, else the coming one within half a year, else the one just past;
- parts of the year or month ("d'ici la fin de l'année", "depuis le début de l'année",
  "fin du mois dernier", "plus tard dans l'année", "l'année en cours") -> that year or
  month; a quarter or half of a year said ("au troisième trimestre 2016") -> that year;
  without its year ("au premier trimestre", "le trimestre dernier") -> the year of the last
  such quarter or half begun by publication, or of the next one if it begins within four
  months (news report past quarters), year precision;
- a holiday ("à Noël", "le lundi de Pâques", "la Toussaint", "Noël 2019") -> its day, the
  occurrence nearest publication unless the year is said; Easter and the feasts counted
  from it are computed (Gregorian computus);
- "la veille", "le lendemain", "trois jours plus tard", "deux ans auparavant" count from
  the story, not from publication: from the last date named in the ~600 characters before
  that is fine enough for the unit ("mardi ... la veille" -> Monday; "en 2015 ... trois ans
  plus tard" -> 2018), else from publication; a later date more than a month past
  publication is dropped (news tell the past: the count started from the wrong date).
  "à la veille de", "au lendemain de", "un mois après le début" count from an event and
  are skipped;
- approximate counts ("il y a quelques jours", "il y a une quinzaine de jours", "dans
  quelques semaines", "ces dernières semaines", "les prochains jours") are said a grain coarser: days and weeks -> the month, months -> the
  year; "il y a quelques années" is skipped;
- "la semaine suivante" counts from the story's last day too, then is said as a week is;
- "ce matin", "ce soir", "cette nuit" -> the publication day; "la nuit dernière" -> the day
  before (not "ce soir-là", "cette nuit de juin": another day);
- decades ("les années 90": no single year, and the DateMention contract has no decade)
  are skipped.
"""
from __future__ import annotations

import bisect
import datetime as _dt
import re
from collections.abc import Callable, Iterator

from searchkit.extract.types import DateMention, Precision
from searchkit.text.normalize import APOSTROPHE_CLASS, APOSTROPHES, fold

__all__ = ["extract_dates", "infer_published"]

# A candidate before overlap resolution: (start, end, value, precision).
_Cand = tuple[int, int, str, Precision]
# A publication anchor, or None when the caller gave none.
_Pub = _dt.date | None

_YEAR_MIN, _YEAR_MAX = 1800, 2100

# --- vocabulary -------------------------------------------------------------------------
# Apostrophes as typed in the wild (text/normalize: ASCII, typographic, modifier letters).
_APOS = APOSTROPHE_CLASS

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

_MONTH_BY_PREFIX = {
    "jan": 1, "fev": 2, "mar": 3, "avr": 4, "mai": 5, "juin": 6, "jun": 6,
    "juil": 7, "jul": 7, "aou": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_WEEKDAY_BY_PREFIX = {"lun": 0, "mar": 1, "mer": 2, "jeu": 3, "ven": 4, "sam": 5, "dim": 6}


def _month_number(word: str) -> int:
    w = fold(word.lower()).rstrip(".")
    for size in (4, 3):
        if w[:size] in _MONTH_BY_PREFIX:
            return _MONTH_BY_PREFIX[w[:size]]
    raise ValueError(word)


def _weekday_number(word: str) -> int:
    return _WEEKDAY_BY_PREFIX[word.lower()[:3]]


# A count follows the number: then it is not a year ("en 2000 exemplaires"). A time of day
# may follow a year ("le 8 déc. 2014 15:11").
_COUNT_AFTER = (
    r"(?!\s*(?:%|€|\$|[.,]\d|\d(?!\d?\s*[:h]\s*\d\d)|pour\s*cent|euros?|dollars?|francs?|livres?|km|kilom|m[èe]tres?|kg|tonnes?"
    r"|personnes?|habitants?|soldats?|militaires?|morts?|victimes?|bless[ée]s?|hommes?|femmes?"
    r"|enfants?|[ée]l[èe]ves?|salari[ée]s?|emplois?|postes?|exemplaires?|voix|si[èe]ges?|logements?"
    r"|ans?\b|jours?\b|mois\b|heures?\b|minutes?\b|fois\b|m[²2]|places?|points?))"
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
# 17/02, 25/11 without a determiner: only two digits on each side, and a day above 12 or a
# month written with its zero ("14/03", "03/01"), so that "9/10", "10/10" or "2/3" (scores,
# fractions) stay numbers; not after "n°" (a serial number).
_RE_DM_BARE = re.compile(r"(?<![\w/.,°-])(?<!n° )([0-3]\d)/([01]\d)(?![\d/]|[.,]\d)")
# [ce] [dimanche,] [le] 20 décembre [2020] [dernier|prochain]
_RE_DAY_MONTH = re.compile(
    rf"(?:\b(?P<ce>ce|cette)\s+)?(?:\b(?P<wd>{_WEEKDAY_ANY}){_NOT_LETTER},?\s*(?:le\s+)?\(?)?"
    rf"\b{_DAY}[\s\u00a0]*-?[\s\u00a0]*(?P<month>{_MONTH_ANY}){_NOT_LETTER}\)?"
    rf"(?:[\s\u00a0]*,?[\s\u00a0]*(?:(?:de\s+)?{_YEAR}{_COUNT_AFTER}|{_YY}))?"
    rf"(?:\s+(?P<rel>dernier|derni[èe]re|pass[ée]e?|prochain|prochaine))?",
    _FLAGS,
)
# Ranges and lists of days sharing one month: du 4 au 22 mars, entre le 12 et le 15 juin,
# les 9 et 10 septembre 2019, du lundi 4 au mercredi 6 mai, les 4, 5 et 6 mars, 19-20 juin,
# du 3 au 12 du mois de septembre. Each day becomes its own day mention (the last one,
# "22 mars", is the usual day-month match): facets count the days an article names, and
# the DateMention contract has no range type. The days in between are not invented.
_DAY_IN_LIST = rf"(?:{_WEEKDAY_FULL}\s+)?(?:1er|premier|0?[1-9]|[12]\d|3[01])(?!\d)"
_RE_DAY_LIST = re.compile(
    rf"(?:\b(?:du|les?|entre(?:\s+le)?|des|aux)\s+|[(\[]\s*)"  # "France 2, lundi 15 juin" is no list
    rf"(?P<list>{_DAY_IN_LIST}(?:\s*(?:,|et|ou|au|à|-|–)\s*(?:le\s+|au\s+)?{_DAY_IN_LIST})+)"
    rf"[\s\u00a0]*(?:(?:du|de)\s+mois\s+d(?:e\s+|{_APOS}))?(?P<month>{_MONTH_ANY}){_NOT_LETTER}"
    rf"(?:[\s\u00a0]*,?[\s\u00a0]*(?P<y>{_YEAR}){_COUNT_AFTER})?"
    rf"(?:\s+(?P<rel>derni[èe]re?s?|pass[ée]e?s?|prochaine?s?))?",
    _FLAGS,
)
_RE_LIST_DAY = re.compile(rf"(?:{_WEEKDAY_FULL}\s+)?(?P<d>1er|premier|\d+)")

# décembre 5 2014, fév 15, 2013 (English order, only with a year).
_RE_MONTH_DAY_YEAR = re.compile(
    rf"\b(?P<month>{_MONTH_ANY}){_NOT_LETTER}\s+(?P<day>[12]?\d|3[01])(?!\d),?\s+{_YEAR}{_COUNT_AFTER}", _FLAGS
)
# [mi-|début|fin] octobre [de l'année] 2019 / octobre 98
_RE_MONTH_YEAR = re.compile(
    rf"(?:\b(?:mi|d[ée]but|fin|courant)[\s-]+)?\b(?P<month>{_MONTH_ANY}){_NOT_LETTER}"
    rf"[\s\u00a0]*,?[\s\u00a0]*(?:(?:de\s+l{_APOS}ann[ée]e\s+|de\s+)?{_YEAR}{_COUNT_AFTER}|(?:de\s+l{_APOS}ann[ée]e\s+)?{_YY})",
    _FLAGS,
)
# Months listed or spanned: "de juin à octobre", "entre décembre et avril", "en mars et avril",
# "janvier-février", "les mois de janvier, février et avril", "entre mars et juin 2020". Each
# month is its own month mention (as days in a list are); the months run in the order said, so
# "décembre" before "avril" is the December before (see _iter_month_list).
_RE_MONTH_LIST = re.compile(
    rf"\b(?P<first>{_MONTH_FULL})\b(?P<more>(?:\s*,\s*(?:en\s+)?{_MONTH_FULL}\b)*"
    rf"(?:\s*,?\s+(?:et|ou|[àa]|au)\s+(?:en\s+|d{_APOS}|de\s+)?|\s*[-–/]\s*){_MONTH_FULL}\b)"
    rf"(?:[\s\u00a0]*,?[\s\u00a0]*(?P<y>{_YEAR}){_COUNT_AFTER})?"
    rf"(?:\s+(?P<rel>derniers|pass[ée]s|prochains))?",
    _FLAGS,
)
_RE_MONTH_WORD = re.compile(rf"{_MONTH_FULL}\b")
# ISO-like month: 2016-11, 11/2016 (month first only with a 4-digit year).
_RE_NUM_MONTH_YEAR = re.compile(
    r"(?<![\d/.-])(?:(\d{4})\s*[-/]\s*(0?[1-9]|1[0-2])|(0?[1-9]|1[0-2])\s*[-/]\s*(\d{4}))(?![\d/.-])"
)
# Bare month with a cue: en octobre, mi-octobre, fin octobre, au mois de mars, au mois d'août,
# ce mars, cet août, janvier dernier, à partir d'avril, d'ici à juillet, jusqu'à septembre,
# prévu pour avril, repoussé à juillet;
# "de novembre" closing a phrase ("la présidentielle de novembre", "les législatives
# d'octobre"), not "de Mars" or "pour Mars" capitalised inside a sentence (the planet). An abbreviation needs a cue and its dot ("en oct.",
# "au mois de fév."), and "en sept." is refused: it is as often "cut in seven".
_RE_MONTH_CUE = re.compile(
    rf"(?:\b(?P<cue>en|d[èe]s|depuis|jusqu{_APOS}(?:en|[àa])|d{_APOS}ici(?:\s+[àa])?|[àa]\s+partir\s+d(?:e|{_APOS}(?=[aoe]))"
    rf"|(?P<de>de|d{_APOS}(?=[aoe]))|(?P<pour>pour)|(?:remont|report|repouss|d[ée]cal)[ée]?\w{{0,4}}\s+[àa]"
    rf"|courant|d[ée]but|fin|mi|ce|cet|cette"
    rf"|(?:au|le|du|en|ce)\s+mois\s+d(?:e|{_APOS}(?=[aoe]))|(?:d[ée]but|fin|milieu)\s+(?:de|du|d{_APOS}(?=[aoe]))"
    rf"|(?:plus\s+)?t[ôo]t\s+en|tard\s+en|avant|apr[èe]s)(?:[\s-]+|(?<=[{_APOS[1:-1]}])))?"
    rf"\b(?P<month>{_MONTH_FULL}\b|(?:janv|f[ée]vr?|avr|juil|sept|oct|nov|d[ée]c)\.)"
    rf"(?:\s+(?P<rel>dernier|pass[ée]|prochain))?",
    _FLAGS,
)
# Year in a year context: en 2014, depuis 2003, fin 2023, l'année 2019, mi-2019, d'ici à 2030,
# remonte à 2016; after a noun that names a yearly thing ("l'édition 2020", "l'exercice 2019",
# "la saison 2021", "le budget 2021", "les municipales 2020") or a yearly event ("l'Euro 2016",
# "les JO 2024", "le Salon de Genève 2019").
_RE_YEAR_CUE = re.compile(
    rf"\b(?P<cue>en|depuis|d[èe]s|jusqu{_APOS}en|jusqu{_APOS}à|avant|apr[èe]s|vers|d{_APOS}ici(?:\s+[àa])?|pour|fin"
    rf"|(?:d[ée]but|fin|milieu)\s+de|d[ée]but|mi|courant|ann[ée]e|an|printemps|[ée]t[ée]|automne|hiver"
    rf"|(?:(?:[àa]\s+)?l{_APOS})?horizon|(?:par\s+)?rapport\s+[àa]|compar[ée]e?s?\s+[àa]|(?:remont|report|repouss|d[ée]cal)[ée]?\w{{0,4}}\s+[àa]"
    rf"|[ée]dition|saison|exercice|mill[ée]sime|rentr[ée]e|budget|bilan|r[ée]colte|cuv[ée]e|recensement|promotion"
    rf"|pr[ée]sidentielles?|l[ée]gislatives|municipales|r[ée]gionales|europ[ée]ennes|s[ée]natoriales|d[ée]partementales"
    rf"|cantonales|[ée]lections?|primaires?|jo|jeux\s+olympiques|euro|mondial|coupe\s+du\s+monde|miss\s+france"
    rf"|roland[\s-]garros|tour\s+de\s+france|heures\s+du\s+mans|salon\s+(?:de\s+|du\s+|d{_APOS})?[^\W\d_]+(?:[\s-][^\W\d_]+)?)"
    rf"(?:\s+|-)(?:de\s+l{_APOS}ann[ée]e\s+|l{_APOS}an(?:n[ée]e)?\s+)?{_YEAR}{_COUNT_AFTER}",
    _FLAGS,
)
# (2019), [2019], and the first year of a list in brackets: (2008, 2012, 2014) -- the others
# are coordinated years (_coordinated).
_RE_YEAR_PAREN = re.compile(rf"[(\[]{_YEAR}(?:[)\]]|(?=\s*[,;]\s*{_YEAR}))")
# de 2010 à 2015, entre 2010 et 2015, 2010-2015, la saison 2019/2020: both ends are years
# (not inside a phone number: "138-2010-2015").
_RE_YEAR_RANGE = re.compile(
    rf"(?<!\d[-–/.])(?<!\d\s[-–]){_YEAR}\s*(?P<sep>-|–|/|à|au|et|ou)\s*{_YEAR}{_COUNT_AFTER}",
    _FLAGS,
)
# "de 2012" after a noun: "la présidentielle de 2012", "les attentats de 2015", "une Ford GT de
# 2017", "la loi de 1905"; "entre 2011 et aujourd'hui". The year must end the phrase (punctuation
# or a small word follows): a noun after it makes it a count ("de 2000 manifestants"), and a
# quantity word before it ("plus de 2000", "une hausse de 1990") is checked by the builder.
_PHRASE_END = (
    rf"(?=\s*(?:$|[,.;:!?()\]»\"”…–-]|\s(?:et|ou|ainsi|aujourd|[àa](?!\s*\d)|au|aux|en|dans|pour|sur|avec|par|lors|contre|puis|mais"
    rf"|qui|que|qu{_APOS}|o[uù]|ont|est|sont|[ée]tait|[ée]taient|avait|avaient|a|ne|n{_APOS}|se|s{_APOS}|il|elle|ils"
    rf"|elles|on|le|la|les|l{_APOS}|un|une|des|du|comme|selon|apr[èe]s|avant|depuis|jusqu{_APOS}|chez|sous|entre"
    rf"|pendant|durant|alors|quand|lorsqu{_APOS}|d[ée]j[àa]|aussi|encore|toujours|notamment|dont|pr[ée]sent[ée]e?s?"
    # past participles that describe a thing of that year ("une Ferrari de 1967 vendue 2 M$")
    rf"|(?:d[ée]voil|r[ée]alis|sign|adopt|vot|adjug|carross|habill|engag|[ée]quip|restaur|immatricul|anim|expos"
    rf"|pr[ée]sent|lanc|publi|promulgu)[ée]e?s?|(?:vend|rev[êe]t)ue?s?|(?:conduit|construit|produit|sortie|mise)e?"
    # a singular participle cannot follow a count ("de 1958 appartenant", "de 2003 issue")
    rf"|[^\W\d_]{{2,}}(?:é|ée|ue|ie|ite|ant)|issu|aussi|intitul[ée]e?)\b))"
)
_RE_YEAR_OF = re.compile(
    rf"\b(?P<cue>de|entre)\s+{_YEAR}{_COUNT_AFTER}{_PHRASE_END}", _FLAGS
)
# Years coordinated with a year just found: "en 2010 et 2011", "en 1964, 1965 et 1967", "(2008,
# 2012, 2014)", "après 2018 et 2014". A comma list counts only if it ends with "et"/"ou" or a
# bracket ("en 2019, 2000 migrants" is a count); the last year must end the phrase.
_RE_YEAR_LINK = re.compile(rf"\s*(?P<sep>,?\s*(?:et|ou)\s+|[,;]\s*)(?:en\s+)?{_YEAR}{_COUNT_AFTER}", _FLAGS)
_RE_PHRASE_END = re.compile(_PHRASE_END, _FLAGS)
# Words before "de" that make the number a quantity: "plus de 2000", "un total de 1950".
_QUANTITY_BEFORE = re.compile(
    r"(?:\b(?:plus|moins|pr[èe]s|environ|quelque|total|hausse|baisse|augmentation|diminution|chute|recul|progression"
    r"|nombre|moyenne|seuil|barre|cap|score|num[ée]ro|n°|montant|somme|prix|co[uû]t|taux|indice|poids|altitude"
    r"|hauteur|distance|profondeur|vitesse|capacit[ée]|population|effectif|lot|s[ée]rie|tranche|amende|salaire"
    r"|revenu|loyer|facture|pension|prime|plafond|limite|minimum|maximum|passer|pass[ée]e?s?|passant|ramen[ée]e?s?"
    r"|estim[ée]e?s?|[ée]valu[ée]e?s?|chiffr(?:é|ée|és|ées)|[ée]l[èe]ve|[ée]levant|gain|perte|exc[ée]dent|d[ée]ficit|solde"
    r"|record|volume|stock|dette|pr[êe]t|capital|valeur|cote|classement|rang|place|ligne|bus|vol|route)"
    r")\s*$"
)
# aujourd'hui, hier, avant-hier, demain, après-demain
_RE_DEICTIC_DAY = re.compile(
    # any apostrophe-like sign in "aujourd'hui" (ʻ ՚ ꞌ ＇ ′ ‵ ʹ are all typed in the wild)
    rf"\b(?:aujourd(?:{_APOS}|[ʻ՚ꞌ＇′‵ʹ])\s?hui|avant[\s-]hier|apr[èe]s[\s-]demain|hier|demain"
    # "à ce jour", "ce jour" (today); not "ce jour-là", "ce jour où", "ce jour de fête"
    rf"|ce\s+jour(?![\w-])(?!\s+(?:o[uù]|de|du|d{_APOS}|m[êe]me|l[àa]|qui|que|et\s+demain)\b)"
    # parts of today: "ce matin", "ce soir", "cette nuit" (not "ce soir-là", "cette nuit de juin")
    rf"|(?:ce\s+(?:matin|midi|soir)|cet\s+apr[èe]s-midi|cette\s+(?:nuit|apr[èe]s-midi))(?![\w-])"
    rf"(?!\s*-\s*l[àa]|\s+(?:de|du|des|d{_APOS}|o[uù]|l[àa]|qui|que|m[êe]me)\b)"
    rf"|la\s+nuit\s+derni[èe]re)\b", _FLAGS
)
_DEICTIC_OFFSET = {"aujourd": 0, "avant": -2, "apres": 2, "hier": -1, "demain": 1, "ce": 0, "la nuit": -1}
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
    rf"\b(?P<wd>{_WEEKDAY_FULL})(?:,?\s+le\s+|\s+)(?P<day>[12]?\d|3[01])(?:er)?(?![\d/:h])(?![.,]\d)(?!\s*%)"
    rf"(?!\s*(?:{_MONTH_ANY}){_NOT_LETTER})",
    _FLAGS,
)
# l'an dernier, l'année prochaine, cette année, le mois dernier, ce mois-ci, du mois prochain
# (not after a day number: "le 20 du mois prochain" is a day, see _RE_BARE_DAY) ...
_RE_REL_PERIOD = re.compile(
    rf"\b(?:(?P<this>cette\s+ann[ée]e|cet\s+an|ce\s+mois(?:-ci)?)(?!-l[àa])(?!\s+d(?:e\s|{_APOS}))"  # "cette année-là": the story's
    # "l'année en cours", "plus tard dans l'année", "plus tôt dans le mois", "au cours de l'année"
    rf"|(?P<this2>l{_APOS}ann[ée]e\s+en\s+cours|le\s+mois\s+en\s+cours"
    rf"|(?:plus\s+(?:tard|t[ôo]t)\s+dans|au\s+cours\s+de|dans\s+le\s+courant\s+de)\s+(?:l{_APOS}ann[ée]e|le\s+mois|du\s+mois))"
    rf"(?![\w-])(?!\s*(?:\d|derni|prochain|pass|pr[ée]c[ée]d|suivant|scolaire|universitaire|fiscale|civile|[ée]coul|qui\b|o[uù]\b"
    rf"|de\b|d{_APOS}|en\s+cours))"
    rf"|(?:l{_APOS}|le\s+|la\s+)(?P<unit>an|ann[ée]e|mois)\s+(?P<rel>dernier|derni[èe]re|pass[ée]e?|prochaine?)"
    rf"|(?<!\d\s)(?:du|au)\s+(?P<unit2>mois)\s+(?P<rel2>dernier|pass[ée]|prochain))\b",
    _FLAGS,
)
# Weeks: cette semaine, la semaine dernière / prochaine / passée, début de la semaine
# prochaine, ce week-end, le week-end dernier, en fin de semaine. "la semaine suivante" counts
# from the story (_anaphors); "la dernière semaine (de ...)" is left out.
_RE_WEEK = re.compile(
    rf"\b(?:(?P<part>d[ée]but|fin|milieu)\s+de\s+)?(?:(?P<this>cette\s+semaine(?:-ci)?|ce\s+week[\s-]?end"
    rf"|reste\s+de\s+(?:la|cette)\s+semaine(?:\s+en\s+cours)?|la\s+semaine\s+en\s+cours)(?!-l[àa])"
    rf"|(?:la\s+|le\s+)?(?P<unit>semaine|week[\s-]?end)\s+(?P<rel>derni[èe]re|dernier|pass[ée]e?|prochaine?))\b"
    rf"|\ben\s+(?P<part2>d[ée]but|fin|milieu)\s+de\s+semaine\b(?!\s+(?:derni|prochain|pass|suiv|pr[ée]c))"
    rf"(?!\s+d[eu]\s+(?:mois|l{_APOS}ann))",
    _FLAGS,
)
# Seasons with a cue that says which one: cet été, l'hiver dernier, le printemps prochain,
# l'été 2019 / de 2019 (bare "l'été" or "en hiver" is as often a habit: skipped).
_SEASON = r"(?P<season>printemps|[ée]t[ée]|automne|hiver)"
_RE_SEASON = re.compile(
    rf"\b(?:(?P<this>ce|cet|cette)\s+{_SEASON}\b(?!\s+(?:de\s+)?\d)(?!-l[àa])"
    rf"|(?:l{_APOS}|le\s+|(?P<prep>au\s+|du\s+|[àa]\s+l{_APOS}|de\s+l{_APOS}|en\s+))(?P<season2>printemps|[ée]t[ée]|automne|hiver)\s+(?:(?P<rel>derni[èe]re?|pass[ée]|prochaine?)\b"
    rf"|(?:de\s+)?(?P<y>{_YEAR}){_COUNT_AFTER})"
    rf"|(?:au|en)\s+(?P<season3>printemps|[ée]t[ée]|automne|hiver)\s+(?:de\s+)?(?P<y3>{_YEAR}){_COUNT_AFTER}"
    # "à la fin de l'été", "au milieu de l'hiver": a part of a season is the nearest one
    rf"|(?:d[ée]but|fin|milieu|cours)\s+de\s+l{_APOS}(?P<season4>printemps|[ée]t[ée]|automne|hiver)\b(?!\s+(?:de\s+)?\d)"
    rf"(?:\s+(?P<rel4>derni[eè]re?|pass[ée]|prochaine?)\b)?)",
    _FLAGS,
)
# A quarter, half or n-th week of a year that is said: "au troisième trimestre de 2016",
# "le premier semestre 2020", "la première semaine de 2027" -> that year (a quarter has no
# single month). Without a year ("au premier trimestre"): _RE_QUARTER.
_ORDINAL = (r"premi[eè]re?|1er|1re|1[eè]re|deuxi[èe]me|2n?de?|2[eè](?:me)?|second|seconde|troisi[èe]me|3[eè](?:me)?"
            r"|quatri[èe]me|4[eè](?:me)?|derni[eè]re?")
_RE_YEAR_SHARE = re.compile(
    rf"\b(?:{_ORDINAL})\s+"
    rf"(?:trimestre|semestre|quart|moiti[ée]|semaine)\s+(?:de\s+l{_APOS}ann[ée]e\s+|de\s+|d{_APOS})?(?P<y>{_YEAR}){_COUNT_AFTER}",
    _FLAGS,
)
# A quarter or half without its year: "au premier trimestre", "le second semestre de l'année
# prochaine", "ce trimestre", "le trimestre dernier" -> the year of the last such quarter begun
# by publication, or of the next if it begins within four months (_b_quarter), at year
# precision as with a year said. Not before a year ("premier trimestre 2020": the rule above)
# nor another complement ("le premier trimestre de son exercice": whose year?).
_RE_QUARTER = re.compile(
    rf"\b(?:au|du|le|ce|cet|sur\s+le|pour\s+le|durant\s+le|pendant\s+le|d[èe]s\s+le)\s+(?P<ord>{_ORDINAL})\s+(?P<unit>trimestre|semestre)\b"
    rf"(?:\s+(?:de\s+l{_APOS}ann[ée]e|de\s+cette\s+ann[ée]e|de\s+l{_APOS}an)(?:\s+(?P<rel>derni[eè]re|prochaine|pass[ée]e|en\s+cours))?\b)?"
    rf"(?!\s*(?:de\s+|d{_APOS}|,\s*)?\d)(?!\s+(?:de|d{_APOS}|du|des)(?:\s|\b))"
    rf"|\b(?P<this>ce|cet)\s+(?P<unit2>trimestre|semestre)(?:-ci)?\b(?!\s*(?:de\s+|d{_APOS})?\d)"
    rf"|\b(?:le|au|du)\s+(?P<unit3>trimestre|semestre)\s+(?P<rel3>dernier|prochain|pass[ée]|en\s+cours)\b",
    _FLAGS,
)
_ORDINAL_N = {"premier": 1, "premiere": 1, "1er": 1, "1re": 1, "1ere": 1, "deuxieme": 2, "2e": 2, "2eme": 2, "2nd": 2,
              "2nde": 2, "2d": 2, "second": 2, "seconde": 2, "troisieme": 3, "3e": 3, "3eme": 3, "quatrieme": 4, "4e": 4,
              "4eme": 4, "dernier": -1, "derniere": -1}
# Parts of the current year or month: d'ici la fin de l'année, depuis le début de l'année,
# en fin d'année, le reste de l'année, fin du mois, au début du mois prochain. Not when a
# year or another noun follows ("la fin de l'année 2019", "l'année scolaire", "de ses 18 ans").
_RE_PERIOD_PART = re.compile(
    rf"\b(?P<ici>d{_APOS}ici\s+(?:(?:à|a)\s+)?|avant\s+|jusqu{_APOS}(?:à\s+)?)?(?:la\s+|le\s+|en\s+|au\s+|à\s+la\s+)?"
    rf"(?P<part>d[ée]but|fin|milieu|mi|reste|courant)[\s-]+"
    rf"(?:(?P<year>de\s+l{_APOS}ann[ée]e|d{_APOS}ann[ée]e)|(?P<month>du\s+mois))"
    rf"(?:\s+(?P<rel>derni[èe]re?|prochaine?|pass[ée]e?|en\s+cours))?\b"
    rf"(?!\s*(?:\d|scolaire|universitaire|fiscale|civile|suivante?|pr[ée]c[ée]dente?|de\b|du\b|des\b|d{_APOS}|o[uù]\b|qui\b|où))",
    _FLAGS,
)
# le premier vendredi de juillet, le dernier lundi du mois prochain: the n-th weekday of a
# month (without this rule "vendredi" alone would be resolved to the wrong week).
_NTH = {"premier": 1, "1er": 1, "deuxieme": 2, "second": 2, "troisieme": 3, "quatrieme": 4, "dernier": -1}
_RE_NTH_WEEKDAY = re.compile(
    rf"\b(?P<n>premier|1er|deuxi[èe]me|second|troisi[èe]me|quatri[èe]me|dernier)\s+(?P<wd>{_WEEKDAY_FULL})\s+"
    rf"(?:(?:de|du|d{_APOS}|en)\s*)(?:(?P<month>{_MONTH_FULL})\b(?:\s+(?P<y>{_YEAR}){_COUNT_AFTER})?"
    rf"|(?:ce\s+)?mois(?:-ci|\s+(?P<rel>prochain|dernier|pass[ée]))?\b)",
    _FLAGS,
)
# il y a 3 jours / deux ans, dans 2 semaines, il y a plus de dix ans, il y a quelques jours,
# il y a une quinzaine de jours. An approximate count ("quelques", "une dizaine de") is said at
# a coarser grain than its unit: days and weeks -> the month, months -> the year, years ->
# nothing (a guess at any grain).
_NUM_WORDS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "quinze": 15, "vingt": 20,
    "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60, "cent": 100,
}
_APPROX = {"quelques": 3, "dizaine": 10, "quinzaine": 15, "vingtaine": 20, "trentaine": 30, "centaine": 100}
_NUM = r"\d{1,3}|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt|trente|quarante|cinquante|soixante|cent"
_RE_AGO = re.compile(
    rf"\b(?P<dir>il\s+y\s+a|il\s+ya|dans)\s+(?:(?:environ|[àa]\s+peu\s+pr[èe]s|presque|exactement|tout\s+juste|quasiment"
    rf"|seulement|d[ée]j[àa]|au\s+moins|(?:un\s+peu\s+)?(?:plus|moins|pr[èe]s)\s+d(?=e\s|{_APOS})(?:e|{_APOS}))\s*)?"
    rf"(?:(?P<n>{_NUM})\s+|(?P<approx>quelques\s+|une\s+(?:dizaine|quinzaine|vingtaine|trentaine|centaine)\s+d(?:e\s+|{_APOS})))"
    rf"(?P<unit>jours?|semaines?|mois|ans?|ann[ée]es?)\b",
    _FLAGS,
)
# The last or next few days, weeks or months: "ces derniers jours", "dans les prochaines
# semaines", "les trois derniers mois" -> said as "il y a quelques ..." is (a grain coarser
# than the unit; "ces dernières années" gets nothing).
_RE_FEW = re.compile(
    r"\b(?:ces|les|des|aux)\s+(?:(?P<n>deux|trois|quatre|cinq|six|dix|quinze|2|3|4|5|6|10|15)\s+)?"
    r"(?P<dir>derni[eè]r(?:s|es)|prochain(?:s|es))\s+(?P<unit>jours|semaines|mois)\b"
    rf"(?!\s+(?:de|du|des|d{_APOS}|qui|o[uù]|avant|pr[ée]c[ée]dant|suivant|ont|sont|avaient|[ée]taient)\b)",  # "les derniers jours de sa vie"
    _FLAGS,
)
# Dates said relative to the story's last date, not to publication: la veille, le lendemain,
# l'avant-veille, le surlendemain, le jour suivant, trois jours plus tard, deux ans auparavant,
# un mois après (closing the phrase: "un mois après l'attaque" counts from an event).
_RE_ANAPHOR = re.compile(
    rf"\b(?<!entre\s)(?:(?P<day>(?:la|[àa]\s+la)\s+veille(?!\s+et\s+(?:le\s+|du\s+)?sommeil)|l{_APOS}avant[\s-]veille|le\s+lendemain|le\s+surlendemain"
    rf"|le\s+jour\s+(?:suivant|pr[ée]c[ée]dent|d{_APOS}avant|d{_APOS}apr[èe]s))(?![\w-])"
    rf"(?!\s+(?:de|du|des|d{_APOS}|au\s+soir\s+d)\b|\s+[^\W\d_]*(?:ique|aire|elle|ive|ale|iste)s?\b)"
    rf"|(?P<week>la\s+semaine\s+(?:suivante|pr[ée]c[ée]dente|d{_APOS}apr[èe]s|d{_APOS}avant|qui\s+(?:suit|suivait|a\s+suivi)))\b"
    rf"(?!-l[àa])(?!\s+(?:la|le|les|l{_APOS}|sa|son|ses|leurs?|une?|cette|ce|cet|des?|du)\b)"  # "la semaine qui suit l'achat"
    rf"|(?P<period>(?:l{_APOS}|le\s+|la\s+)(?:an|ann[ée]e|mois)\s+(?:suivante?|pr[ée]c[ée]dente?))\b"
    rf"(?!\s+(?:la|le|les|l{_APOS}|sa|son|ses|leurs?|une?|cette|ce|cet|sa)\b)"  # "l'année suivant la création"
    rf"|(?P<n>{_NUM})\s+(?P<unit>jours?|semaines?|mois|ans?|ann[ée]es?)\s+"
    rf"(?P<dir>plus\s+tard(?!\s+qu)|plus\s+t[ôo]t(?!\s+qu)|auparavant|apr[èe]s(?=\s*(?:[,.;:!?)]|$|\s(?:et|ou|il|elle|ils|elles|on)\b))"
    rf"|avant(?=\s*(?:[,.;:!?)]|$))))",
    _FLAGS,
)
_ANAPHOR_DAY = {"veille": -1, "avant": -2, "lendemain": 1, "surlendemain": 2, "suivant": 1, "precedent": -1, "apres": 1}
# Words before "trois jours plus tard" that make it a duration or a count ("pendant deux jours
# après", "les trois mois auparavant").
_ANAPHOR_BLOCK = re.compile(r"(?:\b(?:pendant|durant|depuis|pour|en|dans|sur|de|d'|les|des|ces|aux|bout|ici|il\s+y\s+a|premiers|derniers)\s*)$")
_ANAPHOR_ANCHORS = ("veille", "lendemain", "jour d", "semaine d", "semaine qui")
# Frequent words that anchor an anaphor only after a unit ("trois jours après", "l'année
# suivante"); "avant" also finds "auparavant".
_ANAPHOR_AFTER_UNIT = ("suivant", "précédent", "precedent", "plus t", "après", "apres", "avant")
_UNIT_BEFORE = re.compile(r"(?:jours?|semaines?|mois|ans?|ann[ée]es?)\s+(?:aupar)?$")
# How far back an anaphoric date looks for the date it counts from.
_ANAPHOR_CHARS = 600
# Fixed-date holidays, only in forms that are not names ("Noël Mamère").
_HOLIDAY_CUE = (
    rf"(?:\b(?:à|a|pour|avant|apr[èe]s|depuis|d[èe]s|pendant|durant|d{_APOS}ici(?:\s+[àa])?|jusqu{_APOS}à|le\s+jour\s+de"
    rf"|la\s+nuit\s+de|veille\s+de|lendemain\s+de|(?:les\s+)?f[êe]tes\s+de|vacances\s+de|week[\s-]?end\s+de|pont\s+de"
    rf"|r[ée]veillon\s+de|soir\s+de|matin\s+de|messe\s+de|tr[êe]ve\s+de|p[ée]riode\s+de)\s+)"
)
# Holidays, in forms that are not names ("Noël Mamère", "l'île de Pâques", "l'ascension du
# mont Blanc"): a fixed-date one after a cue ("à Noël", "les fêtes de Noël", "pendant la
# Toussaint") or with its year ("Noël 2019"); Easter and the feasts counted from it ("à
# Pâques", "le lundi de Pentecôte", "le pont de l'Ascension"); the ones whose name says it
# ("le jour de l'an", "la Saint-Valentin", "la fête de la musique"). Not "le nouvel an chinois" (lunar),
# nor another country's "fête nationale".
_RE_HOLIDAY = re.compile(
    rf"{_HOLIDAY_CUE}(?P<h>no[ëe]l|la\s+toussaint|la\s+saint[\s-]sylvestre|l{_APOS}armistice|l{_APOS}assomption"
    rf"|l{_APOS}[ée]piphanie|la\s+chandeleur|halloween)\b"
    rf"|\b(?P<hy>no[ëe]l|la\s+toussaint|halloween)\s+(?:de\s+)?(?P<y>{_YEAR}){_COUNT_AFTER}"
    rf"|\b(?P<h2>jour\s+de\s+l{_APOS}an|nouvel\s+an(?!\s+(?:chinois|lunaire|juif|persan|iranien|vietnamien|tamoul"
    rf"|tib[ée]tain|berb[èe]re|kurde|bouddhiste|orthodoxe))|f[êe]te\s+du\s+travail"
    rf"|f[êe]te\s+nationale(?!\s+(?:du|de|des|d{_APOS})\s+(?!14)|\s+(?!du\b|de\b|des\b|et\b|est\b|le\b|la\b|les\b)[^\W\d_]+e\b)"
    rf"|(?:la\s+)?saint[\s-]valentin|f[êe]te\s+de\s+la\s+musique|la\s+toussaint)\b"
    rf"(?:\s+(?:de\s+)?(?P<y2>{_YEAR}){_COUNT_AFTER})?"
    rf"|(?P<e>(?<![îi]le\sde\s)(?:(?:le\s+)?lundi\s+de\s+)?p[âa]ques|(?:(?:le\s+)?lundi\s+de\s+)?(?:la\s+)?pentec[ôo]te"
    rf"|(?:(?:le\s+)?jeudi|pont|week[\s-]?end|f[êe]te)\s+de\s+l{_APOS}ascension|mardi\s+gras)\b"
    rf"(?:\s+(?:de\s+)?(?P<ye>{_YEAR}){_COUNT_AFTER})?",
    _FLAGS,
)
_HOLIDAYS = {"noel": (12, 25), "toussaint": (11, 1), "sylvestre": (12, 31), "armistice": (11, 11),
             "an": (1, 1), "travail": (5, 1), "nationale": (7, 14), "assomption": (8, 15), "epiphanie": (1, 6),
             "chandeleur": (2, 2), "valentin": (2, 14), "halloween": (10, 31), "musique": (6, 21)}
# Feasts counted from Easter Sunday, in days.
_EASTER_OFFSET = {"paques": 0, "lundi de paques": 1, "ascension": 39, "pentecote": 49, "lundi de pentecote": 50,
                  "mardi gras": -47}


# Bare day numbers: "le 27", "jusqu'au 15", "du 9 au 12", "entre le 12 et le 15", "le 20 du
# mois prochain". A number is a day only between a determiner and something that ends the
# phrase (punctuation, "et le 28", "à 14h", "au soir"): a noun after it makes it a count or
# a rank ("les 27 pays", "le 27e régiment", "27 ans", "à 27 %"), and "les"/"au"/"à" alone
# are never cues. Phone numbers ("appeler le 17") are refused by the words before them.
_BDAY = r"(?:1er|[12]\d|3[01]|0?[1-9])(?!\d)"
_BARE_TAIL = r"(?P<tail>\s+(?:du\s+mois(?:\s+(?P<rel>prochain|dernier|pass[ée]|en\s+cours))?|de\s+ce\s+mois(?:-ci)?))?"
_SAFE_AFTER = (
    rf"(?=\s*(?:$|[;:!?…)»\"”]|\.(?!\d)|,(?!\s*(?:\d|rue|avenue|boulevard|bd|place|downing))"
    rf"|\s(?:et|ou)\s+(?:le\s+)?{_BDAY}(?!\w)(?![.,]\d)"
    rf"|\s(?:à|vers)\s+\d{{1,2}}\s*h|\s(?:au|dans\s+la|en)\s+(?:soir|matin|soir[ée]e|matin[ée]e|nuit|journ[ée]e|apr[èe]s-midi)\b))"
)
# Days in words, 2 to 31 ("le vingt-deux", "le trente et un"); "le premier", "le un" and
# "le neuf" are refused, as they are far more often "the first (one)", "the new" than a date.
_UNITS = {"deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9}
_TEENS = {"dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16}
_SPELLED_DAY = (
    r"(?:vingt(?:[\s-]+(?:et[\s-]+un|deux|trois|quatre|cinq|six|sept|huit|neuf))?"
    r"|trente(?:[\s-]+et[\s-]+un)?|dix[\s-]+(?:sept|huit|neuf)"
    r"|deux|trois|quatre|cinq|six|sept|huit|dix|onze|douze|treize|quatorze|quinze|seize)(?![\w-])"  # "le neuf": the new
)
_RE_BARE_DAY = re.compile(
    rf"\b(?:(?P<range>du|entre\s+le)\s+(?P<d1>{_BDAY})\s*(?:au|-|et\s+le)\s*(?P<d2>{_BDAY})"
    rf"|(?:le|jusqu{_APOS}au)\s+(?P<d>{_BDAY}|{_SPELLED_DAY})){_BARE_TAIL}{_SAFE_AFTER}",
    _FLAGS,
)
# Every bare-day match holds "le 7", "du 7" or "au 7" (the cue word, a space, a digit): a
# scan for that is 3x cheaper than running _RE_BARE_DAY over the whole text, which then
# runs only where its cue ("le", "du", "entre le", "jusqu'au") starts at or 6 characters
# before a hit.
_BARE_HINT = re.compile(r"(?:le|du|au)[ \u00a0](?:\d|(?:vingt|trente|dix|deux|trois|quatre|cinq|six|sept|huit|neuf"
                        r"|onze|douze|treize|quatorze|quinze|seize)\b)")
# A phone or number word earlier in the same sentence ("appeler le 04 50 03 00 15 ou le 17",
# "le numéro de course utilisé par le pilote (le 12)").
_PHONE_BEFORE = re.compile(r"(?:appel|compos|joindr|contact|num[ée]ro|n°|dossard|maillot|t[ée]l[ée]phon|sms)[^.!?]*$")
# How far back a bare day looks for the month it belongs to ("le 12 septembre ... le 22").
_CONTEXT_CHARS = 250


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
    if w[:1].isdigit():
        return int(re.match(r"\d+", w).group())  # type: ignore[union-attr]
    parts = [p for p in re.split(r"[\s-]+", w) if p != "et"]  # "vingt et un", "dix-sept"
    tens = {"vingt": 20, "trente": 30, "dix": 10}.get(parts[0]) if len(parts) > 1 else None
    if tens is not None:
        return tens + (1 if parts[1] == "un" else _UNITS[parts[1]])
    return {"vingt": 20, "trente": 30, **_UNITS, **_TEENS}[parts[0]]


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
    w = fold(word.lower())
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


def _b_dm_bare(m: re.Match[str], pub: _Pub) -> _Cand | None:
    d, month = int(m.group(1)), m.group(2)
    if d <= 12 and not month.startswith("0"):
        return None  # "10/10", "12/11": as often a score or a ratio
    return _b_dm(m, pub)


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


def _iter_day_list(m: re.Match[str], pub: _Pub) -> Iterator[_Cand]:
    mo = _month_number(m.group("month"))
    days = [(_day_of(d.group("d")), d) for d in _RE_LIST_DAY.finditer(m.string, m.start("list"), m.end("list"))]
    if any(a >= b for (a, _), (b, _) in zip(days, days[1:])):
        return  # "du 28 au 3 mars" or "les 4 et 2 mars": not a range of one month
    last = days[-1][0]
    if m.group("y"):
        y = int(m.group("y"))
        if not _valid(y, mo, last):
            return
    else:
        if pub is None or not _valid(2000, mo, last):
            return
        date = _nearest_day(mo, last, pub, rel=_rel_side(m.group("rel")))
        if date is None:
            return
        y = date.year
    for d, dm in days[:-1]:
        if _valid(y, mo, d):
            start = dm.start() if dm.group().lower()[:1].isalpha() and not dm.group().lower().startswith("premier") else dm.start("d")
            yield (start, dm.end(), _iso(y, mo, d), "day")
    start = days[-1][1].start()
    yield (start, m.end(), _iso(y, mo, last), "day")


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


# "un mois de juin", "le cinquième mois de juin le plus chaud", "un poisson d'avril": any year's.
_GENERIC_MONTH_BEFORE = re.compile(
    rf"(?:\b(?:un|des|d{_APOS}un|chaque|tout|premier|dernier|[^\W\d_]+i[èe]me)\s+mois|\bpoissons?)\s*$"
)
# A sentence that says a habit ("chaque année", "généralement", "la saison des pluies") makes a
# month span without its year any year's: "courants en Inde entre juin et septembre".
_HABIT = re.compile(
    r"chaque\s+(?:ann[ée]e|an|hiver|[ée]t[ée]|printemps|automne|mois|semaine)|tous\s+les\s+ans|habituellement"
    rf"|g[ée]n[ée]ralement|en\s+g[ée]n[ée]ral|traditionnellement|d{_APOS}ordinaire|syst[ée]matiquement|r[ée]guli[èe]rement"
    rf"|\bsaisons?\b|\bcourants?\b|en\s+moyenne|d{_APOS}habitude"
)


def _habitual(low: str, start: int, end: int) -> bool:
    """Whether the sentence around [start, end) says a habit (_HABIT)."""
    a = max(low.rfind(".", 0, start), low.rfind("!", 0, start), low.rfind("?", 0, start)) + 1
    b = min((i for i in (low.find(".", end), low.find("!", end), low.find("?", end)) if i >= 0), default=len(low))
    return _HABIT.search(low, max(a, start - 200), min(b, end + 200)) is not None
_PLANNED_BEFORE = re.compile(
    r"\b(?:pr[ée]vu|attend|programm|fix[ée]|report|annonc|envisag|planifi|d[ée]cal|repouss|[ée]voqu|promis|vis[ée]"
    r"|pr[ée]par|pr[ée]voi|esp[èée]r)[^.;:!?]*$"
)


def _capitalised_inside(low: str, i: int) -> bool:
    """Whether the word at ``i`` is capitalised in the original text, not after a full stop."""
    original = getattr(low, "original", None)
    if original is None or not original[i].isupper():
        return False
    before = original[:i].rstrip(" \u00a0\"«“(-")
    return bool(before) and before[-1] not in ".!?:…\n"


def _iter_month_list(m: re.Match[str], pub: _Pub) -> Iterator[_Cand]:
    words = list(_RE_MONTH_WORD.finditer(m.string, m.start(), m.end("more")))
    months = [_month_number(w.group()) for w in words]
    if len(set(months)) != len(months):
        return
    # Years of each month, the last one in year 0: a month not after the one before it starts a new year.
    offsets = [0] * len(months)
    for i in range(len(months) - 2, -1, -1):
        offsets[i] = offsets[i + 1] - (months[i] >= months[i + 1])
    if offsets[0] < -1:
        return  # more than a year of months: not a span said in order
    ranged = re.search(r"\s(?:[àa]|au)\s|[-–/]", m.group("more")) or re.search(r"\bentre\s+$", m.string[max(0, m.start() - 8):m.start()])
    if not ranged and offsets[0] and (offsets[-1] - offsets[0]) * 12 + months[-1] - months[0] > 6:
        # "en février ou en janvier": a list not in calendar order, each month on its own
        if pub is None or m.group("y") or _habitual(m.string, m.start(), m.end()):
            return
        for w in words:
            y, mo = _nearest_month(_month_number(w.group()), pub)
            yield (w.start(), w.end(), _iso(y, mo), "month")
        return
    if m.group("y"):
        last_year = int(m.group("y"))
    elif pub is None or _habitual(m.string, m.start(), m.end()):
        return
    else:
        # The span holding publication, else the year of its last month as a month alone
        # would get it ("de janvier à juin" in October: the June before).
        here = pub.year * 12 + pub.month
        holding = [y for y in (pub.year - 1, pub.year, pub.year + 1)
                   if (y + offsets[0]) * 12 + months[0] <= here <= y * 12 + months[-1]]
        side = _rel_side(m.group("rel"))
        if holding and side is None:
            last_year = holding[0]
        else:
            last_year = _nearest_month(months[-1], pub, side)[0]
    for i, (w, mo) in enumerate(zip(words, months)):
        end = m.end() if i == len(words) - 1 else w.end()
        yield (w.start(), end, _iso(last_year + offsets[i], mo), "month")


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
    if not word.endswith(".") and _RE_MONTH_LIST.match(m.string, m.start("month")):
        return None  # "en mars et avril 2019": the list rule gives both months their year
    if m.group("de") or m.group("pour"):
        if word.endswith(".") or m.group("de") and not _RE_PHRASE_END.match(m.string, m.end()):
            return None  # "de juin 15 personnes"
        if _capitalised_inside(m.string, m.start("month")):
            return None  # "la surface de Mars", "une mission pour Mars", "le maréchal Juin"
        before = m.string[max(0, m.start() - 40):m.start()]
        if m.group("de") and _GENERIC_MONTH_BEFORE.search(before):
            return None  # "pour un mois de septembre", "les moyennes des mois de juin": any year's
        if m.group("pour") and not _PLANNED_BEFORE.search(before):
            return None  # "le record pour juillet" is any July's; "prévu pour avril" is one
    first = fold(cue).split()[0] if cue else ""
    if word.endswith(".") and (not cue or (first == "en" and word.startswith("sept"))):
        return None  # "oct." needs a cue; "en sept." is as often "en sept" (seven)
    y, mo = _nearest_month(_month_number(word), pub, rel)
    start = m.start("month")
    if first in ("debut", "fin", "mi", "milieu", "courant", "ce", "cet", "cette"):
        start = m.start()
    return (start, m.end(), _iso(y, mo), "month")


def _b_year_cue(m: re.Match[str], pub: _Pub) -> _Cand | None:
    y = int(m.group(2))
    cue = fold(m.group("cue").lower()).split()[0]
    # "fin 2023", "mi-2019", "début de 2000": the cue is part of what is said; "en 2014": the year alone.
    start = m.start() if cue in ("fin", "debut", "mi", "milieu", "courant") else m.start(2)
    return (start, m.end(), _iso(y), "year")


def _b_year_of(m: re.Match[str], pub: _Pub) -> _Cand | None:
    y = int(m.group(2))
    s = m.string
    if m.group("cue") == "entre":
        if not re.match(r"\s+et\s+(?!\d)", s[m.end():m.end() + 8]):
            return None  # "entre 2011 et aujourd'hui"; "entre 1950 et 2000" is the range rule's
    elif not 1900 <= y <= 2049:
        return None  # "de 1850" is as often a count as a year
    if _QUANTITY_BEFORE.search(s, max(0, m.start() - 24), m.start()):
        return None
    return (m.start(2), m.end(2), str(y), "year")


def _b_year_paren(m: re.Match[str], pub: _Pub) -> _Cand | None:
    return (m.start(1), m.end(1), m.group(1), "year")


def _iter_year_range(m: re.Match[str], pub: _Pub) -> Iterator[_Cand]:
    a, b = int(m.group(1)), int(m.group(3))
    if not a < b < a + 100:
        return  # "2010 à 2015" is a span of years; "1900 et 2000" euros is not
    if m.group("sep") == "/" and b != a + 1:
        return  # "2019/2020" is a season; "1990/2000" is as often a ratio
    yield (m.start(1), m.end(1), str(a), "year")
    yield (m.start(3), m.end(3), str(b), "year")


def _b_deictic(m: re.Match[str], pub: _Pub) -> _Cand | None:
    if pub is None:
        return None
    said = fold(m.group().lower())
    key = next(k for k in _DEICTIC_OFFSET if said.startswith(k))
    return (m.start(), m.end(), (pub + _dt.timedelta(days=_DEICTIC_OFFSET[key])).isoformat(), "day")


def _b_weekday(m: re.Match[str], pub: _Pub) -> _Cand | None:
    if pub is None:
        return None
    s = m.string
    # "le lundi" / "chaque lundi" / "un dimanche" is a habit, not a date.
    before = s[max(0, m.start() - 8):m.start()].lower()
    if not m.group("ce") and re.search(r"(?:\ble|\bun|chaque|tous\s+les|les)\s*$", before):
        if not m.group("rel"):
            return None
    w = _weekday_number(m.group("wd"))
    rel = fold((m.group("rel") or "").lower())
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
    # Nearest date within ~6 months whose day-of-month and weekday both match (a given
    # weekday falls on a given day number about every 5 months).
    best: _dt.date | None = None
    for k in range(-6, 7):
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
    this = m.group("this") or m.group("this2")
    if this:
        if "mois" in this:
            return (m.start(), m.end(), _iso(pub.year, pub.month), "month")
        return (m.start(), m.end(), _iso(pub.year), "year")
    step = -1 if _rel_side(m.group("rel") or m.group("rel2")) == "past" else 1
    if (m.group("unit") or m.group("unit2")) == "mois":
        d = _add_months(pub.replace(day=1), step)
        return (m.start(), m.end(), _iso(d.year, d.month), "month")
    return (m.start(), m.end(), _iso(pub.year + step), "year")


def _b_week(m: re.Match[str], pub: _Pub) -> _Cand | None:
    """A week -> the month holding its Thursday, at month precision (a weekend -> the
    month of its Saturday). Why not the Monday at day precision: the day facet would then
    count a day nobody named, while the month is true for the week's majority of days
    (ISO 8601 gives a week to the year of its Thursday for the same reason)."""
    if pub is None:
        return None
    monday = pub - _dt.timedelta(days=pub.weekday())
    weekend = "week" in (m.group("this") or m.group("unit") or "")
    side = _rel_side(m.group("rel"))
    if side == "past":
        monday -= _dt.timedelta(days=7)
    elif side == "next":
        monday += _dt.timedelta(days=7)
    elif weekend and pub.weekday() <= 1:
        monday -= _dt.timedelta(days=7)  # "ce week-end" on a Monday or Tuesday: the one just past
    part = fold(m.group("part") or m.group("part2") or "")
    if weekend:
        day = monday + _dt.timedelta(days=5)
    else:
        day = monday + _dt.timedelta(days={"debut": 0, "fin": 4}.get(part, 3))
    return (m.start(), m.end(), _iso(day.year, day.month), "month")


# Meteorological seasons (first month, number of months); winter is Dec-Feb and takes the
# year of its January and February, two of its three months.
_SEASONS = {"printemps": 3, "ete": 6, "automne": 9, "hiver": 12}


def _b_season(m: re.Match[str], pub: _Pub) -> _Cand | None:
    """A season -> its year, at year precision: a season spans months, so only the year is
    both true and finer than nothing (facets get a YYYY value)."""
    name = fold(m.group("season") or m.group("season2") or m.group("season3") or m.group("season4"))
    first = _SEASONS[name]
    label = (lambda y: y + 1) if first == 12 else (lambda y: y)  # the year a season counts in
    y_said = m.group("y") or m.group("y3")
    if y_said:
        return (m.start(), m.end(), _iso(int(y_said)), "year")
    if pub is None:
        return None
    # Occurrences as (first day, day after the last), for the seasons starting around pub.
    occ = []
    for y in (pub.year - 2, pub.year - 1, pub.year, pub.year + 1):
        start = _dt.date(y, first, 1)
        occ.append((start, _add_months(start, 3), label(y)))
    side = _rel_side(m.group("rel") or m.group("rel4"))
    if side == "past":
        cands = [o for o in occ if o[1] <= pub]
        pick = max(cands) if cands else None
    elif side == "next":
        cands = [o for o in occ if o[0] > pub]
        pick = min(cands) if cands else None
    else:
        # "cet été": the one holding pub; else the coming one if it starts within half a
        # year ("cet hiver" in June, "cet été" in March), else the one just past ("cet
        # été" in October).
        holding = [o for o in occ if o[0] <= pub < o[1]]
        coming = [o for o in occ if pub < o[0] and (o[0] - pub).days <= 183]
        past = [o for o in occ if o[1] <= pub]
        pick = holding[0] if holding else min(coming) if coming else max(past)
    if pick is None:
        return None
    start = m.start("season2") if m.group("prep") else m.start()  # "au printemps dernier": the season said
    return (start, m.end(), _iso(pick[2]), "year")


def _b_year_share(m: re.Match[str], pub: _Pub) -> _Cand | None:
    return (m.start(), m.end(), m.group("y"), "year")


def _b_quarter(m: re.Match[str], pub: _Pub) -> _Cand | None:
    if pub is None:
        return None
    unit = m.group("unit") or m.group("unit2") or m.group("unit3")
    size = 3 if unit == "trimestre" else 6
    count = 12 // size
    here = (pub.month - 1) // size  # the share holding pub, 0-based
    start = m.start() if m.group("this") else m.start("ord") if m.group("ord") else m.start()
    if m.group("this") or m.group("rel3"):
        step = {"past": -1, "next": 1}.get(_rel_side(m.group("rel3")) or "", 0)
        y, k = divmod(pub.year * count + here + step, count)
        return (start, m.end(), _iso(y), "year")
    n = _ORDINAL_N.get(fold(m.group("ord")).replace("è", "e"))
    if n is None or n > count:
        return None
    k = (count if n == -1 else n) - 1
    if m.group("rel") or m.end() > m.end("unit") and "ann" in m.string[m.end("unit"):m.end()]:
        step = {"past": -1, "next": 1}.get(_rel_side(m.group("rel")) or "", 0)
        return (start, m.end(), _iso(pub.year + step), "year")
    # The last one begun by publication (news report quarters past: "le PIB a reculé au premier
    # trimestre" in August), unless the next begins within four months ("la reprise est
    # attendue au second semestre" in June).
    starts = [_dt.date(y, k * size + 1, 1) for y in (pub.year - 1, pub.year, pub.year + 1)]
    begun = max(d for d in starts if d <= pub)
    coming = min(d for d in starts if d > pub)
    pick = coming if (coming - pub).days <= 120 else begun
    return (start, m.end(), _iso(pick.year), "year")


def _b_period_part(m: re.Match[str], pub: _Pub) -> _Cand | None:
    """Start, end or rest of the current (last, next) year or month -> that year or month."""
    if pub is None:
        return None
    step = {"past": -1, "next": 1}.get(_rel_side(m.group("rel")) or "", 0)
    start = m.start("ici") if m.group("ici") else m.start("part")
    if m.group("month"):
        d = _add_months(pub.replace(day=1), step)
        return (start, m.end(), _iso(d.year, d.month), "month")
    if step == 0 and pub.month == 1 and not m.group("ici") and fold(m.group("part")) == "fin":
        return None  # "à la fin de l'année" in January: the year just ended as often as this one
    return (start, m.end(), _iso(pub.year + step), "year")


def _b_nth_weekday(m: re.Match[str], pub: _Pub) -> _Cand | None:
    n = _NTH[fold(m.group("n"))]
    w = _weekday_number(m.group("wd"))
    if m.group("month"):
        mo = _month_number(m.group("month"))
        if m.group("y"):
            y = int(m.group("y"))
        elif pub is not None:
            y, mo = _nearest_month(mo, pub)
        else:
            return None
    else:
        if pub is None:
            return None
        step = {"past": -1, "next": 1}.get(_rel_side(m.group("rel")) or "", 0)
        d = _add_months(pub.replace(day=1), step)
        y, mo = d.year, d.month
    first = _dt.date(y, mo, 1)
    if n > 0:
        day = first + _dt.timedelta(days=(w - first.weekday()) % 7 + 7 * (n - 1))
    else:
        last = _add_months(first, 1) - _dt.timedelta(days=1)
        day = last - _dt.timedelta(days=(last.weekday() - w) % 7)
    if day.month != mo:
        return None
    return (m.start(), m.end(), day.isoformat(), "day")


def _b_ago(m: re.Match[str], pub: _Pub) -> _Cand | None:
    if pub is None:
        return None
    sign = 1 if m.group("dir").lower() == "dans" else -1
    unit = fold(m.group("unit").lower())
    if m.group("approx"):
        n = _APPROX[m.group("approx").split()[-2] if m.group("approx").startswith("une") else "quelques"]
        if unit.startswith(("jour", "semaine")):
            d = pub + _dt.timedelta(days=sign * n * (7 if unit.startswith("semaine") else 1))
            return (m.start(), m.end(), _iso(d.year, d.month), "month")
        if unit == "mois":
            return (m.start(), m.end(), _iso(_add_months(pub.replace(day=1), sign * n).year), "year")
        return None  # "il y a quelques années": no grain is safe
    n_word = m.group("n").lower()
    n = int(n_word) if n_word.isdigit() else _NUM_WORDS.get(n_word)
    if not n:
        return None
    return (m.start(), m.end(), *_shifted(pub, "day", unit, sign * n))


def _b_few(m: re.Match[str], pub: _Pub) -> _Cand | None:
    if pub is None:
        return None
    said = m.group("n")
    n = (int(said) if said.isdigit() else _NUM_WORDS[said]) if said else 3
    sign = -1 if fold(m.group("dir")).startswith("dern") else 1
    unit = m.group("unit")
    if unit == "mois":
        return (m.start(), m.end(), _iso(_add_months(pub.replace(day=1), sign * n).year), "year")
    d = pub + _dt.timedelta(days=sign * n * (7 if unit == "semaines" else 1))
    return (m.start(), m.end(), _iso(d.year, d.month), "month")


def _shifted(anchor: _dt.date, grain: Precision, unit: str, n: int) -> tuple[str, Precision]:
    """``anchor`` moved by ``n`` units (jours, semaines, mois, ans), said no finer than the
    unit allows (months -> month, years -> year) nor than the anchor's own grain."""
    if unit.startswith(("jour", "semaine")):
        d = anchor + _dt.timedelta(days=n * (7 if unit.startswith("semaine") else 1))
        value, precision = d.isoformat(), "day"
    elif unit == "mois":
        d = _add_months(anchor.replace(day=1), n)
        value, precision = _iso(d.year, d.month), "month"
    else:
        value, precision = _iso(anchor.year + n), "year"
    if _RANK[grain] > _RANK[precision]:
        precision = grain
        value = value[: {"month": 7, "year": 4}[grain]]
    return value, precision  # type: ignore[return-value]


def _after_publication(value: str, precision: Precision, pub: _dt.date) -> bool:
    """Whether a date said at ``precision`` lies past publication by more than a month (a
    year: any later year)."""
    if precision == "year":
        return int(value) > pub.year
    if precision == "month":
        return int(value[:4]) * 12 + int(value[5:7]) > pub.year * 12 + pub.month + 1
    return _dt.date.fromisoformat(value) > pub + _dt.timedelta(days=31)


def _anaphors(low: str, kept: list[_Cand], pub: _Pub, pub_precision: Precision) -> list[_Cand]:
    """Dates counted from the story's last date: "la veille" after "mardi" is Monday. The
    anchor is the last date named in the _ANAPHOR_CHARS before it that is fine enough for the
    unit (a day for "la veille" or "trois jours plus tard", a month for "deux mois après", any
    for "un an plus tôt"), else the publication date."""
    hits: list[tuple[int, int]] = []
    for w in _ANAPHOR_ANCHORS + _ANAPHOR_AFTER_UNIT:
        check = w in _ANAPHOR_AFTER_UNIT
        i = low.find(w)
        while i >= 0:
            if not check or _UNIT_BEFORE.search(low, max(0, i - 16), i):
                hits.append((max(0, i - 32), min(len(low), i + len(w) + 16)))
            i = low.find(w, i + len(w))
    if not hits:
        return []
    hits.sort()
    windows: list[tuple[int, int]] = []
    for a, b in hits:
        if windows and a <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(b, windows[-1][1]))
        else:
            windows.append((a, b))
    out: list[_Cand] = []
    for ws, we in windows:
        for m in _RE_ANAPHOR.finditer(low, ws, we):
            start, end = m.span()
            if any(k[0] < end and start < k[1] for k in kept):
                continue
            if m.group("day"):
                said = fold(m.group("day").lower())
                key = next(k for k in ("surlendemain", "lendemain", "avant", "veille", "suivant", "precedent", "apres")
                           if k in said)
                unit, n = "jours", _ANAPHOR_DAY[key]
                if said.startswith("a la") or said.startswith("à la"):
                    start = m.start("day") + 2
            elif m.group("week"):
                said = fold(m.group("week"))
                unit, n = "semaines", -1 if "prec" in said or "avant" in said else 1
            elif m.group("period"):
                said = fold(m.group("period"))
                unit = "mois" if "mois" in said else "ans"
                n = 1 if "suivant" in said else -1
            else:
                if _ANAPHOR_BLOCK.search(low, max(0, start - 16), start):
                    continue
                n_word = m.group("n")
                n = int(n_word) if n_word.isdigit() else _NUM_WORDS[n_word]
                unit = fold(m.group("unit"))
                if fold(m.group("dir")).startswith(("plus tot", "auparavant", "avant")):
                    n = -n
            need = "day" if unit.startswith(("jour", "semaine")) else "month" if unit == "mois" else "year"
            anchor: tuple[_dt.date, Precision] | None = None
            for k in reversed(kept):
                if k[1] > start:
                    continue
                if start - k[1] > _ANAPHOR_CHARS:
                    break
                if _RANK[k[3]] <= _RANK[need]:
                    v = k[2]
                    anchor = (_dt.date(int(v[:4]), int(v[5:7] or 1) if len(v) > 4 else 1, int(v[8:10]) if len(v) > 7 else 1), k[3])
                    break
            if anchor is None:
                if pub is None:
                    continue
                anchor = (pub, pub_precision)
            if _habitual(low, start, end):
                continue  # "les grèves commencent systématiquement la veille"
            value, precision = _shifted(anchor[0], anchor[1], unit, n)
            if m.group("week") and precision == "day":
                # a week -> the month of its Thursday, as _b_week says it
                d = _dt.date.fromisoformat(value)
                thursday = d - _dt.timedelta(days=d.weekday()) + _dt.timedelta(days=3)
                value, precision = _iso(thursday.year, thursday.month), "month"
            if n > 0 and pub is not None and _after_publication(value, precision, pub):
                continue  # "soixante ans plus tard" counted from the wrong date: news tell the past
            out.append((start, end, value, precision))
    return out


def _easter(y: int) -> _dt.date:
    """Easter Sunday of year ``y`` (Gregorian computus, Meeus/Jones/Butcher)."""
    a, b, c = y % 19, y // 100, y % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return _dt.date(y, month, day + 1)


def _b_holiday(m: re.Match[str], pub: _Pub) -> _Cand | None:
    if m.group("e"):
        said = fold(m.group("e").lower())
        said = re.sub(r"^le\s+|\bla\s+|^(?:jeudi|pont|week[\s-]?end|fete)\s+de\s+l.", "", said)
        said = re.sub(r"\s+", " ", said)
        offset = _EASTER_OFFSET[said]
        start = m.start("e")
        if m.group("ye"):
            return (start, m.end(), (_easter(int(m.group("ye"))) + _dt.timedelta(days=offset)).isoformat(), "day")
        if pub is None:
            return None
        days = [_easter(y) + _dt.timedelta(days=offset) for y in (pub.year - 1, pub.year, pub.year + 1)]
        date = min(days, key=lambda c: (abs((c - pub).days), c > pub))
        return (start, m.end(), date.isoformat(), "day")
    group = "h" if m.group("h") else "hy" if m.group("hy") else "h2"
    name = fold(m.group(group).lower())
    key = re.split(rf"[\s\-{_APOS[1:-1]}]", name)[-1]
    mo, d = _HOLIDAYS[key]
    year = m.group("y") or m.group("y2")
    if year:
        return (m.start(group), m.end(), _iso(int(year), mo, d), "day")
    if pub is None:
        return None
    date = _nearest_day(mo, d, pub)
    if date is None:
        return None
    return (m.start(group), m.end(), date.isoformat(), "day")


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
        (_RE_YEAR_OF, _single(_b_year_of), False, None),
        (_RE_DM, _single(_b_dm), True, None),
        (_RE_DM_BARE, _single(_b_dm_bare), True, None),
    ],
    "month": [
        (_RE_DAY_MONTH, _single(_b_day_month), False, None),
        (_RE_DAY_LIST, _iter_day_list, False, None),
        (_RE_MONTH_DAY_YEAR, _single(_b_month_day_year), False, None),
        (_RE_MONTH_YEAR, _single(_b_month_year), False, None),
        (_RE_MONTH_CUE, _single(_b_month_cue), True, None),
        (_RE_MONTH_LIST, _iter_month_list, False, None),
    ],
    "weekday": [
        (_RE_NTH_WEEKDAY, _single(_b_nth_weekday), False, None),
        (_RE_WEEKDAY, _single(_b_weekday), True, "day"),
        (_RE_WEEKDAY_DAY, _single(_b_weekday_day), True, "day"),
    ],
    "keyword": [
        (_RE_DEICTIC_DAY, _single(_b_deictic), True, "day"),
        (_RE_REL_PERIOD, _single(_b_rel_period), True, "month"),
        (_RE_AGO, _single(_b_ago), True, "day"),
        (_RE_FEW, _single(_b_few), True, "month"),
        (_RE_PERIOD_PART, _single(_b_period_part), True, "month"),
    ],
    "holiday": [(_RE_HOLIDAY, _single(_b_holiday), False, None)],
    "week": [(_RE_WEEK, _single(_b_week), True, "day")],
    "season": [(_RE_SEASON, _single(_b_season), False, None)],
    "share": [(_RE_YEAR_SHARE, _single(_b_year_share), False, None), (_RE_QUARTER, _single(_b_quarter), True, None)],
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
    # "ce ", "cet ", "cette " and "dans " are confirmed by what follows (_ANCHOR_CONFIRM).
    "keyword": (("aujourd", "hier", "demain", "ce ", "cet ", "cette ", "nuit derni", "mois", "il y a", "il ya", "année",
                 "annee", *(f"l{sign}an " for sign in "'" + APOSTROPHES), "dans ", "derniers jours", "dernières semaines", "dernieres semaines",
                 "derniers mois", "prochains jours", "prochaines semaines", "prochains mois"), False),
    "holiday": (("toussaint", "sylvestre", "armistice", "jour de l", "nouvel an", "noël", "noel", "fête", "fete", "pâques", "paques", "pentec", "ascension", "mardi gras", "assomption",
                 "piphanie", "chandeleur", "valentin", "halloween"), False),
    "week": (("semaine", "week"), False),
    "season": (("printemps", "été", "ete", "automne", "hiver"), False),
    "share": (("trimestre", "semestre", "quart", "moiti", "semaine"), False),
}
# How far a rule's match may reach before and after its anchor, per kind: "jusqu'en 2014
# soldats" around a year, "ce dimanche, le 20 décembre 2020 dernier" around a month. The
# count-noun check looks ~20 characters past a year, so the windows leave room for it.
_EXTENT: dict[str, tuple[int, int]] = {"digit": (26, 30), "month": (48, 45), "weekday": (24, 48), "keyword": (26, 36), "holiday": (26, 24),
                                        "week": (28, 30), "season": (24, 24), "share": (30, 40)}
_RANK: dict[str, int] = {"day": 0, "month": 1, "year": 2}
# Rules that reach less far from their anchor than their kind's other rules, run in smaller
# windows (the scan of a regex with a long optional prefix costs per character of window).
_RULE_EXTENT: dict[re.Pattern[str], tuple[int, int]] = {
    _RE_MONTH_CUE: (18, 26),  # "(au|le|du|en|ce) mois d'" ... "septembre prochain"
    _RE_MONTH_YEAR: (10, 44),  # "mi-" ... "septembre, de l'année 2019", and room for a count after it
    _RE_MONTH_LIST: (4, 60),  # the first month is an anchor; later ones are anchors too
    _RE_MONTH_DAY_YEAR: (4, 24),
}


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


class _Lowered(str):
    """The lower-cased text, carrying the original for the few rules that look at case."""

    original: str


def _lower(text: str) -> str:
    """Lower-cased text with the same length (so offsets stay valid)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    # A few characters lower-case to two ("İ"): keep those as they are.
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


# A prefix hit becomes an anchor only if the whole word is right ("dans" only before a number).
_ANCHOR_CONFIRM: dict[str, re.Pattern[str]] = {
    # "été" is mostly the participle ("a été"): a season word counts only after the words
    # _RE_SEASON accepts before it (ce/cet/cette, l', le, au, en, de l').
    "season": re.compile(r"(?:(?<=ce )|(?<=cet )|(?<=cette )|(?<=le )|(?<=au )|(?<=du )|(?<=en )|(?<=l')|(?<=l’)|(?<=lʼ)"
                         r"|(?<=l‘)|(?<=l`)|(?<=l´))"),
    "month": re.compile(rf"{_MONTH_ANY}{_NOT_LETTER}"),
    "keyword": re.compile(
        r"(?!dans |ce |cet |cette )|dans (?:\d|une?\b|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze"
        r"|vingt|trente|quarante|cinquante|soixante|cent|quelques|environ|plus d|moins d|pr[èe]s d)"
        r"|ce (?:jour|matin|midi|soir)|cet (?:apr|an\b)|cette (?:nuit|apr|ann)"
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


def _windows(kind: str, low: str, n: int, spans: list[tuple[int, int]] | None = None,
             extent: tuple[int, int] | None = None) -> list[tuple[int, int]]:
    """Merged [start, end) windows around each anchor of ``kind`` (``extent`` overrides the kind's)."""
    back, ahead = extent or _EXTENT[kind]
    out: list[tuple[int, int]] = []
    for a0, a1 in _anchor_spans(kind, low) if spans is None else spans:
        ws, we = max(0, a0 - back), min(n, a1 + ahead)
        if out and ws <= out[-1][1]:
            out[-1] = (out[-1][0], max(we, out[-1][1]))
        else:
            out.append((ws, we))
    return out


def _select(cands: list[_Cand]) -> list[_Cand]:
    """Keep the longest candidates that do not overlap (earlier start wins a tie)."""
    kept: list[_Cand] = []
    for c in sorted(cands, key=lambda c: (c[0] - c[1], c[0], c[2], c[3])):  # value last: a deterministic tie
        if all(c[1] <= k[0] or c[0] >= k[1] for k in kept):
            kept.append(c)
    kept.sort()
    return kept


def _bare_days(low: str, kept: list[_Cand], pub: _Pub, pub_precision: Precision) -> list[_Cand]:
    """Day mentions for bare day numbers, each in the month of the last date named before it
    (within _CONTEXT_CHARS), else in the publication's month (a day-precision anchor takes,
    among the neighbouring months, the nearest date; ties go to the past)."""
    out: list[_Cand] = []
    ctx = list(kept)  # grows with each bare day, so "le 26 et le 27" stay in one month
    for m in _bare_matches(low):
        start = m.start()
        if any(k[0] < m.end() and start < k[1] for k in kept):
            continue  # part of a longer date ("le 27 avril")
        if _PHONE_BEFORE.search(low, max(0, start - 80), start):
            continue
        days = [m.group("d1"), m.group("d2")] if m.group("range") else [m.group("d")]
        nums = [_day_of(d) for d in days]
        if len(nums) == 2 and nums[0] >= nums[1]:
            continue
        ym = _bare_day_month(m, nums[0], start, ctx, pub, pub_precision)
        if ym is None:
            continue
        y, mo = ym
        if not all(_valid(y, mo, d) for d in nums):
            continue
        if m.group("range"):
            found = [(m.start("d1"), m.end("d1"), _iso(y, mo, nums[0]), "day"),
                     (m.start("d2"), m.end(), _iso(y, mo, nums[1]), "day")]
        else:
            found = [(m.start("d"), m.end(), _iso(y, mo, nums[0]), "day")]
        out += found
        for c in found:
            bisect.insort(ctx, c)  # type: ignore[arg-type]
    return out


def _coordinated(low: str, kept: list[_Cand]) -> list[_Cand]:
    """Years listed after a year found: "en 2010 et 2011", "(2008, 2012, 2014)"."""
    out: list[_Cand] = []
    for start, end, value, precision in kept:
        if precision != "year" or not low[end - 4:end].isdigit():
            continue
        first, pos, chain, closed = int(value), end, [], False
        while len(chain) < 8:
            m = _RE_YEAR_LINK.match(low, pos)
            if m is None or abs(int(m.group(2)) - first) > 60:
                break
            chain.append(m)
            pos = m.end()
            if m.group("sep").strip(" ,;"):
                closed = True  # "et"/"ou" ends the list
                break
        if not chain:
            continue
        if not closed and not low[pos:pos + 3].lstrip().startswith((")", "]")):
            continue  # "en 2019, 2000 migrants": a comma alone makes no list
        if not _RE_PHRASE_END.match(low, pos):
            continue
        out += [(m.start(2), m.end(2), m.group(2), "year") for m in chain]
    return out


def _bare_matches(low: str) -> Iterator[re.Match[str]]:
    """_RE_BARE_DAY's matches, in order and not overlapping, found from _BARE_HINT's hits."""
    done = 0
    for hint in _BARE_HINT.finditer(low):
        i = hint.start()
        if i < done:
            continue
        for j in (i - 6, i):
            if j >= done:
                m = _RE_BARE_DAY.match(low, j)
                if m:
                    done = m.end()
                    yield m
                    break


def _bare_day_month(m: re.Match[str], day: int, start: int, kept: list[_Cand], pub: _Pub,
                    pub_precision: Precision) -> tuple[int, int] | None:
    if m.group("tail"):  # "le 20 du mois prochain": the month is said, relative to publication
        if pub is None or pub_precision == "year":
            return None
        step = {"past": -1, "next": 1}.get(_rel_side(m.group("rel")) or "", 0)
        d = _add_months(pub.replace(day=1), step)
        return d.year, d.month
    for k in reversed(kept):
        if k[1] > start:
            continue
        if start - k[1] > _CONTEXT_CHARS:
            break
        if k[3] == "year":
            continue
        y, mo = int(k[2][:4]), int(k[2][5:7])
        if k[3] == "day" and int(k[2][8:10]) > day:
            return None  # "le 28 mai ... le 3": June (the story goes on) or May (a flashback)?
        return y, mo
    if pub is None or pub_precision == "year":
        return None
    if pub_precision == "month":
        return pub.year, pub.month
    cands = []
    for k in (-1, 0, 1):
        first = _add_months(pub.replace(day=1), k)
        if _valid(first.year, first.month, day):
            cands.append(first.replace(day=day))
    best = min(cands, key=lambda c: (abs((c - pub).days), c > pub))
    return best.year, best.month


def extract_dates(text: str, published: _dt.date | str | None = None) -> list[DateMention]:
    """Dates mentioned in ``text``, partial and relative ones resolved against ``published``.

    >>> [m.value for m in extract_dates("Le 3 janvier 2020, puis hier.", "2021-07-14")]
    ['2020-01-03', '2021-07-13']
    """
    pub, pub_precision = _parse_published(published)
    low = _Lowered(_lower(text))
    low.original = text
    n = len(low)
    cands: set[_Cand] = set()
    for kind, rules in _RULES.items():
        if pub is None and all(needs_pub for _, _, needs_pub, _ in rules):
            continue
        spans = _anchor_spans(kind, low)
        if not spans:
            continue
        windows: dict[tuple[int, int] | None, list[tuple[int, int]]] = {}
        for regex, build, needs_pub, grain in rules:
            if needs_pub and pub is None:
                continue
            extent = _RULE_EXTENT.get(regex)
            if extent not in windows:
                windows[extent] = _windows(kind, low, n, spans, extent)
            coarsen = pub is not None and grain is not None and _RANK[grain] < _RANK[pub_precision]
            for ws, we in windows[extent]:
                for m in regex.finditer(low, ws, we):
                    for c in build(m, pub):
                        # "<=": a week (month precision) in an article dated only by its
                        # month is that month, not the week before the month's first day.
                        if coarsen and _RANK[c[3]] <= _RANK[pub_precision]:
                            c = (c[0], c[1], *_coarsen(pub, pub_precision))
                        cands.add(c)
    kept = _select(list(cands))
    linked = _coordinated(low, kept)
    if linked:
        kept = _select(kept + linked)
    bare = _bare_days(low, kept, pub, pub_precision)
    if bare:
        kept = sorted(kept + bare)
    told = _anaphors(low, kept, pub, pub_precision)
    if told:
        kept = sorted(kept + told)
    out = []
    for start, end, value, precision in kept:
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
