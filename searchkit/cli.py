"""The ``searchkit`` command: thin click wrappers around ``SearchKit``.

Turns library errors into one line with a hint on stderr and an exit code
(0 ok, also for zero hits; 1 error; 2 usage or bad query; 130 interrupted).
``--traceback`` shows the Python traceback for anything unexpected.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

import click

from searchkit.errors import SearchkitError

FILTER_FIELDS = ("actor", "person", "org", "place", "published", "mentioned")


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
    from searchkit.render import Style, color_enabled

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
            from searchkit.render import format_error

            if show_tb:
                raise
            click.echo(format_error(exc.message, exc.hint, _style(err=True)), err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            # `searchkit search ... | head`: the reader went away, nothing to say.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # a bug: say so briefly unless asked for detail
            if show_tb:
                raise
            from searchkit.render import format_error

            click.echo(format_error(f"unexpected {type(exc).__name__}: {exc}", "rerun with --traceback and report it", _style(err=True)), err=True)
            ctx.exit(1)

    return wrapper


class _UsageError(click.UsageError):
    """A usage error shown as one line with a hint, like every other error (click's
    own prints the usage block and "Try --help" over three lines)."""

    def show(self, file: Any = None) -> None:
        from searchkit.render import format_error

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


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Delete the index and index everything again.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("-v", "--verbose", is_flag=True, help="List every skipped file and warning.")
@click.pass_obj
@_guard
def index(obj: Context, paths: tuple[Path, ...], rebuild: bool, as_json: bool, verbose: bool) -> None:
    """Index PATHS (default: `corpus` in config.yaml) incrementally.

    New files are added, changed files re-indexed, deleted files removed; a run
    over an unchanged corpus does nothing and says so.
    """
    from searchkit.render import to_json

    bar: Any = None
    show_bar = sys.stderr.isatty() and not as_json

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if not show_bar or total < 2:
            return
        if bar is None:
            bar = click.progressbar(length=total, label="indexing", file=sys.stderr, show_eta=True, show_pos=True)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        report = obj.kit.index(list(paths) or None, rebuild=rebuild, progress=progress)
    except KeyboardInterrupt:
        if bar is not None:
            bar.__exit__(None, None, None)
            bar = None
        click.echo("interrupted: the articles committed so far are kept; run `searchkit index` again to finish", err=True)
        click.get_current_context().exit(130)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if as_json:
        click.echo(to_json(report.to_dict()))
    else:
        if report.unchanged:
            click.echo(f"Nothing changed: {report.documents} articles already indexed ({report.files_seen} files checked in {report.seconds:.1f} s).")
        else:
            click.echo(
                f"Indexed {report.added} new, {report.updated} updated, {report.removed} removed in {report.seconds:.1f} s; "
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
    if report.documents == 0:
        # Exit 0 whenever something is searchable: bad files alone are not a failure.
        from searchkit.errors import CorpusError

        where = ", ".join(str(p) for p in (paths or obj.kit.config.corpus))
        if report.files_seen == 0:
            raise CorpusError(f"nothing to index: no .txt, .md or .jsonl file in {where}", hint="point `corpus:` in config.yaml (or PATH) at your articles")
        raise CorpusError(
            f"nothing could be indexed: all {report.files_seen} files in {where} were skipped",
            hint="see the reasons above; `searchkit index -v` lists each file",
        )


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
@click.option("-n", "--limit", type=click.IntRange(0, 1000), default=None, help="Hits per page (default: search.limit).")
@click.option("--offset", type=click.IntRange(0), default=0, help="Skip this many hits (paging).")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object (see README).")
@click.option("--no-collapse", is_flag=True, help="Show every near-duplicate copy as its own hit (default: one hit per group).")
@click.pass_obj
@_guard
def search(obj: Context, query: str, limit: int | None, offset: int, sort: str, as_json: bool, **kwargs: Any) -> None:
    """Search for QUERY (words, "phrases", AND/OR/NOT or ET/OU/SAUF, field:value, mot~2, préfixe*)."""
    from searchkit.render import format_results, to_json

    collapse = not kwargs.pop("no_collapse", False)
    filters = _filters(kwargs)
    res = obj.kit.search(_text_arg(query), filters=filters, limit=limit, offset=offset, sort=sort, collapse=collapse)
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
    """Articles like the article ID: its key terms (tf-idf) searched, filters applied,
    the article and its near-duplicate copies left out."""
    from searchkit.render import format_results, to_json

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
    from searchkit.render import format_document, to_json

    fields, spans = obj.kit.engine.highlight_document(_text_arg(doc_id), _text_arg(query))
    if as_json:
        click.echo(to_json({k: v for k, v in fields.items()}))
    else:
        click.echo(format_document(fields, spans, _style()))


@cli.command()
@click.argument("field", required=False)
@click.option("-q", "--query", default="", help="Count over the articles this query matches (default: all).")
@_filter_options
@click.option("--top", type=click.IntRange(1), default=20, show_default=True, help="Values per field.")
@click.option("--json", "as_json", is_flag=True, help="Print {field: [{value, count}]} as JSON.")
@click.pass_obj
@_guard
def facets(obj: Context, field: str | None, query: str, top: int, as_json: bool, **kwargs: Any) -> None:
    """Facet values with counts: actor, person, org, place, published, mentioned."""
    from searchkit.render import format_facets, to_json

    values = obj.kit.facets(field and _text_arg(field), query=_text_arg(query), filters=_filters(kwargs), top=top)
    if as_json:
        click.echo(to_json({f: [v.to_dict() for v in vs] for f, vs in values.items()}))
    else:
        click.echo(format_facets(values, _style(), top=top))


@cli.command()
@click.argument("text")
@click.option("--exact", is_flag=True, help="Show the unstemmed field's tokens instead.")
@click.option("--json", "as_json", is_flag=True)
@_guard
def analyze(text: str, exact: bool, as_json: bool) -> None:
    """Show the tokens TEXT gives in the index (stems, accent-free variants)."""
    from searchkit.analysis import analyze as run
    from searchkit.render import to_json

    tokens = run(text, exact=exact)
    if as_json:
        click.echo(to_json(tokens))
        return
    for t in tokens:
        click.echo(f"{t['pos']:>3}  {t['word']:<20} -> {t['term']}")


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.option("--no-actors", is_flag=True, help="Dates only (does not load the NER model).")
@_guard
def extract(file: Path, as_json: bool, no_actors: bool) -> None:
    """Show the dates and actors extracted from FILE, with character positions."""
    from searchkit.corpus import SourceFile, read_source
    from searchkit.errors import CorpusError
    from searchkit.render import to_json

    if not file.is_file():
        raise CorpusError(f"{file}: no such file", hint="give the path of a .txt, .md or .jsonl article")
    st = file.stat()
    result = read_source(SourceFile(file, str(file.resolve()), st.st_size, st.st_mtime_ns))
    if not result.articles:
        reason = "; ".join(str(p) for p in result.problems) or "nothing to read"
        raise CorpusError(f"{file}: {reason}", hint="check the file's encoding and content")
    from searchkit.extract import extract_actors, extract_dates
    from searchkit.extract.dates import infer_published

    out = []
    for art in result.articles:
        published, precision = art.published, None
        if not published:
            inferred = infer_published(art.body)
            published, precision = inferred if inferred else (None, None)
        dates = extract_dates(art.body, published)
        actors = [] if no_actors else extract_actors(art.body)
        out.append({
            "id": art.id, "published": published, "published_precision": precision,
            "dates": [d.to_dict() for d in dates], "actors": [a.to_dict() for a in actors],
        })
    if as_json:
        click.echo(to_json(out if len(out) > 1 else out[0]))
        return
    for item in out:
        click.echo(f"{item['id']}  published: {item['published'] or 'undated'}")
        for d in item["dates"]:
            click.echo(f"  date   {d['start']:>6}-{d['end']:<6} {d['value']:<10} {d['precision']:<5}  {d['text']}")
        for a in item["actors"]:
            click.echo(f"  {a['kind']:<6} {a['start']:>6}-{a['end']:<6} {a['canonical']}  ({a['text']})")


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@_guard
def stats(obj: Context, as_json: bool) -> None:
    """Index statistics: documents, size on disk, location."""
    from searchkit.render import to_json

    data = obj.kit.stats()
    if as_json:
        click.echo(to_json(data))
    else:
        for k, v in data.items():
            click.echo(f"{k:<12} {v}")


@cli.command()
@click.pass_obj
@_guard
def repl(obj: Context) -> None:
    """Interactive search (on a terminal) or one query per stdin line (in a pipe)."""
    from searchkit.repl import run

    run(obj.kit)


def main() -> None:
    try:
        cli(prog_name="searchkit")
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
