"""Actor extraction (searchkit.extract.actors): the rule layer on its own (no model),
then the whole extractor with spaCy on the seed articles and small French sentences."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from searchkit.extract.actors import _apply_rules, extract_actors, iter_actors, normalize_text
from searchkit.extract.names import group_variants

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def seed_texts() -> list[str]:
    # 001 and 004 open with a " date YYYY-MM" header on the first line.
    return [re.sub(r"^\s*date \d{4}-\d{2}\s*", "", p.read_text(encoding="utf-8"))
            for p in sorted(SEEDS.glob("*.txt"))]


def rules(text: str, ents: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """Run the rule layer on made-up model output: (surface, spaCy label), in text order."""
    spans, pos = [], 0
    for surface, label in ents:
        start = text.index(surface, pos)
        spans.append((start, start + len(surface), label))
        pos = start + 1
    return [(m.text, m.kind, m.canonical)
            for m in _apply_rules(text, normalize_text(text), spans)]


# ----------------------------------------------------------------- rule layer, no model

def test_elided_fragments_are_dropped() -> None:
    text = "C’est une baisse, ce n’est qu’un avertissement, L’un d’eux a dit."
    assert rules(text, [("C’", "MISC"), ("n’", "PER"), ("qu’", "LOC"), ("L’", "LOC")]) == []


def test_function_words_weekdays_months_are_dropped() -> None:
    text = "Néanmoins, Selon lui. Pourtant, Quant à Lundi, Cependant Décembre viendra."
    ents = [("Néanmoins", "PER"), ("Selon", "LOC"), ("Pourtant", "MISC"), ("Quant", "PER"),
            ("Lundi", "PER"), ("Cependant", "ORG"), ("Décembre", "MISC")]
    assert rules(text, ents) == []


def test_generic_zone_and_short_junk_are_dropped() -> None:
    text = "Trois roquettes dans la Zone verte, au Centre de soutien. X a dit « – »."
    ents = [("la Zone", "MISC"), ("Zone verte", "LOC"), ("Centre de soutien", "LOC"),
            ("X", "ORG"), ("–", "MISC")]
    assert rules(text, ents) == []


def test_quote_initial_capital_is_dropped_unless_seen_elsewhere() -> None:
    text = "Le «Réduire les risques» opération. «Washington» a dit, et Washington a répété."
    assert rules(text, [("Réduire", "LOC"), ("Washington", "LOC"), ("Washington", "LOC")]) == [
        ("Washington", "place", "Washington"), ("Washington", "place", "Washington")]


def test_misc_person_with_first_name_becomes_person() -> None:
    text = "la frappe contre le général iranien Qassem Soleimani, selon plusieurs rapports"
    assert rules(text, [("Qassem Soleimani", "MISC")]) == [
        ("Qassem Soleimani", "person", "Qassem Soleimani")]


def test_misc_title_of_a_work_is_not_a_person() -> None:
    text = "Il a joué dans Magic Mike puis dans Killer Joe."
    assert rules(text, [("Magic Mike", "MISC"), ("Killer Joe", "MISC")]) == []


def test_particle_name_labelled_loc_or_org_becomes_person() -> None:
    text = "le religieux Moqtada al-Sadr et le milicien Hadi al-Ameri, puis Abou Bakr Baghdadi"
    ents = [("Moqtada al-Sadr", "LOC"), ("Hadi al-Ameri", "ORG"), ("Abou Bakr Baghdadi", "MISC")]
    assert rules(text, ents) == [
        ("Moqtada al-Sadr", "person", "Moqtada al-Sadr"),
        ("Hadi al-Ameri", "person", "Hadi al-Ameri"),
        ("Abou Bakr Baghdadi", "person", "Abou Bakr Baghdadi"),
    ]


def test_org_cue_words_beat_person_and_place_labels() -> None:
    text = "le groupe Kataib Hezbollah et les Brigades du Hezbollah, puis le Front al-Nosra"
    ents = [("Kataib Hezbollah", "PER"), ("Brigades du Hezbollah", "LOC"),
            ("Front al-Nosra", "PER")]
    assert rules(text, ents) == [
        ("Kataib Hezbollah", "org", "Kataib Hezbollah"),
        ("Brigades du Hezbollah", "org", "Brigades du Hezbollah"),
        ("Front al-Nosra", "org", "Front al-Nosra"),
    ]


def test_capital_labelled_person_is_a_place() -> None:
    text = "Washington a menacé de fermer l'ambassade, selon Téhéran."
    assert rules(text, [("Washington", "PER"), ("Téhéran", "PER")]) == [
        ("Washington", "place", "Washington"), ("Téhéran", "place", "Téhéran")]


def test_bare_surname_with_another_label_joins_the_person() -> None:
    text = "le général Qassem Soleimani. L'assassinat de Soleimani a suivi; Soleimani dirigeait."
    ents = [("Qassem Soleimani", "PER"), ("assassinat de Soleimani", "MISC"),
            ("Soleimani", "LOC")]
    assert rules(text, ents) == [
        ("Qassem Soleimani", "person", "Qassem Soleimani"),
        ("Soleimani", "person", "Qassem Soleimani"),
        ("Soleimani", "person", "Qassem Soleimani"),
    ]


def test_demonym_plural_is_not_a_place_but_a_city_is() -> None:
    text = "trois ans aux Américains pour partir, et un train pour Amiens."
    assert rules(text, [("Américains", "LOC"), ("Amiens", "LOC")]) == [
        ("Amiens", "place", "Amiens")]


# ------------------------------------------------------------------- canonical names

def test_titles_and_surnames_resolve_within_the_article() -> None:
    text = ("le premier ministre Moustafa al-Kazimi. Selon M. Kazimi, puis le président Biden "
            "et Joe Biden. Le leader Ammar al-Hakim; Hakim a déclaré. Mahdi al-Muhandis, "
            "Abu Mahdi al-Muhandis.")
    ents = [("Moustafa al-Kazimi", "PER"), ("M. Kazimi", "PER"), ("président Biden", "PER"),
            ("Joe Biden", "PER"), ("Ammar al-Hakim", "PER"), ("Hakim", "PER"),
            ("Mahdi al-Muhandis", "PER"), ("Abu Mahdi al-Muhandis", "PER")]
    assert [c for _, _, c in rules(text, ents)] == [
        "Moustafa al-Kazimi", "Moustafa al-Kazimi", "Joe Biden", "Joe Biden",
        "Ammar al-Hakim", "Ammar al-Hakim", "Abu Mahdi al-Muhandis", "Abu Mahdi al-Muhandis"]


def test_ambiguous_surname_stays_bare() -> None:
    text = "Hunter Biden et Joe Biden. Biden a souri."
    ents = [("Hunter Biden", "PER"), ("Joe Biden", "PER"), ("Biden", "PER")]
    assert [c for _, _, c in rules(text, ents)] == ["Hunter Biden", "Joe Biden", "Biden"]


def test_elided_title_apostrophes_and_whitespace() -> None:
    text = "le guide suprême l’ayatollah Ali Khamenei et Jean-Yves\nLe  Drian"
    ents = [("l’ayatollah Ali Khamenei", "PER"), ("Jean-Yves\nLe  Drian", "PER")]
    assert rules(text, ents) == [
        ("Ali Khamenei", "person", "Ali Khamenei"),
        ("Jean-Yves\nLe  Drian", "person", "Jean-Yves Le Drian"),
    ]


def test_articles_of_descriptive_names_go_titles_of_papers_stay() -> None:
    text = "Le Parlement irakien a voté, rapporte Le Figaro, comme la France."
    ents = [("Le Parlement irakien", "ORG"), ("Le Figaro", "ORG"), ("la France", "LOC")]
    assert rules(text, ents) == [
        ("Le Parlement irakien", "org", "Parlement irakien"),
        ("Le Figaro", "org", "Le Figaro"),
        ("France", "place", "France"),
    ]


# ------------------------------------------------------------------------ with the model

@pytest.fixture(scope="module")
def seed_mentions() -> list[list]:
    return list(iter_actors(seed_texts()))


def test_offsets_point_into_the_original_text(seed_mentions: list[list]) -> None:
    for text, mentions in zip(seed_texts(), seed_mentions):
        assert mentions
        assert [text[m.start:m.end] for m in mentions] == [m.text for m in mentions]


def test_iter_actors_equals_extract_actors(seed_mentions: list[list]) -> None:
    assert [extract_actors(t) for t in seed_texts()] == seed_mentions


def test_seed_facts_after_grouping(seed_mentions: list[list]) -> None:
    per_article = [{(m.kind, m.canonical) for m in ms} for ms in seed_mentions]
    counts = Counter(a for s in per_article for a in s)
    groups = group_variants(counts)
    articles = Counter(a for s in per_article for a in {(k, groups[(k, n)]) for k, n in s})
    persons = {name: n for (kind, name), n in articles.items() if kind == "person"}
    assert persons == {
        "Qassem Soleimani": 4, "Donald Trump": 4, "Joe Biden": 2,
        "Moustafa al-Kazimi": 2, "Abou Mehdi al-Mouhandis": 2,
        "Ali Khamenei": 1, "Matthew Tueller": 1, "Mohsen Fakhrizadeh": 1,
        "Esmail Qaani": 1, "Moqtada al-Sadr": 1, "Ammar al-Hakim": 1, "Hadi al-Ameri": 1,
        "Massoud Pezeshkian": 1, "Frank McKenzie": 1, "Christopher Miller": 1,
        "Mike Pompeo": 1,
    }
    # Both spellings made it into the same group.
    assert {n for (k, n) in counts if groups[(k, n)] == "Moustafa al-Kazimi"} == {
        "Mustafa Kadhimi", "Moustafa al-Kazimi"}
    assert {n for (k, n) in counts if groups[(k, n)] == "Abou Mehdi al-Mouhandis"} == {
        "Abu Mahdi al-Muhandis", "Abou Mehdi al-Mouhandis"}


JUNK = re.compile(r"^(?:\w{1,3}'|.*'$|la |le |les |l'|.$)|^(?:Zone|Centre|Droit|État|Néanmoins|"
                  r"Selon|Pourtant|Quant|Cependant|Lundi|Mardi|Mercredi|Léger|Réduire|Ajuste|"
                  r"Premier|Américains)\b")


def test_seed_actors_have_no_junk(seed_mentions: list[list]) -> None:
    names = sorted({m.canonical for ms in seed_mentions for m in ms})
    assert [n for n in names if JUNK.search(n) or not n[0].isupper() and " " not in n] == []
    places = {m.canonical for ms in seed_mentions for m in ms if m.kind == "place"}
    assert {"Washington", "Bagdad", "Irak", "Iran", "Téhéran"} <= places


def test_sentences_through_the_model() -> None:
    got = [(m.text, m.kind, m.canonical) for m in extract_actors(
        "Néanmoins, le président Joe Biden a rencontré lundi Emmanuel Macron à Paris. "
        "Selon Washington, l’ayatollah Ali Khamenei a répondu. Pourtant, M. Khamenei "
        "n’a rien dit.")]
    assert got == [
        ("Joe Biden", "person", "Joe Biden"), ("Emmanuel Macron", "person", "Emmanuel Macron"),
        ("Paris", "place", "Paris"), ("Washington", "place", "Washington"),
        ("Ali Khamenei", "person", "Ali Khamenei"), ("Khamenei", "person", "Ali Khamenei"),
    ]


def test_empty_text() -> None:
    assert extract_actors("") == []
    assert extract_actors("   \n") == []


# --------------------------------------------------------------------------- issue 24: hit-level junk

def test_a_line_break_ends_a_name() -> None:
    # A title's last word and the body's first word: the name stops at the break, and a
    # span that only starts with lowercase words before the break is a subtitle's, no actor.
    text = "Macron au standard de l'Elysée\n\nRien n'arrête Emmanuel Macron."
    assert rules(text, [("Elysée\n\nRien", "LOC")]) == [("Elysée", "place", "Elysée")]
    text = "la voiture de la métropole\n\nChangement de cap à Lyon."
    assert rules(text, [("métropole\n\nChangement", "LOC")]) == []


def test_glued_sentence_starts_are_cut() -> None:
    text = "Des enseignants devant la mairie du HavreMais les parents sont absents."
    assert rules(text, [("HavreMais", "ORG")]) == [("Havre", "org", "Havre")]
    text = "L'instaurateur du RMIMichel Rocard a porté plusieurs réformes."
    assert rules(text, [("RMIMichel Rocard", "PER")]) == [("Michel Rocard", "person", "Michel Rocard")]
    # CamelCase names and ordinals are no glue.
    text = "Il a publié sur YouTube une vidéo tournée dans le XIVe arrondissement de Paris."
    assert rules(text, [("YouTube", "ORG"), ("XIVe arrondissement de Paris", "LOC")]) == [
        ("YouTube", "org", "YouTube"),
        ("XIVe arrondissement de Paris", "place", "XIVe arrondissement de Paris")]


def test_person_span_starts_after_a_civility() -> None:
    # The value already dropped "M."; the span now does too (the NER suites' convention).
    text = "Selon M. Morel, le maire, et Madame de Pompadour, tout va bien."
    assert rules(text, [("M. Morel", "PER"), ("Madame de Pompadour", "PER")]) == [
        ("Morel", "person", "Morel"), ("Madame de Pompadour", "person", "Pompadour")]


def test_an_outlet_cut_before_its_number_takes_it_in() -> None:
    text = "Une vérification qu'aurait pu faire France 2 avant l'émission, et l'Europe 1,5 million."
    assert rules(text, [("France", "LOC"), ("Europe", "LOC")]) == [
        ("France 2", "org", "France 2"), ("Europe", "place", "Europe")]


def test_common_noun_acronyms_are_no_actors() -> None:
    text = "Le RIB est transmis au QG, selon le PSE et la DDM du produit."
    assert rules(text, [("RIB", "ORG"), ("QG", "ORG"), ("PSE", "ORG"), ("DDM", "ORG")]) == []
