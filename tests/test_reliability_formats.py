"""Reliability of the new formats (issue 13): kill -9 and Ctrl-C while indexing a mixed
folder (text, web pages, PDF, Word, OpenDocument, e-mail and a .jsonl.gz collection
big enough to be committed in parts) lose nothing and store nothing twice.

Uses the fault runners of bench/reliability.py (see tests/test_reliability.py).
"""
from __future__ import annotations

import gzip
import importlib.util
import json
import random
import signal
import sys
from pathlib import Path

import pytest

from searchkit.corpus import PART_ARTICLES, SourceFile, read_source

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import sample_files as sf  # noqa: E402

if "reliability" in sys.modules:
    rel = sys.modules["reliability"]
else:
    _spec = importlib.util.spec_from_file_location("reliability", ROOT / "bench" / "reliability.py")
    assert _spec and _spec.loader
    rel = importlib.util.module_from_spec(_spec)
    sys.modules["reliability"] = rel  # dataclasses look their module up there
    _spec.loader.exec_module(rel)


def build_mixed_corpus(root: Path, seed: int = 31) -> dict[str, str]:
    """Every format in one folder; returns {article id: body as the readers give it}."""
    rng = random.Random(seed)
    expected = rel.generate_corpus(root / "txt", txt=120, jsonl_files=0, seed=seed)
    n = 10_000
    for i in range(10):
        paras = [rel.article_text(rng, n + i * 3 + k) for k in range(3)]
        title = f"Dossier {i} : la crue de la Garonne"
        (root / f"rapport{i:02d}.pdf").write_bytes(sf.make_pdf(title, paras, columns=1 + i % 2))
        (root / f"note{i:02d}.docx").write_bytes(sf.make_docx(title, paras))
        (root / f"odt{i:02d}.odt").write_bytes(sf.make_odt(title, paras))
        (root / f"mail{i:02d}.eml").write_bytes(sf.make_eml(title, "\n\n".join(paras)))
        body = "".join(f"<p>{p}</p>" for p in paras)
        (root / f"page{i:02d}.html").write_text(
            f"<html><head><title>{title}</title></head><body><nav>Accueil Politique Sport</nav>"
            f"<article><h1>{title}</h1>{body}</article><footer>Mentions légales</footer></body></html>", "utf-8")
    lines = [json.dumps({"id": f"g{k}", "text": rel.article_text(rng, 20_000 + k)}, ensure_ascii=False) for k in range(PART_ARTICLES * 2 + 100)]
    with gzip.open(root / "export.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    expected = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            st = path.stat()
            for a in read_source(SourceFile(path, str(path.resolve()), st.st_size, st.st_mtime_ns)).articles:
                expected[a.id] = a.body
    return expected


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    base = tmp_path_factory.mktemp("mixed")
    expected = build_mixed_corpus(base / "corpus")
    assert len(expected) == 120 + 50 + PART_ARTICLES * 2 + 100
    return base, rel.write_config(base, base / "corpus", commit_every=80), expected


def test_kill_9_while_indexing_a_mixed_folder_loses_nothing(mixed: tuple[Path, Path, dict[str, str]]) -> None:
    """After each kill -9 (some while the collection is committed in part): only whole
    known articles, each once; the next run ends with exactly the corpus."""
    base, config, expected = mixed
    rng = random.Random(13)
    landed = []
    # A full run takes about 9 s here: one kill while the collection (first in the
    # folder) is committed in parts, the others among the single-article files.
    for i in range(3):
        t = rel.kill_trial(config, base / "index", expected, 2.5 * i + rng.uniform(0.0, 1.5), after_first_commit=True)
        landed.append(t.landed)
        assert t.after.clean, t
        assert t.opened is not None and t.opened.ok, t.opened
        assert t.resume_rc == 0, t.resume_error
        assert t.final.exact, t.final
    assert any(landed)


def test_ctrl_c_in_a_mixed_folder_keeps_commits(mixed: tuple[Path, Path, dict[str, str]]) -> None:
    base, config, expected = mixed
    t = rel.kill_trial(config, base / "index", expected, 0.5, sig=signal.SIGINT, after_first_commit=True, check_open=False)
    assert t.landed
    assert rel.one_line_interrupt(t), t.stderr
    assert t.after.clean and t.after.documents > 0
    assert t.final.exact, t.final
