"""Turning results into text: ANSI colour on a terminal, plain text in a pipe, JSON.

The library marks matched words as ``<mark>…</mark>``; here they become bold
yellow on a terminal and ``**word**`` in plain text (so a pipe still shows what
matched). Colour is off when the stream is not a terminal or NO_COLOR is set.
"""
from __future__ import annotations

import json
import os
import shutil
from typing import IO, TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from searchkit.results import MARK_CLOSE, MARK_OPEN, Document, Explanation, Facets, FacetValue, Hit, Results, mark
from searchkit.vocab import ACTOR_FIELDS

if TYPE_CHECKING:  # pragma: no cover
    from searchkit.results import Association, SavedRun, SavedSearch  # the analyst's answers, loaded when asked for

__all__ = ["color_enabled", "format_document", "format_error", "format_facets", "format_histogram", "format_results", "to_json", "Style"]

RESET = "\x1b[0m"


class Style:
    """ANSI codes, or nothing when colour is off."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def _w(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}{RESET}" if self.color else text

    def bold(self, t: str) -> str: return self._w("1", t)
    def dim(self, t: str) -> str: return self._w("2", t)
    def title(self, t: str) -> str: return self._w("1;36", t)
    def date(self, t: str) -> str: return self._w("32", t)
    def actor(self, t: str) -> str: return self._w("35", t)
    def error(self, t: str) -> str: return self._w("1;31", t)
    def hint(self, t: str) -> str: return self._w("33", t)

    def marks(self, text: str) -> str:
        if self.color:
            return text.replace(MARK_OPEN, "\x1b[1;33m").replace(MARK_CLOSE, RESET)
        return text.replace(MARK_OPEN, "**").replace(MARK_CLOSE, "**")


def color_enabled(stream: IO[str]) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=None)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def format_results(res: Results, style: Style, width: int | None = None) -> str:
    width = width or min(shutil.get_terminal_size((100, 24)).columns, 120)
    lines: list[str] = []
    shown = f"{res.offset + 1}-{res.offset + len(res.hits)}" if res.hits else "0"
    # The mode is named when it is not plain word search: hits found by meaning look different.
    mode = f", {res.mode}" if res.mode != "lexical" else ""
    head = f"{_plural(res.total, 'article')} ({shown} shown, {res.took_ms:.0f} ms{mode})"
    if res.filters:
        head += "  filters: " + "; ".join(f"{k}={', '.join(v)}" for k, v in res.filters.items())
    lines.append(style.bold(head))
    for notice in res.notices:
        lines.append(style.hint(f"note: {notice}"))
    if res.suggestion:
        lines.append(style.hint(f"did you mean: {res.suggestion}"))
    for hit in res.hits:
        lines += _hit_lines(hit, style, width)
    if res.related:
        # Found by meaning alone: apart from the hits, and counted nowhere.
        lines += ["", style.bold(f"Related by meaning ({_plural(len(res.related), 'article')} without the words, not counted above)")]
        for hit in res.related:  # numbered r1, r2...: `:show r1` in the REPL
            lines += _hit_lines(hit, style, width, label=f"r{hit.rank}")
    return "\n".join(lines)


def _hit_lines(hit: Hit, style: Style, width: int, label: str = "") -> list[str]:
    date = style.date(hit.published or "undated")
    title = hit.title or hit.id
    # Titles are often a whole first sentence: keep the hit's header on one line.
    room = max(30, width - len(hit.published or "undated") - len(hit.id) - 10)
    if len(title) > room:
        title = title[: room - 1].rsplit(" ", 1)[0] + "…"
    lines = ["", f"{style.bold(f'{label or hit.rank:>2}.')} {style.title(title)}  {date}  {style.dim(hit.id)}"]
    if hit.actors:
        people = [a.name for a in hit.actors if a.kind == "person"][:4]
        others = [a.name for a in hit.actors if a.kind != "person"][:3]
        lines.append("    " + style.actor(", ".join(people + others)))
    for snip in hit.snippets:
        lines.append("    " + style.marks(snip))
    if hit.duplicates:  # near-duplicate copies collapsed into this hit
        shown_ids = ", ".join(hit.duplicates[:5]) + (", …" if len(hit.duplicates) > 5 else "")
        lines.append("    " + style.dim(f"+ {len(hit.duplicates)} {'copy' if len(hit.duplicates) == 1 else 'copies'}: {shown_ids}"))
    return lines


def format_facets(facets: Facets | Mapping[str, Sequence[FacetValue]], style: Style, top: int | None = 10) -> str:
    """Facet values per field (``SearchKit.facets`` or a search's ``facets``) with bars."""
    lines: list[str] = []
    for field, values in facets.items():
        lines.append(style.bold(f"{field}"))
        if not values:
            lines.append("  (none)")
        shown = values if top is None else values[:top]
        width = max((len(v.value) for v in shown), default=0)
        biggest = max((v.count for v in shown), default=1)
        for v in shown:
            bar = "█" * max(1, round(12 * v.count / biggest))
            extra = style.dim(f"  ({', '.join(v.variants)})") if v.variants else ""
            lines.append(f"  {v.value:<{width}}  {v.count:>5}  {style.dim(bar)}{extra}")
            if v.because:  # an acronym merged with its long form: say on what evidence
                lines.append(style.dim(f"  {'':<{width}}         ↳ {v.because}"))
        if top is not None and len(values) > top:
            lines.append(style.dim(f"  … {len(values) - top} more"))
    return "\n".join(lines)


def format_document(doc: Document, style: Style) -> str:
    """The whole article, its facets on top and ``doc.spans`` marked in the body."""
    head = [
        style.title(doc.title),
        f"{style.dim('id')} {doc.id}   {style.dim('date')} {style.date(doc.published or 'undated')}   {style.dim('file')} {doc.path}",
    ]
    if doc.actors:
        head.append(style.dim("actors ") + style.actor(", ".join(a.name for a in doc.actors)))
    if doc.mentioned:
        head.append(style.dim("dates  ") + ", ".join(doc.mentioned))
    body, spans, pages = doc.body, list(doc.spans), doc.pages
    if len(pages) > 1:  # a PDF (issue 13): each page headed by its number
        found = sorted({page_of(s, pages) for s, _ in spans})
        head.append(style.dim("pages  ") + f"{len(pages)}" + (f"; matches on p. {', '.join(map(str, found))}" if found else ""))
        bounds = [*pages, len(body)]
        text = "\n\n".join(
            style.dim(f"[page {n}]") + "\n" + style.marks(mark(body, spans, bounds[n - 1], bounds[n]).strip())
            for n in range(1, len(pages) + 1) if bounds[n - 1] < bounds[n]
        )
        return "\n".join(head) + "\n\n" + text
    return "\n".join(head) + "\n\n" + style.marks(mark(body, spans))


def format_explanation(ex: Explanation, hit: Hit | None, style: Style) -> str:
    """Why a hit matched (see ``SearchKit.explain``): a header from ``hit`` (rank, score),
    each query word and where its terms are, the filters, then the hit's snippets."""
    if hit is not None:
        lines = [f"{style.bold(f'#{hit.rank}')} {style.title(hit.title or hit.id)}  {style.dim(hit.id)}  score {hit.score:.2f}"]
    else:
        lines = [f"{style.title(ex.title or ex.id)}  {style.dim(ex.id)}"]
    for w in ex.words:
        lines.append(f"  word {style.bold(repr(w.word))} -> index terms {', '.join(w.terms)}")
        for t in w.found:
            note = f"  ({t.note})" if t.note else ""
            lines.append(f"      {t.term}: {_forms_text(t.forms)} in the {t.where}{note}")
        if not w.found:
            lines.append(style.dim("      not in this article (an OR or NOT part of the query)"))
    for t in ex.exact:
        lines.append(f"  exact term {style.bold(t.term)} (phrase, fuzzy or wildcard): {_forms_text(t.forms)} in the {t.where}")
    if ex.other_terms:
        lines.append(f"  other terms: {', '.join(ex.other_terms)}")
    if ex.matches_all and not ex.filters:
        lines.append("  an empty query matches every article")
    for f in ex.filters:
        if f.field in ACTOR_FIELDS:
            lines.append(
                f"  filter {f.field}={f.value} -> {style.actor(', '.join(f.matched) or '?')}"
                f" (spellings: {', '.join(f.variants)}); in this article as: {', '.join(repr(x) for x in f.forms) or '-'}"
            )
            if f.because:
                lines.append(style.dim(f"    ↳ {f.because}"))
        else:
            lines.append(f"  filter {f.field}={f.value} -> {f.field} {style.date(', '.join(f.matched) or 'undated')}")
    if ex.query_actors:
        lines.append("  actor in the query: " + ", ".join(f"{a.name} as {', '.join(repr(x) for x in a.forms)}" for a in ex.query_actors))
    if hit is not None and hit.snippets:
        lines.append(style.dim("  snippets:"))
        lines += ["    " + style.marks(s) for s in hit.snippets]
    return "\n".join(lines)


def _forms_text(forms: Sequence[tuple[str, int]]) -> str:
    return ", ".join(f'{n}× "{w}"' for w, n in forms)


def page_of(offset: int, pages: Sequence[int]) -> int:
    """The 1-based page holding character ``offset`` of a body whose pages start at ``pages``.

    >>> page_of(0, [0, 120, 300]), page_of(150, [0, 120, 300]), page_of(999, [0, 120, 300])
    (1, 2, 3)
    """
    import bisect

    return max(1, bisect.bisect_right(list(pages), offset))


def format_error(message: str, hint: str | None, style: Style) -> str:
    """One line: the problem, then what to do about it."""
    text = style.error(f"error: {message}")
    if hint:
        text += " " + style.hint(f"(hint: {hint})")
    return text


_SPARKS = "▁▂▃▄▅▆▇█"


def _month_span(first: str, last: str) -> list[str]:
    """Every ``YYYY-MM`` from ``first`` to ``last`` inclusive."""
    y, m = int(first[:4]), int(first[5:7])
    out: list[str] = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def format_histogram(values: Sequence[FacetValue], style: Style, width: int = 60) -> str:
    """A one-line sparkline of hits per month from the ``published`` facet.

    Empty when the dated hits fall in fewer than two months (nothing to compare).
    A span wider than ``width`` months is drawn per year instead, so the line
    always fits; empty months show as a dot so gaps in time stay visible.

    >>> vs = [FacetValue("2020-11", 1), FacetValue("2020-12", 2), FacetValue("2021-02", 1)]
    >>> format_histogram(vs, Style(False))
    'per month  2020-11 ▄█·▄ 2021-02   peak 2020-12: 2'
    """
    months = {v.value: v.count for v in values if len(v.value) == 7 and v.value[4] == "-"}
    if len(months) < 2:
        return ""
    span = _month_span(min(months), max(months))
    unit = "month"
    bins: list[tuple[str, int]] = [(m, months.get(m, 0)) for m in span]
    if len(bins) > width:
        # Too many months for one line: count per year (months + year-only dates).
        years: dict[str, int] = {}
        for v in values:
            if v.value[:4].isdigit():
                years[v.value[:4]] = years.get(v.value[:4], 0) + v.count
        first, last = int(min(years)), int(max(years))
        bins = [(str(y), years.get(str(y), 0)) for y in range(first, last + 1)]
        unit = "year"
        if len(bins) > width:
            step = -(-len(bins) // width)
            bins = [(bins[i][0], sum(c for _, c in bins[i : i + step])) for i in range(0, len(bins), step)]
            unit = f"{step} years"
    peak_label, peak = max(bins, key=lambda b: b[1])
    spark = "".join(
        _SPARKS[max(0, -(-count * len(_SPARKS) // peak) - 1)] if count else "·" for _, count in bins
    )
    line = f"{style.dim('per ' + unit)}  {bins[0][0]} {style.date(spark)} {bins[-1][0]}   {style.dim(f'peak {peak_label}: {peak}')}"
    rest = sum(v.count for v in values if v.value == "undated")
    if rest:
        line += style.dim(f", {rest} undated")
    return line


# -- analyst workflow (searchkit/workflow/): co-mentions, saved searches ---------------

_MEASURE_NAMES = {"llr": "log-likelihood", "pmi": "PMI", "npmi": "normalised PMI", "count": "co-mentions"}


def format_associates(assoc: Association, style: Style) -> str:
    """``searchkit with`` as text: who is mentioned with the actor, best associated first."""
    where = f" (query {assoc.query!r})" if assoc.query.strip() else ""
    if assoc.filters:
        where += "  filters: " + "; ".join(f"{k}={', '.join(v)}" for k, v in assoc.filters.items())
    other = [m for m in assoc.matched if m != assoc.actor]
    also = style.dim(f" (with {', '.join(other)})") if other else ""
    lines = [style.bold(f"With {assoc.actor}: {assoc.articles} of {_plural(assoc.universe, 'article')}{where}") + also]
    if not assoc.actors:
        lines.append(style.dim("  nobody is mentioned with it in two articles or more"))
        return "\n".join(lines)
    width = max(len(a.value) for a in assoc.actors)
    lines.append(style.dim(f"  {'kind':<6} {'actor':<{width}} {'articles':>8}  score ({_MEASURE_NAMES.get(assoc.measure, assoc.measure)})"))
    for a in assoc.actors:
        # As --json shows it (rounded to 3 places), then to one.
        lines.append(f"  {a.kind:<6} {style.actor(a.value.ljust(width))} {a.count:>8}  {round(a.score, 3):.1f}")
    return "\n".join(lines)


def format_saved(searches: Iterable[SavedSearch], style: Style) -> str:
    """``searchkit saved list`` as text."""
    searches = list(searches)
    if not searches:
        return style.dim("no saved search yet (searchkit saved add NAME QUERY)")
    lines = []
    for s in searches:
        filters = "; ".join(f"{k}={', '.join(v)}" for k, v in s.filters.items())
        lines.append(f"{style.bold(s.name)}  {s.query!r}" + (f"  {filters}" if filters else "") + style.dim(f"  last run {s.last_run}, {s.matched} matched"))
    return "\n".join(lines)


def format_saved_run(run: SavedRun, style: Style) -> str:
    """One saved search's new articles, as the search command shows hits."""
    head = style.bold(f"{run.name}: {_plural(len(run.hits), 'new article')} since {run.since}") + style.dim(f"  ({run.total} match {run.query!r})")
    lines = [head]
    for i, hit in enumerate(run.hits, 1):
        lines.append(f"  {style.bold(f'{i:>2}.')} {style.title(hit.title or hit.id)}  {style.date(hit.published or 'undated')}  {style.dim(hit.id)}")
    return "\n".join(lines)
