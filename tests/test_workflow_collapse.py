"""`with` and `timeline` count near-duplicate groups as a collapsed search does, on real
OrangeSum copies (groups of the corpus's own list_of_duplicates.txt whose texts are
identical), and every copy with ``collapse=False`` / ``--no-collapse``.

Expected values come from the search hits (their actors, dates and ``duplicates``),
never from the workflow code: the promise is that a count in `with` or on a timeline
is the number of hits the matching collapsed search shows.
"""
from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
import math
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit import SearchKit
from searchkit.ui.cli import cli
from searchkit.results import Hit
from searchkit.workflow import timeline

from .conftest import shared_data

GROUPS, OTHERS = 40, 80
# An updated copy of one article: the same text with one more sentence, naming
# someone the original does not (what an agency's later version often adds).
UPDATE = " Interrogé mardi soir, le ministre de l'Intérieur Gérald Darmanin a salué une décision importante."


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory):
    """40 groups of identical OrangeSum copies and 80 other articles of the first
    3,000, and an updated copy of the first of those 80 (``UPDATE``), indexed with
    actors, dates and near-duplicates; the groups as id tuples, and (original, copy)."""
    src = shared_data("orangesum", "orangesum_articles.jsonl.gz")
    listed = shared_data("orangesum", "list_of_duplicates.txt")
    rows: dict[str, dict] = {}
    with gzip.open(src, "rt", encoding="utf-8") as fh:
        for line in itertools.islice(fh, 3000):
            r = json.loads(line)
            if r.get("text") and r.get("title"):
                rows[str(r["id"])] = r
    groups = [[m.removesuffix(".json") for m in line.split(",")] for line in listed.read_text("utf-8").split()]
    same = [tuple(g) for g in groups if all(m in rows for m in g) and len({rows[m]["text"] for m in g}) == 1][:GROUPS]
    assert len(same) == GROUPS, "the first 3,000 articles hold enough copies"
    in_groups = {m for g in same for m in g}
    listed_ids = {m for g in groups for m in g}
    others = [i for i in rows if i not in listed_ids][:OTHERS]
    base = tmp_path_factory.mktemp("collapse")
    (base / "corpus").mkdir()
    with open(base / "corpus" / "orangesum.jsonl", "w", encoding="utf-8") as fh:
        for i in sorted(in_groups | set(others), key=int):
            r = rows[i]
            fh.write(json.dumps({"id": i, "title": r["title"], "text": r["text"], "date": r["date"]}, ensure_ascii=False) + "\n")
        # Last, so that it is the group's higher document number.
        r = rows[others[0]]
        fh.write(json.dumps({"id": f"{others[0]}-maj", "title": r["title"], "text": r["text"] + UPDATE, "date": r["date"]}, ensure_ascii=False) + "\n")
    (base / "config.yaml").write_text("corpus: corpus\nindex_dir: index\nindex: {workers: 1}\n", "utf-8")
    kit = SearchKit.open(base / "config.yaml")
    kit.index()
    yield kit, same, base, (others[0], f"{others[0]}-maj")
    kit.close()


def hits(kit: SearchKit, query: str = "", filters: dict | None = None, collapse: bool = True) -> list[Hit]:
    res = kit.search(query, filters=filters, limit=1000, collapse=collapse)
    assert res.total == len(res.hits) < 1000
    return list(res.hits)


def names(h: Hit) -> set[str]:
    return {a.name for a in h.actors}


def test_the_copies_are_grouped(copies) -> None:
    kit, same, _, _ = copies
    shown = {h.id: h for h in hits(kit)}
    for g in same:
        kept = [m for m in g if m in shown]
        assert len(kept) == 1, g
        assert set(g) - set(kept) <= set(shown[kept[0]].duplicates)


@pytest.mark.parametrize("query", ["", "municipales", "coronavirus"])
def test_timeline_counts_the_hits_a_collapsed_search_shows(copies, query: str) -> None:
    kit, _, _, _ = copies
    for collapse in (True, False):
        shown = hits(kit, query, collapse=collapse)
        tl = kit.timeline(query, by="month", collapse=collapse)
        expected = Counter(h.published[:7] for h in shown if h.published and len(h.published) >= 7)
        assert {p.period: p.count for p in tl.periods if p.count} == dict(expected), (query, collapse)
        assert tl.total == len(shown) and tl.undated == sum(not h.published for h in shown)
        assert tl.to_dict()["collapse"] is collapse
        if collapse:
            # A month's bar is the collapsed search's facet count for that month.
            facet = {f.value: f.count for f in kit.search(query, limit=0).facets["published"]}
            assert all(facet.get(p.period) == p.count for p in tl.periods if p.count)
    # Each query finds some of the copies: collapsing changes its timeline.
    assert kit.timeline(query).total < kit.timeline(query, collapse=False).total


def test_timeline_weeks_collapse_too(copies) -> None:
    kit, same, _, _ = copies
    shown = hits(kit)
    weekly = kit.timeline("", by="week")
    expected = Counter(timeline.period_label(dt.date.fromisoformat(h.published), "week") for h in shown if h.published and len(h.published) == 10)
    assert {p.period: p.count for p in weekly.periods if p.count} == dict(expected)
    every = kit.timeline("", by="week", collapse=False)
    # Every listed copy, and the updated one, counted once.
    assert every.total - weekly.total == sum(len(g) - 1 for g in same) + 1


def g2(n: int, a: int, b: int, ab: int) -> float:
    """Dunning's log-likelihood ratio by hand, negative when the pair meets less often
    than chance (as ``associate.scores`` signs it)."""
    cells = [(ab, a, b), (a - ab, a, n - b), (b - ab, n - a, b), (n - a - b + ab, n - a, n - b)]
    value = 2 * sum(k * math.log(k * n / (r * c)) for k, r, c in cells if k)
    return value if ab >= a * b / n else -value


def most_copied_actor(kit: SearchKit, same: list[tuple[str, ...]]) -> str:
    """The actor named in the most groups of copies: the one whose counts collapsing
    changes most."""
    shown = {h.id: h for h in hits(kit)}
    per_group = Counter(n for g in same for m in g if m in shown for n in names(shown[m]))
    return min(per_group, key=lambda n: (-per_group[n], n))


def test_with_counts_the_hits_a_collapsed_search_shows(copies) -> None:
    kit, same, _, _ = copies
    target = most_copied_actor(kit, same)
    res = kit.associated(target, top=1000)
    every = kit.associated(target, top=1000, collapse=False)
    assert res.actor == target and res.to_dict()["collapse"] is True
    for r, collapse in ((res, True), (every, False)):
        with_target = hits(kit, "", {"actor": [target]}, collapse)
        universe = hits(kit, "", None, collapse)
        assert (r.articles, r.universe) == (len(with_target), len(universe))
        together = Counter(n for h in with_target for n in names(h) - set(r.matched))
        listed = {a.value: a.count for a in r.actors}
        assert listed == {n: c for n, c in together.items() if c >= 2}, collapse
    # The copies counted once: fewer co-mentions, and for some actors fewer than 2.
    assert res.articles < every.articles
    assert sum(a.count for a in res.actors) < sum(a.count for a in every.actors)


def test_with_counts_a_group_through_the_copy_naming_the_actor(copies) -> None:
    """The updated copy alone names Gérald Darmanin: the story counts once for him,
    through that copy, as `search --actor` shows it, although the plain search shows
    the original."""
    kit, _, _, (original, update) = copies
    plain = {h.id: h for h in hits(kit)}
    assert original in plain and update in plain[original].duplicates, "the update is grouped with its original"
    name = kit.resolve_actor("Darmanin").name
    assert name not in names(plain[original])
    shown = hits(kit, "", {"actor": [name]})
    assert update in {h.id for h in shown}
    res = kit.associated(name, top=1000)
    assert res.articles == len(shown)
    co = Counter(n for h in shown for n in names(h) - set(res.matched))
    assert {a.value: a.count for a in res.actors} == {n: c for n, c in co.items() if c >= 2}
    tl = kit.timeline("", {"actor": [name]})
    assert tl.total == len(shown)


def test_with_scores_use_group_counts(copies) -> None:
    kit, same, _, _ = copies
    target = most_copied_actor(kit, same)
    res = kit.associated(target, top=1000)
    everything = {h.id: h for h in hits(kit, collapse=False)}
    shown_with_target = {h.id for h in hits(kit, "", {"actor": [target]})}
    # Each group once, through the copy the search filtered on the target shows if
    # it names the target, else through the copy the plain search shows.
    members = [[h.id, *h.duplicates] for h in hits(kit)]
    chosen = [next((m for m in g if m in shown_with_target), g[0]) for g in members]
    totals = Counter(n for i in chosen for n in names(everything[i]))
    n, n_target = len(chosen), len(shown_with_target)
    assert res.actors
    for a in res.actors:
        assert a.score == pytest.approx(g2(n, n_target, totals[a.value], a.count)), a.value


def test_cli_no_collapse(copies) -> None:
    kit, same, base, _ = copies
    target = most_copied_actor(kit, same)
    run = CliRunner()
    cfg = ["--config", str(base / "config.yaml")]
    for collapse in (True, False):
        flag = [] if collapse else ["--no-collapse"]
        w = run.invoke(cli, [*cfg, "with", target, "--top", "1000", "--json", *flag], catch_exceptions=False)
        assert json.loads(w.output) == kit.associated(target, top=1000, collapse=collapse).to_dict()
        t = run.invoke(cli, [*cfg, "timeline", "--json", *flag], catch_exceptions=False)
        assert json.loads(t.output) == kit.timeline("", collapse=collapse).to_dict()
    for command in ("with", "timeline"):
        assert "--no-collapse" in run.invoke(cli, [command, "--help"]).output


def test_repl_timeline_and_with_count_as_its_search(copies) -> None:
    from searchkit.ui import repl
    from searchkit.ui.render import Style

    kit, same, _, _ = copies
    engine = repl.ReplEngine(kit, Style(False))
    listed = engine.handle("municipales")
    total = kit.search("municipales", limit=0).total
    assert not listed.error and total < kit.search("municipales", limit=0, collapse=False).total
    assert engine.handle(":timeline").text.startswith(f"{total} article")
    target = most_copied_actor(kit, same)
    reply = engine.handle(f":with {target}")
    want = kit.associated(target, query="municipales")
    assert not reply.error and reply.text.startswith(f"With {want.actor}: {want.articles} of")
    assert want.articles < kit.associated(target, query="municipales", collapse=False).articles


def test_seeds_are_unchanged_by_collapsing(seeds_kit: SearchKit) -> None:
    """No copies among the seeds: both ways count the same."""
    assert seeds_kit.timeline("").to_dict() | {"collapse": False} == seeds_kit.timeline("", collapse=False).to_dict()
    actor = seeds_kit.facets("actor").actor[0].value
    assert seeds_kit.associated(actor).to_dict() | {"collapse": False} == seeds_kit.associated(actor, collapse=False).to_dict()
