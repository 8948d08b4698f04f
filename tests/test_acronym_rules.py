"""Acronym definitions and the rules that merge an acronym with its long form
(searchkit/extract/acronyms.py). Cases are the systematic errors measured on OrangeSum by
bench/acronyms.py (bench/reports/acronyms.md): a town spelt like an acronym, an editor's note
in the long form, a person's hyphenated first name."""
from __future__ import annotations

from searchkit.extract.acronyms import acronym_aliases, decisions, evidence_terms, find_definitions, parse_term, source_of, term


def terms(text: str) -> list[str]:
    return [term(d) for d in find_definitions(text)]


def test_both_patterns_and_articles_in_the_long_form() -> None:
    assert terms("Selon l'Organisation mondiale de la santé (OMS), le virus circule.") == [
        "OMS=Organisation mondiale de la santé"]
    assert terms("L'OMS (Organisation mondiale de la santé) a alerté.") == ["OMS=Organisation mondiale de la santé"]
    assert terms("La France insoumise (LFI) vote contre.") == ["LFI=La France insoumise"]


def test_a_person_before_a_party_is_no_definition() -> None:
    assert terms("Marine Le Pen (RN) et Anne Hidalgo (PS) ont réagi.") == []
    # "Pierre Sueur" would spell PS: a long form never starts inside a hyphenated name
    assert terms("Le sénateur Jean-Pierre Sueur (PS) a déposé un amendement.") == []
    # ... but may start after "l'ex-"
    assert terms("Il a quitté l'ex-Front national (FN) en 2017.") == ["FN=Front national"]


def test_an_editors_note_after_a_comma_is_cut_and_quotes_dropped() -> None:
    assert terms("Selon l'ARS (Agence régionale de santé, ndlr), trois cas.") == ["ARS=Agence régionale de santé"]
    assert terms('Des slogans “all cops are bastards” (ACAB) ont été tagués.') == ["ACAB=all cops are bastards"]
    # a last word that one of the letters needs stays
    assert terms("Les géants Google, Amazon, Facebook, Apple (GAFA) sont visés.") == [
        "GAFA=Google Amazon Facebook Apple"]


def test_the_term_keeps_the_short_forms_case_and_no_double_spaces() -> None:
    assert terms("la Caisse nationale d'assurance vieillesse (Cnav) rembourse.") == [
        "Cnav=Caisse nationale d'assurance vieillesse"]
    assert terms("Le Conseil économique, social et environnemental (CESE) se réunit.") == [
        "CESE=Conseil économique social et environnemental"]


def test_a_short_form_merges_with_two_definitions() -> None:
    kinds = {"OMS": {"org": 480}, "Organisation mondiale de la santé": {"org": 370}}
    aliases, why = acronym_aliases({"OMS=Organisation mondiale de la santé": 2}, kinds)
    assert aliases == {"Organisation mondiale de la santé": ["OMS"]}
    assert why["Organisation mondiale de la santé"].short == "OMS"
    # one article's definition is not enough
    assert acronym_aliases({"OMS=Organisation mondiale de la santé": 1}, kinds) == ({}, {})


def test_a_town_spelt_like_the_acronym_is_not_renamed() -> None:
    # SETE is defined; "Sète", the town, carries most of the name's articles
    kinds = {"SETE": {"org": 3}, "Sète": {"place": 26}, "Sete": {"place": 1}}
    definitions = {"SETE=Société d'exploitation de la tour Eiffel": 3, "Sete=Société d'exploitation de la tour Eiffel": 1}
    assert decisions(definitions, kinds)["SETE"].refused == "written_otherwise"
    assert acronym_aliases(definitions, kinds) == ({}, {})
    # an acronym the press writes in title case merges when the definitions write it so,
    # or when it has two capitals
    kinds = {"Cnav": {"org": 10}, "CNAV": {"org": 3}}
    assert decisions({"Cnav=Caisse nationale d'assurance vieillesse": 7}, kinds)["CNAV"].refused == ""
    kinds = {"SpF": {"place": 23}, "SPF": {"org": 4}}
    assert decisions({"SPF=Santé publique France": 7}, kinds)["SPF"].refused == ""


def test_a_person_never_merges_and_config_aliases_win() -> None:
    kinds = {"RN": {"org": 400}, "Rassemblement national": {"org": 500}}
    definitions = {"RN=Rassemblement national": 75}
    assert decisions(definitions, kinds, {"Front national": ["RN"]})["RN"].refused == "configured"
    kinds = {"PS": {"person": 10, "org": 2}, "Parti socialiste": {"org": 300}}
    assert decisions({"PS=Parti socialiste": 39}, kinds)["PS"].refused == "person"


# -- copies of one story, and another meaning written in parentheses (issue 24) ---------

def test_the_index_keeps_each_definitions_sentence_and_the_other_uses() -> None:
    story = "Le Texas Medical Center (TMC) de Houston accueille des patients. Il est plein."
    copy = "Titre\n" + story  # a copy of the story: the same defining sentence
    other = "Selon le Texas Medical Center (TMC), les lits manquent."
    (a,), (b,), (c,) = (evidence_terms(t) for t in (story, copy, other))
    assert parse_term(a) == parse_term(c) == ("TMC", "Texas Medical Center")
    assert a == b and source_of(a) and source_of(a) != source_of(c)
    # a name the letters do not spell, written as French writes an organisation: evidence
    assert evidence_terms("Thomas Pesquet est à bord de la Station spatiale internationale (ISS).") == [
        "ISS~station spatiale internationale"]
    # a person, a role after a comma, one word: they say where an actor belongs
    assert evidence_terms("Fabien Roussel (PCF) et Eric Ciotti, député (LR), invités de Quotidien (TMC).") == []
    # an index made before sources were kept: its terms read as before
    assert parse_term("OMS=Organisation mondiale de la santé") == ("OMS", "Organisation mondiale de la santé")
    assert parse_term("ISS~station spatiale internationale") is None


Postings = dict[tuple[str, str], list[int]]


def collection(articles: list[tuple[list[tuple[str, str]], list[str]]]) -> tuple[dict[str, int], dict[str, dict[str, int]], Postings, dict[str, list[int]]]:
    """A constructed index: each article's actors (kind, name) and acronym terms ->
    what the engine hands ``decisions``: term counts, name kinds, actor and term postings."""
    docs: Postings = {}
    evidence: dict[str, list[int]] = {}
    for number, (actors, terms) in enumerate(articles):
        for actor in actors:
            docs.setdefault(actor, []).append(number)
        for t in terms:
            evidence.setdefault(t, []).append(number)
    kinds: dict[str, dict[str, int]] = {}
    for (kind, name), ids in docs.items():
        kinds.setdefault(name, {})[kind] = len(ids)
    return {t: len(ids) for t, ids in evidence.items()}, kinds, docs, evidence


def test_a_rare_defined_meaning_beside_a_common_other_one_does_not_merge() -> None:
    # ISS defined twice (two different sentences) as an Italian institute; eight other
    # articles write "la Station spatiale internationale (ISS)", about other things.
    italy = [("org", "ISS"), ("place", "Rome"), ("place", "Lombardie")]
    space = [("org", "ISS"), ("person", "Thomas Pesquet"), ("org", "Nasa")]
    articles = [(italy, ["ISS=Institut supérieur de la santé#0000000a"]),
                (italy, ["ISS=Institut supérieur de la santé#0000000b"])]
    articles += [(space, ["ISS~station spatiale internationale"])] * 8
    definitions, kinds, docs, evidence = collection(articles)
    d = decisions(definitions, kinds, docs=docs, evidence=evidence)["ISS"]
    assert d.refused == "other_meaning" and d.others == {"station spatiale internationale": 8}
    assert acronym_aliases(definitions, kinds, None, docs, evidence) == ({}, {})
    # A translation of the same name is about the same things: "l'agence américaine du
    # médicament (FDA)" in articles sharing actors with the definitions merges.
    related = [(italy, ["ISS~station spatiale internationale"])] * 8
    definitions, kinds, docs, evidence = collection(articles[:2] + related)
    assert decisions(definitions, kinds, docs=docs, evidence=evidence)["ISS"].refused == ""


def test_copies_of_one_story_do_not_rename_an_unrelated_common_use() -> None:
    # Two copies of one story define TMC as a Texas hospital; ten articles are about the
    # TV channel TMC.
    houston = [("org", "TMC"), ("place", "Houston"), ("person", "Peter Hotez")]
    channel = [("org", "TMC"), ("person", "Yann Barthès"), ("org", "Quotidien")]
    copies = [(houston, ["TMC=Texas Medical Center#0000000a"])] * 2
    definitions, kinds, docs, evidence = collection(copies + [(channel, [])] * 10)
    d = decisions(definitions, kinds, docs=docs, evidence=evidence)["TMC"]
    assert (d.refused, d.articles, d.sources) == ("one_story", 2, 1)
    # counted only (an OpenSearch index too large to read its postings): refused too
    assert decisions(definitions, kinds)["TMC"].refused == "one_story"
    # The same copies, but the other articles are about the same things (SDAT: one story
    # defines the anti-terrorist unit, its other articles are the same cases): merges.
    definitions, kinds, docs, evidence = collection(copies + [(houston, [])] * 10)
    assert decisions(definitions, kinds, docs=docs, evidence=evidence)["TMC"].refused == ""
    # Two independent definitions are a convention, whatever the rest.
    two = [(houston, ["TMC=Texas Medical Center#0000000a"]), (houston, ["TMC=Texas Medical Center#0000000b"])]
    definitions, kinds, docs, evidence = collection(two + [(channel, [])] * 10)
    assert decisions(definitions, kinds, docs=docs, evidence=evidence)["TMC"].refused == ""


def test_a_rarely_defined_name_with_no_other_meaning_merges() -> None:
    # AFP: defined in two articles, written in hundreds about everything, no other
    # meaning ever written in parentheses: the agency everywhere.
    articles = [([("org", "AFP"), ("place", "Lesbos")], ["AFP=Agence France-Presse#0000000a"]),
                ([("org", "AFP"), ("person", "Olivier Véran")], ["AFP=Agence France-Presse#0000000b"])]
    articles += [([("org", "AFP"), ("person", f"Personne {i}")], []) for i in range(300)]
    definitions, kinds, docs, evidence = collection(articles)
    merged, why = acronym_aliases(definitions, kinds, None, docs, evidence)
    assert merged == {"Agence France-Presse": ["AFP"]} and why["Agence France-Presse"].articles == 2
    assert acronym_aliases(definitions, kinds)[0] == merged  # the same on counts only
