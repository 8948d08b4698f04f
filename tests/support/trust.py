"""Checks that a search's counts can be trusted, shared by the tests and bench/trust.py.

What it is for: given an open ``SearchKit`` over an index with vectors and a list of
queries, compare hybrid search with lexical search (the same total, facets and set of
hits: the words decide what matches) and a search's first page with the same search at
another page size or in pages (the first page never depends on the page size). Each
check returns the disagreements it found, so a test asserts there are none and a bench
counts them.

What it must not do: build an index, or loosen a comparison (facets are
compared value by value and count by count, hits as exact id lists).
"""
from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["content_words", "first_page_differences", "hybrid_differences", "news_rows", "title_queries", "write_news"]

_WORD = re.compile(r"[^\W\d_]{4,}")


def news_rows(path: Path, n: int, titled: bool = True) -> list[dict]:
    """The first ``n`` OrangeSum records of ``path`` with a text (and a title, if ``titled``)."""
    rows: list[dict] = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row.get("text", "").strip() and (not titled or row.get("title", "").strip()):
                rows.append(row)
            if len(rows) == n:
                break
    return rows


def write_news(rows: Iterable[dict], folder: Path) -> Path:
    """``rows`` as one .jsonl collection of ``{"id", "date", "title", "text"}`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "news.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for row in rows:
            record = {"id": str(row["id"]), "date": row.get("date"), "title": row.get("title", ""), "text": row["text"]}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return out


def content_words(title: str) -> list[str]:
    """The words of four letters or more of a title, in order."""
    return _WORD.findall(title)


def title_queries(titles: Iterable[str], n: int) -> list[str]:
    """Up to ``n`` queries of 1, 2 and 3 consecutive content words of the titles, in turn."""
    out: list[str] = []
    for i, title in enumerate(titles):
        words = content_words(title)
        size = 1 + i % 3
        if len(words) >= size:
            out.append(" ".join(words[:size]))
        if len(out) == n:
            break
    return out


def hybrid_differences(kit: Any, query: str, every: int = 1000) -> list[str]:
    """What hybrid search answers differently from lexical search for ``query`` in what
    it matches: total, facets (every value and count) and the set of hits."""
    lexical = kit.search(query, mode="lexical", limit=every, snippets=0, facet_top=0)
    hybrid = kit.search(query, mode="hybrid", limit=every, snippets=0, facet_top=0)
    out = []
    if hybrid.total != lexical.total:
        out.append(f"{query!r}: total {hybrid.total} (hybrid) != {lexical.total} (lexical)")
    for field in lexical.facets:
        want = {(v.value, v.count) for v in lexical.facets[field]}
        got = {(v.value, v.count) for v in hybrid.facets.get(field, ())}
        if want != got:
            out.append(f"{query!r}: facet {field} differs: {sorted(got ^ want)[:4]}")
    if {h.id for h in hybrid.hits} != {h.id for h in lexical.hits}:
        out.append(f"{query!r}: hit sets differ ({len(hybrid.hits)} vs {len(lexical.hits)})")
    if lexical.total >= 10 and hybrid.related:
        out.append(f"{query!r}: related articles offered although the words match a page")
    return out


def first_page_differences(kit: Any, query: str, mode: str | None = None, page: int = 10) -> list[str]:
    """Where the first ``page`` hits of ``query`` change with the page size (``page``,
    1000) or when read in pages of 3."""
    def ids(limit: int, offset: int = 0) -> list[str]:
        return [h.id for h in kit.search(query, mode=mode, limit=limit, offset=offset, facets=False, snippets=0).hits]

    first = ids(page)
    out = []
    if ids(1000)[:page] != first:
        out.append(f"{query!r} ({mode}): the first {page} differ with limit=1000")
    paged = [d for offset in range(0, page, 3) for d in ids(3, offset)][:page]
    if paged != first:
        out.append(f"{query!r} ({mode}): the first {page} differ when read in pages of 3")
    return out
