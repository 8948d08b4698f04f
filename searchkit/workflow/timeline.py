"""Timelines: how many articles a search matches per year, month or ISO week.

Counting starts from how many of the matched articles carry each publication-date term
(every article carries its one date as ``YYYY``, ``YYYY-MM`` and ``YYYY-MM-DD`` terms),
which the engine's backend counts (``date_counts``: numpy over the Whoosh backend's
postings, OpenSearch's aggregations); ``from_counts`` makes the timeline of those counts. An
article without a date counts under ``undated``; one dated more coarsely than the
period (a month-only date on a weekly timeline, a year-only date on a monthly one)
counts under ``imprecise``: neither is dropped, neither is guessed into a period.
Periods between the first and the last are all listed, empty ones at 0, so gaps
show.

What this module must not do: read stored articles, draw (``render_timeline`` and
``plot`` do, the latter with matplotlib, an optional extra), or touch Whoosh.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence


from searchkit.errors import MissingExtraError, QueryError, SearchkitError
from searchkit.results.workflow import Period, Timeline
from searchkit.vocab import clean_filters

if TYPE_CHECKING:  # pragma: no cover
    from searchkit.search.engine import Engine

__all__ = ["PERIODS", "Period", "Timeline", "from_counts", "period_label", "plot", "render_timeline", "timeline"]

PERIODS = ("year", "month", "week")
_PRECISION = {4: 0, 7: 1, 10: 2}  # term length -> year, month, day


def period_label(day: dt.date, by: str) -> str:
    """The period a day falls in: ``2020``, ``2020-12`` or the ISO week ``2020-W51``.

    >>> period_label(dt.date(2021, 1, 1), "week"), period_label(dt.date(2020, 12, 20), "month")
    ('2020-W53', '2020-12')
    """
    if by == "year":
        return f"{day.year:04d}"
    if by == "month":
        return f"{day.year:04d}-{day.month:02d}"
    iso = day.isocalendar()
    return f"{iso[0]:04d}-W{iso[1]:02d}"


def _key(term: str, by: str) -> int:
    """A sortable integer for the period of a date term at least as precise as ``by``."""
    y = int(term[:4])
    if by == "year":
        return y
    m = int(term[5:7])
    if by == "month":
        return y * 12 + m - 1
    # Weeks: the ordinal of the Monday that starts the ISO week.
    d = dt.date(y, m, int(term[8:10]))
    return d.toordinal() - d.weekday()


def _label(key: int, by: str) -> str:
    if by == "year":
        return f"{key:04d}"
    if by == "month":
        return f"{key // 12:04d}-{key % 12 + 1:02d}"
    return period_label(dt.date.fromordinal(key), "week")


def _step(by: str) -> int:
    return 7 if by == "week" else 1


def timeline(engine: "Engine", query: str = "", filters: Mapping[str, Sequence[str]] | None = None, by: str = "month",
             collapse: bool = True) -> Timeline:
    """Articles ``query`` and ``filters`` match, counted per ``by`` period. With
    ``collapse`` (default) a near-duplicate group counts once, in the period of the
    copy a collapsed search shows (its best match): the bars add up to that search's
    ``total``, and a month's bar is that search's ``published`` facet count."""
    if by not in PERIODS:
        raise QueryError(f"unknown period '{by}'", hint="use year, month or week")
    filters = clean_filters(filters)
    collapse = collapse and engine.collapses  # an engine without near-duplicate groups counts every copy
    total, terms = engine.date_counts(query, filters, "published", collapse)
    return replace(from_counts(query, filters, by, total, terms), collapse=collapse)


def from_counts(query: str, filters: Mapping[str, Sequence[str]], by: str, total: int, terms: Mapping[str, int]) -> Timeline:
    """The timeline of ``total`` matched articles, ``terms`` giving how many of them carry
    each date term. An article has one publication date, so its terms are a chain
    (``2020``, ``2020-12``, ``2020-12-20``): the articles dated to a term and no finer are
    its count minus its children's."""
    need = {"year": 0, "month": 1, "week": 2}[by]
    finest: dict[str, int] = {}
    for term, n in terms.items():
        if _PRECISION.get(len(term)) is not None and term[:4].isdigit():
            finest[term] = finest.get(term, 0) + n
            parent = term[:-3] if len(term) > 4 else None
            if parent is not None:
                finest[parent] = finest.get(parent, 0) - n
    have: dict[int, int] = {}
    dated = imprecise = 0
    for term, n in finest.items():
        if n <= 0:
            continue
        dated += n
        try:
            # An impossible day such as 2021-02-30 counts as imprecise on a weekly timeline.
            if _PRECISION[len(term)] < need:
                raise ValueError(term)
            k = _key(term, by)
        except ValueError:
            imprecise += n
            continue
        have[k] = have.get(k, 0) + n
    periods: list[Period] = []
    if have:
        periods = [Period(_label(k, by), have.get(k, 0)) for k in range(min(have), max(have) + 1, _step(by))]
    return Timeline(query, dict(filters), by, total, total - dated, imprecise, tuple(periods))


def render_timeline(tl: Timeline, width: int = 50, bar: str = "█", gap: int = 4) -> list[str]:
    """The timeline as terminal lines: one bar per period, a run of ``gap`` or more
    empty periods shown as one line, then the counts kept apart.

    >>> t = Timeline("", {}, "month", 4, 1, 0, (Period("2020-11", 2), Period("2020-12", 0), Period("2021-01", 1)))
    >>> print("\\n".join(render_timeline(t, width=4)))
    2020-11  ████ 2
    2020-12       0
    2021-01  ██   1
    undated  1
    """
    lines: list[str] = []
    if not tl.periods:
        lines.append("no dated article")
    else:
        peak = max(p.count for p in tl.periods) or 1
        label_w = max(len(p.period) for p in tl.periods)
        i = 0
        while i < len(tl.periods):
            p, c = tl.periods[i].period, tl.periods[i].count
            j = i
            while j < len(tl.periods) and tl.periods[j].count == 0:
                j += 1
            if j - i >= gap:
                # A long quiet stretch: one line, so the bars stay on one screen.
                lines.append(f"{'':<{label_w}}  · {j - i} {tl.by}s with none ({p} to {tl.periods[j - 1].period})")
                i = j
                continue
            n = round(width * c / peak)
            shown = bar * (n or (1 if c else 0))
            lines.append(f"{p:<{label_w}}  {shown:<{width}} {c}")
            i += 1
    if tl.imprecise:
        lines.append(f"imprecise  {tl.imprecise} (dated to the {'month' if tl.by == 'week' else 'year'} only)")
    if tl.undated:
        lines.append(f"undated  {tl.undated}")
    return lines


def plot(tl: Timeline, path: str | Path) -> Path:
    """Draw the timeline as a bar chart with matplotlib; the format follows the file
    extension (.svg, .png)."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display: files only
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingExtraError("charts need matplotlib, which is not installed", hint="pip install 'searchkit[plot]'") from None
    path = Path(path)
    if path.suffix.lower() not in (".svg", ".png"):
        raise QueryError(f"cannot draw '{path.name}'", hint="end the file name with .svg or .png")
    labels = [p.period for p in tl.periods]
    counts = [p.count for p in tl.periods]
    fig, ax = plt.subplots(figsize=(max(6.0, min(20.0, len(labels) * 0.25)), 4.0))
    try:
        ax.bar(range(len(labels)), counts, color="#3b6ea5", width=0.85)
        step = max(1, len(labels) // 24)  # at most ~24 tick labels stay readable
        ax.set_xticks(range(0, len(labels), step))
        ax.set_xticklabels(labels[::step], rotation=60, ha="right", fontsize=8)
        ax.set_ylabel("articles")
        apart = [f"{tl.undated} undated"] if tl.undated else []
        apart += [f"{tl.imprecise} imprecise"] if tl.imprecise else []
        title = f"{tl.query or 'all articles'}: {tl.total} per {tl.by}"
        ax.set_title(title + (f" ({', '.join(apart)})" if apart else ""), fontsize=10)
        ax.yaxis.get_major_locator().set_params(integer=True)
        fig.tight_layout()
        try:
            fig.savefig(path)
        except OSError as exc:
            raise SearchkitError(f"cannot write {path}: {exc.strerror}", hint="choose a writable folder") from None
    finally:
        plt.close(fig)
    return path
