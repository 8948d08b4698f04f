"""What the indexer would extract from one file: the library side of `searchkit extract`.

What it is for: read a file the way indexing reads it (corpus.read_source), then guess the
publication date and run NER exactly as indexing does (index.documents.publication_date
and extraction_text: title + body), so what `searchkit extract` shows is what the
index holds.

What it must not do: keep its own copy of the indexer's rules, write an index, or print.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from searchkit.errors import CorpusError
from searchkit.results.extraction import ArticleExtraction

__all__ = ["ArticleExtraction", "extract_file"]


def extract_file(path: str | Path, actors: bool = True, model: str | None = None, aliases: Any = None) -> list[ArticleExtraction]:
    """Every article of ``path`` (any format the corpus reads) with what indexing extracts
    from it: same model, same aliases (config.yaml's gazetteer), same text (title + body)."""
    from searchkit.corpus import SourceFile, read_source
    from searchkit.extract import extract_dates
    from searchkit.index.documents import extraction_text, publication_date

    file = Path(path)
    if not file.is_file():
        raise CorpusError(f"{file}: no such file", hint="give the path of an article (.txt, .md, .jsonl, .html, .pdf, .docx, .odt, .eml)")
    st = file.stat()
    result = read_source(SourceFile(file, str(file.resolve()), st.st_size, st.st_mtime_ns))
    if not result.articles:
        reason = "; ".join(p.reason for p in result.problems) or "nothing to read"
        raise CorpusError(f"{file}: {reason}", hint="check the file's encoding and content")
    found: list[list[Any]] = [[] for _ in result.articles]
    if actors:
        from searchkit.extract.actors import iter_actors

        found = list(iter_actors((extraction_text(a) for a in result.articles), model=model, aliases=aliases))
    out = []
    for art, mentions in zip(result.articles, found):
        published, precision = publication_date(art)
        out.append(ArticleExtraction(art.id, published, precision, tuple(extract_dates(art.body, published)), tuple(mentions)))
    return out
