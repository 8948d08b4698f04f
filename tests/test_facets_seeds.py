"""Facets over the sample articles: merged actor variants, dates, filters everywhere."""
from __future__ import annotations

import re
import sys

import pytest


def counts(res, field: str) -> dict[str, int]:
    return {f.value: f.count for f in res.facets[field]}


def ids(res) -> set[str]:
    return {h.id[:3] for h in res.hits}


def test_person_counts_and_merged_variants(seeds_kit) -> None:
    people = {f.value: f for f in seeds_kit.search("", limit=0).facets["person"]}
    by_count = {name: f.count for name, f in people.items()}
    assert by_count["Qassem Soleimani"] == 4
    assert by_count["Donald Trump"] == 4
    assert by_count["Joe Biden"] == 2
    kazimi = [f for f in people.values() if "Kazimi" in f.value or "Kadhimi" in f.value]
    muhandis = [f for f in people.values() if "Muhandis" in f.value or "Mouhandis" in f.value]
    assert len(kazimi) == 1 and kazimi[0].count == 2  # one actor, two articles
    assert len(muhandis) == 1 and muhandis[0].count == 2


@pytest.mark.parametrize("variant", ["Kazimi", "Kadhimi", "Mustafa Kadhimi", "moustafa al-kazimi", "KAZIMI"])
def test_any_variant_finds_all_articles(seeds_kit, variant: str) -> None:
    res = seeds_kit.search("", filters={"person": [variant]})
    assert ids(res) == {"001", "004"}
    marks = {m for h in res.hits for s in h.snippets for m in re.findall(r"<mark>(.*?)</mark>", s)}
    assert any("Kadhimi" in m for m in marks) and any("Kazimi" in m for m in marks)


def test_publication_dates(seeds_kit) -> None:
    res = seeds_kit.search("", limit=10)
    published = {h.id[:3]: h.published for h in res.hits}
    assert published["004"] == "2020-11"
    assert published["001"] == "2021-07"
    assert published["003"] == "2020-12-20"
    assert published["002"] == "2024-09-13"
    assert counts(res, "published").get("undated", 0) == sum(1 for v in published.values() if v is None)


def test_no_mentioned_date_from_troop_counts(seeds_kit) -> None:
    mentioned = {v for h in seeds_kit.search("", limit=10).hits for v in h.mentioned}
    assert not any(v.startswith(("2500", "5200", "500-", "0500")) for v in mentioned)
    assert all(1900 <= int(v[:4]) <= 2100 for v in mentioned)


def test_date_filters_all_forms(seeds_kit) -> None:
    assert ids(seeds_kit.search("", filters={"published": ["2020-12"]})) == {"003"}
    assert ids(seeds_kit.search("", filters={"published": ["2020"]})) == {"003", "004"}
    assert ids(seeds_kit.search("", filters={"published": ["2020-11..2021-01"]})) == {"003", "004"}
    assert ids(seeds_kit.search("", filters={"published": ["décembre 2020"]})) == {"003"}
    assert ids(seeds_kit.search('date:"décembre 2020"')) == {"003"}
    assert ids(seeds_kit.search("roquettes date:2020-11")) == {"004"}


def test_query_language_facets(seeds_kit) -> None:
    assert ids(seeds_kit.search("personne:Kazimi")) == {"001", "004"}
    assert ids(seeds_kit.search('personne:"Joe Biden"')) == ids(seeds_kit.search("", filters={"person": ["Joe Biden"]}))


def test_facets_count_over_the_query_hits(seeds_kit) -> None:
    res = seeds_kit.search("Katioucha")
    assert res.total == 1 and counts(res, "published") == {"2024-09": 1}


def test_alias_from_config_merges_names(seeds_kit) -> None:
    orgs = {f.value: f.variants for f in seeds_kit.search("", limit=0).facets["org"]}
    assert "Kataib Hezbollah" in orgs


def test_queries_never_load_the_ner_model(seeds_kit) -> None:
    import subprocess

    code = (
        "import sys; from searchkit import SearchKit; "
        f"kit = SearchKit.open(index_dir={str(seeds_kit.config.index_dir)!r}); "
        "kit.search('personne:Kazimi roquettes', filters={'published': ['2020']}); "
        "print('spacy' in sys.modules, 'searchkit.extract.actors' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False False", out.stderr
