"""Near-duplicates: signatures and groups (dedup.py), the store beside the index
(duplicates.py), collapsing in search, on the seeds and on real OrangeSum articles."""
from __future__ import annotations

import gzip
import itertools
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from searchkit import SearchKit
from searchkit.dedup import DEFAULT, DuplicateGroups, find_groups, shingles, signature
from searchkit.duplicates import SIGNATURE_FILE, SignatureStore

from .conftest import ROOT, SEEDS, shared_data


def _near_copy(text: str) -> str:
    """The same story lightly edited, as a second outlet runs it: a word changed and
    a closing line added."""
    words = text.split()
    words[len(words) // 2] = "toutefois"
    return " ".join(words) + "\n\nAvec AFP."


def _seed_texts() -> dict[str, str]:
    return {p.stem: p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt"))}


# -- pure functions -------------------------------------------------------------

def test_signature_is_deterministic_and_estimates_jaccard() -> None:
    texts = list(_seed_texts().values())
    a, b = signature(texts[0]), signature(texts[0])
    assert a is not None and a.dtype == np.uint32 and len(a) == DEFAULT.num_perm
    assert np.array_equal(a, b)
    copy = signature(_near_copy(texts[0]))
    other = signature(texts[1])
    sa, sc = shingles(texts[0], DEFAULT.shingle), shingles(_near_copy(texts[0]), DEFAULT.shingle)
    true_j = len(sa & sc) / len(sa | sc)
    assert abs(float(np.mean(a == copy)) - true_j) < 0.15
    assert float(np.mean(a == other)) < 0.2
    assert signature("  ... !! ") is None


def test_find_groups_joins_copies_only() -> None:
    texts = list(_seed_texts().values())
    corpus = texts + [_near_copy(texts[2]), _near_copy(texts[2]) + " Mis à jour.", ""]
    sigs = np.zeros((len(corpus), DEFAULT.num_perm), dtype=np.uint32)
    for i, t in enumerate(corpus):
        s = signature(t)
        if s is not None:
            sigs[i] = s
    labels = find_groups(sigs)
    n = len(texts)
    assert labels[2] == labels[n] == labels[n + 1] == 2
    assert all(labels[i] == -1 for i in range(len(corpus)) if i not in (2, n, n + 1))


def test_collapse_keeps_the_best_ranked_of_each_group() -> None:
    groups = DuplicateGroups(np.array([-1, 1, 1, -1, 1]), ["a", "b", "c", "d", "e"])
    assert groups.collapse([4, 0, 1, 3, 2], 10) == ([4, 0, 3], True)
    assert groups.collapse([4, 0, 1, 3, 2], 2) == ([4, 0], False)
    assert groups.others(2) == ["b", "e"]
    mask = np.array([True, True, True, False, True])
    scores = np.array([1.0, 0.5, 3.0, 0.0, 2.0])
    assert groups.representatives(mask, scores).tolist() == [True, False, True, False, False]


# -- in an index ----------------------------------------------------------------

def _kit(tmp_path: Path, corpus: Path) -> SearchKit:
    kit = SearchKit.open(ROOT / "config.yaml", index_dir=tmp_path / "index", corpus=corpus)
    kit.config.workers = 1
    kit.config.actors = False  # NER is not what is tested here, and costs seconds
    return kit


@pytest.fixture
def copied(tmp_path: Path) -> tuple[SearchKit, Path, str, str]:
    """The seeds plus a near-copy of one of them."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    original = sorted(corpus.glob("*.txt"))[1]
    (corpus / "reprise.txt").write_text(_near_copy(original.read_text("utf-8")), "utf-8")
    kit = _kit(tmp_path, corpus)
    kit.index()
    yield kit, corpus, original.stem, "reprise"
    kit.close()


def test_search_collapses_a_duplicate_group(copied: tuple[SearchKit, Path, str, str]) -> None:
    kit, _, original, copy = copied
    everything = kit.search("*", limit=20)
    ids = [h.id for h in everything.hits]
    assert everything.total == 5 and len(ids) == 5
    assert (original in ids) != (copy in ids)  # one hit for the group
    kept = next(h for h in everything.hits if h.id in (original, copy))
    assert set(kept.duplicates) == {original, copy} - {kept.id}
    assert all(h.duplicates == () for h in everything.hits if h is not kept)
    assert kept.to_dict()["duplicates"] == list(kept.duplicates)
    # A word of the story: the group still gives one hit, on the fast path and on
    # Whoosh's (a phrase), by relevance and by date.
    word = "Kataib" if "Kataib" in kit.document(original).body else kit.document(original).body.split()[3]
    for q, sort in ((word, "relevance"), (f'"{word}"', "relevance"), (word, "date")):
        res = kit.search(q, limit=20, sort=sort)
        found = [h.id for h in res.hits if h.id in (original, copy)]
        assert len(found) == 1, (q, sort, [h.id for h in res.hits])
        assert res.total == len(res.hits)


def test_no_collapse_shows_every_copy(copied: tuple[SearchKit, Path, str, str]) -> None:
    kit, _, original, copy = copied
    res = kit.search("*", limit=20, collapse=False)
    by_id = {h.id: h for h in res.hits}
    assert res.total == 6 and len(by_id) == 6
    assert by_id[original].duplicates == (copy,) and by_id[copy].duplicates == (original,)
    # Facets: with collapsing each group counts once, like the hit list.
    collapsed = kit.search("*", limit=0).facets["published"]
    full = res.facets["published"]
    assert sum(v.count for v in full) == sum(v.count for v in collapsed) + 1


def test_paging_over_collapsed_hits(copied: tuple[SearchKit, Path, str, str]) -> None:
    kit, *_ = copied
    whole = [h.id for h in kit.search("*", limit=20).hits]
    pages = [h.id for off in range(0, 5, 2) for h in kit.search("*", limit=2, offset=off).hits]
    assert pages == whole


def test_removing_or_changing_an_article_updates_groups(copied: tuple[SearchKit, Path, str, str]) -> None:
    kit, corpus, original, copy = copied
    # Changed into another story: no longer a copy.
    (corpus / "reprise.txt").write_text("Un tout autre sujet : la météo de demain sera pluvieuse sur la Bretagne.", "utf-8")
    kit.index()
    res = kit.search("*", limit=20)
    assert res.total == 6 and all(h.duplicates == () for h in res.hits)
    # Back to a copy, then removed.
    (corpus / "reprise.txt").write_text(_near_copy(kit.document(original).body), "utf-8")
    kit.index()
    assert kit.search("*", limit=20).total == 5
    (corpus / "reprise.txt").unlink()
    report = kit.index()
    assert report.removed == 1
    res = kit.search("*", limit=20, collapse=False)
    assert res.total == 5 and all(h.duplicates == () for h in res.hits)
    store = SignatureStore.load(kit.config.index_dir)
    assert set(store.entries) == {h.id for h in res.hits}


def test_a_store_out_of_step_with_the_index_is_reconciled(copied: tuple[SearchKit, Path, str, str]) -> None:
    """A kill between a commit and the store's save leaves the file one generation
    behind: searches and the next run rebuild it from the index's stored texts."""
    kit, corpus, original, copy = copied
    index_dir = kit.config.index_dir
    stale = (index_dir / SIGNATURE_FILE).read_bytes()  # knows the copy
    (corpus / "reprise.txt").unlink()
    (corpus / "encore.txt").write_text(_near_copy(kit.document(original).body) + " Encore.", "utf-8")
    kit.index()
    (index_dir / SIGNATURE_FILE).write_bytes(stale)  # as if killed before the save
    for cache in (index_dir / "fast").glob("dups-*.pickle"):
        cache.unlink()
    kit.close()
    res = kit.search("*", limit=20)
    kept = next(h for h in res.hits if h.id in (original, "encore"))
    assert set(kept.duplicates) == {original, "encore"} - {kept.id}
    assert res.total == 5
    # The next run repairs the file itself.
    (corpus / "encore.txt").unlink()
    kit.index()
    assert set(SignatureStore.load(index_dir).entries) == {h.id for h in kit.search("*", limit=20).hits}


def test_cli_no_collapse(copied: tuple[SearchKit, Path, str, str], tmp_path: Path) -> None:
    from searchkit.ui.cli import cli

    kit, corpus, original, copy = copied
    config = tmp_path / "config.yaml"
    config.write_text(f"corpus: {corpus}\nindex_dir: {kit.config.index_dir}\nextract:\n  actors: false\n", "utf-8")
    runner = CliRunner()
    out = runner.invoke(cli, ["--config", str(config), "search", "*", "-n", "20", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["total"] == 5 and any(h["duplicates"] for h in data["hits"])
    out = runner.invoke(cli, ["--config", str(config), "search", "*", "-n", "20", "--no-collapse", "--json"])
    assert json.loads(out.output)["total"] == 6
    text = runner.invoke(cli, ["--config", str(config), "search", "*", "-n", "20"]).output
    assert "+ 1 copy: " in text
    assert "--no-collapse" in runner.invoke(cli, ["search", "--help"]).output


# -- real articles ---------------------------------------------------------------

def test_orangesum_copies_collapse(tmp_path: Path) -> None:
    """OrangeSum articles with the same title and the same text (from the corpus's own
    list of duplicates) come back as one hit; unrelated articles stay apart."""
    path = shared_data("orangesum", "orangesum_articles.jsonl.gz")
    dup_list = shared_data("orangesum", "list_of_duplicates.txt")
    rows: dict[str, dict] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in itertools.islice(fh, 1500):
            row = json.loads(line)
            if row.get("text"):
                rows[str(row["id"])] = row
    groups = [[m.removesuffix(".json") for m in line.split(",")] for line in dup_list.read_text("utf-8").split()]
    same_text = [g for g in groups if len(g) == 2 and all(m in rows for m in g) and rows[g[0]]["text"] == rows[g[1]]["text"]]
    assert len(same_text) >= 3, "the sample should hold copies"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    keep = {m for g in same_text[:5] for m in g} | set(list(rows)[:300])
    with open(corpus / "orangesum.jsonl", "w", encoding="utf-8") as fh:
        for i in sorted(keep, key=int):
            r = rows[i]
            fh.write(json.dumps({"id": i, "title": r["title"], "text": r["text"], "date": r["date"]}, ensure_ascii=False) + "\n")
    kit = _kit(tmp_path, corpus)
    kit.index()
    try:
        everything = kit.search("*", limit=1000)
        shown = {h.id: h for h in everything.hits}
        for a, b in same_text[:5]:
            assert (a in shown) != (b in shown), (a, b)
            kept = shown.get(a) or shown[b]
            assert ({a, b} - {kept.id}) <= set(kept.duplicates)
        assert everything.total < kit.search("*", limit=0, collapse=False).total
        # Copies, not topics: every copy shares most of its word 3-grams with the hit.
        for h in everything.hits:
            mine = shingles(rows[h.id]["text"], DEFAULT.shingle)
            for other in h.duplicates:
                theirs = shingles(rows[other]["text"], DEFAULT.shingle)
                assert len(mine & theirs) / len(mine | theirs) >= 0.5, (h.id, other)
    finally:
        kit.close()


def test_an_index_without_signatures_is_signed_by_the_next_run(tmp_path: Path) -> None:
    """An index made before near-duplicates (no signature file): searches do not
    collapse (and do not sign the corpus themselves); the next `index`, with nothing
    else to do, signs it once."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    first = sorted(corpus.glob("*.txt"))[0]
    (corpus / "reprise.txt").write_text(_near_copy(first.read_text("utf-8")), "utf-8")
    kit = _kit(tmp_path, corpus)
    kit.config.duplicates = False
    kit.index()
    kit.close()
    assert not (kit.config.index_dir / SIGNATURE_FILE).exists()
    kit.config.duplicates = True
    assert kit.search("*", limit=20).total == 6
    kit.close()
    report = kit.index()
    assert report.unchanged and (kit.config.index_dir / SIGNATURE_FILE).exists()
    res = kit.search("*", limit=20)
    assert res.total == 5 and any(h.duplicates for h in res.hits)
    kit.close()


def test_kill_9_leaves_groups_consistent_with_the_committed_index(tmp_path: Path) -> None:
    """`kill -9` of `searchkit index` at random points after the first commit: every
    search afterwards groups exactly the copies that are committed, and the next run
    ends with every group whole."""
    import os
    import random
    import signal
    import subprocess
    import sys
    import time

    rng = random.Random(11)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seeds = _seed_texts()
    vocabulary = sorted({w for t in seeds.values() for w in t.split() if w.isalpha()})
    truth: dict[str, str] = {}  # article id -> its story (copies share one)
    for stem, text in seeds.items():
        for n in range(30):
            extra = " ".join(rng.choice(vocabulary) for _ in range(8))
            (corpus / f"{stem}-v{n}.txt").write_text(f"{text}\n\n{extra}.", "utf-8")
            truth[f"{stem}-v{n}"] = stem
    for n in range(150):
        words = " ".join(rng.choice(vocabulary) for _ in range(80))
        (corpus / f"autre-{n}.txt").write_text(f"Autre {n}\n\n{words}.", "utf-8")
        truth[f"autre-{n}"] = f"autre-{n}"
    index_dir = tmp_path / "index"
    config = tmp_path / "config.yaml"
    config.write_text(
        f"corpus: {corpus}\nindex_dir: {index_dir}\nextract: {{actors: false}}\nindex: {{workers: 1, commit_every: 20}}\n", "utf-8"
    )
    cmd = [sys.executable, "-m", "searchkit", "--config", str(config), "index"]

    def check() -> int:
        kit = SearchKit.open(config)
        try:
            res = kit.search("*", limit=1000, collapse=False, facets=False)
            live = {h.id for h in res.hits}
            for h in res.hits:
                expected = {i for i in live if truth[i] == truth[h.id]} - {h.id}
                assert set(h.duplicates) == expected, (h.id, sorted(h.duplicates), sorted(expected))
            return len(live)
        finally:
            kit.close()

    landed = 0
    for trial in range(3):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        start = time.monotonic()
        # Wait for a commit of this run, then a random moment more.
        gen0 = _generation(index_dir)
        while proc.poll() is None and _generation(index_dir) <= gen0 and time.monotonic() - start < 60:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.6))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            landed += 1
        proc.wait()
        check()
    assert landed
    assert subprocess.run(cmd, capture_output=True, timeout=300).returncode == 0
    assert check() == len(truth)
    assert set(SignatureStore.load(index_dir).entries) == set(truth)


def _generation(index_dir: Path) -> int:
    try:
        return int(json.loads((index_dir / "manifest.json").read_text("utf-8"))["generation"])
    except (OSError, ValueError, KeyError):
        return -1
