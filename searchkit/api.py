"""``SearchKit``: the one entry point for the CLI, the REPL and embedding code.

Reads the configuration, runs incremental indexing, and answers searches with
plain dataclasses. Raises ``SearchkitError`` subclasses; never prints or exits.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from searchkit.config import Config, load_config
from searchkit.errors import CorpusError
from searchkit.index import IndexReport, ProgressFn, run_index
from searchkit.results import Results

__all__ = ["SearchKit"]


class SearchKit:
    """A corpus, its index and the settings that tie them.

    >>> kit = SearchKit.open("config.yaml")            # doctest: +SKIP
    >>> kit.index()                                     # doctest: +SKIP
    >>> kit.search("roquettes", filters={"person": ["Kazimi"]}).total  # doctest: +SKIP
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self._engine: Any = None

    @classmethod
    def open(
        cls,
        config_path: str | Path | None = None,
        *,
        index_dir: str | Path | None = None,
        corpus: str | Path | Sequence[str | Path] | None = None,
    ) -> "SearchKit":
        """From a config.yaml, or from explicit paths (which override the file's)."""
        config = load_config(config_path)
        if index_dir is not None:
            config.index_dir = Path(index_dir)
        if corpus is not None:
            items = [corpus] if isinstance(corpus, (str, Path)) else list(corpus)
            config.corpus = [Path(c) for c in items]
        return cls(config)

    @property
    def engine(self) -> Any:
        if self._engine is None:
            from searchkit.search import Engine  # Whoosh searcher only when searching

            self._engine = Engine(self.config.index_dir, self.config.aliases, self.config.snippets, dedup=self.config.duplicates)
        return self._engine

    def index(
        self,
        paths: Sequence[str | Path] | None = None,
        *,
        rebuild: bool = False,
        progress: ProgressFn | None = None,
    ) -> IndexReport:
        """Add new files, re-index changed ones, drop deleted ones; ``rebuild`` starts over."""
        roots = [Path(p) for p in paths] if paths else list(self.config.corpus)
        missing = [str(r) for r in roots if not r.exists()]
        if missing and len(missing) == len(roots):
            raise CorpusError(f"corpus not found: {', '.join(missing)}", hint="set `corpus:` in config.yaml or pass a folder: searchkit index PATH")
        self.close()
        c = self.config
        report = run_index(
            roots,
            c.index_dir,
            rebuild=rebuild,
            actors=c.actors,
            dates=c.dates,
            model=c.model,
            workers=c.workers,
            max_file_mb=c.max_file_mb,
            commit_every=c.commit_every,
            title_boost=c.title_boost,
            progress=progress,
            dedup=c.duplicates,
        )
        # Numpy postings, facet tables and actor groups are built now, once, so that
        # no search (least of all a one-shot `searchkit search`) waits for them.
        self.engine.warm()
        return report

    def search(
        self,
        query: str,
        filters: Mapping[str, Sequence[str]] | None = None,
        limit: int | None = None,
        offset: int = 0,
        sort: str = "relevance",
        facets: bool = True,
        collapse: bool = True,
    ) -> Results:
        """Search; ``filters`` maps a facet (actor, person, org, place, published,
        mentioned) to values, e.g. ``{"published": ["2020-12"]}``.

        ``collapse`` (default): near-duplicate copies of an article make one hit, the
        best ranked, whose ``duplicates`` lists the other copies' ids; ``total`` and
        the facets then count each group once, as the hit list shows it.
        ``collapse=False`` shows every copy and counts articles."""
        return self.engine.search(
            query, filters, self.config.limit if limit is None else limit, offset, sort, facets, collapse=collapse
        )

    def similar(
        self,
        doc_id: str,
        filters: Mapping[str, Sequence[str]] | None = None,
        limit: int | None = None,
        offset: int = 0,
        collapse: bool = True,
    ) -> Results:
        """Articles like ``doc_id`` (lexical more-like-this: its key terms by tf-idf),
        ``filters`` applied, the article and its near-duplicate copies left out;
        ``res.to_dict()`` has the shape of a search's, ``query`` holding the key terms."""
        return self.engine.similar(doc_id, filters, self.config.limit if limit is None else limit, offset, collapse=collapse)

    def facets(self, field: str | None = None, query: str = "", filters: Mapping[str, Sequence[str]] | None = None, top: int | None = None) -> dict[str, Any]:
        """Facet values with counts over the articles ``query`` and ``filters`` match (all by default)."""
        from searchkit.schema import FACET_FIELDS
        from searchkit.query import canonical_field
        from searchkit.errors import QueryError

        fields = list(FACET_FIELDS)
        if field:
            f = canonical_field(field)
            if f not in FACET_FIELDS:
                raise QueryError(f"unknown facet '{field}'", hint=f"facets: {', '.join(FACET_FIELDS)}")
            fields = [f]
        res = self.engine.search(query, filters, limit=0, facets=True)
        return {f: res.facets[f] for f in fields} if top is None else {f: res.facets[f][:top] for f in fields}

    def document(self, doc_id: str) -> dict[str, Any]:
        """An article's stored fields (id, path, title, body, meta)."""
        return dict(self.engine.document(doc_id))

    def stats(self) -> dict[str, Any]:
        """``{"documents", "index_dir", "size_bytes", ...}`` as `searchkit stats --json`."""
        return self.engine.stats()

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None
