"""End to end: the REPL in a real terminal (tmux), checked on what the screen shows.

Runs `python -m searchkit repl` in a detached 120x40 tmux pane on a private tmux
server, types like a user (send-keys) and reads the screen with its colours
(capture-pane -e). Skipped when tmux is not installed. HOME and XDG_DATA_HOME
point into a temp dir so the user's history is never touched.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[1]
TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")

SGR = r"(?:\x1b\[[0-9;]*m)*"  # any run of colour codes


def sgr_before(codes: str, text: str) -> re.Pattern[str]:
    """``text`` drawn with a colour code run that includes every code in ``codes``."""
    parts = "".join(rf"(?=(?:\x1b\[[0-9;]*m)*\x1b\[(?:[0-9;]*;)?{c}(?:;[0-9;]*)?m)" for c in codes.split(";"))
    return re.compile(parts + SGR + re.escape(text))


class Pane:
    def __init__(self, socket: str, target: str) -> None:
        self.socket, self.target = socket, target

    def tmux(self, *args: str) -> str:
        return subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True, text=True, timeout=10).stdout  # type: ignore[list-item]

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.target, *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.target, "-l", text)  # -l: literally, no key names

    def screen(self, colours: bool = True) -> str:
        return self.tmux("capture-pane", "-p", "-J", *(["-e"] if colours else []), "-t", self.target)

    def wait_for(self, what: str | re.Pattern[str], timeout: float = 15.0, colours: bool = True) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen(colours)
            found = what.search(screen) if isinstance(what, re.Pattern) else what in screen
            if found:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{what!r} not on screen after {timeout} s:\n{self.screen(False)}")
            time.sleep(0.1)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from searchkit import SearchKit

    base = tmp_path_factory.mktemp("tmux")
    shutil.copytree(ROOT / "seeds", base / "seeds")
    (base / "config.yaml").write_text("corpus: seeds\nindex_dir: index\nindex:\n  workers: 1\n", encoding="utf-8")
    SearchKit.open(base / "config.yaml").index()
    return base


@pytest.fixture()
def pane(workdir: Path) -> Iterator[Pane]:
    socket = f"searchkit-test-{os.getpid()}"
    env = {
        "HOME": str(workdir),
        "XDG_DATA_HOME": str(workdir / "data"),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "LESS": "-R",
        "PAGER": "less",
    }
    command = " ".join(["env", "-i", *(f"{k}={v}" for k, v in env.items()), sys.executable, "-m", "searchkit", "repl"])
    command += f"; echo exit=$? > {workdir / 'rc'}"
    (workdir / "rc").unlink(missing_ok=True)
    p = Pane(socket, "sk")
    p.tmux("-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "40", "-s", "sk", "-c", str(workdir), command)
    # Keep the screen if the REPL dies early, so a failure shows what it printed.
    p.tmux("set-option", "-t", "sk", "remain-on-exit", "on")
    try:
        yield p
    finally:
        p.tmux("kill-server")  # our private server only (-L socket)


def test_repl_in_a_real_terminal(pane: Pane, workdir: Path) -> None:
    pane.wait_for("searchkit>")
    pane.wait_for("index: 5 articles")  # the toolbar, once the index has opened

    # Syntax highlighting while typing: field name and operator in colour.
    pane.type("personne:Kazimi ET roquettes")
    screen = pane.wait_for("roquettes")
    assert sgr_before("36", "personne:").search(screen), screen
    assert sgr_before("35", "ET").search(screen), screen

    # Results: the matched words in bold yellow (render.Style.marks), toolbar updated.
    pane.keys("Enter")
    screen = pane.wait_for("2 articles (1-2 shown")
    assert sgr_before("1;33", "roquettes").search(screen), screen
    assert sgr_before("1;33", "Moustafa al-Kazimi").search(screen) or sgr_before("1;33", "Mustafa Kadhimi").search(screen)
    pane.wait_for("2 hits (page 1/1)", colours=False)

    # Tab completion of a facet value, accents and case ignored, then drill down.
    pane.type(":filter lieu=bag")
    pane.keys("Tab")  # a menu: the place, and a longer name with a word starting "bag"
    screen = pane.wait_for("aéroport international de Bagdad", colours=False)
    assert re.search(r"^ +Bagdad +5 *$", screen, re.M), screen
    pane.keys("Tab")  # selects the first (a prefix match ranks first)
    pane.wait_for(":filter lieu=Bagdad", colours=False)
    pane.keys("Enter")
    pane.wait_for("filters: place=Bagdad  |", colours=False)

    # A bad command: one red line, the session goes on.
    pane.type(":frobnicate")
    pane.keys("Enter")
    screen = pane.wait_for("unknown command ':frobnicate'")
    assert sgr_before("1;31", "error: unknown command").search(screen), screen

    # :show opens the pager (less) with the article; q comes back to the prompt.
    pane.type(":show 1")
    pane.keys("Enter")
    screen = pane.wait_for(re.compile(r"^id \S+ +date", re.M), colours=False)
    assert "searchkit>" not in screen.splitlines()[-1]
    pane.keys("q")
    pane.wait_for(" index: 5 articles", colours=False)

    # Ctrl-C cancels the line but not the session; Ctrl-D ends it.
    pane.type("zzz")
    pane.keys("C-c")
    pane.type("teheran")
    pane.keys("Enter")  # searches "teheran", not "zzzteheran"
    screen = pane.wait_for("1 article (1-1 shown", colours=False)
    assert "zzz" not in screen.split("1 article (1-1 shown")[-2].splitlines()[-1]
    assert pane.tmux("display-message", "-p", "-t", "sk", "#{pane_dead}").strip() == "0"
    pane.keys("C-d")
    # The shell around the REPL writes its exit code (tmux's own pane_dead_status
    # is not reliably recorded when the pty closes before the process is reaped).
    deadline = time.monotonic() + 10
    rc = workdir / "rc"
    while not rc.exists() or not rc.read_text().strip():
        assert time.monotonic() < deadline, "the REPL did not end on Ctrl-D"
        time.sleep(0.1)
    assert rc.read_text().strip() == "exit=0"

    # History went to the temp XDG data dir.
    history = (workdir / "data" / "searchkit" / "history").read_text(encoding="utf-8")
    assert "+personne:Kazimi ET roquettes" in history and "+:filter lieu=Bagdad" in history
