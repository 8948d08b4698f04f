"""Issue 13: the formats analysts really have, read and indexed for real.

Web pages (the 7 real pages of ../shared/data/html_fr_dev with their gold snippets),
PDF, Word and OpenDocument files made from OrangeSum articles, e-mail in
quoted-printable French, scans, encrypted and damaged PDFs, .jsonl.gz collections,
collections larger than one part, and the config switch that turns a format off.
"""
from __future__ import annotations

import gzip
import json
import re
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from searchkit import SearchKit
from searchkit.corpus import PART_ARTICLES, SourceFile, format_for, read_parts, read_source
from searchkit.corpus.pdf import dehyphenate
from searchkit.errors import NothingIndexedError
from tests.conftest import shared_data

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import sample_files as sf  # noqa: E402  (bench/sample_files.py: the file makers)


def src(path: Path) -> SourceFile:
    st = path.stat()
    return SourceFile(path, str(path.resolve()), st.st_size, st.st_mtime_ns)


def kit_for(base: Path, corpus: Path, **config: Any) -> SearchKit:
    """A SearchKit over ``corpus`` (actors off: NER is not what is tested here)."""
    index = {"workers": 1, "commit_every": 200, **config.pop("index", {})}
    lines = [f"corpus: {json.dumps(str(corpus))}", f"index_dir: {json.dumps(str(base / 'index'))}",
             "extract: {actors: false}", f"index: {json.dumps(index)}"]
    lines += [f"{k}: {json.dumps(v)}" for k, v in config.items()]
    (base / "config.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    return SearchKit.open(base / "config.yaml")


def phrase(text: str) -> str:
    """A phrase query for ``text``: quotes and query syntax out."""
    return '"' + " ".join(re.sub(r"[\"«»:()\[\]{}^~*?\\]", " ", text).split()) + '"'


def hit_ids(kit: SearchKit, query: str) -> list[str]:
    return [h.id for h in kit.search(query, limit=50, facets=False).hits]


@pytest.fixture(scope="module")
def orangesum() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with gzip.open(shared_data("orangesum", "orangesum_articles.jsonl.gz"), "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if len(row["text"]) > 800 and row["title"].strip():
                rows.append(row)
            if len(rows) >= 12:
                break
    return rows


def passage(row: dict[str, Any], words: int = 7) -> str:
    """Words from the middle of the article's body (not its title)."""
    flat = " ".join(sf.split_paragraphs(row["text"])).split()
    mid = len(flat) // 2
    return " ".join(flat[mid : mid + words])


# -- HTML: the 7 real pages ------------------------------------------------------------


def _gold_phrase(snippet: str) -> str:
    """The gold snippets are cut anywhere ("sation des rapports…"): a snippet of five
    words or more loses its first and last word, which may be fragments."""
    words = snippet.split()
    return " ".join(words[1:-1]) if len(words) >= 5 else snippet


def test_html_gold_pages_keep_the_article_and_drop_the_furniture(tmp_path: Path) -> None:
    pages = shared_data("html_fr_dev")
    gold = json.loads((pages / "gold.json").read_text("utf-8"))
    corpus = tmp_path / "web"
    corpus.mkdir()
    for name in gold:
        (corpus / name).write_bytes((pages / name).read_bytes())
    kit = kit_for(tmp_path, corpus)
    report = kit.index()
    assert report.added == len(gold) and not report.skipped
    kept = furniture = 0
    for name, g in gold.items():
        doc_id = Path(name).stem
        kept += sum(doc_id in hit_ids(kit, phrase(_gold_phrase(s))) for s in g["with"])
        furniture += sum(doc_id in hit_ids(kit, phrase(_gold_phrase(s))) for s in g["without"])
    n_with = sum(len(g["with"]) for g in gold.values())
    n_without = sum(len(g["without"]) for g in gold.values())
    assert kept >= 0.9 * n_with, f"{kept}/{n_with} main-text snippets found"
    assert furniture <= 0.1 * n_without, f"{furniture}/{n_without} furniture snippets found"
    # The page's own metadata: its title and publication date (htmldate).
    doc = kit.document("soundofscience.fr.1927")
    assert doc["title"] == gold["soundofscience.fr.1927.html"]["title"]
    assert doc["meta"]["published"] == gold["soundofscience.fr.1927.html"]["date"]
    kit.close()


def test_html_page_built_here(tmp_path: Path) -> None:
    html = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Crue de la Seine | Le Journal</title>
    <meta property="article:published_time" content="2021-02-03T08:00:00+01:00"><meta name="author" content="Claire Martin"></head>
    <body><nav><a href="/">Accueil</a> <a href="/politique">Politique</a> <a href="/sport">Sport</a></nav>
    <div class="cookie-banner">Nous utilisons des cookies pour améliorer votre expérience. Accepter</div>
    <article><h1>Crue de la Seine : les quais fermés à Paris</h1>
    <p>La Seine a atteint mercredi matin une hauteur de 5,2 mètres au pont d'Austerlitz, obligeant la préfecture à fermer les voies sur berge.</p>
    <p>Les services de la ville surveillent les caves des immeubles riverains, où l'eau s'infiltre depuis lundi soir.</p>
    <p>Selon Vigicrues, le pic est attendu jeudi, avant une lente décrue durant tout le week-end.</p></article>
    <footer>Mentions légales — Plan du site — © Le Journal 2021</footer></body></html>"""
    path = tmp_path / "crue.html"
    path.write_text(html, "utf-8")
    [art] = read_source(src(path)).articles
    assert "obligeant la préfecture à fermer les voies sur berge" in art.body
    assert "cookies" not in art.body and "Mentions légales" not in art.body and "Accueil" not in art.body
    assert art.published == "2021-02-03" and art.author == "Claire Martin" and "Crue de la Seine" in art.title


# -- PDF, Word, OpenDocument made from OrangeSum articles ----------------------------------


@pytest.fixture(scope="module")
def office_kit(tmp_path_factory: pytest.TempPathFactory, orangesum: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("office")
    corpus = base / "docs"
    corpus.mkdir()
    made: dict[str, dict[str, Any]] = {}
    for i, row in enumerate(orangesum):
        paras = sf.split_paragraphs(row["text"])
        kind = ("pdf", "pdf2", "docx", "odt")[i % 4]
        name = f"{kind}-{row['id']}"
        if kind.startswith("pdf"):
            data = sf.make_pdf(row["title"], paras, columns=2 if kind == "pdf2" else 1, metadata_title=i % 8 == 0)
            (corpus / f"{name}.pdf").write_bytes(data)
        elif kind == "docx":
            (corpus / f"{name}.docx").write_bytes(sf.make_docx(row["title"], paras))
        else:
            (corpus / f"{name}.odt").write_bytes(sf.make_odt(row["title"], paras))
        made[name] = row
    kit = kit_for(base, corpus)
    report = kit.index()
    yield kit, made, report
    kit.close()


def test_every_pdf_docx_odt_found_by_a_passage_with_its_title(office_kit) -> None:  # type: ignore[no-untyped-def]
    kit, made, report = office_kit
    assert report.added == len(made) and not report.skipped, report.skipped
    for name, row in made.items():
        res = kit.search(phrase(passage(row)), limit=5, facets=False)
        assert [h.id for h in res.hits][:1] == [name], (name, passage(row))
        assert res.hits[0].title == " ".join(row["title"].split()), name


def test_pdf_show_gives_the_file_and_page_numbers(office_kit) -> None:  # type: ignore[no-untyped-def]
    kit, made, _ = office_kit
    name = next(n for n in made if n.startswith("pdf"))
    doc = kit.document(name)
    assert doc["path"].endswith(f"{name}.pdf")
    assert doc["meta"]["format"] == "pdf" and doc["meta"]["pages"][0] == 0


def test_scanned_encrypted_and_damaged_pdfs_are_skipped_with_their_reasons(tmp_path: Path) -> None:
    paras = ["Le conseil municipal de Lyon a voté mardi le budget des transports publics pour l'année prochaine."]
    good = sf.make_pdf("Budget des transports", paras)
    files = {
        "scan.pdf": sf.scanned_pdf(),
        "locked.pdf": sf.encrypted_pdf("Secret", paras, user_password="motdepasse"),
        "cut.pdf": sf.damaged_pdf(good),
        "junk.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 20,
        "open-lock.pdf": sf.encrypted_pdf("Budget ouvert", paras, user_password=""),  # opens with no password
        "good.pdf": good,
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    reasons = {}
    bodies = {}
    for name in files:
        r = read_source(src(tmp_path / name))
        reasons[name] = [p.reason for p in r.problems if p.skipped]
        bodies[name] = [a.body for a in r.articles]
    assert reasons["scan.pdf"] == ["no text layer (scanned?)"]
    assert reasons["locked.pdf"] == ["encrypted PDF (password required)"]
    assert len(reasons["cut.pdf"]) == 1 and reasons["cut.pdf"][0].startswith("damaged PDF")
    assert len(reasons["junk.pdf"]) == 1 and reasons["junk.pdf"][0].startswith("damaged PDF")
    assert reasons["open-lock.pdf"] == reasons["good.pdf"] == []
    assert "budget des transports publics" in bodies["open-lock.pdf"][0] and "budget des transports publics" in bodies["good.pdf"][0]


def test_a_run_over_bad_pdfs_goes_on_and_counts_them(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "scan.pdf").write_bytes(sf.scanned_pdf(1))
    (corpus / "cut.pdf").write_bytes(sf.damaged_pdf(sf.make_pdf("T", ["Un texte assez long pour une page entière."])))
    (corpus / "ok.txt").write_text("Un article en texte simple sur la crue de la Loire.", "utf-8")
    report = kit_for(tmp_path, corpus).index()
    assert report.added == 1
    assert sorted(p.kind for p in report.skipped) == ["damaged PDF", "no text layer"]


def test_pdf_text_clean_up(tmp_path: Path) -> None:
    assert dehyphenate("la récupé-\nration et le porte-\nparole, un porte-parole") == "la récupération et le porte-parole, un porte-parole"
    doc = read_source_bytes(tmp_path / "lig.pdf", sf.small_pdf([(50, 800, "Le ﬁnancement ﬂottant des ﬁlières.")], font="Vera"))
    assert doc.body == "Le financement flottant des filières."


def read_source_bytes(path: Path, data: bytes):  # type: ignore[no-untyped-def]
    """The one article ``data`` gives once written to ``path``."""
    path.write_bytes(data)
    [article] = read_source(src(path)).articles
    return article


def test_docx_tables_and_damaged_word_files(tmp_path: Path) -> None:
    data = sf.make_docx("Résultats du scrutin", ["Le dépouillement s'est achevé à minuit."], table=[["Liste", "Voix"], ["Union", "4 512"]])
    art = read_source_bytes(tmp_path / "vote.docx", data)
    assert art.title == "Résultats du scrutin" and "Union | 4 512" in art.body
    for name, bad, reason in [("old.docx", b"\xd0\xcf\x11\xe0" + b"\x00" * 600, "not a .docx file"),
                              ("cut.docx", data[: len(data) // 2], "not a .docx file"),
                              ("cut.odt", sf.make_odt("T", ["x y z"])[:300], "not an .odt file")]:
        (tmp_path / name).write_bytes(bad)
        r = read_source(src(tmp_path / name))
        assert not r.articles and [p.reason.split(" (")[0] for p in r.problems] == [reason], name


# -- e-mail ----------------------------------------------------------------------------------


def test_eml_quoted_printable_french(tmp_path: Path) -> None:
    corpus = tmp_path / "mail"
    corpus.mkdir()
    body = ("Madame, Monsieur,\n\nLe préfet de la Gironde réunira jeudi les maires des communes touchées "
            "par les inondations pour évaluer les dégâts.\n\nL’état de catastrophe naturelle sera demandé dès vendredi.")
    (corpus / "prefecture.eml").write_bytes(sf.make_eml("Inondations : réunion à la préfecture de Bordeaux", body,
                                                        date=datetime(2021, 2, 4, 17, 5, tzinfo=timezone.utc)))
    (corpus / "html-latin1.eml").write_bytes(sf.make_eml("Communiqué : fermeture des écoles", "Les écoles de Mérignac resteront fermées lundi.\n\nUne cellule de crise est ouverte à la mairie.",
                                                         html=True, charset="iso-8859-1"))
    raw = (corpus / "prefecture.eml").read_bytes()
    assert b"quoted-printable" in raw and b"=C3=A9" in raw  # really encoded, not plain UTF-8
    kit = kit_for(tmp_path, corpus)
    report = kit.index()
    assert report.added == 2 and not report.problems
    [hit] = kit.search(phrase("évaluer les dégâts"), facets=False).hits
    assert hit.id == "prefecture" and hit.title == "Inondations : réunion à la préfecture de Bordeaux"
    assert hit.published == "2021-02-04"
    [hit] = kit.search(phrase("resteront fermées lundi"), facets=False).hits
    assert hit.id == "html-latin1" and hit.title == "Communiqué : fermeture des écoles"
    doc = kit.document("prefecture")
    assert doc["meta"]["author"] == "Service de presse"
    kit.close()


# -- collections ------------------------------------------------------------------------------


def test_jsonl_gz_with_a_bad_line(tmp_path: Path, orangesum: list[dict[str, Any]]) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    lines = [json.dumps({"id": r["id"], "title": r["title"], "date": r["date"], "text": r["text"]}, ensure_ascii=False) for r in orangesum]
    lines.insert(3, '{"id": "cut", "text": "sans fin')
    with gzip.open(corpus / "export.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    kit = kit_for(tmp_path, corpus)
    report = kit.index()
    assert report.added == len(orangesum)
    assert [(p.line, p.kind) for p in report.skipped] == [(4, "malformed JSON")]
    row = orangesum[5]
    res = kit.search(phrase(passage(row)), facets=False)
    assert res.hits[0].id == str(row["id"]) and res.hits[0].published == row["date"]
    kit.close()


def test_damaged_gzip_keeps_the_lines_before_the_damage(tmp_path: Path) -> None:
    lines = "".join(json.dumps({"id": f"a{i}", "text": f"Dépêche numéro {i} sur la crue de la Garonne. " * 20}) + "\n" for i in range(400))
    data = gzip.compress(lines.encode("utf-8"))
    (tmp_path / "cut.jsonl.gz").write_bytes(data[: len(data) * 2 // 3])
    (tmp_path / "fake.jsonl.gz").write_bytes(b"not gzip at all")
    r = read_source(src(tmp_path / "cut.jsonl.gz"))
    assert 0 < len(r.articles) < 400 and [a.id for a in r.articles] == [f"a{i}" for i in range(len(r.articles))]
    assert [p.kind for p in r.problems] == [f"damaged gzip after line {len(r.articles)}"]
    r = read_source(src(tmp_path / "fake.jsonl.gz"))
    assert not r.articles and [p.kind for p in r.problems] == ["not a readable gzip file"]


def test_collection_larger_than_max_file_mb_is_streamed_in_parts(tmp_path: Path) -> None:
    """max_file_mb limits single-article files only; a collection of any size is read
    in parts, each committed, and indexed once whole. An over-long line is one skip."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    n = PART_ARTICLES * 2 + 37
    with open(corpus / "big.jsonl", "w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({"id": f"d{i}", "text": f"Article {i} : la mairie de Nantes vote le budget {i}. " + "Texte. " * 40}) + "\n")
        fh.write(json.dumps({"id": "huge", "text": "mot " * 400_000}) + "\n")
    (corpus / "big.txt").write_text("mot " * 400_000, "utf-8")
    parts = list(read_parts(src(corpus / "big.jsonl"), max_bytes=1_000_000))
    assert [len(p.articles) for p in parts] == [PART_ARTICLES, PART_ARTICLES, 37] and [p.last for p in parts] == [False, False, True]
    assert len({p.digest for p in parts}) == 1
    kit = kit_for(tmp_path, corpus, index={"commit_every": 300, "max_file_mb": 1})
    report = kit.index()
    assert report.added == n and report.documents == n
    assert sorted(p.kind for p in report.skipped) == ["larger than max_file_mb", "line longer than max_file_mb"]
    assert hit_ids(kit, '"budget 1033"') == ["d1033"]
    # Unchanged: nothing to do; touched: hashed, not parsed again.
    assert kit.index().unchanged
    kit.close()


def test_nothing_indexed_raises_with_the_report(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "scan.pdf").write_bytes(sf.scanned_pdf(1))
    kit = kit_for(tmp_path, corpus)
    with pytest.raises(NothingIndexedError) as info:
        kit.index()
    assert "nothing could be indexed" in info.value.message and [p.kind for p in info.value.report.skipped] == ["no text layer"]
    (corpus / "scan.pdf").unlink()
    with pytest.raises(NothingIndexedError) as info:
        kit.index()
    assert info.value.message.startswith("nothing to index: no .txt, .md, .jsonl, .jsonl.gz, .html, .htm, .pdf, .docx, .odt or .eml file")


def test_config_turns_a_format_off(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Un article sur la pêche en Bretagne.", "utf-8")
    (corpus / "b.pdf").write_bytes(sf.make_pdf("La pêche", ["Les pêcheurs de Concarneau manifestent devant la préfecture."]))
    kit = kit_for(tmp_path, corpus)
    assert kit.index().added == 2
    kit.close()
    kit = kit_for(tmp_path, corpus, formats={"pdf": False})
    assert kit.config.formats["pdf"] is False and kit.config.warnings == []
    report = kit.index()
    assert (report.removed, report.documents) == (1, 1)  # turned off: out of the index too
    assert format_for("b.pdf", {"txt"}) is None
    kit.close()


def test_show_gives_the_path_and_the_page_of_each_match(tmp_path: Path) -> None:
    import subprocess

    corpus = tmp_path / "c"
    corpus.mkdir()
    filler = "Le conseil régional a examiné les dossiers de la semaine, sans décision notable sur les transports. " * 6
    paras = [filler] * 20 + ["Le maire de Quimperlé a inauguré la nouvelle médiathèque samedi."]
    (corpus / "rapport.pdf").write_bytes(sf.make_pdf("Rapport annuel", paras))
    kit = kit_for(tmp_path, corpus)
    kit.index()
    pages = kit.document("rapport")["meta"]["pages"]
    assert len(pages) >= 2
    kit.close()
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    out = subprocess.run([sys.executable, "-m", "searchkit", "--config", str(tmp_path / "config.yaml"), "show", "rapport", "-q", "Quimperlé"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert str(corpus / "rapport.pdf") in out.stdout
    assert f"matches on p. {len(pages)}" in out.stdout and "[page 1]" in out.stdout and f"[page {len(pages)}]" in out.stdout
