"""From articles to documents ready for the index: extract dates and actors, shape fields.

Runs in worker processes during indexing (``index/workers`` reads the files and sends
chunks of articles here), so it holds no Whoosh objects and returns plain picklable
values. The NER model is loaded here,
lazily, once per process: query-time code never imports this module.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from searchkit.corpus import Article, Problem, SourceFile

__all__ = [
    "EXTRACTION_VERSION", "Options", "Prepared", "date_prefixes", "extract_documents", "extraction_key", "extraction_text",
    "publication_date",
]

# Bump when what extraction stores for the same article changes (the date grammar, the
# actor rules or their lexicons): an index extracted by other rules is read again, file by
# file, by its next incremental run, as when config.yaml's aliases change, so that its
# facets never mix old and new rules. 2: the facet-trust rules of issue 12. 3: the date
# rules of issue 24 (years by event, month spans, story-relative dates, quarters,
# holidays), the actor rules of issue 24 (titles, glued sentence starts, outlets) and
# acronym definitions. 4: acronym evidence with the defining sentence's fingerprint
# ("SHORT=long#source") and the other uses ("SHORT~phrase"), read by the rules on copies
# and other meanings (an index of version 3 still reads: its terms count as before).
EXTRACTION_VERSION = 4


def extraction_key(aliases: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """What an index records of how its articles were extracted: the rules' version and
    config.yaml's aliases (frozen), compared at the start of every run."""
    return (("", (f"extraction {EXTRACTION_VERSION}",)), *aliases)


@dataclass
class Prepared:
    """One source file read and extracted: its documents and its problems."""

    source: SourceFile
    digest: str
    docs: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    part: int = 0  # a big collection comes in parts (see corpus.read_parts)
    last: bool = True


@dataclass(frozen=True)
class Options:
    """The extraction settings a worker needs (picklable).

    ``text_fields`` are the index's analysed fields as (name, Whoosh field, exact):
    their postings are computed here, in the worker, rather than by the single
    process that writes the index. Empty (an index made before FrenchText) means
    the text goes to the index as it is and Whoosh analyses it there.
    """

    actors: bool = True
    dates: bool = True
    max_bytes: int | None = None
    model: str | None = None
    text_fields: tuple[tuple[str, Any, bool], ...] = ()
    # config.yaml's aliases, frozen (actors.freeze_aliases): matched in the text as a
    # gazetteer, so that a name the model missed still counts for its actor.
    aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # The near-duplicate signature (dedup.py) of each article, computed here so that
    # the single writing process only files it (``_minhash``, popped by index/indexer).
    dedup: bool = True


def date_prefixes(value: str) -> list[str]:
    """"2020-12-20" -> ["2020", "2020-12", "2020-12-20"]: one term per granularity."""
    parts = value.split("-")
    return ["-".join(parts[: i + 1]) for i in range(len(parts))]


def _date_key(value: str | None) -> int:
    if not value:
        return 0
    parts = [int(p) for p in value.split("-")] + [1, 1]
    return parts[0] * 10000 + parts[1] * 100 + parts[2]


def extraction_text(article: Article) -> str:
    """The text NER reads: the title, then the body (once if the body starts with it)."""
    if article.body.startswith(article.title.rstrip("…")):
        return article.body
    return f"{article.title}\n\n{article.body}"


def extract_documents(articles: Sequence[Article], options: Options) -> list[dict[str, Any]]:
    """Extract dates and actors for a chunk of articles (one spaCy ``pipe`` call).

    This is the unit of work sent to indexing worker processes: articles, not files,
    so that one big .jsonl keeps both cores busy.
    """
    articles = list(articles)
    actors = _actors_for(articles, options.model, options.aliases) if options.actors else [[] for _ in articles]
    return [_document(article, found, options) for article, found in zip(articles, actors)]


def _actors_for(articles: list[Article], model: str | None, aliases: Any = ()) -> list[list[Any]]:
    if not articles:
        return []
    from searchkit.extract.actors import iter_actors

    try:
        return list(iter_actors((extraction_text(a) for a in articles), model=model, aliases=aliases))
    except OSError as exc:  # spaCy's E050: the model package is not installed
        if "E050" not in str(exc):
            raise
        from searchkit.errors import ConfigError

        raise ConfigError(
            f"spaCy model '{model or 'default'}' is not installed",
            hint="run `make install`, or set extract.model (or extract.actors: false) in config.yaml",
        ) from None


def publication_date(article: Article, infer: bool = True) -> tuple[str | None, str | None]:
    """(date, precision) of an article: its header's, else (``infer``) the one its text
    gives (see extract.dates.infer_published), else (None, None)."""
    published = article.published
    if published:
        return published, ("year", "month", "day")[published.count("-")]
    if infer:
        from searchkit.extract.dates import infer_published

        inferred = infer_published(article.body)
        if inferred:
            return inferred
    return None, None


def _acronyms(article: Article) -> str:
    from searchkit.extract.acronyms import evidence_terms

    return ",".join(evidence_terms(f"{article.title}\n{article.body}"))


def _document(article: Article, mentions: Iterable[Any], options: Options) -> dict[str, Any]:
    published, precision = publication_date(article, infer=options.dates)
    mentioned: list[str] = []
    if options.dates:
        from searchkit.extract.dates import extract_dates

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
    # Where the article came from (issue 13): its reader, the file's author, and for a
    # PDF the offset in the body where each page starts (`show` gives page numbers).
    meta.update({k: v for k, v in (("format", article.format), ("author", article.author), ("pages", list(article.pages))) if v})
    pub_terms = date_prefixes(published) if published else ["undated"]
    doc = {
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
        # Acronym evidence ("OMS=Organisation mondiale de la santé#source", "ISS~station
        # spatiale internationale"): the collection's evidence for merging an acronym's
        # facet value with its long form, or not (search/groups, extract/acronyms).
        "acronym": _acronyms(article) if options.actors else "",
        "meta": meta,
    }
    if options.dedup:
        from searchkit.dedup import signature

        doc["_minhash"] = signature(article.body)
    if options.text_fields:
        from searchkit.text.analysis import index_positions
        from searchkit.index.schema import text_postings

        doc["_stored_body"] = article.body
        analysed: dict[str, tuple[dict[str, list[int]], dict[str, list[int]]]] = {}
        for name, field_, exact in options.text_fields:
            text = doc[name]
            if text not in analysed:  # title and title_exact, body and body_exact: one pass each
                analysed[text] = index_positions(text)
            doc[name] = text_postings(field_, analysed[text][exact])
    return doc
