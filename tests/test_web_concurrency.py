"""Many readers over HTTP: 8 clients of one `searchkit serve` (a real uvicorn) for 20 s
while another process indexes and commits. Every answer a 200 and whole, no client sees
the index go back in time, and the server ends on the complete index."""
from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections import Counter
from urllib.parse import quote

from searchkit import SearchKit
from tests.support.harness import generate_corpus, searchkit, start, write_config
from tests.support.web import running

CLIENTS = 8
SECONDS = 20.0
QUERIES = ["Article", "roquette ambassade", "Téhéran", "sécurité gouvernement", "grève"]


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.load(response)


def test_eight_clients_while_an_indexer_commits(tmp_path) -> None:
    expected = generate_corpus(tmp_path / "corpus", txt=300, jsonl_files=2, per_jsonl=200, seed=23)
    config = write_config(tmp_path, tmp_path / "corpus", commit_every=40)
    assert searchkit(config, "index", str(tmp_path / "corpus" / "bulk00.jsonl")).returncode == 0
    kit = SearchKit.open(config)
    errors: Counter = Counter()
    wrong: list[str] = []
    done = [0] * CLIENTS
    try:
        with running(kit) as base:
            indexer = start(config, "index")
            stop = time.monotonic() + SECONDS

            def client(n: int) -> None:
                last = 0
                i = n
                while time.monotonic() < stop:
                    i += 1
                    try:
                        every = get(f"{base}/api/search?q=Article&limit=1")
                        if every["total"] < last:
                            wrong.append(f"went back from {last} to {every['total']}")
                        last = every["total"]
                        res = get(f"{base}/api/search?q={quote(QUERIES[i % len(QUERIES)])}&limit=5&offset={i % 3}")
                        if res["hits"]:
                            get(f"{base}/api/documents/{quote(res['hits'][0]['id'])}?q={quote(QUERIES[i % len(QUERIES)])}")
                        get(f"{base}/api/facets/published?top=5")
                        done[n] += 1
                    except Exception as exc:  # noqa: BLE001 - counted: the test asserts there are none
                        errors[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1

            threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert indexer.wait(timeout=600) == 0
            final = get(f"{base}/api/stats")["documents"]
    finally:
        kit.close()
    assert not errors, errors
    assert not wrong, wrong[:5]
    assert all(done), done  # every client got through, many times
    assert final == len(expected)
