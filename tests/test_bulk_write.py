"""Indexing speed-ups that must not change the index: postings computed in the workers
(schema.text_postings) and the bulk segment writer (writer.py) give the same terms,
postings, weights, positions and length statistics as Whoosh's own path; an index made
before FrenchText fields still takes new articles."""
from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as windex
from whoosh.fields import TEXT

from searchkit.index import store as ix_mod
from searchkit.text.analysis import index_positions
from searchkit.corpus import Problem, iter_sources, read_source
from searchkit.index.indexer import run_index, text_fields as _text_fields
from searchkit.index.documents import Options, extract_documents
from searchkit.index.schema import TEXT_FIELDS, FrenchText, Postings, build_schema, text_postings
from searchkit.index.writer import open_writer

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
ORANGESUM = ROOT.parent / "shared" / "data" / "orangesum" / "orangesum_articles.jsonl.gz"

EDGE_TEXTS = [
    "",
    "   \n\t ",
    "L’aéroport d'Irak QU'IL aujourd'hui œuvre Étés été ÉTÉ les LES l'l'avion d’ d' 's",
    "presqu'île PRESQU'ÎLE jusqu'à lorsqu'il quelqu'un prud'hommes entr'acte",
    "Sécurité sécurité securite SÉCURITÉ hostilités 12 000 2 500 soldats _x_ a_b",
    "Abou Mehdi al-Mouhandis, Moustafa al-Kazimi et Mustafa Kadhimi à Bagdad-Est.",
    "Ελληνικά 中文 عربي Straße ﬁn æ Œ",
    "mot " * 300,
]


def _texts() -> list[str]:
    texts = list(EDGE_TEXTS)
    for path in sorted(SEEDS.glob("*")):
        if path.is_file():
            texts.append(path.read_text("utf-8", errors="replace"))
    if ORANGESUM.exists():
        with gzip.open(ORANGESUM, "rt", encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if i >= 300:
                    break
                row = json.loads(line)
                texts += [row["title"], row["text"]]
    return texts


def _with_positions(schema: Any) -> Any:
    """The schema with positions in the ranked fields too, as indexes made before
    they dropped them have (text_postings serves both)."""
    for name in ("title", "body"):
        field = schema[name]
        schema.remove(name)
        schema.add(name, FrenchText(analyzer=field.analyzer, stored=field.stored, field_boost=field.format.field_boost))
    return schema


@pytest.mark.parametrize("boost", [1.0, 2.0, 3.5])
@pytest.mark.parametrize("positions", [False, True])
def test_text_postings_equal_whoosh_analysis(boost: float, positions: bool) -> None:
    schema = build_schema(title_boost=boost)
    if positions:
        schema = _with_positions(schema)
    for text in _texts():
        for name, exact in TEXT_FIELDS.items():
            field = schema[name]
            positions = index_positions(text)[exact]
            got = text_postings(field, positions).items
            # Terms, weights and encoded postings are Whoosh's own...
            assert sorted((t, w, v) for t, _, w, v in got) == sorted((t, w, v) for t, _, w, v in field.index(text)), (name, text[:60])
            # ...and the field length (the sum of frequencies) counts each word once,
            # not each twin term of an accented word.
            assert sum(f for _, f, _, _ in got) == len({p for ps in positions.values() for p in ps}), (name, text[:60])


def test_french_text_takes_postings_or_text() -> None:
    field = build_schema()["body"]
    assert isinstance(field, FrenchText)
    expected = sorted(field.index("Les roquettes près de l'ambassade"))
    assert sorted(field.index(Postings(expected))) == expected


def _dump(index_dir: Path) -> dict[str, Any]:
    """Everything a search reads from an index, by field and term."""
    ix = windex.open_dir(str(index_dir), indexname=ix_mod.INDEX_NAME)
    out: dict[str, Any] = {}
    with ix.reader() as r:
        for field, term in r.all_terms():
            info = r.term_info(field, term)
            m = r.postings(field, term)
            items = []
            while m.is_active():
                items.append((m.id(), m.weight(), m.value()))
                m.next()
            out[f"{field}:{term!r}"] = (
                info.weight(), info.doc_frequency(), info.min_length(), info.max_length(), info.max_weight(), items,
            )
        n = r.doc_count_all()
        for name in TEXT_FIELDS:
            out[f"len:{name}"] = [r.doc_field_length(d, name) for d in range(n)]
        out["stored"] = [r.stored_fields(d) for d in range(n)]
    return out


def _docs(options: Options) -> list[dict[str, Any]]:
    articles = []
    for source in iter_sources([SEEDS], exclude=[]):
        if not isinstance(source, Problem):
            articles += read_source(source, None).articles
    assert articles, "the seeds are needed"
    docs = extract_documents(articles, options)
    for d in docs:
        d["digest"] = "d"
    return docs


def test_bulk_writer_with_worker_postings_writes_the_same_index(tmp_path: Path) -> None:
    # Whoosh's own path: its writer, its analysis of plain text.
    plain = ix_mod.create(tmp_path / "plain", 2.0)
    writer = plain.writer(compound=False)
    for doc in _docs(Options(actors=False)):
        writer.add_document(**doc)
    writer.commit()
    # searchkit's path: postings computed "in the worker", the bulk writer.
    bulk = ix_mod.create(tmp_path / "bulk", 2.0)
    docs = _docs(Options(actors=False, text_fields=_text_fields(bulk.schema)))
    assert all(isinstance(d["body"], Postings) for d in docs)
    writer = open_writer(bulk)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    plain_dump, bulk_dump = _dump(tmp_path / "plain"), _dump(tmp_path / "bulk")
    # Field lengths are the one intended difference: the bulk path counts a word's
    # twin terms once (schema.text_postings). Everything else is Whoosh's, byte for byte.
    for name in TEXT_FIELDS:
        from whoosh.util.numeric import byte_to_length, length_to_byte  # lengths are stored quantised

        freqs = [byte_to_length(length_to_byte(sum(f for _, f, _, _ in d[name].items))) if name in d else 0 for d in docs]
        lengths = [n or 0 for n in bulk_dump.pop(f"len:{name}")]
        plain = [n or 0 for n in plain_dump.pop(f"len:{name}")]
        assert lengths == freqs and all(a <= b for a, b in zip(lengths, plain)), name

    def without_lengths(dump: dict[str, Any]) -> dict[str, Any]:
        return {k: (v[:2] + v[4:] if isinstance(v, tuple) else v) for k, v in dump.items()}

    assert without_lengths(plain_dump) == without_lengths(bulk_dump)


def test_index_made_with_plain_text_fields_still_takes_articles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Roquettes sur Bagdad\n\nDes roquettes sont tombées près de l'ambassade.", "utf-8")

    def old_schema(title_boost: float = 2.0) -> Any:
        schema = build_schema(title_boost)
        for name in TEXT_FIELDS:  # what searchkit wrote before FrenchText
            field = schema[name]
            schema.remove(name)
            schema.add(name, TEXT(analyzer=field.analyzer, stored=field.stored, field_boost=field.format.field_boost))
        return schema

    monkeypatch.setattr(ix_mod, "build_schema", old_schema)
    run_index([corpus], tmp_path / "index", actors=False)
    monkeypatch.undo()
    ix = windex.open_dir(str(tmp_path / "index"), indexname=ix_mod.INDEX_NAME)
    assert _text_fields(ix.schema) == ()  # plain text goes to Whoosh, which analyses it
    (corpus / "b.txt").write_text("Ambassade\n\nUne autre roquette près de l'ambassade.", "utf-8")
    report = run_index([corpus], tmp_path / "index", actors=False)
    assert report.added == 1 and report.documents == 2
    from searchkit.search.engine import Engine

    engine = Engine.open(tmp_path / "index")
    assert engine.search("roquettes ambassade", facets=False).total == 2
