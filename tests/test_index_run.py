"""The one indexing run (``index.run.IndexRun``) over an in-memory sink: what any backend's
sink is asked to do, in which order, independent of Whoosh and OpenSearch."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from searchkit.index.documents import Options
from searchkit.index.run import Entry, IndexRun, RunOptions


class MemorySink:
    """Documents by id and a manifest, made durable only by ``commit`` (as a real sink)."""

    entry_extra: dict[str, Any] = {"sink": "memory"}

    def __init__(self, opts: RunOptions, every: int = 2) -> None:
        self.opts, self.every = opts, every
        self.exclude: Sequence[Path] = ()
        self.docs: dict[str, dict[str, Any]] = {}  # committed
        self.manifest: dict[str, Entry] = {}  # committed
        self.log: list[tuple[str, Any]] = []
        self._ops: list[tuple[str, Any]] = []

    def open(self, record: list[list[Any]]) -> dict[str, Entry]:
        self.record = record
        return {k: dict(v, ids=list(v["ids"])) for k, v in self.manifest.items()}

    def extracted_with(self, entry: Entry) -> list[list[Any]] | None:
        return self.record

    def owns(self, key: str) -> bool:
        return True

    def extraction(self) -> Options:
        return self.opts.extraction(())

    def begin(self, unrecorded: Sequence[str]) -> None:
        self._ops += [("delete", k) for k in unrecorded]

    def delete(self, key: str, ids: Sequence[str]) -> None:
        self._ops.append(("delete", key))

    def add(self, doc: dict[str, Any], last: bool) -> None:
        self._ops.append(("add", dict(doc)))

    def due(self, pending: int, changes: int) -> bool:
        return pending >= self.every

    def commit(self, changes: dict[str, Entry | None], manifest: dict[str, Entry], final: bool) -> None:
        for op, arg in self._ops:  # documents first, in the order made...
            if op == "delete":
                self.docs = {i: d for i, d in self.docs.items() if d["source"] != arg}
            else:
                self.docs[arg["id"]] = arg
        self._ops = []
        for key, entry in changes.items():  # ...then the entries that describe them
            if entry is None:
                self.manifest.pop(key, None)
            else:
                self.manifest[key] = dict(entry, ids=list(entry["ids"]))
        self.log.append(("commit", final))

    def abort(self) -> None:
        self._ops = []

    def finish(self, wrote: bool) -> int:
        return len(self.docs)


def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_the_run_adds_replaces_and_removes_through_any_sink(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    for i in range(5):
        _write(corpus, f"a{i}.txt", f"Article {i} sur le budget de Nantes.")
    _write(corpus / "sub", "a0.txt", "Un autre article du même nom.")  # same id: made unique
    opts = RunOptions(actors=False, workers=1)
    sink = MemorySink(opts)
    report = IndexRun([corpus], sink, opts, None).run()
    assert report.added == 6 and report.documents == 6 and report.files_changed == 6
    assert len(sink.docs) == 6 and any(i.endswith("-2") for i in sink.docs)
    assert all(e["sink"] == "memory" and e["digest"] for e in sink.manifest.values())
    assert sink.log[-1] == ("commit", True) and len(sink.log) >= 3  # every 2 documents, then the last

    # Nothing changed: nothing written, nothing committed.
    sink.log.clear()
    assert IndexRun([corpus], sink, opts, None).run().unchanged and sink.log == []

    # One file changed, one gone: its old documents go before the new ones come.
    _write(corpus, "a1.txt", "Article un, réécrit.")
    (corpus / "a2.txt").unlink()
    report = IndexRun([corpus], sink, opts, None).run()
    assert (report.updated, report.removed, report.documents) == (1, 1, 5)
    assert [d["body"] for d in sink.docs.values() if d["source"].endswith("a1.txt")] == ["Article un, réécrit."]
    assert not any(k.endswith("a2.txt") for k in sink.manifest)


def test_an_interrupted_run_leaves_each_entry_old_or_none(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    for i in range(6):
        _write(corpus, f"a{i}.txt", f"Article {i}.")
    opts = RunOptions(actors=False, workers=1)
    sink = MemorySink(opts)
    calls = {"n": 0}

    def stop_at_fourth(done: int, total: int) -> None:
        calls["n"] += 1
        if calls["n"] == 5:  # 0/6, then after files 1..4
            raise KeyboardInterrupt

    try:
        IndexRun([corpus], sink, opts, stop_at_fourth).run()
    except KeyboardInterrupt:
        pass
    # Every entry committed names documents that were committed, and only those.
    committed = {i for e in sink.manifest.values() for i in e["ids"]}
    assert committed == set(sink.docs) and 0 < len(committed) < 6
    report = IndexRun([corpus], sink, opts, None).run()
    assert report.documents == 6 and report.added == 6 - len(committed)


def test_files_extracted_another_way_are_read_again(tmp_path: Path) -> None:
    """Whatever record the sink keeps (one per index, one per entry), a file it says was
    extracted with other rules or aliases is read again; the others are not."""
    corpus = tmp_path / "c"
    for i in range(3):
        _write(corpus, f"a{i}.txt", f"Article {i}.")
    opts = RunOptions(actors=False, workers=1)
    sink = MemorySink(opts)
    IndexRun([corpus], sink, opts, None).run()
    stale = next(k for k in sink.manifest if k.endswith("a1.txt"))
    sink.extracted_with = lambda entry: [["", ["extraction 0"]]] if entry["ids"] == sink.manifest[stale]["ids"] else sink.record  # type: ignore[method-assign]
    report = IndexRun([corpus], sink, opts, None).run()
    assert (report.files_changed, report.updated, report.added, report.documents) == (1, 1, 0, 3)
