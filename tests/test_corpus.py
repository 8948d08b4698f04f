"""Reading files: encodings, headers, titles, ids, and every bad input as a Problem."""
from __future__ import annotations

from pathlib import Path

from searchkit.corpus import SourceFile, iter_sources, parse_text, read_source


def src(path: Path) -> SourceFile:
    st = path.stat()
    return SourceFile(path, str(path.resolve()), st.st_size, st.st_mtime_ns)


def test_header_line_is_the_date_not_text() -> None:
    assert parse_text(" date 2021-07 Les milices ont attaqué.\n\nSuite.") == (
        "2021-07", "Les milices ont attaqué.", "Les milices ont attaqué.\n\nSuite."
    )
    assert parse_text("date 2020-11-03\nTitre\nCorps")[0] == "2020-11-03"
    assert parse_text("Sans date.\nCorps")[0] is None


def test_long_first_line_gives_first_sentence_as_title() -> None:
    text = "Première phrase courte. " + "mot " * 80
    assert parse_text(text)[1] == "Première phrase courte."


def test_encodings(tmp_path: Path) -> None:
    (tmp_path / "bom.txt").write_bytes("\ufeffL'été à Téhéran".encode("utf-8"))
    (tmp_path / "latin.txt").write_bytes("L'été à Téhéran".encode("latin-1"))
    (tmp_path / "cp.txt").write_bytes("L’été – Téhéran".encode("cp1252"))
    (tmp_path / "u16.txt").write_bytes("L'été à Téhéran".encode("utf-16"))
    for name, expected in [("bom", "L'été à Téhéran"), ("latin", "L'été à Téhéran"), ("cp", "L’été – Téhéran"), ("u16", "L'été à Téhéran")]:
        r = read_source(src(tmp_path / f"{name}.txt"))
        assert [a.body for a in r.articles] == [expected], name
    warn = read_source(src(tmp_path / "latin.txt")).problems
    assert [(p.reason.startswith("not UTF-8"), p.skipped) for p in warn] == [(True, False)]


def test_bad_files_become_problems(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (tmp_path / "header.txt").write_text(" date 2020-01\n\n")
    reasons = {p.name: [str(x.reason) for x in read_source(src(p)).problems] for p in tmp_path.iterdir()}
    assert reasons == {
        "empty.txt": ["empty file"],
        "binary.txt": ["binary file (NUL bytes), not text"],
        "header.txt": ["only a date header, no text"],
    }


def test_jsonl_lines_and_malformed_line(tmp_path: Path) -> None:
    p = tmp_path / "bulk.jsonl"
    p.write_text('{"id": "a1", "text": "Bagdad. Texte.", "date": "2020-12-20"}\n{oops\n{"id": "a2", "title": "T", "text": "Corps"}\n', "utf-8")
    r = read_source(src(p))
    assert [(a.id, a.title, a.published, a.line) for a in r.articles] == [("a1", "Bagdad. Texte.", "2020-12-20", 1), ("a2", "T", None, 3)]
    assert [(x.line, x.reason.split(" (")[0]) for x in r.problems] == [(2, "malformed JSON")]


def test_iter_sources_skips_hidden_and_other_suffixes(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "b.md").write_text("x")
    (tmp_path / "c.png").write_text("x")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "d.txt").write_text("x")
    (tmp_path / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    found = list(iter_sources([tmp_path]))
    names = sorted(getattr(f, "path", Path(getattr(f, "path", ""))).name if isinstance(f, SourceFile) else "problem:" + Path(f.path).name for f in found)
    assert names == ["a.txt", "b.md", "problem:broken.txt"]
