"""Acronyms learned from the collection: definitions found in French news text, merged
with their long form in the facets only on the collection's evidence, never a person into
a party; filters by either form find both; config aliases win; incremental; off by key."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from searchkit.extract.acronyms import acronym_aliases, find_definitions, letters, term


@pytest.mark.parametrize(("text", "expected"), [
    ("selon l'Organisation mondiale de la santé (OMS), le virus", [("OMS", "Organisation mondiale de la santé")]),
    ("l’OMS (Organisation mondiale de la santé) a dit", [("OMS", "Organisation mondiale de la santé")]),
    ("le chef de La France insoumise (LFI) a parlé", [("LFI", "La France insoumise")]),
    ("saisie de la Direction des affaires criminelles et des grâces (DACG)", [("DACG", "Direction des affaires criminelles et des grâces")]),
    ("la Société nationale des chemins de fer français (SNCF) a", [("SNCF", "Société nationale des chemins de fer français")]),
    ("du Conseil économique, social et environnemental (Cese)", [("Cese", "Conseil économique, social et environnemental")]),
    ("l'Assistance publique-Hôpitaux de Paris (AP-HP) annonce", [("AP-HP", "Assistance publique-Hôpitaux de Paris")]),
    ("l'Organisation du traité de l'Atlantique Nord (OTAN)", [("OTAN", "Organisation du traité de l'Atlantique Nord")]),
    # A person before a party's acronym, a place before a state: no definition.
    ("Marine Le Pen (RN) a réagi, comme Anne Hidalgo (PS).", []),
    ("Laurent Wauquiez (LR) et Philippe Bas (LR)", []),
    ("à Houston (Texas) et Phoenix (Arizona)", []),
    ("le score (2020) et la note (A)", []),
    # The long form stops at the clause: nothing from the sentence before.
    ("Il a parlé. Rassemblement national (RN) : la réponse", [("RN", "Rassemblement national")]),
])
def test_definitions_in_news_text(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(d.short, d.long) for d in find_definitions(text)] == expected


def test_positions_and_terms() -> None:
    text = "Hier, l'Union européenne (UE) a voté."
    (d,) = find_definitions(text)
    assert text[d.start:d.end] == "Union européenne (UE)"
    assert term(d) == "UE=Union européenne"
    assert letters("MoDem") == "md" and letters("Cese") == "cese" and letters("G7") is None and letters("A") is None


def kinds(**names: dict[str, int]) -> dict[str, dict[str, int]]:
    return {name.replace("_", " "): k for name, k in names.items()}


def test_evidence_decides_what_merges() -> None:
    index_names = {"OMS": {"org": 40}, "Organisation mondiale de la santé": {"org": 30}, "RN": {"org": 20},
                   "Rassemblement national": {"org": 25}, "PS": {"org": 9}, "Marine Le Pen": {"person": 50},
                   "CPI": {"org": 5}, "UE": {"org": 7, "place": 2}}
    definitions = {
        "OMS=Organisation mondiale de la santé": 12, "OMS=Organisation mondiale de la Santé": 3,  # one long form, two writings
        "RN=Rassemblement national": 1,  # one article is not enough
        "CPI=Cour pénale internationale": 3, "CPI=Cour des petites instances": 2,  # ambiguous: 60% < 75%
        "PS=Parti socialiste": 4,  # long form never tagged: shown as written
        "UE=Union européenne": 5,
    }
    merged, why = acronym_aliases(definitions, index_names, {})
    assert merged == {"Organisation mondiale de la santé": ["OMS"], "Parti socialiste": ["PS"], "Union européenne": ["UE"]}
    assert why["Organisation mondiale de la santé"].articles == 15
    assert "Organisation mondiale de la santé (OMS)" in why["Organisation mondiale de la santé"].because()
    # A person is never merged, whatever the text says.
    assert acronym_aliases({"MLP=Marine Le Pen": 9}, {"MLP": {"org": 3}, "Marine Le Pen": {"person": 50}}, {})[0] == {}
    assert acronym_aliases({"LP=Le Pen": 9}, {"LP": {"person": 3}}, {})[0] == {}
    # config.yaml's aliases win: an acronym they mention is theirs.
    assert acronym_aliases(definitions, index_names, {"Organisation mondiale de la santé": ["WHO"]})[0].get("Organisation mondiale de la santé") is None


ARTICLES = {
    "a1.txt": "date 2020-03-02\nL'OMS alerte\n\nL'Organisation mondiale de la santé (OMS) a lancé une alerte lundi à Genève. Marine Le Pen (RN) a réagi.\n",
    "a2.txt": "date 2020-03-05\nNouvelle alerte\n\nL'OMS est à Genève. Anne Hidalgo (PS) a répondu.\n",
    "a3.txt": "date 2020-03-09\nUn rapport\n\nL'Organisation mondiale de la santé publie un rapport à Genève. Le Rassemblement national de Marine Le Pen critique.\n",
}
SECOND = "date 2020-03-12\nLes chiffres\n\nSelon l'Organisation mondiale de la santé (OMS), les chiffres montent à Genève.\n"


def write_corpus(base: Path, acronyms: bool = True) -> Path:
    corpus = base / "corpus"
    corpus.mkdir()
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text, "utf-8")
    config = base / "config.yaml"
    config.write_text(f"corpus: corpus\nindex_dir: index\nindex: {{workers: 1}}\nextract: {{acronyms: {str(acronyms).lower()}}}\n", "utf-8")
    return config


def org_values(kit) -> dict[str, dict]:
    return {v.value: v.to_dict() for v in kit.facets("org", top=0).org}


def test_merged_in_the_index_once_the_collection_says_so(tmp_path: Path) -> None:
    """One defining article: apart. A second one, indexed incrementally: one value, the
    long form shown, the acronym its variant, and a filter by either finds all three."""
    from searchkit import SearchKit

    config = write_corpus(tmp_path)
    kit = SearchKit.open(config)
    kit.index()
    before = org_values(kit)
    assert {"OMS", "Organisation mondiale de la santé"} <= set(before)
    (tmp_path / "corpus" / "a4.txt").write_text(SECOND, "utf-8")
    kit.index()
    after = org_values(kit)
    assert "OMS" not in after
    assert kit.stats().acronyms == 1
    who = after["Organisation mondiale de la santé"]
    assert who["count"] == 4 and who["variants"] == ["OMS"] and "2 articles" in who["because"]
    for value in ("OMS", "Organisation mondiale de la santé", "oms"):
        assert kit.search("Genève", filters={"org": [value]}).total == 4, value
    assert kit.search("org:OMS").total == 4
    assert "2 articles" in kit.resolve_actor("OMS").actors[0].because  # what `:explain` and the web page say
    (reason,) = kit.explain("a3", "Genève", {"org": ["OMS"]}).filters
    assert reason.matched == ("Organisation mondiale de la santé",) and "(OMS)" in reason.because
    people = {v.value for v in kit.facets("person", top=0).person}
    assert "Marine Le Pen" in people  # "Marine Le Pen (RN)" merged nobody
    kit.close()


def test_the_config_key_turns_it_off(tmp_path: Path) -> None:
    from searchkit import SearchKit

    config = write_corpus(tmp_path, acronyms=False)
    (tmp_path / "corpus" / "a4.txt").write_text(SECOND, "utf-8")
    kit = SearchKit.open(config)
    kit.index()
    values = org_values(kit)
    assert {"OMS", "Organisation mondiale de la santé"} <= set(values)
    assert all("because" not in v for v in values.values())
    kit.close()


def test_the_facets_command_says_why(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from searchkit.ui.cli import cli

    config = write_corpus(tmp_path)
    (tmp_path / "corpus" / "a4.txt").write_text(SECOND, "utf-8")
    assert CliRunner().invoke(cli, ["--config", str(config), "index"]).exit_code == 0
    shown = CliRunner().invoke(cli, ["--config", str(config), "facets", "org"])
    assert "Organisation mondiale de la santé" in shown.output and "« Organisation mondiale de la santé (OMS) »" in shown.output
    data = json.loads(CliRunner().invoke(cli, ["--config", str(config), "facets", "org", "--json"]).stdout)
    assert data["org"][0]["variants"] == ["OMS"]


def test_opensearch_merges_the_same(tmp_path: Path, opensearch_url: str, opensearch_index: str) -> None:
    from tests.conftest import opensearch_kit

    write_corpus(tmp_path)
    (tmp_path / "corpus" / "a4.txt").write_text(SECOND, "utf-8")
    kit = opensearch_kit(tmp_path / "corpus", opensearch_index, opensearch_url)
    kit.index()
    values = org_values(kit)
    assert "OMS" not in values and values["Organisation mondiale de la santé"]["variants"] == ["OMS"]
    assert kit.search("Genève", filters={"org": ["OMS"]}).total == 4
    kit.close()


# Two copies of one story define TMC as a Texas hospital; four articles are about the TV
# channel TMC: the channel keeps its name (the copies are one source, and the channel's
# articles share no actor with them), on both backends.
STORY = "Le Texas Medical Center (TMC) de Houston a accueilli des patients, selon le docteur Peter Hotez.\n"
COPIES = {
    "t1.txt": "date 2020-05-02\nUn centre texan\n\n" + STORY,
    "t2.txt": "date 2020-05-03\nUn centre texan débordé\n\n" + STORY,
    "t3.txt": "date 2020-05-04\nAudiences en hausse\n\nL'émission Quotidien, diffusée sur TMC, a invité Yann Barthès jeudi soir.\n",
    "t4.txt": "date 2020-05-05\nUn record pour TMC\n\nLa chaîne TMC a battu son record d'audience avec Yann Barthès.\n",
    "t5.txt": "date 2020-05-06\nProgramme télé\n\nCe soir sur TMC, Yann Barthès reçoit Omar Sy dans Quotidien.\n",
    "t6.txt": "date 2020-05-07\nLes chaînes de la TNT\n\nTMC et W9 progressent, selon Médiamétrie, derrière Yann Barthès.\n",
}


def write_copies(base: Path) -> Path:
    corpus = base / "corpus"
    corpus.mkdir()
    for name, text in COPIES.items():
        (corpus / name).write_text(text, "utf-8")
    config = base / "config.yaml"
    config.write_text("corpus: corpus\nindex_dir: index\nindex: {workers: 1}\n", "utf-8")
    return config


def test_copies_of_one_story_do_not_rename_a_channel(tmp_path: Path) -> None:
    from searchkit import SearchKit

    kit = SearchKit.open(write_copies(tmp_path))
    kit.index()
    values = org_values(kit)
    # t1..t5 (the model misses TMC in t6), the two copies counted once
    assert values["TMC"]["count"] == 4 and "because" not in values["TMC"]
    assert kit.stats().acronyms == 0
    kit.close()


def test_opensearch_keeps_the_channel_too(tmp_path: Path, opensearch_url: str, opensearch_index: str) -> None:
    from tests.conftest import opensearch_kit

    write_copies(tmp_path)
    kit = opensearch_kit(tmp_path / "corpus", opensearch_index, opensearch_url)
    kit.index()
    values = org_values(kit)
    assert "TMC" in values and "because" not in values["TMC"]
    assert kit.stats().acronyms == 0
    kit.close()
