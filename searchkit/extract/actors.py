"""People, organisations and places in French news text: spaCy NER plus a rule layer.

What it is for: turn an article into ``ActorMention`` values (span, kind, canonical name)
that the indexer stores as facets. spaCy's small French pipelines get a predictable set of
things wrong on news text, so a rule layer after the model

- drops junk: elided fragments (``qu'``, ``C'``), capitalised function words and
  sentence-initial adverbs (Néanmoins, Selon), weekdays and months, generic nouns
  (``la Zone``, ``Zone verte``, ``Centre``), quote-initial capitalised words (``«Réduire``),
  one-character entities and entities made only of stop words or punctuation;
- fixes labels: MISC with a person's shape -> person, names with Arabic particles
  (al-, el-, Abu, ben…) -> person unless an organisation cue word is present, organisation
  cue words (Hezbollah, Brigades, Parti…) -> org, capitals/countries labelled PER -> place,
  a bare surname of a person named in full in the same article -> that person;
- canonicalises: strips titles, honorifics and leading articles/elisions, normalises
  apostrophes and whitespace, resolves a bare surname to the full name in the same article;
- corrects by lexicons (``lexicons/*.txt``, general French knowledge): demonyms and
  nationality adjectives (Français, Parisienne), compass points, units, generic nouns and
  events are no actors; a role ("ministre de la Santé") is none either, but the name
  that follows it is a person; news outlets and platforms are organisations under one
  name (France Info -> Franceinfo); a one-word "person" after "le quartier des", "la
  ville de"… is a place, and a "person" with a lowercase word that is no name particle
  ("Santé publique France") an organisation;
- names people by what the article gives: a sovereign keeps the title (pape François,
  prince Harry), a first name alone takes the article's one full name that starts with
  it or the surname of the name it is coordinated with ("François et Penelope Fillon"),
  "(prénom modifié)" stays anonymous; a name in apposition to a role is a person;
- drops products, norms and nouns by rules: a maker's product (``lexicons/makers.txt``:
  Bugatti Chiron counts as Bugatti, or as nothing), an acronym after "cycle"/"normes", a
  ministry's portfolio cut from "ministre des Armées", a capitalised word opening a
  sentence that the article also writes in lowercase;
- finds config.yaml's aliases in the text as a gazetteer (``Gazetteer``), even where the
  model saw nothing.

The model reads a view of each text, the words around its capitalised words
(``nerview.py``: about 30% less NER time, the same actors); its entities are mapped back to
the text's own offsets before the rules run.

What it must not do: import spaCy at module import (query-time code imports this package
and must start fast; the model is loaded on the first call and cached), or know the names
of the sample articles (every rule is a general cue). Cross-article merging of variants
(Kadhimi / Kazimi) is not done here: see ``searchkit.extract.names``.
"""
from __future__ import annotations

import functools
import os
import re
import threading
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from searchkit.extract.lexicon import load_lexicon, load_table
from searchkit.extract.nerview import NerView, ner_view
from searchkit.extract.types import ActorKind, ActorMention
from searchkit.text.normalize import APOSTROPHES, ELISION_ARTICLES, ELISION_PREFIX, fold, fold_chars

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["DEFAULT_MODEL", "extract_actors", "iter_actors", "load_model", "normalize_text"]

#: The spaCy pipeline used when none is given; ``SEARCHKIT_NER_MODEL`` overrides it
#: (benchmarks compare sm and md without editing code). See bench/reports/ner.md.
DEFAULT_MODEL = "fr_core_news_md"

_LABELS: dict[str, ActorKind] = {"PER": "person", "ORG": "org", "LOC": "place"}

# Same-length replacements only: offsets computed on the normalised text stay valid for
# the original. The model was trained on ASCII apostrophes; with ’ it tags "qu’", "n’"…
_CHAR_MAP = str.maketrans({
    **{c: "'" for c in APOSTROPHES},  # text/normalize's apostrophe signs
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
})

_models: dict[str, Language] = {}
_lock = threading.Lock()


def normalize_text(text: str) -> str:
    """``text`` with typographic apostrophes and odd spaces made plain; same length."""
    return text.translate(_CHAR_MAP)


def load_model(name: str | None = None) -> Language:
    """The cached spaCy pipeline ``name`` with only its NER component loaded.

    Changes nothing process-wide: the BLAS thread count and malloc tuning of the
    indexing workers are ``searchkit.extract.runtime.tune_worker``'s job."""
    name = name or os.environ.get("SEARCHKIT_NER_MODEL") or DEFAULT_MODEL
    with _lock:
        nlp = _models.get(name)
        if nlp is None:
            import spacy  # lazy: query-time code must never pay for this import

            # The French pipelines' ner has its own embedded tok2vec, so every other
            # component (tagger, parser, lemmatizer…) is dead weight for us.
            nlp = spacy.load(name, exclude=["tok2vec", "morphologizer", "tagger", "parser",
                                            "attribute_ruler", "lemmatizer", "senter"])
            _use_numpy_matmul(nlp)
            _models[name] = nlp
    return nlp


def _use_numpy_matmul(nlp: Language) -> None:
    """Run the model's matrix products through numpy instead of thinc's bundled BLIS.

    Half of the NER time is ``gemm`` in the CNN token encoder. The BLIS wheel that thinc
    ships runs a generic kernel here (29 GFLOP/s against numpy/OpenBLAS's 87 on one
    core of this AVX2 machine, whatever BLIS_ARCH says), so NER ran 1.7x slower than it
    does through numpy. Same arithmetic in float32: the entities found are identical
    (checked on 300 OrangeSum articles by bench/ner_speed.py; see bench/reports/ner_speed.md).
    """
    from thinc.api import NumpyOps

    ops = NumpyOps(use_blis=False)
    for component in nlp.components:
        model = getattr(component[1], "model", None)
        if model is None:
            continue
        for node in model.walk():
            node.ops = ops


# --------------------------------------------------------------------------- lexicons
# Small, general lists; never the names of the sample articles.

_WEEKDAYS_MONTHS = {
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    "janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre",
    "octobre", "novembre", "decembre",
}

# Capitalised at a sentence start, the model often takes these for names.
_FUNCTION_WORDS = {
    "neanmoins", "selon", "pourtant", "quant", "cependant", "toutefois", "ainsi", "alors",
    "mais", "donc", "or", "car", "puis", "ensuite", "enfin", "aussi", "depuis", "apres",
    "avant", "pendant", "lors", "des", "malgre", "outre", "bien", "deja", "encore", "hier",
    "aujourd'hui", "demain", "desormais", "certes", "surtout", "notamment", "d'ailleurs",
    "par", "pour", "sur", "sous", "dans", "avec", "sans", "chez", "entre", "vers", "contre",
    "le", "la", "les", "l", "un", "une", "du", "de", "d", "ce", "cette", "ces", "cet", "il",
    "elle", "ils", "elles", "on", "nous", "vous", "je", "tu", "c", "qu", "n", "s", "j", "m",
    "t", "y", "a", "au", "aux", "en", "et", "ou", "ni", "si", "comme", "quand", "ou",
    "lorsque", "puisque", "tandis", "afin", "voici", "voila", "merci", "cela", "ceci", "ca",
    "oui", "non", "chaque", "tout", "tous", "toute", "toutes", "plusieurs", "quelques",
    "certains", "certaines", "mme", "m", "mr", "dr", "lire", "aussi", "photo", "video",
    "the", "of", "and", "to", "in",
}

# Nouns that are capitalised in names but are no name on their own, or followed only by
# lowercase words ("la Zone verte", "Centre de soutien diplomatique", "Droit à…").
_GENERIC_HEADS = {
    "zone", "centre", "droit", "etat", "etats", "region", "quartier", "secteur", "president", "presidente", "premier", "premiere", "ministre",
    "general", "generale", "guerre", "guerres", "gouvernement", "republique", "ville",
    "pays", "capitale", "province", "departement", "ministere", "assemblee", "conseil",
    "ambassade", "armee", "etat-major", "commission", "justice", "police", "parquet",
    "monde", "internet", "covid", "coronavirus",
    # ministry portfolios: "secrétaire à la Défense" is no place
    "defense", "interieur", "sante", "economie", "education", "culture", "agriculture",
    "travail", "finances", "affaires",
}

# Titles and honorifics stripped from the front of a person's name.
_TITLES = {
    "m", "m.", "mm", "mm.", "mme", "mmes", "mlle", "mlles", "mr", "mr.", "mrs", "ms",
    "dr", "dr.", "pr", "pr.", "me", "mgr", "monsieur", "madame", "mademoiselle", "docteur",
    "professeur", "maitre", "sir", "lord", "lady", "president", "presidente",
    "vice-president", "vice-presidente", "general", "generale", "colonel", "capitaine",
    "commandant", "lieutenant", "sergent", "amiral", "marechal", "ayatollah", "ayatollahs",
    "cheikh", "cheick", "sheikh", "imam", "mollah", "emir", "roi", "reine", "prince",
    "princesse", "pape", "ministre", "premier", "premiere", "secretaire", "senateur",
    "senatrice", "depute", "deputee", "maire", "gouverneur", "juge", "ambassadeur",
    "ambassadrice", "chancelier", "chanceliere", "guide", "supreme", "leader", "chef",
    "porte-parole", "etat", "d'etat", "general", "generale", "adjoint", "adjointe",
    "sa", "son", "feu", "saint",
}
_ARTICLES = {"le", "la", "les", "l'", "un", "une", "des", "du", "de", "d'", "en", "au", "aux"}
_GLUED_PARTICLE_RE = re.compile(r"(?:al|el|ad|ed|ash|as|an|ar|at|az)-[A-Z]")
_ELIDED = ELISION_ARTICLES
_ELISION_RE = ELISION_PREFIX
# One word of a person's name: letters, apostrophes (any sign), dots and hyphens.
_NAME_WORD = re.compile(r"[\w'" + re.escape(APOSTROPHES) + r".-]+")

# Name particles of Arabic (and Hebrew) names: a cue for a person.
# A hyphenated al-/el-… particle (al-Sadr) or Abu/Abou/ben/bin/ibn before a capitalised
# word. Spanish "El Segundo" (no hyphen) is no cue.
_PARTICLE_RE = re.compile(r"(?:^|\s)(?:[Aa]l|[Ee]l|[Aa]d|[Ee]d|[Aa]sh|[Aa]s|[Aa]n|[Aa]r|[Aa]t|"
                          r"[Aa]z)-[A-Z]|(?:^|\s)(?:Abu|Abou|Ibn|ibn|Bin|bin|Ben|ben|Abd|Oum|"
                          r"Umm|Bint)\s+[A-Z]")

# Words that make a name an organisation (folded, lowercase).
_ORG_CUES = {
    "hezbollah", "hamas", "brigades", "brigade", "kataib", "kataeb", "front", "parti",
    "partis", "mouvement", "armee", "organisation", "organization", "agence", "ministere",
    "conseil", "comite", "union", "association", "federation", "banque", "bank", "groupe",
    "corps", "gardiens", "forces", "milice", "milices", "hachd", "universite", "institut",
    "fondation", "commission", "news", "post", "times", "press", "presse", "journal",
    "tribune", "assemblee", "senat", "parlement", "tribunal", "cour", "societe", "compagnie",
    "entreprise", "club", "fc", "ligue", "syndicat", "alliance", "coalition", "daech",
    "daesh", "talibans", "taliban", "al-qaida", "al-qaeda", "etat-major", "police",
    "gendarmerie", "ecole", "lycee", "college", "hopital", "radio", "television", "tv",
    "inc", "sa", "sas", "ltd", "group", "party", "council", "agency", "university",
    "committee", "ministry", "department", "service", "services", "office", "airlines",
    "airways", "motors", "unies", "nations", "otan", "onu", "ue",
}

# Heads that make a name an organisation even in lowercase ("université du Minnesota").
_ORG_HEADS = {"ministere", "universite", "agence", "syndicat", "federation", "association",
              "fondation", "banque", "parti", "institut"}

# Capitals and countries that the model turns into people by metonymy ("Washington a
# menacé…"). General geography, not the sample articles' list.
_PLACES = {
    "washington", "paris", "londres", "moscou", "pekin", "berlin", "bagdad", "teheran",
    "damas", "beyrouth", "jerusalem", "tel-aviv", "kaboul", "ankara", "istanbul", "riyad",
    "le caire", "caire", "tokyo", "rome", "madrid", "bruxelles", "kiev", "kyiv", "ottawa",
    "varsovie", "geneve", "vienne", "athenes", "lisbonne", "amman", "doha", "dubai",
    "abou dhabi", "abu dhabi", "sanaa", "tripoli", "tunis", "alger", "rabat", "dakar",
    "bamako", "niamey", "abidjan", "kinshasa", "nairobi", "pretoria", "brasilia",
    "buenos aires", "mexico", "la havane", "caracas", "bogota", "lima", "santiago",
    "new york", "new delhi", "delhi", "islamabad", "seoul", "pyongyang", "hanoi", "bangkok",
    "manille", "jakarta", "canberra", "sydney", "pretoria", "minsk", "bucarest", "budapest",
    "prague", "stockholm", "oslo", "copenhague", "helsinki", "dublin", "amsterdam",
    "la haye", "luxembourg", "berne", "strasbourg", "bruxelles", "gaza", "ramallah",
    "mossoul", "bassora", "erbil", "kirkouk", "alep", "idleb", "homs", "kandahar",
    "france", "iran", "irak", "syrie", "liban", "israel", "palestine", "russie", "chine",
    "etats-unis", "allemagne", "italie", "espagne", "royaume-uni", "angleterre",
    "turquie", "egypte", "arabie saoudite", "jordanie", "yemen", "qatar", "koweit",
    "afghanistan", "pakistan", "inde", "japon", "coree", "ukraine", "pologne", "belgique",
    "suisse", "canada", "mexique", "bresil", "argentine", "algerie", "maroc", "tunisie",
    "libye", "mali", "niger", "senegal", "nigeria", "europe", "afrique", "asie",
    "amerique", "moyen-orient", "proche-orient", "occident", "grece", "portugal",
    "pays-bas", "autriche", "hongrie", "roumanie", "suede", "norvege", "danemark",
    "finlande", "irlande", "ecosse", "venezuela", "colombie", "cuba", "chili", "perou",
    "philippines", "grece", "argentine", "suisse", "bolivie", "equateur", "guinee",
}

# Frequent first names across the languages of world news: a person cue for spans the
# model labels MISC/ORG/LOC (also the merge guard's list, see names.py).
_FIRST_NAMES = load_lexicon("first_names")
# Values that are no actor of their kind, whatever the model says (lexicons/*.txt):
# demonyms and nationality adjectives (Français, Parisienne), compass points, units,
# generic nouns; roles begin a value that is an office, not its holder.
_DEMONYMS = load_lexicon("demonyms")
_COMPASS = load_lexicon("compass")
_UNITS = load_lexicon("units")
_GENERIC = load_lexicon("generic")
_ROLES = load_lexicon("roles")
# News outlets and platforms: always organisations, under one name (Franceinfo / France Info).
_MEDIA = load_table("media")
_EVENTS = load_lexicon("events")
_PLACE_ACRONYMS = load_lexicon("place_acronyms")
_EVENT_HEADS = tuple(e[len("head: "):] + " " for e in _EVENTS if e.startswith("head: "))
# Makers followed by a product's name (Bugatti Chiron): the maker is the actor; and the
# words after a maker that name the firm itself (McLaren Automotive).
_MAKERS = load_table("makers")
_MAKER_WORDS = max(len(k.split()) for k in _MAKERS)
_MAKER_FIRST = {k.split()[0] for k in _MAKERS}
_MAKER_LAST = {k.split()[-1] for k in _MAKERS}
_CORPORATE = load_lexicon("corporate")
# A maker's name after these is a team's ("l'équipe réserve du Lada Togliatti").
_TEAM_BEFORE_RE = re.compile(r"\b(?:[ée]quipes?|clubs?|[ée]curies?)\b[^.;:!?,]{0,20}$", re.I)
# An acronym after these names a norm or a test, no organisation ("cycle WLTP").
_STANDARD_BEFORE_RE = re.compile(r"\b(?:cycles?|normes?|protocoles?|standards?|homologations?|"
                                 r"certifications?|labels?|proc[ée]dures?)\s+$", re.I)
_PORTFOLIO_BEFORE_RE = re.compile(r"\bminist(?:re|res|[èe]re|[èe]res)(?:\s+[a-zé]+)?\s+(?:de\s+la|des|du|de|"
                                  r"de\s+l'|[àa]\s+la|aux|au)\s*$", re.I)
# Titles of sovereigns and popes: "le prince Harry", "le pape François" name one person
# by a first name, which alone names nobody in particular; the title stays in the name.
_REGNAL = {"pape", "prince", "princesse", "roi", "reine", "duc", "duchesse", "empereur",
           "imperatrice", "tsar", "tsarine", "infant", "infante", "archiduc", "archiduchesse",
           "grand-duc", "grande-duchesse", "emir", "sultan"}
# "Charles (prénom modifié)": a person the article keeps anonymous.
_ANONYMISED_RE = re.compile(r"\s*\((?:les?\s+)?pr[ée]noms?\s+(?:(?:a|ont)\s+[ée]t[ée]\s+)?"
                            r"(?:modifi|chang)", re.I)
_ROMAN_RE = re.compile(r"[IVX]+")
_AND_RE = re.compile(r"\s+et\s+")
# "le quartier des Grésilles", "la ville de Woking": what follows is a place.
_PLACE_BEFORE_RE = re.compile(
    r"\b(?:quartiers?|villes?|villages?|communes?|r[ée]gions?|provinces?|banlieue|localit[ée]|"
    r"march[ée]|district|comt[ée]|canton|d[ée]partement|faubourg|cit[ée]|hameau|[îi]le|"
    r"vall[ée]e|port|a[ée]roport|agglom[ée]ration|municipalit[ée]|arrondissement)"
    r"(?:\s+[\w-]+){0,3}\s+(?:de|des|du|d')\s?$", re.I)


_TOKEN_RE = re.compile(r"\S+")
_OPEN_QUOTES = "«\"“„"
# Where a span runs past its name: a blank line (a title's end and the body's start),
# dashes, quotes, brackets, commas, a sentence end (also the glued ".Le" of scraped
# paragraphs) but not the dot of "M." or "Dr.".
_CUT_RE = re.compile(r"\n\s*\n|\s[–—-]\s|[«»\"“”„()\[\];:|]|,\s|\.-|(?<=[a-zé])\.(?=\d)|"
                     r"(?<!\b[A-Z])(?<!Dr)(?<!Mr)(?<!Pr)(?<!St)(?<!Mme)(?<!Mgr)"
                     r"[.!?](?=\s*[A-ZÀ-Ý])")
_SPACE_RE = re.compile(r"\s+")
_PLURAL_BEFORE_RE = re.compile(r"\b(?:les|des|aux|ces) $", re.I)
_DEMONYM_RE = re.compile(r"(?:ains|aines|iens|iennes|éens|éennes|ites)$")


def _fold(s: str) -> str:
    return fold(s).lower()


def _stop_words() -> frozenset[str]:
    global _STOP
    if _STOP is None:
        from spacy.lang.fr.stop_words import STOP_WORDS  # cheap module, no model

        _STOP = frozenset(_fold(w) for w in STOP_WORDS) | frozenset(_FUNCTION_WORDS)
    return _STOP


_STOP: frozenset[str] | None = None


# --------------------------------------------------------------------------- rule layer

class _Cand:
    """A mutable candidate span while the rules work on it."""

    __slots__ = ("start", "end", "label", "kind", "canonical")

    def __init__(self, start: int, end: int, label: str) -> None:
        self.start, self.end, self.label = start, end, label
        self.kind: ActorKind | None = _LABELS.get(label)
        self.canonical = ""


def _tokens(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(start + m.start(), start + m.end()) for m in _TOKEN_RE.finditer(text[start:end])]


# Scraped paragraphs lose their breaks: a subtitle or a word runs into the next sentence's
# first word ("la mairie du HavreMais les…", "GARDE À VUEDans sa course", "l'instaurateur du
# RMIMichel Rocard"). The glue point: a lowercase letter, or a run of two capitals or more,
# right before a capitalised word (CamelCase names such as YouTube or McDonald glue no
# stop word, nor a first name after an acronym).
_GLUE_RE = re.compile(r"(?<=[a-zà-ÿ])(?=[A-ZÀ-Ý][a-zà-ÿ]+\b)|(?<=[A-ZÀ-Ý]{2})(?=[A-ZÀ-Ý][a-zà-ÿ]+\b)")


_ENGLISH_STOPS = {"the", "of", "and", "to", "in", "on", "at", "by", "for", "a", "an", "is", "it"}


def _unglue(norm: str, c: _Cand) -> None:
    """Cut ``c`` at a glue point inside one of its words (see ``_GLUE_RE``) when the word
    after it is a stop word (the next sentence: keep what comes before) or a first name
    after an acronym (a name begins there: keep what comes after)."""
    for m in _GLUE_RE.finditer(norm, c.start, c.end):
        tail = re.match(r"[\w-]+", norm[m.start():c.end])
        head = re.search(r"[\w-]+$", norm[c.start:m.start()])
        if not tail or not head:
            continue
        word = _fold(tail.group(0))
        if _ROMAN_RE.fullmatch(head.group(0)):
            continue  # XIVe, IIIe: an ordinal
        if (word in _stop_words() and word not in _ENGLISH_STOPS
                and re.match(r"\s+[a-zà-ÿ\d]", norm[m.start() + len(tail.group(0)):])):
            c.end = m.start()
            return
        if head.group(0).isupper() and word in _FIRST_NAMES:
            c.start = m.start()
            return


def _trim(norm: str, c: _Cand) -> bool:
    """Shrink ``c`` to its name: cut at punctuation, drop articles/elisions. False: junk."""
    _unglue(norm, c)
    seg = norm[c.start:c.end]
    m = _CUT_RE.search(seg)
    if m:
        # Keep the first piece that has a capital in it ("Qods du pays – Téhéran").
        if any(ch.isupper() for ch in seg[: m.start()]):
            c.end = c.start + m.start()
        elif m.group(0).startswith("\n"):
            return False  # "…de la métropole\nChangement de…": a subtitle's first words
        else:
            c.start = c.start + m.end()
    # Strip punctuation and spaces at both ends.
    while c.start < c.end and not norm[c.start].isalnum():
        c.start += 1
    while c.end > c.start and not (norm[c.end - 1].isalnum() or norm[c.end - 1] == "."
                                   and c.end - c.start <= 4):
        c.end -= 1
    toks = _tokens(norm, c.start, c.end)
    # Trailing elided fragments ("Téhéran n'") and dangling function words.
    while toks and (norm[toks[-1][1] - 1] == "'" or _fold(norm[toks[-1][0]:toks[-1][1]])
                    in _ARTICLES or norm[toks[-1][0]:toks[-1][1]] in _ELIDED):
        toks.pop()
    # Leading lowercase articles/prepositions ("la Zone", "en Irak") and elisions ("l'AFP").
    while toks:
        s, e = toks[0]
        word = norm[s:e]
        # "En France" opening a sentence: a place never starts with a preposition.
        if (word in _ARTICLES or c.label == "LOC" and word in ("En", "Au", "Aux")) and len(toks) > 1:
            toks.pop(0)
            continue
        m2 = _ELISION_RE.match(word)
        if m2 and (word[0].islower() or word[:2].lower() != "d'"):
            toks[0] = (s + m2.end(), e)
            if toks[0][0] >= e:
                toks.pop(0)
            continue
        break
    # MISC spans often begin with a common noun ("assassinat de Soleimani"): keep the name.
    # So do PER spans that take in a title ("président Biden", "ayatollah Ali Khamenei");
    # a lowercase particle glued to a name ("al-Sadr") is part of the name.
    if c.label in ("MISC", "PER"):
        while toks and not norm[toks[0][0]].isupper() and not _GLUED_PARTICLE_RE.match(
                norm, toks[0][0]):
            toks.pop(0)
    if not toks:
        return False
    c.start, c.end = toks[0][0], toks[-1][1]
    return True


def _words(s: str) -> list[str]:
    return [w for w in re.split(r"[\s]+", s) if w]


def _is_junk(norm: str, c: _Cand, quote_only: set[str]) -> bool:
    text = norm[c.start:c.end]
    words = _words(text)
    folded = [_fold(w).strip(".,'") for w in words]
    letters = sum(ch.isalpha() for ch in text)
    if letters <= 1:
        return True
    if not text[0].isupper() and not text[0].isdigit():
        # Lowercase-initial single words ("pro-Iran") are never names; longer lowercase
        # heads ("aéroport de Bagdad") are kept when the model says place/org.
        if len(words) == 1 or c.label in ("MISC", "PER"):
            return True
    stop = _stop_words()
    if all(f in stop or f in _WEEKDAYS_MONTHS or f in _TITLES or not any(ch.isalpha()
           for ch in f) for f in folded):
        return True
    if folded[0] in _GENERIC_HEADS and all(not w[0].isupper() for w in words[1:]):
        return True
    if len(words) == 1 and folded[0] in _WEEKDAYS_MONTHS:
        return True
    if len(words) == 1 and folded[0] in quote_only and folded[0] not in _PLACES:
        return True
    # "ministre des Armées", "ministère de la Solidarité" cut by the model: the portfolio.
    if (len(words) == 1 and folded[0] not in _PLACES
            and _PORTFOLIO_BEFORE_RE.search(norm[max(0, c.start - 30):c.start])):
        return True
    if len(words) == 1 and folded[0] not in _PLACES and _common_word(norm, c.start, c.end):
        return True
    # "cycle WLTP", "normes ISO": an acronym after these is a norm or a test.
    if _acronym(text) and _STANDARD_BEFORE_RE.search(norm[max(0, c.start - 20):c.start]):
        return True
    return False


def _common_word(norm: str, start: int, end: int) -> bool:
    """A capitalised word that opens a sentence or a subtitle ("…texte.Manifestations")
    and that the article also writes in lowercase mid-sentence: a common noun."""
    word = norm[start:end]
    if not word[:1].isupper() or word.isupper() or not _SENTENCE_START_RE.search(norm[max(0, start - 3):start]):
        return False
    lower = word[0].lower() + word[1:]
    return re.search(r"(?<=[a-zà-ÿ,] )" + re.escape(lower) + r"(?!\w)", norm) is not None


_SENTENCE_START_RE = re.compile(r"(?:^|[.!?]\s*|\n\s*)$")


def _acronym(text: str) -> bool:
    return 2 <= len(text) <= 6 and text.isalnum() and text.isupper()


def _person_shape(words: list[str]) -> bool:
    """Two to four capitalised name-like words (particles and hyphens allowed)."""
    core = [w for w in words if not re.fullmatch(r"(?:al|el|ad|ed|ash|as|ibn|bin|ben|de|du|"
                                                 r"van|von|der|da|di|la|le)", w, re.I)]
    if not 2 <= len(core) <= 4:
        return False
    if any(_fold(w) in _COMPASS or _fold(w) in _PLACES for w in core[1:]):
        return False  # Caroline du Nord, Marie-Galante de Guadeloupe: places
    for w in core:
        w2 = re.sub(r"^(?:al|el|ad|ash|as|an|ar|at|az)-", "", w, flags=re.I)
        if not (w2[:1].isupper() and _NAME_WORD.fullmatch(w2) and not w2.isupper()
                and not any(ch.isdigit() for ch in w2)):
            return False
    return True


def _relabel(norm: str, c: _Cand) -> None:
    text = norm[c.start:c.end]
    words = _words(text)
    folded_words = [_fold(w) for w in words]
    folded = _fold(text)
    # Only capitalised cue words count: "aéroport international de Bagdad" stays a place.
    caps = [f for w, f in zip(words, folded_words) if w[:1].isupper()]
    parts = set(caps) | {p for w in caps for p in w.split("-")}
    has_org_cue = bool(parts & _ORG_CUES)
    if folded in _PLACES:
        # Capital or country: metonymy ("Washington a menacé") is still the place.
        c.kind = "place"
        return
    if folded_words[0] in _ORG_HEADS and len(words) > 1:
        c.kind = "org"  # "ministère du Commerce", "université du Minnesota", even lowercase
        return
    if has_org_cue and c.label in ("PER", "LOC", "MISC") and len(words) >= 1:
        if c.label != "LOC" or len(words) > 1 or folded_words[0] in _ORG_CUES:
            c.kind = "org"
            return
    if _PARTICLE_RE.search(" " + text) and len(words) >= 2 and not has_org_cue:
        c.kind = "person"
        return
    # Capitalised words alone are no person cue (MISC is full of titles of works, teams,
    # events: "Magic Mike", "Coupe Stanley"); a known first name in front is.
    if c.label in ("MISC", "ORG", "LOC") and len(words) >= 2 and _person_shape(words):
        if folded_words[0] in _FIRST_NAMES:
            c.kind = "person"
            return
    if c.label == "MISC" and len(words) == 1 and folded in _PLACES:
        c.kind = "place"
    if c.kind == "person" and _not_a_person(words):
        c.kind = "org"
    if (c.kind == "place" and len(words) == 1 and 2 <= len(text) <= 3 and text.isupper()
            and folded not in _PLACES and folded not in _PLACE_ACRONYMS):
        c.kind = "org"  # "le RN", "la CGT": acronyms are parties and unions, not places
    if c.kind == "person" and len(words) == 1 and _PLACE_BEFORE_RE.search(norm[max(0, c.start - 50):c.start]):
        c.kind = "place"
    if (c.kind != "person" and c.label != "PER" and not has_org_cue and _person_shape(words)
            and folded_words[0] not in _STREETS and _holds_role(norm, c)):
        c.kind = "person"


# Words that begin the name of a street or a site, never a person's ("Rue du Pré-Botté").
_STREETS = {"rue", "avenue", "boulevard", "place", "quai", "allee", "chemin", "route", "impasse",
            "square", "cours", "pont", "port", "gare", "parc", "mont", "lac", "cap", "ile", "bois",
            "foret", "chateau", "palais", "hotel", "stade", "musee", "eglise", "cathedrale"}
# "le directeur général de l'OMS, Tedros Adhanom Ghebreyesus" / "X, directeur de l'OMS":
# a name in apposition to a role is its holder. Not a name right after "de" ("le patron
# d'Aston Martin"): that one is the organisation.
_ROLE_BEFORE_RE = re.compile(r"\b(\w[\w-]*)\b[^.;:!?«»\"]{0,70}?,\s+$")
_ROLE_AFTER_RE = re.compile(r",\s+(?:l'|le |la |l'ancien |l'ancienne |ancien |ancienne |"
                            r"actuel |actuelle |nouveau |nouvelle )?(\w[\w-]*)\b")


def _holds_role(norm: str, c: _Cand) -> bool:
    """Whether ``c`` stands in apposition to a role: "<role> de l'OMS, <c>" or "<c>,
    <role> de l'OMS"."""
    before = norm[max(0, c.start - 80):c.start]
    m = _ROLE_BEFORE_RE.search(before)
    if m and any(_fold(w) in _ROLES for w in _words(before[m.start():])):
        return True
    after = _ROLE_AFTER_RE.match(norm, c.end)
    return bool(after and _fold(after.group(1)) in _ROLES)


def _strip_person(text: str) -> str:
    """Drop titles, honorifics and articles at the front of a person's name."""
    words = _words(text)
    while len(words) > 1:
        w = words[0]
        f = _fold(w)
        m = _ELISION_RE.match(w)
        if m and _fold(w[m.end():]) in _TITLES:
            words.pop(0)
            continue
        # A capitalised article before the last word is the surname's own (Le Pen,
        # La Fontaine, De Gaulle), not an article to drop ("Pen").
        if f in ("le", "la", "de", "du") and w[0].isupper() and len(words) == 2:
            break
        if f in _TITLES or f.rstrip(".") in _TITLES or f in _ARTICLES:
            words.pop(0)
            continue
        # Nationality adjectives after a title ("le président américain Donald Trump").
        if not w[0].isupper() and len(words) > 2 and words[1][0].isupper():
            words.pop(0)
            continue
        break
    return " ".join(words)


# Civilities that precede a name but are no part of it: the span starts after them
# ("M. Morel" -> "Morel", as the NER suites annotate it). "Madame de Pompadour" and
# "Dr. Dre" keep theirs, and other titles stay in the span (the value drops them).
_CIVILITIES = {"m", "m.", "mm", "mm.", "mme", "mme.", "mmes", "mlle", "mlles", "monsieur",
               "messieurs", "madame", "mesdames", "mademoiselle"}


def _span_after_civility(norm: str, c: _Cand, stripped: int) -> None:
    """Move ``c.start`` past the leading civility ``_strip_person`` dropped (at most
    ``stripped`` words)."""
    toks = _tokens(norm, c.start, c.end)
    i = 0
    while i < min(stripped, len(toks) - 1) and _fold(norm[toks[i][0]:toks[i][1]]) in _CIVILITIES:
        i += 1
    if i and not norm[toks[i][0]].islower():
        c.start = toks[i][0]


def _surname_key(name: str) -> str:
    last = _words(name)[-1]
    return _fold(re.sub(r"^(?:al|el|ad|ash|as|an|ar|at|az)-", "", last, flags=re.I))


def _canonicalise(norm: str, cands: list[_Cand]) -> None:
    for c in cands:
        text = _SPACE_RE.sub(" ", norm[c.start:c.end]).strip()
        if c.kind == "person":
            stripped = _strip_person(text)
            _span_after_civility(norm, c, len(_words(text)) - len(_words(stripped)))
            text = stripped
        elif c.kind == "place" or (c.kind == "org" and any(w[:1].islower()
                                                            for w in _words(text)[1:])):
            # "La France", "Le Parlement irakien" lose the article; "Le Figaro" keeps it.
            ws = _words(text)
            if len(ws) > 1 and _fold(ws[0]) in {"le", "la", "les"}:
                text = " ".join(ws[1:])
            m = _ELISION_RE.match(text)
            if m and len(text) > m.end() + 1:
                text = text[m.end():]
        c.canonical = text
    # Full names of people in this article, by surname (and by any name-suffix).
    full: dict[str, Counter[str]] = {}
    for c in cands:
        if c.kind == "person" and len(_words(c.canonical)) >= 2:
            full.setdefault(_surname_key(c.canonical), Counter())[c.canonical] += 1
    for c in cands:
        ws = _words(c.canonical)
        if len(ws) == 1 and c.kind in ("person", "place", "org", None):
            key = _surname_key(c.canonical)
            if key in full and _fold(c.canonical) not in _PLACES:
                names = full[key]
                # Two full names with this surname (Joe / Hunter Biden): leave it bare.
                if len(names) == 1:
                    c.canonical = next(iter(names))
                    c.kind = "person"
        elif c.kind == "person" and len(ws) >= 2:
            # "Mahdi al-Muhandis" -> "Abu Mahdi al-Muhandis" when that is the one longer name.
            key = _surname_key(c.canonical)
            longer = [n for n in full.get(key, ()) if len(n) > len(c.canonical)
                      and _fold(n).endswith(" " + _fold(c.canonical))]
            if len(longer) == 1:
                c.canonical = longer[0]


def _first_names(norm: str, cands: list[_Cand]) -> None:
    """A person named by one word that the article does not resolve otherwise: after a
    sovereign's title the title stays ("pape François", "prince Harry"); a first name
    before "et" and a full name shares its surname ("François et Penelope Fillon"), or
    is the one full name of the article that starts with it ("Meghan" / "Meghan
    Markle"); one marked "(prénom modifié)" is kept anonymous, so no actor."""
    by_first: dict[str, set[str]] = {}
    starts = {c.start: c for c in cands if c.kind == "person"}
    for c in cands:
        ws = _words(c.canonical)
        if c.kind == "person" and len(ws) >= 2:
            by_first.setdefault(_fold(ws[0]), set()).add(c.canonical)
    for c in cands:
        ws = _words(c.canonical)
        if c.kind != "person" or not ws or len(ws) > 2 or (len(ws) == 2 and not _ROMAN_RE.fullmatch(ws[1])):
            continue
        title = _regnal_title(norm, c) if c.canonical[:1].isupper() else None
        if title:
            c.canonical = f"{title} {c.canonical}"
            continue
        if len(ws) != 1 or _fold(ws[0]) not in _FIRST_NAMES:
            continue
        if _ANONYMISED_RE.match(norm, c.end):
            c.canonical = ""
            continue
        m = _AND_RE.match(norm, c.end)
        other = starts.get(m.end()) if m else None
        if other is not None and len(_words(other.canonical)) >= 2:
            c.canonical = " ".join([ws[0], *_words(other.canonical)[1:]])
        elif len(by_first.get(_fold(ws[0]), ())) == 1:
            c.canonical = next(iter(by_first[_fold(ws[0])]))


def _regnal_title(norm: str, c: _Cand) -> str | None:
    """The sovereign's title at the start of ``c`` or right before it, lowercase."""
    first = _words(norm[c.start:c.end])[:1]
    before = re.search(r"(\S+)\s+$", norm[max(0, c.start - 25):c.start])
    for word in (*first, before.group(1) if before else ""):
        if _fold(word) in _REGNAL:
            return word.lower()
    return None


def _maker(norm: str, c: _Cand, products: set[str]) -> bool:
    """A product named with its maker ("Peugeot 208", "Bugatti Chiron Pur Sport", or
    "Chiron" right after "Bugatti"): True when ``c`` is settled here. The product's name
    goes to ``products`` (alone elsewhere in the article it is no actor); a span the
    model calls an organisation or a place becomes a mention of the maker, any other
    (MISC, or a lone product after its maker) is dropped. Left alone: a maker's own firm
    or division (McLaren Automotive), a person after a maker ("Ferrari Charles
    Leclerc"), and a span the model calls a person (Suzuki Shōsan, a samurai)."""
    toks = _tokens(norm, c.start, c.end)
    before = _tokens(norm, max(0, c.start - 30), c.start)
    # Cheap test first: most spans neither start with nor follow a maker's word.
    if not toks or (_fold(norm[toks[0][0]:toks[0][1]]) not in _MAKER_FIRST and not (
            before and _fold(norm[before[-1][0]:before[-1][1]]) in _MAKER_LAST)):
        return False
    folded = [_fold(norm[s:e]) for s, e in toks]
    if (c.label == "PER" and len(toks) > 1) or _TEAM_BEFORE_RE.search(norm[max(0, c.start - 40):c.start]):
        return False
    for n in range(min(_MAKER_WORDS, len(toks) - 1), 0, -1):
        maker = _MAKERS.get(" ".join(folded[:n]))
        if maker is not None and _product_words(folded[n:]):
            products.update({" ".join(folded[n:]), folded[n]})
            c.end, c.canonical = toks[n - 1][1], maker
            c.kind = "org" if c.label in ("ORG", "LOC") else None
            return True
    if not before or before[-1][1] != c.start - 1 or not _product_words(folded):
        return False
    for n in range(min(_MAKER_WORDS, len(before)), 0, -1):
        words = [norm[s:e] for s, e in before[-n:]]
        if _MAKERS.get(" ".join(_fold(w) for w in words)) is not None and words[0][:1].isupper():
            products.update({" ".join(folded), folded[0]})
            c.kind = None
            return True
    return False


def _product_words(folded: list[str]) -> bool:
    """Words after a maker's name that may name a product: not the firm's own words
    (Automotive, Racing), an organisation cue, a place or a person's first name."""
    return bool(folded) and not (folded[0] in _CORPORATE or folded[0] in _ORG_CUES
                                 or folded[0] in _FIRST_NAMES or folded[0] in _PLACES)


def _quote_only_words(norm: str, ents: list[tuple[int, int, str]]) -> set[str]:
    """Single capitalised words the model tagged only right after an opening quote.

    In French news, quoted fragments start with a capital (« Réduire les risques »); a
    word seen as an entity only there is a common word, not a name.
    """
    seen_quoted: set[str] = set()
    seen_free: set[str] = set()
    for s, e, _ in ents:
        seg = norm[s:e].strip()
        if " " in seg:
            continue
        j = s - 1
        while j >= 0 and norm[j] == " ":
            j -= 1
        (seen_quoted if j >= 0 and norm[j] in _OPEN_QUOTES else seen_free).add(_fold(seg))
    return seen_quoted - seen_free


def _from_doc(text: str, norm: str, doc: Doc, view: NerView) -> list[ActorMention]:
    """Actors of ``text`` from the spaCy doc of its NER view (see nerview.py)."""
    ents = []
    for e in doc.ents:
        span = view.to_text(e.start_char, e.end_char)
        if span is not None:
            ents.append((span[0], span[1], e.label_))
    return _apply_rules(text, norm, ents)


def _demonym(word: str) -> bool:
    """A folded word (or hyphenated compound, franco-allemande) that is a demonym in
    any gender and number."""
    if word in _PLACES:
        return False  # Suisse, Argentine, Grèce: a country spelt like a demonym
    parts = word.split("-")
    # Franco-algérien, sino-américaine: combining forms in -o, then a demonym; not
    # Colombie-Britannique or Australie-Occidentale.
    compound = len(parts) > 1 and all(p.endswith("o") for p in parts[:-1])
    for w in (word, parts[-1]) if compound else (word,):
        for suffix, repl in (("", ""), ("s", ""), ("e", ""), ("es", ""), ("ne", ""), ("nes", ""),
                             ("que", "c"), ("ques", "c")):
            if w.endswith(suffix) and (w[: len(w) - len(suffix)] + repl) in _DEMONYMS:
                return True
    return False


def _media(norm: str, c: _Cand) -> bool:
    """A news outlet ("Le Parisien", "selon le Monde", "BFM TV"): kind org, its usual name."""
    folded = _fold(_SPACE_RE.sub(" ", norm[c.start:c.end]))
    before = _fold(norm[max(0, c.start - 4):c.start])
    m = re.search(r"\b(le|la|les|l')\s?$", before)
    name = _MEDIA.get(f"{m.group(1)} {folded}".replace("' ", "'")) if m else None
    name = name or _MEDIA.get(folded) or _MEDIA.get(re.sub(r"^(?:le |la |les |l')", "", folded))
    if name is None:
        # The model cut the outlet's name before its last word ("France 2", "Radio
        # classique"): the span takes that word in.
        nxt = re.match(r" ([\w-]+)(?![,.]\d)", norm[c.end:c.end + 30])
        name = _MEDIA.get(f"{folded} {_fold(nxt.group(1))}") if nxt else None
        if name is None:
            return False
        c.end += nxt.end()
    c.kind, c.canonical = "org", name
    return True


def _role(norm: str, c: _Cand) -> bool:
    """Whether ``c`` is an office ("ministre de la Santé", "Président de la République");
    one that ends with its holder's name ("ministre de la Santé Olivier Véran") becomes
    that person."""
    toks = _tokens(norm, c.start, c.end)
    words = [norm[s:e] for s, e in toks]
    if not words or _fold(words[0]).strip(".,") not in _ROLES:
        return False
    # The holder: the capitalised words at the end, less the portfolio's own capital
    # ("de la Santé", "de la République"); two words at least, or no holder.
    i = len(words)
    while i > 1 and words[i - 1][:1].isupper():
        i -= 1
    while i < len(words) and (_fold(words[i]) in _GENERIC_HEADS or _fold(words[i]) in _GENERIC):
        i += 1
    if len(words) - i >= 2:
        c.start, c.kind, c.label = toks[i][0], "person", "PER"
        return False
    # A title right before a name ("président Biden"): the usual person rules strip it.
    return not (i == 1 and len(words) == 2)


def _portfolio_holder(norm: str, c: _Cand) -> None:
    """"(ministre de la) Justice William Barr": a portfolio glued to its holder's name is
    the holder, a person, when a first name follows the portfolio."""
    toks = _tokens(norm, c.start, c.end)
    if (len(toks) >= 3 and _fold(norm[toks[0][0]:toks[0][1]]) in _GENERIC_HEADS
            and _fold(norm[toks[1][0]:toks[1][1]]) in _FIRST_NAMES):
        c.start, c.kind, c.label = toks[1][0], "person", "PER"


def _no_actor(canonical: str, kind: ActorKind | None) -> bool:
    """A demonym, compass point, unit or generic noun standing alone. A person keeps a
    singular demonym: Breton, Picard, Normand are surnames too."""
    folded = _fold(canonical).strip(".")
    if folded in _COMPASS or folded in _UNITS or folded in _GENERIC or folded in _EVENTS:
        return True
    if (folded + " ").startswith(_EVENT_HEADS) and kind != "person":
        return True
    return " " not in folded and _demonym(folded) and (kind != "person" or folded.endswith("s"))


# Lowercase words that belong in a person's name (Marine le Pen, Mohammed ben Salmane).
_NAME_PARTICLES = {"de", "du", "des", "la", "le", "les", "van", "von", "der", "den", "da", "di",
                   "do", "dos", "das", "del", "della", "y", "e", "al", "el", "ben", "bin", "ibn",
                   "bint", "ould", "ag", "zu", "ter", "ten", "abu", "abou", "d", "l", "no", "dit"}


def _not_a_person(words: list[str]) -> bool:
    """A lowercase word that is no name particle ("Santé publique France"): no person,
    unless it begins with a first name or a title (OCR'd text garbles surnames: "Arthur
    lrouillaz" is still a person)."""
    first = _fold(words[0]).rstrip(".")
    if first in _FIRST_NAMES or first in _TITLES:
        return False
    for w in words[1:]:
        if w[:1].islower() and not (_fold(w).rstrip("'") in _NAME_PARTICLES or _ELISION_RE.match(w)
                                    or _GLUED_PARTICLE_RE.match(w) or "-" in w[:4]):
            return True
    return False


def _apply_rules(text: str, norm: str, ents: list[tuple[int, int, str]]) -> list[ActorMention]:
    quote_only = _quote_only_words(norm, ents)
    cands: list[_Cand] = []
    media: list[_Cand] = []  # outlets and makers: named already, no rule applies
    products: set[str] = set()  # folded names of the products named with their maker
    for s, e, label in ents:
        c = _Cand(s, e, label)
        # Roles first: trimming drops the lowercase "ministre" of a PER span.
        if _role(norm, c) or not _trim(norm, c):
            continue
        _portfolio_holder(norm, c)
        if _media(norm, c) or _maker(norm, c, products):
            media.append(c)
            continue
        if _is_junk(norm, c, quote_only):
            continue
        _relabel(norm, c)
        cands.append(c)
    _canonicalise(norm, cands)
    _first_names(norm, cands)
    cands = [c for c in cands if not _no_actor(c.canonical, c.kind)
             and _fold(c.canonical) not in products] + media
    cands.sort(key=lambda c: c.start)
    out: list[ActorMention] = []
    for c in cands:
        if c.kind is None or not c.canonical:
            continue
        if (c.kind == "place" and len(_words(c.canonical)) == 1
                and _DEMONYM_RE.search(c.canonical) and _PLURAL_BEFORE_RE.search(
                    norm[max(0, c.start - 5):c.start]) and _fold(c.canonical) not in _PLACES):
            continue  # "les Américains" are people, not a place (but "à Amiens" is)
        out.append(ActorMention(text=text[c.start:c.end], start=c.start, end=c.end,
                                kind=c.kind, canonical=c.canonical))
    return out


# --------------------------------------------------------------------------- gazetteer

Aliases = tuple[tuple[str, tuple[str, ...]], ...]


def freeze_aliases(aliases: Any) -> Aliases:
    """config.yaml's ``aliases`` (shown name -> other names) as a hashable, picklable value."""
    if not aliases:
        return ()
    return tuple(sorted((str(k), tuple(str(v) for v in (vs or ()))) for k, vs in dict(aliases).items()))


def _fold_chars(text: str) -> str:
    """``text`` lowercased and without accents, one character for one: offsets stay valid."""
    return fold_chars(text)


_ALIAS_SPLIT = re.compile(r"[\s\-]+")


class Gazetteer:
    """Every name and alias of config.yaml's ``aliases``, found in text case- and
    accent-insensitively on word boundaries, as a mention of the actor shown under the
    alias key: "les brigades du Hezbollah" counts for Kataib Hezbollah even where the
    model saw no entity, or only "Hezbollah"."""

    def __init__(self, aliases: Aliases) -> None:
        # Folded words of each name, joined by one space -> the name shown.
        self.shown: dict[str, str] = {}
        for key, others in aliases:
            for name in (key, *others):
                words = _ALIAS_SPLIT.split(_fold_chars(normalize_text(name)).strip())
                if any(words):
                    self.shown.setdefault(" ".join(w for w in words if w), key)
        # Longest first: "brigades du hezbollah" before a shorter alias inside it.
        # Spaces and hyphens are interchangeable (Al-Qaïda, Al Qaïda).
        parts = [r"[\s\-]+".join(re.escape(w) for w in name.split())
                 for name in sorted(self.shown, key=len, reverse=True)]
        self.pattern = re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)") if parts else None

    def find(self, norm: str) -> list[tuple[int, int, str]]:
        """(start, end, shown name) of every match in the normalised text."""
        if self.pattern is None:
            return []
        out = []
        for m in self.pattern.finditer(_fold_chars(norm)):
            shown = self.shown.get(" ".join(w for w in _ALIAS_SPLIT.split(m.group(0)) if w))
            if shown:
                out.append((m.start(), m.end(), shown))
        return out


@functools.lru_cache(maxsize=8)
def _gazetteer(aliases: Aliases) -> Gazetteer:
    return Gazetteer(aliases)


def _add_aliases(text: str, norm: str, found: list[ActorMention], aliases: Aliases) -> list[ActorMention]:
    """``found`` with every alias match added as a mention of its actor. A model entity
    inside a match gives way to it ("Hezbollah" in "brigades du Hezbollah"); one that
    holds the match whole and more is kept ("Joe Biden" over an alias "Biden")."""
    matches = _gazetteer(aliases).find(norm)
    if not matches:
        return found
    out = list(found)
    for start, end, shown in matches:
        overlapping = [m for m in out if m.start < end and start < m.end]
        if any(m.start <= start and end <= m.end and (m.end - m.start) > (end - start)
               for m in overlapping):
            continue
        kinds = [m.kind for m in overlapping] or [m.kind for m in found if m.canonical == shown]
        kind = kinds[0] if kinds else _guess_kind(norm, start, end)
        out = [m for m in out if m not in overlapping]
        out.append(ActorMention(text=text[start:end], start=start, end=end, kind=kind, canonical=shown))
    return sorted(out, key=lambda m: m.start)


def _guess_kind(norm: str, start: int, end: int) -> ActorKind:
    """The kind of a match the model did not see: the rule layer's cues, else org (what
    a user names in aliases without a person's shape is most often a group)."""
    c = _Cand(start, end, "MISC")
    _relabel(norm, c)
    return c.kind or "org"


# --------------------------------------------------------------------------- public API

def extract_actors(text: str, *, model: str | None = None, aliases: Any = None) -> list[ActorMention]:
    """People, organisations and places mentioned in ``text``, in text order; with
    ``aliases`` (config.yaml's: shown name -> other names), every name and alias found
    in the text counts as its actor too (see ``Gazetteer``).

    >>> [(m.canonical, m.kind) for m in extract_actors("M. Biden a parlé à Bagdad.")]
    [('Biden', 'person'), ('Bagdad', 'place')]
    """
    if not text.strip():
        return []
    norm = normalize_text(text)
    view = ner_view(norm)
    found = _from_doc(text, norm, load_model(model)(view.text), view)
    return _add_aliases(text, norm, found, freeze_aliases(aliases))


def iter_actors(texts: Iterable[str], batch_size: int = 32, *, model: str | None = None,
                n_process: int = 1, aliases: Any = None) -> Iterator[list[ActorMention]]:
    """``extract_actors`` over many texts with ``nlp.pipe``: one list per text, in order."""
    frozen = freeze_aliases(aliases)
    nlp = load_model(model)
    # (original, normalised, view) per text: nlp.pipe keeps order, even with n_process > 1.
    pending: deque[tuple[str, str, NerView]] = deque()

    def views() -> Iterator[str]:
        for t in texts:
            norm = normalize_text(t)
            view = ner_view(norm)
            pending.append((t, norm, view))
            yield view.text

    for doc in nlp.pipe(views(), batch_size=batch_size, n_process=n_process):
        original, norm, view = pending.popleft()
        yield _add_aliases(original, norm, _from_doc(original, norm, doc, view), frozen)
