"""``SearchKit``: the one entry point for the CLI, the REPL and embedding code.

Reads the configuration, runs incremental indexing, and answers searches with
plain dataclasses. Raises ``SearchkitError`` subclasses; never prints or exits.
"""
from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Iterator, Mapping, Sequence

from searchkit.config import Config, load_config
from searchkit.errors import CorpusError
from searchkit.results import ActorMatch, Document, Explanation, Facets, ResolvedActor, Results
from searchkit.runs import index_corpus, open_engine
from searchkit.vocab import FACET_TOP

if TYPE_CHECKING:  # the indexer run is imported by ``index()`` alone: a search never loads it
    from searchkit.index.indexer import IndexReport, ProgressFn
    from searchkit.results import ArticleExtraction, Association, IndexStats, Timeline, Token
    from searchkit.workflow.saved import SavedSearches
    from searchkit.search.engine import Engine

__all__ = ["SearchKit", "parse_part"]


class SearchKit:
    """A corpus, its index and the settings that tie them.

    >>> kit = SearchKit.open("config.yaml")            # doctest: +SKIP
    >>> kit.index()                                     # doctest: +SKIP
    >>> kit.search("roquettes", filters={"person": ["Kazimi"]}).total  # doctest: +SKIP
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self._opened: Any = None  # the search engine, once opened (see _engine)

    @classmethod
    def open(
        cls,
        config_path: str | Path | None = None,
        *,
        index_dir: str | Path | None = None,
        corpus: str | Path | Sequence[str | Path] | None = None,
        semantic: bool | None = None,
    ) -> "SearchKit":
        """From a config.yaml, or from explicit paths (which override the file's).

        ``semantic`` (default: config.yaml's ``semantic:``) makes ``index()`` compute and
        store passage vectors (True, needs ``searchkit[semantic]``) or drop them (False)."""
        config = load_config(config_path)
        if index_dir is not None:
            config.index_dir = Path(index_dir)
        if corpus is not None:
            items = [corpus] if isinstance(corpus, (str, Path)) else list(corpus)
            config.corpus = [Path(c) for c in items]
        if semantic is not None:
            config.semantic = semantic
        return cls(config)

    @property
    def _engine(self) -> "Engine":
        """The search engine over this kit's index, opened on first use. Private: the
        CLI, the REPL and embedding code use this class's methods, never the engine."""
        if self._opened is None:
            self._opened = open_engine(self.config)
        return self._opened

    def index(
        self,
        paths: Sequence[str | Path] | None = None,
        *,
        rebuild: bool = False,
        progress: ProgressFn | None = None,
        part: tuple[int, int] | None = None,
        vector_progress: ProgressFn | None = None,
    ) -> IndexReport:
        """Add new files, re-index changed ones, drop deleted ones; ``rebuild`` starts over.
        ``part=(i, n)``: only the i-th of n shares of the files (OpenSearch backend: n
        indexer processes, one index). ``progress(done, total)`` counts the files;
        with semantic indexing, the words and facets are committed (searchable) first,
        then ``vector_progress(done, total)`` counts the passage vectors computed.

        Raises ``NothingIndexedError`` (with the report) when the index ends up empty:
        a program must not go on searching nothing as if all were well.
        """
        roots = [Path(p) for p in paths] if paths else list(self.config.corpus)
        missing = [str(r) for r in roots if not r.exists()]
        if missing and len(missing) == len(roots):
            raise CorpusError(f"corpus not found: {', '.join(missing)}", hint="set `corpus:` in config.yaml or pass a folder: searchkit index PATH")
        self.close()
        return index_corpus(self.config, roots, rebuild, progress, part, warm=lambda: self._engine.warm(), vector_progress=vector_progress)

    def search(
        self,
        query: str,
        filters: Mapping[str, Sequence[str]] | None = None,
        limit: int | None = None,
        offset: int = 0,
        sort: str = "relevance",
        facets: bool = True,
        snippets: int | None = None,
        strict: bool = False,
        mode: str | None = None,
        facet_top: int | None = FACET_TOP,
        collapse: bool = True,
    ) -> Results:
        """Search; ``filters`` maps a facet (actor, person, org, place, published,
        mentioned) to values, e.g. ``{"published": ["2020-12"]}``. ``snippets``: how many
        per hit (default: the config's; 0 skips them, as an export does); ``facet_top``
        values per facet (0 or None: all), as ``facets(top=...)``.

        Ordinary text never raises: an odd quote, a stray operator or a query of stop
        words alone is read the way a person means it, and ``Results.notices`` says
        how. ``strict=True`` raises ``QueryError`` for those instead.

        ``mode``: "lexical" (words, BM25F), "semantic" (passage vectors) or "hybrid"
        (both rankings fused); the default is hybrid when the index has vectors.

        ``collapse`` (default): near-duplicate copies of an article make one hit, the
        best ranked, whose ``duplicates`` lists the other copies' ids; ``total`` and
        the facets then count each group once, as the hit list shows it.
        ``collapse=False`` shows every copy and counts articles."""
        from searchkit.search.request import SearchRequest  # the query side of Whoosh: only when searching

        return self._engine.search(SearchRequest.of(
            query, filters, limit=self.config.limit if limit is None else limit, offset=offset, sort=sort, facets=facets,
            snippet_count=snippets, strict=strict, mode=mode, facet_top=facet_top or None, collapse=collapse))

    def similar(
        self,
        doc_id: str,
        filters: Mapping[str, Sequence[str]] | None = None,
        limit: int | None = None,
        offset: int = 0,
        collapse: bool = True,
    ) -> Results:
        """Articles like ``doc_id`` (nearest by its stored vector where the index has
        vectors, else its key terms by tf-idf), ``filters`` applied, the article and its
        near-duplicate copies left out; ``res.to_dict()`` has the shape of a search's,
        ``query`` holding the key terms and ``mode`` the ranking used."""
        return self._engine.similar(doc_id, filters, self.config.limit if limit is None else limit, offset, collapse=collapse)

    def facets(self, field: str | None = None, query: str = "", filters: Mapping[str, Sequence[str]] | None = None, top: int | None = None) -> Facets:
        """Facet values with counts over the articles ``query`` and ``filters`` match (all by
        default): the ``top`` most frequent of each field, every value when ``top`` is None or 0.
        ``field`` (English or French name): that field only, e.g. ``facets("person").person``;
        the others are None."""
        from searchkit.errors import QueryError
        from searchkit.vocab import FACET_FIELDS, canonical_field

        fields = list(FACET_FIELDS)
        if field:
            f = canonical_field(field)
            if f not in FACET_FIELDS:
                raise QueryError(f"unknown facet '{field}'", hint=f"facets: {', '.join(FACET_FIELDS)}")
            fields = [f]
        if top is not None and top < 0:
            raise QueryError(f"top must be 0 or more, not {top}", hint="0 lists every value")
        res = self._engine.search(query, filters, limit=0, facets=True, facet_top=top or None)
        return Facets(**{f: tuple(res.facets[f]) for f in fields})

    def document(self, doc_id: str, query: str = "", filters: Mapping[str, Sequence[str]] | None = None) -> Document:
        """The article ``doc_id`` as stored, with the body ranges ``query`` and the actor
        ``filters`` match (``Document.spans``); ``NotFoundError`` for an unknown id."""
        from searchkit.search.explain import document_from

        match = self._engine.query_match(doc_id, query, filters)
        return document_from(match.fields, match.spans)

    def explain(self, doc_id: str, query: str, filters: Mapping[str, Sequence[str]] | None = None) -> Explanation:
        """Why ``doc_id`` matches ``query`` and ``filters``: each query word, the index terms
        the engine's parsed query expanded to, the words of the article that carry them,
        and which actor spellings or dates passed each filter."""
        from searchkit.search.explain import document_from, explanation_from
        from searchkit.search.engine import date_in

        match = self._engine.query_match(doc_id, query, filters)
        doc = document_from(match.fields, match.spans)
        return explanation_from(doc, query, match.stemmed, match.exact, match.query_names, dict(filters or {}), self.resolve_actor, date_in)

    def resolve_actor(self, name: str, kind: str | None = None) -> ActorMatch:
        """The actors ``name`` stands for in the index (any spelling, case or accent; a
        single word also finds those whose name ends with it), each with its spellings.
        ``kind``: person, org or place (None: any)."""
        from searchkit.errors import QueryError
        from searchkit.vocab import ACTOR_KINDS

        if kind is not None and kind not in ACTOR_KINDS:
            raise QueryError(f"unknown actor kind '{kind}'", hint=f"kinds: {', '.join(ACTOR_KINDS)}")
        groups = self._engine.groups
        found: list[ResolvedActor] = []
        for display in sorted(groups.resolve(name, kind)):
            by_kind: dict[str, set[str]] = {}
            for k, spelling in groups.members.get(display, ()):
                if kind is None or k == kind:
                    by_kind.setdefault(k, set()).add(spelling)
            found += [ResolvedActor(display, k, tuple(sorted(v | {display})), groups.because(display)) for k, v in sorted(by_kind.items())]
        return ActorMatch(name, kind, tuple(found))

    def extract(self, path: str | Path, actors: bool = True) -> list[ArticleExtraction]:
        """What indexing extracts from the file ``path`` (no index needed): per article,
        the publication date (header or guessed), mentioned dates and actors
        (``ArticleExtraction``, ``to_dict()``). ``actors=False`` skips NER."""
        from searchkit.index.extraction import extract_file

        return list(extract_file(path, actors=actors, model=self.config.model, aliases=self.config.aliases))

    @staticmethod
    def analyze(text: str, exact: bool = False) -> list[Token]:
        """The tokens ``text`` gives in the index (no index needed): ``Token`` (``term``,
        ``pos``, ``start``, ``end``, ``word``); ``exact``: the unstemmed field's tokens."""
        from searchkit.results import Token
        from searchkit.text.analysis import analyze

        return [Token(**t) for t in analyze(text, exact=exact)]

    def stats(self) -> IndexStats:
        """What the index holds (``documents``, ``actors``, ``undated``, ``vectors``...) and
        where (``IndexStats``; ``to_dict()`` is `searchkit stats --json`); ``vectors``: how
        many articles have a passage vector (0 without semantic indexing; fewer than
        ``documents`` while an indexing run is still computing them)."""
        return self._engine.stats()

    # -- analyst workflow (searchkit/workflow/) -------------------------------
    def associated(self, actor: str, kind: str | None = None, query: str = "", filters: Mapping[str, Sequence[str]] | None = None, top: int = 20, measure: str = "llr", collapse: bool = True) -> Association:
        """Actors co-mentioned with ``actor`` (any spelling) in the articles ``query`` and
        ``filters`` match, scored by log-likelihood: ``Association`` (``to_dict()``).
        ``collapse`` (default): a near-duplicate group counts once, as in search."""
        from searchkit.workflow.associate import associated

        return associated(self._engine, actor, kind, query, filters, top=top, measure=measure, collapse=collapse)

    def export(self, out: IO[str], fmt: str, query: str = "", filters: Mapping[str, Sequence[str]] | None = None, limit: int | None = None, sort: str = "relevance", bom: bool = False, collapse: bool = True) -> int:
        """Write every hit (up to ``limit``) to the text stream ``out`` as json, jsonl or
        csv; returns how many were written."""
        from searchkit.workflow.export import export

        return export(self, out, fmt, query, filters, limit=limit, sort=sort, bom=bom, collapse=collapse)

    def export_text(self, fmt: str, query: str = "", filters: Mapping[str, Sequence[str]] | None = None, limit: int | None = None, sort: str = "relevance", bom: bool = False, collapse: bool = True) -> Iterator[str]:
        """``export`` as text pieces to stream (the web server's download): the format
        and the query are checked, and the first page searched, before this returns."""
        from searchkit.workflow.export import export_text

        return export_text(self, fmt, query, filters, limit=limit, sort=sort, bom=bom, collapse=collapse)

    def timeline(self, query: str = "", filters: Mapping[str, Sequence[str]] | None = None, by: str = "month", collapse: bool = True) -> Timeline:
        """Hits per month, week or year (``undated`` apart): ``Timeline`` (``to_dict()``).
        ``collapse`` (default): a near-duplicate group counts once, as in search."""
        from searchkit.workflow.timeline import timeline

        return timeline(self._engine, query, filters, by, collapse=collapse)

    @property
    def saved(self) -> "SavedSearches":
        """This index's saved searches (``SavedSearches``: ``add`` and ``remove`` give a
        ``SavedSearch``, ``list`` a ``SavedSearchList``, ``run`` a ``SavedRun``, ``run_all``
        ``SavedRuns``)."""
        from searchkit.workflow.saved import SavedSearches

        return SavedSearches(self)

    def close(self) -> None:
        if self._opened is not None:
            self._opened.close()
            self._opened = None


def parse_part(text: str) -> tuple[int, int]:
    """``"1/3"`` -> (1, 3), for ``index(part=...)``; a bad share raises with a hint."""
    from searchkit.backends.ingest import parse_part as parse

    return parse(text)
