"""The analyst's workflow (searchkit/workflow/): who goes with whom, export, saved
searches, timelines; library, CLI and REPL, on the seeds and on real OrangeSum articles.

Expected values are computed independently (from the hits' own actors and dates, the
source files' dates, or a by-hand log-likelihood), never copied from an output.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import math
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit import SearchKit
from searchkit.ui import repl
from searchkit.ui.cli import cli
from searchkit.errors import MissingExtraError, NotFoundError, QueryError, SavedSearchError
from searchkit.ui.render import Style
from searchkit.results import Actor, Hit
from searchkit.workflow import associate, export, saved, timeline

from .conftest import ROOT, shared_data


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of seeds/ indexed with actors and dates, and a config.yaml beside it."""
    base = tmp_path_factory.mktemp("workflow")
    shutil.copytree(ROOT / "seeds", base / "seeds")
    # Two hits per page: exports must not stop at the page size.
    (base / "config.yaml").write_text("corpus: seeds\nindex_dir: index\nindex: {workers: 1}\nsearch: {limit: 2}\n", "utf-8")
    kit = SearchKit.open(base / "config.yaml")
    kit.index()
    kit.close()
    return base


@pytest.fixture(scope="module")
def kit(base: Path):
    kit = SearchKit.open(base / "config.yaml")
    yield kit
    kit.close()


def all_hits(kit: SearchKit, query: str = "", filters: dict | None = None) -> list[Hit]:
    res = kit.search(query, filters=filters, limit=1000)
    return list(res.hits)


def cli_run(base: Path, *args: str, env: dict | None = None):
    return CliRunner().invoke(cli, ["--config", str(base / "config.yaml"), *args], env=env, catch_exceptions=False)


# -- who goes with whom ------------------------------------------------------------


def g2(n: int, a: int, b: int, ab: int) -> float:
    """Dunning's log-likelihood ratio by hand, cell by cell."""
    cells = [(ab, a, b), (a - ab, a, n - b), (b - ab, n - a, b), (n - a - b + ab, n - a, n - b)]
    return 2 * sum(k * math.log(k * n / (r * c)) for k, r, c in cells if k)


def test_associated_counts_and_scores_match_the_hits(kit: SearchKit) -> None:
    display = kit.resolve_actor("Kazimi", "person").name
    res = kit.associated("Kazimi", top=1000)
    assert res.actor == display
    hits = all_hits(kit)
    with_target = [h for h in hits if display in {a.name for a in h.actors}]
    assert res.articles == len(with_target) and res.universe == len(hits) >= 5
    assert res.actors, "the seeds name several actors with Kazimi"
    for a in res.actors:
        together = sum(a.value in {x.name for x in h.actors} for h in with_target)
        total = sum(a.value in {x.name for x in h.actors} for h in hits)
        assert a.count == together >= 2
        assert a.score == pytest.approx(g2(len(hits), len(with_target), total, together))
        assert a.value != display
    assert [a.score for a in res.actors] == sorted((a.score for a in res.actors), reverse=True)
    d = res.to_dict()
    assert set(d) >= {"actor", "actors"} and set(d["actors"][0]) == {"value", "kind", "count", "score"}


def test_associated_any_spelling_kind_and_filters(kit: SearchKit) -> None:
    a, b = kit.associated("Kadhimi").to_dict(), kit.associated("kazimi").to_dict()
    assert (a["actor"], a["actors"]) == (b["actor"], b["actors"]) and a["actors"]
    people = kit.associated("Kazimi", kind="person", top=100)
    assert all(a.kind == "person" for a in people.actors)
    # Filters narrow the articles counted, exactly as a search with them does.
    filt = {"published": ["2021"]}
    res = kit.associated("Kazimi", filters=filt)
    assert res.universe == kit.search("", filters=filt, limit=0).total
    assert res.articles == kit.search("", filters={**filt, "person": ["Kazimi"]}, limit=0).total
    q = kit.associated("Kazimi", query="roquettes")
    assert q.universe == kit.search("roquettes", limit=0).total


def test_associated_errors(kit: SearchKit) -> None:
    with pytest.raises(NotFoundError):
        kit.associated("Zzyzx Qwerty")
    with pytest.raises(QueryError):
        kit.associated("Kazimi", kind="animal")
    with pytest.raises(QueryError):
        kit.associated("Kazimi", measure="magic")


def test_scores_discount_ubiquity() -> None:
    import numpy as np

    # 1000 articles, the target in 20; A in 10 (all with the target), B everywhere.
    t = np.array([10, 20])
    tot = np.array([10, 1000])
    for m in ("llr", "pmi", "npmi"):
        s = associate.scores(m, 1000, 20, t, tot)
        assert s[0] > s[1], m
    assert associate.scores("pmi", 1000, 20, t, tot)[1] == pytest.approx(0.0)
    # Met less often than chance: a negative log-likelihood.
    assert associate.scores("llr", 1000, 100, np.array([1]), np.array([500]))[0] < 0


def test_cli_with(base: Path, kit: SearchKit) -> None:
    out = cli_run(base, "with", "Kazimi", "--json")
    assert out.exit_code == 0
    assert json.loads(out.output) == kit.associated("Kazimi").to_dict()
    text = cli_run(base, "with", "Kazimi", "--kind", "place")
    assert text.exit_code == 0 and text.output.startswith("With ")
    bad = cli_run(base, "with", "Zzyzx Qwerty")
    assert bad.exit_code == 1 and bad.output.count("\n") == 1 and "hint" in bad.output


# -- export ----------------------------------------------------------------------------


def test_csv_reads_back_with_every_hit(base: Path, kit: SearchKit) -> None:
    hits = all_hits(kit)
    assert len(hits) > kit.config.limit  # more than a page
    out = cli_run(base, "search", "", "--format", "csv")
    assert out.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert [r["id"] for r in rows] == [h.id for h in hits]
    assert list(rows[0]) == list(export.COLUMNS)
    for r, h in zip(rows, hits):
        assert r["title"] == h.title and r["path"] == h.path and r["published"] == (h.published or "")
        assert r["actors"] == "; ".join(a.name for a in h.actors)
        assert r["mentioned"] == "; ".join(h.mentioned)
        assert float(r["score"]) == pytest.approx(h.score, abs=1e-4)
    limited = cli_run(base, "search", "", "--format", "csv", "--limit", "3")
    assert len(list(csv.DictReader(io.StringIO(limited.output)))) == 3


def test_csv_file_with_bom_and_awkward_titles(tmp_path: Path, kit: SearchKit) -> None:
    # Commas, quotes and a newline in a title survive the round trip.
    h = Hit("x1", "/a,b.txt", 'Il a dit "non", puis\nest parti', 1.5, None, (), (Actor("Joe Biden", "person"), Actor("Bagdad", "place")), ("2020-12",))
    buf = io.StringIO(newline="")
    export.write_rows([export.hit_row(h)], buf, "csv", bom=True)
    text = buf.getvalue()
    assert text.startswith("\ufeff")
    (tmp_path / "x.csv").write_text(text, encoding="utf-8", newline="")
    with open(tmp_path / "x.csv", encoding="utf-8-sig", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row == {"id": "x1", "title": h.title, "published": "", "score": "1.5", "path": "/a,b.txt", "actors": "Joe Biden; Bagdad", "mentioned": "2020-12", "duplicates": ""}


def test_duplicates_column_reads_hit_duplicates() -> None:
    h = Hit("x1", "p", "t", 1.0, None, (), (), ())
    assert export.hit_row(h)["duplicates"] == []
    assert export.hit_row(type("H", (), {**{k: getattr(h, k) for k in ("id", "title", "published", "score", "path", "actors", "mentioned")}, "duplicates": ("x2", "x3")})())["duplicates"] == ["x2", "x3"]


def test_export_json_jsonl_and_output_file(base: Path, kit: SearchKit, tmp_path: Path) -> None:
    hits = all_hits(kit, "roquettes")
    js = json.loads(cli_run(base, "search", "roquettes", "--format", "json").output)
    assert [r["id"] for r in js] == [h.id for h in hits]
    assert js[0]["actors"] == [a.to_dict() for a in hits[0].actors]
    out = tmp_path / "hits.jsonl"
    res = cli_run(base, "search", "roquettes", "-o", str(out))  # the extension picks jsonl
    assert res.exit_code == 0
    lines = out.read_text("utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [h.id for h in hits]
    with_bom = tmp_path / "hits.csv"
    cli_run(base, "search", "roquettes", "-o", str(with_bom), "--bom")
    assert with_bom.read_bytes().startswith(b"\xef\xbb\xbf")


def test_export_mistakes_are_one_line(base: Path, tmp_path: Path) -> None:
    for args in (["--format", "csv", "--json"], ["--format", "json", "--bom"], ["-o", str(tmp_path / "x.txt")], ["--bom"], ["--format", "csv", "--offset", "2"]):
        res = cli_run(base, "search", "roquettes", *args)
        assert res.exit_code in (1, 2) and res.output.count("\n") == 1 and "error:" in res.output, args
    assert not (tmp_path / "x.txt").exists()
    assert cli_run(base, "search", "roquettes", "--limit", "5000").exit_code == 2  # a page stays <= 1000


# -- saved searches ----------------------------------------------------------------------


def test_saved_search_reports_exactly_the_new_article(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", corpus)
    kit = SearchKit.open(ROOT / "config.yaml", index_dir=tmp_path / "index", corpus=corpus)
    kit.config.dates = True
    kit.config.actors = False  # the NER model is not what this tests
    kit.index()
    env = {"XDG_DATA_HOME": str(tmp_path / "xdg")}
    store = saved.SavedSearches(kit, env)
    before = kit.search("roquettes", limit=0).total
    s = store.add("roq", "roquettes")
    assert s.matched == before and store.path.parent == tmp_path / "xdg" / "searchkit" / "saved"
    assert store.run("roq").hits == ()
    (corpus / "new.txt").write_text(" date 2021-03-02 Deux roquettes sont tombées près de l'aéroport d'Erbil.", "utf-8")
    (corpus / "other.txt").write_text("Un article sur la météo à Lyon.", "utf-8")
    kit.index()
    run = store.run("roq")
    assert [h.id for h in run.hits] == ["new"] and run.total == before + 1
    d = run.to_dict()
    assert d["name"] == "roq" and d["query"] == "roquettes" and [h["id"] for h in d["hits"]] == ["new"]
    assert "<mark>roquettes</mark>" in " ".join(run.hits[0].snippets)  # snippets, as a search shows
    assert store.run("roq").hits == ()  # reported once
    # Many new hits are fetched with one search instead of one each: same answer.
    monkeypatch.setattr(saved, "FETCH_ONE_BY_ONE", 0)
    (corpus / "new2.txt").write_text(" date 2021-03-04 Une roquette a touché la base d'Aïn al-Assad.", "utf-8")
    kit.index()
    run2 = store.run("roq")
    assert [h.id for h in run2.hits] == ["new2"] and run2.hits[0].snippets
    # Stored per index: another index does not see them.
    other = SearchKit.open(ROOT / "config.yaml", index_dir=tmp_path / "index2", corpus=corpus)
    assert saved.SavedSearches(other, env).list().searches == ()
    assert [x.name for x in store.list()] == ["roq"]
    with pytest.raises(SavedSearchError):
        store.add("roq", "autre")
    with pytest.raises(SavedSearchError):
        store.run("nope")
    with pytest.raises(SavedSearchError):
        store.add(" ", "roquettes")
    store.remove("roq")
    assert store.list().searches == ()
    kit.close()


def test_saved_filters_and_cli(base: Path, tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path / "xdg")}
    add = cli_run(base, "saved", "add", "irak21", "", "--published", "2021", "--json", env=env)
    assert add.exit_code == 0
    kit = SearchKit.open(base / "config.yaml")
    assert json.loads(add.output)["matched"] == kit.search("", filters={"published": ["2021"]}, limit=0).total
    cli_run(base, "saved", "add", "roq", "roquettes", env=env)
    listed = json.loads(cli_run(base, "saved", "list", "--json", env=env).output)
    assert [s["name"] for s in listed["saved"]] == ["irak21", "roq"]
    assert listed["saved"][0]["filters"] == {"published": ["2021"]}
    one = json.loads(cli_run(base, "saved", "run", "roq", "--json", env=env).output)
    assert set(one) >= {"name", "query", "hits"} and one["hits"] == []
    every = json.loads(cli_run(base, "saved", "run", "--all", "--json", env=env).output)
    assert [r["name"] for r in every["runs"]] == ["irak21", "roq"]
    assert cli_run(base, "saved", "run", env=env).exit_code == 2
    gone = cli_run(base, "saved", "rm", "roq", env=env)
    assert gone.exit_code == 0
    missing = cli_run(base, "saved", "run", "roq", env=env)
    assert missing.exit_code == 1 and "no saved search named 'roq'" in missing.output
    kit.close()


# -- timelines ---------------------------------------------------------------------------


def test_timeline_matches_the_hits_dates(kit: SearchKit) -> None:
    hits = all_hits(kit)
    for by in timeline.PERIODS:
        tl = kit.timeline("", by=by)
        expected: Counter[str] = Counter()
        undated = imprecise = 0
        need = {"year": 4, "month": 7, "week": 10}[by]
        for h in hits:
            if not h.published:
                undated += 1
            elif len(h.published) < need:
                imprecise += 1
            else:
                import datetime as dt

                day = dt.date.fromisoformat((h.published + "-01-01")[:10])
                expected[timeline.period_label(day, by)] += 1
        assert {p.period: p.count for p in tl.periods if p.count} == dict(expected), by
        assert (tl.undated, tl.imprecise, tl.total) == (undated, imprecise, len(hits))
        assert sum(p.count for p in tl.periods) + undated + imprecise == len(hits)


def test_timeline_fills_gaps_and_filters(kit: SearchKit) -> None:
    tl = kit.timeline("", by="month")
    labels = [p.period for p in tl.periods]
    y, m = int(labels[0][:4]), int(labels[0][5:])
    for label in labels:
        assert label == f"{y:04d}-{m:02d}"
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    filt = {"person": ["Kazimi"]}
    assert kit.timeline("", filt).total == kit.search("", filters=filt, limit=0).total
    with pytest.raises(QueryError):
        kit.timeline("", by="day")


def test_timeline_cli_text_json_and_charts(base: Path, kit: SearchKit, tmp_path: Path) -> None:
    js = json.loads(cli_run(base, "timeline", "roquettes", "--by", "year", "--json").output)
    assert js == kit.timeline("roquettes", by="year").to_dict()
    assert set(js) >= {"by", "total", "undated", "periods"}
    text = cli_run(base, "timeline", "--by", "year")
    assert text.exit_code == 0 and "█" in text.output
    pytest.importorskip("matplotlib")
    svg, png = tmp_path / "t.svg", tmp_path / "t.png"
    res = cli_run(base, "timeline", "roquettes", "--svg", str(svg), "--png", str(png))
    assert res.exit_code == 0
    assert "<svg" in svg.read_text("utf-8")[:2000] and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert cli_run(base, "timeline", "--svg", str(tmp_path / "t.png")).exit_code == 2


def test_missing_matplotlib_is_a_hint(kit: SearchKit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingExtraError) as err:
        timeline.plot(kit.timeline(""), tmp_path / "t.svg")
    assert "searchkit[plot]" in (err.value.hint or "")


# -- REPL ------------------------------------------------------------------------------------


def test_repl_workflow_commands(kit: SearchKit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    engine = repl.ReplEngine(kit, Style(False))
    help_text = engine.handle(":help").text
    for name in ("with", "timeline", "export", "save"):
        assert f":{name}" in help_text
    engine.handle("roquettes")
    engine.handle(":filter published=2020")
    res = engine.handle(":with Kazimi")
    expected = kit.associated("Kazimi", query="roquettes", filters={"published": ["2020"]})
    assert not res.error and res.text.startswith(f"With {expected.actor}: {expected.articles} of")
    tl = engine.handle(":timeline year Kazimi")
    want = kit.timeline("roquettes", {"published": ["2020"], "actor": ["Kazimi"]}, by="year")
    assert not tl.error and f"{want.total} article" in tl.text
    out = tmp_path / "r.csv"
    exp = engine.handle(f":export {out}")
    rows = list(csv.DictReader(open(out, encoding="utf-8", newline="")))
    assert not exp.error and [r["id"] for r in rows] == [h.id for h in all_hits(kit, "roquettes", {"published": ["2020"]})]
    saved_reply = engine.handle(":save roq2020")
    assert not saved_reply.error
    (s,) = saved.SavedSearches(kit).list()
    assert (s.name, s.query, s.filters) == ("roq2020", "roquettes", {"published": ["2020"]})
    for bad in (":with", ":export x.txt", ":save", ":with Zzyzx Qwerty", ":timeline day"):
        r = engine.handle(bad)
        assert r.error or "article" in r.text, bad
    assert engine.handle(":with Zzyzx Qwerty").error


def test_repl_completes_with(kit: SearchKit) -> None:
    engine = repl.ReplEngine(kit, Style(False))
    display = kit.resolve_actor("Kazimi", "person").name
    assert display in [s.display for s in repl.complete(engine, ":with kaz")]
    assert [s.text for s in repl.complete(engine, ":timeline w")][:1] == ["week"]
    assert display in [s.display for s in repl.complete(engine, ":timeline year kaz")]


# -- real news: OrangeSum -----------------------------------------------------------------------

SAMPLE = 150


@pytest.fixture(scope="module")
def orangesum(tmp_path_factory: pytest.TempPathFactory):
    """150 OrangeSum articles (every 200th of the corpus) indexed with actors, and the
    next one kept back to arrive later."""
    src = shared_data("orangesum", "orangesum_articles.jsonl.gz")
    base = tmp_path_factory.mktemp("orangesum")
    rows = []
    with gzip.open(src, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i % 200 == 0:
                r = json.loads(line)
                if r.get("text") and r.get("title"):
                    rows.append({"id": f"os{r['id']}", "title": r["title"], "date": r["date"], "text": r["text"]})
            if len(rows) > SAMPLE:
                break
    (base / "corpus").mkdir()
    with open(base / "corpus" / "sample.jsonl", "w", encoding="utf-8") as fh:
        for r in rows[:SAMPLE]:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    kit = SearchKit.open(ROOT / "config.yaml", index_dir=base / "index", corpus=base / "corpus")
    kit.config.workers = 1
    kit.index()
    yield kit, rows[:SAMPLE], rows[SAMPLE], base
    kit.close()


def test_orangesum_timeline_matches_source_dates(orangesum) -> None:
    kit, rows, _, _ = orangesum
    tl = kit.timeline("", by="month")
    expected = Counter(r["date"][:7] for r in rows if r["date"])
    assert {p.period: p.count for p in tl.periods if p.count} == dict(expected)
    assert tl.undated == sum(not r["date"] for r in rows)


def test_orangesum_ubiquitous_actor_does_not_top_every_list(orangesum) -> None:
    import numpy as np

    kit, _, _, _ = orangesum
    table = kit._engine.backend.tables["actor"]
    counts = table.count(kit._engine.backend.match_mask(kit._engine.parse("").tree))
    order = [table.values[i] for i in np.argsort(-counts, kind="stable")]
    top_actor, targets = order[0], order[1:11]
    firsts = {m: [] for m in ("llr", "count")}
    for t in targets:
        for m in firsts:
            res = kit.associated(t, measure=m, top=5)
            if res.actors:
                firsts[m].append(res.actors[0].value)
    # Raw co-mention counts put the most mentioned actor first nearly everywhere;
    # the log-likelihood does so far less often.
    assert firsts["llr"].count(top_actor) < firsts["count"].count(top_actor)
    assert firsts["llr"].count(top_actor) <= len(firsts["llr"]) // 2


def test_orangesum_export_roundtrip(orangesum, tmp_path: Path) -> None:
    kit, rows, _, _ = orangesum
    buf = io.StringIO(newline="")
    n = kit.export(buf, "csv", "", None)
    back = list(csv.DictReader(io.StringIO(buf.getvalue(), newline="")))
    assert n == len(back) == len(rows)
    source = {r["id"]: r for r in rows}
    for r in back:
        assert " ".join(r["title"].split()) == " ".join(source[r["id"]]["title"].split())
        assert r["published"] == source[r["id"]]["date"]


def test_orangesum_saved_search_sees_one_new_article(orangesum, tmp_path: Path) -> None:
    kit, _, extra, base = orangesum
    word = max((w for w in extra["title"].split() if w.isalpha()), key=len)
    store = saved.SavedSearches(kit, {"XDG_DATA_HOME": str(tmp_path)})
    store.add("real", word)
    (base / "corpus" / "late.jsonl").write_text(json.dumps(extra, ensure_ascii=False) + "\n", "utf-8")
    kit.index()
    run = store.run("real")
    assert [h.id for h in run.hits] == [extra["id"]]


def test_missing_matplotlib_cli_is_one_line(base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    res = CliRunner().invoke(cli, ["--config", str(base / "config.yaml"), "timeline", "--png", str(tmp_path / "t.png")])
    assert res.exit_code == 1 and res.output.count("\n") == 1 and "pip install 'searchkit[plot]'" in res.output
    assert not (tmp_path / "t.png").exists()


def test_real_subprocess_with_and_export(base: Path) -> None:
    import os
    import subprocess

    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "searchkit", "--config", str(base / "config.yaml")]
    proc = subprocess.run([*cmd, "with", "Kadhimi", "--json"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["actors"]
    proc = subprocess.run([*cmd, "search", "roquettes", "--format", "csv"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert len(list(csv.DictReader(io.StringIO(proc.stdout)))) == json.loads(
        subprocess.run([*cmd, "search", "roquettes", "--json", "-n", "0"], capture_output=True, text=True, env=env, timeout=120).stdout
    )["total"]
