"""The ``searchkit`` command: thin click wrappers around ``SearchKit``.

Turns library errors into one line with a hint on stderr and an exit code
(0 ok, also for zero hits; 1 error; 2 usage or bad query; 130 interrupted).
``--traceback`` shows the Python traceback for anything unexpected.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

import click

from searchkit.errors import ExitStatus, SearchkitError
from searchkit.vocab import FACET_FIELDS as FILTER_FIELDS


def _default_config() -> str | None:
    env = os.environ.get("SEARCHKIT_CONFIG")
    if env:
        return env
    return "config.yaml" if Path("config.yaml").is_file() else None


class Context:
    def __init__(self, config: str | None, traceback: bool) -> None:
        self.config_path = config
        self.traceback = traceback
        self._kit: Any = None

    @property
    def kit(self) -> Any:
        if self._kit is None:
            from searchkit.api import SearchKit

            self._kit = SearchKit.open(self.config_path)
            for w in self._kit.config.warnings:
                click.echo(f"warning: {w}", err=True)
        return self._kit


def _style(err: bool = False) -> Any:
    from searchkit.ui.render import Style, color_enabled

    return Style(color_enabled(sys.stderr if err else sys.stdout))


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command; library errors become one line and an exit code."""

    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        obj = ctx.find_object(Context)
        show_tb = bool(obj and obj.traceback)
        try:
            return fn(*args, **kwargs)
        except SearchkitError as exc:
            from searchkit.ui.render import format_error

            if show_tb:
                raise
            click.echo(format_error(exc.message, exc.hint, _style(err=True)), err=True)
            ctx.exit(int(exc.exit_code))
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(ExitStatus.INTERRUPTED)
        except BrokenPipeError:
            # `searchkit search ... | head`: the reader went away, nothing to say.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(ExitStatus.OK)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # a bug: say so briefly unless asked for detail
            if show_tb:
                raise
            from searchkit.ui.render import format_error

            click.echo(format_error(f"unexpected {type(exc).__name__}: {exc}", "rerun with --traceback and report it", _style(err=True)), err=True)
            ctx.exit(ExitStatus.ERROR)

    return wrapper


class _UsageError(click.UsageError):
    """A usage error shown as one line with a hint, like every other error (click's
    own prints the usage block and "Try --help" over three lines)."""

    def show(self, file: Any = None) -> None:
        from searchkit.ui.render import format_error

        where = self.ctx.command_path if self.ctx else "searchkit"
        hint = f"see `{where} --help`"
        if "No such option" in self.message and self.ctx and self.ctx.command.name in ("search", "facets", "show"):
            hint += f"; put -- before a query that starts with -, e.g. {where} -- -roquette"
        click.echo(format_error(self.message, hint, _style(err=True)), err=True)


class _Group(click.Group):
    """The ``searchkit`` group: usage errors, its own and its commands', in one line."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise _one_line(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _one_line(exc) from None


def _one_line(exc: click.UsageError) -> click.UsageError:
    if isinstance(exc, _UsageError):
        return exc
    out = _UsageError(exc.format_message(), exc.ctx)  # MissingParameter builds its text there
    out.exit_code = exc.exit_code
    return out


@click.group(cls=_Group, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config", type=click.Path(dir_okay=False), default=_default_config, show_default="./config.yaml if present, or $SEARCHKIT_CONFIG", help="Settings file.")
@click.option("--traceback", is_flag=True, help="Show the Python traceback of unexpected errors.")
@click.version_option(package_name="searchkit")
@click.pass_context
def cli(ctx: click.Context, config: str | None, traceback: bool) -> None:
    """French-aware full-text search over folders of news articles.

    Without a command, opens the interactive REPL (or, with no terminal,
    reads one query per line from stdin).
    """
    ctx.obj = Context(config, traceback)
    if ctx.invoked_subcommand is None:
        ctx.invoke(repl)


def _part(obj: Context, part: str | None) -> tuple[int, int] | None:
    if part is None:
        return None
    from searchkit.api import parse_part
    from searchkit.errors import ConfigError

    if obj.kit.config.backend != "opensearch":
        raise ConfigError("--part needs the OpenSearch backend", hint="set backend: opensearch in config.yaml; a Whoosh index has one writer")
    return parse_part(part)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Delete the index and index everything again.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("-v", "--verbose", is_flag=True, help="List every skipped file and warning.")
@click.option("--semantic/--no-semantic", default=None,
              help="Compute passage vectors for semantic search (needs searchkit[semantic]), or drop them. Default: config.yaml's semantic, else as the index is. Vectors are computed after the words (searchable meanwhile), from the indexed text: turning them on never extracts again, and an interrupted run keeps those computed.")
@click.option("--part", default=None, metavar="I/N", help="OpenSearch backend: index only the I-th of N shares of the files (N indexers, one index).")
@click.pass_obj
@_guard
def index(obj: Context, paths: tuple[Path, ...], rebuild: bool, as_json: bool, verbose: bool, semantic: bool | None, part: str | None = None) -> None:
    """Index PATHS (default: `corpus` in config.yaml) incrementally.

    New files are added, changed files re-indexed, deleted files removed; a run
    over an unchanged corpus does nothing and says so. With semantic indexing, the
    words and facets are committed first (searchable at once), then the passage
    vectors the index lacks are computed, with their own progress bar.
    """
    from searchkit.ui.render import to_json

    if semantic is not None:
        obj.kit.config.semantic = semantic
    from searchkit.errors import NothingIndexedError

    failed: NothingIndexedError | None = None
    with _run_bars(sys.stderr.isatty() and not as_json) as (bar, vectors_bar):
        try:
            report = obj.kit.index(list(paths) or None, rebuild=rebuild, progress=bar.update, part=_part(obj, part),
                                   vector_progress=vectors_bar.update)
        except NothingIndexedError as exc:  # print what was skipped, then the error
            report, failed = exc.report, exc
        except KeyboardInterrupt:
            bar.close()
            vectors_bar.close()
            click.echo("interrupted: the articles and vectors committed so far are kept; run `searchkit index` again to finish", err=True)
            click.get_current_context().exit(ExitStatus.INTERRUPTED)
    if as_json:
        click.echo(to_json(report.to_dict()))
    else:
        if report.unchanged:
            click.echo(f"Nothing changed: {report.documents} articles already indexed ({report.files_seen} files checked in {report.seconds:.1f} s).")
        else:
            vectors = f"; {_count(report.embedded, 'passage vector', 'passage vectors')} computed" if report.embedded else ""
            click.echo(
                f"Indexed {report.added} new, {report.updated} updated, {report.removed} removed{vectors} in {report.seconds:.1f} s; "
                f"{report.documents} articles in the index."
            )
        skipped, warnings = report.skipped, [p for p in report.problems if not p.skipped]
        more = ":" if verbose else " (--verbose lists each)."
        if skipped:
            click.echo(f"Skipped {_count(len(skipped), 'file or line', 'files or lines')}: {_by_kind(skipped)}{more}", err=True)
        if warnings:
            click.echo(f"{_count(len(warnings), 'warning', 'warnings')}: {_by_kind(warnings)}{more}", err=True)
        if verbose:
            for p in report.problems:
                click.echo(f"  {'skipped' if p.skipped else 'warning'}: {p}", err=True)
    if failed is not None:
        # Exit 0 whenever something is searchable: bad files alone are not a failure.
        raise failed


class _Progress:
    """A progress bar with its ETA on stderr (a terminal only): an indexing run's files,
    or its vector step's articles (``before``: called when the bar first shows, to
    close the bar of the step before)."""

    def __init__(self, show: bool, label: str = "indexing", before: Callable[[], None] | None = None) -> None:
        self.show = show
        self.label = label
        self.before = before
        self.bar: Any = None

    def update(self, done: int, total: int) -> None:
        if not self.show or total < 2:
            return
        if self.bar is None:
            if self.before is not None:
                self.before()
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr, show_eta=True, show_pos=True)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@contextmanager
def _run_bars(show: bool) -> Iterator[tuple[_Progress, _Progress]]:
    """An indexing run's two bars, closed at the end: its files', then its vector step's."""
    bar = _Progress(show=show)
    vectors_bar = _Progress(show=show, label="vectors", before=bar.close)
    try:
        yield bar, vectors_bar
    finally:
        bar.close()
        vectors_bar.close()


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _by_kind(problems: Sequence[Any]) -> str:
    """"2 binary file, 1 empty file": how many of each kind, most frequent first."""
    from collections import Counter

    counts = Counter(p.kind for p in problems)
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _filter_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    for field in reversed(FILTER_FIELDS):
        help_text = {
            "published": "Publication date: 2020, 2020-12, 2020-12-20, 2020-11..2021-01, or 'décembre 2020'.",
            "mentioned": "A date mentioned in the text (same forms as --published).",
        }.get(field, f"Only articles that mention this {field} (any spelling).")
        fn = click.option(f"--{field}", multiple=True, metavar="VALUE", help=help_text + " Repeatable.")(fn)
    return fn


def _filters(kwargs: dict[str, Any]) -> dict[str, list[str]]:
    return {f: [_text_arg(v) for v in kwargs.pop(f)] for f in FILTER_FIELDS if kwargs.get(f)}


def _text_arg(value: str) -> str:
    """A command-line argument as clean text: bytes that were not UTF-8 arrive as
    surrogate escapes, which the analyzer and every UTF-8 writer choke on."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        pass
    try:
        return os.fsencode(value).decode("utf-8", errors="replace")
    except UnicodeEncodeError:  # a surrogate that no byte escapes to (only a caller can pass one)
        import re

        return re.sub("[\ud800-\udfff]", "\ufffd", value)


@cli.command()
@click.argument("query")
@_filter_options
@click.option("-n", "--limit", type=click.IntRange(0), default=None, help="Hits per page (default: search.limit, at most 1000); with --format, the most hits to export (default: all).")
@click.option("--offset", type=click.IntRange(0), default=0, help="Skip this many hits (paging).")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--strict", is_flag=True, help="Fail on odd quotes, parentheses or operators instead of reading them as words.")
@click.option("--mode", type=click.Choice(["hybrid", "lexical", "semantic"]), default=None, help="lexical: words match and rank; hybrid: words match, words and meaning rank (articles found by meaning alone are listed apart as related, never counted); semantic: the articles nearest by meaning. Default: hybrid if the index has vectors, else lexical.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object (docs/search.md).")
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "csv"]), default=None, help="Export every hit (not one page) as a JSON array, JSON Lines or CSV: id, title, published, score, path, actors, mentioned, duplicates.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the export to this file (default: stdout); its extension gives the format if --format is absent.")
@click.option("--bom", is_flag=True, help="Start the CSV with a UTF-8 byte-order mark (Excel needs it to show accents).")
@click.option("--no-collapse", is_flag=True, help="Show every near-duplicate copy as its own hit (default: one hit per group).")
@click.pass_obj
@_guard
def search(obj: Context, query: str, limit: int | None, offset: int, sort: str, strict: bool, mode: str | None, as_json: bool, fmt: str | None, output: Path | None, bom: bool, **kwargs: Any) -> None:
    """Search for QUERY (words, "phrases", AND/OR/NOT or ET/OU/SAUF, field:value, mot~2, préfixe*)."""
    from searchkit.ui.render import format_results, to_json

    collapse = not kwargs.pop("no_collapse", False)
    filters = _filters(kwargs)
    if fmt or output or bom:
        _export(obj, _text_arg(query), filters, limit, offset, sort, as_json, fmt, output, bom, collapse)
        return
    if limit is not None and limit > 1000:
        raise _UsageError("--limit goes up to 1000 hits per page", click.get_current_context())
    res = obj.kit.search(_text_arg(query), filters=filters, limit=limit, offset=offset, sort=sort, strict=strict, mode=mode, collapse=collapse)
    if as_json:
        click.echo(to_json(res.to_dict()))
    else:
        click.echo(format_results(res, _style()))


@cli.command()
@click.argument("doc_id", metavar="ID")
@_filter_options
@click.option("-n", "--limit", type=click.IntRange(0, 1000), default=None, help="Hits per page (default: search.limit).")
@click.option("--offset", type=click.IntRange(0), default=0, help="Skip this many hits (paging).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object, as `search --json` (query: the key terms used).")
@click.option("--no-collapse", is_flag=True, help="Show every near-duplicate copy as its own hit.")
@click.pass_obj
@_guard
def similar(obj: Context, doc_id: str, limit: int | None, offset: int, as_json: bool, **kwargs: Any) -> None:
    """Articles like the article ID: nearest by meaning where the index has vectors,
    else its key terms (tf-idf) searched; filters applied, the article and its
    near-duplicate copies left out."""
    from searchkit.ui.render import format_results, to_json

    collapse = not kwargs.pop("no_collapse", False)
    res = obj.kit.similar(_text_arg(doc_id), filters=_filters(kwargs), limit=limit, offset=offset, collapse=collapse)
    click.echo(to_json(res.to_dict()) if as_json else format_results(res, _style()))


@cli.command()
@click.argument("doc_id", metavar="ID")
@click.option("-q", "--query", default="", help="Highlight what this query matches.")
@click.option("--json", "as_json", is_flag=True, help="Print the stored fields as JSON.")
@click.pass_obj
@_guard
def show(obj: Context, doc_id: str, query: str, as_json: bool) -> None:
    """Print the article ID (its file name without extension)."""
    from searchkit.ui.render import format_document, to_json

    doc = obj.kit.document(_text_arg(doc_id), _text_arg(query))
    click.echo(to_json(doc.to_dict()) if as_json else format_document(doc, _style()))


@cli.command()
@click.argument("field", required=False)
@click.option("-q", "--query", default="", help="Count over the articles this query matches (default: all).")
@_filter_options
@click.option("--top", type=click.IntRange(0), default=20, show_default=True, help="Values per field (0: all).")
@click.option("--json", "as_json", is_flag=True, help="Print {field: [{value, count, variants}]} as JSON.")
@click.pass_obj
@_guard
def facets(obj: Context, field: str | None, query: str, top: int, as_json: bool, **kwargs: Any) -> None:
    """Facet values with counts: actor, person, org, place, published, mentioned."""
    from searchkit.ui.render import format_facets, to_json

    values = obj.kit.facets(field and _text_arg(field), query=_text_arg(query), filters=_filters(kwargs), top=top)
    if as_json:
        click.echo(to_json(values.to_dict()))
    else:
        click.echo(format_facets(values, _style(), top=top or None))


@cli.command()
@click.argument("text")
@click.option("--exact", is_flag=True, help="Show the unstemmed field's tokens instead.")
@click.option("--json", "as_json", is_flag=True)
@_guard
def analyze(text: str, exact: bool, as_json: bool) -> None:
    """Show the tokens TEXT gives in the index (stems, accent-free variants)."""
    from searchkit.api import SearchKit
    from searchkit.ui.render import to_json

    tokens = SearchKit.analyze(text, exact=exact)
    if as_json:
        click.echo(to_json([t.to_dict() for t in tokens]))
        return
    for t in tokens:
        click.echo(f"{t.pos:>3}  {t.word:<20} -> {t.term}")


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.option("--no-actors", is_flag=True, help="Dates only (does not load the NER model).")
@click.pass_obj
@_guard
def extract(obj: Context, file: Path, as_json: bool, no_actors: bool) -> None:
    """Show the dates and actors extracted from FILE, with character positions, as
    indexing extracts them (publication date guessed from the text when the file has
    none; actors from the title and the body, positions in title + body)."""
    from searchkit.ui.render import to_json

    found = obj.kit.extract(file, actors=not no_actors)
    if as_json:  # one object for a file of one article, a list for several (.jsonl)
        click.echo(to_json([a.to_dict() for a in found] if len(found) > 1 else found[0].to_dict()))
        return
    for item in found:
        click.echo(f"{item.id}  published: {item.published or 'undated'}")
        for d in item.dates:
            click.echo(f"  date   {d.start:>6}-{d.end:<6} {d.value:<10} {d.precision:<5}  {d.text}")
        for a in item.actors:
            click.echo(f"  {a.kind:<6} {a.start:>6}-{a.end:<6} {a.canonical}  ({a.text})")


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@_guard
def stats(obj: Context, as_json: bool) -> None:
    """Index statistics: documents, size on disk, location."""
    from searchkit.ui.render import to_json

    data = obj.kit.stats().to_dict()
    if as_json:
        click.echo(to_json(data))
    else:
        for k, v in data.items():
            click.echo(f"{k:<12} {v}")


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--settle", type=click.FloatRange(0.05, 600), default=1.0, show_default=True, help="Seconds of quiet before a burst of changes is indexed.")
@click.option("--polling", is_flag=True, help="Poll instead of inotify (network file systems).")
@click.option("--json", "as_json", is_flag=True, help="One JSON report per batch, one per line.")
@click.pass_obj
@_guard
def watch(obj: Context, paths: tuple[Path, ...], settle: float, polling: bool, as_json: bool) -> None:
    """Index PATHS (default: `corpus`), then keep indexing new, changed and deleted files.

    Ctrl-C stops after the batch under way is committed (exit 130); a second Ctrl-C
    stops at once, keeping what was committed.
    """
    import signal
    import threading

    from searchkit.ui.render import to_json
    from searchkit.watch import Watcher

    def show(report: Any) -> None:
        if as_json:
            click.echo(to_json(report.to_dict()))
        elif not report.unchanged:
            click.echo(f"Indexed {report.added} new, {report.updated} updated, {report.removed} removed; {report.documents} articles in the index.")
            if report.skipped:
                click.echo(f"Skipped {_count(len(report.skipped), 'file or line', 'files or lines')}: {_by_kind(report.skipped)}.", err=True)

    stop = threading.Event()

    def on_sigint(signum: int, frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    watcher = Watcher(obj.kit, list(paths) or None, settle=settle, on_report=show, polling=polling)
    if not as_json:
        click.echo(f"Watching {', '.join(str(r) for r in watcher.roots)} (Ctrl-C to stop)", err=True)
    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        watcher.run(stop)
    finally:
        signal.signal(signal.SIGINT, previous)
    click.echo("stopped: everything indexed so far is committed", err=True)
    click.get_current_context().exit(ExitStatus.INTERRUPTED)


@cli.command()
@click.pass_obj
@_guard
def repl(obj: Context) -> None:
    """Interactive search (on a terminal) or one query per stdin line (in a pipe)."""
    from searchkit.ui.repl import run

    run(obj.kit)


# -- analyst workflow: export, who goes with whom, timelines, saved searches -------------
# The logic lives in searchkit/workflow/; these commands only parse and print.


def _export(obj: Context, query: str, filters: dict[str, list[str]], limit: int | None, offset: int, sort: str, as_json: bool, fmt: str | None, output: Path | None, bom: bool, collapse: bool = True) -> None:
    """`search --format/--output`: every hit, not a page, to stdout or atomically to a file."""
    from searchkit.workflow.export import format_for

    ctx = click.get_current_context()
    if as_json:
        raise _UsageError("--json and --format both choose the output; use one", ctx)
    if offset:
        raise _UsageError("--offset pages the screen output; an export starts at the first hit", ctx)
    fmt = fmt or (format_for(output.name) if output else None)
    if fmt is None:
        raise _UsageError("--bom needs --format csv", ctx)
    if output is None:
        obj.kit.export(sys.stdout, fmt, query, filters, limit=limit, sort=sort, bom=bom, collapse=collapse)
        return
    tmp = output.with_name(f".{output.name}.tmp{os.getpid()}")
    try:
        # newline="": the csv module writes its own \r\n line ends.
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            n = obj.kit.export(fh, fmt, query, filters, limit=limit, sort=sort, bom=bom, collapse=collapse)
        os.replace(tmp, output)
    except OSError as exc:
        from searchkit.errors import SearchkitError

        raise SearchkitError(f"cannot write {output}: {exc.strerror}", hint="choose a writable file") from None
    finally:
        tmp.unlink(missing_ok=True)
    click.echo(f"Exported {_count(n, 'hit', 'hits')} to {output} ({fmt}).", err=True)


@cli.command("with")
@click.argument("name", metavar="ACTOR")
@click.option("--kind", type=click.Choice(["person", "org", "place"]), default=None, help="List only people, organisations or places.")
@click.option("-q", "--query", default="", help="Count only in the articles this query matches.")
@_filter_options
@click.option("--top", type=click.IntRange(1), default=20, show_default=True, help="Actors to list.")
@click.option("--measure", type=click.Choice(["llr", "pmi", "npmi", "count"]), default="llr", show_default=True, help="Association score: log-likelihood (measured best on real news), PMI, normalised PMI, or raw co-mentions.")
@click.option("--no-collapse", is_flag=True, help="Count every near-duplicate copy (default: a group counts once, as search shows it).")
@click.option("--json", "as_json", is_flag=True, help='Print {"actor", "actors": [{"value", "kind", "count", "score"}], ...} as JSON.')
@click.pass_obj
@_guard
def with_(obj: Context, name: str, kind: str | None, query: str, top: int, measure: str, as_json: bool, **kwargs: Any) -> None:
    """Who is mentioned with ACTOR (any spelling): the actors of the same articles,
    scored so that those found everywhere do not top the list."""
    from searchkit.ui.render import format_associates, to_json

    collapse = not kwargs.pop("no_collapse", False)
    res = obj.kit.associated(_text_arg(name), kind=kind, query=_text_arg(query), filters=_filters(kwargs), top=top, measure=measure, collapse=collapse)
    click.echo(to_json(res.to_dict()) if as_json else format_associates(res, _style()))


@cli.command()
@click.argument("query", required=False, default="")
@_filter_options
@click.option("--by", type=click.Choice(["year", "month", "week"]), default="month", show_default=True, help="Period of each bar (weeks are ISO weeks: 2020-W51).")
@click.option("--svg", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Also draw the chart to this SVG file (needs searchkit[plot]).")
@click.option("--png", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Also draw the chart to this PNG file (needs searchkit[plot]).")
@click.option("--no-collapse", is_flag=True, help="Count every near-duplicate copy (default: a group counts once, as search shows it).")
@click.option("--json", "as_json", is_flag=True, help='Print {"by", "total", "undated", "imprecise", "periods": [{"period", "count"}]} as JSON.')
@click.pass_obj
@_guard
def timeline(obj: Context, query: str, by: str, svg: Path | None, png: Path | None, as_json: bool, **kwargs: Any) -> None:
    """Articles QUERY matches (default: all) per month, week or year, as a bar chart;
    undated articles are counted apart."""
    from searchkit.ui.render import to_json
    from searchkit.workflow.timeline import plot, render_timeline

    collapse = not kwargs.pop("no_collapse", False)
    tl = obj.kit.timeline(_text_arg(query), _filters(kwargs), by=by, collapse=collapse)
    for path, ext in ((svg, ".svg"), (png, ".png")):
        if path is not None:
            if path.suffix.lower() != ext:
                raise _UsageError(f"--{ext[1:]} needs a file ending in {ext}", click.get_current_context())
            plot(tl, path)
            click.echo(f"Drew {path}.", err=True)
    if as_json:
        click.echo(to_json(tl.to_dict()))
        return
    style = _style()
    head = f"{_count(tl.total, 'article', 'articles')} per {by}" + (f" for {tl.query!r}" if tl.query.strip() else "")
    click.echo(style.bold(head))
    for line in render_timeline(tl, width=min(60, max(10, _columns() - 30))):
        click.echo(line)


def _columns() -> int:
    import shutil

    return shutil.get_terminal_size((100, 24)).columns


@cli.group(cls=_Group)
def saved() -> None:
    """Saved searches that report only the articles new since they last ran."""


@saved.command("add")
@click.argument("name")
@click.argument("query")
@_filter_options
@click.option("--replace", is_flag=True, help="Overwrite a saved search of the same name.")
@click.option("--json", "as_json", is_flag=True, help='Print {"name", "query", "filters", "created", "last_run", "matched"}.')
@click.pass_obj
@_guard
def saved_add(obj: Context, name: str, query: str, replace: bool, as_json: bool, **kwargs: Any) -> None:
    """Save QUERY and the filters as NAME; what it matches now is its starting point."""
    from searchkit.ui.render import to_json

    s = obj.kit.saved.add(_text_arg(name), _text_arg(query), _filters(kwargs), replace=replace)
    if as_json:
        click.echo(to_json(s.to_dict()))
    else:
        click.echo(f"Saved {s.name!r}: {_count(s.matched, 'article matches', 'articles match')} now; `searchkit saved run {s.name}` will list new ones.")


@saved.command("list")
@click.option("--json", "as_json", is_flag=True, help='Print {"saved": [{"name", "query", "filters", "created", "last_run", "matched"}]}.')
@click.pass_obj
@_guard
def saved_list(obj: Context, as_json: bool) -> None:
    """The saved searches of this index."""
    from searchkit.ui.render import format_saved, to_json

    items = obj.kit.saved.list()
    click.echo(to_json(items.to_dict()) if as_json else format_saved(items, _style()))


@saved.command("rm")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the removed search as JSON.")
@click.pass_obj
@_guard
def saved_rm(obj: Context, name: str, as_json: bool) -> None:
    """Forget the saved search NAME."""
    from searchkit.ui.render import to_json

    s = obj.kit.saved.remove(_text_arg(name))
    click.echo(to_json(s.to_dict()) if as_json else f"Removed {s.name!r}.")


@saved.command("run")
@click.argument("name", required=False)
@click.option("--all", "run_all", is_flag=True, help="Run every saved search.")
@click.option("--json", "as_json", is_flag=True, help='Print {"name", "query", "filters", "since", "total", "hits": [...]} (with --all: {"runs": [...]}).')
@click.pass_obj
@_guard
def saved_run(obj: Context, name: str | None, run_all: bool, as_json: bool) -> None:
    """Run the saved search NAME (or --all) and show only the articles it had not
    matched when it last ran."""
    from searchkit.ui.render import format_saved_run, to_json

    ctx = click.get_current_context()
    if run_all == bool(name):
        raise _UsageError("give a saved search NAME or --all (not both)", ctx)
    if run_all:
        runs = obj.kit.saved.run_all()
        if as_json:
            click.echo(to_json(runs.to_dict()))
        else:
            click.echo("\n".join(format_saved_run(r, _style()) for r in runs) or "no saved search yet (searchkit saved add NAME QUERY)")
        return
    run_ = obj.kit.saved.run(_text_arg(name or ""))
    click.echo(to_json(run_.to_dict()) if as_json else format_saved_run(run_, _style()))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on; 0.0.0.0 opens it to other machines (a token is then required).")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True, help="Port (0: any free port).")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in this machine's browser.")
@click.option("--token", default=None, envvar="SEARCHKIT_TOKEN", help="Access token to require (default: none on 127.0.0.1, a random one elsewhere). Also $SEARCHKIT_TOKEN.")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME", help="Another host name the page may be reached by (e.g. the machine's DNS name). Repeatable.")
@click.option("--json", "as_json", is_flag=True, help='Print {"url", "host", "port", "token"} as JSON once listening.')
@click.pass_obj
@_guard
def serve(obj: Context, host: str, port: int, open_browser: bool, token: str | None, allow_hosts: tuple[str, ...], as_json: bool) -> None:
    """Serve the search page and its JSON API until Ctrl-C (read-only).

    Colleagues open the printed address in a browser; the API under /api/ answers
    what the commands' --json print (docs/web.md)."""
    from searchkit.ui.render import to_json
    from searchkit.web import serve as run

    def announce(address: Any) -> None:
        if as_json:
            click.echo(to_json(address.to_dict()))
        else:
            click.echo(f"Serving {obj.kit.config.index_dir} at {address.url}  (Ctrl-C to stop)")
        sys.stdout.flush()

    _index_if_missing(obj)
    run(obj.kit, host, port, token=token, extra_hosts=allow_hosts, open_browser=open_browser, announce=announce)


def _index_if_missing(obj: Context) -> None:
    """`serve` on a fresh clone: no index yet, so build it from `corpus` first (as
    `searchkit index` would) rather than serve an error page."""
    from searchkit.errors import IndexMissingError

    try:
        obj.kit.stats()
        return
    except IndexMissingError:
        pass
    corpus = ", ".join(str(c) for c in obj.kit.config.corpus)
    click.echo(f"No index yet in {obj.kit.config.index_dir}: indexing {corpus} first.", err=True)
    with _run_bars(sys.stderr.isatty()) as (bar, vectors_bar):
        report = obj.kit.index(progress=bar.update, vector_progress=vectors_bar.update)
    click.echo(f"Indexed {_count(report.documents, 'article', 'articles')} in {report.seconds:.1f} s.", err=True)


def main() -> None:
    try:
        cli(prog_name="searchkit")
    except KeyboardInterrupt:
        sys.exit(ExitStatus.INTERRUPTED)


if __name__ == "__main__":
    main()
