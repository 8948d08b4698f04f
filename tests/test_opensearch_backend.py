"""The OpenSearch backend against a real node: the same answers as the Whoosh backend.

Needs the ``opensearch_url`` fixture (a local node from Maven Central jars, or
$SEARCHKIT_OPENSEARCH_URL); skipped with the reason where Java or Maven are missing.
"""
from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, SEEDS, drop_opensearch_index, opensearch_kit, shared_data

QUERIES = [
    "aeroport", "teheran", "roquette", '"zone verte"', "etats unis", "États-Unis", '"États-Unis"', "oeuvre",
    "kadhimi~2", "sécurité", "securite", "hostilites", "hostilités", "zzyzx", "Qu'est-ce que les roquettes Katioucha ?",
    "roquettes ET Katioucha", "roquettes SAUF Soleimani", "Katioucha OU Pezeshkian", "titre:roquettes", "aéro*",
    "personne:Kazimi", 'personne:"Joe Biden"', 'date:"décembre 2020"', "roquettes date:2020-11", "le la les",
    "NOT roquettes", '"unclosed', "roquettes ambassade", "Bagdad personne:Kadhimi", "roquettes lieu:Bagdad",
    "date:2020-11..2021-01 roquettes",
]
FILTERS = [
    {"published": ["2020-12"]}, {"published": ["2020"]}, {"published": ["2020-11..2021-01"]},
    {"published": ["décembre 2020"]}, {"person": ["Joe Biden"]}, {"person": ["Kadhimi"]}, {"org": ["Brigades du Hezbollah"]},
    {"published": ["undated"]},
]


def ids(res: Any) -> list[str]:
    return sorted(h.id for h in res.hits)


@pytest.fixture(scope="module")
def os_kit(opensearch_url: str, tmp_path_factory: pytest.TempPathFactory):
    """The seeds, indexed (actors and dates) into a fresh OpenSearch index."""
    base = tmp_path_factory.mktemp("os_seeds")
    corpus = base / "seeds"
    shutil.copytree(SEEDS, corpus)
    name = f"searchkit-test-{os.getpid()}-seeds"
    drop_opensearch_index(opensearch_url, name)
    kit = opensearch_kit(corpus, name, opensearch_url)
    report = kit.index()
    assert report.documents == 5
    yield kit
    kit.close()
    drop_opensearch_index(opensearch_url, name)


@pytest.mark.parametrize("query", QUERIES)
def test_seed_queries_same_articles_on_both_backends(seeds_kit, os_kit, query: str) -> None:
    w, o = seeds_kit.search(query, limit=20), os_kit.search(query, limit=20)
    assert ids(o) == ids(w) and o.total == w.total
    assert o.notices == w.notices and o.suggestion == w.suggestion


@pytest.mark.parametrize("filters", FILTERS)
def test_seed_filters_same_articles(seeds_kit, os_kit, filters: dict[str, list[str]]) -> None:
    assert ids(os_kit.search("", filters=filters, limit=20)) == ids(seeds_kit.search("", filters=filters, limit=20))
    assert ids(os_kit.search("roquettes", filters=filters, limit=20)) == ids(seeds_kit.search("roquettes", filters=filters, limit=20))


@pytest.mark.parametrize("field", ["actor", "person", "org", "place", "published", "mentioned"])
def test_seed_facet_counts_same(seeds_kit, os_kit, field: str) -> None:
    def table(kit: Any, query: str = "") -> list[tuple[str, int, tuple[str, ...]]]:
        return [(v.value, v.count, v.variants) for v in kit.facets(field, query=query, top=0).get(field)]

    assert table(os_kit) == table(seeds_kit) and table(os_kit)
    assert table(os_kit, "roquettes") == table(seeds_kit, "roquettes")


def test_seed_facets_known_values(os_kit) -> None:
    person = {v.value: v for v in os_kit.facets("person", top=0).person}
    assert person["Qassem Soleimani"].count == 4 and person["Donald Trump"].count == 4
    kazimi = [v for name, v in person.items() if "Kazimi" in name or "Kadhimi" in name]
    assert len(kazimi) == 1 and kazimi[0].count == 2  # one actor, two spellings merged
    assert "Kataib Hezbollah" in {v.value for v in os_kit.facets("org", top=0).org}  # alias from config.yaml


def test_marks_and_snippets(seeds_kit, os_kit) -> None:
    import re

    def marked(res: Any) -> set[str]:
        return {m for h in res.hits for s in h.snippets for m in re.findall(r"<mark>(.*?)</mark>", s)}

    for q in ("aeroport", "teheran", "oeuvre", '"zone verte"', "kadhimi~2"):
        assert marked(os_kit.search(q)) == marked(seeds_kit.search(q)), q


def test_sort_by_date_paging_and_document(os_kit) -> None:
    res = os_kit.search("roquettes", sort="date", limit=5)
    dates = [h.published for h in res.hits if h.published]
    assert dates == sorted(dates, reverse=True)
    page1, page2 = os_kit.search("roquettes", limit=2), os_kit.search("roquettes", limit=2, offset=2)
    assert len(page2.hits) == 2 and not set(ids(page1)) & set(ids(page2)) and page2.hits[0].rank == 3
    doc = os_kit.document(page1.hits[0].id)
    assert doc.title == page1.hits[0].title and doc.body


def test_json_contract_same_keys(seeds_kit, os_kit) -> None:
    w, o = seeds_kit.search("roquettes", limit=1).to_dict(), os_kit.search("roquettes", limit=1).to_dict()
    assert o.keys() == w.keys() and o["hits"][0].keys() == w["hits"][0].keys()


def test_incremental_runs(opensearch_url: str, tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    shutil.copytree(SEEDS, corpus)
    name = f"searchkit-test-{os.getpid()}-incremental"
    drop_opensearch_index(opensearch_url, name)
    kit = opensearch_kit(corpus, name, opensearch_url, actors=False)
    try:
        assert kit.index().added == 5
        again = kit.index()
        assert again.unchanged and again.documents == 5
        first = sorted(corpus.glob("*.txt"))[0]
        first.write_text(first.read_text("utf-8") + "\nUn paragraphe ajouté sur les zeppelins.\n", "utf-8")
        sorted(corpus.glob("*.txt"))[1].unlink()
        report = kit.index()
        assert (report.updated, report.removed, report.documents) == (1, 1, 4)
        assert kit.search("zeppelins").total == 1
    finally:
        kit.close()
        drop_opensearch_index(opensearch_url, name)


def _many_files(folder: Path, n: int) -> None:
    folder.mkdir(parents=True)
    bodies = [p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    for i in range(n):
        (folder / f"a{i:04d}.txt").write_text(bodies[i % len(bodies)] + f"\nMarqueur unique{i:04d}.\n", "utf-8")


def _check_complete(url: str, name: str, n: int) -> None:
    from searchkit.backends.opensearch import OpenSearchBackend

    backend = OpenSearchBackend(url, name)
    try:
        backend.refresh()
        assert backend.count() == n  # nothing lost, nothing twice
        sources = backend.vocabulary("source")
        assert len(sources) == n and set(sources.values()) == {1}
        manifest = backend.manifest()
        assert len(manifest) == n and all(len(e["ids"]) == 1 for e in manifest.values())
    finally:
        backend.close()


def test_crash_between_documents_and_manifest(opensearch_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Documents accepted, the process dies before their manifest entries: the next run
    rewrites those files' documents, once."""
    from searchkit.backends import ingest
    from searchkit.backends.opensearch import OpenSearchBackend

    corpus = tmp_path / "c"
    _many_files(corpus, 60)
    name = f"searchkit-test-{os.getpid()}-crash"
    drop_opensearch_index(opensearch_url, name)
    monkeypatch.setattr(ingest, "BATCH_DOCS", 20)
    calls = {"n": 0}
    real = OpenSearchBackend.save_manifest

    def dying(self: Any, entries: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # the process stops right after a batch of documents
        real(self, entries)

    monkeypatch.setattr(OpenSearchBackend, "save_manifest", dying)
    kit = opensearch_kit(corpus, name, opensearch_url, actors=False)
    try:
        with pytest.raises(KeyboardInterrupt):
            kit.index()
        monkeypatch.setattr(OpenSearchBackend, "save_manifest", real)
        report = kit.index()
        assert report.documents == 60 and report.added == 40
        _check_complete(opensearch_url, name, 60)
    finally:
        kit.close()
        drop_opensearch_index(opensearch_url, name)


def test_kill_9_mid_run_then_rerun(opensearch_url: str, tmp_path: Path) -> None:
    """kill -9 of `searchkit index` while it writes; the next run finishes the job."""
    from searchkit.backends.opensearch_client import OpenSearchClient

    corpus = tmp_path / "c"
    n = 400
    _many_files(corpus, n)
    name = f"searchkit-test-{os.getpid()}-kill"
    drop_opensearch_index(opensearch_url, name)
    config = tmp_path / "config.yaml"
    config.write_text(
        f"corpus: c\nindex_dir: idx\nextract: {{actors: false}}\nindex: {{workers: 1}}\n"
        f"backend: opensearch\nopensearch: {{url: '{opensearch_url}', index: {name}}}\n", "utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SEARCHKIT_OPENSEARCH_URL": opensearch_url, "SEARCHKIT_BULK_DOCS": "25"}
    cmd = [sys.executable, "-m", "searchkit", "--config", str(config), "index"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    killed_at = None
    try:
        with OpenSearchClient(opensearch_url) as client:
            deadline = time.time() + 120
            while time.time() < deadline and proc.poll() is None:
                if client.index_exists(name + "-manifest"):
                    client.refresh(name + "-manifest")
                    done = client.request("POST", f"/{name}-manifest/_count", {})["count"]
                    if done >= 50:
                        proc.send_signal(signal.SIGKILL)
                        killed_at = done
                        break
                time.sleep(0.05)
        proc.wait(30)
        assert killed_at is not None and killed_at < n, f"the run ended before it could be killed: {proc.stderr.read()!r}"
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        _check_complete(opensearch_url, name, n)
    finally:
        if proc.poll() is None:
            proc.kill()
        drop_opensearch_index(opensearch_url, name)


def test_node_down_is_one_line_with_hint(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("corpus: c\nbackend: opensearch\nopensearch: {url: 'http://127.0.0.1:9'}\n", "utf-8")
    env = {k: v for k, v in os.environ.items() if k != "SEARCHKIT_OPENSEARCH_URL"}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run([sys.executable, "-m", "searchkit", "--config", str(config), "search", "roquettes"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert "cannot reach OpenSearch at http://127.0.0.1:9" in out.stderr and "make opensearch" in out.stderr


def test_config_validates_backend(tmp_path: Path) -> None:
    from searchkit.config import load_config
    from searchkit.errors import ConfigError

    for bad in ("backend: elastic\n", "opensearch: {index: 'Bad Name'}\n", "opensearch: {shards: 0}\n"):
        (tmp_path / "c.yaml").write_text(bad, "utf-8")
        with pytest.raises(ConfigError):
            load_config(tmp_path / "c.yaml")
    (tmp_path / "c.yaml").write_text("backend: opensearch\nopensearch: {url: 'http://h:9200', index: news, shards: 3, replicas: 1}\n", "utf-8")
    cfg = load_config(tmp_path / "c.yaml")
    assert (cfg.backend, cfg.opensearch_index, cfg.opensearch_shards, cfg.opensearch_replicas) == ("opensearch", "news", 3, 1)


# -- 2,000 OrangeSum articles: ranking close to the Whoosh backend's ------------------
ORANGESUM_N = 2000


@pytest.fixture(scope="module")
def orangesum_pair(opensearch_url: str, tmp_path_factory: pytest.TempPathFactory):
    source = shared_data("orangesum", "orangesum_articles.jsonl.gz")
    from searchkit import SearchKit

    base = tmp_path_factory.mktemp("os_orangesum")
    corpus = base / "corpus"
    corpus.mkdir()
    titles = []
    with gzip.open(source, "rt", encoding="utf-8") as fh, open(corpus / "orangesum.jsonl", "w", encoding="utf-8") as out:
        for i, line in enumerate(fh):
            if i >= ORANGESUM_N:
                break
            row = json.loads(line)
            out.write(json.dumps({"id": f"os{row['id']}", "title": row["title"], "text": row["text"], "date": row.get("date")}, ensure_ascii=False) + "\n")
            titles.append(row["title"])
    whoosh = SearchKit.open(ROOT / "config.yaml", index_dir=base / "index", corpus=corpus)
    whoosh.config.actors = False
    whoosh.config.workers = 1
    whoosh.index()
    name = f"searchkit-test-{os.getpid()}-orangesum"
    drop_opensearch_index(opensearch_url, name)
    os_kit = opensearch_kit(corpus, name, opensearch_url, actors=False)
    os_kit.index()
    yield whoosh, os_kit, titles
    whoosh.close()
    os_kit.close()
    drop_opensearch_index(opensearch_url, name)


def test_orangesum_title_queries_overlap(orangesum_pair) -> None:
    whoosh, os_kit, titles = orangesum_pair
    queries = titles[::40][:50]
    overlaps, ratios = [], []
    for q in queries:
        # collapse=False: near-duplicate groups are a Whoosh-backend feature so far; the
        # backends are compared article for article.
        w, o = whoosh.search(q, limit=10, facets=False, snippets=0, collapse=False), os_kit.search(q, limit=10, facets=False, snippets=0)
        overlaps.append(len({h.id for h in w.hits} & {h.id for h in o.hits}) / max(1, len(w.hits)))
        ratios.append(abs(o.total - w.total) / max(1, w.total))
    mean = sum(overlaps) / len(overlaps)
    print(f"top-10 overlap {mean:.3f} (min {min(overlaps):.2f}); totals: max rel diff {max(ratios):.4f}")
    assert mean >= 0.7
    assert max(ratios) <= 0.05


def test_two_indexers_split_one_corpus(opensearch_url: str, tmp_path: Path) -> None:
    """`searchkit index --part 1/2` and `--part 2/2` at once: one complete index."""
    from searchkit.backends.ingest import in_part, parse_part
    from searchkit.errors import SearchkitError

    assert parse_part("2/3") == (2, 3)
    for bad in ("0/2", "3/2", "x"):
        with pytest.raises(SearchkitError):
            parse_part(bad)
    keys = [f"k{i}" for i in range(1000)]
    shares = [sum(in_part(k, (i, 3)) for k in keys) for i in (1, 2, 3)]
    assert sum(shares) == 1000 and min(shares) > 250  # every file in exactly one part, evenly
    corpus = tmp_path / "c"
    n = 120
    _many_files(corpus, n)
    name = f"searchkit-test-{os.getpid()}-parts"
    drop_opensearch_index(opensearch_url, name)
    config = tmp_path / "config.yaml"
    config.write_text(
        f"corpus: c\nindex_dir: idx\nextract: {{actors: false}}\nindex: {{workers: 1}}\n"
        f"backend: opensearch\nopensearch: {{url: '{opensearch_url}', index: {name}}}\n", "utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SEARCHKIT_OPENSEARCH_URL": opensearch_url}
    try:
        procs = [subprocess.Popen([sys.executable, "-m", "searchkit", "--config", str(config), "index", "--part", f"{i}/2", "--json"],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in (1, 2)]
        reports = []
        for p in procs:
            out, err = p.communicate(timeout=300)
            assert p.returncode == 0, err
            reports.append(json.loads(out))
        assert sum(r["added"] for r in reports) == n and all(r["added"] for r in reports)
        _check_complete(opensearch_url, name, n)
        again = subprocess.run([sys.executable, "-m", "searchkit", "--config", str(config), "index", "--part", "1/2", "--json"],
                               env=env, capture_output=True, text=True, timeout=300)
        assert json.loads(again.stdout)["unchanged"]  # the other part's files are not "gone"
        refused = subprocess.run([sys.executable, "-m", "searchkit", "--config", str(config), "index", "--part", "1/2", "--rebuild"],
                                 env=env, capture_output=True, text=True, timeout=300)
        assert refused.returncode != 0 and "rebuild once without --part" in refused.stderr and "Traceback" not in refused.stderr
        _check_complete(opensearch_url, name, n)
    finally:
        drop_opensearch_index(opensearch_url, name)


class _Proxy:
    """A TCP relay to the node that can be cut: the node "disappears" for the client."""

    def __init__(self, target: str) -> None:
        import socket
        import threading
        import urllib.parse

        parts = urllib.parse.urlsplit(target)
        self.target = (parts.hostname, parts.port)
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.requests = 0
        self.cut_after: int | None = None
        self.conns: list[Any] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket
        import threading

        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if self.cut_after is not None and self.requests >= self.cut_after:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.conns += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True).start()

    def _pipe(self, src: Any, dst: Any, counting: bool) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if counting and data[:5] in (b"POST ", b"PUT /", b"GET /", b"HEAD ", b"DELET"):
                    self.requests += 1
                    if self.cut_after is not None and self.requests > self.cut_after:
                        break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.close()
            except OSError:
                pass

    def close(self) -> None:
        self.server.close()
        for c in self.conns:
            try:
                c.close()
            except OSError:
                pass


def test_node_lost_mid_run_then_rerun(opensearch_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The node stops answering in the middle of a run: one error with a hint, and the
    next run (node back) leaves every article exactly once."""
    from searchkit.backends import ingest
    from searchkit.errors import OpenSearchUnavailableError

    corpus = tmp_path / "c"
    n = 80
    _many_files(corpus, n)
    name = f"searchkit-test-{os.getpid()}-lost"
    drop_opensearch_index(opensearch_url, name)
    monkeypatch.setattr(ingest, "BATCH_DOCS", 10)
    proxy = _Proxy(opensearch_url)
    kit = opensearch_kit(corpus, name, proxy.url, actors=False)
    proxy.cut_after = 14  # set-up requests, then a few batches of documents and manifest entries
    try:
        from searchkit.backends import opensearch_client

        monkeypatch.setattr(opensearch_client.OpenSearchClient, "_sleep", lambda self, attempt: None)
        with pytest.raises(OpenSearchUnavailableError) as err:
            kit.index()
        assert "cannot reach OpenSearch" in str(err.value) and err.value.hint
        kit.close()
        again = opensearch_kit(corpus, name, opensearch_url, actors=False)
        from searchkit.backends.opensearch import OpenSearchBackend

        assert 0 < len(OpenSearchBackend(opensearch_url, name).manifest()) < n  # the first run stopped half-way
        assert again.index().documents == n
        _check_complete(opensearch_url, name, n)
        again.close()
    finally:
        proxy.close()
        drop_opensearch_index(opensearch_url, name)


def test_document_same_stored_fields(seeds_kit, os_kit) -> None:
    doc_id = seeds_kit.search("roquettes", limit=1).hits[0].id
    w, o = seeds_kit.document(doc_id), os_kit.document(doc_id)
    assert o.to_dict().keys() == w.to_dict().keys()
    assert (o.title, o.body, o.published, o.actors) == (w.title, w.body, w.published, w.actors)
    from searchkit.errors import NotFoundError

    with pytest.raises(NotFoundError):
        os_kit.document("nope")
