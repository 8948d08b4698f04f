"""The interactive REPL: one UI-free ``ReplEngine`` and small prompt_toolkit factories.

``ReplEngine.handle(line)`` takes one typed line (a query or a ``:command``) and
returns a ``Reply`` (text, whether it belongs in a pager, whether to quit). Both
modes use it: on a terminal, ``make_session`` assembles a ``PromptSession`` from
``make_completer``, ``make_lexer``, ``make_toolbar`` and ``make_key_bindings``;
in a pipe, ``run_pipe`` reads one line at a time and prints plain text.

What this module must not do:
* load the NER model (never import ``searchkit.extract.actors`` or spaCy): a
  query-time session must start fast;
* reach past ``SearchKit`` and ``results`` (no engine, no Whoosh, no query parser: the
  library answers, ``render`` formats);
* import prompt_toolkit at module level: pipe mode and the tests of the engine
  do not pay for it, and the first prompt appears sooner;
* end the session on a user mistake or Ctrl-C: errors are one red line.
"""
from __future__ import annotations

import difflib
import os
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

from searchkit.errors import ExitStatus, QueryError, SearchkitError
from searchkit.vocab import ACTOR_FIELDS, FACET_FIELDS, FACET_TOP, FIELD_ALIASES, MODES, SORTS, canonical_field
from searchkit.vocab import OPERATORS as _OPERATORS
from searchkit.ui.render import (
    Style,
    color_enabled,
    format_document,
    format_error,
    format_explanation,
    format_facets,
    format_histogram,
    format_results,
)

if TYPE_CHECKING:  # pragma: no cover
    from searchkit.api import SearchKit
    from searchkit.results import Facets, FacetValue, Hit, Results

__all__ = [
    "COMMANDS",
    "ReplEngine",
    "Reply",
    "Suggestion",
    "complete",
    "history_path",
    "lex_line",
    "make_completer",
    "make_history",
    "make_key_bindings",
    "make_lexer",
    "make_session",
    "make_toolbar",
    "run",
]

PROMPT = "searchkit> "

# name -> (arguments, what it does). Drives :help, completion and dispatch.
COMMANDS: dict[str, tuple[str, str]] = {
    "help": ("", "this help"),
    "next": ("", "next page of hits (also: Enter on an empty line)"),
    "prev": ("", "previous page of hits"),
    "show": ("N|rN|ID", "the whole article N (rN: related article N; or with id ID), matches highlighted, in a pager"),
    "explain": ("N", "why hit N matched: query words, index terms, spellings, actors"),
    "similar": ("N|ID", "articles like hit N (or article ID), current filters applied, its copies left out"),
    "facets": ("[FIELD] [N]", "facet counts over the current hits (actor person org place published mentioned)"),
    "filter": ("[FIELD=VALUE]", "narrow the hits, e.g. :filter person=Joe Biden, :filter date=2020-12"),
    "unfilter": ("FIELD[=VALUE]", "drop a filter (all values of FIELD, or one)"),
    "clear": ("", "drop every filter"),
    "sort": ("[date|relevance]", "order of the hits (newest first, or best first)"),
    "mode": ("[hybrid|lexical|semantic]", "what matches and ranks: lexical (words), hybrid (words match, words and meaning rank; related by meaning listed apart), semantic (nearest by meaning)"),
    "analyze": ("TEXT", "the index terms TEXT becomes (stems, accent-free forms)"),
    "stats": ("", "index statistics"),
    "with": ("ACTOR", "who is mentioned with ACTOR in the current hits (log-likelihood score)"),
    "timeline": ("[year|month|week] [ACTOR]", "current hits per period as bars; ACTOR narrows to one actor"),
    "export": ("FILE.csv|.jsonl|.json", "write every hit of the current search (with its filters) to FILE"),
    "save": ("NAME", "save the current search; `searchkit saved run NAME` lists what is new"),
    "quit": ("", "leave (also :q, :exit, Ctrl-D)"),
}
ALIASES = {"q": "quit", "exit": "quit", "n": "next", "p": "prev", "h": "help", "?": "help", "f": "filter"}
OPERATORS = tuple(sorted(_OPERATORS, key=len, reverse=True))  # longest first: ANDNOT before AND


@dataclass(frozen=True)
class Reply:
    """What one line produced. ``page``: long text for a pager; ``error``: one red line."""

    text: str = ""
    page: bool = False
    quit: bool = False
    error: bool = False


# -- the engine -----------------------------------------------------------------


class AnalystCommands:
    """The REPL commands that never change the session's search: :help, :quit, :stats,
    :analyze, and the analyst workflow (:similar, :with, :timeline, :export, :save;
    searchkit/workflow/)."""

    kit: "SearchKit"
    style: Style
    query: str | None
    filters: dict[str, list[str]]
    sort: str
    page_size: int
    _hit: Callable[[str], Any]  # ReplEngine's: the hit a number names

    def error(self, message: str, hint: str | None = None) -> Reply:
        return Reply(format_error(message, hint, self.style), error=True)

    def cmd_help(self, arg: str) -> Reply:
        s = self.style
        lines = [s.bold("Type words to search; lines starting with ':' are commands.")]
        for name, (args, what) in COMMANDS.items():
            usage = f"{':' + name + ' ' + args:<24}"  # pad before colouring: codes have no width
            lines.append(f"  {s.title(usage)} {what}")
        lines += [
            s.bold("Queries"),
            '  words (any accents), "exact phrase", AND/OR/NOT or ET/OU/SAUF, (groups),',
            "  field:value (titre: personne: org: lieu: acteur: date: mentionne:), mot~ (fuzzy), préfix*",
            s.dim("Tab completes commands, fields and names (accents and case ignored); Ctrl-C cancels a line."),
        ]
        return Reply("\n".join(lines))

    def cmd_quit(self, arg: str) -> Reply:
        return Reply(quit=True)

    def cmd_stats(self, arg: str) -> Reply:
        return Reply("\n".join(f"{k:<12} {v}" for k, v in self.kit.stats().to_dict().items()))

    def cmd_analyze(self, arg: str) -> Reply:
        if not arg:
            return self.error(":analyze needs some text", "e.g. :analyze L'aéroport des États-Unis")
        # The unstemmed analyzer keeps stop words: its positions list every word.
        words = {t.pos: (t.word, t.term) for t in self.kit.analyze(arg, exact=True)}
        stems: dict[int, list[str]] = {}
        for t in self.kit.analyze(arg):
            stems.setdefault(t.pos, []).append(t.term)
        lines = [self.style.dim(f"{'pos':>3}  {'word':<20} -> {'stemmed terms (search)':<28} | unstemmed (phrases, fuzzy)")]
        for pos, (word, exact) in sorted(words.items()):
            shown = ", ".join(stems[pos]) if pos in stems else "(stop word)"
            lines.append(f"{pos:>3}  {word:<20} -> {shown:<28} | {exact}")
        return Reply("\n".join(lines))

    def cmd_similar(self, arg: str) -> Reply:
        if not arg:
            return self.error(":similar needs a hit number", "e.g. :similar 1")
        doc_id = self._hit(arg).id if arg.isdigit() else arg
        # Shown, not made the current search: :next keeps paging the query typed.
        res = self.kit.similar(doc_id, filters=self.filters, limit=self.page_size)
        return Reply(self.style.dim(f"like {doc_id}:") + "\n" + format_results(res, self.style))


    def cmd_with(self, arg: str) -> Reply:
        if not arg:
            return self.error(":with needs an actor", "e.g. :with Joe Biden (Tab completes names)")
        from searchkit.ui.render import format_associates

        res = self.kit.associated(arg.strip().strip('"'), query=self.query or "", filters=self.filters)
        return Reply(format_associates(res, self.style))

    def cmd_timeline(self, arg: str) -> Reply:
        from searchkit.workflow.timeline import PERIODS, render_timeline

        first, _, rest = arg.partition(" ")
        by = next((p for p in PERIODS if first and p.startswith(first.lower())), None)
        actor = (rest if by else arg).strip().strip('"')
        filters = {k: list(v) for k, v in self.filters.items()}
        if actor:
            filters.setdefault("actor", []).append(actor)
        tl = self.kit.timeline(self.query or "", filters, by=by or "month")
        head = f"{tl.total} article{'s' if tl.total != 1 else ''} per {tl.by}" + (f" with {actor}" if actor else "")
        return Reply("\n".join([self.style.bold(head), *render_timeline(tl, width=40)]), page=len(tl.periods) > 40)

    def cmd_export(self, arg: str) -> Reply:
        if not arg:
            return self.error(":export needs a file name", "e.g. :export hits.csv (or .jsonl, .json)")
        from searchkit.workflow.export import format_for

        path = Path(arg.strip().strip('"')).expanduser()
        fmt = format_for(path.name)
        try:
            with open(path, "w", encoding="utf-8", newline="") as fh:
                n = self.kit.export(fh, fmt, self.query or "", self.filters, sort=self.sort)
        except OSError as exc:
            return self.error(f"cannot write {path}: {exc.strerror}", "choose a writable file")
        return Reply(f"exported {n} hit{'s' if n != 1 else ''} to {path} ({fmt})")

    def cmd_save(self, arg: str) -> Reply:
        if not arg:
            return self.error(":save needs a name", "e.g. :save attaques-bagdad")
        if self.query is None and not self.filters:
            return self.error("nothing to save yet", "type a query (or :filter) first, then :save NAME")
        s = self.kit.saved.add(arg.strip(), self.query or "", self.filters)
        return Reply(f"saved {s.name!r}: {s.matched} article{'s' if s.matched != 1 else ''} now; `searchkit saved run {s.name}` lists new ones")


def _is_related_number(arg: str, results: "Results | None") -> bool:
    """``r1``, ``r2``...: a related article's number, when the last search has some."""
    return arg[:1] in ("r", "R") and arg[1:].isdigit() and results is not None and bool(results.related)


def _related_hit(results: "Results", n: int) -> "Hit":
    for hit in results.related:
        if hit.rank == n:
            return hit
    raise QueryError(f"there is no related article r{n}", hint="related articles are numbered r1, r2... under 'Related by meaning'")


class ReplEngine(AnalystCommands):
    """Session state (query, filters, sort, page) and the commands that change it.

    UI-free: takes a line, returns text. The index opens lazily (``warm`` may run
    in a thread while the first prompt is already on screen).
    """

    def __init__(self, kit: "SearchKit", style: Style | None = None, page_size: int | None = None) -> None:
        self.kit = kit
        self.style = style or Style(False)
        self.page_size = page_size or kit.config.limit
        self.query: str | None = None
        self.filters: dict[str, list[str]] = {}
        self.sort = "relevance"
        self.mode: str | None = None  # None: the library's default (hybrid if the index has vectors)
        self.offset = 0
        self.results: "Results | None" = None
        self.doc_count: int | None = None
        self.index_problem: str | None = None
        self._values: "Facets | None" = None
        # One lock for everything that touches the index: the warm-up thread and
        # the prompt loop (or a completion thread) never open it twice.
        self._lock = threading.RLock()

    # -- index access -----------------------------------------------------------
    def warm(self) -> None:
        """Open the index and cache what completion and the toolbar need."""
        with self._lock:
            if self._values is not None:
                return
            try:
                self.doc_count = self.kit.stats().documents
                self._values = self.kit.facets(None, top=None)
                self.index_problem = None
            except SearchkitError as exc:
                self.index_problem = exc.message

    def facet_values(self, field_name: str) -> tuple["FacetValue", ...]:
        """Every value of a facet field over the whole index (for completion)."""
        self.warm()
        return self._values.get(field_name) if self._values is not None else ()

    # -- dispatch ---------------------------------------------------------------
    def handle(self, line: str) -> Reply:
        """Run one query or command; a user mistake becomes an error reply."""
        line = line.strip()
        try:
            with self._lock:
                if not line:
                    return self._page(+1, quiet=True)
                if line.startswith(":"):
                    return self._command(line[1:])
                return self._show_results(self._search(line, dict(self.filters), 0, self.sort))
        except SearchkitError as exc:
            return self.error(exc.message, exc.hint)

    def _command(self, text: str) -> Reply:
        name, _, arg = text.strip().partition(" ")
        name = ALIASES.get(name.lower(), name.lower())
        if name not in COMMANDS:
            close = difflib.get_close_matches(name, list(COMMANDS), n=1)
            hint = f"did you mean :{close[0]}? (:help lists commands)" if close else ":help lists commands"
            return self.error(f"unknown command ':{name}'", hint)
        return getattr(self, f"cmd_{name}")(arg.strip())

    # -- searching --------------------------------------------------------------
    def _search(self, query: str, filters: dict[str, list[str]], offset: int, sort: str) -> "Results":
        """Search and, only if it worked, make it the session's current search."""
        res = self.kit.search(query, filters=filters, limit=self.page_size, offset=offset, sort=sort, mode=self.mode)
        self.query, self.filters, self.offset, self.sort, self.results = query, filters, offset, sort, res
        self._refresh_count()
        return res

    def _refresh_count(self) -> None:
        # A search opened the index: the toolbar can show its size from now on.
        if self.doc_count is None:
            try:
                self.doc_count = self.kit.stats().documents
            except SearchkitError:
                pass

    def _rerun(self, filters: dict[str, list[str]] | None = None, sort: str | None = None) -> Reply:
        """Search again after a change of filters or sort (or just record it if
        nothing was searched yet)."""
        new_filters = self.filters if filters is None else filters
        new_sort = sort or self.sort
        if self.query is None and not new_filters:
            self.filters, self.sort = new_filters, new_sort
            return Reply(self.style.dim(f"sort: {new_sort}" if sort else "no filters"))
        return self._show_results(self._search(self.query or "", new_filters, 0, new_sort))

    def _show_results(self, res: "Results") -> Reply:
        parts = [format_results(res, self.style)]
        hist = format_histogram(self._published(res), self.style)
        if hist:
            parts.append("")
            parts.append(hist)
        if res.offset + len(res.hits) < res.total:
            page, pages = res.offset // self.page_size + 1, -(-res.total // self.page_size)
            parts.append(self.style.dim(f"page {page}/{pages}: :next (or Enter) for more, :show N to read, :explain N"))
        return Reply("\n".join(parts))

    def _published(self, res: "Results") -> Sequence["FacetValue"]:
        values = res.facets.get("published", ())
        # A search keeps the FACET_TOP most frequent values; a longer history needs all.
        if len(values) >= FACET_TOP:
            values = self.kit.facets("published", query=res.query, filters=res.filters, top=None).get("published")
        return values

    def _page(self, step: int, quiet: bool = False) -> Reply:
        res = self.results
        if res is None:
            return Reply() if quiet else self.error("no results yet", "type a query first")
        offset = self.offset + step * self.page_size
        if offset < 0:
            return Reply(self.style.dim("already on the first page"))
        if offset >= res.total:
            return Reply() if quiet and res.total == 0 else Reply(self.style.dim("no more hits"))
        return self._show_results(self._search(res.query, dict(self.filters), offset, self.sort))

    def _hit(self, arg: str) -> "Hit":
        if self.results is None:
            raise QueryError("no results yet", hint="type a query first, then :show N or :explain N")
        if arg[:1] in ("r", "R") and arg[1:].isdigit():  # a related article (hybrid: found by meaning alone)
            return _related_hit(self.results, int(arg[1:]))
        if not arg.isdigit() or int(arg) < 1:
            raise QueryError(f"'{arg}' is not a hit number", hint="use the number before a hit, e.g. :show 1 (or r1 for a related article)")
        n = int(arg)
        for hit in self.results.hits:
            if hit.rank == n:
                return hit
        res = self.kit.search(self.results.query, filters=self.filters, limit=1, offset=n - 1, sort=self.sort, facets=False)
        if not res.hits:
            raise QueryError(f"there is no hit {n}", hint=f"the search has {res.total} hit(s)")
        return res.hits[0]

    # -- commands ---------------------------------------------------------------
    def cmd_next(self, arg: str) -> Reply:
        return self._page(+1)

    def cmd_prev(self, arg: str) -> Reply:
        return self._page(-1)

    def cmd_sort(self, arg: str) -> Reply:
        if not arg:
            return Reply(f"sort: {self.sort}")
        choice = next((s for s in SORTS if s.startswith(arg.lower())), None)
        if choice is None:
            return self.error(f"unknown sort '{arg}'", "use :sort date or :sort relevance")
        return self._rerun(sort=choice)

    def cmd_mode(self, arg: str) -> Reply:
        if not arg:
            return Reply(f"mode: {self.results.mode if self.results is not None else self.mode or 'default'}")
        choice = next((m for m in MODES if m.startswith(arg.lower())), None)
        if choice is None:
            return self.error(f"unknown mode '{arg}'", "use :mode hybrid, :mode lexical or :mode semantic")
        previous, self.mode = self.mode, choice
        if self.query is None:
            return Reply(f"mode: {choice}")
        try:
            return self._rerun()
        except SearchkitError:
            self.mode = previous  # e.g. semantic on an index without vectors: keep the old mode
            raise

    def cmd_filter(self, arg: str) -> Reply:
        if not arg:
            if not self.filters:
                return Reply(self.style.dim("no filters (e.g. :filter person=Joe Biden)"))
            return Reply("filters: " + "; ".join(f"{k}={', '.join(v)}" for k, v in self.filters.items()))
        m = re.match(r"^([^\s=:]+)\s*[=:]\s*(.*)$", arg) or re.match(r"^(\S+)\s+(.*)$", arg)
        if not m or not m.group(2).strip():
            return self.error(f"cannot read the filter '{arg}'", "write :filter FIELD=VALUE, e.g. :filter person=Joe Biden")
        name, value = self._field(m.group(1)), m.group(2).strip().strip('"')
        if name in ACTOR_FIELDS:
            found = self.kit.resolve_actor(value, None if name == "actor" else name)
            if not found.found:
                return self.error(f"no {name} named '{value}' in the index", f":facets {name} lists them; Tab completes names")
            if found.name is not None:
                value = found.name  # show the name as the facets show it
        filters = {k: list(v) for k, v in self.filters.items()}
        if value not in filters.setdefault(name, []):
            filters[name].append(value)
        return self._rerun(filters)

    def cmd_unfilter(self, arg: str) -> Reply:
        if not arg:
            return self.error(":unfilter needs a field", "e.g. :unfilter person, or :clear for all filters")
        raw, _, value = arg.partition("=")
        name = self._field(raw.strip())
        if name not in self.filters:
            return Reply(self.style.dim(f"no filter on {name}"))
        filters = {k: list(v) for k, v in self.filters.items()}
        if value.strip():
            filters[name] = [v for v in filters[name] if v.lower() != value.strip().lower()]
        if not value.strip() or not filters[name]:
            del filters[name]
        return self._rerun(filters)

    def cmd_clear(self, arg: str) -> Reply:
        return self._rerun({})

    def _field(self, raw: str) -> str:
        name = canonical_field(raw)
        if name not in FACET_FIELDS:
            raise QueryError(f"cannot filter on '{raw}'", hint="fields: " + ", ".join(FACET_FIELDS) + " (or personne, lieu, date...)")
        return name

    def cmd_facets(self, arg: str) -> Reply:
        # ":facets place 60" pages like `searchkit facets place --top 60`; 0 lists all.
        words = arg.split()
        top = int(words.pop()) if words and words[-1].isdigit() else (20 if words else 5)
        field = " ".join(words) or None
        values = self.kit.facets(field, query=self.query or "", filters=self.filters, top=top)
        return Reply(format_facets(values, self.style, top=top or None))

    def cmd_show(self, arg: str) -> Reply:
        if not arg:
            return self.error(":show needs a hit number", "e.g. :show 1")
        doc_id = self._hit(arg).id if arg.isdigit() or _is_related_number(arg, self.results) else arg
        doc = self.kit.document(doc_id, self.query or "", self.filters)
        return Reply(format_document(doc, self.style), page=True)

    def cmd_explain(self, arg: str) -> Reply:
        if not arg:
            return self.error(":explain needs a hit number", "e.g. :explain 1")
        hit = self._hit(arg)
        explanation = self.kit.explain(hit.id, self.query or "", self.filters)
        return Reply(format_explanation(explanation, hit, self.style))

    # -- for the toolbar ----------------------------------------------------------
    def status(self) -> str:
        """One line: filters, hits and page, sort, index size."""
        parts = []
        if self.filters:
            parts.append("filters: " + "; ".join(f"{k}={', '.join(v)}" for k, v in self.filters.items()))
        if self.results is not None:
            r = self.results
            pages = max(1, -(-r.total // self.page_size))
            parts.append(f"{r.total} hit{'s' if r.total != 1 else ''} (page {self.offset // self.page_size + 1}/{pages})")
        if self.sort != "relevance":
            parts.append(f"sort: {self.sort}")
        if self.results is not None:
            parts.append(f"mode: {self.results.mode}")
        if self.index_problem:
            parts.append(f"index: {self.index_problem}")
        else:
            parts.append(f"index: {self.doc_count} articles" if self.doc_count is not None else "index: opening…")
        return "  |  ".join(parts)


# -- completion (pure part) -----------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """One completion: ``text`` replaces the ``start`` (<= 0) characters before the cursor."""

    text: str
    start: int
    display: str = ""
    meta: str = ""


def _key(text: str) -> str:
    from searchkit.text.normalize import fold

    return fold(text.lower())


def _rank(partial: str, candidates: Iterable[str]) -> int | None:
    """0 prefix, 1 word prefix, 2 anywhere; None: no match. Accents and case ignored."""
    p = _key(partial.strip())
    best: int | None = None
    for c in candidates:
        k = _key(c)
        if k.startswith(p):
            r = 0
        elif any(w.startswith(p) for w in re.split(r"[\s\-']+", k)):
            r = 1
        elif p in k:
            r = 2
        else:
            continue
        best = r if best is None else min(best, r)
    return best


def _field_names(partial: str, facets_only: bool) -> list[tuple[str, str]]:
    """(typed name, canonical field) for names that start like ``partial``."""
    p = _key(partial)
    out = []
    for alias, canonical in FIELD_ALIASES.items():
        if facets_only and canonical not in FACET_FIELDS:
            continue
        if _key(alias).startswith(p) and (alias == canonical or alias in ("personne", "lieu", "date", "titre", "acteur", "texte", "mentionne")):
            out.append((alias, canonical))
    return sorted(out, key=lambda a: (a[0] != a[1], a[0]))


def _value_suggestions(engine: ReplEngine, field_name: str, partial: str, start: int, quote: bool) -> list[Suggestion]:
    ranked = []
    for v in engine.facet_values(field_name):
        r = _rank(partial, (v.value, *v.variants)) if partial.strip() else 0
        if r is not None:
            ranked.append((r, -v.count, v))
    out = []
    for _, _, v in sorted(ranked, key=lambda x: (x[0], x[1], x[2].value)):
        text = f'"{v.value}"' if quote and re.search(r"[\s()]", v.value) else v.value
        meta = f"{v.count}" + (f"  ({', '.join(v.variants)})" if v.variants else "")
        out.append(Suggestion(text, start, v.value, meta))
    return out


def complete(engine: ReplEngine, before: str) -> list[Suggestion]:
    """Completions for the text before the cursor: commands, fields, facet values."""
    if before.startswith(":"):
        return _complete_command(engine, before[1:])
    m = re.search(r'(?:^|[\s(])([^\W\d_][\w-]*):("[^"]*|[^\s"()]*)$', before)
    if m:
        name = canonical_field(m.group(1))
        if name in FACET_FIELDS:
            return _value_suggestions(engine, name, m.group(2).lstrip('"'), -len(m.group(2)), quote=True)
        return []
    word = re.search(r'[^\s()"]*$', before).group(0)  # type: ignore[union-attr]
    if not word:
        return []
    out = [Suggestion(a + ":", -len(word), a + ":", "field" if a == c else f"= {c}") for a, c in _field_names(word, False)]
    if len(word) >= 2:
        # A name typed as a plain word: offer the actor as a field query, so that
        # every spelling of it matches (a bare phrase would find one spelling).
        for kind in ("person", "org", "place"):
            for s in _value_suggestions(engine, kind, word, -len(word), quote=True):
                out.append(Suggestion(f"{kind}:{s.text}", s.start, s.display, f"{kind} {s.meta}"))
    return out


def _complete_command(engine: ReplEngine, text: str) -> list[Suggestion]:
    if " " not in text:
        names = [n for n in COMMANDS if n.startswith(text.lower())]
        return [Suggestion(":" + n, -len(text) - 1, ":" + n, COMMANDS[n][1]) for n in names]
    name, _, arg = text.partition(" ")
    name = ALIASES.get(name.lower(), name.lower())
    arg = arg.lstrip()
    if name == "filter":
        if "=" in arg:
            raw, _, partial = arg.partition("=")
            canonical = canonical_field(raw.strip())
            if canonical not in FACET_FIELDS:
                return []
            return _value_suggestions(engine, canonical, partial, -len(partial), quote=False)
        return [Suggestion(a + "=", -len(arg), a + "=", "" if a == c else f"= {c}") for a, c in _field_names(arg, True)]
    if name == "unfilter":
        return [Suggestion(f, -len(arg), f, ", ".join(v)) for f, v in engine.filters.items() if f.startswith(arg.lower())]
    if name == "facets":
        return [Suggestion(a, -len(arg), a) for a, _ in _field_names(arg, True)]
    if name == "sort":
        return [Suggestion(s, -len(arg), s) for s in SORTS if s.startswith(arg.lower())]
    if name == "with":
        return _value_suggestions(engine, "actor", arg, -len(arg), quote=False)
    if name == "timeline":
        first, space, rest = arg.partition(" ")
        if not space:
            periods = [Suggestion(p, -len(arg), p, "period") for p in ("year", "month", "week") if p.startswith(arg.lower())]
            return periods + (_value_suggestions(engine, "actor", arg, -len(arg), quote=False) if arg else [])
        return _value_suggestions(engine, "actor", rest, -len(rest), quote=False)
    if name in ("show", "explain") and engine.results is not None:
        return [Suggestion(str(h.rank), -len(arg), str(h.rank), (h.title or h.id)[:60]) for h in engine.results.hits if str(h.rank).startswith(arg)]
    return []


# -- syntax highlighting (pure part) --------------------------------------------

_OPERATOR_WORDS = "|".join(sorted(OPERATORS, key=lambda o: (-len(o), o)))  # longest first
_QUERY_TOKEN = re.compile(
    r'(?P<phrase>"[^"]*"?(?:~\d+)?)'
    r"|(?P<field>[^\W\d_][\w-]*:)"
    rf"|(?P<operator>(?<!\S)(?:{_OPERATOR_WORDS})(?!\S))"
    r"|(?P<fuzzy>[^\s()\"]+~\d*)"
    r"|(?P<wildcard>[^\s()\"]*[*?][^\s()\"]*)"
    r"|(?P<paren>[()])"
    r"|(?P<word>[^\s()\"]+)"
    r"|(?P<space>\s+)"
)


def lex_line(line: str) -> list[tuple[str, str]]:
    """(style class, text) pieces of one input line, for prompt_toolkit."""
    if line.startswith(":"):
        m = re.match(r"(:\S*)(\s*)(.*)$", line, re.S)
        assert m is not None
        name = m.group(1)[1:].lower()
        known = name in COMMANDS or name in ALIASES
        out = [("class:command" if known else "class:error", m.group(1)), ("", m.group(2))]
        arg = m.group(3)
        fm = re.match(r"([^\s=]+)(=)(.*)$", arg, re.S)
        if ALIASES.get(name, name) in ("filter", "unfilter") and fm:
            ok = canonical_field(fm.group(1)) in FACET_FIELDS
            out += [("class:field" if ok else "class:error", fm.group(1) + fm.group(2)), ("class:value", fm.group(3))]
        elif arg:
            out.append(("class:argument", arg))
        return [p for p in out if p[1]]
    out = []
    for m in _QUERY_TOKEN.finditer(line):
        kind = m.lastgroup or "word"
        text = m.group(0)
        if kind == "field":
            kind = "field" if canonical_field(text[:-1]) is not None else "error"
        out.append(("" if kind in ("word", "space") else f"class:{kind}", text))
    return out


STYLE_RULES = {
    "command": "ansiblue bold",
    "argument": "",
    "field": "ansicyan bold",
    "value": "ansigreen",
    "operator": "ansimagenta bold",
    "phrase": "ansigreen",
    "fuzzy": "ansiyellow",
    "wildcard": "ansiyellow",
    "paren": "bold",
    "error": "ansired underline",
    "bottom-toolbar": "noreverse bg:ansiblack fg:ansiwhite",
}


# -- prompt_toolkit factories -------------------------------------------------------


def make_completer(engine: ReplEngine) -> Any:
    from prompt_toolkit.completion import Completer, Completion

    class ReplCompleter(Completer):
        def get_completions(self, document: Any, complete_event: Any) -> Iterable[Any]:
            for s in complete(engine, document.text_before_cursor):
                yield Completion(s.text, s.start, display=s.display or s.text, display_meta=s.meta)

    return ReplCompleter()


def make_lexer() -> Any:
    from prompt_toolkit.lexers import Lexer

    class QueryLexer(Lexer):
        def lex_document(self, document: Any) -> Callable[[int], list[tuple[str, str]]]:
            lines = document.lines
            return lambda i: lex_line(lines[i]) if i < len(lines) else []

    return QueryLexer()


def make_toolbar(engine: ReplEngine) -> Callable[[], Any]:
    def toolbar() -> list[tuple[str, str]]:
        return [("class:bottom-toolbar", " " + engine.status() + "  |  :help  Tab completes  Ctrl-D quits ")]

    return toolbar


def make_key_bindings() -> Any:
    from prompt_toolkit.filters import Condition
    from prompt_toolkit.key_binding import KeyBindings

    kb = KeyBindings()
    empty = Condition(lambda: not _current_buffer_text())

    def submit(command: str) -> Callable[[Any], None]:
        def handler(event: Any) -> None:
            event.current_buffer.text = command
            event.current_buffer.validate_and_handle()

        return handler

    # Page through hits without typing a command.
    kb.add("pagedown", filter=empty)(submit(":next"))
    kb.add("pageup", filter=empty)(submit(":prev"))

    @kb.add("c-c")
    def _(event: Any) -> None:
        # Cancel the line, keep the session (the default would raise KeyboardInterrupt).
        event.current_buffer.reset()

    return kb


def _current_buffer_text() -> str:
    from prompt_toolkit.application.current import get_app

    return get_app().current_buffer.text


def history_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_DATA_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".local", "share")
    return Path(base) / "searchkit" / "history"


def make_history(env: Mapping[str, str] | None = None) -> Any:
    """File history under the XDG data dir; in memory when that is not writable."""
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    path = history_path(env)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8"):
            pass
        return FileHistory(str(path))
    except OSError:
        return InMemoryHistory()


def make_session(engine: ReplEngine, history: Any = None, input: Any = None, output: Any = None) -> Any:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
    from prompt_toolkit.styles import Style as PTStyle

    return PromptSession(
        PROMPT,
        history=history if history is not None else make_history(),
        auto_suggest=AutoSuggestFromHistory(),
        lexer=make_lexer(),
        completer=make_completer(engine),
        complete_in_thread=True,  # facet values may wait for the index to open
        complete_while_typing=False,
        bottom_toolbar=make_toolbar(engine),
        key_bindings=make_key_bindings(),
        style=PTStyle.from_dict(STYLE_RULES),
        enable_history_search=False,
        input=input,
        output=output,
    )


# -- the loops -------------------------------------------------------------------


def interact(engine: ReplEngine, session: Any, out: IO[str], pager: Callable[[str], None]) -> None:
    """Prompt, handle, print; until :quit or Ctrl-D. Ctrl-C never ends it."""
    while True:
        try:
            line = session.prompt()
        except KeyboardInterrupt:
            continue
        except EOFError:
            break
        try:
            reply = engine.handle(line)
        except KeyboardInterrupt:
            out.write("interrupted\n")
            continue
        if reply.text:
            if reply.page:
                pager(reply.text)
            else:
                out.write(reply.text + "\n")
                out.flush()
        if reply.quit:
            break


def run_pipe(kit: "SearchKit", stdin: IO[str], stdout: IO[str], stderr: IO[str]) -> int:
    """One query or command per line; plain text unless stdout is a colour terminal.
    Blank lines are skipped (in a file they are layout, not "next page").
    Returns ExitStatus.ERROR (1) if any line failed, else ExitStatus.OK (0)."""
    engine = ReplEngine(kit, Style(color_enabled(stdout)))
    failed = False
    for line in stdin:
        if not line.strip():
            continue
        reply = engine.handle(line)
        failed |= reply.error
        if reply.text:
            (stderr if reply.error else stdout).write(reply.text + "\n")
            stdout.flush()
        if reply.quit:
            break
    return ExitStatus.ERROR if failed else ExitStatus.OK


def _pager(text: str) -> None:
    import click

    click.echo_via_pager(text)


def run_interactive(kit: "SearchKit") -> None:
    engine = ReplEngine(kit, Style(color_enabled(sys.stdout)))
    session = make_session(engine)

    def warm_up() -> None:
        engine.warm()
        app = session.app
        if app.is_running:
            app.invalidate()  # show the index size in the toolbar

    # The prompt appears at once; the index opens behind it.
    threading.Thread(target=warm_up, name="searchkit-warm-up", daemon=True).start()
    interact(engine, session, sys.stdout, _pager)


def run(kit: "SearchKit") -> None:
    """Entry point of `searchkit repl`: a prompt on a terminal, else pipe mode
    (which exits with 1 when a line failed, so scripts notice)."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        run_interactive(kit)
    elif run_pipe(kit, sys.stdin, sys.stdout, sys.stderr):
        raise SystemExit(ExitStatus.ERROR)
