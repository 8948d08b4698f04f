"""The indexing pipeline: chunked extraction in worker processes gives the same index
as the in-process path, files spanning chunks come back whole, unchanged files are not
extracted again."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from searchkit.index import indexer, store as ix_mod, workers
from searchkit.index import documents as pipeline
from searchkit.index.indexer import run_index


def _corpus(root: Path) -> int:
    """A mixed corpus: a .jsonl spanning several chunks, small files, bad ones. Returns
    the number of articles that must be indexed."""
    root.mkdir()
    lines = [json.dumps({"id": f"j{i}", "title": f"Dépêche {i}", "text": f"Le ministre a parlé le {i % 28 + 1} mars 2021 à Bagdad."})
             for i in range(23)]
    lines.insert(5, "{not json")
    (root / "big.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for i in range(9):
        (root / f"article {i}.txt").write_text(f" date 2020-12\nTitre {i}\n\nCorps de l'article numéro {i}.", encoding="utf-8")
    (root / "vide.txt").write_text("", encoding="utf-8")
    (root / "binaire.txt").write_bytes(b"\x00\x01\x02")
    return 23 + 9


def _stored(index_dir: Path) -> dict[str, tuple[str, str]]:
    from whoosh import index as windex

    ix = windex.open_dir(str(index_dir), indexname=ix_mod.INDEX_NAME)
    with ix.searcher() as s:
        return {f["id"]: (f["source"], f["body"]) for f in s.all_stored_fields()}


@pytest.mark.parametrize("chunk", [1, 4, 7, 100])
def test_chunked_workers_match_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    expected = _corpus(tmp_path / "corpus")
    serial = run_index([tmp_path / "corpus"], tmp_path / "serial", actors=False, workers=1)
    monkeypatch.setattr(workers, "CHUNK_ARTICLES", chunk)
    monkeypatch.setattr(workers, "PARALLEL_MIN_BYTES", 0)  # force the worker pool on a tiny corpus
    parallel = run_index([tmp_path / "corpus"], tmp_path / "parallel", actors=False, workers=2)
    assert serial.added == parallel.added == parallel.documents == expected
    assert _stored(tmp_path / "serial") == _stored(tmp_path / "parallel")
    assert sorted(map(str, serial.problems)) == sorted(map(str, parallel.problems))
    assert any(p.line == 6 for p in parallel.problems)  # the malformed line, by number


def test_touched_unchanged_file_is_not_extracted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _corpus(tmp_path / "corpus")
    run_index([tmp_path / "corpus"], tmp_path / "index", actors=False, workers=1)
    calls: list[int] = []
    real = pipeline.extract_documents
    monkeypatch.setattr(pipeline, "extract_documents", lambda arts, opts: calls.append(len(arts)) or real(arts, opts))
    big = tmp_path / "corpus" / "big.jsonl"
    os.utime(big, ns=(big.stat().st_atime_ns, big.stat().st_mtime_ns + 10**9))
    report = run_index([tmp_path / "corpus"], tmp_path / "index", actors=False, workers=1)
    assert report.files_changed == 0 and report.added == 0
    assert sum(calls) == 0
    # and the manifest now has the new mtime, so a third run does not even read it
    assert run_index([tmp_path / "corpus"], tmp_path / "index", actors=False, workers=1).unchanged


def test_interrupt_just_after_a_commit_stays_an_interrupt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C between a commit and the next writer: the interrupt propagates (the closed
    writer is not cancelled again, which raised 'This writer is closed'), the commit
    stays, and the next run completes the index."""
    expected = _corpus(tmp_path / "corpus")
    real = ix_mod.write_json
    calls = []

    def interrupted(path: Path, data: object) -> None:
        real(path, data)
        if path.name == ix_mod.MANIFEST_FILE and len(data["files"]) and not calls:  # type: ignore[index]
            calls.append(path)
            raise KeyboardInterrupt

    monkeypatch.setattr(indexer, "write_json", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_index([tmp_path / "corpus"], tmp_path / "index", actors=False, workers=1, commit_every=5)
    monkeypatch.undo()
    kept = len(_stored(tmp_path / "index"))
    assert 0 < kept < expected
    report = run_index([tmp_path / "corpus"], tmp_path / "index", actors=False, workers=1)
    assert report.added == expected - kept and report.documents == expected


def test_fast_postings_copied_in_worker_processes_equal_serial_copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """fastindex.ensure with workers: the same numpy copies as one process makes."""
    import numpy as np
    from whoosh import index as windex

    from searchkit.index import fastcopy as fastindex

    _corpus(tmp_path / "corpus")
    run_index([tmp_path / "corpus"], tmp_path / "index", actors=False, workers=1, commit_every=5)
    fast = tmp_path / "index" / fastindex.CACHE_DIR
    serial = {p.relative_to(fast): np.load(p) for p in fast.rglob("*.npy")}
    assert len({p.parts[0] for p in serial}) > 1  # several segments
    shutil.rmtree(fast)
    monkeypatch.setattr(fastindex, "PARALLEL_MIN_DOCS", 0)
    reader = windex.open_dir(str(tmp_path / "index"), indexname=ix_mod.INDEX_NAME).reader()
    try:
        fastindex.ensure(tmp_path / "index", reader, workers=2)
    finally:
        reader.close()
    parallel = {p.relative_to(fast): np.load(p) for p in fast.rglob("*.npy")}
    assert serial.keys() == parallel.keys()
    assert all(np.array_equal(serial[k], parallel[k]) for k in serial)


def test_an_index_written_before_the_package_moves_opens(tmp_path: Path) -> None:
    """Whoosh pickles the schema by module path; indexes made before index/ and text/
    name searchkit.schema and searchkit.analysis (store.PICKLED_MODULES). Written here
    under those names, then opened and searched by a fresh process."""
    import subprocess
    import sys

    from searchkit.index.schema import FrenchText

    _corpus(tmp_path / "corpus")
    script = f"""
import sys
from searchkit.index import schema
from searchkit.text import analysis
sys.modules["searchkit.schema"], sys.modules["searchkit.analysis"] = schema, analysis
schema.FrenchText.__module__ = "searchkit.schema"
for name in dir(analysis):
    obj = getattr(analysis, name)
    if isinstance(obj, type) and obj.__module__ == "searchkit.text.analysis":
        obj.__module__ = "searchkit.analysis"
from searchkit.index.indexer import run_index
from pathlib import Path
run_index([Path({str(tmp_path / 'corpus')!r})], Path({str(tmp_path / 'index')!r}), actors=False)
"""
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    toc = next((tmp_path / "index").glob("_MAIN_*.toc")).read_bytes()
    assert b"searchkit.schema" in toc and b"searchkit.index.schema" not in toc
    check = f"""
from searchkit.search.engine import Engine
from pathlib import Path
print(Engine.open(Path({str(tmp_path / "index")!r})).search("ministre").total)
"""
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) > 0
    assert FrenchText.__module__ == "searchkit.index.schema"


def test_other_extraction_rules_read_every_file_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An index extracted by older rules (documents.EXTRACTION_VERSION) is extracted
    again by its next incremental run, file by file, as when the aliases change; with
    the same rules, nothing is."""
    from searchkit.index import documents

    n = _corpus(tmp_path / "corpus")
    run_index([tmp_path / "corpus"], tmp_path / "index", actors=False)
    assert run_index([tmp_path / "corpus"], tmp_path / "index", actors=False).unchanged
    monkeypatch.setattr(documents, "EXTRACTION_VERSION", documents.EXTRACTION_VERSION + 1)
    report = run_index([tmp_path / "corpus"], tmp_path / "index", actors=False)
    assert report.updated == n and report.added == 0 and report.documents == n
    assert run_index([tmp_path / "corpus"], tmp_path / "index", actors=False).unchanged
