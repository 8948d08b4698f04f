"""Variant grouping across articles (searchkit.extract.names): pure, no model."""
from __future__ import annotations

import subprocess
import sys

import pytest

from searchkit.extract.names import fold_name, group_actors, group_variants, name_key


@pytest.mark.parametrize("a, b", [
    ("Mustafa Kadhimi", "Moustafa al-Kazimi"),
    ("Abu Mahdi al-Muhandis", "Abou Mehdi al-Mouhandis"),
    ("Qassem Soleimani", "Qassem Suleimani"),
    ("Etats-Unis", "États-Unis"),
    ("Mohammed ben Salmane", "Mohamed ben Salman"),
])
def test_variants_share_a_key(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_fold_name() -> None:
    assert fold_name("Moustafa al-Kazimi") == "moustafa kazimi"
    assert fold_name("Œuvre d’Orient") == "oeuvre d orient"


def test_transliterations_and_surname_merge() -> None:
    counts = {
        ("person", "Mustafa Kadhimi"): 1,
        ("person", "Moustafa al-Kazimi"): 2,
        ("person", "Kazimi"): 1,
        ("person", "Abu Mahdi al-Muhandis"): 1,
        ("person", "Abou Mehdi al-Mouhandis"): 1,
    }
    assert group_variants(counts) == {
        ("person", "Mustafa Kadhimi"): "Moustafa al-Kazimi",
        ("person", "Moustafa al-Kazimi"): "Moustafa al-Kazimi",
        ("person", "Kazimi"): "Moustafa al-Kazimi",
        # tie on count: the longest variant is shown
        ("person", "Abu Mahdi al-Muhandis"): "Abou Mehdi al-Mouhandis",
        ("person", "Abou Mehdi al-Mouhandis"): "Abou Mehdi al-Mouhandis",
    }


def test_different_people_stay_apart() -> None:
    counts = {
        ("person", "Joe Biden"): 5, ("person", "Hunter Biden"): 1,
        ("person", "Donald Trump"): 4, ("person", "Donald Tusk"): 2,
        ("person", "Ali Khamenei"): 3, ("person", "Ali Sistani"): 1,
    }
    assert group_variants(counts) == {k: k[1] for k in counts}


def test_ambiguous_surname_is_not_merged() -> None:
    counts = {("person", "Joe Biden"): 3, ("person", "Hunter Biden"): 1, ("person", "Biden"): 2}
    assert group_variants(counts)[("person", "Biden")] == "Biden"


def test_unique_surname_joins_the_full_name() -> None:
    counts = {("person", "Joe Biden"): 1, ("person", "Biden"): 1}
    assert group_variants(counts) == {("person", "Joe Biden"): "Joe Biden",
                                      ("person", "Biden"): "Joe Biden"}


def test_short_names_with_one_key_need_close_spelling() -> None:
    # Same key (vowels collapse) but two edits apart on four letters: two people.
    assert name_key("Adam") == name_key("Edem")
    assert group_variants({("person", "Adam"): 1, ("person", "Edem"): 1}) == {
        ("person", "Adam"): "Adam", ("person", "Edem"): "Edem"}


def test_persons_do_not_merge_with_places() -> None:
    counts = {("person", "George Washington"): 1, ("place", "Washington"): 5}
    assert group_variants(counts) == {("person", "George Washington"): "George Washington",
                                      ("place", "Washington"): "Washington"}


def test_kind_disagreement_goes_to_the_majority() -> None:
    counts = {("org", "Kataib Hezbollah"): 2, ("person", "Kataib Hezbollah"): 1,
              ("place", "Kataib Hezbollah"): 1}
    assert group_actors(counts) == {k: ("org", "Kataib Hezbollah") for k in counts}


def test_kind_tie_prefers_org() -> None:
    counts = {("org", "Hikma"): 1, ("person", "Hikma"): 1}
    assert group_actors(counts) == {k: ("org", "Hikma") for k in counts}


def test_aliases_merge_and_name_the_group() -> None:
    counts = {("org", "Kataib Hezbollah"): 2, ("org", "Brigades du Hezbollah"): 3,
              ("org", "AFP"): 4}
    aliases = {"Kataib Hezbollah": ["Brigades du Hezbollah"]}
    assert group_variants(counts, aliases) == {
        ("org", "Kataib Hezbollah"): "Kataib Hezbollah",
        ("org", "Brigades du Hezbollah"): "Kataib Hezbollah",
        ("org", "AFP"): "AFP",
    }
    # Without the alias nothing merges them.
    assert group_variants(counts)[("org", "Brigades du Hezbollah")] == "Brigades du Hezbollah"


def test_alias_key_absent_from_counts_still_names_the_group() -> None:
    counts = {("org", "Agence France-Presse"): 1, ("org", "AFP"): 3}
    assert group_variants(counts, {"Agence France Presse": ["AFP", "Agence France-Presse"]}) == {
        ("org", "Agence France-Presse"): "Agence France Presse",
        ("org", "AFP"): "Agence France Presse",
    }


def test_display_name_most_frequent_then_longest_then_alphabetical() -> None:
    counts = {("place", "Etats-Unis"): 1, ("place", "États-Unis"): 3}
    assert set(group_variants(counts).values()) == {"États-Unis"}
    counts = {("place", "Etats-Unis"): 2, ("place", "États-Unis"): 2}
    # equal counts and lengths: alphabetical order of the strings
    assert set(group_variants(counts).values()) == {"Etats-Unis"}


def test_names_module_does_not_import_spacy() -> None:
    code = ("import sys, searchkit.extract.names, searchkit.extract.actors, searchkit.extract;"
            "print('spacy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
