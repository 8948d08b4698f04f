"""From a source file to documents ready for the index: read, then extract.

Runs in worker processes during indexing (see ``index.py``), so it holds no
Whoosh objects and returns plain picklable values. The NER model is loaded here,
lazily, once per process: query-time code never imports this module.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from searchkit.corpus import Article, Problem, ReadResult, SourceFile, read_source

__all__ = ["Prepared", "date_prefixes", "prepare_sources"]


@dataclass
class Prepared:
    """One source file read and extracted: its documents and its problems."""

    source: SourceFile
    digest: str
    docs: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Options:
    """The extraction settings a worker needs (picklable)."""

    actors: bool = True
    dates: bool = True
    max_bytes: int | None = None
    model: str | None = None


def date_prefixes(value: str) -> list[str]:
    """"2020-12-20" -> ["2020", "2020-12", "2020-12-20"]: one term per granularity."""
    parts = value.split("-")
    return ["-".join(parts[: i + 1]) for i in range(len(parts))]


def _date_key(value: str | None) -> int:
    if not value:
        return 0
    parts = [int(p) for p in value.split("-")] + [1, 1]
    return parts[0] * 10000 + parts[1] * 100 + parts[2]


def _extraction_text(article: Article) -> str:
    if article.body.startswith(article.title.rstrip("…")):
        return article.body
    return f"{article.title}\n\n{article.body}"


def prepare_sources(sources: Sequence[SourceFile], options: Options) -> list[Prepared]:
    """Read and extract a batch of files (one batch: one spaCy ``pipe`` call)."""
    reads: list[ReadResult] = [read_source(s, options.max_bytes) for s in sources]
    articles = [a for r in reads for a in r.articles]
    actors = _actors_for(articles, options.model) if options.actors else [[] for _ in articles]
    out: list[Prepared] = []
    i = 0
    for r in reads:
        prepared = Prepared(r.source, r.digest, problems=list(r.problems))
        for article in r.articles:
            prepared.docs.append(_document(article, actors[i], options))
            i += 1
        out.append(prepared)
    return out


def _actors_for(articles: list[Article], model: str | None) -> list[list[Any]]:
    if not articles:
        return []
    from searchkit.extract.actors import iter_actors

    try:
        return list(iter_actors((_extraction_text(a) for a in articles), model=model))
    except OSError as exc:  # spaCy's E050: the model package is not installed
        if "E050" not in str(exc):
            raise
        from searchkit.errors import ConfigError

        raise ConfigError(
            f"spaCy model '{model or 'default'}' is not installed",
            hint="run `make install`, or set extract.model (or extract.actors: false) in config.yaml",
        ) from None


def _document(article: Article, mentions: Iterable[Any], options: Options) -> dict[str, Any]:
    published, precision = article.published, None
    mentioned: list[str] = []
    if published:
        precision = ("year", "month", "day")[published.count("-")]
    if options.dates:
        from searchkit.extract.dates import extract_dates, infer_published

        if not published:
            inferred = infer_published(article.body)
            if inferred:
                published, precision = inferred
        mentioned = sorted({m.value for m in extract_dates(article.body, published)})
    # (kind, canonical) -> surface forms in this article, for facets and snippet marking
    actors: dict[tuple[str, str], set[str]] = {}
    for m in mentions:
        name = m.canonical.replace(",", " ").strip()
        if name:
            actors.setdefault((m.kind, name), set()).add(m.text)
    by_kind: dict[str, list[str]] = {"person": [], "org": [], "place": []}
    for kind, name in actors:
        by_kind[kind].append(name)
    meta = {
        "published": published,
        "precision": precision,
        "mentioned": mentioned,
        "actors": [
            {"name": name, "kind": kind, "forms": sorted(forms)} for (kind, name), forms in sorted(actors.items())
        ],
    }
    pub_terms = date_prefixes(published) if published else ["undated"]
    return {
        "id": article.id,
        "source": article.source,
        "path": article.path,
        # A guessed title is stored for display but not indexed (see corpus.Article).
        "title": "" if article.title_guessed else article.title,
        "_stored_title": article.title,
        "body": article.body,
        "title_exact": "" if article.title_guessed else article.title,
        "body_exact": article.body,
        "published": ",".join(pub_terms),
        "mentioned": ",".join(sorted({p for v in mentioned for p in date_prefixes(v)})),
        "date_key": _date_key(published),
        "actor": ",".join(sorted({n for _, n in actors})),
        "person": ",".join(sorted(by_kind["person"])),
        "org": ",".join(sorted(by_kind["org"])),
        "place": ",".join(sorted(by_kind["place"])),
        "meta": meta,
    }
