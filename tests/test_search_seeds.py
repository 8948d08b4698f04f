"""Searching the sample articles: the French behaviours a reader expects."""
from __future__ import annotations

import pytest

from searchkit.errors import QueryError


def ids(res) -> set[str]:
    return {h.id[:3] for h in res.hits}


def marked(res) -> list[str]:
    import re

    return sorted({m for h in res.hits for s in h.snippets for m in re.findall(r"<mark>(.*?)</mark>", s)})


def test_aeroport_finds_both_apostrophes(seeds_kit) -> None:
    res = seeds_kit.search("aeroport")
    assert ids(res) == {"001", "002"}  # l'aéroport (001) and l’aéroport (002)
    assert marked(res) == ["aéroport"]


def test_teheran_finds_accented_spelling(seeds_kit) -> None:
    res = seeds_kit.search("teheran")
    assert ids(res) == {"000"} and marked(res) == ["Téhéran"]


def test_singular_finds_plural(seeds_kit) -> None:
    res = seeds_kit.search("roquette")
    assert res.total == 5 and "roquettes" in marked(res)


def test_phrase_zone_verte(seeds_kit) -> None:
    res = seeds_kit.search('"zone verte"')
    assert ids(res) == {"003", "004"}
    assert set(marked(res)) == {"Zone", "verte"}


def test_etats_unis_all_spellings(seeds_kit) -> None:
    plain, hyphen, phrase = (seeds_kit.search(q) for q in ("etats unis", "États-Unis", '"États-Unis"'))
    assert ids(hyphen) == ids(phrase) == {"001", "003", "004"}
    assert ids(phrase) <= ids(plain)  # two loose words also match them apart
    spellings = set(marked(plain))
    assert {"Etats", "États", "Unis"} <= spellings


def test_oeuvre_finds_ligature(seeds_kit) -> None:
    res = seeds_kit.search("oeuvre")
    assert ids(res) == {"004"} and marked(res) == ["œuvre"]


def test_fuzzy_kadhimi_finds_kazimi(seeds_kit) -> None:
    res = seeds_kit.search("kadhimi~2")
    assert ids(res) == {"001", "004"}
    assert {"Kadhimi", "Kazimi"} <= set(marked(res))


def test_accentless_query_matches_accented_text(seeds_kit) -> None:
    accented, plain = seeds_kit.search("sécurité"), seeds_kit.search("securite")
    assert ids(accented) == ids(plain) and plain.total >= 2
    assert ids(seeds_kit.search("hostilites")) == ids(seeds_kit.search("hostilités")) == {"000", "004"}


def test_no_hits_is_not_an_error(seeds_kit) -> None:
    res = seeds_kit.search("zzyzx")
    assert res.total == 0 and res.hits == ()


def test_all_words_rank_first_but_others_follow(seeds_kit) -> None:
    res = seeds_kit.search("Qu'est-ce que les roquettes Katioucha ?")
    assert res.hits[0].id.startswith("002")  # the only article with both words
    assert res.total == 5  # articles with only "roquettes" are still there


def test_french_operators(seeds_kit) -> None:
    both = seeds_kit.search("roquettes ET Katioucha")
    assert ids(both) == {"002"}
    without = seeds_kit.search("roquettes SAUF Soleimani")
    assert "000" not in ids(without) and "003" not in ids(without) and without.total >= 1
    either = seeds_kit.search("Katioucha OU Pezeshkian")
    assert ids(either) == {"002"}


def test_title_field_and_wildcard(seeds_kit) -> None:
    assert ids(seeds_kit.search("titre:roquettes")) == {"004"}
    assert ids(seeds_kit.search("aéro*")) == {"001", "002"}
    # An elided article before a wildcard is not part of the word (text/normalize's list).
    assert ids(seeds_kit.search("l'aéro*")) == ids(seeds_kit.search("L’AÉRO*")) == {"001", "002"}


def test_sort_by_date_and_paging(seeds_kit) -> None:
    res = seeds_kit.search("roquettes", sort="date", limit=5)
    dates = [h.published for h in res.hits if h.published]
    assert dates == sorted(dates, reverse=True)
    page2 = seeds_kit.search("roquettes", limit=2, offset=2)
    page1 = seeds_kit.search("roquettes", limit=2)
    assert len(page2.hits) == 2 and not ids(page1) & ids(page2)
    assert page2.hits[0].rank == 3


def test_did_you_mean(seeds_kit) -> None:
    res = seeds_kit.search("ambassadde")
    assert res.total == 0 and res.suggestion == "ambassade"


SYNTAX_SLIPS = ['"unclosed', "AND", "title:", "(((", "roquettes AND", ")", "le la les", "« roquettes »  )", 'NOT ( "zone'] 


@pytest.mark.parametrize("bad", [*SYNTAX_SLIPS, "foo:bar", "titr:Bagdad", "mot~9", "date:2020-13"])
def test_strict_queries_raise_query_error_with_hint(seeds_kit, bad: str) -> None:
    with pytest.raises(QueryError) as info:
        seeds_kit.search(bad, strict=True)
    assert info.value.hint and "\n" not in info.value.message


@pytest.mark.parametrize("slip", SYNTAX_SLIPS)
def test_lenient_queries_answer_with_notices(seeds_kit, slip: str) -> None:
    res = seeds_kit.search(slip)
    assert res.notices and all(isinstance(n, str) and "\n" not in n for n in res.notices)
    assert res.to_dict()["notices"] == list(res.notices)


@pytest.mark.parametrize("real", ["titr:Bagdad", "persone:Kazimi", "mot~9", "date:2020-13"])
def test_real_errors_raise_even_when_lenient(seeds_kit, real: str) -> None:
    with pytest.raises(QueryError) as info:
        seeds_kit.search(real)
    assert info.value.hint


def test_lenient_reading_keeps_the_words(seeds_kit) -> None:
    # The unclosed quote goes, the words stay: the same articles as the plain words.
    assert ids(seeds_kit.search('roquettes "ambassade')) == ids(seeds_kit.search("roquettes ambassade"))
    assert ids(seeds_kit.search("(roquettes")) == ids(seeds_kit.search("roquettes"))
    # Balanced syntax is left alone and reported nothing.
    assert seeds_kit.search('"zone verte" OR roquettes').notices == ()


def test_json_contract_shape_keys_mode_and_notices(seeds_kit) -> None:
    d = seeds_kit.search("roquettes", limit=1).to_dict()
    assert d["mode"] == "lexical" and d["notices"] == []


def test_json_contract_shape(seeds_kit) -> None:
    d = seeds_kit.search("roquettes", limit=1).to_dict()
    assert list(d) == ["query", "filters", "total", "took_ms", "mode", "suggestion", "notices", "hits", "facets", "related"]
    assert list(d["hits"][0]) == ["id", "path", "title", "score", "published", "snippets", "actors", "mentioned", "duplicates"]
    assert set(d["facets"]) == {"actor", "person", "org", "place", "published", "mentioned"}
    assert all(set(v) == {"value", "count", "variants"} for vals in d["facets"].values() for v in vals)


def test_no_spelling_walk_for_overlong_words(seeds_kit, monkeypatch) -> None:
    # The corrector's walk grows with the word (a 339-letter word took seconds):
    # past SUGGEST_MAX_LEN letters, and past SUGGEST_MAX_WORDS words, none is looked up.
    from searchkit.search import suggest as suggest_mod

    engine = seeds_kit._engine
    calls: list[str] = []
    real = engine.backend.searcher.corrector

    def counting(field):
        c = real(field)
        orig = c.suggest
        c.suggest = lambda w, **kw: calls.append(w) or orig(w, **kw)
        return c

    monkeypatch.setattr(engine.backend.searcher, "corrector", counting)
    assert engine.suggest("a" * (suggest_mod.SUGGEST_MAX_LEN + 1)) is None and calls == []
    engine.suggest(" ".join(f"motinconnu{chr(97 + i)}" for i in range(20)))
    assert len(calls) == suggest_mod.SUGGEST_MAX_WORDS
