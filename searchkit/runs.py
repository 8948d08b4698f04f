"""From a ``SearchKit``'s configuration to what does the work, on either backend: the
search engine it opens and the indexing run it starts.

The one place where config.yaml's indexing settings become the indexer's
``RunOptions`` (the Whoosh run and the OpenSearch ingest take the same object), and
where ``backend:`` picks the engine. It imports each backend only when it is chosen;
it holds no state and answers no query.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from searchkit.config import Config, enabled_formats

if TYPE_CHECKING:
    from searchkit.index.indexer import IndexReport, ProgressFn, RunOptions
    from searchkit.search.engine import Engine

__all__ = ["index_corpus", "open_engine", "run_options"]


def run_options(config: Config, rebuild: bool = False) -> RunOptions:
    """config.yaml's indexing settings, as the indexer takes them."""
    from searchkit.index.indexer import RunOptions  # the indexer run only when indexing: searches stay light

    return RunOptions(
        rebuild=rebuild, actors=config.actors, dates=config.dates, model=config.model, workers=config.workers,
        max_file_mb=config.max_file_mb, commit_every=config.commit_every, title_boost=config.title_boost,
        formats=enabled_formats(config), aliases=config.aliases, semantic=config.semantic, dedup=config.duplicates,
    )


def open_engine(config: Config) -> "Engine":
    """The one ``search.Engine``, over the configured backend: the Whoosh index folder,
    or the OpenSearch cluster."""
    from searchkit.search.engine import Engine  # Whoosh's query side only when searching

    if config.backend == "opensearch":
        return Engine(_opensearch(config), config.snippets)
    return Engine.open(config.index_dir, config.aliases, config.snippets, dedup=config.duplicates, acronyms=config.acronyms)


def index_corpus(config: Config, roots: Sequence[Path], rebuild: bool, progress: ProgressFn | None,
                 part: tuple[int, int] | None, warm: Callable[[], None],
                 vector_progress: ProgressFn | None = None) -> IndexReport:
    """One incremental run over ``roots`` into the configured index; ``warm`` builds what
    a first search needs (the caller's own engine: it is opened once) as soon as the words
    are committed, before the vector step (``vector_progress``: its progress, on either
    backend). Raises ``NothingIndexedError`` (with the report) when
    the index ends up empty."""
    options = run_options(config, rebuild)
    if config.backend == "opensearch":
        from searchkit.backends.ingest import run_backend_index

        backend = _opensearch(config)
        try:
            # Near-duplicate signatures are the Whoosh index's (see ARCHITECTURE.md).
            report = run_backend_index(roots, backend, replace(options, dedup=False), progress=progress, part=part,
                                       vector_progress=vector_progress)
        finally:
            backend.close()
    else:
        from searchkit.index.indexer import run_index

        # Numpy postings, facet tables and actor groups are built once the words are
        # committed, so that no search (least of all a one-shot `searchkit search`) waits
        # for them, while the vectors are still being computed.
        report = run_index(roots, config.index_dir, options, progress=progress, vector_progress=vector_progress, after_words=warm)
    if report.documents == 0:
        raise _nothing_indexed(report, roots, options.formats or set())
    return report


def _opensearch(config: Config) -> Any:
    from searchkit.backends.opensearch import OpenSearchBackend

    return OpenSearchBackend(config.opensearch_url, config.opensearch_index, shards=config.opensearch_shards,
                             replicas=config.opensearch_replicas, aliases=config.aliases, title_boost=config.title_boost,
                             acronyms=config.acronyms)


def _nothing_indexed(report: IndexReport, roots: Sequence[Path], formats: Any) -> Exception:
    from searchkit.corpus import suffixes
    from searchkit.errors import NothingIndexedError

    where = ", ".join(str(p) for p in roots)
    if report.files_seen == 0:
        names = suffixes(formats)
        listed = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else "".join(names) or "enabled"
        return NothingIndexedError(
            f"nothing to index: no {listed} file in {where}",
            hint="point `corpus:` in config.yaml (or PATH) at your articles; `formats:` in config.yaml turns formats on and off",
            report=report,
        )
    return NothingIndexedError(
        f"nothing could be indexed: all {report.files_seen} files in {where} were skipped",
        hint="see the reasons above; `searchkit index -v` lists each file",
        report=report,
    )
