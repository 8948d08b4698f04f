"""Acronym definitions and the rules that merge an acronym with its long form
(searchkit/extract/acronyms.py). Cases are the systematic errors measured on OrangeSum by
bench/acronyms.py (bench/reports/acronyms.md): a town spelt like an acronym, an editor's note
in the long form, a person's hyphenated first name."""
from __future__ import annotations

from searchkit.extract.acronyms import acronym_aliases, decisions, find_definitions, term


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
