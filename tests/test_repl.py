"""The REPL: the UI-free engine's commands, completion, highlighting, the real
PromptSession driven through a pipe input, and pipe mode as a subprocess.

The index is built once for this module from a copy of seeds/ (indexing loads
spaCy, ~8 s). Expected actor names come from the index, never hard-coded.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from searchkit import SearchKit
from searchkit.ui import repl
from searchkit.ui.render import Style

ROOT = Path(__file__).resolve().parents[1]
ANSI = re.compile(r"\x1b\[")


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("repl")
    corpus = base / "seeds"
    corpus.mkdir()
    for f in (ROOT / "seeds").glob("*.txt"):
        shutil.copy(f, corpus / f.name)
    kit = SearchKit.open(ROOT / "config.yaml", index_dir=base / "index", corpus=corpus)
    kit.config.workers = 1
    kit.index()
    # A config for the subprocess tests, pointing at the same index.
    (base / "config.yaml").write_text("corpus: seeds\nindex_dir: index\n", encoding="utf-8")
    yield kit
    kit.close()


@pytest.fixture()
def engine(kit: SearchKit) -> repl.ReplEngine:
    return repl.ReplEngine(kit, Style(False))


def kazimi(kit: SearchKit) -> str:
    """The display name the index gives the Kazimi / Kadhimi group."""
    name = kit.resolve_actor("Kazimi", "person").name
    return name


def run(engine: repl.ReplEngine, *lines: str) -> repl.Reply:
    reply = repl.Reply()
    for line in lines:
        reply = engine.handle(line)
    return reply


# -- engine commands ---------------------------------------------------------------


def test_query_then_pages(kit: SearchKit) -> None:
    engine = repl.ReplEngine(kit, Style(False), page_size=2)
    first = engine.handle("roquettes")
    assert first.text.startswith("5 articles (1-2 shown")
    assert "**roquettes**" in first.text and "page 1/3" in first.text
    assert " 1. " in first.text and " 3. " not in first.text
    assert "(3-4 shown" in engine.handle("").text  # Enter on an empty line = next page
    assert "(5-5 shown" in engine.handle(":next").text
    assert engine.handle(":next").text == "no more hits"
    assert "(3-4 shown" in engine.handle(":prev").text
    assert "page 2/3" in engine.status()
    assert "(1-2 shown" in engine.handle(":p").text
    assert engine.handle(":prev").text == "already on the first page"


def test_empty_line_before_any_query_does_nothing(engine: repl.ReplEngine) -> None:
    assert engine.handle("") == repl.Reply()


def test_filter_drill_down_and_unfilter(engine: repl.ReplEngine, kit: SearchKit) -> None:
    name = kazimi(kit)
    run(engine, "roquettes")
    reply = engine.handle(":filter personne=kazimi")  # French field, any case
    assert engine.filters == {"person": [name]}
    assert engine.results is not None and engine.results.total == 2
    assert f"filters: person={name}" in reply.text
    month = engine.results.hits[0].published[:7]
    engine.handle(f":filter date={month}")
    assert engine.filters == {"person": [name], "published": [month]}
    assert engine.results.total == 1
    assert engine.handle(":filter").text == f"filters: person={name}; published={month}"
    engine.handle(":unfilter date")
    assert engine.filters == {"person": [name]} and engine.results.total == 2
    engine.handle(":clear")
    assert engine.filters == {} and engine.results.total == 5
    assert engine.query == "roquettes"


def test_filter_without_query_lists_matching_articles(engine: repl.ReplEngine, kit: SearchKit) -> None:
    reply = engine.handle(":filter person=Kadhimi")  # another spelling of the same man
    assert reply.text.startswith("2 articles") and engine.filters == {"person": [kazimi(kit)]}


def test_filter_mistakes_keep_the_session(engine: repl.ReplEngine) -> None:
    run(engine, "roquettes")
    for line, words in [
        (":filter colour=red", "cannot filter on 'colour'"),
        (":filter person=Nobody Atall", "no person named 'Nobody Atall'"),
        (":filter published=2020-13", "not a valid date"),
        (":filter person", "cannot read the filter"),
    ]:
        reply = engine.handle(line)
        assert reply.error and words in reply.text and "\n" not in reply.text, line
    assert engine.filters == {} and engine.results is not None and engine.results.total == 5


def test_sort_by_date(engine: repl.ReplEngine) -> None:
    run(engine, "roquettes", ":sort date")
    assert engine.sort == "date"
    dates = [h.published for h in engine.results.hits if h.published]
    assert dates == sorted(dates, reverse=True)
    assert "sort: date" in engine.status()
    run(engine, ":sort relevance")
    assert engine.sort == "relevance"
    assert engine.handle(":sort").text == "sort: relevance"
    assert engine.handle(":sort sideways").error


def test_month_histogram_only_when_hits_span_months(engine: repl.ReplEngine) -> None:
    wide = engine.handle("roquettes").text
    (line,) = [l for l in wide.splitlines() if l.startswith("per month")]
    months = sorted(h.published[:7] for h in engine.results.hits if h.published)
    assert line.startswith(f"per month  {months[0]} ") and f" {months[-1]} " in line
    narrow = engine.handle(f":filter date={months[0]}").text
    assert "per month" not in narrow


def test_facets(engine: repl.ReplEngine, kit: SearchKit) -> None:
    run(engine, "roquettes")
    text = engine.handle(":facets person").text
    assert text.splitlines()[0] == "person"
    assert re.search(rf"^  {re.escape(kazimi(kit))}\s+2 ", text, re.M)
    assert engine.handle(":facets lieu").text.splitlines()[0] == "place"
    everything = engine.handle(":facets").text
    assert all(f in everything.splitlines() for f in ("actor", "person", "org", "place", "published", "mentioned"))
    assert engine.handle(":facets colour").error


def test_show_pages_the_article_with_matches(engine: repl.ReplEngine, kit: SearchKit) -> None:
    run(engine, "roquettes")
    hit = engine.results.hits[0]
    reply = engine.handle(":show 1")
    assert reply.page and not reply.error
    assert reply.text.startswith(hit.title) and f"id {hit.id}" in reply.text
    assert "**roquettes**" in reply.text
    assert kit.document(hit.id).body.splitlines()[-1] in reply.text  # the whole article
    assert engine.handle(f":show {hit.id}").text == reply.text
    assert "no hit 9" in engine.handle(":show 9").text
    assert engine.handle(":show").error


def test_show_beyond_the_page(kit: SearchKit) -> None:
    engine = repl.ReplEngine(kit, Style(False), page_size=2)
    run(engine, "roquettes")
    assert engine.handle(":show 5").page


def test_explain_accents_and_actor_variants(engine: repl.ReplEngine, kit: SearchKit) -> None:
    run(engine, "securite")
    text = engine.handle(":explain 1").text
    assert "word 'securite' -> index terms securit" in text
    assert 'accents restored: typed "securite", written "sécurité"' in text
    run(engine, "defense", ":filter person=Kazimi")
    text = engine.handle(":explain 1").text
    assert "word 'defense' -> index terms defens" in text
    assert text.count('accents restored: typed "defense"') == 1  # once, whatever the case
    name = kazimi(kit)
    assert f"filter person={name} -> {name}" in text
    assert "Mustafa Kadhimi" in text  # the other spelling is named too
    doc = kit.document(engine.results.hits[0].id)
    variants = set(kit.resolve_actor(name, "person").variants)
    forms = {f for a in doc.actors if a.name in variants for f in a.forms}
    assert all(repr(f) in text for f in forms)


def test_explain_fuzzy_and_phrase(engine: repl.ReplEngine) -> None:
    run(engine, "roqette~ OR \"zone verte\"")
    text = engine.handle(":explain 1").text
    assert "exact term roquette" in text
    assert engine.handle(":explain 99").error
    assert "not a hit number" in engine.handle(":explain one").text


def test_explain_needs_results(engine: repl.ReplEngine) -> None:
    reply = engine.handle(":explain 1")
    assert reply.error and "no results yet" in reply.text


def test_analyze(engine: repl.ReplEngine) -> None:
    text = engine.handle(":analyze L’aéroport des États-Unis sécurité").text
    rows = [l.split() for l in text.splitlines()[1:]]
    assert rows[0][:4] == ["0", "aéroport", "->", "aeroport"]
    assert rows[1][:4] == ["1", "des", "->", "(stop"]
    assert rows[4][:5] == ["4", "sécurité", "->", "secur,", "securit"]
    assert engine.handle(":analyze").error


def test_help_lists_every_command(engine: repl.ReplEngine) -> None:
    text = engine.handle(":help").text
    for name in repl.COMMANDS:
        assert f":{name}" in text


def test_unknown_command_and_bad_query_are_one_red_line(kit: SearchKit) -> None:
    engine = repl.ReplEngine(kit, Style(True))
    for line in (":frobnicate", "titr:rouge", "persone:Kazimi"):
        reply = engine.handle(line)
        assert reply.error and "\n" not in reply.text
        assert reply.text.startswith("\x1b[1;31merror: ")
    # Pasted text with an odd quote or parenthesis answers, with a note on how it was read.
    for line in ('"zone verte', "couleur:rouge", "( roquettes"):
        reply = engine.handle(line)
        assert not reply.error and "note: " in reply.text
    assert "did you mean :filter" in engine.handle(":filtre").text
    assert engine.handle("roquettes").text.startswith("\x1b[1m5 articles")  # still going


def test_quit_commands(engine: repl.ReplEngine) -> None:
    for line in (":quit", ":q", ":exit"):
        assert engine.handle(line).quit


def test_toolbar_shows_filters_hits_and_index_size(engine: repl.ReplEngine, kit: SearchKit) -> None:
    toolbar = repl.make_toolbar(engine)
    engine.warm()
    assert "index: 5 articles" in "".join(t for _, t in toolbar())
    run(engine, "roquettes", ":filter person=Kazimi")
    text = "".join(t for _, t in toolbar())
    assert f"filters: person={kazimi(kit)}" in text and "2 hits (page 1/1)" in text


def test_toolbar_before_the_index_opens(kit: SearchKit) -> None:
    fresh = repl.ReplEngine(SearchKit.open(index_dir=kit.config.index_dir))
    assert "index: opening…" in fresh.status()


def test_missing_index_is_an_error_line(tmp_path: Path) -> None:
    engine = repl.ReplEngine(SearchKit.open(index_dir=tmp_path / "nothing"))
    reply = engine.handle("roquettes")
    assert reply.error and "\n" not in reply.text
    engine.warm()
    assert "index: " in engine.status() and engine.doc_count is None


# -- completion and highlighting ----------------------------------------------------------


def completions(engine: repl.ReplEngine, text: str) -> list:
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    return list(repl.make_completer(engine).get_completions(Document(text), CompleteEvent(completion_requested=True)))


def test_complete_actor_ignoring_accents_and_case(engine: repl.ReplEngine, kit: SearchKit) -> None:
    name = kazimi(kit)
    got = completions(engine, "kazi")
    assert got and got[0].display_text == name
    assert got[0].text == f'person:"{name}"' and got[0].start_position == -4
    # Accents and case: "etats" offers the place written with É.
    place = kit.resolve_actor("États-Unis", "place").name
    assert place in [c.display_text for c in completions(engine, "ETATS")]
    # Another spelling of the same actor offers the group's name.
    assert name in [c.display_text for c in completions(engine, "kadhimi")]


def test_complete_values_after_a_field(engine: repl.ReplEngine, kit: SearchKit) -> None:
    name = kazimi(kit)
    got = completions(engine, "roquettes personne:kaz")
    assert [(c.text, c.start_position) for c in got] == [(f'"{name}"', -3)]
    persons = {v.value for v in kit.facets("person", top=None).person}
    assert {c.display_text for c in completions(engine, "personne:")} == persons
    assert {c.display_text for c in completions(engine, "date:2020")} >= {"2020-11", "2020-12"}


def test_complete_filter_command(engine: repl.ReplEngine, kit: SearchKit) -> None:
    fields = [c.text for c in completions(engine, ":filter ")]
    assert {"person=", "personne=", "place=", "lieu=", "published=", "date="} <= set(fields)
    assert "title=" not in fields  # not a facet
    got = completions(engine, ":filter person=kazi")
    assert [(c.text, c.start_position) for c in got] == [(kazimi(kit), -4)]
    assert [c.text for c in completions(engine, ":filter lieu=bag")][0] == "Bagdad"


def test_complete_commands_and_arguments(engine: repl.ReplEngine) -> None:
    assert [c.text for c in completions(engine, ":fi")] == [":filter"]
    assert [c.text for c in completions(engine, ":so")] == [":sort"]
    assert [c.text for c in completions(engine, ":sort d")] == ["date"]
    assert [c.text for c in completions(engine, ":facets l")] == ["lieu"]
    assert completions(engine, "pers")[0].text in ("person:", "personne:")
    run(engine, "roquettes", ":filter person=Kazimi")
    assert [c.text for c in completions(engine, ":unfilter ")] == ["person"]
    assert [c.text for c in completions(engine, ":show ")] == ["1", "2"]


def lexed(text: str) -> list[tuple[str, str]]:
    from prompt_toolkit.document import Document

    return repl.make_lexer().lex_document(Document(text))(0)


def test_lexer_marks_fields_operators_phrases_fuzzy() -> None:
    tokens = lexed('personne:Kazimi ET "zone verte" SAUF roquet~ bagd* foo:bar')
    styles = {text: style for style, text in tokens}
    assert styles["personne:"] == "class:field"
    assert styles["ET"] == styles["SAUF"] == "class:operator"
    assert styles['"zone verte"'] == "class:phrase"
    assert styles["roquet~"] == "class:fuzzy"
    assert styles["bagd*"] == "class:wildcard"
    assert styles["foo:"] == "class:error"
    assert styles["Kazimi"] == ""
    assert "".join(t for _, t in tokens) == 'personne:Kazimi ET "zone verte" SAUF roquet~ bagd* foo:bar'
    assert styles.get("and") is None and ("", "and") in lexed("roquettes and bagdad")  # lowercase is a word


def test_lexer_marks_commands() -> None:
    assert lexed(":filter lieu=Bagdad") == [("class:command", ":filter"), ("", " "), ("class:field", "lieu="), ("class:value", "Bagdad")]
    assert lexed(":frob x")[0] == ("class:error", ":frob")
    assert lexed(":filter colour=red")[2] == ("class:error", "colour=")


# -- the real PromptSession, through a pipe input --------------------------------------


def drive(engine: repl.ReplEngine, keys: str) -> tuple[str, list[str]]:
    from prompt_toolkit.history import InMemoryHistory
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    out, paged = io.StringIO(), []
    with create_pipe_input() as inp:
        session = repl.make_session(engine, history=InMemoryHistory(), input=inp, output=DummyOutput())
        inp.send_text(keys)
        repl.interact(engine, session, out, paged.append)
    return out.getvalue(), paged


def test_prompt_session_runs_typed_lines(engine: repl.ReplEngine, kit: SearchKit) -> None:
    out, paged = drive(engine, "roquettes\r:filter person=Kazimi\r:show 1\r:bogus\r:facets place\r:q\r")
    assert out.startswith("5 articles (1-5 shown")
    assert f"2 articles (1-2 shown, " in out and f"filters: person={kazimi(kit)}" in out
    assert len(paged) == 1 and paged[0].startswith(engine.results.hits[0].title)
    assert "error: unknown command ':bogus'" in out
    assert "\nplace\n" in out


def test_ctrl_c_cancels_the_line_and_ctrl_d_ends(engine: repl.ReplEngine) -> None:
    # Ctrl-C drops "zzz" (never searched); the session goes on; Ctrl-D ends it.
    out, _ = drive(engine, "zzz\x03roquettes\r\x03\x04")
    assert engine.query == "roquettes" and out.startswith("5 articles")


def test_page_down_key_shows_next_page(kit: SearchKit) -> None:
    engine = repl.ReplEngine(kit, Style(False), page_size=2)
    out, _ = drive(engine, "roquettes\r\x1b[6~\x1b[5~\x04")
    assert "(3-4 shown" in out and out.count("(1-2 shown") == 2


def test_history_goes_to_xdg_data_home(tmp_path: Path) -> None:
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    history = repl.make_history({"XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path)})
    assert isinstance(history, FileHistory)
    assert Path(history.filename) == tmp_path / "data" / "searchkit" / "history"
    assert repl.history_path({"HOME": str(tmp_path)}) == tmp_path / ".local" / "share" / "searchkit" / "history"
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    assert isinstance(repl.make_history({"XDG_DATA_HOME": str(blocked)}), InMemoryHistory)


def test_history_file_records_lines(engine: repl.ReplEngine, tmp_path: Path) -> None:
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    history = repl.make_history({"XDG_DATA_HOME": str(tmp_path)})
    with create_pipe_input() as inp:
        session = repl.make_session(engine, history=history, input=inp, output=DummyOutput())
        inp.send_text("roquettes\r:q\r")
        repl.interact(engine, session, io.StringIO(), print)
    assert "+roquettes" in (tmp_path / "searchkit" / "history").read_text()


# -- pipe mode, as users run it -------------------------------------------------------------


def searchkit_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "SEARCHKIT_CONFIG")}
    env.update(extra)
    return env


def test_pipe_mode_subprocess(kit: SearchKit) -> None:
    base = kit.config.index_dir.parent
    python = shutil.which("python", path=str(Path(sys.executable).parent)) or sys.executable
    proc = subprocess.run(
        f"printf 'roquettes\\n:facets person\\n' | {python} -m searchkit repl",
        shell=True, cwd=base, capture_output=True, text=True, timeout=60, env=searchkit_env(HOME=str(base)),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert not ANSI.search(proc.stdout)
    assert proc.stdout.startswith("5 articles (1-5 shown")
    assert "**roquettes**" in proc.stdout
    assert re.search(rf"^person\n  Donald Trump +4 ", proc.stdout, re.M)


def test_pipe_mode_reports_errors_and_goes_on(kit: SearchKit) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = repl.run_pipe(kit, io.StringIO(":bogus\n\nroquettes\n:q\nbagdad\n"), out, err)
    assert code == 1
    assert err.getvalue() == "error: unknown command ':bogus' (hint: :help lists commands)\n"
    assert out.getvalue().startswith("5 articles") and "bagdad" not in out.getvalue().lower().split("\n")[0]
    assert out.getvalue().count(" articles (") == 1  # stopped at :q


def test_session_never_loads_the_ner_model(kit: SearchKit) -> None:
    script = textwrap.dedent(
        f"""
        import io, sys
        from prompt_toolkit.history import InMemoryHistory
        from prompt_toolkit.input import create_pipe_input
        from prompt_toolkit.output import DummyOutput
        from searchkit import SearchKit
        from searchkit.ui import repl
        kit = SearchKit.open(index_dir={str(kit.config.index_dir)!r})
        engine = repl.ReplEngine(kit)
        keys = "roquettes\\r:filter person=Kazimi\\r:filter date=décembre 2020\\r:clear\\r:explain 1\\r:show 1\\r:facets\\r:analyze l'aéroport\\r:q\\r"
        with create_pipe_input() as inp:
            session = repl.make_session(engine, history=InMemoryHistory(), input=inp, output=DummyOutput())
            inp.send_text(keys)
            repl.interact(engine, session, io.StringIO(), lambda t: None)
        from prompt_toolkit.document import Document
        assert list(repl.make_completer(engine).get_completions(Document("kazi"), None))
        print(sorted(m for m in sys.modules if m == "spacy" or m.startswith("spacy.") or m == "searchkit.extract.actors"))
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
